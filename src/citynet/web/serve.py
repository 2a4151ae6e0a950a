"""`citynet serve`: a local preview of the site with content negotiation and a SPARQL endpoint.

Everything runs on 127.0.0.1 only. ``serve()`` builds the site into a temporary folder,
loads the graph into a real Oxigraph server (the ``oxigraph`` package's binary, started
read-only with the union of the named graphs as its default graph, so ad-hoc queries see
every page) and serves:

- ``/city/be/liege`` (any IRI path under the base): the .html, .ttl or .jsonld file by the
  Accept header (``citynet.web.conneg.negotiate``), with ``Vary: Accept``; 406 when nothing
  we have is acceptable;
- any file of the site by its own name (``/city/be/liege.ttl``, ``/void.ttl``);
- ``/sparql``: the SPARQL 1.1 protocol (GET ?query= or POST), passed to Oxigraph's /query.

The returned ``PreviewServer`` has ``stop()`` (also a context manager), so tests and the
CLI share one code path.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from citynet.errors import EndpointError, InputError
from citynet.graph.formats import load_graph
from citynet.graph.vocab import DEFAULT_BASE_IRI
from citynet.web.conneg import MEDIA_TYPES, REPRESENTATIONS, is_hidden, negotiate
from citynet.web.dataset import DUMP_FILE
from citynet.web.generate import DEFAULT_LICENSE, Site, load_ontology, write_site

HOST = "127.0.0.1"  # never another interface: this is a preview, with no authentication
DEFAULT_PORT = 8000
SPARQL_PATH = "/sparql"
STARTUP_SECONDS = 30.0
PROXY_TIMEOUT_SECONDS = 60.0

# Local only: never route the proxy through an http_proxy from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))

_SPARQL_FORM = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SPARQL · citynet</title></head>
<body><h1>SPARQL endpoint</h1>
<p>SPARQL 1.1 protocol: GET ?query=... or POST. The default graph is the union of all pages.</p>
<form method="get" action="sparql"><textarea name="query" rows="12" cols="80">
SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)
</textarea><br><button type="submit">Run</button></form></body></html>
""".encode()


def find_oxigraph() -> Path:
    """The Oxigraph server binary: on PATH, or beside this Python (a virtualenv's bin/)."""
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    raise InputError(
        "the Oxigraph server (oxigraph) is not installed",
        hint="pip install oxigraph",
    )


# Oxigraph prints a Rust backtrace with its errors when these are set; we show one line.
_QUIET_RUST = {**os.environ, "RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class PreviewServer:
    """A running preview: the site over HTTP and Oxigraph behind /sparql."""

    httpd: ThreadingHTTPServer
    oxigraph: subprocess.Popen[bytes]
    oxigraph_url: str
    site_dir: Path
    workdir: Path
    _thread: threading.Thread = field(repr=False)
    _stopped: bool = False

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def sparql_url(self) -> str:
        return f"http://{HOST}:{self.port}{SPARQL_PATH}"

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=10)
        _stop_process(self.oxigraph)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def wait(self) -> None:
        """Block until interrupted (Ctrl-C) or until Oxigraph dies."""
        while self.oxigraph.poll() is None:
            time.sleep(0.5)
        raise EndpointError(f"the Oxigraph server stopped (exit {self.oxigraph.returncode})")

    def __enter__(self) -> PreviewServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    graph_paths: list[Path],
    port: int = DEFAULT_PORT,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    oxigraph_binary: Path | None = None,
    ontology_path: Path | None = None,
    license_iri: str = DEFAULT_LICENSE,
) -> PreviewServer:
    """Build the site, start Oxigraph with the graph, serve both; ``port=0`` picks a free one."""
    binary = oxigraph_binary or find_oxigraph()
    dataset = load_graph([Path(os.path.abspath(p)) for p in graph_paths])
    site = Site(dataset, load_ontology(ontology_path), base_iri=base_iri)
    try:
        httpd = ThreadingHTTPServer((HOST, port), _Handler)
    except OSError as error:
        raise InputError(
            f"cannot listen on {HOST}:{port}: {error.strerror or error}",
            hint="pass another --port",
        ) from None
    httpd.daemon_threads = True
    workdir = Path(tempfile.mkdtemp(prefix="citynet-serve-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        site_dir = workdir / "site"
        actual_port = int(httpd.server_address[1])
        write_site(
            site,
            site_dir,
            sparql_endpoint=f"http://{HOST}:{actual_port}{SPARQL_PATH}",
            license_iri=license_iri,
        )
        process, oxigraph_url = _start_oxigraph(binary, workdir, site_dir / DUMP_FILE)
        httpd.site_dir = site_dir  # type: ignore[attr-defined]
        httpd.oxigraph_url = oxigraph_url  # type: ignore[attr-defined]
        thread = threading.Thread(target=httpd.serve_forever, name="citynet-serve", daemon=True)
        thread.start()
    except BaseException:
        httpd.server_close()
        if process is not None:
            _stop_process(process)
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return PreviewServer(httpd, process, oxigraph_url, site_dir, workdir, thread)


def _start_oxigraph(binary: Path, workdir: Path, dump: Path) -> tuple[subprocess.Popen[bytes], str]:
    store = workdir / "store"
    load = subprocess.run(
        [str(binary), "load", "--location", str(store), "--file", str(dump)],
        capture_output=True,
        timeout=600,
        check=False,
        env=_QUIET_RUST,
    )
    if load.returncode != 0:
        raise EndpointError(f"oxigraph load failed: {_tail(load.stderr)}")
    oxigraph_port = _free_port()
    bind = f"{HOST}:{oxigraph_port}"
    log = open(workdir / "oxigraph.log", "wb")  # noqa: SIM115 - the process owns it
    process = subprocess.Popen(
        [
            str(binary),
            "serve-read-only",
            "--location",
            str(store),
            "--bind",
            bind,
            "--union-default-graph",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=_QUIET_RUST,
    )
    log.close()
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = (workdir / "oxigraph.log").read_bytes()
            raise EndpointError(f"the Oxigraph server did not start: {_tail(text)}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, oxigraph_port), 0.5):
            return process, f"http://{bind}"
        time.sleep(0.1)
    _stop_process(process)
    raise EndpointError(f"the Oxigraph server did not answer on {bind} within {STARTUP_SECONDS}s")


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _tail(data: bytes) -> str:
    """The error lines of Oxigraph's output, without hints or backtraces, on one line."""
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()]
    if "Stack backtrace:" in lines:
        lines = lines[: lines.index("Stack backtrace:")]
    errors = [line for line in lines if "rror" in line] or [line for line in lines if line]
    return " ".join(errors[-3:])[:300] if errors else "(no output)"


class _Handler(BaseHTTPRequestHandler):
    server_version = "citynet-serve"
    protocol_version = "HTTP/1.1"

    # The server object carries the site folder and Oxigraph's URL (set by serve()).
    @property
    def site_dir(self) -> Path:
        return self.server.site_dir  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        """Quiet: a preview prints its URLs, not every request."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch(head=True)

    def do_POST(self) -> None:  # noqa: N802
        if urlsplit(self.path).path == SPARQL_PATH:
            self._proxy_sparql()
        else:
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"only GET and HEAD here\n", "text/plain")

    def _dispatch(self, *, head: bool) -> None:
        path = urlsplit(self.path).path
        if path == SPARQL_PATH and not head:
            self._proxy_sparql()
            return
        relative = self._relative(path)
        if relative is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", head=head)
            return
        if relative == "":
            self._send_file(self.site_dir / "index.html", head=head)
            return
        direct = self.site_dir / relative
        if direct.is_file():
            self._send_file(direct, head=head)
            return
        available = tuple(
            r.suffix for r in REPRESENTATIONS if (self.site_dir / (relative + r.suffix)).is_file()
        )
        if not available:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", head=head)
            return
        suffix = negotiate(self.headers.get("Accept"), available)
        if suffix is None:
            offered = ", ".join(r.media_type for r in REPRESENTATIONS if r.suffix in available)
            body = f"not acceptable; this resource is available as {offered}\n".encode()
            self._send(HTTPStatus.NOT_ACCEPTABLE, body, "text/plain", head=head, vary=True)
            return
        self._send_file(self.site_dir / (relative + suffix), head=head, vary=True)

    def _relative(self, path: str) -> str | None:
        """The site-relative path, or None for anything that could leave the site folder."""
        text = unquote(path)
        if "\x00" in text or "\\" in text:
            return None
        parts = [p for p in text.split("/") if p]
        # No traversal, no dot files (.htaccess, type maps, .server/), as on Apache and nginx.
        if any(p in (".", "..") for p in parts) or is_hidden("/".join(parts)):
            return None
        relative = posixpath.join(*parts) if parts else ""
        resolved = (self.site_dir / relative).resolve()
        if resolved != self.site_dir.resolve() and not resolved.is_relative_to(
            self.site_dir.resolve()
        ):
            return None
        return relative

    def _send_file(self, path: Path, *, head: bool, vary: bool = False) -> None:
        media = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        self._send(HTTPStatus.OK, path.read_bytes(), media, head=head, vary=vary)

    def _send(
        self,
        status: HTTPStatus | int,
        body: bytes,
        media: str,
        *,
        head: bool = False,
        vary: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        if vary:
            self.send_header("Vary", "Accept")
        if not self.path.startswith(SPARQL_PATH):
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _proxy_sparql(self) -> None:
        """Pass a SPARQL protocol request to Oxigraph's /query and its answer back."""
        split = urlsplit(self.path)
        if self.command == "GET" and not split.query:
            self._send(HTTPStatus.OK, _SPARQL_FORM, MEDIA_TYPES[".html"])
            return
        url = f"{self.server.oxigraph_url}/query"  # type: ignore[attr-defined]
        if split.query:
            url += "?" + split.query
        body = None
        headers = {"Accept": self.headers.get("Accept", "application/sparql-results+json")}
        if self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers["Content-Type"] = self.headers.get(
                "Content-Type", "application/x-www-form-urlencoded"
            )
        request = urllib.request.Request(url, data=body, headers=headers, method=self.command)
        try:
            with _DIRECT.open(request, timeout=PROXY_TIMEOUT_SECONDS) as answer:
                status, data = answer.status, answer.read()
                media = answer.headers.get("Content-Type")
        except urllib.error.HTTPError as error:
            status, media, data = error.code, error.headers.get("Content-Type"), error.read()
        except OSError as error:
            message = f"the SPARQL server is unreachable: {error}\n".encode()
            self._send(HTTPStatus.BAD_GATEWAY, message, "text/plain")
            return
        self._send(status, data, media or "application/octet-stream")


__all__ = ["DEFAULT_PORT", "HOST", "PreviewServer", "find_oxigraph", "serve"]
