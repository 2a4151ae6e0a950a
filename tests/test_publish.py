"""`citynet publish` against a real Oxigraph server, and the faults of reliability-cases F1-F9.

Faults come from small HTTP servers written here (``FaultProxy``): in front of the real
Oxigraph fixture they forward every request and log it, and a rule can answer instead
(an HTML page, a status, a hang, a connection reset) or act on the store just before a
request goes through. Oxigraph itself is never mocked: every count below is the real
store's, read straight from it (``OxigraphServer.count``), not through citynet's client.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import socket
import struct
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import OxigraphServer, start_oxigraph
from pyoxigraph import RdfFormat, parse
from stores import QUERY_RUNS

from citynet.cli import cli
from citynet.errors import EndpointError, InputError, PublishAborted
from citynet.graph.vocab import CN, PUBLISH_META_GRAPH, SD, VOID
from citynet.settings import (
    CONNECT_ATTEMPTS,
    DEPRECATED_NAMES,
    ENV_AUTH,
    ENV_PASSWORD,
    ENV_USER,
)
from citynet.store.publishing import (
    STAGING_MARK,
    load_payloads,
    meta_record_iri,
    publish,
)

FIXTURES = Path(__file__).parent / "fixtures" / "publish"
V1 = FIXTURES / "pages-v1.trig"
V2 = FIXTURES / "pages-v2.trig"
LIEGE = "https://w3id.org/citynet/source/liege"
NANCY = "https://w3id.org/citynet/source/nancy"
META = str(PUBLISH_META_GRAPH)
PASSWORD = "s3cret-Pa55word"


# ------------------------------------------------------------------------ fault servers


@dataclass
class Seen:
    """One request as the proxy received it."""

    method: str
    path: str
    query: str
    content_type: str
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        if self.content_type.startswith("application/x-www-form-urlencoded"):
            return dict(urllib.parse.parse_qsl(self.body.decode("utf-8")))
        return {}

    @property
    def graph(self) -> str | None:
        return dict(urllib.parse.parse_qsl(self.query)).get("graph")

    @property
    def is_write(self) -> bool:
        """Graph Store PUT/POST/DELETE, or anything sent to the update endpoint."""
        if self.path.endswith("/update"):
            return True
        return self.path.endswith("/store") and self.method in ("PUT", "POST", "DELETE")

    @property
    def update(self) -> str:
        return self.form.get("update", "") if self.path.endswith("/update") else ""


@dataclass
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "text/plain"
    headers: tuple[tuple[str, str], ...] = ()


class Hang:
    """Never answer (until the test ends)."""


class Reset:
    """Reset the connection (TCP RST) instead of answering."""


class Trickle:
    """Answer 200 with SPARQL JSON, one byte every 0.1 s, never finishing."""


@dataclass
class Before:
    """Run ``action`` on the real store, then forward the request."""

    action: Callable[[], None]


Rule = Callable[[Seen], "Answer | Hang | Reset | Trickle | Before | None"]
ResetRule = Callable[[Seen], bool]


class FaultProxy:
    """An HTTP server on 127.0.0.1: forwards to ``upstream`` (a real Oxigraph) unless
    ``rule`` says otherwise; logs every request it receives."""

    def __init__(
        self,
        upstream: OxigraphServer | None,
        rule: Rule | None = None,
        *,
        reset_mid_upload: ResetRule | None = None,
    ) -> None:
        self.upstream = upstream
        self.rule: Rule = rule or (lambda seen: None)
        # Decided from the request line and headers: read 16 bytes of the body, then RST.
        self.reset_mid_upload: ResetRule = reset_mid_upload or (lambda seen: False)
        self.seen: list[Seen] = []
        self.release = threading.Event()
        self.auth: str | None = None  # required Authorization header, when set
        self.realm = "citynet-test"
        handler = type("Handler", (_ProxyHandler,), {"proxy": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def store(self) -> str:
        return f"{self.url}/store"

    def writes(self) -> list[Seen]:
        return [s for s in self.seen if s.is_write]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _ProxyHandler(BaseHTTPRequestHandler):
    proxy: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        pass

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the socket was reset on purpose
            super().finish()

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def _handle(self) -> None:
        proxy = self.proxy
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(self.command, path, query, self.headers.get("Content-Type", ""), b"")
        if proxy.reset_mid_upload(seen):
            self.rfile.read(min(length, 16))
            self._reset()
            proxy.seen.append(seen)
            return
        seen.body = self.rfile.read(length) if length else b""
        proxy.seen.append(seen)
        action = proxy.rule(seen)
        if proxy.auth is not None and self.headers.get("Authorization") != proxy.auth:
            challenge = (("WWW-Authenticate", f'Basic realm="{proxy.realm}"'),)
            action = Answer(401, b"authentication required", headers=challenge)
        if isinstance(action, Hang):
            proxy.release.wait(timeout=60)
            self.close_connection = True
            return
        if isinstance(action, Reset):
            self._reset()
            return
        if isinstance(action, Trickle):
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            while not proxy.release.wait(0.1):
                self.wfile.write(b" ")
                self.wfile.flush()
            self.close_connection = True
            return
        if isinstance(action, Answer):
            self._send(action.status, action.body, action.content_type, action.headers)
            return
        if isinstance(action, Before):
            action.action()
        if proxy.upstream is None:
            self._send(502, b"no upstream", "text/plain", ())
            return
        connection = HTTPConnection("127.0.0.1", proxy.upstream.port, timeout=60)
        headers = {
            key: value
            for key, value in self.headers.items()
            if key.lower() in ("content-type", "accept")
        }
        connection.request(self.command, self.path, body=seen.body or None, headers=headers)
        response = connection.getresponse()
        body = response.read()
        extra = tuple((k, v) for k, v in response.getheaders() if k.lower() == "location")
        self._send(response.status, body, response.getheader("Content-Type"), extra)
        connection.close()

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: tuple[tuple[str, str], ...],
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


# ------------------------------------------------------------------------ fixtures


@pytest.fixture
def proxy_factory() -> Iterator[Callable[..., FaultProxy]]:
    made: list[FaultProxy] = []

    def make(
        upstream: OxigraphServer | None,
        rule: Rule | None = None,
        *,
        reset_mid_upload: ResetRule | None = None,
    ) -> FaultProxy:
        proxy = FaultProxy(upstream, rule, reset_mid_upload=reset_mid_upload)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()


@pytest.fixture(autouse=True)
def _no_store_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ENV_USER, ENV_PASSWORD, ENV_AUTH, *DEPRECATED_NAMES[ENV_USER]):
        monkeypatch.delenv(name, raising=False)
    for name in DEPRECATED_NAMES[ENV_PASSWORD]:
        monkeypatch.delenv(name, raising=False)


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["publish", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def staging_graphs(server: OxigraphServer) -> list[str]:
    names = server.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    return [row["g"] for row in names if STAGING_MARK in row["g"] or ":guard:" in row["g"]]


def graph_lines(server: OxigraphServer, graph: str) -> set[str]:
    connection = HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        target = "/store?" + urllib.parse.urlencode({"graph": graph})
        connection.request("GET", target, headers={"Accept": "application/n-triples"})
        body = connection.getresponse().read()
    finally:
        connection.close()
    return {f"{quad.triple} .\n" for quad in parse(body, format=RdfFormat.N_TRIPLES)}


def published_v1(server: OxigraphServer) -> None:
    """Set-up: v1 in the store (the shapes check is tested on its own, so skipped here)."""
    report = publish(V1, server.store, force=True)
    assert [o.status for o in report.outcomes] == ["created", "created"]


# ------------------------------------------------------------------------ the main path


def test_publish_puts_each_page_graph_and_records_its_hash(oxigraph_server) -> None:
    report = publish(V1, oxigraph_server.store)
    assert [(o.target, o.status, o.triples) for o in report.outcomes] == [
        (LIEGE, "created", 14),
        (NANCY, "created", 12),
    ]
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}
    payloads = {p.target: p for p in load_payloads(V1)}
    rows = oxigraph_server.select(
        f"SELECT ?m ?g ?hash ?n WHERE {{ GRAPH <{META}> {{ ?m <{SD.name}> ?g ; "
        f"<{CN.contentHash}> ?hash ; <{VOID.triples}> ?n }} }} ORDER BY ?g"
    )
    assert rows == [
        {"m": meta_record_iri(g), "g": g, "hash": payloads[g].digest, "n": str(n)}
        for g, n in ((LIEGE, 14), (NANCY, 12))
    ]
    assert staging_graphs(oxigraph_server) == []
    assert report.summary() == (
        f"published 2 graphs to {oxigraph_server.store}: 2 created; 26 triples"
    )


def test_content_hash_is_sha256_of_sorted_nquads() -> None:
    (payload,) = [p for p in load_payloads(V1) if p.target == LIEGE]
    quads = sorted(f"{line[:-3]} <{LIEGE}> .\n" for line in payload.lines)
    assert payload.digest == "sha256:" + hashlib.sha256("".join(quads).encode()).hexdigest()
    assert payload.count == 14
    assert payload.body.decode().count("\n") == 14


def test_republishing_identical_data_sends_no_write(oxigraph_server, proxy_factory) -> None:
    published_v1(oxigraph_server)
    proxy = proxy_factory(oxigraph_server)
    code, output = run_cli(str(V1), "--store", proxy.store)
    assert code == 0
    assert output.splitlines()[-1] == f"unchanged: 2 graphs (26 triples) already in {proxy.store}"
    assert proxy.writes() == []
    # One look at the store (its kind, from the Server header), then reads only.
    assert {(s.method, s.path) for s in proxy.seen} == {("HEAD", "/store"), ("POST", "/query")}
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}


def test_replace_with_a_smaller_graph_drops_the_old_triples(oxigraph_server, proxy_factory) -> None:
    published_v1(oxigraph_server)
    proxy = proxy_factory(oxigraph_server)
    report = publish(V2, proxy.store)
    assert [(o.target, o.status, o.triples) for o in report.outcomes] == [
        (LIEGE, "replaced", 11),
        (NANCY, "unchanged", 12),
    ]
    assert oxigraph_server.graphs() == {LIEGE: 11, NANCY: 12, META: 10}
    assert graph_lines(oxigraph_server, LIEGE) == load_payloads(V2)[0].value_lines()
    population = f"<{CN.population}>"
    assert not any(population in line for line in graph_lines(oxigraph_server, LIEGE))
    # One PUT to a staging graph, one swap request holding the MOVE, nothing else written.
    writes = proxy.writes()
    assert [(s.method, s.path) for s in writes] == [("PUT", "/store"), ("POST", "/update")]
    assert writes[0].graph is not None and writes[0].graph.startswith(LIEGE + STAGING_MARK)
    swap = writes[1].update
    assert f"MOVE <{writes[0].graph}> TO <{LIEGE}>" in swap
    assert "SILENT" not in swap.replace("DROP SILENT GRAPH", "")
    assert staging_graphs(oxigraph_server) == []


def test_store_with_a_union_default_graph_behaves_the_same(tmp_path: Path) -> None:
    server = start_oxigraph(tmp_path, union_default_graph=True)
    try:
        assert [o.status for o in publish(V1, server.store, force=True).outcomes] == [
            "created",
            "created",
        ]
        assert [o.status for o in publish(V2, server.store, force=True).outcomes] == [
            "replaced",
            "unchanged",
        ]
        assert server.graphs() == {LIEGE: 11, NANCY: 12, META: 10}
    finally:
        server.stop()


def test_graph_option_publishes_the_union_into_one_graph(oxigraph_server) -> None:
    target = "https://example.org/graph/citynet"
    code, output = run_cli(str(V1), "--store", oxigraph_server.store, "--graph", target)
    assert code == 0, output
    assert oxigraph_server.graphs() == {target: 26, META: 5}
    assert f"created  <{target}>  26 triples" in output


def test_merge_adds_triples_and_is_unchanged_when_all_are_there(
    oxigraph_server, proxy_factory
) -> None:
    target = "https://example.org/graph/merged"
    first = publish(V2, oxigraph_server.store, graph=target, mode="merge")
    assert [o.status for o in first.outcomes] == ["merged"]
    assert oxigraph_server.count(target) == 23
    second = publish(V1, oxigraph_server.store, graph=target, mode="merge")
    assert [o.status for o in second.outcomes] == ["merged"]
    assert oxigraph_server.count(target) == 26  # the union: v2 is a subset of v1
    proxy = proxy_factory(oxigraph_server)
    code, output = run_cli(str(V2), "--store", proxy.store, "--graph", target, "--merge")
    assert (code, output.splitlines()[-1]) == (
        0,
        f"unchanged: 1 graph (23 triples) already in {proxy.store}",
    )
    assert proxy.writes() == []
    assert staging_graphs(oxigraph_server) == []


def test_json_output(oxigraph_server) -> None:
    code, output = run_cli(str(V1), "--store", oxigraph_server.store, "--format", "json")
    assert code == 0
    document = json.loads(output)
    assert document["changed"] is True
    assert document["graphs"] == [
        {"graph": LIEGE, "status": "created", "triples": 14},
        {"graph": NANCY, "status": "created", "triples": 12},
    ]


def test_literals_the_store_normalises_still_verify(oxigraph_server, tmp_path: Path) -> None:
    # Oxigraph keeps values: "0010"^^xsd:integer becomes "10", so these two triples are
    # one in the store. The staging check accepts that count, and re-publishing is a no-op.
    data = tmp_path / "numbers.trig"
    data.write_text(
        "<urn:example:g> { <urn:example:s> <urn:example:p> "
        '"10"^^<http://www.w3.org/2001/XMLSchema#integer> , '
        '"0010"^^<http://www.w3.org/2001/XMLSchema#integer> . }\n'
    )
    first = publish(data, oxigraph_server.store, force=True)
    assert [(o.status, o.triples) for o in first.outcomes] == [("created", 2)]
    assert oxigraph_server.count("urn:example:g") == 1
    again = publish(data, oxigraph_server.store, force=True)
    assert [o.status for o in again.outcomes] == ["unchanged"]


def test_blank_nodes_hash_canonically(oxigraph_server, tmp_path: Path) -> None:
    data = tmp_path / "bnodes.trig"
    data.write_text("<urn:example:g> { <urn:example:s> <urn:example:p> [ <urn:example:q> 1 ] . }\n")
    first = publish(data, oxigraph_server.store, force=True)
    assert [o.status for o in first.outcomes] == ["created"]
    assert oxigraph_server.count("urn:example:g") == 2
    # A fresh parse gives fresh blank node labels; the canonical hash does not change.
    again = publish(data, oxigraph_server.store, force=True)
    assert [o.status for o in again.outcomes] == ["unchanged"]


# ------------------------------------------------------------------------ refused input


def test_graph_breaking_the_shapes_is_refused_unless_forced(
    oxigraph_server, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.trig"
    broken.write_text(
        V1.read_text(encoding="utf-8").replace('rdfs:label "Nancy"@en ;', ""), encoding="utf-8"
    )
    code, output = run_cli(str(broken), "--store", oxigraph_server.store)
    assert code == 1
    assert output.startswith(f"error: {broken}: does not conform to the shapes: 1 violation")
    assert oxigraph_server.graphs() == {}
    code, output = run_cli(str(broken), "--store", oxigraph_server.store, "--force")
    assert code == 0, output
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 11, META: 10}


def test_default_graph_triples_need_a_target_graph(tmp_path: Path) -> None:
    data = tmp_path / "merged.ttl"
    data.write_text("<urn:example:s> <urn:example:p> <urn:example:o> .\n")
    with pytest.raises(InputError, match=r"1 triples are outside any named graph"):
        load_payloads(data)
    assert [p.target for p in load_payloads(data, into="urn:example:g")] == ["urn:example:g"]


def test_jsonld_goes_through_the_safe_loader(tmp_path: Path) -> None:
    data = tmp_path / "graph.jsonld"
    data.write_text(
        '{"@id": "urn:example:g", "@graph": [{"@id": "urn:example:s", "urn:example:p": "x"}]}'
    )
    (payload,) = load_payloads(data)
    assert (payload.target, payload.lines) == (
        "urn:example:g",
        ('<urn:example:s> <urn:example:p> "x" .\n',),
    )
    remote = tmp_path / "remote.jsonld"
    remote.write_text('{"@context": "https://example.org/context.jsonld", "@id": "urn:x"}')
    with pytest.raises(InputError, match="JSON-LD with a remote @context is refused"):
        load_payloads(remote)


def test_missing_graph_file_says_to_build_first(tmp_path: Path) -> None:
    missing = tmp_path / "build" / "citynet.trig"
    code, output = run_cli(str(missing), "--store", "http://127.0.0.1:9/store")
    assert (code, output) == (
        2,
        f"error: {missing}: no such file (run `citynet build` first)\n",
    )


def test_bad_input_is_a_usage_error_naming_the_line(tmp_path: Path) -> None:
    data = tmp_path / "bad.trig"
    data.write_text("<urn:example:g> {\n<urn:example:s> <urn:example:p> oops .\n}\n")
    code, output = run_cli(str(data), "--store", "http://127.0.0.1:9/store")
    assert code == 2
    assert output.startswith(f"error: {data}:2:33: not valid trig: oops is not a valid RDF object")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--graph", "not an iri", "--graph <not an iri> is not a valid absolute IRI"),
        ("--graph", "urn:citynet:publish-meta", "is citynet's publish metadata graph"),
        ("--store", "ftp://example.org/store", "--store: ftp://example.org/store is not an http"),
    ],
)
def test_bad_options_are_usage_errors(option: str, value: str, message: str) -> None:
    args = [str(V1), "--store", "http://127.0.0.1:9/store", option, value]
    code, output = run_cli(*args)
    assert code == 2
    assert message in output


def test_credentials_in_the_url_are_refused_and_not_echoed() -> None:
    code, output = run_cli(str(V1), "--store", f"https://alice:{PASSWORD}@example.org/store")
    assert code == 2
    assert "--store URL contains credentials, which citynet refuses" in output
    assert PASSWORD not in output


# ------------------------------------------------------------------------ F1: store down

_connects: list[object] = []
_recording = threading.local()


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "socket.connect" and getattr(_recording, "on", False):
        _connects.append(args[1])


sys.addaudithook(_audit)


def test_stopped_server_is_exit_3_with_bounded_retries(tmp_path: Path) -> None:
    server = start_oxigraph(tmp_path)
    server.stop()
    _connects.clear()
    _recording.on = True
    try:
        code, output = run_cli(str(V1), "--store", server.store, "--timeout", "5")
    finally:
        _recording.on = False
    assert code == 3
    # The first request is the look at the store (its kind).
    assert output.startswith(f"error: cannot reach http://127.0.0.1:{server.port}/store: ")
    assert f"({CONNECT_ATTEMPTS} attempts)" in output
    assert CONNECT_ATTEMPTS == 3
    assert _connects == [("127.0.0.1", server.port)] * 3


def test_unknown_host_is_exit_3() -> None:
    code, output = run_cli(str(V1), "--store", "http://citynet-dns-test.invalid:7878/store")
    assert code == 3
    assert output.startswith("error: cannot reach http://citynet-dns-test.invalid:7878/store: ")


# ------------------------------------------------------------------------ F2: slow store


def test_hanging_store_times_out_with_exit_3(proxy_factory) -> None:
    proxy = proxy_factory(None, lambda seen: Hang())
    code, output = run_cli(str(V1), "--store", proxy.store, "--timeout", "0.5")
    assert code == 3
    assert output.startswith(f"error: {proxy.url}/store did not answer a look at the store within")
    # With the kind given there is no look: the first read hangs the same way.
    code, output = run_cli(
        str(V1), "--store", proxy.store, "--timeout", "0.5", "--store-kind", "oxigraph"
    )
    assert code == 3
    assert output.startswith(f"error: {proxy.url}/query did not answer a triple count within 0.5 s")


def test_store_trickling_its_answer_times_out(proxy_factory) -> None:
    # Each byte comes well within the timeout; the whole answer never does.
    proxy = proxy_factory(None, lambda seen: Trickle())
    code, output = run_cli(str(V1), "--store", proxy.store, "--timeout", "0.5", "--force")
    assert code == 3
    assert output.splitlines()[-1].startswith(
        f"error: {proxy.url}/query did not answer a triple count within 0.5 s"
    )


def test_hang_at_the_swap_drops_staging_and_keeps_production(
    oxigraph_server, proxy_factory
) -> None:
    published_v1(oxigraph_server)
    proxy = proxy_factory(oxigraph_server, lambda seen: Hang() if "MOVE" in seen.update else None)
    with pytest.raises(
        EndpointError, match=r"did not answer the swap \(MOVE of 1 staging graphs\)"
    ):
        publish(V2, proxy.store, timeout=0.5)
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}
    assert staging_graphs(oxigraph_server) == []
    assert [s.update.split()[0] for s in proxy.writes()[1:]] == ["INSERT", "DROP"]


# ------------------------------------------------------------------------ F3: HTML answers

PORTAL = (
    b"<!DOCTYPE html><html><head><title>Hotel WiFi</title></head><body>"
    + b"<p>Please log in to continue.</p>" * 20
    + b"</body></html>"
)


def test_html_login_page_is_exit_3_with_its_start(proxy_factory) -> None:
    proxy = proxy_factory(None, lambda seen: Answer(200, PORTAL, "text/html; charset=utf-8"))
    code, output = run_cli(str(V1), "--store", proxy.store)
    assert code == 3
    snippet = PORTAL.decode()[:200]
    assert output == (
        f"error: {proxy.url}/query answered a triple count with 200: expected "
        f"application/sparql-results+json, got text/html: {snippet} (check --query-endpoint)\n"
    )


def test_502_proxy_page_on_upload_is_exit_3_and_production_is_kept(
    oxigraph_server, proxy_factory
) -> None:
    published_v1(oxigraph_server)
    page = b"<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
    proxy = proxy_factory(
        oxigraph_server,
        lambda seen: Answer(502, page, "text/html") if seen.method == "PUT" else None,
    )
    code, output = run_cli(str(V2), "--store", proxy.store)
    assert code == 3
    assert f"error: {proxy.url}/store answered PUT of <{LIEGE}{STAGING_MARK}" in output
    assert (
        "with an HTML page (502), not a store: "
        "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html> "
        "(check the URL; a proxy or login page is in the way)\n"
    ) in output
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}
    assert staging_graphs(oxigraph_server) == []


# ------------------------------------------------------------------------ F4: bad results


def test_truncated_results_are_exit_3(oxigraph_server, proxy_factory) -> None:
    truncated = b'{"head":{"vars":["g","n"]},"results":{"bindings":[{"g":{"type":"uri","val'
    proxy = proxy_factory(
        oxigraph_server,
        lambda seen: (
            Answer(200, truncated, "application/sparql-results+json")
            if seen.path == "/query"
            else None
        ),
    )
    code, output = run_cli(str(V1), "--store", proxy.store)
    assert code == 3
    assert "sent invalid or truncated SPARQL JSON results for a triple count" in output
    assert oxigraph_server.graphs() == {}


def test_redirected_write_is_refused(oxigraph_server, proxy_factory) -> None:
    published_v1(oxigraph_server)
    moved = (("Location", "http://elsewhere.example/store"),)
    proxy = proxy_factory(
        oxigraph_server,
        lambda seen: Answer(307, b"", headers=moved) if seen.method == "PUT" else None,
    )
    code, output = run_cli(str(V2), "--store", proxy.store)
    assert code == 3
    assert (
        "with a redirect (307) to http://elsewhere.example/store; citynet does not follow" in output
    )
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}
    assert [s.method for s in proxy.seen if s.method == "PUT"] == ["PUT"]


# ------------------------------------------------------------------------ F5: credentials


def test_refused_credentials_give_the_realm_and_hide_the_password(
    oxigraph_server, proxy_factory, monkeypatch
) -> None:
    proxy = proxy_factory(oxigraph_server)
    proxy.auth = "Basic nobody-has-this"
    monkeypatch.setenv(ENV_USER, "alice")
    monkeypatch.setenv(ENV_PASSWORD, PASSWORD)
    code, output = run_cli(str(V1), "--store", proxy.store)
    assert code == 3
    assert output == (
        f'error: {proxy.url}/query refused a triple count: 401 Unauthorized, realm "citynet-test" '
        f"(check {ENV_USER} and {ENV_PASSWORD})\n"
    )
    assert PASSWORD not in output


def test_right_credentials_publish(oxigraph_server, proxy_factory, monkeypatch) -> None:
    import base64

    proxy = proxy_factory(oxigraph_server)
    proxy.auth = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    monkeypatch.setenv(ENV_USER, "alice")
    monkeypatch.setenv(ENV_PASSWORD, PASSWORD)
    report = publish(V1, proxy.store)
    assert [o.status for o in report.outcomes] == ["created", "created"]
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}


def test_basic_auth_over_plain_http_to_another_host_is_refused(monkeypatch) -> None:
    monkeypatch.setenv(ENV_USER, "alice")
    monkeypatch.setenv(ENV_PASSWORD, PASSWORD)
    _connects.clear()
    _recording.on = True
    try:
        code, output = run_cli(str(V1), "--store", "http://store.example.org/store")
    finally:
        _recording.on = False
    assert code == 2
    assert output.startswith(
        "error: refusing to send credentials over plain http to store.example.org "
    )
    assert PASSWORD not in output
    assert _connects == []


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_tls_is_verified(oxigraph_server, proxy_factory, self_signed, monkeypatch) -> None:
    import ssl

    cert, key = self_signed
    proxy = proxy_factory(oxigraph_server)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    proxy.httpd.socket = context.wrap_socket(proxy.httpd.socket, server_side=True)
    store = f"https://127.0.0.1:{proxy.httpd.server_address[1]}/store"
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    code, output = run_cli(str(V1), "--store", store, "--store-kind", "generic")
    assert code == 3
    assert output.startswith(
        f"error: TLS check of https://127.0.0.1:{proxy.httpd.server_address[1]}/query failed"
    )
    assert "CERTIFICATE_VERIFY_FAILED" in output
    assert oxigraph_server.graphs() == {}
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now trusted: the same store works
    code, output = run_cli(str(V1), "--store", store)
    assert code == 0, output
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}


# ------------------------------------------------------------------------ F6: payload refused


@pytest.mark.parametrize(
    ("status", "text"),
    [(415, b"No supported content Content-Type given"), (400, b"Parser error at line 3")],
)
def test_rejected_upload_is_exit_4_and_production_is_kept(
    oxigraph_server, proxy_factory, status: int, text: bytes
) -> None:
    published_v1(oxigraph_server)
    proxy = proxy_factory(
        oxigraph_server, lambda seen: Answer(status, text) if seen.method == "PUT" else None
    )
    code, output = run_cli(str(V2), "--store", proxy.store)
    assert code == 4
    assert f"rejected PUT of <{LIEGE}{STAGING_MARK}" in output
    assert f": {status} " in output and text.decode() in output
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}
    assert staging_graphs(oxigraph_server) == []
    assert proxy.writes()[-1].update.startswith("DROP SILENT GRAPH <")


def test_connection_reset_mid_upload_is_exit_4(oxigraph_server, proxy_factory) -> None:
    published_v1(oxigraph_server)
    proxy = proxy_factory(oxigraph_server, reset_mid_upload=lambda seen: seen.method == "PUT")
    code, output = run_cli(str(V2), "--store", proxy.store)
    assert code == 4
    assert (
        f"the connection to {proxy.url}/store broke during PUT of <{LIEGE}{STAGING_MARK}" in output
    )
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}
    assert staging_graphs(oxigraph_server) == []


# ------------------------------------------------------------------------ F7: bad staging


def test_staging_count_mismatch_aborts_before_the_swap(oxigraph_server, proxy_factory) -> None:
    published_v1(oxigraph_server)

    def half_upload(seen: Seen) -> Before | None:
        if seen.method == "PUT" and seen.body:
            seen.body = seen.body.split(b"\n", 1)[0] + b"\n"  # the store gets one triple
        return None

    proxy = proxy_factory(oxigraph_server, half_upload)
    with pytest.raises(
        PublishAborted, match=r"holds 1 triples after the upload of <.*liege>, expected 11"
    ):
        publish(V2, proxy.store)
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}
    assert staging_graphs(oxigraph_server) == []
    assert not any("MOVE" in s.update for s in proxy.seen)


@pytest.mark.parametrize("change", ["DROP GRAPH", "CLEAR GRAPH"])
def test_staging_changed_at_swap_time_fails_the_whole_swap(
    oxigraph_server, proxy_factory, change: str
) -> None:
    published_v1(oxigraph_server)
    staging: list[str] = []

    def meddle(seen: Seen) -> Before | None:
        if seen.method == "PUT" and seen.graph:
            staging.append(seen.graph)
        if "MOVE" in seen.update:
            return Before(lambda: oxigraph_server.update(f"{change} <{staging[0]}>"))
        return None

    proxy = proxy_factory(oxigraph_server, meddle)
    code, output = run_cli(str(V2), "--store", proxy.store)
    assert code == 4
    assert (
        f"(staging graph <{staging[0]}> changed before the swap: holds 0 triples, verified 11)"
        in output
    )
    assert "no graph was swapped; production graphs are unchanged" in output
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}
    assert staging_graphs(oxigraph_server) == []


def test_swap_of_several_graphs_is_all_or_nothing(oxigraph_server, proxy_factory, tmp_path) -> None:
    published_v1(oxigraph_server)
    v3 = tmp_path / "v3.trig"  # both graphs change
    v3.write_text(
        V2.read_text(encoding="utf-8").replace('"Nancy"@en', '"Nancy (Meurthe-et-Moselle)"@en'),
        encoding="utf-8",
    )
    staging: list[str] = []

    def meddle(seen: Seen) -> Before | None:
        if seen.method == "PUT" and seen.graph:
            staging.append(seen.graph)
        if "MOVE" in seen.update:  # only the second staging graph goes missing
            return Before(lambda: oxigraph_server.update(f"DROP GRAPH <{staging[1]}>"))
        return None

    proxy = proxy_factory(oxigraph_server, meddle)
    with pytest.raises(PublishAborted):
        publish(v3, proxy.store)
    assert graph_lines(oxigraph_server, LIEGE) == load_payloads(V1)[0].value_lines()
    assert oxigraph_server.graphs() == {LIEGE: 14, NANCY: 12, META: 10}
    assert staging_graphs(oxigraph_server) == []


# ------------------------------------------------------------------------ F8: two at once


def test_two_publishes_at_once_end_consistent(oxigraph_server) -> None:
    versions = {
        V1: {p.target: p.value_lines() for p in load_payloads(V1)},
        V2: {p.target: p.value_lines() for p in load_payloads(V2)},
    }
    digests = {p.digest for v in (V1, V2) for p in load_payloads(v)}

    def run(path: Path, barrier: threading.Barrier, statuses: list, errors: list) -> None:
        barrier.wait()
        try:
            report = publish(path, oxigraph_server.store, force=True)
            statuses.extend(o.status for o in report.outcomes)
        except BaseException as error:  # collected for the assert below
            errors.append(error)

    for _ in range(5):
        barrier = threading.Barrier(2)
        statuses: list[str] = []
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=run, args=(v, barrier, statuses, errors)) for v in (V1, V2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert set(statuses) <= {"created", "replaced", "unchanged", "superseded"}
        liege = graph_lines(oxigraph_server, LIEGE)
        assert liege in (versions[V1][LIEGE], versions[V2][LIEGE])  # one whole version
        assert graph_lines(oxigraph_server, NANCY) == versions[V1][NANCY]
        assert staging_graphs(oxigraph_server) == []
        # The metadata describes what is in place, so the next publish knows.
        rows = oxigraph_server.select(
            f"SELECT ?hash WHERE {{ GRAPH <{META}> {{ <{meta_record_iri(LIEGE)}> "
            f"<{CN.contentHash}> ?hash }} }}"
        )
        in_place = V1 if liege == versions[V1][LIEGE] else V2
        (expected,) = [p.digest for p in load_payloads(in_place) if p.target == LIEGE]
        assert [row["hash"] for row in rows] == [expected]
        assert expected in digests


# ------------------------------------------------------------------------ queries over the store

SAMPLE = Path(__file__).parent / "fixtures" / "queries" / "sample.trig"


@pytest.fixture(scope="module")
def bundled_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from citynet.graph.build import build

    out = tmp_path_factory.mktemp("bundled")
    build([Path(__file__).resolve().parents[1] / "data" / "pages"], out=out)
    return out / "citynet.trig"


@pytest.mark.parametrize("source", ["sample", "bundled"])
def test_named_queries_give_the_same_rows_after_publish(
    request: pytest.FixtureRequest, oxigraph_server, source: str
) -> None:
    from citynet.sparql.backends import EndpointBackend, OxigraphBackend, endpoint_config
    from citynet.sparql.queries import find_query, run_query

    graph_file = SAMPLE if source == "sample" else request.getfixturevalue("bundled_build")
    report = publish(graph_file, oxigraph_server.store, force=True)
    assert {o.status for o in report.outcomes} == {"created"}
    local = OxigraphBackend([graph_file])
    remote = EndpointBackend(endpoint_config(oxigraph_server.query, timeout=30))
    for name, params in QUERY_RUNS:
        query = find_query(name)
        here = run_query(query, params, backend=local).comparable()
        there = run_query(query, params, backend=remote).comparable()
        assert here, (name, params)
        assert here == there, (name, params)
