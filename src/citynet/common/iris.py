"""The IRI policy: deterministic slash IRIs under a base, from names, countries and ids.

Paths are built here from plain strings; ``citynet.mapping`` turns them into RDF terms
under the base IRI. Names are transliterated for paths only; labels keep their accents.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from slugify import slugify

DEFAULT_BASE_IRI = "https://w3id.org/citynet/"
UNKNOWN_COUNTRY = "zz"  # ISO 3166 user-assigned code: country not known
_SAFE_SEGMENT = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_ID = re.compile(r"^[0-9]{1,12}$")
_COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")


# Memo size for per-name functions: 100,000 pages name about 150,000 distinct places, and
# an LRU cache smaller than that misses on nearly every call of a large build.
NAME_MEMO = 1 << 18

_LATIN = re.compile(r"[\x00-\x7f\u00c0-\u024f\u1e00-\u1eff]*")
_MARKS = re.compile(r"[\u0300-\u036f]+")
_PLAIN = re.compile(r"[a-z0-9]+(?:[ -][a-z0-9]+)*")


def _plain_slug(text: str) -> str | None:
    """python-slugify's answer for a short name of Latin letters, digits, single spaces and
    hyphens ("Liège", "Saint-Étienne"), about 50 times faster; None for anything else.

    For precomposed Latin letters, dropping the accents from the decomposed form is what
    slugify's transliteration does (tests/test_iris.py checks every such letter and a
    sample of GeoNames names against slugify).
    """
    if not _LATIN.fullmatch(text):
        return None
    folded = _MARKS.sub("", unicodedata.normalize("NFKD", text)).lower()
    if len(folded) > 80 or not _PLAIN.fullmatch(folded):
        return None
    return folded.replace(" ", "-")


@lru_cache(maxsize=NAME_MEMO)  # names repeat across pages
def slug(text: str) -> str:
    """ASCII path segment for a name; never empty, never '.' or '..'."""
    text = unicodedata.normalize("NFC", text)
    value = _plain_slug(text) or slugify(text, max_length=80, word_boundary=True)
    if not value:
        # A name with nothing transliterable (e.g. only punctuation) still needs a stable,
        # distinct segment.
        value = "x-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return value


def country_segment(code: str | None) -> str:
    return code.lower() if code and _COUNTRY_CODE.fullmatch(code) else UNKNOWN_COUNTRY


def city_path(name: str, country_code: str | None, *, kind: str = "city") -> str:
    return f"{kind}/{country_segment(country_code)}/{slug(name)}"


def country_path(country_code: str) -> str:
    return f"country/{country_segment(country_code)}"


def network_path(name: str) -> str:
    return f"network/{slug(name)}"


def source_path(page_name: str) -> str:
    return f"source/{slug(page_name)}"


def project_path(title: str, network_id: str | None = None) -> str:
    """``project/{id}`` when the network id identifies the project, else the title's slug."""
    if network_id and _ID.match(network_id):
        return f"project/{network_id}"
    return f"project/{slug(title)}"


def event_path(date: str | None, kind: str, place_or_title: str) -> str:
    return f"event/{date or 'undated'}/{slug(kind)}/{slug(place_or_title)}"


def is_safe_path(path: str) -> bool:
    """True when every segment is a plain slug (what the site writer may turn into files)."""
    return all(_SAFE_SEGMENT.match(part) for part in path.split("/"))
