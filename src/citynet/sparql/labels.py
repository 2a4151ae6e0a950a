"""Labels to IRIs: ``--param city=Liège`` becomes the IRIs labelled so in the data.

The label itself never enters a query: the lookups bind only class and GeoNames IRIs,
and labels are compared in Python (exactly, then by spelling key).
"""

from __future__ import annotations

import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import URIRef

from citynet.graph.vocab import CN, GEONAMES, OWL, RDFS, SKOS
from citynet.resolve.gazetteer import default_gazetteer, name_key
from citynet.sparql.backends import Backend
from citynet.sparql.values import MARKER, insert_block, values_block

# Nodes of the given classes (the block binds ?class) and their labels. DISTINCT first:
# a node is typed and labelled again in every page graph that mentions it.
LOOKUP_QUERY = f"""PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
SELECT DISTINCT ?iri ?label
WHERE {{
  {{ SELECT DISTINCT ?iri WHERE {{
      {MARKER}
      GRAPH ?g1 {{ ?iri a ?class . }}
  }} }}
  GRAPH ?g2 {{ ?iri rdfs:label|skos:altLabel ?label . }}
}}
"""

LOOKUP_ANY_QUERY = f"""PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
SELECT DISTINCT ?iri ?label
WHERE {{ GRAPH ?g2 {{ ?iri rdfs:label|skos:altLabel ?label . }} }}
"""


SAME_AS_QUERY = f"""PREFIX owl: <{OWL}>
SELECT DISTINCT ?iri
WHERE {{
  {MARKER}
  GRAPH ?g {{ ?iri owl:sameAs ?same . }}
}}
ORDER BY ?iri
"""

_PLACE_CLASSES = {CN.City, CN.Region, CN.LocalAuthority}


@dataclass
class LabelIndex:
    """The labels of the nodes of some classes, by exact text and by spelling key."""

    exact: dict[str, set[URIRef]] = field(default_factory=dict)
    close: dict[str, set[URIRef]] = field(default_factory=dict)
    iris: set[object] = field(default_factory=set)  # every node found, for the gazetteer

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[object, ...]]) -> LabelIndex:
        index = cls()
        for iri, name in rows:
            index.iris.add(iri)
            if not isinstance(iri, URIRef) or name is None:
                continue
            text = unicodedata.normalize("NFC", str(name))
            index.exact.setdefault(text, set()).add(iri)
            key = name_key(text)
            if key:
                index.close.setdefault(key, set()).add(iri)
        return index

    def find(self, label: str) -> set[URIRef]:
        """Exact matches if any, else the nodes whose label has the same spelling key."""
        exact = self.exact.get(unicodedata.normalize("NFC", label.strip()))
        if exact:
            return exact
        key = name_key(label)
        return self.close.get(key, set()) if key else set()


#: Label indexes of backends whose data does not change once loaded (local files), so a
#: lookup reads the graph's labels once per backend, not once per query.
_LABEL_INDEXES: weakref.WeakKeyDictionary[object, dict[tuple[URIRef, ...], LabelIndex]] = (
    weakref.WeakKeyDictionary()
)


def label_index(backend: Backend, classes: tuple[URIRef, ...]) -> LabelIndex:
    """The label index of ``backend`` for ``classes`` (cached when its data is fixed)."""
    cached = _LABEL_INDEXES.get(backend) if getattr(backend, "fixed_data", False) else None
    if cached is not None and classes in cached:
        return cached[classes]
    if classes:
        offset = LOOKUP_QUERY.index(MARKER) + len(MARKER) + 1
        text = insert_block(LOOKUP_QUERY, offset, values_block({"class": list(classes)}))
    else:
        text = LOOKUP_ANY_QUERY
    index = LabelIndex.from_rows(backend.run(text, "select").rows)
    if getattr(backend, "fixed_data", False):
        _LABEL_INDEXES.setdefault(backend, {})[classes] = index
    return index


def resolve_label(backend: Backend, label: str, classes: tuple[URIRef, ...]) -> list[URIRef]:
    """IRIs whose rdfs:label or skos:altLabel is ``label`` in any spelling.

    Exact matches win; then matches of the normalised key (case, accents, punctuation).
    For places, a name the graph does not hold ("Lüttich") is looked up in the offline
    gazetteer, and its GeoNames ids matched against the graph's owl:sameAs links. The
    label itself never enters a query: the lookups bind only class and GeoNames IRIs.
    On local data the labels are read once per backend (:func:`label_index`); an
    endpoint is asked each time, since its data may change between queries.
    """
    index = label_index(backend, classes)
    found = index.find(label)
    if not found and (not classes or _PLACE_CLASSES & set(classes)):
        found = _resolve_by_gazetteer(backend, label, index.iris)
    return sorted(found)


def _resolve_by_gazetteer(backend: Backend, label: str, candidates: set) -> set[URIRef]:
    try:
        matches = default_gazetteer().city_matches(label)
    except Exception:  # an unusable gazetteer cache only loses this fallback
        return set()
    if not matches:
        return set()
    same = [URIRef(f"{GEONAMES}{m.geonames_id}/") for m in matches[:20]]
    offset = SAME_AS_QUERY.index(MARKER) + len(MARKER) + 1
    text = insert_block(SAME_AS_QUERY, offset, values_block({"same": list(same)}))
    rows = backend.run(text, "select").rows
    return {row[0] for row in rows if isinstance(row[0], URIRef) and row[0] in candidates}
