"""citynet import-twins on a slice of the real Wikidata files, and the twin-check query."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode, RdfFormat, parse
from w3c_suites import SHARED

from citynet.cli import cli
from citynet.graph.build import build
from citynet.graph.twins import import_twins, resolve_label
from citynet.resolve.gazetteer import default_gazetteer

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "data" / "pages"
BASE = "https://w3id.org/citynet/"
LIEGE = ["Q1017", "Q126148", "Q16010", "Q34370", "Q36433", "Q365", "Q3992", "Q40898"]
LIEGE += ["Q495", "Q648", "Q914"]


@pytest.fixture(scope="module")
def real() -> Path:
    folder = SHARED / "twin-towns" / "L3viathan-sister-cities"
    assert (folder / "relations.tsv").is_file(), f"the vendored Wikidata sample is not at {folder}"
    return folder


@pytest.fixture(scope="module")
def liege_slice(real: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Liège's claims (20 lines) and the labels of the 11 items they name."""
    folder = tmp_path_factory.mktemp("twins")
    names = [
        line
        for line in (real / "names.tsv").read_text(encoding="utf-8").splitlines()
        if line.split("\t")[0] in LIEGE
    ]
    relations = [
        line
        for line in (real / "relations.tsv").read_text(encoding="utf-8").splitlines()
        if "Q3992" in line.split("\t")
    ]
    (folder / "names.tsv").write_text("\n".join(names) + "\n", encoding="utf-8")
    (folder / "relations.tsv").write_text("\n".join(relations) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def imported(liege_slice: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("out")
    return import_twins(liege_slice, out=out), out


def test_german_labels_resolve_to_geonames() -> None:
    gazetteer = default_gazetteer()
    cases = {
        "Lüttich": ("Liège", "BE", 2792413),
        "Wolgograd": ("Volgograd", "RU", 472757),
        "Aachen": ("Aachen", "DE", 3247449),
        "Cogo, Equatorial Guinea": ("Cogo", "GQ", None),
    }
    for label, (name, code, geonames_id) in cases.items():
        place = resolve_label("Q1", label, 1, gazetteer)
        assert (place.name, place.country_code) == (name, code), label
        if geonames_id:
            assert place.geonames_id == geonames_id
    assert resolve_label("Q1", "Q12345", 1, gazetteer).status == "unresolved"
    hessen = resolve_label("Q1", "Hessen", 1, gazetteer)
    assert (hessen.status, hessen.country_code, hessen.geonames_id) == ("region", "DE", None)
    siechnice = resolve_label("Q1", "Gmina Siechnice", 1, gazetteer)
    assert (siechnice.name, siechnice.how) == ("Siechnice", "without administrative word")


def test_liege_slice_counts(imported) -> None:
    result, out = imported
    assert result.counts() == {
        "places": 11,
        "cities": 11,
        "regions": 0,
        "unresolved": 0,
        "ambiguous": 0,
        "claims": 20,
        "claims_skipped": 0,
        "twinnings": 10,
        "malformed_lines": 0,
    }
    report = json.loads((out / "wikidata-twins-report.json").read_text(encoding="utf-8"))
    assert report["unresolved"] == [] and report["skipped_claims"] == []


def test_liege_slice_graph(imported) -> None:
    _, out = imported
    quads = list(parse(path=str(out / "wikidata-twins.trig"), format=RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads}
    assert graphs == {BASE + "source/wikidata"}
    liege = NamedNode(BASE + "city/be/liege")
    same = {
        q.object.value for q in quads if q.subject == liege and q.predicate.value.endswith("sameAs")
    }
    assert same == {"http://www.wikidata.org/entity/Q3992", "https://sws.geonames.org/2792413/"}
    alt = {q.object.value for q in quads if q.subject == liege and "altLabel" in q.predicate.value}
    assert alt == {"Lüttich"}
    nancy = NamedNode(BASE + "twinning/be/liege/fr/nancy")
    lines = sorted(
        q.object.value for q in quads if q.subject == nancy and "sourceLine" in q.predicate.value
    )
    assert len(lines) == 2  # Liège states it, and Nancy states it back
    cities = {
        q.object.value for q in quads if q.subject == nancy and "twinCity" in q.predicate.value
    }
    assert cities == {BASE + "city/be/liege", BASE + "city/fr/nancy"}
    source = NamedNode(BASE + "source/wikidata")
    about = {
        q.predicate.value.rsplit("/", 1)[-1]: q.object.value for q in quads if q.subject == source
    }
    assert about["source"] == "https://www.wikidata.org/"
    # No cn:twinnedWith: that property records what profile pages state.
    assert not any(q.predicate.value.endswith("twinnedWith") for q in quads)


def test_twin_check_on_bundled_pages(imported, tmp_path: Path) -> None:
    from citynet.sparql.queries import make_backend, run_query

    _, out = imported
    build([PAGES], out=tmp_path)
    backend = make_backend([tmp_path / "citynet.trig", out / "wikidata-twins.trig"])
    rows = run_query("twin-check", {"city": "Liège"}, backend=backend).rows
    by_status: dict[str, set[str]] = {}
    for city, twin, status, *_ in rows:
        assert str(city) == "Liège"
        by_status.setdefault(str(status), set()).add(str(twin))
    assert by_status == {
        "both": {
            "Aachen",
            "Esch-sur-Alzette",
            "Köln",
            "Lille",
            "Nancy",
            "Porto",
            "Rotterdam",
            "Tangier",
            "Turin",
            "Volgograd",
        },
        "page only": {"Kraków", "Lubumbashi", "Maastricht", "Pilsen", "Saint-Louis"},
    }
    # The same rows from rdflib's engine.
    rdflib_rows = run_query(
        "twin-check",
        {"city": "Liège"},
        backend=make_backend(
            [tmp_path / "citynet.trig", out / "wikidata-twins.trig"], engine="rdflib"
        ),
    ).rows
    assert [tuple(map(str, r)) for r in rdflib_rows] == [tuple(map(str, r)) for r in rows]


def test_cli_import_twins(liege_slice: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import-twins", str(liege_slice), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("20 claims on 11 places: 11 cities and 0 regions resolved")
    assert (tmp_path / "wikidata-twins.trig").exists()


def test_missing_files_are_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import-twins", str(tmp_path), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "names.tsv: no such file" in result.output
