"""Shared test fixtures.

``start_oxigraph(tmp_path)`` starts a real Oxigraph server (the ``oxigraph`` PyPI package's
binary) on 127.0.0.1 and a free port, in memory; the ``oxigraph_server`` fixture gives a
fresh one per test and stops it afterwards. The server object also answers SPARQL reads
with plain urllib, so tests check the store through a path independent of citynet's client.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HOST = "127.0.0.1"
STARTUP_SECONDS = 20.0


def oxigraph_binary() -> Path:
    """The server binary installed beside this Python (the venv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    if found is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    return Path(found)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server started by a fixture; kill it if it does not stop in 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class OxigraphServer:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def store(self) -> str:
        return f"{self.url}/store"

    @property
    def query(self) -> str:
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    def select(self, query: str) -> list[dict[str, str]]:
        """Run a SELECT straight against the server; values as plain strings."""
        data = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(
            self.query, data=data, headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            document = json.load(response)
        return [
            {name: cell["value"] for name, cell in row.items()}
            for row in document["results"]["bindings"]
        ]

    def update(self, text: str) -> None:
        data = urllib.parse.urlencode({"update": text}).encode()
        with urllib.request.urlopen(urllib.request.Request(self.update_url, data=data), timeout=30):
            pass

    def count(self, graph: str) -> int:
        """Triples in one named graph (0 when it does not exist)."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"])

    def graphs(self) -> dict[str, int]:
        """Every named graph holding triples, with its triple count."""
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"]: int(row["n"]) for row in rows}

    def put_graph(self, graph: str, data: bytes, media_type: str = "application/n-triples") -> None:
        """Replace one named graph (SPARQL 1.1 Graph Store HTTP Protocol, PUT on /store)."""
        target = f"{self.store}?{urllib.parse.urlencode({'graph': graph})}"
        request = urllib.request.Request(
            target, data=data, method="PUT", headers={"Content-Type": media_type}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status in (200, 201, 204), response.status

    def load_dataset(self, path: Path) -> int:
        """Load each named graph of a quad file with one Graph Store PUT; returns how many.

        Default-graph quads are refused: citynet keeps every fact in a named graph.
        """
        import pyoxigraph as ox

        graphs: dict[str, list[ox.Triple]] = {}
        for quad in ox.parse(path=str(path)):
            assert not isinstance(quad.graph_name, ox.DefaultGraph), f"{path}: default graph"
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
        for graph, triples in sorted(graphs.items()):
            self.put_graph(graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        return len(graphs)

    def count_quads(self) -> int:
        """Quads in the whole store: default graph and every named graph."""
        rows = self.select(
            "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        )
        return int(rows[0]["n"])

    def clear(self) -> None:
        self.update("DROP SILENT ALL")

    def stop(self) -> None:
        stop_process(self.process)


def start_oxigraph(
    tmp_path: Path, *, union_default_graph: bool = False, location: Path | None = None
) -> OxigraphServer:
    """Start an Oxigraph server on 127.0.0.1 and a free port; wait until it answers.

    In memory by default; with ``location``, a store persisted in that directory.
    """
    binary = oxigraph_binary()
    for _ in range(3):  # a free port can be taken between the probe and the bind
        port = free_port()
        log = tmp_path / f"oxigraph-{port}.log"
        command = [str(binary), "serve", "--bind", f"{HOST}:{port}"]
        if location is not None:
            command += ["--location", str(location)]
        if union_default_graph:
            command.append("--union-default-graph")
        with open(log, "wb") as handle:
            process = subprocess.Popen(
                command, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        server = OxigraphServer(process, port, log)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.5):
                return server
            time.sleep(0.05)
        server.stop()
    raise RuntimeError(f"the Oxigraph server did not start; see {log}")


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A fresh, empty Oxigraph server for one test."""
    server = start_oxigraph(tmp_path)
    try:
        yield server
    finally:
        server.stop()
