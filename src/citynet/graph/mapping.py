"""Records to RDF: the only stage that creates RDF terms.

Each page becomes one named graph (its cn:SourcePage IRI) holding everything the page
states plus the descriptions of the nodes it mentions, so a page graph stands on its own
(it can be replaced alone in a triple store). Every literal is checked against its XML
Schema lexical form here, before it exists.

Terms are their N-Triples text ("<iri>", '"text"@en'), not pyoxigraph objects: a page
makes ~160 quads, and building a pyoxigraph Quad costs up to 2 µs (a literal object is
tried as an IRI and a blank node first), more than writing its line. IRIs that do not
come from the IRI policy (a page's source URL and websites) and language tags are still
checked by pyoxigraph; :func:`as_quads` turns a page into pyoxigraph quads when a caller
needs them.
"""

from __future__ import annotations

import os
import re
from datetime import date
from functools import lru_cache
from pathlib import PurePath

import pycountry
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse
from rdflib.term import URIRef

from citynet.common import iris
from citynet.graph.vocab import (
    CN,
    DCTERMS,
    EU_COUNTRY,
    GEO,
    GEONAMES,
    OWL,
    PAV,
    PROV,
    RDF,
    RDFS,
    SKOS,
    XSD,
    event_kind_concept,
    office_concept,
    role_concept,
)
from citynet.read.records import ActivityMention, PageRecord, PageWarning, Period, PlaceName
from citynet.settings import __version__

EFUS_NAME = "European Forum for Urban Security"
EFUS_SLUG = "efus"


Term = str  # an RDF term in N-Triples form
Triple = tuple[Term, Term, Term]

# What N-Triples (and pyoxigraph's writers) escape in a literal: C0 controls, quote,
# backslash, DEL and the two noncharacters U+FFFE and U+FFFF (tests/test_mapping.py checks
# every code point against pyoxigraph).
_ESCAPES = {code: f"\\u{code:04X}" for code in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"})
_ESCAPES.update({0x22: '\\"', 0x5C: "\\\\"})
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f\ufffe\uffff]')


def quoted(value: str) -> str:
    """The quoted form of a literal's lexical value."""
    if _NEEDS_ESCAPE.search(value):
        value = value.translate(_ESCAPES)
    return f'"{value}"'


def iri_term(iri: str) -> Term:
    """An IRI from outside the IRI policy, checked (raises ValueError when invalid)."""
    return str(NamedNode(iri))


@lru_cache(maxsize=512)
def term(uri: URIRef | str) -> Term:
    """A vocabulary term (from citynet.vocab)."""
    return f"<{uri}>"


class _Nodes:
    """A vocabulary namespace whose terms are made once each.

    An rdflib namespace lookup costs about a microsecond and a page makes ~160 quads;
    after its first use a term here is a plain attribute.
    """

    def __init__(self, namespace: object) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> Term:
        node = term(str(getattr(self._namespace, name)))
        setattr(self, name, node)
        return node


_CN, _DCTERMS, _GEO, _OWL, _PAV, _PROV, _RDF, _RDFS, _SKOS, _XSD = (
    _Nodes(ns) for ns in (CN, DCTERMS, GEO, OWL, PAV, PROV, RDF, RDFS, SKOS, XSD)
)

# Paths of the IRI policy (citynet.iris): slugs, ids and dates between slashes. Anything
# else is checked as an IRI before it is written.
_POLICY_PATH = re.compile(r"[A-Za-z0-9._~/-]*")
_YEAR = re.compile(r"^[0-9]{4}$")
_YEAR_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})$"
)


def year_literal(value: int | str) -> Term:
    text = str(value)
    if not _YEAR.match(text):
        raise ValueError(f"not an xsd:gYear: {text!r}")
    return f'"{text}"^^{_XSD.gYear}'


def temporal_literal(value: str) -> Term:
    """xsd:date, xsd:gYearMonth or xsd:gYear, whichever the lexical value is."""
    if _YEAR.match(value):
        return year_literal(value)
    if _YEAR_MONTH.match(value):
        return f'"{value}"^^{_XSD.gYearMonth}'
    match = _DATE.match(value)
    if match:
        date(int(match[1]), int(match[2]), int(match[3]))  # raises on 2009-02-30
        return f'"{value}"^^{_XSD.date}'
    raise ValueError(f"not an xsd:date, gYearMonth or gYear: {value!r}")


def date_time_literal(value: str) -> Term:
    """An xsd:dateTime with its time zone, as the fetch log writes it."""
    if not _DATE_TIME.match(value):
        raise ValueError(f"not an xsd:dateTime with a time zone: {value!r}")
    return f'"{value}"^^{_XSD.dateTime}'


def count_literal(value: int) -> Term:
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"not an xsd:nonNegativeInteger: {value!r}")
    return f'"{value}"^^{_XSD.nonNegativeInteger}'


def integer_literal(value: int) -> Term:
    return f'"{int(value)}"^^{_XSD.integer}'


def decimal_literal(value: float) -> Term:
    return f'"{value:.5f}"^^{_XSD.decimal}'


@lru_cache(maxsize=64)
def _language(tag: str) -> str:
    """A language tag checked and normalised (lower case) as pyoxigraph does."""
    return Literal("", language=tag).language  # type: ignore[return-value]


def text_literal(value: str, language: str) -> Term:
    return f"{quoted(value)}@{_language(language)}"


def plain_literal(value: str) -> Term:
    return quoted(value)


def ntriples(triples: list[Triple]) -> str:
    """The N-Triples lines of triples."""
    if not triples:
        return ""
    return "\n".join([f"{s} {p} {o}" for s, p, o in triples]) + "\n"


def in_graph(lines: str, graph: Term) -> str:
    """N-Triples lines as N-Quads lines in a graph (a literal's line breaks are escaped,
    so every line break ends a triple)."""
    return lines.replace("\n", f" {graph} .\n")


def as_quads(triples: list[Triple], graph: Term) -> list[Quad]:
    """Triples of one graph as pyoxigraph quads, in order (repeats kept)."""
    return list(parse(in_graph(ntriples(triples), graph).encode(), format=RdfFormat.N_QUADS))


@lru_cache(maxsize=512)
def country_info(code: str) -> tuple[str, str | None]:
    """English name and ISO alpha-3 of an alpha-2 code (alpha-3 names the EU authority IRI)."""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code.upper(), None
    return getattr(country, "common_name", None) or country.name, country.alpha_3


def page_slug(record: PageRecord) -> str:
    """The page's identity in IRIs: its file name without the suffix."""
    return name_slug(os.path.basename(record.path))  # PurePath(...).name, 10 times faster


def name_slug(name: str) -> str:
    """:func:`page_slug` of a page file called ``name``."""
    return name[: -len(".txt")] if name.endswith(".txt") else PurePath(name).stem


class Mapper:
    """Mints IRIs under a base and turns resolved page records into quads."""

    def __init__(self, base_iri: str) -> None:
        if not base_iri.endswith("/"):
            base_iri += "/"
        NamedNode(base_iri)  # fail early on an invalid base
        self.base = base_iri

    def iri(self, path: str) -> Term:
        """The IRI of a path of the IRI policy under the base."""
        if _POLICY_PATH.fullmatch(path):
            return f"<{self.base}{path}>"
        return iri_term(self.base + path)  # not one of the policy's plain paths: check it

    # Node identities ---------------------------------------------------------------

    def place_path(self, place: PlaceName) -> str:
        if place.path:  # set by resolution
            return place.path
        name = place.resolved_name or place.name
        return iris.city_path(name, place.country_code, kind=place.kind)

    def activity_path(self, mention: ActivityMention) -> str:
        if mention.key:
            return mention.key
        if mention.kind == "project":
            return iris.project_path(mention.title, mention.network_id)
        first = next((p.start for p in mention.periods if p.start), None)
        place = mention.place.resolved_name or mention.place.name if mention.place else None
        return iris.event_path(first, mention.event_kind or "other", place or mention.title)

    def graph_of_file(self, name: str) -> Term:
        """The graph IRI of the page file called ``name``, before reading it."""
        return self.iri(iris.source_path(name_slug(name)))

    # Mapping -----------------------------------------------------------------------

    def map_page_triples(self, record: PageRecord) -> tuple[Term, list[Triple], list[PageWarning]]:
        """The page's graph IRI, its triples in the order made (with repeats), warnings."""
        if record.city is None:
            raise ValueError(f"{record.path}: page has no city; resolve it before mapping")
        emitter = _PageEmitter(self, record)
        emitter.emit_page()
        return emitter.g, emitter.triples, emitter.warnings

    def map_page(self, record: PageRecord) -> tuple[list[Quad], list[PageWarning]]:
        graph, triples, warnings = self.map_page_triples(record)
        return as_quads(triples, graph), warnings


class _PageEmitter:
    def __init__(self, mapper: Mapper, record: PageRecord) -> None:
        self.m = mapper
        self.r = record
        self.g = mapper.iri(iris.source_path(page_slug(record)))
        self.lang = record.language or "en"
        self.triples: list[Triple] = []
        self.warnings: list[PageWarning] = []
        self._described: set[str] = set()
        self._labels: dict[str, str] = {}  # place path -> its rdfs:label on this page

    def add(self, s: Term, p: Term, o: Term) -> None:
        self.triples.append((s, p, o))

    def warn(self, line: int, text: str, message: str, code: str = "literal") -> None:
        self.warnings.append(PageWarning(self.r.path, line, text, message, code=code))

    def literal_or_warn(self, make, value, line: int, text: str) -> Term | None:  # type: ignore[no-untyped-def]
        try:
            return make(value)
        except ValueError as error:
            self.warn(line, text, str(error))
            return None

    # ---

    def emit_page(self) -> None:
        """The page's triples, in named steps: its source node, its city, the city's
        memberships, offices, twinnings and activities."""
        r = self.r
        assert r.city is not None
        self.page_node()
        city = self.place(r.city)
        self.city_facts(city)
        efus = self.network(EFUS_SLUG, EFUS_NAME)
        self.memberships(city, efus)
        self.offices(city, efus)
        city_path = self.m.place_path(r.city)
        self.twinnings(city, city_path)
        for mention in r.activities:
            self.activity(city, city_path, mention)

    def page_node(self) -> None:
        r, g = self.r, self.g
        self.add(g, _RDF.type, _CN.SourcePage)
        if r.source_url:
            try:
                self.add(g, _DCTERMS.source, iri_term(r.source_url))
            except ValueError:
                self.warn(1, r.source_url, "source URL is not a valid IRI", code="iri")
        self.add(g, _CN.fileName, plain_literal(os.path.basename(r.path)))
        self.add(g, _CN.contentHash, plain_literal(f"sha256:{r.content_sha256}"))
        self.add(g, _CN.readerVersion, plain_literal(__version__))
        if r.city_origin:
            self.add(g, _CN.cityNamedBy, plain_literal(r.city_origin))
        self.add(g, _DCTERMS.language, plain_literal(self.lang))
        self.retrieval()

    def retrieval(self) -> None:
        """Where and when `citynet fetch` got the page (its fetch log says; read/pages)."""
        r, g = self.r, self.g
        if r.fetched_from:
            try:
                self.add(g, _PAV.retrievedFrom, iri_term(r.fetched_from))
            except ValueError:
                self.warn(1, r.fetched_from, "fetched-from URL is not a valid IRI", code="iri")
        if r.fetched_at:
            try:
                self.add(g, _PAV.retrievedOn, date_time_literal(r.fetched_at))
            except ValueError:
                self.warn(1, r.fetched_at, "fetch time is not an xsd:dateTime", code="literal")

    def city_facts(self, city: Term) -> None:
        r = self.r
        self.add(city, _CN.memberPage, self.g)
        if r.population is not None:
            lit = self.literal_or_warn(
                count_literal, r.population, r.population_line or 0, str(r.population)
            )
            if lit is not None:
                self.add(city, _CN.population, lit)
        if r.population_year is not None:
            lit = self.literal_or_warn(
                year_literal, r.population_year, r.population_line or 0, str(r.population_year)
            )
            if lit is not None:
                self.add(city, _CN.populationYear, lit)
        for period in r.safety_contracts:
            for value in (period.start, period.end):
                if value:
                    self.add(city, _CN.safetyContractYear, year_literal(value[:4]))
        for url in r.websites:
            try:
                self.add(city, _CN.website, iri_term(url))
            except ValueError:
                self.warn(0, url, "website is not a valid IRI", code="iri")
        if r.description:
            self.add(city, _DCTERMS.description, text_literal("\n".join(r.description), self.lang))

    def memberships(self, city: Term, efus: Term) -> None:
        r = self.r
        assert r.city is not None
        for membership in r.memberships:
            network = efus if membership.network == EFUS_SLUG else self.forum(membership.network)
            body = iris.slug(membership.network)
            node = self.m.iri(f"membership/{self.m.place_path(r.city)}/{body}")
            self.add(node, _RDF.type, _CN.Membership)
            self.add(node, _CN.member, city)
            self.add(node, _CN.network, network)
            if membership.since is not None:
                lit = self.literal_or_warn(
                    year_literal, membership.since, membership.line, membership.text
                )
                if lit is not None:
                    self.add(node, _CN.since, lit)
            if membership.founding:
                self.add(node, _CN.foundingMember, f'"true"^^{_XSD.boolean}')
            self.source(node, membership.line, membership.text)

    def offices(self, city: Term, efus: Term) -> None:
        r = self.r
        assert r.city is not None
        for office in r.offices:
            body_node = efus if office.body == EFUS_SLUG else self.forum(office.body)
            path = f"office/{self.m.place_path(r.city)}/{iris.slug(office.body)}/{office.office}"
            if office.start is not None:
                path += f"/{office.start}"
            node = self.m.iri(path)
            self.add(node, _RDF.type, _CN.Office)
            self.add(node, _CN.holder, city)
            self.add(node, _CN.body, body_node)
            self.add(node, _CN.officeRole, term(office_concept(office.office)))
            for prop, value in ((_CN.startYear, office.start), (_CN.endYear, office.end)):
                if value is not None:
                    lit = self.literal_or_warn(year_literal, value, office.line, office.text)
                    if lit is not None:
                        self.add(node, prop, lit)
            self.source(node, office.line, office.text)

    def twinnings(self, city: Term, city_path: str) -> None:
        for twin in self.r.twins:
            other = self.place(twin.place)
            other_path = self.m.place_path(twin.place)
            if other_path == city_path:
                self.warn(twin.line, twin.text, "a city cannot be twinned with itself", "twin")
                continue
            self.add(city, _CN.twinnedWith, other)
            a, b = sorted((city_path, other_path))
            node = self.m.iri(f"twinning/{a.split('/', 1)[1]}/{b.split('/', 1)[1]}")
            self.add(node, _RDF.type, _CN.Twinning)
            self.add(node, _CN.twinCity, city)
            self.add(node, _CN.twinCity, other)
            if twin.since is not None:
                lit = self.literal_or_warn(year_literal, twin.since, twin.line, twin.text)
                if lit is not None:
                    self.add(node, _CN.since, lit)
            self.source(node, twin.line, twin.text)

    def source(self, node: Term, line: int, text: str) -> None:
        self.add(node, _PROV.wasDerivedFrom, self.g)
        self.add(node, _CN.sourceLine, integer_literal(line))
        self.add(node, _CN.sourceText, plain_literal(text.strip()))

    def place(self, place: PlaceName) -> Term:
        path = self.m.place_path(place)
        node = self.m.iri(path)
        if path in self._described:
            # Another spelling of the node (or a slug collision, which resolution reports):
            # keep it, never drop it silently.
            if place.name != self._labels.get(path, place.name):
                self.add(node, _SKOS.altLabel, plain_literal(place.name))
            return node
        self._described.add(path)
        self.add(node, _RDF.type, _CN.Region if place.kind == "region" else _CN.City)
        label = place.resolved_name or place.name
        self._labels[path] = label
        self.add(node, _RDFS.label, text_literal(label, "en"))
        if place.name != label:
            self.add(node, _SKOS.altLabel, plain_literal(place.name))
        if place.country_code:
            self.add(node, _CN.country, self.country(place.country_code))
        if place.geonames_id is not None:
            self.add(node, _OWL.sameAs, f"<{GEONAMES}{place.geonames_id}/>")
        if place.latitude is not None and place.longitude is not None:
            self.add(node, _GEO.lat, decimal_literal(place.latitude))
            self.add(node, _GEO.long, decimal_literal(place.longitude))
        return node

    def country(self, code: str) -> Term:
        path = iris.country_path(code)
        node = self.m.iri(path)
        if path not in self._described:
            self._described.add(path)
            name, alpha3 = country_info(code)
            self.add(node, _RDF.type, _CN.Country)
            self.add(node, _RDFS.label, text_literal(name, "en"))
            self.add(node, _CN.isoCode, plain_literal(code.upper()))
            if alpha3:
                self.add(node, _CN.euCountry, f"<{EU_COUNTRY}{alpha3}>")
        return node

    def network(self, slug: str, name: str) -> Term:
        path = iris.network_path(slug)
        node = self.m.iri(path)
        if path not in self._described:
            self._described.add(path)
            self.add(node, _RDF.type, _CN.Network)
            self.add(node, _RDFS.label, text_literal(name, "en"))
            if slug == EFUS_SLUG:
                self.add(node, _SKOS.altLabel, plain_literal("Efus"))
        return node

    def forum(self, name: str) -> Term:
        path = iris.network_path(name)
        node = self.m.iri(path)
        if path not in self._described:
            self._described.add(path)
            self.add(node, _RDF.type, _CN.NationalForum)
            self.add(node, _RDFS.label, text_literal(name, self.lang))
        return node

    def activity(self, city: Term, city_path: str, mention: ActivityMention) -> None:
        path = self.m.activity_path(mention)
        node = self.m.iri(path)
        if path not in self._described:
            self._described.add(path)
            is_project = mention.kind == "project"
            self.add(node, _RDF.type, _CN.Project if is_project else _CN.Event)
            if mention.label or mention.title:
                label = mention.label or mention.title
                self.add(node, _RDFS.label, text_literal(label, self.lang))
            if mention.subtitle:
                self.add(node, _CN.subtitle, text_literal(mention.subtitle, self.lang))
            if mention.network_id:
                self.add(node, _CN.networkId, plain_literal(mention.network_id))
            if not is_project:
                kind = mention.event_kind or "other"
                self.add(node, _CN.eventKind, term(event_kind_concept(kind)))
                for place in ([mention.place] if mention.place else []) + mention.more_places:
                    self.add(node, _CN.place, self.place(place))
            self.period(node, mention, mention.periods, years=is_project)
        place = mention.place.name if mention.place else None
        if mention.label and mention.title not in ("", mention.label, place):
            # Resolution chose one label for the pages' spellings: this one is another
            # (a title that only names the event's place is no spelling of it).
            self.add(node, _SKOS.altLabel, plain_literal(mention.title))
        base = f"participation/{city_path}/{path}/{mention.role}"
        dated = [p for p in mention.periods if p.start]
        if mention.kind == "project" and len(dated) > 1:
            # "2000-2004, 2006-2009": one participation per interval, each with its years.
            spans = [(f"{base}/{p.start[:4]}", [p]) for p in dated]  # type: ignore[index]
        else:
            spans = [(base, mention.periods if mention.kind == "project" else [])]
        for iri_path, periods in spans:
            participation = self.m.iri(iri_path)
            self.add(participation, _RDF.type, _CN.Participation)
            self.add(participation, _CN.participant, city)
            self.add(participation, _CN.activity, node)
            self.add(participation, _CN.role, term(role_concept(mention.role)))
            self.period(participation, mention, periods, years=True)
            self.source(participation, mention.line, mention.text)

    def period(
        self, node: Term, mention: ActivityMention, periods: list[Period], *, years: bool
    ) -> None:
        starts = [p.start for p in periods if p.start]
        ends = [p.end or p.start for p in periods if p.end or p.start]
        if not starts:
            return
        start, end = min(starts), max(e for e in ends if e)
        if years:
            props = ((_CN.startYear, start[:4]), (_CN.endYear, end[:4]))
            make = year_literal
        else:
            props = ((_CN.startDate, start), (_CN.endDate, end))
            make = temporal_literal
        for prop, value in props:
            lit = self.literal_or_warn(make, value, mention.line, mention.text)
            if lit is not None:
                self.add(node, prop, lit)
