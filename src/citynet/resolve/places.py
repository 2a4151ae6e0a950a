"""Places: which real city, region or country each place name on a page means.

A place name is tried, in this order:

1. its country as written ("Germany", "Ohio, United States", or a region in brackets:
   "Halle (Saxony-Anhalt)") gives the country codes to search in;
2. a name that a region word starts ("Generalitat de Catalunya"), or that the reader
   saw as a region, is tried as an ISO 3166-2 subdivision first;
3. the GeoNames cities of that name (real names before transliterations, then
   population); without a country, a rival of at least half the population is reported;
4. a subdivision of that name;
5. a city of the stated country one typo away ("close spelling");
6. else the name stays unresolved, with its spelling and its country code, and a
   warning saying whether GeoNames has it in another country.

Each step fills the ``resolved_*`` fields of the :class:`PlaceName` in place and adds
what is unsure to the :class:`Resolution`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from citynet.common import iris
from citynet.read.records import PageRecord, PlaceName
from citynet.resolve.decisions import Decisions, PlaceDecision
from citynet.resolve.events import tidy_page_events
from citynet.resolve.evidence import PageEvidence, page_evidence, weigh
from citynet.resolve.gazetteer import (
    MAX_NAME_CHARS,
    CityMatch,
    Gazetteer,
    RegionMatch,
    clean_name,
)
from citynet.resolve.result import (
    IdentityDecision,
    PopulationMismatch,
    Resolution,
    UnresolvedName,
)

POPULATION_TOLERANCE = 0.25  # page vs GeoNames population: report beyond this
CLOSE_POPULATION = 0.5  # a second match this large (relative) makes a choice ambiguous
# Bounds on one page's cost (issue 21, docs/reliability.md "Hostile pages"); the
# gazetteer looks up no name longer than MAX_NAME_CHARS. Close spellings compare a name
# with up to ~4,400 gazetteer names (one country, one first letter, its length +-2): ~3 ms
# each, so a page tries at most this many names (real pages: a handful); the further
# ones stay unresolved, one ``limit`` warning says so.
MAX_CLOSE_SPELLINGS = 50

Role = Literal["city", "twin", "event place"]


def parse_location(text: str | None, gazetteer: Gazetteer) -> tuple[str | None, str | None]:
    """(country as written, region as written) from a "Location:" text.

    "Bavaria, Germany" -> ("Germany", "Bavaria"); "Canary Islands – Spain" -> ("Spain",
    "Canary Islands"); "Belgium" -> ("Belgium", None); "Bavaria" -> (None, "Bavaria").
    """
    if not text:
        return None, None
    parts = [clean_name(p) for p in re.split(r",|;|\s[–—-]\s|\s[–—]|[–—]\s", clean_name(text))]
    parts = [p for p in parts if p]
    for index in range(len(parts) - 1, -1, -1):
        if gazetteer.resolve_country(parts[index]):
            rest = [p for i, p in enumerate(parts) if i != index]
            return parts[index], (", ".join(rest) or None)
    return None, (", ".join(parts) or None)


@dataclass(slots=True)
class _Report:
    """Where a place is named, and how what is unsure about it is reported."""

    place: PlaceName
    resolution: Resolution
    file: str
    line: int | None
    text: str
    role: Role
    name: str  # the name as written, without markup
    written_kind: str  # what the reader saw: "city", "region" or "country"
    evidence: PageEvidence | None = None  # the page's own city only

    def decided(
        self,
        geonames_id: int | None,
        confidence: float,
        by: str,
        candidates: list[dict[str, Any]],
        clear: bool = True,
    ) -> None:
        decision = IdentityDecision(*self.where, geonames_id, confidence, by, candidates, clear)
        self.resolution.identities.append(decision)

    def warn(self, message: str, code: str) -> None:
        self.resolution.warn(self.file, self.line, self.text, message, code)

    @property
    def where(self) -> tuple[str, int, Role, str]:
        """File, line, role and name as written: what the report says a decision is on."""
        return self.file, self.line or 0, self.role, self.place.name

    def unresolved(self, reason: str, kind: str | None = None) -> None:
        country = (self.place.country, self.place.country_code)
        kind = kind or self.written_kind
        name = UnresolvedName(*self.where, *country, kind, reason)  # type: ignore[arg-type]
        self.resolution.unresolved.append(name)

    def as_unresolved(self, reason: str, code: str = "unresolved-place") -> None:
        self.place.kind = self.written_kind  # type: ignore[assignment]
        self.unresolved(reason)
        self.warn(reason, code)

    def as_region(self, region: RegionMatch) -> None:
        # (_resolve_place has cleared the GeoNames fields: a region has none.)
        self.place.resolved_name, self.place.kind = region.name, "region"
        self.place.country_code = region.country_code
        reason = (
            f"{self.name!r} is the region {region.name} ({region.code}, {region.type.lower()}),"
            " kept as a region without a GeoNames id"
        )
        self.unresolved(reason, "region")
        self.warn(reason, "region")


def resolve_place(
    place: PlaceName,
    gazetteer: Gazetteer,
    resolution: Resolution,
    *,
    file: str,
    line: int | None,
    text: str,
    role: Role,
    evidence: PageEvidence | None = None,
) -> bool:
    """Fill the resolution fields of one place (in place), reporting what is unsure.

    False when the curator's decisions say the name is not a place."""
    report = _Report(
        place, resolution, file, line or place.line, text, role, "", place.kind, evidence
    )
    curator: Decisions | None = resolution.curator
    decision = curator.place_for(file, report.line, place.name) if curator else None
    if decision is not None:
        return _curator_place(decision, gazetteer, report)
    _resolve_place(gazetteer, report)
    return True


def _curator_place(decision: PlaceDecision, gazetteer: Gazetteer, report: _Report) -> bool:
    """The curator's decision wins: a GeoNames id, or "not a place"."""
    match = gazetteer.city_by_id(decision.geonames) if decision.geonames is not None else None
    if decision.not_a_place and report.role == "city":
        report.warn(f"{decision.where}: a page's own city cannot be 'not a place'", "decision")
    elif decision.geonames is not None and match is None:
        message = f"{decision.where}: GeoNames id {decision.geonames} is not in the gazetteer"
        report.warn(message, "decision")
    else:
        if match is not None:
            _set_city(report.place, match)
        report.decided(report.place.geonames_id, 1.0, decision.where, [])
        return not decision.not_a_place
    _resolve_place(gazetteer, report)
    return True


def _resolve_place(gazetteer: Gazetteer, report: _Report) -> None:
    place = report.place
    if place.kind == "country":
        _resolve_country_place(gazetteer, report)
        return
    name = report.name = clean_name(place.name)
    # Start clean, so resolving a record twice gives the same answer.
    place.resolved_name = place.geonames_id = place.geonames_population = None
    place.latitude = place.longitude = None
    codes, region_text = _country_codes(place, gazetteer, report)
    place.country_code = codes[0] if codes else None
    if not name:
        report.as_unresolved("empty place name")
        return
    if len(name) > MAX_NAME_CHARS:
        limit = f"(limit {MAX_NAME_CHARS})"
        report.as_unresolved(
            f"place name of {len(name):,} characters not looked up {limit}", "limit"
        )
        return
    country = codes[0] if len(codes) == 1 else None
    if (report.written_kind == "region" or gazetteer.region_prefix(name)) and (
        region := gazetteer.resolve_region(name, country)
    ):
        report.as_region(region)
        return
    matches = gazetteer.city_matches(name, codes, region_text)
    if matches:
        _take_city(matches, codes, report)
    elif region := gazetteer.resolve_region(name, country):
        report.as_region(region)
    elif matches := gazetteer.qualified_matches(name, codes):
        _take_city(matches, codes, report)
        report.warn(
            f"{name!r} is not in GeoNames; read as {report.place.resolved_name}"
            f" (GeoNames {report.place.geonames_id}) without its qualifier",
            "qualifier",
        )
    else:
        _close_spelling_or_unresolved(codes, gazetteer, report)


def _country_codes(
    place: PlaceName, gazetteer: Gazetteer, report: _Report
) -> tuple[tuple[str, ...], str | None]:
    """The countries to search the name in, and the region it is said to be in."""
    region_text = place.region
    codes: tuple[str, ...] = ()
    if place.country:
        codes = gazetteer.country_codes(place.country)
        if not codes:
            # "Ohio, United States" given as the country: a region, then the country.
            country_text, region_part = parse_location(place.country, gazetteer)
            if country_text and region_part:
                codes = gazetteer.country_codes(country_text)
                region_text = region_text or region_part
        if not codes:
            # "Halle (Saxony-Anhalt)": the parenthesis names a region, not a country.
            region = gazetteer.resolve_region(place.country)
            if region:
                codes = (region.country_code,)
                region_text = region_text or place.country
            else:
                report.warn(
                    f"unknown country {place.country!r} for {report.name!r}", "unknown-country"
                )
    if not codes and region_text:
        region = gazetteer.resolve_region(region_text)
        if region:
            codes = (region.country_code,)
    return codes, region_text


# How a name matched that is worth a warning: (what the warning says, its code).
_HOW = {
    "abbreviation": ("read with its abbreviation spelled out as", "abbreviation"),
    "alias": ("read from the alias list as", "alias"),
    "transliteration": ("matches only a transliterated GeoNames name of", "ambiguous-place"),
}


def _take_city(matches: list[CityMatch], codes: tuple[str, ...], report: _Report) -> None:
    """The best match on the evidence; an alias, a transliteration or an unclear choice
    is reported."""
    weighing = weigh(matches, report.evidence)
    best = weighing.best
    name = report.name
    _set_city(report.place, best)
    if len(weighing.scored) > 1:
        report.decided(
            best.geonames_id,
            weighing.confidence,
            "resolver",
            weighing.as_json(),
            weighing.clear,
        )
        if not weighing.clear:
            where = "" if codes else " has no country and"
            report.warn(
                f"{name!r}{where} has {len(weighing.scored)} candidates the page's evidence"
                f" does not tell apart: took {best.name}, {best.country_code} (GeoNames"
                f" {best.geonames_id}, confidence {weighing.confidence:.0%}); candidates:"
                f" {weighing.describe()}; settle it in the decisions file",
                "ambiguous-place",
            )
    if best.match in _HOW:
        how, code = _HOW[best.match]
        report.warn(f"{name!r} {how} {best.name} (GeoNames {best.geonames_id})", code)


def close_rival(matches: list[CityMatch]) -> CityMatch | None:
    """Another place than the best match (``matches[0]``) with at least
    :data:`CLOSE_POPULATION` of its population: a name given without a country may mean
    it as well. Transliterations are no rivals."""
    best = matches[0]
    for m in matches[1:]:
        if (
            m.geonames_id != best.geonames_id
            and m.match != "transliteration"
            and m.population >= CLOSE_POPULATION * best.population
        ):
            return m
    return None


def _close_spelling_or_unresolved(
    codes: tuple[str, ...], gazetteer: Gazetteer, report: _Report
) -> None:
    """A city of the stated country one typo away, else the name stays unresolved."""
    name = report.name
    tries = report.resolution.close_spelling_tries
    tries[report.file] = tried = tries.get(report.file, 0) + 1
    if tried == MAX_CLOSE_SPELLINGS + 1:
        report.warn(
            f"further names of this page not tried as close spellings"
            f" (limit {MAX_CLOSE_SPELLINGS} a page)",
            "limit",
        )
    for code in codes if tried <= MAX_CLOSE_SPELLINGS else ():
        close = gazetteer.close_spelling(name, code)
        if close:
            _set_city(report.place, close)
            report.warn(
                f"{name!r} is not in GeoNames; read as the close spelling {close.name}"
                f" (GeoNames {close.geonames_id})",
                "close-spelling",
            )
            return
    where = f" in {'/'.join(codes)}" if codes else ""
    if elsewhere := gazetteer.city_matches(name) if codes else []:
        other = elsewhere[0]
        where += f"; GeoNames has one in {other.country_code} ({other.name}, {other.geonames_id})"
    else:
        where += " in GeoNames"
    report.as_unresolved(f"no place {name!r}{where}: kept unresolved")


def _set_city(place: PlaceName, match: CityMatch) -> None:
    place.resolved_name = match.name
    place.country_code = match.country_code
    place.geonames_id = match.geonames_id
    place.latitude = match.latitude
    place.longitude = match.longitude
    place.geonames_population = match.population
    place.kind = "city"


def _resolve_country_place(gazetteer: Gazetteer, report: _Report) -> None:
    """A place the page names by its country only ("conference of Saragossa, Spain")."""
    place = report.place
    code = gazetteer.resolve_country(place.name) or gazetteer.resolve_country(place.country)
    place.geonames_id = place.latitude = place.longitude = place.geonames_population = None
    place.country_code = code
    if code:
        place.resolved_name = gazetteer.country_name(code)
        return
    report.as_unresolved(f"unknown country {place.name!r}: kept unresolved")


def _resolve_page_city(
    record: PageRecord,
    gazetteer: Gazetteer,
    resolution: Resolution,
    evidence: PageEvidence | None,
) -> None:
    """The page's own city, with the country and region its "Location:" line gives."""
    country, region = record.country, record.region
    if country is None and region is None:
        country, region = parse_location(record.location, gazetteer)
    city = record.city
    if city is None:
        _city_candidates(record, country, gazetteer, resolution)
        return
    if city.country is None and country:
        city.country = country
    if city.region is None and region:
        city.region = region
    resolve_place(
        city,
        gazetteer,
        resolution,
        file=record.path,
        line=city.line,
        text=record.location or city.name,
        role="city",
        evidence=evidence,
    )
    _check_population(record, city, resolution)


def _city_candidates(
    record: PageRecord, country: str | None, gazetteer: Gazetteer, resolution: Resolution
) -> None:
    """A page that does not name its city: the cities fitting its country and population."""
    code = gazetteer.resolve_country(country) if country else None
    candidates = gazetteer.candidates(code, record.population)
    resolution.city_candidates[record.path] = candidates
    names = ", ".join(f"{c.name} ({c.population})" for c in candidates[:5]) or "none"
    resolution.warn(
        record.path,
        record.population_line,
        record.location or "",
        f"the page does not name its city; candidates for country {code or '?'} and"
        f" population {record.population or '?'}: {names}; give it with --city",
        "city-not-named",
    )


def _check_population(record: PageRecord, city: PlaceName, resolution: Resolution) -> None:
    """The page's population against GeoNames': a difference beyond the tolerance is
    reported (a wrong match, or an old figure)."""
    known = city.geonames_id is not None and city.geonames_population
    if city.kind != "city" or not known or not record.population:
        return
    mismatch = PopulationMismatch(
        record.path,
        record.population_line or city.line or 0,
        city.resolved_name or city.name,
        record.population,
        city.geonames_population,
        city.geonames_id,
    )
    if mismatch.difference > POPULATION_TOLERANCE:
        resolution.population_mismatches.append(mismatch)
        resolution.warn(
            record.path,
            mismatch.line,
            f"Population: {record.population}",
            f"the page's population {record.population} differs from GeoNames'"
            f" {city.geonames_population} for {mismatch.city} by"
            f" {mismatch.difference:.0%}",
            "population-mismatch",
        )


def city_key(place: PlaceName) -> str:
    """The place's IRI path: the one stored by resolution, else computed from its fields."""
    return place.path or _city_path(
        place.resolved_name or place.name, place.country_code, place.kind
    )


@functools.lru_cache(maxsize=iris.NAME_MEMO)
def _city_path(name: str, country_code: str | None, kind: str) -> str:
    return iris.city_path(name, country_code, kind=kind)


def _keep_path(place: PlaceName) -> None:
    """Store the place's IRI path, computed from its resolved fields (never a stale one)."""
    place.path = None
    place.path = city_key(place)


_PAIR = re.compile(r"\s+(?:&|and|et|und|e|y)\s+", re.IGNORECASE)


def place_pair(place: PlaceName, gazetteer: Gazetteer) -> list[PlaceName] | None:
    """ "Aubervilliers & Saint-Denis": two places, when the whole is no city and both
    parts are cities of one country (the stated one, else the first part's)."""
    parts = _PAIR.split(clean_name(place.name))
    codes = gazetteer.country_codes(place.country)
    if len(parts) != 2 or place.kind != "city" or gazetteer.city_matches(place.name, codes):
        return None
    first = gazetteer.city_matches(parts[0], codes)
    codes = codes or ((first[0].country_code,) if first else ())
    if not first or not gazetteer.city_matches(parts[1], codes):
        return None
    country = place.country or codes[0]
    return [PlaceName(part, country, place.region, place.line) for part in parts]


def _split_pairs(record: PageRecord, gazetteer: Gazetteer) -> None:
    """Twins and event places naming two places become two (before they are resolved)."""
    twins = []
    for twin in record.twins:
        pair = place_pair(twin.place, gazetteer)
        twins += [dataclasses.replace(twin, place=p) for p in pair] if pair else [twin]
    record.twins = twins
    for activity in record.activities:
        if activity.place is not None and (pair := place_pair(activity.place, gazetteer)):
            activity.place, activity.more_places = pair[0], pair[1:]


def resolve_page_places(record: PageRecord, gazetteer: Gazetteer, resolution: Resolution) -> None:
    """The page-local half: the page's city, its twins and its event places (in place),
    each with its IRI path."""
    tidy_page_events(record, gazetteer)
    _split_pairs(record, gazetteer)
    evidence = page_evidence(record, gazetteer) if record.city is not None else None
    _resolve_page_city(record, gazetteer, resolution, evidence)
    if record.city is not None:
        _keep_path(record.city)
    named: list[tuple[PlaceName, int | None, str, Role]] = [
        (t.place, t.line, t.text, "twin") for t in record.twins
    ]
    named += [
        (p, a.line, a.text, "event place")
        for a in record.activities
        if a.kind == "event"
        for p in ([a.place] if a.place is not None else []) + a.more_places
    ]
    # Twins are abroad by nature: only event places weigh the page's evidence.
    home = record.city.country_code if record.city is not None else None
    at_events = evidence.for_event_places(home) if evidence is not None else None
    dropped: set[int] = set()
    for place, line, text, role in named:
        if not resolve_place(
            place,
            gazetteer,
            resolution,
            file=record.path,
            line=line,
            text=text,
            role=role,
            evidence=at_events if role == "event place" else None,
        ):
            dropped.add(id(place))  # the curator says it is not a place
        _keep_path(place)
    if dropped:
        record.twins = [t for t in record.twins if id(t.place) not in dropped]
        for activity in record.activities:
            if activity.place is not None and id(activity.place) in dropped:
                activity.place = None
            activity.more_places = [p for p in activity.more_places if id(p) not in dropped]
