"""`citynet serve`: content negotiation on IRI paths and a real Oxigraph SPARQL endpoint."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from citynet.cli import cli
from citynet.graph.formats import load_graph
from citynet.graph.vocab import CN, DEFAULT_BASE_IRI, RDF
from citynet.web.serve import PreviewServer, serve

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "site" / "sample.trig"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
LIEGE = DEFAULT_BASE_IRI + "city/be/liege"

# Straight to 127.0.0.1, whatever http_proxy the environment sets.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, accept: str | None = None, data: bytes | None = None, **headers: str):
    if accept:
        headers["Accept"] = accept
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with _OPENER.open(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server():
    with serve([SAMPLE], port=0) as running:
        yield running


def test_turtle_for_text_turtle(server: PreviewServer) -> None:
    status, headers, body = get(server.url + "city/be/liege", "text/turtle")
    assert status == 200
    assert headers["Content-Type"].startswith("text/turtle")
    assert headers["Vary"] == "Accept"
    graph = Graph().parse(data=body, format="turtle")
    assert (URIRef(LIEGE), RDF.type, CN.City) in graph
    # Liège's own triples, and the incoming links and labels of its neighbours.
    assert {str(s) for s in graph.subjects(RDF.type, None)} == {LIEGE}
    assert set(graph.subjects(None, URIRef(LIEGE))) - {URIRef(LIEGE)}


def test_jsonld_for_application_ld_json(server: PreviewServer) -> None:
    status, headers, body = get(server.url + "city/be/liege", "application/ld+json")
    assert status == 200
    assert headers["Content-Type"] == "application/ld+json"
    # A client resolves the shared context, relative to the IRI, from the same server.
    data = json.loads(body)
    assert data["@context"] == "../../context.jsonld"
    context = json.loads(get(server.url + "context.jsonld", None)[2])["@context"]
    graph = Graph().parse(data=json.dumps({**data, "@context": context}), format="json-ld")
    turtle = Graph().parse(data=get(server.url + "city/be/liege", "text/turtle")[2])
    assert set(graph) == set(turtle)


def test_html_for_a_browser(server: PreviewServer) -> None:
    status, headers, body = get(server.url + "city/be/liege", BROWSER_ACCEPT)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.startswith(b"<!DOCTYPE html>")
    assert b"<h1>Li\xc3\xa8ge</h1>" in body
    # With no Accept header at all, people get the page too.
    assert get(server.url + "city/be/liege")[2] == body


def test_the_ontology_iri_negotiates_too(server: PreviewServer) -> None:
    status, headers, body = get(server.url + "ontology", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    ontology = Graph().parse(data=body, format="turtle")
    assert (CN.City, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in ontology
    status, _, body = get(server.url + "ontology", BROWSER_ACCEPT)
    assert status == 200 and b'id="City"' in body


def test_unacceptable_type_is_406(server: PreviewServer) -> None:
    status, headers, body = get(server.url + "city/be/liege", "image/png")
    assert status == 406
    assert b"text/turtle" in body


def test_files_by_name_and_unknown_paths(server: PreviewServer) -> None:
    status, headers, body = get(server.url + "void.ttl")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert get(server.url)[2].startswith(b"<!DOCTYPE html>")
    assert get(server.url + "city/be/nowhere", "text/turtle")[0] == 404
    for hidden in (".htaccess", ".citynet-site", "city/../../etc/passwd", "..%2F..%2Fetc%2Fpasswd"):
        assert get(server.url + hidden)[0] == 404, hidden


def test_sparql_endpoint_answers_stats(server: PreviewServer) -> None:
    dataset = load_graph([SAMPLE])
    expected_classes: dict[str, int] = {}
    for _subject, cls in {(s, o) for s, _, o, _ in dataset.quads((None, RDF.type, None, None))}:
        expected_classes[str(cls)] = expected_classes.get(str(cls), 0) + 1
    query = """
        SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
        WHERE { GRAPH ?g { ?s a ?class } }
        GROUP BY ?class
    """
    status, headers, body = get(
        server.sparql_url + "?" + urllib.parse.urlencode({"query": query}),
        "application/sparql-results+json",
    )
    assert status == 200, body
    rows = json.loads(body)["results"]["bindings"]
    assert {r["class"]["value"]: int(r["n"]["value"]) for r in rows} == expected_classes
    assert expected_classes[str(CN.City)] == 6
    # POST (form-encoded) counts every quad of every page.
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    status, _, body = get(
        server.sparql_url,
        "application/sparql-results+json",
        data=urllib.parse.urlencode({"query": count}).encode(),
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == 228
    # The default graph is the union of the pages, for ad-hoc queries (the Liège–Nancy
    # twinning is stated by both pages: it counts once as a distinct node).
    union = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <" + str(CN.Twinning) + "> }"
    body = get(server.sparql_url + "?" + urllib.parse.urlencode({"query": union}))[2]
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == 3


def test_sparql_errors_pass_through_and_writes_are_refused(server: PreviewServer) -> None:
    status, _, _ = get(server.sparql_url + "?" + urllib.parse.urlencode({"query": "SELEC"}))
    assert status == 400
    update = urllib.parse.urlencode({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    status, _, _ = get(
        server.sparql_url,
        data=update.encode(),
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status >= 400


def test_site_links_to_the_local_endpoint(server: PreviewServer) -> None:
    void = Graph().parse(data=get(server.url + "void.ttl")[2], format="turtle")
    endpoints = {
        str(o) for o in void.objects(None, URIRef("http://rdfs.org/ns/void#sparqlEndpoint"))
    }
    assert endpoints == {server.sparql_url}


def test_stop_ends_both_servers() -> None:
    running = serve([SAMPLE], port=0)
    url, workdir = running.url, running.workdir
    assert get(url)[0] == 200
    running.stop()
    assert running.oxigraph.poll() is not None
    assert not workdir.exists()
    with pytest.raises(urllib.error.URLError):
        _OPENER.open(url, timeout=5)


def test_port_in_use_is_a_usage_error(server: PreviewServer) -> None:
    result = CliRunner().invoke(cli, ["serve", str(SAMPLE), "--port", str(server.port)])
    assert result.exit_code == 2, result.output
    assert f"cannot listen on 127.0.0.1:{server.port}" in result.output


def test_serves_the_build_of_the_bundled_pages(tmp_path: Path) -> None:
    from citynet.graph.build import build

    result = build([ROOT / "data" / "pages"], out=tmp_path)
    graph = result.files["trig"]
    quads = len(list(load_graph([graph]).quads((None, None, None, None))))
    with serve([graph], port=0) as running:
        status, headers, body = get(running.url + "city/be/liege", "text/turtle")
        assert status == 200
        assert (URIRef(LIEGE), RDF.type, CN.City) in Graph().parse(data=body, format="turtle")
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        body = get(running.sparql_url + "?" + urllib.parse.urlencode({"query": count}))[2]
        assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == quads
