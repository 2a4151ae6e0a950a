"""What ``--incremental`` keeps between builds: a per-page cache in an SQLite file.

The state database in the store folder keeps, per page file, its size, mtime and content
hash, its stub (what cross-page resolution reads), its activity keys, its N-Quads and
TriG fragments, its report and its digests. A rebuild reads and resolves only new or
changed pages, recomputes cross-page resolution from every stub (cheap: no file or
gazetteer access), and maps again only the pages whose content or activity keys changed
(a changed page can change another page's keys, e.g. by adding a mention that merges two
projects). Only those pages' named graphs are replaced in the store; the output files
are reassembled from the cached fragments.
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from citynet.graph.outputs import Mapped
from citynet.graph.steps import Stub
from citynet.read.records import PageWarning
from citynet.scale.store import STORE_SUBDIR

STATE_FILE = "citynet-state.sqlite"
STATE_VERSION = "6"  # 6: what cross-page work reads of a page in one pickle


@dataclass
class Row:
    path: str
    size: int
    mtime_ns: int
    sha256: str
    graph: str
    # Pickled together in the "page" column:
    stub: Stub
    keys: list[list[str | None]]
    map_warnings: list[PageWarning]
    triples: int
    triple_hashes: bytes
    class_hashes: dict[str, bytes]
    db: sqlite3.Connection

    def fragments(self) -> tuple[bytes, bytes]:
        row = self.db.execute(
            "SELECT nquads, trig FROM pages WHERE path = ?", (self.path,)
        ).fetchone()
        return bytes(row[0]), bytes(row[1])


class State:
    """Per-page cache of the previous build, in an SQLite file in the store folder."""

    def __init__(self, db: sqlite3.Connection, base_iri: str) -> None:
        self.db = db
        self.base_iri = base_iri
        self.rows: dict[str, Row] = {}

    @classmethod
    def open(cls, store_dir: Path, base_iri: str, decisions: str = "") -> State:
        store_dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(store_dir / STATE_FILE)
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        from citynet.settings import __version__

        identity = {"version": STATE_VERSION, "citynet": __version__, "base_iri": base_iri}
        identity["decisions"] = decisions  # a curator's file changes resolution throughout
        if any(meta.get(k, "") != v for k, v in identity.items()):
            # Another base IRI, decisions file or citynet version maps differently: afresh.
            db.execute("DROP TABLE IF EXISTS pages")
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", identity.items())
            db.commit()
            shutil.rmtree(store_dir / STORE_SUBDIR, ignore_errors=True)
        db.execute(
            "CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, size INTEGER,"
            " mtime_ns INTEGER, sha256 TEXT, graph TEXT, page BLOB, nquads BLOB, trig BLOB)"
        )
        state = cls(db, base_iri)
        for row in db.execute("SELECT path, size, mtime_ns, sha256, graph, page FROM pages"):
            state.rows[row[0]] = Row(*row[:5], *pickle.loads(row[5]), db)
        return state

    def unchanged(
        self, entries: list[tuple[int, Path, str]], city_file: Path | None
    ) -> dict[int, Row]:
        """Pages whose file is as the previous build read it (size, mtime, else hash)."""
        found: dict[int, Row] = {}
        for index, path, _ in entries:
            row = self.rows.get(str(path))
            if row is None or path == city_file:
                continue
            stat = path.stat()
            if (stat.st_size, stat.st_mtime_ns) != (row.size, row.mtime_ns):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                if digest != row.sha256:
                    continue
                row.size, row.mtime_ns = stat.st_size, stat.st_mtime_ns
            row.stub.index = index
            found[index] = row
        return found

    def rows_by_index(self, entries: list[tuple[int, Path, str]]) -> dict[int, Row]:
        return {i: self.rows[str(p)] for i, p, _ in entries if str(p) in self.rows}

    def removed_graphs(self, entries: list[tuple[int, Path, str]]) -> list[str]:
        present = {str(p) for _, p, _ in entries}
        return [row.graph for path, row in self.rows.items() if path not in present]

    def save(
        self,
        entries: list[tuple[int, Path, str]],
        mapped: set[int],
        cached: dict[int, Row],
    ) -> None:
        """Commit the pages :meth:`put` kept; forget removed files and failed pages."""
        present = {str(p) for _, p, _ in entries}
        with self.db:
            for path in [p for p in self.rows if p not in present]:
                self.db.execute("DELETE FROM pages WHERE path = ?", (path,))
            for index, path, _graph in entries:
                if index in cached and index not in mapped:
                    row = cached[index]
                    self.db.execute(
                        "UPDATE pages SET size = ?, mtime_ns = ? WHERE path = ?",
                        (row.size, row.mtime_ns, row.path),
                    )
                    continue
                if index not in mapped:
                    # A page with an error: keep nothing, so it is read again next time.
                    self.db.execute("DELETE FROM pages WHERE path = ?", (str(path),))

    def put(
        self,
        path: Path,
        graph: str,
        stub: Stub,
        keys: list[list[str | None]],
        page: Mapped,
        nquads: bytes,
        trig: bytes,
    ) -> None:
        """Keep one mapped page (committed by :meth:`save`, at the end of the build)."""
        stat = path.stat()
        fields = (stub, keys, page.warnings, page.triples, page.triple_hashes, page.class_hashes)
        self.db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?,?,?,?,?,?,?,?)",
            (
                str(path),
                stat.st_size,
                stat.st_mtime_ns,
                stub.record.content_sha256,
                graph,
                pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL),
                nquads,
                trig,
            ),
        )

    def close(self) -> None:
        self.db.close()
