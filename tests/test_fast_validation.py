"""pyshacl-turbo (the default engine) gives exactly pySHACL's results, alone and in parallel.

Each test validates the same graph with ``engine="turbo"`` and ``engine="pyshacl"`` (the
reference) and compares every field of every result (focus, labels, path, value, message,
severity, source shape, page and line, constraint component), results sorted, duplicates
kept. The larger inputs are also validated in slices on two worker processes started
with ``spawn`` (citynet.scale.validation) and compared with the whole run.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from citynet.cli import cli
from citynet.errors import InputError
from citynet.scale import validation as parallel
from citynet.validation.validate import ValidationReport, validate

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "shapes"
BASELINE = FIXTURES / "baseline.trig"
BREAKS = sorted((FIXTURES / "breaks").glob("*.ttl"))
SHAPES = REPO / "shapes" / "citynet.ttl"
BASE = "https://w3id.org/citynet/"
CN = "https://w3id.org/citynet/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SHAPES_NS = "https://w3id.org/citynet/shapes#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

if str(REPO) not in sys.path:  # benchmarks/ is a top-level package of the checkout
    sys.path.insert(0, str(REPO))


def rows(report: ValidationReport) -> list[tuple]:
    return sorted(tuple(sorted(asdict(r).items())) for r in report.results)


def both(data: object, **options: object) -> tuple[ValidationReport, ValidationReport]:
    """pyshacl-turbo's report and pySHACL's."""
    turbo = validate(data, engine="turbo", **options)  # type: ignore[arg-type]
    reference = validate(data, engine="pyshacl", **options)  # type: ignore[arg-type]
    assert (turbo.engine, reference.engine) == ("turbo", "pyshacl")
    return turbo, reference


def assert_same(turbo: ValidationReport, reference: ValidationReport) -> None:
    assert rows(turbo) == rows(reference)
    assert turbo.counts == reference.counts
    assert turbo.conforms == reference.conforms
    assert turbo.summary() == reference.summary()
    assert turbo.lint == reference.lint


def in_parallel(data: object, engine: str = "turbo") -> ValidationReport:
    """The same validation in slices on two spawned workers."""
    return parallel.validate(data, engine=engine, workers=2)  # type: ignore[arg-type]


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(CN + name)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


# --------------------------------------------------------------------------- bundled pages


@pytest.fixture(scope="module")
def bundled_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from citynet.graph.build import build

    out = tmp_path_factory.mktemp("bundled")
    result = build([REPO / "data" / "pages"], out=out)
    return Path(result.files["trig"])


def test_bundled_build_gives_pyshacl_results(bundled_build: Path) -> None:
    turbo, reference = both([bundled_build])
    assert_same(turbo, reference)
    assert turbo.conforms
    assert turbo.counts == {"Violation": 0, "Warning": 11, "Info": 0}
    assert_same(in_parallel([bundled_build]), reference)


def test_auto_is_turbo_for_the_shipped_shapes(bundled_build: Path) -> None:
    assert validate([bundled_build]).engine == "turbo"


def test_the_report_graph_is_the_same_from_both_engines(bundled_build: Path) -> None:
    from rdflib.compare import to_isomorphic

    turbo, reference = both([bundled_build])
    # Blank node identities differ; the graphs are the same up to them.
    assert to_isomorphic(Graph().parse(data=turbo.turtle(), format="turtle")) == to_isomorphic(
        Graph().parse(data=reference.turtle(), format="turtle")
    )


# --------------------------------------------------------------------------- fixtures


def expectations(path: Path) -> list[tuple[str, str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:") and line.removeprefix("# expect:").strip() != "nothing":
            fields = [f.strip() for f in line.removeprefix("# expect:").split(" | ", 5)]
            found.append((fields[0], fields[2], fields[3]))  # focus, severity, shape
    return sorted(found)


@pytest.mark.parametrize("fixture", BREAKS, ids=[p.stem for p in BREAKS])
def test_every_break_fixture_gives_pyshacls_single_expected_result(fixture: Path) -> None:
    turbo, reference = both([BASELINE, fixture])
    assert_same(turbo, reference)
    got = sorted(
        ("<" + r.focus.removeprefix(BASE) + ">", r.severity, str(r.source_shape))
        for r in turbo.results
    )
    assert got == expectations(fixture)


def test_baseline_gives_nothing_either_way() -> None:
    turbo, reference = both([BASELINE])
    assert turbo.results == reference.results == []


# --------------------------------------------------------------------------- generated pages


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.generate import generate
    from citynet.graph.build import build

    folder = tmp_path_factory.mktemp("generated")
    generate(300, 11, folder / "pages")
    result = build([folder / "pages"], out=folder / "build")
    return Path(result.files["nquads"])


def _select(store: ox.Store, query: str) -> list[tuple]:
    return [tuple(s) for s in store.query(query, use_default_graph_as_union=True)]


def _inject(source: Path, target: Path) -> dict[str, str]:
    """Edit the build's quads: one error of each kind, in chosen nodes. Returns them."""
    quads = list(ox.parse(path=str(source), format=ox.RdfFormat.N_QUADS))
    store = ox.Store()
    store.extend(quads)
    prefix = f"PREFIX cn: <{CN}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    drop: set[tuple] = set()
    add: list[ox.Quad] = []
    chosen: dict[str, str] = {}

    def graph_of(s: object, p: object) -> object:
        return next(iter(store.quads_for_pattern(s, p, None))).graph_name

    def replace(s: object, p: ox.NamedNode, value: object) -> None:
        graph = graph_of(s, p)
        drop.update((q.subject, q.predicate, q.object) for q in store.quads_for_pattern(s, p, None))
        add.append(ox.Quad(s, p, value, graph))

    # 1. a project that ends before it starts
    project, start = _select(
        store,
        prefix + "SELECT DISTINCT ?p ?y { ?p a cn:Project ; cn:startYear ?y } ORDER BY ?p LIMIT 1",
    )[0]
    replace(project, n("endYear"), typed(str(int(start.value) - 3), "gYear"))
    chosen["reversed project"] = project.value
    # 2. an event that ends before it starts
    event, day = _select(
        store,
        prefix + "SELECT DISTINCT ?e ?d { ?e a cn:Event ; cn:startDate ?d "
        "FILTER (STRLEN(STR(?d)) = 10) } ORDER BY ?e LIMIT 1",
    )[0]
    replace(event, n("endDate"), typed(str(int(day.value[:4]) - 1) + day.value[4:], "date"))
    chosen["reversed event"] = event.value
    # 3. bad datatypes: a population that is not a number, a year given as text,
    #    a name without a language, a line written "0042" (pyoxigraph would store "42")
    cities = _select(
        store, prefix + "SELECT DISTINCT ?c { ?c a cn:City ; cn:memberPage ?page } ORDER BY ?c"
    )
    replace(cities[0][0], n("population"), typed("many", "nonNegativeInteger"))
    chosen["bad population"] = cities[0][0].value
    membership = _select(store, prefix + "SELECT DISTINCT ?m { ?m a cn:Membership } ORDER BY ?m")[
        0
    ][0]
    replace(membership, n("since"), ox.Literal("1987"))  # text, not a year
    chosen["bad year"] = membership.value
    # a year with a letter in it: sh:datatype lets "19x7"^^xsd:gYear through (rdflib
    # does not check gYear), the shape's sh:pattern does not
    twinning = _select(
        store, prefix + "SELECT DISTINCT ?t { ?t a cn:Twinning ; cn:since ?y } ORDER BY ?t"
    )[0][0]
    replace(twinning, n("since"), typed("19x7", "gYear"))
    chosen["malformed year"] = twinning.value
    replace(event, RDFS_LABEL, ox.Literal("A meeting without a language"))
    participation = _select(
        store, prefix + "SELECT DISTINCT ?p { ?p a cn:Participation } ORDER BY ?p"
    )[0][0]
    replace(participation, n("sourceLine"), typed("0042", "integer"))
    chosen["padded line"] = participation.value
    # 4. a city without any name
    drop.update(
        (q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(cities[1][0], RDFS_LABEL, None)
    )
    chosen["nameless city"] = cities[1][0].value
    # 5. two projects sharing one network id
    (a, id_a), (b, _) = _select(
        store,
        prefix + "SELECT ?p (MIN(?i) AS ?id) { ?p a cn:Project ; cn:networkId ?i } "
        "GROUP BY ?p ORDER BY ?p LIMIT 2",
    )
    replace(b, n("networkId"), id_a)
    chosen["shared id"] = f"{a.value} {b.value}"
    # 6. a twinning only one of two member cities states (both stated it before)
    one, other = _select(
        store,
        prefix + "SELECT DISTINCT ?x ?y { ?x cn:twinnedWith ?y . ?y cn:twinnedWith ?x . "
        "?x cn:memberPage ?px . ?y cn:memberPage ?py FILTER (STR(?x) < STR(?y)) } "
        "ORDER BY ?x ?y LIMIT 1",
    )[0]
    drop.update(
        (q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(other, n("twinnedWith"), one)
    )
    chosen["one-sided twinning"] = f"{one.value} {other.value}"
    # 7. a property the model does not describe
    add.append(
        ox.Quad(
            cities[2][0],
            ox.NamedNode("https://example.org/typo"),
            ox.Literal("x"),
            graph_of(cities[2][0], RDF_TYPE),
        )
    )
    chosen["stray property"] = cities[2][0].value
    kept = [q for q in quads if (q.subject, q.predicate, q.object) not in drop]
    ox.serialize(kept + add, output=str(target), format=ox.RdfFormat.N_QUADS)
    return chosen


def test_generated_pages_give_pyshacls_results(generated: Path) -> None:
    turbo, reference = both([generated])
    assert_same(turbo, reference)
    assert turbo.counts["Warning"] > 50  # real one-sided twinnings and date disagreements
    assert_same(in_parallel([generated]), reference)


def test_generated_pages_with_injected_errors(generated: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.nq"
    chosen = _inject(generated, broken)
    turbo, reference = both([broken])
    assert_same(turbo, reference)
    assert_same(in_parallel([broken]), reference)
    assert_same(in_parallel([broken], engine="pyshacl"), reference)
    found = {(r.focus, r.source_shape) for r in turbo.results}
    shared = chosen["shared id"].split()
    one, other = chosen["one-sided twinning"].split()
    expected = {
        (chosen["reversed project"], "cnsh:YearPeriodShape"),
        (chosen["reversed event"], "cnsh:EventPeriodShape"),
        (chosen["bad population"], "cnsh:LocalAuthority-population"),
        (chosen["bad year"], "cnsh:Membership-since"),
        (chosen["malformed year"], "cnsh:Twinning-since"),
        (chosen["reversed event"], "cnsh:label-language"),
        (chosen["nameless city"], "cnsh:label-required"),
        (shared[0], "cnsh:NetworkIdSharedShape"),
        (shared[1], "cnsh:NetworkIdSharedShape"),
        (chosen["stray property"], "cnsh:LocalAuthorityClosedShape"),
    }
    assert expected <= found
    twinning = [
        r
        for r in turbo.results
        if r.source_shape == "cnsh:TwinningStatedByBothShape"
        and r.value == "<" + other.removeprefix(BASE) + ">"
        and one.rsplit("/", 1)[1] in r.focus
    ]
    assert len(twinning) == 1
    # "0042" stays "0042": the result's page line and the value pySHACL sees agree
    assert not any(r.focus == chosen["padded line"] for r in turbo.results)
    assert not turbo.conforms


# --------------------------------------------------------------------------- the store trap

NUMBERS = (
    "<https://w3id.org/citynet/city/be/liege> <https://w3id.org/citynet/ontology#population> "
    '"0190000"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .\n'
    "<https://w3id.org/citynet/city/be/liege> <https://w3id.org/citynet/ontology#population> "
    '"190000"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
)


def test_literals_a_store_would_rewrite_keep_their_written_form(tmp_path: Path) -> None:
    # pyoxigraph's store turns "0190000"^^xsd:nonNegativeInteger into "190000"^^xsd:integer
    # (a datatype violation of the population shape); both engines see it as written.
    extra = tmp_path / "numbers.nt"
    extra.write_text(NUMBERS, encoding="utf-8")
    turbo, reference = both([BASELINE, extra])
    assert_same(turbo, reference)
    population = [r for r in turbo.results if r.path == "cn:population"]
    assert {(r.value, r.constraint) for r in population} >= {
        ('"190000"^^xsd:integer', "AndConstraintComponent"),  # datatype and pattern
    }
    assert not any(
        r.constraint == "DatatypeConstraintComponent" and "0190000" in (r.value or "")
        for r in population
    )


def _input_kinds(tmp_path: Path) -> dict[str, object]:
    """The baseline plus the numbers, in every form validate() accepts."""
    dataset = Dataset()
    dataset.parse(BASELINE, format="trig")
    dataset.parse(data=NUMBERS, format="nt")
    kinds: dict[str, object] = {"rdflib": dataset}
    for name, fmt in (("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")):
        path = tmp_path / f"data.{name}"
        dataset.serialize(path, format=fmt)
        kinds[name] = [path]
    kinds["quads"] = list(ox.parse(path=str(tmp_path / "data.nq"), format=ox.RdfFormat.N_QUADS))
    return kinds


def test_every_input_kind_gives_the_same_results(tmp_path: Path) -> None:
    kinds = _input_kinds(tmp_path)
    reference = rows(validate(kinds["nq"], engine="pyshacl"))
    assert any("0190000" in str(row) for row in reference) or reference
    for name, data in kinds.items():
        assert rows(validate(data, engine="turbo")) == reference, name
    assert rows(validate(kinds["rdflib"], engine="pyshacl")) == reference


def test_a_store_is_refused_with_the_reason() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(BASE + "x"), RDF_TYPE, n("City")))
    with pytest.raises(TypeError, match="rewritten literals"):
        validate(store)


# --------------------------------------------------------------------------- engines


def _shapes(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "shapes.ttl"
    path.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        f"@prefix cn: <{CN}> .\n"
        "@prefix cnsh: <https://w3id.org/citynet/shapes#> .\n" + body,
        encoding="utf-8",
    )
    return path


def test_shacl_js_shapes_are_left_to_pyshacl(tmp_path: Path) -> None:
    shapes = _shapes(
        tmp_path,
        'cnsh:S a sh:NodeShape ; sh:targetClass cn:City ; sh:js [ sh:jsFunctionName "f" ] .\n',
    )
    with pytest.raises(InputError, match="turbo engine does not support"):
        validate([BASELINE], shapes=shapes, engine="turbo")


def test_user_shapes_run_on_turbo_with_the_same_results(tmp_path: Path) -> None:
    shapes = _shapes(
        tmp_path,
        "cnsh:S a sh:NodeShape ; sh:targetClass cn:City ;\n"
        "  sh:property [ sh:path cn:population ; sh:maxInclusive 100000 ;\n"
        '    sh:message "too many people" ] .\n',
    )
    turbo, reference = both([BASELINE], shapes=shapes)
    assert_same(turbo, reference)


def test_without_a_message_only_the_engines_generic_messages_differ(tmp_path: Path) -> None:
    shapes = _shapes(
        tmp_path,
        "cnsh:S a sh:NodeShape ; sh:targetClass cn:City ;\n"
        "  sh:property [ sh:path cn:population ; sh:maxInclusive 100000 ] .\n",
    )
    turbo, reference = both([BASELINE], shapes=shapes)

    def no_message(report: ValidationReport) -> list[tuple]:
        return sorted(
            tuple(sorted((k, v) for k, v in asdict(r).items() if k != "message"))
            for r in report.results
        )

    assert no_message(turbo) == no_message(reference)
    assert turbo.counts["Violation"] > 0
    assert turbo.counts["Violation"] > 0


def test_unknown_engine_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown validation engine 'fast'"):
        validate([BASELINE], engine="fast")


def test_cli_engine_option(bundled_build: Path) -> None:
    runner = CliRunner()
    turbo = runner.invoke(cli, ["validate", str(bundled_build), "--engine", "turbo"])
    reference = runner.invoke(cli, ["validate", str(bundled_build), "--engine", "pyshacl"])
    assert turbo.exit_code == reference.exit_code == 0
    assert turbo.output == reference.output
    assert turbo.output.endswith("conforms: 0 violations, 11 warnings, 0 infos\n")
    bad = runner.invoke(cli, ["validate", str(bundled_build), "--engine", "fast"])
    assert bad.exit_code == 2


# --------------------------------------------------------------------------- parallel


def test_the_shapes_split_into_per_node_and_whole_data() -> None:
    from citynet.validation.shapes import load_shapes

    shapes, _ = load_shapes(SHAPES)
    split = parallel.split_shapes(shapes)
    assert split is not None
    per_node, whole = split
    # The SPARQL shapes that read other nodes' statements (labels, the other side of a
    # twinning, other projects); the others read the focus node and its links' types.
    assert {str(s).rsplit("#", 1)[1] for s in whole} == {
        "MembershipBeforeNetworkShape",
        "NetworkIdSharedShape",
        "OfficeBeforeMembershipShape",
        "TwinningStatedByBothShape",
    }
    assert {str(s).rsplit("#", 1)[1] for s in per_node} >= {
        "ActivityDateRangeShape",
        "EventPeriodShape",
        "FoundingMemberLateShape",
        "TwinnedWithSelfShape",
        "YearPeriodShape",
    }
    assert len(per_node) == 23


def _sparql(where: str) -> str:
    return (
        "sh:sparql [ sh:prefixes cnsh: ; sh:select "
        f'"SELECT $this WHERE {{ {where} }}" ] .\n'
        'cnsh: sh:declare [ sh:prefix "cn" ; sh:namespace '
        f'"{CN}"^^<http://www.w3.org/2001/XMLSchema#anyURI> ]'
    )


@pytest.mark.parametrize(
    ("body", "per_node"),
    [
        ("sh:property [ sh:path cn:population ; sh:datatype cn:x ]", True),
        ("sh:property [ sh:path [ sh:inversePath cn:twinnedWith ] ; sh:minCount 1 ]", False),
        ("sh:property [ sh:path cn:population ; sh:qualifiedValueShape [ sh:datatype cn:x ] ;"
         " sh:qualifiedMinCount 1 ]", False),
        ("sh:property [ sh:path cn:twinnedWith ; sh:node cnsh:T ]", False),
        ("sh:or ( [ sh:class cn:City ] [ sh:class cn:Region ] )", True),
        (_sparql("$this ?p ?v . FILTER NOT EXISTS { ?v a cn:City }"), True),
        (_sparql("$this cn:twinnedWith $this"), True),
        (_sparql("?other cn:twinnedWith $this"), False),
        (_sparql("$this cn:twinnedWith ?v . ?v cn:population ?p"), False),
        (_sparql("?v a cn:City"), False),
        (_sparql("$this cn:twinnedWith/cn:country ?c"), False),
        (_sparql("$this cn:x ?v . FILTER (?v < )"), False),
    ],
)  # fmt: skip
def test_shapes_that_look_beyond_one_node_run_on_the_whole_data(
    tmp_path: Path, body: str, per_node: bool
) -> None:
    from citynet.validation.shapes import load_shapes

    shapes, _ = load_shapes(
        _shapes(tmp_path, f"cnsh:S a sh:NodeShape ; sh:targetClass cn:City ; {body} .\n")
    )
    split = parallel.split_shapes(shapes)
    assert split is not None
    assert (len(split[0]), len(split[1])) == ((1, 0) if per_node else (0, 1))


@pytest.mark.parametrize(
    ("body", "read"),
    [
        (_sparql("$this cn:twinnedWith ?v . ?v cn:population ?p"), {"twinnedWith", "population"}),
        ("sh:property [ sh:path [ sh:inversePath cn:member ] ; sh:node cnsh:T ] .\n"
         "cnsh:T sh:property [ sh:path cn:since ; sh:minCount 1 ]", {"member", "since"}),
        (_sparql("$this ?p ?v . ?v cn:population ?p"), None),
        (_sparql("$this cn:twinnedWith/cn:country ?c"), None),
        ("sh:property [ sh:path [ sh:inversePath cn:member ] ; sh:minCount 1 ] ; sh:closed true",
         None),
    ],
)  # fmt: skip
def test_whole_data_shapes_get_only_the_statements_they_read(
    tmp_path: Path, body: str, read: set[str] | None
) -> None:
    from citynet.validation.shapes import load_shapes

    shapes, _ = load_shapes(
        _shapes(tmp_path, f"cnsh:S a sh:NodeShape ; sh:targetClass cn:City ; {body} .\n")
    )
    found = parallel.read_predicates(shapes, [parallel.URIRef(SHAPES_NS + "S")])
    if read is None:
        assert found is None
        return
    assert found is not None
    ours = {
        term.decode()[1:-1].removeprefix(CN)
        for term in found
        if term.startswith(b"<" + CN.encode())
    }
    assert ours == read | {"City"}
    assert f"<{RDF}type>".encode() in found
    assert b"<http://www.w3.org/2000/01/rdf-schema#subClassOf>" in found


def test_statements_are_the_distinct_triples_of_every_graph() -> None:
    text = (
        b'<a> <p> "x y <g1> ." <g1> .\n<a> <p> "x y <g1> ." <g2> .\n<a> <p> "z"^^<d> .\n'
        b'<a> <p> "w <v>"^^<d> .\n<b> <p> _:n <g1> .\n<b> <p> _:n .\n'
    )
    assert parallel.statements(text) == [
        b'<a> <p> "x y <g1> ." .\n',
        b'<a> <p> "z"^^<d> .\n',
        b'<a> <p> "w <v>"^^<d> .\n',
        b"<b> <p> _:n .\n",
    ]


def test_slices_hold_every_statement_of_their_subjects_and_linked_types() -> None:
    text = (
        b"<a> <p> <b> <g1> .\n<b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <C> <g1> .\n"
        b'<a> <q> "x" <g2> .\n<c> <p> <a> <g2> .\n<c> <p> <a> <g1> .\n'
    )
    parts = parallel.slices(parallel.statements(text), 2)
    assert [sorted(subjects) for _, subjects in parts] == [[b"<a>", b"<c>"], [b"<b>"]]
    assert parts[0][0].splitlines() == [
        b"<a> <p> <b> .",
        b'<a> <q> "x" .',
        b"<c> <p> <a> .",
        b"<b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <C> .",
    ]


def test_large_inputs_run_in_parallel_by_themselves(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = parallel.run_parallel

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "run_parallel", counting)
    monkeypatch.setattr(parallel, "PARALLEL_QUADS", 1000)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    auto = parallel.validate([generated])
    assert calls == [1]
    assert rows(auto) == rows(validate([generated]))


def test_parallel_validation_reports_its_progress(generated: Path) -> None:
    seen: list[tuple[int, int]] = []
    report = parallel.validate([generated], workers=2, progress=lambda *call: seen.append(call))
    total = seen[0][1]
    assert total >= 4  # the whole-data task and at least two slices a worker
    assert seen == [(done, total) for done in range(1, total + 1)]
    assert rows(report) == rows(validate([generated]))
    one: list[tuple[int, int]] = []
    parallel.validate([generated], workers=1, progress=lambda *call: one.append(call))
    assert one == []  # one process: nothing to report


def test_validate_prints_no_progress_when_stderr_is_not_a_terminal(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_QUADS", 1000)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(generated), "--format", "json"])
    assert result.stderr == ""
    assert json.loads(result.stdout)["summary"] == validate([generated]).summary()
