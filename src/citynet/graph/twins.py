"""`citynet import-twins`: Wikidata's twin-town claims as a second source of twinnings.

Input: the 2016 crawl of Wikidata property P190 in ``shared/twin-towns`` (see its
README): ``names.tsv`` (item id, TAB, one label, mostly German) and ``relations.tsv``
(item id, TAB, item id: one claim, as stated on the first item).

Each item's label is resolved offline with the gazetteer (GeoNames' alternate names know
"Lüttich" is Liège): first the label as it is, then "Name, Country" labels with their
country, then without an administrative word ("Gmina Siechnice", "Stevns Kommune"), then
as an ISO 3166-2 region ("Lombardei" is not a city; it becomes a cn:Region, without a
GeoNames id, as regions on pages do). A label whose best match has a rival of at least
half its population is taken but reported as ambiguous; a label that matches nothing is
reported and its claims are left out. Nothing is guessed beyond that.

Output (a separate file, so the page build stays byte-identical and the two sources can
be loaded together or apart): ``wikidata-twins.trig``, one named graph
``{base}source/wikidata`` made by the page mapping's code, and
``wikidata-twins-report.json``. The source node is a cn:SourcePage (relations.tsv, with
``dcterms:source`` Wikidata); each place gets the IRI and description a page gives it,
plus ``owl:sameAs`` its Wikidata item (the concept IRI Wikidata's own RDF uses: the
citation); each twinning is the ``cn:Twinning`` node a page's twinning gets, with every
claim's line and text. No ``cn:twinnedWith``: that property records what each *page*
states, and the page-based queries (city-twins' "reciprocal") keep that meaning when both
files are loaded.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat, serialize

from citynet.common import iris
from citynet.common.files import atomic_write, atomic_write_text
from citynet.errors import InputError
from citynet.graph.mapping import Mapper, _PageEmitter, as_quads, iri_term, term
from citynet.graph.outputs import json_text, prefixes_for
from citynet.graph.vocab import CN, OWL, RDF, WIKIDATA, WIKIDATA_SITE
from citynet.read.records import PageRecord, PlaceName
from citynet.resolve.gazetteer import Gazetteer, default_gazetteer
from citynet.resolve.places import close_rival

TWINS_SUBDIR = Path("twin-towns") / "L3viathan-sister-cities"
OUTPUT_TRIG = "wikidata-twins.trig"
OUTPUT_REPORT = "wikidata-twins-report.json"
SOURCE_PATH = "source/wikidata"
_QID = re.compile(r"^Q[1-9][0-9]*$")
# Words around a municipality's name in the labels (Polish, Danish, German, English, ...):
# "Gmina Siechnice", "Stevns Kommune", "Svishtov Municipality". Only words for the
# municipality itself: a district or province is not its capital city.
_ADMIN_PREFIX = re.compile(
    r"^(Gmina|Stadt|Municipality of|Comune di|Ville de)\s+",
    re.IGNORECASE,
)
_ADMIN_SUFFIX = re.compile(
    r"\s+(Kommune|Kommun|Municipality|Gemeinde|Township|City|Borough)$",
    re.IGNORECASE,
)


def default_twins_dir() -> Path:
    """$CITYNET_SHARED/twin-towns/..., else ../shared/twin-towns/... beside the checkout."""
    shared = os.environ.get("CITYNET_SHARED")
    if shared:
        return Path(shared) / TWINS_SUBDIR
    return Path(__file__).resolve().parents[4] / "shared" / TWINS_SUBDIR


@dataclass(slots=True)
class TwinPlace:
    """One Wikidata item and what its label resolved to."""

    qid: str
    label: str
    line: int
    status: str  # "city", "region", "unresolved"
    how: str = ""  # which attempt matched ("label", "country in label", ...)
    name: str | None = None
    country_code: str | None = None
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    ambiguous_with: str | None = None  # "Nehe, CN (GeoNames 2035669, population ...)"

    @property
    def path(self) -> str | None:
        if self.name is None:
            return None
        kind = "region" if self.status == "region" else "city"
        return iris.city_path(self.name, self.country_code, kind=kind)


@dataclass
class TwinImport:
    places: dict[str, TwinPlace]
    claims: int
    twinnings: dict[str, list[tuple[int, str]]]  # twinning path -> (line, claim text)
    ends: dict[str, tuple[str, str]] = field(default_factory=dict)  # twinning -> place paths
    skipped: list[dict[str, Any]] = field(default_factory=list)  # claims left out, why
    warnings: list[str] = field(default_factory=list)  # malformed lines
    collisions: list[dict[str, str]] = field(default_factory=list)  # places sharing an IRI
    files: dict[str, Path] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        statuses = [p.status for p in self.places.values()]
        return {
            "places": len(self.places),
            "cities": statuses.count("city"),
            "regions": statuses.count("region"),
            "unresolved": statuses.count("unresolved"),
            "ambiguous": sum(1 for p in self.places.values() if p.ambiguous_with),
            "claims": self.claims,
            "claims_skipped": len(self.skipped),
            "twinnings": len(self.twinnings),
            "malformed_lines": len(self.warnings),
        }


def _read_tsv(path: Path, warnings: list[str]) -> list[tuple[int, str, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such file",
            hint="give the folder holding names.tsv and relations.tsv",
        ) from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 at byte {error.start}") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not _QID.match(parts[0]) or not parts[1].strip():
            warnings.append(f"{path}:{number}: not 'Q-id TAB value': {line[:80]!r}")
            continue
        rows.append((number, parts[0], parts[1].strip()))
    return rows


def resolve_label(qid: str, label: str, line: int, gazetteer: Gazetteer) -> TwinPlace:
    """The GeoNames city (or ISO region) a Wikidata label means, as far as it is clear."""
    place = TwinPlace(qid, label, line, "unresolved")
    if _QID.match(label):  # the crawl found no label in any language it asked for
        place.how = "no label"
        return place
    attempts: list[tuple[str, str, str | None]] = [("label", label, None)]
    if ", " in label:  # "Cogo, Equatorial Guinea", "Mariquita, Tolima"
        name, rest = label.split(", ", 1)
        code = gazetteer.resolve_country(rest)
        attempts.append(("country in label", name, code))
        if code is None:
            attempts.append(("region in label", name, None))
    bare = _ADMIN_SUFFIX.sub("", _ADMIN_PREFIX.sub("", label))
    if bare != label and bare:
        attempts.append(("without administrative word", bare, None))
    for how, name, code in attempts:
        matches = gazetteer.city_matches(name, (code,) if code else None)
        if not matches:
            continue
        best = matches[0]
        place.status, place.how = "city", how
        place.name, place.country_code = best.name, best.country_code
        place.geonames_id = best.geonames_id
        place.latitude, place.longitude = best.latitude, best.longitude
        other = close_rival(matches) if code is None else None
        if other is not None:
            place.ambiguous_with = (
                f"{other.name}, {other.country_code} (GeoNames {other.geonames_id},"
                f" population {other.population})"
            )
        return place
    region = gazetteer.resolve_region(label)
    if region is not None:
        place.status, place.how = "region", "ISO 3166-2 region"
        place.name, place.country_code = region.name, region.country_code
        return place
    place.how = "no GeoNames place or region has this name"
    return place


def import_twins(
    folder: Path | None = None,
    *,
    out: Path | None = Path("build"),
    base_iri: str = iris.DEFAULT_BASE_IRI,
    gazetteer: Gazetteer | None = None,
    limit: int | None = None,
) -> TwinImport:
    """Read, resolve and map the Wikidata twin-town claims; write the graph and report.

    ``limit``: read only the first claims (tests, quick looks).
    """
    folder = folder or default_twins_dir()
    if not folder.is_dir():
        raise InputError(
            f"{folder}: no such folder",
            hint="give the folder of names.tsv and relations.tsv, or set CITYNET_SHARED",
        )
    gazetteer = gazetteer or default_gazetteer()
    warnings: list[str] = []
    names = _read_tsv(folder / "names.tsv", warnings)
    relations_path = folder / "relations.tsv"
    relations = _read_tsv(relations_path, warnings)
    if limit is not None:
        relations = relations[:limit]
    wanted = {q for _, a, b in relations for q in (a, b)}
    places: dict[str, TwinPlace] = {}
    for line, qid, label in names:
        if qid in wanted and qid not in places:
            places[qid] = resolve_label(qid, label, line, gazetteer)

    result = TwinImport(places, len(relations), {}, warnings=warnings)
    for line, a, b in relations:
        text = f"{a}\t{b}"
        ends = [places.get(a), places.get(b)]
        missing = [q for q, p in zip((a, b), ends, strict=True) if p is None or p.path is None]
        if missing:
            why = ", ".join(
                f"{q} ({places[q].label!r}: {places[q].how})" if q in places else f"{q} (no label)"
                for q in missing
            )
            result.skipped.append({"line": line, "claim": text, "reason": f"unresolved: {why}"})
            continue
        path_a, path_b = sorted(p.path for p in ends if p is not None and p.path)
        if path_a == path_b:
            result.skipped.append(
                {"line": line, "claim": text, "reason": f"both items are {path_a}"}
            )
            continue
        key = f"twinning/{path_a.split('/', 1)[1]}/{path_b.split('/', 1)[1]}"
        result.twinnings.setdefault(key, []).append((line, text))
        result.ends[key] = (path_a, path_b)

    if out is not None:
        content_hash = hashlib.sha256(relations_path.read_bytes()).hexdigest()
        result.files = write_twins(result, out, base_iri, content_hash)
    return result


def twin_quads(result: TwinImport, base_iri: str, content_hash: str) -> list[Any]:
    """The Wikidata graph as sorted pyoxigraph quads, its nodes described as a page's are
    (the same mapping code: the two sources give the same triples for the same place)."""
    source = PageRecord(
        "relations.tsv",
        content_hash,
        source_url=str(WIKIDATA_SITE),
        language="de",  # the labels are mostly German
    )
    page = _PageEmitter(Mapper(base_iri), source)
    page.g = page.m.iri(SOURCE_PATH)
    page.page_node()
    _place_triples(page, result)
    for key, claims in result.twinnings.items():
        node = page.m.iri(key)
        page.add(node, term(RDF.type), term(CN.Twinning))
        for end in result.ends[key]:
            page.add(node, term(CN.twinCity), page.m.iri(end))
        for line, text in claims:
            page.source(node, line, text)
    # N-Triples order: that of the N-Quads lines.
    return as_quads(sorted(set(page.triples)), page.g)


def _place_triples(page: _PageEmitter, result: TwinImport) -> None:
    """Every place a twinning uses, with its labels and links."""
    used = {path for ends in result.ends.values() for path in ends}
    described: dict[str, TwinPlace] = {}  # path -> the place whose facts it carries
    for place in sorted(result.places.values(), key=lambda p: p.qid):
        if place.path not in used:
            continue
        first = described.setdefault(place.path, place)
        if first is not place and first.geonames_id != place.geonames_id:
            # Two GeoNames places with one name in one country share an IRI (the IRI
            # policy): the item is kept as another sameAs, its other facts are not.
            result.collisions.append(
                {"path": place.path, "kept": first.qid, "also": place.qid, "label": place.label}
            )
        else:
            assert place.name is not None
            kind = "region" if place.status == "region" else "city"
            named = PlaceName(place.label, resolved_name=place.name, kind=kind, path=place.path)
            named.country_code, named.geonames_id = place.country_code, place.geonames_id
            named.latitude, named.longitude = place.latitude, place.longitude
            page.place(named)
        node = page.m.iri(place.path)
        page.add(node, term(OWL.sameAs), iri_term(str(WIKIDATA[place.qid])))


def write_twins(result: TwinImport, out: Path, base_iri: str, content_hash: str) -> dict[str, Path]:
    quads = twin_quads(result, base_iri, content_hash)
    files = {}
    try:
        path = out / OUTPUT_TRIG
        prefixes = prefixes_for(base_iri) | {"wd": str(WIKIDATA)}
        atomic_write(
            path, lambda handle: serialize(quads, handle, RdfFormat.TRIG, prefixes=prefixes)
        )
        files["trig"] = path
        report = {
            "counts": result.counts() | {"quads": len(quads)},
            "unresolved": [
                {"qid": p.qid, "label": p.label, "line": p.line, "reason": p.how}
                for p in sorted(result.places.values(), key=lambda p: p.line)
                if p.status == "unresolved"
            ],
            "ambiguous": [
                {
                    "qid": p.qid,
                    "label": p.label,
                    "took": f"{p.name}, {p.country_code} (GeoNames {p.geonames_id})",
                    "rival": p.ambiguous_with,
                }
                for p in sorted(result.places.values(), key=lambda p: p.line)
                if p.ambiguous_with
            ],
            "iri_collisions": result.collisions,
            "skipped_claims": result.skipped,
            "malformed_lines": result.warnings,
        }
        path = out / OUTPUT_REPORT
        atomic_write_text(path, json_text(report) + "\n")
        files["report"] = path
    except OSError as error:
        raise InputError(f"{out}: cannot write: {error.strerror or error}") from None
    return files
