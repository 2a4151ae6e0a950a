"""The index map of the static site: cities placed by their coordinates, no tiles, no scripts.

An equirectangular projection fitted to the cities' bounding box (longitudes squeezed by
the cosine of the middle latitude, so Europe does not look stretched). The result is plain
numbers; the template draws them as an SVG file, so the map works offline and from disk.
Country outlines come from Natural Earth's 1:110m countries, bundled (resources/README.md).
"""

from __future__ import annotations

import functools
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from citynet.graph.vocab import CN, GEO, RDF

#: The site model (citynet.web.generate.Site), which imports this module: named by
#: an alias so that the two modules do not import each other.
Site = Any

MAX_WIDTH = 900.0
MAX_HEIGHT = 640.0
MARGIN = 40.0
LABEL_ROOM = 120.0  # extra room on the right for the names of member cities
MIN_SPAN_DEGREES = 1.0  # one city alone (or cities close together) still gets a sane scale
DETAIL_PADDING = 0.25  # the detail map shows the members' box plus a quarter on each side


@dataclass(frozen=True, slots=True)
class Place:
    """A city to draw: what the site model knows about it."""

    iri: str
    label: str
    href: str
    lat: float
    long: float
    member: bool
    kind: str  # "city" or "region"


@dataclass(frozen=True, slots=True)
class Marker:
    iri: str
    label: str
    href: str
    x: float
    y: float
    member: bool
    kind: str


@dataclass(frozen=True, slots=True)
class Line:
    kind: str  # "twinning" or "project"
    a: str
    b: str
    x1: float
    y1: float
    x2: float
    y2: float
    title: str


@dataclass(frozen=True, slots=True)
class GridLine:
    """A meridian or parallel, so the reader can tell where things are without a basemap."""

    label: str
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class CityMap:
    width: float
    height: float
    markers: list[Marker] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    grid: list[GridLine] = field(default_factory=list)
    outlines: list[str] = field(default_factory=list)  # SVG path data, one per land ring

    @property
    def twinning_lines(self) -> list[Line]:
        return [line for line in self.lines if line.kind == "twinning"]

    @property
    def project_lines(self) -> list[Line]:
        return [line for line in self.lines if line.kind == "project"]


def detail_places(places: list[Place]) -> list[Place] | None:
    """The places inside the member cities' box (padded), for a closer map of the network.

    None when that box would hold every place anyway (the main map is then close enough)
    or when fewer than two members have coordinates.
    """
    members = [p for p in places if p.member]
    if len(members) < 2:
        return None
    lat_lo, lat_hi = min(p.lat for p in members), max(p.lat for p in members)
    long_lo, long_hi = min(p.long for p in members), max(p.long for p in members)
    pad_lat = max((lat_hi - lat_lo) * DETAIL_PADDING, MIN_SPAN_DEGREES)
    pad_long = max((long_hi - long_lo) * DETAIL_PADDING, MIN_SPAN_DEGREES)
    inside = [
        p
        for p in places
        if lat_lo - pad_lat <= p.lat <= lat_hi + pad_lat
        and long_lo - pad_long <= p.long <= long_hi + pad_long
    ]
    return inside if len(inside) < len(places) else None


def parse_coordinate(text: str, limit: float) -> float | None:
    """A latitude (limit 90) or longitude (limit 180) from a literal, or None when unusable."""
    try:
        value = float(text)
    except ValueError:
        return None
    if math.isnan(value) or not -limit <= value <= limit:
        return None
    return value


def draw_map(
    places: list[Place],
    twinnings: list[tuple[str, str, str]],
    shared_projects: list[tuple[str, str, str]],
) -> CityMap | None:
    """Project the places; lines join pairs of IRIs (a, b, title) when both are placed.

    Returns None when no place has coordinates (the index then says so instead of a map).
    """
    if not places:
        return None
    mid_lat = (min(p.lat for p in places) + max(p.lat for p in places)) / 2
    squeeze = math.cos(math.radians(mid_lat))

    def raw(p: Place) -> tuple[float, float]:
        return p.long * squeeze, -p.lat

    xs = [raw(p)[0] for p in places]
    ys = [raw(p)[1] for p in places]
    span_x = max(max(xs) - min(xs), MIN_SPAN_DEGREES)
    span_y = max(max(ys) - min(ys), MIN_SPAN_DEGREES)
    scale = min((MAX_WIDTH - 2 * MARGIN) / span_x, (MAX_HEIGHT - 2 * MARGIN) / span_y)
    # Centre the box when the minimum span widened it.
    x0 = (min(xs) + max(xs)) / 2 - span_x / 2
    y0 = (min(ys) + max(ys)) / 2 - span_y / 2
    width = round(span_x * scale + 2 * MARGIN + LABEL_ROOM, 1)
    height = round(span_y * scale + 2 * MARGIN, 1)

    def to_svg(x: float, y: float) -> tuple[float, float]:
        return round((x - x0) * scale + MARGIN, 1), round((y - y0) * scale + MARGIN, 1)

    def project(p: Place) -> tuple[float, float]:
        return to_svg(*raw(p))

    city_map = CityMap(width=width, height=height)
    city_map.grid = _grid(x0, y0, span_x, span_y, squeeze, to_svg)
    city_map.outlines = _outlines(width, height, lambda long, lat: to_svg(long * squeeze, -lat))
    positions: dict[str, tuple[float, float]] = {}
    for place in sorted(places, key=lambda p: (p.member, p.label, p.iri)):
        x, y = project(place)
        positions[place.iri] = (x, y)
        city_map.markers.append(
            Marker(place.iri, place.label, place.href, x, y, place.member, place.kind)
        )
    for kind, pairs in (("project", shared_projects), ("twinning", twinnings)):
        for a, b, title in sorted(set(pairs)):
            if a in positions and b in positions and a != b:
                (x1, y1), (x2, y2) = positions[a], positions[b]
                city_map.lines.append(Line(kind, a, b, x1, y1, x2, y2, title))
    return city_map


@functools.cache
def country_rings() -> list[list[tuple[float, float]]]:
    """Natural Earth's country outlines as rings of (longitude, latitude)."""
    text = (resources.files("citynet") / "resources" / "countries-110m.json").read_text()
    rings = json.loads(text)["rings"]  # flat lists of tenths of a degree
    return [[(r[i] / 10, r[i + 1] / 10) for i in range(0, len(r), 2)] for r in rings]


def _outlines(width: float, height: float, to_svg) -> list[str]:  # type: ignore[no-untyped-def]
    """Path data of every ring that shows on a map of this size (the rest is left out).

    A ring that jumps across the antimeridian (Fiji, Chukotka) starts a new subpath there,
    instead of a line across the whole world.
    """
    paths = []
    for ring in country_rings():
        points = [to_svg(long, lat) for long, lat in ring]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        if max(xs) < 0 or min(xs) > width or max(ys) < 0 or min(ys) > height:
            continue
        steps = [
            ("M" if i == 0 or abs(ring[i][0] - ring[i - 1][0]) > 180 else "L") + f"{x:g} {y:g}"
            for i, (x, y) in enumerate(points)
        ]
        paths.append("".join(steps) + "Z")
    return paths


def _grid(x0, y0, span_x, span_y, squeeze, to_svg) -> list[GridLine]:  # type: ignore[no-untyped-def]
    """Meridians and parallels every 1, 2, 5, 10 or 20 degrees (about 3 to 8 of each)."""
    pad = MARGIN / 2
    lat_lo, lat_hi = -(y0 + span_y), -y0
    long_lo, long_hi = x0 / squeeze, (x0 + span_x) / squeeze
    step = next(
        (s for s in (1, 2, 5, 10, 20) if max(lat_hi - lat_lo, long_hi - long_lo) / s <= 8), 30
    )
    lines = []
    for lat in range(math.ceil(lat_lo / step) * step, math.floor(lat_hi) + 1, step):
        (xa, y), (xb, _) = to_svg(x0, -lat), to_svg(x0 + span_x, -lat)
        label = f"{abs(lat)}°{'N' if lat > 0 else 'S' if lat < 0 else ''}"
        lines.append(GridLine(label, xa - pad, y, xb + pad, y))
    for long in range(math.ceil(long_lo / step) * step, math.floor(long_hi) + 1, step):
        (x, ya), (_, yb) = to_svg(long * squeeze, y0), to_svg(long * squeeze, y0 + span_y)
        label = f"{abs(long)}°{'E' if long > 0 else 'W' if long < 0 else ''}"
        lines.append(GridLine(label, x, ya - pad, x, yb + pad))
    return lines


# --------------------------------------------------------------------------------------
# The site's maps: its cities, twinnings and shared projects
# --------------------------------------------------------------------------------------


def _places(site: Site) -> list[Place]:
    places = []
    for city in site.cities:
        lat = [parse_coordinate(str(v), 90) for v in site.objects(city, GEO.lat)]
        long = [parse_coordinate(str(v), 180) for v in site.objects(city, GEO.long)]
        lat_ok = [v for v in lat if v is not None]
        long_ok = [v for v in long if v is not None]
        if not lat_ok or not long_ok:
            continue
        places.append(
            Place(
                iri=str(city),
                label=site.label(city),
                href=site.href(str(city), "") or "",
                lat=lat_ok[0],
                long=long_ok[0],
                member=bool(site.objects(city, CN.memberPage)),
                kind="region" if (RDF.type, CN.Region) in site.out[city] else "city",
            )
        )
    return places


def _shared_project_lines(site: Site) -> list[tuple[str, str, str]]:
    """One line per pair of cities sharing a project (the first project's title kept)."""
    by_project: dict[Node, set[str]] = defaultdict(set)
    for row in site.participations:
        if site.kinds.get(row["activity"]) == "project":
            by_project[row["activity"]].add(str(row["participant"]))
    first: dict[tuple[str, str], tuple[str, str, str]] = {}
    for project, members in sorted(by_project.items(), key=lambda kv: str(kv[0])):
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if (a, b) not in first:
                    title = f"{site.label(URIRef(a))} – {site.label(URIRef(b))}: "
                    first[(a, b)] = (a, b, title + site.label(project))
    return list(first.values())


def site_map(site: Site) -> tuple[CityMap | None, CityMap | None]:
    """The map of every placed city, and a closer one of the members' region (or None)."""
    places = _places(site)
    pairs = {
        tuple(sorted((str(city), str(twin)))) for city in site.cities for twin in site.twins(city)
    }
    twinnings = [
        (a, b, f"{site.label(URIRef(a))} – {site.label(URIRef(b))} (twinned)") for a, b in pairs
    ]
    shared = _shared_project_lines(site)
    detail = detail_places(places)
    detail_map = draw_map(detail, twinnings, shared) if detail else None
    return draw_map(places, twinnings, shared), detail_map
