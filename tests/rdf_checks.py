"""Checks every store accepts: XML Schema lexical forms of typed literals, clean text.

Used by test_reliability.py (the bundled build, the site, validation reports) and
test_fuzz.py (graphs mapped from damaged pages). rdflib accepts "2009-2012" as an
xsd:gYear; stores then drop it from FILTERs, so each datatype has its lexical regex (XSD
1.1 Part 2) and dates are also checked against the calendar.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
LEXICAL: dict[str, re.Pattern[str] | None] = {
    "gYear": re.compile(f"{_YEAR}{_TZ}"),
    "gYearMonth": re.compile(f"{_YEAR}-{_MONTH}{_TZ}"),
    "date": re.compile(f"{_YEAR}-{_MONTH}-{_DAY}{_TZ}"),
    "dateTime": re.compile(
        rf"{_YEAR}-{_MONTH}-{_DAY}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?{_TZ}"
    ),
    "integer": re.compile(r"[+-]?[0-9]+"),
    "nonNegativeInteger": re.compile(r"\+?[0-9]+|-0+"),
    "decimal": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
    "boolean": re.compile(r"true|false|1|0"),
    "string": None,  # any text (checked for control characters)
    "anyURI": None,
}
#: Characters that must never reach a literal (B17): C0 controls but tab/LF/CR, DEL,
#: line/paragraph separators, BOM and non-characters.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\ufeff\ufffe\uffff]")


def check_literal(literal: ox.Literal) -> None:
    """Raise AssertionError (or ValueError for a date off the calendar) for a bad literal."""
    datatype = literal.datatype.value
    value = literal.value
    assert not FORBIDDEN.search(value), f"control character in {literal}"
    assert unicodedata.is_normalized("NFC", value), f"not NFC: {literal}"
    if literal.language or datatype == LANG_STRING:
        return
    assert datatype.startswith(XSD), f"unexpected datatype {datatype}"
    local = datatype[len(XSD) :]
    assert local in LEXICAL, f"no lexical check for xsd:{local} ({literal})"
    pattern = LEXICAL[local]
    if pattern is not None:
        assert pattern.fullmatch(value), f"not an xsd:{local}: {value!r}"
    if local == "date":
        date.fromisoformat(value[:10])  # 2009-02-30 matches the pattern, not the calendar
    if local in ("gYear", "gYearMonth", "date"):
        assert 1000 <= int(value[:4]) <= 2100, f"implausible year in {literal}"
