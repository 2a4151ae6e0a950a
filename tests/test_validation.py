"""Validation as a library and as `citynet validate`: reports, exit codes, broken shapes
(B23-B25), no network access, and the graph built from the bundled pages."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from citynet.cli import cli
from citynet.errors import ExitCode, InputError
from citynet.graph.formats import load_graph
from citynet.validation.validate import (
    format_report_text,
    lint_shapes,
    load_data_bytes,
    load_shapes,
    report_to_json,
    validate,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "shapes"
BASELINE = FIXTURES / "baseline.trig"
BREAKS = FIXTURES / "breaks"
BAD = FIXTURES / "bad"
BASE = "https://w3id.org/citynet/"

# Two violations and two warnings, from four break fixtures.
MIXED = [
    BASELINE,
    BREAKS / "MembershipBeforeNetworkShape.ttl",
    BREAKS / "YearPeriodShape-office.ttl",
    BREAKS / "TwinningStatedByBothShape.ttl",
    BREAKS / "LocalAuthority-population.ttl",
]


# --------------------------------------------------------------------------- network guard

_EVENTS: list[tuple[str, tuple[object, ...]]] = []
_RECORDING: list[bool] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _RECORDING and event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
        _EVENTS.append((event, args))


sys.addaudithook(_audit)  # audit hooks cannot be removed; it records only inside `no_network`


@pytest.fixture
def no_network() -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    """Record every attempt to open a connection while the test runs."""
    _EVENTS.clear()
    _RECORDING.append(True)
    try:
        yield _EVENTS
    finally:
        _RECORDING.clear()


def test_the_audit_hook_sees_a_connection_attempt(no_network: list) -> None:
    import socket

    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(0.5)
        sock.connect(("127.0.0.1", 9))  # the discard port, closed: refused locally
    assert [event for event, _ in no_network] == ["socket.connect"]


# --------------------------------------------------------------------------- the report


def test_report_as_data() -> None:
    report = validate(MIXED)
    assert not report.conforms
    assert report.counts == {"Violation": 2, "Warning": 2, "Info": 0}
    assert report.summary() == "2 violations, 2 warnings, 0 infos"
    first = report.results[0]  # violations first, then by page and line
    assert first.focus == BASE + "city/fr/nancy"
    assert first.focus_label == "Nancy"
    assert first.path == "cn:population"
    assert first.value == '"104000"^^xsd:integer'
    assert first.severity == "Violation"
    assert first.source_shape == "cnsh:LocalAuthority-population"
    assert first.constraint == "AndConstraintComponent"  # datatype and pattern: one check
    assert (first.source_file, first.source_line) == ("liege.txt", 15)
    twinning = next(
        r
        for r in report.results
        if r.constraint == "SPARQLConstraintComponent"
        and r.severity == "Warning"
        and "twinned" in r.message
    )
    assert twinning.focus_label == "twinning Cologne – Liège"
    assert twinning.value == "<city/de/cologne>"
    assert twinning.value_label == "Cologne"


def test_text_report_groups_by_node_with_labels_values_and_page_lines() -> None:
    text = format_report_text(validate(MIXED))
    assert text == (
        "Nancy  <city/fr/nancy>\n"
        '  Violation liege.txt:15  cn:population = "104000"^^xsd:integer\n'
        "            population must be a whole number of inhabitants (xsd:nonNegativeInteger)\n"
        "\n"
        "executive committee office of Porto in European Forum for Urban Security"
        "  <office/pt/porto/efus/executive-committee/2003>\n"
        '  Violation porto.txt:27  cn:endYear = "2000"^^xsd:gYear\n'
        "            ends in 2000, before it starts in 2003: the period on the page is reversed"
        " or mistyped\n"
        "\n"
        "twinning Cologne – Liège  <twinning/be/liege/de/cologne>\n"
        "  Warning   liege.txt:16  cn:twinCity = Cologne <city/de/cologne>\n"
        "            the page of Liège says it is twinned with Cologne, but the page of Cologne"
        " does not list Liège as a twin\n"
        "\n"
        "membership of Nancy in European Forum for Urban Security  <membership/fr/nancy/efus>\n"
        '  Warning   liege.txt:33  cn:since = "1986"^^xsd:gYear\n'
        "            member of European Forum for Urban Security since 1986, but Efus was"
        " founded in 1987: check the year on the page\n"
        "\n"
        "2 violations, 2 warnings, 0 infos\n"
    )


def test_summary_line_for_warnings_only_and_for_nothing() -> None:
    assert validate([BASELINE]).summary() == "conforms"
    report = validate([BASELINE, BREAKS / "NetworkIdSharedShape.ttl"])
    assert report.conforms
    assert report.summary() == "conforms: 0 violations, 2 warnings, 0 infos"
    report = validate([BASELINE, BREAKS / "CountryClosedShape.ttl"])
    assert report.summary() == "conforms: 0 violations, 0 warnings, 1 info"


def test_values_that_disagree_are_all_shown() -> None:
    report = validate([BASELINE, BREAKS / "label-unique-language.ttl"])
    (result,) = report.results
    assert result.value == (
        '"Crime Prevention in Europe"@en, "SecuCities Crime Prevention in Europe"@en'
    )


def test_json_report() -> None:
    data = report_to_json(validate(MIXED))
    assert json.loads(json.dumps(data)) == data
    assert data["conforms"] is False
    assert data["summary"] == "2 violations, 2 warnings, 0 infos"
    assert data["counts"] == {"violation": 2, "warning": 2, "info": 0}
    assert [r["severity"] for r in data["results"]] == ["Violation"] * 2 + ["Warning"] * 2
    assert data["results"][1]["source_file"] == "porto.txt"
    assert data["results"][1]["source_line"] == 27
    assert set(data["results"][0]) == {
        "focus", "focus_label", "path", "value", "value_label", "message", "severity",
        "source_shape", "source_file", "source_line", "constraint",
    }  # fmt: skip


def test_w3c_report_graph() -> None:
    report = validate(MIXED)
    graph = Graph().parse(data=report.turtle(), format="turtle")
    (node,) = graph.subjects(RDF.type, SH.ValidationReport)
    # conforms means "no violation" in every output; here there are two.
    assert graph.value(node, SH.conforms) == Literal(False)
    assert len(list(graph.objects(node, SH.result))) == 4
    severities = sorted(
        str(graph.value(r, SH.resultSeverity)) for r in graph.objects(node, SH.result)
    )
    assert severities == [str(SH.Violation)] * 2 + [str(SH.Warning)] * 2


def test_plain_graph_without_named_graphs_still_finds_page_and_line() -> None:
    # A merged Turtle file has no named graphs: statement nodes still carry their line.
    dataset = load_graph([BASELINE, BREAKS / "OfficeBeforeMembershipShape.ttl"])
    merged = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        merged.add((s, p, o))
    (result,) = validate(merged).results
    assert (result.source_file, result.source_line) == ("liege.txt", 21)
    assert (
        result.focus_label
        == "executive committee office of Liège in European Forum for Urban Security"
    )


def test_empty_graph_is_an_input_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        validate([empty])


def test_standard_input_bytes_turtle_trig_and_declared_format() -> None:
    trig = BASELINE.read_bytes()
    assert validate(load_data_bytes(trig)).conforms
    turtle = (BREAKS / "label-required.ttl").read_bytes()
    assert validate(load_data_bytes(turtle)).counts["Violation"] >= 1  # Turtle alone
    # TriG then Turtle in one stream: Turtle statements land in the default graph.
    report = validate(load_data_bytes(trig + b"\n" + turtle))
    assert [r.source_shape for r in report.results] == ["cnsh:label-required"]
    nquads = load_graph([BASELINE]).serialize(format="nquads").encode("utf-8")
    assert validate(load_data_bytes(nquads, "nquads")).conforms
    with pytest.raises(InputError, match=r"^<stdin>:1:9: not valid trig: "):
        load_data_bytes(b"<a> <b> .\n")
    with pytest.raises(InputError, match="empty input"):
        load_data_bytes(b"  \n")


# --------------------------------------------------------------------------- B23 B24 B25


def test_b23_shapes_syntax_error_names_file_and_line() -> None:
    path = BAD / "syntax-error.ttl"
    with pytest.raises(InputError) as caught:
        load_shapes(path)
    assert caught.value.message.startswith(f"{path}:10: not valid turtle: ")
    assert caught.value.exit_code == ExitCode.USAGE


def _lint(name: str, data: Graph | None = None) -> list[tuple[str, int | None, str]]:
    path = BAD / name
    graph, text = load_shapes(path)
    return [
        (i.level, i.line, i.message)
        for i in lint_shapes(graph, text=text, file=str(path), data=data)
    ]


def test_b24_lint_flags_a_misspelt_shacl_term() -> None:
    assert _lint("misspelt-term.ttl") == [
        ("error", 11, "unknown SHACL term sh:minCont; did you mean sh:minCount?")
    ]


def test_b24_lint_flags_a_wrong_shacl_namespace() -> None:
    assert _lint("wrong-namespace.ttl") == [
        (
            "error",
            6,
            "<https://www.w3.org/ns/shacl#> is not the SHACL namespace "
            "<http://www.w3.org/ns/shacl#>: nothing written with it is a shape "
            "(check the sh: prefix)",
        ),
        ("error", None, "no SHACL shapes found (no sh:NodeShape, sh:PropertyShape or targets)"),
    ]


def test_b24_lint_flags_an_unknown_class_and_targets_without_focus_nodes() -> None:
    data = load_graph([BASELINE])
    assert _lint("unknown-class.ttl") == [
        ("error", 10, "cn:Citty is not a term of the citynet ontology")
    ]
    assert _lint("empty-target.ttl", data) == [
        (
            "warning",
            11,
            "cnsh:CityShape targets schema:City (sh:targetClass), "
            "which selects no node of the data",
        )
    ]


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("misspelt-term.ttl", "misspelt-term.ttl:11: unknown SHACL term sh:minCont"),
        ("wrong-namespace.ttl", "wrong-namespace.ttl:6: <https://www.w3.org/ns/shacl#> is not"),
        ("unknown-class.ttl", "unknown-class.ttl:10: cn:Citty is not a term"),
    ],
)
def test_b24_broken_shapes_stop_validation(name: str, where: str) -> None:
    with pytest.raises(InputError, match="nothing was validated") as caught:
        validate([BASELINE], shapes=BAD / name)
    assert str(caught.value).startswith(f"{BAD}/{where}")


def test_b24_target_without_nodes_is_a_note_and_validation_runs() -> None:
    report = validate([BASELINE], shapes=BAD / "empty-target.ttl")
    assert report.conforms and report.results == []
    assert [str(issue) for issue in report.lint] == [
        f"{BAD / 'empty-target.ttl'}:11: cnsh:CityShape targets schema:City (sh:targetClass), "
        "which selects no node of the data"
    ]


def test_b25_owl_imports_refused_without_any_connection(no_network: list) -> None:
    with pytest.raises(InputError) as caught:
        validate([BASELINE], shapes=BAD / "owl-imports.ttl")
    assert str(caught.value).startswith(
        f"{BAD / 'owl-imports.ttl'}:9: owl:imports <http://example.org/more-shapes.ttl>"
    )
    assert no_network == []


def test_b25_owl_imports_allowed_is_still_not_followed(no_network: list) -> None:
    report = validate([BASELINE], shapes=BAD / "owl-imports.ttl", allow_network=True)
    assert report.conforms and report.results == []
    assert no_network == []


def test_b25_sparql_service_refused_without_any_connection(no_network: list) -> None:
    with pytest.raises(InputError) as caught:
        validate([BASELINE], shapes=BAD / "service.ttl")
    assert str(caught.value).startswith(
        f"{BAD / 'service.ttl'}:17: the SPARQL constraint of cnsh:CityShape uses SERVICE"
    )
    assert no_network == []


def test_validation_of_the_shipped_shapes_touches_no_network(no_network: list) -> None:
    assert validate(MIXED).counts["Violation"] == 2
    assert no_network == []


# --------------------------------------------------------------------------- the CLI


def run(*args: str, input: bytes | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["validate", *args], input=input)


def test_cli_exit_0_when_conforming() -> None:
    result = run(str(BASELINE))
    assert result.exit_code == 0, result.output
    assert result.output == "conforms\n"


def test_cli_exit_0_with_warnings_only() -> None:
    result = run(str(BASELINE), str(BREAKS / "NetworkIdSharedShape.ttl"))
    assert result.exit_code == 0
    assert result.output.endswith("\nconforms: 0 violations, 2 warnings, 0 infos\n")
    assert "network id 12 is also used by the project" in result.output


def test_cli_exit_1_with_violations_and_text_report() -> None:
    result = run(*map(str, MIXED))
    assert result.exit_code == 1
    assert result.output == format_report_text(validate(MIXED))


def test_cli_json_and_turtle() -> None:
    result = run(*map(str, MIXED), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["counts"] == {"violation": 2, "warning": 2, "info": 0}
    result = run(*map(str, MIXED), "--format", "turtle")
    assert result.exit_code == 1
    graph = Graph().parse(data=result.output, format="turtle")
    assert len(list(graph.subjects(RDF.type, SH.ValidationResult))) == 4


def test_cli_exit_2_missing_graph_and_broken_shapes(tmp_path: Path) -> None:
    missing = tmp_path / "nope.trig"
    result = run(str(missing))
    assert result.exit_code == 2
    assert f"error: {missing}: no such file" in result.output
    result = run(str(BASELINE), "--shapes", str(BAD / "syntax-error.ttl"))
    assert result.exit_code == 2
    assert f"error: {BAD / 'syntax-error.ttl'}:10: not valid turtle" in result.output
    assert "conforms" not in result.output  # no report claiming conformance
    result = run(str(BASELINE), "--shapes", str(BAD / "service.ttl"))
    assert result.exit_code == 2
    result = run(str(BASELINE), "--shapes", str(BAD / "owl-imports.ttl"), "--allow-network")
    assert result.exit_code == 0


def test_cli_default_graph_is_the_build_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "build").mkdir()
    shutil.copy(BASELINE, tmp_path / "build" / "citynet.trig")
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 0
    assert result.output == "conforms\n"
    (tmp_path / "build" / "citynet.trig").unlink()
    result = run()
    assert result.exit_code == 2
    assert "build/citynet.trig: no such file (run `citynet build` first)" in result.output


def test_cli_standard_input() -> None:
    result = run("-", "--input-format", "trig", input=BASELINE.read_bytes())
    assert result.exit_code == 0
    assert result.output == "conforms\n"
    # Standard input is N-Quads unless --input-format says otherwise (docs/cli.md).
    result = run("-", input=BASELINE.read_bytes())
    assert result.exit_code == 2
    assert result.stderr.startswith("error: <stdin>:")
    assert "not valid nquads" in result.stderr and "--input-format" in result.stderr
    nquads = load_graph([BASELINE]).serialize(format="nquads").encode("utf-8")
    result = run("-", "--input-format", "nquads", input=nquads)
    assert result.exit_code == 0
    result = run("-", str(BASELINE), input=b"")
    assert result.exit_code == 2


def test_cli_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["validate", "--help"])
    assert result.exit_code == 0
    assert "citynet validate build/citynet.trig --format json" in result.output


# --------------------------------------------------------------------------- the real pages

# Every warning the graph of the bundled pages gets, and why: each is an error or a
# disagreement on the pages themselves (focus, shape, page:line -> reason).
REAL_DATA_WARNINGS = {
    ("membership/city/es/barcelona/efus", "cnsh:MembershipBeforeNetworkShape", "barcelona.txt:33"):
        "the Barcelona page says 'Member since : 1986'; Efus was founded in 1987",
    ("membership/city/pt/lisbon/efus", "cnsh:FoundingMemberLateShape", "lisboa.txt:22"):
        "'Founding Member since : 1998': a founding member would date from 1987",
    ("twinning/es/barcelona/pl/gdansk", "cnsh:TwinningStatedByBothShape", "gdansk.txt:23"):
        "Gdańsk lists Barcelona as a twin; the Barcelona page's twin list does not list Gdańsk",
    ("twinning/es/las-palmas-de-gran-canaria/pl/gdansk", "cnsh:TwinningStatedByBothShape",
     "las-palmas-de-gran-canaria.txt:8"):
        "Las Palmas lists Gdańsk as a twin; the Gdańsk page does not list Las Palmas",
    ("project/drugs-network", "cnsh:NetworkIdSharedShape", "liege.txt:37"):
        "the Liège page links Efus id 12 from two different projects",
    ("project/pertinency-of-drug-prevention-messages", "cnsh:NetworkIdSharedShape",
     "liege.txt:40"):
        "the same id 12, seen from the other project",
    ("event/2015-06-25/conference/paris", "cnsh:Event-endDate-single", "amadora.txt:32"):
        "Amadora says 25-26 June 2015, Essen says 25th June 2015",
    # Issue 17: one label per node (the other spellings are skos:altLabel), so the pages'
    # spellings of one project or event no longer warn; events joined across pages by
    # their quoted title and overlapping dates show where the pages' dates differ; and
    # "Aubervilliers & Saint Denis" is two French towns.
    ("event/1995-10-30/conference/conference-urban-transports-safety-and-social-crisis",
     "cnsh:Event-endDate-single", "barcelona.txt:47"):
        "Barcelona says October 30th-31st 1995, Nantes says 1995",
    ("event/1995-10-30/conference/conference-urban-transports-safety-and-social-crisis",
     "cnsh:Event-startDate-single", "barcelona.txt:47"):
        "the same, for the start",
    ("event/2012-12-12/conference/aubervilliers", "cnsh:Event-endDate-single",
     "charleroi.txt:37"):
        "Charleroi says 12-14 December 2012, Stuttgart December 2012 (one conference, by"
        " data/pages/decisions.toml)",
    ("event/2012-12-12/conference/aubervilliers", "cnsh:Event-startDate-single",
     "charleroi.txt:37"):
        "the same, for the start",
}  # fmt: skip


@pytest.fixture(scope="module")
def bundled_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_module = pytest.importorskip("citynet.graph.build")
    if not hasattr(build_module, "build"):
        pytest.skip("citynet.build has no build() yet")
    out = tmp_path_factory.mktemp("build")
    result = build_module.build([REPO / "data" / "pages"], out=out)
    return Path(result.files["trig"])


def test_bundled_pages_conform_and_warn_exactly_about_their_real_errors(
    bundled_build: Path,
) -> None:
    report = validate([bundled_build])
    violations = [r for r in report.results if r.severity == "Violation"]
    assert violations == [], format_report_text(report)
    assert report.conforms
    found = {
        (
            r.focus.removeprefix(BASE),
            r.source_shape,
            f"{r.source_file}:{r.source_line}",
        )
        for r in report.results
        if r.severity == "Warning"
    }
    assert found == set(REAL_DATA_WARNINGS), format_report_text(report)
    assert report.counts == {"Violation": 0, "Warning": len(REAL_DATA_WARNINGS), "Info": 0}
    assert report.lint == []  # every shape has something to check in the real graph


def test_bundled_graph_through_the_cli(bundled_build: Path) -> None:
    result = run(str(bundled_build))
    assert result.exit_code == 0
    assert result.output.endswith(
        f"\nconforms: 0 violations, {len(REAL_DATA_WARNINGS)} warnings, 0 infos\n"
    )
    assert "barcelona.txt:33" in result.output


def test_json_and_turtle_agree_on_conforms_with_warnings_only(bundled_build: Path) -> None:
    # Issue 19: one answer per run. 11 warnings, no violation: conforms in both.
    runner = CliRunner()
    as_json = runner.invoke(cli, ["validate", str(bundled_build), "--format", "json"])
    as_turtle = runner.invoke(cli, ["validate", str(bundled_build), "--format", "turtle"])
    assert as_json.exit_code == as_turtle.exit_code == 0
    assert json.loads(as_json.output)["conforms"] is True
    assert json.loads(as_json.output)["counts"]["warning"] == 11
    graph = Graph().parse(data=as_turtle.output, format="turtle")
    (node,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(node, SH.conforms) == Literal(True)
    assert len(list(graph.objects(node, SH.result))) == 11


def test_turtle_output_is_the_same_report_as_json(bundled_build: Path) -> None:
    report = validate([bundled_build])
    graph = Graph().parse(data=report.turtle(), format="turtle")
    focus_nodes = {str(o) for o in graph.objects(None, SH.focusNode)}
    assert focus_nodes == {r.focus for r in report.results}
    assert URIRef(BASE + "membership/city/es/barcelona/efus") in set(
        graph.objects(None, SH.focusNode)
    )
