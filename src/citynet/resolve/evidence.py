"""Evidence: what a page says that tells one namesake city from another.

Each candidate of a name ("Saint-Louis": Senegal, Missouri, Alsace ...) is scored on
what a careful reader uses: the page's stated population against the candidate's, the
country of its national forum, of its address's domain, of its language, of its other
event places, and (for an event's place) of the page's own city; and the candidates'
sizes relative to each other. docs/resolution.md gives the points and examples. The best
score wins; the choice is *clear* when it leads by more than :data:`CLEAR_MARGIN`,
otherwise the resolver warns. The confidence is the winner's share of the softmax.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from citynet.read.records import PageRecord
from citynet.resolve import aliases
from citynet.resolve.gazetteer import CityMatch, Gazetteer

CLEAR_MARGIN = 1.5  # score lead a decision needs to be taken without a warning
SIZE_WEIGHT = 5.0  # points per factor 10 of population: a factor 2 is CLEAR_MARGIN
MAX_CANDIDATES = 12  # candidates weighed per name (the most populous): keeps it linear

_FORUM_WORDS = {w.casefold(): code for w, code in aliases.FORUM_COUNTRY_WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(slots=True)
class PageEvidence:
    """What a page says about where its own city is (not its twins: they are abroad)."""

    population: int | None = None
    forum_countries: set[str] = field(default_factory=set)
    domain_country: str | None = None
    language_countries: tuple[str, ...] = ()
    place_countries: dict[str, float] = field(default_factory=dict)  # code -> share
    home_country: str | None = None  # for event places: the page's own city's country

    def for_event_places(self, home_country: str | None) -> PageEvidence:
        """The evidence for the page's event places: not its population (an event's town
        is not the page's city), but its own country as well."""
        return dataclasses.replace(self, population=None, home_country=home_country)


def page_evidence(record: PageRecord, gazetteer: Gazetteer) -> PageEvidence:
    """The evidence a page gives about its own city's country and size."""
    texts = [m.network for m in record.memberships] + [o.body for o in record.offices]
    texts += [a.text for a in record.activities]
    forums = {
        _FORUM_WORDS[w.casefold()]
        for text in texts
        if "forum" in text.casefold() or "fsu" in text.casefold() or "defus" in text.casefold()
        for w in _WORD.findall(text)
        if w.casefold() in _FORUM_WORDS
    }
    codes = [
        gazetteer.resolve_country(a.place.country)
        for a in record.activities
        if a.place is not None and a.place.country
    ]
    counted = [c for c in codes if c]
    shares = {c: counted.count(c) / len(counted) for c in set(counted)}
    return PageEvidence(
        population=record.population,
        forum_countries=forums,
        domain_country=_domain_country(record.source_url, gazetteer),
        language_countries=_language_countries(record),
        place_countries=shares,
    )


def _language_countries(record: PageRecord) -> tuple[str, ...]:
    """Countries of the page's language and of a language its address names
    ("https://efus.eu/fr/..." -> French)."""
    languages = [record.language or ""]
    path = urlsplit(record.source_url).path if record.source_url else ""
    first = path.strip("/").split("/", 1)[0].lower()
    if first in aliases.LANGUAGE_COUNTRIES:
        languages.append(first)
    codes: list[str] = []
    for language in languages:
        codes += [c for c in aliases.LANGUAGE_COUNTRIES.get(language, ()) if c not in codes]
    return tuple(codes)


def _domain_country(url: str | None, gazetteer: Gazetteer) -> str | None:
    """ ".fr" -> FR: the country-code domain of the source address (not .eu, .com ...)."""
    host = urlsplit(url).hostname if url else None
    tld = host.rsplit(".", 1)[-1] if host and "." in host else ""
    if len(tld) != 2 or tld in ("eu", "uk"):
        return "GB" if tld == "uk" else None
    return gazetteer.resolve_country(tld.upper())


@dataclass(frozen=True, slots=True)
class Scored:
    match: CityMatch
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Weighing:
    """Candidates weighed, best first, and how sure the choice is."""

    scored: tuple[Scored, ...]
    confidence: float
    clear: bool

    @property
    def best(self) -> CityMatch:
        return self.scored[0].match

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {
                "geonames_id": s.match.geonames_id,
                "name": s.match.name,
                "country_code": s.match.country_code,
                "population": s.match.population,
                "score": round(s.score, 2),
                "evidence": list(s.reasons),
            }
            for s in self.scored[:5]  # the report stays small on large builds
        ]

    def describe(self) -> str:
        return "; ".join(
            f"{s.match.name}, {s.match.country_code} (GeoNames {s.match.geonames_id},"
            f" population {s.match.population}, score {s.score:.1f})"
            for s in self.scored[:5]
        )


def distinct(matches: list[CityMatch]) -> list[CityMatch]:
    """One match per GeoNames id, the most populous :data:`MAX_CANDIDATES` of them."""
    seen: set[int] = set()
    out = []
    for m in sorted(matches, key=lambda m: (-m.population, m.geonames_id)):
        if m.geonames_id not in seen and m.match != "transliteration":
            seen.add(m.geonames_id)
            out.append(m)
    return out[:MAX_CANDIDATES] or matches[:1]


def weigh(matches: list[CityMatch], evidence: PageEvidence | None) -> Weighing:
    """Score each candidate on the evidence; best first (ties: population, then id)."""
    candidates = distinct(matches)
    largest = max(max(m.population for m in candidates), 1)
    scored = sorted(
        (_score(m, largest, evidence) for m in candidates),
        key=lambda s: (-s.score, -s.match.population, s.match.geonames_id),
    )
    if len(scored) == 1:
        return Weighing(tuple(scored), 1.0, True)
    top = scored[0].score
    total = sum(math.exp(s.score - top) for s in scored)
    margin = top - scored[1].score
    return Weighing(tuple(scored), round(1 / total, 3), margin > CLEAR_MARGIN + 1e-9)


def _score(match: CityMatch, largest: int, evidence: PageEvidence | None) -> Scored:
    reasons: list[str] = []
    size = max(-SIZE_WEIGHT, SIZE_WEIGHT * math.log10(max(match.population, 1) / largest))
    score = size
    if size < 0:
        reasons.append(f"smaller than the largest namesake ({size:+.1f})")
    if evidence is None:
        return Scored(match, score, tuple(reasons))
    if evidence.population and match.population:
        low, high = sorted((evidence.population, match.population))
        ratio = high / low
        points = 4.0 if ratio <= 1.25 else 2.0 if ratio <= 2 else 0.0 if ratio <= 4 else -3.0
        score += points
        reasons.append(
            f"page population {evidence.population} vs {match.population} ({points:+.0f})"
        )
    code = match.country_code
    share = evidence.place_countries.get(code, 0.0)
    country_evidence = (
        (code in evidence.forum_countries, 2.0, f"national forum of {code} (+2)"),
        (code == evidence.domain_country, 1.0, f"source address in .{code.lower()} (+1)"),
        (code in evidence.language_countries, 0.5, f"page language spoken in {code} (+0.5)"),
        (code == evidence.home_country, 2.0, f"the page's own city is in {code} (+2)"),
        (share > 0, share, f"{share:.0%} of the page's event places in {code} ({share:+.1f})"),
    )
    for applies, points, reason in country_evidence:
        if applies:
            score += points
            reasons.append(reason)
    return Scored(match, score, tuple(reasons))
