"""Twinnings across pages: twins stated on one side only, and places sharing one IRI.

Both read every page's city and twins with their IRI paths (:func:`city_keys`, computed
once per resolution).
"""

from __future__ import annotations

from citynet.read.records import PageRecord, PlaceName, Twin
from citynet.resolve.places import city_key
from citynet.resolve.result import MentionRef, Resolution

#: Each page with its city's IRI path and its twins with theirs.
Keyed = list[tuple[PageRecord, str | None, list[tuple[Twin, str]]]]


def city_keys(records: list[PageRecord]) -> Keyed:
    """Each page with its city's IRI path and its twins' (computed once per resolution:
    twinnings and slug collisions both read them)."""
    return [
        (r, city_key(r.city) if r.city else None, [(t, city_key(t.place)) for t in r.twins])
        for r in records
    ]


def one_sided_twinnings(keyed: Keyed, resolution: Resolution) -> None:
    """Twins that have a page of their own which does not list this page back."""
    keyed = [row for row in keyed if row[1] is not None]  # a page without a city states none
    pages = {here for _, here, _ in keyed}
    stated = {(here, there) for _, here, twins in keyed for _, there in twins}
    for record, here, twins in keyed:
        for twin, there in twins:
            if there in pages and there != here and (there, here) not in stated:
                resolution.one_sided_twinnings.append(
                    (here, there, MentionRef(record.path, twin.line, twin.text))
                )


def slug_collisions(keyed: Keyed, resolution: Resolution) -> None:
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
            (a.place, a.line, a.text, city_key(a.place))
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
