"""Fast validation of large graphs: in partitions, on both cores, in bounded memory.

citynet.fast_validation keeps the whole graph in one pyoxigraph store, its page graphs and
their union: about 700 bytes a triple, 1.7 GB at 10,000 pages, over 10 GB at 100,000.
This module gives the same results (the same rows, hence the same report) without ever
holding the whole graph:

1. **split** (two processes, each half of the N-Quads lines; TriG and Turtle are turned
   into N-Quads first): every triple goes, without its page graph, to the partition of
   its subject (a hash of the subject), so a partition holds every fact of its subjects,
   from every page. The same pass keeps the type index (class -> its instances), the
   subclass links, and the triples the SPARQL constraints read.
2. **partitions** (two worker processes, one partition at a time, each in a small store of
   its own): fast_validation's engine checks the core constraints of the focus nodes of
   the partition. Each of those reads only the focus node's own facts, or (``sh:class``)
   the type index; :func:`plan` refuses shapes for which that does not hold (focus
   nodes that are not subjects, property shapes nested in property shapes, ...).
3. meanwhile, in this process, the **SPARQL constraints** (they join across pages) run
   once on a store holding only the triples they read.
4. the **report**: the page and line of each result and the labels it shows come from a
   small store holding only the facts about the nodes in results (three filtered passes
   over the input: their facts, the page lines that mention them, the names they show),
   through citynet.validation's code, as for pySHACL's results.

Inputs with blank nodes or escaped IRIs (whose partition cannot be told from their text)
are validated in one store, as are small inputs (one store is faster there).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import re
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from citynet.errors import InputError
from citynet.graph.vocab import CN, RDF, RDFS, SH
from citynet.validate import fast_validation as fv

# From about 1,500 pages on, partitions on two cores beat one store (measured).
PARTITION_QUADS = 250_000
LINES_PER_PARTITION = 150_000
WORKERS = 2
_CHUNK = 32 * 1024 * 1024  # bytes read at once by the split and the report passes
_FLUSH_LINES = 300_000  # lines a split process keeps before appending them to the files
_BYTES_PER_LINE = {"nquads": 190, "ntriples": 160, "trig": 40, "turtle": 40}

_TYPE = b"<" + str(RDF.type).encode() + b">"
_SUBCLASS = b"<" + str(RDFS.subClassOf).encode() + b">"
_LABEL = b"<" + str(RDFS.label).encode() + b">"
_FILE_NAME = b"<" + str(CN.fileName).encode() + b">"
_SOURCE_LINE = b"<" + str(CN.sourceLine).encode() + b">"
_SOURCE_PAGE = b"<" + str(CN.SourcePage).encode() + b">"
# The report's page line of a node without one: the statements that mention it
# (citynet.validate.validation._Sources._MENTIONS), two hops at most.
_MENTIONS = frozenset(b"<" + str(p).encode() + b">" for p in (CN.activity, CN.twinCity, CN.place))
_PASS_PREDICATES = _MENTIONS | {_SOURCE_LINE, _LABEL, _FILE_NAME, _TYPE}


class _NeedsOneStore(Exception):
    """The data cannot be partitioned by the text of its subjects (blank nodes, escapes)."""


def token(term: Any) -> bytes:
    """A named node as N-Quads writes it, ``<iri>`` (rdflib or pyoxigraph)."""
    value = term.value if isinstance(term, ox.NamedNode) else str(term)
    return b"<" + value.encode() + b">"


def _node(tok: bytes) -> ox.NamedNode:
    return ox.NamedNode(tok[1:-1].decode())


# --------------------------------------------------------------------------- the plan


@dataclass
class Plan:
    """What the split keeps for the SPARQL constraints: every triple of ``predicates``
    (None: of every predicate), rdf:type triples only for ``classes`` (None: all)."""

    predicates: frozenset[bytes] | None
    classes: frozenset[bytes] | None
    sparql_shapes: list[fv.Shape] = field(default_factory=list)

    def wants(self, predicate: bytes, obj: bytes) -> bool:
        if self.predicates is not None and predicate not in self.predicates:
            return False
        return predicate != _TYPE or self.classes is None or obj in self.classes


def plan(compiled: fv.CompiledShapes) -> Plan | str:
    """The plan for these shapes, or why they need the whole graph in one store."""
    sparql_shapes: list[fv.Shape] = []
    for shape in compiled.top:
        if shape.deactivated:
            continue
        extra = set(shape.targets) - {SH.targetClass, SH.targetSubjectsOf}
        if extra:
            return "targets other than sh:targetClass and sh:targetSubjectsOf"
        why = _local_reason(shape, nodes_local=True, top=True, seen=set())
        if why:
            return why
        if shape.sparql:
            sparql_shapes.append(shape)
    predicates: set[bytes] | None = set()
    classes: set[bytes] | None = set()
    for shape in sparql_shapes:
        for target in shape.targets.get(SH.targetSubjectsOf, ()):
            if predicates is not None:
                predicates.add(token(target))
        for constraint in shape.sparql:
            read = _read_by(constraint.query)
            if read is None:
                predicates = classes = None
                break
            query_predicates, query_classes = read
            if predicates is not None:
                predicates |= query_predicates
            if query_classes is None:
                classes = None
            elif classes is not None:
                classes |= query_classes
    return Plan(
        predicates=None if predicates is None else frozenset(predicates),
        classes=None if classes is None else frozenset(classes),
        sparql_shapes=sparql_shapes,
    )


def _local_reason(shape: fv.Shape, *, nodes_local: bool, top: bool, seen: set) -> str | None:
    """Why checking ``shape`` on nodes of one partition (``nodes_local``) or on values
    that may lie in another partition would need facts of other nodes, else None."""
    key = (id(shape), nodes_local)
    if key in seen:
        return None
    seen.add(key)
    if shape.sparql and not top:
        return f"a SPARQL constraint below the top of a shape ({shape.node})"
    if not nodes_local and (shape.path is not None or shape.properties):
        return f"a shape reading the facts of values ({shape.node})"
    if not nodes_local and shape.closed_allowed is not None:
        return f"a closed shape on values ({shape.node})"
    if shape.path is not None and shape.properties:
        return f"property shapes nested in a property shape ({shape.node})"
    if shape.path is not None and shape.closed_allowed is not None:
        return f"a closed property shape ({shape.node})"
    # A property shape's logical members see its values; a node shape's see its nodes.
    members_local = nodes_local and shape.path is None
    for check in shape.checks:
        for member in getattr(check, "members", ()):
            why = _local_reason(member, nodes_local=members_local, top=False, seen=seen)
            if why:
                return why
    for child in shape.properties:
        why = _local_reason(child, nodes_local=nodes_local, top=False, seen=seen)
        if why:
            return why
    return None


def _read_by(query: str) -> tuple[set[bytes], set[bytes] | None] | None:
    """Every IRI a SPARQL constraint names (its predicates among them) and the classes
    it asks rdf:type of (None: any), or None when it may read any predicate."""
    tokens = fv._tokens(query)
    prefixes: dict[str, str] = {}
    for i, tok in enumerate(tokens[:-2]):
        if tok.upper() == "PREFIX" and tokens[i + 2].startswith("<"):
            prefixes[tokens[i + 1].rstrip(":")] = tokens[i + 2][1:-1]
    try:
        select = next(i for i, t in enumerate(tokens) if t.upper() == "SELECT")
        body = tokens.index("{", select)
    except (StopIteration, ValueError):
        return None
    walk = fv._Walk(tokens)
    walk.group(body + 1, 1)
    if walk.unclear:
        return None
    names: set[bytes] = set()
    for variable, depth in walk.variable_predicates:
        # "$this ?path ?value FILTER (?path IN (cn:startYear, ...))": those predicates
        allowed = walk.restricted.get(variable[1:])
        if depth != 1 or allowed is None:
            return None
        for item in allowed:
            iri = fv._expand(item, prefixes)
            if iri is None or iri == str(RDF.type):
                return None
            names.add(b"<" + iri.encode() + b">")
    classes: set[bytes] | None = set()
    rdf_type = str(RDF.type)
    for i, tok in enumerate(tokens):
        if i < body:
            continue
        iri = fv._expand(tok, prefixes)
        if iri is None:
            continue
        names.add(b"<" + iri.encode() + b">")
        if iri == rdf_type and classes is not None:
            j = i + 1
            while j < len(tokens):
                target = fv._expand(tokens[j], prefixes) if tokens[j] != "a" else None
                if target is None or fv._is_var(tokens[j]):
                    classes = None
                    break
                classes.add(b"<" + target.encode() + b">")
                if j + 1 < len(tokens) and tokens[j + 1] == ",":
                    j += 2
                    continue
                break
    return names, classes


# --------------------------------------------------------------------------- lines


def _parse_line(line: bytes) -> tuple[bytes, bytes, bytes, bytes | None, bytes] | None:
    """(subject, predicate, object, graph or None, the triple as an N-Triples line) of one
    N-Quads line in the form pyoxigraph writes, None for a line that needs the real
    parser (comments, tabs, odd spacing). Terms are checked by pyoxigraph when the
    partition is loaded; this only finds where they are."""
    if line[-2:] != b" .":
        return None
    parts = line.rsplit(b" ", 2)
    if len(parts) != 3:
        return None
    head, last = parts[0], parts[1]
    i = head.find(b" ")
    if i <= 0:
        return None
    j = head.find(b" ", i + 1)
    if j < 0:  # "s p o ." : a triple of the default graph
        return head[:i], head[i + 1 :], last, None, line
    obj = head[j + 1 :]
    if last[:1] == b"<" and last[-1:] == b">" and b'"' not in last:
        # "s p o g .": the object must be one whole term
        first = obj[:1]
        if first == b"<":
            if obj[-1:] != b">" or b" " in obj:
                return None
        elif first == b'"':
            if not _whole_literal(obj):
                return None
        elif first != b"_":
            return None
        return head[:i], head[i + 1 : j], obj, last, head + b" ."
    if last[:2] == b"_:":
        return head[:i], head[i + 1 : j], obj, last, head + b" ."  # refused later
    # "s p "a literal with spaces" .": a triple of the default graph
    if obj[:1] != b'"':
        return None
    return head[:i], head[i + 1 : j], obj + b" " + last, None, line


def _whole_literal(text: bytes) -> bool:
    close = text.rfind(b'"')
    if close <= 0:
        return False
    tail = text[close + 1 :]
    if tail and not (
        (tail[:3] == b"^^<" and tail[-1:] == b">" and b" " not in tail)
        or (tail[:1] == b"@" and b" " not in tail)
    ):
        return False
    slashes = 0
    k = close - 1
    while k > 0 and text[k] == 92:  # an escaped closing quote is no closing quote
        slashes += 1
        k -= 1
    return slashes % 2 == 0


def _parse_slowly(line: bytes) -> tuple[bytes, bytes, bytes, bytes | None, bytes] | None:
    """As _parse_line, with pyoxigraph's parser (SyntaxError for a bad line)."""
    quads = list(ox.parse(line, format=ox.RdfFormat.N_QUADS))
    if not quads:
        return None  # a comment or an empty line
    quad = quads[0]
    s, p, o = (str(t).encode() for t in (quad.subject, quad.predicate, quad.object))
    g = None if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name).encode()
    return s, p, o, g, b"%s %s %s ." % (s, p, o)


def _canonical_quad(parsed: tuple[bytes, bytes, bytes, bytes | None, bytes]) -> bytes:
    s, p, o, g, triple = parsed
    return triple if g is None else b"%s %s %s %s ." % (s, p, o, g)


@dataclass(frozen=True)
class _Range:
    path: str
    start: int
    end: int
    fmt: str = "nquads"  # "trig" or "turtle": a piece of whole statements, parsed here
    header: bytes = b""  # the directives a piece of TriG or Turtle needs (@prefix, ...)
    base: str | None = None


class _PieceFailed(Exception):
    """A piece of a TriG or Turtle file did not parse on its own (the caller parses the
    whole file to tell a syntax error from a piece cut in the wrong place)."""


def _piece_lines(part: _Range) -> list[bytes]:
    """A piece of TriG or Turtle as N-Quads lines (pyoxigraph parses and writes them)."""
    with open(part.path, "rb") as handle:
        handle.seek(part.start)
        text = part.header + handle.read(part.end - part.start)
    fmt = ox.RdfFormat.TRIG if part.fmt == "trig" else ox.RdfFormat.TURTLE
    try:
        written = ox.serialize(
            ox.parse(text, format=fmt, base_iri=part.base), format=ox.RdfFormat.N_QUADS
        )
    except SyntaxError:
        raise _PieceFailed(part.path) from None
    del text
    lines = written.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _lines(ranges: Sequence[_Range]) -> Iterator[tuple[str, list[bytes]]]:
    """The lines of these byte ranges (each starts at a line), a chunk at a time."""
    for part in ranges:
        if part.fmt in ("trig", "turtle"):
            yield part.path, _piece_lines(part)
            continue
        with open(part.path, "rb") as handle:
            handle.seek(part.start)
            left = part.end - part.start
            carry = b""
            while left > 0:
                block = handle.read(min(_CHUNK, left))
                if not block:
                    break
                left -= len(block)
                block = carry + block
                cut = block.rfind(b"\n") + 1
                if left > 0 and cut > 0:
                    carry = block[cut:]
                    block = block[:cut]
                else:
                    carry = b""
                lines = block.split(b"\n")
                if lines and not lines[-1]:
                    lines.pop()
                if b"\r" in block:
                    lines = [line[:-1] if line[-1:] == b"\r" else line for line in lines]
                yield part.path, lines
            if carry:
                yield part.path, [carry.rstrip(b"\r")]


def _line_ranges(paths: Sequence[Path], parts: int) -> list[_Range]:
    """The files cut into about ``parts`` ranges of whole lines."""
    sizes = [(str(p), p.stat().st_size) for p in paths]
    total = sum(size for _, size in sizes)
    share = max(1, math.ceil(total / parts))
    cuts: list[_Range] = []
    for path, size in sizes:
        start = 0
        with open(path, "rb") as handle:
            while start < size:
                end = min(size, start + share)
                if end < size:
                    handle.seek(end)
                    rest = handle.readline()
                    end += len(rest)
                cuts.append(_Range(path, start, end))
                start = end
    return cuts


def _weight(part: _Range) -> float:
    return (part.end - part.start) / _BYTES_PER_LINE.get(part.fmt, 190)


def _deal_ranges(cuts: list[_Range], parts: int) -> list[list[_Range]]:
    groups: list[list[_Range]] = [[] for _ in range(parts)]
    filled = [0.0] * parts
    for cut in sorted(cuts, key=_weight, reverse=True):
        i = filled.index(min(filled))
        groups[i].append(cut)
        filled[i] += _weight(cut)
    return [g for g in groups if g]


# TriG and Turtle in pieces that parse on their own: the directives must all be at the
# top (then every piece gets them), and a piece ends after a line "}" (TriG) or a line
# ending with "." (Turtle) followed by a line that starts a statement at the margin.
_PIECE = 8 * 1024 * 1024
_DIRECTIVES = re.compile(
    rb"(?:[ \t]*(?:#[^\n]*|@prefix[^\n]*|@base[^\n]*|(?i:prefix)[ \t][^\n]*"
    rb"|(?i:base)[ \t][^\n]*)?\r?\n)*"
)
_LATER_DIRECTIVE = re.compile(  # "\n" then "@prefix", "@base", "PREFIX " or "BASE " (any case)
    rb"\n[ \t]*[@PpBb](?:(?<=@)(?:prefix|base)|(?i:(?<=p)refix|(?<=b)ase)[ \t])"
)
_PIECE_END = {
    "trig": re.compile(rb"\n\}[ \t]*\r?\n(?=[^\s#}])"),
    "turtle": re.compile(rb"\.[ \t]*\r?\n(?=[^\s#.])"),
}


def _pieces(path: Path, fmt: str) -> list[_Range] | None:
    """The file cut into pieces that parse on their own, or None (small, or directives
    after the top: parsed in one go). Read a block at a time, in little memory."""
    size = path.stat().st_size
    if size < 2 * _PIECE:
        return None
    with open(path, "rb") as handle:
        first = handle.read(max(_PIECE, 1 << 20))
        top = _DIRECTIVES.match(first)
        header_end = top.end() if top else 0
        if header_end >= len(first) - 1:
            return None  # a header longer than a megabyte
        header = first[:header_end]
        # Directives after the top would not reach the pieces after them: look for any.
        handle.seek(max(0, header_end - 1))
        carry = b""
        while block := handle.read(_PIECE):
            text = carry + block
            if _LATER_DIRECTIVE.search(text):
                return None
            carry = text[text.rfind(b"\n") :]  # a line cut by the block: kept for the next
        # Cuts: the first end of a graph block (or statement) after every _PIECE bytes.
        cuts = [header_end]
        while cuts[-1] + _PIECE < size:
            at = cuts[-1] + _PIECE - 1
            found = None
            while found is None and at < size:
                handle.seek(at)
                window = handle.read(1 << 20)
                found = _PIECE_END[fmt].search(window)
                if found is None:
                    at += len(window) - 64  # the end may straddle two windows
                    if len(window) < 1 << 20:
                        break
            if found is None:
                break
            cuts.append(at + found.end())
        cuts.append(size)
    base = path.resolve().as_uri()
    return [
        _Range(str(path), a, b, fmt=fmt, header=header, base=base)
        for a, b in zip(cuts, cuts[1:], strict=False)
        if b > a
    ]


# --------------------------------------------------------------------------- the split


@dataclass
class _SplitResult:
    triples: int = 0
    types: dict[bytes, set[bytes]] = field(default_factory=dict)
    subclasses: set[tuple[bytes, bytes]] = field(default_factory=set)
    predicates: set[bytes] = field(default_factory=set)
    bad_path: str | None = None  # a line pyoxigraph refuses: the caller finds which
    odd_lines: int = 0  # lines not as pyoxigraph writes them (read by its parser)


def _split(job: tuple[list[_Range], int, str, Plan, int]) -> _SplitResult:
    """One split process, over these ranges of the input lines. For partition k it
    writes the triples of its subjects (``pK-N.nt``, for the checks) and their lines with
    their page graph (``qK-N.nq``, for the report); ``sparql-N.nt`` gets the triples the
    SPARQL constraints read, ``labels-N.nt`` every name, and ``side-N.nq`` the lines the
    report looks for across partitions (mentions, page lines, file names, pages)."""
    ranges, partitions, folder, the_plan, number = job
    result = _SplitResult()
    buffers: list[list[bytes]] = [[] for _ in range(partitions)]
    quads: list[list[bytes]] = [[] for _ in range(partitions)]
    kept: list[bytes] = []  # the triples the SPARQL constraints read
    side: list[bytes] = []
    labels: list[bytes] = []
    types = result.types
    wanted = the_plan.predicates
    classes = the_plan.classes
    crc = zlib.crc32
    buffered = 0
    last_subject = b""
    target: list[bytes] = buffers[0]
    target_quads: list[bytes] = quads[0]
    space, quote, lt, gt = b" ", b'"', b"<", b">"
    graphs: set[bytes] = set()
    last_graph = b""
    actions: dict[bytes, int] = {}  # every predicate seen, and what its lines go to
    # Where each run of one subject's lines starts in qK-N.nq (the report reads only the
    # runs of its focus nodes): (subject, index of its first line in the buffer).
    runs: list[list[tuple[bytes, int]]] = [[] for _ in range(partitions)]
    offsets = [0] * partitions  # bytes written so far to each qK-N.nq

    def write(name: str, lines: list[bytes]) -> None:
        with open(os.path.join(folder, name), "ab") as out:
            out.write(b"\n".join(lines))
            out.write(b"\n")
        lines.clear()

    def flush() -> None:
        for k, lines in enumerate(buffers):
            if lines:
                write(f"p{k}-{number}.nt", lines)
        for k, lines in enumerate(quads):
            if lines:
                starts = [0, *accumulate(len(line) + 1 for line in lines)]
                index = b"".join(
                    b"%s %d\n" % (subject, offsets[k] + starts[first]) for subject, first in runs[k]
                )
                with open(os.path.join(folder, f"i{k}-{number}.txt"), "ab") as out:
                    out.write(index)
                offsets[k] += starts[-1]
                runs[k].clear()
                write(f"q{k}-{number}.nq", lines)
        if labels:
            labels[:] = dict.fromkeys(labels)
            write(f"labels-{number}.nt", labels)
        if kept:
            kept[:] = dict.fromkeys(kept)  # names and types repeat from page to page
            write(f"sparql-{number}.nt", kept)
        if side:
            write(f"side-{number}.nq", side)

    chunks = _lines(ranges)
    while True:
        try:
            path, lines = next(chunks)
        except StopIteration:
            break
        except _PieceFailed as failed:
            result.bad_path = str(failed.args[0])
            return result
        for line in lines:
            # The lines pyoxigraph writes, "s p o g ." (inline: the split's hot loop).
            fast = False
            parts = line.rsplit(space, 2)
            if len(parts) == 3 and parts[2] == b".":
                head, g = parts[0], parts[1]
                i = head.find(space)
                j = head.find(space, i + 1)
                if i > 0 and j > 0 and g[:1] == lt and g[-1:] == gt:
                    o = head[j + 1 :]
                    first = o[:1]
                    if first == quote:
                        close = o.rfind(quote)
                        tail = o[close + 1 :]
                        fast = (
                            close > 0
                            and (not tail or tail[:1] == b"@" or tail[:3] == b"^^<")
                            and space not in tail
                            and (o[close - 1] != 92 or _whole_literal(o))  # 92: backslash
                        )
                    elif first == lt:
                        fast = o[-1:] == gt and space not in o
            if fast:
                s, p, triple = head[:i], head[i + 1 : j], head + b" ."
                # Graph and object are IRIs or a literal here: a blank node can only be the
                # subject. An escape in an IRI means the same IRI could be written twice.
                if (
                    s[:1] != lt
                    or b"\\" in s
                    or b"\\" in p
                    or b"\\" in g
                    or (first == lt and b"\\" in o)
                ):
                    raise _NeedsOneStore("blank nodes or escaped IRIs")
            else:
                parsed = _parse_line(line)
                if parsed is None:
                    result.odd_lines += 1
                    try:
                        parsed = _parse_slowly(line)
                    except SyntaxError:
                        result.bad_path = path
                        return result
                    if parsed is None:
                        result.triples -= 1  # a comment or an empty line
                        continue
                    line = _canonical_quad(parsed)
                s, p, o, g, triple = parsed
                if (
                    s[:1] != lt
                    or o[:1] == b"_"
                    or (g is not None and g[:1] != lt)
                    or b"\\" in s
                    or b"\\" in p
                    or (g is not None and b"\\" in g)
                    or (o[:1] == lt and b"\\" in o)
                ):
                    raise _NeedsOneStore("blank nodes or escaped IRIs")
            if s != last_subject:
                k = crc(s) % partitions
                target = buffers[k]
                target_quads = quads[k]
                runs[k].append((s, len(target_quads)))
                last_subject = s
            target.append(triple)
            target_quads.append(line)
            if g is not None and g != last_graph:
                if g not in graphs:
                    # Graph names are dropped from the partitions: check each one here.
                    try:
                        ox.NamedNode(g[1:-1].decode())
                    except ValueError:
                        result.bad_path = path
                        return result
                    graphs.add(g)
                last_graph = g
            # What to do with a line of this predicate, worked out once per predicate.
            action = actions.get(p)
            if action is None:
                action = actions[p] = _action(p, wanted)
            if action:
                if action & _AS_TYPE:
                    if o[:1] == lt:
                        found = types.get(o)
                        if found is None:
                            found = types[o] = set()
                        found.add(s)
                        if o == _SOURCE_PAGE:
                            side.append(line)
                    if action & _FOR_SPARQL and (classes is None or o in classes):
                        kept.append(triple)
                    continue
                if action & _FOR_SPARQL:
                    kept.append(triple)
                if action & _AS_LABEL:
                    labels.append(triple)
                elif action & _SIDE:
                    side.append(line)
                elif action & _AS_SUBCLASS and o[:1] == lt:
                    result.subclasses.add((s, o))
        result.triples += len(lines)
        buffered += len(lines)
        if buffered >= _FLUSH_LINES:
            flush()
            buffered = 0
    flush()
    result.predicates = set(actions)
    return result


_AS_TYPE, _AS_LABEL, _AS_SUBCLASS, _SIDE, _FOR_SPARQL = 1, 2, 4, 8, 16


def _action(predicate: bytes, wanted: frozenset[bytes] | None) -> int:
    action = 0
    if predicate == _TYPE:
        action |= _AS_TYPE
    elif predicate == _LABEL:
        action |= _AS_LABEL
    elif predicate == _SUBCLASS:
        action |= _AS_SUBCLASS
    elif predicate in _PASS_PREDICATES:
        action |= _SIDE
    if wanted is None or predicate in wanted:
        action |= _FOR_SPARQL
    return action


# --------------------------------------------------------------------------- partitions


@dataclass
class _Shared:
    """What every partition's worker needs; set before the workers fork."""

    compiled: fv.CompiledShapes
    folder: str
    partitions: int
    splits: int
    types: dict[bytes, set[bytes]]
    below: dict[bytes, set[bytes]]  # class -> its direct subclasses
    instances: dict[Any, frozenset] = field(default_factory=dict)  # per worker, cached

    def subclasses(self, cls: bytes) -> set[bytes]:
        out, todo = {cls}, [cls]
        while todo:
            for sub in self.below.get(todo.pop(), ()):
                if sub not in out:
                    out.add(sub)
                    todo.append(sub)
        return out

    def members(self, cls: bytes) -> set[bytes]:
        found: set[bytes] = set()
        for sub in self.subclasses(cls):
            found |= self.types.get(sub, set())
        return found


_SHARED: _Shared | None = None


class _PartitionEngine(fv._Engine):
    """fast_validation's engine on one partition: the facts of its subjects, read straight
    from the partition's lines into each property's values (no store: the engine only
    reads values by property, and the parser keeps literals as written, where a store
    would rewrite numbers and dates); the classes of other nodes come from the whole
    graph's type index."""

    def __init__(self, lines: bytes, terms: fv.Terms, shared: _Shared) -> None:
        super().__init__(fv.GraphData(), terms)  # an empty store: nothing reads it
        self.shared = shared
        self.run_sparql = False
        by_predicate: dict[Any, dict[Any, list]] = {}
        for quad in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES):
            predicate = quad.predicate
            values = by_predicate.get(predicate)
            if values is None:
                values = by_predicate[predicate] = {}
            subject = quad.subject
            obj = quad.object
            found = values.get(subject)
            if found is None:
                values[subject] = [obj]
            elif obj not in found:  # "a" and "a"^^xsd:string: one term, two lines
                found.append(obj)
        self._values = by_predicate
        self._predicates = list(by_predicate)
        self._typed: dict[Any, set[Any]] | None = None

    def values(self, predicate: Any) -> dict[Any, list]:
        return self._values.get(predicate) or {}

    def local_instances(self, cls: Any) -> frozenset:
        if self._typed is None:
            typed: dict[Any, set[Any]] = {}
            for subject, classes in self.values(fv._RDF_TYPE).items():
                for each in classes:
                    typed.setdefault(each, set()).add(subject)
            self._typed = typed
        found: set[Any] = set()
        for sub in self.subclasses(cls):
            found |= self._typed.get(sub, set())
        return frozenset(found)

    def closed_extras(self, shape: fv.Shape, nodes: set[Any]) -> Callable[[Any], list]:
        allowed = shape.closed_allowed or set()
        found: dict[Any, list[tuple[Any, Any]]] = {}
        for predicate, index in self._values.items():
            if predicate in allowed:
                continue
            for node in nodes.intersection(index):
                found.setdefault(node, []).extend((predicate, o) for o in index[node])
        return lambda node: found.get(node, [])

    def predicate_objects(self, node: Any) -> list[tuple[Any, Any]]:
        raise NotImplementedError("not read by the checks")

    def subclasses(self, cls: Any) -> set[Any]:
        return {_node(t) for t in self.shared.subclasses(token(cls))}

    def instances(self, cls: Any) -> frozenset:
        found = self.shared.instances.get(cls)
        if found is None:
            found = frozenset(_node(t) for t in self.shared.members(token(cls)))
            self.shared.instances[cls] = found
        return found


def _check_partition(k: int) -> tuple[int, list[fv.Row]]:
    shared = _SHARED
    assert shared is not None
    parts = []
    for number in range(shared.splits):
        path = os.path.join(shared.folder, f"p{k}-{number}.nt")
        if os.path.exists(path):
            with open(path, "rb") as handle:
                parts.append(handle.read())
            os.remove(path)  # read once; keeps the temporary folder small
    # The same triple, stated by several pages, once.
    data = b"\n".join(dict.fromkeys(b"".join(parts).split(b"\n")))
    del parts
    if not data.strip():
        return k, []
    gc.disable()  # millions of terms and no cycles among them (as fast_validation)
    try:
        try:
            engine = _PartitionEngine(data, fv.Terms(), shared)
        except SyntaxError:
            return k, [None]  # type: ignore[list-item]  # a bad line: the caller finds it
        del data
        rows = engine.run(shared.compiled)
    finally:
        gc.enable()
    return k, [_packed(row) for row in rows]


def _packed(row: fv.Row) -> fv.Row:
    # rdflib pickles a literal by its value and rebuilds it normalised ("104_000" would
    # come back as "104000"): send literal values as their parts instead.
    value = row.value
    if isinstance(value, Literal):
        row.value = _WrittenLiteral(str(value), value.language, value.datatype)  # type: ignore[assignment]
    return row


def _unpacked(row: fv.Row) -> fv.Row:
    value = row.value
    if isinstance(value, _WrittenLiteral):
        row.value = Literal(
            value.text, lang=value.language, datatype=value.datatype, normalize=False
        )
    return row


@dataclass(frozen=True)
class _WrittenLiteral:
    text: str
    language: str | None
    datatype: URIRef | None


# --------------------------------------------------------------------------- validate


def estimated_quads(paths: Sequence[Path]) -> int:
    from citynet.graph.formats import format_for_path

    total = 0
    for path in paths:
        try:
            fmt = format_for_path(Path(path))
            size = Path(path).stat().st_size
        except (InputError, OSError):
            return 0  # the one-store path reports it
        per_line = _BYTES_PER_LINE.get(fmt.name)
        if per_line is None:
            return 0  # JSON-LD, RDF/XML: read by rdflib, in one store
        total += size // per_line
    return total


def validate_partitioned(
    paths: Sequence[Path],
    compiled: fv.CompiledShapes,
    the_plan: Plan,
    *,
    shapes_graph: Graph,
    shapes_text: str,
    shapes_path: Path,
    allow_network: bool,
    partitions: int | None = None,
) -> Any | None:
    """citynet.validate.validation.validate's report, in partitions; None when the data must be
    validated in one store (blank nodes, escaped IRIs)."""
    with tempfile.TemporaryDirectory(prefix="citynet-validate-") as folder:
        try:
            return _validate(
                [Path(p) for p in paths],
                compiled,
                the_plan,
                folder,
                shapes_graph=shapes_graph,
                shapes_text=shapes_text,
                shapes_path=shapes_path,
                allow_network=allow_network,
                partitions=partitions,
            )
        except _NeedsOneStore:
            return None


TIMINGS: dict[str, float] = {}  # the phases of the last partitioned run (seconds)


class _Clock:
    """Wall and CPU seconds (this process and its finished workers) of each phase."""

    def __init__(self) -> None:
        import time

        self._now = time.perf_counter
        self._last = self._now(), self._cpu()
        TIMINGS.clear()

    @staticmethod
    def _cpu() -> float:
        import resource

        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    def lap(self, name: str) -> None:
        now, cpu = self._now(), self._cpu()
        TIMINGS[name] = round(now - self._last[0], 3)
        TIMINGS[name + " (cpu)"] = round(cpu - self._last[1], 3)
        self._last = now, cpu
        if os.environ.get("CITYNET_TIMINGS"):
            status = Path("/proc/self/status").read_text()
            rss = re.search(r"VmRSS:\s+(\d+)", status)
            hwm = re.search(r"VmHWM:\s+(\d+)", status)
            memory = (
                f"rss {int(rss[1]) >> 10} MB, peak {int(hwm[1]) >> 10} MB" if rss and hwm else ""
            )
            cpu = TIMINGS[name + " (cpu)"]
            print(
                f"[partitioned] {name}: {TIMINGS[name]:.2f} s, cpu {cpu:.2f} s, {memory}",
                file=sys.stderr,
            )


def _give_back_memory() -> None:
    """Free what the SPARQL store and the type index held, and hand the pages back to the
    system (glibc keeps freed small blocks otherwise, and the report's workers fork)."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _fork() -> Any:
    return multiprocessing.get_context("fork")


def _validate(
    paths: list[Path],
    compiled: fv.CompiledShapes,
    the_plan: Plan,
    folder: str,
    *,
    shapes_graph: Graph,
    shapes_text: str,
    shapes_path: Path,
    allow_network: bool,
    partitions: int | None,
) -> Any:
    from citynet.validate import validation as v

    global _SHARED
    clock = _Clock()
    sources = _line_sources(paths, folder)
    clock.lap("convert")
    while True:
        cuts = [cut for source in sources for cut in source.ranges(WORKERS)]
        ranges = _deal_ranges(cuts, WORKERS)
        lines = sum(_weight(cut) for cut in cuts)
        count = partitions or max(WORKERS * 2, math.ceil(lines / LINES_PER_PARTITION))
        wants = Plan(the_plan.predicates, the_plan.classes)  # without the shapes (pickled)
        jobs = [(group, count, folder, wants, n) for n, group in enumerate(ranges)]
        with _fork().Pool(len(jobs)) as pool:
            splits = pool.map(_split, jobs)
        clock.lap("split")
        bad = [split.bad_path for split in splits if split.bad_path is not None]
        if not bad:
            break
        _raise_syntax_error(bad[0], sources)
        if not any(source.pieces for source in sources):
            raise InputError(f"{bad[0]}: not valid RDF")
        # The pieces were cut in the wrong place (a long string?): read them whole.
        for leftover in Path(folder).iterdir():
            leftover.unlink()
        sources = _line_sources(paths, folder, pieces=False)
    if sum(split.triples for split in splits) == 0:
        raise InputError("the graph to validate is empty", hint="run `citynet build` first")
    types: dict[bytes, set[bytes]] = {}
    below: dict[bytes, set[bytes]] = {}
    predicates: set[bytes] = set()
    for split in splits:
        for cls, members in split.types.items():
            found = types.get(cls)
            if found is None:
                types[cls] = members
            else:
                found |= members
        for sub, sup in split.subclasses:
            below.setdefault(sup, set()).add(sub)
        predicates |= split.predicates
    del splits
    lint = v.lint_shapes(
        shapes_graph,
        text=shapes_text,
        file=str(shapes_path),
        data=_LintView(types, predicates),  # type: ignore[arg-type]
        allow_network=allow_network,
    )
    errors = [issue for issue in lint if issue.level == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(f"{errors[0]}{more}", hint="fix the shapes file; nothing was validated")

    _SHARED = _Shared(compiled, folder, count, len(jobs), types, below)
    rows: list[fv.Row] = []
    try:
        with _fork().Pool(WORKERS) as pool:
            # The workers fork now, before any thread of this process starts.
            pending = pool.imap_unordered(_check_partition, range(count))
            sparql = _Sparql(folder, len(jobs), the_plan, _SHARED)
            clock.lap("load the SPARQL store")
            for _, found in pending:
                if found and found[0] is None:
                    _raise_syntax_error(None, sources)
                    raise InputError(f"{paths[0]}: not valid RDF")
                rows.extend(_unpacked(row) for row in found)
        clock.lap("partitions (after the SPARQL store)")
        rows.extend(sparql.rows())
        clock.lap("SPARQL (waiting)")
    finally:
        _SHARED = None
    del sparql, types, below
    _give_back_memory()
    return _report(
        clock,
        rows,
        folder,
        count,
        len(jobs),
        shapes_graph=shapes_graph,
        shapes_path=shapes_path,
        lint=lint,
    )


@dataclass
class _Source:
    """One input: the file the split reads, in pieces or as N-Quads lines."""

    original: Path
    fmt: str  # citynet.formats name of the original
    lines: Path  # N-Quads or N-Triples lines: the original or its conversion
    pieces: list[_Range] | None = None  # TriG or Turtle read in pieces instead

    def ranges(self, parts: int) -> list[_Range]:
        return self.pieces if self.pieces is not None else _line_ranges([self.lines], parts)


def _line_sources(paths: list[Path], folder: str, *, pieces: bool = True) -> list[_Source]:
    """Each input as the split reads it: N-Quads and N-Triples as they are, TriG and
    Turtle in pieces the split processes parse (or, when they cannot be cut, turned
    into N-Quads by pyoxigraph here, a stream in little memory)."""
    from citynet.graph.formats import format_for_path, syntax_error

    out: list[_Source] = []
    for n, path in enumerate(paths):
        fmt = format_for_path(path)
        if not path.exists():
            raise InputError(f"{path}: no such file", hint="run `citynet build` first")
        if fmt.name in ("nquads", "ntriples"):
            out.append(_Source(path, fmt.name, path))
            continue
        cut = _pieces(path, fmt.name) if pieces else None
        if cut is not None:
            out.append(_Source(path, fmt.name, path, cut))
            continue
        target = Path(folder) / f"input-{n}.nq"
        try:
            ox.serialize(
                ox.parse(
                    path=str(path),
                    format=getattr(ox.RdfFormat, fmt.oxigraph_name),
                    base_iri=path.resolve().as_uri(),
                ),
                output=str(target),
                format=ox.RdfFormat.N_QUADS,
            )
        except SyntaxError as error:
            raise syntax_error(path, fmt, error) from None
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
        out.append(_Source(path, fmt.name, target))
    return out


def _raise_syntax_error(bad: str | None, sources: list[_Source]) -> None:
    """A line (or a piece) was refused: parse the inputs again, whole, to name the file,
    line and column. Returns when they all parse (a piece cut in the wrong place)."""
    from citynet.graph.formats import BY_NAME, syntax_error

    for source in sources:
        if bad is not None and bad not in (str(source.lines), str(source.original)):
            continue
        fmt = BY_NAME[source.fmt]
        path = source.original if source.pieces is not None else source.lines
        name = "N_QUADS" if path != source.original else fmt.oxigraph_name
        try:
            for _ in ox.parse(
                path=str(path),
                format=getattr(ox.RdfFormat, name),
                base_iri=source.original.resolve().as_uri(),
            ):
                pass
        except SyntaxError as error:
            raise syntax_error(source.original, fmt, error) from None


class _LintView:
    """What the shapes lint asks of the data (does a target select any node)."""

    def __init__(self, types: dict[bytes, set[bytes]], predicates: set[bytes]) -> None:
        self.types = types
        self.predicates = predicates

    def subjects(self, predicate: Node | None = None, object: Node | None = None) -> Iterator:  # noqa: A002
        if predicate == RDF.type and object is not None:
            for member in self.types.get(token(object), ()):
                yield URIRef(member[1:-1].decode())
                return
        elif object is None and predicate is not None and token(predicate) in self.predicates:
            yield predicate

    def objects(self, subject: Node | None = None, predicate: Node | None = None) -> Iterator:
        if subject is None and predicate is not None and token(predicate) in self.predicates:
            yield predicate

    def __contains__(self, triple: tuple) -> bool:
        raise RuntimeError("sh:targetNode is validated in one store")


# --------------------------------------------------------------------------- SPARQL


class _Sparql:
    """The SPARQL constraints, once, on the triples they read (threads of this process,
    while the workers check the partitions)."""

    def __init__(self, folder: str, splits: int, the_plan: Plan, shared: _Shared) -> None:
        self.plan = the_plan
        self.shared = shared
        self.engine: fv._Engine | None = None
        if not the_plan.sparql_shapes:
            return
        data = fv.GraphData()
        paths = [Path(folder) / f"sparql-{number}.nt" for number in range(splits)]
        data.load_union_files([path for path in paths if path.exists()])
        self.engine = fv._Engine(data, fv.Terms())
        for shape in the_plan.sparql_shapes:
            for constraint in shape.sparql:
                self.engine.prefetch(constraint)

    def _focus(self, shape: fv.Shape) -> Callable[[Any], bool]:
        assert self.engine is not None
        tests: list[Callable[[Any], bool]] = []
        for cls in shape.targets.get(SH.targetClass, ()):
            members = self.shared.members(token(cls))
            tests.append(lambda node, members=members: token(node) in members)
        for predicate in shape.targets.get(SH.targetSubjectsOf, ()):
            subjects = set(self.engine.values(predicate))
            tests.append(subjects.__contains__)
        return lambda node: any(test(node) for test in tests)

    def rows(self) -> list[fv.Row]:
        engine = self.engine
        if engine is None:
            return []
        rows: list[fv.Row] = []
        try:
            for shape in self.plan.sparql_shapes:
                is_focus = self._focus(shape)
                for constraint in shape.sparql:
                    by_focus = engine.sparql_rows(constraint)
                    pairs = [(node, ()) for node in by_focus if is_focus(node)]
                    single = fv.Shape(
                        node=shape.node,
                        path=shape.path,
                        severity=shape.severity,
                        messages=shape.messages,
                        deactivated=False,
                        sparql=[constraint],
                    )
                    rows.extend(fv._sparql_check(engine, single, pairs))
        finally:
            engine._pool.shutdown(wait=True, cancel_futures=True)
            self.engine = None
        return rows


# --------------------------------------------------------------------------- the report


def _pool_map(function: Callable[[Any], Any], jobs: list) -> list:
    if len(jobs) <= 1:
        return [function(job) for job in jobs]
    with _fork().Pool(len(jobs)) as pool:
        return pool.map(function, jobs)


def _file_lines(paths: Sequence[str]) -> Iterator[list[bytes]]:
    for path in paths:
        if os.path.exists(path):
            for _, lines in _lines([_Range(path, 0, os.path.getsize(path))]):
                yield lines


def _side_pass(
    job: tuple[list[str], int, set[bytes], set[bytes]],
) -> tuple[list[bytes], set[bytes]]:
    """Over the split's side lines (mentions, page lines, file names, source pages): the
    mentions of ``targets``, the page lines of ``lined``, and at step 1 every file name
    and source page. Returns the kept lines and the subjects of the kept mentions."""
    sides, step, targets, lined = job
    kept: list[bytes] = []
    found: set[bytes] = set()
    for lines in _file_lines(sides):
        for line in lines:
            cut = line.find(b" ")
            cut2 = line.find(b" ", cut + 1)
            p = line[cut + 1 : cut2]
            if p in _MENTIONS:
                if line[cut2 + 1 : line.find(b" ", cut2 + 1)] in targets:
                    kept.append(line)
                    found.add(line[:cut])
            elif p == _SOURCE_LINE:
                if line[:cut] in lined:
                    kept.append(line)
            elif step == 1:  # cn:fileName, or rdf:type cn:SourcePage
                kept.append(line)
    return kept, found


def _named(job: tuple[list[str], set[bytes]]) -> set[bytes]:
    """Which of these nodes have a name (rdfs:label)."""
    paths, nodes = job
    found: set[bytes] = set()
    for lines in _file_lines(paths):
        for line in lines:
            subject = line[: line.find(b" ")]
            if subject in nodes:
                found.add(subject)
    return found


def _partition_lines(job: tuple[list[str], set[bytes]]) -> list[bytes]:
    """The lines of these partition files whose subject is one of ``subjects``."""
    paths, subjects = job
    kept: list[bytes] = []
    for lines in _file_lines(paths):
        for line in lines:
            if line[: line.find(b" ")] in subjects:
                kept.append(line)
    return kept


@dataclass
class _Picked:
    """The facts the report reads beyond a partition's own focus nodes (citynet.
    validation's _Names and _Sources), in one store shared by the report's workers:
    every name, the page lines that mention a focus node (two hops), the file names and
    source pages, and every fact of the values that have no name."""

    data: fv.GraphData
    focus: set[Any]  # every focus node of a result
    hops: set[Any]  # nodes mentioning a focus node (their mentions are picked too)
    lined: set[Any]  # nodes whose page lines are picked
    unnamed: set[Any]  # values without a name: every fact picked


class _PartView(fv.StoreView):
    """The report's view of the whole graph while it reads the results of one partition:
    the facts of the partition's focus nodes from their own store, the rest from the
    picked facts. A question the picking did not foresee is an error, never a silently
    different answer."""

    def __init__(self, data: fv.GraphData, focus: set[Any], picked: _Picked) -> None:
        super().__init__(data)
        self.focus = focus
        self.picked = picked
        self.shared = fv.StoreView(picked.data)

    def _quads_ox(self, s: Any, p: Any, o: Any, graph: Any) -> Iterator:
        picked = self.picked
        if s is not None:
            if s in self.focus:
                return super()._quads_ox(s, p, o, graph)
            if s in picked.unnamed:
                return self.shared._quads_ox(s, p, o, graph)
            if p == _OX_LABEL and graph == fv.UNION:
                return self.shared._quads_ox(s, p, o, graph)
            if p == _OX_SOURCE_LINE and s in picked.lined:
                return self.shared._quads_ox(s, p, o, graph)
        elif (
            p == _OX_FILE_NAME
            or (p == _OX_TYPE and o == _OX_SOURCE_PAGE)
            or (p in _OX_MENTIONS and (o in picked.focus or o in picked.hops))
        ):
            return self.shared._quads_ox(s, p, o, graph)
        raise RuntimeError(
            f"internal error: the report asked for {(s, p, o)}, which the partitioned "
            "validation did not pick; report it (validate with --engine pyshacl meanwhile)"
        )


_OX_LABEL = _node(_LABEL)
_OX_SOURCE_LINE = _node(_SOURCE_LINE)
_OX_FILE_NAME = _node(_FILE_NAME)
_OX_TYPE = _node(_TYPE)
_OX_SOURCE_PAGE = _node(_SOURCE_PAGE)
_OX_MENTIONS = frozenset(_node(t) for t in _MENTIONS)


def _report(
    clock: _Clock,
    rows: list[fv.Row],
    folder: str,
    partitions: int,
    splits: int,
    *,
    shapes_graph: Graph,
    shapes_path: Path,
    lint: list,
) -> Any:
    from citynet.validate import validation as v

    global _REPORT
    by_partition: dict[int, list[fv.Row]] = {}
    focus: set[bytes] = set()
    for row in rows:
        tok = token(row.focus)
        focus.add(tok)
        by_partition.setdefault(zlib.crc32(tok) % partitions, []).append(row)
    values = {token(r.value) for r in rows if isinstance(r.value, URIRef)}
    clock.lap("rows")

    # The mentions of focus nodes, two hops, and their page lines; file names; pages.
    sides = sorted(str(p) for p in Path(folder).glob("side-*.nq"))
    groups = [g for g in (sides[n::WORKERS] for n in range(WORKERS)) if g]
    kept: list[bytes] = []
    hop1: set[bytes] = set()
    for lines, found in _pool_map(_side_pass, [(g, 1, focus, set()) for g in groups]):
        kept.extend(lines)
        hop1 |= found
    hop2: set[bytes] = set()
    for lines, found in _pool_map(_side_pass, [(g, 2, hop1, hop1) for g in groups]):
        kept.extend(lines)
        hop2 |= found
    if hop2 - hop1:
        for lines, _ in _pool_map(_side_pass, [(g, 3, set(), hop2 - hop1) for g in groups]):
            kept.extend(lines)
    # Values without a name are described by their other facts: pick all of them.
    labels = sorted(str(p) for p in Path(folder).glob("labels-*.nt"))
    named: set[bytes] = set()
    for found in _pool_map(_named, [(labels[n::WORKERS], values) for n in range(WORKERS)]):
        named |= found
    unnamed = values - named
    if unnamed:
        wanted_partitions = sorted({zlib.crc32(t) % partitions for t in unnamed})
        paths = [
            os.path.join(folder, f"q{k}-{n}.nq") for k in wanted_partitions for n in range(splits)
        ]
        jobs = [(paths[n::WORKERS], unnamed) for n in range(WORKERS)]
        for lines in _pool_map(_partition_lines, jobs):
            kept.extend(lines)
    if os.environ.get("CITYNET_TIMINGS"):
        print(
            f"[partitioned] report: {len(focus)} focus nodes, {len(values)} values "
            f"({len(unnamed)} without a name), {len(hop1)} + {len(hop2)} mentions, "
            f"{len(kept)} lines picked",
            file=sys.stderr,
        )
    data = fv.GraphData()
    data.load_quad_lines(
        b"".join(line + b"\n" for line in dict.fromkeys(kept)),
        union_files=[Path(p) for p in labels],
    )
    del kept
    picked = _Picked(
        data=data,
        focus={_node(t) for t in focus},
        hops={_node(t) for t in hop1},
        lined={_node(t) for t in hop1 | hop2},
        unnamed={_node(t) for t in unnamed},
    )
    view = _PartView(fv.GraphData(), set(), picked)
    names = v._Names(view)  # type: ignore[arg-type]
    sources = v._Sources(view, view)  # type: ignore[arg-type]
    clock.lap("report: picking the facts")

    # The results of each partition, in the workers, from the lines of its focus nodes.
    _REPORT = (by_partition, picked, names, sources, folder, splits)
    try:
        results = [r for part in _pool_map(_report_part, _deal(sorted(by_partition))) for r in part]
    finally:
        _REPORT = None
    v.sort_results(results)
    clock.lap("report: results")
    counts = {name: 0 for name in v.SEVERITIES}
    for result in results:
        counts[result.severity] = counts.get(result.severity, 0) + 1
    return v.ValidationReport(
        conforms=counts["Violation"] == 0,
        results=results,
        counts=counts,
        graph=fv._LazyReport(rows, shapes_graph, view),
        shapes=str(shapes_path),
        lint=lint,
        base=names.base,
        engine="fast",
    )


def _deal(items: list[int]) -> list[list[int]]:
    return [chunk for chunk in (items[n::WORKERS] for n in range(WORKERS)) if chunk]


_REPORT: tuple | None = None


def _runs_of(folder: str, k: int, splits: int, subjects: set[bytes]) -> bytes:
    """The lines of partition k whose subject is one of ``subjects``, found through the
    split's index of the runs of lines of one subject (iK-N.txt) instead of a scan."""
    out: list[bytes] = []
    for n in range(splits):
        index = os.path.join(folder, f"i{k}-{n}.txt")
        if not os.path.exists(index):
            continue
        with open(index, "rb") as handle:
            entries = handle.read().split(b"\n")
        with open(os.path.join(folder, f"q{k}-{n}.nq"), "rb") as handle:
            text = handle.read()
        starts = []
        for entry in entries:
            if entry:
                cut = entry.rfind(b" ")
                starts.append((int(entry[cut + 1 :]), entry[:cut] in subjects))
        starts.append((len(text), False))
        for (start, wanted), (end, _) in zip(starts, starts[1:], strict=False):
            if wanted:
                out.append(text[start:end])
    return b"".join(out)


def _report_part(partitions: list[int]) -> list:
    """citynet.validation's results for the rows of these partitions (a worker)."""
    from citynet.validate import validation as v

    assert _REPORT is not None
    by_partition, picked, names, sources, folder, splits = _REPORT
    out = []
    for k in partitions:
        rows = by_partition[k]
        focus = {token(r.focus) for r in rows}
        data = fv.GraphData()
        data.load_quad_lines(_runs_of(folder, k, splits, focus))
        view = _PartView(data, {_node(t) for t in focus}, picked)
        names.g = view
        sources.data = sources.union = view
        report_rows = [
            (r.focus, r.path, r.value, r.severity, r.shape, r.component, list(r.messages))
            for r in rows
        ]
        out.extend(
            v._results_from_rows(report_rows, view, view, names, ordered=False, sources=sources)
        )
    return out


__all__ = ["PARTITION_QUADS", "Plan", "estimated_quads", "plan", "token", "validate_partitioned"]
