"""Where the W3C test suites are, and how to read their manifests (no network, ever).

The suites are vendored in tests/suites/w3c-tests (sources, commits and licences in
tests/suites/README.md); ``$CITYNET_SHARED/w3c-tests`` points the tests at another copy.
Manifests are read with pyoxigraph using the manifest's own file URI as base, so
every ``mf:action`` / ``mf:result`` is a local ``file:`` IRI; the remote base the tests
assume (``mf:assumedTestBase``) is only used as the base IRI when parsing an action, so
relative IRIs come out as the expected results spell them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
#: The vendored copies of the test suites and samples (tests/suites/README.md).
SUITES = ROOT / "tests" / "suites"
SHARED = Path(os.environ.get("CITYNET_SHARED", SUITES))
W3C = SHARED / "w3c-tests"
RDF11 = W3C / "rdf-tests" / "rdf" / "rdf11"
SHT = W3C / "shacl" / "test" / "resources" / "sht_tests"

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def file_path(iri: str) -> Path:
    """The local path of a ``file:`` IRI (manifests are parsed with a file base)."""
    parsed = urlparse(iri)
    if parsed.scheme != "file":
        raise ValueError(f"not a local file IRI: {iri}")
    return Path(unquote(parsed.path))


def read_triples(path: Path) -> list[ox.Triple]:
    return [
        q.triple
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())
    ]


def rdf_list(triples: list[ox.Triple], head: ox.NamedNode | ox.BlankNode) -> list:
    first = {(t.subject, t.predicate.value): t.object for t in triples}
    items = []
    node = head
    while node != ox.NamedNode(RDF + "nil"):
        items.append(first[(node, RDF + "first")])
        node = first[(node, RDF + "rest")]
    return items


@dataclass(frozen=True)
class RdfTest:
    suite: str  # rdf-turtle, rdf-trig, rdf-n-triples, rdf-n-quads
    name: str
    kind: str  # TestTurtleEval, TestTrigNegativeSyntax, ...
    action: Path
    result: Path | None
    base: str  # the assumed remote base + the action's file name

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"

    @property
    def negative(self) -> bool:
        return "Negative" in self.kind

    @property
    def evaluation(self) -> bool:
        return self.kind.endswith("Eval")


def rdf_tests(suite: str) -> list[RdfTest]:
    manifest = RDF11 / suite / "manifest.ttl"
    if not manifest.is_file():
        return []
    triples = read_triples(manifest)
    values: dict[tuple[object, str], object] = {
        (t.subject, t.predicate.value): t.object for t in triples
    }
    this = ox.NamedNode(manifest.as_uri())
    assumed = values.get((this, MF + "assumedTestBase"))
    base = assumed.value if isinstance(assumed, ox.NamedNode) else ""
    tests = []
    for entry in rdf_list(triples, values[(this, MF + "entries")]):  # type: ignore[arg-type]
        action = file_path(values[(entry, MF + "action")].value)  # type: ignore[attr-defined]
        result = values.get((entry, MF + "result"))
        tests.append(
            RdfTest(
                suite=suite,
                name=values[(entry, MF + "name")].value,  # type: ignore[attr-defined]
                kind=values[(entry, RDF + "type")].value.rsplit("#", 1)[1],  # type: ignore[attr-defined]
                action=action,
                result=file_path(result.value) if isinstance(result, ox.NamedNode) else None,
                base=base + action.name,
            )
        )
    return tests
