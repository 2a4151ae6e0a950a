"""The streaming build: pages -> records -> keys -> quads, page by page, in bounded memory.

``stream_build()`` writes the same citynet.trig, citynet.nq and report.json as
:func:`citynet.graph.build.build` (byte for byte), and optionally fills a pyoxigraph store (in
memory, or on disk with ``store_dir``), without ever holding the whole graph as Python
objects. How:

1. Read (parallel, chunks of pages): each worker reads its pages, resolves their places
   (the gazetteer work, page-local) and spills the full records to a temporary pickle
   per chunk. It sends back a *stub* per page: only what cross-page resolution needs
   (the city, the twins, the activity mentions).
2. Resolve across pages (main process, once, linear): project and event keys and
   one-sided twinnings, from the stubs, with the same functions ``resolve_records`` uses.
   Grouping is by network id, title key and (date, kind, place) in dictionaries, so it is
   linear in the number of mentions (the pairwise check only runs inside one title group).
3. Map (parallel, same chunks): each worker loads its spilled records, applies the keys,
   maps each page to its named graph, sorts the page's quads and serialises them as
   N-Quads and TriG fragments. Chunks are in the order of the page graphs' IRIs, so the
   fragments, appended to the output files chunk after chunk, are in the sorted order of
   the in-memory build. Without a store, the workers append them themselves; else the
   main process writes them and loads them into the store.

Counting distinct triples and nodes across pages needs one global set; instead of
strings the workers send 64-bit XXH3 hashes in 64 buckets, and the main process counts
distinct values per bucket (about 8 bytes per triple; the chance of a collision changing a
count is below 1e-5 at 10 million triples).

Incremental (``incremental=True``, needs ``store_dir``): a state database in the store
folder keeps, per page file, its size, mtime and content hash, its stub, its activity
keys, its N-Quads and TriG fragments, its report and its hashes. A rebuild reads and
resolves only new or changed pages, then recomputes cross-page resolution from all the
cached stubs (cheap: no file or gazetteer access), and remaps only the pages whose
content changed or whose activity keys changed (a changed page can change another page's
keys, e.g. by adding a mention that merges two projects). Only those pages' named graphs
are replaced in the store. The output files are then reassembled from the cached
fragments (a byte copy in graph order).

The merged formats (Turtle, N-Triples, JSON-LD: one deduplicated, sorted set of triples)
need the whole set of triples at once; they are written only when ``formats`` asks.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import mmap
import multiprocessing
import multiprocessing.pool
import os
import pickle
import queue
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from xxhash import xxh3_64_intdigest

from citynet.errors import CitynetError, DataInvalid, InputError
from citynet.graph import build as build_module
from citynet.graph.build import (
    COUNTED_CLASSES,
    OUTPUT_FILES,
    PageReport,
    _fact_kinds,
    _prefixes,
    atomic_write,
    collect_inputs,
    default_pages_dir,
    json_text,
)
from citynet.graph.mapping import in_graph, ntriples
from citynet.graph.vocab import DEFAULT_BASE_IRI, RDF
from citynet.read.records import ActivityMention, PageRecord, PageWarning, Period, PlaceName, Twin

if TYPE_CHECKING:
    from citynet.graph.trig import TrigWriter

STATE_FILE = "citynet-state.sqlite"
STORE_SUBDIR = "oxigraph"
STATE_VERSION = "4"  # 2: hash payloads grouped by bucket; 3: XXH3 digests; 4: as integers
CHUNK_PAGES = 100  # pages per task: large enough to amortise pickling, small for balance
PARALLEL_MIN_PAGES = 400  # below this, worker start-up costs more than it saves
BUCKETS = 64

_CLASSES = {f"<{iri}>": name for iri, name in COUNTED_CLASSES.items()}  # N-Triples terms
_TYPE = f"<{RDF.type}>"
_QUAD_FORMATS = ("trig", "nquads")
_MERGED_FORMATS = ("turtle", "ntriples", "jsonld")


@dataclass
class StreamResult:
    pages: list[PageReport]  # with their warnings; their facts are in report.json only
    counts: dict[str, int]
    files: dict[str, Path]
    resolution: Any
    store: Any = None  # the in-memory pyoxigraph.Store, when one was asked for
    store_path: Path | None = None  # the on-disk store (open it with pyoxigraph.Store)
    timings: dict[str, float] = field(default_factory=dict)
    remapped: int = 0  # pages mapped by this run (all of them unless incremental)
    reread: int = 0  # pages read from disk by this run (changed, or remapped for new keys)

    @property
    def errors(self) -> list[str]:
        return [f"{page.file}: {page.error}" for page in self.pages if page.error]

    @property
    def warning_count(self) -> int:
        return sum(len(page.warnings) for page in self.pages)


# ---------------------------------------------------------------------------------------
# Page-local work (runs in worker processes)


@dataclass(slots=True)
class _Stub:
    """What one page contributes to cross-page resolution, plus its place resolution."""

    index: int  # position in input order
    record: PageRecord  # slim: path, hash, city, twins, activities
    place_warnings: list[PageWarning]
    unresolved: list[Any]
    population_mismatches: list[Any]
    record_warnings: list[PageWarning]  # the reader's
    source_url: str | None
    city_origin: str | None
    facts: dict[str, int] | None  # for the incremental state; else phase 3 counts them
    has_content: bool  # False for an empty page (no node, counted as "empty")
    nameless_error: str | None  # for a page naming no city: the candidates
    identities: list[Any] = field(default_factory=list)  # namesakes weighed (report)


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


def _slim(record: PageRecord) -> PageRecord:
    """The record as cross-page resolution reads it: the main process holds one per page."""
    return PageRecord(
        path=record.path,
        content_sha256=record.content_sha256,
        city=_slim_place(record.city),
        twins=[Twin(_slim_place(t.place), t.since, t.line, t.text) for t in record.twins],  # type: ignore[arg-type]
        activities=[
            ActivityMention(
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
            for a in record.activities
        ],
    )


def _read_one(path: str, city: str | None, max_page_bytes: int) -> PageRecord:
    from citynet.read.pages import read_page

    record = read_page(Path(path), max_page_bytes=max_page_bytes)
    if city is not None:
        build_module._apply_city([record], city)
    return record


def _stub(index: int, record: PageRecord, facts: bool = True) -> _Stub:
    from citynet.resolve.gazetteer import default_gazetteer
    from citynet.resolve.resolution import Resolution, resolve_page_places

    resolution = Resolution()
    content = build_module.has_content(record)
    nameless = None
    if content and record.city is not None:
        resolve_page_places(record, default_gazetteer(), resolution)
    elif content:
        nameless = build_module._nameless_errors([record]).get(record.path)
    return _Stub(
        index,
        _slim(record),
        resolution.warnings,
        resolution.unresolved,
        resolution.population_mismatches,
        list(record.warnings),
        record.source_url,
        record.city_origin,
        _fact_kinds(record) if facts else None,
        content,
        nameless,
        resolution.identities,
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


def _settle_gc() -> None:
    """Collect the cycles made so far, then leave every live object out of later passes.

    A build holds millions of long-lived, acyclic objects (stubs, records, caches), and
    the collector's full passes over them cost up to a third of the resolution step.
    Frozen objects are still freed by reference counting when they die.
    """
    gc.collect()
    gc.freeze()


_SETTLED_IN: int | None = None  # the process that ran _settle_worker_gc


def _settle_worker_gc() -> None:
    """:func:`_settle_gc` once per worker process, then freezing only.

    A collection costs more the more objects were frozen before it (11 ms per chunk
    after 20,000 pages), and the readers and mappers make no cyclic garbage that would
    be left behind: each chunk's survivors (cache entries) are frozen as they are.
    """
    global _SETTLED_IN
    if os.getpid() != _SETTLED_IN:
        _SETTLED_IN = os.getpid()
        gc.collect()
    gc.freeze()


def _read_chunk(task: tuple[list[tuple[int, str, str | None]], str, int, bool]) -> list[_Stub]:
    """Phase 1: read and place-resolve pages, spill full records, return stubs."""
    _settle_worker_gc()
    from citynet.resolve.gazetteer import default_gazetteer

    items, spill, max_page_bytes, facts = task
    records = [_read_one(path, city, max_page_bytes) for _, path, city in items]
    default_gazetteer().prefetch(_place_names(records))
    stubs = [_stub(i, record, facts) for (i, _, _), record in zip(items, records, strict=True)]
    with open(spill, "wb") as handle:
        pickle.dump(records, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return stubs


@dataclass
class _Mapped:
    """One page mapped: its fragments and what the report and counts need."""

    index: int
    graph: str
    nquads: bytes
    trig: bytes
    warnings: list[PageWarning]
    triples: int  # quads the mapping made (with repeats), as build.py counts them
    triple_hashes: bytes  # _hash_payload of the page's triples
    class_hashes: dict[str, bytes]  # _hash_payload of the subjects typed with each class
    report_json: str  # its entry in report.json, indented as build.py writes it


_TRIG: dict[str, TrigWriter] = {}


def _trig_writer(base_iri: str) -> TrigWriter:
    """The TriG writer for a base (one per process: it remembers the terms it wrote)."""
    if base_iri not in _TRIG:
        from citynet.graph.trig import TrigWriter

        _TRIG[base_iri] = TrigWriter(_prefixes(base_iri))
    return _TRIG[base_iri]


def _trig_header(base_iri: str) -> bytes:
    """The @prefix lines pyoxigraph writes before the first graph of a TriG document."""
    return _trig_writer(base_iri).header.encode()


_OFFSETS = 4 * (BUCKETS + 1)  # array("I") of bucket offsets before the digests


def _digests(items: Iterable[bytes]) -> set[int]:
    return set(map(xxh3_64_intdigest, items))


_BUCKET_STARTS = [bucket << (64 - BUCKETS.bit_length() + 1) for bucket in range(BUCKETS)]


def _hash_payload(digests: set[int]) -> bytes:
    """64-bit digests grouped by bucket (their top six bits) after the offsets of the
    buckets: the main process files them with one call per bucket."""
    ordered = sorted(digests)
    offsets = array("I", [8 * bisect_left(ordered, start) for start in _BUCKET_STARTS])
    offsets.append(8 * len(ordered))
    return offsets.tobytes() + array("Q", ordered).tobytes()


def _new_report(
    record: PageRecord, source_url: str | None, city_origin: str | None, warnings: list[PageWarning]
) -> PageReport:
    """A page's report before mapping (``record`` may be a stub's slim record)."""
    return PageReport(
        file=record.path,
        source_url=source_url,
        city=(record.city.resolved_name or record.city.name) if record.city else None,
        city_origin=city_origin,
        graph=None,
        warnings=warnings,
    )


def _finish_report(report: PageReport, warnings: list[PageWarning], triples: int) -> str:
    """Add the mapping's warnings and triple count; the page's report.json entry."""
    report.warnings.extend(warnings)
    report.facts["triples"] = triples
    report.warnings.sort(key=lambda w: (w.line, w.col or 0, w.message))
    return json_text(report.as_json(), 2)


def _map_record(
    record: PageRecord,
    index: int,
    keys: list[str | None],
    mapper: Any,
    extra: list[PageWarning],
    trig: bool = True,
) -> tuple[_Mapped, set[int], dict[str, set[int]]]:
    """One page's fragments and report entry (``extra``: its cross-page warnings), with
    the digests of its triples and typed nodes."""
    for mention, key in zip(record.activities, keys, strict=True):
        mention.key = key
    graph, made, warnings = mapper.map_page_triples(record)
    # Sorted N-Triples terms give the order of build._sort_key (code point order; a term
    # that starts another sorts first, as its N-Quads line does); equal triples are one.
    unique = sorted(set(made))
    # The triples' lines (digested for the distinct counts), then as N-Quads lines.
    text = ntriples(unique)
    body = text.encode()
    nquads = in_graph(text, graph).encode()
    trig_text = _trig_writer(mapper.base).graph(graph, unique).encode() if trig else b""
    typed: dict[str, list[bytes]] = defaultdict(list)
    for s, p, o in unique:
        if p == _TYPE:
            name = _CLASSES.get(o)
            if name:
                typed[name].append(s[1:-1].encode())
    # The report as the main process has it (made there from the page's stub), complete.
    report = _new_report(record, record.source_url, record.city_origin, record.warnings + extra)
    report.graph = graph[1:-1]
    report.facts = _fact_kinds(record)
    report_json = _finish_report(report, list(warnings), len(made))
    page = _Mapped(
        index,
        graph,
        nquads,
        trig_text,
        warnings,
        len(made),
        b"",
        {},
        report_json,
    )
    return page, _digests(body.split(b"\n")[:-1]), {n: _digests(t) for n, t in typed.items()}


@dataclass
class _MappedChunk:
    pages: list[_Mapped]
    triple_hashes: bytes  # _hash_payload of the chunk's distinct triples
    class_hashes: dict[str, bytes]


def _map_chunk(
    task: tuple[list[Any], str | None, str, Any, bool, str | None, bool],
) -> _MappedChunk:
    """Phase 3: map pages (from a spill file, or re-read) to sorted fragments.

    ``per_page``: also give each page its own hash payloads (the incremental state keeps
    them); the counts need only the chunk's. ``output``: (chunk number, N-Quads file,
    TriG file): append the chunk's fragments to the output files in chunk order (see
    :class:`_Turns`) instead of sending them back (a 100,000-page build's 4 GB would
    cross a pipe and be copied in and out of the main process).
    """
    from citynet.graph.mapping import Mapper

    items, spill, base_iri, reread, per_page, output, trig = task
    _settle_worker_gc()
    mapper = Mapper(base_iri)
    records: list[PageRecord] = []
    if spill is not None:
        with open(spill, "rb") as handle:
            records = pickle.load(handle)
    out = []
    triples: set[int] = set()
    classes: dict[str, set[int]] = defaultdict(set)
    for position, (index, keys, path, extra) in enumerate(items):
        if keys is None:
            continue
        if path is not None:  # incremental: an unchanged page whose keys changed
            record = _read_one(path, reread.get(path) if reread else None, 10**12)
            _stub(index, record)  # resolves its places again (deterministic)
        else:
            record = records[position]
        page, digests, typed = _map_record(record, index, keys, mapper, extra, trig)
        triples |= digests
        for name, values in typed.items():
            classes[name] |= values
        if per_page:
            page.triple_hashes = _hash_payload(digests)
            page.class_hashes = {name: _hash_payload(values) for name, values in typed.items()}
        out.append(page)
    if output is not None:
        number, *paths = output
        parts = []
        for path, attribute in zip(paths, ("nquads", "trig"), strict=True):
            if path is not None:
                parts.append((path, b"".join(getattr(page, attribute) for page in out)))
        for page in out:
            page.nquads = page.trig = b""
        _write_in_turn(number, parts)
    return _MappedChunk(
        out,
        _hash_payload(triples),
        {name: _hash_payload(v) for name, v in classes.items()},
    )


class _Turns:
    """Mapping workers append their chunks to the output files themselves, in chunk order.

    A worker hands a mapped chunk to a thread that waits until the chunk before it is
    written, while the worker maps its next chunk. The bytes go to the files once;
    written to a temporary file and copied from there by the main process, they cost
    the main process 8 s of kernel time at 100,000 pages (3 GB).
    """

    def __init__(self, context: Any) -> None:
        self.condition = context.Condition()
        self.next = context.Value("q", 0, lock=False)  # the chunk to write next; -1: stop
        self.error = context.Array("c", 512, lock=False)

    def wait_for(self, chunk: int) -> bool:
        """Wait until ``chunk`` may be written; False when the build stopped."""
        with self.condition:
            self.condition.wait_for(lambda: self.next.value in (chunk, -1))
            return self.next.value == chunk

    def done(self, chunk: int, error: str | None = None) -> None:
        with self.condition:
            if self.next.value == chunk:
                self.next.value = chunk + 1 if error is None else -1
            if error is not None:
                self.error.value = error.encode("utf-8", "replace")[:500]
            self.condition.notify_all()

    def stop(self) -> None:
        """Let waiting writers go without writing (the build failed)."""
        with self.condition:
            self.next.value = -1
            self.condition.notify_all()

    def finish(self, chunks: int) -> str | None:
        """Wait until every chunk is written: None, or why one could not be."""
        with self.condition:
            # A timeout now and then lets an interrupt through.
            while not self.condition.wait_for(lambda: self.next.value in (chunks, -1), 1):
                pass
            return self.error.value.decode("utf-8", "replace") if self.next.value < 0 else None


_TURNS: _Turns | None = None  # in a mapping worker: set by the pool's initializer
_OUTBOX: queue.Queue | None = None  # the chunks its writer thread has yet to write


def _take_turns(turns: _Turns) -> None:
    global _TURNS
    _TURNS = turns


def _append(parts: list[tuple[str, bytes]]) -> None:
    for path, data in parts:
        if data:
            try:
                with open(path, "ab") as handle:
                    handle.write(data)
            except OSError as error:
                raise _cannot_write(Path(path).parent, error) from None


def _write_in_turn(number: int, parts: list[tuple[str, bytes]]) -> None:
    """Append a chunk to the output files after the chunks before it."""
    global _OUTBOX
    if _TURNS is None:  # one process: the chunks come in order
        _append(parts)
        return
    if _OUTBOX is None:
        # Bounded: a worker far ahead of the other waits instead of holding its chunks.
        _OUTBOX = queue.Queue(maxsize=4)
        threading.Thread(target=_write_chunks, args=(_TURNS, _OUTBOX), daemon=True).start()
    _OUTBOX.put((number, parts))


def _write_chunks(turns: _Turns, outbox: queue.Queue) -> None:
    while True:
        number, parts = outbox.get()
        if not turns.wait_for(number):
            continue
        try:
            _append(parts)
        except InputError as error:
            turns.done(number, error.message)
        else:
            turns.done(number)


# ---------------------------------------------------------------------------------------
# Cross-page resolution (main process)


def resolve_across(stubs: list[_Stub], *, apart: bool = False) -> Any:
    """Project and event keys, one-sided twinnings, slug collisions: all pages, in input
    order, as ``resolve_records`` does after resolving places.

    ``apart``: the events side in a forked process while this one does the projects side
    (where fork exists): the same result in two thirds of the time, on a core that would
    otherwise wait, for about twice the memory while both run (see docs/benchmarks.md).
    """
    from citynet.resolve import resolution as resolve

    resolution = resolve.Resolution()
    records = []
    for stub in sorted(stubs, key=lambda s: s.index):
        if stub.record.city is None or not stub.has_content:
            continue
        resolution.warnings.extend(stub.place_warnings)
        resolution.unresolved.extend(stub.unresolved)
        resolution.population_mismatches.extend(stub.population_mismatches)
        resolution.identities.extend(getattr(stub, "identities", ()))  # older stores: none
        records.append(stub.record)
    if apart and "fork" in multiprocessing.get_all_start_methods():
        _resolve_apart(records, resolution)
    else:
        resolve.resolve_across_pages(records, resolution)
    resolution.warnings.sort(key=lambda w: (w.file, w.line, w.code, w.message))
    return resolution


def _event_mentions(records: list[PageRecord]) -> Iterator[ActivityMention]:
    for record in records:
        for activity in record.activities:
            if activity.kind == "event":
                yield activity


def _events_side(records: list[PageRecord], sender: Any) -> None:
    """In a forked process: the events side, sent back as its event keys (in mention
    order) and what it decided; the records themselves are this process's copies."""
    from citynet.resolve import resolution as resolve

    try:
        part = resolve.Resolution()
        resolve.resolve_events_side(records, part)
        sender.send(([m.key for m in _event_mentions(records)], part))
    except BaseException as error:  # reported by the parent, which has the context
        sender.send(f"{type(error).__name__}: {error}")
    finally:
        sender.close()


def _receive(receiver: Any, into: list[bytes]) -> None:
    with contextlib.suppress(EOFError, OSError):
        into.append(receiver.recv_bytes())


def _resolve_apart(records: list[PageRecord], resolution: Any) -> None:
    """``resolve_across_pages``, its events side in a forked process."""
    from citynet.resolve import resolution as resolve

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # Forked, the process shares the records (copy on write): nothing is sent to it.
    child = context.Process(target=_events_side, args=(records, sender), daemon=True)
    child.start()
    sender.close()
    # Received as it is sent: the process would otherwise wait for this one to finish.
    received: list[bytes] = []
    listener = threading.Thread(target=_receive, args=(receiver, received), daemon=True)
    listener.start()
    try:
        resolve.resolve_projects_side(records, resolution)
        listener.join()
        if not received:  # killed: by the kernel when memory runs out, or by a user
            child.join()
            raise CitynetError(
                "the build's process resolving events ended without a result"
                f" (exit code {child.exitcode})",
                hint="it may have been stopped for lack of memory: free some and build again",
            )
        answer = pickle.loads(received[0])
        if isinstance(answer, str):  # a bug, as it would be in one process
            raise RuntimeError(f"event resolution in a separate process failed: {answer}")
        keys, part = answer
        for mention, key in zip(_event_mentions(records), keys, strict=True):
            mention.key = key
        resolution.extend(part)
    finally:
        receiver.close()
        if child.is_alive():
            child.join(5)
        if child.is_alive():
            child.terminate()
            child.join()


# ---------------------------------------------------------------------------------------
# Driver


class _QuietPool(multiprocessing.pool.Pool):
    """A process pool whose worker handler wakes when workers start, end or the pool
    changes, not whenever a result waits in the pipe.

    CPython's handler also waits on the results pipe, so it spins while a result waits
    to be read (about 130 times per chunk of pages here), taking the GIL from the thread
    that unpickles results and a core from the workers.
    """

    def _get_sentinels(self) -> list[Any]:
        return [self._change_notifier._reader]  # type: ignore[attr-defined]


class _Pool:
    """A process pool when it pays, else the same functions in this process."""

    def __init__(self, workers: int, turns: bool = False) -> None:
        """``turns``: the workers write mapped chunks to the output files (_Turns)."""
        self.workers = workers
        self.pool = None
        self.turns: _Turns | None = None
        if workers > 1:
            # fork: workers start at once and need no importable __main__. The pool is made
            # before this process opens the gazetteer (SQLite), so no connection is shared.
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            if turns:
                self.turns = _Turns(context)
                self.pool = _QuietPool(workers, _take_turns, (self.turns,), context=context)
            else:
                self.pool = _QuietPool(workers, context=context)

    def imap(self, func: Callable, tasks: Iterable) -> Iterator:
        if self.pool is None:
            return map(func, tasks)
        return self.pool.imap(func, tasks)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    def terminate(self) -> None:
        """Stop the workers without waiting for the tasks they have not started."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def _graph_of_file(path: Path, mapper: Any) -> str:
    return mapper.graph_of_file(path.name if str(path) != "-" else "stdin.txt")


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
        """The entries (UTF-8) in index order, from the file mapped in memory."""
        self.handle.flush()
        try:
            if not self.where:
                return
            with mmap.mmap(self.handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                for index in sorted(self.where):
                    offset, size = self.where[index]
                    yield mapped[offset : offset + size]
        finally:
            self.handle.close()


class _Writer:
    """An output file written through a temporary name, renamed when complete."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(self.tmp, build_module.new_file_mode())  # mkstemp makes 0600: for publishing
        self.handle: IO[bytes] = os.fdopen(fd, "wb", buffering=1 << 20)
        self.syncing: threading.Thread | None = None
        self.sync_error: OSError | None = None

    def write(self, data: bytes) -> None:
        try:
            self.handle.write(data)
        except OSError as error:
            raise _cannot_write(self.path.parent, error) from None

    def flush(self) -> None:
        try:
            self.handle.flush()
        except OSError as error:
            raise _cannot_write(self.path.parent, error) from None

    def start_sync(self) -> None:
        """Complete: flush it and have the disk catch up in a thread, while this process
        goes on (gigabytes take seconds); :meth:`commit` waits for it."""
        self.flush()

        def sync() -> None:
            try:
                os.fsync(self.handle.fileno())
            except OSError as error:
                self.sync_error = error

        self.syncing = threading.Thread(target=sync, daemon=True)
        self.syncing.start()

    def commit(self) -> None:
        try:
            if self.syncing is None:
                self.handle.flush()
                os.fsync(self.handle.fileno())
            else:
                self.syncing.join()
                if self.sync_error is not None:
                    raise self.sync_error
            self.handle.close()
            os.replace(self.tmp, self.path)
        except OSError as error:
            raise _cannot_write(self.path.parent, error) from None

    def abort(self) -> None:
        if self.syncing is not None:
            self.syncing.join()
        with contextlib.suppress(OSError):  # a full disk fails the flush before closing
            self.handle.close()
        Path(self.tmp).unlink(missing_ok=True)


_NO_ROOM = "free some space there, or build into another folder (--out)"


def _cannot_write(folder: Path, error: OSError, hint: str | None = _NO_ROOM) -> InputError:
    return InputError(f"{folder}: cannot write the build: {error.strerror or error}", hint=hint)


def _distinct(buckets: list[bytes]) -> int:
    """Distinct 64-bit digests in buckets (no digest is in two buckets)."""
    total = 0
    for payload in buckets:
        bucket = array("Q")
        bucket.frombytes(payload)
        total += len(set(bucket))
    return total


class _Counter:
    """Distinct triples and typed nodes across pages, from 64-bit hashes in buckets."""

    def __init__(self) -> None:
        self.triples = [array("Q") for _ in range(BUCKETS)]
        self.classes: dict[str, list[array]] = {
            name: [array("Q") for _ in range(BUCKETS)] for name in _CLASSES.values()
        }

    @staticmethod
    def _spread(payload: bytes, buckets: list[array]) -> None:
        offsets = array("I")
        offsets.frombytes(payload[:_OFFSETS])
        digests = memoryview(payload)[_OFFSETS:]
        for bucket, start, end in zip(buckets, offsets[:-1], offsets[1:], strict=True):
            if end > start:
                bucket.frombytes(digests[start:end])

    def add(self, triple_hashes: bytes, class_hashes: dict[str, bytes]) -> None:
        self._spread(triple_hashes, self.triples)
        for name, payload in class_hashes.items():
            self._spread(payload, self.classes[name])

    def counts(self, pool: _Pool) -> dict[str, int]:
        """The distinct counts, computed by the pool's workers (a set of 16 million
        digests takes seconds): each takes every other bucket of every kind."""
        kinds = [*self.classes.items(), ("triples", self.triples)]  # report.json's order
        shares = max(pool.workers, 1)
        tasks = [
            [[b.tobytes() for b in buckets[share::shares]] for _, buckets in kinds]
            for share in range(shares)
        ]
        self.triples, self.classes = [], {}
        counts = dict.fromkeys((name for name, _ in kinds), 0)
        for share in pool.imap(_distinct_share, tasks):
            for (name, _), count in zip(kinds, share, strict=True):
                counts[name] += count
        return counts


def _distinct_share(kinds: list[list[bytes]]) -> list[int]:
    return [_distinct(buckets) for buckets in kinds]


def stream_build(
    inputs: list[Path] | None = None,
    *,
    out: Path | None = build_module.DEFAULT_OUT,
    base_iri: str = DEFAULT_BASE_IRI,
    city: str | None = None,
    max_page_bytes: int = 10_000_000,
    store_dir: Path | None = None,
    in_memory_store: bool = False,
    incremental: bool = False,
    workers: int | None = None,
    formats: tuple[str, ...] = _QUAD_FORMATS,
    chunk_pages: int = CHUNK_PAGES,
    progress: Callable[[Any], None] | None = None,
) -> StreamResult:
    """Build like :func:`citynet.graph.build.build`, page by page (see the module docstring).

    ``store_dir``: keep the graph in an on-disk Oxigraph store there (one named graph per
    page); ``in_memory_store``: fill an in-memory store and return it. ``incremental``
    (needs ``store_dir``): reuse what the previous run kept in the store folder.
    ``workers``: processes for reading and mapping (default: the CPU count; one process
    below a few hundred pages, where starting workers costs more than it saves).
    ``progress``: called once per page read and once per page written (twice per page).
    """
    from citynet.graph.mapping import Mapper

    unknown = set(formats) - set(_QUAD_FORMATS) - set(_MERGED_FORMATS)
    if unknown:
        raise InputError(f"unknown output format {sorted(unknown)[0]!r}")
    if incremental and store_dir is None:
        raise InputError("--incremental needs --store DIR (where the previous build is kept)")
    timings: dict[str, float] = {}
    tick = progress or (lambda _item: None)
    t0 = time.perf_counter()
    files = collect_inputs(inputs or [default_pages_dir()])
    mapper = Mapper(base_iri)
    city_file = _city_target(files, city, max_page_bytes) if city is not None else None
    state = _State.open(store_dir, base_iri) if incremental and store_dir else None
    if store_dir is not None and not incremental:
        (store_dir / STATE_FILE).unlink(missing_ok=True)  # a full build invalidates state

    # Which pages need reading: all, or (incremental) the new and changed ones.
    entries = []  # (index, path, graph, stat)
    for index, path in enumerate(files):
        entries.append((index, path, _graph_of_file(path, mapper)))
    order = sorted(entries, key=lambda e: (e[2], e[0]))  # graph IRI order, as written
    cached: dict[int, Any] = {}
    if state is not None:
        cached = state.unchanged(entries, city_file, city)
    to_read = [e for e in order if e[0] not in cached]

    n_workers = workers or os.cpu_count() or 1
    pool = _Pool(n_workers if len(to_read) >= PARALLEL_MIN_PAGES else 1)
    # The mapping workers are forked now, while this process is small: forked after
    # resolution, they would copy the pages of its heap they reuse.
    # Without a store or a state, no page's fragments are needed here one by one: the
    # workers write them to the output files.
    by_file = store_dir is None and not in_memory_store and not incremental
    map_pool = _Pool(n_workers if len(order) >= PARALLEL_MIN_PAGES else 1, turns=by_file)
    spill_dir = Path(tempfile.mkdtemp(prefix="citynet-spill-"))
    try:
        chunks = [to_read[i : i + chunk_pages] for i in range(0, len(to_read), chunk_pages)]
        tasks = [
            (
                [(i, str(p), city if city_file == p else None) for i, p, _ in chunk],
                str(spill_dir / f"{n}.pickle"),
                max_page_bytes,
                state is not None,
            )
            for n, chunk in enumerate(chunks)
        ]
        stubs: dict[int, _Stub] = {}
        spill_of: dict[int, tuple[str, int]] = {}
        for (items, spill, _, _), chunk_stubs in zip(
            tasks, pool.imap(_read_chunk, tasks), strict=True
        ):
            for position, stub in enumerate(chunk_stubs):
                stubs[stub.index] = stub
                spill_of[stub.index] = (spill, position)
                tick(stub)
            del items
            # The stubs live until resolution: frozen, they are not walked again by every
            # collection that their own unpickling triggers (5 times their unpickling).
            gc.freeze()
        # The readers' gazetteer caches are not needed any more: end them before this
        # process's peak (cross-page resolution); mapping gets fresh workers.
        pool.close()
        for index, row in cached.items():
            stubs[index] = row.stub
            tick(row.stub)
        if stubs and not any(stub.has_content for stub in stubs.values()):
            names = [stubs[i].record.path for i in sorted(stubs)]
            raise DataInvalid(
                f"no input page has content ({', '.join(names[:5])}"
                f"{', ...' if len(names) > 5 else ''}): every page is empty",
                hint="check the input files; nothing was written",
            )
        timings["read+places"] = time.perf_counter() - t0

        t1 = time.perf_counter()
        _settle_gc()
        # Resolution makes millions of objects (one per mention, group and key) and no
        # cyclic garbage: the collector would walk them again and again as they grow.
        gc.disable()
        try:
            resolution = resolve_across(
                list(stubs.values()), apart=n_workers > 1 and len(stubs) >= PARALLEL_MIN_PAGES
            )
        finally:
            gc.enable()
        gc.freeze()
        extra: dict[str, list[PageWarning]] = defaultdict(list)
        for warning in resolution.warnings:
            extra[warning.file].append(warning)
        timings["resolve across pages"] = time.perf_counter() - t1

        # Named graphs: the first page (in input order) with a graph IRI keeps it.
        owner: dict[str, int] = {}
        keys: dict[int, list[str | None]] = {}
        for index, _path, graph in entries:
            stub = stubs[index]
            if stub.has_content and stub.record.city is not None and graph not in owner:
                owner[graph] = index
                keys[index] = [m.key for m in stub.record.activities]
        empty = sum(1 for stub in stubs.values() if not stub.has_content)

        # Which pages to map: all, or (incremental) the changed ones and those whose keys
        # changed.
        remap = [e for e in order if e[0] in keys]
        if state is not None:
            remap = [
                e
                for e in remap
                if e[0] not in cached
                or cached[e[0]].keys != keys[e[0]]
                or cached[e[0]].graph != e[2]
            ]
        remap_set = {e[0] for e in remap}
        t2 = time.perf_counter()
        reread = {str(p): city for i, p, _ in remap if i in cached and p == city_file}

        pool = map_pool
        store = _open_store(store_dir, in_memory_store, incremental)
        if store is not None and state is not None:
            for index, row in state.rows_by_index(entries).items():
                if index in remap_set or index not in keys or owner.get(row.graph) != index:
                    store.remove_graph(_named(row.graph))
            for graph in state.removed_graphs(entries):
                store.remove_graph(_named(graph))

        counter = _Counter()
        report_json = _Fragments(spill_dir / "report-pages.json")
        loader = _Loader(store, incremental=state is not None)
        mapped: set[int] = set()
        writers = _open_writers(out, formats)
        header_written = False
        resolution_text: bytes | None = None
        try:
            map_tasks = _map_tasks(
                remap,
                spill_of,
                keys,
                base_iri,
                reread,
                chunk_pages,
                {index: stubs[index].record.path for index, _, _ in remap},
                extra,
                state is not None,
                {n: w.tmp for n, w in writers.items()} if by_file else None,
                # TriG only when it is written, or kept for the next incremental build.
                "trig" in formats or state is not None,
            )
            if by_file:
                if map_tasks and "trig" in writers:
                    writers["trig"].write(_trig_header(mapper.base))
                    header_written = True
                for writer in writers.values():
                    writer.flush()  # the workers append to the files from here
            chunks = pool.imap(_map_chunk, map_tasks)  # the workers start now
            # Made while the workers map the first chunks.
            reports = _page_reports(entries, stubs, owner, extra)
            if state is None:
                stubs.clear()  # the records' mentions: a third of this process's memory
            if out is not None:
                # Rendered while the workers map the first chunks, not after the last.
                resolution_text = _resolution_json(resolution)

            def mapped_pages() -> Iterator[_Mapped]:
                nonlocal header_written
                for chunk in chunks:
                    gc.freeze()  # as for the stubs: the pages' reports live to the end
                    counter.add(chunk.triple_hashes, chunk.class_hashes)
                    yield from chunk.pages

            results = mapped_pages()
            pending = {e[0] for e in remap}
            for index, path, graph in order:
                tick(index)
                if index not in keys:
                    continue
                if index in pending:
                    page = next(results)
                    assert page.index == index
                    # The worker rendered the complete report (every fact) in
                    # report_json; the one kept here gains the mapping's warnings only
                    # (facts are ~1 KB a page).
                    report = reports[index]
                    report.facts = {}
                    report.warnings.extend(page.warnings)
                    report.warnings.sort(key=lambda w: (w.line, w.col or 0, w.message))
                    report_json[index] = page.report_json
                    nquads, trig = page.nquads, page.trig
                    if store is not None:
                        loader.add(nquads)
                    if state is not None:
                        state.put(path, graph, stubs[index], keys[index], page)
                        mapped.add(index)
                else:
                    row = cached[index]
                    report_json[index] = _finish_report(
                        reports[index], row.map_warnings, row.triples
                    )
                    nquads, trig = row.fragments()
                    counter.add(row.triple_hashes, row.class_hashes)
                if trig and not header_written and "trig" in writers:
                    writers["trig"].write(_trig_header(mapper.base))
                    header_written = True
                if "nquads" in writers:
                    writers["nquads"].write(nquads)
                if "trig" in writers:
                    writers["trig"].write(trig)
            loader.flush()
            if by_file and pool.turns is not None:
                failed = pool.turns.finish(len(map_tasks))
                if failed is not None:
                    raise InputError(failed, hint=_NO_ROOM)
            for writer in writers.values():
                writer.start_sync()  # while the report and the counts are made
            timings["map+write"] = time.perf_counter() - t2
            report_list = [reports[i] for i in sorted(reports)]
            for index in sorted(reports):
                if index not in report_json.where:  # not mapped: errors, empty pages
                    report = reports[index]
                    report.warnings.sort(key=lambda w: (w.line, w.col or 0, w.message))
                    report_json[index] = json_text(report.as_json(), 2)
            counts = {"pages": sum(1 for r in report_list if r.graph is not None)}
            t3 = time.perf_counter()
            counts.update(counter.counts(pool))
            timings["distinct counts"] = time.perf_counter() - t3
            counts["warnings"] = sum(len(r.warnings) for r in report_list)
            counts["errors"] = sum(1 for r in report_list if r.error)
            counts["empty"] = empty
            t3 = time.perf_counter()
            written: dict[str, Path] = {}
            for name, writer in writers.items():
                writer.commit()
                written[name] = writer.path
            timings["commit files"] = time.perf_counter() - t3
        except BaseException:
            if pool.turns is not None:
                pool.turns.stop()
            for writer in writers.values():
                writer.abort()
            raise
        if out is not None:
            try:
                written.update(_write_merged(out, written.get("nquads"), formats, base_iri))
                t3 = time.perf_counter()
                written["report"] = _write_report(
                    out, counts, report_json.in_order(), resolution_text or b""
                )
            except OSError as error:
                raise _cannot_write(out, error) from None
            timings["report"] = time.perf_counter() - t3
        if state is not None:
            t3 = time.perf_counter()
            state.save(entries, mapped, cached)
            timings["save state"] = time.perf_counter() - t3
        if store is not None and store_dir is not None:
            # Release the on-disk store (and its lock) now: callers reopen it by path.
            store.flush()
            store = None
    except BaseException as error:
        # Stop the workers now: closed, they would first work through every queued chunk.
        pool.terminate()
        map_pool.terminate()
        if isinstance(error, OSError):
            # The output files' errors are InputErrors already: these are the temporary
            # files'.
            raise InputError(
                f"{spill_dir.parent}: cannot write the build's temporary files:"
                f" {error.strerror or error}",
                hint="free some space there, or point TMPDIR to a folder with room",
            ) from None
        raise
    finally:
        gc.unfreeze()
        pool.close()
        map_pool.close()
        shutil.rmtree(spill_dir, ignore_errors=True)
        if state is not None:
            state.close()
    timings["total"] = time.perf_counter() - t0
    result = StreamResult(
        report_list,
        counts,
        written,
        resolution,
        store,
        timings=timings,
        store_path=store_dir / STORE_SUBDIR if store_dir is not None else None,
        remapped=len(remap),
        reread=len(to_read) + sum(1 for e in remap if e[0] in cached),
    )
    return result


def _city_target(files: list[Path], city: str, max_page_bytes: int) -> Path:
    """--city: the one page without a city name (read once here to find it)."""
    if len(files) == 1:
        return files[0]
    from citynet.read.pages import read_page

    nameless = [
        path
        for path in files
        if (r := read_page(path, max_page_bytes=max_page_bytes)).city is None
        or r.city_origin == "file name"
    ]
    if len(nameless) != 1:
        raise InputError(
            f"--city applies to exactly one page without a city name; {len(nameless)} found",
            hint="build such pages one at a time, or add a '# city:' header to each",
        )
    return nameless[0]


def _map_tasks(
    remap: list[tuple[int, Path, str]],
    spill_of: dict[int, tuple[str, int]],
    keys: dict[int, list[str | None]],
    base_iri: str,
    reread: dict[str, str | None],
    chunk_pages: int,
    files: dict[int, str],
    extra: dict[str, list[PageWarning]],
    per_page: bool,
    outputs: dict[str, str] | None = None,
    trig: bool = True,
) -> list[Any]:
    """Phase-3 tasks in graph order: runs of pages that share a spill file, or re-reads;
    each page goes with its cross-page warnings (``extra``, by file; ``files``: the
    pages' files by index).

    ``outputs``: the files (by format) each task appends its N-Quads and TriG to (see
    _map_chunk); ``trig``: make the pages' TriG at all.
    """
    tasks: list[Any] = []
    current: list[Any] = []
    current_spill: str | None = None

    def flush() -> None:
        if current:
            output = None
            if outputs is not None:
                output = (len(tasks), outputs.get("nquads"), outputs.get("trig"))
            tasks.append((list(current), current_spill, base_iri, reread, per_page, output, trig))
            current.clear()

    for index, path, _ in remap:
        spill, position = spill_of.get(index, (None, -1))
        if spill != current_spill or len(current) >= chunk_pages:
            flush()
            current_spill = spill
        if spill is None:
            current.append((index, keys[index], str(path), extra.get(files[index], [])))
        else:
            # Items are addressed by position in the spill file: pad the skipped ones.
            while len(current) < position:
                current.append((-1, None, None, None))
            current.append((index, keys[index], None, extra.get(files[index], [])))
    flush()
    return tasks


def _page_reports(
    entries: list[tuple[int, Path, str]],
    stubs: dict[int, _Stub],
    owner: dict[str, int],
    extra: dict[str, list[PageWarning]],
) -> dict[int, PageReport]:
    """Each page's report before mapping, with its reader's and cross-page warnings, or
    the reason it is not mapped (``owner``: the page that keeps each named graph)."""
    reports: dict[int, PageReport] = {}
    for index, _path, graph in entries:
        stub = stubs[index]
        record = stub.record
        report = _new_report(
            record,
            stub.source_url,
            stub.city_origin,
            stub.record_warnings + extra.get(record.path, []),
        )
        reports[index] = report
        if not stub.has_content:
            continue  # an empty page: its warning says so; it gives no node
        if record.city is None:
            report.error = stub.nameless_error or (
                "the page does not name its city; give it with --city"
            )
        elif owner[graph] != index:
            first = stubs[owner[graph]].record.path
            report.error = (
                f"its named graph {graph[1:-1]} is already used by {first}; rename one file"
            )
        else:
            report.graph = graph[1:-1]  # the IRI (graph is its N-Triples form, for ordering)
            # The incremental state keeps the stub (and its facts) for the next run.
            report.facts = dict(stub.facts or {})
    return reports


def _named(graph: str) -> Any:
    """A graph IRI as the build writes it ("<iri>", N-Triples form) as a store term."""
    from pyoxigraph import NamedNode

    return NamedNode(graph[1:-1] if graph.startswith("<") else graph)


def _open_store(store_dir: Path | None, in_memory: bool, incremental: bool) -> Any:
    if store_dir is None and not in_memory:
        return None
    from pyoxigraph import Store

    if store_dir is None:
        return Store()
    path = store_dir / STORE_SUBDIR
    if path.exists() and not incremental:
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return Store(str(path))
    except OSError as error:
        raise InputError(f"{path}: cannot open the store: {error}") from None


class _Loader:
    """Loads N-Quads into the store in batches: one call per page would cost more."""

    BATCH = 8 << 20

    def __init__(self, store: Any, *, incremental: bool) -> None:
        self.store = store
        self.incremental = incremental
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, nquads: bytes) -> None:
        self.parts.append(nquads)
        self.size += len(nquads)
        if self.size >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self.store is None or not self.parts:
            return
        from pyoxigraph import RdfFormat

        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        if self.incremental:
            self.store.load(data, format=RdfFormat.N_QUADS)  # transactional
        else:
            self.store.bulk_load(data, format=RdfFormat.N_QUADS)


def _open_writers(out: Path | None, formats: tuple[str, ...]) -> dict[str, _Writer]:
    if out is None:
        return {}
    try:
        return {
            name: _Writer(out / OUTPUT_FILES[name]) for name in _QUAD_FORMATS if name in formats
        }
    except OSError as error:
        raise _cannot_write(out, error, hint=None) from None


def _write_merged(
    out: Path, nquads: Path | None, formats: tuple[str, ...], base_iri: str
) -> dict[str, Path]:
    """Turtle, N-Triples, JSON-LD: the distinct triples sorted, as build.py writes them.

    Needs every triple in memory once (a set, then a sorted list); only when asked.
    """
    wanted = [name for name in _MERGED_FORMATS if name in formats]
    if not wanted or nquads is None:
        return {}
    from pyoxigraph import RdfFormat, Triple, parse, serialize

    triples = sorted(
        {
            Triple(q.subject, q.predicate, q.object)
            for q in parse(path=str(nquads), format=RdfFormat.N_QUADS)
        },
        key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
    )
    prefixes = _prefixes(base_iri)
    plan = {
        "turtle": (RdfFormat.TURTLE, True),
        "ntriples": (RdfFormat.N_TRIPLES, False),
        "jsonld": (RdfFormat.JSON_LD, True),
    }
    written = {}
    for name in wanted:
        fmt, with_prefixes = plan[name]
        path = out / OUTPUT_FILES[name]
        atomic_write(
            path,
            lambda handle, fmt=fmt, p=with_prefixes: serialize(
                triples, handle, fmt, prefixes=prefixes if p else None
            ),
        )
        written[name] = path
    return written


def _resolution_json(resolution: Any) -> bytes:
    """The "resolution" member of report.json."""
    if resolution is None or not hasattr(resolution, "as_json"):
        return b""
    return (',\n  "resolution": ' + json_text(resolution.as_json(), 1)).encode("utf-8")


def _write_report(
    out: Path, counts: dict[str, int], pages: Iterable[bytes], resolution: bytes
) -> Path:
    """report.json exactly as build.write_outputs writes it, from pre-rendered pages and
    the rendered resolution (:func:`_resolution_json`)."""

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


# ---------------------------------------------------------------------------------------
# Incremental state


@dataclass
class _Row:
    path: str
    size: int
    mtime_ns: int
    sha256: str
    graph: str
    stub: _Stub
    keys: list[str | None]
    map_warnings: list[PageWarning]
    triples: int
    triple_hashes: bytes
    class_hashes: dict[str, bytes]
    db: sqlite3.Connection

    def fragments(self) -> tuple[bytes, bytes]:
        row = self.db.execute(
            "SELECT nquads, trig FROM pages WHERE path = ?", (self.path,)
        ).fetchone()
        return bytes(row[0]), bytes(row[1])


class _State:
    """Per-page cache of the previous build, in an SQLite file in the store folder."""

    def __init__(self, db: sqlite3.Connection, base_iri: str) -> None:
        self.db = db
        self.base_iri = base_iri
        self.rows: dict[str, _Row] = {}

    @classmethod
    def open(cls, store_dir: Path, base_iri: str) -> _State:
        store_dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(store_dir / STATE_FILE)
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, size INTEGER,"
            " mtime_ns INTEGER, sha256 TEXT, graph TEXT, stub BLOB, keys TEXT,"
            " map_warnings BLOB, triples INTEGER, triple_hashes BLOB, class_hashes BLOB,"
            " nquads BLOB, trig BLOB)"
        )
        state = cls(db, base_iri)
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        from citynet import __version__

        identity = {"version": STATE_VERSION, "citynet": __version__, "base_iri": base_iri}
        if any(meta.get(k) != v for k, v in identity.items()):
            # Another base IRI or citynet version maps differently: start afresh.
            db.execute("DELETE FROM pages")
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", identity.items())
            db.commit()
            shutil.rmtree(store_dir / STORE_SUBDIR, ignore_errors=True)
        for row in db.execute(
            "SELECT path, size, mtime_ns, sha256, graph, stub, keys, map_warnings, triples,"
            " triple_hashes, class_hashes FROM pages"
        ):
            state.rows[row[0]] = _Row(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                pickle.loads(row[5]),
                json.loads(row[6]),
                pickle.loads(row[7]),
                row[8],
                bytes(row[9]),
                pickle.loads(row[10]),
                db,
            )
        return state

    def unchanged(
        self, entries: list[tuple[int, Path, str]], city_file: Path | None, city: str | None
    ) -> dict[int, _Row]:
        """Pages whose file is as the previous build read it (size, mtime, else hash)."""
        found: dict[int, _Row] = {}
        for index, path, _ in entries:
            row = self.rows.get(str(path))
            if row is None or path == city_file:
                continue
            stat = path.stat()
            if (stat.st_size, stat.st_mtime_ns) != (row.size, row.mtime_ns):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                if digest != row.sha256:
                    continue
                row.size, row.mtime_ns = stat.st_size, stat.st_mtime_ns
            row.stub.index = index
            found[index] = row
        return found

    def rows_by_index(self, entries: list[tuple[int, Path, str]]) -> dict[int, _Row]:
        return {i: self.rows[str(p)] for i, p, _ in entries if str(p) in self.rows}

    def removed_graphs(self, entries: list[tuple[int, Path, str]]) -> list[str]:
        present = {str(p) for _, p, _ in entries}
        return [row.graph for path, row in self.rows.items() if path not in present]

    def save(
        self,
        entries: list[tuple[int, Path, str]],
        mapped: set[int],
        cached: dict[int, _Row],
    ) -> None:
        """Commit the pages :meth:`put` kept; forget removed files and failed pages."""
        present = {str(p) for _, p, _ in entries}
        with self.db:
            for path in [p for p in self.rows if p not in present]:
                self.db.execute("DELETE FROM pages WHERE path = ?", (path,))
            for index, path, _graph in entries:
                if index in cached and index not in mapped:
                    row = cached[index]
                    self.db.execute(
                        "UPDATE pages SET size = ?, mtime_ns = ? WHERE path = ?",
                        (row.size, row.mtime_ns, row.path),
                    )
                    continue
                if index not in mapped:
                    # A page with an error: keep nothing, so it is read again next time.
                    self.db.execute("DELETE FROM pages WHERE path = ?", (str(path),))

    def put(
        self, path: Path, graph: str, stub: _Stub, keys: list[str | None], page: _Mapped
    ) -> None:
        """Keep one mapped page (committed by :meth:`save`, at the end of the build)."""
        stat = path.stat()
        self.db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                str(path),
                stat.st_size,
                stat.st_mtime_ns,
                stub.record.content_sha256,
                graph,
                pickle.dumps(stub, protocol=pickle.HIGHEST_PROTOCOL),
                json.dumps(keys),
                pickle.dumps(page.warnings, protocol=pickle.HIGHEST_PROTOCOL),
                page.triples,
                page.triple_hashes,
                pickle.dumps(page.class_hashes, protocol=pickle.HIGHEST_PROTOCOL),
                page.nquads,
                page.trig,
            ),
        )

    def close(self) -> None:
        self.db.close()


__all__ = ["StreamResult", "resolve_across", "stream_build"]
