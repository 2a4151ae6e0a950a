"""The site's RDF files: each resource's formats, the dataset description (VoID and
DCAT-AP 3.0) and the data dump.

``void.ttl`` (and its other formats, negotiated at ``/void`` and ``/.well-known/void``)
describes the data twice over: VoID for linked-data tools (counts, class partitions, the
dump, the SPARQL endpoint) and DCAT-AP 3.0 for European data portals, which harvest a
``dcat:Catalog``. Every object a DCAT-AP range asks for is typed in the file itself
(licence, media types, standards, agents, locations), because harvesters and the SEMIC
SHACL shapes check the description alone, without loading other vocabularies.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from citynet.graph.vocab import (
    CN,
    DCAT,
    DCTERMS,
    FOAF,
    PREFIXES,
    PROV,
    RDF,
    VOID,
    XSD,
)
from citynet.web.conneg import (
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDF_SUFFIXES,
    RDFXML,
    TURTLE,
    type_map,
    type_map_name,
)

#: The site model (citynet.web.generate.Site), which imports this module: named by
#: an alias so that the two modules do not import each other.
Site = Any

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DUMP_FILE = "citynet.nq"
TITLE = "citynet: a city network as linked data"
DESCRIPTION = (
    "Member cities of the European Forum for Urban Security (Efus), their twin cities, "
    "projects and events, from the network's profile pages."
)
KEYWORDS = ("cities", "urban security", "twin towns", "city networks", "linked data")
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"


def iana(media_type: str) -> URIRef:
    """The IANA registry IRI of a media type (DCAT-AP's dcat:mediaType values)."""
    return URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")


def description_graph(site: Site, sparql_endpoint: str | None, license_iri: str) -> Graph:
    """VoID + DCAT-AP 3.0 description of the site's data."""
    void = Graph(bind_namespaces="none")
    for name, namespace in PREFIXES.items():
        void.bind(name, namespace)
    void.bind("vcard", VCARD)
    base = site.base
    dataset = URIRef(base + "void.ttl#dataset")
    _void(void, site, dataset)
    _dcat(void, site, dataset, sparql_endpoint, license_iri)
    document = URIRef(base + "void.ttl")
    void.add((document, RDF.type, VOID.DatasetDescription))
    void.add((document, FOAF.primaryTopic, dataset))
    return void


def _void(void: Graph, site: Site, dataset: URIRef) -> None:
    """Counts and class partitions (VoID 4.5 and 4.6)."""
    add = void.add
    triples = {(s, p, o) for s, pairs in site.out.items() for (p, o) in pairs}
    subjects = {s for s, _, _ in triples}
    local = {s for s in subjects if isinstance(s, URIRef) and site.is_local(s)}
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, VOID.uriSpace, Literal(site.base)))
    add((dataset, VOID.vocabulary, URIRef(site.cn)))
    add((dataset, VOID.triples, Literal(len(triples))))
    add((dataset, VOID.entities, Literal(len(local))))
    add((dataset, VOID.distinctSubjects, Literal(len(subjects))))
    add((dataset, VOID.distinctObjects, Literal(len({o for _, _, o in triples}))))
    add((dataset, VOID.properties, Literal(len({p for _, p, _ in triples}))))
    classes: dict[Node, set[Node]] = defaultdict(set)
    for s, p, o in triples:
        if p == RDF.type:
            classes[o].add(s)
    add((dataset, VOID.classes, Literal(len(classes))))
    for cls, members in sorted(classes.items(), key=lambda kv: str(kv[0])):
        name = str(cls).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        partition = URIRef(f"{site.base}void.ttl#class-{name}")
        add((dataset, VOID.classPartition, partition))
        add((partition, VOID["class"], cls))
        add((partition, VOID.entities, Literal(len(members))))
    add((dataset, VOID.dataDump, URIRef(site.base + DUMP_FILE)))
    for city in site.cities[:1]:
        add((dataset, VOID.exampleResource, city))
    for graph in sorted(site.graph_names):
        add((dataset, PROV.wasDerivedFrom, graph))


def _dcat(
    void: Graph, site: Site, dataset: URIRef, sparql_endpoint: str | None, license_iri: str
) -> None:
    """A DCAT-AP 3.0 catalog holding the dataset, its distributions and the SPARQL service."""
    add = void.add
    base = site.base
    catalog = URIRef(base + "void.ttl#catalog")
    publisher = URIRef(base + "void.ttl#publisher")
    licence = URIRef(license_iri)
    add((publisher, RDF.type, FOAF.Agent))
    add((publisher, FOAF.name, Literal("citynet")))
    add((publisher, FOAF.homepage, URIRef(base)))
    add((licence, RDF.type, DCTERMS.LicenseDocument))
    add((URIRef(base), RDF.type, FOAF.Document))
    for node, cls in ((catalog, DCAT.Catalog), (dataset, DCAT.Dataset)):
        add((node, RDF.type, cls))
        add((node, DCTERMS.title, Literal(TITLE, lang="en")))
        add((node, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
        add((node, DCTERMS.publisher, publisher))
        add((node, DCTERMS.license, licence))
    add((catalog, FOAF.homepage, URIRef(base)))
    add((catalog, DCAT.dataset, dataset))
    add((dataset, DCAT.landingPage, URIRef(base)))
    add((dataset, FOAF.homepage, URIRef(base)))
    for keyword in KEYWORDS:
        add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    _contact(void, site, dataset)
    _coverage(void, site, dataset)
    _distribution(void, dataset, URIRef(base + "void.ttl#dump"), URIRef(base + DUMP_FILE))
    add((URIRef(base + "void.ttl#dump"), DCTERMS.license, licence))
    if sparql_endpoint:
        _service(void, site, catalog, dataset, URIRef(sparql_endpoint), licence)


def _contact(void: Graph, site: Site, dataset: URIRef) -> None:
    contact = URIRef(site.base + "void.ttl#contact")
    void.add((dataset, DCAT.contactPoint, contact))
    void.add((contact, RDF.type, VCARD.Kind))
    void.add((contact, VCARD.fn, Literal("citynet")))
    void.add((contact, VCARD.hasURL, URIRef(site.base)))


def _coverage(void: Graph, site: Site, dataset: URIRef) -> None:
    """dct:spatial (the countries of the cities) and dct:temporal (the activities' years)."""
    countries: set[Node] = set()
    for city in site.cities:
        for country in site.objects(city, CN.country):
            authority = site.objects(country, CN.euCountry)
            countries |= set(authority) or {country}
    for place in sorted(countries, key=str):
        void.add((dataset, DCTERMS.spatial, place))
        void.add((place, RDF.type, DCTERMS.Location))
    years = sorted(
        str(value)[:4]
        for activity in (*site.projects, *site.events)
        for prop in (CN.startYear, CN.startDate, CN.endYear, CN.endDate)
        for value in site.objects(activity, prop)
        if str(value)[:4].isdigit()
    )
    if years:
        period = URIRef(site.base + "void.ttl#period")
        void.add((dataset, DCTERMS.temporal, period))
        void.add((period, RDF.type, DCTERMS.PeriodOfTime))
        void.add((period, DCAT.startDate, Literal(years[0], datatype=XSD.gYear)))
        void.add((period, DCAT.endDate, Literal(years[-1], datatype=XSD.gYear)))


def _distribution(void: Graph, dataset: URIRef, distribution: URIRef, dump: URIRef) -> None:
    media = iana(NQUADS.media_type)
    void.add((dataset, DCAT.distribution, distribution))
    void.add((distribution, RDF.type, DCAT.Distribution))
    void.add((distribution, DCTERMS.title, Literal("Data dump (N-Quads)", lang="en")))
    void.add((distribution, DCAT.accessURL, dump))
    void.add((distribution, DCAT.downloadURL, dump))
    void.add((distribution, DCAT.mediaType, media))
    void.add((media, RDF.type, DCTERMS.MediaType))


def _service(
    void: Graph, site: Site, catalog: URIRef, dataset: URIRef, endpoint: URIRef, licence: URIRef
) -> None:
    add = void.add
    service = URIRef(site.base + "void.ttl#sparql")
    standard = URIRef(SPARQL_PROTOCOL)
    add((dataset, VOID.sparqlEndpoint, endpoint))
    add((catalog, DCAT.service, service))
    add((service, RDF.type, DCAT.DataService))
    add((service, DCTERMS.title, Literal("citynet SPARQL endpoint", lang="en")))
    add((service, DCAT.endpointURL, endpoint))
    add((service, DCAT.servesDataset, dataset))
    add((service, DCTERMS.conformsTo, standard))
    add((service, DCTERMS.license, licence))
    add((standard, RDF.type, DCTERMS.Standard))
    distribution = URIRef(site.base + "void.ttl#sparql-distribution")
    add((dataset, DCAT.distribution, distribution))
    add((distribution, RDF.type, DCAT.Distribution))
    add((distribution, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    add((distribution, DCAT.accessURL, endpoint))
    add((distribution, DCAT.accessService, service))
    add((distribution, DCTERMS.license, licence))


@functools.lru_cache(maxsize=1 << 16)  # the same terms come back on every page
@functools.lru_cache(maxsize=1 << 16)  # the same terms recur on many pages
def ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return ox.Literal(str(term), datatype=datatype)
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


_PREFIXES = {name: str(ns) for name, ns in PREFIXES.items()}


def dump(site: Site) -> bytes:
    """Every quad as sorted N-Quads (named graphs kept): the dataset's data dump.

    Written by pyoxigraph's strict N-Quads writer (rdflib's ``n3()`` would write
    multi-line literals in Turtle's long form, which N-Quads does not allow).
    """
    quads = [
        ox.Quad(
            ox_term(s),  # type: ignore[arg-type]
            ox_term(p),  # type: ignore[arg-type]
            ox_term(o),
            ox.DefaultGraph() if g == site.default_graph else ox_term(g),  # type: ignore[arg-type]
        )
        for s, pairs in site.out.items()
        for (p, o), graphs in pairs.items()
        for g in graphs
    ]
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    return b"".join(sorted(set(text.splitlines(keepends=True))))


def rdf_files(doc: str, graph: Graph, jsonld: str, *, html: bool) -> Iterator[tuple[str, bytes]]:
    """A resource's RDF files and the Apache type map that negotiates among them."""
    # pyoxigraph's writers: several times faster than rdflib's on these small graphs.
    # The triples sorted once (N-Triples' order of terms), so every file's bytes are stable.
    triples = sorted((ox.Triple(*map(ox_term, triple)) for triple in graph), key=str)  # type: ignore[misc]
    yield doc + TURTLE.suffix, ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES)
    yield doc + JSONLD.suffix, jsonld.encode()
    yield (
        doc + RDFXML.suffix,
        ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=_PREFIXES),
    )
    yield doc + NTRIPLES.suffix, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    suffixes = ((".html",) if html else ()) + RDF_SUFFIXES
    yield type_map_name(doc), type_map(doc, suffixes).encode()


def stable_json(value: object, *, ordered: bool = False) -> object:
    """JSON-LD with every unordered array sorted, so the same graph gives the same bytes.

    rdflib emits nodes and values in hash order; arrays under ``@list`` keep their order.
    """
    if isinstance(value, dict):
        return {key: stable_json(item, ordered=key == "@list") for key, item in value.items()}
    if isinstance(value, list):
        items = [stable_json(item) for item in value]
        if ordered:
            return items
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


# --------------------------------------------------------------------------------------
# Templates and web-server rules
# --------------------------------------------------------------------------------------

__all__ = [
    "DUMP_FILE",
    "description_graph",
    "dump",
    "iana",
    "ox_term",
    "rdf_files",
    "stable_json",
]
