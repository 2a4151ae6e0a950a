"""Activity mentions as resolution compares them: normalised titles, year spans, keys.

Shared by :mod:`citynet.resolve.projects` and :mod:`citynet.resolve.events`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from citynet.common import iris
from citynet.read.records import ActivityMention, Period
from citynet.resolve.gazetteer import clean_name, fold
from citynet.resolve.result import MentionRef

_WORDS = re.compile(r"[\W_]+")
# Words that do not tell projects apart: "the GOAL Project" is "Goal"; SecuCities was
# the programme several early projects ran under, written with or without it.
_PROJECT_NOISE = frozenset(
    {"the", "project", "projects", "projet", "le", "la", "les", "l"}
    | {"secucities", "secucites", "secucity", "securcities"}
)
_EVENT_NOISE = frozenset({"the", "efus", "s", "le", "la", "les", "l"})


def _tokens(text: str) -> list[str]:
    text = clean_name(text).replace("&", " and ")
    return [t for t in _WORDS.split(fold(text)) if t]


@functools.lru_cache(maxsize=iris.NAME_MEMO)
def project_title_key(title: str) -> str:
    """Normalised title: case, accents, quotes, punctuation and noise words do not count.

    "GOAL Project" == "Goal Project" == "the goal project"; "SecuCities Football : Euro
    2000" == "Secucities Football: Euro 2000"; roman numerals stay ("... Drugs II" is
    not "... Drugs I").
    """
    return " ".join(t for t in _tokens(title) if t not in _PROJECT_NOISE)


@functools.lru_cache(maxsize=iris.NAME_MEMO)
def event_title_key(title: str) -> str:
    """Normalised event title ("Efus' General Assembly" == "general assembly")."""
    return " ".join(t for t in _tokens(title) if t not in _EVENT_NOISE)


def years(periods: list[Period]) -> tuple[int, int] | None:
    """The first and last year the periods name (None: no year)."""
    found = []
    for period in periods:
        for value in (period.start, period.end):
            if value and value[:4].isdigit():
                found.append(int(value[:4]))
    return (min(found), max(found)) if found else None


def unused_key(key: str, used: set[str] | dict[str, str]) -> str:
    """``key``, or ``key-2``, ``key-3``... when it is taken."""
    candidate, number = key, 2
    while candidate in used:
        candidate, number = f"{key}-{number}", number + 1
    return candidate


@dataclass(slots=True)
class Mention:
    """One activity mention with what comparing it needs."""

    index: int
    file: str
    mention: ActivityMention
    title_key: str
    span: tuple[int, int] | None
    network_id: str | None = None  # the mention's id when it is a well-formed network id

    @property
    def ref(self) -> MentionRef:
        return MentionRef(self.file, self.mention.line, self.mention.text)


__all__ = [
    "Mention",
    "event_title_key",
    "project_title_key",
    "unused_key",
    "years",
]
