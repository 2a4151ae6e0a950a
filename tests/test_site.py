"""`citynet site`: pages, links, descriptions, escaping, unsafe IRIs and the atomic swap.

Runs on two graphs: the hand-made tests/fixtures/site/sample.trig (exact counts, hostile
labels and links) and the build of the bundled pages (every city, project and event).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from citynet.cli import cli
from citynet.graph.formats import load_graph
from citynet.graph.vocab import CN, DCTERMS, DEFAULT_BASE_IRI, GEO, RDF, RDFS, VOID
from citynet.web import generate as site_module
from citynet.web import sitefiles, svgmap
from citynet.web.conneg import htaccess, negotiate, nginx_server, njs_module, type_map
from citynet.web.generate import INCOMING_LIMIT, SITE_MARKER, build_site
from citynet.web.terms import is_http, script_json

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "site" / "sample.trig"
PAGES = ROOT / "data" / "pages"
BASE = DEFAULT_BASE_IRI


# --------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------


def bundled_graph(tmp: Path) -> Path:
    """The build of the bundled pages (the real data the site is made for)."""
    from citynet.graph.build import build

    result = build([PAGES], out=tmp)
    assert result.errors == []
    return result.files["trig"]


@pytest.fixture(scope="module", params=["sample", "bundled"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(graph file, dataset, site folder) for each graph."""
    graph = SAMPLE if request.param == "sample" else bundled_graph(tmp_path_factory.mktemp("b"))
    out = tmp_path_factory.mktemp("site") / "out"
    result = build_site([graph], out)
    dataset = load_graph([graph])
    return graph, dataset, out, result


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "out"
    build_site([SAMPLE], out, sparql_endpoint="https://example.org/sparql")
    return out


def page_of(out: Path, iri: str, suffix: str = ".html") -> Path:
    assert iri.startswith(BASE)
    return out / (iri[len(BASE) :] + suffix)


def typed(dataset: Dataset, cls: URIRef) -> set[str]:
    return {str(s) for s in dataset.subjects(RDF.type, cls) if str(s).startswith(BASE)}


def description(dataset: Dataset, iri: str) -> set[tuple]:
    """Every triple with ``iri`` as subject, across all named graphs (the test's own code)."""
    return {(s, p, o) for s, p, o, _ in dataset.quads((URIRef(iri), None, None, None))}


def parse_rdf(text: str, suffix: str, site: Path) -> Graph:
    """Turtle, or JSON-LD with its shared context resolved to the site's context.jsonld."""
    if suffix == ".ttl":
        return Graph().parse(data=text, format="turtle")
    data = json.loads(text)
    assert data["@context"].endswith("context.jsonld")  # one shared context, by reference
    data["@context"] = json.loads((site / "context.jsonld").read_text())["@context"]
    return Graph().parse(data=json.dumps(data), format="json-ld")


def served_description(dataset: Dataset, iris: list[str]) -> set[tuple]:
    """A document's served triples: out, in (up to the limit), neighbours' labels, inDataset."""
    triples: set[tuple] = set()
    for iri in iris:
        node = URIRef(iri)
        triples |= description(dataset, iri)
        incoming = sorted(
            {(s, p, o) for s, p, o, _ in dataset.quads((None, None, node, None))},
            key=lambda t: (str(t[1]), str(t[0])),
        )
        triples |= set(incoming[:INCOMING_LIMIT])
        if len(incoming) > INCOMING_LIMIT:
            path = iri[len(BASE) :].replace("#", ".")
            triples.add((node, RDFS.seeAlso, URIRef(f"{BASE}{path}.incoming-1.html")))
        triples.add((node, VOID.inDataset, URIRef(BASE + "void.ttl#dataset")))
    ends = {t for s, _, o in triples for t in (s, o) if isinstance(t, URIRef)} - {
        URIRef(i) for i in iris
    }
    for end in ends:
        triples |= {(end, RDFS.label, label) for label in dataset.objects(end, RDFS.label)}
    return triples


class Page(HTMLParser):
    """What the tests look at in a page: links, ids, scripts, attributes and text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, dict[str, str | None]]] = []  # (tag, url, attrs)
        self.ids: set[str] = set()
        self.scripts: list[tuple[str | None, str]] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self._script: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.elements.append((tag, values))
        for name, value in attrs:
            self.attributes.append((tag, name, value))
            if name in ("href", "src") and value is not None:
                self.links.append((tag, value, values))
            if name == "id" and value:
                self.ids.add(value)
        if tag == "script":
            self._script = values.get("type")
            self.scripts.append((self._script, ""))
        if tag not in ("circle", "line", "rect", "meta", "link", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            kind, text = self.scripts[-1]
            self.scripts[-1] = (kind, text + data)
        else:
            self.text.append(data)

    def text_of(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------------------
# Pages for every resource
# --------------------------------------------------------------------------------------


def test_a_page_for_every_city_project_and_event(built) -> None:
    _, dataset, out, result = built
    cities = typed(dataset, CN.City) | typed(dataset, CN.Region)
    projects = typed(dataset, CN.Project)
    events = typed(dataset, CN.Event)
    assert (result.cities, result.projects, result.events) == (
        len(cities),
        len(projects),
        len(events),
    )
    assert cities and projects and events
    for iri in cities | projects | events:
        for suffix in (".html", ".ttl", ".jsonld"):
            assert page_of(out, iri, suffix).is_file(), iri + suffix
    listed = {
        name: {
            unquote(url)
            for tag, url, _ in parse_page(out / name).links
            if tag == "a" and not is_http(url)
        }
        for name in ("cities.html", "projects.html", "events.html")
    }
    for name, iris in (
        ("cities.html", cities),
        ("projects.html", projects),
        ("events.html", events),
    ):
        expected = {iri[len(BASE) :] + ".html" for iri in iris}
        assert expected <= listed[name], name


def test_sample_counts(sample_site: Path) -> None:
    pages = sorted(
        str(p.relative_to(sample_site))
        for p in sample_site.rglob("*.html")
        if p.parent != sample_site
    )
    # 6 cities, 5 countries, 3 projects, 1 event, 1 network, 1 membership, 1 office,
    # 3 twinnings, 6 participations, 3 source pages; and the ontology's version IRI.
    assert len(pages) == 31
    assert "ontology/0.1.0.html" in pages
    assert "city/be/liege.html" in pages
    assert "office/be/liege/efus/executive-committee/2008.html" in pages
    top = sorted(p.name for p in sample_site.iterdir() if p.is_file())
    assert top == sorted(
        [
            ".citynet-site",
            ".htaccess",
            ".ontology.var",
            ".void.var",
            "cities.html",
            "citynet.nq",
            "context.jsonld",
            "events.html",
            "index.html",
            "map-detail.svg",
            "map.svg",
            "ontology.html",
            "ontology.jsonld",
            "ontology.nt",
            "ontology.rdf",
            "ontology.ttl",
            "projects.html",
            "style.css",
            "void.jsonld",
            "void.nt",
            "void.rdf",
            "void.ttl",
        ]
    )


def test_every_link_resolves_to_a_file_in_the_site(built) -> None:
    _, _, out, _ = built
    root = out.resolve()
    checked = 0
    pages = {p.resolve(): parse_page(p) for p in out.rglob("*.html")}
    for path, page in pages.items():
        for _tag, url, _ in page.links:
            split = urlsplit(url)
            if split.scheme:
                # Only http(s) is ever active; never javascript:, data: or file:.
                assert split.scheme in ("http", "https"), (path, url)
                continue
            target = path if not split.path else (path.parent / unquote(split.path)).resolve()
            assert target.is_relative_to(root), (path, url)
            assert target.is_file(), (path, url)
            if split.fragment and target.suffix == ".html":
                assert split.fragment in pages[target].ids, (path, url)
            checked += 1
    assert checked > 100


def test_city_page_lists_twins_and_projects(sample_site: Path) -> None:
    page = parse_page(sample_site / "city/be/liege.html")
    text = page.text_of()
    assert "Twinned with (3)" in text
    assert "Projects (2)" in text and "Events (1)" in text
    hrefs = {url for tag, url, _ in page.links if tag == "a"}
    for twin in ("../fr/nancy.html", "../nl/maastricht.html", "../cz/plzen.html"):
        assert twin in hrefs
    for activity in (
        "../../project/31294.html",
        "../../project/democracy-cities-drugs-ii.html",
        "../../event/2013-06-27/general-assembly/cascais.html",
    ):
        assert activity in hrefs
    # Maastricht has no page of its own: its twin comes from the Twinning node.
    maastricht = parse_page(sample_site / "city/nl/maastricht.html").text_of()
    assert "Twinned with (1)" in maastricht and "Liège" in maastricht


def test_each_fact_names_its_source_pages(sample_site: Path) -> None:
    page = parse_page(sample_site / "city/fr/nancy.html")
    source_links = [(url, attrs.get("title")) for tag, url, attrs in page.links if tag == "a"]
    assert ("../../source/nancy.html", BASE + "source/nancy") in source_links
    assert ("https://efus.eu/about-us/nancy/", "https://efus.eu/about-us/nancy/") in source_links
    text = page.text_of()
    assert "nancy.txt" in text and "liege.txt" in text  # Liège's page also describes Nancy


# --------------------------------------------------------------------------------------
# Descriptions: Turtle, JSON-LD and the JSON-LD embedded in each page
# --------------------------------------------------------------------------------------


def test_turtle_and_jsonld_are_isomorphic_to_the_description(built) -> None:
    _, dataset, out, _ = built
    subjects = {str(s) for s in dataset.subjects() if str(s).startswith(BASE)}
    assert subjects
    documents: dict[str, list[str]] = {}
    for node in dataset.all_nodes():
        if isinstance(node, URIRef) and str(node).startswith(BASE):
            documents.setdefault(str(node).partition("#")[0], []).append(str(node))
    for iri in sorted(subjects):
        expected = Graph()
        members = sorted(set(documents[iri.partition("#")[0]]))
        for triple in served_description(dataset, members):
            expected.add(triple)
        assert len(expected) > 0
        for suffix in (".ttl", ".jsonld"):
            got = parse_rdf(page_of(out, iri, suffix).read_text(encoding="utf-8"), suffix, out)
            assert isomorphic(got, expected), iri + suffix
            assert set(got) == set(expected), iri + suffix
        embedded = [
            text
            for kind, text in parse_page(page_of(out, iri)).scripts
            if kind == "application/ld+json"
        ]
        assert len(embedded) == 1
        got = parse_rdf(embedded[0], ".jsonld", out)
        assert set(got) == set(expected), iri + " (embedded)"


def test_site_is_deterministic(tmp_path: Path) -> None:
    # The same folder twice: the nginx snippet names the site's absolute path.
    build_site([SAMPLE], tmp_path / "a")
    first = tree_digest(tmp_path / "a")
    build_site([SAMPLE], tmp_path / "a")
    assert tree_digest(tmp_path / "a") == first


# --------------------------------------------------------------------------------------
# Hostile text and links (reliability case B20)
# --------------------------------------------------------------------------------------


def test_script_in_a_label_is_shown_as_text(sample_site: Path) -> None:
    hostile = sample_site / "city/be/script-alert-1-script.html"
    raw = hostile.read_text(encoding="utf-8")
    page = parse_page(hostile)
    assert [kind for kind, _ in page.scripts] == ["application/ld+json"]
    assert "<script>alert" not in raw and "<img" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<script>alert(1)</script>" in page.text_of()  # shown, as text
    assert '"><img src=x onerror=alert(2)>' in page.text_of()
    assert "</script><script>alert(4)</script> & more" in page.text_of()
    for tag, name, _value in page.attributes:
        assert not name.startswith("on"), (tag, name)
    # The embedded JSON-LD keeps the values but cannot close its element.
    ((_, embedded),) = page.scripts
    assert "</" not in embedded and "<" not in embedded
    data = json.loads(embedded)
    (node,) = [n for n in data["@graph"] if n["@id"] == BASE + "city/be/script-alert-1-script"]
    assert node["label"] == {"en": "<script>alert(1)</script>"}


def test_hostile_text_is_escaped_on_every_page(sample_site: Path) -> None:
    for path in sample_site.rglob("*.html"):
        page = parse_page(path)
        assert all(kind == "application/ld+json" for kind, _ in page.scripts), path
        assert not any(name.startswith("on") for _, name, _ in page.attributes), path
        assert not any(tag == "img" for tag, _ in page.elements), path


def test_javascript_and_data_iris_never_become_links(sample_site: Path) -> None:
    for path in sample_site.rglob("*.html"):
        for _, url, _ in parse_page(path).links:
            assert not url.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))
    page = parse_page(sample_site / "city/be/script-alert-1-script.html")
    text = page.text_of()
    assert "javascript:alert(3)" in text  # shown as text
    assert "data:text/html,%3Cb%3Ex%3C/b%3E" in text
    source = parse_page(sample_site / "source/hostile.html").text_of()
    assert "javascript:alert(document.cookie)" in source


@pytest.mark.parametrize(
    "text",
    ["</script><script>alert(1)</script>", "<!--", "]]>", "a & b", "\u2028"],
)
def test_script_json_cannot_close_the_element(text: str) -> None:
    graph = Graph()
    graph.add((URIRef(BASE + "x"), CN.sourceText, Literal(text)))
    escaped = str(script_json(graph.serialize(format="json-ld")))
    assert "<" not in escaped and ">" not in escaped and "&" not in escaped
    assert set(Graph().parse(data=escaped, format="json-ld")) == set(graph)


@pytest.mark.parametrize(
    ("iri", "ok"),
    [
        ("https://efus.eu/", True),
        ("HTTP://EXAMPLE.ORG/x", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("\thttps://example.org/", False),
        ("data:text/html,x", False),
        ("file:///etc/passwd", False),
        ("//example.org/x", False),
        ("https://example.org/\nx", False),
    ],
)
def test_only_http_iris_are_links(iri: str, ok: bool) -> None:
    assert is_http(iri) is ok


# --------------------------------------------------------------------------------------
# Unsafe IRIs under the base (reliability case B32)
# --------------------------------------------------------------------------------------

UNSAFE = [
    "city/..%2F..%2Fetc%2Fpasswd",
    "city/../../../../escaped",
    "/etc/passwd",  # base + "/etc/passwd": an absolute path after the base
    "city/be/con",
    "city/be/Liège",
    "city/be/liege?x=1",
    "city/be/.hidden",
    "city//be",
]


@pytest.mark.parametrize("path", UNSAFE)
def test_unsafe_iri_is_refused_and_nothing_is_written(tmp_path: Path, path: str) -> None:
    iri = BASE + path
    graph = tmp_path / "g.trig"
    graph.write_text(
        f"<{BASE}source/x> {{ <{BASE}city/be/liege> <{CN.twinnedWith}> <{iri}> . }}\n",
        encoding="utf-8",
    )
    before = sorted(str(p) for p in tmp_path.parent.rglob("*"))
    result = CliRunner().invoke(cli, ["site", str(graph), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: unsafe IRI")
    assert f"<{iri}>" in lines[0]
    assert sorted(str(p) for p in tmp_path.parent.rglob("*")) == before
    assert not (tmp_path / "out").exists()


def test_iris_outside_the_base_are_linked_not_written(sample_site: Path) -> None:
    written = {str(p.relative_to(sample_site)) for p in sample_site.rglob("*")}
    assert not any("geonames" in p or "efus.eu" in p or "example.org" in p for p in written)
    page = parse_page(sample_site / "city/be/liege.html")
    assert ("a", "https://sws.geonames.org/2792413/") in {(t, u) for t, u, _ in page.links}


def test_graph_with_nothing_under_the_base_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["site", str(SAMPLE), "--out", str(tmp_path / "out"), "--base-iri", "https://x.test/"],
    )
    assert result.exit_code == 2, result.output
    assert "no resource in the graph has an IRI under https://x.test/" in result.output


# --------------------------------------------------------------------------------------
# The map
# --------------------------------------------------------------------------------------


def test_map_has_one_marker_per_city_with_coordinates(built) -> None:
    _, dataset, out, result = built
    cities = typed(dataset, CN.City) | typed(dataset, CN.Region)
    placed = {c for c in cities if dataset.value(URIRef(c), GEO.lat) is not None}
    members = {c for c in cities if dataset.value(URIRef(c), CN.memberPage) is not None}
    page = parse_page(out / "map.svg")
    main_map = [attrs for _, attrs in page.elements if attrs.get("data-map") == "city-map"]
    markers = [attrs for attrs in main_map if "city-marker" in (attrs.get("class") or "")]
    assert sorted(m["data-iri"] for m in markers) == sorted(placed)
    assert result.markers == len(placed)
    assert {m["data-iri"] for m in markers if "member" in (m["class"] or "").split()} == (
        placed & members
    )
    # Every marker sits inside a link to its city's page.
    links = [attrs["href"] for attrs in main_map if attrs.get("class") == "city-link"]
    assert sorted(links) == sorted(c[len(BASE) :] + ".html" for c in placed)
    assert not any(tag == "script" and attrs.get("src") for tag, attrs in page.elements)


def _inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    """Even-odd rule: does a horizontal ray from the point cross the ring an odd number of times."""
    x, y = point
    crossings = 0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def test_the_bundled_outlines_are_the_worlds_countries() -> None:
    rings = svgmap.country_rings()
    assert len(rings) == 285
    assert all(-180 <= x <= 180 and -90 <= y <= 90 for ring in rings for x, y in ring)
    # Land where cities are, sea where there is none (longitude, latitude).
    for city in ((5.57, 50.63), (2.35, 48.86), (-9.14, 38.72), (139.7, 35.7), (-58.4, -34.6)):
        assert sum(_inside(city, ring) for ring in rings) == 1, city
    for sea in ((-30.0, 40.0), (5.0, 40.0), (-140.0, 0.0), (80.0, -30.0)):
        assert not any(_inside(sea, ring) for ring in rings), sea


def test_the_maps_draw_the_country_outlines_in_view(built) -> None:
    _, _, out, _ = built
    svg = (out / "map.svg").read_text()
    land = svg[svg.index('<g class="land">') : svg.index('<g class="graticule">')]
    assert 0 < land.count('<path d="M') <= len(svgmap.country_rings())
    if (out / "map-detail.svg").exists():  # closer: fewer outlines, only those in view
        detail = (out / "map-detail.svg").read_text()
        assert 0 < detail.count('<path d="M') < land.count('<path d="M')


def test_map_lines_join_twins_and_project_partners(sample_site: Path) -> None:
    page = parse_page(sample_site / "map.svg")
    lines = {
        (attrs["class"], attrs["data-a"], attrs["data-b"])
        for tag, attrs in page.elements
        if tag == "line" and attrs.get("data-map") == "city-map"
    }
    liege, nancy = BASE + "city/be/liege", BASE + "city/fr/nancy"
    maastricht = BASE + "city/nl/maastricht"
    # Plzeň has no coordinates, so its twinning is not drawn.
    assert lines == {
        ("twinning-link", liege, nancy),
        ("twinning-link", liege, maastricht),
        ("project-link", liege, nancy),
    }


# --------------------------------------------------------------------------------------
# Ontology, VoID/DCAT, content negotiation rules
# --------------------------------------------------------------------------------------


def test_ontology_page_has_an_anchor_for_every_term(sample_site: Path) -> None:
    from citynet.graph.vocab import CN as terms

    page = parse_page(sample_site / "ontology.html")
    names = [str(term).rsplit("#", 1)[1] for term in dir(terms)]
    assert len(names) == 51
    missing = [name for name in names if name not in page.ids]
    assert missing == []
    assert "citynet ontology" in page.text_of()
    assert (sample_site / "ontology.ttl").read_bytes() == (
        ROOT / "ontology/citynet.ttl"
    ).read_bytes()
    assert len(Graph().parse(sample_site / "ontology.jsonld", format="json-ld")) == len(
        Graph().parse(ROOT / "ontology/citynet.ttl")
    )


def test_void_counts_licence_dump_and_endpoint(sample_site: Path) -> None:
    void = Graph().parse(sample_site / "void.ttl")
    dataset_iri = URIRef(BASE + "void.ttl#dataset")
    data = load_graph([SAMPLE])
    triples = {(s, p, o) for s, p, o, _ in data.quads((None, None, None, None))}
    assert void.value(dataset_iri, VOID.triples).toPython() == len(triples) == 187
    assert void.value(dataset_iri, DCTERMS.license) == URIRef(site_module.DEFAULT_LICENSE)
    assert void.value(dataset_iri, VOID.dataDump) == URIRef(BASE + "citynet.nq")
    assert void.value(dataset_iri, VOID.sparqlEndpoint) == URIRef("https://example.org/sparql")
    partitions = {
        void.value(part, VOID["class"]): void.value(part, VOID.entities).toPython()
        for part in void.objects(dataset_iri, VOID.classPartition)
    }
    assert partitions[CN.City] == 6
    assert partitions[CN.Project] == 3
    assert partitions[CN.Participation] == 6


def test_dump_is_strict_nquads_of_every_quad(built) -> None:
    graph, dataset, out, _ = built
    dumped = list(ox.parse(path=str(out / "citynet.nq"), format=ox.RdfFormat.N_QUADS))
    source = list(ox.parse(path=str(graph), format=ox.RdfFormat.TRIG))
    assert len(dumped) == len(set(source)) == len(list(dataset.quads((None, None, None, None))))
    assert set(dumped) == set(source)
    lines = (out / "citynet.nq").read_bytes().splitlines()
    assert lines == sorted(lines)


def test_void_without_endpoint_names_none(tmp_path: Path) -> None:
    build_site([SAMPLE], tmp_path / "out")
    void = Graph().parse(tmp_path / "out" / "void.ttl")
    assert list(void.objects(None, VOID.sparqlEndpoint)) == []


@pytest.mark.parametrize(
    ("accept", "suffix"),
    [
        (None, ".html"),
        ("", ".html"),
        ("*/*", ".html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ".html"),
        ("text/turtle", ".ttl"),
        ("text/turtle;q=0.9, application/ld+json", ".jsonld"),
        ("application/ld+json", ".jsonld"),
        ("text/*", ".html"),
        ("text/html;q=0.1, text/turtle", ".ttl"),
        ("application/rdf+xml", ".rdf"),
        ("application/n-triples", ".nt"),
        ("text/turtle, */*", ".ttl"),  # no q-values: a bare wildcard counts 0.01
        ("text/turtle;q=0.5, */*", ".html"),  # a q-value given: */* counts 1
        ("text/turtle;q=0.5, text/html;q=0.5", ".html"),  # a tie: our order
        ("text/turtle;q=0.0009", None),  # three decimals: 0.000
        ("text/turtle;q=.5, text/html;q=0.4", ".ttl"),
        ("text/turtle;q=bogus", ".ttl"),  # Apache reads an odd q as 1
        ("text/html;q=0", None),
        ("image/png", None),
    ],
)
def test_negotiation(accept: str | None, suffix: str | None) -> None:
    assert negotiate(accept) == suffix


def test_negotiation_offers_only_what_the_resource_has() -> None:
    assert negotiate(None, (".ttl", ".jsonld")) == ".ttl"
    assert negotiate("text/html", (".ttl", ".jsonld")) is None
    assert negotiate("text/html, */*;q=0.1", (".ttl", ".jsonld")) == ".ttl"


def test_server_rules_are_the_generated_ones(sample_site: Path) -> None:
    """The files match their generators; tests/test_servers.py runs them on real servers."""
    assert (sample_site / ".htaccess").read_text() == htaccess()
    assert (sample_site / ".server/nginx-server.conf").read_text() == nginx_server()
    assert (sample_site / ".server/citynet.js").read_text() == njs_module()
    http = (sample_site / ".server/nginx-http.conf").read_text()
    assert f"js_import citynet from {sample_site}/.server/citynet.js;" in http
    suffixes = (".html", ".ttl", ".jsonld", ".rdf", ".nt")
    assert (sample_site / "city/be/.liege.var").read_text() == type_map("city/be/liege", suffixes)


# --------------------------------------------------------------------------------------
# Atomic writes (reliability case F10) and what may be replaced
# --------------------------------------------------------------------------------------


def test_full_disk_leaves_the_previous_site_intact(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    build_site([SAMPLE], out)
    before = tree_digest(out)
    written = {"n": 0}
    real_write = sitefiles.write_file

    def full_disk(path: Path, data: bytes) -> None:
        written["n"] += 1
        if written["n"] > 20:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real_write(path, data)

    monkeypatch.setattr(sitefiles, "write_file", full_disk)
    result = CliRunner().invoke(cli, ["site", str(SAMPLE), "--out", str(out)])
    assert result.exit_code == 4, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {out}: cannot write the site: No space left on device")
    assert written["n"] == 21  # writing stops at the first failure
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left


def test_unwritable_location_is_exit_4(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["site", str(SAMPLE), "--out", str(blocker / "site")])
    assert result.exit_code == 4, result.output
    assert "cannot write the site" in result.output
    assert blocker.read_text() == "not a folder"


def test_rerun_replaces_the_whole_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site([SAMPLE], out)
    stale = out / "city" / "xx" / "gone.html"
    stale.parent.mkdir()
    stale.write_text("from an older build")
    build_site([SAMPLE], out)
    assert not stale.exists()
    assert (out / SITE_MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.txt").write_text("precious")
    result = CliRunner().invoke(cli, ["site", str(SAMPLE), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "is not a citynet site" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["thesis.txt"]


def test_site_touches_no_network(tmp_path: Path) -> None:
    connections: list[object] = []
    active = {"on": True}

    def hook(event: str, args: tuple) -> None:
        if active["on"] and event == "socket.connect":
            connections.append(args)

    sys.addaudithook(hook)  # hooks cannot be removed; the flag turns this one off
    try:
        build_site([SAMPLE], tmp_path / "out", sparql_endpoint="https://example.org/sparql")
    finally:
        active["on"] = False
    assert connections == []


def test_detail_map_shows_the_members_region(sample_site: Path) -> None:
    page = parse_page(sample_site / "map-detail.svg")
    detail = {
        attrs["data-iri"]
        for tag, attrs in page.elements
        if tag == "circle" and attrs.get("data-map") == "detail-map"
    }
    # Members: Liège, Nancy, the hostile city (Brussels' coordinates); Maastricht lies in
    # their padded box, Cascais does not.
    assert detail == {
        BASE + "city/be/liege",
        BASE + "city/fr/nancy",
        BASE + "city/nl/maastricht",
        BASE + "city/be/script-alert-1-script",
    }


def test_a_description_holds_incoming_links_and_neighbour_labels(sample_site: Path) -> None:
    graph = Graph().parse(sample_site / "city/be/liege.ttl")
    liege = URIRef(BASE + "city/be/liege")
    nancy = URIRef(BASE + "city/fr/nancy")
    # Nancy's page states the twinning with Liège: Liège's document shows it too.
    assert (nancy, CN.twinnedWith, liege) in graph
    assert len(set(graph.triples((None, None, liege)))) == 9
    assert graph.value(nancy, RDFS.label) == Literal("Nancy", lang="en")
    assert graph.value(liege, VOID.inDataset) == URIRef(BASE + "void.ttl#dataset")


def test_above_the_limit_incoming_links_are_on_pages_of_their_own(tmp_path: Path) -> None:
    """A resource with more links than the limit: its page and RDF link to a paged list."""
    hub = URIRef(BASE + "country/zz")
    count = INCOMING_LIMIT * 2 + 1
    graph = Dataset()
    named = graph.graph(URIRef(BASE + "source/hub"))
    named.add((hub, RDFS.label, Literal("Hub", lang="en")))
    for n in range(count):
        city = URIRef(f"{BASE}city/zz/c{n:03d}")
        named.add((city, CN.country, hub))
        named.add((city, RDFS.label, Literal(f"City {n:03d}", lang="en")))
    source = tmp_path / "hub.trig"
    graph.serialize(source, format="trig")
    out = tmp_path / "out"
    build_site([source], out)
    rdf = Graph().parse(out / "country/zz.ttl")
    assert len(set(rdf.triples((None, CN.country, hub)))) == INCOMING_LIMIT
    assert rdf.value(hub, RDFS.seeAlso) == URIRef(BASE + "country/zz.incoming-1.html")
    page = parse_page(out / "country/zz.html")
    assert ("a", "zz.incoming-1.html") in {(tag, url) for tag, url, _ in page.links}
    assert f"Referenced by ({count})" in page.text_of()
    assert len([u for _, u, _ in page.links if u.startswith("../city/zz/c")]) == INCOMING_LIMIT
    listed: list[str] = []
    for number in (1, 2, 3):
        lines = parse_page(out / f"country/zz.incoming-{number}.html")
        listed += [u for _, u, _ in lines.links if u.startswith("../city/zz/c")]
        rel = {attrs.get("rel"): u for _, u, attrs in lines.links if attrs.get("rel")}
        assert rel.get("prev") == (f"zz.incoming-{number - 1}.html" if number > 1 else None)
        assert rel.get("next") == (f"zz.incoming-{number + 1}.html" if number < 3 else None)
    assert listed == [f"../city/zz/c{n:03d}.html" for n in range(count)]
    assert not (out / "country/zz.incoming-4.html").exists()
    assert not list(out.glob("city/zz/*.incoming-*"))  # one link each: under the limit


def test_one_shared_jsonld_context_reads_as_plain_json(sample_site: Path) -> None:
    context = json.loads((sample_site / "context.jsonld").read_text())["@context"]
    assert context["twinnedWith"] == {"@id": str(CN.twinnedWith), "@type": "@id"}
    assert context["label"] == {"@id": str(RDFS.label), "@container": "@language"}
    assert context["population"]["@type"] == "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"
    for path in sample_site.rglob("*.jsonld"):
        if path.name == "context.jsonld":
            continue
        data = json.loads(path.read_text())
        depth = len(path.relative_to(sample_site).parts) - 1
        assert data["@context"] == "../" * depth + "context.jsonld", path
    liege = json.loads((sample_site / "city/be/liege.jsonld").read_text())
    (node,) = [n for n in liege["@graph"] if n["@id"] == BASE + "city/be/liege"]
    assert node["label"] == {"en": "Liège"}
    assert node["twinnedWith"] == [
        BASE + "city/cz/plzen",
        BASE + "city/fr/nancy",
        BASE + "city/nl/maastricht",
    ]
    assert node["lat"] == "50.63373"


def test_the_maps_are_files_of_their_own(built) -> None:
    """The index embeds the maps by reference (an <object>), not their markup."""
    _, _, out, _ = built
    index = (out / "index.html").read_text()
    assert '<object class="map-frame" data="map.svg" type="image/svg+xml"' in index
    assert "data-iri" not in index and '<svg id="city-map"' not in index
    svg = (out / "map.svg").read_text()
    assert svg.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert '<?xml-stylesheet href="style.css" type="text/css"?>' in svg
    assert 'target="_top"' in svg  # a marker opens the city page in the whole window
