"""`citynet publish`: load the graph into a SPARQL 1.1 store so that no failure loses data.

Each page's named graph goes to the same graph in the store (or, with ``--graph IRI``,
the union of all graphs to that one graph): unchanged graphs are not written; changed
ones are uploaded to staging graphs with a Graph Store PUT, counted, then swapped in by
ONE SPARQL Update request (guards first, then ``MOVE``/``ADD``, ``--prune``'s drops and
the new metadata records), so every graph is swapped or none. Any failure before the
swap drops the staging graphs and leaves production as it was. docs/publish.md describes
the steps, what each store guarantees, the metadata graph
(``urn:citynet:publish-meta``, one record per graph naming the run that wrote it) and
the canonical N-Quads whose hash tells an unchanged graph.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal as TypingLiteral

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    RdfFormat,
    Store,
    Triple,
    parse,
)

from citynet import settings
from citynet.errors import CitynetError, DataInvalid, EndpointError, InputError, PublishAborted
from citynet.graph.formats import (
    BY_MEDIA_TYPE,
    format_for_path,
    load_graph,
    read_rdf_file,
    syntax_error,
)
from citynet.graph.vocab import CN, DCTERMS, PROV, PUBLISH_META_GRAPH, SD, VOID, XSD
from citynet.store.gsp import (
    STORE_KINDS,
    Endpoints,
    StoreClient,
    StoreKind,
    UpdateRefused,
    display_url,
)

DEFAULT_GRAPH_FILE = Path("build/citynet.trig")
DEFAULT_TIMEOUT_S = 60.0

#: The upload body is N-Triples, a subset of Turtle: text/turtle is the one RDF media type
#: every Graph Store accepts.
UPLOAD_MEDIA_TYPE = "text/turtle; charset=utf-8"
STAGING_MARK = ".citynet-staging-"
#: Graph IRIs per VALUES block, so a query stays small for builds of thousands of pages.
VALUES_CHUNK = 200
#: Dropping staging graphs after a failure must not hang as long as the failure did.
CLEANUP_TIMEOUT_S = 5.0

Mode = TypingLiteral["replace", "merge"]

# Formats pyoxigraph reads with no risk (no entities, no remote contexts).
_PLAIN_FORMATS = {"trig", "nquads", "turtle", "ntriples"}


# ---------------------------------------------------------------------- the data to publish


@dataclass(frozen=True, slots=True)
class GraphPayload:
    """One graph as it will be uploaded: canonical N-Triples lines and their hash."""

    target: str
    lines: tuple[str, ...]  # sorted, distinct N-Triples lines, each ending " .\n"
    digest: str  # "sha256:<hex>" of the canonical N-Quads
    has_blank_nodes: bool

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def body(self) -> bytes:
        return "".join(self.lines).encode("utf-8")

    def value_lines(self) -> set[str]:
        """The lines as a store that keeps literal *values* holds them: Oxigraph stores
        "0010"^^xsd:integer as "10" and xsd:nonNegativeInteger as xsd:integer, which can
        also merge two triples into one. Computed with pyoxigraph's own store."""
        store = Store()
        store.load(self.body, format=RdfFormat.N_TRIPLES)
        return {f"{quad.triple} .\n" for quad in store}

    def acceptable_count(self, held: int) -> bool:
        """Can a store hold ``held`` triples for this graph? As sent, or value-normalised."""
        return held == self.count or held == len(self.value_lines())


def load_payloads(path: Path, *, into: str | None = None) -> list[GraphPayload]:
    """Read the graph file: one payload per named graph, or everything into ``into``.

    Triples in the file's default graph are refused without ``into``: where they belong
    in a store is a choice the user makes with ``--graph``.
    """
    by_graph: dict[str | None, set[Triple]] = {}
    for quad in _read_quads(path):
        name = quad.graph_name
        if isinstance(name, DefaultGraph):
            key = None
        elif isinstance(name, NamedNode):
            key = name.value
        else:
            raise InputError(
                f"{path}: a named graph is named by a blank node; citynet cannot publish it",
                hint="name every graph with an IRI",
            )
        by_graph.setdefault(key, set()).add(quad.triple)
    if into is not None:
        _check_target(into, "--graph")
        merged: set[Triple] = set().union(*by_graph.values()) if by_graph else set()
        if not merged:
            raise InputError(f"{path}: holds no triples; nothing to publish")
        return [_payload(into, merged)]
    if None in by_graph:
        raise InputError(
            f"{path}: {len(by_graph[None])} triples are outside any named graph",
            hint="publish the whole file into one graph with --graph IRI",
        )
    if not by_graph:
        raise InputError(f"{path}: holds no triples; nothing to publish")
    payloads = []
    for name in sorted(key for key in by_graph if key is not None):
        _check_target(name, f"{path}: graph")
        payloads.append(_payload(name, by_graph[name]))
    return payloads


def _read_quads(path: Path) -> list:
    fmt = format_for_path(path)
    data = read_rdf_file(path)
    if fmt.name not in _PLAIN_FORMATS:  # through the safe loader: no DTDs, no remote contexts
        data = load_graph([path]).serialize(format="nquads", encoding="utf-8")
        return list(parse(data, format=RdfFormat.N_QUADS))
    try:
        oxigraph_format = getattr(RdfFormat, fmt.oxigraph_name)
        return list(parse(data, format=oxigraph_format, base_iri=path.resolve().as_uri()))
    except SyntaxError as error:
        raise syntax_error(path, fmt, error) from None


def _check_target(iri: str, where: str) -> None:
    try:
        NamedNode(iri)
    except ValueError as error:
        raise InputError(f"{where} <{iri}> is not a valid absolute IRI: {error}") from None
    if iri.startswith(str(PUBLISH_META_GRAPH)):
        raise InputError(f"{where} <{iri}> is citynet's publish metadata graph; choose another")


def _payload(target: str, triples: set[Triple]) -> GraphPayload:
    has_blank_nodes = any(
        isinstance(term, BlankNode)
        for triple in triples
        for term in (triple.subject, triple.object)
    )
    if has_blank_nodes:
        triples = _canonical_blank_nodes(triples)
    lines = tuple(sorted({f"{triple} .\n" for triple in triples}))
    graph = str(NamedNode(target))
    digest = hashlib.sha256()
    for line in lines:
        digest.update(f"{line[:-3]} {graph} .\n".encode())
    return GraphPayload(target, lines, f"sha256:{digest.hexdigest()}", has_blank_nodes)


def _canonical_blank_nodes(triples: set[Triple]) -> set[Triple]:
    """Relabel blank nodes so the same graph always gives the same lines (and hash)."""
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    text = "".join(f"{triple} .\n" for triple in triples)
    canonical = to_canonical_graph(Graph().parse(data=text, format="nt"))
    data = canonical.serialize(format="nt", encoding="utf-8")
    return set(parse(data, format=RdfFormat.N_TRIPLES))


# ---------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class GraphOutcome:
    target: str
    status: str  # created | replaced | merged | unchanged | superseded | removed
    triples: int


@dataclass
class PublishReport:
    store: str
    mode: str
    outcomes: list[GraphOutcome]
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(outcome.status != "unchanged" for outcome in self.outcomes)

    @property
    def triples(self) -> int:
        return sum(outcome.triples for outcome in self.outcomes)

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for outcome in self.outcomes:
            result[outcome.status] = result.get(outcome.status, 0) + 1
        return result

    def summary(self) -> str:
        graphs = len(self.outcomes)
        noun = "graph" if graphs == 1 else "graphs"
        if not self.changed:
            return f"unchanged: {graphs} {noun} ({self.triples} triples) already in {self.store}"
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts().items()))
        return f"published {graphs} {noun} to {self.store}: {parts}; {self.triples} triples"

    def as_json(self) -> dict[str, object]:
        return {
            "store": self.store,
            "mode": self.mode,
            "changed": self.changed,
            "graphs": [
                {"graph": o.target, "status": o.status, "triples": o.triples} for o in self.outcomes
            ],
            "warnings": self.warnings,
        }


# ---------------------------------------------------------------------- publishing


def publish(
    path: Path = DEFAULT_GRAPH_FILE,
    store: str = "",
    *,
    graph: str | None = None,
    mode: Mode = "replace",
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    query_endpoint: str | None = None,
    update_endpoint: str | None = None,
    store_kind: StoreKind | TypingLiteral["auto"] = "auto",
    prune: bool = False,
) -> PublishReport:
    """Publish ``path`` into the store whose Graph Store endpoint is ``store``.

    ``store_kind`` says where the store's query and update endpoints are and how it
    authenticates (see :mod:`citynet.store.gsp`); ``auto`` asks the store. ``prune``
    also drops, in the same swap, every graph an earlier replace publish recorded in this
    store that ``path`` no longer has (pages removed from the build).
    """
    if prune and mode != "replace":
        raise InputError("--prune works with --replace only: a merge removes nothing")
    if mode not in ("replace", "merge"):
        raise InputError(f"unknown publish mode {mode!r}; expected replace or merge")
    if not store:
        raise InputError(
            "no store given", hint="pass --store URL, e.g. http://localhost:7878/store"
        )
    if store_kind != "auto" and store_kind not in STORE_KINDS:
        raise InputError(f"unknown store kind {store_kind!r}; expected auto or {STORE_KINDS}")
    Endpoints.resolve(store, query_endpoint, update_endpoint)  # bad URLs first: no I/O yet
    payloads = load_payloads(path, into=graph)
    warnings = check_shapes(path, force=force)
    # Credentials are checked before anything is sent, the look at the store included.
    named = [url for url in (store, query_endpoint, update_endpoint) if url]
    settings.check_transport(settings.credentials(), named)
    kind = detect_kind(store, timeout) if store_kind == "auto" else store_kind
    endpoints = Endpoints.resolve(store, query_endpoint, update_endpoint, kind=kind)
    with StoreClient(endpoints, timeout=timeout, kind=kind) as client:
        report = _Publication(client, payloads, mode, prune=prune).run()
    report.warnings[:0] = warnings
    return report


def detect_kind(store: str, timeout: float = DEFAULT_TIMEOUT_S) -> StoreKind:
    """The kind of store behind the Graph Store URL (its Server header), without sending
    credentials: the kind decides how they are sent."""
    endpoints = Endpoints.resolve(store, store, store)
    with StoreClient(endpoints, timeout=timeout, anonymous=True) as client:
        return client.server_kind()


def check_shapes(path: Path, *, force: bool) -> list[str]:
    """Refuse data that does not conform to the shapes (exit 1) unless ``force``."""
    if force:
        return [f"{path}: not checked against the shapes (--force)"]
    from citynet.validation.validate import validate  # pySHACL is slow to import: only when needed

    report = validate([path])
    if not report.conforms:
        raise DataInvalid(
            f"{path}: does not conform to the shapes: {report.summary()}",
            hint="run `citynet validate` to see why, or publish anyway with --force",
        )
    return []


def staging_iri(target: str, run_id: str) -> str:
    return f"{target}{STAGING_MARK}{run_id}"


def meta_record_iri(target: str) -> str:
    return f"{PUBLISH_META_GRAPH}:{hashlib.sha256(target.encode('utf-8')).hexdigest()}"


def _iri(value: object) -> str:
    """A validated IRI in SPARQL/N-Triples syntax: NamedNode refuses anything that could
    break out of ``<...>``, so graph IRIs from a file can never alter the request."""
    return str(NamedNode(str(value)))


class _Publication:
    def __init__(
        self,
        client: StoreClient,
        payloads: list[GraphPayload],
        mode: Mode,
        *,
        prune: bool = False,
    ) -> None:
        self.client = client
        self.payloads = payloads
        self.mode = mode
        self.prune = prune
        self.removed: list[str] = []  # graphs an earlier publish recorded, not in this one
        self.store = display_url(client.endpoints.store)
        self.run_id = uuid.uuid4().hex
        self.run_iri = f"{PUBLISH_META_GRAPH}:run:{self.run_id}"

    # -------------------------------------------------------------- reads

    def select_per_graph(
        self, graphs: Sequence[str], query: str, what: str, timeout: float | None = None
    ) -> list[dict[str, str]]:
        """``query`` with ``VALUES ?g`` (its ``{values}``) over ``graphs``, a chunk at a time."""
        rows: list[dict[str, str]] = []
        for start in range(0, len(graphs), VALUES_CHUNK):
            values = " ".join(_iri(g) for g in graphs[start : start + VALUES_CHUNK])
            text = query.replace("{values}", f"VALUES ?g {{ {values} }}")
            rows += self.client.select(text, what=what, timeout=timeout)
        return rows

    def counts(self, graphs: Sequence[str], *, timeout: float | None = None) -> dict[str, int]:
        """Triples in each graph (0 when it does not exist)."""
        query = "SELECT ?g (COUNT(?s) AS ?n) WHERE { {values} OPTIONAL { GRAPH ?g { ?s ?p ?o } } } "
        rows = self.select_per_graph(graphs, query + "GROUP BY ?g", "a triple count", timeout)
        result = {row.get("g", ""): _as_int(row.get("n"), self.client) for row in rows}
        missing = [g for g in graphs if g not in result]
        if missing:
            raise EndpointError(
                f"{display_url(self.client.endpoints.query)} gave no triple count "
                f"for <{missing[0]}>",
                hint="the query endpoint does not answer SPARQL 1.1 COUNT correctly",
            )
        return result

    def meta_records(self, graphs: Sequence[str]) -> set[str]:
        """The graphs among ``graphs`` that have a metadata record."""
        query = (
            f"SELECT DISTINCT ?g WHERE {{ {{values}} "
            f"GRAPH {_iri(PUBLISH_META_GRAPH)} {{ ?m {_iri(SD.name)} ?g }} }}"
        )
        rows = self.select_per_graph(graphs, query, "the publish metadata", CLEANUP_TIMEOUT_S)
        return {row["g"] for row in rows if row.get("g")}

    def meta(self, graphs: Sequence[str]) -> dict[str, tuple[str, int]]:
        """The recorded (content hash, triple count) of each graph published before."""
        query = (
            f"SELECT ?g ?hash ?n WHERE {{ {{values}} GRAPH {_iri(PUBLISH_META_GRAPH)} "
            f"{{ ?m {_iri(SD.name)} ?g ; {_iri(CN.contentHash)} ?hash ; "
            f"{_iri(VOID.triples)} ?n }} }}"
        )
        rows = self.select_per_graph(graphs, query, "the publish metadata")
        return {
            row.get("g", ""): (row.get("hash", ""), _as_int(row.get("n"), self.client))
            for row in rows
        }

    def recorded_graphs(self) -> set[str]:
        """Every graph a replace publish recorded in this store (merged graphs have no
        content hash: they hold more than one publish and are never pruned)."""
        rows = self.client.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH {_iri(PUBLISH_META_GRAPH)} "
            f"{{ ?m {_iri(SD.name)} ?g ; {_iri(CN.contentHash)} ?hash }} }}",
            what="the publish metadata",
        )
        return {row["g"] for row in rows if row.get("g")}

    def contains(self, payload: GraphPayload) -> bool:
        """Does the store's graph already hold every triple of ``payload``? (merge mode)"""
        if payload.has_blank_nodes:
            return False  # blank nodes cannot be matched across stores; always add
        result = self.client.get(payload.target, accept="application/n-triples")
        if not result.found:
            return False
        fmt = BY_MEDIA_TYPE.get(result.media_type or "")
        if fmt is None or fmt.quads:
            raise EndpointError(
                f"{self.store} sent <{payload.target}> as {result.media_type}, "
                "expected application/n-triples or text/turtle"
            )
        store = Store()
        try:
            store.load(result.body, format=getattr(RdfFormat, fmt.oxigraph_name))
        except SyntaxError as error:
            raise EndpointError(
                f"{self.store} sent <{payload.target}> as invalid {fmt.name}: {error.args[0]}"
            ) from None
        # Both sides value-normalised, so a store that canonicalises literals still matches.
        remote = {f"{quad.triple} .\n" for quad in store}
        return payload.value_lines() <= remote

    # -------------------------------------------------------------- the steps

    def run(self) -> PublishReport:
        targets = [p.target for p in self.payloads]
        before = self.counts(targets)
        recorded = self.meta(targets) if self.mode == "replace" else {}
        outcomes: dict[str, GraphOutcome] = {}
        todo: list[GraphPayload] = []
        for payload in self.payloads:
            if self.mode == "replace":
                # The recorded count is what the store held for this content (see stage).
                record = recorded.get(payload.target)
                unchanged = (
                    record is not None
                    and record[0] == payload.digest
                    and before[payload.target] == record[1]
                )
            else:
                unchanged = self.contains(payload)
            if unchanged:
                outcomes[payload.target] = GraphOutcome(payload.target, "unchanged", payload.count)
            else:
                todo.append(payload)
        if self.prune:
            self.removed = sorted(self.recorded_graphs() - set(targets))
        if todo or self.removed:
            staged = [_Staged(p, staging_iri(p.target, self.run_id)) for p in todo]
            try:
                self.stage(staged)
                self.swap(staged)
            except CitynetError as error:
                self.drop(staged, error)
                raise
            outcomes.update(self.verify(staged, before))
        order = [p.target for p in self.payloads] + self.removed
        return PublishReport(self.store, self.mode, [outcomes[target] for target in order])

    def stage(self, staged: list[_Staged]) -> None:
        """Upload every changed graph to its staging graph and check what the store holds."""
        if not staged:
            return
        for item in staged:
            self.client.put(item.staging, item.payload.body, UPLOAD_MEDIA_TYPE)
        counts = self.counts([item.staging for item in staged])
        for item in staged:
            held = counts[item.staging]
            if not item.payload.acceptable_count(held):
                raise PublishAborted(
                    f"staging graph <{item.staging}> holds {held} triples after the upload "
                    f"of <{item.payload.target}>, expected {item.payload.count}",
                    hint="the store did not keep what was sent; nothing was swapped in",
                )
            item.held = held

    @property
    def guard(self) -> str:
        return f"{PUBLISH_META_GRAPH}:guard:{self.run_id}"

    def swap_request(self, staged: list[_Staged]) -> str:
        guard = _iri(self.guard)
        meta_graph = _iri(PUBLISH_META_GRAPH)
        ops: list[str] = []
        # Guards: a staging graph that no longer holds exactly its verified count puts a
        # triple into the guard graph, so CREATE GRAPH (no SILENT) fails and the store
        # rejects the whole request: the count we checked is the data we swap.
        for item in staged:
            ops.append(
                f"INSERT {{ GRAPH {guard} {{ {guard} {guard} {guard} }} }} WHERE {{ "
                f"{{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_iri(item.staging)} "
                f"{{ ?s ?p ?o }} }} }} FILTER (?n != {item.held}) }}"
            )
        ops.append(f"CREATE GRAPH {guard}")
        ops.append(f"DROP SILENT GRAPH {guard}")
        for item in staged:
            staging, target = _iri(item.staging), _iri(item.payload.target)
            if self.mode == "replace":
                ops.append(f"MOVE {staging} TO {target}")
            else:
                ops.append(f"ADD {staging} TO {target}")
                # SILENT: Virtuoso refuses DROP GRAPH on a graph a Graph Store PUT made
                # (the guard has already checked that the staging graph is there).
                ops.append(f"DROP SILENT GRAPH {staging}")
        for removed in self.removed:  # pages no longer in the build: gone with the swap
            ops.append(f"DROP SILENT GRAPH {_iri(removed)}")
        records_to_delete = [item.payload.target for item in staged] + self.removed
        for target in records_to_delete:
            record = _iri(meta_record_iri(target))
            ops.append(f"DELETE WHERE {{ GRAPH {meta_graph} {{ {record} ?p ?o }} }}")
        now = Literal(
            datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            datatype=NamedNode(str(XSD.dateTime)),
        )
        records = []
        for item in staged:
            # prov:wasGeneratedBy names this run: the receipt that the swap committed.
            record = (
                f"{_iri(meta_record_iri(item.payload.target))} "
                f"{_iri(SD.name)} {_iri(item.payload.target)} ; "
                f"{_iri(PROV.wasGeneratedBy)} {_iri(self.run_iri)} ; "
                f"{_iri(DCTERMS.modified)} {now}"
            )
            if self.mode == "replace":  # after a merge the graph is no single publish
                held = Literal(str(item.held), datatype=NamedNode(str(XSD.integer)))
                record += (
                    f" ; {_iri(VOID.triples)} {held} ; "
                    f"{_iri(CN.contentHash)} {Literal(item.payload.digest)}"
                )
            records.append(record + " .")
        if records:
            ops.append(f"INSERT DATA {{ GRAPH {meta_graph} {{ {' '.join(records)} }} }}")
        return " ;\n".join(ops)

    def swap(self, staged: list[_Staged]) -> None:
        verb = "MOVE" if self.mode == "replace" else "ADD"
        what = f"the swap ({verb} of {len(staged)} staging graphs)"
        if self.removed:
            what = f"{what[:-1]}, DROP of {len(self.removed)} removed graphs)"
        try:
            self.client.update(self.swap_request(staged), what=what)
        except CitynetError as error:
            if self.swap_applied(staged, error):
                return  # the answer was lost, the swap was not (e.g. a reset after commit)
            if isinstance(error, UpdateRefused):
                raise PublishAborted(
                    f"{error.message}{self.staging_diagnosis(staged)}",
                    hint="no graph was swapped; production graphs are unchanged",
                ) from None
            raise

    def swap_applied(self, staged: list[_Staged], error: CitynetError) -> bool:
        """After a failed swap request (e.g. the answer was lost): was it committed? The
        request is atomic and writes one record per graph naming this run, so the records
        tell; missing staging graphs alone do not (someone else may have dropped them)."""
        try:
            rows = self.client.select(
                f"SELECT (COUNT(?m) AS ?n) WHERE {{ GRAPH {_iri(PUBLISH_META_GRAPH)} "
                f"{{ ?m {_iri(PROV.wasGeneratedBy)} {_iri(self.run_iri)} }} }}",
                what="the publish metadata",
                timeout=CLEANUP_TIMEOUT_S,
            )
        except CitynetError:
            raise EndpointError(
                f"{error.message}; the store cannot say whether the swap was applied",
                hint="run citynet publish again: it republishes whatever is not in place",
            ) from None
        if not rows or _as_int(rows[0].get("n"), self.client) != len(staged):
            return False
        # Removals write no record: their records being gone tells.
        return not self.removed or not self.meta_records(self.removed)

    def staging_diagnosis(self, staged: list[_Staged]) -> str:
        try:
            counts = self.counts([item.staging for item in staged], timeout=CLEANUP_TIMEOUT_S)
        except CitynetError:
            return ""
        for item in staged:
            if counts[item.staging] != item.held:
                return (
                    f" (staging graph <{item.staging}> changed before the swap: holds "
                    f"{counts[item.staging]} triples, verified {item.held})"
                )
        return ""

    def drop(self, staged: list[_Staged], error: CitynetError) -> None:
        """Best effort: drop every staging graph of this run; say so if that fails too.

        The guard graph too: Virtuoso keeps what a request did before the operation that
        failed in it, so a guard that fired leaves its triple behind there."""
        graphs = [item.staging for item in staged] + [self.guard]
        ops = " ;\n".join(f"DROP SILENT GRAPH {_iri(graph)}" for graph in graphs)
        try:
            self.client.update(ops, what="dropping the staging graphs", timeout=CLEANUP_TIMEOUT_S)
        except CitynetError:
            names = ", ".join(f"<{item.staging}>" for item in staged[:3])
            more = f" and {len(staged) - 3} more" if len(staged) > 3 else ""
            note = f"staging graphs {names}{more} may remain; drop them with DROP GRAPH"
            error.hint = f"{error.hint}; {note}" if error.hint else note

    def verify(self, staged: list[_Staged], before: dict[str, int]) -> dict[str, GraphOutcome]:
        targets = [item.payload.target for item in staged]
        after = self.counts(targets + self.removed)
        recorded = self.meta(targets) if self.mode == "replace" else {}
        outcomes: dict[str, GraphOutcome] = {}
        for item in staged:
            target, count = item.payload.target, after[item.payload.target]
            if self.mode == "merge":
                if count < item.held:
                    raise EndpointError(
                        f"after the merge <{target}> holds {count} triples, fewer than the "
                        f"{item.held} added: another client wrote to it",
                        hint="run citynet publish again",
                    )
                status = "merged"
            elif count == item.held:
                status = "created" if before[target] == 0 else "replaced"
            else:
                other = recorded.get(target)
                if other is not None and other[0] != item.payload.digest and other[1] == count:
                    status = "superseded"  # a concurrent publish moved its graph in after us
                else:
                    raise EndpointError(
                        f"after the swap <{target}> holds {count} triples, expected "
                        f"{item.held}: another client wrote to it",
                        hint="run citynet publish again",
                    )
            outcomes[target] = GraphOutcome(target, status, item.payload.count)
        for removed in self.removed:
            if after[removed]:
                raise EndpointError(
                    f"after the swap <{removed}> still holds {after[removed]} triples, "
                    "expected none: another client wrote to it",
                    hint="run citynet publish again",
                )
            outcomes[removed] = GraphOutcome(removed, "removed", 0)
        return outcomes


@dataclass(slots=True)
class _Staged:
    payload: GraphPayload
    staging: str
    held: int = -1  # triples the store holds in the staging graph once verified


def _as_int(value: str | None, client: StoreClient) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise EndpointError(
            f"{display_url(client.endpoints.query)} answered a count with {value!r}, not a number"
        ) from None
