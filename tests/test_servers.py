"""Content negotiation served for real: Apache 2.4, nginx (with njs) and `citynet serve`.

Each server is started on 127.0.0.1 and a free port with a configuration written in a
temporary folder from the blocks docs/site.md gives a publisher (the `apache` and `nginx`
code blocks, with /srv/citynet replaced by the site folder and the port by a free one),
and stopped after. One table of requests (path x Accept) and one table of expected
answers hold for all three. `make test` installs Debian's apache2, nginx and
libnginx-mod-http-js when missing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from citynet.web.conneg import negotiate
from citynet.web.generate import build_site
from citynet.web.serve import serve

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "site" / "sample.trig"
DOCS = ROOT / "docs" / "site.md"
HOST = "127.0.0.1"
APACHE = "/usr/sbin/apache2"
APACHE_MODULES = Path("/usr/lib/apache2/modules")
NGINX = "/usr/sbin/nginx"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))

OWL_API = (
    "application/rdf+xml, application/xml; q=0.7, text/xml; q=0.6, text/plain; q=0.1, */*; q=0.09"
)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"

#: (Accept header, the media type a resource with every representation answers; None: 406)
ACCEPTS: list[tuple[str | None, str | None]] = [
    (None, "text/html"),
    ("*/*", "text/html"),
    (BROWSER, "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-triples", "application/n-triples"),
    ("text/turtle;q=0.1, text/html", "text/html"),
    ("text/html;q=0.1, text/turtle", "text/turtle"),
    ("text/turtle;q=0.9, application/ld+json", "application/ld+json"),
    ("application/ld+json, text/turtle", "text/turtle"),
    ("text/turtle, */*", "text/turtle"),
    ("text/*", "text/html"),
    ("text/*;q=0.5, text/html;q=0", "text/turtle"),
    ("TEXT/Turtle", "text/turtle"),
    (OWL_API, "application/rdf+xml"),
    ("image/png", None),
    ("text/html;q=0", None),
]

#: Paths of negotiated resources; the second item says whether HTML is among them.
RESOURCES = [
    ("/city/be/liege", True),
    ("/ontology", True),  # also a folder (ontology/0.1.0.*): the file must still win
    ("/ontology/0.1.0", True),
    ("/void", False),
    ("/.well-known/void", False),
    ("/network/efus", True),
]

#: Paths that no server may answer with content.
HIDDEN = [
    "/.htaccess",
    "/.citynet-site",
    "/.server/nginx-server.conf",
    "/.server/nginx-http.conf",
    "/.server/citynet.js",
    "/city/be/.liege.var",
    "/.well-known/.void.var",
    "/no/such/thing",
    "/city/be/atlantis",
]


def expected(accept: str | None, html: bool) -> str | None:
    """The table's answer for a resource without HTML: what the resource has, by q."""
    if html:
        return dict(ACCEPTS)[accept]
    suffix = negotiate(accept, (".ttl", ".jsonld", ".rdf", ".nt"))
    types = {
        ".ttl": "text/turtle",
        ".jsonld": "application/ld+json",
        ".rdf": "application/rdf+xml",
        ".nt": "application/n-triples",
    }
    return types[suffix] if suffix else None


def fetch(url: str, accept: str | None) -> tuple[int, dict[str, str], bytes]:
    headers = {} if accept is None else {"Accept": accept}
    request = urllib.request.Request(url, headers=headers)
    try:
        with DIRECT.open(request, timeout=10) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes] | None, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        try:
            with socket.create_connection((HOST, port), 0.5):
                return
        except OSError:
            time.sleep(0.1)
    text = log.read_text(errors="replace") if log.exists() else ""
    raise AssertionError(f"server did not start on {port}: {text[-2000:]}")


def running(command: list[str], port: int, work: Path) -> Iterator[str]:
    """Run a server in the foreground until the fixture ends; its URL meanwhile."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for(port, process, work / "error.log")
        yield f"http://{HOST}:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


def docs_block(language: str) -> str:
    """The one fenced block of ``language`` in docs/site.md: what a publisher copies."""
    blocks = re.findall(rf"```{language}\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    assert len(blocks) == 1, f"docs/site.md must hold exactly one {language} block"
    return blocks[0]


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    """The sample site in a folder a server's unprivileged workers can read."""
    top = Path(tempfile.mkdtemp(prefix="citynet-servers-"))
    os.chmod(top, 0o755)
    out = top / "site"
    build_site([SAMPLE], out)
    yield out
    shutil.rmtree(top, ignore_errors=True)


def _user_lines(apache: bool) -> list[str]:
    """Root must hand requests to an unprivileged user (both servers refuse root)."""
    if os.geteuid() != 0:
        return []
    return ["User nobody", "Group nogroup"] if apache else ["user nobody nogroup;"]


@pytest.fixture(scope="module")
def apache(site: Path) -> Iterator[str]:
    if not Path(APACHE).exists():
        pytest.fail("apache2 is not installed: run `make test` (it installs it)")
    work = Path(tempfile.mkdtemp(prefix="citynet-apache-"))
    port = free_port()
    modules = ["mpm_event", "authz_core", "mime", "dir", "rewrite", "headers", "negotiation"]
    conf = [
        f"ServerRoot {work}",
        *(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so" for m in modules),
        *_user_lines(apache=True),
        f"Listen {HOST}:{port}",
        f"ServerName {HOST}",
        f"PidFile {work}/httpd.pid",
        f"DefaultRuntimeDir {work}",
        f"ErrorLog {work}/error.log",
        "TypesConfig /dev/null",
        f"DocumentRoot {site}",
        docs_block("apache").replace("/srv/citynet", str(site)),
    ]
    (work / "httpd.conf").write_text("\n".join(conf) + "\n")
    yield from running([APACHE, "-f", str(work / "httpd.conf"), "-DFOREGROUND"], port, work)


@pytest.fixture(scope="module")
def nginx(site: Path) -> Iterator[str]:
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run `make test` (it installs it)")
    work = Path(tempfile.mkdtemp(prefix="citynet-nginx-"))
    port = free_port()
    block = docs_block("nginx").replace("/srv/citynet", str(site))
    block = block.replace("listen 80;", f"listen {HOST}:{port};")
    # Scaffolding only the test needs: its own pid, logs and temporary folders.
    temp = "".join(
        f"    {name}_temp_path {work}/{name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    block = block.replace("http {\n", f"http {{\n    access_log {work}/access.log;\n{temp}", 1)
    conf = [
        block,  # first: load_module must come before the directives of the module
        "daemon off;",
        *_user_lines(apache=False),
        f"pid {work}/nginx.pid;",
        f"error_log {work}/error.log;",
        "events { worker_connections 64; }",
    ]
    (work / "nginx.conf").write_text("\n".join(conf) + "\n")
    yield from running(
        [NGINX, "-c", str(work / "nginx.conf"), "-e", str(work / "error.log")], port, work
    )


@pytest.fixture(scope="module")
def preview() -> Iterator[tuple[str, Path]]:
    with serve([SAMPLE], port=0) as server:
        yield server.url.rstrip("/"), server.site_dir


@pytest.fixture(scope="module", params=["apache", "nginx", "serve"])
def served(request: pytest.FixtureRequest, site: Path) -> tuple[str, Path]:
    """(URL, the site folder it serves): the preview builds its own (its VoID names /sparql)."""
    if request.param == "serve":
        return request.getfixturevalue("preview")  # type: ignore[no-any-return]
    return str(request.getfixturevalue(request.param)), site


@pytest.fixture
def server(served: tuple[str, Path]) -> str:
    return served[0]


def media(headers: dict[str, str]) -> str:
    return headers.get("content-type", "").partition(";")[0].strip()


@pytest.mark.parametrize(("path", "html"), RESOURCES)
def test_every_accept_header_gets_the_same_answer(server: str, path: str, html: bool) -> None:
    failures = []
    for accept, _ in ACCEPTS:
        status, headers, body = fetch(server + path, accept)
        want = expected(accept, html)
        got = (status, media(headers) if status == 200 else None)
        if got != ((200, want) if want else (406, None)):
            failures.append(f"Accept {accept!r}: got {got}, want {want or 406}")
            continue
        if "accept" not in headers.get("vary", "").lower():
            failures.append(f"Accept {accept!r}: no Vary: Accept ({headers.get('vary')})")
        if status == 200 and headers.get("access-control-allow-origin") != "*":
            failures.append(f"Accept {accept!r}: no CORS header")
    assert failures == []


def test_each_answer_is_the_matching_file(served: tuple[str, Path]) -> None:
    server, site = served
    for path, suffix, accept in [
        ("/city/be/liege", ".ttl", "text/turtle"),
        ("/city/be/liege", ".rdf", OWL_API),
        ("/ontology/0.1.0", ".nt", "application/n-triples"),
        ("/.well-known/void", ".jsonld", "application/ld+json"),
        ("/network/efus", ".html", None),
    ]:
        status, _, body = fetch(server + path, accept)
        assert status == 200
        assert body == (site / (path.lstrip("/") + suffix)).read_bytes(), path


def test_files_by_their_own_name(served: tuple[str, Path]) -> None:
    server, site = served
    for name, kind in [
        ("city/be/liege.ttl", "text/turtle"),
        ("city/be/liege.rdf", "application/rdf+xml"),
        ("void.ttl", "text/turtle"),
        ("citynet.nq", "application/n-quads"),
        ("style.css", "text/css"),
    ]:
        status, headers, body = fetch(f"{server}/{name}", "text/html")
        assert (status, media(headers)) == (200, kind), name
        assert body == (site / name).read_bytes()
    status, headers, body = fetch(server + "/", None)
    assert (status, media(headers)) == (200, "text/html")
    assert body == (site / "index.html").read_bytes()


@pytest.mark.parametrize("path", HIDDEN)
def test_hidden_and_missing_paths_are_404(server: str, path: str) -> None:
    status, _, body = fetch(server + path, None)
    assert status == 404, path
    assert b"js_import" not in body and b"RewriteRule" not in body
