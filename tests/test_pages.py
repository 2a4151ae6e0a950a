"""The page reader: the seed, every corpus page, HTML and text forms, bad inputs.

Facts are asserted one at a time, exactly as the pages write them (issue 2). The corpus
pages are read from data/pages/ (byte copies of ../shared/corpus/pages/); the seed from
../shared/seeds/ when it is beside the checkout, else from the bundled copy without its
header lines (same text, same line numbers).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from w3c_suites import SHARED

from citynet.errors import InputError
from citynet.read.html import html_to_text, looks_like_html
from citynet.read.limits import MAX_PAGE_ITEMS
from citynet.read.pages import (
    LINE_KINDS,
    WARNING_CODES,
    normalize_text,
    read_html,
    read_page,
    read_text,
)
from citynet.read.records import ActivityMention, PageRecord, Period

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "data" / "pages"
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
SHARED_SEED = SHARED / "seeds" / "efus-profile-liege.txt"
SEED_NAME = "efus-profile-liege.txt"


def seed_text() -> str:
    if SHARED_SEED.is_file():
        return SHARED_SEED.read_text(encoding="utf-8")
    bundled = (PAGES / "liege.txt").read_text(encoding="utf-8").split("\n")
    assert bundled[0].startswith("# source:") and bundled[1].startswith("# city:")
    return "\n".join(bundled[3:])


@pytest.fixture(scope="module")
def seed() -> PageRecord:
    return read_page(Path(SEED_NAME), text=seed_text())


def corpus(name: str) -> PageRecord:
    return read_page(PAGES / name)


def by_line(rec: PageRecord, line: int) -> ActivityMention:
    (found,) = [a for a in rec.activities if a.line == line]
    return found


def periods(act: ActivityMention) -> list[tuple[str | None, str | None]]:
    return [(p.start, p.end) for p in act.periods]


def place(act: ActivityMention) -> tuple[str, str | None] | None:
    return (act.place.name, act.place.country) if act.place else None


def warnings(rec: PageRecord) -> list[tuple[int, str]]:
    return [(w.line, w.code) for w in rec.warnings]


# --------------------------------------------------------------------------------------
# The seed (Liège), one fact at a time
# --------------------------------------------------------------------------------------


def test_seed_names_no_city_so_the_caller_decides(seed: PageRecord) -> None:
    assert seed.city is None
    assert seed.city_origin is None
    assert seed.source_url is None
    assert seed.language == "en"


def test_seed_general_information(seed: PageRecord) -> None:
    assert seed.population == 190000
    assert seed.population_year is None
    assert seed.population_line == 3
    assert seed.location == "Belgium"
    assert seed.country == "Belgium"
    assert [(p.start, p.end) for p in seed.safety_contracts] == [("1992", None)]
    assert seed.websites == []  # both website links are empty in the seed


def test_seed_membership_and_office(seed: PageRecord) -> None:
    (member,) = seed.memberships
    assert (member.network, member.since, member.founding, member.line) == ("efus", 1995, False, 20)
    (office,) = seed.offices
    assert (office.office, office.body, office.start, office.end) == (
        "executive-committee",
        "efus",
        2008,
        None,
    )


SEED_TWINS = [
    ("Nancy", "France"),
    ("Maastricht", "Netherlands"),
    ("Aix-la-Chapelle", "Germany"),
    ("Rotterdam", "Netherlands"),
    ("Turin", "Italy"),
    ("Cologne", "Germany"),
    ("Esch-sur-Alzette", "Luxembourg"),
    ("Volgograd", "Russia"),
    ("Lubumbashi", "R.D.Congo"),
    ("Plzeň", "Czech Republic"),
    ("Porto", "Portugal"),
    ("Krakow", "Poland"),
    ("Saint-Louis", "Sénégal"),
    ("Tanger", "Morocco"),
    ("Lille", "France"),
]


def test_seed_has_fifteen_twins_each_with_its_country_as_written(seed: PageRecord) -> None:
    assert len(seed.twins) == 15
    assert [(t.place.name, t.place.country) for t in seed.twins] == SEED_TWINS
    assert all(t.line == 14 and t.since is None and t.place.region is None for t in seed.twins)


@pytest.mark.parametrize(("index", "expected"), list(enumerate(SEED_TWINS)))
def test_seed_twin(seed: PageRecord, index: int, expected: tuple[str, str]) -> None:
    twin = seed.twins[index]
    assert (twin.place.name, twin.place.country) == expected
    assert twin.place.name == unicodedata.normalize("NFC", twin.place.name)


def test_seed_participated_lines(seed: PageRecord) -> None:
    participated = [a for a in seed.activities if 26 <= a.line <= 40]
    assert len(participated) == 15
    assert [a.kind for a in participated].count("project") == 12
    assert [a.role for a in participated if a.kind == "event"] == ["presenter"] * 3


def test_seed_goal_project(seed: PageRecord) -> None:
    goal = by_line(seed, 26)
    assert goal.kind == "project"
    assert goal.title == "Goal Project"
    assert (
        goal.subtitle == "Gathering of All Local Actors to prevent violence during sporting events"
    )
    assert goal.network_id == "31294"
    assert goal.network_fragment is None
    assert periods(goal) == [("2009", "2012")]
    assert goal.role == "partner"


def test_seed_workgroup_liege_piloted(seed: PageRecord) -> None:
    work = by_line(seed, 31)
    assert work.kind == "project"
    assert work.role == "pilot"
    assert work.network_id == "566"
    assert work.title == (
        "Workgroup ‘Prevention of urban insecurity facing the challenge of cultural diversity’"
    )
    assert periods(work) == [("2004", "2006")]


def test_seed_presentation_at_the_toulouse_debate(seed: PageRecord) -> None:
    debate = by_line(seed, 28)
    assert debate.kind == "event"
    assert debate.event_kind == "debate"
    assert debate.role == "presenter"
    assert debate.title == "debate on collective violence"
    assert (debate.network_id, debate.network_fragment) == ("30325", "11307")
    assert place(debate) == ("Toulouse", None)
    assert debate.periods == [Period("2009-06-26", None, "26th of June 2009")]


def test_seed_presentation_at_the_brussels_audit_conference(seed: PageRecord) -> None:
    audits = by_line(seed, 30)
    assert (audits.kind, audits.event_kind, audits.role) == ("event", "conference", "presenter")
    assert audits.title == "Conference on Local Safety Audits"
    assert audits.network_id == "1766"
    assert place(audits) == ("Brussels", "Belgium")
    assert periods(audits) == [("2008-03-27", None)]


def test_seed_presentation_at_the_stadium_conference(seed: PageRecord) -> None:
    stadium = by_line(seed, 36)
    assert (stadium.kind, stadium.event_kind, stadium.role) == ("event", "conference", "presenter")
    # the closing quote written after [/link] joins the title
    assert stadium.title == "Conference “A stadium in the city, a city in the stadium”"
    assert stadium.network_id == "30285"
    assert stadium.place is None
    assert periods(stadium) == [("1999-06-04", "1999-06-05")]


@pytest.mark.parametrize(
    ("line", "title", "network_id", "span"),
    [
        (27, "Citizens, Cities and CCTV", "1797", ("2009", "2010")),
        (29, "Democracy, Cities &Drugs II", None, ("2001", "2008")),
        (32, "Crime Prevention in Europe", "448", ("2001", "2002")),
        (33, "Abused and neglected Elderly Women", "1621", ("2001", "2002")),
        (34, "Drugs Network", "12", ("2000", "2001")),
        (35, "SecuCities Football : Euro 2000 cities against racism", "30286", ("2000", None)),
        (37, "The Pertinency of Drug Prevention Messages", "12", ("1998", "1999")),
        (
            38,
            "Local participation in strategies for the prevention and control of drug abuse",
            "983",
            ("1997", "1998"),
        ),
        (39, "Study: Drug-related cross-border traffic patterns", "963", ("1995", "1997")),
    ],
)
def test_seed_partner_projects(
    seed: PageRecord, line: int, title: str, network_id: str | None, span: tuple[str, str | None]
) -> None:
    act = by_line(seed, line)
    assert (act.kind, act.role, act.title, act.network_id) == (
        "project",
        "partner",
        title,
        network_id,
    )
    assert periods(act) == [span]


def test_seed_drugs_network_subtitle(seed: PageRecord) -> None:
    assert by_line(seed, 34).subtitle == (
        "Pilot training programme on the prevention and treatment of drug dependencies for "
        "elected officials and local leaders in small and medium-size towns"
    )


def test_seed_local_voices_has_no_year(seed: PageRecord) -> None:
    voices = by_line(seed, 40)
    assert (voices.kind, voices.role) == ("project", "participant")
    assert voices.title == "Local voices"
    assert voices.subtitle == "Local communication strategies to prevent extremism"
    assert voices.periods == []
    assert voices.network_id is None


def test_seed_two_projects_linking_id_12_stay_two_with_a_warning(seed: PageRecord) -> None:
    twelve = [a for a in seed.activities if a.network_id == "12"]
    assert [a.title for a in twelve] == [
        "Drugs Network",
        "The Pertinency of Drug Prevention Messages",
    ]
    (dup,) = [w for w in seed.warnings if w.code == "duplicate-id"]
    assert (dup.line, dup.file) == (37, SEED_NAME)
    assert "network id 12 also names 'Drugs Network'" in dup.message


SEED_ATTENDED = [
    # line, event kind, title, place, periods, network id
    (
        43,
        "general-assembly",
        "General Assembly",
        ("Cascais", "Portugal"),
        [("2013-06-27", None)],
        None,
    ),
    (
        44,
        "general-assembly",
        "General Assembly",
        ("Brussels", "Belgium"),
        [("2012-06-07", None)],
        None,
    ),
    (
        45,
        "general-assembly",
        "General Assembly",
        ("Toulouse", "France"),
        [("2009-06-25", None)],
        "30417",
    ),
    (
        46,
        "general-assembly",
        "General Assembly",
        ("Barcelona", "Spain"),
        [("2008-07-18", None)],
        "2021",
    ),
    (
        47,
        "conference",
        "Final conference of the “Cities Against Terrorism”",
        ("Brussels", None),
        [("2007-09-10", None)],
        "1592",
    ),
    (
        48,
        "general-assembly",
        "General Assembly",
        ("Rome", "Italy"),
        [("2007-07-06", None)],
        "30153",
    ),
    (
        49,
        "general-assembly",
        "General Assembly",
        ("Brussels", "Belgium"),
        [("2006-05-05", None)],
        None,
    ),
    (
        50,
        "meeting",
        "Towards a European framework for Prevention",
        ("Brussels", "Belgium"),
        [("2006-02-23", None)],
        "714",
    ),
    (
        51,
        "conference",
        "International conference of Saragossa",
        ("Spain", "Spain"),
        [("2006-11-02", "2006-11-04")],
        None,
    ),
    (
        52,
        "conference",
        "European Conference on Mediation and Conflicts Regulation",
        ("Angers", "France"),
        [("2004-05-06", None)],
        "513",
    ),
    (
        53,
        "conference",
        "International Conference on Safety and Democracy",
        ("Naples", "Italy"),
        [("2000-12-07", "2000-12-09")],
        None,
    ),
    (
        54,
        "conference",
        "Conference “Urban transports, safety and social crisis”",
        None,
        [("1995-10-30", "1995-10-31")],
        "30296",
    ),
]


def test_seed_has_twelve_attended_events(seed: PageRecord) -> None:
    attended = [a for a in seed.activities if a.line > 40]
    assert len(attended) == 12
    assert {(a.kind, a.role) for a in attended} == {("event", "attendee")}


@pytest.mark.parametrize(("line", "kind", "title", "where", "span", "network_id"), SEED_ATTENDED)
def test_seed_attended_event(
    seed: PageRecord,
    line: int,
    kind: str,
    title: str,
    where: tuple[str, str | None] | None,
    span: list[tuple[str, str | None]],
    network_id: str | None,
) -> None:
    event = by_line(seed, line)
    assert (event.kind, event.role, event.event_kind) == ("event", "attendee", kind)
    assert event.title == title
    assert place(event) == where
    assert periods(event) == span
    assert event.network_id == network_id


def test_seed_meeting_at_the_parliament_is_the_subtitle(seed: PageRecord) -> None:
    assert by_line(seed, 50).subtitle == "Meeting at the European Parliament"


def test_seed_saragossa_is_placed_in_a_country_only(seed: PageRecord) -> None:
    saragossa = by_line(seed, 51)
    assert saragossa.place is not None and saragossa.place.kind == "country"


def test_seed_warnings_are_exactly_the_no_fact_lines(seed: PageRecord) -> None:
    assert [(w.line, w.col, w.code) for w in seed.warnings] == [
        (7, None, "no-url"),  # "Official website: [link url=””][/link]": empty link
        (10, None, "no-url"),  # the crime-prevention website's link is empty too
        (37, None, "duplicate-id"),  # id 12 names two different projects
        (51, 3, "link-no-id"),  # [link url=””]International conference of Saragossa[/link]
    ]
    assert str(seed.warnings[3]).startswith(f"{SEED_NAME}:51:3: link without a network id")


def test_seed_line_kinds(seed: PageRecord) -> None:
    kinds = seed.line_kinds
    assert kinds[1] == "heading" and kinds[16] == "heading" and kinds[56] == "heading"
    assert (kinds[3], kinds[5], kinds[12], kinds[14]) == (
        "population",
        "location",
        "safety-contract",
        "twin",
    )
    assert (kinds[9], kinds[18], kinds[24]) == ("label", "label", "label")
    assert (kinds[20], kinds[22]) == ("membership", "office")
    assert [n for n, k in kinds.items() if k == "activity"] == [*range(26, 41), *range(43, 55)]
    assert (kinds[7], kinds[10]) == ("warning", "warning")
    assert seed.line_count == 56
    assert seed.description == []


# --------------------------------------------------------------------------------------
# Every corpus page: key facts and the exact warnings, each with its reason
# --------------------------------------------------------------------------------------

# Reasons, shared by many pages:
NO_URL = "no-url"  # a website label whose address the text form lost ("Official website")
CUT = "cut-off"  # the page ends mid-list or mid-word
LINK_LABEL = "unmapped"  # a link label without its address ("Prevention & Safety")

CORPUS: dict[str, dict[str, Any]] = {
    "amadora.txt": dict(
        city=("Amadora", "file name"),
        population=175136,
        country="Portugal",
        twins=4,
        projects=0,
        events=6,
        memberships=[("efus", 2015, False)],
        offices=[("executive-committee", "efus", 2016, None)],
        warnings=[
            (14, NO_URL),  # "Official website:" with nothing after it
            (18, "unmapped"),  # membership of other networks (Civitas) is not modelled
            (43, CUT),  # prose cut at "Managing Urban Risks in" (unclosed quote)
        ],
    ),
    "augsburg.txt": dict(
        city=("Augsburg", "url"),
        population=264000,
        country="Germany",
        twins=7,
        projects=1,
        events=2,
        memberships=[("efus", 2010, False), ("DEFUS", None, True)],
        offices=[("executive-committee", "efus", 2010, None)],
        warnings=[],
    ),
    "barcelona.txt": dict(
        city=("Barcelona", "url"),
        population=1615908,
        country="Spain",
        twins=10,
        projects=5,
        events=4,
        memberships=[("efus", 1986, False)],
        offices=[("executive-committee", "efus", 2009, None)],
        warnings=[(13, NO_URL), (15, LINK_LABEL), (48, CUT)],  # 48: "• Security " cut
    ),
    "brussels.txt": dict(
        city=("Bruxelles", "title line"),
        population=170407,
        country="Belgium",
        twins=13,
        projects=11,
        events=1,
        memberships=[("efus", 1995, False)],
        offices=[("executive-committee", "efus", 1995, None), ("president", "efus", 2003, 2007)],
        warnings=[(11, NO_URL), (13, NO_URL), (15, NO_URL), (43, CUT)],  # 43: "• Presentation"
    ),
    "charleroi.txt": dict(
        city=("Charleroi", "url"),
        population=201593,
        country="Belgium",
        twins=11,
        projects=5,
        events=7,
        memberships=[("efus", 1994, False)],
        offices=[
            ("executive-committee", "efus", 2010, None),
            ("president", "Belgian Forum for Prevention and Urban Security", 2013, 2014),
        ],
        warnings=[(9, NO_URL), (11, NO_URL)],
    ),
    "essen.txt": dict(
        city=("Essen", "title line"),
        population=570000,
        country="Germany",
        twins=0,
        projects=0,
        events=8,
        memberships=[("efus", 2015, False)],
        offices=[],
        warnings=[(15, NO_URL)],
    ),
    "gdansk.txt": dict(
        city=("Gdansk", "title line"),
        population=460000,
        country="Poland",
        twins=19,
        projects=0,
        events=0,
        memberships=[("efus", 2013, False)],
        offices=[("executive-committee", "efus", 2016, None)],
        warnings=[(15, NO_URL), (17, NO_URL), (69, CUT)],  # 69: the letter ends "Sincer"
    ),
    "generalitat-de-catalunya.fr.txt": dict(
        city=("Generalitat de Catalunya", "url"),
        population=7535251,
        country=None,
        twins=0,
        projects=2,
        events=4,
        memberships=[
            ("efus", 2008, False),
            ("Forum Espagnol pour la Sécurité Urbaine", 2008, False),
        ],
        offices=[("executive-committee", "efus", 2011, None)],
        warnings=[(6, NO_URL)],  # "Blog du ministère de l’intérieur sur la sécurité"
    ),
    "generalitat-de-catalunya.txt": dict(
        city=("Generalitat de Catalunya", "title line"),
        population=7535251,
        country=None,
        twins=0,
        projects=0,
        events=4,
        memberships=[("efus", 2008, False), ("SpanishForum", 2008, False)],
        offices=[("executive-committee", "efus", 2011, None)],
        warnings=[(12, NO_URL), (14, NO_URL)],  # 14: the ministry's blog
    ),
    "karlsruhe.txt": dict(
        city=("Karlsruhe", "url"),
        population=296000,
        country="Germany",
        twins=5,
        projects=0,
        events=2,
        memberships=[("efus", 2015, False)],
        offices=[],
        warnings=[(11, NO_URL)],
    ),
    "koln.txt": dict(
        city=("Köln", "title line"),
        population=1027504,
        country="Germany",
        twins=28,
        projects=0,
        events=0,
        memberships=[("efus", 2016, False), ("DEFUS", 2016, False)],
        offices=[("vice-president", "DEFUS", 2017, None)],
        warnings=[(14, NO_URL)],
    ),
    "las-palmas-de-gran-canaria.txt": dict(
        city=("Las Palmas de Gran Canaria", "url"),
        population=378998,
        country="Spain",
        twins=7,
        projects=0,
        events=0,
        memberships=[("efus", 2017, False)],
        offices=[],
        warnings=[(7, NO_URL)],
    ),
    "lisboa.txt": dict(
        city=("Lisboa", "url"),
        population=547733,
        country="Portugal",
        twins=15,
        projects=0,
        events=2,
        memberships=[("efus", 1998, True)],
        offices=[("executive-committee", "efus", 2010, None), ("president", "FOPPSU", 2013, None)],
        warnings=[(12, NO_URL), (14, LINK_LABEL)],
    ),
    "madrid.txt": dict(
        city=("Madrid", "url"),
        population=3141991,
        country="Spain",
        twins=28,
        projects=1,
        events=0,
        memberships=[("efus", 2016, False)],
        offices=[],
        warnings=[(11, NO_URL)],
    ),
    "nantes.txt": dict(
        city=("Nantes", "file name"),
        population=283025,
        country="France",
        twins=7,
        projects=1,
        events=7,
        memberships=[("efus", 2000, False)],
        offices=[("executive-committee", "efus", 2010, None)],
        warnings=[(13, NO_URL), (50, CUT)],  # 13: "http: //"; 50: "• New jobs: Local "
    ),
    "porto.txt": dict(
        city=("Porto", "url"),
        population=237591,
        country="Portugal",
        twins=16,
        projects=0,
        events=1,
        memberships=[("efus", 2000, False)],
        offices=[("executive-committee", "efus", 2000, 2003)],
        # 13: "Official website: Câmara municipal do Porto" (a name, no address);
        # 33: "City Contract, 2001" is a best-practice form, not part of the graph
        warnings=[(13, NO_URL), (15, NO_URL), (33, "unmapped")],
    ),
    "stuttgart.txt": dict(
        city=("Stuttgart", "file name"),
        population=590000,
        country="Germany",
        twins=10,
        projects=0,
        events=2,
        memberships=[("efus", 2008, False)],
        offices=[("executive-committee", "efus", 2008, None)],
        # 29: "furthermore Stuttgart has city friendships with ...": not twinnings
        warnings=[(13, NO_URL), (15, NO_URL), (29, "not-twinning")],
    ),
}


def test_the_table_covers_every_corpus_page() -> None:
    assert sorted(CORPUS) == sorted(p.name for p in PAGES.glob("*.txt") if p.name != "liege.txt")


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_page_key_facts(name: str) -> None:
    rec = corpus(name)
    want = CORPUS[name]
    assert rec.city is not None
    assert (rec.city.name, rec.city_origin) == want["city"]
    assert rec.population == want["population"]
    assert rec.country == want["country"]
    assert rec.city.country == want["country"]
    assert len(rec.twins) == want["twins"]
    assert [a.kind for a in rec.activities].count("project") == want["projects"]
    assert [a.kind for a in rec.activities].count("event") == want["events"]
    assert [(m.network, m.since, m.founding) for m in rec.memberships] == want["memberships"]
    assert [(o.office, o.body, o.start, o.end) for o in rec.offices] == want["offices"]
    assert rec.source_url is not None and rec.source_url.startswith("https://efus.eu/")


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_page_warns_only_on_lines_without_facts(name: str) -> None:
    rec = corpus(name)
    assert warnings(rec) == CORPUS[name]["warnings"]
    assert all(w.file == str(PAGES / name) for w in rec.warnings)


@pytest.mark.parametrize("name", [*sorted(CORPUS), "liege.txt"])
def test_every_line_is_accounted_for(name: str) -> None:
    rec = corpus(name)
    lines = (PAGES / name).read_text(encoding="utf-8").split("\n")
    non_blank = {i + 1 for i, line in enumerate(lines) if line.strip()}
    assert set(rec.line_kinds) == non_blank
    assert set(rec.line_kinds.values()) <= set(LINE_KINDS)
    warned = {w.line for w in rec.warnings}
    # a line that became nothing but a warning has one; facts come from fact lines only
    assert {n for n, k in rec.line_kinds.items() if k == "warning"} <= warned
    assert {w.code for w in rec.warnings} <= set(WARNING_CODES)
    fact_lines = {a.line for a in rec.activities} | {t.line for t in rec.twins}
    assert all(rec.line_kinds[n] in ("activity", "twin") for n in fact_lines)


def test_bundled_seed_copy_takes_its_city_from_the_header() -> None:
    rec = corpus("liege.txt")
    assert rec.city is not None
    assert (rec.city.name, rec.city.country, rec.city_origin, rec.city.line) == (
        "Liège",
        "Belgium",
        "header",
        2,
    )
    assert rec.source_url == "https://efus.eu/about-us/liege/"
    assert len(rec.twins) == 15 and len(rec.activities) == 27


def test_amadora_twins_without_colon_and_a_region_as_twin() -> None:
    rec = corpus("amadora.txt")
    assert [(t.place.name, t.place.country, t.place.kind) for t in rec.twins] == [
        ("Tarrafal", "Cabe Verde", "city"),
        ("Huambo", "Angola", "city"),
        ("Piracicaba", "Brasil", "city"),
        ("Autonomous region of Príncipe", "S. Tomé e Príncipe", "region"),
    ]
    assert (rec.region, rec.country) == ("District of Lisbon", "Portugal")
    amadora_events = [(a.title, a.event_kind, periods(a)) for a in rec.activities]
    assert amadora_events[2] == (
        "Security & Tourism conference",
        "conference",
        [("2015-06-25", "2015-06-26")],
    )
    assert amadora_events[3][1] == "field-visit"
    assert amadora_events[4][1] == "presentation"


def test_augsburg_region_in_brackets_and_founding_member_of_defus() -> None:
    rec = corpus("augsburg.txt")
    dayton = rec.twins[4]
    assert (dayton.place.name, dayton.place.region, dayton.place.country) == (
        "Dayton",
        "Ohio",
        "United States of America",
    )
    assert (rec.region, rec.country) == ("Bavaria", "Germany")
    berlin = rec.activities[2]
    assert (berlin.title, place(berlin), periods(berlin)) == (
        "General Assembly",
        ("Berlin", None),
        [("2011-05-09", "2011-05-10")],
    )


def test_barcelona_population_year_and_bulleted_french_twins() -> None:
    rec = corpus("barcelona.txt")
    assert (rec.population, rec.population_year) == (1615908, 2008)
    assert [(t.place.name, t.place.country) for t in rec.twins][:4] == [
        ("Sarajevo", "Bosnie-Herzégovine"),
        ("Boston", "États-Unis"),
        ("Cologne", "Allemagne"),
        ("Rosario", "Argentine"),
    ]
    safer = rec.activities[0]
    assert (safer.title, safer.role, periods(safer)) == (
        "Safer Touristic Cities",
        "partner",
        [("2013", "2015")],
    )
    community = rec.activities[6]
    assert (community.title, community.kind, periods(community)) == (
        "International Conference on Community policing",
        "event",
        [("1998-12-14", "1998-12-15")],
    )
    faces = rec.activities[7]
    assert (faces.kind, periods(faces)) == ("event", [("1996", None)])


def test_brussels_map_link_roles_and_twins_joined_by_et() -> None:
    rec = corpus("brussels.txt")
    assert (rec.location, rec.country) == ("Belgium", "Belgium")
    assert [t.place.name for t in rec.twins][-2:] == ["Casablanca", "Kinshasa"]
    assert rec.twins[-1].place.country == "Congo"
    roles = [(a.title, a.role, a.subtitle) for a in rec.activities[:4]]
    assert roles == [
        ("Safer Touristic Cities", "partner", None),
        ("IMPPULSE", "partner", "strengthening police/population relationships"),
        ("LIAISE on the prevention of radicalisation", "partner", None),
        ("AUDIT", "associate-partner", None),
    ]
    gender = rec.activities[8]
    assert (gender.role, gender.event_kind, periods(gender)) == (
        "presenter",
        "conference",
        [("1999-09-30", "1999-10-01")],
    )
    assert periods(rec.activities[10]) == [("1997", "1998")]  # "1997 -1998"


def test_charleroi_goal_subtitle_and_aubervilliers() -> None:
    rec = corpus("charleroi.txt")
    goal = rec.activities[0]
    assert (goal.title, goal.subtitle) == ("GOAL Project", "Preventing violence in sport")
    conference = rec.activities[6]
    assert place(conference) == ("Aubervilliers & Saint-Denis", "France")
    assert periods(conference) == [("2012-12-12", "2012-12-14")]
    assert [(p.start, p.end) for p in rec.safety_contracts] == [("1994", None)]


def test_french_edition_of_generalitat() -> None:
    rec = corpus("generalitat-de-catalunya.fr.txt")
    assert rec.language == "fr"
    assert rec.city is not None and rec.city.kind == "region"
    assert [(p.start, p.end) for p in rec.safety_contracts] == [("2006", None), ("2008", "2011")]
    demo = rec.activities[0]
    assert (demo.title, demo.role, periods(demo)) == (
        "Démocratie, Villes & Drogues II",
        "partner",
        [("2008", "2011")],
    )
    genoa = rec.activities[2]
    assert (genoa.title, genoa.event_kind, genoa.role) == (
        "Assemblée Générale",
        "general-assembly",
        "attendee",
    )
    assert place(genoa) == ("Gênes", "Italie")
    assert periods(genoa) == [("2011-05-19", None)]
    assert corpus("generalitat-de-catalunya.txt").language == "en"


def test_generalitat_english_general_assembly_without_commas() -> None:
    rec = corpus("generalitat-de-catalunya.txt")
    assert [(a.title, place(a), periods(a)[0][0]) for a in rec.activities] == [
        ("General assembly", ("Genoa", "Italy"), "2011-05-19"),
        ("General assembly", ("Berlin", "Germany"), "2010-05-10"),
        ("General assembly", ("Toulouse", "France"), "2009-06-25"),
        ("General assembly", ("Barcelona", "Spain"), "2008-07-18"),
    ]


def test_gdansk_comma_form_twins_and_the_letter() -> None:
    rec = corpus("gdansk.txt")
    cleveland = rec.twins[3]
    assert (cleveland.place.name, cleveland.place.region, cleveland.place.country) == (
        "Cleveland",
        "Ohio",
        "United States",
    )
    sefton = rec.twins[9]
    assert (sefton.place.region, sefton.place.country) == ("England", "United Kingdom")
    assert rec.description[1] == "Letter from Paweł Adamowicz, Mayor of Gdansk"
    assert rec.description[-1].startswith("The mayor writes that Gdansk")
    assert rec.description[-1].count("\n") == 6  # one paragraph of seven lines
    assert rec.line_kinds[51] == "boilerplate"  # "Available soon"


def test_karlsruhe_region_only_in_brackets() -> None:
    halle = corpus("karlsruhe.txt").twins[2]
    assert (halle.place.name, halle.place.region, halle.place.country) == (
        "Halle",
        "Saxony-Anhalt",
        None,
    )


def test_koln_title_line_and_defus_offices() -> None:
    rec = corpus("koln.txt")
    assert rec.city is not None and rec.city.line == 3
    assert rec.twins[21].place.name == "Liège"
    assert rec.offices[0].line == 27
    assert rec.description[-1] == "Interview with Henriette Reker, mayor of Cologne"


def test_las_palmas_region_dash_country() -> None:
    rec = corpus("las-palmas-de-gran-canaria.txt")
    assert (rec.location, rec.region, rec.country) == (
        "Canary Islands – Spain",
        "Canary Islands",
        "Spain",
    )
    assert rec.population == 378998


def test_lisboa_founding_member_and_month_dates() -> None:
    rec = corpus("lisboa.txt")
    assert (rec.population, rec.population_year) == (547733, 2011)
    assert [(a.title, place(a), periods(a)) for a in rec.activities] == [
        ("General Assembly", ("Lisbon", None), [("2013-01", None)]),
        ("General Assembly", ("São João da Madeira", "Portugal"), [("2010-06", None)]),
    ]
    assert rec.description[0].count("\n") == 1  # two lines, one paragraph


def test_madrid_qualifier_in_brackets() -> None:
    panama = corpus("madrid.txt").twins[19]
    assert (panama.place.name, panama.place.country) == ("Panama", "Panama")


def test_nantes_twins_since_and_safety_contracts() -> None:
    rec = corpus("nantes.txt")
    assert [(t.place.name, t.since) for t in rec.twins][:3] == [
        ("Cardiff", 1964),
        ("Sarrebruck", 1965),
        ("Tbilissi", 1979),
    ]
    assert rec.twins[2].place.country == "Georgia"
    assert [(p.start, p.end) for p in rec.safety_contracts] == [
        ("1998", "2007"),
        ("2002", None),
        ("2010", None),
    ]
    lisboa = rec.activities[0]  # "Executive Committee Meeting, Lisboa, 24 November 2010"
    assert (lisboa.event_kind, place(lisboa), periods(lisboa)) == (
        "executive-committee",
        ("Lisboa", None),
        [("2010-11-24", None)],
    )
    toulouse = rec.activities[4]  # "Toulouse, 26, June, 2009"
    assert (place(toulouse), periods(toulouse)) == (("Toulouse", None), [("2009-06-26", None)])
    evaluation = rec.activities[-1]
    assert (evaluation.kind, evaluation.role, periods(evaluation)) == (
        "project",
        "participant",
        [("2008", "2009")],
    )


def test_porto_inline_participation_and_office_between() -> None:
    rec = corpus("porto.txt")
    (surveille,) = rec.activities
    assert (surveille.title, surveille.event_kind) == (
        "SURVEILLE working group on Technologies",
        "working-group",
    )
    assert (place(surveille), periods(surveille)) == (
        ("Paris", None),
        [("2014-10-09", "2014-10-10")],
    )
    assert len([t for t in rec.twins if t.place.name in ("Luanda", "Ndola")]) == 2


def test_stuttgart_friendships_are_not_twins() -> None:
    rec = corpus("stuttgart.txt")
    assert "Ogaki" not in {t.place.name for t in rec.twins}
    assert rec.twins[2].place.region == "Missouri"
    (friends,) = [w for w in rec.warnings if w.code == "not-twinning"]
    assert "Ogaki (Japan)" in friends.text
    assert periods(rec.activities[0]) == [("2012-12", None)]


# --------------------------------------------------------------------------------------
# HTML: the same records as the text form (line numbers aside)
# --------------------------------------------------------------------------------------

_LINE_FIELDS = {
    "line",
    "line_kinds",
    "line_count",
    "population_line",
    "path",
    "content_sha256",
    "file",
}


def without_lines(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: without_lines(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
            if f.name not in _LINE_FIELDS
        }
    if isinstance(obj, list):
        return [without_lines(x) for x in obj]
    return obj


HTML_PAIRS = {
    "efus-profile-liege.html": None,  # the seed
    "brussels.html": "brussels.txt",
    "essen.html": "essen.txt",
    "gdansk.html": "gdansk.txt",
    "generalitat-de-catalunya.fr.html": "generalitat-de-catalunya.fr.txt",
    "nantes.html": "nantes.txt",
}


@pytest.mark.parametrize("html_name", sorted(HTML_PAIRS))
def test_html_and_text_forms_give_the_same_record(html_name: str) -> None:
    text_name = HTML_PAIRS[html_name]
    text_rec = (
        read_page(Path(SEED_NAME), text=seed_text())
        if text_name is None
        else read_page(PAGES / text_name)
    )
    html_rec = read_page(FIXTURES / html_name)
    assert without_lines(html_rec) == without_lines(text_rec)
    assert html_rec.content_sha256 != text_rec.content_sha256


def test_html_line_numbers_point_into_the_html_source() -> None:
    path = FIXTURES / "efus-profile-liege.html"
    rec = read_page(path)
    source = path.read_text(encoding="utf-8").split("\n")
    (saragossa,) = [w for w in rec.warnings if w.code == "link-no-id"]
    assert "International conference of Saragossa" in source[saragossa.line - 1]
    assert "27th June 2013" in source[by_line(rec, rec.activities[15].line).line - 1]
    assert "190 000" in source[(rec.population_line or 0) - 1]
    assert rec.line_count == len(source)


def test_html_is_detected_by_content_not_name(tmp_path: Path) -> None:
    page = tmp_path / "essen.txt"
    page.write_bytes((FIXTURES / "essen.html").read_bytes())
    assert looks_like_html(page.read_text())
    rec = read_page(page)
    assert rec.population == 570000 and len(rec.activities) == 8
    assert not looks_like_html(seed_text())
    assert not looks_like_html("<script>alert(1)</script> in the page text")


def test_minified_html_on_one_line() -> None:
    html = (
        '<html><head><link rel="canonical" href="https://efus.eu/about-us/karlsruhe/"></head>'
        "<body><h2>1. General Information :</h2><p>Population : 296.000</p><p>Official website</p>"
        "<p>Twinned with :</p><ul><li>Nancy (France)</li><li>Halle(Saxony-Anhalt)</li></ul>"
        "<h2>2. The city in our network :</h2><p>Participated in :</p><ul>"
        "<li>Efus&rsquo; General Assembly, Karlsruhe, Germany, 12-13 May 2014</li>"
        '<li>Partner of the <a href="">Thing</a></li></ul></body></html>'
    )
    rec = read_html(html, "k.html")
    assert rec.city is not None and rec.city.name == "Karlsruhe"
    assert [t.place.name for t in rec.twins] == ["Nancy", "Halle"]
    assert rec.activities[0].title == "Efus’ General Assembly"
    assert set(rec.line_kinds) == {1}  # every text line starts on HTML line 1
    assert rec.line_kinds[1] == "warning"  # one of its text lines carries no fact
    assert [(w.line, w.code) for w in rec.warnings] == [(1, "no-url"), (1, "link-no-id")]
    assert rec.activities[1].title == "Thing"


def test_html_entities_links_and_skipped_elements() -> None:
    text, sources = html_to_text(
        "<html><head><title>x</title><script>var a = '<p>no</p>';</script></head><body>\n"
        "<h2>Twinned with</h2>\n<p>Li&egrave;ge&nbsp;(Belgium) &amp; Porto&#8217;s<br>"
        'next <a href="https://efus.eu/?p=30325#11307">debate</a> '
        '<a href="https://www.liege.be">site</a></p>\n<style>p{}</style></body></html>'
    )
    assert text.split("\n") == [
        "Twinned with",
        "",
        "Liège\u00a0(Belgium) & Porto’s",
        "next [link url=”30325#11307″]debate[/link] [link url=”https://www.liege.be″]site[/link]",
    ]
    assert sources == [2, 3, 3, 3]  # a blank separator line takes the next block's line


def test_prose_that_starts_like_a_label_stays_prose() -> None:
    rec = read_text(
        "1. General Information :\n"
        "President Macron visited the city in 2018 and met the mayor and the police.\n"
        "Participation in the programme was high among young people of the city.\n"
        "Member states of the Union fund several of the city's prevention programmes.\n",
        "p.txt",
    )
    assert (rec.offices, rec.activities, rec.memberships, rec.warnings) == ([], [], [], [])
    assert set(rec.line_kinds.values()) == {"heading", "prose"}
    assert len(rec.description) == 1 and rec.description[0].count("\n") == 2


def test_language_header_and_bare_www_address() -> None:
    rec = read_text(
        "# language: de\n1. General Information :\nOfficial website: www.essen.de\n", "e.txt"
    )
    assert (rec.language, rec.websites, rec.warnings) == ("de", ["http://www.essen.de"], [])


def test_html_website_with_a_real_address() -> None:
    rec = read_html(
        "<html><body><h2>1. General Information</h2>"
        '<p>Official website: <a href="https://www.liege.be/">www.liege.be</a></p>'
        '<p><a href="http://www.bravvo.be">Website of the crime prevention service</a></p>'
        "</body></html>",
        "liege.html",
    )
    assert rec.websites == ["https://www.liege.be/", "http://www.bravvo.be"]
    assert rec.warnings == []


# --------------------------------------------------------------------------------------
# City names: where they come from
# --------------------------------------------------------------------------------------


def test_city_argument_wins_over_everything() -> None:
    rec = read_page(PAGES / "essen.txt", city="Essen-Ruhr")
    assert rec.city is not None
    assert (rec.city.name, rec.city_origin, rec.city.country) == ("Essen-Ruhr", "--city", "Germany")
    assert read_page(Path(SEED_NAME), text=seed_text(), city="Liège").city_origin == "--city"


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        (
            "# city: Liège\n# source: https://efus.eu/about-us/porto/\n",
            "x.txt",
            ("Liège", "header"),
        ),
        (
            "# source: https://efus.eu/about-us/porto/\nblason Köln\n",
            "x.txt",
            ("Köln", "title line"),
        ),
        (
            "Logo Ville de Bruxelles\n\n1. General Information :\n",
            "x.txt",
            ("Bruxelles", "title line"),
        ),
        (
            "# source: https://efus.eu/about-us/las-palmas-de-gran-canaria\n",
            "x",
            ("Las Palmas de Gran Canaria", "url"),
        ),
        (
            "# source: https://efus.eu/en/our-network/public/9212/\n",
            "amadora.txt",
            ("Amadora", "file name"),
        ),
        ("1. General Information :\n", "saint-denis.html", ("Saint Denis", "file name")),
        ("1. General Information :\n", "efus-profile-liege.txt", None),
        ("1. General Information :\n", "page-12.txt", None),
    ],
)
def test_city_origin(text: str, name: str, expected: tuple[str, str] | None) -> None:
    rec = read_text(text + "Population: 1 000\n", name)
    got = (rec.city.name, rec.city_origin) if rec.city else None
    assert got == expected


# --------------------------------------------------------------------------------------
# Bad inputs (issue 2 and reliability cases B1-B22)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.txt", "whitespace.txt"])
def test_empty_page_is_a_warning_not_an_error(name: str) -> None:
    rec = read_page(FIXTURES / name)
    assert [(w.line, w.code, w.message) for w in rec.warnings] == [(0, "empty", "empty page")]
    assert str(rec.warnings[0]) == f"{FIXTURES / name}: empty page"
    assert rec.line_kinds == {}
    assert (rec.population, rec.twins, rec.activities) == (None, [], [])


def test_binary_file_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        read_page(FIXTURES / "binary.png")
    assert str(caught.value).startswith(f"{FIXTURES / 'binary.png'}: not UTF-8 at byte 0")


def test_binary_content_that_happens_to_be_utf8(tmp_path: Path) -> None:
    page = tmp_path / "zeros.txt"
    page.write_bytes(b"\x00" * 4000 + b"Population: 1\n")
    with pytest.raises(InputError, match="binary content"):
        read_page(page)


def test_cp1252_bytes_are_refused_with_the_byte_offset() -> None:
    path = FIXTURES / "cp1252.txt"
    with pytest.raises(InputError) as caught:
        read_page(path)
    assert caught.value.message == f"{path}: not UTF-8 at byte 12"  # the ó of Kraków
    assert path.read_bytes()[12:13] == b"\xf3"


def test_page_with_no_recognisable_section() -> None:
    rec = read_page(FIXTURES / "no-sections.txt")
    assert warnings(rec) == [(0, "no-sections"), (1, "unmapped"), (4, "unmapped")]
    assert rec.line_kinds == {1: "warning", 3: "prose", 4: "warning", 6: "prose"}
    assert rec.city is not None and rec.city_origin == "file name"  # never the first line


def test_shortcode_left_open_nested_or_stray() -> None:
    rec = read_page(FIXTURES / "open-shortcode.txt")
    assert [(w.line, w.col, w.code) for w in rec.warnings] == [
        (17, 18, "shortcode"),  # [link url=”31294″]Goal Project, 2009-2012 (never closed)
        (19, 38, "shortcode"),  # a [link] inside a [link]
        (19, 64, "shortcode"),  # the extra [/link]
        (20, 29, "shortcode"),  # a [/link] with no [link]
    ]
    assert "unclosed [link]" in rec.warnings[0].message
    goal, cctv, outer, drugs = rec.activities
    assert (goal.title, goal.network_id, periods(goal)) == (
        "Goal Project",
        "31294",
        [("2009", "2012")],
    )
    assert (cctv.title, cctv.network_id) == ("Citizens, Cities and CCTV", "1797")
    assert (outer.title, outer.network_id) == ("Outer", "1")
    assert drugs.title == "Secucities Drugs Network [its] programme"  # text kept
    assert rec.population == 190000 and rec.memberships[0].since == 1995  # the rest maps


def test_impossible_and_reversed_dates_are_not_emitted() -> None:
    rec = read_page(FIXTURES / "bad-date.txt")
    assert [(w.line, w.code) for w in rec.warnings] == [
        (13, "bad-date"),
        (14, "reversed-range"),
        (15, "vague-date"),
    ]
    assert "'31st of February 2009'" in rec.warnings[0].message
    assert [(a.title, periods(a)) for a in rec.activities] == [
        ("General Assembly", []),
        ("Conference on Mediation", []),
        ("Summer university seminar", []),
        ("General Assembly", [("2012-06-07", None)]),
    ]
    assert place(rec.activities[0]) == ("Cascais", "Portugal")  # the rest of the line maps
    assert rec.population == 190000


def test_population_many() -> None:
    rec = read_page(FIXTURES / "population-many.txt")
    (warning,) = rec.warnings
    assert (warning.line, warning.code) == (5, "population")
    where = FIXTURES / "population-many.txt"
    assert str(warning) == f"{where}:5: population 'many' is not a number: Population: many"
    assert rec.population is None and rec.line_kinds[5] == "warning"
    assert rec.country == "Belgium" and len(rec.twins) == 2
    assert [(p.start, p.end) for p in rec.safety_contracts] == [("1992", None)]


@pytest.mark.parametrize(
    ("value", "number", "year"),
    [
        ("190 000 inhabitants", 190000, None),
        ("237,591 inhabitants", 237591, None),
        ("460.000", 460000, None),
        ("1 027 504  inhabitants", 1027504, None),
        ("378.998 hab", 378998, None),
        ("1,615,908 Inhabitants (2008)", 1615908, 2008),
        ("547 733 (2011)", 547733, 2011),
        ("about 2.8 million", 2800000, None),
        ("170\u00a0407 inhabitants (2014)", 170407, 2014),
    ],
)
def test_population_forms(value: str, number: int, year: int | None) -> None:
    rec = read_text(f"Population: {value}\n", "p.txt")
    assert (rec.population, rec.population_year, rec.warnings) == (number, year, [])


def test_bom_crlf_nbsp_read_the_same_as_the_clean_page() -> None:
    dirty_path = FIXTURES / "lisboa-bom-crlf-nbsp.txt"
    raw = dirty_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and "\u00a0".encode() in raw
    dirty, clean = read_page(dirty_path), read_page(PAGES / "lisboa.txt")
    assert dataclasses.replace(
        dirty, path=clean.path, content_sha256=clean.content_sha256, warnings=[]
    ) == (dataclasses.replace(clean, warnings=[]))
    assert [(w.line, w.code, w.text) for w in dirty.warnings] == [
        (w.line, w.code, w.text) for w in clean.warnings
    ]


def test_nfd_input_gives_the_nfc_record() -> None:
    nfd, nfc = read_page(FIXTURES / "koln-nfd.txt"), read_page(PAGES / "koln.txt")
    assert without_lines(nfd) == without_lines(nfc)
    assert nfd.city is not None and nfd.city.name == "Köln" and len(nfd.city.name) == 4
    assert nfd.line_kinds == nfc.line_kinds


def test_control_characters_are_stripped() -> None:
    rec = read_page(FIXTURES / "controls.txt")
    assert rec.city is not None and rec.city.name == "Plzeň"
    assert rec.population == 170000
    assert rec.location == "Czech Republic"
    assert [(t.place.name, t.place.country) for t in rec.twins] == [
        ("Liège", "Belgium"),
        ("Winterthur", "Switzerland"),
    ]
    assert normalize_text("a\x00b\x07c\u2028d\ufeffe\u200bf\r\ng") == "abc def\ng"


def test_shortcode_quote_styles_and_links_without_ids() -> None:
    rec = read_page(FIXTURES / "shortcodes.txt")
    goal = [a for a in rec.activities if a.title == "Goal Project"]
    assert [(a.network_id, periods(a)) for a in goal] == [("31294", [("2009", "2012")])] * 3
    label_only = {a.title: a.network_id for a in rec.activities[3:6]}
    assert label_only == {"Label Only Project": None, "Ellipsis Project": None, "Map Project": None}
    assert all(a.network_id != "" for a in rec.activities)  # never an empty id
    no_label = rec.activities[6]
    assert (no_label.network_id, no_label.title) == ("4242", "Prevention Network")
    assert [(w.line, w.col, w.code) for w in rec.warnings] == [
        (10, 18, "link-no-id"),
        (11, 18, "link-no-id"),
        (12, 18, "link-no-id"),
        (13, 18, "link-no-label"),
        (15, None, "unmapped"),  # "• [link url=””][/link]": nothing at all
    ]
    presentation = rec.activities[7]
    assert (presentation.network_id, presentation.network_fragment) == ("30325", "11307")


def test_twin_list_forms() -> None:
    rec = read_page(FIXTURES / "twins.txt")
    got = [(t.place.name, t.place.region, t.place.country, t.since) for t in rec.twins]
    assert got == [
        ("Dayton", "Ohio", "United States of America", None),
        ("Cleveland", "Ohio", None, None),
        ("Halle", "Saxony-Anhalt", None, None),
        ("Cardiff", None, "United Kingdom", 1964),
        ("Nantes", None, "France", 1965),
        ("Bremen", None, "Germany", None),  # one country for the group "Bremen, Turku (Germany)"
        ("Turku", None, "Germany", None),
        ("Panama", None, "Panama", None),  # "(ville)" is a qualifier
        ("Casablanca", None, "Morocco", None),
        ("Kinshasa", None, "Congo", None),
        ("Luanda", None, "Angola", None),
        ("Bremen", None, "Germany", None),  # "Germany: Bremen, Jena"
        ("Jena", None, "Germany", None),
        ("Sefton", "England", "United Kingdom", None),
        ("Bytów", None, "Poland", None),
    ]
    assert warnings(rec) == [(12, "not-twinning")]


@pytest.mark.parametrize("bracket", ["(,)", "( , )", "(,,)", "(, ,)"])
def test_a_twin_bracket_of_commas_only_places_nothing(bracket: str) -> None:
    # It used to raise IndexError: the bracket was kept as a place with no part in it.
    rec = read_text(f"Twinned with: Bremen {bracket}, Turku (Finland)\n", "x.txt")
    got = [(t.place.name, t.place.region, t.place.country) for t in rec.twins]
    assert got == [("Bremen", None, None), ("Turku", None, "Finland")]


def test_hosted_and_attended_lists() -> None:
    rec = read_page(FIXTURES / "hosted.txt")
    assert [(a.role, a.event_kind, periods(a)) for a in rec.activities] == [
        ("host", "general-assembly", [("2014-05-12", "2014-05-13")]),
        ("host", "executive-committee", [("2014-05-12", None)]),
        ("attendee", "conference", [("2017-03-15", None)]),
        ("attendee", "field-visit", [("2005-10-10", None)]),
    ]
    assert rec.memberships[0].since == 2015  # "Member since January 2015"


def test_every_bullet_style_gives_a_list_item() -> None:
    rec = read_page(FIXTURES / "bullets.txt")
    assert [a.line for a in rec.activities] == list(range(7, 14))
    assert {a.role for a in rec.activities} == {"attendee"}
    assert rec.warnings == []


def test_reversed_ranges_in_offices_and_memberships_are_warnings() -> None:
    rec = read_text(
        "The city and Efus:\nMember since : 31st of June 2009\n"
        "Member of the Executive Committee : 2012-2009\n",
        "x.txt",
    )
    assert warnings(rec) == [(2, "bad-date"), (3, "reversed-range")]
    assert [(m.network, m.since) for m in rec.memberships] == [("efus", None)]
    assert [(o.start, o.end) for o in rec.offices] == [(None, None)]


def test_page_above_the_size_limit_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "big.txt"
    page.write_text("Population: 1\n" * 100)
    with pytest.raises(InputError) as caught:
        read_page(page, max_page_bytes=1000)
    assert caught.value.message == f"{page}: page is 1400 bytes, above the limit of 1000"
    assert "--max-page-bytes" in str(caught.value)
    with pytest.raises(InputError, match="above the limit"):
        read_page(page, text="x" * 2000, max_page_bytes=1000)
    assert read_page(page, max_page_bytes=1400).population == 1


def test_missing_file_and_folder_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_page(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_page(tmp_path)


def test_two_hundred_thousand_item_list_and_megabyte_lines() -> None:
    def town(i: int) -> str:
        return "Ville" + "".join(chr(97 + int(d)) for d in str(i))

    # B21: a 200k-item bullet list (linear: no per-item work grows with the page); the
    # first MAX_PAGE_ITEMS are read, one warning counts the lines skipped after them
    items = "".join(f"  • {town(i)} (Land{i % 7}),\n" for i in range(200_000))
    rec = read_text("Twinned with:\n" + items, "many.txt")
    assert len(rec.twins) == MAX_PAGE_ITEMS
    last = MAX_PAGE_ITEMS - 1
    assert (rec.twins[-1].place.name, rec.twins[-1].line) == (town(last), last + 2)
    assert [(w.line, w.code, w.message) for w in rec.warnings] == [
        (
            MAX_PAGE_ITEMS + 2,
            "limit",
            f"{200_000 - MAX_PAGE_ITEMS:,} list lines from here on not read"
            f" (limit {MAX_PAGE_ITEMS:,} twins and activities a page)",
        )
    ]
    assert rec.line_kinds[200_001] == "skipped"
    events = "".join(
        f"  • General Assembly, {town(i)}, France, 7th June 2012\n" for i in range(20_000)
    )
    rec = read_text("Attended :\n" + events, "events.txt")
    assert len(rec.activities) == MAX_PAGE_ITEMS
    assert rec.activities[-1].place is not None
    assert rec.activities[-1].place.name == town(MAX_PAGE_ITEMS - 1)
    # 1 MB single lines of every kind the reader treats specially: above the line limit
    # (citynet.read.limits), each is one `limit` warning quoting its start, nothing more
    twins = "Twinned with: " + ", ".join(f"Town{i} (Land{i % 7})" for i in range(60_000))
    assert len(twins) > 1_000_000
    rec = read_text(twins, "twins.txt")
    assert rec.twins == []
    assert [(w.line, w.code, len(w.text)) for w in rec.warnings] == [
        (0, "no-sections", 0),
        (1, "limit", 101),
    ]
    for line in [
        "x" * 1_000_000,
        "Participated in: " + "Partner of [link url=”1″]" * 40_000,
        "President of " + "1" * 1_000_000,
        "Member of " + "since " * 170_000,
        "  • " + "a (b “c, " * 110_000 + "12-14 December 2012",
    ]:
        rec = read_text(line, "long.txt")
        assert len(rec.line_kinds) == 1


_FRAGMENTS = [
    "1. General Information :",
    "2. The city in our network :",
    "Population: ",
    "Location: ",
    "Twinned with: ",
    "Participated in:",
    "Attended :",
    "Hosted :",
    "Member since : ",
    "Member of the Executive Committee ",
    "President of ",
    "  • ",
    "- ",
    "[link url=”31294″]",
    "[/link]",
    "[link url=””]",
    "“",
    "”",
    "(",
    ")",
    ", ",
    "; ",
    " and ",
    "2009-2012",
    "26th of June 2009",
    "31st of February 2009",
    "Summer 2009",
    "Cascais, Portugal",
    "since ",
    "# city: ",
    "\n",
    "\r\n",
    "\u00a0",
    "\ufeff",
    "\x00",
    "&#8221;",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_FRAGMENTS), st.text(min_size=0, max_size=12)),
        max_size=40,
    )
)
def test_any_text_reads_without_an_exception_and_every_line_is_accounted(parts: list[str]) -> None:
    text = "".join(parts)
    rec = read_text(text, "fuzz.txt")
    lines = normalize_text(text).split("\n")
    non_blank = {i + 1 for i, line in enumerate(lines) if line.strip(" \t")}
    if non_blank:
        assert set(rec.line_kinds) == non_blank
    else:
        assert [w.code for w in rec.warnings] == ["empty"]
    assert set(rec.line_kinds.values()) <= set(LINE_KINDS)
    assert {n for n, k in rec.line_kinds.items() if k == "warning"} <= {
        w.line for w in rec.warnings
    }
    for act in rec.activities:
        assert act.network_id != ""
        for period in act.periods:
            assert period.start is not None and len(period.start) in (4, 7, 10)


_HTML_FRAGMENTS = [
    "<p>",
    "</p>",
    "<li>",
    "<ul>",
    "<a href='https://efus.eu/?p=1'>",
    "</a>",
    "<br>",
    "<![",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<!",
    "</",
    "<script>",
    "</script>",
    "&#",
    "&amp",
    "<h2>",
    "Population: 1",
    "<",
    ">",
    "<img alt='x'",
    "<head>",
    "<!DOCTYPE",
    "<?",
    "<link rel=canonical href=''>",
]


def test_broken_html_declaration_is_kept_as_text() -> None:
    rec = read_html("<![<p>Population: 12 000</p>", "broken.html")
    assert rec.population == 12000


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_HTML_FRAGMENTS), st.text(max_size=8)),
        max_size=40,
    )
)
def test_any_html_reads_without_an_exception(parts: list[str]) -> None:
    rec = read_html("".join(parts), "fuzz.html")
    assert set(rec.line_kinds.values()) <= set(LINE_KINDS)
