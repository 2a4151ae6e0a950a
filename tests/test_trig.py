"""citynet.trig writes a graph byte for byte as pyoxigraph's TriG writer does.

The bundled and generated pages are compared through whole builds in test_streaming.py;
here the terms those pages never make: odd local names, typed literals pyoxigraph writes
bare or not, and bases that overlap another prefix.
"""

from __future__ import annotations

import pytest
from pyoxigraph import RdfFormat, serialize

from citynet.graph.mapping import as_quads, quoted
from citynet.graph.outputs import prefixes_for as _prefixes
from citynet.graph.trig import TrigWriter

XSD = "http://www.w3.org/2001/XMLSchema#"
CN = "https://w3id.org/citynet/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

LOCALS = [
    "city/de/aachen",
    "project/31294",
    "a-b/c.d",
    "-a",
    "1a",
    "a_b~c",
    "",
    "a.",
    "a-",
    "a/",
    "a%20b",
    "a:b",
    "a#b",
    "ontology#City",
    "ontology#",
    "é/ü",
]
LEXICAL = {
    "integer": ["5", "-5", "+5", "05", "", "5.0", "1e5"],
    "decimal": ["5.0", "-0.00000", ".5", "5.", "+1.5", "1", "-8.48842", "1.2.3"],
    "boolean": ["true", "false", "1", "TRUE"],
    "double": ["1e5", "1.0E-3", "NaN", "INF", "5"],
    "string": ["x"],
    "gYear": ["1991"],
    "nonNegativeInteger": ["20661"],
}


def _objects(base: str) -> list[str]:
    objects = [f"<{base}{local}>" for local in LOCALS]
    objects += [f"<{CN}City>", f"<{XSD}gYear>", RDF_TYPE, "<https://sws.geonames.org/2792413/>"]
    objects += ["<http://example.org/dt#x>", "<urn:isbn:0451450523>"]
    objects += [f"{quoted(v)}^^<{XSD}{dt}>" for dt, values in LEXICAL.items() for v in values]
    objects += [f"{quoted('x')}^^<http://example.org/dt#y>", f"{quoted('x')}^^<{base}dt>"]
    objects += [quoted('a "quoted"\\ line\nbreak\ttab\x7f'), quoted("Liège"), '"Liège"@fr-be']
    return objects


def _pyoxigraph(writer: TrigWriter, graph: str, triples: list) -> str:  # type: ignore[type-arg]
    text = serialize(
        as_quads(triples, graph), format=RdfFormat.TRIG, prefixes=writer.prefixes
    ).decode()
    assert text.startswith(writer.header)
    return text[len(writer.header) :]


@pytest.mark.parametrize(
    "base",
    [
        "https://w3id.org/citynet/",  # cn: is inside data:
        "https://data.example.org/",  # no overlap
        "https://w3id.org/",  # data: holds cn:
        "http://purl.org/dc/terms/x/",  # inside dcterms:
    ],
)
def test_every_term_as_pyoxigraph_writes_it(base: str) -> None:
    writer = TrigWriter(_prefixes(base))
    graph = f"<{base}source/liege>"
    subjects = [f"<{base}{local}>" for local in LOCALS] + ["<urn:x:s>"]
    predicates = [RDF_TYPE, f"<{CN}label>", "<http://example.org/p>", f"<{base}p>"]
    triples = sorted(
        {(s, p, o) for s in subjects for p in predicates for o in _objects(base)}
        | {(s, p, o) for s in subjects[:3] for p in predicates[:2] for o in subjects}
    )
    # One graph with every combination (grouping by subject and predicate), then each
    # object alone (the term, written fresh and then from memory).
    assert writer.graph(graph, triples) == _pyoxigraph(writer, graph, triples)
    for obj in _objects(base):
        one = [(subjects[0], predicates[1], obj)]
        assert writer.graph(graph, one) == _pyoxigraph(writer, graph, one), obj
        assert writer.graph(graph, one) == _pyoxigraph(writer, graph, one), obj


def test_header_and_empty_graph() -> None:
    writer = TrigWriter(_prefixes("https://w3id.org/citynet/"))
    assert writer.header.startswith("@prefix ")
    assert writer.header.count("@prefix ") == len(writer.prefixes)
    assert writer.graph("<https://w3id.org/citynet/source/x>", []) == ""
    data = writer.graph(
        "<https://w3id.org/citynet/source/x>",
        [("<https://w3id.org/citynet/city/be/liege>", RDF_TYPE, f"<{CN}City>")],
    )
    assert data == "data:source\\/x {\n\tdata:city\\/be\\/liege a cn:City .\n}\n"
