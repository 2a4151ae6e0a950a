"""Dates and periods as profile pages write them, turned into checked XSD lexical values.

The pages write dates in many hand-made forms: ``2009-2012``, ``26th of June 2009``,
``March 27th 2008``, ``November 2nd- 4th 2006``, ``7th-9th December 2000``, ``4th and 5th
of June 1999``, ``30th of September and 1st of October, 1999``, ``Toulouse, 26, June,
2009``, ``19 mai 2011``, ``15.03.2017``, ``June 2009``, ``2000-2004, 2006-2009`` ...

:func:`find_dates` scans a text once with one precompiled regular expression (every
branch is bounded, so a megabyte line costs linear time) and returns one :class:`DateHit`
per date expression, with its position, so the page reader can cut the date off an
activity line.

Policies (the tests hold them):

- Values are XSD lexical forms: ``YYYY`` (gYear), ``YYYY-MM`` (gYearMonth) or
  ``YYYY-MM-DD`` (date), and every one is a real calendar date.
- A range gives one :class:`Period` with ``start`` and ``end``; a single point has
  ``end`` None; a list (``2000-2004, 2006-2009``) gives several periods.
- Two days joined by "and" (``4th and 5th of June 1999``) are one event over both days:
  one period from the first to the last.
- Impossible dates (``31st of June 2009``), unknown month names (``26 czerwca 2009``) and
  reversed ranges (``9th-7th December 2000``, ``2012-2009``) are *rejected*: no period,
  a :class:`DateProblem` carrying the original text. We never swap or guess.
- Not dates at all: seasons (``Summer 2009`` is rejected as vague, with a problem),
  centuries (``18th century``), two-digit years (``09``), decades (``1990s``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from citynet.read.records import Period

# Month names by language. Keys are lower case without a trailing dot; the regex is
# case-insensitive. A name in several languages maps to the same number, so no conflict.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv enero janeiro gennaio januar jänner",
        "february feb febr février fevrier févr fevr febrero fevereiro febbraio februar",
        "march mar mars marzo março marco märz maerz",
        "april apr avril avr abril aprile",
        "may mai mayo maio maggio",
        "june jun juin junio junho giugno juni",
        "july jul juillet juil julio julho luglio juli",
        "august aug août aout agosto",
        "september sep sept septembre septiembre setembro settembre",
        "october oct octobre octubre outubro ottobre oktober",
        "november nov novembre noviembre novembro",
        "december dec déc decembre décembre diciembre dezembro dicembre dezember",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_SEASONS = (
    *("spring", "summer", "autumn", "fall", "winter", "printemps", "été", "ete", "automne"),
    *("hiver", "primavera", "verano", "estate", "otoño", "autunno", "invierno", "inverno"),
    *("frühling", "sommer", "herbst"),
)


def trie_regex(words: list[str]) -> str:
    """One regex for many words, factored by common prefixes (j(?:an(?:uary|vier)|u...)).

    Python's engine tries a plain alternation word by word at every position; the trie
    form rejects a non-month in one or two characters, which makes the date scan ~10x
    faster. Longer continuations come first, so "juillet" wins over "juil".
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in node.items() if ch]
        branches.sort(key=len, reverse=True)
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return "(?:" + build(trie) + ")"


_MONTH = trie_regex(sorted(_MONTHS)) + r"\.?"
_SEASON = trie_regex(sorted(_SEASONS))
_DAY = r"\d{1,2}(?:st|nd|rd|th|er|e|ème)?"
_YEAR = r"[12]\d{3}"
_END = r"(?![\w])"  # a date never runs into a letter or digit ("1990s", "20091")
_START = r"(?<![\w.,/])"  # nor starts inside a number ("1,615,908", "15.03")
_DS = r"(?:\s*,\s*|\s+)(?:(?:of|de|del)\s+)?"  # day -> month: " ", ", ", " of "
_YS = r"(?:\s*,\s*|\s+)(?:(?:de|del)\s+)?"  # month -> year
_DASH = r"\s*(?:[-–—]|\bto\b|\bau\b|\buntil\b|\btill\b)\s*"
_AND = r"(?:\s+(?:and|et|y|e|und)\s+|\s*&\s*)"
_JOIN = f"(?:{_DASH}|{_AND})"
_D2 = r"\d{2}"
_D12 = r"\d{1,2}"


def _g(name: str, pattern: str) -> str:
    return f"(?P<{name}>{pattern})"


# Branches, most specific first: at each position the first branch that matches wins.
# Each branch is wrapped in a group named after it, so ``match.lastgroup`` names the
# branch (the outer group closes last).
_BRANCHES = [
    # September 30th - October 1st 1999
    (
        "mdy_cross",
        f"{_g('a_m1', _MONTH)}\\s+{_g('a_d1', _DAY)}{_JOIN}{_g('a_m2', _MONTH)}\\s+"
        f"{_g('a_d2', _DAY)}\\s*,?\\s*{_g('a_y', _YEAR)}",
    ),
    # 30th of September and 1st of October, 1999 ; 30 December 2012 - 2 January 2013
    (
        "dmy_cross",
        f"{_g('b_d1', _DAY)}{_DS}{_g('b_m1', _MONTH)}(?:{_YS}{_g('b_y1', _YEAR)})?{_JOIN}"
        f"{_g('b_d2', _DAY)}{_DS}{_g('b_m2', _MONTH)}{_YS}{_g('b_y', _YEAR)}",
    ),
    # November 2nd- 4th 2006 ; October 30th-31st 1995 ; May 9th and 10th 2011
    (
        "mdy_range",
        f"{_g('c_m', _MONTH)}\\s+{_g('c_d1', _DAY)}{_g('c_join', _JOIN)}{_g('c_d2', _DAY)}"
        f"\\s*,?\\s*{_g('c_y', _YEAR)}",
    ),
    # 7th-9th December 2000 ; 12-14 December 2012 ; 4th and 5th of June 1999
    (
        "dmy_range",
        f"{_g('d_d1', _DAY)}{_g('d_join', _JOIN)}{_g('d_d2', _DAY)}{_DS}{_g('d_m', _MONTH)}"
        f"{_YS}{_g('d_y', _YEAR)}",
    ),
    # 2017-03-15
    ("iso", f"{_g('e_y', _YEAR)}-{_g('e_m', _D2)}-{_g('e_d', _D2)}"),
    # 15.03.2017 ; 15/03/2017
    ("dotted", f"{_g('f_d', _D12)}(?P<f_sep>[./]){_g('f_m', _D12)}(?P=f_sep){_g('f_y', _YEAR)}"),
    # March 27th 2008 ; October 10th, 2005
    ("mdy", f"{_g('h_m', _MONTH)}\\s+{_g('h_d', _DAY)}\\s*,?\\s*{_g('h_y', _YEAR)}"),
    # 26th of June 2009 ; 26, June, 2009 ; 19 mai 2011
    ("dmy", f"{_g('i_d', _DAY)}{_DS}{_g('i_m', _MONTH)}{_YS}{_g('i_y', _YEAR)}"),
    # Summer 2009: a season is not a date
    ("season", f"{_SEASON}(?:\\s+(?:of|de|del))?\\s+{_YEAR}"),
    # June 2009 ; January, 2013
    ("my", f"{_g('k_m', _MONTH)}{_YS}{_g('k_y', _YEAR)}"),
    # 26 czerwca 2009: a day, a word we do not know as a month, a year
    (
        "unknown_month",
        f"\\d{{1,2}}(?:st|nd|rd|th)?\\s+(?:of\\s+)?[^\\W\\d_]{{3,12}}\\.?\\s+{_YEAR}",
    ),
    # between 2000 and 2003 ; from 2013 to 2014 ; de 2013 à 2014
    (
        "years_words",
        f"(?:between|from|entre|de|du)\\s+{_g('m_y1', _YEAR)}\\s+"
        f"(?:and|to|until|till|et|à|a|au)\\s+{_g('m_y2', _YEAR)}",
    ),
    # 2009-2012 ; 1997 -1998
    ("years", f"{_g('n_y1', _YEAR)}{_DASH}{_g('n_y2', _YEAR)}"),
    ("year", _g("o_y", _YEAR)),
]

_DATE_RE = re.compile(
    _START + "(?:" + "|".join(f"(?P<{name}>{pat})" for name, pat in _BRANCHES) + ")" + _END,
    re.IGNORECASE,
)
# Where a date expression can start: a digit, a month or season name, or the first word of
# "between/from ... and/to ...". Finding these first and trying the full regex only there
# is several times faster than letting the full regex try every position.
_CANDIDATE = re.compile(
    _START + rf"(?:\d|{_MONTH}|{_SEASON}|between\b|from\b|entre\b|de\b|du\b)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class DateProblem:
    """A date expression that was rejected, with what the page wrote."""

    text: str
    message: str
    start: int = 0  # offset in the scanned text
    code: str = "bad-date"


@dataclass(frozen=True, slots=True)
class DateHit:
    """One date expression found in a text: its span and what it became."""

    start: int
    end: int
    text: str
    period: Period | None  # None when rejected
    problem: DateProblem | None = None
    precision: str = "year"  # "year", "month" or "day"


class _Rejected(Exception):
    def __init__(self, message: str, code: str = "bad-date") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _day(text: str) -> int:
    return int(text[:2] if text[1:2].isdigit() else text[:1])


def _month(text: str) -> int:
    key = text.lower().rstrip(".")
    if key not in _MONTHS:  # cannot happen: the regex only admits known names
        raise _Rejected(f"unknown month {text!r}")
    return _MONTHS[key]


def _iso(year: int, month: int, day: int) -> str:
    try:
        date(year, month, day)
    except ValueError:
        raise _Rejected("not a real date") from None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _ordered(start: str, end: str) -> Period:
    """A range; the same value twice is one point; a reversed range is rejected."""
    if start == end:
        return Period(start, None, "")
    if start > end:  # lexical order of same-shape ISO values is time order
        raise _Rejected("reversed range (end before start)", "reversed-range")
    return Period(start, end, "")


#: The groups of each branch: the start's (year, month, day), then the end's (None: a
#: single point). A missing start year (a cross-year range without one) is the end's.
_GROUPS: dict[str, tuple[tuple[str | None, ...], tuple[str | None, ...] | None]] = {
    "year": (("o_y", None, None), None),
    "years": (("n_y1", None, None), ("n_y2", None, None)),
    "years_words": (("m_y1", None, None), ("m_y2", None, None)),
    "my": (("k_y", "k_m", None), None),
    "dmy": (("i_y", "i_m", "i_d"), None),
    "mdy": (("h_y", "h_m", "h_d"), None),
    "iso": (("e_y", "e_m", "e_d"), None),
    "dotted": (("f_y", "f_m", "f_d"), None),
    "dmy_range": (("d_y", "d_m", "d_d1"), ("d_y", "d_m", "d_d2")),
    "mdy_range": (("c_y", "c_m", "c_d1"), ("c_y", "c_m", "c_d2")),
    "dmy_cross": (("b_y1", "b_m1", "b_d1"), ("b_y", "b_m2", "b_d2")),
    "mdy_cross": (("a_y", "a_m1", "a_d1"), ("a_y", "a_m2", "a_d2")),
}


def _build(kind: str, m: re.Match[str]) -> tuple[Period, str]:
    """The period a branch's match gives, and its precision ("year", "month", "day")."""
    if kind == "season":
        raise _Rejected("a season is not a date", "vague-date")
    if kind == "unknown_month":
        raise _Rejected("unknown month name", "unknown-month")
    start, end = _GROUPS[kind]
    first = _value(m, start, m.group(end[0]) if end else None)
    precision = "day" if start[2] else "month" if start[1] else "year"
    return (_ordered(first, _value(m, end)) if end else Period(first, None, "")), precision


def _value(m: re.Match[str], groups: tuple[str | None, ...], year: str | None = None) -> str:
    """The XSD lexical value of one (year, month, day) of a match."""
    written_year, month, day = (m.group(g) if g else None for g in groups)
    year = written_year or year
    assert year is not None
    if month is None:
        return year
    number = int(month) if month.isdigit() else _month(month)
    if day is None:
        return f"{int(year):04d}-{number:02d}"
    return _iso(int(year), number, _day(day))


# Every date expression has a four-digit year at its end (or, in ISO form, six characters
# before its end), and none is longer than _REACH characters before that year. So the
# full regex only runs in short windows around years: a long line with few years costs
# one cheap scan.
_YEAR_ONLY = re.compile(r"(?<!\d)[12]\d{3}(?!\d)")
_REACH = 64


def _windows(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _YEAR_ONLY.finditer(text):
        start, end = max(0, m.start() - _REACH), min(len(text), m.end() + 6)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _matches(text: str) -> list[re.Match[str]]:
    found: list[re.Match[str]] = []
    last_end = 0
    for start, end in _windows(text):
        for c in _CANDIDATE.finditer(text, max(start, last_end), end):
            if c.start() < last_end:
                continue
            m = _DATE_RE.match(text, c.start(), end)
            if m:
                found.append(m)
                last_end = m.end()
    return found


def find_dates(text: str) -> list[DateHit]:
    """Every date expression in ``text``, left to right, accepted or rejected."""
    if len(text) <= 1000:  # the reader asks about the same short line more than once
        return list(_find_cached(text))
    return _find(text)


@lru_cache(maxsize=4096)
def _find_cached(text: str) -> tuple[DateHit, ...]:
    return tuple(_find(text))


def _find(text: str) -> list[DateHit]:
    hits: list[DateHit] = []
    if not text:
        return hits
    for m in _matches(text):
        kind = m.lastgroup or "year"
        written = m.group()
        try:
            period, precision = _build(kind, m)
        except _Rejected as why:
            problem = DateProblem(written, why.message, m.start(), why.code)
            hits.append(DateHit(m.start(), m.end(), written, None, problem))
            continue
        period = Period(period.start, period.end, written)
        hits.append(DateHit(m.start(), m.end(), written, period, None, precision))
    return hits


def year_of(value: str | None) -> int | None:
    """The year of an XSD lexical value (``2009``, ``2009-06``, ``2009-06-26``)."""
    return int(value[:4]) if value else None
