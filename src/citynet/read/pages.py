"""The page reader: a member's profile page (text or HTML) -> one :class:`PageRecord`.

Text in, records and warnings out: nothing here knows about RDF, the network or the
gazetteers. Names are split as written ("Dayton (Ohio, United States of America)" gives
city "Dayton", region "Ohio", country "United States of America"); resolution happens
later.

How a page is read
------------------
1. Bytes are decoded as strict UTF-8 (anything else is an :class:`InputError` naming the
   byte), then normalised: BOM dropped, CRLF/CR -> LF, character references (``&#8221;``)
   decoded, no-break and other odd spaces -> space, NUL/control/zero-width/U+2028/U+FEFF
   removed, NFC. So a BOM+CRLF+NBSP copy or an NFD copy gives the same record.
2. HTML (detected by content) is rendered to the same line-based text form first
   (:mod:`citynet.pagehtml`).
3. Every non-blank line is classified once, top to bottom, with a small state (section,
   national-forum body, current list). Each line ends in ``PageRecord.line_kinds`` as one
   of :data:`LINE_KINDS`; a line that carries no fact and is not structure, boilerplate or
   prose also gets a :class:`PageWarning` (kind ``"warning"``). Nothing is dropped
   silently.

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
- Events vs projects: "Presentation at ..." is an event (role presenter); a line with a
  project role (Partner/Pilot/Coordinator/Associate Partner of/in ...) or "Project:" is a
  project; otherwise a day or month date, or an event word (assembly, conference,
  seminar, meeting, ...) makes an event, and anything else with a year is a project.
  Events default to role attendee ("host" under a "Hosted" list), projects to
  participant. When one line names several local bodies with different roles, the
  strongest role wins (coordinator > pilot > partner > associate-partner).
- Project titles are the linked label when there is a link; text after it (after " – ",
  ":" or in quotes) is the subtitle. Project periods are years.
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
:mod:`citynet.dates`.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from citynet.errors import InputError
from citynet.read.dates import DateHit, find_dates, trie_regex, year_of
from citynet.read.html import html_to_text, looks_like_html
from citynet.read.placewords import COUNTRY_NAMES, REGION_NAMES, REGION_WORDS, fold
from citynet.read.records import (
    ActivityMention,
    Membership,
    Office,
    PageRecord,
    PageWarning,
    Period,
    PlaceName,
    Twin,
)

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
}

# --------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------

_DROP = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])
_DROP.update(dict.fromkeys([0x200B, 0x2060, 0xFEFF, 0x00AD, 0xFFFE, 0xFFFF]))
_SPACE = dict.fromkeys(
    [0x09, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000], 0x20
)
_TABLE = {**_DROP, **_SPACE}
# str.translate looks every character up in a dict; finding the few odd characters with
# one regex scan first is much faster on pages that have none or a handful.
_ODD = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "]")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MULTISPACE = re.compile(r" {2,}")


def normalize_text(text: str) -> str:
    """The canonical form of a page's text (see the module docstring, step 1)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(lambda m: html_lib.unescape(m.group()), text)
    if _ODD.search(text):
        text = text.translate(_TABLE)
    if not text.isascii():
        text = _SURROGATE.sub("", text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    return text


def decode_page(raw: bytes, name: str) -> str:
    """Strict UTF-8, or an InputError naming the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: not UTF-8 at byte {error.start}",
            hint="the page looks like another encoding (cp1252, Latin-1?); save it as UTF-8",
        ) from None
    head = text[:8192]
    if head.count("\x00") > max(8, len(head) // 100):
        raise InputError(
            f"{name}: binary content, not a profile page", hint="give a text or HTML page"
        )
    return text


# --------------------------------------------------------------------------------------
# Shortcodes: [link url=”31294″]Title[/link]
# --------------------------------------------------------------------------------------

_SHORTCODE = re.compile(r"\[(/?)link\b([^\]\n]{0,2000})\]", re.IGNORECASE)
_URL_ATTR = re.compile(r"url\s*=\s*(.*)$", re.IGNORECASE | re.DOTALL)
_QUOTE_CHARS = "\"'\u201c\u201d\u201e\u201f\u2033\u2032\u2018\u2019\u00ab\u00bb "
_LINK_ID = re.compile(r"^(\d+)(?:#([\w-]+))?$")
_WEB_URL = re.compile(r"^(?:https?://|www\.)[^\s/]+\.[^\s]+", re.IGNORECASE)
_OPEN_DQ = "\u201c\u201e\u00ab\u201f"
_CLOSE_DQ = "\u201d\u00bb"
_ALL_DQ = '"' + _OPEN_DQ + _CLOSE_DQ
_DQ = re.compile("[" + _ALL_DQ + "]")


@dataclass(slots=True)
class _Link:
    start: int  # label span in the clean text
    end: int
    url: str  # the url attribute without quotes
    col: int  # 1-based column of "[link" in the line
    id: str | None = None
    fragment: str | None = None
    closed: bool = True  # False: an unclosed shortcode whose label runs to the line end

    def label(self, clean: str) -> str:
        return clean[self.start : self.end].strip()


def _shift(links: list[_Link], offset: int) -> list[_Link]:
    """The links of a text cut ``offset`` characters from its start."""
    return [
        replace(k, start=k.start - offset, end=k.end - offset) for k in links if k.start >= offset
    ]


def _scan_links(line: str, base_col: int) -> tuple[str, list[_Link], list[tuple[int, str]]]:
    """Replace shortcodes by their labels; return clean text, links and problems."""
    if "[" not in line or "link" not in line.lower():
        return line, [], []
    out: list[str] = []
    size = 0
    pos = 0
    links: list[_Link] = []
    problems: list[tuple[int, str]] = []
    current: tuple[str, int, int] | None = None  # (url, col, label start)

    def close(link: tuple[str, int, int], closed: bool = True) -> None:
        url, col, start = link
        links.append(_Link(start, size, url, col, closed=closed))

    for m in _SHORTCODE.finditer(line):
        piece = line[pos : m.start()]
        out.append(piece)
        size += len(piece)
        pos = m.end()
        col = base_col + m.start()
        if not m.group(1):
            if current is not None:
                problems.append((col, "nested [link] shortcode: the outer link ends here"))
                close(current)
            attr = _URL_ATTR.search(m.group(2))
            url = attr.group(1).strip(_QUOTE_CHARS) if attr else ""
            current = (url, col, size)
        elif current is None:
            problems.append((col, "[/link] without an opening [link]"))
        else:
            close(current)
            current = None
    rest = line[pos:]
    out.append(rest)
    size += len(rest)
    if current is not None:
        problems.append((current[1], "unclosed [link] shortcode: the label runs to the line end"))
        close(current, closed=False)
    clean = "".join(out)
    for link in links:
        m = _LINK_ID.match(link.url)
        if m:
            link.id, link.fragment = m.group(1), m.group(2)
        # A closing quote right after the link belongs to its label when the label
        # opened one: [link]Conference “A stadium ...[/link]”
        label = clean[link.start : link.end]
        if (
            link.end < len(clean)
            and clean[link.end] in _CLOSE_DQ
            and sum(label.count(q) for q in _OPEN_DQ) > sum(label.count(q) for q in _CLOSE_DQ)
        ):
            link.end += 1
    return clean, links, problems


# --------------------------------------------------------------------------------------
# Line patterns (all precompiled; anchored; no nested quantifiers)
# --------------------------------------------------------------------------------------

_I = re.IGNORECASE
_HEADER = re.compile(r"^#\s*(?P<k>[A-Za-z][\w-]*)\s*:\s*(?P<v>.*)$")
_BULLET = re.compile(r"^(?:[•·▪◦‣●■□➢►✓]\s*|[-*–—+]\s+|\d{1,3}[.)]\s+)")
_NUMBERED = re.compile(r"^(?P<n>\d{1,2})\s*\.\s*(?P<h>\D.*)$")
_SECTIONS = (
    ("general", r"general\s+information|general\s+info|informations?\s+g[ée]n[ée]rales?"),
    (
        "network",
        r"the\s+(?:city|town|region|municipality)\s+(?:in|and|within)\s+(?:our|the)\s+network"
        r"|la\s+(?:ville|r[ée]gion|commune)\s+(?:au\s+sein\s+de|dans)\s+(?:notre|le)\s+r[ée]seau",
    ),
    (
        "practices",
        r"(?:project\s+files|best\s+practices?(?:\s+forms?)?|practices"
        r"|fiches?\s+(?:de\s+)?(?:bonnes\s+)?pratiques?|fiches?\s+projets?)(?:\s*\(.{0,60}\))?",
    ),
    (
        "further",
        r"further\s+information|more\s+information|pour\s+en\s+savoir\s+plus"
        r"|en\s+savoir\s+plus|informations?\s+compl[ée]mentaires?",
    ),
)
_SECTION_RE = re.compile(
    "^(?:" + "|".join(f"(?P<{name}>{pat})" for name, pat in _SECTIONS) + r")\s*:?$", _I
)
_FR_HEADINGS = re.compile(r"informations?\s+g[ée]n[ée]rales|la\s+ville|fiches|savoir", _I)
_SUBSECTION = re.compile(
    r"^(?:the|la|le)\s+(?:city|town|region|municipality|ville|r[ée]gion|commune)\s+"
    r"(?:and|et)\s+(?P<rest>.{1,160}?)\s*:?$",
    _I,
)
_EFUS_NAMES = frozenset(
    fold(n)
    for n in (
        "efus",
        "the efus",
        "l'efus",
        "l’efus",
        "fesu",
        "european forum for urban security",
        "the european forum for urban security",
        "forum européen pour la sécurité urbaine",
        "le forum européen pour la sécurité urbaine",
    )
)
_POPULATION = re.compile(r"^(?:population|habitants|inhabitants)\s*(?::|(?=\d))\s*(?P<v>.*)$", _I)
_POP_VALUE = re.compile(
    r"^(?:about|approx\.?|approximately|around|environ|ca\.?|circa|more\s+than|over|plus\s+de)?"
    r"\s*(?P<n>\d{1,3}(?:[ .,’']\d{3})+|\d+)(?:[.,](?P<dec>\d{1,2})(?!\d))?"
    r"\s*(?P<mult>millions?|mio\.?|thousand)?\s*(?P<rest>.{0,200})$",
    _I,
)
_POP_REST = re.compile(
    r"^(?:(?:inhabitants?|inh\.?|hab\.?|habitants?|residents?|people|einwohner|habitantes)\b)?"
    r"\s*[,;]?\s*(?:\(?\s*(?:in\s+|en\s+|census\s+)?(?P<year>[12]\d{3})\s*\)?)?\s*\.?$",
    _I,
)
_LOCATION = re.compile(r"^(?:location|localisation|situation|lieu)\s*:\s*(?P<v>.*)$", _I)
_LOCATION_SPLIT = re.compile(r"\s*,\s*|\s+[–—-]\s+|\s*/\s*")
_WEBSITE = re.compile(
    r"^(?P<k>(?:official\s+)?web\s*-?site\b[^:]{0,100}|site\s+(?:officiel|internet|web)\b"
    r"[^:]{0,100}|blog\b[^:]{0,100}|homepage\b[^:]{0,100}|page\s+web\b[^:]{0,100})"
    r"(?:\s*:\s*(?P<v>.*))?$",
    _I,
)
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\[\]\"”″]+\.[^\s<>\[\]\"”″]+", _I)
_SAFETY = re.compile(
    r"^(?:(?:local\s+)?safety\s+contracts?|contrats?\s+(?:local\s+)?de\s+s[ée]curit[ée]"
    r"|contrat\s+local\s+de\s+s[ée]curit[ée])\b(?P<v>.*)$",
    _I,
)
_TWINS = re.compile(
    r"^(?:twinned\s+with|twin\s+(?:cities|towns)|sister\s+cities|jumel[ée]e?s?\s+avec"
    r"|jumelages?|villes\s+jumelles)\s*:?\s*(?P<v>.*)$",
    _I,
)
_OTHER_NETWORKS = re.compile(
    r"^(?:participation|member(?:ship)?|membre)\s+(?:in|of|to|dans|de|d['’]autres)\s+"
    r"(?:other\s+)?(?:european|international|national|r[ée]seaux)\b",
    _I,
)
_ACTIVITY_LABEL = re.compile(
    r"^(?P<k>participated(?:\s+in)?|participation(?:\s+(?:in|to|à))?|took\s+part\s+in"
    r"|attended|attendance|pr[ée]sence|hosted|host\s+of|accueil(?:li)?|a\s+accueilli"
    r"|a\s+particip[ée]\s+[àa]|activities|activités)\b\s*(?::\s*(?P<v>.*)|$)",
    _I,
)
# The first words every label pattern below can start with (a cheap gate before them).
_LABEL_START = re.compile(
    r"^(?:the|la|le|population|habitants|inhabitants|location|localisation|situation|lieu"
    r"|local|safety|contrat|twin|sister|jumel|villes|official|web|site|blog|homepage|page"
    r"|participat|member|membre|took|attend|pr[ée]sen|hosted|host|accueil|a\s|activit"
    r"|vice|pr[ée]sident|co-?chair|chair|found)",
    _I,
)
_PRACTICE_LABEL = re.compile(r"^practices\s+cited\s+in\s+publications\s*:?$", _I)
_EXCO = re.compile(
    r"^(?:member|membre)\s+(?:of\s+(?:the\s+)?|du\s+|de\s+la\s+|de\s+l['’]\s*)"
    r"(?:executi(?:ve|f)\s+(?:committee|comit[ée]|board)|ex[ée]cuti(?:ve|f)\s+(?:committee|board)"
    r"|comit[ée]\s+ex[ée]cutif|bureau)\b(?P<tail>.{0,300})$",
    _I,
)
_PRESIDENT = re.compile(
    r"^(?P<o>vice[-\s]?pr[ée]sident(?:e)?|pr[ée]sident(?:e)?|co-?chair(?:man|woman|person)?"
    r"|chair(?:man|woman|person)?)\b"
    # what may follow: nothing, ":", "(", a year, or "of/since/from/between ..." -- not
    # prose such as "President Macron visited ..."
    r"(?P<tail>(?:\s*[:(–-]|\s+(?:of|du|de|des|since|from|between|depuis|entre|in)\b"
    r"|\s+\d|\s*$).{0,300})$",
    _I,
)
_OF_BODY = re.compile(
    r"^\s+(?:of|du|de\s+la|de\s+l['’]|de|des)\s+(?:the\s+)?(?P<body>.+?)"
    r"\s*(?=:|\bsince\b|\bdepuis\b|\bfrom\b|\bbetween\b|\bentre\b|\bin\s+\d|$)",
    _I,
)
_MEMBER = re.compile(
    r"^(?P<f>founding\s+|founder\s+)?(?:member|membre(?P<f2>\s+fondateur)?)\b(?P<tail>.{0,300})$",
    _I,
)
_MEMBER_OF = re.compile(
    r"^\s+(?:of|du|de\s+la|de\s+l['’]|de)\s+(?:the\s+)?(?P<body>[^:]+?)"
    r"\s*(?=:|\bsince\b|\bdepuis\b|\bfrom\b|$)",
    _I,
)
_SINCE_WORDS = re.compile(r"\b(?:since|depuis|from|à\s+partir\s+de|seit|desde)\b", _I)
_BOILERPLATE = re.compile(
    r"^(?:also\s+in\b.*|aussi\s+en\b.*|également\s+en\b.*|also\s+available\s+in\b.*"
    r"|\S+\.(?:svg|png|jpe?g|gif|webp)|blason|logo|coat\s+of\s+arms|wappen|escudo|image|photo"
    r"|available\s+soon|coming\s+soon|bient[ôo]t\s+disponible|disponible\s+prochainement"
    r"|to\s+be\s+completed|à\s+venir|n/?a|[-–—_*.]+|(?:version\s+)?(?:français|english))$",
    _I,
)
_TITLE_PREFIX = re.compile(
    r"^(?:logo|blason(?:\s+de)?|coat\s+of\s+arms(?:\s+of)?|wappen(?:\s+von)?|escudo(?:\s+de)?)"
    r"\s+",
    _I,
)
_TITLE_CITY_PREFIX = re.compile(
    r"^(?:ville\s+d[e']\s*|city\s+of\s+|stadt\s+|municipality\s+of\s+|comune\s+di\s+"
    r"|ayuntamiento\s+de\s+|c[âa]mara\s+municipal\s+d[eo]\s+|gemeente\s+)",
    _I,
)
_TITLE_LINE = re.compile(r"^[^\W\d_][^\d:;!?@#]{0,58}$")

# Role words as literal phrases (lines have single spaces by then), compiled as a trie:
# a plain alternation tried at every word made this the reader's slowest regex.
_ROLE_WORDS = {
    **dict.fromkeys(
        [
            "associate partner",
            "associate partners",
            "associated partner",
            "associated partners",
            "partenaire associé",
            "partenaire associée",
            "partenaires associés",
            "partenaire associe",
            "partenaires associes",
        ],
        "associate-partner",
    ),
    **dict.fromkeys(
        [
            "lead partner",
            "lead partners",
            "coordinator",
            "coordinators",
            "co-ordinator",
            "co-ordinators",
            "leader",
            "leaders",
            "coordinateur",
            "coordinateurs",
            "coordinatrice",
            "coordinatrices",
            "chef de file",
        ],
        "coordinator",
    ),
    **dict.fromkeys(["pilot", "pilots", "pilote", "pilotes"], "pilot"),
    **dict.fromkeys(["partner", "partners", "partenaire", "partenaires"], "partner"),
}
_ROLE = re.compile(
    r"\b(?P<r>" + trie_regex(sorted(_ROLE_WORDS)) + r")\b(?P<c>\s*,|\s+(?:for\s+the\s+city\s+of"
    r"\s+[\w-]+\s+)?(?:of|in|on|to|du|de|des|dans|au|à)\b\s*(?:(?:the|le|la|les)\b\s*|l['’]\s*)?)",
    _I,
)
_ROLE_RANK = {"coordinator": 4, "pilot": 3, "partner": 2, "associate-partner": 1}
_PRESENTER = re.compile(
    r"^(?:presentation|pr[ée]sentation|intervention|speaker|speech|talk|contribution)\s+"
    r"(?:at|à|during|lors\s+d[ue]|au|in)\s+(?:the\s+(?=[a-z]))?",
    _I,
)
_PROJECT_PREFIX = re.compile(r"^(?:project|projet|proyecto)\s*:\s*", _I)
_PROJECT_WORD = re.compile(
    r"^(?:the\s+|le\s+|la\s+)?(?:european\s+|eu\s+|european\s+union\s+)?(?:project|projet)\s+"
    r"(?!:)",
    _I,
)
_TRAILING_PROJECT = re.compile(r"\s+(?:project|projet)\s*$", _I)
_SUBTITLE_SPLIT = re.compile(r"\s+[–—-]\s+")


def _forms(kind: str, words: str) -> dict[str, str]:
    """'conference(s)|conférence(s)' -> every written form, singular and plural."""
    out: dict[str, str] = {}
    for word in words.split("|"):
        if word.endswith("(s)"):
            out[word[:-3]] = out[word[:-3] + "s"] = kind
        else:
            out[word] = kind
    return out


#: Event words and their kind; the earliest word in a title decides (and at the same
#: place the longest: "executive committee meeting" is an executive-committee event).
_EVENT_WORDS: dict[str, str] = {
    **_forms(
        "general-assembly",
        "general assembly|general assemblies|assemblée générale|assemblées générales"
        "|assemblee generale|asamblea general",
    ),
    **_forms(
        "executive-committee",
        "executive committee|executif committee|exécutif committee|comité exécutif"
        "|comite executif|executive board",
    ),
    **_forms(
        "working-group",
        "working group(s)|work group(s)|workgroup(s)|groupe de travail|groupes de travail",
    ),
    **_forms("field-visit", "field visit(s)|study visit(s)|site visit(s)|visite(s)|visit(s)"),
    **_forms("seminar", "seminar(s)|séminaire(s)|seminaire(s)|seminario"),
    **_forms("debate", "debate(s)|débat(s)|debat(s)"),
    **_forms("workshop", "workshop(s)|atelier(s)"),
    **_forms(
        "conference",
        "conference(s)|conférence(s)|colloque(s)|congress|congrès|congres|symposium|summit|sommet",
    ),
    **_forms("meeting", "meeting(s)|réunion(s)|reunion(s)|rencontre(s)"),
    **_forms("presentation", "presentation(s)|présentation(s)"),
}
_EVENT_RE = re.compile(r"\b(?:" + trie_regex(sorted(_EVENT_WORDS)) + r")\b", _I)
_GENERIC_EVENT = re.compile(
    r"^(?P<t>(?:efus[’']?s?\s+)?(?i:general\s+assembly|executive\s+committee(?:\s+meeting)?"
    r"|assembl[ée]e\s+g[ée]n[ée]rale|comit[ée]\s+ex[ée]cutif))\s*(?:[–—-]\s*|\bin\s+|\bà\s+)?"
    r"(?P<p>[A-ZÀ-ÖØ-Þ][^,]*)$",
    re.IGNORECASE,
)
_DATE_GAP = re.compile(r"^[\s,;&]*(?:(?:and|et)[\s,]*)?$", _I)
_DATE_AFTER = re.compile(r"^[\s).,;:]*$")
_DATE_AFTER_PLACE = re.compile(r"^\s*,\s*(?P<p>[^\W\d_][^,\d()]{1,58}?)\s*[.;]?\s*$")
_SINCE_TWIN = re.compile(
    r"\s*\(?\s*\b(?:since|depuis|seit|desde)\s+(?P<y>[12]\d{3})\s*\)?\s*$|\s*\((?P<y2>[12]\d{3})\)\s*$",
    _I,
)
_QUALIFIERS = frozenset(("ville", "city", "town", "stad", "stadt", "ciudad", "cidade", "città"))
_FRIENDSHIP = re.compile(
    r"\b(?:friendships?|freundschaft\w*|amitiés?|partner\s+cities|partnership\s+agreements?"
    r"|cooperation\s+agreements?)\b",
    _I,
)
_COUNTRY_PREFIX = re.compile(r"^([^:()]{2,40}):\s*(.+)$")
_BRACKETS = re.compile(r"\(([^()]*)\)")
_COUNTRY_GROUP = re.compile(r"^(?P<c>[^:()\d]{2,40}):\s*(?P<rest>.+)$")
_AND_SPLIT = re.compile(r"\s+(?:and|et|und)\s+", _I)
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "de",
        "des",
        "du",
        "for",
        "from",
        "in",
        "into",
        "la",
        "le",
        "les",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "et",
        "en",
        "au",
        "aux",
        "d",
        "l",
        "un",
        "une",
    ]
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _words(text: str) -> int:
    return len(text.split())


def _is_prose(text: str) -> bool:
    n = _words(text)
    return n >= 8 or (n >= 4 and text[-1:] in ".!?…")


def _strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in _ALL_DQ and text[-1] in _ALL_DQ:
        inner = text[1:-1]
        if not any(q in inner for q in _ALL_DQ):
            return inner.strip()
    if text[:1] in _OPEN_DQ + '"' and not any(q in text[1:] for q in _ALL_DQ):
        return text[1:].strip()
    if text[-1:] in _CLOSE_DQ + '"' and not any(q in text[:-1] for q in _ALL_DQ):
        return text[:-1].strip()
    return text


def _tidy(text: str) -> str:
    """Trim separators a title or name keeps at its ends; one space between words."""
    return _MULTISPACE.sub(" ", text).strip(" ,;:.–—-(\t").strip()


_SPLIT_SPECIAL = {
    seps: re.compile("[" + re.escape("()[]{}" + _ALL_DQ + seps) + "]") for seps in (",", ";", ",;")
}


def _split_top(
    text: str, seps: str, protected: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, str]]:
    """Split on ``seps`` outside brackets, double quotes and protected spans.

    Linear in ``text`` (only special characters are visited). Returns (start offset,
    piece) pairs. Quotes toggle whatever their direction (pages write “…“ too); with an
    odd number of quotes they are ignored.
    """
    quotes_ok = len(_DQ.findall(text)) % 2 == 0
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
        elif ch in _ALL_DQ:
            if quotes_ok:
                in_quote = not in_quote
        elif depth == 0 and not in_quote:
            pieces.append((start, text[start:i]))
            start = i + 1
    pieces.append((start, text[start:]))
    return pieces


def _brackets_balanced(text: str) -> bool:
    return text.count("(") == text.count(")")


def _event_kind(*texts: str | None) -> str | None:
    for text in texts:
        if text:
            m = _EVENT_RE.search(text)
            if m:
                return _EVENT_WORDS.get(m.group().lower(), "other")
    return None


def _role_id(word: str) -> str:
    return _ROLE_WORDS.get(word.lower(), "partner")


def _is_country(text: str) -> bool:
    return fold(text) in COUNTRY_NAMES


def _looks_like_place(text: str) -> bool:
    """A short capitalised name without digits or event words ("São João da Madeira")."""
    text = text.strip()
    if not text or len(text) > 60 or _HAS_DIGIT.search(text):
        return False
    if not (text[0].isupper() or text[0] in '«“"'):
        return False
    if _EVENT_RE.search(text) or "efus" in text.lower() or "forum" in text.lower():
        return False
    if _words(text) > 5:
        return False
    # An organiser written in capitals with a hyphen ("Efus-FFSU") is not a place.
    return not _ORGANISER.fullmatch(text)


def _slug_name(slug: str) -> str:
    """'las-palmas-de-gran-canaria' -> 'Las Palmas de Gran Canaria'."""
    small = {
        "de",
        "la",
        "le",
        "les",
        "del",
        "di",
        "da",
        "du",
        "des",
        "am",
        "an",
        "der",
        "sur",
        "en",
    }
    words = [w for w in re.split(r"[-_\s]+", slug) if w]
    return " ".join(
        w if (i and w.lower() in small) else w[:1].upper() + w[1:] for i, w in enumerate(words)
    )


_GENERIC_SLUGS = frozenset(
    [
        "efus",
        "profile",
        "profil",
        "page",
        "pages",
        "member",
        "members",
        "index",
        "seed",
        "test",
        "fixture",
        "copy",
        "draft",
        "city",
        "ville",
        "untitled",
        "document",
        "public",
        "our-network",
        "about-us",
        "a-propos-de-lefus",
        "en",
        "fr",
        "es",
        "de",
        "it",
        "www",
        "html",
        "txt",
        "home",
        "accueil",
    ]
)


def _city_from_url(url: str) -> str | None:
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", url.strip(), flags=_I)
    path = path.split("?", 1)[0].split("#", 1)[0]
    segments = [s for s in path.split("/") if s]
    if not segments:
        return None
    last = segments[-1]
    if last.isdigit() or last.lower() in _GENERIC_SLUGS or not re.search(r"[^\W\d_]", last):
        return None
    return _slug_name(last)


def _city_from_file(name: str) -> str | None:
    stem = Path(name).name
    stem = re.sub(r"\.(?:txt|text|html?|xhtml|md)$", "", stem, flags=_I)
    stem = re.sub(r"\.[a-z]{2}$", "", stem)  # language suffix: "generalitat.fr"
    words = [w for w in re.split(r"[-_.\s]+", stem.lower()) if w]
    if not words or any(w in _GENERIC_SLUGS or w.isdigit() for w in words):
        return None
    return _slug_name(re.sub(r"[-_.\s]+", "-", stem))


_REGION_START = re.compile(
    "^(?:" + "|".join(re.escape(w) for w in sorted(REGION_WORDS, key=len, reverse=True)) + r")\b"
)
_HAS_DIGIT = re.compile(r"\d")
_ORGANISER = re.compile(r"[A-Z]{2,}(?:[-/][A-Z]{2,})+")


def _place_kind(name: str) -> str:
    return "region" if _REGION_START.match(fold(name)) else "city"


def _body_name(text: str) -> str:
    """'the National Forum (DEFUS)' -> 'DEFUS'; 'the Efus' -> 'efus'."""
    text = _tidy(text)
    text = re.sub(r"^(?:the|le|la|l['’])\s*", "", text, flags=_I).strip()
    if fold(text) in _EFUS_NAMES or fold(text).startswith("efus"):
        return "efus"
    m = re.search(r"\(([^()]{2,80})\)\s*$", text)
    if m:
        inner = m.group(1).strip()
        return "efus" if fold(inner) in _EFUS_NAMES else inner
    text = re.sub(r"^national\s+forum\s*,\s*(?:the\s+)?", "", text, flags=_I)
    return text or "national forum"


# --------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    index: int  # 0-based in the text
    raw: str  # normalised, not stripped
    text: str  # stripped, spaces collapsed
    body: str  # bullet removed
    bullet: bool
    offset: int  # where body starts in text


@dataclass(slots=True)
class _Term:
    start: int | None = None
    end: int | None = None
    problems: list[DateHit] = field(default_factory=list)


class _Reader:
    def __init__(self, name: str, text: str, line_map: Sequence[int] | None) -> None:
        self.name = name
        self.lines = text.split("\n")
        self.line_map = line_map
        self.rec = PageRecord(path=name, content_sha256="")
        self.section: str | None = None
        self.body = "efus"
        self.ctx: str | None = None  # "twins" | "activities"
        self.ctx_role: str | None = None
        self.header_city: tuple[str, int] | None = None
        self.title_city: tuple[str, int] | None = None
        self.seen_structure = False
        self.fr = 0  # votes of French and English labels decide the page's language
        self.en = 0
        self.lang_header: str | None = None
        self.paragraphs: list[list[tuple[int, str]]] = []
        self.para_open = False
        self.consumed: set[int] = set()
        self.last: _Line | None = None
        self.last_kind = ""

    # -- bookkeeping ---------------------------------------------------------------
    def ln(self, index: int) -> int:
        if self.line_map is not None and index < len(self.line_map):
            return self.line_map[index]
        return index + 1

    def mark(self, line: _Line, kind: str) -> None:
        key = self.ln(line.index)
        old = self.rec.line_kinds.get(key)
        if old is None or kind == "warning":  # HTML: one entry per source line, warning wins
            self.rec.line_kinds[key] = kind
        if kind == "prose":
            if not self.para_open:
                self.paragraphs.append([])
                self.para_open = True
            self.paragraphs[-1].append((line.index, self._clean_for_prose(line)))
        else:
            self.para_open = False
        self.last_kind = kind

    def warn(
        self,
        line: _Line | None,
        message: str,
        code: str = "unmapped",
        col: int | None = None,
        text: str | None = None,
    ) -> None:
        number = self.ln(line.index) if line is not None else 0
        shown = text if text is not None else (line.text if line is not None else "")
        self.rec.warnings.append(PageWarning(self.name, number, shown, message, col, code))

    def nofact(self, line: _Line, message: str, code: str = "unmapped") -> None:
        self.warn(line, message, code)
        self.mark(line, "warning")

    @staticmethod
    def _clean_for_prose(line: _Line) -> str:
        clean, _, _ = _scan_links(line.body, 1)
        return clean

    # -- main loop -----------------------------------------------------------------
    def run(self) -> PageRecord:
        for index, raw in enumerate(self.lines):
            if index in self.consumed:
                continue
            text = (_MULTISPACE.sub(" ", raw) if "  " in raw else raw).strip()
            if not text:
                self.para_open = False
                continue
            bullet = _BULLET.match(text)
            body = text[bullet.end() :] if bullet else text
            line = _Line(
                index, raw, text, body.strip(), bool(bullet), bullet.end() if bullet else 0
            )
            self.last = line
            self.read_line(line)
        self.finish()
        return self.rec

    def read_line(self, line: _Line) -> None:
        text = line.text
        m = _HEADER.match(text)
        if m:
            self.read_header(line, m.group("k").lower(), m.group("v").strip())
            return
        if text.startswith("#"):  # a markdown heading: read what follows the hashes
            text = text.lstrip("#").strip()
            line = _Line(line.index, line.raw, text, text, False, 0)
        if self.read_heading(line):
            return
        clean, links, problems = _scan_links(line.body, line.offset + 1)
        for col, message in problems:
            self.warn(line, message, "shortcode", col)
        if self.section == "further":
            self.mark(line, "prose")
            return
        if self.section == "practices":
            self.read_practices(line, clean)
            return
        if self.read_labelled(line, clean, links):
            return
        if self.ctx == "twins" and line.bullet:
            self.read_twins(line, clean, links, bulleted=True)
            return
        if self.ctx == "twins":
            self.ctx = None
        if self.ctx == "activities" and (line.bullet or not self._prose_without_date(clean)):
            self.read_activity(line, clean, links, self.ctx_role)
            return
        if self.ctx == "activities":
            self.ctx = None
        if self.section is None and not self.seen_structure and self.read_preamble(line, clean):
            return
        if _BOILERPLATE.match(clean):
            self.mark(line, "boilerplate")
            return
        if (
            self.section == "network"
            and (any(h.period or h.problem for h in find_dates(clean)) or _EVENT_RE.search(clean))
            and not self._prose_without_date(clean)
        ):
            self.read_activity(line, clean, links, None)
            return
        if _is_prose(clean) and not line.bullet:
            self.mark(line, "prose")
            return
        if _is_prose(clean) and self.section in (None, "general"):
            self.mark(line, "prose")
            return
        if self.section == "general" and not line.bullet and _words(clean) <= 6:
            self.nofact(line, "a link or label without an address or value in the text form")
            return
        self.nofact(line, "line not understood: it carries no fact the reader knows")

    @staticmethod
    def _prose_without_date(clean: str) -> bool:
        return _words(clean) >= 12 and clean[-1:] in ".!?" and not find_dates(clean)

    # -- headers, headings, preamble -----------------------------------------------
    def read_header(self, line: _Line, key: str, value: str) -> None:
        self.mark(line, "header")
        if key == "source":
            self.rec.source_url = value or None
        elif key == "city":
            if value:
                self.header_city = (value, line.index)
        elif key in ("lang", "language"):
            self.lang_header = value.lower()[:8] or None
        else:
            self.warn(line, f"unknown header '# {key}:' ignored", "unknown-header")

    def read_heading(self, line: _Line) -> bool:
        text = line.text
        if len(text) > 120:  # headings are short
            return False
        numbered = _NUMBERED.match(text)
        candidate = numbered.group("h").strip() if numbered else text
        candidate = candidate.rstrip(" :").strip()
        m = _SECTION_RE.match(candidate)
        if m:
            self.section = m.lastgroup
            if _FR_HEADINGS.search(candidate) and not candidate.lower().startswith(
                ("the", "general")
            ):
                self.fr += 1
            else:
                self.en += 1
        elif numbered and (
            text.endswith(":")
            or (
                _words(candidate) <= 5
                and not any(c.isdigit() for c in candidate)
                and "," not in candidate
            )
        ):
            self.section = "other"
        else:
            return False
        self.seen_structure = True
        self.ctx = None
        self.body = "efus"
        self.mark(line, "heading")
        return True

    def read_preamble(self, line: _Line, clean: str) -> bool:
        """Lines above the first section: the city's name, logos, language switches."""
        if _BOILERPLATE.match(clean):
            self.mark(line, "boilerplate")
            return True
        prefixed = _TITLE_PREFIX.match(clean)
        if self.title_city is None and (_TITLE_LINE.match(clean) and _words(clean) <= 6):
            name = clean[prefixed.end() :] if prefixed else clean
            name = _TITLE_CITY_PREFIX.sub("", name).strip(" .")
            if name and not _is_prose(clean):
                self.title_city = (name, line.index)
                self.mark(line, "title")
                return True
        if prefixed:
            self.mark(line, "boilerplate")
            return True
        return False

    def read_practices(self, line: _Line, clean: str) -> None:
        if _BOILERPLATE.match(clean):
            self.mark(line, "boilerplate")
        elif _PRACTICE_LABEL.match(clean):
            self.mark(line, "label")
        else:
            self.nofact(line, "best-practice forms are not part of the graph")

    # -- labelled lines --------------------------------------------------------------
    def read_labelled(self, line: _Line, clean: str, links: list[_Link]) -> bool:
        if not _LABEL_START.match(clean):  # most list items: skip the label patterns at once
            return False
        long = len(clean) > 4000  # office/membership patterns only make sense on short lines
        m = _SUBSECTION.match(clean) if not long else None
        if m:
            self.body = _body_name(m.group("rest"))
            self.fr += clean.lower().startswith("la ")
            self.ctx = None
            self.seen_structure = True
            self.section = self.section or "network"
            self.mark(line, "label")
            return True
        m = _POPULATION.match(clean)
        if m:
            self.read_population(line, m.group("v"))
            return True
        m = _LOCATION.match(clean)
        if m:
            self.read_location(line, m.group("v"))
            return True
        m = _SAFETY.match(clean)
        if m:
            self.read_safety(line, m.group("v"))
            return True
        m = _TWINS.match(clean)
        if m:
            self.seen_structure = True
            self.en += clean[:1] in "Tt"
            self.ctx = "twins"
            value = m.group("v")
            if value.strip():
                shifted = _shift(links, m.start("v"))
                self.read_twins(line, value, shifted, bulleted=False)
            else:
                self.mark(line, "label")
            return True
        m = _WEBSITE.match(clean) if not long else None
        if m and (m.group("v") is not None or _words(clean) <= 12):
            self.read_website(line, clean, links, m.group("v"))
            return True
        if not long and _OTHER_NETWORKS.match(clean):
            self.nofact(line, "membership of other networks is not part of the graph")
            return True
        m = _ACTIVITY_LABEL.match(clean) if not long else None
        if m:
            key = m.group("k").lower()
            self.ctx = "activities"
            self.seen_structure = True
            self.section = self.section or "network"
            if key.startswith(("présence", "presence", "participation", "accueil", "a ")):
                self.fr += not key.startswith("presence")
            else:
                self.en += 1
            if key.startswith(("attend", "présence", "presence")):
                self.ctx_role = "attendee"
            elif key.startswith(("host", "accueil", "a accueilli")):
                self.ctx_role = "host"
            else:
                self.ctx_role = None
            value = m.group("v") or ""
            if value.strip():
                shifted = _shift(links, m.start("v"))
                self.read_activity(line, value, shifted, self.ctx_role)
            else:
                self.mark(line, "label")
            return True
        if long:
            return False
        m = _EXCO.match(clean)
        if m:
            self.read_office(line, "executive-committee", self.body, m.group("tail"))
            return True
        m = _PRESIDENT.match(clean)
        if m and not _words(clean) > 25:
            tail = m.group("tail")
            body = self.body
            of = _OF_BODY.match(tail)
            if of:
                body = _body_name(of.group("body"))
                tail = tail[of.end() :]
            word = m.group("o").lower()
            office = "vice-president" if word.startswith("vice") else "president"
            self.read_office(line, office, body, tail)
            return True
        m = _MEMBER.match(clean)
        return bool(m and self.read_membership(line, m))

    def read_population(self, line: _Line, value: str) -> None:
        value = value.strip()
        self.seen_structure = True
        m = _POP_VALUE.match(value)
        number: int | None = None
        year: int | None = None
        if m:
            digits = re.sub(r"\D", "", m.group("n"))
            mult = (m.group("mult") or "").lower()
            dec = m.group("dec")
            rest = m.group("rest")
            if mult.startswith(("million", "mio")):
                number = int(digits) * 1_000_000 + (int(dec.ljust(2, "0")) * 10_000 if dec else 0)
            elif mult == "thousand":
                number = int(digits) * 1000
            elif dec is None:
                number = int(digits)
            r = _POP_REST.match(rest)
            if number is not None and r is None:
                self.warn(line, "text after the population number is not mapped", "population")
            elif r is not None and r.group("year"):
                year = int(r.group("year"))
        if not number:
            self.nofact(line, f"population {value!r} is not a number", "population")
            return
        self.rec.population = number
        self.rec.population_year = year
        self.rec.population_line = self.ln(line.index)
        self.mark(line, "population")

    def read_location(self, line: _Line, value: str) -> None:
        value = _tidy(value)
        self.seen_structure = True
        if not value:
            self.nofact(line, "location without a value", "unmapped")
            return
        parts = [p for p in _LOCATION_SPLIT.split(value) if p]
        self.rec.location = value
        last = parts[-1]
        if len(parts) == 1 and fold(last) in REGION_NAMES and not _is_country(last):
            self.rec.region = last
        else:
            self.rec.country = last
            self.rec.region = ", ".join(parts[:-1]) or None
        self.mark(line, "location")

    def read_safety(self, line: _Line, value: str) -> None:
        self.seen_structure = True
        hits = find_dates(value)
        periods = [h.period for h in hits if h.period is not None]
        for h in hits:
            if h.problem:
                self.warn(line, f"{h.problem.message}: {h.text!r}", h.problem.code)
        if not periods:
            self.nofact(line, "safety contract without a year", "no-date")
            return
        self.rec.safety_contracts.extend(
            Period(p.start[:4], p.end[:4] if p.end else None, p.text) for p in periods
        )
        self.mark(line, "safety-contract")

    def read_website(self, line: _Line, clean: str, links: list[_Link], value: str | None) -> None:
        self.seen_structure = True
        urls = [k.url for k in links if _WEB_URL.match(k.url)] or _URL_IN_TEXT.findall(clean)
        if not urls and value is not None and not value.strip():
            # "Website of the crime prevention service:" with the link on the next line
            j = line.index + 1
            while j < len(self.lines) and not self.lines[j].strip():
                j += 1
            if j < len(self.lines):
                nxt = _MULTISPACE.sub(" ", self.lines[j]).strip()
                n_clean, n_links, _ = _scan_links(nxt, 1)
                if n_links and not n_clean.replace(n_links[0].label(n_clean), "", 1).strip():
                    self.mark(line, "label")
                    self.consumed.add(j)
                    nline = _Line(j, self.lines[j], nxt, nxt, False, 0)
                    self.read_website(nline, n_clean, n_links, n_clean)
                    return
        if not urls:
            self.nofact(line, "website without an address in the text form", "no-url")
            return
        for url in urls:
            url = url if "://" in url else "http://" + url  # "www.liege.be"
            if url not in self.rec.websites:
                self.rec.websites.append(url)
        self.mark(line, "website")

    # -- twins ---------------------------------------------------------------------
    def read_twins(self, line: _Line, clean: str, links: list[_Link], *, bulleted: bool) -> None:
        self.seen_structure = True
        text = clean.strip()
        if _FRIENDSHIP.search(text):
            self.nofact(line, "city friendships are not twinnings; not mapped", "not-twinning")
            return
        items: list[str]
        has_brackets = "(" in text
        group = _COUNTRY_GROUP.match(text)
        if group and _is_country(group.group("c")):
            # "Germany: Bremen, Jena" -> one country for a group of twins
            country = group.group("c").strip()
            found = []
            for _, piece in _split_top(group.group("rest"), ",;"):
                for name in self._split_and(piece):
                    twin = self._twin(name.strip(" ,;."), line, False)
                    if twin is not None:
                        twin.place.country = twin.place.country or country
                        found.append(twin)
            if found:
                self.rec.twins.extend(found)
                self.mark(line, "twin")
            else:
                self.nofact(line, "twin list entry without a city name", "unmapped")
            return
        if bulleted and not has_brackets:
            items = [text.strip(" ,;.")]
            comma_form = True
        else:
            comma_form = not has_brackets and ";" in text
            seps = ";" if comma_form else ",;"
            items = []
            for _, piece in _split_top(text, seps):
                if comma_form:
                    items.append(piece)
                    continue
                items.extend(self._split_and(piece))
        found: list[Twin] = []
        pending: list[Twin] = []  # names waiting for a group's country: "Bremen, Turku (Germany)"
        for item in items:
            item = item.strip().strip(" ,;.").strip()
            if not item:
                continue
            if not _brackets_balanced(item):
                self.warn(line, f"twin entry with an unclosed bracket: {item!r}", "cut-off")
                continue
            twin = self._twin(item, line, comma_form)
            if twin is None:
                continue
            if has_brackets and not comma_form and "(" not in item and twin.place.country is None:
                pending.append(twin)
            elif pending and twin.place.country is not None:
                for p in pending:
                    p.place.country = twin.place.country
                    p.place.region = p.place.region or twin.place.region
                pending = []
            found.append(twin)
        if not found:
            self.nofact(line, "twin list entry without a city name", "unmapped")
            return
        self.rec.twins.extend(found)
        self.mark(line, "twin")

    @staticmethod
    def _split_and(piece: str) -> list[str]:
        """'Casablanca (Morocco) et Kinshasa (Congo)' -> two items; never inside brackets."""
        if " and " not in piece and " et " not in piece and " und " not in piece:
            return [piece]
        parts: list[str] = []
        last = 0
        for m in _AND_SPLIT.finditer(piece):
            before = piece[: m.start()]
            if before.count("(") == before.count(")"):
                parts.append(piece[last : m.start()])
                last = m.end()
        parts.append(piece[last:])
        return parts

    def _twin(self, item: str, line: _Line, comma_form: bool) -> Twin | None:
        since: int | None = None
        m = _SINCE_TWIN.search(item)
        core = item
        if m:
            since = int(m.group("y") or m.group("y2"))
            core = item[: m.start()].strip()
        name, region, country = core, None, None
        group = _COUNTRY_PREFIX.match(core)
        if group and _is_country(group.group(1)):  # "Germany: Bremen"
            name, country = group.group(2), group.group(1).strip()
        elif "(" in core:
            name = core[: core.index("(")].strip()
            groups = _BRACKETS.findall(core, core.index("("))
            groups = [g.strip() for g in groups if g.strip() and fold(g) not in _QUALIFIERS]
            tail = core[core.rindex(")") + 1 :].strip() if ")" in core else ""
            if groups:
                parts = [p.strip() for p in groups[-1].split(",") if p.strip()]
                if len(parts) >= 2:
                    region, country = ", ".join(parts[:-1]), parts[-1]
                elif fold(parts[0]) in REGION_NAMES and not _is_country(parts[0]):
                    region = parts[0]
                else:
                    country = parts[0]
                extra = groups[:-1]
                if extra:
                    name = f"{name} ({') ('.join(extra)})"
            if tail:
                name = f"{name} {tail}".strip()
        elif comma_form:
            parts = [p.strip() for p in core.split(",") if p.strip()]
            name = parts[0] if parts else ""
            if len(parts) == 2:
                country = parts[1]
            elif len(parts) >= 3:
                region, country = ", ".join(parts[1:-1]), parts[-1]
        name = _tidy(_strip_quotes(name))
        if not name:
            return None
        place = PlaceName(
            name=name,
            country=country or None,
            region=region or None,
            line=self.ln(line.index),
            kind=_place_kind(name),  # type: ignore[arg-type]
        )
        return Twin(place=place, since=since, line=self.ln(line.index), text=item)

    # -- memberships and offices ---------------------------------------------------
    def _term(self, line: _Line, tail: str) -> _Term:
        term = _Term()
        hits = find_dates(tail)
        good = [h for h in hits if h.period is not None]
        for h in hits:
            if h.problem:
                term.problems.append(h)
                self.warn(line, f"{h.problem.message}: {h.text!r}", h.problem.code)
        if good:
            first, last = good[0].period, good[-1].period
            assert first is not None and last is not None
            term.start = year_of(first.start)
            if first.end:
                term.end = year_of(first.end)
            elif len(good) > 1:
                term.end = year_of(last.end or last.start)
        return term

    def read_office(self, line: _Line, office: str, body: str, tail: str) -> None:
        self.seen_structure = True
        self.section = self.section or "network"
        term = self._term(line, tail)
        self.rec.offices.append(
            Office(office, body, term.start, term.end, self.ln(line.index), line.body)
        )
        self.mark(line, "office")

    def read_membership(self, line: _Line, m: re.Match[str]) -> bool:
        tail = m.group("tail")
        founding = bool(m.group("f") or m.group("f2"))
        body = self.body
        of = _MEMBER_OF.match(tail)
        if of:
            candidate = of.group("body").strip()
            if re.search(r"committee|comit|board|bureau", candidate, _I):
                return False
            body = _body_name(candidate)
            tail = tail[of.end() :]
        rest = tail.strip(" :")
        if re.match(r"^fondateur\b", rest, _I):
            founding = True
            rest = rest[len("fondateur") :].strip(" :")
        if not (
            rest == ""
            or _SINCE_WORDS.match(rest)
            or rest[:1].isdigit()
            or tail.lstrip().startswith(":")
        ):
            return False
        self.seen_structure = True
        self.section = self.section or "network"
        self.fr += line.body.lower().startswith("membre")
        self.en += line.body.lower().startswith(("member", "founding"))
        term = self._term(line, rest)
        if term.start is None and not founding and not term.problems:
            self.nofact(line, "membership without a year", "no-date")
            return True
        self.rec.memberships.append(
            Membership(body, term.start, self.ln(line.index), line.body, founding)
        )
        self.mark(line, "membership")
        return True

    # -- activities ----------------------------------------------------------------
    def read_activity(
        self, line: _Line, clean: str, links: list[_Link], ctx_role: str | None
    ) -> None:
        self.seen_structure = True
        number = self.ln(line.index)
        text = clean.rstrip()
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        links = _shift(links, lead)
        # Dates inside a link label are part of the title ("Euro 2000"); an unclosed link
        # has no known end, so its dates still count.
        spans = [(k.start, k.end) for k in links if k.closed]

        # 1. Dates at the end (or before a trailing place: "9-10 October 2014, Paris").
        hits = [
            h
            for h in find_dates(text)
            if not any(a <= h.start < b or a < h.end <= b for a, b in spans)
        ]
        cluster: list[DateHit] = []
        post_place: str | None = None
        if hits:
            j = len(hits) - 1
            cluster = [hits[j]]
            while j > 0 and _DATE_GAP.match(text[hits[j - 1].end : hits[j].start]):
                j -= 1
                cluster.insert(0, hits[j])
            after = text[cluster[-1].end :]
            pm = _DATE_AFTER_PLACE.match(after)
            if _DATE_AFTER.match(after):
                pass
            elif pm and _looks_like_place(pm.group("p")):
                post_place = pm.group("p").strip()
            else:
                cluster = []
        core_end = cluster[0].start if cluster else len(text)
        core = text[:core_end].rstrip(" ,;(–—-\t")
        periods = [h.period for h in cluster if h.period is not None]
        for h in cluster:
            if h.problem:
                self.warn(line, f"{h.problem.message}: {h.text!r}", h.problem.code)
        precise = any(h.precision in ("day", "month") for h in cluster if h.period)

        # 2. Role and kind.
        role: str | None = None
        start = 0
        presenter = _PRESENTER.match(core)
        is_project = False
        if presenter:
            role = "presenter"
            start = presenter.end()
        else:
            pm = _PROJECT_PREFIX.match(core)
            if pm:
                is_project = True
                start = pm.end()
            zone_end = min([k.start for k in links if k.start >= start] + [len(core)])
            quote = _DQ.search(core, 0, zone_end)
            if quote is not None:
                zone_end = quote.start()
            roles: list[str] = []
            for rm in _ROLE.finditer(core, start, zone_end):
                roles.append(_role_id(rm.group("r")))
                if not rm.group("c").strip().startswith(","):
                    start = rm.end()
                    break
            if roles:
                is_project = True
                role = max(roles, key=lambda r: _ROLE_RANK[r])
        is_event = bool(presenter) or (not is_project and (precise or bool(_EVENT_RE.search(core))))

        # 3. Links: the network id, and links that lack an id or a label.
        id_link = next((k for k in links if k.id and k.start < core_end), None)
        for k in links:
            if k.start >= core_end:
                continue
            label = k.label(text)
            if not k.id and label:
                self.warn(
                    line,
                    f"link without a network id (url={k.url!r}); kept as a label only",
                    "link-no-id",
                    k.col,
                )
            elif k.id and not label:
                self.warn(line, f"link to id {k.id} has no label", "link-no-label", k.col)

        subtitle: str | None = None
        place: PlaceName | None = None
        if is_event:
            title, subtitle, place = self._event_parts(core, start, links, number, post_place)
            kind = "event"
            event_kind = _event_kind(title, subtitle) or "other"
            role = role or ctx_role or "attendee"
        else:
            title, subtitle = self._project_parts(core, start, links)
            kind = "project"
            event_kind = None
            role = role or "participant"
            periods = [
                Period(
                    p.start[:4], p.end[:4] if p.end and p.end[:4] != p.start[:4] else None, p.text
                )
                for p in periods
            ]
        if not title and not (id_link and id_link.id):
            self.nofact(line, "activity line without a title", "unmapped")
            return
        self.rec.activities.append(
            ActivityMention(
                kind=kind,  # type: ignore[arg-type]
                title=title,
                role=role,
                line=number,
                text=line.body,
                periods=periods,
                subtitle=subtitle or None,
                network_id=id_link.id if id_link else None,
                network_fragment=id_link.fragment if id_link else None,
                event_kind=event_kind,
                place=place,
            )
        )
        self.mark(line, "activity")

    def _project_parts(self, core: str, start: int, links: list[_Link]) -> tuple[str, str | None]:
        zone = core[start:]
        label_link = next((k for k in links if k.start >= start and k.label(core)), None)
        subtitle: str | None = None
        if label_link is not None:
            title = _strip_quotes(label_link.label(core))
            after = core[label_link.end :]
            after = re.sub(r"^[\s:–—\-,]+", "", after)
            after = _TRAILING_PROJECT.sub("", after)
            subtitle = _tidy(_strip_quotes(after)) or None
            return _tidy(title), subtitle
        zone = _PROJECT_WORD.sub("", zone.strip())
        zone = re.sub(r"^the\s+(?=[a-z“«\"])", "", zone)
        zone = _TRAILING_PROJECT.sub("", zone).strip(" ,;")
        zone = _strip_quotes(zone)
        qm = re.match(r"^(?P<t>[^“«\"]+?)\s*[“«\"](?P<s>[^”»\"]+)[”»\"]$", zone)
        if qm:  # GOAL Project “Preventing violence in sport”
            return _tidy(qm.group("t")), _tidy(qm.group("s"))
        parts = _SUBTITLE_SPLIT.split(zone, maxsplit=1)
        title = _tidy(_strip_quotes(parts[0]))
        if len(parts) == 2:
            subtitle = _tidy(_strip_quotes(parts[1])) or None
        return title, subtitle

    def _event_parts(
        self, core: str, start: int, links: list[_Link], number: int, post_place: str | None
    ) -> tuple[str, str | None, PlaceName | None]:
        zone = core[start:]
        spans = [(k.start - start, k.end - start) for k in links if k.start >= start]
        segments = [s.strip() for _, s in _split_top(zone, ",", spans)]
        segments = [s for s in segments if s]
        if not segments:
            return "", None, None
        title = segments[0]
        rest = segments[1:]
        city: str | None = None
        country: str | None = None
        # "Assemblée Générale – Gênes", "General assembly Berlin (Germany)"
        generic = _GENERIC_EVENT.match(title)
        title_place = None
        if generic and (rest or post_place is None):
            title_place = generic.group("p").strip()
            if _looks_like_place(re.sub(r"\s*\(.*\)$", "", title_place)):
                title = generic.group("t").strip()
            else:
                title_place = None
        if post_place:
            rest = [*rest, post_place]
        extra: list[str] = []
        if rest and _is_country(rest[-1]):
            country = rest[-1]
            if len(rest) >= 2 and _looks_like_place(rest[-2]):
                city = rest[-2]
                extra = rest[:-2]
            else:
                extra = rest[:-1]
        elif rest and _looks_like_place(rest[-1]):
            city = rest[-1]
            extra = rest[:-1]
        else:
            extra = rest
        if city is None and title_place:
            city = title_place
        if city and "(" in city:
            inner = re.search(r"\(([^()]*)\)\s*$", city)
            if inner and country is None:
                country = inner.group(1).strip()
            city = city[: city.index("(")].strip()
        title = re.sub(r"^the\s+(?=[a-z])", "", _tidy(title)).strip()
        subtitle = ", ".join(_tidy(e) for e in extra if _tidy(e)) or None
        place: PlaceName | None = None
        if city:
            place = PlaceName(
                name=_tidy(city), country=country, line=number, kind=_place_kind(city)
            )  # type: ignore[arg-type]
        elif country:
            place = PlaceName(name=country, country=country, line=number, kind="country")  # type: ignore[arg-type]
        return title, subtitle, place

    # -- end of page ---------------------------------------------------------------
    def finish(self) -> None:
        rec = self.rec
        if self.last is not None:
            self.check_cut(self.last)
        # Duplicate network ids naming different activities.
        seen: dict[tuple[str, str | None], ActivityMention] = {}
        for act in rec.activities:
            if not act.network_id:
                continue
            key = (act.network_id, act.network_fragment)
            first = seen.get(key)
            if first is None:
                seen[key] = act
            elif first.title and act.title and fold(first.title) != fold(act.title):
                rec.warnings.append(
                    PageWarning(
                        self.name,
                        act.line,
                        act.text,
                        f"network id {act.network_id} also names {first.title!r}; "
                        "kept as two activities",
                        None,
                        "duplicate-id",
                    )
                )
        rec.description = ["\n".join(text for _, text in para) for para in self.paragraphs if para]
        rec.warnings.sort(key=lambda w: (w.line, w.col or 0))
        if rec.country and rec.city:
            rec.city.country = rec.country
            rec.city.region = rec.region

    def check_cut(self, line: _Line) -> None:
        kind = self.rec.line_kinds.get(self.ln(line.index))
        if kind not in ("prose", "activity", "warning"):
            return
        raw = line.raw.rstrip("\n")
        clean, _, _ = _scan_links(line.body, 1)
        words = _WORD.findall(clean)
        trailing_space = raw != raw.rstrip()
        quotes = len(_DQ.findall(clean))
        unbalanced = quotes % 2 == 1 or not _brackets_balanced(clean)
        ends_small = bool(words) and words[-1].lower() in _FUNCTION_WORDS and clean[-1:].isalpha()
        lone_word = len(words) == 1 and clean[-1:].isalpha() and kind != "activity"
        short_item = (
            kind == "activity"
            and bool(self.rec.activities)
            and self.rec.activities[-1].line == self.ln(line.index)
            and not self.rec.activities[-1].periods
            and not self.rec.activities[-1].network_id
            and len(words) <= 2
        )
        if not (trailing_space or unbalanced or ends_small or lone_word or short_item):
            return
        number = self.ln(line.index)
        self.rec.activities = [a for a in self.rec.activities if a.line != number]
        self.rec.warnings = [w for w in self.rec.warnings if w.line != number]
        self.paragraphs = [[(i, t) for i, t in p if self.ln(i) != number] for p in self.paragraphs]
        self.warn(line, "page cut off: this line is incomplete and gives no fact", "cut-off")
        self.rec.line_kinds[number] = "warning"


def _finish_city(rec: PageRecord, reader: _Reader, name: str, city: str | None) -> None:
    origin: str | None = None
    line: int | None = None
    value: str | None = None
    if city:
        value, origin = city, "--city"
    elif reader.header_city:
        value, origin, line = reader.header_city[0], "header", reader.ln(reader.header_city[1])
    elif reader.title_city:
        value, origin, line = reader.title_city[0], "title line", reader.ln(reader.title_city[1])
    elif rec.source_url and _city_from_url(rec.source_url):
        value, origin = _city_from_url(rec.source_url), "url"
    elif _city_from_file(name):
        value, origin = _city_from_file(name), "file name"
    if value:
        value = normalize_text(value).strip()
        rec.city = PlaceName(
            name=value,
            country=rec.country,
            region=rec.region,
            line=line,
            kind=_place_kind(value),  # type: ignore[arg-type]
        )
        rec.city_origin = origin


def _read(
    text: str,
    name: str,
    sha: str,
    *,
    city: str | None,
    line_map: Sequence[int] | None = None,
    line_count: int | None = None,
) -> PageRecord:
    text = normalize_text(text)
    reader = _Reader(name, text, line_map)
    rec = reader.rec
    rec.content_sha256 = sha
    if not text.strip():
        rec.line_count = line_count if line_count is not None else 0
        rec.warnings.append(PageWarning(name, 0, "", "empty page", None, "empty"))
        _finish_city(rec, reader, name, city)
        return rec
    reader.run()
    rec.line_count = (
        line_count if line_count is not None else len(reader.lines) - (text.endswith("\n"))
    )
    if reader.lang_header:
        rec.language = reader.lang_header
    elif reader.fr > reader.en:
        rec.language = "fr"
    structured = (
        rec.population
        or rec.location
        or rec.twins
        or rec.memberships
        or rec.offices
        or rec.activities
        or rec.safety_contracts
        or rec.websites
        or any(k in ("heading", "label") for k in rec.line_kinds.values())
    )
    if not structured:
        if reader.title_city is not None:  # a short first line of a non-page is no city name
            number = reader.ln(reader.title_city[1])
            rec.line_kinds[number] = "warning"
            rec.warnings.append(
                PageWarning(
                    name,
                    number,
                    reader.lines[reader.title_city[1]].strip(),
                    "line not understood: it carries no fact the reader knows",
                )
            )
            reader.title_city = None
            rec.warnings.sort(key=lambda w: (w.line, w.col or 0))
        rec.warnings.insert(
            0,
            PageWarning(
                name,
                0,
                "",
                "no recognisable section or label: is this a profile page?",
                None,
                "no-sections",
            ),
        )
    _finish_city(rec, reader, name, city)
    return rec


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text(text: str, name: str, *, city: str | None = None) -> PageRecord:
    """Read a page in the text form (as the seed and the corpus are written)."""
    return _read(text, name, _sha(text.encode("utf-8", "surrogatepass")), city=city)


def read_html(html: str, name: str, *, city: str | None = None) -> PageRecord:
    """Read a page as the site serves it: rendered to the text form, then read.

    Line numbers in the record are lines of the HTML source (see the module docstring).
    """
    return _read_html(html, name, _sha(html.encode("utf-8", "surrogatepass")), city=city)


def _read_html(html: str, name: str, sha: str, *, city: str | None) -> PageRecord:
    html = normalize_text(html)
    text, sources = html_to_text(html)
    return _read(text, name, sha, city=city, line_map=sources, line_count=html.count("\n") + 1)


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
        try:
            with open(path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > max_page_bytes:
                    raise InputError(
                        f"{name}: page is {size} bytes, above the limit of {max_page_bytes}",
                        hint="raise --max-page-bytes if the page is really that big",
                    )
                raw = handle.read()
        except InputError:
            raise
        except IsADirectoryError:
            raise InputError(f"{name}: is a folder, not a page") from None
        except OSError as error:
            raise InputError(f"{name}: cannot read: {error.strerror or error}") from None
        if len(raw) > max_page_bytes:  # the file grew between stat and read
            raise InputError(f"{name}: page is above the limit of {max_page_bytes} bytes")
        content = decode_page(raw, name)
        sha = _sha(raw)
    else:
        encoded = text.encode("utf-8", "surrogatepass")
        if len(encoded) > max_page_bytes:
            raise InputError(
                f"{name}: page is {len(encoded)} bytes, above the limit of {max_page_bytes}",
                hint="raise --max-page-bytes if the page is really that big",
            )
        content = text
        sha = _sha(encoded)
    if looks_like_html(content.lstrip("\ufeff")):
        return _read_html(content, name, sha, city=city)
    return _read(content, name, sha, city=city)
