"""citynet: profile pages of a city network to a linked-open-data knowledge graph.

The public API, in three calls (docs/api.md)::

    import citynet
    result = citynet.build("data/pages")      # out=None keeps the graph in memory
    report = citynet.validate(result)          # a build result, RDF file(s), an rdflib graph
    rows = citynet.query("shared-projects", result, city="Liège")  # one dict per row

plus :func:`publish` (into a triple store) and :func:`site` (the static linked-data
site). The command line is a thin layer over these; they take its options as keyword
arguments. Each stage's own modules (``citynet.read``, ``citynet.graph``, ...) stay
importable for finer control; docs/architecture.md maps them.

The stages are imported when first used, so ``import citynet`` stays cheap.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citynet.errors import CitynetError, ExitCode, InputError
from citynet.settings import __version__

if TYPE_CHECKING:
    from citynet.graph.outputs import BuildResult
    from citynet.store.publishing import PublishReport
    from citynet.validation.report import ValidationReport
    from citynet.web.generate import SiteResult

PathLike = str | os.PathLike[str]
#: What the calls below accept as a graph: a build result, one RDF file or several, or an
#: rdflib Graph / Dataset (validate only).
GraphInput = Any

DEFAULT_BASE_IRI = "https://w3id.org/citynet/"
DEFAULT_GRAPH = Path("build/citynet.trig")  # what `citynet build` writes


def _paths(value: PathLike | Iterable[PathLike] | None) -> list[Path] | None:
    if value is None:
        return None
    if isinstance(value, str | os.PathLike):
        return [Path(value)]
    return [Path(item) for item in value]


def build(
    pages: PathLike | Iterable[PathLike] | None = None,
    *,
    out: PathLike | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
    city: str | None = None,
    max_page_bytes: int = 10_000_000,
    stream: bool = False,
    workers: int | None = None,
    store: PathLike | None = None,
    incremental: bool = False,
    decisions: PathLike | None = None,
    progress: Callable[[Any], None] | None = None,
) -> BuildResult:
    """Build the graph from page files or folders (default: the bundled pages).

    ``out=None`` keeps the graph in memory (``result.quads``); a folder gets citynet.trig,
    .nq, the merged formats and report.json. ``stream``, or ``workers``, ``store`` or
    ``incremental``, run the same pipeline on several processes (``citynet build -h``).
    ``decisions``: a curator's decisions file (default: decisions.toml beside the pages).
    """
    options: dict[str, Any] = {
        "out": Path(out) if out is not None else None,
        "base_iri": base_iri,
        "city": city,
        "max_page_bytes": max_page_bytes,
        "progress": progress,
        "decisions": Path(decisions) if decisions is not None else None,
    }
    if not stream and workers is None and store is None and not incremental:
        from citynet.graph.build import build as build_in_process

        return build_in_process(_paths(pages), **options)
    from citynet.scale.streaming import stream_build

    store_dir = Path(store) if store is not None else None
    return stream_build(
        _paths(pages), store_dir=store_dir, incremental=incremental, workers=workers, **options
    )


@contextmanager
def _graph_files(data: GraphInput) -> Iterator[list[Path]]:
    """The RDF files of ``data``; a build kept in memory is written to a temporary
    N-Quads file for the duration."""
    files = getattr(data, "files", None)
    if not isinstance(files, dict):
        yield _paths(data) or [DEFAULT_GRAPH]
        return
    for name in ("trig", "nquads"):
        if name in files:
            yield [Path(files[name])]
            return
    import pyoxigraph

    with tempfile.TemporaryDirectory(prefix="citynet-") as folder:
        path = Path(folder) / "citynet.nq"
        pyoxigraph.serialize(data.quads, output=str(path), format=pyoxigraph.RdfFormat.N_QUADS)
        yield [path]


def validate(
    data: GraphInput = None,
    *,
    shapes: PathLike | None = None,
    engine: str = "auto",
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ValidationReport:
    """Check a graph against the citynet shapes (or ``shapes``).

    Large graphs are checked on every core (``workers``: how many processes; None picks
    by size; ``progress`` is called with (tasks done, tasks) as they finish).
    ``report.conforms`` is true when there is no violation (warnings and infos are
    reported but do not break conformance: docs/validation.md).
    """
    from citynet.scale.validation import validate as validate_graph

    if data is None or isinstance(data, str | os.PathLike):
        data = _paths(data) or [DEFAULT_GRAPH]
    shapes_path = Path(shapes) if shapes is not None else None
    return validate_graph(
        data, shapes=shapes_path, engine=engine, workers=workers, progress=progress
    )


def query(
    name: str,
    data: GraphInput = None,
    *,
    endpoint: str | None = None,
    engine: str = "oxigraph",
    timeout: float = 60.0,
    **params: str,
) -> list[dict[str, Any]]:
    """Run a named query (``citynet queries`` lists them) or a ``.rq`` file.

    One dict per row, from variable name to a Python value: IRIs as strings, literals as
    their Python values (int, date, str ...), None when unbound. An ASK query gives one
    row ``{"answer": bool}``; a CONSTRUCT query one row per triple.
    """
    from citynet.sparql.queries import make_backend, run_query

    with _graph_files(data) as files:
        if endpoint is not None:
            backend = make_backend(endpoint=endpoint, timeout=timeout)
        else:
            backend = make_backend(files, engine=engine)
        result = run_query(name, params, backend=backend)
    if result.kind == "ask":
        return [{"answer": bool(result.boolean)}]
    if result.kind == "graph":
        triples = sorted(result.graph) if result.graph is not None else []
        return [dict(zip(("s", "p", "o"), map(_python, t), strict=True)) for t in triples]
    return [dict(zip(result.variables, map(_python, row), strict=True)) for row in result.rows]


def _python(term: Any) -> Any:
    """An rdflib term's Python value; IRIs and blank nodes as strings."""
    value = term.toPython() if term is not None else None
    return str(value) if value is term else value


def publish(data: GraphInput, store: str, **options: Any) -> PublishReport:
    """Publish a graph (a build result or a TriG / N-Quads file) into a triple store
    through the Graph Store Protocol; ``options`` are ``citynet publish``'s (``mode``,
    ``store_kind``, ``prune``, ``timeout``, ...). Credentials: CITYNET_USER and
    CITYNET_PASSWORD."""
    from citynet.store.publishing import publish as publish_graph

    with _graph_files(data) as files:
        if len(files) != 1:
            raise InputError("publish takes one graph file (TriG or N-Quads)")
        return publish_graph(files[0], store, **options)


def site(data: GraphInput, out: PathLike, **options: Any) -> SiteResult:
    """Write the static linked-data site of a graph into ``out`` (replaced atomically);
    ``options`` are ``citynet site``'s (``base_iri``, ``sparql_endpoint``, ...)."""
    from citynet.web.generate import build_site

    with _graph_files(data) as files:
        return build_site(files, Path(out), **options)


__all__ = [
    "CitynetError",
    "ExitCode",
    "InputError",
    "__version__",
    "build",
    "publish",
    "query",
    "site",
    "validate",
]
