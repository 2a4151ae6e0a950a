"""The one table of RDF formats (names, media types, suffixes) and safe graph loading.

Used by ``--format`` options, by the writers, by content negotiation and by every command
that reads a graph a user hands us.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from citynet.common.text import one_line
from citynet.errors import InputError


@dataclass(frozen=True, slots=True)
class RdfFormat:
    name: str  # what --format takes
    media_type: str
    suffix: str
    rdflib_name: str  # rdflib parser/serializer plugin
    oxigraph_name: str  # pyoxigraph RdfFormat attribute name
    quads: bool  # holds named graphs


FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("trig", "application/trig", ".trig", "trig", "TRIG", True),
    RdfFormat("nquads", "application/n-quads", ".nq", "nquads", "N_QUADS", True),
    RdfFormat("turtle", "text/turtle", ".ttl", "turtle", "TURTLE", False),
    RdfFormat("ntriples", "application/n-triples", ".nt", "nt", "N_TRIPLES", False),
    RdfFormat("jsonld", "application/ld+json", ".jsonld", "json-ld", "JSON_LD", True),
    RdfFormat("rdfxml", "application/rdf+xml", ".rdf", "xml", "RDF_XML", False),
)

BY_NAME = {f.name: f for f in FORMATS}
BY_SUFFIX = {f.suffix: f for f in FORMATS} | {".owl": BY_NAME["rdfxml"], ".json": BY_NAME["jsonld"]}
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}


def format_for_path(path: Path) -> RdfFormat:
    try:
        return BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(BY_SUFFIX))
        raise InputError(
            f"{path}: unknown RDF file type {path.suffix or '(no suffix)'!r}",
            hint=f"use one of {known}",
        ) from None


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def check_safe(path: Path, data: bytes, fmt: RdfFormat) -> None:
    """Refuse inputs that would make a parser expand entities or fetch remote documents."""
    if fmt.name == "rdfxml" and _DOCTYPE.search(data):
        raise InputError(
            f"{path}: RDF/XML with a DOCTYPE or ENTITY declaration is refused",
            hint="remove the DTD; citynet never expands XML entities",
        )
    if fmt.name == "jsonld":
        try:
            document = json.loads(data)
        except ValueError as error:
            raise InputError(
                f"{path}:{getattr(error, 'lineno', 1)}: invalid JSON: {error}"
            ) from None
        if _has_remote_context(document):
            raise InputError(
                f"{path}: JSON-LD with a remote @context is refused",
                hint="inline the context; citynet never fetches remote documents",
            )


def _has_remote_context(node: object) -> bool:
    if isinstance(node, dict):
        context = node.get("@context")
        items = context if isinstance(context, list) else [context]
        if any(isinstance(item, str) for item in items):
            return True
        return any(_has_remote_context(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_remote_context(item) for item in node)
    return False


def to_rdflib_term(term: object) -> Node:
    """The rdflib term for a pyoxigraph term, literals kept exactly as written."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    # RDF 1.2 triple terms: not RDF 1.1, refused by the 1.1 formats anyway
    raise InputError(f"unsupported RDF term {term}")


def read_rdf_file(path: Path, *, checked: bool = True) -> bytes:
    """An RDF file's bytes, or a one-line InputError (missing, unreadable); ``checked``:
    also refuse unsafe content (DTDs, remote JSON-LD contexts)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", hint="run `citynet build` first") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    if checked:
        check_safe(path, data, format_for_path(path))
    return data


def load_graph(paths: list[Path], *, into: Dataset | None = None) -> Dataset:
    """Parse RDF files into one Dataset (named graphs kept), refusing unsafe inputs.

    Errors name the file (and line when the parser gives one) and exit with code 2.
    """
    dataset = into if into is not None else Dataset(default_union=True)
    for path in paths:
        fmt = format_for_path(path)
        data = read_rdf_file(path)
        if fmt.name in _STRICT:
            _add_quads(dataset, _parse_strict(path, data, fmt))
            continue
        try:
            if fmt.quads:
                dataset.parse(data=data, format=fmt.rdflib_name, publicID=path.resolve().as_uri())
            else:
                graph = Graph(store=dataset.store, identifier=dataset.default_graph.identifier)
                graph.parse(data=data, format=fmt.rdflib_name, publicID=path.resolve().as_uri())
        except Exception as error:  # rdflib raises many unrelated types for bad syntax
            raise InputError(f"{path}: not valid {fmt.name}: {one_line(error)}") from None
    return dataset


# rdflib's own parsers accept 105 of the 272 W3C negative syntax tests for these formats
# (bad IRIs, escapes, lists, keywords) and fail 26 evaluation tests: they rewrite literal
# lexical forms ("01"^^xsd:integer becomes "1", "1E0"^^xsd:double "1.0"), turn a CR in a
# literal into LF and resolve some relative IRIs wrongly (docs/reliability.md). pyoxigraph
# passes the whole suite, so it parses these formats and rdflib only holds the result.
_STRICT = {"trig", "nquads", "turtle", "ntriples"}


def _parse_strict(path: Path, data: bytes, fmt: RdfFormat) -> list[pyoxigraph.Quad]:
    """All quads of a file, or an InputError naming ``file:line:col`` (nothing half-read)."""
    try:
        return list(
            pyoxigraph.parse(
                data,
                format=getattr(pyoxigraph.RdfFormat, fmt.oxigraph_name),
                base_iri=path.resolve().as_uri(),
                rename_blank_nodes=True,  # _:b1 in two files are two nodes, as in rdflib
            )
        )
    except SyntaxError as error:
        raise syntax_error(path, fmt, error) from None


def syntax_error(path: Path, fmt: RdfFormat, error: SyntaxError) -> InputError:
    """A pyoxigraph parse error as ``file:line:col: not valid FORMAT: why`` (one line)."""
    where = str(path)
    position = error.args[1] if len(error.args) > 1 else None
    if position and position[1]:
        where += f":{position[1]}:{position[2]}" if position[2] else f":{position[1]}"
    why = str(error.args[0]) if error.args else str(error)
    why = re.sub(r"^Parser error [^:]*: ", "", why)  # the position is in `where`
    return InputError(f"{where}: not valid {fmt.name}: {one_line(why)}")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _add_quads(dataset: Dataset, quads: list[pyoxigraph.Quad]) -> None:
    """Add pyoxigraph quads to an rdflib Dataset, keeping every lexical form as written."""
    terms: dict[object, Node] = {}

    def convert(term: object) -> Node:
        found = terms.get(term)
        if found is None:
            found = terms[term] = to_rdflib_term(term)
        return found

    default = dataset.default_graph
    graphs: dict[object, Graph] = {}

    def context(name: object) -> Graph:
        if isinstance(name, pyoxigraph.DefaultGraph):
            return default
        graph = graphs.get(name)
        if graph is None:
            graph = graphs[name] = dataset.graph(convert(name))  # type: ignore[arg-type]
        return graph

    dataset.addN(
        (convert(q.subject), convert(q.predicate), convert(q.object), context(q.graph_name))
        for q in quads
    )
