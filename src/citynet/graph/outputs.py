"""The build's results and output files: page reports, report.json, the RDF files.

Every file is written atomically through :mod:`citynet.common.files`. Output is sorted,
so the same pages always give byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pyoxigraph import Quad, RdfFormat, Triple, parse, serialize

from citynet.common.files import atomic_write
from citynet.errors import InputError
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
    def warning_count(self) -> int:
        return sum(len(page.warnings) for page in self.pages)

    @property
    def errors(self) -> list[str]:
        return [f"{page.file}: {page.error}" for page in self.pages if page.error]


def prefixes_for(base_iri: str) -> dict[str, str]:
    prefixes = {
        name: str(ns) for name, ns in PREFIXES.items() if name not in ("sh", "void", "dcat")
    }
    prefixes["data"] = base_iri if base_iri.endswith("/") else base_iri + "/"
    return prefixes


def _sort_key(quad: Quad) -> tuple[str, str]:
    """Graph, subject, predicate, object order, from two strings instead of four.

    ``str(quad)`` is the N-Quads form "s p o g": IRIs end with ">", which no IRI holds
    inside, and a literal is followed only by "@", "^" or a space, so comparing the
    joined text orders like comparing the terms one by one.
    """
    return (str(quad.graph_name), str(quad))


_prefixes = prefixes_for  # the name other stages import


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


def atomic_write_json(path: Path, document: Any) -> None:
    """A UTF-8 JSON report (layout of :func:`json_text`), written atomically."""
    text = json_text(document) + "\n"
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


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


def _write_triples(out: Path, triples: Iterable[Triple], names: list[str], base: str) -> dict:
    """The merged formats: the distinct triples, sorted, through pyoxigraph's writers."""
    ordered = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    prefixes = prefixes_for(base)
    written = {}
    for name in names:
        fmt, with_prefixes = _MERGED[name]
        path = out / OUTPUT_FILES[name]
        atomic_write(
            path,
            lambda handle, fmt=fmt, p=with_prefixes: serialize(
                ordered, handle, fmt, prefixes=prefixes if p else None
            ),
        )
        written[name] = path
    return written


def write_merged(
    out: Path, nquads: Path | None, formats: Iterable[str], base_iri: str
) -> dict[str, Path]:
    """Turtle, N-Triples, JSON-LD (those of ``formats``) from the build's N-Quads file.

    Needs every distinct triple in memory once (a set, then a sorted list).
    """
    names = [name for name in _MERGED if name in formats]
    if not names or nquads is None:
        return {}
    quads = parse(path=str(nquads), format=RdfFormat.N_QUADS)
    return _write_triples(out, (q.triple for q in quads), names, base_iri)


def write_outputs(
    quads: list[Quad],
    reports: list[PageReport],
    out: Path,
    *,
    base_iri: str,
    counts: dict,
    resolution: Any = None,
) -> dict[str, Path]:
    """Every output file from quads in memory (the pipeline writes page fragments)."""
    prefixes = prefixes_for(base_iri)
    quads = sorted(quads, key=_sort_key)
    files: dict[str, Path] = {}
    try:
        for name, fmt, with_prefixes in (
            ("trig", RdfFormat.TRIG, True),
            ("nquads", RdfFormat.N_QUADS, False),
        ):
            files[name] = out / OUTPUT_FILES[name]
            atomic_write(
                files[name],
                lambda handle, fmt=fmt, p=with_prefixes: serialize(
                    quads, handle, fmt, prefixes=prefixes if p else None
                ),
            )
        files.update(_write_triples(out, (q.triple for q in quads), list(_MERGED), base_iri))
        rendered = (json_text(page.as_json(), 2).encode() for page in reports)
        text = b""
        if resolution is not None and hasattr(resolution, "as_json"):
            text = (',\n  "resolution": ' + json_text(resolution.as_json(), 1)).encode()
        files["report"] = write_report(out, counts, rendered, text)
    except OSError as error:
        raise InputError(f"{out}: cannot write the build: {error.strerror or error}") from None
    return files
