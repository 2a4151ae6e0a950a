"""The mapping: records to quads, with checked literals and the IRI policy."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from citynet.graph.mapping import (
    Mapper,
    iri_term,
    plain_literal,
    temporal_literal,
    text_literal,
    year_literal,
)
from citynet.read.records import ActivityMention, Membership, PageRecord, Period, PlaceName, Twin

BASE = "https://example.org/data/"
CN = "https://w3id.org/citynet/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def liege_record() -> PageRecord:
    record = PageRecord(path="pages/liege.txt", content_sha256="ab" * 32)
    record.source_url = "https://efus.eu/about-us/liege/"
    record.city = PlaceName("Liège", country="Belgium", country_code="BE", geonames_id=2792413)
    record.population = 190000
    record.memberships.append(Membership("efus", 1995, 18, "Member since : 1995"))
    record.twins.append(
        Twin(
            PlaceName("Aix-la-Chapelle", "Germany", resolved_name="Aachen", country_code="DE"),
            None,
            15,
            "Aix-la-Chapelle (Germany)",
        )
    )
    record.activities.append(
        ActivityMention(
            kind="project",
            title="Goal Project",
            role="partner",
            line=27,
            text="Partner of …",
            periods=[Period("2009", "2012", "2009-2012")],
            network_id="31294",
        )
    )
    record.activities.append(
        ActivityMention(
            kind="event",
            title="General Assembly",
            role="attendee",
            line=45,
            text="GA…",
            periods=[Period("2013-06-27", None, "27th June 2013")],
            event_kind="general-assembly",
            place=PlaceName("Cascais", "Portugal", country_code="PT"),
        )
    )
    return record


def objects(quads: list[Quad], subject: str, predicate: str) -> list:
    return sorted(
        (
            q.object
            for q in quads
            if q.subject == NamedNode(subject) and q.predicate == NamedNode(predicate)
        ),
        key=str,
    )


def test_page_graph_and_iris() -> None:
    quads, warnings = Mapper(BASE).map_page(liege_record())
    assert warnings == []
    graphs = {q.graph_name for q in quads}
    assert graphs == {NamedNode(BASE + "source/liege")}
    city = BASE + "city/be/liege"
    assert objects(quads, city, CN + "population") == [
        Literal("190000", datatype=NamedNode(XSD + "nonNegativeInteger"))
    ]
    assert objects(quads, city, "http://www.w3.org/2002/07/owl#sameAs") == [
        NamedNode("https://sws.geonames.org/2792413/")
    ]
    assert objects(quads, city, CN + "twinnedWith") == [NamedNode(BASE + "city/de/aachen")]
    assert objects(
        quads, BASE + "city/de/aachen", "http://www.w3.org/2004/02/skos/core#altLabel"
    ) == [Literal("Aix-la-Chapelle")]
    assert objects(quads, BASE + "project/31294", CN + "startYear") == [
        Literal("2009", datatype=NamedNode(XSD + "gYear"))
    ]
    event = BASE + "event/2013-06-27/general-assembly/cascais"
    assert objects(quads, event, CN + "startDate") == [
        Literal("2013-06-27", datatype=NamedNode(XSD + "date"))
    ]
    assert objects(quads, event, CN + "place") == [NamedNode(BASE + "city/pt/cascais")]
    participation = BASE + "participation/city/be/liege/project/31294/partner"
    assert objects(quads, participation, CN + "role") == [NamedNode(CN + "PartnerRole")]
    assert objects(quads, participation, CN + "sourceLine") == [
        Literal("27", datatype=NamedNode(XSD + "integer"))
    ]
    membership = BASE + "membership/city/be/liege/efus"
    assert objects(quads, membership, CN + "since") == [
        Literal("1995", datatype=NamedNode(XSD + "gYear"))
    ]
    twinning = BASE + "twinning/be/liege/de/aachen"
    assert len(objects(quads, twinning, CN + "twinCity")) == 2


def test_no_blank_nodes_and_deterministic() -> None:
    first, _ = Mapper(BASE).map_page(liege_record())
    second, _ = Mapper(BASE).map_page(liege_record())
    assert first == second
    assert not any(
        type(term).__name__ == "BlankNode" for q in first for term in (q.subject, q.object)
    )


@pytest.mark.parametrize("value", ["2009-2012", "09", "20090", "", "2009 "])
def test_year_literal_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        year_literal(value)


@pytest.mark.parametrize("value", ["2009-02-30", "2009-13", "31-06-2009", "June 2009"])
def test_temporal_literal_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        temporal_literal(value)


@pytest.mark.parametrize(
    ("value", "datatype"),
    [("2009", "gYear"), ("2009-06", "gYearMonth"), ("2010-02-28", "date")],
)
def test_temporal_literal_types(value: str, datatype: str) -> None:
    assert temporal_literal(value) == str(Literal(value, datatype=NamedNode(XSD + datatype)))


def test_literals_are_escaped_as_pyoxigraph_writes_them() -> None:
    """Every code point, alone and between letters, as pyoxigraph writes it in N-Triples."""
    values = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
    values += ['a"b\\c\nd\r\te\x7f', "Liège \u2019s “link”", ""]
    for value in values:
        assert plain_literal(value) == str(Literal(value)), hex(ord(value[0])) if value else ""
    assert text_literal("Saint-Étienne", "FR-be") == str(Literal("Saint-Étienne", language="fr-be"))


def test_language_tags_and_outside_iris_are_checked() -> None:
    with pytest.raises(ValueError):
        text_literal("x", "not a tag")
    with pytest.raises(ValueError):
        iri_term("https://example.org/a b")
    assert iri_term("https://efus.eu/about-us/liege/") == "<https://efus.eu/about-us/liege/>"


def test_bad_base_iri_is_refused() -> None:
    with pytest.raises(ValueError):
        Mapper("not an iri with spaces/")
