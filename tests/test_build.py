"""`citynet build` end to end on the bundled pages: outputs, determinism, exit codes."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat, parse
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from w3c_suites import SHARED

from citynet.cli import cli
from citynet.graph.build import build

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "data" / "pages"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("build")
    return build([PAGES], out=out), out


def test_outputs_written(built) -> None:
    result, out = built
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "citynet.jsonld",
        "citynet.nq",
        "citynet.nt",
        "citynet.trig",
        "citynet.ttl",
        "report.json",
    ]
    assert result.counts["pages"] == 18
    assert result.errors == []


def test_one_named_graph_per_page(built) -> None:
    result, out = built
    graphs = {
        q.graph_name.value for q in parse(path=str(out / "citynet.nq"), format=RdfFormat.N_QUADS)
    }
    stems = sorted(p.stem.replace(".", "-") for p in PAGES.glob("*.txt"))
    assert sorted(g.rsplit("/", 1)[1] for g in graphs) == stems


def test_trig_round_trip_is_isomorphic(built) -> None:
    _, out = built
    trig = Dataset()
    trig.parse(out / "citynet.trig", format="trig")
    nquads = Dataset()
    nquads.parse(out / "citynet.nq", format="nquads")
    assert len(trig) == len(nquads)
    for context in nquads.graphs():
        if len(context) == 0:
            continue
        assert isomorphic(context, trig.graph(context.identifier))
    merged_ttl = Graph().parse(out / "citynet.ttl", format="turtle")
    merged_nt = Graph().parse(out / "citynet.nt", format="nt")
    merged_jsonld = Graph().parse(out / "citynet.jsonld", format="json-ld")
    assert isomorphic(merged_ttl, merged_nt)
    assert isomorphic(merged_ttl, merged_jsonld)
    assert len(merged_ttl) == built[0].counts["triples"]


def test_build_is_byte_identical(built, tmp_path: Path) -> None:
    _, first = built
    build([PAGES], out=tmp_path)
    for path in first.iterdir():
        assert path.read_bytes() == (tmp_path / path.name).read_bytes(), path.name


def test_base_iri_is_overridable(tmp_path: Path) -> None:
    result = build([PAGES / "charleroi.txt"], out=None, base_iri="https://data.example.org/efus")
    subjects = {q.subject.value for q in result.quads}
    assert "https://data.example.org/efus/city/be/charleroi" in subjects
    assert not any(s.startswith("https://w3id.org/citynet/") for s in subjects)


def test_report_json(built) -> None:
    _, out = built
    report = json.loads((out / "report.json").read_text())
    by_file = {Path(p["file"]).name: p for p in report["pages"]}
    liege = by_file["liege.txt"]
    assert liege["city"] == "Liège"
    assert liege["city_origin"] == "header"
    assert liege["source_url"] == "https://efus.eu/about-us/liege/"
    assert liege["facts"]["twins"] == 15
    assert liege["facts"]["projects"] == 15 - 3
    assert report["counts"]["pages"] == 18


def test_cli_missing_input_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "nope.txt"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "nope.txt: no such file or folder" in result.output
    assert "Traceback" not in result.output


def test_cli_strict_exits_1_on_warnings(tmp_path: Path) -> None:
    page = tmp_path / "bad.txt"
    page.write_text(
        "# city: Charleroi\n\nLocation: Belgium\n\nPopulation: many\n", encoding="utf-8"
    )
    runner = CliRunner()
    relaxed = runner.invoke(
        cli, ["build", str(page), "--out", str(tmp_path / "o1"), "--no-validate"]
    )
    assert relaxed.exit_code == 0, relaxed.output
    strict = runner.invoke(
        cli, ["build", str(page), "--out", str(tmp_path / "o2"), "--no-validate", "--strict"]
    )
    assert strict.exit_code == 1
    assert "bad.txt:5" in strict.output


def test_cli_page_without_city_needs_city_option(tmp_path: Path) -> None:
    seed = SHARED / "seeds" / "efus-profile-liege.txt"
    page = tmp_path / "profile.txt"
    page.write_bytes(seed.read_bytes())
    runner = CliRunner()
    nameless = runner.invoke(
        cli, ["build", str(page), "--out", str(tmp_path / "o"), "--no-validate"]
    )
    assert nameless.exit_code == 1
    assert "--city" in nameless.output
    named = runner.invoke(
        cli,
        ["build", str(page), "--city", "Liège", "--out", str(tmp_path / "o2"), "--no-validate"],
    )
    assert named.exit_code == 0, named.output
    assert "https://w3id.org/citynet/city/be/liege" in (tmp_path / "o2" / "citynet.nt").read_text()


HTML_TWINS = {
    "brussels.html": "brussels.txt",
    "essen.html": "essen.txt",
    "gdansk.html": "gdansk.txt",
    "nantes.html": "nantes.txt",
    "generalitat-de-catalunya.fr.html": "generalitat-de-catalunya.fr.txt",
}
# Provenance that legitimately differs between the two forms of one page.
FORM_SPECIFIC = {
    "https://w3id.org/citynet/ontology#sourceLine",
    "https://w3id.org/citynet/ontology#contentHash",
    "https://w3id.org/citynet/ontology#fileName",
    "https://w3id.org/citynet/ontology#cityNamedBy",
}


def _form_neutral(quads) -> set[tuple[str, str, str]]:
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in quads
        if q.predicate.value not in FORM_SPECIFIC
    }


@pytest.mark.parametrize(("html", "text"), sorted(HTML_TWINS.items()))
def test_html_and_text_forms_give_the_same_graph(tmp_path: Path, html: str, text: str) -> None:
    fixtures = ROOT / "tests" / "fixtures" / "pages"
    # Same file stem, so both forms get the same named graph IRI.
    html_copy = tmp_path / "html" / (text.removesuffix(".txt") + ".html")
    html_copy.parent.mkdir()
    html_copy.write_bytes((fixtures / html).read_bytes())
    from_html = build([html_copy], out=None)
    from_text = build([PAGES / text], out=None)
    assert from_html.counts == from_text.counts
    assert _form_neutral(from_html.quads) == _form_neutral(from_text.quads)


def test_html_seed_gives_the_seed_graph(tmp_path: Path) -> None:
    html = ROOT / "tests" / "fixtures" / "pages" / "efus-profile-liege.html"
    copy = tmp_path / "liege.html"
    copy.write_bytes(html.read_bytes())
    from_html = build([copy], out=None, city="Liège")
    from_text = build([PAGES / "liege.txt"], out=None)
    assert from_html.counts["twinnings"] == 15
    only_text = _form_neutral(from_text.quads) - _form_neutral(from_html.quads)
    assert _form_neutral(from_html.quads) - _form_neutral(from_text.quads) == set()
    # The bundled copy carries the source URL header the published page lacks.
    assert only_text == {
        (
            "<https://w3id.org/citynet/source/liege>",
            "<http://purl.org/dc/terms/source>",
            "<https://efus.eu/about-us/liege/>",
        )
    }


def test_report_explains_resolution(built) -> None:
    _, out = built
    resolution = json.loads((out / "report.json").read_text())["resolution"]
    mismatches = {Path(m["file"]).name: m for m in resolution["population_mismatches"]}
    # Brussels' page gives the City of Brussels (170 407); GeoNames the whole region.
    assert mismatches["brussels.txt"]["page"] == 170407
    assert mismatches["brussels.txt"]["geonames_id"] == 2800866
    goal = next(m for m in resolution["merges"] if m["key"] == "project/31294")
    assert sorted(Path(m["file"]).name for m in goal["mentions"]) == ["charleroi.txt", "liege.txt"]


def test_no_two_city_nodes_share_a_geonames_id(built) -> None:
    result, _ = built
    same_as = "http://www.w3.org/2002/07/owl#sameAs"
    owners: dict[str, set[str]] = {}
    for quad in result.quads:
        if quad.predicate.value == same_as:
            owners.setdefault(quad.object.value, set()).add(quad.subject.value)
    assert owners, "no GeoNames links at all"
    assert {g: s for g, s in owners.items() if len(s) > 1} == {}


def test_provenance_says_where_the_city_name_came_from(built) -> None:
    result, _ = built
    named_by = {
        q.subject.value.rsplit("/", 1)[1]: q.object.value
        for q in result.quads
        if q.predicate.value == "https://w3id.org/citynet/ontology#cityNamedBy"
    }
    assert named_by["liege"] == "header"
    assert named_by["essen"] == "title line"
    assert named_by["koln"] == "title line"
    assert named_by["porto"] == "url"
    assert len(named_by) == 18


def test_liege_and_charleroi_share_one_node_per_project_and_event() -> None:
    result = build([PAGES / "liege.txt", PAGES / "charleroi.txt"], out=None)
    cn = "https://w3id.org/citynet/ontology#"
    participants: dict[str, set[str]] = {}
    by_node: dict[str, dict[str, set[str]]] = {}
    for q in result.quads:
        node = by_node.setdefault(q.subject.value, {})
        node.setdefault(q.predicate.value, set()).add(q.object.value)
    for node in by_node.values():
        if f"{cn}Participation" in node.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ()):
            (activity,) = node[f"{cn}activity"]
            participants.setdefault(activity, set()).update(node[f"{cn}participant"])

    liege, charleroi = (
        "https://w3id.org/citynet/city/be/liege",
        "https://w3id.org/citynet/city/be/charleroi",
    )
    # Goal Project (31294), Abused and neglected Elderly Women (1621), SecuCities Football
    # (30286): Liège links their ids, Charleroi names them without links.
    for project in ("project/31294", "project/1621", "project/30286"):
        assert participants["https://w3id.org/citynet/" + project] == {liege, charleroi}
    projects = [iri for iri in by_node if iri.startswith("https://w3id.org/citynet/project/")]
    assert not [p for p in projects if "goal" in p or "abused" in p or "football" in p]
    for event in (
        "event/2013-06-27/general-assembly/cascais",
        "event/2012-06-07/general-assembly/brussels",
    ):
        assert participants["https://w3id.org/citynet/" + event] == {liege, charleroi}


def test_cli_sums_the_warnings_up_by_kind_and_lists_them_all_on_request(tmp_path: Path) -> None:
    page = tmp_path / "noisy.txt"
    lines = [f"Population: many {n}" for n in range(60)]
    page.write_text("# city: Charleroi\n\nLocation: Belgium\n\n" + "\n".join(lines) + "\n")
    out = tmp_path / "out"
    args = ["build", str(page), "--out", str(out), "--no-validate"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    total = report["counts"]["warnings"]
    kinds = collections.Counter(w["code"] for p in report["pages"] for w in p["warnings"])
    assert total >= 60 and sum(kinds.values()) == total
    summary = result.stderr.splitlines()
    by_kind = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    assert summary[0] == f"{total} warnings by kind: {by_kind}"
    shown = [line for line in summary if line.startswith("warning: ")]
    assert len(shown) == min(3, len(kinds))  # one of each kind, the rarest first
    rarest = min(kinds, key=lambda kind: kinds[kind])
    first_rare = next(w for p in report["pages"] for w in p["warnings"] if w["code"] == rarest)
    assert shown[0].startswith(f"warning: {page}:{first_rare['line']}:")
    assert summary[-1] == f"{out}/report.json has all (--warnings all lists them here)"
    every = CliRunner().invoke(cli, [*args, "--warnings", "all"])
    listed = [line for line in every.stderr.splitlines() if line.startswith("warning: ")]
    assert len(listed) == total
    assert listed[0].startswith(f"warning: {page}:5:")
    assert CliRunner().invoke(cli, [*args, "-v"]).stderr.count("warning: ") == total
    assert CliRunner().invoke(cli, [*args, "-q"]).stderr == ""


def test_folder_inputs_are_the_page_files_rglob_finds_in_path_order(tmp_path: Path) -> None:
    from citynet.graph.build import PAGE_SUFFIXES, collect_inputs

    pages = tmp_path / "pages"
    for name in (
        "b.txt",
        "a-b.txt",
        "a/b.txt",
        "a/c/d.HTML",
        "a/notes.md",
        ".hidden.txt",
        ".txt",
        "x.",
        "z.htm",
    ):
        (pages / name).parent.mkdir(parents=True, exist_ok=True)
        (pages / name).write_text("x")
    (pages / "folder.txt").mkdir()  # listed, as rglob lists it: reading it then says so
    (pages / "link").symlink_to(pages / "a", target_is_directory=True)  # not entered
    found = collect_inputs([pages])
    expected = sorted(p for p in pages.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES)
    assert found == expected
    assert [p.relative_to(pages).as_posix() for p in found] == [
        ".hidden.txt",
        "a/b.txt",
        "a/c/d.HTML",
        "a-b.txt",
        "b.txt",
        "folder.txt",
        "z.htm",
    ]


def test_report_json_layout_and_leaves_as_the_json_encoder_writes_them() -> None:
    import json

    from citynet.graph.outputs import json_text

    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    leaves = [
        "Liège “x” \\ \n\t\x00",
        7,
        -3,
        True,
        False,
        None,
        1.5,
        1e100,
        float("nan"),
        [],
        {},
        [1, "a", [None, {"k": 2.0}]],
        {"a": [1, 2], "b": {"c": "d"}},
        ("t", 1),
    ]
    for leaf in leaves:
        assert json_text(leaf, depth=0) == encode(leaf), leaf
    doc = {"counts": {"pages": 2}, "pages": [{"file": "a.txt", "warnings": [{"line": 3}]}]}
    assert json_text(doc, depth=3) == (
        '{\n  "counts": {\n    "pages": 2\n  },\n  "pages": [\n    {\n'
        '      "file": "a.txt",\n      "warnings": [{"line": 3}]\n    }\n  ]\n}'
    )
    assert json.loads(json_text(doc)) == doc
