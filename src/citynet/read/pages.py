"""The page reader: a member's profile page (text or HTML) -> one :class:`PageRecord`.

Text in, records and warnings out: nothing here knows about RDF, the network or the
gazetteers. Names are split as written ("Dayton (Ohio, United States of America)" gives
city "Dayton", region "Ohio", country "United States of America"); resolution happens
later.

How a page is read
------------------
1. Bytes are decoded as strict UTF-8 and normalised (:mod:`citynet.read.normalize`), so
   a BOM+CRLF+NBSP copy or an NFD copy gives the same record.
2. HTML (detected by content) is cut to its main content and rendered to the same
   line-based text form first (:mod:`citynet.read.html`).
3. Every non-blank line is classified once, top to bottom (:mod:`citynet.read.reader`),
   and ends in ``PageRecord.line_kinds`` as one of :data:`LINE_KINDS`: a line that carries
   no fact and is not structure, boilerplate or prose also gets a :class:`PageWarning`.
   Nothing is dropped silently.

Line numbers are 1-based lines of the text as given. For HTML they are the lines of the
HTML source where the text line starts; when several text lines start on the same HTML
line, ``line_kinds`` keeps one entry for it (``"warning"`` if any of them warned). Columns
(``PageWarning.col``) are 1-based positions in the normalised line, which is also the
warning's ``text``.

Decisions where the pages are ambiguous (the tests hold them)
-------------------------------------------------------------
- City: ``city=`` argument ("--city") > ``# city:`` header > title line before the first
  section ("Essen", "blason Köln", "Logo Ville de Bruxelles" -> "Bruxelles") > last slug
  of the ``# source:`` URL > file name. A file name with generic words ("efus-profile-
  liege") names no city: then ``city`` is None and the caller decides.
- Activity lines (events vs projects, roles, titles, dates): the rules of
  :mod:`citynet.read.activities`. Events default to role attendee ("host" under a
  "Hosted" list), projects to participant.
- "furthermore Stuttgart has city friendships with ..." is not a twinning: no twin, a
  ``not-twinning`` warning naming them.
- Offices: "Member of the Executive Committee : 2010" means from 2010 (start only), like
  "since 2010"; "between 2000 and 2003" / "2003-2007" / "from 2013 to 2014" give both.
- The same network id on two lines with different titles stays two mentions, with a
  ``duplicate-id`` warning on the second.
- A link with no id and a label: label-only mention plus a ``link-no-id`` warning; a
  link with an id and no label: a ``link-no-label`` warning (the title falls back to the
  surrounding text, and may be empty).
- The last line of a page that is visibly cut (trailing space, unbalanced quote, ends on
  a function word, a lone word, a list item too short to be one) gives no fact and a
  ``cut-off`` warning.
- Website lines whose address the text form lost ("Official website", "Blog of the
  Ministry ...") are ``no-url`` warnings: a website was there, we cannot say which.
- Best-practice forms and membership of other networks are not modelled: their lines are
  ``unmapped`` warnings. Logo captions, language switches and "Available soon" are
  boilerplate (no warning).
- Prose (long lines, sentences, everything under "Further information") goes to
  ``description``: consecutive prose lines form one paragraph, joined with newlines.
- A "Participated in" style label needs a colon or must stand alone, and an office word
  ("President") must be followed by its body, a colon or a year, so prose that merely
  starts with such a word stays prose.

Public API: :func:`read_page` (a file, text or HTML by content), :func:`read_text`,
:func:`read_html`, :func:`normalize_text`, :func:`decode_page`; dates live in
:mod:`citynet.read.dates`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from citynet.errors import InputError
from citynet.fetch.content import main_content
from citynet.fetch.log import provenance_for
from citynet.read.cityname import city_from_file, city_from_url
from citynet.read.grammar import place_kind
from citynet.read.html import html_to_text, looks_like_html
from citynet.read.normalize import decode_page, normalize_text
from citynet.read.reader import LineReader
from citynet.read.records import PageRecord, PageWarning, PlaceName

__all__ = [
    "LINE_KINDS",
    "WARNING_CODES",
    "decode_page",
    "normalize_text",
    "read_html",
    "read_page",
    "read_text",
]

#: What a non-blank line can become (values of ``PageRecord.line_kinds``).
LINE_KINDS = (
    "header",  # "# source: ..." / "# city: ..."
    "title",  # the city's name above the first section
    "boilerplate",  # site chrome: language switch, logo captions, "Available soon"
    "heading",  # "1. General Information :"
    "label",  # structure without a value of its own: "Participated in:", "The city and Efus:"
    "population",
    "location",
    "website",
    "safety-contract",
    "twin",
    "membership",
    "office",
    "activity",
    "prose",  # goes to PageRecord.description
    "warning",  # no fact: see the line's PageWarning
    "skipped",  # a list line beyond the page's limit (one "limit" warning counts them)
)

#: Warning codes and what they mean.
WARNING_CODES = {
    "empty": "the page has no text",
    "no-sections": "no recognisable section or label: probably not a profile page",
    "unmapped": "the line carries no fact the graph models",
    "no-url": "a website line without an address",
    "population": "a population that is not a number",
    "bad-date": "an impossible date (rejected, not emitted)",
    "reversed-range": "a range that ends before it starts (rejected, not emitted)",
    "vague-date": "a season or other vague time (not a date)",
    "unknown-month": "a month name the reader does not know (not emitted)",
    "no-date": "a field that needs a year has none",
    "shortcode": "an unclosed, nested or stray [link] shortcode",
    "link-no-id": "a link with a label but no network id",
    "link-no-label": "a link with a network id but no label",
    "duplicate-id": "the same network id names two different activities",
    "not-twinning": "city friendships or other links that are not twinnings",
    "cut-off": "the page is cut off here",
    "unknown-header": "a '# key:' header the reader does not know",
    "limit": "above a documented limit (citynet.read.limits): the rest of it was skipped",
}


def read_text(text: str, name: str, *, city: str | None = None) -> PageRecord:
    """Read a page in the text form (as the seed and the corpus are written)."""
    return _read(text, name, _sha(text.encode("utf-8", "surrogatepass")), city=city)


def read_html(html: str, name: str, *, city: str | None = None) -> PageRecord:
    """Read a page as the site serves it: rendered to the text form, then read.

    Line numbers in the record are lines of the HTML source (see the module docstring).
    """
    return _read_html(html, name, _sha(html.encode("utf-8", "surrogatepass")), city=city)


def read_page(
    path: Path,
    *,
    text: str | None = None,
    city: str | None = None,
    max_page_bytes: int = 10_000_000,
) -> PageRecord:
    """Read one page file (text form or HTML, told apart by content).

    ``text`` gives the content instead of reading ``path`` (which still names the page in
    warnings). Raises :class:`InputError` for a missing or unreadable file, bytes that are
    not UTF-8, binary content, or a page above ``max_page_bytes``.
    """
    name = str(path)
    if text is None:
        raw = _read_bytes(path, max_page_bytes)
        content, sha = decode_page(raw, name), _sha(raw)
    else:
        encoded = text.encode("utf-8", "surrogatepass")
        _check_size(name, len(encoded), max_page_bytes)
        content, sha = text, _sha(encoded)
    if looks_like_html(content.lstrip("\ufeff")):
        record = _read_html(content, name, sha, city=city)
    else:
        record = _read(content, name, sha, city=city)
    if text is None:  # a fetched page file: where and when it was fetched (its log says)
        record.fetched_from, record.fetched_at = provenance_for(path, sha256=sha) or (None, None)
    return record


def _read_bytes(path: Path, max_page_bytes: int) -> bytes:
    """The page file's bytes, or an InputError (missing, a folder, unreadable, too big)."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            _check_size(name, os.fstat(handle.fileno()).st_size, max_page_bytes)
            raw = handle.read()
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a page") from None
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from None
    _check_size(name, len(raw), max_page_bytes)  # the file grew between stat and read
    return raw


def _check_size(name: str, size: int, max_page_bytes: int) -> None:
    if size > max_page_bytes:
        raise InputError(
            f"{name}: page is {size} bytes, above the limit of {max_page_bytes}",
            hint="raise --max-page-bytes if the page is really that big",
        )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_html(html: str, name: str, sha: str, *, city: str | None) -> PageRecord:
    html = normalize_text(html)
    # A page as the web site serves it carries menus, footers, banners and sidebars:
    # only its main content is read (line numbers stay those of the served file).
    text, sources = html_to_text(main_content(html))
    return _read(text, name, sha, city=city, line_map=sources, line_count=html.count("\n") + 1)


def _read(
    text: str,
    name: str,
    sha: str,
    *,
    city: str | None,
    line_map: Sequence[int] | None = None,
    line_count: int | None = None,
) -> PageRecord:
    """Normalise, read every line, then the page-wide decisions: language, whether it
    is a profile page at all, and its city."""
    text = normalize_text(text)
    reader = LineReader(name, text, line_map)
    rec = reader.rec
    rec.content_sha256 = sha
    if not text.strip():
        rec.line_count = line_count if line_count is not None else 0
        rec.warnings.append(PageWarning(name, 0, "", "empty page", None, "empty"))
        _choose_city(rec, reader, name, city)
        return rec
    reader.run()
    rec.line_count = (
        line_count if line_count is not None else len(reader.lines) - (text.endswith("\n"))
    )
    if reader.lang_header:
        rec.language = reader.lang_header
    elif reader.fr > reader.en:
        rec.language = "fr"
    if not _has_structure(rec):
        _not_a_profile_page(rec, reader, name)
    _choose_city(rec, reader, name, city)
    return rec


def _has_structure(rec: PageRecord) -> bool:
    """Whether the page gave any fact, heading or label (else it is no profile page)."""
    facts = (rec.population, rec.location, rec.twins, rec.memberships, rec.offices)
    facts += (rec.activities, rec.safety_contracts, rec.websites)
    return any(facts) or any(k in ("heading", "label") for k in rec.line_kinds.values())


def _not_a_profile_page(rec: PageRecord, reader: LineReader, name: str) -> None:
    """A ``no-sections`` warning first; a short first line of a non-page names no city."""
    if reader.title_city is not None:
        number = reader.ln(reader.title_city[1])
        rec.line_kinds[number] = "warning"
        text = reader.lines[reader.title_city[1]].strip()
        message = "line not understood: it carries no fact the reader knows"
        rec.warnings.append(PageWarning(name, number, text, message))
        reader.title_city = None
        rec.warnings.sort(key=lambda w: (w.line, w.col or 0))
    message = "no recognisable section or label: is this a profile page?"
    rec.warnings.insert(0, PageWarning(name, 0, "", message, None, "no-sections"))


def _choose_city(rec: PageRecord, reader: LineReader, name: str, city: str | None) -> None:
    """The page's city, from the first source that names one (see the module docstring)."""
    origin: str | None = None
    line: int | None = None
    value: str | None = None
    if city:
        value, origin = city, "--city"
    elif reader.header_city:
        value, origin, line = reader.header_city[0], "header", reader.ln(reader.header_city[1])
    elif reader.title_city:
        value, origin, line = reader.title_city[0], "title line", reader.ln(reader.title_city[1])
    elif rec.source_url and city_from_url(rec.source_url):
        value, origin = city_from_url(rec.source_url), "url"
    elif city_from_file(name):
        value, origin = city_from_file(name), "file name"
    if value:
        value = normalize_text(value).strip()
        kind = place_kind(value)
        rec.city = PlaceName(value, rec.country, rec.region, line, kind=kind)  # type: ignore[arg-type]
        rec.city_origin = origin
