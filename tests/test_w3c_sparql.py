"""SPARQL: every named query is strict SPARQL 1.1, and query files are checked as the W3C
SPARQL 1.1 query syntax tests say.

pyoxigraph is the strict parser (``Store.query`` parses eagerly and evaluates lazily: the
answer is never iterated, so nothing runs). ``citynet.sparql.queries.check_syntax`` is what
``citynet query`` runs on every query file before anything else; it also refuses what
rdflib cannot run (the second engine the named queries are held against), so two valid
SPARQL 1.1 tests are refused by design (xfail below, strict). The update syntax tests are
not run: citynet reads no update files, and pyoxigraph can only parse an update by
running it.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from w3c_suites import MF, RDF, W3C, file_path, rdf_list, read_triples

from citynet.errors import InputError
from citynet.sparql.queries import check_syntax, queries_dir

SYNTAX = W3C / "rdf-tests" / "sparql" / "sparql11" / "syntax-query" / "manifest.ttl"
NAMED = sorted(queries_dir().glob("*.rq"))


def syntax_tests() -> list[tuple[str, Path, bool]]:
    if not SYNTAX.is_file():
        return []
    triples = read_triples(SYNTAX)
    values: dict[tuple[object, str], object] = {}
    for t in triples:
        values.setdefault((t.subject, t.predicate.value), t.object)
    this = ox.NamedNode(SYNTAX.as_uri())
    tests = []
    for entry in rdf_list(triples, values[(this, MF + "entries")]):  # type: ignore[arg-type]
        kind = values[(entry, RDF + "type")].value  # type: ignore[attr-defined]
        path = file_path(values[(entry, MF + "action")].value)  # type: ignore[attr-defined]
        tests.append((path.stem, path, kind.endswith("#PositiveSyntaxTest11")))
    return tests


TESTS = syntax_tests()

CHECK_XFAIL = {
    "syntax-oneof-03": "rdflib cannot parse it: refused as not portable (by design)",
    "syntax-construct-where-02": "rdflib cannot parse it: refused as not portable (by design)",
    "syntax-select-expr-04": "a custom function: valid syntax, refused as it cannot run here",
}


def test_named_queries_are_there() -> None:
    assert len(NAMED) >= 8
    assert len(TESTS) == 94 and sum(positive for _, _, positive in TESTS) == 63


@pytest.mark.parametrize("path", NAMED, ids=lambda p: p.name)
def test_every_named_query_is_strict_sparql_11(path: Path) -> None:
    answer = ox.Store().query(path.read_text(encoding="utf-8"))  # raises SyntaxError
    assert isinstance(answer, ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples)
    assert check_syntax(path.read_text(encoding="utf-8"), path) in {"select", "ask", "construct"}


@pytest.mark.parametrize(("name", "path", "positive"), TESTS, ids=[t[0] for t in TESTS])
def test_strict_parser_on_the_w3c_syntax_tests(name: str, path: Path, positive: bool) -> None:
    text = path.read_text(encoding="utf-8")
    if positive:
        try:
            ox.Store().query(text, base_iri="http://example.org/")
        except RuntimeError as error:  # parsed; only an unsupported custom function
            assert "custom function" in str(error)
    else:
        with pytest.raises(SyntaxError):
            ox.Store().query(text, base_iri="http://example.org/")


def check_param(name: str, path: Path, positive: bool):  # type: ignore[no-untyped-def]
    reason = CHECK_XFAIL.get(name)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(name, path, positive, id=name, marks=marks)


@pytest.mark.parametrize(("name", "path", "positive"), [check_param(*t) for t in TESTS])
def test_query_file_check_on_the_w3c_syntax_tests(name: str, path: Path, positive: bool) -> None:
    text = path.read_text(encoding="utf-8")
    if positive:
        check_syntax(text, path)
    else:
        with pytest.raises(InputError) as caught:
            check_syntax(text, path)
        assert caught.value.message.startswith(str(path))
        assert "\n" not in caught.value.message
