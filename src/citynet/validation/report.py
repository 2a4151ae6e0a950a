"""The one validation report every engine feeds: rows in, results a person can act on out.

An engine returns rows (focus, path, value, severity, source shape, constraint component,
messages: what a SHACL report graph holds per result). This module gives each row the
labels of its nodes and the page and line the fact came from (from the provenance the
build records), sorts them, and writes them as text, JSON or the W3C report graph.

``conforms`` means "no sh:Violation" in every output (text, JSON and Turtle's
sh:conforms): warnings and infos are reported but do not make a graph fail.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from citynet.graph.vocab import CN, PREFIXES, PROV, RDF, RDFS, SH, XSD
from citynet.validation.shapes import SHAPES_NS, LintIssue, compact

SEVERITIES = ("Violation", "Warning", "Info")
_SEVERITY_ORDER = {name: i for i, name in enumerate(SEVERITIES)}

#: One result as a SHACL report graph holds it: focus, path, value, severity, source
#: shape, constraint component, messages.
Row = tuple[Node, Node | None, Node | None, Node | None, Node | None, Node | None, tuple[Node, ...]]


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One SHACL result, with labels and the page line the focus node came from."""

    focus: str
    focus_label: str
    path: str | None
    value: str | None  # N-Triples-like: "1986"^^xsd:gYear, "Liège"@en, or an IRI
    value_label: str | None
    message: str
    severity: str  # Violation | Warning | Info
    source_shape: str | None
    source_file: str | None
    source_line: int | None
    constraint: str  # the constraint component's local name, e.g. MinCountConstraintComponent


@dataclass
class ValidationReport:
    conforms: bool  # no sh:Violation (warnings and infos allowed), in every output
    results: list[ValidationResult]
    counts: dict[str, int]
    shapes: str
    rows: list[Row] = field(default_factory=list, repr=False)
    shapes_graph: Graph | None = field(default=None, repr=False)
    lint: list[LintIssue] = field(default_factory=list)
    base: str | None = None  # the data's base IRI, to show IRIs short
    engine: str = "pyshacl"  # which engine ran: "pyshacl" or "turbo"

    def summary(self) -> str:
        return summary_line(self)

    @cached_property
    def graph(self) -> Graph:
        """The W3C validation report graph (built when first asked: large reports cost)."""
        return report_graph(self.rows, self.shapes_graph or Graph(), conforms=self.conforms)

    def turtle(self) -> str:
        return self.graph.serialize(format="turtle")


def rows_of(report: Graph) -> list[Row]:
    """The rows of a SHACL validation report graph."""
    return [
        (
            report.value(node, SH.focusNode),
            report.value(node, SH.resultPath),
            report.value(node, SH.value),
            report.value(node, SH.resultSeverity),
            report.value(node, SH.sourceShape),
            report.value(node, SH.sourceConstraintComponent),
            tuple(report.objects(node, SH.resultMessage)),
        )  # type: ignore[misc]
        for node in report.subjects(RDF.type, SH.ValidationResult)
    ]


def make_report(
    rows: list[Row],
    view: Any,
    *,
    shapes_graph: Graph,
    shapes: str,
    lint: list[LintIssue],
    engine: str,
) -> ValidationReport:
    """The report of an engine's rows over the data ``view`` (citynet.validation.data)."""
    names = _Names(view)
    results = results_from_rows(rows, view, names)
    counts = {name: 0 for name in SEVERITIES}
    for result in results:
        counts[result.severity] = counts.get(result.severity, 0) + 1
    return ValidationReport(
        conforms=counts["Violation"] == 0,
        results=results,
        counts=counts,
        shapes=shapes,
        rows=rows,
        shapes_graph=shapes_graph,
        lint=lint,
        base=names.base,
        engine=engine,
    )


def results_from_rows(rows: Sequence[Row], view: Any, names: _Names) -> list[ValidationResult]:
    sources = _Sources(view)
    out: list[ValidationResult] = []
    for focus, path, value, severity, shape, component, all_messages in rows:
        messages = sorted(str(m) for m in set(all_messages))
        source_file, source_line = sources.locate(focus, path, value, component)
        shown = names.term_text(value) if value is not None else None
        if value is None and isinstance(path, URIRef) and component in _MANY_VALUES:
            # "More than one": show them all, so the person sees what disagrees.
            many = _clashing_values(view, focus, path, component)
            shown = ", ".join(names.term_text(v) for v in many) or None
        out.append(
            ValidationResult(
                focus=str(focus),
                focus_label=names.describe(focus),
                path=names.compact(path) if isinstance(path, URIRef) else None,
                value=shown,
                value_label=names.describe(value) if isinstance(value, URIRef) else None,
                message=messages[0] if messages else "",
                severity=_local(severity) if severity is not None else "Violation",
                source_shape=names.compact(shape) if isinstance(shape, URIRef) else None,
                source_file=source_file,
                source_line=source_line,
                constraint=_local(component) if component is not None else "",
            )
        )
    sort_results(out)
    return out


def sort_results(results: list[ValidationResult]) -> None:
    """Worst first, then by page and line; every field breaks ties, so the order never
    depends on the order the engine found the results in."""
    results.sort(
        key=lambda r: (
            _SEVERITY_ORDER.get(r.severity, 9),
            r.source_file or "~",
            r.source_line or 0,
            r.focus,
            r.path or "",
            r.value or "",
            r.source_shape or "",
            r.constraint,
            r.message,
            r.focus_label,
            r.value_label or "",
        )
    )


_MANY_VALUES = (SH.MaxCountConstraintComponent, SH.UniqueLangConstraintComponent)


def _clashing_values(graph: Any, focus: Node, path: URIRef, component: Node) -> list[Node]:
    values = sorted(graph.objects(focus, path), key=lambda v: (str(v), repr(v)))
    if component == SH.UniqueLangConstraintComponent:
        languages = [v.language.lower() for v in values if isinstance(v, Literal) and v.language]
        values = [
            v
            for v in values
            if isinstance(v, Literal) and v.language and languages.count(v.language.lower()) > 1
        ]
    return values


def _local(term: Node) -> str:
    text = str(term)
    return re.split(r"[#/]", text)[-1]


class _Names:
    """Labels for people: rdfs:label (English first), else a description by type."""

    def __init__(self, graph: Any) -> None:
        self.g = graph
        self.base = self._guess_base()
        self.ns = NamespaceManager(Graph(), bind_namespaces="none")
        self.ns.bind("cnsh", SHAPES_NS)
        for prefix, namespace in PREFIXES.items():
            self.ns.bind(prefix, str(namespace))
        # The same cities, networks and projects are named in many results.
        self._labels: dict[Node, str | None] = {}
        self._described: dict[Node, str] = {}

    def _guess_base(self) -> str | None:
        # Source pages are {base}source/{slug}: the base is whatever precedes "source/".
        for page in sorted(self.g.subjects(RDF.type, CN.SourcePage), key=str):
            text = str(page)
            if "/source/" in text:
                return text[: text.rindex("source/")]
        return None

    def compact(self, term: Node) -> str:
        short = compact(term)
        if short.startswith("<") and self.base and str(term).startswith(self.base):
            return f"<{str(term)[len(self.base) :]}>"  # data IRIs relative to the base
        return short

    def label(self, node: Node) -> str | None:
        if node in self._labels:
            return self._labels[node]
        labels = list(self.g.objects(node, RDFS.label))
        found = None
        if labels:
            english = [lab for lab in labels if isinstance(lab, Literal) and lab.language == "en"]
            found = str(sorted(english or labels, key=str)[0])
        self._labels[node] = found
        return found

    def describe(self, node: Node | None) -> str:
        if node is None:
            return ""
        if isinstance(node, Literal):
            return str(node)
        found = self._described.get(node)
        if found is None:
            found = self._described[node] = self._describe(node)
        return found

    def _describe(self, node: Node) -> str:
        found = self.label(node)
        if found:
            return found
        g = self.g
        types = set(g.objects(node, RDF.type))

        def name(prop: URIRef) -> str:
            target = _first(g, node, prop)
            return (self.label(target) or self.compact(target)) if target is not None else "?"

        if CN.Membership in types:
            return f"membership of {name(CN.member)} in {name(CN.network)}"
        if CN.Office in types:
            role = _first(g, node, CN.officeRole)
            kind = _words(_local(role)).removesuffix(" office") if role is not None else "office"
            return f"{kind} office of {name(CN.holder)} in {name(CN.body)}"
        if CN.Twinning in types:
            cities = sorted(self.label(c) or self.compact(c) for c in g.objects(node, CN.twinCity))
            return "twinning " + " – ".join(cities) if cities else "twinning"
        if CN.Participation in types:
            role = _first(g, node, CN.role)
            kind = _words(_local(role)).removesuffix(" role") if role is not None else "participant"
            return f"{name(CN.participant)} as {kind} in {name(CN.activity)}"
        if CN.SourcePage in types:
            file_name = _first(g, node, CN.fileName)
            return f"page {file_name}" if file_name else self.compact(node)
        if isinstance(node, BNode):
            return "(blank node)"
        return self.compact(node)

    def term_text(self, term: Node) -> str:
        if isinstance(term, Literal):
            if term.language:
                return f'"{term}"@{term.language}'
            if term.datatype is None or term.datatype == XSD.string:
                return f'"{term}"'
            return f'"{term}"^^{compact(term.datatype)}'
        if isinstance(term, URIRef):
            return self.compact(term)
        return str(term)


def _first(graph: Any, node: Node, prop: URIRef) -> Node | None:
    """The smallest value by text: Graph.value picks any, and reports must not vary."""
    return min(graph.objects(node, prop), key=lambda t: (str(t), repr(t)), default=None)


def _words(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", camel).lower()


class _Sources:
    """Which page (and line) a node's statements came from, from the build's provenance."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.file_of_graph: dict[Node, str] = {}
        for page, file_name in view.subject_objects(CN.fileName):
            self.file_of_graph[page] = str(file_name)
        self.quads = bool(getattr(view, "has_named_graphs", False))

    def _graphs_with(self, triple: tuple[Node | None, Node | None, Node | None]) -> list[Node]:
        if not self.quads:
            return []
        return sorted({c for *_, c in self.view.quads(triple)}, key=str)  # type: ignore[arg-type]

    def locate(
        self,
        focus: Node | None,
        path: Node | None,
        value: Node | None,
        component: Node | None = None,
    ) -> tuple[str | None, int | None]:
        if focus is None:
            return None, None
        # 1. A statement node: the page graph holding its cn:sourceLine pairs page and line.
        candidates: list[tuple[str, int]] = []
        for line in self.view.objects(focus, CN.sourceLine):
            if not isinstance(line, Literal):
                continue
            try:
                number = int(line)
            except ValueError:
                continue
            graphs = self._graphs_with((focus, CN.sourceLine, line))
            files = [self.file_of_graph[g] for g in graphs if g in self.file_of_graph]
            if not files:
                pages = list(self.view.objects(focus, PROV.wasDerivedFrom))
                files = sorted(self.file_of_graph[p] for p in pages if p in self.file_of_graph)
            candidates.extend((f, number) for f in files[:1] or ["?"])
        if candidates:
            file_name, number = sorted(candidates)[0]
            return (None if file_name == "?" else file_name), number
        # 2. Derived from a page, without a line.
        pages = sorted(
            self.file_of_graph[p]
            for p in self.view.objects(focus, PROV.wasDerivedFrom)
            if p in self.file_of_graph
        )
        if pages:
            return pages[0], None
        # 3. The source page itself.
        if focus in self.file_of_graph:
            return self.file_of_graph[focus], None
        # 4. The page graph that states the offending fact, else any fact about the node.
        patterns: list[tuple[Node | None, Node | None, Node | None]] = []
        if isinstance(path, URIRef) and component == SH.UniqueLangConstraintComponent:
            # Point at a page stating one of the names that share a language.
            by_language: dict[str, list[Node]] = defaultdict(list)
            for name in self.view.objects(focus, path):
                if isinstance(name, Literal) and name.language:
                    by_language[name.language.lower()].append(name)
            for names in by_language.values():
                if len(names) > 1:
                    patterns.extend((focus, path, name) for name in names)
        elif isinstance(path, URIRef):
            patterns.append((focus, path, value))
        graphs: list[Node] = []
        for pattern in patterns:
            graphs.extend(g for g in self._graphs_with(pattern) if g in self.file_of_graph)
        if not graphs:
            for g in self._graphs_with((focus, None, None)):
                if g in self.file_of_graph:
                    graphs.append(g)
        if graphs:
            first = min(graphs, key=lambda g: self.file_of_graph[g])
            return self.file_of_graph[first], self._mention_line(focus, first)
        return None, None

    # A project, event or twin city has no line of its own: the page line that mentions it
    # is the participation (or twinning) that links to it, in the same page graph.
    _MENTIONS = (CN.activity, CN.twinCity, CN.place)

    def _mention_line(self, focus: Node, graph: Node) -> int | None:
        assert self.quads
        if (focus, CN.memberPage, graph) in self.view:
            return None  # the page's own city: its facts come from many lines
        frontier, seen = [focus], {focus}
        for _ in range(2):  # participation -> event -> place
            lines: list[int] = []
            found: list[Node] = []
            for node in frontier:
                for predicate in self._MENTIONS:
                    for subject, *_ in self.view.quads((None, predicate, node, graph)):
                        if subject in seen:
                            continue
                        seen.add(subject)
                        found.append(subject)
                        for *_, line, _ in self.view.quads((subject, CN.sourceLine, None, graph)):
                            if isinstance(line, Literal) and str(line).isdigit():
                                lines.append(int(line))
            if lines:
                return min(lines)
            frontier = found
        return None


# --------------------------------------------------------------------------- report graph


def report_graph(rows: Sequence[Row], shapes: Graph, *, conforms: bool) -> Graph:
    """The W3C validation report of these rows; sh:conforms says "no violation"."""
    report = Graph(bind_namespaces="core")
    for prefix, namespace in shapes.namespace_manager.namespaces():
        report.namespace_manager.bind(prefix, namespace)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(conforms)))
    for focus, path, value, severity, shape, component, messages in rows:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, focus))
        for predicate, term in (
            (SH.resultPath, path),
            (SH.value, value),
            (SH.resultSeverity, severity),
            (SH.sourceShape, shape),
            (SH.sourceConstraintComponent, component),
        ):
            if term is not None:
                report.add((node, predicate, _copy(shapes, term, report)))
        for message in messages:
            report.add((node, SH.resultMessage, message))
    return report


def _copy(source: Graph, node: Node, target: Graph, depth: int = 0) -> Node:
    """A blank node with what the shapes say of it (a path like [ sh:inversePath p ])."""
    if not isinstance(node, BNode) or depth >= 10:
        return node
    for predicate, obj in list(source.predicate_objects(node)):
        target.add((node, predicate, _copy(source, obj, target, depth + 1)))
    return node


# --------------------------------------------------------------------------- output


def summary_line(report: ValidationReport) -> str:
    """'conforms', 'conforms: 0 violations, 2 warnings, 0 infos' or '3 violations, ...'."""
    if not report.results:
        return "conforms"
    counts = ", ".join(
        f"{report.counts.get(name, 0)} {name.lower()}"
        + ("" if report.counts.get(name) == 1 else "s")
        for name in SEVERITIES
    )
    return f"conforms: {counts}" if report.conforms else counts


def format_report_text(report: ValidationReport) -> str:
    """Results grouped by focus node (worst first), with labels, values and page lines."""
    groups: dict[str, list[ValidationResult]] = defaultdict(list)
    for result in report.results:
        groups[result.focus].append(result)
    lines: list[str] = []
    for focus, results in groups.items():  # results are sorted; groups keep that order
        first = results[0]
        short = (
            focus[len(report.base) :] if report.base and focus.startswith(report.base) else focus
        )
        lines.append(f"{first.focus_label}  <{short}>")
        for result in results:
            where = result.source_file or "(source unknown)"
            if result.source_line:
                where += f":{result.source_line}"
            what = result.path or ""
            if result.value is not None:
                shown = result.value
                if result.value_label and result.value_label not in shown:
                    shown = f"{result.value_label} {shown}"
                what = f"{what} = {shown}" if what else shown
            lines.append(f"  {result.severity:<9} {where}  {what}".rstrip())
            lines.append(f"            {result.message}")
        lines.append("")
    for issue in report.lint:
        lines.append(f"note: {issue}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def report_to_json(report: ValidationReport) -> dict[str, Any]:
    return {
        "conforms": report.conforms,
        "summary": summary_line(report),
        "counts": {k.lower(): v for k, v in report.counts.items()},
        "shapes": report.shapes,
        "engine": report.engine,
        "results": [asdict(result) for result in report.results],
        "lint": [asdict(issue) for issue in report.lint],
    }


__all__ = [
    "SEVERITIES",
    "ValidationReport",
    "ValidationResult",
    "format_report_text",
    "report_to_json",
    "summary_line",
    "make_report",
    "report_graph",
    "results_from_rows",
    "rows_of",
    "sort_results",
    "Row",
]
