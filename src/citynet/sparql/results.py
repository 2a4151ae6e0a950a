"""Query results as data, and their serialisations (table, CSV, TSV, JSON, Markdown, Turtle).

Every backend (pyoxigraph, rdflib, a SPARQL endpoint) hands back a :class:`QueryResult`
holding rdflib terms, so formatting and comparing never depend on where a query ran.
CSV, TSV and JSON follow the W3C "SPARQL 1.1 Query Results" CSV/TSV and JSON formats.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from rdflib import BNode, Graph
from rdflib import Literal as RdfLiteral
from rdflib.term import Identifier, URIRef

from citynet.errors import InputError
from citynet.graph.vocab import PREFIXES, XSD

Term = Identifier  # URIRef, Literal or BNode
ResultKind = Literal["select", "ask", "graph"]

RESULT_FORMATS = ("table", "csv", "tsv", "json", "markdown")

#: Media types of the result serialisations (SPARQL 1.1 results formats where one exists).
RESULT_MEDIA_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json",
    "markdown": "text/markdown",
    "table": "text/plain",
    "turtle": "text/turtle",
}


@dataclass
class QueryResult:
    """What a query gave: rows for SELECT, a boolean for ASK, a graph for CONSTRUCT/DESCRIBE."""

    kind: ResultKind
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    #: Notes for the user (e.g. a label that matched nothing); printed on stderr.
    warnings: list[str] = field(default_factory=list)

    def as_dicts(self) -> list[dict[str, Term]]:
        """Rows as {variable: term}, unbound variables left out."""
        return [
            {
                var: value
                for var, value in zip(self.variables, row, strict=True)
                if value is not None
            }
            for row in self.rows
        ]

    def values(self, variable: str) -> list[str | None]:
        """One column as plain strings (lexical forms and IRIs), for tests and scripts."""
        index = self.variables.index(variable)
        return [None if row[index] is None else str(row[index]) for row in self.rows]

    def comparable(self) -> list[tuple[str | None, ...]]:
        """Rows in N-Triples syntax: equal across backends when the answers are equal."""
        return [tuple(None if t is None else t.n3() for t in row) for row in self.rows]


_XSD_STRING = str(XSD.string)


def literal(value: str, *, lang: str | None = None, datatype: str | None = None) -> RdfLiteral:
    """A literal keeping the lexical form exactly as the store gave it.

    xsd:string is dropped (RDF 1.1 simple literal), so "x" and "x"^^xsd:string compare equal
    whichever backend produced them.
    """
    if lang:
        return RdfLiteral(value, lang=lang)
    if datatype is None or datatype == _XSD_STRING:
        return RdfLiteral(value)
    return RdfLiteral(value, datatype=URIRef(datatype), normalize=False)


def normalise_term(term: Any) -> Term | None:
    """An rdflib term from rdflib's own results, in the same shape as :func:`literal`."""
    if term is None:
        return None
    if isinstance(term, RdfLiteral):
        return literal(
            str(term),
            lang=term.language,
            datatype=None if term.datatype is None else str(term.datatype),
        )
    if isinstance(term, (URIRef, BNode)):
        return term
    raise InputError(f"unsupported term in results: {term!r}")


# Serialisations --------------------------------------------------------------------------


def format_results(
    result: QueryResult, fmt: str = "table", *, width: int | None = None, iris: bool = True
) -> str:
    """Serialise a result. Graph results (CONSTRUCT/DESCRIBE) are always Turtle; ``width``
    and ``iris`` are the table's (see :func:`to_table`)."""
    if result.kind == "graph":
        assert result.graph is not None
        return to_turtle(result.graph)
    writers = {
        "table": lambda: to_table(result, width=width, iris=iris),
        "csv": lambda: to_csv(result),
        "tsv": lambda: to_tsv(result),
        "json": lambda: to_json(result),
        "markdown": lambda: to_markdown(result),
    }
    try:
        return writers[fmt]()
    except KeyError:
        raise InputError(
            f"unknown result format {fmt!r}", hint=f"use one of {', '.join(RESULT_FORMATS)}"
        ) from None


def to_turtle(graph: Graph) -> str:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph.serialize(format="turtle")


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON Format."""
    if result.kind == "ask":
        document: dict[str, Any] = {"head": {}, "boolean": bool(result.boolean)}
    else:
        document = {
            "head": {"vars": list(result.variables)},
            "results": {
                "bindings": [
                    {var: _json_term(term) for var, term in row.items()}
                    for row in result.as_dicts()
                ]
            },
        }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, RdfLiteral)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV results: header of names, plain values, RFC 4180 quoting, CRLF.

    ASK has no CSV form in the standard; we write one column ``boolean``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(term) for term in row])
    return buffer.getvalue()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV results: ``?var`` header, terms in Turtle/N-Triples syntax, LF."""
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{var}" for var in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if term is None else _nt_term(term) for term in row))
    return "\n".join(lines) + "\n"


def _nt_term(term: Term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, RdfLiteral)
    text = '"' + escape_string(str(term)) + '"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype is not None:
        return f"{text}^^<{term.datatype}>"
    return text


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_string(text: str) -> str:
    """Escape for a double-quoted Turtle / SPARQL string (ECHAR escapes only, no \\u)."""
    return "".join(_ESCAPES.get(char, char) for char in text)


# Human-readable forms ---------------------------------------------------------------------


def display(term: Term | None) -> str:
    """A term for people: literals as their text, IRIs compacted with the known prefixes."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, namespace in PREFIXES.items():
            if term.startswith(str(namespace)) and len(term) > len(str(namespace)):
                local = term[len(str(namespace)) :]
                if "/" not in local and "#" not in local:
                    return f"{prefix}:{local}"
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def to_markdown(result: QueryResult) -> str:
    if result.kind == "ask":
        return "| boolean |\n|---|\n| " + ("true" if result.boolean else "false") + " |\n"
    lines = [
        "| " + " | ".join(result.variables) + " |",
        "|" + "---|" * len(result.variables),
    ]
    for row in result.rows:
        lines.append("| " + " | ".join(_md_cell(display(term)) for term in row) + " |")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


_MIN_CUT = 12  # characters a cut (label) column keeps at least


def to_table(result: QueryResult, *, width: int | None = None, iris: bool = True) -> str:
    """A terminal table (rich), one line per row, with a row count line under it.

    ``iris=False`` leaves out the IRI columns when other columns remain (a person reads
    the labels; csv, tsv and json keep every column). Cells longer than ``width`` allows
    end in an ellipsis, except IRIs (a cut IRI cannot be copied): they keep their whole
    width, and when even that does not fit the table is wider than ``width``.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    columns = range(len(result.variables))
    # An IRI column holds only IRIs (and blank nodes); a column mixing labels stays.
    bound = [[r[i] for r in result.rows if r[i] is not None] for i in columns]
    iri_columns = {i for i in columns if bound[i] and all(_is_node(t) for t in bound[i])}
    shown = [i for i in columns if iris or i not in iri_columns] or list(columns)
    texts = [[display(row[i]) for i in shown] for row in result.rows]
    longest = [
        max([len(result.variables[i])] + [len(r[n]) for r in texts]) for n, i in enumerate(shown)
    ]
    whole = {n for n, i in enumerate(shown) if i in iri_columns}
    widths = _fit(longest, whole, (width or sum(longest) * 4) - 3 * len(shown) - 1)
    table = Table(show_lines=False, header_style="bold")
    for n, i in enumerate(shown):
        table.add_column(result.variables[i], no_wrap=True, overflow="ellipsis", width=widths[n])
    for row in texts:
        # Escape rich markup: a label such as "[link]" must print as it is.
        table.add_row(*(Text(text) for text in row))
    buffer = io.StringIO()
    needed = sum(widths) + 3 * len(shown) + 1
    console = Console(file=buffer, width=needed, no_color=True, force_terminal=False)
    console.print(table)
    count = len(result.rows)
    hidden = [result.variables[i] for i in columns if i not in shown]
    note = f"; IRI columns hidden ({', '.join(hidden)}): --iris shows them" if hidden else ""
    return buffer.getvalue() + f"{count} row{'s' if count != 1 else ''}{note}\n"


def _fit(longest: list[int], whole: set[int], room: int) -> list[int]:
    """Column widths within ``room``: the ``whole`` columns at full width, the others
    sharing what is left, narrow ones first (each keeps its own width when under its
    share), none cut below _MIN_CUT."""
    widths = list(longest)
    cut = sorted((n for n in range(len(longest)) if n not in whole), key=lambda n: longest[n])
    left = room - sum(longest[n] for n in whole)
    for done, n in enumerate(cut):
        share = max(left // (len(cut) - done), _MIN_CUT)
        widths[n] = min(longest[n], share)
        left -= widths[n]
    return widths


def _is_node(term: Term) -> bool:
    return isinstance(term, URIRef | BNode)
