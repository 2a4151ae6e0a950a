"""A real headless Chromium opens the site from disk (file://), driven over the DevTools protocol.

Checks what only a browser can: the SVG map renders one visible marker per city with
coordinates and a click on one opens that city's page; a city page shows its twins and
projects; the console shows no errors, no request leaves the disk, and the hostile page
opens no dialog. Screenshots go to test-artifacts/ (gitignored) for people to look at.

Needs Debian's ``chromium`` (``make test`` installs it when missing); fails without it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets.sync.client as websockets_client
from rdflib import URIRef

from citynet.graph.formats import load_graph
from citynet.graph.vocab import CN, DEFAULT_BASE_IRI, GEO, RDF
from citynet.web.generate import build_site

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "site" / "sample.trig"
PAGES = ROOT / "data" / "pages"
ARTIFACTS = ROOT / "test-artifacts"
BASE = DEFAULT_BASE_IRI
LAUNCH_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
]
TIMEOUT = 30.0


def chromium_binary() -> str | None:
    for candidate in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(candidate)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class Browser:
    """Just enough of the Chrome DevTools Protocol: commands, and the events they cause."""

    def __init__(self, binary: str) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="citynet-chromium-"))
        self.process = subprocess.Popen(
            [binary, *LAUNCH_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port = self._port()
            self.socket = websockets_client.connect(self._page_socket(port), max_size=None)
        except BaseException:
            self.close()
            raise
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=1200,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _port(self) -> int:
        # With --remote-debugging-port=0 Chromium picks a port and writes it here.
        marker = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            if marker.exists():
                lines = marker.read_text().splitlines()
                if lines and lines[0].isdigit():
                    return int(lines[0])
            time.sleep(0.05)
        raise TimeoutError("chromium did not open its DevTools port")

    def _page_socket(self, port: int) -> str:
        import urllib.request

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            with opener.open(f"http://127.0.0.1:{port}/json/list", timeout=5) as answer:
                targets = json.loads(answer.read())
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                return str(pages[0]["webSocketDebuggerUrl"])
            time.sleep(0.05)
        raise TimeoutError("chromium has no page target")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=TIMEOUT))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str, since: int) -> dict[str, Any]:
        """The first event ``method`` received after event number ``since``."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for event in self.events[since:]:
                if event["method"] == method:
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {method}")
            self.events.append(json.loads(self.socket.recv(timeout=remaining)))

    def open(self, url: str) -> None:
        mark = len(self.events)
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired", mark)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def click(self, x: float, y: float) -> None:
        mark = len(self.events)
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)
        self.wait_for("Page.loadEventFired", mark)

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, failed loads and dialogs seen so far."""
        found = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url')}")
            elif method == "Network.loadingFailed":
                found.append(f"failed load: {params.get('errorText')}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {params.get('message')}")
        return found

    def requested_urls(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    def close(self) -> None:
        try:
            if hasattr(self, "socket"):
                # The browser may already be gone; it is killed below if not.
                with contextlib.suppress(Exception):
                    self.send("Browser.close")
                self.socket.close()
        finally:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = chromium_binary()
    if binary is None:
        pytest.fail("chromium is not installed: run `make test`, which installs Debian's chromium")
    running = Browser(binary)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory):
    """The site of the bundled pages' build, and that build's graph."""
    from citynet.graph.build import build

    result = build([PAGES], out=tmp_path_factory.mktemp("build"))
    assert result.errors == []
    out = tmp_path_factory.mktemp("site") / "out"
    build_site([result.files["trig"]], out)
    return out, load_graph([result.files["trig"]])


def test_map_shows_one_marker_per_city_and_markers_open_city_pages(
    browser: Browser, bundled
) -> None:
    out, dataset = bundled
    placed = {
        str(s)
        for cls in (CN.City, CN.Region)
        for s in dataset.subjects(RDF.type, cls)
        if dataset.value(s, GEO.lat) is not None and str(s).startswith(BASE)
    }
    assert len(placed) > 100
    mark = len(browser.events)
    browser.open((out / "index.html").as_uri())
    browser.screenshot(ARTIFACTS / "browser-index.png")
    # The index shows the map from its own file; the markers are looked at in that file.
    assert browser.evaluate("document.querySelector('object.map-frame').data").endswith("map.svg")
    browser.open((out / "map.svg").as_uri())
    browser.screenshot(ARTIFACTS / "browser-map.png")
    markers = browser.evaluate(
        """[...document.querySelectorAll('#city-map circle.city-marker')].map(c => {
             const r = c.getBoundingClientRect();
             return {iri: c.dataset.iri, w: r.width, h: r.height,
                     x: r.x + r.width / 2, y: r.y + r.height / 2,
                     href: new URL(c.closest('a').getAttribute('href'), document.baseURI).href};
           })"""
    )
    assert sorted(m["iri"] for m in markers) == sorted(placed)
    assert all(m["w"] > 0 and m["h"] > 0 for m in markers)  # actually drawn
    # The country outlines are drawn under the markers, in a colour of their own.
    land = browser.evaluate(
        """[...document.querySelectorAll('g.land path')].map(p => {
             const r = p.getBoundingClientRect();
             return {area: r.width * r.height, fill: getComputedStyle(p).fill};
           })"""
    )
    sea = browser.evaluate("getComputedStyle(document.querySelector('rect.sea')).fill")
    assert len(land) > 20 and all(p["area"] > 0 for p in land)
    assert {p["fill"] for p in land} == {"rgb(251, 250, 245)"} != {sea}
    for m in markers:
        assert m["href"] == (out / (m["iri"][len(BASE) :] + ".html")).as_uri()
    # Click a marker that is on top at its own centre: the browser opens that city's page.
    target = next(
        m
        for m in sorted(markers, key=lambda m: m["iri"])
        if browser.evaluate(
            f"document.elementFromPoint({m['x']}, {m['y']})?.closest('a') === "
            f"document.querySelector('circle[data-iri={json.dumps(m['iri'])}]').closest('a')"
        )
    )
    browser.evaluate("window.scrollTo(0, 0)")
    top = browser.evaluate(
        f"document.querySelector('circle[data-iri={json.dumps(target['iri'])}]')"
        ".getBoundingClientRect().toJSON()"
    )
    browser.click(top["x"] + top["width"] / 2, top["y"] + top["height"] / 2)
    assert browser.evaluate("location.href") == target["href"]
    assert all(url.startswith("file://") for url in browser.requested_urls()[mark:])
    assert browser.problems() == []


def test_city_page_shows_its_twins_and_projects(browser: Browser, bundled) -> None:
    out, dataset = bundled
    liege = URIRef(BASE + "city/be/liege")
    twins = {
        str(dataset.value(t, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
        for node in dataset.subjects(CN.twinCity, liege)
        for t in dataset.objects(node, CN.twinCity)
        if t != liege
    }
    projects = {
        str(dataset.value(a, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
        for p in dataset.subjects(CN.participant, liege)
        for a in dataset.objects(p, CN.activity)
        if (a, RDF.type, CN.Project) in dataset
    }
    assert len(twins) >= 10 and len(projects) >= 5
    browser.open((out / "city/be/liege.html").as_uri())
    browser.screenshot(ARTIFACTS / "browser-city-liege.png")
    shown_twins = set(
        browser.evaluate("[...document.querySelectorAll('li.twin > a')].map(a => a.textContent)")
    )
    shown_projects = set(
        browser.evaluate(
            "[...document.querySelectorAll('li.project > a:first-child')].map(a => a.textContent)"
        )
    )
    assert shown_twins == twins
    assert shown_projects == projects
    heading = browser.evaluate("document.querySelector('h1').textContent")
    assert heading == "Liège"
    assert browser.evaluate("document.body.innerText").count("Twinned with") == 1
    assert browser.problems() == []


def test_hostile_page_runs_nothing(browser: Browser, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site([SAMPLE], out)
    for page in ("city/be/script-alert-1-script.html", "index.html", "project/hostile.html"):
        browser.open((out / page).as_uri())
        assert browser.evaluate("document.querySelectorAll('img').length") == 0
        assert browser.evaluate(
            "[...document.scripts].every(s => s.type === 'application/ld+json')"
        )
    heading = browser.evaluate("document.querySelector('h1').textContent")
    assert heading == "Project <img src=x onerror=alert(5)>"
    browser.open((out / "city/be/script-alert-1-script.html").as_uri())
    assert (
        browser.evaluate("document.querySelector('h1').textContent") == "<script>alert(1)</script>"
    )
    data = browser.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    hostile = "https://w3id.org/citynet/city/be/script-alert-1-script"
    (node,) = [n for n in data["@graph"] if n["@id"] == hostile]
    assert node["label"] == {"en": "<script>alert(1)</script>"}
    browser.screenshot(ARTIFACTS / "browser-hostile.png")
    assert browser.problems() == []


def test_artifacts_folder_is_ignored_by_git() -> None:
    assert "test-artifacts/" in (ROOT / ".gitignore").read_text().splitlines()


def test_city_page_shows_who_it_works_with_and_a_project_page_by_country(
    browser: Browser, bundled
) -> None:
    out, dataset = bundled
    liege = URIRef(BASE + "city/be/liege")
    mine = {
        a for p in dataset.subjects(CN.participant, liege) for a in dataset.objects(p, CN.activity)
    }
    shared: dict[str, int] = {}
    for activity in mine:
        partners = {
            str(c)
            for p in dataset.subjects(CN.activity, activity)
            for c in dataset.objects(p, CN.participant)
            if c != liege
            and ((c, RDF.type, CN.City) in dataset or (c, RDF.type, CN.Region) in dataset)
        }
        for partner in partners:
            shared[partner] = shared.get(partner, 0) + 1
    assert len(shared) >= 5
    browser.open((out / "city/be/liege.html").as_uri())
    browser.evaluate("document.querySelector('section.partners').scrollIntoView()")
    browser.screenshot(ARTIFACTS / "browser-city-liege-partners.png")
    rows = browser.evaluate(
        """[...document.querySelectorAll('tr.partner')].map(r => [r.dataset.iri,
             Number(r.querySelector('td.count').textContent),
             r.querySelector('td:first-child a').getBoundingClientRect().width > 0])"""
    )
    assert {iri: count for iri, count, _ in rows} == shared
    assert all(visible for _, _, visible in rows)
    counts = [count for _, count, _ in rows]
    assert counts == sorted(counts, reverse=True)  # most shared first
    project = next(a for a in sorted(mine) if (a, RDF.type, CN.Project) in dataset)
    browser.open((out / (str(project)[len(BASE) :] + ".html")).as_uri())
    browser.screenshot(ARTIFACTS / "browser-project.png")
    listed = browser.evaluate(
        "[...document.querySelectorAll('li.country a:not(:first-child)')].length"
    )
    participants = {
        c
        for p in dataset.subjects(CN.activity, project)
        for c in dataset.objects(p, CN.participant)
    }
    assert listed == len(participants)
    assert browser.problems() == []
