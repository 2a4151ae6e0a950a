"""The graph to validate, loaded once for every engine and for the report.

Every input (RDF files, standard input, an rdflib graph) becomes the same two things:

- ``Data.nquads``: the quads as N-Quads text with every literal exactly as written. The
  engines read this (pySHACL through an rdflib graph, pyshacl-turbo as text). It never
  passes through a pyoxigraph store: a store rewrites literals into canonical forms
  ("0042"^^xsd:nonNegativeInteger comes back as "42"^^xsd:integer), and the shapes check
  datatypes, so a store in between would change the results (docs/validation.md).
- ``Data.view``: a pyoxigraph store of the same quads behind the few rdflib-style reads the
  report makes (labels, provenance, the page graph that states a fact).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from citynet.errors import InputError
from citynet.graph.formats import (
    BY_NAME,
    format_for_path,
    load_graph,
    read_rdf_file,
    syntax_error,
    to_rdflib_term,
)

# Parsed by pyoxigraph (exact, W3C-conformant); the others go through load_graph (rdflib),
# which also refuses unsafe JSON-LD and RDF/XML.
_OXIGRAPH_FORMATS = {"trig", "nquads", "turtle", "ntriples"}
_NQUADS = ox.RdfFormat.N_QUADS


class Data:
    """Quads to validate (see the module docstring)."""

    def __init__(self, nquads: bytes) -> None:
        if not nquads.strip():
            raise InputError("the graph to validate is empty", hint="run `citynet build` first")
        self.nquads = nquads

    @cached_property
    def view(self) -> StoreView:
        store = ox.Store()
        store.bulk_load(self.nquads, format=_NQUADS)
        return StoreView(store)

    def quads(self) -> Iterator[ox.Quad]:
        return ox.parse(self.nquads, format=_NQUADS)

    def union(self, union: Graph | None = None) -> Graph:
        """Every triple of every graph in one rdflib Graph (``union``, else a new one),
        literals as written."""
        union = Graph() if union is None else union
        convert = _to_rdflib
        union.addN(
            (convert(q.subject), convert(q.predicate), convert(q.object), union)
            for q in self.quads()
        )
        return union


def load_paths(paths: Sequence[Path]) -> Data:
    """RDF files as one Data; errors name the file (and line) and exit with code 2."""
    if not paths:
        raise InputError("no graph to validate", hint="run `citynet build` first")
    return Data(b"".join(_file_nquads(Path(p)) for p in paths))


def _file_nquads(path: Path, name: Path | None = None) -> bytes:
    fmt = format_for_path(path)
    if fmt.name not in _OXIGRAPH_FORMATS:
        return from_rdflib(load_graph([path])).nquads
    data = read_rdf_file(path, checked=False)
    quads = ox.parse(
        data,
        format=getattr(ox.RdfFormat, fmt.oxigraph_name),
        base_iri=path.resolve().as_uri(),
        rename_blank_nodes=True,  # _:b1 in two files are two nodes
    )
    try:
        return ox.serialize(quads, format=_NQUADS)
    except SyntaxError as error:
        raise syntax_error(name or path, fmt, error) from None


def load_bytes(data: bytes, input_format: str | None = None, *, name: str = "<stdin>") -> Data:
    """RDF given as bytes (standard input): TriG unless told, or JSON/XML-looking."""
    if input_format is None:
        head = data.lstrip()[:200]
        if head.startswith((b"{", b"[")):
            input_format = "jsonld"
        elif head.startswith((b"<?xml", b"<rdf:RDF")):
            input_format = "rdfxml"
        else:
            input_format = "trig"  # TriG is a superset of Turtle and N-Triples
    fmt = BY_NAME.get(input_format)
    if fmt is None:
        raise InputError(
            f"unknown input format {input_format!r}", hint=f"use one of {', '.join(BY_NAME)}"
        )
    if not data.strip():
        raise InputError(f"{name}: empty input, nothing to validate")
    with tempfile.TemporaryDirectory(prefix="citynet-validate-") as folder:
        path = Path(folder) / f"stdin{fmt.suffix}"
        path.write_bytes(data)
        try:
            return Data(_file_nquads(path, Path(name)))
        except InputError as error:
            message = error.message.replace(str(path), name)
            raise InputError(
                message, hint=error.hint or "name the format with --input-format"
            ) from None


def from_quads(quads: Iterable[ox.Quad]) -> Data:
    """pyoxigraph quads as parsed or built (not read back from a store: see the module)."""
    return Data(ox.serialize(quads, format=_NQUADS))


def from_rdflib(graph: Graph) -> Data:
    """An rdflib Graph, Dataset or ConjunctiveGraph (named graphs kept)."""
    convert = _to_ox
    if graph.context_aware:
        quads: Iterable[tuple] = graph.quads((None, None, None, None))  # type: ignore[arg-type]
    else:
        quads = ((s, p, o, None) for s, p, o in graph)
    return Data(
        ox.serialize(
            (
                ox.Quad(
                    convert(s),
                    convert(p),
                    convert(o),
                    _graph_name(c, convert),
                )
                for s, p, o, c in quads
            ),
            format=_NQUADS,
        )
    )


def _graph_name(context: object, convert: object) -> object:
    identifier = getattr(context, "identifier", context)
    if identifier is None or str(identifier).startswith("urn:x-rdflib:default"):
        return ox.DefaultGraph()
    return convert(identifier)  # type: ignore[operator]


def _ox_term(term: Node) -> object:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise InputError(f"unsupported RDF term {term!r}")


# Terms converted both ways, literals as written; cached because names repeat.
_to_rdflib = lru_cache(maxsize=200_000)(to_rdflib_term)
_to_ox = lru_cache(maxsize=200_000)(_ox_term)

Pattern = tuple[Node | None, Node | None, Node | None]


class StoreView:
    """A pyoxigraph store read with rdflib terms: the reads the report and the lint make.

    Triples are the union of all graphs; ``quads`` names the graph. Literals come back in
    the store's canonical form (the report only shows labels and line numbers from here).
    """

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.has_named_graphs = next(iter(store.named_graphs()), None) is not None

    def _ox(self, term: Node | None) -> object:
        return None if term is None else _to_ox(term)

    def quads(self, pattern: tuple[Node | None, ...]) -> Iterator[tuple[Node, Node, Node, Node]]:
        s, p, o = (self._ox(t) for t in pattern[:3])
        if isinstance(s, ox.Literal) or isinstance(p, ox.Literal | ox.BlankNode):
            return
        graph = self._ox(pattern[3]) if len(pattern) > 3 and pattern[3] is not None else None
        rd = _to_rdflib
        for quad in self.store.quads_for_pattern(s, p, o, graph):
            name = quad.graph_name
            yield (
                rd(quad.subject),
                rd(quad.predicate),
                rd(quad.object),
                None if isinstance(name, ox.DefaultGraph) else rd(name),  # type: ignore[misc]
            )

    def triples(self, pattern: Pattern) -> Iterator[tuple[Node, Node, Node]]:
        seen: set[tuple[Node, Node, Node]] = set()
        for s, p, o, _ in self.quads(pattern):
            if (s, p, o) not in seen:
                seen.add((s, p, o))
                yield s, p, o

    def __contains__(self, triple: Pattern) -> bool:
        return next(self.triples(triple), None) is not None

    def __len__(self) -> int:
        return len(self.store)

    def objects(self, subject: Node | None = None, predicate: Node | None = None) -> Iterator:
        return iter(dict.fromkeys(o for _, _, o in self.triples((subject, predicate, None))))

    def subjects(self, predicate: Node | None = None, object: Node | None = None) -> Iterator:  # noqa: A002
        return iter(dict.fromkeys(s for s, _, _ in self.triples((None, predicate, object))))

    def subject_objects(self, predicate: Node | None = None) -> Iterator[tuple[Node, Node]]:
        return ((s, o) for s, _, o in self.triples((None, predicate, None)))


__all__ = ["Data", "StoreView", "from_quads", "from_rdflib", "load_bytes", "load_paths"]
