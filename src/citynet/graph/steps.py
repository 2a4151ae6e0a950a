"""The build's steps for one chunk of pages, as plain functions (no process handling).

:func:`read_chunk` reads pages and resolves their places; :func:`resolve_across`
resolves projects, events and twinnings across every page once; :func:`map_chunk` maps
pages to their sorted N-Quads and TriG fragments and report entries.
:mod:`citynet.graph.pipeline` runs them, in this process or on workers.
"""

from __future__ import annotations

import copy
import gc
import os
import pickle
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citynet.errors import InputError
from citynet.graph import counting
from citynet.graph.mapping import Mapper, in_graph, ntriples
from citynet.graph.outputs import Mapped, MappedChunk, PageReport, json_text, prefixes_for
from citynet.read.records import ActivityMention, PageRecord, PageWarning, Period, PlaceName, Twin

# ---------------------------------------------------------------------------------------
# Per page: reading and place resolution


def has_content(record: PageRecord) -> bool:
    """False for an empty or whitespace-only page (the reader's ``empty`` warning)."""
    return not any(w.code == "empty" for w in record.warnings)


def nameless_error(record: PageRecord) -> str | None:
    """For a page that names no city: the error listing the cities that fit (B2)."""
    from citynet.resolve.gazetteer import default_gazetteer
    from citynet.resolve.resolution import Resolution, resolve_page_places

    resolution = Resolution()
    resolve_page_places(record, default_gazetteer(), resolution)  # city None: candidates only
    found = [w for w in resolution.warnings if w.code == "city-not-named"]
    return found[0].message if found else None


def fact_kinds(record: PageRecord) -> dict[str, int]:
    kinds = Counter(kind for kind in record.line_kinds.values() if kind not in ("warning", "blank"))
    facts = {
        "twins": len(record.twins),
        "memberships": len(record.memberships),
        "offices": len(record.offices),
        "projects": sum(1 for a in record.activities if a.kind == "project"),
        "events": sum(1 for a in record.activities if a.kind == "event"),
        "lines": record.line_count,
    }
    facts.update({f"lines:{kind}": n for kind, n in kinds.items()})
    return facts


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
    identities: list[Any] = field(default_factory=list)  # namesakes weighed (report.json)
    decided: tuple[int, ...] = ()  # the curator's place decisions this page used


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
        subtitle=a.subtitle,  # an acronym's expansion (citynet.resolve.mentions)
        network_id=a.network_id,
        event_kind=a.event_kind,
        place=_slim_place(a.place),
    )


def _slim(record: PageRecord) -> PageRecord:
    """The record as cross-page resolution reads it: the main process holds one per page."""
    return PageRecord(
        path=record.path,
        content_sha256=record.content_sha256,
        language=record.language,  # activity labels are chosen per language
        city=_slim_place(record.city),
        twins=[Twin(_slim_place(t.place), t.since, t.line, t.text) for t in record.twins],  # type: ignore[arg-type]
        activities=[_slim_mention(a) for a in record.activities],
    )


def read_one(
    path: str, city: str | None, max_page_bytes: int, stdin: bytes | None = None
) -> PageRecord:
    """One page file read (``-``: ``stdin``, the standard input the main process read
    once: a worker's own is empty); ``city``: --city for this page."""
    from citynet.read.pages import read_page, read_text

    if path == "-":
        data = stdin if stdin is not None else b""
        try:
            record = read_text(data.decode("utf-8"), "stdin.txt")
        except UnicodeDecodeError as error:
            raise InputError(f"<stdin>: not UTF-8 at byte {error.start}") from None
    else:
        record = read_page(Path(path), max_page_bytes=max_page_bytes)
    if city is not None:  # --city names this page's city, keeping its country
        record.city = PlaceName(city, country=record.city.country if record.city else None)
        record.city_origin = "--city"
    return record


def make_stub(index: int, record: PageRecord, decisions: Any = None) -> Stub:
    """Resolve a page's places (page-local) and keep what cross-page resolution needs;
    ``decisions``: the curator's, which win (the ones used are kept on the stub)."""
    from citynet.resolve.gazetteer import default_gazetteer
    from citynet.resolve.resolution import Resolution, resolve_page_places

    resolution = Resolution(curator=decisions)
    before = [d.used for d in decisions.places] if decisions is not None else []
    content = has_content(record)
    nameless = None
    if content and record.city is not None:
        resolve_page_places(record, default_gazetteer(), resolution)
    elif content:
        nameless = nameless_error(record)
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
        resolution.identities,
        tuple(n for n, d in enumerate(decisions.places) if d.used > before[n])
        if decisions is not None
        else (),
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
    decisions: Any = None  # the curator's (citynet.resolve.decisions.Decisions)
    stdin: bytes | None = None  # the standard input, for the chunk that reads "-"


def read_chunk(task: ReadTask) -> tuple[list[Stub], list[PageRecord] | None]:
    """Step 1 for a chunk: the stubs, and the records unless they were spilled."""
    from citynet.resolve.gazetteer import default_gazetteer

    _settle_gc()
    records = [read_one(p, city, task.max_page_bytes, task.stdin) for _, p, city in task.items]
    default_gazetteer().prefetch(_place_names(records))
    # A copy: which decisions were used travels back on the stubs, in every process mode.
    decisions = copy.deepcopy(task.decisions)
    stubs = [make_stub(i, r, decisions) for (i, _, _), r in zip(task.items, records, strict=True)]
    if task.spill is None:
        return stubs, records
    with open(task.spill, "wb") as handle:
        pickle.dump(records, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return stubs, None


# ---------------------------------------------------------------------------------------
# Per page: mapping


_TRIG: dict[str, Any] = {}


def trig_writer(base: str) -> Any:
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
    record: PageRecord, index: int, keys: list[list[str | None]], mapper: Mapper, extra: list[Any]
) -> tuple[str, str, bytes, list[tuple[str, str, str]], Mapped]:
    """One page: its graph, N-Triples, N-Quads, sorted distinct triples, report entry."""
    for mention, (key, label, kind) in zip(record.activities, keys, strict=True):
        mention.key, mention.label, mention.event_kind = key, label, kind
    graph, made, warnings = mapper.map_page_triples(record)
    # Sorted N-Triples terms give the order of the graph's N-Quads lines (code point
    # order; a term that starts another sorts first, as its line does).
    unique = sorted(set(made))
    lines = ntriples(unique)
    nquads = in_graph(lines, graph).encode()
    # The report as the main process has it from the page's stub, complete.
    report = PageReport(
        file=record.path,
        source_url=record.source_url,
        city=record.city.resolved_name or record.city.name,  # type: ignore[union-attr]
        city_origin=record.city_origin,
        graph=graph[1:-1],
        facts=fact_kinds(record),
        warnings=record.warnings + extra,
    )
    page = Mapped(index, len(nquads), 0, warnings, len(made), "")
    page.report_json = finish_report(report, list(warnings), len(made))
    return graph, lines, nquads, unique, page


@dataclass
class MapTask:
    #: (index, keys, cross-page warnings, file) per page, None to skip a spilled record.
    items: list[tuple[int, list[list[str | None]], list[PageWarning], str] | None]
    records: list[PageRecord] | str  # the records, or the spill file holding them
    base_iri: str
    out: str  # the chunk's fragment files: this, with .nq and .trig
    trig: bool  # make TriG at all
    per_page: bool  # also each page's digests (the incremental state keeps them)


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
            index, keys, extra, path = item
            record = records[position] if position < len(records) else None
            if record is None:  # incremental: an unchanged page whose keys changed
                # (never the page --city names: the state keeps none)
                record = read_one(path, None, 10**12)
                make_stub(index, record)  # resolves its places again (deterministic)
            graph, lines, nquads, unique, page = map_record(record, index, keys, mapper, extra)
            nq.write(nquads)
            if trig_path:
                text = trig_writer(mapper.base).graph(graph, unique).encode()
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


def resolve_across(stubs: Iterable[Stub], decisions: Any = None) -> Any:
    """Project and event keys, one-sided twinnings, slug collisions: all pages, in input
    order, as ``resolve_records`` does after resolving places; then the curator's "same"
    and "different" decisions, and a warning for each decision that matched nothing."""
    from citynet.resolve import decisions as curator
    from citynet.resolve import resolution as resolve

    resolution = resolve.Resolution(curator=decisions)
    records = []
    for stub in sorted(stubs, key=lambda s: s.index):
        if stub.record.city is None or not stub.has_content:
            continue
        resolution.warnings.extend(stub.place_warnings)
        resolution.unresolved.extend(stub.unresolved)
        resolution.population_mismatches.extend(stub.population_mismatches)
        resolution.identities.extend(getattr(stub, "identities", ()))  # older stores: none
        for number in getattr(stub, "decided", ()) if decisions is not None else ():
            decisions.places[number].used += 1
        records.append(stub.record)
    # Resolution makes millions of objects and no cyclic garbage: the collector would
    # walk them again and again as they grow.
    gc.disable()
    try:
        resolve.resolve_across_pages(records, resolution)
    finally:
        gc.enable()
    if decisions is not None:
        curator.apply_groups(records, resolution)
        curator.report_unmatched(decisions, [r.path for r in records])
    resolution.warnings.sort(key=lambda w: (w.file, w.line, w.code, w.message))
    return resolution
