"""Activity lines: one line -> one project or event mention, with its role and dates.

The rules, in the order they apply to a line:

1. Dates at the end of the line (or before a trailing place: "9-10 October 2014,
   Paris") are the activity's; dates inside a link label are part of the title ("Euro
   2000").
2. "Presentation at ..." is an event with role presenter; a project role (Partner /
   Pilot / Coordinator / Associate Partner of/in ...) or "Project:" makes a project;
   otherwise a day or month date or an event word (assembly, conference, seminar, ...)
   makes an event, and anything else a project. When one line names several roles, the
   strongest wins (coordinator > pilot > partner > associate-partner).
3. The first link before the dates gives the network id; links without an id or a
   label are reported.
4. A project's title is its linked label when there is one (text after it is the
   subtitle); periods of projects are years. An event's title is the first segment; the
   last segments name its place ("..., Paris, France"), or the title does ("General
   Assembly Berlin").
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

from citynet.read.dates import DateHit, find_dates, trie_regex
from citynet.read.grammar import (
    EVENT_RE,
    Warn,
    event_kind_of,
    is_country,
    looks_like_place,
    place_kind,
    tidy,
)
from citynet.read.links import DQ, Link, shift_links, split_top, strip_quotes
from citynet.read.records import ActivityMention, Period, PlaceName

_I = re.IGNORECASE

# Role words as literal phrases (lines have single spaces by then), compiled as a trie:
# a plain alternation tried at every word made this the reader's slowest regex.
_ROLE_WORDS = {
    **dict.fromkeys(
        [
            "associate partner", "associate partners", "associated partner",
            "associated partners", "partenaire associé", "partenaire associée",
            "partenaires associés", "partenaire associe", "partenaires associes",
        ],
        "associate-partner",
    ),
    **dict.fromkeys(
        [
            "lead partner", "lead partners", "coordinator", "coordinators", "co-ordinator",
            "co-ordinators", "leader", "leaders", "coordinateur", "coordinateurs",
            "coordinatrice", "coordinatrices", "chef de file",
        ],
        "coordinator",
    ),
    **dict.fromkeys(["pilot", "pilots", "pilote", "pilotes"], "pilot"),
    **dict.fromkeys(["partner", "partners", "partenaire", "partenaires"], "partner"),
}  # fmt: skip
_ROLE = re.compile(
    r"\b(?P<r>" + trie_regex(sorted(_ROLE_WORDS)) + r")\b(?P<c>\s*,|\s+(?:for\s+the\s+city\s+of"
    r"\s+[\w-]+\s+)?(?:of|in|on|to|du|de|des|dans|au|à)\b\s*(?:(?:the|le|la|les)\b\s*|l['’]\s*)?)",
    _I,
)
_ROLE_RANK = {"coordinator": 4, "pilot": 3, "partner": 2, "associate-partner": 1}
_PRESENTER = re.compile(
    r"^(?:presentation|pr[ée]sentation|intervention|speaker|speech|talk|contribution)\s+"
    r"(?:at|à|during|lors\s+d[ue]|au|in)\s+(?:the\s+(?=[a-z]))?",
    _I,
)
_PROJECT_PREFIX = re.compile(r"^(?:project|projet|proyecto)\s*:\s*", _I)
_PROJECT_WORD = re.compile(
    r"^(?:the\s+|le\s+|la\s+)?(?:european\s+|eu\s+|european\s+union\s+)?(?:project|projet)\s+"
    r"(?!:)",
    _I,
)
_TRAILING_PROJECT = re.compile(r"\s+(?:project|projet)\s*$", _I)
_SUBTITLE_SPLIT = re.compile(r"\s+[–—-]\s+")

_GENERIC_EVENT = re.compile(
    r"^(?P<t>(?:efus[’']?s?\s+)?(?i:general\s+assembly|executive\s+committee(?:\s+meeting)?"
    r"|assembl[ée]e\s+g[ée]n[ée]rale|comit[ée]\s+ex[ée]cutif))\s*(?:[–—-]\s*|\bin\s+|\bà\s+)?"
    r"(?P<p>[A-ZÀ-ÖØ-Þ][^,]*)$",
    re.IGNORECASE,
)
_DATE_GAP = re.compile(r"^[\s,;&]*(?:(?:and|et)[\s,]*)?$", _I)
_DATE_AFTER = re.compile(r"^[\s).,;:]*$")
_DATE_AFTER_PLACE = re.compile(r"^\s*,\s*(?P<p>[^\W\d_][^,\d()]{1,58}?)\s*[.;]?\s*$")
_LEAD_SEPARATORS = re.compile(r"^[\s:–—\-,]+")
_LEADING_THE = re.compile(r"^the\s+(?=[a-z])")
_LEADING_THE_QUOTED = re.compile(r"^the\s+(?=[a-z“«\"])")
_QUOTED_SUBTITLE = re.compile(r"^(?P<t>[^“«\"]+?)\s*[“«\"](?P<s>[^”»\"]+)[”»\"]$")
_LAST_BRACKET = re.compile(r"\(([^()]*)\)\s*$")


@dataclass(slots=True)
class _Role:
    """What the words before the title say: the role, where the title starts, the kind."""

    role: str | None = None
    start: int = 0  # where the title starts in the core text
    project: bool = False
    presenter: bool = False


def read_activity(
    clean: str, links: list[Link], *, ctx_role: str | None, line: int, text: str, warn: Warn
) -> ActivityMention | None:
    """The mention an activity line gives (None: it has no title; the caller warns).

    ``clean`` is the line without shortcodes, ``links`` where their labels lie in it,
    ``ctx_role`` the role of the list it is in ("host" under "Hosted"), ``text`` the
    line as written (kept in the mention).
    """
    body = clean.rstrip()
    links = shift_links(links, len(body) - len(body.lstrip()))
    body = body.strip()
    cluster, post_place = _trailing_dates(body, links)
    core_end = cluster[0].start if cluster else len(body)
    core = body[:core_end].rstrip(" ,;(–—-\t")
    periods = [h.period for h in cluster if h.period is not None]
    for h in cluster:
        if h.problem:
            warn(f"{h.problem.message}: {h.text!r}", h.problem.code, None)
    precise = any(h.precision in ("day", "month") for h in cluster if h.period)
    role = _role(core, links)
    is_event = role.presenter or (not role.project and (precise or bool(EVENT_RE.search(core))))
    id_link = _id_link(body, links, core_end, warn)
    network_id = id_link.id if id_link else None
    if is_event:
        title, subtitle, place = _event_parts(core, role.start, links, line, post_place)
        kind, event_kind = "event", event_kind_of(title, subtitle) or "other"
        role_id = role.role or ctx_role or "attendee"
    else:
        title, subtitle = _project_parts(core, role.start, links)
        kind, event_kind, place = "project", None, None
        role_id = role.role or "participant"
        periods = [_years_only(p) for p in periods]
    if not title and not network_id:
        return None
    return ActivityMention(
        kind=kind,  # type: ignore[arg-type]
        title=title,
        role=role_id,
        line=line,
        text=text,
        periods=periods,
        subtitle=subtitle or None,
        network_id=network_id,
        network_fragment=id_link.fragment if id_link else None,
        event_kind=event_kind,
        place=place,
    )


def _trailing_dates(text: str, links: list[Link]) -> tuple[list[DateHit], str | None]:
    """The dates ending the line (next to each other), and a place written after them.

    Dates inside a closed link's label belong to the title; an unclosed link has no
    known end, so its dates still count.
    """
    spans = sorted((k.start, k.end) for k in links if k.closed)
    hits = [h for h in find_dates(text) if not _in_spans(h.start, h.end, spans)]
    if not hits:
        return [], None
    j = len(hits) - 1
    cluster = [hits[j]]  # from the last date back
    while j > 0 and _DATE_GAP.match(text[hits[j - 1].end : hits[j].start]):
        j -= 1
        cluster.append(hits[j])
    cluster.reverse()
    after = text[cluster[-1].end :]
    if _DATE_AFTER.match(after):
        return cluster, None
    place = _DATE_AFTER_PLACE.match(after)
    if place and looks_like_place(place.group("p")):
        return cluster, place.group("p").strip()
    return [], None  # text after the dates: they are part of the title


def _in_spans(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) starts or ends inside one of the sorted, disjoint spans
    (a binary search, so a line with many links and dates stays linear)."""
    i = bisect.bisect_right(spans, (start, math.inf)) - 1  # the last span starting <= start
    if i >= 0 and start < spans[i][1]:
        return True
    i = bisect.bisect_left(spans, (end, -1)) - 1  # the last span starting < end
    return i >= 0 and end <= spans[i][1]


def _role(core: str, links: list[Link]) -> _Role:
    """The role words before the title (before the first link or quote)."""
    presenter = _PRESENTER.match(core)
    if presenter:
        return _Role("presenter", presenter.end(), presenter=True)
    found = _Role()
    prefix = _PROJECT_PREFIX.match(core)
    if prefix:
        found.project = True
        found.start = prefix.end()
    zone_end = min([k.start for k in links if k.start >= found.start] + [len(core)])
    quote = DQ.search(core, 0, zone_end)
    if quote is not None:
        zone_end = quote.start()
    roles: list[str] = []
    # "Partner, Pilot of ...": a role followed by a comma lists another one.
    for m in _ROLE.finditer(core, found.start, zone_end):
        roles.append(_ROLE_WORDS.get(m.group("r").lower(), "partner"))
        if not m.group("c").strip().startswith(","):
            found.start = m.end()
            break
    if roles:
        found.project = True
        found.role = max(roles, key=lambda r: _ROLE_RANK[r])
    return found


def _id_link(text: str, links: list[Link], core_end: int, warn: Warn) -> Link | None:
    """The link giving the network id; links lacking an id or a label are reported."""
    id_link = next((k for k in links if k.id and k.start < core_end), None)
    for k in links:
        if k.start >= core_end:
            continue
        label = k.label(text)
        if not k.id and label:
            message = f"link without a network id (url={k.url!r}); kept as a label only"
            warn(message, "link-no-id", k.col)
        elif k.id and not label:
            warn(f"link to id {k.id} has no label", "link-no-label", k.col)
    return id_link


def _years_only(period: Period) -> Period:
    """Projects run over years: "March 2012 - June 2014" is 2012-2014."""
    start = period.start[:4]
    end = period.end[:4] if period.end and period.end[:4] != start else None
    return Period(start, end, period.text)


def _project_parts(core: str, start: int, links: list[Link]) -> tuple[str, str | None]:
    """(title, subtitle) of a project: the linked label and what follows it, else the
    text without "Project"/"the", split at a quoted part or a dash."""
    label_link = next((k for k in links if k.start >= start and k.label(core)), None)
    if label_link is not None:
        title = strip_quotes(label_link.label(core))
        after = core[label_link.end :]
        after = _LEAD_SEPARATORS.sub("", after)
        after = _TRAILING_PROJECT.sub("", after)
        return tidy(title), tidy(strip_quotes(after)) or None
    zone = _PROJECT_WORD.sub("", core[start:].strip())
    zone = _LEADING_THE_QUOTED.sub("", zone)
    zone = _TRAILING_PROJECT.sub("", zone).strip(" ,;")
    zone = strip_quotes(zone)
    quoted = _QUOTED_SUBTITLE.match(zone)
    if quoted:  # GOAL Project “Preventing violence in sport”
        return tidy(quoted.group("t")), tidy(quoted.group("s"))
    parts = _SUBTITLE_SPLIT.split(zone, maxsplit=1)
    title = tidy(strip_quotes(parts[0]))
    if len(parts) == 2:
        return title, tidy(strip_quotes(parts[1])) or None
    return title, None


def _event_parts(
    core: str, start: int, links: list[Link], line: int, post_place: str | None
) -> tuple[str, str | None, PlaceName | None]:
    """(title, subtitle, place) of an event: comma-separated segments (outside link
    labels), the first the title, the last ones its place, the rest the subtitle."""
    zone = core[start:]
    spans = [(k.start - start, k.end - start) for k in links if k.start >= start]
    segments = [s.strip() for _, s in split_top(zone, ",", spans)]
    segments = [s for s in segments if s]
    if not segments:
        return "", None, None
    title, rest = segments[0], segments[1:]
    title, title_place = _place_in_title(title, bool(rest), post_place)
    if post_place:
        rest = [*rest, post_place]
    city, country, extra = _place_at_end(rest)
    if city is None and title_place:
        city = title_place
    if city and "(" in city:  # "Berlin (Germany)"
        inner = _LAST_BRACKET.search(city)
        if inner and country is None:
            country = inner.group(1).strip()
        city = city[: city.index("(")].strip()
    title = _LEADING_THE.sub("", tidy(title)).strip()
    subtitle = ", ".join(tidy(e) for e in extra if tidy(e)) or None
    place: PlaceName | None = None
    if city:
        place = PlaceName(name=tidy(city), country=country, line=line, kind=place_kind(city))  # type: ignore[arg-type]
    elif country:
        place = PlaceName(name=country, country=country, line=line, kind="country")
    return title, subtitle, place


def _place_in_title(title: str, has_rest: bool, post_place: str | None) -> tuple[str, str | None]:
    """A generic event title followed by its place ("Assemblée Générale – Gênes",
    "General assembly Berlin (Germany)") -> (the title, the place)."""
    generic = _GENERIC_EVENT.match(title)
    if not (generic and (has_rest or post_place is None)):
        return title, None
    place = generic.group("p").strip()
    if looks_like_place(_without_bracket_tail(place)):
        return generic.group("t").strip(), place
    return title, None


def _without_bracket_tail(text: str) -> str:
    r""" "Berlin (Germany)" -> "Berlin": from the first bracket on, when the text ends with
    one (a string search, where the pattern ``\s*\(.*\)$`` rescans from every bracket)."""
    start = text.find("(")
    return text[:start].rstrip() if start >= 0 and text.endswith(")") else text


def _place_at_end(rest: list[str]) -> tuple[str | None, str | None, list[str]]:
    """(city, country, the other segments) from an event's segments after its title:
    "..., Paris, France", "..., France", "..., Paris"."""
    if rest and is_country(rest[-1]):
        if len(rest) >= 2 and looks_like_place(rest[-2]):
            return rest[-2], rest[-1], rest[:-2]
        return None, rest[-1], rest[:-1]
    if rest and looks_like_place(rest[-1]):
        return rest[-1], None, rest[:-1]
    return None, None, rest
