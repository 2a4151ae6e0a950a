"""Projects: which project mentions on the pages are one project, and its key.

1. The network id: mentions linking one id are one project, unless the id links
   different titles; then no mention is keyed by it (an ``id-conflict``), and only
   mentions with the same id and title are joined.
2. The normalised title (:func:`project_title_key`): mentions join when their periods
   overlap (a mention without a period fits any), no page gives the group two periods,
   and their ids do not disagree (equal titles with different ids stay apart: a
   "possible duplicate").
3. Keys: ``project/{id}`` when one id names the project, else the title's slug; keys
   that clash get the first year, then a number.
"""

from __future__ import annotations

import re
from collections import defaultdict

from citynet.common import iris
from citynet.read.records import PageRecord
from citynet.resolve.gazetteer import clean_name
from citynet.resolve.mentions import (
    BLOCK_LIMIT,
    Mention,
    acronym_keys,
    label_group,
    near_misses,
    project_title_key,
    unused_key,
    years,
)
from citynet.resolve.result import IdConflict, MergeGroup, Resolution

_ID = re.compile(r"^[0-9]{1,12}$")


def _period_text(span: tuple[int, int] | None) -> str:
    if span is None:
        return "no period"
    return str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"


class _Groups:
    """Union-find over mentions, keeping each group's members, merge reasons and summary.

    The summary makes a merge check constant-time: the common part of the group's
    periods (periods overlap pairwise exactly when they all share a year), each page's
    periods, and the network ids.
    """

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = mentions  # by index
        self.parent = list(range(len(mentions)))
        # Kept for groups of two or more mentions only (most mentions stay alone, and
        # a dict and two sets per mention were a third of a 100,000-page resolution's
        # memory); a lone mention's are derived from it.
        self.members: dict[int, list[Mention]] = {}
        self.reasons: dict[int, list[str]] = defaultdict(list)
        self.common: dict[int, tuple[int, int] | None] = {}
        self.pages: dict[int, dict[str, set[tuple[int, int]]]] = {}
        self.ids: dict[int, set[str]] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def _members(self, root: int) -> list[Mention]:
        return self.members.get(root) or [self.mentions[root]]

    def _common(self, root: int) -> tuple[int, int] | None:
        return self.common[root] if root in self.common else self.mentions[root].span

    def _pages(self, root: int) -> dict[str, set[tuple[int, int]]]:
        if root in self.pages:
            return self.pages[root]
        m = self.mentions[root]
        return {m.file: {m.span}} if m.span else {}

    def ids_of(self, root: int) -> set[str]:
        if root in self.ids:
            return self.ids[root]
        m = self.mentions[root]
        return {m.network_id} if m.network_id else set()

    def fits(self, ra: int, rb: int) -> bool:
        """Periods of the two groups overlap and no page gives one of them two periods."""
        a, b = self._common(ra), self._common(rb)
        if a and b and max(a[0], b[0]) > min(a[1], b[1]):
            return False
        pages_a, pages_b = self._pages(ra), self._pages(rb)
        for file in pages_a.keys() & pages_b.keys():
            if len(pages_a[file] | pages_b[file]) > 1:
                return False  # one page listing two periods lists two projects
        return True

    def union(self, a: int, b: int, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members.setdefault(ra, [self.mentions[ra]]).extend(self._members(rb))
        self.members.pop(rb, None)
        common_a, common_b = self._common(ra), self._common(rb)
        self.common.pop(rb, None)
        if common_a and common_b:
            self.common[ra] = (max(common_a[0], common_b[0]), min(common_a[1], common_b[1]))
        else:
            self.common[ra] = common_a or common_b
        pages = self.pages[ra] = self._pages(ra)
        for file, spans in self._pages(rb).items():
            pages.setdefault(file, set()).update(spans)
        self.pages.pop(rb, None)
        self.ids[ra] = self.ids_of(ra) | self.ids_of(rb)
        self.ids.pop(rb, None)
        reasons = self.reasons[ra]
        for r in [reason, *self.reasons.pop(rb, [])]:
            if r not in reasons:
                reasons.append(r)

    def groups(self) -> list[list[Mention]]:
        return [
            sorted(self._members(root), key=lambda m: m.index)
            for root, parent in enumerate(self.parent)
            if root == parent
        ]


def resolve_projects(records: list[PageRecord], resolution: Resolution) -> None:
    """Key every project mention of the records (in place), reporting merges and conflicts."""
    mentions = [
        Mention(
            i,
            r.path,
            a,
            project_title_key(a.title),
            years(a.periods),
            a.network_id if a.network_id and _ID.match(a.network_id) else None,
            acronym_keys(a.title, a.subtitle),
            r.language,
        )
        for i, (r, a) in enumerate(
            (r, a) for r in records for a in r.activities if a.kind == "project"
        )
    ]
    groups = _Groups(mentions)
    conflicted = _join_by_id(mentions, groups, resolution)
    _join_by_title(mentions, groups, conflicted, resolution)
    _near_misses(mentions, groups, resolution)
    _key_projects(groups, conflicted, resolution)


def _join_by_id(mentions: list[Mention], groups: _Groups, resolution: Resolution) -> set[str]:
    """One project per network id, unless the id links different titles: those ids
    (returned) key no project, and only their mentions with equal titles join."""
    by_id: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.network_id:
            by_id[m.network_id].append(m)
    conflicted: set[str] = set()
    for network_id, same in sorted(by_id.items()):
        # A link with the id but no label ([link url=”4242″][/link]) names no other
        # project: it joins the id, whose label comes from the pages that give one (B8).
        if len({m.title_key for m in same if m.title_key}) <= 1:
            for m in same[1:]:
                groups.union(same[0].index, m.index, f"same network id {network_id}")
            continue
        conflicted.add(network_id)
        _report_id_conflict(network_id, same, resolution)
        for title in sorted({m.title_key for m in same}):
            with_title = [m for m in same if m.title_key == title]
            for m in with_title[1:]:
                groups.union(
                    with_title[0].index,
                    m.index,
                    f"same network id {network_id} and same normalised title",
                )
    return conflicted


def _report_id_conflict(network_id: str, same: list[Mention], resolution: Resolution) -> None:
    titles = {m.title_key for m in same}
    shown = sorted({clean_name(m.mention.title) for m in same})
    message = (
        f"network id {network_id} links {len(titles)} different projects"
        f" ({'; '.join(shown)}): none of them is keyed by it"
    )
    refs = [m.ref for m in same]
    conflict = IdConflict(
        "same id, different titles", "project", message, [network_id], shown, refs
    )
    resolution.id_conflicts.append(conflict)
    for m in same:
        resolution.warn(m.file, m.mention.line, m.mention.text, message, "id-conflict")


def _join_by_title(
    mentions: list[Mention], groups: _Groups, conflicted: set[str], resolution: Resolution
) -> None:
    """Mentions sharing a key (the normalised title, an acronym, what an acronym stands
    for) join when their periods fit and their ids (other than conflicted ones) do not
    disagree. Each key is a block: nothing is compared across blocks."""
    by_key: dict[str, list[tuple[Mention, str]]] = defaultdict(list)
    for m in mentions:
        if m.title_key:
            by_key[m.title_key].append((m, "normalised title"))
        for key, how in m.aliases:
            if key != m.title_key:
                by_key[key].append((m, how))
    reported: set[tuple[str, ...]] = set()
    for key, same in sorted(by_key.items()):
        # The first mention of each group met so far with this key stands for it.
        seen: list[tuple[Mention, str]] = []
        for b, how_b in same:
            for a, how_a in seen:
                ra, rb = groups.find(a.index), groups.find(b.index)
                if ra == rb:
                    continue
                ids = (groups.ids_of(ra) | groups.ids_of(rb)) - conflicted
                if len(ids) > 1:
                    pair = tuple(sorted(ids))
                    if pair not in reported:
                        reported.add(pair)
                        _report_possible_duplicate(a, b, pair, resolution)
                    continue
                if groups.fits(ra, rb):
                    groups.union(a.index, b.index, _title_reason(key, a, how_a, b, how_b))
            if all(groups.find(a.index) != groups.find(b.index) for a, _ in seen):
                seen.append((b, how_b))


def _title_reason(key: str, a: Mention, how_a: str, b: Mention, how_b: str) -> str:
    if a.span and b.span:
        how = f"overlapping period ({_period_text(a.span)}, {_period_text(b.span)})"
    else:
        how = "no period on one mention"
    if how_a == how_b == "normalised title":
        return f"same normalised title {key!r} and {how}"
    return (
        f"{key!r} is the {how_a} of {a.file}:{a.mention.line} and the {how_b} of"
        f" {b.file}:{b.mention.line}, and {how}"
    )


def _near_misses(mentions: list[Mention], groups: _Groups, resolution: Resolution) -> None:
    """Similar titles kept apart (a letter or a word off, periods that fit): listed for a
    person to settle. Compared within blocks of one first three letters, a few groups
    each."""
    blocks: dict[str, dict[int, Mention]] = defaultdict(dict)
    for m in mentions:
        if m.title_key:
            blocks[m.title_key[:3]].setdefault(groups.find(m.index), m)
    for block in blocks.values():
        reps = [(m.title_key, m) for m in list(block.values())[:BLOCK_LIMIT]]
        near_misses(reps, "project", lambda a, b: _apart_but_fit(groups, a, b), resolution)


def _apart_but_fit(groups: _Groups, a: Mention, b: Mention) -> bool:
    ra, rb = groups.find(a.index), groups.find(b.index)
    return ra != rb and groups.fits(ra, rb) and len(groups.ids_of(ra) | groups.ids_of(rb)) < 2


def _report_possible_duplicate(
    a: Mention, b: Mention, pair: tuple[str, ...], resolution: Resolution
) -> None:
    shown = clean_name(a.mention.title)
    message = (
        f"same title {shown!r} with different network ids"
        f" {', '.join(pair)}: possible duplicate, kept apart"
    )
    resolution.id_conflicts.append(
        IdConflict("possible duplicate", "project", message, list(pair), [shown], [a.ref, b.ref])
    )
    resolution.warn(b.file, b.mention.line, b.mention.text, message, "possible-duplicate")


def _key_projects(groups: _Groups, conflicted: set[str], resolution: Resolution) -> None:
    """Keys: the network id when it names this project only, else the title; keys that
    clash are told apart by the first year."""
    keyed: list[tuple[str, list[Mention]]] = []
    for members in groups.groups():
        ids = groups.ids_of(groups.find(members[0].index)) - conflicted
        title = members[0].title_key or clean_name(members[0].mention.title) or "untitled"
        if len(ids) == 1:
            keyed.append((iris.project_path(title, next(iter(ids))), members))
        else:
            keyed.append((_title_path(title), members))
    counts: dict[str, int] = defaultdict(int)
    for key, _ in keyed:
        counts[key] += 1
    used: set[str] = set()
    for key, members in keyed:
        if counts[key] > 1:
            # Same title (or a long title cut to the same slug), periods apart or kept
            # apart by ids: tell them apart by the first year.
            span = years([p for m in members for p in m.mention.periods])
            key = f"{key}-{span[0] if span else 'undated'}"
        key = unused_key(key, used)
        used.add(key)
        label = label_group(members)
        for m in members:
            m.mention.key = key
        if len(members) > 1:
            reasons = groups.reasons.get(groups.find(members[0].index), [])
            refs = [m.ref for m in members]
            resolution.merges[key] = MergeGroup(key, "project", label, reasons, refs)


def _title_path(title: str) -> str:
    path = iris.project_path(title)
    # A title that slugs to digits only must not look like a network id.
    return path if not path.removeprefix("project/").isdigit() else f"project/p-{path[8:]}"
