"""Events: which event mentions on the pages are one event, and its key.

- Events are one event when the first day, the kind and the resolved place agree
  (key ``event/{date}/{kind}/{place}``). A year ending the title counts only when it is
  the event's year ("General Assembly 2014" in December 2014 is "General Assembly").
- Two mentions on one page with the same date, kind and place but different titles are
  two events: that group is keyed by place and title instead (an ``event-split``
  warning). Undated events are keyed by place and title, events without a place by
  their title.
- Across those keys, mentions join when their core titles (the quoted title, else the
  title without role and kind words) are equal, their dates overlap, their kinds agree
  (or one is "other") and their places agree (or one has none): "Conference “X”,
  Efus-FFSU, 5 May 2010" and "“X”, Paris, 5 May 2010".
- A bullet giving only a place and a date ("Rotterdam, Netherlands, 8 June 2012") joins
  the event at that place on that date when there is exactly one.
- Similar core titles kept apart are listed ("similar titles") for a person to settle.

Every comparison is within a block (core title and year, or place and year) of at most
:data:`~citynet.resolve.mentions.BLOCK_LIMIT` keys: linear in the number of mentions.
"""

from __future__ import annotations

import re
from collections import defaultdict

from citynet.common import iris
from citynet.read.records import ActivityMention, PageRecord, PlaceName
from citynet.resolve.gazetteer import Gazetteer, clean_name
from citynet.resolve.mentions import (
    BLOCK_LIMIT,
    Mention,
    event_core,
    event_title_key,
    label_group,
    near_misses,
    unused_key,
    without_year,
    year_suffix,
)
from citynet.resolve.result import MergeGroup, Resolution

# What an event mention is keyed by: (first day or None, kind, place name or None).
_Parts = tuple[str | None, str, str | None]
_HOST = re.compile(r"^(?:co-?)?host(?:ed|ing)?\b", re.IGNORECASE)


def tidy_page_events(record: PageRecord, gazetteer: Gazetteer) -> None:
    """Page-local, before places are resolved: "Co-host of ..." is the host role, and a
    bullet whose title is a city of the country it gives names that city as its place."""
    home = record.city.country if record.city is not None else record.country
    for activity in record.activities:
        if activity.kind != "event":
            continue
        if _HOST.match(activity.title):
            activity.role = "host"
        place = activity.place
        if activity.event_kind in (None, "other") and (place is None or place.kind == "country"):
            country = place.name if place is not None else home
            codes = gazetteer.country_codes(country)
            title = clean_name(activity.title)
            if codes and title and gazetteer.city_matches(title, codes[:1]):
                activity.place = PlaceName(title, country=country, line=activity.line)


def resolve_events(records: list[PageRecord], resolution: Resolution) -> None:
    """Key every event mention of the records (in place), reporting merges and splits."""
    mentions: list[Mention] = []
    parts: dict[int, _Parts] = {}
    base: dict[str, list[Mention]] = defaultdict(list)
    for record in records:
        for activity in record.activities:
            if activity.kind == "event":
                m = _mention(len(mentions), record.path, activity, record.language)
                mentions.append(m)
                parts[m.index] = _event_parts(m)
                base[_base_key(m, parts[m.index])].append(m)
    reasons: dict[str, list[str]] = defaultdict(list)
    for key, same in sorted(base.items()):
        if len(same) == 1:  # most events: nothing to split or merge
            same[0].mention.key = key
        else:
            _key_group(key, same, parts[same[0].index], resolution, reasons)
    joins = _Joins(parts)
    joins.by_core(mentions)
    joins.bare_bullets(mentions)
    _similar_titles(mentions, joins, resolution)
    _merges(mentions, joins, reasons, resolution)


def _mention(index: int, file: str, activity: ActivityMention, language: str) -> Mention:
    title, date = activity.title, _first_day(activity)
    if year_suffix(title) and (date is None or date[:4] == year_suffix(title)):
        title = without_year(title)
    return Mention(index, file, activity, event_title_key(title), None, language=language)


def _first_day(activity: ActivityMention) -> str | None:
    if activity.periods and activity.periods[0].start:
        return activity.periods[0].start
    return year_suffix(activity.title)  # "General Assembly 2014", undated: that year


def _event_parts(m: Mention) -> _Parts:
    place = m.mention.place
    place_name = (place.resolved_name or clean_name(place.name)) if place else None
    return _first_day(m.mention), m.mention.event_kind or "other", place_name or None


def _base_key(m: Mention, parts: _Parts) -> str:
    """Date, kind and place; without a date the title joins the place; without a place
    the title stands for it."""
    date, kind, place_name = parts
    if place_name and date:
        return iris.event_path(date, kind, place_name)
    if place_name:
        return iris.event_path(None, kind, f"{place_name} {m.title_key}")
    return iris.event_path(date, kind, m.title_key or m.mention.title or "untitled")


def _key_group(
    key: str,
    same: list[Mention],
    parts: _Parts,
    resolution: Resolution,
    reasons: dict[str, list[str]],
) -> None:
    """Mentions sharing a base key: one event, or split by title when one page lists
    different events on that date and place; the reason for each group of two or more."""
    date, kind, place_name = parts
    per_page: dict[str, set[str]] = defaultdict(set)
    for m in same:
        per_page[m.file].add(m.title_key)
    split = bool(place_name and date and any(len(t) > 1 for t in per_page.values()))
    if split:
        _split_by_title(same, parts, per_page, resolution)
    else:
        for m in same:
            m.mention.key = key
    place = same[0].mention.place
    where = (
        f"place {place_name}"
        + (f" (GeoNames {place.geonames_id})" if place and place.geonames_id else "")
        if place_name
        else f"title {same[0].title_key!r}"
    )
    reason = f"same date {date or 'undated'}, kind {kind} and {where}"
    if split or (place_name and not date):
        reason += " and title"
    for m in same:
        if reason not in reasons[m.mention.key or key]:
            reasons[m.mention.key or key].append(reason)


def _split_by_title(
    same: list[Mention], parts: _Parts, per_page: dict[str, set[str]], resolution: Resolution
) -> None:
    date, kind, place_name = parts
    assigned: dict[str, str] = {}
    for title_key in sorted({m.title_key for m in same}):
        path = iris.event_path(date, kind, f"{place_name} {title_key}")
        assigned[title_key] = unused_key(path, set(assigned.values()))
    for m in same:
        m.mention.key = assigned[m.title_key]
    file = next(f for f, t in per_page.items() if len(t) > 1)
    message = (
        f"{file} lists different {kind} events in {place_name} on {date}:"
        " each is keyed by place and title"
    )
    for m in same:
        resolution.warn(m.file, m.mention.line, m.mention.text, message, "event-split")


def _span(date: str) -> tuple[str, str]:
    """The first and last day a date stands for, as comparable text ("2012-12" ->
    "2012-12-01", "2012-12-31")."""
    return (date + "-01-01"[len(date) - 4 :])[:10], (date + "-12-31"[len(date) - 4 :])[:10]


class _Joins:
    """Union-find over event keys: which keys are one event, and why."""

    def __init__(self, parts: dict[int, _Parts]) -> None:
        self.parts = parts
        self.parent: dict[str, str] = {}
        self.reasons: dict[str, list[str]] = defaultdict(list)
        self.cores: dict[int, tuple[str, str] | None] = {}  # memo of core_block

    def find(self, key: str) -> str:
        while self.parent.get(key, key) != key:
            key = self.parent[key]
        return key

    def union(self, a: str, b: str, reason: str) -> None:
        ra, rb = sorted((self.find(a), self.find(b)))
        if ra != rb:
            self.parent[rb] = ra
            self.reasons[ra] += [reason, *self.reasons.pop(rb, [])]

    def fit(self, a: Mention, b: Mention) -> bool:
        """Different keys, overlapping dates, agreeing kinds and places."""
        date_a, kind_a, place_a = self.parts[a.index]
        date_b, kind_b, place_b = self.parts[b.index]
        joined = self.find(a.mention.key or "") == self.find(b.mention.key or "")
        if not (date_a and date_b) or joined:
            return False
        lo_a, hi_a = _span(date_a)[0], _span(_last(a, date_a))[1]
        lo_b, hi_b = _span(date_b)[0], _span(_last(b, date_b))[1]
        return (
            lo_a <= hi_b
            and lo_b <= hi_a
            and (kind_a == kind_b or "other" in (kind_a, kind_b))
            and (not place_a or not place_b or iris.slug(place_a) == iris.slug(place_b))
        )

    def blocks(self, mentions: list[Mention], key_of) -> list[list[Mention]]:  # type: ignore[no-untyped-def]
        """One mention per event key in each block, at most BLOCK_LIMIT."""
        found: dict[object, dict[str, Mention]] = defaultdict(dict)
        for m in mentions:
            block = key_of(m)
            if block is not None:
                found[block].setdefault(m.mention.key or "", m)
        return [list(b.values())[:BLOCK_LIMIT] for _, b in sorted(found.items())]

    def core_block(self, m: Mention) -> tuple[str, str] | None:
        """(core title, year) of a dated mention that is not a bare bullet."""
        if m.index not in self.cores:
            date = self.parts[m.index][0]
            core = event_core(without_year(m.mention.title))
            ok = core and date and not _is_bare(m)
            self.cores[m.index] = (core, date[:4]) if ok else None  # type: ignore[index]
        return self.cores[m.index]

    def by_core(self, mentions: list[Mention]) -> None:
        """Equal core titles, overlapping dates, agreeing kinds and places."""
        for block in self.blocks(mentions, self.core_block):
            for i, a in enumerate(block):
                for b in block[i + 1 :]:
                    if self.fit(a, b):
                        core = event_core(without_year(a.mention.title))
                        self.union(
                            a.mention.key or "",
                            b.mention.key or "",
                            f"same title {core!r} at overlapping dates ({a.ref.file}:"
                            f"{a.mention.line}, {b.ref.file}:{b.mention.line})",
                        )

    def bare_bullets(self, mentions: list[Mention]) -> None:
        """A bullet naming only a place and a date joins the one event there then."""
        bare = [m for m in mentions if _is_bare(m)]
        if not bare:
            return
        by_place: dict[tuple[str, str], list[Mention]] = defaultdict(list)
        for m in mentions:
            date, _, place = self.parts[m.index]
            if date and place and not _is_bare(m):
                by_place[(iris.slug(place), date[:4])].append(m)
        for m in bare:
            date, _, place = self.parts[m.index]
            near = by_place.get((iris.slug(place or ""), (date or "")[:4]), [])[:BLOCK_LIMIT]
            found = {self.find(o.mention.key or ""): o for o in near if self.fit(m, o)}
            if len(found) == 1:
                other = next(iter(found.values()))
                self.union(
                    m.mention.key or "",
                    other.mention.key or "",
                    f"{m.ref.file}:{m.mention.line} names only a place and a date: the one"
                    f" event at {place} on {date}",
                )


def _last(m: Mention, date: str) -> str:
    periods = m.mention.periods
    return (periods[0].end or date) if periods else date


def _is_bare(m: Mention) -> bool:
    place = m.mention.place
    return place is not None and bool(m.title_key) and event_title_key(place.name) == m.title_key


def _similar_titles(mentions: list[Mention], joins: _Joins, resolution: Resolution) -> None:
    def block(m: Mention) -> tuple[str, str] | None:
        found = joins.core_block(m)
        return (found[0][:3], found[1]) if found else None

    for reps in joins.blocks(mentions, block):
        texts = [(joins.cores[m.index][0], m) for m in reps]  # type: ignore[index]
        near_misses(texts, "event", joins.fit, resolution)


def _merges(
    mentions: list[Mention], joins: _Joins, reasons: dict[str, list[str]], resolution: Resolution
) -> None:
    """Final keys, kinds and labels of joined groups, and the merges. A joined group takes
    the key of its best-described mention (a kind, a place, the most precise date), and
    its one kind other than "other" (the graph gives an event one kind)."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[joins.find(m.mention.key or "")].append(m)
    used = set(groups)
    for root, members in groups.items():
        keys = sorted({m.mention.key or "" for m in members})
        kinds = {m.mention.event_kind for m in members} - {None, "other"}
        label, key = label_group(members, [m for m in members if not _is_bare(m)]), root
        if len(keys) > 1:  # joined across keys: the key its best description gives
            date, _, place = _best_parts(members, joins.parts)
            if place and date and len(kinds) <= 1:
                fresh = iris.event_path(date, next(iter(kinds), "other"), place)
                key = fresh if fresh in keys else unused_key(fresh, used)
                used.add(key)
        for m in members:
            m.mention.key = key
            if len(kinds) == 1:
                m.mention.event_kind = next(iter(kinds))
        if len(members) > 1 and key:
            why = [r for k in keys for r in reasons.get(k, [])]
            why += joins.reasons.get(root, [])
            resolution.merges[key] = MergeGroup(
                key, "event", label, list(dict.fromkeys(why)), [m.ref for m in members]
            )


def _best_parts(members: list[Mention], parts: dict[int, _Parts]) -> _Parts:
    """The most precise date and a place of a joined group."""
    dates = [parts[m.index][0] or "" for m in members]
    places = [parts[m.index][2] for m in members if parts[m.index][2] and not _is_bare(m)]
    places = places or [parts[m.index][2] for m in members if parts[m.index][2]]
    return max(dates, key=len) or None, "", places[0] if places else None
