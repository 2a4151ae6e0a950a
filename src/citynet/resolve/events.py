"""Events: which event mentions on the pages are one event, and its key.

- Events are one event when the first day, the kind and the resolved place agree
  (key ``event/{date}/{kind}/{place}``).
- Two mentions on one page with the same date, kind and place but different titles are
  two events: that group is keyed by place and title instead (an ``event-split``
  warning).
- Undated events are keyed by place and title, events without a place by their title.
- Same kind and place, one date a prefix of the other ("2012-12" and "2012-12-12"):
  possibly the same event written with less detail; reported, never merged.
"""

from __future__ import annotations

from collections import defaultdict

from citynet.common import iris
from citynet.read.records import PageRecord
from citynet.resolve.gazetteer import clean_name
from citynet.resolve.mentions import Mention, event_title_key, unused_key
from citynet.resolve.result import IdConflict, MergeGroup, Resolution

# What an event mention is keyed by: (first day or None, kind, place name or None).
_Parts = tuple[str | None, str, str | None]


def resolve_events(records: list[PageRecord], resolution: Resolution) -> None:
    """Key every event mention of the records (in place), reporting merges and splits."""
    mentions: list[Mention] = []
    parts: dict[int, _Parts] = {}
    base: dict[str, list[Mention]] = defaultdict(list)
    for record in records:
        for activity in record.activities:
            if activity.kind != "event":
                continue
            m = Mention(len(mentions), record.path, activity, event_title_key(activity.title), None)
            mentions.append(m)
            parts[m.index] = _event_parts(m)
            base[_base_key(m, parts[m.index])].append(m)
    for key, same in sorted(base.items()):
        if len(same) == 1:  # most events: nothing to split or merge
            same[0].mention.key = key
        else:
            _key_group(key, same, parts[same[0].index], resolution)
    _report_date_prefixes(mentions, parts, resolution)


def _event_parts(m: Mention) -> _Parts:
    activity = m.mention
    date = activity.periods[0].start if activity.periods else None
    place = activity.place
    place_name = (place.resolved_name or clean_name(place.name)) if place else None
    return date, activity.event_kind or "other", place_name or None


def _base_key(m: Mention, parts: _Parts) -> str:
    """Date, kind and place; without a date the title joins the place; without a place
    the title stands for it."""
    date, kind, place_name = parts
    if place_name and date:
        return iris.event_path(date, kind, place_name)
    if place_name:
        return iris.event_path(None, kind, f"{place_name} {m.title_key}")
    return iris.event_path(date, kind, m.title_key or m.mention.title or "untitled")


def _key_group(key: str, same: list[Mention], parts: _Parts, resolution: Resolution) -> None:
    """Mentions sharing a base key: one event, or split by title when one page lists
    different events on that date and place; every group of two or more is a merge."""
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
    by_key: dict[str, list[Mention]] = defaultdict(list)
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
            final, "event", clean_name(members[0].mention.title), [m.ref for m in members], [reason]
        )


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


def _report_date_prefixes(
    mentions: list[Mention], parts: dict[int, _Parts], resolution: Resolution
) -> None:
    """Same kind and place, one date a prefix of the other: reported, not merged."""
    by_place: dict[tuple[str, str], list[Mention]] = defaultdict(list)
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


__all__ = ["resolve_events"]
