"""TriG for one named graph, from N-Triples terms, exactly as pyoxigraph writes it.

The build writes each page's graph as TriG, in its workers. Turning ~160 N-Triples terms into
pyoxigraph objects only to serialise them costs more than the rest of the mapping, so
the common terms are written here: IRIs under the data prefix whose local name is a
plain path, IRIs under no prefix, and the literals citynet makes. Any other term is
written by pyoxigraph itself (and remembered), so the output is byte for byte what
``pyoxigraph.serialize(..., format=RdfFormat.TRIG, prefixes=...)`` gives for the same
sorted quads; tests/test_trig.py checks that.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pyoxigraph import RdfFormat, parse, serialize

from citynet.graph.mapping import Term, Triple

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_XSD = "http://www.w3.org/2001/XMLSchema#"
# Typed literals pyoxigraph writes bare, with the lexical forms written here (others go
# to pyoxigraph): integers, decimals with digits on both sides of the point, booleans.
_BARE = {
    f"^^<{_XSD}integer>": re.compile(r"-?[0-9]+"),
    f"^^<{_XSD}decimal>": re.compile(r"-?[0-9]+\.[0-9]+"),
    f"^^<{_XSD}boolean>": re.compile(r"true|false"),
}
# Datatypes of literals citynet makes that pyoxigraph writes quoted, whatever the value.
_QUOTED = {f"^^<{_XSD}{name}>" for name in ("gYear", "gYearMonth", "date", "nonNegativeInteger")}
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_/-]*[A-Za-z0-9_])?")
_PROBE = "<urn:x-citynet:probe>"
# Terms remembered as written: the vocabulary, and the nodes a page names several times
# (its city, its graph) or that pages share (countries, twins). Cleared when full.
_MEMO = 1 << 16


def _any_of(namespaces: list[str]) -> re.Pattern[str]:
    """Matches an IRI term under one of the namespaces."""
    return re.compile("|".join(re.escape(f"<{ns}") for ns in namespaces) or "(?!)")


class TrigWriter:
    """Writes graphs of sorted, distinct triples with a fixed set of prefixes."""

    def __init__(self, prefixes: dict[str, str], data_prefix: str = "data") -> None:
        self.prefixes = dict(prefixes)
        namespace = self.prefixes[data_prefix]
        self._data = f"<{namespace}"
        self._data_name = f"{data_prefix}:"
        others = [ns for name, ns in self.prefixes.items() if name != data_prefix]
        # IRIs under another prefix are left to pyoxigraph, which chooses among the
        # prefixes: so are data IRIs under a longer namespace (cn: under data:), and all
        # of them when a shorter namespace holds the data namespace.
        self._other = _any_of(others)
        self._inner = _any_of([ns for ns in others if ns.startswith(namespace)])
        self._shadowed = any(namespace.startswith(ns) for ns in others)
        self.header = self._probe_text().split(f"{_PROBE} {{")[0]
        self._by_pyoxigraph = lru_cache(maxsize=4096)(self._pyoxigraph_term)
        self._memo: dict[Term, str] = {}

    def _probe_text(self, obj: Term = _PROBE) -> str:
        line = f"{_PROBE} {_PROBE} {obj} {_PROBE} .\n".encode()
        quads = parse(line, format=RdfFormat.N_QUADS)
        return serialize(quads, format=RdfFormat.TRIG, prefixes=self.prefixes).decode()

    def _pyoxigraph_term(self, term: Term) -> str:
        text = self._probe_text(term)
        start = text.index(f"\t{_PROBE} {_PROBE} ") + 2 * len(_PROBE) + 3
        return text[start : text.rindex(" .\n}")]

    def term(self, term: Term) -> str:
        written = self._memo.get(term)
        if written is None:
            if len(self._memo) >= _MEMO:
                self._memo.clear()
            written = self._memo[term] = self._write(term)
        return written

    def _write(self, term: Term) -> str:
        if term[0] == "<":
            if term.startswith(self._data):
                local = term[len(self._data) : -1]
                plain = not self._shadowed and not self._inner.match(term)
                if plain and _PLAIN_LOCAL.fullmatch(local):
                    return self._data_name + local.replace("/", "\\/")
            elif not self._other.match(term):
                return term
            return self._by_pyoxigraph(term)
        end = term.rindex('"')
        suffix = term[end + 1 :]
        if not suffix or suffix[0] == "@":
            return term
        if suffix in _QUOTED:
            return term[: end + 3] + self._write(suffix[2:])
        bare = _BARE.get(suffix)
        if bare is not None and bare.fullmatch(term, 1, end):
            return term[1:end]
        return self._by_pyoxigraph(term)

    def graph(self, graph: Term, triples: list[Triple]) -> str:
        """One graph block; ``triples`` sorted and distinct (the order is kept)."""
        if not triples:
            return ""
        memo, term = self._memo, self.term
        out = [f"{term(graph)} {{\n"]
        last_s = last_p = None
        for s, p, o in triples:
            obj = memo.get(o) or term(o)
            if p != last_p or s != last_s:
                pred = "a" if p == _RDF_TYPE else memo.get(p) or term(p)
                if s == last_s:
                    out.append(f" ;\n\t\t{pred} {obj}")
                else:
                    subject = memo.get(s) or term(s)
                    lead = "\t" if last_s is None else " .\n\t"
                    out.append(f"{lead}{subject} {pred} {obj}")
                    last_s = s
                last_p = p
            else:
                out.append(f" , {obj}")
        out.append(" .\n}\n")
        return "".join(out)
