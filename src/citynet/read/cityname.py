"""A page's city from its address or file name, when the page itself does not say.

"https://efus.eu/.../las-palmas-de-gran-canaria/" names "Las Palmas de Gran Canaria";
"efus-profile-liege.txt" names no city (generic words in a file name make it no name).
"""

from __future__ import annotations

import re
from pathlib import Path

_I = re.IGNORECASE
_SLUG_SEPARATORS = re.compile(r"[-_\s]+")
_NAME_SEPARATORS = re.compile(r"[-_.\s]+")
_SCHEME_AND_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*", _I)
_LETTER = re.compile(r"[^\W\d_]")
_PAGE_SUFFIX = re.compile(r"\.(?:txt|text|html?|xhtml|md)$", _I)
_LANGUAGE_SUFFIX = re.compile(r"\.[a-z]{2}$")


_SMALL_WORDS = frozenset([
    "de", "la", "le", "les", "del", "di", "da", "du", "des", "am", "an", "der", "sur",
    "en",
])  # fmt: skip


def _slug_name(slug: str) -> str:
    """'las-palmas-de-gran-canaria' -> 'Las Palmas de Gran Canaria'."""
    words = [w for w in _SLUG_SEPARATORS.split(slug) if w]
    return " ".join(
        w if (i and w.lower() in _SMALL_WORDS) else w[:1].upper() + w[1:]
        for i, w in enumerate(words)
    )


_GENERIC_SLUGS = frozenset([
    "efus", "profile", "profil", "page", "pages", "member", "members", "index", "seed",
    "test", "fixture", "copy", "draft", "city", "ville", "untitled", "document", "public",
    "our-network", "about-us", "a-propos-de-lefus", "en", "fr", "es", "de", "it", "www",
    "html", "txt", "home", "accueil",
])  # fmt: skip


def city_from_url(url: str) -> str | None:
    path = _SCHEME_AND_HOST.sub("", url.strip())
    path = path.split("?", 1)[0].split("#", 1)[0]
    segments = [s for s in path.split("/") if s]
    if not segments:
        return None
    last = segments[-1]
    if last.isdigit() or last.lower() in _GENERIC_SLUGS or not _LETTER.search(last):
        return None
    return _slug_name(last)


def city_from_file(name: str) -> str | None:
    stem = Path(name).name
    stem = _PAGE_SUFFIX.sub("", stem)
    stem = _LANGUAGE_SUFFIX.sub("", stem)  # "generalitat.fr"
    words = [w for w in _NAME_SEPARATORS.split(stem.lower()) if w]
    if not words or any(w in _GENERIC_SLUGS or w.isdigit() for w in words):
        return None
    return _slug_name(_NAME_SEPARATORS.sub("-", stem))
