"""SHACL engines behind one small interface: ``supports(shapes)`` and ``run(data, shapes)``.

- ``PyshaclEngine``: pySHACL, the reference.
- ``TurboEngine``: pyshacl-turbo, pySHACL's API and results from a Rust engine (held
  against pySHACL by tests/test_fast_validation.py and the W3C SHACL suites), 10-50x
  faster on citynet's graphs.

Both run with the options citynet has always used: no inference, SHACL-SPARQL on, no
owl:imports. ``run`` returns report rows (citynet.validation.report.Row); the report module
turns them into results, so no engine knows about the output formats or the facade.
``focus`` keeps only the results about some focus nodes (IRIs) among those the shapes
target (citynet.scale.validation gives each worker its slice's nodes that way).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from citynet.common.text import one_line
from citynet.errors import InputError
from citynet.graph.vocab import PREFIXES
from citynet.validation.data import Data
from citynet.validation.report import Row, rows_of

# Options shared by both engines (pySHACL's names; pyshacl-turbo takes the same).
_OPTIONS: dict[str, Any] = {
    "inference": "none",
    "advanced": True,  # SHACL-SPARQL constraints
    "do_owl_imports": False,  # never fetch anything
    "allow_warnings": False,
}
# Terms of SHACL-JS and SHACL rules, which neither engine runs as citynet calls them.
_SHACL_JS = "http://www.w3.org/ns/shacl#js"


class Engine(Protocol):
    name: str

    def supports(self, shapes: Graph) -> bool: ...

    def run(
        self, data: Data, shapes: Graph, *, focus: Sequence[Node] | None = None
    ) -> list[Row]: ...


def _broken_shapes(error: object) -> InputError:
    return InputError(
        f"the shapes cannot be used: {one_line(error)}",
        hint="fix the shapes file; nothing was validated",
    )


class PyshaclEngine:
    """pySHACL over the union of the data's graphs (the reference engine)."""

    name = "pyshacl"

    def supports(self, shapes: Graph) -> bool:
        return True

    def run(self, data: Data, shapes: Graph, *, focus: Sequence[Node] | None = None) -> list[Row]:
        import pyshacl  # slow to import: only when validating

        union = data.union(_PreparedQueryGraph())
        try:
            # Not pySHACL's focus_nodes option: it also filters the value nodes that
            # sh:and and friends check (literals are never "focus nodes"), so they pass.
            _, report, _ = pyshacl.validate(
                union,
                shacl_graph=shapes,
                inplace=True,  # `union` is our own copy
                **_OPTIONS,
            )
        except Exception as error:  # pySHACL reports broken shapes (bad SPARQL, ...) this way
            raise _broken_shapes(error) from None
        if not isinstance(report, Graph):  # pySHACL returns its ValidationFailure
            raise _broken_shapes(report)
        rows = rows_of(report)
        if focus is None:
            return rows
        wanted = set(focus)
        return [row for row in rows if row[0] in wanted]


class TurboEngine:
    """pyshacl-turbo, given the N-Quads text (literals as written, never a store)."""

    name = "turbo"

    def __init__(self) -> None:
        self._compiled: dict[int, tuple[Graph, Any]] = {}

    def supports(self, shapes: Graph) -> bool:
        # SHACL-JS is pySHACL's too, through an optional extra; refuse it the same way.
        return not any(str(p).startswith(_SHACL_JS) for p in shapes.predicates())

    def _compile(self, shapes: Graph) -> Any:
        import pyshacl_turbo  # a native library: only when validating

        found = self._compiled.get(id(shapes))
        if found is None or found[0] is not shapes:
            compiled = pyshacl_turbo.compile_shapes(shapes, advanced=True)
            found = self._compiled[id(shapes)] = (shapes, compiled)
        return found[1]

    def run(self, data: Data, shapes: Graph, *, focus: Sequence[Node] | None = None) -> list[Row]:
        import pyshacl_turbo
        from pyshacl_turbo.rdf import Input

        try:
            compiled = self._compile(shapes)
            # Input is pyshacl-turbo's own holder of serialized data: handed text, its
            # public validate() would first build an rdflib graph of it (3x slower).
            source = Input(data.nquads.decode("utf-8"), "nquads", None, {}, {}, preserve_ids=True)
            _, report, _ = compiled.validate(
                source, focus_nodes=list(focus) if focus is not None else None
            )
        except (pyshacl_turbo.ValidationFailure, RuntimeError, ValueError) as error:
            raise _broken_shapes(error) from None
        if not isinstance(report, Graph):
            raise _broken_shapes(report)
        return rows_of(report)


ENGINES: dict[str, Engine] = {"pyshacl": PyshaclEngine(), "turbo": TurboEngine()}


class _PreparedQueryGraph(Graph):
    """A Graph that parses each SPARQL text once.

    pySHACL runs a SPARQL-based constraint once per focus node with the same text and
    $this bound; rdflib would parse it every time (most of the validation time).
    """

    def __init__(self) -> None:
        super().__init__()
        for prefix, namespace in PREFIXES.items():
            self.bind(prefix, str(namespace))
        self._prepared: dict[tuple[str, tuple[tuple[str, str], ...]], Query] = {}

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 (rdflib's name)
        initBindings: Mapping[str, Node] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and processor == "sparql":
            key = (query_object, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=dict(initNs or {}))
                self._prepared[key] = prepared
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


__all__ = ["ENGINES", "Engine", "PyshaclEngine", "TurboEngine"]
