"""ontology/citynet.ttl against src/citynet/vocab.py: the same terms on both sides.

The mapping only uses terms from vocab.CN and the concept helpers, so if these tests pass
every term in the data is declared, labelled in English and French, and aligned.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from citynet.graph import vocab
from citynet.graph.vocab import (
    CN,
    DCTERMS,
    FOAF,
    ONTOLOGY_IRI,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    VANN,
    event_kind_concept,
    office_concept,
    role_concept,
)
from citynet.read.records import EVENT_KINDS, OFFICES, ROLES

ONTOLOGY_FILE = Path(__file__).resolve().parents[1] / "ontology" / "citynet.ttl"
NS = str(CN._NS)
ONTOLOGY = URIRef(ONTOLOGY_IRI)

#: Every term the CN DefinedNamespace lists (its annotations are the term names).
CN_TERMS = {CN[name] for name in CN.__annotations__}
SCHEMES = {CN.Roles, CN.EventKinds, CN.Offices}
#: scheme -> {concept IRI: id}, built the way the mapping builds them.
CONCEPTS = {
    CN.Roles: {role_concept(i): i for i in ROLES},
    CN.EventKinds: {event_kind_concept(i): i for i in EVENT_KINDS},
    CN.Offices: {office_concept(i): i for i in OFFICES},
}
ALL_CONCEPTS = {c for concepts in CONCEPTS.values() for c in concepts}
DECLARATION_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme}


@pytest.fixture(scope="module")
def g() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def _langs(g: Graph, s: URIRef, p: URIRef) -> list[str | None]:
    return sorted((o.language or "") for o in g.objects(s, p) if isinstance(o, Literal))


def _cn_iris_anywhere(g: Graph) -> set[URIRef]:
    return {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(NS)}


# --- the two term lists agree -------------------------------------------------------------


def test_vocab_lists_fifty_one_terms_and_22_concepts() -> None:
    # Exact sizes, so a term added on one side only shows up here first.
    assert len(CN_TERMS) == 51
    assert len(ALL_CONCEPTS) == len(ROLES) + len(EVENT_KINDS) + len(OFFICES) == 22
    # Concept IRIs never collide with a class or property name.
    assert not ALL_CONCEPTS & CN_TERMS


def test_declared_cn_terms_equal_vocab_plus_concepts(g: Graph) -> None:
    declared = {s for s in g.subjects(RDF.type, None) if str(s).startswith(NS)}
    assert declared == CN_TERMS | ALL_CONCEPTS


def test_every_term_is_defined_by_the_ontology(g: Graph) -> None:
    declared = {s for s in g.subjects(RDF.type, None) if str(s).startswith(NS)}
    assert len(declared) == len(CN_TERMS | ALL_CONCEPTS)
    for term in declared:
        assert set(g.objects(term, RDFS.isDefinedBy)) == {URIRef(ONTOLOGY_IRI)}, term
    # Only our own terms: the external ones we declare are defined elsewhere.
    assert {s for s in g.subjects(RDFS.isDefinedBy, None)} == declared


def test_no_undeclared_cn_iri_anywhere_in_the_file(g: Graph) -> None:
    # Catches typos in domains, ranges, restrictions and scheme lists.
    assert _cn_iris_anywhere(g) == CN_TERMS | ALL_CONCEPTS


@pytest.mark.parametrize("term", sorted(CN_TERMS), ids=lambda t: t.removeprefix(NS))
def test_every_vocab_term_is_declared_with_a_kind(g: Graph, term: URIRef) -> None:
    kinds = set(g.objects(term, RDF.type)) & DECLARATION_TYPES
    assert len(kinds) == 1, f"{term} declared as {kinds}"
    name = term.removeprefix(NS)
    if term in SCHEMES:
        assert kinds == {SKOS.ConceptScheme}
    elif name[0].isupper():
        assert kinds == {OWL.Class}
    else:
        assert kinds <= {OWL.ObjectProperty, OWL.DatatypeProperty}


@pytest.mark.parametrize("term", sorted(CN_TERMS - SCHEMES), ids=lambda t: t.removeprefix(NS))
def test_every_term_has_label_and_comment_in_english_and_french(g: Graph, term: URIRef) -> None:
    assert _langs(g, term, RDFS.label) == ["en", "fr"]
    assert _langs(g, term, RDFS.comment) == ["en", "fr"]


@pytest.mark.parametrize("scheme", sorted(SCHEMES), ids=lambda t: t.removeprefix(NS))
def test_every_scheme_has_preflabel_and_definition_in_english_and_french(
    g: Graph, scheme: URIRef
) -> None:
    assert _langs(g, scheme, SKOS.prefLabel) == ["en", "fr"]
    assert _langs(g, scheme, SKOS.definition) == ["en", "fr"]


# --- SKOS concepts ------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", sorted(SCHEMES), ids=lambda t: t.removeprefix(NS))
def test_scheme_concepts_match_records_ids(g: Graph, scheme: URIRef) -> None:
    concepts = CONCEPTS[scheme]
    assert set(g.subjects(SKOS.inScheme, scheme)) == set(concepts)
    assert set(g.subjects(SKOS.topConceptOf, scheme)) == set(concepts)
    assert set(g.objects(scheme, SKOS.hasTopConcept)) == set(concepts)
    for concept, identifier in concepts.items():
        assert (concept, RDF.type, SKOS.Concept) in g
        assert set(g.objects(concept, SKOS.inScheme)) == {scheme}
        assert set(g.objects(concept, SKOS.notation)) == {Literal(identifier)}
        assert _langs(g, concept, SKOS.prefLabel) == ["en", "fr"]
        assert "en" in _langs(g, concept, SKOS.definition)


def test_concept_iris_examples() -> None:
    assert role_concept("partner") == URIRef(NS + "PartnerRole")
    assert role_concept("associate-partner") == URIRef(NS + "AssociatePartnerRole")
    assert event_kind_concept("general-assembly") == URIRef(NS + "GeneralAssembly")
    assert office_concept("executive-committee") == URIRef(NS + "ExecutiveCommitteeOffice")


def test_preflabels_are_unique_per_language_within_a_scheme(g: Graph) -> None:
    # SKOS integrity condition S14.
    for concepts in CONCEPTS.values():
        for lang in ("en", "fr"):
            labels = [
                str(o)
                for c in concepts
                for o in g.objects(c, SKOS.prefLabel)
                if isinstance(o, Literal) and o.language == lang
            ]
            assert len(labels) == len(set(labels)) == len(concepts)


def test_office_concepts_are_org_roles(g: Graph) -> None:
    for concept in CONCEPTS[CN.Offices]:
        assert (concept, RDF.type, ORG.Role) in g


# --- ontology metadata --------------------------------------------------------------------


def test_ontology_header(g: Graph) -> None:
    assert set(g.subjects(RDF.type, OWL.Ontology)) == {ONTOLOGY}

    def one(p: URIRef) -> object:
        values = list(g.objects(ONTOLOGY, p))
        assert len(values) == 1, f"{p}: {values}"
        return values[0]

    assert set(g.objects(ONTOLOGY, DCTERMS.title)) == {
        Literal("citynet ontology", lang="en"),
        Literal("ontologie citynet", lang="fr"),
    }
    assert _langs(g, ONTOLOGY, DCTERMS.description) == ["en", "fr"]
    assert one(OWL.versionIRI) == URIRef("https://w3id.org/citynet/ontology/0.1.0")
    assert one(OWL.versionInfo) == Literal("0.1.0")
    assert one(DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    creator = one(DCTERMS.creator)  # an agent with a name, not a string
    assert set(g.objects(creator, RDF.type)) == {FOAF.Organization}
    assert set(g.objects(creator, FOAF.name)) == {Literal("citynet contributors")}
    assert one(DCTERMS.created) == Literal("2026-11-26", datatype=vocab.XSD.date)
    assert one(DCTERMS.modified) == Literal("2026-11-26", datatype=vocab.XSD.date)
    assert one(VANN.preferredNamespacePrefix) == Literal("cn")
    assert one(VANN.preferredNamespaceUri) == Literal("https://w3id.org/citynet/ontology#")
    # The description tells how provenance works: one named graph per source page.
    description = next(o for o in g.objects(ONTOLOGY, DCTERMS.description) if o.language == "en")
    for phrase in ("named graph", "cn:SourcePage", "prov:wasDerivedFrom", "cn:sourceLine"):
        assert phrase in description


def test_version_info_matches_package_version(g: Graph) -> None:
    from importlib.metadata import version

    assert g.value(ONTOLOGY, OWL.versionInfo) == Literal(version("citynet"))


def test_no_owl_imports(g: Graph) -> None:
    # Parsing the ontology must never fetch anything.
    assert list(g.objects(None, OWL.imports)) == []


# --- parses strictly elsewhere too --------------------------------------------------------


def test_parses_with_pyoxigraph_strict_to_the_same_graph(g: Graph) -> None:
    # pyoxigraph's Turtle parser is strict by default (no lenient=True): a bad IRI, an
    # undefined prefix or a malformed literal raises SyntaxError here.
    triples = list(pyoxigraph.parse(path=str(ONTOLOGY_FILE), format=pyoxigraph.RdfFormat.TURTLE))
    nt = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode()
    assert len(triples) == len(g)
    assert isomorphic(Graph().parse(data=nt, format="nt"), g)


# --- OWL sanity ---------------------------------------------------------------------------


def test_twinned_with_is_symmetric(g: Graph) -> None:
    assert set(g.objects(CN.twinnedWith, RDF.type)) == {OWL.ObjectProperty, OWL.SymmetricProperty}
    assert g.value(CN.twinnedWith, RDFS.domain) == CN.LocalAuthority
    assert g.value(CN.twinnedWith, RDFS.range) == CN.LocalAuthority


def test_no_term_is_both_object_and_datatype_property(g: Graph) -> None:
    objects = set(g.subjects(RDF.type, OWL.ObjectProperty))
    datatypes = set(g.subjects(RDF.type, OWL.DatatypeProperty))
    annotations = set(g.subjects(RDF.type, OWL.AnnotationProperty))
    assert not objects & datatypes
    assert not (objects | datatypes) & annotations


def test_functional_properties_are_exactly_these(g: Graph) -> None:
    functional = {s for s in g.subjects(RDF.type, OWL.FunctionalProperty)}
    assert functional == {
        CN.country,
        CN.isoCode,
        CN.euCountry,
        CN.member,
        CN.network,
        CN.foundingMember,
        CN.holder,
        CN.body,
        CN.officeRole,
        CN.eventKind,
        CN.participant,
        CN.activity,
        CN.role,
        CN.fileName,
        CN.contentHash,
        CN.readerVersion,
        CN.cityNamedBy,
    }


def test_every_property_has_a_range_and_every_range_has_the_right_kind(g: Graph) -> None:
    object_props = {p for p in g.subjects(RDF.type, OWL.ObjectProperty) if p in CN_TERMS}
    datatype_props = {p for p in g.subjects(RDF.type, OWL.DatatypeProperty) if p in CN_TERMS}
    for p in object_props:
        (rng,) = g.objects(p, RDFS.range)
        assert (rng, RDF.type, OWL.Class) in g, f"{p} range {rng} is not a class"
    for p in datatype_props:
        (rng,) = g.objects(p, RDFS.range)
        if isinstance(rng, BNode):
            assert (rng, RDF.type, RDFS.Datatype) in g
        else:
            assert str(rng).startswith((str(vocab.XSD), str(RDF))), f"{p} range {rng}"


def test_every_property_has_a_domain_in_the_ontology(g: Graph) -> None:
    for p in CN_TERMS:
        if (p, RDF.type, OWL.ObjectProperty) in g or (p, RDF.type, OWL.DatatypeProperty) in g:
            (domain,) = g.objects(p, RDFS.domain)
            if isinstance(domain, BNode):
                members = list(Collection(g, g.value(domain, OWL.unionOf)))
                assert members and all(m in CN_TERMS for m in members)
            else:
                assert domain in CN_TERMS


@pytest.mark.parametrize(
    ("prop", "rng"),
    [
        (CN.population, vocab.XSD.nonNegativeInteger),
        (CN.populationYear, vocab.XSD.gYear),
        (CN.safetyContractYear, vocab.XSD.gYear),
        (CN.since, vocab.XSD.gYear),
        (CN.startYear, vocab.XSD.gYear),
        (CN.endYear, vocab.XSD.gYear),
        (CN.networkId, vocab.XSD.string),
        (CN.isoCode, vocab.XSD.string),
        (CN.sourceLine, vocab.XSD.integer),
        (CN.sourceText, vocab.XSD.string),
        (CN.fileName, vocab.XSD.string),
        (CN.contentHash, vocab.XSD.string),
        (CN.readerVersion, vocab.XSD.string),
        (CN.cityNamedBy, vocab.XSD.string),
        (CN.foundingMember, vocab.XSD.boolean),
        (CN.subtitle, RDF.langString),
        (CN.website, FOAF.Document),
        (CN.memberPage, CN.SourcePage),
        (CN.country, CN.Country),
        (CN.place, CN.LocalAuthority),
        (CN.role, SKOS.Concept),
        (CN.eventKind, SKOS.Concept),
        (CN.officeRole, SKOS.Concept),
    ],
    ids=lambda v: v.removeprefix(NS) if str(v).startswith(NS) else "",
)
def test_ranges(g: Graph, prop: URIRef, rng: URIRef) -> None:
    assert list(g.objects(prop, RDFS.range)) == [rng]


@pytest.mark.parametrize("prop", [CN.startDate, CN.endDate], ids=["startDate", "endDate"])
def test_date_ranges_are_a_union_of_date_month_and_year(g: Graph, prop: URIRef) -> None:
    (rng,) = g.objects(prop, RDFS.range)
    assert (rng, RDF.type, RDFS.Datatype) in g
    assert list(Collection(g, g.value(rng, OWL.unionOf))) == [
        vocab.XSD.date,
        vocab.XSD.gYearMonth,
        vocab.XSD.gYear,
    ]
    assert (prop, RDF.type, OWL.DatatypeProperty) in g


def test_twinning_has_exactly_two_twin_cities(g: Graph) -> None:
    (restriction,) = (o for o in g.objects(CN.Twinning, RDFS.subClassOf) if isinstance(o, BNode))
    assert g.value(restriction, OWL.onProperty) == CN.twinCity
    assert g.value(restriction, OWL.cardinality) == Literal(
        2, datatype=vocab.XSD.nonNegativeInteger
    )


# --- alignments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (CN.LocalAuthority, ORG.Organization),
        (CN.LocalAuthority, SCHEMA.AdministrativeArea),
        (CN.City, CN.LocalAuthority),
        (CN.City, SCHEMA.City),
        (CN.Region, CN.LocalAuthority),
        (CN.Region, SCHEMA.AdministrativeArea),
        (CN.Country, SCHEMA.Country),
        (CN.Network, ORG.FormalOrganization),
        (CN.NationalForum, CN.Network),
        (CN.Membership, ORG.Membership),
        (CN.Office, ORG.Membership),
        (CN.Project, CN.Activity),
        (CN.Project, SCHEMA.Project),
        (CN.Event, CN.Activity),
        (CN.Event, SCHEMA.Event),
        (CN.SourcePage, PROV.Entity),
        (CN.SourcePage, FOAF.Document),
    ],
)
def test_class_alignment(g: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in g


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (CN.member, ORG.member),
        (CN.network, ORG.organization),
        (CN.holder, ORG.member),
        (CN.body, ORG.organization),
        (CN.officeRole, ORG.role),
        (CN.place, SCHEMA.location),
        (CN.startDate, SCHEMA.startDate),
        (CN.endDate, SCHEMA.endDate),
        (CN.website, FOAF.homepage),
        (CN.memberPage, FOAF.page),
        (CN.country, SCHEMA.containedInPlace),
        (CN.isoCode, SKOS.notation),
    ],
)
def test_property_alignment(g: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subPropertyOf, sup) in g


def test_external_terms_used_are_declared_with_their_kind(g: Graph) -> None:
    # Every non-cn class or property we point at has an OWL kind, so OWL tools that do
    # not import schema.org / ORG / FOAF still know what each term is.
    external = {
        o
        for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.range)
        for o in g.objects(None, p)
        if isinstance(o, URIRef) and not str(o).startswith((NS, str(vocab.XSD), str(RDF)))
    }
    assert external
    for term in external:
        kinds = set(g.objects(term, RDF.type))
        assert kinds & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, term
