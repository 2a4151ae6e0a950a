"""W3C RDF 1.1 Turtle, TriG, N-Triples and N-Quads tests against what citynet reads and writes.

Reading: every syntax and evaluation action goes through :func:`citynet.graph.formats.load_graph`
(the reader for any RDF a user hands citynet). Positive tests must load, negative tests
must be refused with an :class:`InputError` naming ``file:line:col``; evaluation tests must
give a graph isomorphic to the expected result. load_graph checks these four formats with
pyoxigraph's strict parser before rdflib builds the Dataset, because rdflib alone accepts
105 of the 272 negative tests (docs/reliability.md).

Writing: each evaluation action is parsed, written by :func:`citynet.graph.outputs.write_merged`
(the build's writer of the merged formats: Turtle, N-Triples, JSON-LD with citynet's
prefixes, from an N-Quads file), and every file is parsed back strictly and compared with
the expected result. The build's own TriG and N-Quads writers only meet the terms the
mapping makes: tests/test_trig.py and tests/test_mapping.py hold them to pyoxigraph's.

The suites are used in place (tests/w3c_suites.py); nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from w3c_suites import RDF11, RdfTest, rdf_tests

from citynet.common.iris import DEFAULT_BASE_IRI
from citynet.errors import InputError
from citynet.graph.formats import load_graph
from citynet.graph.outputs import write_merged

SUITES = ("rdf-turtle", "rdf-trig", "rdf-n-triples", "rdf-n-quads")
TESTS = [test for suite in SUITES for test in rdf_tests(suite)]
EVALUATION = [t for t in TESTS if t.evaluation]

pytestmark = pytest.mark.skipif(not TESTS, reason=f"W3C RDF tests not found in {RDF11}")

# Tests the reader is known to fail, with the reason (strict xfail: a fix shows up as an
# unexpected pass). Empty since load_graph parses these formats with pyoxigraph; with
# rdflib's parsers, 105 negative and 27 positive/evaluation tests failed (see
# docs/reliability.md).
READER_XFAIL: dict[str, str] = {}

# The remote base the tests assume, and where those files are here. Expected results spell
# relative IRIs against the remote base; load_graph resolves them against the local file.
REMOTE_ROOT = "https://w3c.github.io/rdf-tests/"
LOCAL_ROOT = (RDF11.parents[1]).resolve().as_uri() + "/"


def ids(test: RdfTest) -> str:
    return test.id


def reader_param(test: RdfTest):  # type: ignore[no-untyped-def]
    reason = READER_XFAIL.get(test.id)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(test, id=test.id, marks=marks)


def test_the_suites_are_there_and_complete() -> None:
    counts = {suite: sum(1 for t in TESTS if t.suite == suite) for suite in SUITES}
    assert counts == {"rdf-turtle": 313, "rdf-trig": 356, "rdf-n-triples": 70, "rdf-n-quads": 87}
    kinds = {t.kind for t in TESTS}
    assert {"TestTurtleNegativeSyntax", "TestTrigEval", "TestNQuadsPositiveSyntax"} <= kinds
    assert all(t.action.is_file() for t in TESTS)
    assert all(t.result is not None and t.result.is_file() for t in EVALUATION)


# -- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("test", [reader_param(t) for t in TESTS if not t.negative])
def test_reader_accepts_positive(test: RdfTest) -> None:
    load_graph([test.action])


@pytest.mark.parametrize("test", [t for t in TESTS if t.negative], ids=ids)
def test_reader_refuses_negative(test: RdfTest) -> None:
    with pytest.raises(InputError) as caught:
        load_graph([test.action])
    message = caught.value.message
    assert message.startswith(f"{test.action}:"), message
    assert "not valid" in message and "\n" not in message


def _ox(term: object, blanks: dict[object, ox.BlankNode]):  # type: ignore[no-untyped-def]
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return blanks.setdefault(term, ox.BlankNode())
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(term)


def from_rdflib(dataset: Dataset) -> list[ox.Quad]:
    blanks: dict[object, ox.BlankNode] = {}
    default = dataset.default_graph.identifier
    quads = []
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        graph = ox.DefaultGraph() if name is None or name == default else _ox(name, blanks)
        quads.append(ox.Quad(_ox(s, blanks), _ox(p, blanks), _ox(o, blanks), graph))
    return quads


def canonical(quads: list[ox.Quad]) -> set[str]:
    """Quads with blank nodes relabelled canonically (RDFC-1.0): equal sets = isomorphic."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def expected(test: RdfTest, *, local: bool = False) -> set[str]:
    assert test.result is not None
    data = test.result.read_bytes()
    if local:
        data = data.replace(REMOTE_ROOT.encode(), LOCAL_ROOT.encode())
    fmt = ox.RdfFormat.N_QUADS if test.result.suffix == ".nq" else ox.RdfFormat.N_TRIPLES
    return canonical(list(ox.parse(data, format=fmt)))


@pytest.mark.parametrize("test", [reader_param(t) for t in EVALUATION])
def test_reader_evaluation_is_isomorphic_to_the_expected_result(test: RdfTest) -> None:
    got = canonical(from_rdflib(load_graph([test.action])))
    assert got == expected(test, local=True)


def test_a_relative_iri_resolves_against_the_file() -> None:
    """The base mapping above is what load_graph does (so the comparison is fair)."""
    action = RDF11 / "rdf-turtle" / "turtle-subm-01.ttl"
    (quad,) = from_rdflib(load_graph([action]))
    assert quad.predicate == ox.NamedNode(action.resolve().as_uri() + "#x")


# -- writing ------------------------------------------------------------------------------


@pytest.mark.parametrize("test", EVALUATION, ids=ids)
def test_writer_round_trips_every_evaluation_test(test: RdfTest, tmp_path: Path) -> None:
    quads = list(ox.parse(path=str(test.action), base_iri=test.base))
    nquads = tmp_path / "in.nq"
    ox.serialize(quads, output=str(nquads), format=ox.RdfFormat.N_QUADS)
    merged = ("turtle", "ntriples", "jsonld")
    files = write_merged(tmp_path, nquads, merged, DEFAULT_BASE_IRI)
    want = canonical(
        [
            ox.Quad(q.subject, q.predicate, q.object)
            for q in ox.parse(_nq(expected(test)), ox.RdfFormat.N_QUADS)
        ]
    )
    assert sorted(files) == sorted(merged)
    for name, path in files.items():
        got = canonical(list(ox.parse(path=str(path))))  # format from the suffix, strict
        assert got == want, name


def _nq(lines: set[str]) -> bytes:
    return "".join(f"{line} .\n" for line in sorted(lines)).encode("utf-8")
