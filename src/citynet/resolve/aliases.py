"""The few names the gazetteer packages lack, as data: ``citynet/resources/aliases.toml``
says what each entry is and why it is needed."""

from __future__ import annotations

import tomllib
from importlib import resources

_DATA = tomllib.loads(
    (resources.files("citynet") / "resources" / "aliases.toml").read_text(encoding="utf-8")
)

#: Country spellings met on pages -> ISO 3166-1 alpha-2 codes, most likely first.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _DATA["countries"].items()}
#: Region names pycountry lacks -> ISO 3166-2 code.
REGION_ALIASES: dict[str, str] = _DATA["regions"]
#: Words in front of a region's name that say it is a region, not a city.
REGION_PREFIXES: tuple[str, ...] = tuple(_DATA["words"]["region_prefixes"])
#: City spellings GeoNames lacks -> (name GeoNames uses, country).
CITY_ALIASES: dict[str, tuple[str, str]] = {k: (v[0], v[1]) for k, v in _DATA["cities"].items()}
#: Words naming a country in a national forum's name or acronym -> its code.
FORUM_COUNTRY_WORDS: dict[str, str] = _DATA["forum_country_words"]
#: Page languages -> the countries whose member pages are written in them.
LANGUAGE_COUNTRIES: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _DATA["language_countries"].items()
}
#: Abbreviations in place names ("S. Paulo") -> the words they may stand for.
NAME_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _DATA["name_abbreviations"].items()
}
#: Qualifiers that follow a city's name ("do Minho", "an der Ruhr").
NAME_QUALIFIER_WORDS: tuple[str, ...] = tuple(_DATA["words"]["name_qualifiers"])
