"""The build's output files put together from the chunks' fragment files, in order."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from citynet.common.files import atomic_file
from citynet.errors import InputError
from citynet.graph import counting
from citynet.graph.outputs import OUTPUT_FILES
from citynet.graph.steps import MappedChunk, Stub

QUAD_FORMATS = ("trig", "nquads")


class Sink(Protocol):
    """Where the pages' N-Quads go besides the files (an Oxigraph store)."""

    def remove_graph(self, graph: str) -> None: ...

    def add(self, nquads: bytes) -> None: ...

    def flush(self) -> None: ...


def cannot_write(out: Path | None, error: OSError) -> InputError:
    return InputError(
        f"{out}: cannot write the build: {error.strerror or error}",
        hint="free some space there, or build into another folder (--out)",
    )


def _append_file(handle: IO[bytes], path: str) -> None:
    """Append a fragment file to an output file, in the kernel where it can."""
    with open(path, "rb") as source:
        if isinstance(handle, io.BytesIO):
            handle.write(source.read())
            return
        handle.flush()
        left = os.fstat(source.fileno()).st_size
        copied = 0
        with contextlib.suppress(AttributeError):  # no copy_file_range: copy below
            while left > copied:
                try:
                    step = os.copy_file_range(source.fileno(), handle.fileno(), left - copied)
                except OSError as error:
                    if copied or error.errno not in _NO_KERNEL_COPY:
                        raise
                    break
                if step == 0:
                    break
                copied += step
        source.seek(copied)
        shutil.copyfileobj(source, handle)


_NO_KERNEL_COPY = {18, 22, 38, 95}  # EXDEV, EINVAL, ENOSYS, EOPNOTSUPP


class Fragments:
    """Report entries kept in a temporary file (they arrive in graph order and are
    written in input order), not in memory: hundreds of MB of text at 100,000 pages."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "w+b")  # noqa: SIM115 - closed by in_order()
        self.where: dict[int, tuple[int, int]] = {}

    def __setitem__(self, index: int, text: str) -> None:
        data = text.encode("utf-8")
        self.where[index] = (self.handle.tell(), len(data))
        self.handle.write(data)

    def in_order(self) -> Iterator[bytes]:
        try:
            for index in sorted(self.where):
                offset, size = self.where[index]
                self.handle.seek(offset)
                yield self.handle.read(size)
        finally:
            self.handle.close()


@dataclass
class Assembly:
    """Step 3's results put together: output files, store, state, counts, reports."""

    handles: dict[str, IO[bytes]]
    header: bytes  # the TriG @prefix lines, written before the first graph
    sink: Sink | None
    state: Any
    out: Path | None
    counter: counting.Counter = field(default_factory=counting.Counter)
    mapped: set[int] = field(default_factory=set)
    header_written: bool = False

    def write(self, name: str, data: bytes | str) -> None:
        handle = self.handles.get(name)
        if handle is None:
            return
        try:
            if name == "trig" and not self.header_written:
                handle.write(self.header)
                self.header_written = True
            if isinstance(data, bytes):
                handle.write(data)
            else:
                _append_file(handle, data)
        except OSError as error:
            raise cannot_write(self.out, error) from None

    def chunk(
        self,
        chunk: MappedChunk,
        pages: dict[int, tuple[Path, str]],
        stubs: dict[int, Stub],
        keys: dict[int, list[list[str | None]]],
    ) -> None:
        """A mapped chunk: whole fragment files, or page by page for a store or state."""
        self.counter.add(chunk.triple_hashes, chunk.class_hashes)
        if self.sink is None and self.state is None:
            self.write("nquads", chunk.nquads)
            if chunk.trig and chunk.pages:
                self.write("trig", chunk.trig)
        else:
            nquads = memoryview(Path(chunk.nquads).read_bytes())
            trig = memoryview(Path(chunk.trig).read_bytes() if chunk.trig else b"")
            at_nq = at_trig = 0
            for page in chunk.pages:
                page_nq = bytes(nquads[at_nq : at_nq + page.nquads])
                page_trig = bytes(trig[at_trig : at_trig + page.trig])
                at_nq, at_trig = at_nq + page.nquads, at_trig + page.trig
                self.page(page_nq, page_trig)
                if self.state is not None:
                    i = page.index
                    path, graph = pages[i]
                    self.state.put(path, graph, stubs[i], keys[i], page, page_nq, page_trig)
                    self.mapped.add(page.index)
        # Deleted at once, the fragment files' pages mostly never reach the disk (on an
        # error, the temporary folder goes as a whole).
        for name in (chunk.nquads, chunk.trig):
            if name:
                Path(name).unlink(missing_ok=True)

    def page(self, nquads: bytes, trig: bytes) -> None:
        if self.sink is not None:
            self.sink.add(nquads)
        self.write("nquads", nquads)
        if trig:
            self.write("trig", trig)


def outputs(out: Path | None, formats: tuple[str, ...], stack: contextlib.ExitStack) -> dict:
    """The quad files being written (renamed into place when ``stack`` closes)."""
    if out is None:
        return {"nquads": io.BytesIO()}  # kept for BuildResult.quads
    try:
        return {
            name: stack.enter_context(atomic_file(out / OUTPUT_FILES[name]))
            for name in QUAD_FORMATS
            if name in formats
        }
    except OSError as error:
        raise cannot_write(out, error) from None
