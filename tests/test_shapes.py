"""The shapes themselves: each one fails on its fixture, and only there; they are valid SHACL.

Every file in tests/fixtures/shapes/breaks/ is loaded together with baseline.trig and
breaks exactly one shape; its ``# expect:`` lines give every result validation must
return (focus | path | severity | shape | page:line | message), or ``nothing``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, SH, SKOS
from w3c_suites import SHARED

from citynet.graph.vocab import CN
from citynet.validation.report import ValidationResult
from citynet.validation.shapes import SHAPES_NS, lint_shapes, load_shapes
from citynet.validation.validate import validate

REPO = Path(__file__).resolve().parents[1]
SHAPES = REPO / "shapes" / "citynet.ttl"
FIXTURES = REPO / "tests" / "fixtures" / "shapes"
BASELINE = FIXTURES / "baseline.trig"
BREAKS = sorted((FIXTURES / "breaks").glob("*.ttl"))
BASE = "https://w3id.org/citynet/"
CNSH = SHAPES_NS


def shared_dir() -> Path:
    return SHARED


def expectations(path: Path) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            value = line.removeprefix("# expect:").strip()
            if value == "nothing":
                continue
            fields = tuple(part.strip() for part in value.split(" | ", 5))
            assert len(fields) == 6, f"{path.name}: bad expect line {line!r}"
            found.append(fields)
    return sorted(found)


def as_row(result: ValidationResult) -> tuple[str, ...]:
    if result.source_file is None and result.source_line is None:
        where = "-"
    else:
        where = result.source_file or "?"
        if result.source_line is not None:
            where += f":{result.source_line}"
    focus = "<" + result.focus.removeprefix(BASE) + ">"
    return (
        focus,
        str(result.path),
        result.severity,
        str(result.source_shape),
        where,
        result.message,
    )


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    return load_shapes(SHAPES)[0]


def test_baseline_conforms_with_no_result_at_all() -> None:
    report = validate([BASELINE])
    assert report.conforms
    assert report.results == []
    assert report.counts == {"Violation": 0, "Warning": 0, "Info": 0}
    assert report.summary() == "conforms"
    assert report.lint == []  # every target of the shapes selects nodes of the baseline


def test_every_break_fixture_declares_its_expectations() -> None:
    assert len(BREAKS) >= 70
    for path in BREAKS:
        text = path.read_text(encoding="utf-8")
        assert "# expect:" in text, path.name


@pytest.mark.parametrize("fixture", BREAKS, ids=[p.stem for p in BREAKS])
def test_fixture_breaks_exactly_its_shape(fixture: Path) -> None:
    report = validate([BASELINE, fixture])
    assert sorted(as_row(r) for r in report.results) == expectations(fixture)
    violations = sum(1 for row in expectations(fixture) if row[2] == "Violation")
    assert report.conforms == (violations == 0)


def _constraint_shapes(shapes: Graph) -> set[str]:
    """Shapes that can produce a result themselves (not the node shapes grouping them)."""
    found: set[str] = set()
    for shape in shapes.subjects(RDF.type, SH.PropertyShape):
        found.add(str(shape))
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if (shape, SH.sparql, None) in shapes or (shape, SH.closed, None) in shapes:
            found.add(str(shape))
    return found


def test_every_shape_has_a_fixture_that_makes_it_fail(shapes_graph: Graph) -> None:
    # "A shape that cannot fail is a defect."
    covered = {row[3].replace("cnsh:", CNSH) for path in BREAKS for row in expectations(path)}
    assert _constraint_shapes(shapes_graph) == covered


def test_every_shape_has_an_iri_a_message_and_a_chosen_severity(shapes_graph: Graph) -> None:
    for shape_iri in sorted(_constraint_shapes(shapes_graph)):
        shape = URIRef(shape_iri)
        assert shape_iri.startswith(CNSH), shape_iri
        assert shapes_graph.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), (
            shape_iri
        )
        messages = list(shapes_graph.objects(shape, SH.message))
        for constraint in shapes_graph.objects(shape, SH.sparql):
            messages += list(shapes_graph.objects(constraint, SH.message))
        assert len(messages) == 1, shape_iri
        assert len(str(messages[0])) > 20, shape_iri


def test_node_shapes_cover_every_class_and_property_of_the_ontology(
    shapes_graph: Graph,
) -> None:
    terms = set(CN.__annotations__)
    schemes = {"Roles", "EventKinds", "Offices"}
    abstract = {"LocalAuthority", "Activity"}  # checked through City/Region, Project/Event
    classes = {t for t in terms if t[0].isupper()} - schemes - abstract
    properties = {t for t in terms if t[0].islower()}
    targets = {str(o) for o in shapes_graph.objects(None, SH.targetClass)}
    paths = {str(o) for o in shapes_graph.objects(None, SH.path)}
    assert {str(CN[c]) for c in classes} <= targets
    assert {str(CN[p]) for p in properties} - paths == set()


@pytest.mark.parametrize(
    ("shape", "scheme"),
    [
        ("Participation-role", CN.Roles),
        ("Event-eventKind", CN.EventKinds),
        ("Office-officeRole", CN.Offices),
    ],
)
def test_value_sets_are_exactly_the_ontology_schemes(
    shapes_graph: Graph, shape: str, scheme: URIRef
) -> None:
    ontology = Graph().parse(REPO / "ontology" / "citynet.ttl", format="turtle")
    concepts = set(ontology.subjects(SKOS.inScheme, scheme))
    members = shapes_graph.value(URIRef(CNSH + shape), SH["in"])
    assert members is not None
    assert set(Collection(shapes_graph, members)) == concepts
    assert len(concepts) >= 3


def test_shapes_lint_clean_and_need_no_network(shapes_graph: Graph) -> None:
    text = SHAPES.read_text(encoding="utf-8")
    assert lint_shapes(shapes_graph, text=text, file=str(SHAPES)) == []
    assert list(shapes_graph.objects(None, OWL.imports)) == []
    queries = [str(q) for q in shapes_graph.objects(None, SH.select)]
    assert len(queries) == 9
    assert not any("SERVICE" in q.upper() for q in queries)


def test_shapes_file_conforms_to_the_w3c_shapes_for_shapes(shapes_graph: Graph) -> None:
    import pyshacl

    manifest = shared_dir() / "w3c-tests/shacl/test/resources/sht_tests/core/complex"
    manifest = manifest / "shacl-shacl.ttl"
    if not manifest.is_file():
        pytest.skip(f"W3C SHACL tests not found at {manifest} (set CITYNET_SHARED)")
    # The manifest names the shapes-for-shapes graph; read it from there, in place.
    tests = Graph().parse(manifest, format="turtle")
    sht = "http://www.w3.org/ns/shacl-test#"
    shapes_for_shapes = {str(o) for o in tests.objects(None, URIRef(sht + "shapesGraph"))}
    assert len(shapes_for_shapes) == 1
    shsh_path = Path(shapes_for_shapes.pop().removeprefix("file://"))
    shsh = Graph().parse(shsh_path, format="turtle")
    assert len(shsh) > 300
    conforms, report, text = pyshacl.validate(
        shapes_graph, shacl_graph=shsh, inference="none", do_owl_imports=False
    )
    assert conforms, text
    # The check is real: a shape with two sh:path values is refused.
    broken = Graph()
    broken += shapes_graph
    broken.add((URIRef(CNSH + "label-required"), SH.path, URIRef(str(CN.country))))
    assert not pyshacl.validate(broken, shacl_graph=shsh, inference="none")[0]


def test_docs_list_every_shape_with_its_severity(shapes_graph: Graph) -> None:
    docs = (REPO / "docs" / "validation.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[2].strip()
        for line in docs.splitlines()
        if line.startswith("| `cnsh:")
    }
    expected = {
        "cnsh:" + shape.removeprefix(CNSH): str(
            shapes_graph.value(URIRef(shape), SH.severity)
        ).removeprefix(str(SH))
        for shape in _constraint_shapes(shapes_graph)
    }
    assert rows == expected
