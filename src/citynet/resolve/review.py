"""Open questions of a build, for a person to work through with the decisions file.

Read from the ``resolution`` part of a build's report.json (plain JSON, so a review
needs no rebuild): names whose candidates the evidence did not tell apart, names left
unresolved, and events or projects possibly the same. Most consequential first: a
member city's identity, then a twin's, then an event's place, then duplicates; each
with the page line and the exact TOML to paste into ``decisions.toml`` to settle it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

_ROLE_ORDER = {"city": 0, "twin": 1, "event place": 2}


@dataclass(frozen=True, slots=True)
class Question:
    rank: tuple[int, float, str, int]
    kind: str  # "ambiguous place", "unresolved place", "possible duplicate"
    where: str  # "liege.txt:29"
    summary: str
    options: list[str]
    paste: str  # the TOML that settles it (the first option filled in)

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "rank"}

    def as_text(self) -> str:
        options = "".join(f"\n    - {o}" for o in self.options)
        paste = "".join(f"\n    {line}" for line in self.paste.splitlines())
        return f"{self.where}: {self.kind}: {self.summary}{options}\n  paste:{paste}"


def _place_toml(file: str, line: int, name: str, settle: str) -> str:
    page = file.rsplit("/", 1)[-1]
    return (
        f"[[place]]\npage = {json.dumps(page)}\nline = {line}\nname = {json.dumps(name)}\n{settle}"
    )


def _ambiguous(item: dict[str, Any]) -> Question:
    candidates = item.get("candidates") or []
    options = [
        f"GeoNames {c['geonames_id']}: {c['name']}, {c['country_code']}, population"
        f" {c['population']} (score {c['score']})"
        for c in candidates
    ]
    chosen = item.get("geonames_id")
    return Question(
        (
            _ROLE_ORDER.get(item["role"], 3),
            float(item.get("confidence", 0)),
            item["file"],
            item["line"],
        ),
        "ambiguous place",
        f"{item['file']}:{item['line']}",
        f"{item['role']} {item['name']!r}: took GeoNames {chosen} with confidence"
        f" {item.get('confidence')}",
        options,
        _place_toml(item["file"], item["line"], item["name"], f"geonames = {chosen}"),
    )


def _unresolved(item: dict[str, Any]) -> Question:
    return Question(
        (_ROLE_ORDER.get(item["role"], 3), 1.0, item["file"], item["line"]),
        "unresolved place",
        f"{item['file']}:{item['line']}",
        f"{item['role']} {item['name']!r}: {item['reason']}",
        ["a GeoNames id (look the place up on geonames.org)", "not a place"],
        _place_toml(item["file"], item["line"], item["name"], "not_a_place = true"),
    )


def _duplicate(item: dict[str, Any]) -> Question:
    refs = [f"{m['file'].rsplit('/', 1)[-1]}:{m['line']}" for m in item["mentions"]]
    first = item["mentions"][0]
    listed = ", ".join(json.dumps(r) for r in refs)
    return Question(
        (4, 1.0, first["file"], first["line"]),
        item["kind"],
        f"{first['file']}:{first['line']}",
        item["message"],
        ["the same (paste as is)", "different (paste with [[different]])"],
        f"[[same]]\nmentions = [{listed}]",
    )


def open_questions(resolution: dict[str, Any]) -> list[Question]:
    """The open questions of a build's resolution report, most consequential first."""
    questions = [
        _ambiguous(item)
        for item in resolution.get("identities", [])
        if item.get("decided_by") == "resolver" and not item.get("clear", True)
    ]
    questions += [
        _unresolved(item)
        for item in resolution.get("unresolved", [])
        if item.get("kind") == "city" and item.get("role") != "city"
    ]
    questions += [
        _duplicate(item)
        for item in resolution.get("id_conflicts", [])
        if item.get("kind") in ("possible duplicate", "similar titles")
        and item.get("mentions")
        and not item.get("settled_by")
    ]
    return sorted(questions, key=lambda q: q.rank)
