"""`citynet build`: pages -> records -> resolved records -> quads -> files.

Writes, into the output folder, each file atomically (temporary name, then rename):
citynet.trig (one named graph per page), citynet.nq, citynet.ttl / citynet.nt /
citynet.jsonld (the merged graph) and report.json (per page: facts by kind, warnings).
Output is sorted, so the same pages always give byte-identical files.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Quad, RdfFormat, Triple, serialize

from citynet.errors import DataInvalid, InputError
from citynet.graph.mapping import Mapper, page_slug
from citynet.graph.vocab import CN, DEFAULT_BASE_IRI, PREFIXES, RDF
from citynet.read.records import PageRecord, PageWarning

PAGE_SUFFIXES = (".txt", ".html", ".htm")
DEFAULT_OUT = Path("build")
DEFAULT_PAGES = Path("data/pages")

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
    pages: list[PageReport]
    counts: dict[str, int]
    quads: list[Quad]
    files: dict[str, Path]
    resolution: Any = None

    @property
    def warning_count(self) -> int:
        return sum(len(page.warnings) for page in self.pages)

    @property
    def errors(self) -> list[str]:
        return [f"{page.file}: {page.error}" for page in self.pages if page.error]


def default_pages_dir() -> Path:
    """data/pages of a checkout; the bundled pages otherwise."""
    return DEFAULT_PAGES


def _page_files(folder: Path) -> list[Path]:
    """The page files under a folder, sorted as paths compare (by parts).

    What ``folder.rglob("*")`` filtered by suffix gives (symbolic links to folders are
    listed, not entered), without a path object for every entry: a second at 100,000.
    """
    found = []
    for parent, folders, files in os.walk(folder):
        for name in (*folders, *files):
            dot = name.rfind(".")
            if 0 < dot < len(name) - 1 and name[dot:].lower() in PAGE_SUFFIXES:
                found.append(os.path.join(parent, name))
    return sorted((Path(p) for p in found), key=lambda p: p.parts)


def collect_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Expand folders into their page files (sorted); refuse paths that do not exist."""
    files: list[Path] = []
    for path in inputs:
        if str(path) == "-":
            files.append(path)
        elif path.is_dir():
            found = _page_files(path)
            if not found:
                raise InputError(f"{path}: no page files (*.txt, *.html) in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise InputError(f"{path}: not a regular file or folder")
        else:
            raise InputError(f"{path}: no such file or folder", hint="check the path")
    return files


def read_pages(
    files: list[Path],
    *,
    city: str | None = None,
    max_page_bytes: int = 10_000_000,
    progress: Callable[[PageRecord], None] | None = None,
) -> list[PageRecord]:
    from citynet.read.pages import read_page, read_text

    records = []
    for path in files:
        if str(path) == "-":
            import sys

            data = sys.stdin.buffer.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                raise InputError(f"<stdin>: not UTF-8 at byte {error.start}") from None
            records.append(read_text(text, "stdin.txt", city=city))
        else:
            records.append(read_page(path, city=city, max_page_bytes=max_page_bytes))
        if progress:
            progress(records[-1])
    return records


#: The classes whose distinct nodes the build summary counts, by class IRI.
COUNTED_CLASSES = {
    str(CN.City): "cities",
    str(CN.Region): "regions",
    str(CN.Twinning): "twinnings",
    str(CN.Project): "projects",
    str(CN.Event): "events",
    str(CN.Participation): "participations",
    str(CN.Membership): "memberships",
    str(CN.Office): "offices",
    str(CN.Country): "countries",
}


def count_facts(quads: list[Quad]) -> dict[str, int]:
    """Distinct nodes of each class and the number of triples in a set of quads."""
    type_iri = str(RDF.type)
    classes = COUNTED_CLASSES
    seen: dict[str, set[str]] = {name: set() for name in classes.values()}
    triples = set()
    for quad in quads:
        triples.add((quad.subject, quad.predicate, quad.object))
        if quad.predicate.value == type_iri:
            name = classes.get(quad.object.value)
            if name:
                seen[name].add(quad.subject.value)
    counts = {name: len(nodes) for name, nodes in seen.items()}
    counts["triples"] = len(triples)
    return counts


def _sort_key(quad: Quad) -> tuple[str, str]:
    """Graph, subject, predicate, object order, from two strings instead of four.

    ``str(quad)`` is the N-Quads form "s p o g": IRIs end with ">", which no IRI holds
    inside, and a literal is followed only by "@", "^" or a space, so comparing the
    joined text orders like comparing the terms one by one.
    """
    return (str(quad.graph_name), str(quad))


def build_graph(
    records: list[PageRecord],
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    progress: Callable[[PageRecord], None] | None = None,
    decisions: Any = None,
) -> tuple[list[Quad], list[PageReport], Any]:
    """Resolve and map records; returns sorted unique quads, page reports, the resolution.

    ``decisions``: a curator's :class:`citynet.resolve.decisions.Decisions`, which win."""
    from citynet.resolve.resolution import resolve_records

    resolution = resolve_records(
        [r for r in records if r.city is not None and has_content(r)], decisions=decisions
    )
    extra: dict[str, list[PageWarning]] = {}
    for warning in getattr(resolution, "warnings", []):
        extra.setdefault(warning.file, []).append(warning)
    nameless = _nameless_errors([r for r in records if r.city is None and has_content(r)])

    mapper = Mapper(base_iri)
    quads: set[Quad] = set()
    reports: list[PageReport] = []
    graphs: dict[str, str] = {}
    for record in records:
        report = PageReport(
            file=record.path,
            source_url=record.source_url,
            city=(record.city.resolved_name or record.city.name) if record.city else None,
            city_origin=record.city_origin,
            graph=None,
            warnings=list(record.warnings) + extra.get(record.path, []),
        )
        reports.append(report)
        if not has_content(record):
            continue  # an empty page: its warning says so; it gives no node (B1)
        if record.city is None:
            report.error = nameless.get(
                record.path, "the page does not name its city; give it with --city"
            )
            continue
        graph = mapper.graph_iri(record).value
        if graph in graphs:
            report.error = (
                f"its named graph {graph} is already used by {graphs[graph]}; rename one file"
            )
            continue
        graphs[graph] = record.path
        report.graph = graph
        page_quads, warnings = mapper.map_page(record)
        report.warnings.extend(warnings)
        report.facts = _fact_kinds(record)
        report.facts["triples"] = len(page_quads)
        quads.update(page_quads)
        if progress:
            progress(record)
    for report in reports:
        report.warnings.sort(key=lambda w: (w.line, w.col or 0, w.message))
    return sorted(quads, key=_sort_key), reports, resolution


def check_base_iri(base_iri: str) -> None:
    """--base-iri must be an absolute http(s) IRI (the site makes every IRI dereferenceable)."""
    from urllib.parse import urlsplit

    try:
        Mapper(base_iri)
    except ValueError as error:
        raise InputError(
            f"--base-iri {base_iri!r} is not a valid IRI: {error}",
            hint="e.g. https://data.example.org/",
        ) from None
    parts = urlsplit(base_iri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(
            f"--base-iri {base_iri!r} is not an http(s) IRI", hint="e.g. https://data.example.org/"
        )


def has_content(record: PageRecord) -> bool:
    """False for an empty or whitespace-only page (the reader's ``empty`` warning)."""
    return not any(w.code == "empty" for w in record.warnings)


def _nameless_errors(records: list[PageRecord]) -> dict[str, str]:
    """For pages that name no city: the error listing the cities that fit (B2)."""
    if not records:
        return {}
    from citynet.resolve.gazetteer import default_gazetteer
    from citynet.resolve.resolution import Resolution, resolve_page_places

    errors = {}
    gazetteer = default_gazetteer()
    for record in records:
        resolution = Resolution()
        resolve_page_places(record, gazetteer, resolution)  # city None: candidates only
        found = [w for w in resolution.warnings if w.code == "city-not-named"]
        if found:
            errors[record.path] = found[0].message
    return errors


def _fact_kinds(record: PageRecord) -> dict[str, int]:
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


def _prefixes(base_iri: str) -> dict[str, str]:
    prefixes = {
        name: str(ns) for name, ns in PREFIXES.items() if name not in ("sh", "void", "dcat")
    }
    prefixes["data"] = base_iri if base_iri.endswith("/") else base_iri + "/"
    return prefixes


def new_file_mode(base: int = 0o666) -> int:
    """The mode open() or mkdir() would give under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return base & ~mask


def atomic_write(path: Path, write: Callable[[Any], None]) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, new_file_mode())  # mkstemp makes 0600; outputs are for publishing
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    document, so the streaming build renders pages apart, in parallel.
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


def atomic_write_json(path: Path, document: Any) -> None:
    """A UTF-8 JSON report (layout of :func:`json_text`), written atomically."""
    text = json_text(document) + "\n"
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def write_outputs(
    quads: list[Quad],
    reports: list[PageReport],
    out: Path,
    *,
    base_iri: str,
    counts: dict,
    resolution: Any = None,
) -> dict[str, Path]:
    prefixes = _prefixes(base_iri)
    triples = sorted(
        {Triple(q.subject, q.predicate, q.object) for q in quads},
        key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
    )
    files: dict[str, Path] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        plan: list[tuple[str, Any, RdfFormat, bool]] = [
            ("trig", quads, RdfFormat.TRIG, True),
            ("nquads", quads, RdfFormat.N_QUADS, False),
            ("turtle", triples, RdfFormat.TURTLE, True),
            ("ntriples", triples, RdfFormat.N_TRIPLES, False),
            ("jsonld", triples, RdfFormat.JSON_LD, True),
        ]
        for name, items, fmt, with_prefixes in plan:
            path = out / OUTPUT_FILES[name]
            atomic_write(
                path,
                lambda handle, items=items, fmt=fmt, p=with_prefixes: serialize(
                    items, handle, fmt, prefixes=prefixes if p else None
                ),
            )
            files[name] = path
        report = {
            "counts": counts,
            "pages": [page.as_json() for page in reports],
        }
        if resolution is not None and hasattr(resolution, "as_json"):
            # Merge decisions, id conflicts, population mismatches, unresolved names.
            report["resolution"] = resolution.as_json()
        path = out / "report.json"
        atomic_write_json(path, report)
        files["report"] = path
    except OSError as error:
        raise InputError(f"{out}: cannot write the build: {error.strerror or error}") from None
    return files


def build(
    inputs: list[Path] | None = None,
    *,
    out: Path | None = DEFAULT_OUT,
    base_iri: str = DEFAULT_BASE_IRI,
    city: str | None = None,
    max_page_bytes: int = 10_000_000,
    progress: Callable[[PageRecord], None] | None = None,
    decisions: Path | None = None,
) -> BuildResult:
    """Build the graph from page files or folders (default: the bundled pages).

    ``decisions``: a curator's decisions file; else ``decisions.toml`` beside the pages."""
    from citynet.resolve import decisions as curator

    check_base_iri(base_iri)
    files = collect_inputs(inputs or [default_pages_dir()])
    decisions = decisions or curator.find_default(list(inputs or [default_pages_dir()]))
    decided = curator.load(decisions) if decisions else None
    records = read_pages(files, city=None, max_page_bytes=max_page_bytes, progress=progress)
    if city is not None:
        _apply_city(records, city)
    if records and not any(has_content(r) for r in records):
        raise DataInvalid(
            f"no input page has content ({', '.join(r.path for r in records[:5])}"
            f"{', ...' if len(records) > 5 else ''}): every page is empty",
            hint="check the input files; nothing was written",
        )
    quads, reports, resolution = build_graph(
        records, base_iri=base_iri, progress=progress, decisions=decided
    )
    counts = {"pages": sum(1 for r in reports if r.graph is not None)}  # built pages
    counts.update(count_facts(quads))
    counts["warnings"] = sum(len(r.warnings) for r in reports)
    counts["warnings"] += len(decided.warnings) if decided else 0
    counts["errors"] = sum(1 for r in reports if r.error)
    counts["empty"] = sum(1 for r in records if not has_content(r))
    written = (
        write_outputs(quads, reports, out, base_iri=base_iri, counts=counts, resolution=resolution)
        if out
        else {}
    )
    return BuildResult(reports, counts, quads, written, resolution)


def _apply_city(records: list[PageRecord], city: str) -> None:
    """--city names the city of the one page that does not name its own."""
    from citynet.read.records import PlaceName

    nameless = [r for r in records if r.city is None or r.city_origin == "file name"]
    if len(records) == 1:
        nameless = records
    if len(nameless) != 1:
        raise InputError(
            f"--city applies to exactly one page without a city name; {len(nameless)} found",
            hint="build such pages one at a time, or add a '# city:' header to each",
        )
    record = nameless[0]
    country = record.city.country if record.city else None
    record.city = PlaceName(name=city, country=country)
    record.city_origin = "--city"


__all__ = ["BuildResult", "PageReport", "build", "collect_inputs", "page_slug"]
