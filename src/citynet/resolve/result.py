"""The resolution result: what resolution decided and what it could not, for the report.

Plain data (no RDF): merges with their reasons, id conflicts, population mismatches,
names left unresolved, candidate cities of pages that do not name theirs, one-sided
twinnings, and every warning with ``file:line``. :meth:`Resolution.as_json` is the
``resolution`` part of the build report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from citynet.read.records import PageWarning
from citynet.resolve.gazetteer import CityMatch


@dataclass(frozen=True, slots=True)
class MentionRef:
    """Where a mention is: file, 1-based line, and the line's text."""

    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text.strip()}"

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "text": self.text.strip()}


@dataclass(slots=True)
class MergeGroup:
    """Mentions on several lines that became one project or event, and why."""

    key: str
    kind: Literal["project", "event"]
    title: str
    reasons: list[str]
    mentions: list[MentionRef]

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "mentions": [m.as_json() for m in self.mentions]}


@dataclass(slots=True)
class IdConflict:
    """Ids and titles that disagree: never merged silently."""

    kind: Literal["same id, different titles", "possible duplicate", "similar titles"]
    activity: Literal["project", "event"]
    message: str
    network_ids: list[str]
    titles: list[str]
    mentions: list[MentionRef]
    settled_by: str | None = None  # the curator's decision that settles it: "file:line"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "mentions": [m.as_json() for m in self.mentions]}


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

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "city": self.city,
            "page": self.page_population,
            "geonames": self.geonames_population,
            "geonames_id": self.geonames_id,
            "difference": round(self.difference, 3),
        }


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

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class IdentityDecision:
    """Which place a name with several candidates became, on what evidence, by whom."""

    file: str
    line: int
    role: str
    name: str
    geonames_id: int | None  # None: "not a place" (a curator's decision)
    confidence: float
    decided_by: str  # "resolver" or "decisions.toml:12"
    candidates: list[dict[str, Any]] = field(default_factory=list)
    clear: bool = True  # False: the evidence did not clearly pick one (an open question)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


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
    #: Names with several candidates, and curators' decisions: what was chosen and why.
    identities: list[IdentityDecision] = field(default_factory=list)
    #: The curator's decisions (citynet.resolve.decisions.Decisions), if any.
    curator: Any = None
    #: Names tried as close spellings, by page (bounded: places.MAX_CLOSE_SPELLINGS).
    close_spelling_tries: dict[str, int] = field(default_factory=dict)

    def warn(self, file: str, line: int | None, text: str, message: str, code: str) -> PageWarning:
        # Line 0 means the page as a whole (e.g. a city named by the file name only).
        warning = PageWarning(file, line or 0, text, message, code=code)
        self.warnings.append(warning)
        return warning

    def as_json(self) -> dict[str, Any]:
        return {
            "merges": [g.as_json() for _, g in sorted(self.merges.items())],
            "id_conflicts": [c.as_json() for c in self.id_conflicts],
            "population_mismatches": [p.as_json() for p in self.population_mismatches],
            "unresolved": [u.as_json() for u in self.unresolved],
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
            "identities": [d.as_json() for d in self.identities],
            "decisions": self.curator.as_json() if self.curator is not None else None,
        }
