"""Writing the site: atomically (a new folder swapped in), the first failure stopping it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from citynet.common.files import new_folder_beside, swap_folder
from citynet.errors import DataInvalid, InputError, PublishAborted
from citynet.settings import __version__

#: Marks a folder as a citynet site, so a re-run may replace it (and only then).
SITE_MARKER = ".citynet-site"


def write_file(path: Path, data: bytes) -> None:
    """The one place the site touches the disk (tests replace it to simulate a full disk)."""
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def check_replaceable(out: Path) -> None:
    """Refuse to replace anything that is not a previous citynet site (or empty)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise InputError(f"{out}: exists and is not a folder", hint="choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / SITE_MARKER).exists():
        raise InputError(
            f"{out}: folder exists and is not a citynet site; refusing to replace it",
            hint="choose a new or empty --out folder",
        )


def write_files(folder: Path, files: Iterable[tuple[str, bytes]]) -> int:
    """Write the files one by one; the first failure stops the writing.

    No writer threads: they gave the highest system times measured (threads creating
    files in the same folders contend in the kernel).
    """
    count = 0
    for relative, data in files:
        # Defence in depth: paths come from checked slugs, but never trust a join.
        if relative.startswith("/") or ".." in relative.split("/"):
            raise DataInvalid(f"site path {relative!r} would leave the output folder")
        write_file(folder / relative, data)
        count += 1
    return count


def write_docs(
    render: Callable[[list[str]], Iterable[tuple[str, bytes]]], docs: list[str], folder: Path
) -> int:
    """Render and write the resource documents, in this process.

    Rendering them on forked workers was tried (1,000 pages: 21 s instead of 29 s) and
    removed: a fork-based pool in a process that already runs threads (pyoxigraph's, a
    test runner's) deadlocked on a queue lock in CI. The next attempt should use the
    pipeline's forkserver executor (scale/executor.py), which never forks a threaded process.
    """
    return write_files(folder, render(docs))


def write_atomically(out: Path, write: Callable[[Path], int]) -> int:
    """Call ``write`` on a new folder beside ``out``, then swap it in (or drop it)."""
    out = Path(os.path.abspath(out))
    new: Path | None = None
    try:
        new = new_folder_beside(out)  # readable by a web server, as the umask allows
        count = write(new)
        write_file(new / SITE_MARKER, f"citynet {__version__}\n".encode())
        swap_folder(new, out)
        new = None
        return count
    except OSError as error:
        reason = error.strerror or str(error)
        raise PublishAborted(
            f"{out}: cannot write the site: {reason}",
            hint="the previous site, if any, is left as it was; free space or fix permissions",
        ) from None
    finally:
        if new is not None:
            shutil.rmtree(new, ignore_errors=True)


__all__ = [
    "SITE_MARKER",
    "check_replaceable",
    "write_atomically",
    "write_docs",
    "write_file",
    "write_files",
]
