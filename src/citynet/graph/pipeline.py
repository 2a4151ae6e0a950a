"""The build pipeline: pages -> records -> resolved records -> page fragments -> files.

One pipeline for every input size. Per-page work is plain functions on chunks of pages:

1. **Read** (:func:`read_chunk`): read each page and resolve its places (page-local: the
   gazetteer work); return a slim :class:`Stub` per page, what cross-page resolution
   needs. The full records stay in memory, or in a spill file per chunk when the chunks
   run in worker processes (the main process then never holds them).
2. **Resolve across pages** (:func:`resolve_across`, once): project and event keys,
   one-sided twinnings, slug collisions, from the stubs, in input order.
3. **Map** (:func:`map_chunk`): apply the keys, map each page to its named graph, sort
   its distinct triples and write them as N-Quads and TriG fragments to the chunk's
   fragment files; return its report entry and the digests of its triples. Chunks are in
   the order of the pages' graph IRIs, so appending the fragment files chunk after chunk
   gives the sorted files, byte for byte those a sort of every quad would give.

A *runner* runs the chunks: :class:`InProcess` in a loop, or a process pool
(``citynet.scale.executor``) for large inputs; an optional *store* (Oxigraph) and
*state* (``--incremental``) come from ``citynet.scale`` too. The merged formats (Turtle,
N-Triples, JSON-LD: one sorted set of distinct triples) are made from the N-Quads at the
end: they need every triple in memory at once.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from citynet.common.files import atomic_file
from citynet.errors import DataInvalid, InputError
from citynet.graph import counting
from citynet.graph.build import (
    OUTPUT_FILES,
    BuildResult,
    PageReport,
    apply_city,
    fact_kinds,
    has_content,
    json_text,
    nameless_errors,
    prefixes_for,
    write_merged,
    write_report,
)
from citynet.graph.mapping import Mapper, in_graph, ntriples
from citynet.read.records import ActivityMention, PageRecord, PageWarning, Period, PlaceName, Twin

CHUNK_PAGES = 100  # pages per task: large enough to amortise pickling, small for balance
QUAD_FORMATS = ("trig", "nquads")
MERGED_FORMATS = ("turtle", "ntriples", "jsonld")
ALL_FORMATS = (*QUAD_FORMATS, *MERGED_FORMATS)


class Runner(Protocol):
    """Runs a function over tasks, giving the results in task order."""

    workers: int  # processes that run tasks (1: this one)

    def map(self, func: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]: ...


class InProcess:
    """The runner of small inputs: the tasks one after the other, in this process."""

    workers = 1

    def map(self, func: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        return map(func, tasks)


@dataclass
class Settings:
    out: Path | None
    base_iri: str
    city: str | None = None
    max_page_bytes: int = 10_000_000
    formats: tuple[str, ...] = ALL_FORMATS
    chunk_pages: int = CHUNK_PAGES
    progress: Callable[[Any], None] | None = None


# ---------------------------------------------------------------------------------------
# Per page: reading and place resolution


@dataclass(slots=True)
class Stub:
    """What one page contributes to cross-page resolution, plus its place resolution."""

    index: int  # position in input order
    record: PageRecord  # slim: path, hash, city, twins, activities
    place_warnings: list[PageWarning]
    unresolved: list[Any]
    population_mismatches: list[Any]
    record_warnings: list[PageWarning]  # the reader's
    source_url: str | None
    city_origin: str | None
    facts: dict[str, int]
    has_content: bool  # False for an empty page (no node, counted as "empty")
    nameless_error: str | None  # for a page naming no city: the candidates


def _interned(text: str | None) -> str | None:
    return sys.intern(text) if text is not None else None


def _slim_place(place: PlaceName | None) -> PlaceName | None:
    """What cross-page resolution reads of a place. Names are interned: a chunk's pickle
    then holds each once (a city is a page and the twin of several others)."""
    if place is None:
        return None
    return PlaceName(
        sys.intern(place.name),
        line=place.line,
        resolved_name=_interned(place.resolved_name),
        country_code=_interned(place.country_code),
        geonames_id=place.geonames_id,
        kind=place.kind,
        path=_interned(place.path),
    )


def _slim_mention(a: ActivityMention) -> ActivityMention:
    return ActivityMention(
        a.kind,
        sys.intern(a.title),
        a.role,
        a.line,
        a.text,
        [Period(_interned(p.start), _interned(p.end), "") for p in a.periods],
        network_id=a.network_id,
        event_kind=a.event_kind,
        place=_slim_place(a.place),
    )


def _slim(record: PageRecord) -> PageRecord:
    """The record as cross-page resolution reads it: the main process holds one per page."""
    return PageRecord(
        path=record.path,
        content_sha256=record.content_sha256,
        city=_slim_place(record.city),
        twins=[Twin(_slim_place(t.place), t.since, t.line, t.text) for t in record.twins],  # type: ignore[arg-type]
        activities=[_slim_mention(a) for a in record.activities],
    )


def read_one(path: str, city: str | None, max_page_bytes: int) -> PageRecord:
    """One page file read (``-``: standard input); ``city``: --city for this page."""
    from citynet.read.pages import read_page, read_text

    if path == "-":
        data = sys.stdin.buffer.read()
        try:
            record = read_text(data.decode("utf-8"), "stdin.txt")
        except UnicodeDecodeError as error:
            raise InputError(f"<stdin>: not UTF-8 at byte {error.start}") from None
    else:
        record = read_page(Path(path), max_page_bytes=max_page_bytes)
    if city is not None:
        apply_city([record], city)
    return record


def make_stub(index: int, record: PageRecord) -> Stub:
    """Resolve a page's places (page-local) and keep what cross-page resolution needs."""
    from citynet.resolve.gazetteer import default_gazetteer
    from citynet.resolve.resolution import Resolution, resolve_page_places

    resolution = Resolution()
    content = has_content(record)
    nameless = None
    if content and record.city is not None:
        resolve_page_places(record, default_gazetteer(), resolution)
    elif content:
        nameless = nameless_errors([record]).get(record.path)
    return Stub(
        index,
        _slim(record),
        resolution.warnings,
        resolution.unresolved,
        resolution.population_mismatches,
        list(record.warnings),
        record.source_url,
        record.city_origin,
        fact_kinds(record),
        content,
        nameless,
    )


def _place_names(records: list[PageRecord]) -> Iterator[str]:
    """The names place resolution looks up first: cities, twins, event places."""
    for record in records:
        if record.city is not None:
            yield record.city.name
        for twin in record.twins:
            yield twin.place.name
        for activity in record.activities:
            if activity.place is not None:
                yield activity.place.name


_SETTLED_IN: int | None = None  # the process that ran _settle_gc


def _settle_gc() -> None:
    """Collect once per process, then only freeze what each chunk left alive.

    A build holds millions of long-lived, acyclic objects (stubs, records, caches); the
    collector's full passes over them would cost up to a third of a step. Frozen
    objects are still freed by reference counting when they die.
    """
    global _SETTLED_IN
    if os.getpid() != _SETTLED_IN:
        _SETTLED_IN = os.getpid()
        gc.collect()
    gc.freeze()


@dataclass
class ReadTask:
    items: list[tuple[int, str, str | None]]  # (index, path, --city for this page)
    max_page_bytes: int
    spill: str | None  # where the records go; None: sent back with the stubs


def read_chunk(task: ReadTask) -> tuple[list[Stub], list[PageRecord] | None]:
    """Step 1 for a chunk: the stubs, and the records unless they were spilled."""
    from citynet.resolve.gazetteer import default_gazetteer

    _settle_gc()
    records = [read_one(path, city, task.max_page_bytes) for _, path, city in task.items]
    default_gazetteer().prefetch(_place_names(records))
    stubs = [make_stub(i, r) for (i, _, _), r in zip(task.items, records, strict=True)]
    if task.spill is None:
        return stubs, records
    with open(task.spill, "wb") as handle:
        pickle.dump(records, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return stubs, None


# ---------------------------------------------------------------------------------------
# Per page: mapping


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


_TRIG: dict[str, Any] = {}


def _trig_writer(base: str) -> Any:
    """The TriG writer for a base (one per process: it remembers the terms it wrote)."""
    if base not in _TRIG:
        from citynet.graph.trig import TrigWriter

        _TRIG[base] = TrigWriter(prefixes_for(base))
    return _TRIG[base]


def new_report(stub: Stub, extra: list[PageWarning]) -> PageReport:
    """A page's report before mapping, with the reader's and cross-page warnings."""
    record = stub.record
    return PageReport(
        file=record.path,
        source_url=stub.source_url,
        city=(record.city.resolved_name or record.city.name) if record.city else None,
        city_origin=stub.city_origin,
        graph=None,
        warnings=stub.record_warnings + extra,
    )


def finish_report(report: PageReport, warnings: list[PageWarning], triples: int) -> str:
    """Add the mapping's warnings and triple count; the page's report.json entry."""
    report.warnings.extend(warnings)
    report.facts["triples"] = triples
    report.warnings.sort(key=lambda w: (w.line, w.col or 0, w.message))
    return json_text(report.as_json(), 2)


def map_record(
    record: PageRecord, stub: Stub, keys: list[str | None], mapper: Mapper, extra: list[Any]
) -> tuple[str, str, bytes, list[tuple[str, str, str]], Mapped]:
    """One page: its graph, N-Triples, N-Quads, sorted distinct triples, report entry."""
    for mention, key in zip(record.activities, keys, strict=True):
        mention.key = key
    graph, made, warnings = mapper.map_page_triples(record)
    # Sorted N-Triples terms give the order of the graph's N-Quads lines (code point
    # order; a term that starts another sorts first, as its line does).
    unique = sorted(set(made))
    lines = ntriples(unique)
    nquads = in_graph(lines, graph).encode()
    report = new_report(stub, extra)
    report.graph = graph[1:-1]
    report.facts = dict(stub.facts)
    page = Mapped(stub.index, len(nquads), 0, warnings, len(made), "")
    page.report_json = finish_report(report, list(warnings), len(made))
    return graph, lines, nquads, unique, page


@dataclass
class MapTask:
    #: (index, keys, cross-page warnings, stub) per page, None to skip a spilled record.
    items: list[tuple[int, list[str | None], list[PageWarning], Stub] | None]
    records: list[PageRecord] | str  # the records, or the spill file holding them
    base_iri: str
    out: str  # the chunk's fragment files: this, with .nq and .trig
    trig: bool  # make TriG at all
    per_page: bool  # also each page's digests (the incremental state keeps them)
    reread: dict[str, str | None]  # pages read again (incremental): path -> --city


def _task_records(task: MapTask) -> list[PageRecord | None]:
    if isinstance(task.records, list):
        return list(task.records)
    with open(task.records, "rb") as handle:
        return pickle.load(handle)


def map_chunk(task: MapTask) -> MappedChunk:
    """Step 3 for a chunk: map its pages, write their fragments, return the reports."""
    _settle_gc()
    mapper = Mapper(task.base_iri)
    records = _task_records(task)
    pages, triples, classes = [], set(), {}
    trig_path = task.out + ".trig" if task.trig else None
    with open(task.out + ".nq", "wb") as nq, open(trig_path or os.devnull, "wb") as trig:
        for position, item in enumerate(task.items):
            if item is None:
                continue
            index, keys, extra, stub = item
            record = records[position] if position < len(records) else None
            if record is None:  # incremental: an unchanged page whose keys changed
                record = read_one(stub.record.path, task.reread.get(stub.record.path), 10**12)
                make_stub(index, record)  # resolves its places again (deterministic)
            graph, lines, nquads, unique, page = map_record(record, stub, keys, mapper, extra)
            nq.write(nquads)
            if trig_path:
                text = _trig_writer(mapper.base).graph(graph, unique).encode()
                page.trig = len(text)
                trig.write(text)
            found = counting.digests(lines.encode().split(b"\n")[:-1])
            typed = {n: counting.digests(t) for n, t in counting.typed_nodes(unique).items()}
            triples |= found
            for name, values in typed.items():
                classes.setdefault(name, set()).update(values)
            if task.per_page:
                page.triple_hashes = counting.hash_payload(found)
                page.class_hashes = {n: counting.hash_payload(v) for n, v in typed.items()}
            pages.append(page)
    payloads = {name: counting.hash_payload(v) for name, v in classes.items()}
    return MappedChunk(pages, task.out + ".nq", trig_path, counting.hash_payload(triples), payloads)


# ---------------------------------------------------------------------------------------
# Across pages


def resolve_across(stubs: Iterable[Stub]) -> Any:
    """Project and event keys, one-sided twinnings, slug collisions: all pages, in input
    order, as ``resolve_records`` does after resolving places."""
    from citynet.resolve import resolution as resolve

    resolution = resolve.Resolution()
    records = []
    for stub in sorted(stubs, key=lambda s: s.index):
        if stub.record.city is None or not stub.has_content:
            continue
        resolution.warnings.extend(stub.place_warnings)
        resolution.unresolved.extend(stub.unresolved)
        resolution.population_mismatches.extend(stub.population_mismatches)
        records.append(stub.record)
    # Resolution makes millions of objects and no cyclic garbage: the collector would
    # walk them again and again as they grow.
    gc.disable()
    try:
        resolve.resolve_across_pages(records, resolution)
    finally:
        gc.enable()
    resolution.warnings.sort(key=lambda w: (w.file, w.line, w.code, w.message))
    return resolution


# ---------------------------------------------------------------------------------------
# The driver


class Sink(Protocol):
    """Where the pages' N-Quads go besides the files (an Oxigraph store)."""

    def remove_graph(self, graph: str) -> None: ...

    def add(self, nquads: bytes) -> None: ...

    def flush(self) -> None: ...


@dataclass
class _Plan:
    entries: list[tuple[int, Path, str]]  # (index, path, graph term) in input order
    order: list[tuple[int, Path, str]]  # the same in graph order, as written
    city_file: Path | None  # the page --city names
    cached: dict[int, Any] = field(default_factory=dict)  # unchanged pages (incremental)


def _plan(files: list[Path], settings: Settings, mapper: Mapper, state: Any) -> _Plan:
    entries = []
    for index, path in enumerate(files):
        name = path.name if str(path) != "-" else "stdin.txt"
        entries.append((index, path, mapper.graph_of_file(name)))
    city_file = None
    if settings.city is not None:
        city_file = _city_target(files, settings.max_page_bytes)
    plan = _Plan(entries, sorted(entries, key=lambda e: (e[2], e[0])), city_file)
    if state is not None:
        plan.cached = state.unchanged(entries, city_file)
    return plan


def _city_target(files: list[Path], max_page_bytes: int) -> Path:
    """--city: the one page without a city name (read once here to find it)."""
    if len(files) == 1:
        return files[0]
    nameless = [
        path
        for path in files
        if (r := read_one(str(path), None, max_page_bytes)).city is None
        or r.city_origin == "file name"
    ]
    if len(nameless) != 1:
        raise InputError(
            f"--city applies to exactly one page without a city name; {len(nameless)} found",
            hint="build such pages one at a time, or add a '# city:' header to each",
        )
    return nameless[0]


def _temporary(results: Iterator[Any], folder: Path) -> Iterator[Any]:
    """A runner's results; an OSError there is one about the temporary files."""
    try:
        yield from results
    except OSError as error:
        raise InputError(
            f"{folder.parent}: cannot write the build's temporary files: {error.strerror or error}",
            hint="free some space there, or point TMPDIR to a folder with room",
        ) from None


@dataclass
class _Read:
    stubs: dict[int, Stub]
    source_of: dict[int, tuple[int, int]]  # index -> (read chunk, position in it)
    sources: dict[int, list[PageRecord] | str]  # read chunk -> its records or spill file


def _read(plan: _Plan, settings: Settings, runner: Runner, spill: Path) -> _Read:
    """Step 1 over every page to read, in chunks."""
    to_read = [e for e in plan.order if e[0] not in plan.cached]
    size = settings.chunk_pages
    chunks = [to_read[i : i + size] for i in range(0, len(to_read), size)]
    tasks = [
        ReadTask(
            [(i, str(p), settings.city if p == plan.city_file else None) for i, p, _ in chunk],
            settings.max_page_bytes,
            str(spill / f"{n}.pickle") if runner.workers > 1 else None,
        )
        for n, chunk in enumerate(chunks)
    ]
    read = _Read({}, {}, {})
    tick = settings.progress or (lambda _item: None)
    results = _temporary(runner.map(read_chunk, tasks), spill)
    for n, (task, (stubs, records)) in enumerate(zip(tasks, results, strict=True)):
        read.sources[n] = records if records is not None else str(task.spill)
        for position, stub in enumerate(stubs):
            read.stubs[stub.index] = stub
            read.source_of[stub.index] = (n, position)
            tick(stub)
        gc.freeze()  # the stubs live until the end: later collections need not walk them
    for index, row in plan.cached.items():
        read.stubs[index] = row.stub
        tick(row.stub)
    if read.stubs and not any(stub.has_content for stub in read.stubs.values()):
        names = [read.stubs[i].record.path for i in sorted(read.stubs)]
        raise DataInvalid(
            f"no input page has content ({', '.join(names[:5])}"
            f"{', ...' if len(names) > 5 else ''}): every page is empty",
            hint="check the input files; nothing was written",
        )
    return read


def _owners(plan: _Plan, stubs: dict[int, Stub]) -> tuple[dict[str, int], dict[int, list]]:
    """Named graphs: the first page (in input order) with a graph IRI keeps it; the
    activity keys of the pages that are mapped."""
    owner: dict[str, int] = {}
    keys: dict[int, list[str | None]] = {}
    for index, _path, graph in plan.entries:
        stub = stubs[index]
        if stub.has_content and stub.record.city is not None and graph not in owner:
            owner[graph] = index
            keys[index] = [m.key for m in stub.record.activities]
    return owner, keys


def _page_reports(
    plan: _Plan, stubs: dict[int, Stub], owner: dict[str, int], extra: dict[str, list]
) -> dict[int, PageReport]:
    """Each page's report before mapping, or the reason it is not mapped."""
    reports: dict[int, PageReport] = {}
    for index, _path, graph in plan.entries:
        stub = stubs[index]
        report = reports[index] = new_report(stub, extra.get(stub.record.path, []))
        if not stub.has_content:
            continue  # an empty page: its warning says so; it gives no node
        if stub.record.city is None:
            report.error = stub.nameless_error or (
                "the page does not name its city; give it with --city"
            )
        elif owner[graph] != index:
            first = stubs[owner[graph]].record.path
            report.error = (
                f"its named graph {graph[1:-1]} is already used by {first}; rename one file"
            )
        else:
            report.graph = graph[1:-1]
    return reports


def _map_tasks(
    remap: list[tuple[int, Path, str]],
    read: _Read,
    keys: dict[int, list],
    extra: dict[str, list],
    settings: Settings,
    spill: Path,
    incremental: bool,
    reread: dict[str, str | None],
) -> list[MapTask]:
    """Step 3's tasks in graph order: runs of pages of one read chunk (or read again)."""
    tasks: list[MapTask] = []
    current: list[Any] = []
    current_chunk: int | None = None
    trig = "trig" in settings.formats or incremental  # the state keeps TriG for later

    def flush() -> None:
        if current:
            records = read.sources[current_chunk] if current_chunk is not None else []
            out = str(spill / f"map-{len(tasks)}")
            tasks.append(
                MapTask(list(current), records, settings.base_iri, out, trig, incremental, reread)
            )
            current.clear()

    for index, _path, _graph in remap:
        chunk, position = read.source_of.get(index, (None, -1))
        if chunk != current_chunk or len(current) >= settings.chunk_pages:
            flush()
            current_chunk = chunk
        stub = read.stubs[index]
        if chunk is not None:
            current.extend([None] * (position - len(current)))  # by position in the chunk
        current.append((index, keys[index], extra.get(stub.record.path, []), stub))
    flush()
    return tasks


def _cannot_write(out: Path | None, error: OSError) -> InputError:
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


class _Fragments:
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
class _Assembly:
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
            raise _cannot_write(self.out, error) from None

    def chunk(self, chunk: MappedChunk, step: _Step3) -> None:
        """A mapped chunk: whole fragment files, or page by page for a store or state."""
        self.counter.add(chunk.triple_hashes, chunk.class_hashes)
        if self.sink is None and self.state is None:
            self.write("nquads", chunk.nquads)
            if chunk.trig and chunk.pages:
                self.write("trig", chunk.trig)
            return
        with open(chunk.nquads, "rb") as handle:
            nquads = memoryview(handle.read())
        trig = memoryview(Path(chunk.trig).read_bytes() if chunk.trig else b"")
        at_nq = at_trig = 0
        for page in chunk.pages:
            page_nq = bytes(nquads[at_nq : at_nq + page.nquads])
            page_trig = bytes(trig[at_trig : at_trig + page.trig])
            at_nq, at_trig = at_nq + page.nquads, at_trig + page.trig
            self.page(page_nq, page_trig)
            if self.state is not None:
                i = page.index
                path, graph = step.pages[i]
                stub = step.read.stubs[i]
                self.state.put(path, graph, stub, step.keys[i], page, page_nq, page_trig)
                self.mapped.add(page.index)

    def page(self, nquads: bytes, trig: bytes) -> None:
        if self.sink is not None:
            self.sink.add(nquads)
        self.write("nquads", nquads)
        if trig:
            self.write("trig", trig)


def _outputs(out: Path | None, formats: tuple[str, ...], stack: contextlib.ExitStack) -> dict:
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
        raise _cannot_write(out, error) from None


def _resolve(read: _Read) -> tuple[Any, dict[str, list[PageWarning]]]:
    """Step 2, and the cross-page warnings by page file."""
    gc.collect()
    gc.freeze()
    resolution = resolve_across(read.stubs.values())
    gc.freeze()
    extra: dict[str, list[PageWarning]] = {}
    for warning in resolution.warnings:
        extra.setdefault(warning.file, []).append(warning)
    return resolution, extra


def _to_remap(plan: _Plan, keys: dict[int, list]) -> list[tuple[int, Path, str]]:
    """Pages to map: all, or (incremental) the changed ones and those whose keys or
    graph changed (a changed page can change another page's keys)."""
    cached = plan.cached
    return [
        e
        for e in plan.order
        if e[0] in keys
        and (e[0] not in cached or cached[e[0]].keys != keys[e[0]] or cached[e[0]].graph != e[2])
    ]


def _clear_store(
    sink: Sink | None, state: Any, plan: _Plan, remapped: set[int], owner: dict[str, int]
) -> None:
    """Incremental: drop the graphs of pages mapped again, gone or not mapped any more."""
    if sink is None or state is None:
        return
    for index, row in state.rows_by_index(plan.entries).items():
        if index in remapped or owner.get(row.graph) != index:
            sink.remove_graph(row.graph)
    for graph in state.removed_graphs(plan.entries):
        sink.remove_graph(graph)


def run(
    files: list[Path],
    settings: Settings,
    runner: Runner | None = None,
    *,
    sink: Sink | None = None,
    state: Any = None,
) -> BuildResult:
    """Build from page files (see the module docstring); ``sink``: also load the quads
    into a store; ``state``: reuse what the previous build kept (incremental)."""
    runner = runner or InProcess()
    plan = _plan(files, settings, Mapper(settings.base_iri), state)
    return _build(plan, settings, runner, sink, state, None)


def run_records(records: list[PageRecord], settings: Settings) -> BuildResult:
    """The pipeline from records already read, in this process."""
    plan = _plan([Path(r.path) for r in records], settings, Mapper(settings.base_iri), None)
    ordered = [records[index] for index, _, _ in plan.order]  # positions in graph order
    return _build(plan, settings, InProcess(), None, None, ordered)


def _given(plan: _Plan, records: list[PageRecord]) -> _Read:
    """Step 1 for records already read (in graph order): their places only."""
    stubs = {}
    for position, (index, _, _) in enumerate(plan.order):
        stubs[index] = make_stub(index, records[position])
    where = {index: (0, position) for position, (index, _, _) in enumerate(plan.order)}
    return _Read(stubs, where, {0: records})


def _build(
    plan: _Plan,
    settings: Settings,
    runner: Runner,
    sink: Sink | None,
    state: Any,
    records: list[PageRecord] | None,
) -> BuildResult:
    unknown = set(settings.formats) - set(ALL_FORMATS)
    if unknown:
        raise InputError(f"unknown output format {sorted(unknown)[0]!r}")
    t0 = time.perf_counter()
    spill = Path(tempfile.mkdtemp(prefix="citynet-spill-"))
    try:
        read = _read(plan, settings, runner, spill) if records is None else _given(plan, records)
        timings = {"read+places": time.perf_counter() - t0}
        t1 = time.perf_counter()
        resolution, extra = _resolve(read)
        timings["resolve across pages"] = time.perf_counter() - t1
        result = _map_and_write(plan, read, resolution, extra, settings, runner, sink, state, spill)
        result.timings = {**timings, **result.timings, "total": time.perf_counter() - t0}
        return result
    except OSError as error:  # the output files' errors are InputErrors already
        raise InputError(
            f"{spill.parent}: cannot write the build's temporary files: {error.strerror or error}",
            hint="free some space there, or point TMPDIR to a folder with room",
        ) from None
    finally:
        gc.unfreeze()
        shutil.rmtree(spill, ignore_errors=True)


@dataclass
class _Step3:
    """What mapping and writing work from."""

    plan: _Plan
    read: _Read
    keys: dict[int, list[str | None]]
    remap: list[tuple[int, Path, str]]
    reports: dict[int, PageReport]
    entries: _Fragments  # the report's page entries
    pages: dict[int, tuple[Path, str]] = field(default_factory=dict)  # remapped: path, graph

    def __post_init__(self) -> None:
        self.pages = {i: (p, g) for i, p, g in self.remap}


def _map_and_write(
    plan: _Plan,
    read: _Read,
    resolution: Any,
    extra: dict[str, list[PageWarning]],
    settings: Settings,
    runner: Runner,
    sink: Sink | None,
    state: Any,
    spill: Path,
) -> BuildResult:
    """Step 3 and the files: fragments appended in graph order, counts, report."""
    t2 = time.perf_counter()
    owner, keys = _owners(plan, read.stubs)
    remap = _to_remap(plan, keys)
    _clear_store(sink, state, plan, {e[0] for e in remap}, owner)
    again = {str(p): settings.city for i, p, _ in remap if i in plan.cached and p == plan.city_file}
    tasks = _map_tasks(remap, read, keys, extra, settings, spill, state is not None, again)
    reports = _page_reports(plan, read.stubs, owner, extra)
    step = _Step3(plan, read, keys, remap, reports, _Fragments(spill / "report-pages.json"))
    empty = sum(1 for stub in read.stubs.values() if not stub.has_content)
    base = Mapper(settings.base_iri).base
    with contextlib.ExitStack() as stack:
        handles = _outputs(settings.out, settings.formats, stack)
        assembly = _Assembly(handles, _trig_writer(base).header.encode(), sink, state, settings.out)
        chunks = _temporary(runner.map(map_chunk, tasks), spill)  # the workers start now
        # Rendered while the workers map the first chunks, not after the last.
        resolution_text = _resolution_json(resolution) if settings.out else b""
        if state is None:
            read.stubs.clear()  # the records' mentions: a third of this process's memory
        _assemble(step, chunks, assembly, settings.progress or (lambda _item: None))
        if sink is not None:
            sink.flush()
        timings = {"map+write": time.perf_counter() - t2}
        counts = _counts(step, assembly.counter, runner, empty)
        kept = handles["nquads"].getvalue() if settings.out is None else None
        try:
            stack.close()  # the quad files complete: synced, renamed into place
        except OSError as error:
            raise _cannot_write(settings.out, error) from None
    files = {n: settings.out / OUTPUT_FILES[n] for n in handles} if settings.out else {}
    if settings.out is not None:
        try:
            files.update(write_merged(settings.out, files.get("nquads"), settings.formats, base))
            files["report"] = write_report(
                settings.out, counts, step.entries.in_order(), resolution_text
            )
        except OSError as error:
            raise _cannot_write(settings.out, error) from None
    if state is not None:
        state.save(plan.entries, assembly.mapped, plan.cached)
    pages = [step.reports[i] for i in sorted(step.reports)]
    reread = len(plan.entries) - len(plan.cached) + sum(1 for e in remap if e[0] in plan.cached)
    return BuildResult(
        pages,
        counts,
        files,
        resolution,
        timings=timings,
        remapped=len(remap),
        reread=reread,
        nquads=kept,
    )


def _assemble(
    step: _Step3, chunks: Iterator[MappedChunk], assembly: _Assembly, tick: Callable
) -> None:
    """The pages in graph order: mapped chunks as they come, cached pages between."""
    pending = {e[0] for e in step.remap}
    waiting: list[Mapped] = []
    for index, _path, _graph in step.plan.order:
        tick(index)
        if index not in step.keys:
            continue
        report = step.reports[index]
        if index in pending:
            if not waiting:
                chunk = next(chunks)
                assembly.chunk(chunk, step)
                waiting = list(reversed(chunk.pages))
                gc.freeze()  # the pages' reports live to the end
            page = waiting.pop()
            assert page.index == index
            # The worker rendered the complete entry; the report kept here gains the
            # mapping's warnings only (facts are ~1 KB a page).
            report.warnings.extend(page.warnings)
            report.warnings.sort(key=lambda w: (w.line, w.col or 0, w.message))
            step.entries[index] = page.report_json
        else:
            row = step.plan.cached[index]
            report.facts = dict(row.stub.facts)
            step.entries[index] = finish_report(report, row.map_warnings, row.triples)
            report.facts = {}
            assembly.counter.add(row.triple_hashes, row.class_hashes)
            assembly.page(*row.fragments())


def _counts(step: _Step3, counter: counting.Counter, runner: Runner, empty: int) -> dict[str, int]:
    """The summary counts; the report entries of the pages not mapped."""
    for index, report in step.reports.items():
        if index not in step.entries.where:  # not mapped: errors, empty pages
            report.warnings.sort(key=lambda w: (w.line, w.col or 0, w.message))
            step.entries[index] = json_text(report.as_json(), 2)
    reports = step.reports.values()
    counts = {"pages": sum(1 for r in reports if r.graph is not None)}
    counts.update(counter.counts(runner.map, runner.workers))
    counts["warnings"] = sum(len(r.warnings) for r in reports)
    counts["errors"] = sum(1 for r in reports if r.error)
    counts["empty"] = empty
    return counts


def _resolution_json(resolution: Any) -> bytes:
    """The "resolution" member of report.json."""
    if resolution is None or not hasattr(resolution, "as_json"):
        return b""
    return (',\n  "resolution": ' + json_text(resolution.as_json(), 1)).encode("utf-8")
