"""Every RDF term citynet uses, as namespace objects (no IRI strings elsewhere).

``CN`` lists the ontology's terms; tests/test_ontology.py holds it against
ontology/citynet.ttl, so a term missing on either side fails the suite.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)
from rdflib.term import URIRef

from citynet.common.iris import DEFAULT_BASE_IRI  # noqa: F401 - the vocabulary's default base

ONTOLOGY_IRI = "https://w3id.org/citynet/ontology"


class CN(DefinedNamespace):
    """The citynet ontology (https://w3id.org/citynet/ontology#)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # Classes
    LocalAuthority: URIRef
    City: URIRef
    Region: URIRef
    Country: URIRef
    Network: URIRef
    NationalForum: URIRef
    Membership: URIRef
    Office: URIRef
    Twinning: URIRef
    Activity: URIRef
    Project: URIRef
    Event: URIRef
    Participation: URIRef
    SourcePage: URIRef

    # Local authorities and countries
    country: URIRef
    population: URIRef
    populationYear: URIRef
    safetyContractYear: URIRef
    website: URIRef
    isoCode: URIRef
    euCountry: URIRef
    memberPage: URIRef

    # Membership and offices
    member: URIRef
    network: URIRef
    since: URIRef
    foundingMember: URIRef
    holder: URIRef
    officeRole: URIRef
    body: URIRef

    # Twinning
    twinnedWith: URIRef
    twinCity: URIRef

    # Activities
    networkId: URIRef
    subtitle: URIRef
    eventKind: URIRef
    place: URIRef
    startYear: URIRef
    endYear: URIRef
    startDate: URIRef
    endDate: URIRef

    # Participation
    participant: URIRef
    activity: URIRef
    role: URIRef

    # Provenance
    sourceLine: URIRef
    sourceText: URIRef
    fileName: URIRef
    contentHash: URIRef
    readerVersion: URIRef
    cityNamedBy: URIRef

    # SKOS concept schemes and their concepts
    Roles: URIRef
    EventKinds: URIRef
    Offices: URIRef


#: Concept IRIs are the scheme's id in CamelCase, so "general-assembly" is
#: cn:GeneralAssembly; roles end in "Role" and offices in "Office" to stay distinct.
def _camel(identifier: str) -> str:
    return "".join(part.capitalize() for part in identifier.split("-"))


def role_concept(role: str) -> URIRef:
    return URIRef(f"{CN._NS}{_camel(role)}Role")


def event_kind_concept(kind: str) -> URIRef:
    return URIRef(f"{CN._NS}{_camel(kind)}")


def office_concept(office: str) -> URIRef:
    return URIRef(f"{CN._NS}{_camel(office)}Office")


SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GEONAMES = Namespace("https://sws.geonames.org/")
#: Wikidata items, in the concept-IRI form Wikidata's own RDF uses (http, /entity/).
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
#: Wikidata as a source (dcterms:source of the graph of imported twin-town claims).
WIKIDATA_SITE = URIRef("https://www.wikidata.org/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
VANN = Namespace("http://purl.org/vocab/vann/")
#: PAV: where and when a page `citynet fetch` wrote was retrieved (not a bound prefix:
#: only fetched pages use it).
PAV = Namespace("http://purl.org/pav/")
#: SPARQL 1.1 Service Description: the publish metadata describes each graph as an sd:NamedGraph.
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
#: The store graph where `citynet publish` records each published graph's triple count and
#: content hash (so re-publishing identical data writes nothing); see src/citynet/publish.py.
PUBLISH_META_GRAPH = URIRef("urn:citynet:publish-meta")

#: Prefixes bound in every graph citynet writes.
PREFIXES: dict[str, Namespace] = {
    "cn": CN._NS,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "prov": Namespace(str(PROV)),
    "dcterms": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "schema": SCHEMA,
    "org": ORG,
    "geo": GEO,
    "sh": Namespace(str(SH)),
    "void": Namespace(str(VOID)),
    "dcat": Namespace(str(DCAT)),
    "eucountry": EU_COUNTRY,
    "vann": VANN,
}
