"""Real triple stores for the tests: Virtuoso Open Source beside Oxigraph, one interface.

``start_virtuoso(folder)`` writes a ``virtuoso.ini`` into ``folder`` (its own database,
HTTP and SQL on 127.0.0.1 and free ports, no Conductor), starts Debian's ``virtuoso-t``,
waits until ``/sparql`` answers and sets the ``dba`` password through ``isql-vt``
(``make test`` installs the ``virtuoso-opensource-7-bin`` package when it is missing).

``LiveStore`` reads and writes a store straight through HTTP (httpx, Digest for Virtuoso),
independently of citynet's client, so the tests check what the store really holds.
``Proxy`` forwards to a store and logs every request; a rule can answer instead (a
status, a reset, a hang) to make the faults of docs/reliability.md happen on any store.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import struct
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from conftest import HOST, OxigraphServer, free_port

#: Every named query with the parameters the store tests run it with.
QUERY_RUNS: list[tuple[str, dict[str, str]]] = [
    ("shared-projects", {}),
    ("shared-projects", {"city": "Liège"}),
    ("shared-events", {}),
    ("shared-events", {"city": "Liège"}),
    ("city-twins", {}),
    ("city-twins", {"city": "Liège"}),
    ("city-activities", {"city": "Liège"}),
    ("project-partners", {"project": "Goal Project"}),
    ("twins-in-network", {}),
    ("timeline", {}),
    ("timeline", {"city": "Liège"}),
    ("stats", {}),
]

VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "citynet-Test-pw1"
STARTUP_SECONDS = 90.0

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {dir}

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {dir}
MaxClientConnections = 8
ServerThreads = 8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


@dataclass
class LiveStore:
    """A running store: its URLs and direct reads and writes."""

    kind: str  # "oxigraph" or "virtuoso"
    base: str  # http://127.0.0.1:port
    store_path: str  # Graph Store endpoint path
    query_path: str
    update_path: str
    auth: httpx.Auth | None = None
    system_graphs: frozenset[str] = frozenset()  # graphs the store had before any test
    stop: Callable[[], None] = lambda: None

    @property
    def store(self) -> str:
        return self.base + self.store_path

    def _client(self) -> httpx.Client:
        return httpx.Client(auth=self.auth, timeout=120, trust_env=False)

    def select(self, query: str) -> list[dict[str, str]]:
        with self._client() as client:
            response = client.post(
                self.base + self.query_path,
                data={"query": query},
                headers={"Accept": "application/sparql-results+json"},
            )
        assert response.status_code == 200, response.text[:500]
        return [
            {name: cell["value"] for name, cell in row.items()}
            for row in response.json()["results"]["bindings"]
        ]

    def update(self, text: str) -> None:
        with self._client() as client:
            response = client.post(self.base + self.update_path, data={"update": text})
        assert 200 <= response.status_code < 300, response.text[:500]

    def graphs(self) -> dict[str, int]:
        """Every named graph holding triples (but the store's own), with its count."""
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {r["g"]: int(r["n"]) for r in rows if r["g"] not in self.system_graphs}

    def clear(self) -> None:
        """Drop every graph a test made (Virtuoso's own graphs stay)."""
        names = list(self.graphs())
        if names:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in names))


def live_oxigraph(server: OxigraphServer) -> LiveStore:
    return LiveStore("oxigraph", server.url, "/store", "/query", "/update", stop=server.stop)


def _virtuoso_binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run `make test` (it installs Debian's Virtuoso)")
    return found


def start_virtuoso(folder: Path) -> LiveStore:
    """Start Virtuoso with its own database in ``folder``; stopped by ``LiveStore.stop``."""
    binary, isql = _virtuoso_binary("virtuoso-t"), _virtuoso_binary("isql-vt")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(dir=folder, host=HOST, sql_port=sql_port, http_port=http_port)
    )
    log = open(folder / "stdout.log", "wb")  # noqa: SIM115 - open while the server runs
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()

    base = f"http://{HOST}:{http_port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/sparql", timeout=2, trust_env=False).status_code == 200:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            stop()
            raise RuntimeError(f"Virtuoso did not start; see {folder}/virtuoso.log")
        time.sleep(0.2)
    command = f"USER_SET_PASSWORD('{VIRTUOSO_USER}', '{VIRTUOSO_PASSWORD}');"
    subprocess.run(
        [isql, f"{HOST}:{sql_port}", VIRTUOSO_USER, "dba", f"exec={command}"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    live = LiveStore(
        "virtuoso",
        base,
        "/sparql-graph-crud-auth",
        "/sparql-auth",
        "/sparql-auth",
        auth=httpx.DigestAuth(VIRTUOSO_USER, VIRTUOSO_PASSWORD),
        stop=stop,
    )
    live.system_graphs = frozenset(live.graphs())
    return live


# ---------------------------------------------------------------------- a logging proxy


@dataclass
class Seen:
    method: str
    path: str
    query: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace")))


RESET = "reset"
HANG = "hang"
Rule = Callable[[Seen], "int | str | None"]  # a status to answer, RESET, HANG or None


@dataclass
class Proxy:
    """Forwards to ``upstream`` and logs each request; ``rule`` may answer instead."""

    upstream: str
    rule: Rule = lambda seen: None
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.release = threading.Event()
        self.httpd = ThreadingHTTPServer((HOST, 0), _handler(self))
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}"

    def writes(self, live: LiveStore) -> list[Seen]:
        """Graph Store PUT/POST/DELETE and every request carrying an update."""
        return [
            s
            for s in self.seen
            if (s.path == live.store_path and s.method in ("PUT", "POST", "DELETE"))
            or "update" in s.form
        ]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    upstream = urllib.parse.urlsplit(proxy.upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path, _, query = self.path.partition("?")
            seen = Seen(self.command, path, query, body, dict(self.headers.items()))
            proxy.seen.append(seen)
            action = proxy.rule(seen)
            if action == RESET:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                return
            if action == HANG:
                proxy.release.wait(120)
                self.close_connection = True
                return
            if isinstance(action, int):
                payload = f"{action} from the test proxy".encode()
                self._answer(action, [("Content-Type", "text/plain")], payload)
                return
            connection = HTTPConnection(upstream.hostname, upstream.port, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            connection.request(self.command, self.path, body=body or None, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            kept = [
                (k, v)
                for k, v in answer.getheaders()
                if k.lower() not in ("transfer-encoding", "connection", "content-length")
            ]
            connection.close()
            self._answer(answer.status, kept, data, head=self.command == "HEAD")

        def _answer(
            self, status: int, headers: list[tuple[str, str]], body: bytes, head: bool = False
        ) -> None:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

    return Handler
