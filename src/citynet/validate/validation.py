"""SHACL validation of a built graph, with results a person can act on.

``validate()`` checks the union of the graph's named graphs against the shapes (by default
shapes/citynet.ttl) with pySHACL and returns a :class:`ValidationReport`: each result
with the labels of its nodes and the page and line the fact came from (from the
provenance the build records). The CLI only formats it (``format_report_text``,
``report_to_json``, ``ValidationReport.turtle``).

Validation never touches the network: pySHACL does not follow owl:imports here, and a
shapes file that asks for remote data (owl:imports, a SPARQL SERVICE clause) is refused
unless the caller allows it (``allow_network``); even then owl:imports is not followed.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import NamespaceManager
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from citynet.errors import InputError
from citynet.graph.formats import BY_NAME, format_for_path, load_graph
from citynet.graph.vocab import CN, OWL, PREFIXES, PROV, RDF, RDFS, SH, SKOS, XSD

SEVERITIES = ("Violation", "Warning", "Info")
_SEVERITY_ORDER = {name: i for i, name in enumerate(SEVERITIES)}
SHAPES_FILE = "citynet.ttl"
SHAPES_NS = "https://w3id.org/citynet/shapes#"


# --------------------------------------------------------------------------- data


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


@dataclass
class ValidationReport:
    conforms: bool  # no sh:Violation (warnings and infos allowed)
    results: list[ValidationResult]
    counts: dict[str, int]
    graph: Graph  # the W3C validation report graph (sh:conforms as SHACL defines it)
    shapes: str
    lint: list[LintIssue] = field(default_factory=list)
    base: str | None = None  # the data's base IRI, to show IRIs short
    engine: str = "pyshacl"  # which engine ran: "pyshacl" or "fast" (citynet.fast_validation)

    def summary(self) -> str:
        return summary_line(self)

    def turtle(self) -> str:
        return self.graph.serialize(format="turtle")


# --------------------------------------------------------------------------- shapes


def default_shapes_path() -> Path:
    from citynet.common.resources import resource_dir

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
    data: Graph | None = None,
    allow_network: bool = False,
) -> list[LintIssue]:
    """Find mistakes SHACL engines silently ignore: a shape that cannot fire is a defect.

    Errors: unknown ``sh:`` terms (``sh:minCont``), a SHACL namespace that is almost right
    (``https://www.w3.org/ns/shacl#``), ``cn:`` terms the ontology does not define, no shapes
    at all, and (unless ``allow_network``) owl:imports or SPARQL SERVICE clauses.
    Warnings: targets that select no node of ``data`` (a misspelt or unused class).
    """
    issues: list[LintIssue] = []
    lines = text.splitlines()

    def line_of(term: URIRef, *, start: int = 0) -> int | None:
        needles = [f"<{term}>"]
        for prefix, namespace in shapes.namespaces():
            if prefix and str(term).startswith(str(namespace)):
                needles.append(f"{prefix}:{str(term)[len(str(namespace)) :]}")
        for number, content in enumerate(lines[start:], start + 1):
            code = content.split("#", 1)[0] if not content.lstrip().startswith("#") else ""
            for needle in needles:
                if re.search(re.escape(needle) + r"(?![\w-])", code):
                    return number
        return None

    def error(line: int | None, message: str) -> None:
        issues.append(LintIssue("error", file, line, message))

    terms: set[URIRef] = set()
    for triple in shapes:
        for node in triple:
            if isinstance(node, URIRef):
                terms.add(node)
            elif isinstance(node, Literal) and node.datatype is not None:
                terms.add(URIRef(node.datatype))
    known_sh = {str(t) for t in dir(SH)}
    lookalikes: set[str] = set()
    sh_ns = str(SH)
    for term in sorted(terms):
        iri = str(term)
        if iri.startswith(sh_ns):
            local = iri[len(sh_ns) :]
            if term not in SH:
                close = difflib.get_close_matches(local, [t.removeprefix(sh_ns) for t in known_sh])
                hint = f"; did you mean sh:{close[0]}?" if close else ""
                error(line_of(term), f"unknown SHACL term sh:{local}{hint}")
        elif _SHACL_LOOKALIKE.match(iri):
            lookalikes.add(re.sub(r"[^#/]*$", "", iri))
        elif iri.startswith(str(CN._NS)) and term not in CN and not _is_concept(term):
            error(line_of(term), f"{_compact(term)} is not a term of the citynet ontology")

    for namespace in sorted(lookalikes):
        error(
            _line_of_text(lines, namespace),
            f"<{namespace}> is not the SHACL namespace <{sh_ns}>: "
            "nothing written with it is a shape (check the sh: prefix)",
        )

    shape_nodes = _shapes_of(shapes)
    if not shape_nodes:
        error(None, "no SHACL shapes found (no sh:NodeShape, sh:PropertyShape or targets)")

    if not allow_network:
        for _, imported in shapes.subject_objects(OWL.imports):
            error(
                line_of(OWL.imports),
                f"owl:imports <{imported}> would fetch a remote document; citynet does not "
                "follow imports (inline the shapes, or pass --allow-network to ignore it)",
            )
        for predicate in _SPARQL_TEXT:
            for node, query in shapes.subject_objects(predicate):
                if _SERVICE.search(_strip_sparql_comments(str(query))):
                    owner = next(iter(shapes.subjects(SH.sparql, node)), node)
                    error(
                        _line_of_text(lines, "SERVICE"),
                        f"the SPARQL constraint of {_compact(owner)} uses SERVICE, which "
                        "queries a remote endpoint; refused unless --allow-network",
                    )

    if data is not None:
        for shape in sorted(shape_nodes, key=str):
            for predicate in _TARGET_PREDICATES:
                for target in shapes.objects(shape, predicate):
                    if _target_count(data, predicate, target) == 0:
                        issues.append(
                            LintIssue(
                                "warning",
                                file,
                                line_of(target) if isinstance(target, URIRef) else None,
                                f"{_compact(shape)} targets {_compact(target)} "
                                f"({_compact(predicate)}), which selects no node of the data",
                            )
                        )
    return sorted(issues, key=lambda i: (i.level, i.line or 10**9, i.message))


def _is_concept(term: URIRef) -> bool:
    # Concepts of the SKOS schemes (cn:PartnerRole, cn:GeneralAssembly, ...) are not in
    # the CN DefinedNamespace; the ontology holds them. Accept CamelCase local names that
    # the ontology defines, falling back to the naming rule when it cannot be read.
    return term in _ontology_concepts()


_CONCEPTS: set[URIRef] | None = None


def _ontology_concepts() -> set[URIRef]:
    global _CONCEPTS
    if _CONCEPTS is None:
        concepts: set[URIRef] = set()
        try:
            from citynet.common.resources import resource_dir

            onto = Graph().parse(resource_dir("ontology") / "citynet.ttl", format="turtle")
            concepts = {s for s in onto.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}
        except Exception:  # no ontology: no concept is known, lint will say so
            concepts = set()
        _CONCEPTS = concepts
    return _CONCEPTS


def _shapes_of(shapes: Graph) -> set[Node]:
    found: set[Node] = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        found.update(shapes.subjects(RDF.type, kind))
    for predicate in _TARGET_PREDICATES:
        found.update(shapes.subjects(predicate, None))
    return found


def _target_count(data: Graph, predicate: URIRef, target: Node) -> int:
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


# --------------------------------------------------------------------------- data input


def load_data_bytes(
    data: bytes, input_format: str | None = None, *, name: str = "<stdin>"
) -> Dataset:
    """Parse RDF given as bytes (standard input): TriG/Turtle unless told or JSON/XML-looking."""
    if input_format is None:
        head = data.lstrip()[:200]
        if head.startswith((b"{", b"[")):
            input_format = "jsonld"
        elif head.startswith(b"<?xml") or head.startswith(b"<rdf:RDF"):
            input_format = "rdfxml"
        else:
            input_format = "trig"  # TriG is a superset of Turtle and N-Triples
    fmt = BY_NAME.get(input_format)
    if fmt is None:
        raise InputError(
            f"unknown input format {input_format!r}", hint=f"use one of {', '.join(BY_NAME)}"
        )
    if not data.strip():
        raise InputError(f"{name}: empty input, nothing to validate")
    with tempfile.TemporaryDirectory(prefix="citynet-validate-") as folder:
        path = Path(folder) / f"stdin{fmt.suffix}"
        path.write_bytes(data)
        try:
            return load_graph([path])
        except InputError as error:
            message = error.message.replace(str(path), name)
            raise InputError(
                message, hint=error.hint or "name the format with --input-format"
            ) from None


def _as_dataset(data: Dataset | Graph | Sequence[Path]) -> Dataset | Graph:
    if isinstance(data, Graph):
        return data
    paths = [Path(p) for p in data]
    if not paths:
        raise InputError("no graph to validate", hint="run `citynet build` first")
    return load_graph(paths)


class _PreparedQueryGraph(Graph):
    """A Graph that parses each SPARQL text once.

    pySHACL runs a SPARQL-based constraint once per focus node with the same text and
    $this bound; rdflib would parse it every time (most of the validation time).
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[tuple[str, tuple[tuple[str, str], ...]], Query] = {}

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 (rdflib's name)
        initBindings: Mapping[str, Node] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and processor == "sparql":
            key = (query_object, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=dict(initNs or {}))
                self._prepared[key] = prepared
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def _union(data: Dataset | Graph) -> Graph:
    """All triples of every named graph (and the default graph) in one plain Graph."""
    union = _PreparedQueryGraph()
    for prefix, namespace in PREFIXES.items():
        union.bind(prefix, str(namespace))
    if isinstance(data, ConjunctiveGraph | Dataset):
        for s, p, o, _ in data.quads((None, None, None, None)):
            union.add((s, p, o))
    else:
        for triple in data:
            union.add(triple)
    return union


# --------------------------------------------------------------------------- validate


def validate(
    data: Dataset | Graph | Sequence[Path],
    *,
    shapes: Path | None = None,
    allow_network: bool = False,
    engine: str = "auto",
    partitions: int | None = None,
) -> ValidationReport:
    """Validate a graph (or RDF files) against the citynet shapes, or the shapes given.

    ``engine``: "pyshacl" runs pySHACL over the whole graph; "fast" runs
    citynet.fast_validation (same results, much faster) and is an input error for shapes
    it does not support; "auto" (default) is "fast" when the shapes allow it, else
    "pyshacl". ``partitions`` (fast engine): None picks by the input's size, 0 keeps the
    whole graph in one store, N checks it in N partitions (citynet.partitioned).

    Raises InputError (exit 2) for a missing or unreadable input, a shapes file with a
    syntax error (``file:line``), or shapes the lint finds broken.
    """
    from citynet.validate.fast_validation import ENGINES

    if engine not in ENGINES:
        raise InputError(f"unknown validation engine {engine!r}", hint=f"use one of {ENGINES}")
    shapes_path = shapes or default_shapes_path()
    shapes_graph, shapes_text = load_shapes(shapes_path)
    if engine != "pyshacl":
        from citynet.validate import fast_validation

        try:
            compiled = fast_validation.compile_shapes(shapes_graph)
        except fast_validation.Unsupported as why:
            if engine == "fast":
                lint = lint_shapes(shapes_graph, text=shapes_text, file=str(shapes_path))
                errors = [issue for issue in lint if issue.level == "error"]
                if errors:
                    raise InputError(str(errors[0]), hint="fix the shapes file") from None
                raise InputError(
                    f"{shapes_path}: the fast validation engine does not support {why}",
                    hint="use --engine pyshacl (or auto, which picks it by itself)",
                ) from None
        else:
            try:
                return fast_validation.validate_compiled(
                    data,
                    compiled,
                    shapes_graph=shapes_graph,
                    shapes_text=shapes_text,
                    shapes_path=shapes_path,
                    allow_network=allow_network,
                    partitions=partitions,
                )
            except fast_validation.Unsupported as why:  # found only on seeing the data
                if engine == "fast":
                    raise InputError(
                        f"the fast validation engine cannot check this graph: {why}",
                        hint="use --engine pyshacl (or auto, which picks it by itself)",
                    ) from None
    import pyshacl  # slow to import; only when validating

    dataset = _as_dataset(data)
    union = _union(dataset)
    if len(union) == 0:
        raise InputError("the graph to validate is empty", hint="run `citynet build` first")
    lint = lint_shapes(
        shapes_graph,
        text=shapes_text,
        file=str(shapes_path),
        data=union,
        allow_network=allow_network,
    )
    errors = [issue for issue in lint if issue.level == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(f"{errors[0]}{more}", hint="fix the shapes file; nothing was validated")
    try:
        _, report_graph, _ = pyshacl.validate(
            union,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,  # SHACL-SPARQL constraints
            inplace=True,  # `union` is our own copy
            do_owl_imports=False,  # never fetch anything
            allow_warnings=False,  # sh:conforms as SHACL defines it; we count violations below
        )
    except Exception as error:  # pySHACL reports broken shapes (bad SPARQL, ...) this way
        raise InputError(
            f"{shapes_path}: the shapes cannot be used: {_one_line(error)}",
            hint="fix the shapes file; nothing was validated",
        ) from None
    names = _Names(union)
    if not isinstance(report_graph, Graph):  # pySHACL returns its ValidationFailure
        raise InputError(
            f"{shapes_path}: the shapes cannot be used: {_one_line(report_graph)}",
            hint="fix the shapes file; nothing was validated",
        )
    results = _results(report_graph, dataset, union, names)
    counts = {name: 0 for name in SEVERITIES}
    for result in results:
        counts[result.severity] = counts.get(result.severity, 0) + 1
    return ValidationReport(
        conforms=counts["Violation"] == 0,
        results=results,
        counts=counts,
        graph=report_graph,
        shapes=str(shapes_path),
        lint=lint,
        base=names.base,
    )


def _one_line(error: object) -> str:
    return " ".join(str(getattr(error, "message", None) or error).split())[:300]


# One result as pySHACL's report graph holds it: focus, path, value, severity, source shape,
# constraint component, messages (citynet.fast_validation produces the same rows).
ReportRow = tuple[Node, Node | None, Node | None, Node | None, Node | None, Node | None, list]


def _report_rows(report: Graph) -> list[ReportRow]:
    return [
        (
            report.value(node, SH.focusNode),
            report.value(node, SH.resultPath),
            report.value(node, SH.value),
            report.value(node, SH.resultSeverity),
            report.value(node, SH.sourceShape),
            report.value(node, SH.sourceConstraintComponent),
            list(report.objects(node, SH.resultMessage)),
        )
        for node in report.subjects(RDF.type, SH.ValidationResult)
    ]


def _results(
    report: Graph, data: Dataset | Graph, union: Graph, names: _Names
) -> list[ValidationResult]:
    return _results_from_rows(_report_rows(report), data, union, names)


def _results_from_rows(
    rows: Sequence[ReportRow],
    data: Any,
    union: Any,
    names: _Names,
    *,
    ordered: bool = True,
    sources: _Sources | None = None,
) -> list[ValidationResult]:
    sources = sources or _Sources(data, union)
    out: list[ValidationResult] = []
    for focus, path, value, severity, shape, component, all_messages in rows:
        messages = sorted(str(m) for m in set(all_messages))
        source_file, source_line = sources.locate(focus, path, value, component)
        shown = names.term_text(value) if value is not None else None
        if value is None and isinstance(path, URIRef) and component in _MANY_VALUES:
            # "More than one": show them all, so the person sees what disagrees.
            many = _clashing_values(union, focus, path, component)
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
    if ordered:
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


def _clashing_values(graph: Graph, focus: Node, path: URIRef, component: Node) -> list[Node]:
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


def _compact(term: Node) -> str:
    text = str(term)
    for prefix, namespace in (("cnsh", SHAPES_NS), *PREFIXES.items()):
        if text.startswith(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)) :]}"
    return f"<{text}>" if isinstance(term, URIRef) else text


class _Names:
    """Labels for people: rdfs:label (English first), else a description by type.

    ``describe`` reads only these properties of a node (citynet.partitioned picks just
    them for the values of results, and the labels of the nodes they link)."""

    DESCRIBED_BY = (
        RDFS.label, RDF.type, CN.member, CN.network, CN.officeRole, CN.holder, CN.body,
        CN.twinCity, CN.role, CN.participant, CN.activity, CN.fileName,
    )  # fmt: skip

    def __init__(self, graph: Graph) -> None:
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
        short = _compact(term)
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
            return f'"{term}"^^{_compact(term.datatype)}'
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

    def __init__(self, data: Dataset | Graph, union: Graph) -> None:
        self.union = union
        self.file_of_graph: dict[Node, str] = {}
        for page, file_name in union.subject_objects(CN.fileName):
            self.file_of_graph[page] = str(file_name)
        # citynet.fast_validation's StoreView reads quads from a pyoxigraph store.
        self.quads = isinstance(data, ConjunctiveGraph | Dataset) or bool(
            getattr(data, "has_named_graphs", False)
        )
        self.data = data

    def _graphs_with(self, triple: tuple[Node | None, Node | None, Node | None]) -> list[Node]:
        if not self.quads:
            return []
        return sorted({c for *_, c in self.data.quads(triple)}, key=str)  # type: ignore[arg-type]

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
        for line in self.union.objects(focus, CN.sourceLine):
            if not isinstance(line, Literal):
                continue
            try:
                number = int(line)
            except ValueError:
                continue
            graphs = self._graphs_with((focus, CN.sourceLine, line))
            files = [self.file_of_graph[g] for g in graphs if g in self.file_of_graph]
            if not files:
                pages = list(self.union.objects(focus, PROV.wasDerivedFrom))
                files = sorted(self.file_of_graph[p] for p in pages if p in self.file_of_graph)
            candidates.extend((f, number) for f in files[:1] or ["?"])
        if candidates:
            file_name, number = sorted(candidates)[0]
            return (None if file_name == "?" else file_name), number
        # 2. Derived from a page, without a line.
        pages = sorted(
            self.file_of_graph[p]
            for p in self.union.objects(focus, PROV.wasDerivedFrom)
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
            for name in self.union.objects(focus, path):
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
        if (focus, CN.memberPage, graph) in self.union:
            return None  # the page's own city: its facts come from many lines
        frontier, seen = [focus], {focus}
        for _ in range(2):  # participation -> event -> place
            lines: list[int] = []
            found: list[Node] = []
            for node in frontier:
                for predicate in self._MENTIONS:
                    for subject, *_ in self.data.quads((None, predicate, node, graph)):
                        if subject in seen:
                            continue
                        seen.add(subject)
                        found.append(subject)
                        for *_, line, _ in self.data.quads((subject, CN.sourceLine, None, graph)):
                            if isinstance(line, Literal) and str(line).isdigit():
                                lines.append(int(line))
            if lines:
                return min(lines)
            frontier = found
        return None


# --------------------------------------------------------------------------- output


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary_line(report: ValidationReport) -> str:
    """'conforms', 'conforms: 0 violations, 2 warnings, 0 infos' or '3 violations, ...'."""
    c = report.counts
    if not report.results:
        return "conforms"
    counts = ", ".join(
        (
            _plural(c.get("Violation", 0), "violation"),
            _plural(c.get("Warning", 0), "warning"),
            _plural(c.get("Info", 0), "info"),
        )
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
    "LintIssue",
    "SEVERITIES",
    "ValidationReport",
    "ValidationResult",
    "default_shapes_path",
    "format_report_text",
    "lint_shapes",
    "load_data_bytes",
    "load_shapes",
    "report_to_json",
    "summary_line",
    "validate",
]
