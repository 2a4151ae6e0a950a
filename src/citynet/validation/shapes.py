"""The shapes: loading a shapes file (syntax errors as ``file:line``) and the lint that
finds the mistakes SHACL engines silently ignore (a shape that cannot fire is a defect).

Imports only graph/ (the vocabulary and formats) and common/; every engine and the
report read the shapes through here.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from citynet.common.resources import resource_dir
from citynet.errors import InputError
from citynet.graph.formats import BY_NAME, format_for_path
from citynet.graph.vocab import CN, OWL, PREFIXES, RDF, SH, SKOS

SHAPES_FILE = "citynet.ttl"
SHAPES_NS = "https://w3id.org/citynet/shapes#"


@dataclass(frozen=True, slots=True)
class LintIssue:
    """A problem in the shapes file itself (not in the data)."""

    level: str  # "error" stops validation (exit 2); "warning" is reported alongside
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


def default_shapes_path() -> Path:
    return resource_dir("shapes") / SHAPES_FILE


def load_shapes(path: Path) -> tuple[Graph, str]:
    """Parse a shapes file; a syntax error names ``file:line`` (exit 2). Returns graph, text."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such shapes file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    fmt = BY_NAME["turtle"] if path.suffix.lower() in ("", ".shacl") else format_for_path(path)
    if fmt.quads:
        raise InputError(f"{path}: shapes must be one graph (Turtle, N-Triples or RDF/XML)")
    text = data.decode("utf-8", errors="replace")
    if fmt.name == "rdfxml" and re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise InputError(f"{path}: RDF/XML with a DOCTYPE or ENTITY declaration is refused")
    graph = Graph()
    try:
        graph.parse(data=data, format=fmt.rdflib_name, publicID=path.resolve().as_uri())
    except Exception as error:  # rdflib raises many unrelated types for bad syntax
        line, why = _syntax_position(error, data)
        where = f"{path}:{line}" if line else str(path)
        raise InputError(
            f"{where}: not valid {fmt.name}: {why}",
            hint="fix the shapes file; nothing was validated",
        ) from None
    return graph, text


def _syntax_position(error: BaseException, data: bytes) -> tuple[int | None, str]:
    # rdflib's Turtle parser (BadSyntax) keeps the document and the character offset.
    offset = getattr(error, "_i", None)
    document = getattr(error, "_str", None)
    why = getattr(error, "_why", None) or " ".join(str(error).split())
    if isinstance(offset, int) and isinstance(document, bytes | str):
        text = document if isinstance(document, bytes) else document.encode("utf-8")
        return text[:offset].count(b"\n") + 1, str(why)[:200]
    line = getattr(error, "lines", None) or getattr(error, "lineno", None)
    if isinstance(line, int):
        return line + (1 if hasattr(error, "lines") else 0), str(why)[:200]
    return None, str(why)[:300]


_SHACL_LOOKALIKE = re.compile(r"^https?://(www\.)?w3\.org/ns/shacl", re.IGNORECASE)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_SPARQL_TEXT = (SH.select, SH.ask, SH.construct, SH.update)
_TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def lint_shapes(
    shapes: Graph,
    *,
    text: str = "",
    file: str = "shapes",
    data: Any = None,  # a Graph or citynet.validation.data.StoreView
    allow_network: bool = False,
) -> list[LintIssue]:
    """Find mistakes SHACL engines silently ignore: a shape that cannot fire is a defect.

    Errors: unknown ``sh:`` terms (``sh:minCont``), a SHACL namespace that is almost right
    (``https://www.w3.org/ns/shacl#``), ``cn:`` terms the ontology does not define, no shapes
    at all, and (unless ``allow_network``) owl:imports or SPARQL SERVICE clauses.
    Warnings: targets that select no node of ``data`` (a misspelt or unused class).
    """
    lint = _Lint(shapes, text, file)
    lint.check_terms()
    if not _shapes_of(shapes):
        lint.error(None, "no SHACL shapes found (no sh:NodeShape, sh:PropertyShape or targets)")
    if not allow_network:
        lint.check_network()
    if data is not None:
        lint.check_targets(data)
    return sorted(lint.issues, key=lambda i: (i.level, i.line or 10**9, i.message))


class _Lint:
    """The issues found so far, and where in the shapes text a term is written."""

    def __init__(self, shapes: Graph, text: str, file: str) -> None:
        self.shapes = shapes
        self.lines = text.splitlines()
        self.file = file
        self.issues: list[LintIssue] = []

    def error(self, line: int | None, message: str) -> None:
        self.issues.append(LintIssue("error", self.file, line, message))

    def line_of(self, term: URIRef) -> int | None:
        needles = [f"<{term}>"]
        for prefix, namespace in self.shapes.namespaces():
            if prefix and str(term).startswith(str(namespace)):
                needles.append(f"{prefix}:{str(term)[len(str(namespace)) :]}")
        for number, content in enumerate(self.lines, 1):
            code = content.split("#", 1)[0] if not content.lstrip().startswith("#") else ""
            for needle in needles:
                if re.search(re.escape(needle) + r"(?![\w-])", code):
                    return number
        return None

    def check_terms(self) -> None:
        terms: set[URIRef] = set()
        for triple in self.shapes:
            for node in triple:
                if isinstance(node, URIRef):
                    terms.add(node)
                elif isinstance(node, Literal) and node.datatype is not None:
                    terms.add(URIRef(node.datatype))
        known_sh = [str(t).removeprefix(str(SH)) for t in dir(SH)]
        lookalikes: set[str] = set()
        for term in sorted(terms):
            iri = str(term)
            if iri.startswith(str(SH)):
                local = iri[len(str(SH)) :]
                if term not in SH:
                    close = difflib.get_close_matches(local, known_sh)
                    hint = f"; did you mean sh:{close[0]}?" if close else ""
                    self.error(self.line_of(term), f"unknown SHACL term sh:{local}{hint}")
            elif _SHACL_LOOKALIKE.match(iri):
                lookalikes.add(re.sub(r"[^#/]*$", "", iri))
            elif (
                iri.startswith(str(CN._NS)) and term not in CN and term not in _ontology_concepts()
            ):
                self.error(
                    self.line_of(term), f"{compact(term)} is not a term of the citynet ontology"
                )
        for namespace in sorted(lookalikes):
            self.error(
                _line_of_text(self.lines, namespace),
                f"<{namespace}> is not the SHACL namespace <{SH}>: "
                "nothing written with it is a shape (check the sh: prefix)",
            )

    def check_network(self) -> None:
        for _, imported in self.shapes.subject_objects(OWL.imports):
            self.error(
                self.line_of(OWL.imports),
                f"owl:imports <{imported}> would fetch a remote document; citynet does not "
                "follow imports (inline the shapes, or pass --allow-network to ignore it)",
            )
        for predicate in _SPARQL_TEXT:
            for node, query in self.shapes.subject_objects(predicate):
                if _SERVICE.search(_strip_sparql_comments(str(query))):
                    owner = next(iter(self.shapes.subjects(SH.sparql, node)), node)
                    self.error(
                        _line_of_text(self.lines, "SERVICE"),
                        f"the SPARQL constraint of {compact(owner)} uses SERVICE, which "
                        "queries a remote endpoint; refused unless --allow-network",
                    )

    def check_targets(self, data: Any) -> None:
        for shape in sorted(_shapes_of(self.shapes), key=str):
            for predicate in _TARGET_PREDICATES:
                for target in self.shapes.objects(shape, predicate):
                    if _target_count(data, predicate, target) == 0:
                        line = self.line_of(target) if isinstance(target, URIRef) else None
                        self.issues.append(
                            LintIssue(
                                "warning",
                                self.file,
                                line,
                                f"{compact(shape)} targets {compact(target)} "
                                f"({compact(predicate)}), which selects no node of the data",
                            )
                        )


@cache
def _ontology_concepts() -> frozenset[URIRef]:
    """Concepts of the SKOS schemes (cn:PartnerRole, cn:GeneralAssembly, ...): not in the
    CN DefinedNamespace; the ontology holds them (none known when it cannot be read)."""
    try:
        onto = Graph().parse(resource_dir("ontology") / "citynet.ttl", format="turtle")
    except Exception:  # no ontology: no concept is known, lint will say so
        return frozenset()
    return frozenset(s for s in onto.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef))


def _shapes_of(shapes: Graph) -> set[Node]:
    found: set[Node] = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        found.update(shapes.subjects(RDF.type, kind))
    for predicate in _TARGET_PREDICATES:
        found.update(shapes.subjects(predicate, None))
    return found


def _target_count(data: Any, predicate: URIRef, target: Node) -> int:
    """1 when the target selects a node of the data, else 0 (the lint only needs that)."""
    if predicate == SH.targetClass:
        found = data.subjects(RDF.type, target)
    elif predicate == SH.targetNode:
        return 1 if (target, None, None) in data or (None, None, target) in data else 0
    elif predicate == SH.targetSubjectsOf:
        found = data.subjects(target, None)
    else:
        found = data.objects(None, target)
    return 0 if next(iter(found), None) is None else 1


def _strip_sparql_comments(query: str) -> str:
    # Good enough to ignore "# SERVICE" in a comment; strings holding "#" are rare in shapes.
    return "\n".join(line.split("#", 1)[0] for line in query.splitlines())


def _line_of_text(lines: list[str], needle: str) -> int | None:
    for number, content in enumerate(lines, 1):
        if needle.lower() in content.lower() and not content.lstrip().startswith("#"):
            return number
    return None


def compact(term: Node) -> str:
    """``cn:City``, ``cnsh:CityShape``; other IRIs in angle brackets."""
    text = str(term)
    for prefix, namespace in (("cnsh", SHAPES_NS), *PREFIXES.items()):
        if text.startswith(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)) :]}"
    return f"<{text}>" if isinstance(term, URIRef) else text


__all__ = [
    "SHAPES_FILE",
    "SHAPES_NS",
    "LintIssue",
    "compact",
    "default_shapes_path",
    "lint_shapes",
    "load_shapes",
]
