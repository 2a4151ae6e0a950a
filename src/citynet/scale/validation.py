"""Validation of large inputs: slices of the data on every core, the whole run's results.

Most shapes look at one node at a time: its own statements, and the rdf:type of the nodes
it links to (sh:class). Those "per-node" shapes run in worker processes, each on a slice
of the subjects: every statement about them (from every page graph), the types of the
nodes they link to and every rdfs:subClassOf statement; a worker keeps only the results
about its own subjects (SPARQL constraints too, when their patterns read only that). The
shapes that can look further (other SPARQL constraints, paths other than a plain
property, sh:node, qualified shapes, targets that are not a class or a subject) run once,
beside the slices, on the statements whose predicates they name. Together they give
exactly the rows of one run over everything (tests/test_fast_validation.py checks it).

Workers start with the ``spawn`` method (or ``forkserver``), never ``fork``: nothing of
this process is shared but the arguments.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Namespace, URIRef, Variable
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from citynet.errors import CitynetError
from citynet.graph.vocab import RDF, RDFS, SH
from citynet.validation.data import Data
from citynet.validation.engines import ENGINES, Engine
from citynet.validation.report import Row, ValidationReport
from citynet.validation.validate import as_data
from citynet.validation.validate import validate as validate_whole

#: Called with (tasks done, tasks) as the workers finish.
Progress = Callable[[int, int], None]

#: Below this many quads (about 2,500 pages) one process is faster than starting workers.
PARALLEL_QUADS = 400_000
#: Statements per slice: turbo's time on a slice grows faster than the slice (measured at
#: 10,000 pages: 0.17 s of CPU for 15,000 statements, 5 s for 130,000), so many small
#: slices cost less in all than a few large ones.
SLICE_STATEMENTS = 15_000

# Parameters whose check reads only the focus node's statements and its values' types.
_PER_NODE = {
    SH[name]
    for name in (
        "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive",
        "maxInclusive", "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern",
        "flags", "languageIn", "uniqueLang", "in", "hasValue", "closed", "ignoredProperties",
        "equals", "disjoint", "lessThan", "lessThanOrEquals", "property", "and", "or", "not",
        "xone", "path", "severity", "message", "name", "description", "order", "group",
        "defaultValue", "deactivated", "targetClass", "targetSubjectsOf",
    )
}  # fmt: skip
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_TYPE = f"<{RDF.type}>".encode()
_SUBCLASS = f"<{RDFS.subClassOf}>".encode()
_THIS = Variable("this")


def validate(
    data: Data | Graph | Sequence[Path],
    *,
    shapes: Path | None = None,
    allow_network: bool = False,
    engine: str = "auto",
    workers: int | None = None,
    progress: Progress | None = None,
) -> ValidationReport:
    """citynet.validation.validate.validate, in ``workers`` processes (None: one per
    core when the data has at least PARALLEL_QUADS quads, else one). ``progress`` is
    called with (tasks done, tasks) as the workers finish (not when one process runs)."""
    loaded = as_data(data)
    if workers is None:
        large = loaded.nquads.count(b"\n") >= PARALLEL_QUADS
        workers = (os.cpu_count() or 1) if large else 1
    runner = partial(run_parallel, workers=workers, progress=progress) if workers > 1 else None
    options = {"runner": runner} if runner is not None else {}
    return validate_whole(
        loaded, shapes=shapes, allow_network=allow_network, engine=engine, **options
    )


def split_shapes(shapes: Graph) -> tuple[list[Node], list[Node]] | None:
    """The top-level shapes as (per-node, whole-data); None when they cannot be split."""
    top = {s for p in _TARGETS for s in shapes.subjects(p, None)}
    top |= {
        s for s in shapes.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in shapes
    }
    if not top or any(not isinstance(s, URIRef) for s in top):
        return None
    per_node, whole = [], []
    for shape in sorted(top, key=str):
        targets = {p for p in _TARGETS if (shape, p, None) in shapes}
        local = targets <= {SH.targetClass, SH.targetSubjectsOf} and _reads_one_node(shapes, shape)
        (per_node if local else whole).append(shape)
    return per_node, whole


def _reads_one_node(shapes: Graph, shape: Node, depth: int = 0) -> bool:
    if depth > 20:
        return False
    for predicate, value in shapes.predicate_objects(shape):
        if predicate == SH.sparql:
            if not _query_reads_one_node(query_patterns(shapes, value)):
                return False
            continue
        if str(predicate).startswith(str(SH)) and predicate not in _PER_NODE:
            return False
        if predicate == SH.path and not isinstance(value, URIRef):
            return False
        members: list[Node] = []
        if predicate in (SH.property, SH["not"]):
            members = [value]
        elif predicate in (SH["and"], SH["or"], SH.xone):
            members = list(Collection(shapes, value))
        if not all(_reads_one_node(shapes, m, depth + 1) for m in members):
            return False
    return True


def query_patterns(shapes: Graph, node: Node) -> list[tuple[Node, Node, Node]] | None:
    """The triple patterns of the SPARQL query of ``node`` (sh:select or sh:ask), those
    inside EXISTS and subqueries included; None when there is no query rdflib can read."""
    text = shapes.value(node, SH.select) or shapes.value(node, SH.ask)
    namespaces = {
        str(shapes.value(declared, SH.prefix)): Namespace(str(shapes.value(declared, SH.namespace)))
        for owner in shapes.objects(node, SH.prefixes)
        for declared in shapes.objects(owner, SH.declare)
    }
    try:
        algebra = prepareQuery(str(text), initNs=namespaces).algebra
    except Exception:  # no query, or one rdflib cannot parse: treat it as reading anything
        return None
    found: list[tuple[Node, Node, Node]] = []

    def walk(part: object) -> None:
        if isinstance(part, dict):  # rdflib's CompValue
            for key, value in part.items():
                if key == "triples":
                    found.extend(tuple(triple) for triple in value)  # type: ignore[misc]
                else:
                    walk(value)
        elif isinstance(part, list | tuple):
            for item in part:
                walk(item)

    walk(algebra)
    return found


def _query_reads_one_node(patterns: list[tuple[Node, Node, Node]] | None) -> bool:
    """A query reads one node when every pattern is a statement of $this (any predicate) or
    the rdf:type of a node $this links to: what a slice holds about its subjects."""
    if patterns is None:
        return False
    linked = {o for s, _, o in patterns if s == _THIS and isinstance(o, Variable)}
    return all(
        (s == _THIS and isinstance(p, URIRef | Variable)) or (p == RDF.type and s in linked)
        for s, p, _ in patterns
    )


def read_predicates(shapes: Graph, whole: Sequence[Node]) -> set[bytes] | None:
    """The predicates (as N-Triples terms) whose statements the whole-data shapes can read,
    rdf:type and rdfs:subClassOf always among them; None when they may read any (sh:closed,
    a SPARQL query with a variable predicate or a property path, custom components)."""
    if any(shapes.subjects(RDF.type, SH.ConstraintComponent)):
        return None
    named: set[Node] = {RDF.type, RDFS.subClassOf}
    seen: set[Node] = set()
    todo = list(whole)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, value in shapes.predicate_objects(node):
            if predicate == SH.closed:
                return None
            if predicate in (SH.select, SH.ask):
                patterns = query_patterns(shapes, node)
                if patterns is None or not all(isinstance(p, URIRef) for _, p, _ in patterns):
                    return None
                named.update(p for _, p, _ in patterns)
            if isinstance(value, URIRef | BNode):
                named.add(value)
                todo.append(value)
    return {f"<{term}>".encode() for term in named if isinstance(term, URIRef)}


def statements(nquads: bytes) -> list[bytes]:
    """The distinct statements of N-Quads text (one quad a line, as citynet.validation.data
    writes it) as N-Triples lines: every engine validates the union of the graphs."""
    lines = {}
    for line in nquads.splitlines(keepends=True):
        subject, predicate, rest = line.split(b" ", 2)
        parts = rest.rsplit(b" ", 2)
        # A graph name is an IRI or blank node and holds no '"'; a literal's last part does.
        if len(parts) == 3 and parts[1][:1] in (b"<", b"_") and b'"' not in parts[1]:
            line = b" ".join((subject, predicate, parts[0], b".\n"))
        lines[line] = None
    return list(lines)


def slices(lines: list[bytes], parts: int) -> list[tuple[bytes, frozenset[bytes]]]:
    """The statements cut into ``parts`` slices of subjects, evenly by count: each slice's
    N-Triples (its subjects' statements, the types of the nodes they link to, every
    rdfs:subClassOf) and its subjects (as N-Triples terms)."""
    slice_of: dict[bytes, int] = {}
    subjects: list[list[bytes]] = [[] for _ in range(parts)]
    chosen: list[list[bytes]] = [[] for _ in range(parts)]
    linked: list[set[bytes]] = [set() for _ in range(parts)]
    types: dict[bytes, list[bytes]] = defaultdict(list)
    shared: list[bytes] = []
    for line in lines:
        subject, predicate, rest = line.split(b" ", 2)
        part = slice_of.get(subject)
        if part is None:
            part = slice_of[subject] = len(slice_of) % parts
            subjects[part].append(subject)
        chosen[part].append(line)
        if predicate == _TYPE:
            types[subject].append(line)
        elif predicate == _SUBCLASS:
            shared.append(line)
        if rest[:1] in (b"<", b"_"):
            linked[part].add(rest.split(b" ", 1)[0])
    out = []
    for part in range(parts):
        extra = [t for node in linked[part] if slice_of.get(node) != part for t in types[node]]
        out.append((b"".join(chosen[part] + extra + shared), frozenset(subjects[part])))
    return out


def run_parallel(
    engine: Engine, data: Data, shapes: Graph, *, workers: int, progress: Progress | None = None
) -> list[Row]:
    """The rows of ``engine`` over ``data``: per-node shapes in slices on ``workers``
    processes, the other shapes once on the statements they can read (in the same pool)."""
    split = split_shapes(shapes)
    if split is None or b"\n_:" in b"\n" + data.nquads:  # blank subjects: no IRI to focus on
        return engine.run(data, shapes)
    per_node, whole = split
    lines = statements(data.nquads)
    tasks: list[tuple[bytes, list[Node], frozenset[bytes] | None]] = []
    if whole:  # the longest task first
        keep = read_predicates(shapes, whole)
        if keep is not None:
            read = b"".join(line for line in lines if line.split(b" ", 2)[1] in keep)
        tasks.append((read if keep is not None and read else b"".join(lines), per_node, None))
    if per_node:
        parts = max(workers * 2, len(lines) // SLICE_STATEMENTS)
        tasks += [(text, whole, subjects) for text, subjects in slices(lines, parts)]
    del lines
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_receive_shapes,
            initargs=(list(shapes), list(shapes.namespaces())),
        ) as pool:
            futures = [
                pool.submit(_run, engine.name, text, silent, subjects)
                for text, silent, subjects in tasks
                if subjects is None or subjects
            ]
            del tasks
            data.view  # noqa: B018 (the report reads this store: build it while workers run)
            for done, _ in enumerate(as_completed(futures), 1):
                if progress is not None:
                    progress(done, len(futures))
            return [row for future in futures for row in future.result()]
    except BrokenProcessPool:
        raise CitynetError(
            "a validation worker died (out of memory?); nothing was reported",
            hint="validate with fewer workers, or on a machine with more memory",
        ) from None


# In a worker: the shapes (sent once), and the graphs built from them by silenced shapes.
_SHAPES: list[Any] = []
_BUILT: dict[frozenset[Node], Graph] = {}


def _receive_shapes(
    triples: list[tuple[Node, Node, Node]], namespaces: list[tuple[str, URIRef]]
) -> None:
    _SHAPES[:] = [triples, namespaces]


def _shapes_without(silent: list[Node]) -> Graph:
    """The shapes with the ``silent`` shapes' targets taken away (built once a worker)."""
    key = frozenset(silent)
    if key not in _BUILT:
        triples, namespaces = _SHAPES
        shapes = _BUILT[key] = Graph(bind_namespaces="none")
        for prefix, namespace in namespaces:
            shapes.bind(prefix, namespace)
        for s, p, o in triples:
            if not (s in key and (p in _TARGETS or (p == RDF.type and o == RDFS.Class))):
                shapes.add((s, p, o))
    return _BUILT[key]


def _run(
    engine: str, text: bytes, silent: list[Node], subjects: frozenset[bytes] | None
) -> list[Row]:
    """In a worker: one engine run without the ``silent`` shapes, on the focus nodes
    ``subjects`` (N-Triples terms) when given."""
    focus = None if subjects is None else [URIRef(t[1:-1].decode()) for t in sorted(subjects)]
    return ENGINES[engine].run(Data(text), _shapes_without(silent), focus=focus)


__all__ = ["PARALLEL_QUADS", "run_parallel", "slices", "split_shapes", "validate"]
