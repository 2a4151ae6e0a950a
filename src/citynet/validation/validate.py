"""SHACL validation of a built graph, with results a person can act on.

``validate()`` checks the union of the graph's named graphs against the shapes (by default
shapes/citynet.ttl) and returns a :class:`ValidationReport`: each result with the labels
of its nodes and the page and line the fact came from. The engine is pyshacl-turbo by
default (``engine="auto"``) and pySHACL, the reference, on request or for shapes turbo
does not support; both give the same results (tests/test_fast_validation.py).

Validation never touches the network: owl:imports is never followed, and a shapes file
that asks for remote data (owl:imports, a SPARQL SERVICE clause) is refused unless the
caller allows it (``allow_network``).

``runner`` lets a caller run the engine its own way (citynet.scale.validation runs it on
slices of the data in parallel); it must return the rows a whole run would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from citynet.errors import InputError
from citynet.validation.data import Data, from_quads, from_rdflib, load_bytes, load_paths
from citynet.validation.engines import ENGINES, Engine
from citynet.validation.report import (
    SEVERITIES,
    Row,
    ValidationReport,
    ValidationResult,
    format_report_text,
    make_report,
    report_to_json,
    summary_line,
)
from citynet.validation.shapes import LintIssue, default_shapes_path, lint_shapes, load_shapes

ENGINE_NAMES = ("auto", "pyshacl", "turbo")

#: Runs an engine on the data with the shapes and returns its rows.
Runner = Callable[[Engine, Data, Graph], list[Row]]


def _whole(engine: Engine, data: Data, shapes: Graph) -> list[Row]:
    return engine.run(data, shapes)


def as_data(data: Data | Graph | Sequence[Path] | Sequence[ox.Quad] | Any) -> Data:
    """Files, an rdflib graph or dataset, pyoxigraph quads, a build result (its quads), or
    Data already loaded. A pyoxigraph Store is refused: it has rewritten literals
    ("0042"^^xsd:nonNegativeInteger is "42"^^xsd:integer there), which the shapes check."""
    if isinstance(data, Data):
        return data
    if isinstance(data, Graph):
        return from_rdflib(data)
    if isinstance(data, ox.Store):
        raise TypeError(
            "a pyoxigraph Store has rewritten literals the shapes check; "
            "validate the files or quads it was loaded from"
        )
    quads = getattr(data, "quads", None)  # a citynet.graph.build.BuildResult
    if isinstance(quads, list):
        return from_quads(quads)
    if isinstance(data, str | Path):
        raise TypeError("give a list of paths, not one path")
    items = list(data)
    if items and all(isinstance(item, ox.Quad) for item in items):
        return from_quads(items)
    return load_paths([Path(p) for p in items])


def pick_engine(name: str, shapes: Graph, shapes_path: Path) -> Engine:
    """The engine called ``name``; "auto" is turbo when it supports the shapes."""
    if name not in ENGINE_NAMES:
        raise InputError(f"unknown validation engine {name!r}", hint=f"use one of {ENGINE_NAMES}")
    if name == "auto":
        return ENGINES["turbo"] if ENGINES["turbo"].supports(shapes) else ENGINES["pyshacl"]
    engine = ENGINES[name]
    if not engine.supports(shapes):
        raise InputError(
            f"{shapes_path}: the {name} engine does not support these shapes",
            hint="use --engine pyshacl (or auto, which picks it by itself)",
        )
    return engine


def validate(
    data: Data | Graph | Sequence[Path] | Any,
    *,
    shapes: Path | None = None,
    allow_network: bool = False,
    engine: str = "auto",
    runner: Runner = _whole,
) -> ValidationReport:
    """Validate a graph (or RDF files) against the citynet shapes, or the shapes given.

    Raises InputError (exit 2) for a missing or unreadable input, a shapes file with a
    syntax error (``file:line``), shapes the lint finds broken, or an unknown engine.
    """
    shapes_path = shapes or default_shapes_path()
    shapes_graph, shapes_text = load_shapes(shapes_path)
    chosen = pick_engine(engine, shapes_graph, shapes_path)
    loaded = as_data(data)
    lint = partial(
        lint_shapes,
        shapes_graph,
        text=shapes_text,
        file=str(shapes_path),
        allow_network=allow_network,
    )
    # Errors do not depend on the data: check them before the engine runs.
    errors = [issue for issue in lint() if issue.level == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(f"{errors[0]}{more}", hint="fix the shapes file; nothing was validated")
    try:
        rows = runner(chosen, loaded, shapes_graph)
    except InputError as error:
        raise InputError(f"{shapes_path}: {error.message}", hint=error.hint) from None
    return make_report(
        rows,
        loaded.view,
        shapes_graph=shapes_graph,
        shapes=str(shapes_path),
        lint=lint(data=loaded.view),  # and the targets that select no node of the data
        engine=chosen.name,
    )


def load_data_bytes(data: bytes, input_format: str | None = None) -> Data:
    """Standard input's bytes as Data (TriG unless ``input_format`` or JSON/XML-looking)."""
    return load_bytes(data, input_format)


__all__ = [
    "ENGINE_NAMES",
    "SEVERITIES",
    "Data",
    "LintIssue",
    "Runner",
    "ValidationReport",
    "ValidationResult",
    "as_data",
    "default_shapes_path",
    "format_report_text",
    "lint_shapes",
    "load_data_bytes",
    "load_shapes",
    "pick_engine",
    "report_to_json",
    "summary_line",
    "validate",
]
