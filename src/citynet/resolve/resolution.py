"""Resolution: which real place, project and event each name on the pages means.

Works on records only (no RDF), offline, with :class:`citynet.resolve.gazetteer.Gazetteer`.
This module is the entry point; the rules live in :mod:`~citynet.resolve.places`,
:mod:`~citynet.resolve.projects`, :mod:`~citynet.resolve.events` and
:mod:`~citynet.resolve.twinnings`, the result in :mod:`~citynet.resolve.result`.
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

from citynet.read.records import PageRecord
from citynet.resolve.decisions import Decisions, apply_groups, report_unmatched
from citynet.resolve.events import resolve_events
from citynet.resolve.gazetteer import CityMatch, Gazetteer, RegionMatch, default_gazetteer
from citynet.resolve.mentions import project_title_key
from citynet.resolve.places import parse_location, resolve_page_places, resolve_place
from citynet.resolve.projects import resolve_projects
from citynet.resolve.result import (
    IdConflict,
    MentionRef,
    MergeGroup,
    PopulationMismatch,
    Resolution,
    UnresolvedName,
)
from citynet.resolve.twinnings import Keyed, city_keys, one_sided_twinnings, slug_collisions

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
    "resolve_events_side",
    "resolve_page_places",
    "resolve_place",
    "resolve_projects_side",
    "resolve_records",
]


def resolve_records(
    records: list[PageRecord],
    *,
    gazetteer: Gazetteer | None = None,
    decisions: Decisions | None = None,
) -> Resolution:
    """Resolve every place and key every activity mention of the records, in place.

    A curator's ``decisions`` win over the resolver's (places as they are resolved,
    "same" and "different" over the activity keys); those matching nothing warn."""
    gazetteer = gazetteer or default_gazetteer()
    resolution = Resolution(curator=decisions)
    for record in records:
        resolve_page_places(record, gazetteer, resolution)
    resolve_across_pages(records, resolution)
    if decisions is not None:
        apply_groups(records, resolution)
        report_unmatched(decisions)
    resolution.warnings.sort(key=lambda w: (w.file, w.line, w.code, w.message))
    return resolution


def resolve_across_pages(records: list[PageRecord], resolution: Resolution) -> None:
    """The cross-page half, on place-resolved records: activity keys, one-sided twinnings.

    Linear in the number of mentions (grouping by id, title and date/kind/place in
    dictionaries), so a streaming build can run it once over slim records.
    """
    keyed = city_keys(records)
    resolve_projects_side(records, resolution, keyed)
    resolve_events_side(records, resolution, keyed)


# The two sides read the records' places and write disjoint things (project keys and
# twinnings; event keys and place warnings), so a streaming build runs them in two
# processes. Run one after the other, in this order, they add warnings, conflicts and
# merges in the order resolve_across_pages does.


def resolve_projects_side(
    records: list[PageRecord], resolution: Resolution, keyed: Keyed | None = None
) -> None:
    """Project keys and one-sided twinnings."""
    resolve_projects(records, resolution)
    one_sided_twinnings(keyed if keyed is not None else city_keys(records), resolution)


def resolve_events_side(
    records: list[PageRecord], resolution: Resolution, keyed: Keyed | None = None
) -> None:
    """Event keys and slug collisions (which warn)."""
    resolve_events(records, resolution)
    slug_collisions(keyed if keyed is not None else city_keys(records), resolution)
