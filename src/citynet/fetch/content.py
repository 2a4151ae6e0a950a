"""A served page's main content, with the site's boilerplate blanked out, lines kept.

Everything dropped is replaced by its newlines only, so the reader's warnings still
point into the file the user has. Main-content libraries (trafilatura, readability-lxml)
return new text or re-serialised HTML, which loses those line numbers and the hrefs the
reader needs for network ids: hence these rules, on the standard parser.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"]
    + ["source", "track", "wbr"]
)
#: Class names of a theme's content element, most specific first.
CONTENT_CLASSES = ("entry-content", "post-content", "article-content", "page-content")
#: Class names of the page's own title (as opposed to the site's name in its header).
TITLE_CLASSES = frozenset(["entry-title", "post-title", "page-title", "article-title"])
#: Elements that are never profile content, wherever they are.
BOILERPLATE_TAGS = frozenset(
    ["nav", "aside", "form", "footer", "header", "script", "style", "noscript", "template"]
    + ["iframe", "button", "select", "dialog"]
)
#: Class or id words (a word *starting* with one counts: ``sharedaddy``, ``cookiebanner``).
BOILERPLATE_WORDS = tuple(
    ["nav", "menu", "breadcrumb", "sidebar", "widget", "footer", "header", "cookie", "consent"]
    + ["gdpr", "share", "sharing", "social", "related", "wpml", "lang", "polylang", "comment"]
    + ["newsletter", "subscribe", "skip", "screen-reader", "advert", "banner", "popup", "modal"]
    + ["search", "pagination", "meta", "byline", "tags"]
)
_BOILERPLATE_ROLES = frozenset(
    ["navigation", "banner", "contentinfo", "complementary", "search", "dialog"]
)
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_RUNS = re.compile(rb"\x01+|\x00+")  # kept and blanked stretches of a page
# What opens a construct the parser must find the end of: a comment, a marked section,
# a declaration or processing instruction, an end tag, a start tag.
_OPENING = re.compile(r"<(?:!--|!\[|[!?/a-zA-Z])")
_COMMENT_END = re.compile(r"--\s*>")
_SECTION_END = re.compile(r"]\s*]\s*>")


def defuse_unclosed(html: str) -> str:
    """``html`` with every "<" that opens a construct never closed written as "&lt;".

    The standard library's parser (before Python 3.13.4, gh-135462) searches to the end
    of the page from each construct left open, then reads its "<" as text: a page of
    thousands of unclosed "<!--", "</", "<?" or "<a " costs the square of its length.
    Written as "&lt;", the same "<" is the same text at the cost of one step. Lines stay
    where they are (issue 21).
    """
    if "<" not in html:
        return html
    last_gt = html.rfind(">")
    last_comment_end = max((m.start() for m in _COMMENT_END.finditer(html)), default=-1)
    last_section_end = max((m.start() for m in _SECTION_END.finditer(html)), default=-1)

    def escape(m: re.Match[str]) -> str:
        opening, start = m.group(), m.start()
        if opening == "<!--":
            closed = last_comment_end >= start + 4
        elif opening == "<![":
            closed = last_section_end >= start + 3
        else:
            closed = last_gt > start
        return opening if closed else "&lt;" + opening[1:]

    return _OPENING.sub(escape, html)


class LinearParser(HTMLParser):
    """The standard library's parser, fed with :func:`defuse_unclosed` pages, refusing no
    page for a broken declaration."""

    def parse_html_declaration(self, i: int) -> int:
        # The standard parser asserts on broken declarations ("<![<p>"); a page is never
        # refused for that: the characters are kept as text.
        try:
            return super().parse_html_declaration(i)
        except AssertionError:
            self.handle_data(self.rawdata[i : i + 2])
            return i + 2


@dataclass(slots=True)
class _Element:
    tag: str
    attrs: dict[str, str]
    start: int
    end: int = -1


class _Spans(LinearParser):
    """Every element with its character span (start of its tag to end of its end tag)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.elements: list[_Element] = []
        self._open: list[_Element] = []
        self._open_tags: Counter[str] = Counter()  # so a stray end tag costs one step

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, {k: v or "" for k, v in attrs}, self._offset())
        self.elements.append(element)
        if tag in _VOID:
            element.end = element.start + len(self.get_starttag_text() or "")
        else:
            self._open.append(element)
            self._open_tags[tag] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self._open_tags[tag] -= 1
            self._open.pop().end = self._offset() + len(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if not self._open_tags[tag]:
            return  # a stray end tag closes nothing
        start = self._offset()
        close = self.html.find(">", start)
        end = len(self.html) if close < 0 else close + 1
        while self._open:
            element = self._open.pop()
            self._open_tags[element.tag] -= 1
            # Elements left open inside (an unclosed <p>) end where their parent ends.
            element.end = end if element.tag == tag else start
            if element.tag == tag:
                break

    def close(self) -> None:
        super().close()
        for element in self._open:
            element.end = len(self.html)
        self._open = []


def is_boilerplate(element: _Element) -> bool:
    """True for an element that never holds profile content (see the module)."""
    attrs = element.attrs
    names = f"{attrs.get('class', '')} {attrs.get('id', '')}".lower()
    return (
        element.tag in BOILERPLATE_TAGS
        or "hidden" in attrs
        or attrs.get("aria-hidden", "").lower() == "true"
        or attrs.get("role", "").lower() in _BOILERPLATE_ROLES
        or "screen-reader" in names
        or any(w.startswith(BOILERPLATE_WORDS) for w in _WORD_SPLIT.split(names) if w)
    )


def _classes(element: _Element) -> set[str]:
    return set(element.attrs.get("class", "").lower().split())


def page_elements(html: str) -> list[_Element]:
    """Every element of a page that went through :func:`defuse_unclosed`, in order."""
    parser = _Spans(html)
    parser.feed(html)
    parser.close()
    return parser.elements


def _content_root(elements: list[_Element]) -> _Element | None:
    for name in CONTENT_CLASSES:
        for element in elements:
            if name in _classes(element):
                return element
    for test in (
        lambda e: e.tag == "article",
        lambda e: e.tag == "main" or e.attrs.get("role", "").lower() == "main",
        lambda e: e.tag == "body",
    ):
        found = next((e for e in elements if test(e)), None)
        if found is not None:
            return found
    return None


def _title(elements: list[_Element]) -> _Element | None:
    return next(
        (e for e in elements if e.tag in ("h1", "h2") and _classes(e) & TITLE_CLASSES), None
    )


def main_content(html: str) -> str:
    """The page, same lines, with all but its head, title and main content blanked out."""
    html = defuse_unclosed(html)
    elements = page_elements(html)
    root = _content_root(elements)
    if root is None:
        return html
    keep = bytearray(len(html))  # 1 where a character of the served page is kept
    body = next((e for e in elements if e.tag == "body"), None)
    _mark(keep, 0, body.start if body else 0, 1)  # doctype, <html>, <head>
    _mark(keep, root.start, root.end, 1)
    blanked_to = 0  # elements nested in a blanked one are blanked already
    for element in elements:
        inside = root.start < element.start < root.end and element.end > blanked_to
        if inside and is_boilerplate(element):
            _mark(keep, max(element.start, blanked_to), element.end, 0)
            blanked_to = element.end
    title = _title(elements)
    if title is not None and not root.start <= title.start < root.end:
        _mark(keep, title.start, title.end, 1)
    return _blank(html, keep)


def _mark(keep: bytearray, start: int, end: int, value: int) -> None:
    if end > start:
        keep[start:end] = bytes([value]) * (end - start)


def _blank(html: str, keep: bytearray) -> str:
    """The kept characters, and only the newlines of the others."""
    out = []
    for run in _RUNS.finditer(keep):
        start, end = run.span()
        out.append(html[start:end] if keep[start] else "\n" * html.count("\n", start, end))
    return "".join(out)
