"""`citynet fetch` against a replay of the network's site on a real local web server.

The replay (tests/fetch_replay.py) is served by Debian's nginx; what nginx cannot do (429
with Retry-After, a 503 that succeeds on retry, a slow answer, a failing robots.txt) is
served by a small scripted http.server here. The rules on hand-written inputs are in
tests/test_fetch_rules.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fetch_replay import (
    CRAWL_DELAY,
    HOST,
    ROOT,
    SITEMAP_FILES,
    Replay,
    Request,
    free_port,
    profile_requests,
    run_fetch,
    start_replay,
)

from citynet.fetch.content import main_content
from citynet.fetch.crawl import FetchOptions, Hooks, fetch_pages
from citynet.fetch.log import LOG_NAME, load_log, provenance_for
from citynet.settings import __version__


@pytest.fixture
def replay(tmp_path: Path) -> Iterator[Replay]:
    server = start_replay(tmp_path)
    try:
        yield server
    finally:
        server.stop()


# -- against the replay ---------------------------------------------------------------
SITEMAP_REQUESTS = [
    "/robots.txt",
    "/sitemap_index.xml",
    "/page-sitemap.xml",
    "/member-sitemap.xml.gz",
]
SITEMAP_PROFILES = [
    "/about-us/brussels/",
    "/about-us/essen/",
    "/about-us/gdansk/",
    "/a-propos-de-lefus/generalitat-de-catalunya/?lang=fr",
    "/en/our-network/public/1280/",
    "/about-us/gone-city/",
    "/about-us/closed-city/",
]


def assert_polite(requests: list[Request], delay: float = CRAWL_DELAY) -> None:
    """robots.txt first, then requests at least ``delay`` apart (nginx logs milliseconds)."""
    assert requests[0].uri == "/robots.txt"
    gaps = [b.at - a.at for a, b in zip(requests, requests[1:], strict=False)]
    assert min(gaps) >= delay - 0.002, gaps


def test_fetch_from_a_sitemap_index(replay: Replay, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    code, stdout, stderr = run_fetch(
        f"{replay.base}/sitemap_index.xml", "--out", str(out), "--delay", "0",
        "--contact", "mailto:ops@example.org",
    )  # fmt: skip
    assert code == 0, stderr
    assert stdout.splitlines() == [
        f"8 pages: 5 new, 2 gone, 1 disallowed -> {out}",
        f"  gone: {replay.base}/about-us/gone-city/",
        f"  gone: {replay.base}/about-us/closed-city/",
        f"  disallowed: {replay.base}/about-us/private-member/",
    ]
    requests = replay.requests()
    # The disallowed profile (listed by the sitemap) and the other site's are never asked.
    assert [r.uri for r in requests] == SITEMAP_REQUESTS + SITEMAP_PROFILES
    assert_polite(requests)
    assert {r.user_agent for r in requests} == {f"citynet/{__version__} (+mailto:ops@example.org)"}
    assert {r.host for r in requests} == {f"{HOST}:{replay.port}"}
    assert sorted(p.name for p in out.iterdir()) == sorted(SITEMAP_FILES | {LOG_NAME})
    served = replay.site / "about-us" / "essen" / "index.html"
    assert (out / "essen.html").read_bytes() == served.read_bytes()  # as served
    log = load_log(out)
    essen = log.entries[f"{replay.base}/about-us/essen/"]
    assert (essen.status, essen.outcome, essen.file) == (200, "new", "essen.html")
    assert essen.sha256 == hashlib.sha256(served.read_bytes()).hexdigest()
    assert essen.etag and essen.last_modified and essen.fetched_at == essen.checked_at
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", essen.fetched_at or "")
    assert provenance_for(out / "essen.html") == (essen.url, essen.fetched_at)
    # The reader's content hash is the log's: the build can pass it instead of rereading.
    from citynet.read.pages import read_page

    record = read_page(out / "essen.html")
    assert provenance_for(out / "essen.html", sha256=record.content_sha256) == (
        essen.url,
        essen.fetched_at,
    )
    gone = log.entries[f"{replay.base}/about-us/closed-city/"]
    assert (gone.status, gone.outcome, gone.file) == (410, "gone", None)
    assert not (out / "closed-city.html").exists()
    private = log.entries[f"{replay.base}/about-us/private-member/"]
    assert (private.status, private.outcome) == (None, "disallowed")
    assert log.run is not None and log.run.finished is not None


def test_a_second_run_gets_only_304s_and_rewrites_nothing(replay: Replay, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    start = f"{replay.base}/sitemap_index.xml"
    assert run_fetch(start, "--out", str(out), "--delay", "0")[0] == 0
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*.html")}
    first = load_log(out)
    mark = replay.mark()
    code, stdout, _ = run_fetch(start, "--out", str(out), "--delay", "0")
    assert code == 0
    assert stdout.splitlines()[0] == f"8 pages: 5 unchanged, 2 gone, 1 disallowed -> {out}"
    pages = [r for r in profile_requests(replay.requests(mark)) if "gone" not in r.uri]
    pages = [r for r in pages if "closed" not in r.uri]
    assert len(pages) == 5 and {r.status for r in pages} == {304}
    for request in pages:
        entry = first.entries[replay.base + request.uri]
        assert (request.if_none_match, request.if_modified_since) == (
            entry.etag,
            entry.last_modified,
        )
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*.html")}
    assert after == before
    second = load_log(out)
    for url, entry in second.entries.items():
        assert entry.fetched_at == first.entries[url].fetched_at  # the bytes' date stays

    # A page that changed on the site is fetched and rewritten, and only it.
    served = replay.site / "about-us" / "essen" / "index.html"
    served.write_text(served.read_text() + "<!-- edited -->\n")
    code, stdout, _ = run_fetch(start, "--out", str(out), "--delay", "0")
    assert stdout.splitlines()[0] == (
        f"8 pages: 1 changed, 4 unchanged, 2 gone, 1 disallowed -> {out}"
    )
    assert (out / "essen.html").read_bytes() == served.read_bytes()
    assert (out / "gdansk.html").stat().st_mtime_ns == before["gdansk.html"][1]


def test_an_interrupted_run_resumes_where_it_stopped(replay: Replay, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    start = f"{replay.base}/sitemap_index.xml"
    done: list[str] = []

    def stop_after_two(url: str, _outcome: str) -> None:
        done.append(url)
        if len(done) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_pages([start], FetchOptions(out, delay=0), Hooks(page=stop_after_two))
    assert sorted(p.name for p in out.glob("*.html")) == ["brussels.html", "essen.html"]
    mark = replay.mark()
    code, stdout, _ = run_fetch(start, "--out", str(out), "--delay", "0")
    assert code == 0
    assert stdout.splitlines()[0] == (
        f"8 pages: 3 new, 2 gone, 1 disallowed, 2 done before the interruption -> {out}"
    )
    asked = [r.uri for r in profile_requests(replay.requests(mark))]
    assert asked == SITEMAP_PROFILES[2:]
    assert load_log(out).run.finished is not None  # type: ignore[union-attr]
    # The run is over: the next one is a new run, asking again (conditionally) for all.
    mark = replay.mark()
    run_fetch(start, "--out", str(out), "--delay", "0")
    assert [r.uri for r in profile_requests(replay.requests(mark))] == SITEMAP_PROFILES


def test_a_listing_page_is_followed_one_level(replay: Replay, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    code, stdout, stderr = run_fetch(
        f"{replay.base}/en/our-network/", "--out", str(out), "--delay", "0.3"
    )
    assert code == 0, stderr
    assert stdout.splitlines() == [
        f"6 pages: 4 new, 1 duplicate, 1 offsite -> {out}",
        f"  offsite: {replay.base}/about-us/elsewhere/",
    ]
    requests = replay.requests()
    # Links of the page's menus, sidebar and related posts (/about-us/madrid/) are not
    # followed; the old address redirects within the site, and the current address the
    # list also gives is then not asked again; the other host is not asked.
    assert [(r.uri, r.status) for r in requests] == [
        ("/robots.txt", 200),
        ("/en/our-network/", 200),
        ("/about-us/liege/", 200),
        ("/about-us/bruxelles/", 301),
        ("/about-us/brussels/", 200),
        ("/about-us/essen/", 200),
        ("/about-us/elsewhere/", 302),
        ("/en/our-network/public/1280/", 200),
    ]
    assert_polite(requests, delay=0.3)
    assert sorted(p.name for p in out.glob("*.html")) == [
        "1280.html",
        "brussels.html",
        "essen.html",
        "liege.html",
    ]
    brussels = load_log(out).entries[f"{replay.base}/about-us/bruxelles/"]
    assert brussels.final_url == f"{replay.base}/about-us/brussels/"
    assert provenance_for(out / "brussels.html") == (brussels.final_url, brussels.fetched_at)
    twin = load_log(out).entries[f"{replay.base}/about-us/brussels/"]
    assert (twin.outcome, twin.file, twin.status) == ("duplicate", None, None)
    assert twin.message == f"same page as {brussels.url} (brussels.html)"
    # A second run: the old address answers 304 through its redirect; no duplicate file.
    mark = replay.mark()
    code, stdout, _ = run_fetch(f"{replay.base}/en/our-network/", "--out", str(out), "--delay", "0")  # noqa: E501
    assert stdout.splitlines()[0] == f"6 pages: 4 unchanged, 1 duplicate, 1 offsite -> {out}"
    assert ("/about-us/brussels/", 304) in [(r.uri, r.status) for r in replay.requests(mark)]
    assert len(list(out.glob("*.html"))) == 4


def test_a_profile_start_url_and_an_oversize_page(replay: Replay, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    essen = f"{replay.base}/about-us/essen/"
    big = f"{replay.base}/about-us/big-city/"
    code, stdout, stderr = run_fetch(
        essen, big, "--out", str(out), "--delay", "0", "--max-page-bytes", "100000"
    )
    assert code == 0, stderr
    assert stdout.splitlines()[0] == f"2 pages: 1 new, 1 refused -> {out}"
    assert stderr == f"warning: {big}: larger than the page limit of 100000 bytes\n"
    assert sorted(p.name for p in out.glob("*.html")) == ["essen.html"]
    assert [r.uri for r in replay.requests()] == [
        "/robots.txt",
        "/about-us/essen/",
        "/about-us/big-city/",
    ]  # noqa: E501


def test_a_redirect_into_a_disallowed_path_is_not_followed(replay: Replay, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    code, stdout, _ = run_fetch(
        f"{replay.base}/about-us/old-private/", "--out", str(out), "--delay", "0"
    )  # noqa: E501
    assert code == 0
    assert stdout.splitlines() == [
        f"1 page: 1 disallowed -> {out}",
        f"  disallowed: {replay.base}/about-us/old-private/",
    ]
    assert [r.uri for r in replay.requests()] == ["/robots.txt", "/about-us/old-private/"]
    entry = load_log(out).entries[f"{replay.base}/about-us/old-private/"]
    assert entry.message == (
        f"redirects to {replay.base}/about-us/private-member/, disallowed by robots.txt"
    )
    assert not list(out.glob("*.html"))


def test_max_pages_and_match(replay: Replay, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    start = f"{replay.base}/sitemap_index.xml"
    code, stdout, _ = run_fetch(
        start, "--out", str(out), "--delay", "0", "--match", r"/public/\d+/$", "--max-pages", "3"
    )
    assert code == 0
    assert stdout.splitlines()[0] == f"1 page: 1 new -> {out}"
    assert [p.name for p in out.glob("*.html")] == ["1280.html"]
    code, stdout, _ = run_fetch(
        start, "--out", str(tmp_path / "two"), "--max-pages", "2", "--delay", "0"
    )  # noqa: E501
    assert stdout.splitlines()[0] == f"2 pages: 2 new -> {tmp_path / 'two'}"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/no-such-sitemap.xml", "/no-such-sitemap.xml: HTTP 404 (check the URL)"),
        ("/about-us/private-member/", "does not allow citynet to fetch it"),
    ],
)
def test_a_start_url_that_fails_is_a_one_line_error(
    replay: Replay, tmp_path: Path, path: str, message: str
) -> None:
    code, stdout, stderr = run_fetch(
        f"{replay.base}{path}", "--out", str(tmp_path / "p"), "--delay", "0"
    )  # noqa: E501
    assert code == (3 if "404" in message else 2)
    assert stderr.startswith("error: ") and stderr.count("\n") == 1 and message in stderr
    assert stdout == ""


def test_a_folder_that_cannot_be_written_is_a_one_line_error(
    replay: Replay, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, stdout, stderr = run_fetch(
        f"{replay.base}/about-us/essen/", "--out", str(blocker / "pages"), "--delay", "0"
    )
    assert code == 2 and stdout == ""
    assert stderr == f"error: {blocker / 'pages'}: cannot write: Not a directory\n"


def test_network_failure_for_the_start_url_exits_3(tmp_path: Path) -> None:
    url = f"http://{HOST}:{free_port()}/sitemap.xml"  # nothing listens there
    code, stdout, stderr = run_fetch(url, "--out", str(tmp_path / "p"), "--delay", "0")
    assert code == 3
    assert stderr.startswith(f"error: {url}: cannot read the site's robots.txt: ConnectError")
    assert stderr.count("\n") == 1 and "after 3 tries" in stderr


# -- behaviours nginx does not have: a scripted http.server -----------------------------
@dataclass
class Scripted:
    server: ThreadingHTTPServer
    seen: list[tuple[float, str]]

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.server.server_port}"


PROFILE_HTML = b"<html><body><h1 class='entry-title'>Graz</h1><p>Population: 1</p></body></html>"


@pytest.fixture
def scripted() -> Iterator[tuple[Scripted, dict[str, list[tuple[int, dict[str, str], bytes]]]]]:
    """A server answering each path with its script of answers, in turn (the last repeats)."""
    script: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
    seen: list[tuple[float, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append((time.monotonic(), self.path))
            answers = script.get(self.path, [(404, {}, b"not found")])
            status, headers, body = answers.pop(0) if len(answers) > 1 else answers[0]
            if headers.get("X-Sleep"):
                time.sleep(float(headers["X-Sleep"]))
            self.send_response(status)
            for name, value in {"Content-Type": "text/html", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, *_args: object) -> None:
            pass  # a client that timed out and hung up is what the slow test wants

    server = Server((HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Scripted(server, seen), script
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_503_and_429_are_retried_after_retry_after(scripted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, script = scripted
    script["/about-us/graz/"] = [(503, {"Retry-After": "1"}, b"busy"), (200, {}, PROFILE_HTML)]
    script["/about-us/linz/"] = [
        (429, {"Retry-After": "1"}, b"slow down"),
        (429, {}, b"slow down"),
        (200, {}, PROFILE_HTML),
    ]
    out = tmp_path / "pages"
    code, stdout, stderr = run_fetch(
        f"{server.base}/about-us/graz/", f"{server.base}/about-us/linz/",
        "--out", str(out), "--delay", "0",
    )  # fmt: skip
    assert code == 0, stderr
    assert stdout.splitlines()[0] == f"2 pages: 2 new -> {out}"
    assert [path for _, path in server.seen] == [
        "/robots.txt",  # 404: everything allowed
        "/about-us/graz/",
        "/about-us/graz/",
        "/about-us/linz/",
        "/about-us/linz/",
        "/about-us/linz/",
    ]
    at = [t for t, _ in server.seen]
    assert at[2] - at[1] >= 1.0  # Retry-After: 1
    assert at[4] - at[3] >= 1.0
    assert at[5] - at[4] >= 1.0  # no Retry-After: backoff (2 x 0.5 s at --delay 0)
    assert (out / "graz.html").read_bytes() == PROFILE_HTML


def test_a_page_that_keeps_failing_is_listed_and_the_run_resumes_it(
    scripted, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    server, script = scripted
    script["/about-us/graz/"] = [(500, {}, b"oops")]
    script["/about-us/linz/"] = [(200, {}, PROFILE_HTML)]
    script["/robots.txt"] = [(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")]
    out = tmp_path / "pages"
    args = [
        f"{server.base}/about-us/graz/",
        f"{server.base}/about-us/linz/",
        "--out",
        str(out),
        "--delay",
        "0",
    ]  # noqa: E501
    code, stdout, stderr = run_fetch(*args)
    assert code == 3
    assert stdout.splitlines() == [
        f"2 pages: 1 new, 1 failed -> {out}",
        f"  failed: {server.base}/about-us/graz/",
    ]
    assert stderr.splitlines() == [
        "warning: " + f"{server.base}/about-us/graz/: HTTP 500",
        f"error: 1 page failed (see {out}/fetch-log.json); run the same command again to resume",
    ]
    assert [p for _, p in server.seen].count("/about-us/graz/") == 3
    script["/about-us/graz/"] = [(200, {}, PROFILE_HTML)]
    server.seen.clear()
    code, stdout, _ = run_fetch(*args)
    assert code == 0
    assert stdout.splitlines()[0] == f"2 pages: 1 new, 1 done before the interruption -> {out}"
    assert [p for _, p in server.seen] == ["/robots.txt", "/about-us/graz/"]


def test_a_robots_txt_that_fails_keeps_us_away(scripted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    server, script = scripted
    script["/robots.txt"] = [(503, {"Retry-After": "0"}, b"down for maintenance")]
    script["/about-us/graz/"] = [(200, {}, PROFILE_HTML)]
    code, stdout, stderr = run_fetch(
        f"{server.base}/about-us/graz/", "--out", str(tmp_path / "p"), "--delay", "0"
    )
    assert code == 3 and stdout == ""
    assert stderr == (
        f"error: {server.base}/about-us/graz/: the site's robots.txt answers with a server "
        "error (the site asks crawlers to stay away for now; try again later)\n"
    )
    assert [p for _, p in server.seen] == ["/robots.txt"] * 3


def test_a_slow_server_times_out_as_a_network_failure(scripted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    server, script = scripted
    script["/sitemap.xml"] = [(200, {"X-Sleep": "1"}, b"<urlset></urlset>")]
    code, _, stderr = run_fetch(
        f"{server.base}/sitemap.xml",
        "--out",
        str(tmp_path / "p"),
        "--delay",
        "0",
        "--timeout",
        "0.2",
    )
    assert code == 3
    assert stderr.startswith(f"error: {server.base}/sitemap.xml: ReadTimeout")
    assert "after 3 tries" in stderr


# -- what the build makes of fetched pages --------------------------------------------
#: Fetched file -> the bundled text form of the same page.
TEXT_TWINS = {
    "brussels.html": "brussels.txt",
    "essen.html": "essen.txt",
    "gdansk.html": "gdansk.txt",
    "generalitat-de-catalunya.fr.html": "generalitat-de-catalunya.fr.txt",
    "1280.html": "nantes.txt",
}
# Provenance that legitimately differs between the two forms of one page (as in
# tests/test_build.py).
FORM_SPECIFIC = {
    "https://w3id.org/citynet/ontology#sourceLine",
    "https://w3id.org/citynet/ontology#contentHash",
    "https://w3id.org/citynet/ontology#fileName",
    "https://w3id.org/citynet/ontology#cityNamedBy",
}


def form_neutral(quads) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in quads
        if q.predicate.value not in FORM_SPECIFIC
    }


def test_fetched_pages_build_the_graph_of_the_text_pages(replay: Replay, tmp_path: Path) -> None:
    """The reader takes a served page's main content itself: the served pages give the
    text pages' facts and warnings.

    The named graph's IRI is minted from the file name, so each page is saved under its
    text twin's stem (``1280.html`` is Nantes' profile).
    """
    from citynet.graph.build import build

    out = tmp_path / "pages"
    assert run_fetch(f"{replay.base}/sitemap_index.xml", "--out", str(out), "--delay", "0")[0] == 0
    assert sorted(p.name for p in out.glob("*.html")) == sorted(TEXT_TWINS)
    served = tmp_path / "served"
    served.mkdir()
    for name, text in TEXT_TWINS.items():
        html = (out / name).read_text(encoding="utf-8")
        # There is boilerplate to take away (so this test can fail).
        assert len(main_content(html).split()) < len(html.split()) / 2
        (served / (text.removesuffix(".txt") + ".html")).write_text(html, encoding="utf-8")
    pages = ROOT / "data" / "pages"
    from_text = build([pages / text for text in TEXT_TWINS.values()], out=None)
    from_html = build([served], out=None)
    assert from_html.counts == from_text.counts
    assert form_neutral(from_html.quads) == form_neutral(from_text.quads)


def test_a_fetched_page_records_where_and_when_it_was_fetched(
    replay: Replay, tmp_path: Path
) -> None:
    """read_page takes the page's URL and fetch time from the log beside it; a copy of
    the page elsewhere, or an edited page, has none."""
    from citynet.read.pages import read_page

    out = tmp_path / "pages"
    assert run_fetch(f"{replay.base}/sitemap_index.xml", "--out", str(out), "--delay", "0")[0] == 0
    log = json.loads((out / "fetch-log.json").read_text(encoding="utf-8"))
    fetched = {entry["file"]: entry for entry in log["pages"] if entry.get("file")}
    assert sorted(fetched) == sorted(TEXT_TWINS)
    for name, entry in fetched.items():
        record = read_page(out / name)
        assert (record.fetched_from, record.fetched_at) == (entry["final_url"], entry["fetched_at"])
        assert record.fetched_from.startswith(replay.base + "/")
    # The build records both in each page's named graph (PAV's retrievedFrom / On).
    from citynet.graph.build import build

    quads = build([out], out=None).quads
    pav = "http://purl.org/pav/"
    retrieved = {
        (q.predicate.value, q.object.value) for q in quads if q.predicate.value.startswith(pav)
    }
    assert retrieved == {(pav + "retrievedFrom", e["final_url"]) for e in fetched.values()} | {
        (pav + "retrievedOn", e["fetched_at"]) for e in fetched.values()
    }
    name = sorted(fetched)[0]
    (tmp_path / name).write_bytes((out / name).read_bytes())
    assert read_page(tmp_path / name).fetched_from is None
    (out / name).write_text((out / name).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert read_page(out / name).fetched_from is None


#: Every host looked up and every address connected to while RECORDING is on.
RECORDED: list[tuple[str, object]] = []
RECORDING = [False]


def _audit(event: str, args: tuple[object, ...]) -> None:
    if RECORDING[0] and event in ("socket.getaddrinfo", "socket.connect"):
        RECORDED.append((event, args[0] if event == "socket.getaddrinfo" else args[1]))


sys.addaudithook(_audit)  # hooks cannot be removed; RECORDING mutes this one


def test_fetch_talks_only_to_the_loopback_replay(replay: Replay, tmp_path: Path) -> None:
    """The sitemap's entry on another site and the redirect to another host are not
    even looked up: every lookup and connection is the replay's own address."""
    RECORDED.clear()
    RECORDING[0] = True
    try:
        for start in ("/sitemap_index.xml", "/en/our-network/"):
            code, _, stderr = run_fetch(
                replay.base + start, "--out", str(tmp_path / "pages"), "--delay", "0"
            )
            assert code == 0, stderr
    finally:
        RECORDING[0] = False
    connects = [address for event, address in RECORDED if event == "socket.connect"]
    lookups = {host for event, host in RECORDED if event == "socket.getaddrinfo"}
    assert connects and {a[:2] for a in connects} == {(HOST, replay.port)}  # type: ignore[index]
    assert lookups == {HOST}


def test_the_audit_hook_sees_lookups() -> None:
    """The hook itself works (so the test above can fail); localhost is in /etc/hosts."""
    RECORDED.clear()
    RECORDING[0] = True
    try:
        socket.getaddrinfo("localhost", 80)
    finally:
        RECORDING[0] = False
    assert ("socket.getaddrinfo", "localhost") in RECORDED


def test_a_progress_bar_on_a_terminal_only(replay: Replay, tmp_path: Path) -> None:
    """On a terminal (a pseudo-terminal here) standard error shows the bar; in a pipe not."""
    import os
    import pty

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100", "TERM": "xterm"}
    command = [sys.executable, "-m", "citynet", "fetch", f"{replay.base}/sitemap_index.xml"]
    command += ["--delay", "0"]
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*command, "--out", str(tmp_path / "a")],
        stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    os.close(follower)
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the process has closed the terminal
        while chunk := os.read(leader, 4096):
            shown += chunk
    os.close(leader)
    stdout = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 0
    assert stdout.startswith("8 pages: 5 new, 2 gone, 1 disallowed")
    assert b"fetching" in shown and b"8/8" in shown.replace(b" ", b"")
    piped = subprocess.run(
        [*command, "--out", str(tmp_path / "b")], capture_output=True, env=env, timeout=60
    )
    assert piped.returncode == 0 and piped.stderr == b""
