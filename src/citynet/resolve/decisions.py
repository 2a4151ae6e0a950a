"""A curator's decisions: fix what the resolver decided, once, and have it stick.

A TOML file (the standard library's ``tomllib``), given with ``citynet build --decisions
FILE`` or found beside the pages as ``decisions.toml``: ``[[place]]`` (this name is
GeoNames id N, or not a place), ``[[same]]`` and ``[[different]]`` (projects or events),
each naming mentions by page and line or by text. docs/resolution.md shows the format.
Decisions win over the resolver and are reported with the file and line that made them;
one that matches nothing is a ``file:line`` warning.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citynet.errors import InputError
from citynet.read.records import ActivityMention, PageRecord, PageWarning
from citynet.resolve.gazetteer import name_key
from citynet.resolve.mentions import Mention, label_group, unused_key
from citynet.resolve.result import MentionRef, MergeGroup, Resolution

DEFAULT_NAME = "decisions.toml"
_HEADER = re.compile(r"^\s*\[\[\s*(place|same|different)\s*\]\]")
_REF = re.compile(r"^(?P<page>.+):(?P<line>[0-9]+)$")


@dataclass(slots=True)
class PlaceDecision:
    where: str  # "decisions.toml:12"
    page: str | None
    line: int | None
    name: str | None
    geonames: int | None
    not_a_place: bool
    used: int = 0

    def matches(self, file: str, line: int | None, name: str) -> bool:
        return (
            (self.page is None or _same_page(file, self.page))
            and (self.line is None or self.line == line)
            and (self.name is None or name_key(self.name) == name_key(name))
        )


@dataclass(slots=True)
class GroupDecision:
    where: str
    same: bool
    refs: list[str]
    used: int = 0


@dataclass(slots=True)
class Decisions:
    """The decisions of one file, and which of them matched something."""

    path: str
    places: list[PlaceDecision] = field(default_factory=list)
    groups: list[GroupDecision] = field(default_factory=list)
    warnings: list[PageWarning] = field(default_factory=list)

    def place_for(self, file: str, line: int | None, name: str) -> PlaceDecision | None:
        """The first place decision naming this mention (marked as used)."""
        for decision in self.places:
            if decision.matches(file, line, name):
                decision.used += 1
                return decision
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "places": [
                {
                    "where": d.where,
                    "geonames": d.geonames,
                    "not_a_place": d.not_a_place,
                    "matched": d.used,
                }
                for d in self.places
            ],
            "groups": [
                {"where": g.where, "same": g.same, "mentions": g.refs, "matched": g.used}
                for g in self.groups
            ],
            "warnings": [str(w) for w in self.warnings],
        }


def _same_page(file: str, page: str) -> bool:
    return file == page or file.endswith("/" + page) or Path(file).name == page


def find_default(inputs: list[Path]) -> Path | None:
    """``decisions.toml`` in (or beside) the first input folder or file, if there is one."""
    for item in inputs:
        folder = item if item.is_dir() else item.parent
        candidate = folder / DEFAULT_NAME
        if candidate.is_file():
            return candidate
    return None


def load(path: Path) -> Decisions:
    """Read a decisions file; a malformed one is a one-line ``InputError``."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as error:
        raise InputError(f"{path}: cannot read the decisions: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not a valid TOML decisions file: {error}") from None
    lines: dict[str, list[int]] = {"place": [], "same": [], "different": []}
    for number, line in enumerate(text.splitlines(), 1):
        if found := _HEADER.match(line):
            lines[found[1]].append(number)
    decisions = Decisions(str(path))
    unknown = set(data) - set(lines)
    if unknown:
        raise InputError(
            f"{path}: unknown decision kind(s) {sorted(unknown)}; use"
            " [[place]], [[same]] or [[different]]"
        )
    for index, entry in enumerate(data.get("place", [])):
        decisions.places.append(_place(entry, _where(path, lines["place"], index)))
    for kind in ("same", "different"):
        for index, entry in enumerate(data.get(kind, [])):
            where = _where(path, lines[kind], index)
            refs = entry.get("mentions")
            listed = isinstance(refs, list) and all(isinstance(r, str) for r in refs)
            if not listed or len(refs) < 2:
                raise InputError(f"{where}: 'mentions' must list two or more mentions")
            decisions.groups.append(GroupDecision(where, kind == "same", refs))
    return decisions


def _where(path: Path, lines: list[int], index: int) -> str:
    return f"{path}:{lines[index]}" if index < len(lines) else str(path)


def _place(entry: dict[str, Any], where: str) -> PlaceDecision:
    geonames = entry.get("geonames")
    not_a_place = bool(entry.get("not_a_place", False))
    if (geonames is None) == (not not_a_place):
        raise InputError(f"{where}: a place decision gives either 'geonames' or 'not_a_place'")
    if geonames is not None and not isinstance(geonames, int):
        raise InputError(f"{where}: 'geonames' must be a GeoNames id (a number)")
    decision = PlaceDecision(
        where, entry.get("page"), entry.get("line"), entry.get("name"), geonames, not_a_place
    )
    if decision.name is None and (decision.page is None or decision.line is None):
        raise InputError(f"{where}: name the mention by 'page' and 'line', or by 'name'")
    return decision


# -- projects and events ------------------------------------------------------------------


def _mentions(records: list[PageRecord]) -> Iterator[tuple[PageRecord, ActivityMention]]:
    for record in records:
        for activity in record.activities:
            yield record, activity


def _find(ref: str, records: list[PageRecord]) -> list[tuple[PageRecord, ActivityMention]]:
    """The mentions a reference names: "page:line", else a title as written."""
    found = _REF.match(ref)
    if found:
        page, line = found["page"], int(found["line"])
        return [
            (r, a) for r, a in _mentions(records) if a.line == line and _same_page(r.path, page)
        ]
    key = name_key(ref)
    return [(r, a) for r, a in _mentions(records) if name_key(a.title) == key]


def apply_groups(records: list[PageRecord], resolution: Resolution) -> None:
    """The curator's "same" and "different" decisions, over the resolver's keys."""
    decisions: Decisions | None = resolution.curator
    if decisions is None or not decisions.groups:
        return
    used = {a.key for _, a in _mentions(records) if a.key}
    for group in decisions.groups:
        found = [hit for ref in group.refs for hit in _find(ref, records)]
        if len(found) < 2:
            continue
        group.used = len(found)
        refs = [MentionRef(r.path, a.line, a.text) for r, a in found]
        lines = {(m.file, m.line) for m in refs}
        for conflict in resolution.id_conflicts:
            if (
                conflict.settled_by is None
                and {(m.file, m.line) for m in conflict.mentions} <= lines
            ):
                conflict.settled_by = group.where
        if group.same:
            key = found[0][1].key or ""
            for _, activity in found:
                activity.key = key
            merge = resolution.merges.setdefault(
                key, MergeGroup(key, found[0][1].kind, found[0][1].title, [], [])
            )
            merge.mentions.extend(m for m in refs if m not in merge.mentions)
            merge.reasons.append(f"{group.where}: the curator says these are one")
            same = [(r, a) for r, a in _mentions(records) if a.key == key]
            label_group([Mention(0, r.path, a, "", None, language=r.language) for r, a in same])
        else:
            seen: set[str] = set()
            for _, activity in found:
                if activity.key in seen:
                    activity.key = unused_key(activity.key or "", used)
                    used.add(activity.key)
                seen.add(activity.key or "")


def report_unmatched(decisions: Decisions, pages: list[str]) -> None:
    """A decision that named nothing on these pages: a warning at its line. One naming
    only pages that are not built (one page of a folder) is out of scope, not stale."""
    for decision in [*decisions.places, *decisions.groups]:
        if decision.used or not _in_scope(decision, pages):
            continue
        file, _, line = decision.where.rpartition(":")
        decisions.warnings.append(
            PageWarning(
                file if line.isdigit() else decision.where,
                int(line) if line.isdigit() else 0,
                "",
                "this decision matches no mention on the pages (remove it or fix its"
                " page, line or name)",
                code="decision-unmatched",
            )
        )


def _in_scope(decision: PlaceDecision | GroupDecision, pages: list[str]) -> bool:
    if isinstance(decision, PlaceDecision):
        named = [decision.page] if decision.page else []
    else:
        found = [_REF.match(ref) for ref in decision.refs]
        named = [m["page"] for m in found if m] if all(found) else []
    return not named or any(_same_page(file, page) for file in pages for page in named)
