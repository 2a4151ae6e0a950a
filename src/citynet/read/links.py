"""Inline markup and lists inside one line: [link] shortcodes, double quotes, splitting.

A line's shortcodes (``[link url=”31294″]Title[/link]``) are replaced by their labels;
what comes out is the clean text the rest of the reader matches, plus where each link's
label lies in it. Lists are split on their separators outside brackets, quotes and link
labels. Every function here is linear in the line: each character is visited a bounded
number of times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from citynet.read.limits import MAX_LINKS_PER_LINE

# The attribute part stops at the next "[" too, so an unclosed "[link [link ..." costs
# one step per character, not 2,000.
_SHORTCODE = re.compile(r"\[(/?)link\b([^\[\]\n]{0,2000})\]", re.IGNORECASE)
_URL_ATTR = re.compile(r"url\s*=\s*(.*)$", re.IGNORECASE | re.DOTALL)
_QUOTE_CHARS = "\"'\u201c\u201d\u201e\u201f\u2033\u2032\u2018\u2019\u00ab\u00bb "
_LINK_ID = re.compile(r"^(\d+)(?:#([\w-]+))?$")
WEB_URL = re.compile(r"^(?:https?://|www\.)[^\s/]+\.[^\s]+", re.IGNORECASE)
OPEN_DQ = "\u201c\u201e\u00ab\u201f"
CLOSE_DQ = "\u201d\u00bb"
ALL_DQ = '"' + OPEN_DQ + CLOSE_DQ
DQ = re.compile("[" + ALL_DQ + "]")


@dataclass(slots=True)
class Link:
    start: int  # label span in the clean text
    end: int
    url: str  # the url attribute without quotes
    col: int  # 1-based column of "[link" in the line
    id: str | None = None
    fragment: str | None = None
    closed: bool = True  # False: an unclosed shortcode whose label runs to the line end

    def label(self, clean: str) -> str:
        return clean[self.start : self.end].strip()


def shift_links(links: list[Link], offset: int) -> list[Link]:
    """The links of a text cut ``offset`` characters from its start."""
    return [
        replace(k, start=k.start - offset, end=k.end - offset) for k in links if k.start >= offset
    ]


#: A problem of a line's markup: (1-based column, message, warning code).
Problem = tuple[int, str, str]


def scan_links(line: str, base_col: int) -> tuple[str, list[Link], list[Problem]]:
    """Replace shortcodes by their labels; return clean text, links and problems.

    One pass over the tags; after :data:`MAX_LINKS_PER_LINE` openings the remaining
    tags are dropped (their labels stay as text) with one ``limit`` problem.
    """
    if "[" not in line or "link" not in line.lower():
        return line, [], []
    scan = _LinkScan(line, base_col)
    for m in _SHORTCODE.finditer(line):
        scan.tag(m)
    clean = scan.finish()
    _read_ids_and_quotes(clean, scan.links)
    return clean, scan.links, scan.problems


class _LinkScan:
    """The state of :func:`scan_links` along one line."""

    def __init__(self, line: str, base_col: int) -> None:
        self.line = line
        self.base_col = base_col
        self.out: list[str] = []  # the clean text's pieces
        self.size = 0  # the clean text's length so far
        self.pos = 0  # where the line's text after the last tag starts
        self.links: list[Link] = []
        self.problems: list[Problem] = []
        self.current: tuple[str, int, int] | None = None  # open link: url, col, label start
        self.skipped: list[int] = []  # columns of the openings beyond the limit

    def _text_up_to(self, end: int) -> None:
        piece = self.line[self.pos : end]
        self.out.append(piece)
        self.size += len(piece)

    def _close(self, closed: bool = True) -> None:
        assert self.current is not None
        url, col, start = self.current
        self.links.append(Link(start, self.size, url, col, closed=closed))
        self.current = None

    def tag(self, m: re.Match[str]) -> None:
        """An opening or closing tag: the text before it is kept, the tag dropped."""
        self._text_up_to(m.start())
        self.pos = m.end()
        col = self.base_col + m.start()
        opening = not m.group(1)
        opened = len(self.links) + (self.current is not None)
        if self.skipped or (opening and opened >= MAX_LINKS_PER_LINE):
            if self.current is not None:
                self._close()
            if opening:
                self.skipped.append(col)
        elif opening:
            if self.current is not None:
                self.problem(col, "nested [link] shortcode: the outer link ends here")
                self._close()
            attr = _URL_ATTR.search(m.group(2))
            url = attr.group(1).strip(_QUOTE_CHARS) if attr else ""
            self.current = (url, col, self.size)
        elif self.current is None:
            self.problem(col, "[/link] without an opening [link]")
        else:
            self._close()

    def finish(self) -> str:
        """The clean text; an open link runs to the line end."""
        self._text_up_to(len(self.line))
        if self.current is not None:
            self.problem(
                self.current[1], "unclosed [link] shortcode: the label runs to the line end"
            )
            self._close(closed=False)
        if self.skipped:
            message = f"{len(self.skipped)} more [link] shortcodes on this line not read as links"
            limit = f"(limit {MAX_LINKS_PER_LINE} a line): their labels are kept as text"
            self.problem(self.skipped[0], f"{message} {limit}", "limit")
        return "".join(self.out)

    def problem(self, col: int, message: str, code: str = "shortcode") -> None:
        self.problems.append((col, message, code))


def _read_ids_and_quotes(clean: str, links: list[Link]) -> None:
    for link in links:
        m = _LINK_ID.match(link.url)
        if m:
            link.id, link.fragment = m.group(1), m.group(2)
        # A closing quote right after the link belongs to its label when the label
        # opened one: [link]Conference “A stadium ...[/link]”
        label = clean[link.start : link.end]
        if (
            link.end < len(clean)
            and clean[link.end] in CLOSE_DQ
            and sum(label.count(q) for q in OPEN_DQ) > sum(label.count(q) for q in CLOSE_DQ)
        ):
            link.end += 1


def strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in ALL_DQ and text[-1] in ALL_DQ:
        inner = text[1:-1]
        if not any(q in inner for q in ALL_DQ):
            return inner.strip()
    if text[:1] in OPEN_DQ + '"' and not any(q in text[1:] for q in ALL_DQ):
        return text[1:].strip()
    if text[-1:] in CLOSE_DQ + '"' and not any(q in text[:-1] for q in ALL_DQ):
        return text[:-1].strip()
    return text


_SPLIT_SPECIAL = {
    seps: re.compile("[" + re.escape("()[]{}" + ALL_DQ + seps) + "]") for seps in (",", ";", ",;")
}


def split_top(
    text: str, seps: str, protected: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, str]]:
    """Split on ``seps`` outside brackets, double quotes and protected spans.

    Linear in ``text`` (only special characters are visited). Returns (start offset,
    piece) pairs. Quotes toggle whatever their direction (pages write “…“ too); with an
    odd number of quotes they are ignored.
    """
    quotes_ok = len(DQ.findall(text)) % 2 == 0
    pieces: list[tuple[int, str]] = []
    depth = 0
    in_quote = False
    start = 0
    spans = sorted(protected)
    k = 0
    for m in _SPLIT_SPECIAL[seps].finditer(text):
        i = m.start()
        while k < len(spans) and spans[k][1] <= i:
            k += 1
        if k < len(spans) and spans[k][0] <= i:
            continue  # inside a link label
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch in ALL_DQ:
            if quotes_ok:
                in_quote = not in_quote
        elif depth == 0 and not in_quote:
            pieces.append((start, text[start:i]))
            start = i + 1
    pieces.append((start, text[start:]))
    return pieces


def brackets_balanced(text: str) -> bool:
    return text.count("(") == text.count(")")


_AND_SPLIT = re.compile(r"\s+(?:and|et|und)\s+", re.IGNORECASE)


def split_and(piece: str) -> list[str]:
    """'Casablanca (Morocco) et Kinshasa (Congo)' -> two items; never inside brackets.

    Linear: the bracket depth is carried from one "and" to the next, not recounted.
    """
    if " and " not in piece and " et " not in piece and " und " not in piece:
        return [piece]
    parts: list[str] = []
    last = 0
    depth = 0  # "(" minus ")" before the current match
    counted = 0  # where the depth was counted up to
    for m in _AND_SPLIT.finditer(piece):
        depth += piece.count("(", counted, m.start()) - piece.count(")", counted, m.start())
        counted = m.start()
        if depth == 0:
            parts.append(piece[last : m.start()])
            last = m.end()
    parts.append(piece[last:])
    return parts
