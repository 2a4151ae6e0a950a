"""Small pieces the site's pages are made of: links that may not be links, CURIEs, labels.

The safety rules of the site live here: only http(s) IRIs become hrefs, and JSON embedded
in a page cannot close its script element.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from rdflib import Literal
from rdflib.term import Node

from citynet.graph.vocab import PREFIXES

# No whitespace or control characters anywhere: browsers strip some of them, so
# "\tjavascript:" must not pass as a link because it starts with a space.
_HTTP = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$", re.IGNORECASE)
_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@dataclass(frozen=True, slots=True)
class Link:
    """A piece of text that may be a link; ``href`` is None when it must stay plain text."""

    text: str
    href: str | None = None
    iri: str | None = None
    external: bool = False
    note: str = ""  # small print after the text (a CURIE, a language tag, a datatype)

    def __html__(self) -> str:
        """The link as HTML (Jinja calls this): written in Python, a macro is slow."""
        title = f' title="{escape(self.iri)}"' if self.iri else ""
        if self.href:
            external = ' class="external" rel="nofollow noopener"' if self.external else ""
            html = f'<a href="{escape(self.href)}"{external}{title}>{escape(self.text)}</a>'
        else:
            html = f'<span class="value"{title}>{escape(self.text)}</span>'
        return html + (f' <small class="note">{escape(self.note)}</small>' if self.note else "")


@dataclass(frozen=True, slots=True)
class Source:
    """A named graph stating a fact: its page on the site, and the original page's URL."""

    page: Link
    url: Link | None = None


def sources_html(items: list[Source]) -> Markup:
    """The source pages stating a fact: the local page of each, and its original URL."""
    if not items:
        return Markup("")
    parts = [s.page.__html__() + (" " + s.url.__html__() if s.url else "") for s in items]
    return Markup('<span class="sources">from ' + ", ".join(parts) + "</span>")


@dataclass
class Row:
    """One property of a resource: its values, each with the source pages that state it."""

    prop: Link
    values: list[tuple[Link, list[Source]]] = field(default_factory=list)


def is_http(iri: str) -> bool:
    """True for the only IRIs that may become an active href (http and https)."""
    return bool(_HTTP.match(iri))


def script_json(text: str) -> Markup:
    """JSON for a <script> element: no value can close the element or open a comment."""
    compact = text.rstrip("\n")  # already sorted and indented by the JSON-LD writer
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        compact = compact.replace(char, code)
    return Markup(compact)  # safe: the three HTML-significant characters are escaped above


def node_key(node: Node) -> tuple[str, str]:
    """A total order over RDF terms (IRIs and literals never compare equal)."""
    return (type(node).__name__, str(node))


def pick_language(labels: list[Literal]) -> Literal:
    """English first, then untagged, then the rest; alphabetical within each."""

    def rank(label: Literal) -> tuple[int, str]:
        return ({"en": 0, None: 1}.get(label.language, 2), str(label))

    return sorted(labels, key=rank)[0]


@functools.lru_cache(maxsize=65536)  # the same IRIs come back on every page
def curie(iri: str) -> str | None:
    """``cn:City`` for an IRI in a known namespace (the longest namespace wins)."""
    best: tuple[int, str] | None = None
    for name, namespace in PREFIXES.items():
        ns = str(namespace)
        if not iri.startswith(ns):
            continue
        local = iri[len(ns) :]
        if _LOCAL_NAME.fullmatch(local) and (best is None or len(ns) > best[0]):
            best = (len(ns), f"{name}:{local}")
    return best[1] if best else None


__all__ = [
    "Link",
    "Row",
    "Source",
    "curie",
    "is_http",
    "node_key",
    "pick_language",
    "script_json",
    "sources_html",
]
