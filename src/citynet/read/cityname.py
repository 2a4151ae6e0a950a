"""A page's city from its address or file name, when the page itself does not say.

"https://efus.eu/.../las-palmas-de-gran-canaria/" names "Las Palmas de Gran Canaria";
"efus-profile-liege.txt" names no city (generic words in a file name make it no name).
"""

from __future__ import annotations

import re
from pathlib import Path

_I = re.IGNORECASE


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


def city_from_url(url: str) -> str | None:
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", url.strip(), flags=_I)
    path = path.split("?", 1)[0].split("#", 1)[0]
    segments = [s for s in path.split("/") if s]
    if not segments:
        return None
    last = segments[-1]
    if last.isdigit() or last.lower() in _GENERIC_SLUGS or not re.search(r"[^\W\d_]", last):
        return None
    return _slug_name(last)


def city_from_file(name: str) -> str | None:
    stem = Path(name).name
    stem = re.sub(r"\.(?:txt|text|html?|xhtml|md)$", "", stem, flags=_I)
    stem = re.sub(r"\.[a-z]{2}$", "", stem)  # language suffix: "generalitat.fr"
    words = [w for w in re.split(r"[-_.\s]+", stem.lower()) if w]
    if not words or any(w in _GENERIC_SLUGS or w.isdigit() for w in words):
        return None
    return _slug_name(re.sub(r"[-_.\s]+", "-", stem))


__all__ = ["city_from_file", "city_from_url"]
