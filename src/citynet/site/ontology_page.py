"""The ontology reference page of the static site: our own small generator.

pyLODE was the first choice, but its latest release (3.4.1) fails on import (its version
module reads a pyproject.toml the wheel does not ship, RDFLib/pyLODE#260) and it parses
~600 kB of background vocabularies on each run. The citynet ontology is small: classes,
properties and SKOS concept schemes; this collects what the template needs, from the
ontology graph only, nothing fetched.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from citynet.graph.vocab import CN, DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS
from citynet.site.terms import Link, curie, is_http, pick_language

# --------------------------------------------------------------------------------------


def ontology_context(ontology: Graph) -> dict[str, object]:
    cn = str(CN._NS)
    ontology_node = URIRef(ONTOLOGY_IRI)

    def text(node: Node, *props: URIRef) -> str:
        for prop in props:
            values = [o for o in ontology.objects(node, prop) if isinstance(o, Literal)]  # type: ignore[arg-type]
            if values:
                return str(pick_language(values))
        return ""

    def ref(node: Node) -> Link:
        iri = str(node)
        if iri.startswith(cn):
            return Link(text=iri[len(cn) :], href="#" + iri[len(cn) :], iri=iri)
        return Link(
            text=curie(iri) or iri, href=iri if is_http(iri) else None, iri=iri, external=True
        )

    def refs(node: Node, prop: URIRef, *, inverse: bool = False) -> list[Link]:
        nodes = ontology.subjects(prop, node) if inverse else ontology.objects(node, prop)  # type: ignore[arg-type]
        return sorted((ref(n) for n in nodes if isinstance(n, URIRef)), key=lambda link: link.text)

    def terms_of(*types: URIRef) -> list[dict[str, object]]:
        found = sorted(
            {
                s
                for t in types
                for s in ontology.subjects(RDF.type, t)
                if isinstance(s, URIRef) and str(s).startswith(cn)
            },
            key=str,
        )
        out = []
        for term in found:
            kinds = sorted(curie(str(t)) or str(t) for t in ontology.objects(term, RDF.type))
            out.append(
                {
                    "id": str(term)[len(cn) :],
                    "iri": str(term),
                    "label": text(term, RDFS.label, SKOS.prefLabel),
                    "comment": text(term, RDFS.comment, SKOS.definition),
                    "kinds": kinds,
                    "facts": [
                        (name, values)
                        for name, values in (
                            ("subclass of", refs(term, RDFS.subClassOf)),
                            ("superclass of", refs(term, RDFS.subClassOf, inverse=True)),
                            ("subproperty of", refs(term, RDFS.subPropertyOf)),
                            ("domain", refs(term, RDFS.domain)),
                            ("range", refs(term, RDFS.range)),
                            ("inverse of", refs(term, OWL.inverseOf)),
                            ("in domain of", refs(term, RDFS.domain, inverse=True)),
                            ("in range of", refs(term, RDFS.range, inverse=True)),
                            ("in scheme", refs(term, SKOS.inScheme)),
                            ("concepts", refs(term, SKOS.inScheme, inverse=True)),
                            (
                                "notation",
                                [
                                    Link(text=n)
                                    for n in sorted(map(str, ontology.objects(term, SKOS.notation)))
                                ],
                            ),
                        )
                        if values
                    ],
                }
            )
        return out

    metadata = []
    for prop, name in (
        (OWL.versionInfo, "version"),
        (DCTERMS.creator, "creator"),
        (DCTERMS.created, "created"),
        (DCTERMS.modified, "modified"),
        (DCTERMS.license, "licence"),
        (OWL.versionIRI, "version IRI"),
    ):
        for value in sorted(ontology.objects(ontology_node, prop), key=str):
            iri = str(value)
            href = iri if isinstance(value, URIRef) and is_http(iri) else None
            metadata.append((name, Link(text=iri, href=href, external=href is not None)))
    return {
        "ontology_iri": ONTOLOGY_IRI,
        "namespace": cn,
        "ontology_title": text(ontology_node, DCTERMS.title, RDFS.label) or "Ontology",
        "ontology_description": text(ontology_node, DCTERMS.description, RDFS.comment),
        "metadata": metadata,
        "groups": [
            ("Classes", "classes", terms_of(OWL.Class, RDFS.Class)),
            ("Object properties", "object-properties", terms_of(OWL.ObjectProperty)),
            ("Datatype properties", "datatype-properties", terms_of(OWL.DatatypeProperty)),
            ("Annotation properties", "annotation-properties", terms_of(OWL.AnnotationProperty)),
            ("Concept schemes", "concept-schemes", terms_of(SKOS.ConceptScheme)),
            ("Concepts", "concepts", terms_of(SKOS.Concept)),
        ],
    }


__all__ = ["ontology_context"]
