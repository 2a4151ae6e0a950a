"""The build on every core, optionally into an Oxigraph store and incrementally.

``stream_build`` runs the one pipeline of :mod:`citynet.graph.pipeline` (the same
per-page functions as :func:`citynet.graph.build.build`, with the same bytes out) with
what only large inputs need: worker processes (:mod:`citynet.scale.executor`; below
``PARALLEL_MIN_PAGES`` pages the chunks run in this process, where starting workers
would cost more than they save), records spilled to temporary files between the steps,
an Oxigraph store (:mod:`citynet.scale.store`) and the state of ``--incremental``
(:mod:`citynet.scale.incremental`). By default it writes the TriG and N-Quads files and
the report, not the merged formats, which need every triple in memory at once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from citynet.errors import InputError
from citynet.graph.build import DEFAULT_OUT, prepare
from citynet.graph.outputs import BuildResult
from citynet.graph.pipeline import CHUNK_PAGES, QUAD_FORMATS, InProcess, Runner, Settings, run
from citynet.graph.vocab import DEFAULT_BASE_IRI
from citynet.scale.executor import Pool
from citynet.scale.incremental import STATE_FILE, State
from citynet.scale.store import STORE_SUBDIR, Loader, open_store

PARALLEL_MIN_PAGES = 400  # below this, worker start-up costs more than it saves


def _runner(pages: int, workers: int | None, start_method: str | None) -> Runner:
    count = workers or os.cpu_count() or 1
    if count < 2 or pages < PARALLEL_MIN_PAGES:
        return InProcess()
    return Pool(count, start_method)


def stream_build(
    inputs: list[Path] | None = None,
    *,
    out: Path | None = DEFAULT_OUT,
    base_iri: str = DEFAULT_BASE_IRI,
    city: str | None = None,
    max_page_bytes: int = 10_000_000,
    store_dir: Path | None = None,
    in_memory_store: bool = False,
    incremental: bool = False,
    workers: int | None = None,
    formats: tuple[str, ...] = QUAD_FORMATS,
    chunk_pages: int = CHUNK_PAGES,
    start_method: str | None = None,
    progress: Callable[[Any], None] | None = None,
    decisions: Path | None = None,
) -> BuildResult:
    """Build like :func:`citynet.graph.build.build`, on ``workers`` processes (default:
    the CPU count).

    ``store_dir``: also keep the graph in an on-disk Oxigraph store there (one named
    graph per page); ``in_memory_store``: fill an in-memory store and return it.
    ``incremental`` (needs ``store_dir``): reuse what the previous run kept there.
    ``start_method``: of the worker processes ("forkserver" where it exists, else
    "spawn"). ``progress``: called once per page read and once per page written.
    """
    if incremental and store_dir is None:
        raise InputError("--incremental needs --store-dir DIR (where the previous build is kept)")
    files, decided = prepare(inputs, base_iri, decisions)
    if incremental and any(str(path) == "-" for path in files):
        raise InputError(
            "--incremental cannot keep standard input (-) between builds",
            hint="save the page to a file and build that",
        )
    # The state is kept for one decisions file's content: another one starts it afresh.
    digest = hashlib.sha256(Path(decided.path).read_bytes()).hexdigest() if decided else ""
    state = State.open(store_dir, base_iri, digest) if incremental and store_dir else None
    if store_dir is not None and not incremental:
        (store_dir / STATE_FILE).unlink(missing_ok=True)  # a full build invalidates state
    store = None
    try:
        if store_dir is not None or in_memory_store:
            store = open_store(store_dir, incremental=incremental)
        settings = Settings(out, base_iri, city, max_page_bytes, formats, chunk_pages, progress)
        settings.decisions = decided
        sink = Loader(store, incremental=incremental) if store is not None else None
        runner = _runner(len(files), workers, start_method)
        result = run(files, settings, runner, sink=sink, state=state)
    finally:
        if state is not None:
            state.close()
    if store_dir is not None:
        # Release the on-disk store (and its lock) now: callers reopen it by path.
        store.flush()
        result.store_path = store_dir / STORE_SUBDIR
    else:
        result.store = store
    return result
