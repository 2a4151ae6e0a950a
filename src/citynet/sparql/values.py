"""The VALUES block: parameter values as SPARQL terms, inserted after the marker lines.

Values never become query text by themselves: each is a checked RDF term written in
SPARQL syntax here (IRIs refused if they hold a character that could close them,
strings escaped with ECHARs only), and the terms reach a query as one ``VALUES`` block.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import Literal, URIRef

from citynet.errors import InputError
from citynet.graph.vocab import XSD
from citynet.sparql.results import escape_string

MARKER = "# @values"
#: Characters an IRI written as ``<...>`` may not hold.
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def show_value(value: str) -> str:
    """A value as quoted in an error message, cut to 60 characters."""
    shown = value if len(value) <= 60 else value[:57] + "..."
    return repr(shown)


def sparql_term(term: URIRef | Literal) -> str:
    """A term in SPARQL syntax. IRIs were checked (no <>"{}|^`\\ or spaces); strings are
    escaped with ECHARs only, so no codepoint escape can reopen the string."""
    if isinstance(term, URIRef):
        if IRI_FORBIDDEN.search(str(term)):
            raise InputError(f"refusing to write IRI {show_value(str(term))}")
        return f"<{term}>"
    text = '"' + escape_string(str(term)) + '"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype is not None and term.datatype != XSD.string:
        return f"{text}^^<{term.datatype}>"
    return text


def values_block(bindings: Mapping[str, list[URIRef | Literal]]) -> str:
    """One VALUES clause: the rows are every combination of the given values."""
    names = list(bindings)
    rows: list[list[URIRef | Literal]] = [[]]
    for name in names:
        rows = [row + [value] for row in rows for value in bindings[name]]
    head = " ".join(f"?{name}" for name in names)
    body = " ".join("(" + " ".join(sparql_term(v) for v in row) + ")" for row in rows)
    return f"VALUES ({head}) {{ {body} }}"


def insert_block(text: str, offset: int | None, block: str) -> str:
    """The query text with the VALUES block inserted at ``offset`` (after the marker line,
    indented like it) or appended as a trailing VALUES clause."""
    if offset is None:
        return text + ("" if text.endswith("\n") else "\n") + block + "\n"
    marker_line = text[text.rfind("\n", 0, offset - 1) + 1 : offset]
    indent = marker_line[: len(marker_line) - len(marker_line.lstrip())]
    return text[:offset] + indent + block + "\n" + text[offset:]


def insert_blocks(text: str, offsets: tuple[int, ...], block: str) -> str:
    """The block after every marker (the last first, so earlier offsets stay valid), or
    appended when there is none."""
    if not offsets:
        return insert_block(text, None, block)
    for offset in sorted(offsets, reverse=True):
        text = insert_block(text, offset, block)
    return text
