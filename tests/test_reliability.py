"""Reliability: the bad inputs and faults of tests/suites/reliability-cases.md not proven elsewhere.

docs/reliability.md maps every case (B1-B32, F1-F10) to its tests, here and in the other
test files. This file also holds the cross-cutting proofs:

- no network: build, validate and site on the bundled pages under a Python audit hook
  that records every ``socket.connect`` and ``socket.getaddrinfo``;
- what citynet writes re-parses with a strict parser (pyoxigraph), every minted IRI is a
  valid IRI of plain slug segments, every typed literal matches its XML Schema lexical
  form;
- every CLI error is one line with no traceback; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdf_checks import FORBIDDEN, XSD, check_literal
from w3c_suites import SHARED

from citynet.cli import cli
from citynet.common.iris import is_safe_path
from citynet.errors import InputError
from citynet.graph.build import build, build_graph
from citynet.graph.mapping import Mapper
from citynet.graph.vocab import CN, DEFAULT_BASE_IRI, RDFS, SKOS
from citynet.read.pages import read_page, read_text
from citynet.read.records import PageRecord, PlaceName, Twin

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "data" / "pages"
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
SEED = SHARED / "seeds" / "efus-profile-liege.txt"
BASE = DEFAULT_BASE_IRI


# -- helpers ------------------------------------------------------------------------------


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def error_line(result: Result) -> str:
    """The one error line of a failed command (no traceback, nothing else on stderr)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def is_minted(iri: str) -> bool:
    """An IRI citynet mints under the base (the ontology's own terms are not minted)."""
    return iri.startswith(BASE) and not iri.startswith(str(CN))


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def copy_pages(folder: Path, *sources: Path, names: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index, source in enumerate(sources):
        name = names[index] if index < len(names) else source.name
        shutil.copyfile(source, folder / name)
    return folder


def quads_of(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(q) for q in result.quads}


def objects(quads: list[ox.Quad], subject: str, predicate: object) -> list[ox.Literal]:
    return sorted(
        (
            q.object
            for q in quads
            if q.subject.value == subject and q.predicate.value == str(predicate)
        ),
        key=str,
    )


class NetworkLog:
    """Every connection attempt while ``on`` (audit hooks cannot be removed, only muted)."""

    def __init__(self) -> None:
        self.on = False
        self.events: list[tuple[str, tuple]] = []

    def __call__(self, event: str, args: tuple) -> None:
        if self.on and event in ("socket.connect", "socket.getaddrinfo"):
            self.events.append((event, args))


NETWORK = NetworkLog()
sys.addaudithook(NETWORK)


@pytest.fixture
def no_network() -> Iterator[NetworkLog]:
    NETWORK.events.clear()
    NETWORK.on = True
    try:
        yield NETWORK
    finally:
        NETWORK.on = False
    assert NETWORK.events == [], f"network access attempted: {NETWORK.events}"


def test_the_audit_hook_sees_lookups_and_connections() -> None:
    NETWORK.events.clear()
    NETWORK.on = True
    try:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            with contextlib.suppress(OSError):
                sock.connect(("127.0.0.1", 9))
        with contextlib.suppress(OSError):
            socket.getaddrinfo("localhost", 80)
    finally:
        NETWORK.on = False
    assert [event for event, _ in NETWORK.events][:2] == ["socket.connect", "socket.getaddrinfo"]


# -- build, validate and site on the bundled pages, with no network -------------------------


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The bundled pages through build, validate and site, with the audit hook on."""
    from citynet.validation.validate import validate
    from citynet.web.generate import build_site

    out = tmp_path_factory.mktemp("bundled")
    NETWORK.events.clear()
    NETWORK.on = True
    try:
        result = build([PAGES], out=out / "build")
        report = validate([result.files["trig"]])
        site = build_site([result.files["trig"]], out / "site")
    finally:
        NETWORK.on = False
    return result, report, site.out, list(NETWORK.events)


def test_build_validate_and_site_touch_no_network(bundled) -> None:  # type: ignore[no-untyped-def]
    result, report, site, events = bundled
    assert result.counts["pages"] == 18 and report.conforms and (site / "index.html").is_file()
    assert events == []


# -- every file citynet writes re-parses strictly --------------------------------------------

RDF_SUFFIXES = {".trig", ".nq", ".ttl", ".nt", ".jsonld"}


def strict_parse(path: Path) -> list[ox.Quad]:
    """The format from the suffix; strict IRIs and tags.

    A site's JSON-LD names the site's one shared context by a relative reference; it is
    resolved from the file it names (as a JSON-LD processor's document loader would),
    never fetched.
    """
    if path.suffix == ".jsonld":
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("@context"), str):
            context = (path.parent / data["@context"]).resolve()
            data["@context"] = json.loads(context.read_text(encoding="utf-8"))["@context"]
            text = json.dumps(data).encode()
            return list(ox.parse(input=text, format=ox.RdfFormat.JSON_LD))
    return list(ox.parse(path=str(path)))


def test_every_build_output_reparses_strictly_to_the_same_graph(bundled) -> None:  # type: ignore[no-untyped-def]
    result, _, _, _ = bundled
    quads = set(result.quads)
    triples = {q.triple for q in quads}
    for name, path in result.files.items():
        if name == "report":
            json.loads(path.read_text(encoding="utf-8"))
            continue
        parsed = strict_parse(path)
        if name in ("trig", "nquads"):
            assert set(parsed) == quads, name
        else:
            assert {q.triple for q in parsed} == triples, name


def test_every_site_rdf_file_reparses_strictly(bundled) -> None:  # type: ignore[no-untyped-def]
    _, _, site, _ = bundled
    # context.jsonld is the JSON-LD context the others name, not data.
    files = [p for p in site.rglob("*") if p.suffix in RDF_SUFFIXES and p.name != "context.jsonld"]
    assert len(files) > 100
    for path in files:
        assert strict_parse(path), path  # none is empty; JSON-LD needs no remote context


def test_validation_turtle_report_reparses_strictly(bundled) -> None:  # type: ignore[no-untyped-def]
    from citynet.validation.validate import validate

    _, report, _, _ = bundled
    broken = validate([ROOT / "tests" / "fixtures" / "shapes" / "breaks" / "Event-place.ttl"])
    assert not broken.conforms
    for each in (report, broken):
        parsed = list(ox.parse(each.turtle().encode("utf-8"), format=ox.RdfFormat.TURTLE))
        results = {q.object for q in parsed if q.predicate.value.endswith("#result")}
        assert len(results) == len(each.results) > 0
        for quad in parsed:
            if isinstance(quad.object, ox.Literal):
                check_literal(quad.object)


# -- minted IRIs and typed literals -------------------------------------------------------


def test_every_literal_of_the_bundled_build_has_its_xsd_lexical_form(bundled) -> None:  # type: ignore[no-untyped-def]
    result, _, _, _ = bundled
    datatypes = set()
    for quad in result.quads:
        if isinstance(quad.object, ox.Literal):
            check_literal(quad.object)
            datatypes.add(quad.object.datatype.value.rsplit("#", 1)[1])
    assert {"gYear", "gYearMonth", "date", "nonNegativeInteger", "integer", "decimal"} <= datatypes


@pytest.mark.parametrize(
    "literal",
    [
        ox.Literal("2009-2012", datatype=ox.NamedNode(XSD + "gYear")),
        ox.Literal("09", datatype=ox.NamedNode(XSD + "gYear")),
        ox.Literal("2009-02-30", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("2009-13", datatype=ox.NamedNode(XSD + "gYearMonth")),
        ox.Literal("190 000", datatype=ox.NamedNode(XSD + "nonNegativeInteger")),
        ox.Literal("a\u2028b"),
    ],
)
def test_the_literal_check_fails_on_what_stores_drop(literal: ox.Literal) -> None:
    with pytest.raises((AssertionError, ValueError)):
        check_literal(literal)


def test_every_minted_iri_is_a_valid_iri_of_slug_segments(bundled) -> None:  # type: ignore[no-untyped-def]
    result, _, _, _ = bundled
    minted = {
        term.value
        for quad in result.quads
        for term in (quad.subject, quad.object, quad.graph_name)
        if isinstance(term, ox.NamedNode) and is_minted(term.value)
    }
    assert len(minted) > 500
    for iri in minted:
        assert ox.NamedNode(iri).value == iri
        assert is_safe_path(iri[len(BASE) :]), iri
    assert not any(isinstance(q.subject, ox.BlankNode) for q in result.quads)


# -- B1 empty pages -----------------------------------------------------------------------


def test_b1_empty_pages_warn_the_others_build_and_the_summary_counts_them(tmp_path: Path) -> None:
    pages = copy_pages(
        tmp_path / "pages",
        FIXTURES / "empty.txt",
        FIXTURES / "whitespace.txt",
        PAGES / "charleroi.txt",
    )
    out = tmp_path / "out"
    result = invoke("build", pages, "--out", out, "--no-validate", "--warnings", "all")
    assert result.exit_code == 0, result.output
    assert f"warning: {pages / 'empty.txt'}: empty page" in result.stderr.splitlines()
    assert f"warning: {pages / 'whitespace.txt'}: empty page" in result.stderr.splitlines()
    assert result.stdout.startswith("1 pages: ")
    assert ", 2 empty pages -> " in result.stdout
    nt = (out / "citynet.nt").read_text(encoding="utf-8")
    assert f"<{BASE}city/be/charleroi>" in nt
    assert "/empty" not in nt and "/whitespace" not in nt  # no node named after the file
    report = {
        Path(p["file"]).name: p for p in json.loads((out / "report.json").read_text())["pages"]
    }
    assert report["empty.txt"]["built"] is False
    assert [w["code"] for w in report["empty.txt"]["warnings"]] == ["empty"]
    assert report["charleroi.txt"]["built"] is True
    strict = invoke("build", pages, "--out", tmp_path / "strict", "--no-validate", "--strict")
    assert strict.exit_code == 1


def test_b1_no_page_with_content_is_exit_1_and_nothing_is_written(tmp_path: Path) -> None:
    pages = copy_pages(tmp_path / "pages", FIXTURES / "empty.txt", FIXTURES / "whitespace.txt")
    result = invoke("build", pages, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert error_line(result).startswith("error: no input page has content (")
    assert not (tmp_path / "out").exists()


# -- B2 a page that names no city ---------------------------------------------------------


def test_b2_nameless_page_lists_the_candidate_cities_and_asks_for_city(tmp_path: Path) -> None:
    page = copy_pages(tmp_path / "in", SEED) / SEED.name
    result = invoke("build", page, "--out", tmp_path / "out", "--no-validate", "-q")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"error: {page}: the page does not name its city; candidates for country BE and"
        " population 190000: Liège (195278), Charleroi (200132), Anderlecht (160553);"
        " give it with --city"
    )
    named = invoke("build", page, "--city", "Liège", "--out", tmp_path / "o2", "--no-validate")
    assert named.exit_code == 0, named.output
    (report,) = json.loads((tmp_path / "o2" / "report.json").read_text())["pages"]
    assert (report["city"], report["city_origin"]) == ("Liège", "--city")


# -- B3 not UTF-8 --------------------------------------------------------------------------


def test_b3_cp1252_page_stops_the_build_before_anything_is_written(tmp_path: Path) -> None:
    pages = copy_pages(tmp_path / "pages", FIXTURES / "cp1252.txt", PAGES / "charleroi.txt")
    result = invoke("build", pages, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert error_line(result).startswith(f"error: {pages / 'cp1252.txt'}: not UTF-8 at byte 12 (")
    assert not (tmp_path / "out").exists()


def test_b3_mixed_encodings_name_the_first_bad_byte(tmp_path: Path) -> None:
    raw = "# city: Kraków\nLocation: Poland\n".encode() + b"Twinned with: Gda\xf1sk (Poland)\n"
    page = tmp_path / "krakow.txt"
    page.write_bytes(raw)
    with pytest.raises(InputError) as caught:
        read_page(page)
    offset = raw.index(b"\xf1")
    assert caught.value.message == f"{page}: not UTF-8 at byte {offset}"
    assert "Ã" not in str(caught.value)


# -- B4 BOM, CRLF, no-break spaces; B5 NFD ----------------------------------------------


def _quads_without_hash(folder: Path) -> set[str]:
    result = build([folder], out=None)
    return {str(q) for q in result.quads if q.predicate.value != str(CN.contentHash)}


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("lisboa-bom-crlf-nbsp.txt", "lisboa.txt"),  # B4
        ("koln-nfd.txt", "koln.txt"),  # B5
    ],
)
def test_b4_b5_dirty_copy_builds_exactly_the_clean_graph(
    tmp_path: Path, dirty: str, clean: str
) -> None:
    a = copy_pages(tmp_path / "dirty", FIXTURES / dirty, names=(clean,))
    b = copy_pages(tmp_path / "clean", PAGES / clean)
    got, want = _quads_without_hash(a), _quads_without_hash(b)
    assert len(want) > 300
    assert got == want


def test_b5_nfd_and_nfc_spellings_are_one_city_with_nfc_labels() -> None:
    nfd = read_text("# city: Plzen\u030c\nLocation: Czech Republic\nPopulation: 170 000\n", "a.txt")
    nfc = read_text("# city: Plze\u0148\nLocation: Czech Republic\nPopulation: 170 000\n", "b.txt")
    quads, reports, _ = build_graph([nfd, nfc])
    assert [r.error for r in reports] == [None, None]
    cities = {q.subject.value for q in quads if q.object == ox.NamedNode(str(CN.City))}
    assert cities == {f"{BASE}city/cz/pilsen"}
    spellings = {o.value for o in objects(quads, f"{BASE}city/cz/pilsen", SKOS.altLabel)}
    assert spellings == {"Plzeň"} and len(spellings.pop()) == 5  # one spelling, NFC


# -- B6 B7 B8 shortcodes in the graph ------------------------------------------------------


def test_b6_b7_b8_shortcode_variants_in_the_graph() -> None:
    result = build([FIXTURES / "shortcodes.txt"], out=None)
    projects = sorted(
        q.subject.value for q in result.quads if q.object == ox.NamedNode(str(CN.Project))
    )
    assert projects == [
        f"{BASE}project/31294",  # B6: three quote styles, one IRI
        f"{BASE}project/4242",  # B8: label from the text after the empty link
        f"{BASE}project/ellipsis",  # B7: links without an id are label-only projects
        f"{BASE}project/label-only",
        f"{BASE}project/map",
    ]
    labels = objects(result.quads, f"{BASE}project/31294", RDFS.label)
    assert labels == [ox.Literal("Goal Project", language="en")]
    assert objects(result.quads, f"{BASE}project/4242", RDFS.label) == [
        ox.Literal("Prevention Network", language="en")
    ]
    every_iri = {
        t.value for q in result.quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)
    }
    assert not any(iri.endswith("/project/") or iri.endswith("/project") for iri in every_iri)
    assert not any(
        q.predicate.value == str(RDFS.label) and q.object.value == "" for q in result.quads
    )
    (page,) = result.pages
    assert [(w.line, w.col, w.code) for w in page.warnings if w.code.startswith("link")] == [
        (10, 18, "link-no-id"),
        (11, 18, "link-no-id"),
        (12, 18, "link-no-id"),
        (13, 18, "link-no-label"),
    ]


LIEGE = """# city: Liège
1. General Information :
Location: Belgium
2. The city in our network :
Participated in:
  • Partner of the [link url=”4242″][/link], 2005-2006
  • Partner of the [link url=”31294″]Goal Project[/link], 2009-2012
  • Partner of the [link url=”777″]Safer Cities[/link], 2009-2012
"""
CHARLEROI = """# city: Charleroi
1. General Information :
Location: Belgium
2. The city in our network :
Participated in:
  • Partner of the [link url=”4242″]Prevention Network[/link], 2005-2006
  • Partner of the [link url=”31294″]GOAL project[/link], 2009-2012
  • Partner of the [link url=”777″]Urban Safety Audit[/link], 2009-2012
"""


@pytest.fixture(scope="module")
def two_pages():  # type: ignore[no-untyped-def]
    records = [read_text(LIEGE, "liege.txt"), read_text(CHARLEROI, "charleroi.txt")]
    return build_graph(records)


def test_b8_an_unlabelled_link_takes_the_label_another_page_gives_its_id(two_pages) -> None:  # type: ignore[no-untyped-def]
    quads, reports, resolution = two_pages
    project = f"{BASE}project/4242"
    labels = [
        (q.object, q.graph_name.value)
        for q in quads
        if q.subject.value == project and q.predicate.value == str(RDFS.label)
    ]
    assert labels == [(ox.Literal("Prevention Network", language="en"), f"{BASE}source/charleroi")]
    participants = {
        q.subject.value
        for q in quads
        if q.predicate.value == str(CN.activity) and q.object.value == project
    }
    assert participants == {
        f"{BASE}participation/city/be/liege/project/4242/partner",
        f"{BASE}participation/city/be/charleroi/project/4242/partner",
    }
    liege = reports[0]
    assert [(w.line, w.col, w.code) for w in liege.warnings if "4242" in w.text] == [
        (6, 18, "link-no-label")
    ]
    assert "4242" not in {i for c in resolution.id_conflicts for i in c.network_ids}


def test_b10_one_id_spelt_two_ways_is_one_project_with_one_label_and_the_other_as_alt_label(
    two_pages, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Issue 17: one preferred label per node (most capitals on a tie: "GOAL"), the other
    # spelling a skos:altLabel in the graph of the page that wrote it; no SHACL warning.
    from citynet.validation.validate import validate

    quads, reports, _ = two_pages
    project = f"{BASE}project/31294"

    def values(predicate: str) -> list[tuple[str, str]]:
        return sorted(
            (q.object.value, q.graph_name.value.rsplit("/", 1)[1])
            for q in quads
            if q.subject.value == project and q.predicate.value == predicate
        )

    assert values(str(RDFS.label)) == [("GOAL project", "charleroi"), ("GOAL project", "liege")]
    assert values(str(SKOS.altLabel)) == [("Goal Project", "liege")]
    for name, text in (("liege.txt", LIEGE), ("charleroi.txt", CHARLEROI)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    built = build([tmp_path / "liege.txt", tmp_path / "charleroi.txt"], out=tmp_path / "out")
    assert set(built.quads) == set(quads)  # the graph of the records above
    report = validate([built.files["trig"]])
    assert [r for r in report.results if r.source_shape == "cnsh:label-unique-language"] == []


def test_b10_one_id_on_two_different_titles_is_two_projects_and_a_conflict(two_pages) -> None:  # type: ignore[no-untyped-def]
    # The documented policy (docs/resolution.md): an id linking different titles is a
    # wrong link on one of the pages (the seed links id 12 to two projects), so neither is
    # keyed by it; both mentions are warned and the conflict is reported.
    quads, reports, resolution = two_pages
    projects = {q.subject.value for q in quads if q.object == ox.NamedNode(str(CN.Project))}
    assert {f"{BASE}project/safer-cities", f"{BASE}project/urban-safety-audit"} <= projects
    assert f"{BASE}project/777" not in projects
    (conflict,) = [c for c in resolution.id_conflicts if c.network_ids == ["777"]]
    assert (conflict.kind, conflict.titles) == (
        "same id, different titles",
        ["Safer Cities", "Urban Safety Audit"],
    )
    warned = [(r.file, w.line) for r in reports for w in r.warnings if w.code == "id-conflict"]
    assert warned == [("liege.txt", 8), ("charleroi.txt", 8)]


# -- B12 B13 B15 impossible, reversed and vague dates in the graph ------------------------


def test_b12_b13_b15_rejected_dates_are_not_emitted_and_strict_exits_1(tmp_path: Path) -> None:
    page = FIXTURES / "bad-date.txt"
    relaxed = invoke("build", page, "--out", tmp_path / "a", "--no-validate")
    assert relaxed.exit_code == 0, relaxed.output
    stderr = relaxed.stderr
    assert "'31st of February 2009'" in stderr and f"{page}:13:" in stderr
    assert "9th-7th December 2000" in stderr and f"{page}:14:" in stderr
    assert "Summer 2009" in stderr and f"{page}:15:" in stderr
    nt = (tmp_path / "a" / "citynet.nt").read_text(encoding="utf-8")
    dates = sorted(set(re.findall(r'"([0-9-]+)"\^\^<http://www.w3.org/2001/XMLSchema#date>', nt)))
    assert dates == ["2012-06-07"]  # only the one real date of the page
    assert "gYearMonth" not in nt  # "Summer 2009" is not June or any month
    strict = invoke("build", page, "--out", tmp_path / "b", "--no-validate", "--strict")
    assert strict.exit_code == 1


def test_b14_a_list_of_periods_becomes_several_intervals() -> None:
    record = read_text(
        "# city: Liège\nLocation: Belgium\nParticipated in:\n"
        "  • Partner of the [link url=”2000″]Foo project[/link], 2000-2004, 2006-2009\n",
        "liege.txt",
    )
    assert [(p.start, p.end) for p in record.activities[0].periods] == [
        ("2000", "2004"),
        ("2006", "2009"),
    ]
    quads, _, _ = build_graph([record])
    # One participation per interval; the project spans both.
    base = f"{BASE}participation/city/be/liege/project/2000/partner"
    for start, end in (("2000", "2004"), ("2006", "2009")):
        assert [s.value for s in objects(quads, f"{base}/{start}", CN.startYear)] == [start]
        assert [e.value for e in objects(quads, f"{base}/{start}", CN.endYear)] == [end]
    assert [s.value for s in objects(quads, f"{BASE}project/2000", CN.startYear)] == ["2000"]
    assert [e.value for e in objects(quads, f"{BASE}project/2000", CN.endYear)] == ["2009"]


# -- B17 control characters; B18 odd names; B19 slug collisions; B20 hostile text --------


def test_b17_control_characters_never_reach_any_output(tmp_path: Path) -> None:
    from citynet.web.generate import build_site

    result = build([FIXTURES / "controls.txt"], out=tmp_path / "build")
    raw = (FIXTURES / "controls.txt").read_bytes()
    assert b"\x00" in raw and b"\x07" in raw and "\u2028".encode() in raw and b"\xef\xbb\xbf" in raw
    for quad in result.quads:
        if isinstance(quad.object, ox.Literal):
            check_literal(quad.object)
    site = build_site([result.files["trig"]], tmp_path / "site").out
    written = [p for p in [*result.files.values(), *site.rglob("*")] if p.suffix in RDF_SUFFIXES]
    for path in written:
        for quad in strict_parse(path):
            if isinstance(quad.object, ox.Literal):
                assert not FORBIDDEN.search(quad.object.value), path


ODD_NAMES = {
    "l'Hospitalet": "city/es/l-hospitalet",
    "Aix-la-Chapelle": "city/es/aix-la-chapelle",
    "Xàbia": "city/es/xabia",
    "San Sebastián": "city/es/san-sebastian",
    "50%": "city/es/50",
    "A/B": "city/es/a-b",
    "..": "city/es/x-9d891e731f",
}


def test_b18_odd_city_names_give_valid_slug_iris_and_exact_labels() -> None:
    record = PageRecord(path="home.txt", content_sha256="0" * 64)
    record.city = PlaceName("Home", country_code="ES")
    record.twins = [
        Twin(PlaceName(name, country_code="ES"), None, line, name)
        for line, name in enumerate(ODD_NAMES, start=3)
    ]
    quads, warnings = Mapper(BASE).map_page(record)
    assert warnings == []
    for name, path in ODD_NAMES.items():
        iri = BASE + path
        assert ox.NamedNode(iri).value == iri and is_safe_path(path)
        assert objects(quads, iri, RDFS.label) == [ox.Literal(name, language="en")]


def test_b19_unresolved_spellings_on_one_slug_are_reported_and_both_kept() -> None:
    record = read_text(
        "# city: Liège\nLocation: Belgium\n"
        "Twinned with: Foo-Barqux (Germany), Foo Barqux (Germany)\n",
        "liege.txt",
    )
    quads, (report,), resolution = build_graph([record])
    node = f"{BASE}city/de/foo-barqux"
    assert objects(quads, node, RDFS.label) == [ox.Literal("Foo-Barqux", language="en")]
    assert objects(quads, node, SKOS.altLabel) == [ox.Literal("Foo Barqux")]
    (warning,) = [w for w in report.warnings if w.code == "slug-collision"]
    assert (warning.line, warning.message) == (
        3,
        "'Foo Barqux' and 'Foo-Barqux' (liege.txt:3) get the same IRI city/de/foo-barqux:"
        " kept as one place with both spellings; check they are the same place",
    )


def test_b19_spellings_of_one_geonames_city_are_one_city_without_warning() -> None:
    record = read_text(
        "# city: Liège\nLocation: Belgium\n"
        "Twinned with: Plzeň (Czech Republic), Plzen (Czech Republic), Pilsen (Czech Republic)\n",
        "liege.txt",
    )
    quads, (report,), _ = build_graph([record])
    node = f"{BASE}city/cz/pilsen"
    assert objects(quads, node, RDFS.label) == [ox.Literal("Pilsen", language="en")]
    assert [o.value for o in objects(quads, node, SKOS.altLabel)] == ["Plzen", "Plzeň"]
    assert not [w for w in report.warnings if w.code == "slug-collision"]


def test_b20_hostile_text_is_literal_text_and_never_a_link() -> None:
    record = read_text(
        "# city: Liège\nLocation: Belgium\nOfficial website: javascript:alert(1)\n"
        "Twinned with: <script>alert(1)</script> (Germany),"
        ' "><img src=x onerror=alert(1)> (France)\n',
        "liege.txt",
    )
    quads, (report,), _ = build_graph([record])
    iris = {t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    assert not any(iri.startswith(("javascript:", "data:")) for iri in iris)
    assert all(is_safe_path(i[len(BASE) :]) for i in iris if is_minted(i))
    texts = {q.object.value for q in quads if isinstance(q.object, ox.Literal)}
    assert "<script>alert(1)</script> (Germany)" in texts  # cn:sourceText, exactly
    assert any(
        t.startswith("<script>") for t in texts if t != "<script>alert(1)</script> (Germany)"
    )
    assert [(w.line, w.code) for w in report.warnings if w.line == 3] == [(3, "no-url")]


# -- B21 huge pages ------------------------------------------------------------------------


def test_b21_page_above_max_page_bytes_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    pages = copy_pages(tmp_path / "pages", PAGES / "liege.txt", PAGES / "charleroi.txt")
    size = (pages / "charleroi.txt").stat().st_size
    result = invoke("build", pages, "--out", tmp_path / "out", "--max-page-bytes", str(size - 1))
    assert result.exit_code == 2
    assert error_line(result).startswith(
        f"error: {pages / 'charleroi.txt'}: page is {size} bytes, above the limit of {size - 1}"
    )
    assert not (tmp_path / "out").exists()


# -- B31 unsafe RDF through every command that reads RDF ---------------------------------

ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">
  <rdf:Description rdf:about="http://e/a"><e:p>&lol2;</e:p></rdf:Description>
</rdf:RDF>
"""
REMOTE_CONTEXT = '{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://e/a", "name": "x"}'


@pytest.mark.parametrize(
    ("name", "content", "refusal"),
    [
        ("bomb.rdf", ENTITY_BOMB, "DOCTYPE or ENTITY declaration is refused"),
        ("remote.jsonld", REMOTE_CONTEXT, "remote @context is refused"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "query", "site", "publish"])
def test_b31_unsafe_rdf_is_refused_by_every_command_with_no_connection(
    tmp_path: Path, no_network: NetworkLog, name: str, content: str, refusal: str, command: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    args = {
        "validate": ["validate", path],
        "query": ["query", "stats", "--data", path],
        "site": ["site", path, "--out", tmp_path / "site"],
        # A store on a closed port: had the file been read, the run would fail with 3.
        "publish": ["publish", path, "--store", "http://127.0.0.1:9/store", "--force"],
    }[command]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    line = error_line(result)
    assert str(path) in line and refusal in line
    assert not (tmp_path / "site").exists()


# -- B32 hostile names end to end --------------------------------------------------------


def test_b32_hostile_names_mint_safe_iris_and_a_reserved_name_stops_the_site(
    tmp_path: Path,
) -> None:
    page = tmp_path / "pages" / "liege.txt"
    page.parent.mkdir()
    page.write_text(
        "# city: Liège\nLocation: Belgium\n"
        "Twinned with: ..%2F..%2Fetc%2Fpasswd (Spain), /etc/passwd (Spain), Con (Spain)\n",
        encoding="utf-8",
    )
    built = build([page], out=tmp_path / "build")
    minted = {
        t.value[len(BASE) :]
        for q in built.quads
        for t in (q.subject, q.object)
        if isinstance(t, ox.NamedNode) and is_minted(t.value)
    }
    assert {"city/es/2f-2fetc-2fpasswd", "city/es/etc-passwd", "city/es/con"} <= minted
    assert all(is_safe_path(path) for path in minted)
    before = tree(tmp_path)
    result = invoke("site", built.files["trig"], "--out", tmp_path / "site")
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith(f"error: unsafe IRI <{BASE}") and "/es/con>: " in line
    assert tree(tmp_path) == before  # nothing written, inside or outside --out


# -- every CLI error is one line; --debug shows the traceback ----------------------------


@pytest.fixture(scope="module")
def small_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small")
    return build([PAGES / "charleroi.txt"], out=out).files["trig"]


def cli_cases(tmp: Path, graph: Path) -> list[tuple[list[object], int, str]]:
    broken = tmp / "broken.ttl"
    broken.write_text("<http://e/a> <http://e/p> .\n", encoding="utf-8")
    a_file = tmp / "a-file"
    a_file.write_text("x")
    return [
        (["build", tmp / "nope.txt", "--out", tmp / "o1"], 2, "no such file or folder"),
        (
            ["build", PAGES / "liege.txt", "--out", tmp / "o2", "--base-iri", "not an iri"],
            2,
            "is not a valid IRI",
        ),
        (["build", PAGES / "liege.txt", "--out", a_file / "out"], 2, "cannot write the build"),
        (["validate", tmp / "nope.trig"], 2, "no such file"),
        (["validate", broken], 2, f"{broken}:1:27: not valid turtle"),
        (["validate", graph, "--shapes", broken], 2, f"{broken}:1:"),
        (["query", "no-such-query", "--data", graph], 2, "no named query 'no-such-query'"),
        (["query", "city-twins", "--data", broken], 2, f"{broken}:1:27: not valid turtle"),
        (
            ["query", "stats", "--endpoint", "http://127.0.0.1:9/query", "--timeout", "2"],
            3,
            "127.0.0.1:9",
        ),
        (["publish", graph, "--store", "notaurl"], 2, "not an http(s) URL"),
        (["publish", tmp / "nope.trig", "--store", "http://127.0.0.1:9/store"], 2, "no such file"),
        (
            ["publish", graph, "--store", "http://127.0.0.1:9/store", "--timeout", "2"],
            3,
            "cannot reach",
        ),
        (["site", tmp / "nope.trig", "--out", tmp / "s1"], 2, "no such file"),
        (["site", graph, "--out", tmp / "s2", "--base-iri", "https://x.test/"], 2, "no resource"),
    ]


def test_every_cli_error_is_one_line_with_no_traceback(tmp_path: Path, small_graph: Path) -> None:
    for args, code, expected in cli_cases(tmp_path, small_graph):
        result = invoke(*args)
        assert result.exit_code == code, (args, result.output)
        line = error_line(result)
        assert expected in line, (args, line)


@pytest.mark.parametrize(
    "args",
    [
        ["build", "--format", "xml"],
        ["query", "stats", "--timeout", "soon"],
        ["publish", "--store"],
        ["validate", "--input-format", "csv", "-"],
        ["site"],  # --out is required
    ],
)
def test_click_usage_errors_are_exit_2_with_one_error_line(args: list[str]) -> None:
    # Click's own usage errors keep its format: the usage line, the --help hint and one
    # "Error:" line saying what is wrong.
    result = invoke(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len([line for line in result.stderr.splitlines() if line.startswith("Error: ")]) == 1


def test_debug_shows_the_traceback_then_the_same_error_and_exit_code(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "citynet",
        "build",
        str(tmp_path / "nope.txt"),
        "--out",
        str(tmp_path / "o"),
    ]
    plain = subprocess.run(command, capture_output=True, text=True, timeout=120)
    debug = subprocess.run(
        [*command[:3], "--debug", *command[3:]], capture_output=True, text=True, timeout=120
    )
    line = f"error: {tmp_path / 'nope.txt'}: no such file or folder (check the path)"
    assert (plain.returncode, plain.stderr) == (2, line + "\n")
    assert debug.returncode == 2
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert "citynet.errors.InputError" in debug.stderr
    assert debug.stderr.splitlines()[-1] == line


# -- what is written can be published ---------------------------------------------------


def test_outputs_get_the_modes_of_the_umask_not_the_temporary_files(tmp_path: Path) -> None:
    import os

    from citynet.web.generate import build_site

    previous = os.umask(0o022)
    try:
        result = build([PAGES / "charleroi.txt"], out=tmp_path / "build")
        site = build_site([result.files["trig"]], tmp_path / "site").out
        answer = invoke(
            "query", "stats", "--data", result.files["trig"], "--out", tmp_path / "s.txt"
        )
    finally:
        os.umask(previous)
    assert answer.exit_code == 0, answer.output
    modes = {path.name: path.stat().st_mode & 0o777 for path in result.files.values()}
    assert set(modes.values()) == {0o644}, modes  # mkstemp alone gives 0600
    assert site.stat().st_mode & 0o777 == 0o755  # mkdtemp alone gives 0700
    assert (tmp_path / "s.txt").stat().st_mode & 0o777 == 0o644


# -- docs/reliability.md is held against the cases and the tests ---------------------------

CASES_FILE = SHARED / "reliability-cases.md"
DOC = ROOT / "docs" / "reliability.md"


def test_the_doc_has_one_row_per_case_and_names_only_tests_that_exist() -> None:
    doc = DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([BF]\d+) \|", doc, re.MULTILINE)
    expected = [f"B{i}" for i in range(1, 33)] + [f"F{i}" for i in range(1, 11)]
    assert rows == expected
    if CASES_FILE.is_file():
        cases = re.findall(r"^\| ([BF]\d+) \|", CASES_FILE.read_text(encoding="utf-8"), re.M)
        assert cases == expected
    for match in re.finditer(r"`(test_\w+\.py)::(test_\w+)(\*?)", doc):
        file, name, prefix = match.groups()
        source = (ROOT / "tests" / file).read_text(encoding="utf-8")
        pattern = rf"^def {name}\w*\(" if prefix else rf"^def {name}\("
        assert re.search(pattern, source, re.MULTILINE), f"{file}::{name}"
    for match in re.finditer(r"`::(test_\w+?)(?:`|\[|…)", doc):  # `::name` after a file
        name = match.group(1)
        found = any(
            re.search(rf"^def {name}\(", path.read_text(encoding="utf-8"), re.MULTILINE)
            for path in (ROOT / "tests").glob("test_*.py")
        )
        assert found, name
