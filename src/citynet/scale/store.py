"""The Oxigraph store a build can fill: in memory, or on disk in ``STORE/oxigraph``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Store

from citynet.errors import InputError

STORE_SUBDIR = "oxigraph"


def open_store(store_dir: Path | None, *, incremental: bool) -> Store:
    """An in-memory store (``store_dir`` None), or the one on disk (emptied first unless
    the build is incremental)."""
    if store_dir is None:
        return Store()
    path = store_dir / STORE_SUBDIR
    if path.exists() and not incremental:
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return Store(str(path))
    except OSError as error:
        raise InputError(f"{path}: cannot open the store: {error}") from None


class Loader:
    """Loads the pages' N-Quads into a store in batches: one call per page costs more."""

    BATCH = 8 << 20

    def __init__(self, store: Any, *, incremental: bool) -> None:
        self.store = store
        self.incremental = incremental
        self.parts: list[bytes] = []
        self.size = 0

    def remove_graph(self, graph: str) -> None:
        """Drop a named graph (given as the build writes it, "<iri>")."""
        self.flush()
        self.store.remove_graph(NamedNode(graph[1:-1] if graph.startswith("<") else graph))

    def add(self, nquads: bytes) -> None:
        self.parts.append(nquads)
        self.size += len(nquads)
        if self.size >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.parts:
            return
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        if self.incremental:
            self.store.load(data, format=RdfFormat.N_QUADS)  # transactional
        else:
            self.store.bulk_load(data, format=RdfFormat.N_QUADS)
