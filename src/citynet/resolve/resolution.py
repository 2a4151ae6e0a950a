"""Resolution: which real place, project and event each name on the pages means.

The entry point, on records only (no RDF), offline; the rules are in
:mod:`~citynet.resolve.places`, :mod:`~citynet.resolve.projects`,
:mod:`~citynet.resolve.events` and :mod:`~citynet.resolve.twinnings`, the result in
:mod:`~citynet.resolve.result`, and the policy with its thresholds in docs/resolution.md.
:func:`resolve_records` fills the ``resolved_*`` fields of every :class:`PlaceName` and
the ``key`` (and ``label``) of every :class:`ActivityMention`.
"""

from __future__ import annotations

from citynet.read.records import PageRecord
from citynet.resolve.decisions import Decisions, apply_groups, report_unmatched
from citynet.resolve.events import resolve_events
from citynet.resolve.gazetteer import Gazetteer, default_gazetteer
from citynet.resolve.places import resolve_page_places
from citynet.resolve.projects import resolve_projects
from citynet.resolve.result import Resolution
from citynet.resolve.twinnings import city_keys, one_sided_twinnings, slug_collisions

__all__ = ["Resolution", "resolve_across_pages", "resolve_page_places", "resolve_records"]


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
        report_unmatched(decisions, [r.path for r in records])
    resolution.warnings.sort(key=lambda w: (w.file, w.line, w.code, w.message))
    return resolution


def resolve_across_pages(records: list[PageRecord], resolution: Resolution) -> None:
    """The cross-page half, on place-resolved records: activity keys, one-sided
    twinnings, slug collisions. Linear in the number of mentions (grouping by keys in
    dictionaries), so a streaming build runs it once over slim records."""
    keyed = city_keys(records)
    resolve_projects(records, resolution)
    one_sided_twinnings(keyed, resolution)
    resolve_events(records, resolution)
    slug_collisions(keyed, resolution)
