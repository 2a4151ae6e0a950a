"""Plain-data records: what a profile page says, before any RDF exists.

The page reader produces these; resolution fills in the ``resolved_*`` fields; the
mapping turns them into RDF. Nothing here knows about rdflib, click or the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Literal

ActivityKind = Literal["project", "event"]

#: Roles a local authority can have in an activity (ids of SKOS concepts in cn:Roles).
ROLES = (
    "partner", "associate-partner", "coordinator", "pilot", "presenter", "host",
    "attendee", "participant",
)  # fmt: skip

#: Kinds of event (ids of SKOS concepts in cn:EventKinds).
EVENT_KINDS = (
    "general-assembly", "executive-committee", "conference", "seminar", "debate",
    "meeting", "workshop", "field-visit", "presentation", "working-group", "other",
)  # fmt: skip

#: Offices a local authority can hold in the network or a national forum (cn:Offices).
OFFICES = ("executive-committee", "president", "vice-president")


@dataclass(frozen=True, slots=True)
class PageWarning:
    """Something on a page that did not become a fact, with where it is."""

    file: str
    line: int
    text: str
    message: str
    col: int | None = None
    code: str = "unmapped"

    def __str__(self) -> str:
        # line 0 means the whole page (empty page, no recognisable section)
        where = self.file if not self.line else f"{self.file}:{self.line}"
        where += f":{self.col}" if self.col and self.line else ""
        text = self.text.strip()
        return f"{where}: {self.message}" + (f": {text}" if text else "")


@dataclass(frozen=True, slots=True)
class Period:
    """A time span as XML Schema lexical values.

    ``start`` and ``end`` are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (already checked to
    be real dates); ``end`` is None for a single point. ``text`` is what the page wrote.
    """

    start: str | None
    end: str | None
    text: str


@dataclass(slots=True)
class PlaceName:
    """A place as written on a page, and (after resolution) what it means."""

    name: str
    country: str | None = None  # as written: "R.D.Congo", "Allemagne", "Belgium"
    region: str | None = None  # "Ohio", "Bavaria": kept out of the name
    line: int | None = None
    # Filled by resolution:
    resolved_name: str | None = None  # canonical label, with accents ("Liège")
    country_code: str | None = None  # ISO 3166-1 alpha-2, upper case
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    geonames_population: int | None = None
    # "country": an event place written as a country only ("…, Spain, 2006"); name = country.
    kind: Literal["city", "region", "country"] = "city"
    # Filled by resolution: the place's IRI path (citynet.common.iris.city_path of the above).
    path: str | None = None


@dataclass(slots=True)
class Twin:
    """One "Twinned with" entry."""

    place: PlaceName
    since: int | None
    line: int
    text: str


@dataclass(slots=True)
class Membership:
    """Membership of the network ("efus") or of a national forum (its name)."""

    network: str
    since: int | None
    line: int
    text: str
    founding: bool = False


@dataclass(slots=True)
class Office:
    """An office held: Executive Committee membership, presidency, ..."""

    office: str  # one of OFFICES
    body: str  # "efus" or the national forum's name
    start: int | None
    end: int | None
    line: int
    text: str


@dataclass(slots=True)
class ActivityMention:
    """A line saying the city took part in a project or an event."""

    kind: ActivityKind
    title: str
    role: str  # one of ROLES
    line: int
    text: str
    periods: list[Period] = field(default_factory=list)
    subtitle: str | None = None
    network_id: str | None = None  # "31294"
    network_fragment: str | None = None  # "11307" from "30325#11307"
    event_kind: str | None = None  # one of EVENT_KINDS, events only
    place: PlaceName | None = None  # events only
    more_places: list[PlaceName] = field(default_factory=list)  # "A & B": B (resolution)
    # Filled by resolution / IRI policy: the key that makes mentions one node, and the
    # node's one label when the pages spell it several ways (this title: a skos:altLabel).
    key: str | None = None
    label: str | None = None


@dataclass(slots=True)
class PageRecord:
    """Everything one profile page says."""

    path: str  # file name as given (used in warnings)
    content_sha256: str
    source_url: str | None = None
    language: str = "en"
    city: PlaceName | None = None
    city_origin: str | None = None  # "header", "title line", "url", "file name", "--city"
    location: str | None = None  # the "Location:" text as written
    country: str | None = None  # country as written in Location ("Belgium"), even with no city
    region: str | None = None  # region as written in Location ("Bavaria", "Canary Islands")
    population: int | None = None
    population_year: int | None = None
    population_line: int | None = None
    safety_contracts: list[Period] = field(default_factory=list)
    websites: list[str] = field(default_factory=list)
    twins: list[Twin] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    offices: list[Office] = field(default_factory=list)
    activities: list[ActivityMention] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    warnings: list[PageWarning] = field(default_factory=list)
    #: For every non-blank line: what it became ("heading", "population", "twin",
    #: "activity", "prose", "warning", ...). Proves nothing was dropped silently.
    line_kinds: dict[int, str] = field(default_factory=dict)
    line_count: int = 0
    #: The URL the page was served from and when, from the fetch log beside a page
    #: that `citynet fetch` wrote (None for pages saved by other means).
    fetched_from: str | None = None
    fetched_at: str | None = None


def _reducer(cls: type) -> Callable[[object], tuple[type, tuple[object, ...]]]:
    fields = attrgetter(*cls.__match_args__)  # type: ignore[attr-defined]
    if len(cls.__match_args__) == 1:  # type: ignore[attr-defined]
        return lambda self: (cls, (fields(self),))
    return lambda self: (cls, fields(self))


def pickle_by_fields(*classes: type) -> None:
    """Pickle instances of these slotted dataclasses as their constructor's arguments.

    A slotted dataclass otherwise pickles through ``dataclasses.fields()`` on every
    object, which was most of the streaming build's cost of passing records between
    processes; an attrgetter reads all the fields in one C call. Every field must be an
    ``__init__`` argument.
    """
    for cls in classes:
        cls.__reduce__ = _reducer(cls)  # type: ignore[method-assign,assignment]


pickle_by_fields(
    PageWarning, Period, PlaceName, Twin, Membership, Office, ActivityMention, PageRecord
)
