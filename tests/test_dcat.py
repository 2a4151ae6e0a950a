"""The site's dataset description against the EU's DCAT-AP 3.0.0 SHACL shapes (SEMIC).

The shapes are vendored in tests/vendor/dcat-ap/ (source and licence in its README).
Every shape there is selected by sh:targetClass, so a description without a catalog
would pass vacuously: the tests also require the catalog, dataset, distributions and
(with an endpoint) the data service to be there, and show the shapes catch a broken one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef

from citynet.graph.vocab import DCAT, DCTERMS, DEFAULT_BASE_IRI, RDF, XSD
from citynet.web.generate import build_site

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "site" / "sample.trig"
SHAPES = ROOT / "tests" / "vendor" / "dcat-ap"
ENDPOINT = "https://example.org/sparql"
BASE = DEFAULT_BASE_IRI


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    return graph


@pytest.fixture(scope="module", params=[ENDPOINT, None], ids=["endpoint", "no-endpoint"])
def description(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("dcat") / "out"
    build_site([SAMPLE], out, sparql_endpoint=request.param)
    return Graph().parse(out / "void.ttl"), request.param


def violations(data: Graph, shapes: Graph) -> list[str]:
    conforms, report, text = validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    sh = "http://www.w3.org/ns/shacl#"
    found = report.query(
        "SELECT ?focus ?path ?message WHERE { ?r a sh:ValidationResult ; "
        "sh:resultSeverity sh:Violation ; sh:focusNode ?focus . "
        "OPTIONAL { ?r sh:resultPath ?path } OPTIONAL { ?r sh:resultMessage ?message } }",
        initNs={"sh": URIRef(sh)},
    )
    return sorted(f"{row.focus} {row.path}: {row.message}" for row in found)


def test_description_has_zero_dcat_ap_violations(description, shapes: Graph) -> None:
    graph, _ = description
    assert violations(graph, shapes) == []


def test_description_is_a_catalog_with_a_dataset_and_distributions(description) -> None:
    graph, endpoint = description
    catalog = URIRef(BASE + "void.ttl#catalog")
    dataset = URIRef(BASE + "void.ttl#dataset")
    dump = URIRef(BASE + "void.ttl#dump")
    assert (catalog, RDF.type, DCAT.Catalog) in graph
    assert set(graph.objects(catalog, DCAT.dataset)) == {dataset}
    assert (dump, DCAT.accessURL, URIRef(BASE + "citynet.nq")) in graph
    assert (dump, DCAT.downloadURL, URIRef(BASE + "citynet.nq")) in graph
    media = graph.value(dump, DCAT.mediaType)
    assert media == URIRef("https://www.iana.org/assignments/media-types/application/n-quads")
    assert (media, RDF.type, DCTERMS.MediaType) in graph
    licence = graph.value(dump, DCTERMS.license)
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in graph
    services = set(graph.subjects(RDF.type, DCAT.DataService))
    if endpoint is None:
        assert services == set()
        return
    (service,) = services
    assert graph.value(service, DCAT.endpointURL) == URIRef(endpoint)
    assert graph.value(service, DCTERMS.title) == Literal("citynet SPARQL endpoint", lang="en")
    assert (catalog, DCAT.service, service) in graph


def test_coverage_comes_from_the_data(description) -> None:
    graph, _ = description
    dataset = URIRef(BASE + "void.ttl#dataset")
    places = {str(p) for p in graph.objects(dataset, DCTERMS.spatial)}
    # The sample's six cities lie in five countries, each linked to the EU authority table.
    assert len(places) == 5
    assert "http://publications.europa.eu/resource/authority/country/BEL" in places
    period = graph.value(dataset, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate).datatype == XSD.gYear


def test_the_shapes_catch_a_broken_description(description, shapes: Graph) -> None:
    """Without the title of the catalog and the access URL of the dump: two violations."""
    graph, _ = description
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.remove((URIRef(BASE + "void.ttl#catalog"), DCTERMS.title, None))
    broken.remove((URIRef(BASE + "void.ttl#dump"), DCAT.accessURL, None))
    found = violations(broken, shapes)
    assert len(found) == 2, found
    assert any("catalog" in v and str(DCTERMS.title) in v for v in found)
    assert any("dump" in v and str(DCAT.accessURL) in v for v in found)
