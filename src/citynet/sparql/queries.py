"""Named SPARQL queries: load and check them, bind parameters safely, run them anywhere.

A query is a ``.rq`` file whose leading comment block is its header (title, description,
parameters, output columns; format in queries/README.md). At load time the text is
parsed by a strict SPARQL parser (pyoxigraph, then rdflib as a portability check) and
the parameters are checked against the text: a syntax error or a parameter mismatch is
an InputError (exit 2) naming ``file:line:col``, before any store or endpoint is touched.

Parameter values never become query text. Each is turned into a typed RDF term checked
against its declared type, and the terms reach the query only as one ``VALUES`` block,
inserted on the line after each ``# @values`` marker comment (or appended as a trailing
VALUES clause when there is no marker). The text sent is the file's text, byte for byte,
plus that block (once per marker: a query whose branches each need the values, such as
one branch per mode, has a marker in each). Labels (``--param city=Liège``) are
resolved to IRIs first, from the labels a lookup query returns (its only bound values
are class IRIs; the label itself is compared in Python). On local data that lookup runs
once per backend and is kept as an index, so later labels cost a dictionary lookup.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import Literal, URIRef

from citynet.common.resources import resource_dir
from citynet.common.text import one_line
from citynet.errors import InputError
from citynet.graph.vocab import PREFIXES, XSD
from citynet.sparql.backends import (
    DEFAULT_TIMEOUT,
    Backend,
    EndpointBackend,
    OxigraphBackend,
    RdflibBackend,
    endpoint_config,
)
from citynet.sparql.labels import resolve_label
from citynet.sparql.results import QueryResult
from citynet.sparql.values import (
    IRI_FORBIDDEN,
    MARKER,
    insert_blocks,
    show_value,
    values_block,
)

DEFAULT_DATA = Path("build/citynet.trig")
MAX_VALUE_LENGTH = 1000  # characters; longer values are refused, not truncated
HEADER_KEYS = ("title", "description", "param", "column")
ENGINES = ("oxigraph", "rdflib")

#: Bound when a label matches nothing: an IRI no data uses, so the query runs and gives
#: zero rows. (An empty ``VALUES ?x { }`` is the standard way, but rdflib 7 crashes on it.)
NO_MATCH = URIRef("urn:citynet:no-match")

PARAM_TYPES = (
    "iri",
    "iri-or-label",
    "string",
    "integer",
    "decimal",
    "boolean",
    "date",
    "year",
    "language",
)


# The header --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    default: str | None
    var: str  # the SPARQL variable the value binds, written $var in the query
    classes: tuple[URIRef, ...] = ()  # iri-or-label: the classes labels are looked up in
    description: str = ""


@dataclass(frozen=True)
class Column:
    name: str
    separator: str | None = None  # a "list" column: items joined with this separator
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    text: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[Column, ...]
    form: str  # select, ask, construct, describe
    marker_offsets: tuple[int, ...]  # where the VALUES block goes (start of the next line)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "form": self.form,
            "params": [
                {
                    "name": p.name,
                    "type": p.type,
                    "required": p.required,
                    "default": p.default,
                    "variable": p.var,
                    "classes": [str(c) for c in p.classes],
                    "description": p.description,
                }
                for p in self.params
            ],
            "columns": [
                {"name": c.name, "list_separator": c.separator, "description": c.description}
                for c in self.columns
            ],
        }


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _header_lines(text: str) -> list[tuple[int, str]]:
    """The leading comment block: (line number, text after '#') pairs."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        lines.append((number, stripped[1:]))
    return lines


def parse_header(text: str, path: Path) -> dict[str, list[tuple[int, str, list[str]]]]:
    """Group header fields: key -> [(line, first-line value, continuation lines)]."""
    fields: dict[str, list[tuple[int, str, list[str]]]] = {key: [] for key in HEADER_KEYS}
    current: list[str] | None = None
    for number, body in _header_lines(text):
        if body.startswith("  ") and current is not None:
            current.append(body.strip())
            continue
        if not body.strip():
            current = None
            continue
        match = re.match(r"^ ?([a-z]+):\s*(.*)$", body)
        if not match:
            # Free comments are allowed in the header only before the first field.
            if any(fields.values()):
                raise InputError(
                    f"{path}:{number}: header line is not 'key: value' or an indented continuation",
                    hint="see queries/README.md",
                )
            continue
        key, value = match.groups()
        if key not in HEADER_KEYS:
            raise InputError(
                f"{path}:{number}: unknown header field {key!r}",
                hint=f"use {', '.join(HEADER_KEYS)}",
            )
        current = []
        fields[key].append((number, value.strip(), current))
    return fields


def _param_from(path: Path, line: int, value: str, more: list[str]) -> Param:
    try:
        words = shlex.split(value)
    except ValueError as error:
        raise InputError(f"{path}:{line}: bad param spec: {error}") from None
    if len(words) < 2 or not _NAME.match(words[0]) or words[1] not in PARAM_TYPES:
        raise InputError(
            f"{path}:{line}: param needs 'NAME TYPE [optional] [default=V] [class=C] [var=V]'",
            hint=f"types: {', '.join(PARAM_TYPES)}",
        )
    name, kind = words[0], words[1]
    required, default, var = True, None, name.replace("-", "_")
    classes: list[URIRef] = []
    for word in words[2:]:
        key, _, val = word.partition("=")
        if word == "optional":
            required = False
        elif key == "default" and _:
            required, default = False, val
        elif key == "var" and _ and _VARNAME.match(val.lstrip("$?")):
            var = val.lstrip("$?")
        elif key == "class" and _:
            classes.extend(_expand_curie(path, line, c) for c in val.split(",") if c)
        else:
            raise InputError(f"{path}:{line}: param {name}: unknown option {word!r}")
    if classes and kind != "iri-or-label":
        raise InputError(f"{path}:{line}: param {name}: class= is for iri-or-label parameters")
    return Param(name, kind, required, default, var, tuple(classes), " ".join(more))


def _column_from(path: Path, line: int, value: str, more: list[str]) -> Column:
    try:
        words = shlex.split(value)
    except ValueError as error:
        raise InputError(f"{path}:{line}: bad column spec: {error}") from None
    if not words or not _VARNAME.match(words[0]):
        raise InputError(f"{path}:{line}: column needs a variable name")
    separator = None
    for word in words[1:]:
        key, eq, val = word.partition("=")
        if key == "list" and eq and val:
            separator = val
        else:
            raise InputError(f"{path}:{line}: column {words[0]}: unknown option {word!r}")
    return Column(words[0], separator, " ".join(more))


def _expand_curie(path: Path, line: int, curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    if prefix in PREFIXES and local and not local.startswith("//"):
        return URIRef(str(PREFIXES[prefix]) + local)
    if curie.startswith(("http://", "https://")):
        return URIRef(curie)
    raise InputError(f"{path}:{line}: unknown class {curie!r}", hint="use cn:City or a full IRI")


# Lexing: just enough to find variables, keywords and the marker outside strings and IRIs.

_TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '''(?:[^'\\]|\\.|'(?!''))*'''
             | "(?:[^"\\\n]|\\.)*"
             | '(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>[^#"'<?$A-Za-z_]+|.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.lastgroup or "other", m.group(), m.start()) for m in _TOKENS.finditer(text)]


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


# Loading and checking ---------------------------------------------------------------------


def queries_dir() -> Path:
    return resource_dir("queries")


def list_queries(directory: Path | None = None) -> list[NamedQuery]:
    """Every named query, checked, sorted by name."""
    folder = directory or queries_dir()
    return [load_query(path) for path in sorted(folder.glob("*.rq"))]


def find_query(name_or_path: str, directory: Path | None = None) -> NamedQuery:
    """A named query by name, or a query file by path (anything ending in .rq)."""
    if name_or_path.endswith(".rq") or "/" in name_or_path or "\\" in name_or_path:
        return load_query(Path(name_or_path))
    folder = directory or queries_dir()
    path = folder / f"{name_or_path}.rq"
    if not _NAME.match(name_or_path) or not path.is_file():
        known = ", ".join(p.stem for p in sorted(folder.glob("*.rq")))
        raise InputError(f"no named query {name_or_path!r}", hint=f"known: {known}")
    return load_query(path)


def load_query(path: Path) -> NamedQuery:
    """Read and check a query file (cached while the file is unchanged)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such query file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    return _load_query(path.resolve(), stat.st_mtime_ns, stat.st_size, path)


@lru_cache(maxsize=128)
def _load_query(resolved: Path, mtime_ns: int, size: int, path: Path) -> NamedQuery:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such query file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 (byte {error.start})") from None
    return parse_query(text, path)


def parse_query(text: str, path: Path) -> NamedQuery:
    """Check a query text and its header; see the module docstring."""
    form = check_syntax(text, path)
    fields = parse_header(text, path)
    title = fields["title"][0][1] if fields["title"] else path.stem
    description = ""
    if fields["description"]:
        _, first, more = fields["description"][0]
        description = " ".join([first, *more]).strip()
    params = tuple(_param_from(path, *spec) for spec in fields["param"])
    columns = tuple(_column_from(path, *spec) for spec in fields["column"])
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise InputError(f"{path}: a parameter is declared twice: {', '.join(names)}")
    tokens = _tokens(text)
    _check_params(text, path, params, tokens)
    markers = _marker_offsets(text, tokens)
    return NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        title=title,
        description=description,
        params=params,
        columns=columns,
        form=form,
        marker_offsets=markers,
    )


def check_syntax(text: str, path: Path | str) -> str:
    """Parse with pyoxigraph (strict, gives line:col), then with rdflib so only portable
    SPARQL 1.1 passes; returns the query form. Never evaluates anything."""
    try:
        # Store.query parses eagerly and evaluates lazily: not iterating the answer means
        # nothing runs (not even a SERVICE call).
        answer = ox.Store().query(text)
    except SyntaxError as error:
        raise _syntax_error(text, path, str(error)) from None
    except (RuntimeError, ValueError) as error:  # valid SPARQL the engine cannot run
        raise InputError(
            f"{path}: the query cannot run here: {one_line(error)}",
            hint="custom functions are not supported; use SPARQL 1.1 built-ins",
        ) from None
    try:
        from rdflib.plugins.sparql import prepareQuery

        prepared = prepareQuery(text)
    except Exception as error:  # pyparsing and rdflib algebra errors
        line = getattr(error, "lineno", None)
        col = getattr(error, "col", None)
        where = f"{path}:{line}:{col}" if line else str(path)
        raise InputError(
            f"{where}: not portable SPARQL 1.1 (rdflib rejects it): {one_line(error)}"
        ) from None
    name = getattr(prepared.algebra, "name", "")
    forms = {
        "SelectQuery": "select",
        "AskQuery": "ask",
        "ConstructQuery": "construct",
        "DescribeQuery": "describe",
    }
    if isinstance(answer, ox.QueryBoolean):
        return "ask"
    return forms.get(name, "select")


def _check_bound_syntax(text: str, path: Path) -> None:
    """The text with its VALUES block must still parse (pyoxigraph; nothing runs)."""
    try:
        ox.Store().query(text)
    except SyntaxError as error:
        raise _syntax_error(text, f"{path} (with parameter values)", str(error)) from None


def _syntax_error(text: str, path: Path | str, message: str) -> InputError:
    """file:line:col of a syntax error pyoxigraph found.

    pyoxigraph's parser often reports the position where it gave up (the end of the
    text); rdflib's points at the start of the element that failed. The earlier of the
    two is given, with that line's text, and pyoxigraph's expectation.
    """
    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if not match:
        return InputError(f"{path}: SPARQL syntax error: {one_line(message)}")
    line, col, detail = int(match.group(1)), int(match.group(2)), match.group(3)
    try:
        from rdflib.plugins.sparql import prepareQuery

        prepareQuery(text)
    except Exception as error:
        other = (getattr(error, "lineno", None), getattr(error, "col", None))
        if isinstance(other[0], int) and isinstance(other[1], int) and other < (line, col):
            line, col = other[0], other[1]
    lines = text.splitlines()
    near = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    where = f" near {show_value(near)}" if near else " at the end of the query"
    return InputError(f"{path}:{line}:{col}: SPARQL syntax error{where}: {one_line(detail)}")


def _check_params(text: str, path: Path, params: Iterable[Param], tokens: list[_Token]) -> None:
    """B27: every declared parameter is used as $var, and every $var is declared."""
    declared = {p.var: p for p in params}
    used: dict[str, int] = {}
    for token in tokens:
        if token.kind == "var" and token.text.startswith("$"):
            used.setdefault(token.text[1:], token.start)
    for var, offset in used.items():
        if var not in declared:
            line, col = _position(text, offset)
            raise InputError(
                f"{path}:{line}:{col}: ${var} is not a declared parameter",
                hint="declare it in the header ('# param: NAME TYPE var=...') or write ?" + var,
            )
    for var, param in declared.items():
        if var not in used:
            raise InputError(
                f"{path}: parameter {param.name!r} is declared but ${var} is not used",
                hint="use it in the query or remove the '# param:' line",
            )


def _marker_offsets(text: str, tokens: list[_Token]) -> tuple[int, ...]:
    offsets = []
    for token in tokens:
        if token.kind == "comment" and token.text.startswith(MARKER):
            end = text.find("\n", token.start)
            offsets.append(len(text) if end < 0 else end + 1)
    return tuple(offsets)


# Parameter values --------------------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
_YEAR = re.compile(r"^-?\d{4,}(Z|[+-]\d{2}:\d{2})?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
#: Types checked by their lexical form alone: pattern, datatype, what the error says.
_LEXICAL = {
    "integer": (_INTEGER, XSD.integer, "an integer"),
    "decimal": (_DECIMAL, XSD.decimal, "a decimal"),
    "boolean": (re.compile(r"(true|false)\Z"), XSD.boolean, "true or false"),
    "year": (_YEAR, XSD.gYear, "a valid xsd:gYear"),
}
# RFC 5646 well-formed tags (langtag, private use, grandfathered irregular tags left out).
_BCP47 = re.compile(
    r"""^(
      (?P<language>[a-z]{2,3}(-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})
      (-[a-z]{4})?
      (-([a-z]{2}|\d{3}))?
      (-([a-z\d]{5,8}|\d[a-z\d]{3}))*
      (-[\da-wyz](-[a-z\d]{2,8})+)*
      (-x(-[a-z\d]{1,8})+)?
    | x(-[a-z\d]{1,8})+
    )$""",
    re.VERBOSE | re.IGNORECASE,
)


def check_iri(value: str, *, param: str = "iri") -> URIRef:
    """An absolute http(s) IRI that is safe to write between < and > (B29)."""
    scheme_match = _SCHEME.match(value)
    if not scheme_match:
        raise InputError(
            f"--param {param}: {show_value(value)} is not an absolute IRI",
            hint="give a full http:// or https:// IRI",
        )
    scheme = scheme_match.group()[:-1].lower()
    if scheme not in ("http", "https"):
        raise InputError(
            f"--param {param}: IRI scheme {scheme!r} is not allowed",
            hint="only http and https IRIs are accepted",
        )
    bad = IRI_FORBIDDEN.search(value)
    if bad:
        raise InputError(
            f"--param {param}: character {bad.group()!r} is not allowed in an IRI",
            hint="percent-encode it",
        )
    if not urlsplit(value).netloc:
        raise InputError(f"--param {param}: {show_value(value)} has no host")
    try:
        ox.NamedNode(value)
    except ValueError as error:
        raise InputError(f"--param {param}: not a valid IRI: {one_line(error)}") from None
    return URIRef(value)


def _looks_like_iri(value: str) -> bool:
    """For iri-or-label: a scheme followed by a non-space, or a relative reference."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S", value):
        return True
    return value.startswith(("/", "./", "../", "<", "#", "?"))


def typed_value(param: Param, value: str) -> Literal | URIRef:
    """The RDF term for a parameter value of a type other than iri-or-label."""
    name = param.name
    if param.type == "iri":
        return check_iri(value, param=name)
    if param.type == "string":
        if re.search(r"\\[uU]", value):
            # Some engines (rdflib, Jena) decode \uXXXX before parsing, so the same text
            # would mean different strings on different stores.
            raise InputError(
                f"--param {name}: a backslash followed by 'u' is not accepted in a string",
                hint="write the character itself",
            )
        return Literal(value)
    if param.type in _LEXICAL:
        pattern, datatype, what = _LEXICAL[param.type]
        if not pattern.match(value):
            raise InputError(f"--param {name}: {show_value(value)} is not {what}")
        return Literal(value, datatype=datatype, normalize=False)
    if param.type == "date":
        match = _DATE.match(value)
        try:
            if not match:
                raise ValueError
            date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise InputError(
                f"--param {name}: {show_value(value)} is not a valid xsd:date",
                hint="write YYYY-MM-DD, a day that exists",
            ) from None
        return Literal(value, datatype=XSD.date, normalize=False)
    if param.type == "language":
        if not _BCP47.match(value):
            raise InputError(
                f"--param {name}: {show_value(value)} is not a BCP47 tag", hint="e.g. en, fr, pt-BR"
            )
        return Literal(value)
    raise InputError(f"--param {name}: unsupported type {param.type!r}")


def _check_text(param: Param, value: str) -> None:
    if len(value) > MAX_VALUE_LENGTH:
        raise InputError(
            f"--param {param.name}: value is {len(value)} characters long",
            hint=f"at most {MAX_VALUE_LENGTH} are accepted",
        )
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value)
    if bad:
        raise InputError(
            f"--param {param.name}: control character U+{ord(bad.group()):04X} in the value"
        )


def parse_param_options(options: Iterable[str]) -> dict[str, str]:
    """``--param KEY=VALUE`` options as a dict; a key given twice is an error."""
    values: dict[str, str] = {}
    for option in options:
        key, eq, value = option.partition("=")
        key = key.strip()
        if not eq or not key:
            raise InputError(f"--param {show_value(option)}: expected KEY=VALUE")
        if key in values:
            raise InputError(f"--param {key} is given twice")
        values[key] = value
    return values


@dataclass
class PreparedQuery:
    query: NamedQuery
    text: str  # exactly what is sent
    bindings: dict[str, list[URIRef | Literal]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def prepare(
    query: NamedQuery, values: Mapping[str, str], backend: Backend | None = None
) -> PreparedQuery:
    """Check parameter values, resolve labels (needs ``backend``), build the final text."""
    for key in values:
        if query.param(key) is None:
            known = ", ".join(p.name for p in query.params) or "none"
            raise InputError(
                f"{query.name}: unknown parameter {key!r}", hint=f"parameters: {known}"
            )
    bindings: dict[str, list[URIRef | Literal]] = {}
    warnings: list[str] = []
    for param in query.params:
        value = values.get(param.name, param.default)
        if value is None:
            if param.required:
                raise InputError(
                    f"{query.name}: parameter {param.name!r} is required",
                    hint=f"add --param {param.name}=...",
                )
            continue
        _check_text(param, value)
        if param.type == "iri-or-label":
            if _looks_like_iri(value):
                bindings[param.var] = [check_iri(value, param=param.name)]
                continue
            if backend is None:
                raise InputError(f"--param {param.name}: a label needs data to be resolved")
            found = resolve_label(backend, value, param.classes)
            if not found:
                warnings.append(f"--param {param.name}: nothing is labelled {show_value(value)}")
                found = [NO_MATCH]
            bindings[param.var] = list(found)
        else:
            bindings[param.var] = [typed_value(param, value)]
    text = query.text
    if bindings:
        text = insert_blocks(query.text, query.marker_offsets, values_block(bindings))
        _check_bound_syntax(text, query.path)
    return PreparedQuery(query, text, bindings, warnings)


# Running ----------------------------------------------------------------------------------


def make_backend(
    data: Iterable[Path] = (),
    *,
    endpoint: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    engine: str = "oxigraph",
) -> Backend:
    if endpoint:
        if list(data):
            raise InputError("give --data or --endpoint, not both")
        return EndpointBackend(endpoint_config(endpoint, timeout))
    paths = list(data) or [DEFAULT_DATA]
    if engine == "oxigraph":
        return OxigraphBackend(paths)
    if engine == "rdflib":
        return RdflibBackend(paths)
    raise InputError(f"unknown engine {engine!r}", hint=f"use one of {', '.join(ENGINES)}")


def _refuse_service(query: NamedQuery, backend: Backend) -> None:
    """Local runs make no network requests: a SERVICE clause would."""
    if isinstance(backend, EndpointBackend):
        return
    for token in _tokens(query.text):
        if token.kind == "word" and token.text.upper() == "SERVICE":
            line, col = _position(query.text, token.start)
            raise InputError(
                f"{query.path}:{line}:{col}: SERVICE is refused on local files",
                hint="citynet makes no network requests unless you give --endpoint",
            )


def run_query(
    query: NamedQuery | str,
    values: Mapping[str, str] | None = None,
    *,
    backend: Backend,
    on_prepared: Callable[[PreparedQuery], None] | None = None,
) -> QueryResult:
    """Check, bind and run a named query (or a query file) on a backend."""
    named = query if isinstance(query, NamedQuery) else find_query(query)
    _refuse_service(named, backend)
    prepared = prepare(named, values or {}, backend)
    if on_prepared is not None:
        on_prepared(prepared)
    result = backend.run(prepared.text, named.form)
    result.warnings.extend(prepared.warnings)
    return canonical(result, named)


def canonical(result: QueryResult, query: NamedQuery) -> QueryResult:
    """Sort the items of "list" columns: GROUP_CONCAT's order is up to each engine."""
    lists = {c.name: c.separator for c in query.columns if c.separator}
    if result.kind != "select" or not lists:
        return result
    indexes = [(result.variables.index(n), s) for n, s in lists.items() if n in result.variables]
    done: dict[tuple[int, Literal], Literal] = {}  # the same list recurs on many rows

    def sort_items(separator: str, cell: Literal) -> Literal:
        text = str(cell)
        if separator not in text:
            return cell  # one item: nothing to sort
        items = sorted(set(text.split(separator)), key=lambda s: (s.casefold(), s))
        return Literal(
            separator.join(items), lang=cell.language, datatype=cell.datatype, normalize=False
        )

    rows = []
    for row in result.rows:
        cells = list(row)
        for index, separator in indexes:
            cell = cells[index]
            if isinstance(cell, Literal) and separator:
                key = (index, cell)
                if key not in done:
                    done[key] = sort_items(separator, cell)
                cells[index] = done[key]
        rows.append(tuple(cells))
    result.rows = rows
    return result
