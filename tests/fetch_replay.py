"""The replay of the network's web site that tests/test_fetch*.py fetch from.

Debian's nginx (started per test on 127.0.0.1 and a free port) serves tests/fixtures/fetch:
a robots.txt with a disallowed profile and a Crawl-delay, a sitemap index with a plain and
a gzipped sitemap, a listing page, profile pages made from tests/fixtures/pages/*.html
wrapped in a WordPress-style theme (menus, language switcher, cookie banner, breadcrumb,
sidebar with dated news, share buttons, related posts, footer with an address), a
redirect within the site, a redirect to another host, a 404, a 410, and nginx's own
ETag / Last-Modified / 304 answers. Its access log (milliseconds, User-Agent, the
conditional headers, the Host) is what the tests read back.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

import pytest
from click.testing import CliRunner
from conftest import free_port, stop_process

from citynet.cli import cli

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
        stop_process(self.process)


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


def run_fetch(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["fetch", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def profile_requests(requests: list[Request]) -> list[Request]:
    prefixes = ("/about-us/", "/a-propos-de-lefus/", "/en/our-network/public/")
    return [r for r in requests if r.uri.startswith(prefixes)]
