"""Resolution: which real place, project and event each name on the pages means.

Works on records only (no RDF), offline, with :class:`citynet.resolve.gazetteer.Gazetteer`.
:func:`resolve_records` fills the ``resolved_*`` fields of every :class:`PlaceName` (the
page's city, its twins, event places) and the ``key`` of every :class:`ActivityMention`,
and returns a :class:`Resolution`: warnings with ``file:line``, every merge with its
reason, id conflicts, population mismatches and the names left unresolved.

Choices (the issue left them open):

- ``resolved_name`` is GeoNames' name ("Pilsen" for "Plzeň", "Köln" for "Cologne"); the
  page's spelling stays in ``name`` and the mapping makes it a ``skos:altLabel``. One
  label per GeoNames id keeps one IRI per place however pages spell it.
- A place named without a country takes the most likely match (real names before
  transliterations, then population); when another match has at least half its
  population the choice is reported ("Saint-Louis" alone: Senegal or Missouri?).
- Regions ("Generalitat de Catalunya", "Autonomous region of Príncipe", "Georgia (USA)")
  are ISO 3166-2 subdivisions, not GeoNames cities: kind "region", ``resolved_name`` is
  the ISO name, no GeoNames id (never guessed), and a warning says so. A name is tried
  as a region first when a region word starts it, otherwise only when no city matches.
- A name that does not resolve keeps its spelling and its country code (when the
  country resolved), with a warning; nothing is dropped. A name one typo away from a
  city of the stated country resolves to it, with a warning ("close spelling").
- Projects merge when their network id agrees (and their titles do), or when their
  normalised titles are equal and their periods overlap (a mention without a period
  fits any). An id linked to two different titles is kept by neither (title keys and a
  warning); equal titles with different ids stay apart ("possible duplicate").
- Events are one event when the first day, the kind and the resolved place agree. Two
  mentions on one page with the same date, kind and place but different titles are two
  events: that group is keyed by place and title instead. Undated events are keyed by
  place and title, events without a place by their title.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from citynet.graph import iris
from citynet.read.records import (
    ActivityMention,
    PageRecord,
    PageWarning,
    Period,
    PlaceName,
    Twin,
    pickle_by_fields,
)
from citynet.resolve.gazetteer import (
    CityMatch,
    Gazetteer,
    RegionMatch,
    clean_name,
    default_gazetteer,
    fold,
)

__all__ = [
    "CityMatch",
    "Gazetteer",
    "IdConflict",
    "MentionRef",
    "MergeGroup",
    "PopulationMismatch",
    "RegionMatch",
    "Resolution",
    "UnresolvedName",
    "parse_location",
    "project_title_key",
    "resolve_across_pages",
    "resolve_page_places",
    "resolve_place",
    "resolve_records",
]

POPULATION_TOLERANCE = 0.25  # page vs GeoNames population: report beyond this
CLOSE_POPULATION = 0.5  # a second match this large (relative) makes a choice ambiguous

_ID = re.compile(r"^[0-9]{1,12}$")
_WORDS = re.compile(r"[\W_]+")
# Words that do not tell projects apart: "the GOAL Project" is "Goal"; SecuCities was
# the programme several early projects ran under, written with or without it.
_PROJECT_NOISE = frozenset(
    {"the", "project", "projects", "projet", "le", "la", "les", "l"}
    | {"secucities", "secucites", "secucity", "securcities"}
)
_EVENT_NOISE = frozenset({"the", "efus", "s", "le", "la", "les", "l"})


# -- report data ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MentionRef:
    """Where a mention is: file, 1-based line, and the line's text."""

    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text.strip()}"


@dataclass(slots=True)
class MergeGroup:
    """Mentions on several lines that became one project or event, and why."""

    key: str
    kind: Literal["project", "event"]
    title: str
    mentions: list[MentionRef]
    reasons: list[str]


@dataclass(slots=True)
class IdConflict:
    """Ids and titles that disagree: never merged silently."""

    kind: Literal["same id, different titles", "possible duplicate"]
    activity: Literal["project", "event"]
    message: str
    mentions: list[MentionRef]
    network_ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PopulationMismatch:
    file: str
    line: int
    city: str
    page_population: int
    geonames_population: int
    geonames_id: int

    @property
    def difference(self) -> float:
        """Relative difference to GeoNames' figure (0.3 = 30 %)."""
        return abs(self.page_population - self.geonames_population) / self.geonames_population


@dataclass(frozen=True, slots=True)
class UnresolvedName:
    file: str
    line: int
    role: Literal["city", "twin", "event place"]
    name: str
    country: str | None  # as written
    country_code: str | None  # when the country resolved
    kind: Literal["city", "region", "country"]
    reason: str


# Sent back by the process that resolves events (streaming build).
pickle_by_fields(MentionRef, MergeGroup, IdConflict)


@dataclass(slots=True)
class Resolution:
    """What resolution decided, for the report."""

    warnings: list[PageWarning] = field(default_factory=list)
    merges: dict[str, MergeGroup] = field(default_factory=dict)
    id_conflicts: list[IdConflict] = field(default_factory=list)
    population_mismatches: list[PopulationMismatch] = field(default_factory=list)
    unresolved: list[UnresolvedName] = field(default_factory=list)
    #: Pages that do not name their city: candidates fitting country and population.
    city_candidates: dict[str, list[CityMatch]] = field(default_factory=dict)
    #: (page, stated twin key, line) where the twin has a page that does not list it back.
    one_sided_twinnings: list[tuple[str, str, MentionRef]] = field(default_factory=list)

    def warn(self, file: str, line: int | None, text: str, message: str, code: str) -> PageWarning:
        # Line 0 means the page as a whole (e.g. a city named by the file name only).
        warning = PageWarning(file, line or 0, text, message, code=code)
        self.warnings.append(warning)
        return warning

    def extend(self, other: Resolution) -> None:
        """Add what ``other`` decided after what this one did."""
        self.warnings.extend(other.warnings)
        self.merges.update(other.merges)
        self.id_conflicts.extend(other.id_conflicts)
        self.population_mismatches.extend(other.population_mismatches)
        self.unresolved.extend(other.unresolved)
        self.city_candidates.update(other.city_candidates)
        self.one_sided_twinnings.extend(other.one_sided_twinnings)

    def as_json(self) -> dict[str, Any]:
        def ref(m: MentionRef) -> dict[str, Any]:
            return {"file": m.file, "line": m.line, "text": m.text.strip()}

        return {
            "merges": [
                {
                    "key": g.key,
                    "kind": g.kind,
                    "title": g.title,
                    "reasons": g.reasons,
                    "mentions": [ref(m) for m in g.mentions],
                }
                for _, g in sorted(self.merges.items())
            ],
            "id_conflicts": [
                {
                    "kind": c.kind,
                    "activity": c.activity,
                    "message": c.message,
                    "network_ids": c.network_ids,
                    "titles": c.titles,
                    "mentions": [ref(m) for m in c.mentions],
                }
                for c in self.id_conflicts
            ],
            "population_mismatches": [
                {
                    "file": p.file,
                    "line": p.line,
                    "city": p.city,
                    "page": p.page_population,
                    "geonames": p.geonames_population,
                    "geonames_id": p.geonames_id,
                    "difference": round(p.difference, 3),
                }
                for p in self.population_mismatches
            ],
            "unresolved": [
                {
                    "file": u.file,
                    "line": u.line,
                    "role": u.role,
                    "name": u.name,
                    "country": u.country,
                    "country_code": u.country_code,
                    "kind": u.kind,
                    "reason": u.reason,
                }
                for u in self.unresolved
            ],
            "city_candidates": {
                file: [
                    {"name": c.name, "geonames_id": c.geonames_id, "population": c.population}
                    for c in matches
                ]
                for file, matches in sorted(self.city_candidates.items())
            },
            "one_sided_twinnings": [
                {"page": page, "twin": twin, "file": m.file, "line": m.line}
                for page, twin, m in self.one_sided_twinnings
            ],
        }


# -- places --------------------------------------------------------------------------------


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


def _set_city(place: PlaceName, match: CityMatch) -> None:
    place.resolved_name = match.name
    place.country_code = match.country_code
    place.geonames_id = match.geonames_id
    place.latitude = match.latitude
    place.longitude = match.longitude
    place.geonames_population = match.population
    place.kind = "city"


def _set_region(place: PlaceName, region: RegionMatch) -> None:
    place.resolved_name = region.name
    place.country_code = region.country_code
    place.geonames_id = None
    place.latitude = place.longitude = None
    place.geonames_population = None
    place.kind = "region"


def resolve_place(
    place: PlaceName,
    gazetteer: Gazetteer,
    resolution: Resolution,
    *,
    file: str,
    line: int | None,
    text: str,
    role: Literal["city", "twin", "event place"],
) -> None:
    """Fill the resolution fields of one place (in place), reporting what is unsure."""
    line = line or place.line
    name = clean_name(place.name)
    if place.kind == "country":
        _resolve_country_place(place, gazetteer, resolution, file, line, text, role)
        return
    written_kind = place.kind
    # Start clean, so resolving a record twice gives the same answer.
    place.resolved_name = place.geonames_id = place.geonames_population = None
    place.latitude = place.longitude = None
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
                resolution.warn(
                    file,
                    line,
                    text,
                    f"unknown country {place.country!r} for {name!r}",
                    "unknown-country",
                )
    if not codes and region_text:
        region = gazetteer.resolve_region(region_text)
        if region:
            codes = (region.country_code,)
    place.country_code = codes[0] if codes else None

    def unresolved(reason: str) -> None:
        place.kind = written_kind  # what the reader saw: "city" or "region"
        resolution.unresolved.append(
            UnresolvedName(
                file,
                line or 0,
                role,
                place.name,
                place.country,
                place.country_code,
                written_kind,
                reason,
            )
        )
        resolution.warn(file, line, text, reason, "unresolved-place")

    def as_region(region: RegionMatch) -> None:
        _set_region(place, region)
        reason = (
            f"{name!r} is the region {region.name} ({region.code}, {region.type.lower()}),"
            " kept as a region without a GeoNames id"
        )
        resolution.unresolved.append(
            UnresolvedName(
                file,
                line or 0,
                role,
                place.name,
                place.country,
                place.country_code,
                "region",
                reason,
            )
        )
        resolution.warn(file, line, text, reason, "region")

    if not name:
        unresolved("empty place name")
        return
    country = codes[0] if len(codes) == 1 else None
    if written_kind == "region" or gazetteer.region_prefix(name):
        region = gazetteer.resolve_region(name, country)
        if region:
            as_region(region)
            return
    matches = gazetteer.city_matches(name, codes, region_text)
    if matches:
        best = matches[0]
        _set_city(place, best)
        if best.match == "alias":
            resolution.warn(
                file,
                line,
                text,
                f"{name!r} read as {best.name} (GeoNames {best.geonames_id}) from the alias list",
                "alias",
            )
        elif best.match == "transliteration":
            resolution.warn(
                file,
                line,
                text,
                f"{name!r} matches only a transliterated GeoNames name of {best.name}"
                f" (GeoNames {best.geonames_id})",
                "ambiguous-place",
            )
        if not codes:
            rivals = [
                m
                for m in matches[1:]
                if m.geonames_id != best.geonames_id
                and m.match != "transliteration"
                and m.population >= CLOSE_POPULATION * best.population
            ]
            if rivals:
                other = rivals[0]
                resolution.warn(
                    file,
                    line,
                    text,
                    f"{name!r} has no country: took {best.name}, {best.country_code}"
                    f" (GeoNames {best.geonames_id}, population {best.population}); it may"
                    f" also be {other.name}, {other.country_code} (GeoNames"
                    f" {other.geonames_id}, population {other.population})",
                    "ambiguous-place",
                )
        return
    region = gazetteer.resolve_region(name, country)
    if region:
        as_region(region)
        return
    for code in codes:
        close = gazetteer.close_spelling(name, code)
        if close:
            _set_city(place, close)
            resolution.warn(
                file,
                line,
                text,
                f"{name!r} is not in GeoNames; read as the close spelling {close.name}"
                f" (GeoNames {close.geonames_id})",
                "close-spelling",
            )
            return
    elsewhere = gazetteer.city_matches(name) if codes else []
    if elsewhere:
        other = elsewhere[0]
        unresolved(
            f"no place {name!r} in {'/'.join(codes)}; GeoNames has one in"
            f" {other.country_code} ({other.name}, {other.geonames_id}): kept unresolved"
        )
    elif codes:
        unresolved(f"no place {name!r} in {'/'.join(codes)} in GeoNames: kept unresolved")
    else:
        unresolved(f"no place {name!r} in GeoNames: kept unresolved")


def _resolve_country_place(
    place: PlaceName,
    gazetteer: Gazetteer,
    resolution: Resolution,
    file: str,
    line: int | None,
    text: str,
    role: Literal["city", "twin", "event place"],
) -> None:
    """A place the page names by its country only ("conference of Saragossa, Spain")."""
    code = gazetteer.resolve_country(place.name) or gazetteer.resolve_country(place.country)
    place.geonames_id = place.latitude = place.longitude = place.geonames_population = None
    if code:
        place.country_code = code
        place.resolved_name = gazetteer.country_name(code)
        return
    place.country_code = None
    reason = f"unknown country {place.name!r}: kept unresolved"
    resolution.unresolved.append(
        UnresolvedName(file, line or 0, role, place.name, place.country, None, "country", reason)
    )
    resolution.warn(file, line, text, reason, "unresolved-place")


def _resolve_page_city(record: PageRecord, gazetteer: Gazetteer, resolution: Resolution) -> None:
    country, region = record.country, record.region
    if country is None and region is None:
        country, region = parse_location(record.location, gazetteer)
    city = record.city
    if city is None:
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
    )
    if (
        city.kind == "city"
        and city.geonames_id is not None
        and record.population
        and city.geonames_population
    ):
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


# -- projects ------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    text = clean_name(text).replace("&", " and ")
    return [t for t in _WORDS.split(fold(text)) if t]


@functools.lru_cache(maxsize=iris.NAME_MEMO)
def project_title_key(title: str) -> str:
    """Normalised title: case, accents, quotes, punctuation and noise words do not count.

    "GOAL Project" == "Goal Project" == "the goal project"; "SecuCities Football : Euro
    2000" == "Secucities Football: Euro 2000"; roman numerals stay ("... Drugs II" is
    not "... Drugs I").
    """
    return " ".join(t for t in _tokens(title) if t not in _PROJECT_NOISE)


@functools.lru_cache(maxsize=iris.NAME_MEMO)
def _event_title_key(title: str) -> str:
    return " ".join(t for t in _tokens(title) if t not in _EVENT_NOISE)


def _years(periods: list[Period]) -> tuple[int, int] | None:
    years = []
    for period in periods:
        for value in (period.start, period.end):
            if value and value[:4].isdigit():
                years.append(int(value[:4]))
    return (min(years), max(years)) if years else None


def _period_text(span: tuple[int, int] | None) -> str:
    if span is None:
        return "no period"
    return str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"


@dataclass(slots=True)
class _Mention:
    index: int
    file: str
    mention: ActivityMention
    title_key: str
    span: tuple[int, int] | None
    network_id: str | None = None  # the mention's id when it is a well-formed network id

    @property
    def ref(self) -> MentionRef:
        return MentionRef(self.file, self.mention.line, self.mention.text)


class _Groups:
    """Union-find over mentions, keeping each group's members, merge reasons and summary.

    The summary makes a merge check constant-time: the common part of the group's
    periods (periods overlap pairwise exactly when they all share a year), each page's
    periods, and the network ids.
    """

    def __init__(self, mentions: list[_Mention]) -> None:
        self.mentions = mentions  # by index
        self.parent = list(range(len(mentions)))
        # Kept for groups of two or more mentions only (most mentions stay alone, and
        # a dict and two sets per mention were a third of a 100,000-page resolution's
        # memory); a lone mention's are derived from it.
        self.members: dict[int, list[_Mention]] = {}
        self.reasons: dict[int, list[str]] = defaultdict(list)
        self.common: dict[int, tuple[int, int] | None] = {}
        self.pages: dict[int, dict[str, set[tuple[int, int]]]] = {}
        self.ids: dict[int, set[str]] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def _members(self, root: int) -> list[_Mention]:
        return self.members.get(root) or [self.mentions[root]]

    def _common(self, root: int) -> tuple[int, int] | None:
        return self.common[root] if root in self.common else self.mentions[root].span

    def _pages(self, root: int) -> dict[str, set[tuple[int, int]]]:
        if root in self.pages:
            return self.pages[root]
        m = self.mentions[root]
        return {m.file: {m.span}} if m.span else {}

    def ids_of(self, root: int) -> set[str]:
        if root in self.ids:
            return self.ids[root]
        m = self.mentions[root]
        return {m.network_id} if m.network_id else set()

    def fits(self, ra: int, rb: int) -> bool:
        """Periods of the two groups overlap and no page gives one of them two periods."""
        a, b = self._common(ra), self._common(rb)
        if a and b and max(a[0], b[0]) > min(a[1], b[1]):
            return False
        pages_a, pages_b = self._pages(ra), self._pages(rb)
        for file in pages_a.keys() & pages_b.keys():
            if len(pages_a[file] | pages_b[file]) > 1:
                return False  # one page listing two periods lists two projects
        return True

    def union(self, a: int, b: int, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members.setdefault(ra, [self.mentions[ra]]).extend(self._members(rb))
        self.members.pop(rb, None)
        common_a, common_b = self._common(ra), self._common(rb)
        self.common.pop(rb, None)
        if common_a and common_b:
            self.common[ra] = (max(common_a[0], common_b[0]), min(common_a[1], common_b[1]))
        else:
            self.common[ra] = common_a or common_b
        pages = self.pages[ra] = self._pages(ra)
        for file, spans in self._pages(rb).items():
            pages.setdefault(file, set()).update(spans)
        self.pages.pop(rb, None)
        self.ids[ra] = self.ids_of(ra) | self.ids_of(rb)
        self.ids.pop(rb, None)
        reasons = self.reasons[ra]
        for r in [reason, *self.reasons.pop(rb, [])]:
            if r not in reasons:
                reasons.append(r)

    def groups(self) -> list[list[_Mention]]:
        return [
            sorted(self._members(root), key=lambda m: m.index)
            for root, parent in enumerate(self.parent)
            if root == parent
        ]


def _resolve_projects(records: list[PageRecord], resolution: Resolution) -> None:
    mentions = [
        _Mention(
            0,
            r.path,
            a,
            project_title_key(a.title),
            _years(a.periods),
            a.network_id if a.network_id and _ID.match(a.network_id) else None,
        )
        for r in records
        for a in r.activities
        if a.kind == "project"
    ]
    for i, m in enumerate(mentions):
        m.index = i
    groups = _Groups(mentions)

    # 1. The network id: one project per id, unless the id links different titles.
    by_id: dict[str, list[_Mention]] = defaultdict(list)
    for m in mentions:
        if m.network_id:
            by_id[m.network_id].append(m)
    conflicted: set[str] = set()
    for network_id, same in sorted(by_id.items()):
        # A link with the id but no label ([link url=”4242″][/link]) names no other
        # project: it joins the id, whose label comes from the pages that give one (B8).
        if len({m.title_key for m in same if m.title_key}) <= 1:
            for m in same[1:]:
                groups.union(same[0].index, m.index, f"same network id {network_id}")
            continue
        titles = sorted({m.title_key for m in same})
        conflicted.add(network_id)
        shown = sorted({clean_name(m.mention.title) for m in same})
        message = (
            f"network id {network_id} links {len(titles)} different projects"
            f" ({'; '.join(shown)}): none of them is keyed by it"
        )
        resolution.id_conflicts.append(
            IdConflict(
                "same id, different titles",
                "project",
                message,
                [m.ref for m in same],
                [network_id],
                shown,
            )
        )
        for m in same:
            resolution.warn(m.file, m.mention.line, m.mention.text, message, "id-conflict")
        for title in titles:
            with_title = [m for m in same if m.title_key == title]
            for m in with_title[1:]:
                groups.union(
                    with_title[0].index,
                    m.index,
                    f"same network id {network_id} and same normalised title",
                )

    # 2. The normalised title, when periods fit and ids do not disagree.
    by_title: dict[str, list[_Mention]] = defaultdict(list)
    for m in mentions:
        if m.title_key:
            by_title[m.title_key].append(m)
    reported: set[tuple[str, ...]] = set()
    for title, same in sorted(by_title.items()):
        # The first mention of each group met so far with this title stands for it.
        seen: list[_Mention] = []
        for b in same:
            for a in seen:
                ra, rb = groups.find(a.index), groups.find(b.index)
                if ra == rb:
                    continue
                ids = (groups.ids_of(ra) | groups.ids_of(rb)) - conflicted
                if len(ids) > 1:
                    pair = tuple(sorted(ids))
                    if pair not in reported:
                        reported.add(pair)
                        shown = clean_name(a.mention.title)
                        message = (
                            f"same title {shown!r} with different network ids"
                            f" {', '.join(pair)}: possible duplicate, kept apart"
                        )
                        resolution.id_conflicts.append(
                            IdConflict(
                                "possible duplicate",
                                "project",
                                message,
                                [a.ref, b.ref],
                                list(pair),
                                [shown],
                            )
                        )
                        resolution.warn(
                            b.file, b.mention.line, b.mention.text, message, "possible-duplicate"
                        )
                    continue
                if not groups.fits(ra, rb):
                    continue
                if a.span and b.span:
                    how = f"overlapping period ({_period_text(a.span)}, {_period_text(b.span)})"
                else:
                    how = "no period on one mention"
                groups.union(a.index, b.index, f"same normalised title {title!r} and {how}")
            if all(groups.find(a.index) != groups.find(b.index) for a in seen):
                seen.append(b)

    # 3. Keys: the network id when it names this project only, else the title.
    keyed: list[tuple[str, list[_Mention], str]] = []
    for members in groups.groups():
        ids = groups.ids_of(groups.find(members[0].index)) - conflicted
        title = members[0].title_key or clean_name(members[0].mention.title) or "untitled"
        if len(ids) == 1:
            keyed.append((iris.project_path(title, next(iter(ids))), members, title))
        else:
            keyed.append((_title_path(title), members, title))
    counts: dict[str, int] = defaultdict(int)
    for key, _, _ in keyed:
        counts[key] += 1
    used: set[str] = set()
    for key, members, _title in keyed:
        if counts[key] > 1:
            # Same title (or a long title cut to the same slug), periods apart or kept
            # apart by ids: tell them apart by the first year.
            span = _years([p for m in members for p in m.mention.periods])
            key = f"{key}-{span[0] if span else 'undated'}"
        key = _unused(key, used)
        used.add(key)
        for m in members:
            m.mention.key = key
        if len(members) > 1:
            resolution.merges[key] = MergeGroup(
                key,
                "project",
                clean_name(members[0].mention.title),
                [m.ref for m in members],
                groups.reasons.get(groups.find(members[0].index), []),
            )


def _unused(key: str, used: set[str] | dict[str, str]) -> str:
    """``key``, or ``key-2``, ``key-3``... when it is taken."""
    candidate, number = key, 2
    while candidate in used:
        candidate, number = f"{key}-{number}", number + 1
    return candidate


def _title_path(title: str) -> str:
    path = iris.project_path(title)
    # A title that slugs to digits only must not look like a network id.
    return path if not path.removeprefix("project/").isdigit() else f"project/p-{path[8:]}"


# -- events --------------------------------------------------------------------------------


def _resolve_events(records: list[PageRecord], resolution: Resolution) -> None:
    base: dict[str, list[_Mention]] = defaultdict(list)
    parts: dict[int, tuple[str | None, str, str | None]] = {}
    mentions: list[_Mention] = []
    for record in records:
        for activity in record.activities:
            if activity.kind != "event":
                continue
            m = _Mention(
                len(mentions), record.path, activity, _event_title_key(activity.title), None
            )
            mentions.append(m)
            date = activity.periods[0].start if activity.periods else None
            kind = activity.event_kind or "other"
            place = activity.place
            place_name = (place.resolved_name or clean_name(place.name)) if place else None
            parts[m.index] = (date, kind, place_name or None)
            if place_name and date:
                key = iris.event_path(date, kind, place_name)
            elif place_name:
                key = iris.event_path(None, kind, f"{place_name} {m.title_key}")
            else:
                key = iris.event_path(date, kind, m.title_key or activity.title or "untitled")
            base[key].append(m)

    for key, same in sorted(base.items()):
        if len(same) == 1:  # most events: nothing to split or merge
            same[0].mention.key = key
            continue
        date, kind, place_name = parts[same[0].index]
        per_page: dict[str, set[str]] = defaultdict(set)
        for m in same:
            per_page[m.file].add(m.title_key)
        split = place_name and date and any(len(t) > 1 for t in per_page.values())
        if split:
            assigned: dict[str, str] = {}
            for title_key in sorted({m.title_key for m in same}):
                path = iris.event_path(date, kind, f"{place_name} {title_key}")
                assigned[title_key] = _unused(path, set(assigned.values()))
            for m in same:
                m.mention.key = assigned[m.title_key]
            file = next(f for f, t in per_page.items() if len(t) > 1)
            message = (
                f"{file} lists different {kind} events in {place_name} on {date}:"
                " each is keyed by place and title"
            )
            for m in same:
                resolution.warn(m.file, m.mention.line, m.mention.text, message, "event-split")
        else:
            for m in same:
                m.mention.key = key
        by_key: dict[str, list[_Mention]] = defaultdict(list)
        for m in same:
            by_key[m.mention.key or key].append(m)
        for final, members in by_key.items():
            if len(members) < 2:
                continue
            place = members[0].mention.place
            where = (
                f"place {place_name}"
                + (f" (GeoNames {place.geonames_id})" if place and place.geonames_id else "")
                if place_name
                else f"title {members[0].title_key!r}"
            )
            reason = f"same date {date or 'undated'}, kind {kind} and {where}"
            if split or (place_name and not date):
                reason += " and title"
            resolution.merges[final] = MergeGroup(
                final,
                "event",
                clean_name(members[0].mention.title),
                [m.ref for m in members],
                [reason],
            )

    # Same kind and place, one date a prefix of the other ("2012-12" and "2012-12-12"):
    # possibly the same event written with less detail; reported, not merged.
    by_place: dict[tuple[str, str], list[_Mention]] = defaultdict(list)
    for m in mentions:
        date, kind, place_name = parts[m.index]
        if date and place_name:
            by_place[(kind, iris.slug(place_name))].append(m)
    for (kind, _), same in sorted(by_place.items()):
        place_name = parts[same[0].index][2]
        dates = sorted({parts[m.index][0] or "" for m in same})
        for short in dates:
            longer = [d for d in dates if d != short and d.startswith(short)]
            if not longer:
                continue
            involved = [m for m in same if parts[m.index][0] in (short, *longer)]
            message = (
                f"{kind} in {place_name} dated {short} and {', '.join(longer)}:"
                " possibly the same event, kept apart"
            )
            resolution.id_conflicts.append(
                IdConflict("possible duplicate", "event", message, [m.ref for m in involved])
            )
            for m in involved:
                if parts[m.index][0] == short:
                    resolution.warn(
                        m.file, m.mention.line, m.mention.text, message, "possible-duplicate"
                    )


# -- twinnings -----------------------------------------------------------------------------


def _city_key(place: PlaceName) -> str:
    return place.path or _city_path(
        place.resolved_name or place.name, place.country_code, place.kind
    )


@functools.lru_cache(maxsize=iris.NAME_MEMO)
def _city_path(name: str, country_code: str | None, kind: str) -> str:
    return iris.city_path(name, country_code, kind=kind)


_Keyed = list[tuple[PageRecord, str | None, list[tuple[Twin, str]]]]


def _city_keys(records: list[PageRecord]) -> _Keyed:
    """Each page with its city's IRI path and its twins' (computed once per resolution:
    twinnings and slug collisions both read them)."""
    return [
        (r, _city_key(r.city) if r.city else None, [(t, _city_key(t.place)) for t in r.twins])
        for r in records
    ]


def _one_sided_twinnings(keyed: _Keyed, resolution: Resolution) -> None:
    keyed = [row for row in keyed if row[1] is not None]  # a page without a city states none
    pages = {here for _, here, _ in keyed}
    stated = {(here, there) for _, here, twins in keyed for _, there in twins}
    for record, here, twins in keyed:
        for twin, there in twins:
            if there in pages and there != here and (there, here) not in stated:
                resolution.one_sided_twinnings.append(
                    (here, there, MentionRef(record.path, twin.line, twin.text))
                )


def _slug_collisions(keyed: _Keyed, resolution: Resolution) -> None:
    """Warn when places that may differ get one IRI (reliability case B19).

    A place is known by its GeoNames id, else its resolved name, else its spelling. Two
    such identities on one IRI path ("Saint-Denis" and "Saint Denis" left unresolved, or
    a spelling beside a resolved city) stay one node, with every spelling kept as a
    label, and a ``slug-collision`` warning at the later mention: never a silent merge,
    and an error under --strict.
    """
    first: dict[str, dict[object, tuple[str, str, int | None]]] = {}
    for record, city_path, twins in keyed:
        places: list[tuple[PlaceName, int | None, str, str]] = []
        if record.city is not None and city_path is not None:
            places.append((record.city, record.city.line, record.city.name, city_path))
        places.extend((t.place, t.line, t.text, path) for t, path in twins)
        places.extend(
            (a.place, a.line, a.text, _city_key(a.place))
            for a in record.activities
            if a.kind == "event" and a.place is not None
        )
        for place, line, text, path in places:
            identity: object = place.geonames_id or place.resolved_name or place.name
            seen = first.setdefault(path, {})
            if identity in seen:
                continue
            if seen:
                other_name, other_file, other_line = next(iter(seen.values()))
                where = f"{other_file}:{other_line}" if other_line else other_file
                resolution.warn(
                    record.path,
                    line,
                    text,
                    f"{place.name!r} and {other_name!r} ({where}) get the same IRI {path}:"
                    " kept as one place with both spellings; check they are the same place",
                    "slug-collision",
                )
            seen[identity] = (place.name, record.path, line)


# -- entry point ---------------------------------------------------------------------------


def _keep_path(place: PlaceName) -> None:
    """Store the place's IRI path, computed from its resolved fields (never a stale one)."""
    place.path = None
    place.path = _city_key(place)


def resolve_page_places(record: PageRecord, gazetteer: Gazetteer, resolution: Resolution) -> None:
    """The page-local half: the page's city, its twins and its event places (in place),
    each with its IRI path."""
    _resolve_page_city(record, gazetteer, resolution)
    if record.city is not None:
        _keep_path(record.city)
    for twin in record.twins:
        resolve_place(
            twin.place,
            gazetteer,
            resolution,
            file=record.path,
            line=twin.line,
            text=twin.text,
            role="twin",
        )
        _keep_path(twin.place)
    for activity in record.activities:
        if activity.kind == "event" and activity.place is not None:
            resolve_place(
                activity.place,
                gazetteer,
                resolution,
                file=record.path,
                line=activity.line,
                text=activity.text,
                role="event place",
            )
            _keep_path(activity.place)


def resolve_across_pages(records: list[PageRecord], resolution: Resolution) -> None:
    """The cross-page half, on place-resolved records: activity keys, one-sided twinnings.

    Linear in the number of mentions (grouping by id, title and date/kind/place in
    dictionaries), so a streaming build can run it once over slim records.
    """
    keyed = _city_keys(records)
    resolve_projects_side(records, resolution, keyed)
    resolve_events_side(records, resolution, keyed)


# The two sides read the records' places and write disjoint things (project keys and
# twinnings; event keys and place warnings), so a streaming build runs them in two
# processes. Run one after the other, in this order, they add warnings, conflicts and
# merges in the order resolve_across_pages does.


def resolve_projects_side(
    records: list[PageRecord], resolution: Resolution, keyed: _Keyed | None = None
) -> None:
    """Project keys and one-sided twinnings."""
    _resolve_projects(records, resolution)
    _one_sided_twinnings(keyed if keyed is not None else _city_keys(records), resolution)


def resolve_events_side(
    records: list[PageRecord], resolution: Resolution, keyed: _Keyed | None = None
) -> None:
    """Event keys and slug collisions (which warn)."""
    _resolve_events(records, resolution)
    _slug_collisions(keyed if keyed is not None else _city_keys(records), resolution)


def resolve_records(records: list[PageRecord], *, gazetteer: Gazetteer | None = None) -> Resolution:
    """Resolve every place and key every activity mention of the records, in place."""
    gazetteer = gazetteer or default_gazetteer()
    resolution = Resolution()
    for record in records:
        resolve_page_places(record, gazetteer, resolution)
    resolve_across_pages(records, resolution)
    resolution.warnings.sort(key=lambda w: (w.file, w.line, w.code, w.message))
    return resolution
