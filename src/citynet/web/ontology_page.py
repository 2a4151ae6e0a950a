"""The ontology reference page of the static site: our own small generator.

pyLODE was the first choice, but its latest release (3.4.1) fails on import (its version
module reads a pyproject.toml the wheel does not ship, RDFLib/pyLODE#260) and it parses
~600 kB of background vocabularies on each run. The citynet ontology is small: classes,
properties and SKOS concept schemes; this collects what the template needs, from the
ontology graph only, nothing fetched.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from citynet.graph.vocab import CN, DCTERMS, FOAF, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS
from citynet.web.conneg import TURTLE
from citynet.web.dataset import rdf_files
from citynet.web.terms import Link, curie, is_http, pick_language

#: The site model (citynet.web.generate.Site), which imports this module.
Site = Any
ONTOLOGY_DOC = "ontology"  # the ontology pages: ontology.html / .ttl / .jsonld
#: The version IRI's path below the ontology IRI ("/0.1.0"): dotted numbers are fine here.
_VERSION_PATH = re.compile(r"(/[A-Za-z0-9][A-Za-z0-9._-]*)+")

_FACTS: tuple[tuple[str, URIRef, bool], ...] = (
    ("subclass of", RDFS.subClassOf, False),
    ("superclass of", RDFS.subClassOf, True),
    ("subproperty of", RDFS.subPropertyOf, False),
    ("domain", RDFS.domain, False),
    ("range", RDFS.range, False),
    ("inverse of", OWL.inverseOf, False),
    ("in domain of", RDFS.domain, True),
    ("in range of", RDFS.range, True),
    ("in scheme", SKOS.inScheme, False),
    ("concepts", SKOS.inScheme, True),
)
_METADATA = (
    (OWL.versionInfo, "version"),
    (DCTERMS.creator, "creator"),
    (DCTERMS.created, "created"),
    (DCTERMS.modified, "modified"),
    (DCTERMS.license, "licence"),
    (OWL.versionIRI, "version IRI"),
)
_GROUPS = (
    ("Classes", "classes", (OWL.Class, RDFS.Class)),
    ("Object properties", "object-properties", (OWL.ObjectProperty,)),
    ("Datatype properties", "datatype-properties", (OWL.DatatypeProperty,)),
    ("Annotation properties", "annotation-properties", (OWL.AnnotationProperty,)),
    ("Concept schemes", "concept-schemes", (SKOS.ConceptScheme,)),
    ("Concepts", "concepts", (SKOS.Concept,)),
)


class _Reader:
    """What the ontology page shows of one term, read from the ontology graph."""

    def __init__(self, ontology: Graph) -> None:
        self.ontology = ontology
        self.cn = str(CN._NS)

    def text(self, node: Node, *props: URIRef) -> str:
        for prop in props:
            values = [o for o in self.ontology.objects(node, prop) if isinstance(o, Literal)]  # type: ignore[arg-type]
            if values:
                return str(pick_language(values))
        return ""

    def ref(self, node: Node) -> Link:
        iri = str(node)
        if iri.startswith(self.cn):
            local = iri[len(self.cn) :]
            return Link(text=local, href="#" + local, iri=iri)
        return Link(
            text=curie(iri) or iri, href=iri if is_http(iri) else None, iri=iri, external=True
        )

    def refs(self, node: Node, prop: URIRef, *, inverse: bool = False) -> list[Link]:
        graph = self.ontology
        nodes = graph.subjects(prop, node) if inverse else graph.objects(node, prop)  # type: ignore[arg-type]
        links = (self.ref(n) for n in nodes if isinstance(n, URIRef))
        return sorted(links, key=lambda link: link.text)

    def term(self, term: URIRef) -> dict[str, object]:
        notations = sorted(map(str, self.ontology.objects(term, SKOS.notation)))
        facts = [(name, self.refs(term, prop, inverse=inv)) for name, prop, inv in _FACTS]
        facts.append(("notation", [Link(text=n) for n in notations]))
        return {
            "id": str(term)[len(self.cn) :],
            "iri": str(term),
            "label": self.text(term, RDFS.label, SKOS.prefLabel),
            "comment": self.text(term, RDFS.comment, SKOS.definition),
            "kinds": sorted(curie(str(t)) or str(t) for t in self.ontology.objects(term, RDF.type)),
            "facts": [(name, values) for name, values in facts if values],
        }

    def terms_of(self, types: tuple[URIRef, ...]) -> list[dict[str, object]]:
        found = {
            s
            for t in types
            for s in self.ontology.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(self.cn)
        }
        return [self.term(term) for term in sorted(found, key=str)]

    def metadata(self, node: URIRef) -> list[tuple[str, Link]]:
        rows = []
        for prop, name in _METADATA:
            for value in sorted(self.ontology.objects(node, prop), key=str):
                iri = str(value)
                href = iri if isinstance(value, URIRef) and is_http(iri) else None
                text = self.text(value, FOAF.name) or iri  # an agent by its name
                rows.append((name, Link(text=text, href=href, external=href is not None)))
        return rows


def ontology_context(ontology: Graph) -> dict[str, object]:
    """What ontology.html shows: the ontology's metadata and its terms by kind."""
    reader = _Reader(ontology)
    node = URIRef(ONTOLOGY_IRI)
    return {
        "ontology_iri": ONTOLOGY_IRI,
        "namespace": reader.cn,
        "ontology_title": reader.text(node, DCTERMS.title, RDFS.label) or "Ontology",
        "ontology_description": reader.text(node, DCTERMS.description, RDFS.comment),
        "metadata": reader.metadata(node),
        "groups": [(title, key, reader.terms_of(types)) for title, key, types in _GROUPS],
    }


def ontology_files(site: Site, env: Environment) -> Iterator[tuple[str, bytes]]:
    """The ontology at its IRI and at its version IRI (``ontology/0.1.0``), every format."""
    ontology: Graph = site.ontology
    source = getattr(ontology, "source_path", None)
    turtle = (
        Path(source).read_bytes()
        if source is not None
        else ontology.serialize(format="turtle").encode()
    )
    # Canonical blank node labels (the ontology has OWL lists), so the bytes are stable.
    canonical = to_canonical_graph(ontology)
    docs = [ONTOLOGY_DOC]
    version = ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)
    if version is not None and _VERSION_PATH.fullmatch(str(version)[len(ONTOLOGY_IRI) :]):
        docs.append(ONTOLOGY_DOC + str(version)[len(ONTOLOGY_IRI) :])
    for doc in docs:
        context = {**site.common(doc, "ontology"), **ontology_context(ontology)}
        context["title"] = context["ontology_title"]
        context["doc_name"] = posixpath.basename(doc)
        yield doc + ".html", env.get_template("ontology.html").render(context).encode()
        files = dict(rdf_files(doc, canonical, site.jsonld(canonical, doc), html=True))
        files[doc + TURTLE.suffix] = turtle  # the source file as written, comments kept
        yield from files.items()


__all__ = ["ONTOLOGY_DOC", "ontology_context", "ontology_files"]
