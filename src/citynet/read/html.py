"""A profile page as HTML, turned into the line-based text form the reader knows.

The network's site serves each profile as HTML: ``<h2>`` headings, ``<p>`` paragraphs,
``<ul><li>`` lists, ``<a href>`` links, ``<br>`` and entities (``&rsquo;``, ``&#8221;``).
The text form of the same page (what the seed and the corpus are) writes links as
``[link url=”ID″]label[/link]`` shortcodes and list items as ``  • item``. To read both
forms with one reader, :func:`html_to_text` renders the HTML into exactly that text form:

- each block (heading, paragraph, list item, div, table row) becomes its own line(s);
  blocks are separated by a blank line and ``<br>`` breaks a line inside a block, so a
  paragraph with ``<br>`` stays one prose paragraph, as in the text form;
- ``<li>`` becomes ``  • text``;
- ``<a href="H">label</a>`` becomes ``[link url=”H″]label[/link]``, where a link to one of
  the network's own posts (``…?p=31294#11307``) is written back as its id ``31294#11307``
  as the shortcode had it, so both forms give the same project ids;
- ``<img alt="…">`` gives its alt text (the text form has logo and coat-of-arms captions);
- ``<script>``, ``<style>``, ``<head>`` (except the canonical URL) and comments are dropped;
- ``<link rel="canonical">`` or ``<meta property="og:url">`` becomes a ``# source:``
  header and ``<meta name="citynet:city">`` a ``# city:`` header;
- whitespace runs are collapsed as a browser does (ASCII whitespace only; no-break spaces
  are left for the reader's normalisation); a space typed right before the end of a block
  is kept, because on a page's last line it is how a cut shows in the text form.

It also returns, for every text line, the HTML source line it starts on, so warnings
point into the file the user has (see :func:`citynet.read.pages.read_html`).
"""

from __future__ import annotations

import re

from citynet.fetch.content import LinearParser, defuse_unclosed

#: Elements that start and end a block (a new line before and after).
_BLOCKS = frozenset([
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "thead", "tfoot", "tr", "ul",
])  # fmt: skip
#: Elements whose content is never page text.
_SKIP = frozenset([
    "script", "style", "noscript", "template", "head", "title", "svg", "iframe", "object",
])  # fmt: skip
_WS = re.compile(r"[ \t\n\r\f]+")
# A link to one of the network's own posts: ?p=31294, ?page_id=31294, optional #fragment.
_POST_ID = re.compile(r"[?&](?:p|page_id|post)=(\d+)(?:&[^#]*)?(#[\w-]+)?$")
_OPEN_QUOTE = "\u201d"  # ” as the site's shortcodes write it
_CLOSE_QUOTE = "\u2033"  # ″


def shortcode_url(href: str) -> str:
    """The url attribute a shortcode would have for this href (post links -> their id)."""
    m = _POST_ID.search(href)
    if m and not href.startswith("mailto:"):
        return m.group(1) + (m.group(2) or "")
    return href


class _Converter(LinearParser):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.sources: list[int] = []
        self.headers: list[tuple[str, int]] = []
        self._buf: list[str] = []
        self._buf_line = 0
        self._skip = 0  # depth inside elements we drop
        self._in_head = False
        self._links: list[bool] = []  # one flag per open <a>: did it open a shortcode?
        self._pending_blank = False
        self._has_source = False  # a "# source:" header was written

    # -- output --------------------------------------------------------------------
    def _text(self, text: str) -> None:
        if not text:
            return
        if not self._buf:
            self._buf_line = self.getpos()[0]
        self._buf.append(text)

    def _flush(self) -> None:
        raw = "".join(self._buf)
        line = _WS.sub(" ", raw).strip()
        # A space typed before the end of a block ("<li>New jobs: Local </li>") is kept:
        # on a page's last line it is the sign of a cut, as in the text form.
        if line and raw.endswith((" ", "\u00a0")):
            line += " "
        self._buf = []
        if not line:
            return
        if self._pending_blank and self.lines:
            self.lines.append("")
            self.sources.append(self._buf_line)
        self._pending_blank = False
        self.lines.append(line)
        self.sources.append(self._buf_line)

    def _block(self) -> None:
        self._flush()
        self._pending_blank = True

    # -- parser events -------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self._in_head = True
        if tag == "link" and "canonical" in a.get("rel", "").split() and a.get("href"):
            self.headers.append((f"# source: {a['href'].strip()}", self.getpos()[0]))
            self._has_source = True
        if tag == "meta":
            prop = (a.get("property") or a.get("name") or "").lower()
            content = (a.get("content") or "").strip()
            if prop == "og:url" and content and not self._has_source:
                self.headers.append((f"# source: {content}", self.getpos()[0]))
                self._has_source = True
            elif prop == "citynet:city" and content:
                self.headers.append((f"# city: {content}", self.getpos()[0]))
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if tag in _BLOCKS:
            self._block()
            if tag == "li":
                self._text("  \u2022 ")
        elif tag == "br":
            self._flush()
        elif tag == "a":
            href = a.get("href")
            if href is None:
                self._links.append(False)
            else:
                url = shortcode_url(href.strip())
                self._text(f"[link url={_OPEN_QUOTE}{url}{_CLOSE_QUOTE}]")
                self._links.append(True)
        elif tag == "img" and a.get("alt", "").strip():
            self._text(" " + a["alt"].strip() + " ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag in _BLOCKS:
            self._block()
        elif tag == "a" and self._links and self._links.pop():
            self._text("[/link]")

    def handle_data(self, data: str) -> None:
        if self._skip or self._in_head:
            return
        self._text(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_to_text(html: str) -> tuple[str, list[int]]:
    """The text form of an HTML page, and the HTML source line of every text line.

    ``result[1][i]`` is the 1-based HTML line where text line ``i + 1`` starts.
    """
    conv = _Converter()
    conv.feed(defuse_unclosed(html))
    conv.close()
    lines = [h for h, _ in conv.headers] + ([""] if conv.headers else []) + conv.lines
    sources = (
        [n for _, n in conv.headers]
        + ([conv.headers[-1][1]] if conv.headers else [])
        + conv.sources
    )
    return "\n".join(lines), sources


_HTML_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|article|main|"
    r"section|header|h[1-6]|p|ul|ol)\b",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_html(text: str) -> bool:
    """True when the page starts like an HTML document (detected by content, not name)."""
    return bool(_HTML_START.match(text[:4096]))
