"""Activity mentions as resolution compares them: normalised titles, year spans, keys.

Shared by :mod:`citynet.resolve.projects` and :mod:`citynet.resolve.events`.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from citynet.common import iris
from citynet.read.records import ActivityMention, Period
from citynet.resolve.gazetteer import clean_name, fold
from citynet.resolve.result import IdConflict, MentionRef, Resolution

_WORDS = re.compile(r"[\W_]+")
# Words that do not tell projects apart: "the GOAL Project" is "Goal"; SecuCities was
# the programme several early projects ran under, written with or without it.
_PROJECT_NOISE = frozenset(
    {"the", "project", "projects", "projet", "le", "la", "les", "l"}
    | {"secucities", "secucites", "secucity", "securcities"}
)
_EVENT_NOISE = frozenset({"the", "efus", "s", "le", "la", "les", "l"})
# Words that say how a city took part in an event or which session of a project it was,
# not which event: "Co-host of the conference X", "Final conference of the X project".
_ROLE_WORD = re.compile(
    r"co|(?:co)?host(?:ed)?|organi[sz](?:er|ed)|partner|of|in|at|for|by|and|final|closing"
    r"|opening|launch|kick|off|international|european|annual|project|conference|seminar"
    r"|workshop|meeting|event|the|efus|s|le|la|les|l"
)
_QUOTED = re.compile(r"[“«\"„]([^”»\"“]{3,})[”»\"“]")
_BRACKET = re.compile(r"^(?P<x>.*?)\s*\((?P<a>[^()\s]{2,12})\)\s*(?P<rest>.*)$")
_YEAR_SUFFIX = re.compile(r"\s+((?:19|20)[0-9]{2})\s*$")
_NUMBERED = re.compile(r"^(?:[0-9]+|[ivxlc]+)$")
_SMALL = 3  # words this short may be skipped by an acronym ("in", "of", "the")


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


@functools.lru_cache(maxsize=iris.NAME_MEMO)
def event_core(title: str) -> str:
    """What names an event whoever writes it: the quoted title when there is one, else
    the title without role, session and kind words ("Co-host of the conference “Safer
    streets”" == "Conference “Safer streets”"; "Final conference of the LOPS project" ==
    "LOPS final conference"); "" when nothing is left ("International Conference")."""
    quoted = _QUOTED.search(title)
    if quoted:
        return " ".join(t for t in _tokens(quoted[1]) if t not in _EVENT_NOISE)
    return " ".join(t for t in _tokens(title) if not _ROLE_WORD.fullmatch(t))


def year_suffix(title: str) -> str | None:
    """The year ending a title ("General Assembly 2014" -> "2014"), if any."""
    found = _YEAR_SUFFIX.search(title)
    return found[1] if found else None


def without_year(title: str) -> str:
    return _YEAR_SUFFIX.sub("", title)


def is_acronym(acronym: str, words: list[str]) -> bool:
    """Whether the acronym's letters start the words in order, each word giving one or
    more letters; short words may give none ("lops" of "local prevention in schools")."""

    @functools.cache
    def fits(i: int, j: int) -> bool:
        if i == len(acronym):
            return all(len(w) <= _SMALL for w in words[j:])
        if j == len(words):
            return False
        word = words[j]
        k = 1
        while k <= len(word) and word[:k] == acronym[i : i + k]:
            if fits(i + k, j + 1):
                return True
            k += 1
        return len(word) <= _SMALL and fits(i, j + 1)

    return len(acronym) >= 2 and len(words) >= 2 and fits(0, 0)


def acronym_keys(title: str, subtitle: str | None) -> list[tuple[str, str]]:
    """Other keys a project is known by, with how: an acronym and what it stands for,
    from "Local prevention in schools (LOPS)" or "Lops" with the subtitle "Local
    Prevention in Schools" (the letters must fit the words: never a guess)."""
    found = _BRACKET.match(clean_name(title))
    if found and not found["rest"]:
        acronym, expansion = found["a"], found["x"]
    elif subtitle and len(project_title_key(title).split()) == 1:
        acronym, expansion = title, subtitle
    else:
        return []
    short, words = project_title_key(acronym), project_title_key(expansion).split()
    if " " in short or not is_acronym(short, words):
        return []
    return [(short, "acronym"), (" ".join(words), "expansion of the acronym")]


def preferred_label(titles: list[str]) -> str:
    """One label for a node the pages spell several ways: the most frequent spelling,
    then one without role words, then the one with most capitals ("GOAL Project",
    "General Assembly"), then the longest, then the first in code-point order."""
    counts = Counter(titles)

    def rank(t: str) -> tuple[int, bool, int, int, str]:
        role = bool(_ROLE_START.match(t))
        return (-counts[t], role, -sum(c.isupper() for c in t), -len(t), t)

    return min(counts, key=rank)


def label_group(members: list[Mention], candidates: list[Mention] | None = None) -> str:
    """Give the mentions of one node one label per page language (when they spell it
    several ways), chosen among ``candidates`` (default: all); the first language's
    label, without markup."""
    labels: dict[str, str] = {}
    for language in dict.fromkeys(m.language for m in members):
        same = [m for m in members if m.language == language]
        titles = {m.mention.title for m in same if m.mention.title}
        chosen = [m.mention.title for m in candidates or same if m.language == language]
        label = preferred_label([t for t in chosen if t] or sorted(titles)) if titles else ""
        labels[language] = label
        for m in same:
            m.mention.label = label if len(titles) > 1 else None
    return clean_name(next(iter(labels.values()), ""))


_ROLE_START = re.compile(r"^(?:co-?)?(?:host|organi[sz]er|partner)\w*\s+(?:of|in)\b", re.I)


#: Groups compared per block when looking for near-misses (keeps it linear in mentions).
BLOCK_LIMIT = 24
NEAR = 0.85  # similarity of two titles (difflib's ratio) that makes them a near-miss


def near_misses(
    reps: list[tuple[str, Mention]],
    activity: Literal["project", "event"],
    fits: Callable[[Mention, Mention], bool],
    resolution: Resolution,
) -> None:
    """Pairs of one block with similar but different titles that would otherwise have
    joined: kept apart and listed ("similar titles"), for a person to settle."""
    for i, (text_a, a) in enumerate(reps):
        # difflib caches what it learns of its second sequence: one per row, and the
        # bounds that cost least first.
        matcher = difflib.SequenceMatcher(None, "", text_a, autojunk=False)
        for text_b, b in reps[i + 1 :]:
            matcher.set_seq1(text_b)
            if text_a == text_b or matcher.real_quick_ratio() < NEAR:
                continue
            if matcher.quick_ratio() < NEAR or matcher.ratio() < NEAR:
                continue
            if all(_NUMBERED.match(w) for w in set(text_a.split()) ^ set(text_b.split())):
                continue  # "Drugs I" and "Drugs II", "Assembly 2013" and "2014": numbered
            if fits(a, b):
                titles = [clean_name(a.mention.title), clean_name(b.mention.title)]
                message = (
                    f"similar titles {titles[0]!r} and {titles[1]!r} (similarity"
                    f" {matcher.ratio():.2f}): kept apart"
                )
                resolution.id_conflicts.append(
                    IdConflict("similar titles", activity, message, [], titles, [a.ref, b.ref])
                )


def years(periods: list[Period]) -> tuple[int, int] | None:
    """The first and last year the periods name (None: no year)."""
    found = [int(v[:4]) for p in periods for v in (p.start, p.end) if v and v[:4].isdigit()]
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
    aliases: list[tuple[str, str]] = field(default_factory=list)  # other keys, with how
    language: str = "en"  # the page's: labels are chosen per language

    @property
    def ref(self) -> MentionRef:
        return MentionRef(self.file, self.mention.line, self.mention.text)
