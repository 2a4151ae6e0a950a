"""`citynet fetch` against a replay of the network's site on a real local web server.

The replay is served by Debian's nginx (started per test on 127.0.0.1 and a free port):
a robots.txt with a disallowed profile and a Crawl-delay, a sitemap index with a plain and
a gzipped sitemap, a listing page, profile pages made from tests/fixtures/pages/*.html
wrapped in a WordPress-style theme (menus, language switcher, cookie banner, breadcrumb,
sidebar with dated news, share buttons, related posts, footer with an address), a
redirect within the site, a redirect to another host, a 404, a 410, and nginx's own
ETag / Last-Modified / 304 answers. What nginx cannot do (429 with Retry-After, a 503
that succeeds on retry) is served by a small http.server in the test.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template

import pytest
from click.testing import CliRunner

from citynet import __version__
from citynet.cli import cli
from citynet.errors import InputError
from citynet.fetch.client import retry_after
from citynet.fetch.content import main_content
from citynet.fetch.crawl import FetchOptions, Hooks, fetch_pages
from citynet.fetch.log import LOG_NAME, load_log, provenance_for
from citynet.fetch.urls import (
    gunzip,
    is_profile,
    page_filename,
    page_links,
    profile_matcher,
    sitemap_kind,
    sitemap_locations,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "fetch"
PAGE_FIXTURES = ROOT / "tests" / "fixtures" / "pages"
HOST = "127.0.0.1"
CRAWL_DELAY = 0.25  # the replay's robots.txt
#: Fixture page -> its path on the replay site.
PROFILES = {
    "brussels.html": "/about-us/brussels/",
    "essen.html": "/about-us/essen/",
    "gdansk.html": "/about-us/gdansk/",
    "generalitat-de-catalunya.fr.html": "/a-propos-de-lefus/generalitat-de-catalunya/",
    "nantes.html": "/en/our-network/public/1280/",
    "efus-profile-liege.html": "/about-us/liege/",
}
#: The entry title the theme shows for fixtures whose article has none.
TITLES = {
    "brussels.html": "Brussels",
    "nantes.html": "Nantes",
    "generalitat-de-catalunya.fr.html": "Generalitat de Catalunya",
    "efus-profile-liege.html": "Liège",
}
#: Files a fetch of the sitemap index writes.
SITEMAP_FILES = {
    "brussels.html",
    "essen.html",
    "gdansk.html",
    "generalitat-de-catalunya.fr.html",
    "1280.html",
}


# -- the replay site ------------------------------------------------------------------
def themed(base: str, content: str, *, title: str, canonical: str = "", h1: str = "") -> str:
    theme = Template((FIXTURES / "theme.html").read_text(encoding="utf-8"))
    lang = "fr" if "lang=fr" in canonical else "en"
    post_id = str(1000 + sum(map(ord, title)) % 9000)
    return theme.safe_substitute(
        base=base, content=content, title=title, canonical=canonical, h1=h1, lang=lang,
        post_id=post_id,
    )  # fmt: skip


def profile_page(base: str, fixture: Path) -> str:
    """A fixture profile as the site's theme serves it: same article, with boilerplate."""
    html = fixture.read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html).group(1)  # type: ignore[union-attr]
    canonical = re.search(r'<link rel="canonical"[^>]*>', html)
    article = re.search(r'<article class="entry-content">\n(.*)</article>', html, re.DOTALL)
    assert article is not None, fixture
    content = article.group(1)
    h1 = re.search(r'<h1 class="entry-title">.*?</h1>\n', content)
    if h1:  # the theme shows the title in the entry header, before the content
        content = content.replace(h1.group(0), "")
    heading = h1.group(0).strip() if h1 else f'<h1 class="entry-title">{TITLES[fixture.name]}</h1>'
    return themed(
        base,
        content.rstrip("\n"),
        title=title,
        canonical=canonical.group(0) if canonical else "",
        h1=heading,
    )


def write_site(root: Path, base: str) -> None:
    shutil.copytree(FIXTURES / "site", root)
    for path in root.iterdir():
        path.write_text(Template(path.read_text(encoding="utf-8")).safe_substitute(base=base))
    plain = root / "member-sitemap.xml"
    (root / "member-sitemap.xml.gz").write_bytes(gzip.compress(plain.read_bytes(), mtime=0))
    plain.unlink()
    pages = {path: profile_page(base, PAGE_FIXTURES / name) for name, path in PROFILES.items()}
    listing = (FIXTURES / "listing.html").read_text(encoding="utf-8")
    pages["/en/our-network/"] = themed(base, listing, title="Our members – Efus")
    pages["/news/general-assembly-2019/"] = themed(
        base, "<p>The General Assembly met in Barcelona.</p>", title="News – Efus"
    )
    pages["/about-us/private-member/"] = themed(
        base, "<p>Population: 1 000 inhabitants</p>", title="Private – Efus"
    )
    pages["/about-us/big-city/"] = themed(
        base, "<p>Population: 1 000 000 inhabitants</p>\n" * 4000, title="Big – Efus"
    )
    for path, html in pages.items():
        target = root / path.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")


@dataclass
class Request:
    at: float
    method: str
    uri: str
    status: int
    user_agent: str
    if_none_match: str
    if_modified_since: str
    host: str


@dataclass
class Replay:
    process: subprocess.Popen[bytes]
    port: int
    run: Path
    site: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def mark(self) -> int:
        log = self.run / "access.log"
        return log.stat().st_size if log.exists() else 0

    def requests(self, since: int = 0) -> list[Request]:
        log = self.run / "access.log"
        if not log.exists():
            return []
        with open(log, "rb") as handle:
            handle.seek(since)
            text = handle.read().decode("utf-8")
        pattern = re.compile(r'^(\S+) (\S+) "(.*?)" (\d+) "(.*?)" "(.*?)" "(.*?)" "(.*?)"$')
        found = []
        for line in text.splitlines():
            m = pattern.match(line)
            assert m, line
            # nginx writes a double quote inside a logged value as \x22
            values = [v.replace("\\x22", '"') for v in m.groups()]
            found.append(Request(float(values[0]), *values[1:3], int(values[3]), *values[4:]))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        pytest.fail("nginx is not installed (`make test` installs Debian's nginx)")
    return found


def start_replay(tmp_path: Path) -> Replay:
    binary = nginx_binary()
    for _ in range(3):  # a free port can be taken between the probe and the bind
        port = free_port()
        run = tmp_path / f"nginx-{port}"
        run.mkdir()
        site = run / "site"
        write_site(site, f"http://{HOST}:{port}")
        conf = Template((FIXTURES / "nginx.conf").read_text(encoding="utf-8"))
        (run / "nginx.conf").write_text(
            conf.safe_substitute(port=port, root=site, run=run), encoding="utf-8"
        )
        command = [binary, "-p", str(run), "-e", str(run / "error.log")]
        command += ["-c", str(run / "nginx.conf")]
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        replay = Replay(process, port, run, site)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.5):
                return replay
            time.sleep(0.05)
        replay.stop()
    raise RuntimeError(f"nginx did not start: {(run / 'error.log').read_text()}")


@pytest.fixture
def replay(tmp_path: Path) -> Iterator[Replay]:
    server = start_replay(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def run_fetch(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["fetch", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def profile_requests(requests: list[Request]) -> list[Request]:
    prefixes = ("/about-us/", "/a-propos-de-lefus/", "/en/our-network/public/")
    return [r for r in requests if r.uri.startswith(prefixes)]


# -- unit rules -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/about-us/liege/", True),
        ("/about-us/las-palmas-de-gran-canaria", True),
        ("/a-propos-de-lefus/generalitat-de-catalunya/?lang=fr", True),
        ("/en/our-network/public/9212/", True),
        ("/about-us/", False),
        ("/about-us/liege/?share=twitter", False),
        ("/about-us/liege/feed/", False),
        ("/en/our-network/public/abc/", False),
        ("/en/our-network/", False),
        ("/news/general-assembly-2019/", False),
        ("/wp-admin/about-us/liege/", False),
    ],
)
def test_default_profile_paths(path: str, expected: bool) -> None:
    assert is_profile(f"https://efus.eu{path}", profile_matcher(None)) is expected


def test_match_replaces_the_profile_rule_and_a_broken_one_is_a_usage_error() -> None:
    matcher = profile_matcher(r"^/members/[a-z-]+\.html$")
    assert is_profile("https://cities.example/members/graz.html", matcher)
    assert not is_profile("https://efus.eu/about-us/liege/", matcher)
    with pytest.raises(InputError, match="not a regular expression"):
        profile_matcher("(unclosed")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://efus.eu/about-us/liege/", "liege.html"),
        ("https://efus.eu/about-us/las-palmas-de-gran-canaria", "las-palmas-de-gran-canaria.html"),
        ("https://efus.eu/a-propos-de-lefus/generalitat-de-catalunya/?lang=fr",
         "generalitat-de-catalunya.fr.html"),
        ("https://efus.eu/en/our-network/public/9212/", "9212.html"),
        ("https://efus.eu/about-us/K%C3%B6ln_Stadt/", "k-c3-b6ln-stadt.html"),
        ("https://efus.eu/", "index.html"),
    ],
)  # fmt: skip
def test_page_file_names(url: str, name: str) -> None:
    assert page_filename(url) == name


def test_sitemaps_are_told_apart_by_their_root_element() -> None:
    index = (FIXTURES / "site" / "sitemap_index.xml").read_bytes()
    urlset = (FIXTURES / "site" / "page-sitemap.xml").read_bytes()
    assert sitemap_kind(index) == "sitemapindex"
    assert sitemap_kind(b"\xef\xbb\xbf<!-- made by hand -->\n<urlset>") == "urlset"
    assert sitemap_kind(urlset) == "urlset"
    assert sitemap_kind(b"<!DOCTYPE html><html><body>urlset</body></html>") is None
    assert sitemap_locations(index) == [
        "${base}/page-sitemap.xml",
        "${base}/member-sitemap.xml.gz",
    ]
    # The image's <image:loc> is not a page of the sitemap.
    assert sitemap_locations(urlset)[-1] == "${base}/news/general-assembly-2019/"
    assert len(sitemap_locations(urlset)) == 4


def test_sitemap_with_entities_or_broken_xml_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><urlset><url><loc>&a;</loc></url></urlset>'  # noqa: E501
    with pytest.raises(ValueError, match="DOCTYPE"):
        sitemap_locations(bomb)
    with pytest.raises(ValueError, match="not well-formed"):
        sitemap_locations(b"<urlset><url><loc>x</url>")


def test_gzipped_sitemaps_are_decompressed_within_the_limit() -> None:
    data = b"<urlset>" + b" " * 5000 + b"</urlset>"
    assert gunzip(gzip.compress(data), 10_000) == data
    assert gunzip(data, 10) == data  # not gzipped: as served
    with pytest.raises(ValueError, match="more than 1000 bytes"):
        gunzip(gzip.compress(data), 1000)
    with pytest.raises(ValueError, match="broken gzip"):
        gunzip(b"\x1f\x8b" + b"garbage" * 10, 1000)


def test_links_are_absolute_without_fragments_or_repeats() -> None:
    html = (
        '<base href="https://efus.eu/en/"><a href="our-network/public/1/#x">a</a>'
        '<a href="/about-us/liege/">b</a><a href="/about-us/liege/#again">c</a>'
        '<a href="mailto:x@efus.eu">m</a><a href="javascript:void(0)">j</a><a>none</a>'
    )
    assert page_links(html, "https://efus.eu/somewhere/") == [
        "https://efus.eu/en/our-network/public/1/",
        "https://efus.eu/about-us/liege/",
    ]


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after("7", 1.0) == 7.0
    assert retry_after(None, 1.5) == 1.5
    assert retry_after("soon", 2.0) == 2.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 3.0) == 0.0  # in the past
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))
    assert 55 <= retry_after(later, 0.0) <= 61


# -- main content ---------------------------------------------------------------------
BOILERPLATE_TEXTS = [
    "We use cookies",
    "Skip to content",
    "Français",
    "Executive Committee, since 1987",
    "Share this",
    "Twitter",
    "Related",
    "Latest news",
    "14 November 2019",
    "Montibœufs",
    "Subscribe",
    "All rights reserved",
    "Home",
    "Edit",
    "Search",
]


def test_main_content_keeps_the_lines_and_drops_the_boilerplate() -> None:
    from citynet.read.html import html_to_text

    served = profile_page("https://efus.eu", PAGE_FIXTURES / "gdansk.html")
    kept = main_content(served)
    assert kept.count("\n") == served.count("\n")
    text, sources = html_to_text(kept)
    for boilerplate in BOILERPLATE_TEXTS:
        assert boilerplate not in text, boilerplate
    lines = text.split("\n")
    assert lines[0] == "# source: https://efus.eu/about-us/gdansk/"
    assert lines[2] == "Gdansk"  # the entry title, first line of the page
    served_lines = served.split("\n")
    assert "Gdansk" in served_lines[sources[2] - 1]
    assert (
        "Population"
        in served_lines[
            sources[lines.index(next(x for x in lines if x.startswith("Population")))] - 1
        ]
    )  # noqa: E501
    # The fixture's own text is all there, in order.
    plain, _ = html_to_text((PAGE_FIXTURES / "gdansk.html").read_text(encoding="utf-8"))
    assert text == plain


@pytest.mark.parametrize(
    ("html", "kept", "dropped"),
    [
        # No theme classes: <article> is the content, its footer and share block are not.
        (
            "<body><nav>Menu</nav><article><p>Population: 5</p>"
            '<div class="social-links">Tweet</div><footer>Posted in News</footer></article>'
            "<aside>Archives 2019</aside></body>",
            ["Population: 5"],
            ["Menu", "Tweet", "Posted in News", "Archives 2019"],
        ),
        # No article: <main>; hidden and aria-hidden elements are not text.
        (
            '<body><header>Site</header><main id="m"><p>Location: Italy</p>'
            '<p hidden>secret</p><span aria-hidden="true">icon</span></main>'
            '<div id="cookie-law-info-bar">Accept cookies</div></body>',
            ["Location: Italy"],
            ["Site", "secret", "icon", "Accept cookies"],
        ),
        # Neither: the body, without its boilerplate.
        (
            '<body><div class="lang-switcher">EN FR</div><p>Member since 1995</p>'
            '<ul class="menu"><li>About</li></ul></body>',
            ["Member since 1995"],
            ["EN FR", "About"],
        ),
    ],
)
def test_main_content_rules_without_the_theme(
    html: str, kept: list[str], dropped: list[str]
) -> None:  # noqa: E501
    result = main_content(html)
    for text in kept:
        assert text in result
    for text in dropped:
        assert text not in result


def test_main_content_of_a_fragment_or_broken_html() -> None:
    assert main_content("Population: 5") == "Population: 5"  # no element: as it is
    broken = '<div class="entry-content"><p>Population: 5<p>Location: Spain</div><![<p>x'
    assert "Location: Spain" in main_content(broken)


# -- the log and provenance -----------------------------------------------------------
def test_provenance_needs_the_fetched_bytes(tmp_path: Path) -> None:
    page = tmp_path / "liege.html"
    page.write_bytes(b"<p>Population: 190 000</p>")
    sha = hashlib.sha256(page.read_bytes()).hexdigest()
    assert provenance_for(page) is None  # no log
    (tmp_path / LOG_NAME).write_text(
        json.dumps(
            {
                "format": "citynet-fetch-log/1",
                "run": None,
                "pages": [
                    {
                        "url": "https://efus.eu/about-us/liege",
                        "final_url": "https://efus.eu/about-us/liege/",
                        "status": 200,
                        "fetched_at": "2026-12-08T01:02:03Z",
                        "sha256": sha,
                        "file": "liege.html",
                    }
                ],
            }
        )
    )
    expected = ("https://efus.eu/about-us/liege/", "2026-12-08T01:02:03Z")
    assert provenance_for(page) == expected
    assert provenance_for(page, sha256=sha) == expected
    assert provenance_for(tmp_path / "essen.html") is None
    page.write_bytes(b"<p>Population: 190 001</p>")  # edited by hand since
    assert provenance_for(page) is None


def test_a_broken_log_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / LOG_NAME).write_text("{not json")
    with pytest.raises(InputError, match="not a readable fetch log"):
        load_log(tmp_path)
    (tmp_path / LOG_NAME).write_text('{"format": "other"}')
    with pytest.raises(InputError, match="not a citynet fetch log"):
        load_log(tmp_path)
    (tmp_path / "page.html").write_text("<p>x</p>")
    assert provenance_for(tmp_path / "page.html") is None


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
        f"5 pages: 4 new, 1 offsite -> {out}",
        f"  offsite: {replay.base}/about-us/elsewhere/",
    ]
    requests = replay.requests()
    # Links of the page's menus, sidebar and related posts (/about-us/madrid/) are not
    # followed; the old address redirects within the site; the other host is not asked.
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


def test_max_pages_and_match(replay: Replay, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    start = f"{replay.base}/sitemap_index.xml"
    code, stdout, _ = run_fetch(
        start, "--out", str(out), "--delay", "0", "--match", r"/public/\d+/$", "--max-pages", "3"
    )
    assert code == 0
    assert stdout.splitlines()[0] == f"1 pages: 1 new -> {out}"
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
        f"error: 1 pages failed (see {out}/fetch-log.json); run the same command again to resume",
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
    """Through main_content, the served pages give the text pages' facts and warnings.

    The named graph's IRI is minted from the file name, so each page is saved under its
    text twin's stem (``1280.html`` is Nantes' profile).
    """
    from citynet.graph.build import build

    out = tmp_path / "pages"
    assert run_fetch(f"{replay.base}/sitemap_index.xml", "--out", str(out), "--delay", "0")[0] == 0
    assert sorted(p.name for p in out.glob("*.html")) == sorted(TEXT_TWINS)
    clean, raw = tmp_path / "clean", tmp_path / "raw"
    clean.mkdir()
    raw.mkdir()
    for name, text in TEXT_TWINS.items():
        served = (out / name).read_text(encoding="utf-8")
        target = text.removesuffix(".txt") + ".html"
        (clean / target).write_text(main_content(served), encoding="utf-8")
        (raw / target).write_text(served, encoding="utf-8")
    pages = ROOT / "data" / "pages"
    from_text = build([pages / text for text in TEXT_TWINS.values()], out=None)
    from_html = build([clean], out=None)
    assert from_html.counts == from_text.counts
    assert form_neutral(from_html.quads) == form_neutral(from_text.quads)
    # The same pages read whole: the boilerplate becomes warnings (so this test can fail).
    from_raw = build([raw], out=None)
    assert from_raw.counts["warnings"] > from_text.counts["warnings"] + len(TEXT_TWINS)


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
