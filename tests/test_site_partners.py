"""`citynet site` answers "who works with whom": partners on city pages, partners by
country on project and event pages, the most connected cities on the index, and event
labels that say what, where and when. Graphs written here, so each count is known.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from citynet.web.generate import build_site

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "site" / "sample.trig"
CN = "https://w3id.org/citynet/ontology#"
B = "https://w3id.org/citynet/"

GRAPH = f"""
@prefix cn: <{CN}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{B}source/a> {{
  <{B}country/aa> a cn:Country ; rdfs:label "Aland"@en .
  <{B}country/bb> a cn:Country ; rdfs:label "Bland"@en .
  <{B}city/aa/one> a cn:City ; rdfs:label "One"@en ; cn:country <{B}country/aa> .
  <{B}city/aa/two> a cn:City ; rdfs:label "Two"@en ; cn:country <{B}country/aa> .
  <{B}city/bb/three> a cn:City ; rdfs:label "Three"@en ; cn:country <{B}country/bb> .
  <{B}city/bb/four> a cn:City ; rdfs:label "Four"@en ; cn:country <{B}country/bb> .
  <{B}project/p1> a cn:Project ; rdfs:label "P1"@en .
  <{B}project/p2> a cn:Project ; rdfs:label "P2"@en .
  <{B}event/2001-05-01/assembly/three> a cn:Event ; rdfs:label "Assembly"@en ;
      cn:place <{B}city/bb/three> ; cn:startDate "2001-05-01"^^xsd:date .
  <{B}event/2002-05-01/assembly/four> a cn:Event ; rdfs:label "Assembly"@en ;
      cn:place <{B}city/bb/four> ; cn:startDate "2002-05-01"^^xsd:date .
{
    "".join(
        f'''  <{B}participation/{i}> a cn:Participation ; cn:participant <{B}city/{c}> ;
      cn:activity <{B}{a}> .
'''
        for i, (c, a) in enumerate(
            [
                ("aa/one", "project/p1"),
                ("aa/two", "project/p1"),
                ("bb/three", "project/p1"),
                ("aa/one", "project/p2"),
                ("aa/two", "project/p2"),
                ("aa/one", "event/2001-05-01/assembly/three"),
                ("bb/four", "event/2001-05-01/assembly/three"),
                ("bb/four", "event/2002-05-01/assembly/four"),
            ]
        )
    )
}}}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("partners")
    graph = folder / "g.trig"
    graph.write_text(GRAPH, encoding="utf-8")
    build_site([graph], folder / "out")
    return folder / "out"


def rows(html: str, cls: str) -> list[str]:
    """The text of each element of class ``cls``, tags removed, spaces collapsed."""
    found = re.findall(rf'<(tr|li) class="{cls}"[^>]*>(.*?)</\1>', html, flags=re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", body).split()) for _, body in found]


def test_a_city_page_lists_its_partners_by_shared_items(site: Path) -> None:
    html = (site / "city/aa/one.html").read_text()
    assert "Works with (3 cities, by shared projects and events)" in html
    assert rows(html, "partner") == [
        "Two 2 P1 · P2",
        "Four 1 Assembly, Three, 2001",
        "Three 1 P1",
    ]
    assert 'href="two.html"' in html and 'href="../../project/p2.html"' in html


def test_an_event_alone_makes_no_partner(site: Path) -> None:
    # Four's 2002 assembly has no other participant: only the 2001 one links it to One.
    assert rows((site / "city/bb/four.html").read_text(), "partner") == [
        "One 1 Assembly, Three, 2001"
    ]


def test_a_project_page_lists_partners_by_country(site: Path) -> None:
    html = (site / "project/p1.html").read_text()
    assert rows(html, "country") == ["Aland : One , Two", "Bland : Three"]


def test_events_of_the_same_name_are_told_apart(site: Path) -> None:
    titles = sorted(
        re.search(r"<title>(.*?) ·", (site / f"event/{path}.html").read_text()).group(1)
        for path in ("2001-05-01/assembly/three", "2002-05-01/assembly/four")
    )
    assert titles == ["Assembly, Four, 2002", "Assembly, Three, 2001"]


def test_the_index_lists_the_most_connected_cities(site: Path) -> None:
    """Most partners first; ties in alphabetical order."""
    html = (site / "index.html").read_text()
    section = html[html.index('class="connected"') :]
    section = section[: section.index("</section>")]
    items = [
        " ".join(re.sub(r"<[^>]+>", " ", li).split())
        for li in re.findall(r"<li>(.*?)</li>", section)
    ]
    assert items == [
        "One (3 partners)",
        "Three (2 partners)",
        "Two (2 partners)",
        "Four (1 partner)",
    ]


def test_the_sample_liege_works_with_nancy(tmp_path: Path) -> None:
    build_site([SAMPLE], tmp_path / "out")
    html = (tmp_path / "out/city/be/liege.html").read_text()
    assert rows(html, "partner") == ["Nancy 2 General Assembly, Cascais, 2013 · Goal Project"]
