"""Words about places that the page reader needs to read a line, not to resolve it.

The reader splits names as written ("Dayton (Ohio, United States of America)" -> city
Dayton, region Ohio, country "United States of America"); to tell a country from a city
or a region in a one-word slot it checks these lists. They are plain syntax help:
resolution to GeoNames and ISO codes happens later, elsewhere. The lists are data files
of the package (``citynet/resources/countries.txt`` and ``regions.txt``, one name a line;
each says where its names come from).
"""

from __future__ import annotations

import unicodedata
from importlib import resources


def fold(text: str) -> str:
    """Compare key: NFC, case-folded, accents and punctuation kept (Guiné is not Guine)."""
    return unicodedata.normalize("NFC", text).casefold().strip(" .")


def _folded_names(file_name: str) -> frozenset[str]:
    text = (resources.files("citynet") / "resources" / file_name).read_text(encoding="utf-8")
    return frozenset(fold(n) for n in text.splitlines() if n.strip() and not n.startswith("#"))


COUNTRY_NAMES = _folded_names("countries.txt")
#: Sub-national units written alone in brackets after a twin: a region, not a country.
REGION_NAMES = _folded_names("regions.txt")

#: First words that make a place a region, not a city ("Generalitat de Catalunya",
#: "Autonomous region of Príncipe").
REGION_WORDS = (
    "generalitat", "region", "région", "regione", "región", "regio", "province",
    "provincia", "provincie", "comunidad", "comunitat", "county", "département",
    "departement", "land", "canton", "oblast", "voivodeship", "autonomous region",
    "autonomous community", "district", "metropolitan area", "métropole",
)  # fmt: skip
