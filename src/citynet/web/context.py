"""The one JSON-LD context of the site (``/context.jsonld``), made from the ontology.

Every JSON-LD file of the site names this document as its ``@context`` (by a relative
reference, so the site works under any base and from disk), instead of carrying a
prefix list of its own: a web developer reads ``"twinnedWith": ["…/city/de/koln"]`` and
``"label": {"en": "Liège"}`` as plain JSON. Object properties are ``@type: @id``,
datatype properties carry their XSD range, labels are language maps.
"""

from __future__ import annotations

import json

from rdflib import Graph, URIRef

from citynet.graph.vocab import CN, GEO, OWL, PREFIXES, RDF, RDFS, SKOS, VOID, XSD

CONTEXT_FILE = "context.jsonld"

#: Terms from other vocabularies every page uses (name, IRI, definition).
_COMMON: dict[str, dict[str, str]] = {
    "label": {"@id": str(RDFS.label), "@container": "@language"},
    "prefLabel": {"@id": str(SKOS.prefLabel), "@container": "@language"},
    "comment": {"@id": str(RDFS.comment), "@container": "@language"},
    "sameAs": {"@id": str(OWL.sameAs), "@type": "@id"},
    "seeAlso": {"@id": str(RDFS.seeAlso), "@type": "@id"},
    "lat": {"@id": str(GEO.lat), "@type": str(XSD.decimal)},
    "long": {"@id": str(GEO.long), "@type": str(XSD.decimal)},
    "inDataset": {"@id": str(VOID.inDataset), "@type": "@id"},
}


def _local(iri: URIRef) -> str | None:
    namespace = str(CN._NS)
    local = str(iri)[len(namespace) :] if str(iri).startswith(namespace) else ""
    return local if local.isidentifier() else None


def jsonld_context(ontology: Graph) -> dict[str, object]:
    """Prefixes, then a term per citynet property (typed by the ontology), then _COMMON."""
    terms: dict[str, object] = {name: str(ns) for name, ns in sorted(PREFIXES.items())}
    for prop in sorted(ontology.subjects(RDF.type, OWL.ObjectProperty)):
        name = _local(prop)  # type: ignore[arg-type]
        if name and name not in terms:
            terms[name] = {"@id": str(prop), "@type": "@id"}
    for prop in sorted(ontology.subjects(RDF.type, OWL.DatatypeProperty)):
        name = _local(prop)  # type: ignore[arg-type]
        if not name or name in terms:
            continue
        ranges = [r for r in ontology.objects(prop, RDFS.range) if str(r).startswith(str(XSD))]
        terms[name] = {"@id": str(prop)}
        if len(ranges) == 1 and ranges[0] != XSD.string:
            terms[name] = {"@id": str(prop), "@type": str(ranges[0])}
    for name, definition in _COMMON.items():
        terms.setdefault(name, definition)
    return terms


def context_document(context: dict[str, object]) -> bytes:
    return (json.dumps({"@context": context}, ensure_ascii=False, indent=2) + "\n").encode()


__all__ = ["CONTEXT_FILE", "context_document", "jsonld_context"]
