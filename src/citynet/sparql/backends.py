"""Where a query runs: local RDF files (pyoxigraph or rdflib) or a SPARQL 1.1 endpoint.

Each backend takes the final query text (VALUES block already in place) and returns a
:class:`~citynet.sparql.results.QueryResult`. None of them rewrites the text, so what runs is
the same everywhere.

Local files are loaded so that every triple sits in a named graph: quad files keep
their graphs, a triple file (Turtle, N-Triples, RDF/XML) goes into a graph named after
the file. The named queries match data with ``GRAPH ?g { ... }``, which then works the
same on rdflib, Oxigraph and stores whose default graph is not the union of the named
graphs.
"""

from __future__ import annotations

import io
import json
import socket
import time
import urllib.error
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef

from citynet import settings
from citynet.common.text import one_line
from citynet.errors import EndpointError, InputError
from citynet.graph.formats import format_for_path, load_graph, read_rdf_file, syntax_error
from citynet.sparql.results import QueryResult, literal, normalise_term

DEFAULT_TIMEOUT = settings.DEFAULT_TIMEOUT_S


class Backend(Protocol):
    description: str

    def run(self, text: str, form: str) -> QueryResult:
        """Run a query of the given form ("select", "ask", "construct", "describe")."""
        ...


# Local: pyoxigraph ------------------------------------------------------------------------


def jsonld_quads(data: bytes, path: Path) -> list[ox.Quad]:
    """A JSON-LD file's quads. A document without named graphs (the merged graph the
    build writes) lands in one graph named after the file, as Turtle and N-Triples do, so
    the named queries (which read named graphs) answer the same on every format."""
    quads = list(ox.parse(data, format=ox.RdfFormat.JSON_LD, base_iri=path.resolve().as_uri()))
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        return quads
    graph = ox.NamedNode(path.resolve().as_uri())
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]


class OxigraphBackend:
    """An in-memory pyoxigraph store loaded from files: fast, and the same engine as the
    Oxigraph server."""

    #: The data does not change once loaded, so label lookups may be cached (queries.py).
    fixed_data = True

    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths = list(paths)
        self.description = ", ".join(str(p) for p in self.paths)
        self.store = ox.Store()
        for path in self.paths:
            fmt = format_for_path(path)
            # RDF/XML and JSON-LD are checked before parsing (no DTDs, no remote contexts);
            # the other formats are parsed straight from the file, never copied into memory
            # (a 100,000-page build's N-Quads are 3 GB).
            source: dict[str, Any] = {"path": str(path)}
            if fmt.name in ("rdfxml", "jsonld"):
                source = {"input": read_rdf_file(path)}  # no DTDs, no remote contexts
            elif not path.is_file():
                raise InputError(f"{path}: no such file", hint="run `citynet build` first")
            try:
                if fmt.name == "jsonld":
                    self.store.extend(jsonld_quads(source["input"], path))
                    continue
                self.store.load(
                    **source,
                    format=getattr(ox.RdfFormat, fmt.oxigraph_name),
                    base_iri=path.resolve().as_uri(),
                    to_graph=None if fmt.quads else ox.NamedNode(path.resolve().as_uri()),
                )
            except SyntaxError as error:
                raise syntax_error(path, fmt, error) from None  # file:line:col
            except ValueError as error:
                raise InputError(f"{path}: not valid {fmt.name}: {one_line(error)}") from None
            except OSError as error:
                raise InputError(f"{path}: cannot read: {one_line(error)}") from None

    @classmethod
    def from_store(cls, store: ox.Store, description: str = "pyoxigraph store") -> OxigraphBackend:
        """A backend over a store that is already open (e.g. the on-disk store of
        ``citynet build --store``): nothing is loaded or copied. Label lookups are cached
        for the backend's lifetime: make a new one after changing the store."""
        backend = cls.__new__(cls)
        backend.paths = []
        backend.description = description
        backend.store = store
        return backend

    def run(self, text: str, form: str) -> QueryResult:
        try:
            answer = self.store.query(text)
            if isinstance(answer, ox.QueryBoolean):
                return QueryResult("ask", boolean=bool(answer))
            if isinstance(answer, ox.QueryTriples):
                graph = Graph()
                for triple in answer:
                    graph.add(tuple(from_oxigraph(t) for t in triple))  # type: ignore[arg-type]
                return QueryResult("graph", graph=graph)
            variables = [v.value for v in answer.variables]
            # Terms repeat across rows (a city on every row of its pairs): convert each
            # once; building rdflib terms is most of the Python time on large answers.
            converted: dict[Any, Any] = {None: None}

            def convert(term: Any) -> Any:
                try:
                    return converted[term]
                except KeyError:
                    value = converted[term] = from_oxigraph(term)
                    return value

            rows = [tuple(map(convert, solution)) for solution in answer]
        except SyntaxError as error:
            raise InputError(f"query: {error}") from None
        except OSError as error:
            raise InputError(f"query failed: {one_line(error)}") from None
        return QueryResult("select", variables=variables, rows=rows)


def from_oxigraph(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        return literal(term.value, lang=term.language, datatype=term.datatype.value)
    raise InputError(f"unsupported term in results: {term!r} (RDF-star is not supported)")


# Local: rdflib ----------------------------------------------------------------------------


class RdflibBackend:
    """rdflib's SPARQL engine over the same files: slow, but a second, independent engine
    that the tests hold the named queries against."""

    fixed_data = True

    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths = list(paths)
        self.description = ", ".join(str(p) for p in self.paths)
        self.dataset = Dataset()
        for path in self.paths:
            fmt = format_for_path(path)
            single = load_graph([path]) if fmt.name == "jsonld" or not fmt.quads else None
            if single is None or len(single.default_context) < len(single):
                load_graph([path], into=self.dataset)  # a dataset with named graphs
            else:
                # Same rule as the pyoxigraph backend: triples go into a graph named after
                # the file, so GRAPH ?g patterns see them.
                target = self.dataset.graph(URIRef(path.resolve().as_uri()))
                for triple in single.default_context:
                    target.add(triple)

    def run(self, text: str, form: str) -> QueryResult:
        try:
            answer = self.dataset.query(text)
        except Exception as error:  # rdflib raises many unrelated types
            raise InputError(f"query failed (rdflib): {one_line(error)}") from None
        if answer.type == "ASK":
            return QueryResult("ask", boolean=bool(answer.askAnswer))
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            graph = Graph()
            for triple in answer.graph or []:
                graph.add(triple)
            return QueryResult("graph", graph=graph)
        variables = [str(v) for v in answer.vars or []]
        rows = [tuple(normalise_term(row[v]) for v in variables) for row in answer]
        return QueryResult("select", variables=variables, rows=rows)


# Remote: SPARQL 1.1 protocol --------------------------------------------------------------


@dataclass(frozen=True)
class EndpointConfig:
    url: str
    timeout: float = DEFAULT_TIMEOUT
    credentials: settings.Credentials | None = None
    retries: int = settings.CONNECT_ATTEMPTS - 1  # refused / reset only: no retry storm


def endpoint_config(url: str, timeout: float = DEFAULT_TIMEOUT) -> EndpointConfig:
    """Check an endpoint URL and take the credentials from the settings (the environment).

    The same rules as ``citynet publish`` (:mod:`citynet.settings`): no user:password in
    the URL, no credentials over plain http to anything but this machine.
    """
    settings.check_url(url, "endpoint")
    if timeout <= 0:
        raise InputError(f"--timeout must be positive, not {timeout}")
    found = settings.credentials()
    settings.check_transport(found, [url])
    return EndpointConfig(url, timeout, found)


def redact(url: str) -> str:
    """The URL without user info, query string or fragment: safe to print."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


_JSON_TYPES = ("application/sparql-results+json", "application/json")
_XML_TYPES = ("application/sparql-results+xml", "application/xml", "text/xml")
_GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


class EndpointBackend:
    """A SPARQL 1.1 protocol endpoint, through SPARQLWrapper (POST, form-encoded)."""

    def __init__(self, config: EndpointConfig) -> None:
        self.config = config
        self.description = redact(config.url)

    def run(self, text: str, form: str) -> QueryResult:
        body, content_type = self._request(text, form)
        where = self.description
        if form in ("construct", "describe"):
            fmt = _GRAPH_TYPES.get(content_type)
            if fmt is None:
                raise _unexpected(where, "text/turtle", content_type, body)
            try:
                graph = Graph().parse(data=body.decode("utf-8"), format=fmt)
            except Exception as error:
                raise EndpointError(
                    f"{where}: invalid {content_type} answer: {one_line(error)}"
                ) from None
            return QueryResult("graph", graph=graph)
        if content_type in _JSON_TYPES:
            return parse_json_results(body, where)
        if content_type in _XML_TYPES:
            return _parse_xml_results(body, where)
        raise _unexpected(where, _JSON_TYPES[0], content_type, body)

    def _request(self, text: str, form: str) -> tuple[bytes, str]:
        from SPARQLWrapper import (
            ASK,
            BASIC,
            CONSTRUCT,
            DESCRIBE,
            DIGEST,
            JSON,
            POST,
            SELECT,
            TURTLE,
            URLENCODED,
            SPARQLWrapper,
        )
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        config = self.config
        client = SPARQLWrapper(config.url)
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
        client.setQuery(text)
        # SPARQLWrapper guesses the form from the first keyword it sees, inside words and
        # in some comment lines too ("drops" reads as DROP, an update); the form is known.
        client.queryType = {"ask": ASK, "construct": CONSTRUCT, "describe": DESCRIBE}.get(
            form, SELECT
        )
        client.setReturnFormat(TURTLE if form in ("construct", "describe") else JSON)
        client.setTimeout(max(1, round(config.timeout)))
        client.agent = settings.USER_AGENT
        if config.credentials is not None:
            client.setHTTPAuth(DIGEST if config.credentials.scheme == "digest" else BASIC)
            client.setCredentials(config.credentials.user, config.credentials.password)
        where = self.description
        attempt = 0
        while True:
            try:
                response = client.query().response
                content_type = (response.headers.get("Content-Type") or "").split(";")[0]
                body = response.read()
                return body, content_type.strip().lower()
            except TimeoutError:
                raise EndpointError(
                    f"{where}: no answer within {config.timeout:g} s",
                    hint="raise --timeout or check the endpoint",
                ) from None
            except urllib.error.HTTPError as error:
                raise _http_error(where, error) from None
            except urllib.error.URLError as error:
                reason = error.reason
                if isinstance(reason, (TimeoutError, socket.timeout)):
                    raise EndpointError(
                        f"{where}: no answer within {config.timeout:g} s",
                        hint="raise --timeout or check the endpoint",
                    ) from None
                if isinstance(reason, ConnectionError) and attempt < config.retries:
                    attempt += 1
                    time.sleep(0.2 * 2**attempt)
                    continue
                raise EndpointError(
                    f"cannot reach {where}: {_reason(reason)}",
                    hint="is the endpoint running? check the URL",
                ) from None
            except (ConnectionError, OSError) as error:
                if isinstance(error, ConnectionError) and attempt < config.retries:
                    attempt += 1
                    time.sleep(0.2 * 2**attempt)
                    continue
                raise EndpointError(f"cannot reach {where}: {_reason(error)}") from None
            except SPARQLWrapperException as error:
                raise EndpointError(f"{where}: {one_line(error)}") from None


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    text = getattr(reason, "strerror", None) or str(reason)
    return one_line(text)


def _http_error(where: str, error: urllib.error.HTTPError) -> EndpointError:
    try:
        body = error.read()
    except OSError:
        body = b""
    status = f"HTTP {error.code} {error.reason}"
    if error.code in (401, 403):
        realm = error.headers.get("WWW-Authenticate", "") if error.headers else ""
        hint = f"check {settings.ENV_USER} and {settings.ENV_PASSWORD}" + (
            f" ({realm})" if realm else ""
        )
        return EndpointError(f"{where}: {status}", hint=hint)
    return EndpointError(f"{where}: {status}: {_snippet(body)}")


def _unexpected(where: str, expected: str, got: str, body: bytes) -> EndpointError:
    return EndpointError(
        f"{where}: expected {expected}, got {got or 'no content type'}: {_snippet(body)}"
    )


def _snippet(body: bytes) -> str:
    return one_line(body[:400].decode("utf-8", "replace"))[:200]


def parse_json_results(body: bytes, where: str) -> QueryResult:
    """Parse SPARQL 1.1 JSON results strictly: anything malformed is an EndpointError, so a
    truncated answer is never printed as a (partial) success."""
    try:
        document = json.loads(body.decode("utf-8"))
        if "boolean" in document:
            if not isinstance(document["boolean"], bool):
                raise ValueError("'boolean' is not true or false")
            return QueryResult("ask", boolean=document["boolean"])
        variables = list(document["head"]["vars"])
        rows = []
        for binding in document["results"]["bindings"]:
            rows.append(tuple(_json_term(binding.get(var)) for var in variables))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise EndpointError(
            f"{where}: invalid SPARQL JSON results: {one_line(error)}",
            hint="the answer may be truncated; nothing was printed",
        ) from None
    return QueryResult("select", variables=variables, rows=rows)


def _json_term(value: dict[str, str] | None) -> Any:
    if value is None:
        return None
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        return literal(value["value"], lang=value.get("xml:lang"), datatype=value.get("datatype"))
    raise ValueError(f"unknown term type {kind!r}")


def _parse_xml_results(body: bytes, where: str) -> QueryResult:
    from rdflib.query import Result

    try:
        parsed = Result.parse(source=io.BytesIO(body), format="xml")
    except Exception as error:
        raise EndpointError(f"{where}: invalid SPARQL XML results: {one_line(error)}") from None
    if parsed.type == "ASK":
        return QueryResult("ask", boolean=bool(parsed.askAnswer))
    variables = [str(v) for v in parsed.vars or []]
    rows = [tuple(normalise_term(row[v]) for v in variables) for row in parsed]
    return QueryResult("select", variables=variables, rows=rows)
