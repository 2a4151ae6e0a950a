"""The build's results and output files, in one place: page reports, report.json, the
quad files put together from the chunks' fragment files in order, the merged formats.

Every file is written atomically through :mod:`citynet.common.files`. Output is sorted,
so the same pages always give byte-identical files.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from pyoxigraph import Quad, RdfFormat, parse, serialize

from citynet.common.files import atomic_file, atomic_write
from citynet.errors import InputError
from citynet.graph import counting
from citynet.graph.vocab import PREFIXES
from citynet.read.records import PageWarning

OUTPUT_FILES = {
    "trig": "citynet.trig",
    "nquads": "citynet.nq",
    "turtle": "citynet.ttl",
    "ntriples": "citynet.nt",
    "jsonld": "citynet.jsonld",
}


@dataclass
class PageReport:
    file: str
    source_url: str | None
    city: str | None
    city_origin: str | None
    graph: str | None
    facts: dict[str, int] = field(default_factory=dict)
    warnings: list[PageWarning] = field(default_factory=list)
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "source_url": self.source_url,
            "city": self.city,
            "city_origin": self.city_origin,
            "graph": self.graph,
            "built": self.graph is not None,  # not for an error or an empty page
            "error": self.error,
            "facts": dict(sorted(self.facts.items())),
            "warnings": [
                {
                    "line": w.line,
                    "col": w.col,
                    "code": w.code,
                    "message": w.message,
                    "text": w.text,
                }
                for w in self.warnings
            ],
        }


@dataclass
class BuildResult:
    pages: list[PageReport]  # with their warnings; their facts are in report.json
    counts: dict[str, int]
    files: dict[str, Path]
    resolution: Any = None
    store: Any = None  # the in-memory pyoxigraph.Store, when one was asked for
    store_path: Path | None = None  # the on-disk store (open it with pyoxigraph.Store)
    timings: dict[str, float] = field(default_factory=dict)
    remapped: int = 0  # pages mapped by this run (all of them unless incremental)
    reread: int = 0  # pages read from disk by this run (changed, or remapped for new keys)
    nquads: bytes | None = None  # the N-Quads, when no folder was written (out=None)

    @property
    def quads(self) -> list[Quad]:
        """The quads built, sorted (parsed from the N-Quads: for tests and small inputs)."""
        if self.nquads is not None:
            return list(parse(self.nquads, format=RdfFormat.N_QUADS))
        if "nquads" in self.files:
            return list(parse(path=str(self.files["nquads"]), format=RdfFormat.N_QUADS))
        return []

    @property
    def errors(self) -> list[str]:
        return [f"{page.file}: {page.error}" for page in self.pages if page.error]


def prefixes_for(base_iri: str) -> dict[str, str]:
    prefixes = {
        name: str(ns) for name, ns in PREFIXES.items() if name not in ("sh", "void", "dcat")
    }
    prefixes["data"] = base_iri if base_iri.endswith("/") else base_iri + "/"
    return prefixes


REPORT_DEPTH = 4  # in reports, containers nested deeper than this are written on one line
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
_STRING = json.encoder.encode_basestring  # type: ignore[attr-defined]
# JSONEncoder.encode makes a new C encoder on every call (a few µs, half the cost of a
# page's report entry): one made here writes the same text (reports have no cycles to
# check for).
_C_ENCODE = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _ENCODER.default, _STRING, None, ": ", ", ", False, False, True
    )
    if json.encoder.c_make_encoder is not None  # type: ignore[attr-defined]
    else None
)


def _one_line(value: Any) -> str:
    """``value`` as JSON on one line, as ``_ENCODER.encode`` writes it."""
    kind = value.__class__
    if kind is str:
        return _STRING(value)
    if kind is int:
        return int.__repr__(value)
    if _C_ENCODE is None:  # pragma: no cover - Pythons without json's C speedups
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


def json_text(value: Any, level: int = 0, depth: int = REPORT_DEPTH) -> str:
    """JSON indented by two spaces down to ``depth`` levels; deeper values on one line.

    One line per warning or merge reads well and lets json's C encoder do the work (its
    indenting encoder is pure Python: 20 s of a 100,000-page build). The layout is
    compositional: a value rendered at its ``level`` is exactly its text in the whole
    document, so the build renders the pages' entries apart, in its workers.
    """
    if level >= depth or not value or not isinstance(value, dict | list | tuple):
        return _one_line(value)
    inner = "\n" + "  " * (level + 1)
    leaves = level + 1 >= depth  # the items go on one line each: no call per item
    if isinstance(value, dict):
        if leaves:
            items = [f"{_STRING(str(key))}: {_one_line(item)}" for key, item in value.items()]
        else:
            items = [
                f"{_STRING(str(key))}: {json_text(item, level + 1, depth)}"
                for key, item in value.items()
            ]
        # One f-string: the resolution's text is tens of MB, each "+" would copy it.
        return f"{{{inner}{(',' + inner).join(items)}\n{'  ' * level}}}"
    if leaves:
        items = [_one_line(item) for item in value]
    else:
        items = [json_text(item, level + 1, depth) for item in value]
    return f"[{inner}{(',' + inner).join(items)}\n{'  ' * level}]"


def write_report(
    out: Path, counts: dict[str, int], pages: Iterable[bytes], resolution: bytes
) -> Path:
    """report.json from the pages' rendered entries (``json_text(entry, 2)``) and the
    rendered resolution member; the text of ``json_text`` on the whole report."""

    def write(handle: IO[bytes]) -> None:
        handle.write(('{\n  "counts": ' + json_text(counts, 1) + ',\n  "pages": ').encode())
        separator = b"[\n    "
        for page in pages:
            handle.write(separator)
            handle.write(page)
            separator = b",\n    "
        handle.write(b"[]" if separator == b"[\n    " else b"\n  ]")
        handle.write(resolution)
        handle.write(b"\n}\n")

    path = out / "report.json"
    atomic_write(path, write)
    return path


_MERGED = {
    "turtle": (RdfFormat.TURTLE, True),
    "ntriples": (RdfFormat.N_TRIPLES, False),
    "jsonld": (RdfFormat.JSON_LD, True),
}


def write_merged(
    out: Path, nquads: Path | None, formats: Iterable[str], base_iri: str
) -> dict[str, Path]:
    """Turtle, N-Triples, JSON-LD (those of ``formats``) from the build's N-Quads file:
    the distinct triples, sorted, through pyoxigraph's writers.

    Needs every distinct triple in memory once (a set, then a sorted list).
    """
    names = [name for name in _MERGED if name in formats]
    if not names or nquads is None:
        return {}
    triples = {q.triple for q in parse(path=str(nquads), format=RdfFormat.N_QUADS)}
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    prefixes = prefixes_for(base_iri)
    written = {}
    for name in names:
        fmt, with_prefixes = _MERGED[name]
        written[name] = out / OUTPUT_FILES[name]
        atomic_write(
            written[name],
            lambda handle, fmt=fmt, p=with_prefixes: serialize(
                ordered, handle, fmt, prefixes=prefixes if p else None
            ),
        )
    return written


# ---------------------------------------------------------------------------------------
# The quad files, from the mapped chunks


@dataclass
class Mapped:
    """One page mapped: the size of its fragments, what the report and counts need."""

    index: int
    nquads: int  # bytes of its N-Quads in the chunk's file
    trig: int  # bytes of its TriG in the chunk's file
    warnings: list[PageWarning]
    triples: int  # triples the mapping made (with repeats)
    report_json: str  # its entry in report.json
    triple_hashes: bytes = b""  # its own digests, when the incremental state keeps them
    class_hashes: dict[str, bytes] = field(default_factory=dict)


@dataclass
class MappedChunk:
    pages: list[Mapped]
    nquads: str  # the chunk's fragment files
    trig: str | None
    triple_hashes: bytes  # hash payload of the chunk's distinct triples
    class_hashes: dict[str, bytes]


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
        stubs: dict[int, Any],
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
