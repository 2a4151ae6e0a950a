"""Fuzzing the page reader and the mapping with pages built from the real page grammar.

Pages are generated from the variants the bundled pages and the corpus show (headers,
numbered headings, labels, population forms, twin lists inline and bulleted, activity
lines with every shortcode quoting, event lines with every date form), then damaged at
random: lines cut, fields and lines swapped, stray shortcode pieces, random Unicode
(NUL, BEL, U+2028, U+FEFF, lone surrogates, combining marks, CR), NFD, CRLF and a BOM.

Properties (issue 8, "fuzzing"):

1. ``citynet.read.pages.read_text`` never raises;
2. every non-blank line of the (normalised) text is in ``PageRecord.line_kinds``, as a
   fact or structure kind, or as ``"warning"`` with a PageWarning on that line;
3. resolving and mapping the record gives quads that pyoxigraph serialises and parses
   back to the same quads (TriG and N-Quads), whose literals have their XML Schema
   lexical forms and whose minted IRIs are plain slug paths.

The hypothesis profile ``citynet-fuzz`` has no deadline (resolution opens the gazetteer
index once) and CITYNET_FUZZ_EXAMPLES examples per property (default 60).
"""

from __future__ import annotations

import os
import unicodedata

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdf_checks import check_literal

from citynet.common.iris import is_safe_path
from citynet.graph.build import build_graph
from citynet.graph.steps import has_content
from citynet.graph.vocab import CN, DEFAULT_BASE_IRI
from citynet.read.pages import LINE_KINDS, WARNING_CODES, normalize_text, read_text
from citynet.read.records import PlaceName

settings.register_profile(
    "citynet-fuzz",
    deadline=None,
    max_examples=int(os.environ.get("CITYNET_FUZZ_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("citynet-fuzz")

# -- the grammar of the real pages ----------------------------------------------------------

CITIES = [
    "Liège", "Plzeň", "Köln", "Aix-la-Chapelle", "San Sebastián", "l'Hospitalet", "Kraków",
    "Saint-Denis", "Xàbia", "Nantes", "Porto", "Gdańsk", "Las Palmas de Gran Canaria",
    "Esch-sur-Alzette", "Lubumbashi", "Dayton", "Bytów", "Winterthur",
]  # fmt: skip
COUNTRIES = [
    "Belgium", "France", "Germany", "Czech Republic", "Spain", "Poland", "R.D.Congo",
    "Sénégal", "Allemagne", "United States of America", "Portugal", "Switzerland",
]  # fmt: skip
REGIONS = ["Ohio", "Bavaria", "Saxony-Anhalt", "Canary Islands", "England"]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "juin", "juillet", "mai", "décembre",
]  # fmt: skip
TITLES = [
    "Goal Project", "Citizens, Cities and CCTV", "Drugs Network", "Safer Cities",
    "Conference on Local Safety Audits", "Workgroup ‘Prevention of urban insecurity’",
    "“Cities Against Terrorism”", "Crime Prevention in Europe",
]  # fmt: skip
EVENTS = [
    "General Assembly", "Executive Committee", "International Conference on Safety",
    "Seminar on mediation", "Final conference of the", "Debate on collective violence",
]  # fmt: skip
ROLES = ["Partner of the", "Pilot of the", "Coordinator of the", "Associate Partner of",
         "Presentation at the", "Partner of the project", "Participated in the"]  # fmt: skip
HEADINGS = [
    "1. General Information :", "2. The city in our network :", "The city and Efus:",
    "Participated in:", "Attended :", "Hosted :", "3. Best Practice Forms :",
    "Informations générales :", "Participated in: Attended :",
]  # fmt: skip

names = st.sampled_from(CITIES) | st.text(
    st.characters(whitelist_categories=("Lu", "Ll")), min_size=2, max_size=12
)
years = st.integers(1985, 2024)


@st.composite
def dates(draw: st.DrawFn) -> str:
    year = draw(years)
    month = draw(st.sampled_from(MONTHS))
    day = draw(st.integers(0, 33))
    other = draw(years)
    return draw(
        st.sampled_from(
            [
                f"{day}th {month} {year}",
                f"{month} {day}th {year}",
                f"{day}th of {month} {year}",
                f"{day} {month} {year}",
                f"{month} {year}",
                f"{day}th-{day + 2}th {month} {year}",
                f"{year}-{other}",
                f"{year}",
                f"{day:02d}.{draw(st.integers(0, 13)):02d}.{year}",
                f"Summer {year}",
                f"{year % 100:02d}",
                "18th century",
                f"{year}-{year + 4}, {year + 6}-{year + 9}",
                f"between {year} and {other}",
            ]
        )
    )


@st.composite
def shortcode(draw: st.DrawFn) -> str:
    link_id = draw(st.sampled_from(["31294", "1797", "12", "30325#11307", "", "…", ",4.37&spn=6"]))
    label = draw(st.sampled_from([*TITLES, ""]))
    opener = draw(
        st.sampled_from(
            [
                f"[link url=”{link_id}″]",
                f'[link url="{link_id}"]',
                f"[link url=&#8221;{link_id}&#8243;]",
                f"[link url='{link_id}']",
            ]
        )
    )
    return f"{opener}{label}[/link]"


@st.composite
def population_line(draw: st.DrawFn) -> str:
    n = draw(st.integers(0, 3_000_000))
    return draw(
        st.sampled_from(
            [
                f"Population: {n:,} inhabitants",
                f"Population: {n:,}".replace(",", " ") + " inhabitants",
                f"Population: {n:,}".replace(",", ".") + f" ({draw(years)})",
                f"Habitants : {n}",
                "Population: many",
                f"Population: about {n / 1e6:.1f} million",
                f"Population:{n}",
            ]
        )
    )


@st.composite
def twin(draw: st.DrawFn) -> str:
    name, country = draw(names), draw(st.sampled_from(COUNTRIES))
    return draw(
        st.sampled_from(
            [
                f"{name} ({country})",
                f"{name} ({draw(st.sampled_from(REGIONS))}, {country})",
                f"{name}",
                f"{name} ({country}) since {draw(years)}",
                f"{country}: {name}, {draw(names)}",
            ]
        )
    )


@st.composite
def twin_lines(draw: st.DrawFn) -> list[str]:
    items = draw(st.lists(twin(), min_size=1, max_size=6))
    if draw(st.booleans()):
        separator = draw(st.sampled_from([", ", " , ", " et ", "; "]))
        return [f"Twinned with{draw(st.sampled_from([':', ' :', '']))} {separator.join(items)}."]
    return [
        "Twinned with:",
        *(f"  {draw(st.sampled_from(['•', '-', '*', '1.']))} {i}" for i in items),
    ]


@st.composite
def activity_line(draw: st.DrawFn) -> str:
    role = draw(st.sampled_from(ROLES))
    target = draw(shortcode() | st.sampled_from(TITLES))
    tail = draw(st.sampled_from(["", " – Gathering of All Local Actors", ": “subtitle"]))
    return f"  • {role} {target}{tail}, {draw(dates())}"


@st.composite
def event_line(draw: st.DrawFn) -> str:
    title = draw(st.sampled_from(EVENTS) | shortcode())
    place = draw(names)
    country = draw(st.sampled_from(COUNTRIES))
    form = draw(
        st.sampled_from(["{t}, {p}, {c}, {d}", "{t}, {p} {d}", "{t}, {c}, {d}", "{t}, {d}"])
    )
    return "  • " + form.format(t=title, p=place, c=country, d=draw(dates()))


@st.composite
def pages(draw: st.DrawFn) -> list[str]:
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(f"# city: {draw(names)}")
    if draw(st.booleans()):
        lines.append(
            f"# source: https://efus.eu/about-us/{draw(st.sampled_from(['liege', 'porto', 'x']))}/"
        )
    if draw(st.booleans()):
        lines.append(draw(names))  # a title line
    lines += ["", HEADINGS[0], "", draw(population_line()), ""]
    lines.append(f"Location: {draw(st.sampled_from(COUNTRIES))}")
    lines += ["", "Official website: [link url=””][/link]", "Safety contract: signed in 1992", ""]
    lines += draw(twin_lines())
    lines += ["", HEADINGS[1], "", HEADINGS[2], "", f"Member since : {draw(years)}"]
    lines.append(f"Member of the Executive Committee : since {draw(years)}")
    lines += ["", "Participated in:", ""]
    lines += draw(st.lists(activity_line(), max_size=6))
    lines += ["", draw(st.sampled_from(["Attended :", "Hosted :", ""])), ""]
    lines += draw(st.lists(event_line(), max_size=6))
    lines += draw(st.lists(st.sampled_from(HEADINGS) | st.text(max_size=60), max_size=3))
    return lines


# -- damage ----------------------------------------------------------------------------

ODD = ["\x00", "\x07", "\u2028", "\u2029", "\ufeff", "\u200b", "\u0301", "\u030c", "\r",
       "\ud800", "\u00a0", "&#8221;", "&amp;", "\t", "\x85", "\U0001f600"]  # fmt: skip
STRAY = ["[link", "[/link]", "[link url=”", "″]", "]", "[its]", "[link url=”1″][link url=”2″]"]


@st.composite
def damaged(draw: st.DrawFn) -> str:
    lines = draw(pages())
    for _ in range(draw(st.integers(0, 6))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        action = draw(
            st.sampled_from(["cut", "cut-page", "swap-fields", "swap-lines", "stray", "odd", "nfd"])
        )
        if action == "cut":
            lines[i] = line[: draw(st.integers(0, len(line)))]
        elif action == "cut-page":
            lines = [*lines[:i], line[: draw(st.integers(0, len(line)))]]
        elif action == "swap-fields":
            fields = line.split(", ")
            if len(fields) > 1:
                a, b = draw(st.integers(0, len(fields) - 1)), draw(st.integers(0, len(fields) - 1))
                fields[a], fields[b] = fields[b], fields[a]
                lines[i] = ", ".join(fields)
        elif action == "swap-lines":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action in ("stray", "odd"):
            at = draw(st.integers(0, len(line)))
            piece = draw(st.sampled_from(STRAY if action == "stray" else ODD) | st.text(max_size=3))
            lines[i] = line[:at] + piece + line[at:]
        else:
            lines[i] = unicodedata.normalize("NFD", line)
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    return draw(st.sampled_from(["", "\ufeff"])) + text + draw(st.sampled_from(["", "\n"]))


# -- properties ----------------------------------------------------------------------------


def non_blank_lines(text: str) -> set[int]:
    return {i + 1 for i, line in enumerate(normalize_text(text).split("\n")) if line.strip()}


def check_record(text: str):  # type: ignore[no-untyped-def]
    record = read_text(text, "fuzz.txt")  # property 1: never raises
    assert set(record.line_kinds) == non_blank_lines(text)
    assert set(record.line_kinds.values()) <= set(LINE_KINDS)
    warned = {w.line for w in record.warnings}
    assert {n for n, kind in record.line_kinds.items() if kind == "warning"} <= warned
    assert {w.code for w in record.warnings} <= set(WARNING_CODES)
    assert all(w.line == 0 or w.line in record.line_kinds for w in record.warnings)
    return record


@FUZZ
@given(damaged())
def test_reader_accounts_for_every_line_of_a_damaged_page(text: str) -> None:
    check_record(text)


@FUZZ
@given(
    st.text(max_size=400)
    | st.lists(st.sampled_from([*ODD, *STRAY, "\n", " ", "a", "•", "Population: 1"])).map("".join)
)
def test_reader_accounts_for_every_line_of_random_text(text: str) -> None:
    check_record(text)


@FUZZ
@given(damaged())
def test_mapped_damaged_page_is_valid_rdf_that_round_trips(text: str) -> None:
    record = check_record(text)
    if record.city is None:
        record.city = PlaceName("Fuzzville")  # as --city would give it
    quads, reports, _ = build_graph([record])
    assert reports[0].error is None
    if not has_content(record):
        assert quads == []  # an empty page gives no node (B1)
        return
    assert quads, "a page with a city states at least its city"
    for fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        data = ox.serialize(quads, format=fmt)
        assert set(ox.parse(data, format=fmt)) == set(quads)
    for quad in quads:
        for term in (quad.subject, quad.object, quad.graph_name):
            minted = isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE_IRI)
            if minted and not term.value.startswith(str(CN)):
                assert is_safe_path(term.value[len(DEFAULT_BASE_IRI) :]), term.value
        if isinstance(quad.object, ox.Literal):
            check_literal(quad.object)
