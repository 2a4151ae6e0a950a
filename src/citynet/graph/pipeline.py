"""The build pipeline: pages -> records -> resolved records -> page fragments -> files.

One pipeline for every input size. Per-page work is plain functions on chunks of pages
(:mod:`citynet.graph.steps`); the cross-page step runs once between them::

    files --read_chunk--> stubs (+ records) --resolve_across--> keys
          --map_chunk--> fragment files --assemble--> .trig .nq report.json (.ttl .nt .jsonld)

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
*state* (``--incremental``) come from ``citynet.scale`` too (this package imports none
of it). :mod:`citynet.graph.outputs` appends the fragments to the output files. The
merged formats (Turtle, N-Triples, JSON-LD: one sorted set of distinct triples) are made
from the N-Quads at the end: they need every triple in memory at once.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from citynet.errors import DataInvalid, InputError
from citynet.graph import counting
from citynet.graph.mapping import Mapper
from citynet.graph.outputs import (
    OUTPUT_FILES,
    QUAD_FORMATS,
    Assembly,
    BuildResult,
    Fragments,
    Mapped,
    MappedChunk,
    PageReport,
    Sink,
    cannot_write,
    json_text,
    outputs,
    write_merged,
    write_report,
)
from citynet.graph.steps import (
    MapTask,
    ReadTask,
    Stub,
    finish_report,
    make_stub,
    map_chunk,
    new_report,
    read_chunk,
    read_one,
    resolve_across,
    trig_writer,
)
from citynet.read.records import PageRecord, PageWarning

CHUNK_PAGES = 100  # pages per task: large enough to amortise pickling, small for balance
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
    decisions: Any = None  # the curator's (citynet.resolve.decisions.Decisions); they win


@dataclass
class _Plan:
    entries: list[tuple[int, Path, str]]  # (index, path, graph term) in input order
    order: list[tuple[int, Path, str]]  # the same in graph order, as written
    city_file: Path | None  # the page --city names
    cached: dict[int, Any] = field(default_factory=dict)  # unchanged pages (incremental)
    stdin: bytes | None = None  # read once here: workers' standard input is empty


def _plan(files: list[Path], settings: Settings, mapper: Mapper, state: Any) -> _Plan:
    entries = []
    for index, path in enumerate(files):
        name = path.name if str(path) != "-" else "stdin.txt"
        entries.append((index, path, mapper.graph_of_file(name)))
    stdin = sys.stdin.buffer.read() if any(str(p) == "-" for p in files) else None
    city_file = None
    if settings.city is not None:
        city_file = _city_target(files, settings.max_page_bytes, stdin)
    plan = _Plan(entries, sorted(entries, key=lambda e: (e[2], e[0])), city_file, stdin=stdin)
    if state is not None:
        plan.cached = state.unchanged(entries, city_file)
    return plan


def _city_target(files: list[Path], max_page_bytes: int, stdin: bytes | None) -> Path:
    """--city: the one page without a city name (read once here to find it)."""
    if len(files) == 1:
        return files[0]
    nameless = [
        path
        for path in files
        if (r := read_one(str(path), None, max_page_bytes, stdin)).city is None
        or r.city_origin == "file name"
    ]
    if len(nameless) != 1:
        raise InputError(
            f"--city applies to exactly one page without a city name; {len(nameless)} found",
            hint="build such pages one at a time, or add a '# city:' header to each",
        )
    return nameless[0]


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
            settings.decisions,
            plan.stdin if any(str(p) == "-" for _, p, _ in chunk) else None,
        )
        for n, chunk in enumerate(chunks)
    ]
    read = _Read({}, {}, {})
    tick = settings.progress or (lambda _item: None)
    results = runner.map(read_chunk, tasks)
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


def _page_reports(
    plan: _Plan, stubs: dict[int, Stub], extra: dict[str, list]
) -> tuple[dict[int, PageReport], dict[str, int], dict[int, list]]:
    """Each page's report before mapping, or the reason it is not mapped; which page owns
    each named graph (the first in input order); the activity keys of the pages mapped."""
    reports: dict[int, PageReport] = {}
    owner: dict[str, int] = {}
    keys: dict[int, list[list[str | None]]] = {}
    for index, _path, graph in plan.entries:
        stub = stubs[index]
        report = reports[index] = new_report(stub, extra.get(stub.record.path, []))
        if not stub.has_content:
            continue  # an empty page: its warning says so; it gives no node
        if stub.record.city is None:
            report.error = stub.nameless_error or (
                "the page does not name its city; give it with --city"
            )
        elif graph in owner:
            first = stubs[owner[graph]].record.path
            report.error = (
                f"its named graph {graph[1:-1]} is already used by {first}; rename one file"
            )
        else:
            owner[graph] = index
            # What cross-page resolution decides: key, label, and an event's kind.
            keys[index] = [[m.key, m.label, m.event_kind] for m in stub.record.activities]
            report.graph = graph[1:-1]
    return reports, owner, keys


def _map_tasks(
    remap: list[tuple[int, Path, str]],
    read: _Read,
    keys: dict[int, list],
    extra: dict[str, list],
    settings: Settings,
    spill: Path,
    incremental: bool,
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
            tasks.append(MapTask(list(current), records, settings.base_iri, out, trig, incremental))
            current.clear()

    for index, _path, _graph in remap:
        chunk, position = read.source_of.get(index, (None, -1))
        if chunk != current_chunk or len(current) >= settings.chunk_pages:
            flush()
            current_chunk = chunk
        stub = read.stubs[index]
        if chunk is not None:
            current.extend([None] * (position - len(current)))  # by position in the chunk
        current.append((index, keys[index], extra.get(stub.record.path, []), stub.record.path))
    flush()
    return tasks


def _resolve(read: _Read, decisions: Any) -> tuple[Any, dict[str, list[PageWarning]]]:
    """Step 2, and the cross-page warnings by page file."""
    gc.collect()
    gc.freeze()
    resolution = resolve_across(read.stubs.values(), decisions)
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


def _given(plan: _Plan, records: list[PageRecord], settings: Settings) -> _Read:
    """Step 1 for records already read (in graph order): their places only."""
    stubs = {}
    decisions = copy.deepcopy(settings.decisions)  # the used ones come back on the stubs
    for position, (index, _, _) in enumerate(plan.order):
        stubs[index] = make_stub(index, records[position], decisions)
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
        read = (
            _read(plan, settings, runner, spill)
            if records is None
            else _given(plan, records, settings)
        )
        timings = {"read+places": time.perf_counter() - t0}
        t1 = time.perf_counter()
        resolution, extra = _resolve(read, settings.decisions)
        timings["resolve across pages"] = time.perf_counter() - t1
        result = _map_and_write(plan, read, resolution, extra, settings, runner, sink, state, spill)
        result.timings = {**timings, **result.timings, "total": time.perf_counter() - t0}
        if settings.decisions is not None:  # decisions-file warnings are no page's
            result.counts["warnings"] += len(settings.decisions.warnings)
        return result
    except OSError as error:  # output files' errors are InputErrors: a temporary file's
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
    keys: dict[int, list[list[str | None]]]
    remap: list[tuple[int, Path, str]]
    reports: dict[int, PageReport]
    entries: Fragments  # the report's page entries
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
    reports, owner, keys = _page_reports(plan, read.stubs, extra)
    remap = _to_remap(plan, keys)
    _clear_store(sink, state, plan, {e[0] for e in remap}, owner)
    tasks = _map_tasks(remap, read, keys, extra, settings, spill, state is not None)
    step = _Step3(plan, read, keys, remap, reports, Fragments(spill / "report-pages.json"))
    empty = sum(1 for stub in read.stubs.values() if not stub.has_content)
    base = Mapper(settings.base_iri).base
    with contextlib.ExitStack() as stack:
        handles = outputs(settings.out, settings.formats, stack)
        assembly = Assembly(handles, trig_writer(base).header.encode(), sink, state, settings.out)
        chunks = runner.map(map_chunk, tasks)  # the workers start now
        # Rendered while the workers map the first chunks, not after the last.
        resolution_text = (
            (',\n  "resolution": ' + json_text(resolution.as_json(), 1)).encode()
            if settings.out
            else b""
        )
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
            raise cannot_write(settings.out, error) from None
    files = _other_files(settings, list(handles), counts, step.entries, resolution_text)
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


def _other_files(
    settings: Settings,
    written: list[str],
    counts: dict[str, int],
    entries: Fragments,
    resolution_text: bytes,
) -> dict[str, Path]:
    """The merged formats (from the N-Quads written) and report.json; all files."""
    out = settings.out
    if out is None:
        return {}
    files = {name: out / OUTPUT_FILES[name] for name in written}
    base = Mapper(settings.base_iri).base
    try:
        files.update(write_merged(out, files.get("nquads"), settings.formats, base))
        files["report"] = write_report(out, counts, entries.in_order(), resolution_text)
    except OSError as error:
        raise cannot_write(out, error) from None
    return files


def _assemble(
    step: _Step3, chunks: Iterator[MappedChunk], assembly: Assembly, tick: Callable
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
                assembly.chunk(chunk, step.pages, step.read.stubs, step.keys)
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
