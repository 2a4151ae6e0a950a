"""Projects and events mentioned on several pages, worded differently, become one node
(issue 17, item 3), and every merge and near-miss is explained.

Every page here is written for the rule it tests (nothing from /work/shared)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from citynet.cli import cli
from citynet.read.pages import read_text
from citynet.resolve.mentions import acronym_keys, event_core, is_acronym, preferred_label
from citynet.resolve.resolution import Resolution, resolve_records


def page(city: str, country: str, lines: str) -> str:
    bullets = [f"  • {line.strip()}" for line in lines.strip().splitlines()]
    return "\n".join(
        [
            f"# source: https://example.org/members/{city.lower()}/",
            city,
            "",
            "1. General Information :",
            "",
            f"Location : {country}",
            "",
            "2. The city in our network :",
            "",
            "Participated in",
            *bullets,
            "",
        ]
    )


def resolve(*pages: tuple[str, str, str]) -> tuple[dict[tuple[str, int], object], Resolution]:
    """Resolve the pages (city, country, bullets); the mentions by (file, line)."""
    records = [read_text(page(*p), f"{p[0].lower()}.txt") for p in pages]
    resolution = resolve_records(records)
    mentions = {(r.path, a.line): a for r in records for a in r.activities}
    return mentions, resolution


def reasons(resolution: Resolution, key: str) -> list[str]:
    return resolution.merges[key].reasons


# -- projects ------------------------------------------------------------------------------


def test_an_acronym_in_parentheses_meets_the_acronym_as_title_with_its_expansion():
    mentions, resolution = resolve(
        (
            "Liège",
            "Belgium",
            "Partner of the Local prevention in schools (LOPS) project, 2009-2011",
        ),
        ("Charleroi", "Belgium", "Lops Project – Local Prevention in Schools, 2009-2012"),
    )
    a, b = mentions[("liège.txt", 11)], mentions[("charleroi.txt", 11)]
    assert a.key == b.key == "project/local-prevention-in-schools-lops"
    assert reasons(resolution, a.key) == [
        "'local prevention in schools' is the expansion of the acronym of liège.txt:11 and"
        " the expansion of the acronym of charleroi.txt:11, and overlapping period"
        " (2009-2011, 2009-2012)"
    ]
    # One label for the node; the other page's spelling becomes a skos:altLabel.
    assert a.label == b.label == "Local prevention in schools (LOPS)"


def test_an_acronym_in_capitals_alone_meets_the_acronym_in_parentheses():
    mentions, resolution = resolve(
        ("Liège", "Belgium", "Partner of the Safer Nights in Town (SANIT) project, 2014-2016"),
        ("Charleroi", "Belgium", "SANIT Project, 2015"),
    )
    a, b = mentions[("liège.txt", 11)], mentions[("charleroi.txt", 11)]
    assert a.key == b.key
    assert reasons(resolution, a.key) == [
        "'sanit' is the acronym of liège.txt:11 and the normalised title of charleroi.txt:11,"
        " and overlapping period (2014-2016, 2015)"
    ]


def test_acronym_letters_must_fit_the_words():
    assert is_acronym("lops", ["local", "prevention", "in", "schools"])
    assert is_acronym("efus", ["european", "forum", "for", "urban", "security"])
    assert not is_acronym("efus", ["european", "forum", "for", "security"])
    assert not is_acronym("abc", ["local", "prevention"])
    # A bracket that is not an acronym of the words before it gives no key.
    assert acronym_keys("Urban safety (Lyon)", None) == []
    assert acronym_keys("Lops", "Local Prevention in Schools") == [
        ("lops", "acronym"),
        ("local prevention in schools", "expansion of the acronym"),
    ]
    mentions, _ = resolve(
        ("Liège", "Belgium", "Partner of the Urban safety (LYNX) project, 2010-2011"),
        ("Charleroi", "Belgium", "LYNX Project, 2010"),
    )
    assert mentions[("liège.txt", 11)].key != mentions[("charleroi.txt", 11)].key


def test_acronyms_join_only_when_periods_overlap():
    mentions, resolution = resolve(
        (
            "Liège",
            "Belgium",
            "Partner of the Local prevention in schools (LOPS) project, 2001-2002",
        ),
        ("Charleroi", "Belgium", "LOPS Project, 2010-2012"),
    )
    assert mentions[("liège.txt", 11)].key != mentions[("charleroi.txt", 11)].key
    assert resolution.merges == {}


def test_case_only_variants_are_one_project_with_one_label():
    mentions, resolution = resolve(
        ("Liège", "Belgium", "GOAL Project, 2010-2012"),
        ("Charleroi", "Belgium", "Goal Project, 2011\nGoal Project, 2011"),
    )
    a, b = mentions[("liège.txt", 11)], mentions[("charleroi.txt", 11)]
    assert a.key == b.key == "project/goal"
    # The most frequent spelling wins; the others become skos:altLabel.
    assert a.label == b.label == "Goal"
    assert resolution.merges["project/goal"].title == "Goal"


def test_preferred_label_order():
    assert preferred_label(["Goal Project", "GOAL Project"]) == "GOAL Project"
    assert preferred_label(["a b", "A B", "a b"]) == "a b"
    assert preferred_label(["Co-host of the conference “X”", "Conference “X”"]) == "Conference “X”"
    assert preferred_label(["General Assembly", "General Assembly 2014"]) == (
        "General Assembly 2014"
    )


def test_similar_project_titles_are_kept_apart_and_listed():
    mentions, resolution = resolve(
        ("Liège", "Belgium", "Partner of the Safer Nightlife project, 2010-2012"),
        ("Charleroi", "Belgium", "Partner of the Safe Nightlife project, 2011"),
    )
    assert mentions[("liège.txt", 11)].key != mentions[("charleroi.txt", 11)].key
    (miss,) = resolution.id_conflicts
    assert (miss.kind, miss.activity, miss.titles) == (
        "similar titles",
        "project",
        ["Safer Nightlife", "Safe Nightlife"],
    )
    assert [(m.file, m.line) for m in miss.mentions] == [
        ("liège.txt", 11),
        ("charleroi.txt", 11),
    ]


def test_numbered_titles_are_no_near_miss():
    _, resolution = resolve(
        ("Liège", "Belgium", "Partner of the Cities and Drugs II project, 2003"),
        ("Charleroi", "Belgium", "Partner of the Cities and Drugs I project, 2003"),
    )
    assert resolution.id_conflicts == []


# -- events --------------------------------------------------------------------------------


def test_a_quoted_title_with_an_organiser_meets_it_with_a_place():
    mentions, resolution = resolve(
        ("Liège", "Belgium", "Conference “Cities 2010: who cares?”, Efus-FFSU, 5 May 2010"),
        ("Charleroi", "Belgium", "“Cities 2010: who cares?”, Paris, France, 5 May 2010"),
    )
    a, b = mentions[("liège.txt", 11)], mentions[("charleroi.txt", 11)]
    # One node, keyed by what the two lines say together, with the one kind they give.
    assert a.key == b.key == "event/2010-05-05/conference/paris"
    assert a.event_kind == b.event_kind == "conference"
    assert reasons(resolution, a.key) == [
        "same title 'cities 2010 who cares' at overlapping dates (liège.txt:11, charleroi.txt:11)"
    ]


def test_co_host_is_the_host_role_and_role_words_do_not_count():
    mentions, resolution = resolve(
        (
            "Liège",
            "Belgium",
            "Co-host of the conference “Safer streets”, Lyon, France, 3 March 2011",
        ),
        ("Charleroi", "Belgium", "Conference “Safer streets”, Lyon, France, 3-4 March 2011"),
    )
    a, b = mentions[("liège.txt", 11)], mentions[("charleroi.txt", 11)]
    assert (a.role, b.role) == ("host", "attendee")
    assert a.key == b.key
    assert a.label == b.label == "Conference “Safer streets”"
    assert event_core("Final conference of the LOPS project") == event_core("LOPS final conference")


def test_overlapping_dates_join_a_day_and_the_month_it_is_in():
    mentions, resolution = resolve(
        ("Liège", "Belgium", "Conference “Cities at night”, Lyon, France, 12-14 December 2012"),
        ("Charleroi", "Belgium", "Conference “Cities at night”, Lyon, France, December 2012"),
    )
    assert mentions[("liège.txt", 11)].key == mentions[("charleroi.txt", 11)].key
    mentions, _ = resolve(
        ("Liège", "Belgium", "Conference “Cities at night”, Lyon, France, 12 December 2012"),
        ("Charleroi", "Belgium", "Conference “Cities at night”, Lyon, France, 12 March 2013"),
    )
    assert mentions[("liège.txt", 11)].key != mentions[("charleroi.txt", 11)].key


def test_a_year_suffix_counts_only_when_the_dates_agree():
    mentions, _ = resolve(
        (
            "Liège",
            "Belgium",
            "General Assembly 2014, Paris, France, 12 December 2014\n"
            "General Assembly, Paris, France, 12 December 2014",
        ),
    )
    # On one page: not two events (the year is the event's).
    assert mentions[("liège.txt", 11)].key == mentions[("liège.txt", 12)].key
    mentions, _ = resolve(
        ("Liège", "Belgium", "General Assembly 2013, 12 December 2014"),
        ("Charleroi", "Belgium", "General Assembly, 12 December 2014"),
    )
    assert mentions[("liège.txt", 11)].key != mentions[("charleroi.txt", 11)].key
    mentions, _ = resolve(
        ("Liège", "Belgium", "General Assembly 2014, Paris, France"),
        ("Charleroi", "Belgium", "General Assembly, Paris, France, 12 December 2014"),
    )
    assert mentions[("liège.txt", 11)].key == mentions[("charleroi.txt", 11)].key


def test_a_bare_bullet_joins_the_one_event_at_that_place_and_date():
    mentions, resolution = resolve(
        ("Liège", "Belgium", "General Assembly, Rotterdam, Netherlands, 8 June 2012"),
        ("Charleroi", "Belgium", "Rotterdam, Netherlands, 8 June 2012"),
    )
    a, b = mentions[("liège.txt", 11)], mentions[("charleroi.txt", 11)]
    assert (b.place.resolved_name, b.place.country_code) == ("Rotterdam", "NL")
    assert a.key == b.key == "event/2012-06-08/general-assembly/rotterdam"
    # The bullet's title is only its place: the event's label is the other page's.
    assert a.label == b.label == "General Assembly"
    assert (
        "charleroi.txt:11 names only a place and a date: the one event at Rotterdam on 2012-06-08"
        in reasons(resolution, a.key)
    )


def test_a_bare_bullet_with_two_events_there_joins_neither():
    mentions, _ = resolve(
        (
            "Liège",
            "Belgium",
            "General Assembly, Rotterdam, Netherlands, 8 June 2012\n"
            "Seminar “Night life”, Rotterdam, Netherlands, 8 June 2012",
        ),
        ("Charleroi", "Belgium", "Rotterdam, Netherlands, 8 June 2012"),
    )
    bare = mentions[("charleroi.txt", 11)].key
    assert bare not in (mentions[("liège.txt", 11)].key, mentions[("liège.txt", 12)].key)


def test_similar_event_titles_are_kept_apart_and_listed():
    mentions, resolution = resolve(
        ("Liège", "Belgium", "Conference “The Future of Prevention”, Lyon, France, 12 May 2012"),
        ("Charleroi", "Belgium", "Conference “The Futur of prevention”, May 2012"),
    )
    assert mentions[("liège.txt", 11)].key != mentions[("charleroi.txt", 11)].key
    assert [(c.kind, c.activity) for c in resolution.id_conflicts] == [("similar titles", "event")]


def test_report_and_review_list_merges_and_near_misses(tmp_path: Path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "liege.txt").write_text(
        page(
            "Liège",
            "Belgium",
            "GOAL Project, 2010-2012\nPartner of the Safer Nightlife project, 2010",
        ),
        encoding="utf-8",
    )
    (pages / "charleroi.txt").write_text(
        page(
            "Charleroi",
            "Belgium",
            "Goal Project, 2011\nPartner of the Safe Nightlife project, 2010",
        ),
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(pages), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    merges = {m["key"]: m["reasons"] for m in report["resolution"]["merges"]}
    assert merges == {
        "project/goal": ["same normalised title 'goal' and overlapping period (2011, 2010-2012)"]
    }
    (miss,) = report["resolution"]["id_conflicts"]
    assert miss["kind"] == "similar titles"
    trig = (tmp_path / "out" / "citynet.trig").read_text(encoding="utf-8")
    assert trig.count('rdfs:label "GOAL"@en') == 2
    assert trig.count('skos:altLabel "Goal"') == 1
    review = runner.invoke(cli, ["review", str(tmp_path / "out")])
    assert "similar titles 'Safe Nightlife' and 'Safer Nightlife'" in review.output
    assert '[[same]]\n    mentions = ["charleroi.txt:12", "liege.txt:12"]' in review.output


# -- two places in one name (issue 17, item 2) ----------------------------------------------


def test_a_and_b_names_two_places_when_both_resolve():
    mentions, resolution = resolve(
        (
            "Liège",
            "Belgium",
            "Conference “Cities”, Aubervilliers & Saint-Denis, France, 12 December 2012\n"
            "Seminar “Towns”, Aubervilliers & Saint Denis, 3 March 2013\n"
            "Seminar “Nowhere”, Aubervilliers & Xyzzyville, France, 4 March 2013",
        ),
    )
    both = mentions[("liège.txt", 11)]
    assert (both.place.resolved_name, both.place.country_code) == ("Aubervilliers", "FR")
    assert [(p.resolved_name, p.country_code) for p in both.more_places] == [("Saint-Denis", "FR")]
    # Without a country, the second part is looked up in the first part's.
    without = mentions[("liège.txt", 12)]
    assert [p.geonames_id for p in [without.place, *without.more_places]] == [
        both.place.geonames_id,
        both.more_places[0].geonames_id,
    ]
    # One part is no place: the name stays one (unresolved, with its warning).
    nowhere = mentions[("liège.txt", 13)]
    assert (nowhere.place.name, nowhere.more_places) == ("Aubervilliers & Xyzzyville", [])
    assert [u.name for u in resolution.unresolved] == ["Aubervilliers & Xyzzyville"]


def test_a_twin_naming_two_places_is_two_twins():
    text = page("Liège", "Belgium", "General Assembly, Paris, France, 12 December 2014")
    text = text.replace(
        "Location : Belgium", "Location : Belgium\n\nTwinned with : Nancy & Metz (France)"
    )
    record = read_text(text, "liege.txt")
    resolve_records([record])
    assert [(t.place.resolved_name, t.place.country_code) for t in record.twins] == [
        ("Nancy", "FR"),
        ("Metz", "FR"),
    ]
