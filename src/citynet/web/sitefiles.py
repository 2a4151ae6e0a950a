"""Writing the site: atomically (a new folder swapped in), resource documents on forked workers."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from citynet.common.files import new_folder_beside, swap_folder
from citynet.errors import DataInvalid, InputError, PublishAborted
from citynet.settings import __version__

#: Marks a folder as a citynet site, so a re-run may replace it (and only then).
SITE_MARKER = ".citynet-site"
WORKERS = min(2, os.cpu_count() or 1)  # processes rendering the resource documents
FORK_FROM = 500  # resource documents; below this a fork costs more than it saves


def write_file(path: Path, data: bytes) -> None:
    """The one place the site touches the disk (tests replace it to simulate a full disk)."""
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)  # the other forked worker may be first
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

    No writer threads: with the forked workers they gained nothing and gave the highest
    system times measured (threads creating files in the same folders contend in the kernel).
    """
    count = 0
    for relative, data in files:
        # Defence in depth: paths come from checked slugs, but never trust a join.
        if relative.startswith("/") or ".." in relative.split("/"):
            raise DataInvalid(f"site path {relative!r} would leave the output folder")
        write_file(folder / relative, data)
        count += 1
    return count


Render = Callable[[list[str]], Iterable[tuple[str, bytes]]]
#: What the forked workers of write_docs render and where (set before the fork).
_FORKED: tuple[Render, Path] | None = None


def _write_chunk(docs: list[str]) -> int:
    assert _FORKED is not None
    render, folder = _FORKED
    return write_files(folder, render(docs))


def write_docs(render: Render, docs: list[str], folder: Path) -> int:
    """Render and write the resource documents, on WORKERS forked processes for a large site.

    Rendering is pure Python (the GIL keeps it on one core), and each worker inherits the
    whole site model by the fork, so nothing is pickled but the names of its documents and
    the count (or the OSError) it returns. Contiguous chunks of the sorted documents keep
    each folder's files mostly in one process.
    """
    global _FORKED
    if WORKERS < 2 or len(docs) < FORK_FROM or "fork" not in mp.get_all_start_methods():
        return write_files(folder, render(docs))
    chunks = [
        docs[i * len(docs) // WORKERS : (i + 1) * len(docs) // WORKERS] for i in range(WORKERS)
    ]
    _FORKED = (render, folder)
    try:
        with mp.get_context("fork").Pool(WORKERS) as pool:
            return sum(pool.map(_write_chunk, chunks))
    finally:
        _FORKED = None


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
