"""Twin lists: a "Twinned with:" value or list item -> :class:`Twin` records.

Names are split as written, never resolved here: "Dayton (Ohio, United States of
America)" is city "Dayton", region "Ohio", country "United States of America". The forms
the pages use:

- "Germany: Bremen, Jena": one country for a group of twins;
- "Bremen (Germany), Turku (Finland) and Lille (France)": a country (and region) in
  brackets after each name; "Bremen, Rostock (Germany)": names waiting for the next
  bracket's country;
- "Bremen, Germany; Turku, Finland" (or one bulleted item "Bremen, Germany"): the comma
  separates name, region and country, the semicolon the twins;
- "Turku (since 1978)": the year the twinning began.
"""

from __future__ import annotations

import re

from citynet.read.grammar import Warn, is_country, place_kind, tidy
from citynet.read.limits import MAX_LIST_ITEMS
from citynet.read.links import brackets_balanced, split_and, split_top, strip_quotes
from citynet.read.placewords import REGION_NAMES, fold
from citynet.read.records import PlaceName, Twin

_I = re.IGNORECASE
# "(since 1978)", "since 1978", "(1978)" at the end of an item. No leading \s* and no
# two optional spaces side by side: a search stays linear whatever the item holds.
_SINCE_TWIN = re.compile(
    r"(?:\(\s*)?\b(?:since|depuis|seit|desde)\s+(?P<y>[12]\d{3})\s*(?:\)\s*)?$"
    r"|\((?P<y2>[12]\d{3})\)\s*$",
    _I,
)
# Words in brackets that qualify the name rather than place it: "Turku (city)".
_QUALIFIERS = frozenset(("ville", "city", "town", "stad", "stadt", "ciudad", "cidade", "città"))
#: City friendships and partnerships are not twinnings (the reader warns, maps nothing).
FRIENDSHIP = re.compile(
    r"\b(?:friendships?|freundschaft\w*|amitiés?|partner\s+cities|partnership\s+agreements?"
    r"|cooperation\s+agreements?)\b",
    _I,
)
_COUNTRY_PREFIX = re.compile(r"^([^:()]{2,40}):\s*(.+)$")
_BRACKETS = re.compile(r"\(([^()]*)\)")
_COUNTRY_GROUP = re.compile(r"^(?P<c>[^:()\d]{2,40}):\s*(?P<rest>.+)$")


def read_twin_list(text: str, *, bulleted: bool, line: int, warn: Warn) -> list[Twin]:
    """The twins ``text`` names (none: the caller says the line has no city name)."""
    group = _COUNTRY_GROUP.match(text)
    if group and is_country(group.group("c")):
        return _country_group(group.group("c").strip(), group.group("rest"), line, warn)
    has_brackets = "(" in text
    if bulleted and not has_brackets:
        return _twins_of([text.strip(" ,;.")], line, True, False, warn)
    comma_form = not has_brackets and ";" in text
    items: list[str] = []
    for _, piece in split_top(text, ";" if comma_form else ",;"):
        items.extend([piece] if comma_form else split_and(piece))
    return _twins_of(_at_most(items, warn), line, comma_form, has_brackets, warn)


def _at_most(items: list[str], warn: Warn) -> list[str]:
    """The first :data:`MAX_LIST_ITEMS` items; a ``limit`` warning counts the others."""
    if len(items) <= MAX_LIST_ITEMS:
        return items
    message = f"{len(items) - MAX_LIST_ITEMS} more twins on this line not read"
    warn(f"{message} (limit {MAX_LIST_ITEMS} a line)", "limit", None)
    return items[:MAX_LIST_ITEMS]


def _country_group(country: str, rest: str, line: int, warn: Warn) -> list[Twin]:
    """A country group ("Germany: Bremen, Jena"): one country for every name of it."""
    found = []
    names = [name for _, piece in split_top(rest, ",;") for name in split_and(piece)]
    for name in _at_most(names, warn):
        twin = parse_twin(name.strip(" ,;."), line, comma_form=False)
        if twin is not None:
            twin.place.country = twin.place.country or country
            found.append(twin)
    return found


def _twins_of(
    items: list[str], line: int, comma_form: bool, has_brackets: bool, warn: Warn
) -> list[Twin]:
    """One twin per item; names without brackets take the next bracketed twin's country
    ("Bremen, Rostock (Germany)")."""
    found: list[Twin] = []
    pending: list[Twin] = []  # names waiting for a group's country
    for item in items:
        item = item.strip().strip(" ,;.").strip()
        if not item:
            continue
        if not brackets_balanced(item):
            warn(f"twin entry with an unclosed bracket: {item!r}", "cut-off", None)
            continue
        twin = parse_twin(item, line, comma_form=comma_form)
        if twin is None:
            continue
        if has_brackets and not comma_form and "(" not in item and twin.place.country is None:
            pending.append(twin)
        elif pending and twin.place.country is not None:
            for p in pending:
                p.place.country = twin.place.country
                p.place.region = p.place.region or twin.place.region
            pending = []
        found.append(twin)
    return found


def parse_twin(item: str, line: int, *, comma_form: bool) -> Twin | None:
    """One list item -> a twin with its place as written (None: no name in it)."""
    since: int | None = None
    m = _SINCE_TWIN.search(item)
    core = item
    if m:
        since = int(m.group("y") or m.group("y2"))
        core = item[: m.start()].strip()
    name, region, country = core, None, None
    group = _COUNTRY_PREFIX.match(core)
    if group and is_country(group.group(1)):  # "Germany: Bremen"
        name, country = group.group(2), group.group(1).strip()
    elif "(" in core:
        name, region, country = _bracketed_place(core)
    elif comma_form:
        name, region, country = _comma_place(core)
    name = tidy(strip_quotes(name))
    if not name:
        return None
    kind = place_kind(name)
    place = PlaceName(name, country or None, region or None, line, kind=kind)  # type: ignore[arg-type]
    return Twin(place=place, since=since, line=line, text=item)


def _bracketed_place(core: str) -> tuple[str, str | None, str | None]:
    """Name, region, country of "Dayton (Ohio, United States)"; the last bracket places
    the name, earlier ones stay in it ("Frankfurt (Oder) (Germany)")."""
    region: str | None = None
    country: str | None = None
    name = core[: core.index("(")].strip()
    groups = _BRACKETS.findall(core, core.index("("))
    # A bracket of separators only ("Bremen (,)") places nothing.
    groups = [g.strip() for g in groups if g.strip(" ,") and fold(g) not in _QUALIFIERS]
    tail = core[core.rindex(")") + 1 :].strip() if ")" in core else ""
    if groups:
        parts = [p.strip() for p in groups[-1].split(",") if p.strip()]
        if len(parts) >= 2:
            region, country = ", ".join(parts[:-1]), parts[-1]
        elif fold(parts[0]) in REGION_NAMES and not is_country(parts[0]):
            region = parts[0]
        else:
            country = parts[0]
        extra = groups[:-1]
        if extra:
            name = f"{name} ({') ('.join(extra)})"
    if tail:
        name = f"{name} {tail}".strip()
    return name, region, country


def _comma_place(core: str) -> tuple[str, str | None, str | None]:
    """Name, region, country of "Dayton, Ohio, United States"."""
    parts = [p.strip() for p in core.split(",") if p.strip()]
    name = parts[0] if parts else ""
    if len(parts) == 2:
        return name, None, parts[1]
    if len(parts) >= 3:
        return name, ", ".join(parts[1:-1]), parts[-1]
    return name, None, None
