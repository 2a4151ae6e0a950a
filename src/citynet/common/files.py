"""Writing files and folders so that readers never see half of one.

Every output of citynet (graph files, reports, the site, cached indexes) goes through
here: a temporary file or folder beside the target, renamed over it once complete, with
the mode a plain ``open()``/``mkdir()`` would give under the umask (``mkstemp`` makes
0600 and ``mkdtemp`` 0700, which a web server publishing the files cannot read).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def new_file_mode(base: int = 0o666) -> int:
    """The mode open() (0o666) or mkdir() (0o777) would give under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return base & ~mask


@contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary handle on a temporary file that replaces ``path`` when the block ends.

    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, new_file_mode())
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Call ``write(handle)`` on a temporary file, then rename it over ``path``."""
    with atomic_file(path) as handle:
        write(handle)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """``data`` as the whole new content of ``path``, atomically."""
    with atomic_file(path) as handle:
        handle.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    """``text`` (UTF-8, newlines as given) as the whole new content of ``path``."""
    atomic_write_bytes(path, text.encode("utf-8"))


def new_folder_beside(target: Path, tag: str = "new") -> Path:
    """An empty folder next to ``target`` (same file system), with mkdir()'s usual mode."""
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.{tag}-", dir=target.parent))
    os.chmod(folder, new_file_mode(0o777))
    return folder


def swap_folder(new: Path, out: Path) -> None:
    """Put folder ``new`` in place of ``out``; if the move fails, ``out`` is restored."""
    old: Path | None = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        old.rmdir()  # only a fresh unused name was wanted
        os.rename(out, old)
    try:
        os.rename(new, out)
    except OSError:
        if old is not None:
            os.rename(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


__all__ = [
    "atomic_file",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "new_file_mode",
    "new_folder_beside",
    "swap_folder",
]
