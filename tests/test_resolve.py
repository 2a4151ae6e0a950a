"""Resolution: places to GeoNames ids, countries to ISO codes, mentions to shared keys."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citynet.read.records import ActivityMention, PageRecord, Period, PlaceName, Twin
from citynet.resolve import aliases
from citynet.resolve.gazetteer import Gazetteer, default_gazetteer, name_key
from citynet.resolve.mentions import project_title_key
from citynet.resolve.places import parse_location, resolve_place
from citynet.resolve.resolution import Resolution, resolve_records


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def resolved(gaz: Gazetteer, name: str, country: str | None = None, region: str | None = None):
    place = PlaceName(name=name, country=country, region=region)
    resolution = Resolution()
    resolve_place(place, gaz, resolution, file="t.txt", line=1, text=name, role="twin")
    return place, resolution


# -- places ----------------------------------------------------------------------------------

KNOWN = [
    ("Liège", "Belgium", 2792413, "Liège", "BE"),
    ("Aix-la-Chapelle", "Germany", 3247449, "Aachen", "DE"),
    ("Cologne", "Germany", 2886242, "Köln", "DE"),
    ("Cologne", "Allemagne", 2886242, "Köln", "DE"),
    ("Tanger", "Morocco", 2530335, "Tangier", "MA"),
    ("Plzeň", "Czech Republic", 3068160, "Pilsen", "CZ"),
    ("Porto", "Portugal", 2735943, "Porto", "PT"),
    ("Saint-Louis", "Sénégal", 2246452, "Saint-Louis", "SN"),
    ("Lille", "France", 2998324, "Lille", "FR"),
    ("Saragossa", "Spain", 3104324, "Zaragoza", "ES"),
]


@pytest.mark.parametrize(("name", "country", "geonames_id", "label", "code"), KNOWN)
def test_known_names_resolve_to_their_geonames_id(gaz, name, country, geonames_id, label, code):
    place, resolution = resolved(gaz, name, country)
    assert (place.geonames_id, place.resolved_name, place.country_code, place.kind) == (
        geonames_id,
        label,
        code,
        "city",
    )
    assert place.name == name  # the page's spelling is kept (it becomes an altLabel)
    assert resolution.warnings == []


def test_the_country_decides_between_homonyms(gaz):
    # Bordeaux's GeoNames alternate names include "porto" (a transliteration).
    assert resolved(gaz, "Porto", "Portugal")[0].geonames_id == 2735943
    porto_fr, resolution = resolved(gaz, "Porto", "France")
    assert porto_fr.geonames_id is None and porto_fr.country_code == "FR"
    assert [w.code for w in resolution.warnings] == ["unresolved-place"]
    assert resolved(gaz, "Saint-Louis", "USA")[0].geonames_id == 4407066
    assert resolved(gaz, "St.Louis", "Missouri, USA")[0].geonames_id == 4407066
    lille_be = resolved(gaz, "Lille", "Belgium")[0]
    assert lille_be.country_code == "BE" and lille_be.geonames_id not in (None, 2998324)


def test_a_name_without_country_takes_the_most_likely_and_warns_when_close(gaz):
    lille, resolution = resolved(gaz, "Lille")
    assert lille.geonames_id == 2998324 and resolution.warnings == []
    saint_louis, resolution = resolved(gaz, "Saint-Louis")
    assert saint_louis.geonames_id == 4407066  # St. Louis, Missouri: the larger
    assert [w.code for w in resolution.warnings] == ["ambiguous-place"]
    assert "2246452" in resolution.warnings[0].message


def test_region_stays_out_of_the_city_name(gaz):
    cleveland, resolution = resolved(gaz, "Cleveland", "United States", region="Ohio")
    assert (cleveland.geonames_id, cleveland.resolved_name, cleveland.country_code) == (
        5150529,
        "Cleveland",
        "US",
    )
    # The same with the region written into the country text.
    assert resolved(gaz, "Cleveland", "Ohio, United States")[0].geonames_id == 5150529
    # A region alone in the parenthesis gives the country: "Halle(Saxony-Anhalt)".
    halle = resolved(gaz, "Halle", "Saxony-Anhalt")[0]
    assert (halle.geonames_id, halle.country_code) == (2911522, "DE")
    assert resolution.warnings == []


@pytest.mark.parametrize(
    ("name", "country", "geonames_id", "code"),
    [
        ("Kinshasa", "Congo", 2314302, "CD"),  # Brussels page
        ("Bissau", "Guinea", 2374775, "GW"),  # Lisbon page
        ("Cachéu", "Guiné", 2374311, "GW"),
        ("Macau", "China", 1821274, "MO"),
        ("Lubumbashi", "R.D.Congo", 922704, "CD"),
    ],
)
def test_countries_the_pages_use_loosely(gaz, name, country, geonames_id, code):
    place = resolved(gaz, name, country)[0]
    assert (place.geonames_id, place.country_code) == (geonames_id, code)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("R.D.Congo", "CD"),
        ("Czech Republic", "CZ"),
        ("Allemagne", "DE"),
        ("Italie", "IT"),
        ("Japon", "JP"),
        ("États-Unis", "US"),
        ("Etats Unis", "US"),
        ("Sénégal", "SN"),
        ("England", "GB"),
        ("Wales", "GB"),
        ("United Kingdom", "GB"),
        ("USA", "US"),
        ("United-States", "US"),
        ("United States of America", "US"),
        ("Brasil", "BR"),
        ("Capo Verde", "CV"),
        ("Cabe Verde", "CV"),
        ("Cape Verde", "CV"),
        ("Malásia", "MY"),
        ("Marroco", "MA"),
        ("Guiné", "GN"),
        ("Tunesia", "TN"),
        ("Équateur", "EC"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("S. Tomé e Príncipe", "ST"),
        ("São Tomé e Príncipe", "ST"),
        ("Palestine", "PS"),
        ("Peoples Republic of China", "CN"),
        ("Holland", "NL"),
        ("the Netherlands", "NL"),
        ("Bosnie-Herzégovine", "BA"),
        ("Israël", "IL"),
        ("Argentine", "AR"),
        ("Espagne", "ES"),
        ("Turkey", "TR"),
        ("Belgium", "BE"),
        ("[link url=”,4.37&z=6″]Belgium[/link]", "BE"),
    ],
)
def test_country_names_in_english_french_and_as_written(gaz, text, code):
    assert gaz.resolve_country(text) == code


def test_unknown_country_text_is_none(gaz):
    assert gaz.resolve_country("Atlantis") is None
    assert gaz.resolve_country("") is None
    assert gaz.resolve_country(None) is None


def test_location_text_gives_country_and_region(gaz):
    assert parse_location("Bavaria, Germany", gaz) == ("Germany", "Bavaria")
    assert parse_location("Canary Islands – Spain", gaz) == ("Spain", "Canary Islands")
    assert parse_location("District of Lisbon, Portugal", gaz) == ("Portugal", "District of Lisbon")
    assert parse_location("Belgium", gaz) == ("Belgium", None)
    assert parse_location(None, gaz) == (None, None)


def test_generalitat_is_a_region_without_geonames_id(gaz):
    place, resolution = resolved(gaz, "Generalitat de Catalunya")
    assert (place.kind, place.resolved_name, place.country_code, place.geonames_id) == (
        "region",
        "Catalunya",
        "ES",
        None,
    )
    assert [w.code for w in resolution.warnings] == ["region"]
    assert [(u.name, u.kind) for u in resolution.unresolved] == [
        ("Generalitat de Catalunya", "region")
    ]
    principe = resolved(gaz, "Autonomous region of Príncipe", "S. Tomé e Príncipe")[0]
    assert (principe.kind, principe.resolved_name, principe.country_code) == (
        "region",
        "Príncipe",
        "ST",
    )
    # "Atlanta (USA), Georgia (USA)": no city Georgia in the US, the state Georgia.
    georgia = resolved(gaz, "Georgia", "USA")[0]
    assert (georgia.kind, georgia.country_code, georgia.geonames_id) == ("region", "US", None)


def test_unresolvable_name_is_kept_with_its_country_and_a_warning(gaz):
    place, resolution = resolved(gaz, "Xyzzyville", "France")
    assert (place.name, place.resolved_name, place.country_code, place.geonames_id) == (
        "Xyzzyville",
        None,
        "FR",
        None,
    )
    assert [(w.file, w.line, w.code) for w in resolution.warnings] == [
        ("t.txt", 1, "unresolved-place")
    ]
    assert [(u.name, u.country_code, u.role) for u in resolution.unresolved] == [
        ("Xyzzyville", "FR", "twin")
    ]


def test_close_spelling_resolves_with_a_warning(gaz):
    # "Lubljana" is a GeoNames alternate name; "Ljubjlana" (two letters swapped) is not.
    place, resolution = resolved(gaz, "Ljubjlana", "Slovenia")
    assert (place.geonames_id, place.resolved_name) == (3196359, "Ljubljana")
    assert [w.code for w in resolution.warnings] == ["close-spelling"]
    # Short names are never guessed.
    assert resolved(gaz, "Sefton", "United Kingdom")[0].geonames_id is None


def test_candidates_for_a_page_that_does_not_name_its_city(gaz):
    candidates = gaz.candidates("BE", 190_000)
    assert candidates[0].geonames_id == 2792413  # Liège, 195,278 in GeoNames
    assert all(c.country_code == "BE" for c in candidates)
    assert all(142_500 <= c.population <= 237_501 for c in candidates)
    assert [c.country_code for c in gaz.candidates("BE", None)][:1] == ["BE"]
    assert gaz.candidates(None, 190_000) == []


# -- the alias list stays small and true -----------------------------------------------------


def test_every_city_alias_is_needed_and_points_at_real_data(gaz):
    bare = Gazetteer()
    bare._city_aliases = {}
    bare._db = gaz._index()
    for written, (target, code) in aliases.CITY_ALIASES.items():
        assert bare.city_matches(written, code) == [], f"{written} needs no alias"
        assert gaz.city_matches(target, code), f"{target} ({code}) is not in GeoNames"
        assert gaz.city_matches(written, code)[0].name == gaz.city_matches(target, code)[0].name


def test_every_country_and_region_alias_is_needed(monkeypatch):
    from citynet.resolve import gazetteer as module

    monkeypatch.setattr(aliases, "COUNTRY_ALIASES", {})
    monkeypatch.setattr(aliases, "REGION_ALIASES", {})
    countries = module._build_country_index({})
    regions = module._build_region_index()
    monkeypatch.undo()
    import pycountry

    for written, codes in aliases.COUNTRY_ALIASES.items():
        assert countries.get(name_key(written)) != codes, f"{written} needs no alias"
        for code in codes:
            assert pycountry.countries.get(alpha_2=code), code
    for written, code in aliases.REGION_ALIASES.items():
        assert code not in {m.code for m in regions.get(name_key(written), ())}, written
        assert pycountry.subdivisions.get(code=code), code


# -- spellings (property-based) --------------------------------------------------------------

SPELLED = [
    ("Liège", "BE", 2792413),
    ("Aix-la-Chapelle", "DE", 3247449),
    ("Köln", "DE", 2886242),
    ("Plzeň", "CZ", 3068160),
    ("Saint-Louis", "SN", 2246452),
    ("Esch-sur-Alzette", "LU", 2960596),
    ("Kraków", "PL", 3094802),
    ("Brive-la-Gaillarde", "FR", 3029974),
    ("Rio de Janeiro", "BR", 3451190),
]
_ACCENTS = ["\u0301", "\u0300", "\u0302", "\u0308", "\u030c"]


@st.composite
def spellings(draw):
    name, code, geonames_id = draw(st.sampled_from(SPELLED))
    words = name.replace("-", " ").split()
    separators = st.sampled_from([" ", "  ", "-", " - ", ".", ". ", "'", "", "_", " ,"])
    out = words[0]
    for word in words[1:]:
        out += draw(separators) + word
    chars = []
    for char in out:
        case = draw(st.sampled_from(["keep", "upper", "lower"]))
        char = char.upper() if case == "upper" else char.lower() if case == "lower" else char
        accent = draw(st.sampled_from(["keep", "strip", "add"]))
        if accent == "strip":
            char = "".join(
                c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
            )
        elif accent == "add" and char.isalpha():
            char = unicodedata.normalize("NFC", char + draw(st.sampled_from(_ACCENTS)))
        chars.append(char)
    text = "".join(chars)
    text = draw(st.sampled_from(["", " ", "“", "\u00a0"])) + text
    text += draw(st.sampled_from(["", " ", ".", ",", "”", " "]))
    return text, code, geonames_id


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spellings())
def test_any_spelling_of_a_known_name_resolves_to_the_same_id(case):
    text, code, geonames_id = case
    gaz = default_gazetteer()
    assert gaz.city_matches(text, code)[0].geonames_id == geonames_id
    assert resolved(gaz, text, gaz.country_name(code))[0].geonames_id == geonames_id


# -- projects and events: hand-made records mirroring the Liège and Charleroi pages ---------


def period(text: str) -> list[Period]:
    start, _, end = text.partition("-")
    return [Period(start, end or None, text)]


def project(title, line, years=None, network_id=None, subtitle=None, role="partner"):
    return ActivityMention(
        kind="project",
        title=title,
        role=role,
        line=line,
        text=f"line {line}: {title}",
        periods=period(years) if years else [],
        subtitle=subtitle,
        network_id=network_id,
    )


def event(title, kind, line, date, place=None, country=None, network_id=None, role="attendee"):
    return ActivityMention(
        kind="event",
        title=title,
        role=role,
        line=line,
        text=f"line {line}: {title}",
        periods=[Period(date, None, date)],
        network_id=network_id,
        event_kind=kind,
        place=PlaceName(place, country=country, line=line) if place else None,
    )


def liege() -> PageRecord:
    record = PageRecord(path="liege.txt", content_sha256="0", location="Belgium")
    record.population, record.population_line = 190_000, 3
    record.twins = [
        Twin(PlaceName("Aix-la-Chapelle", "Germany"), None, 15, "Aix-la-Chapelle (Germany)"),
        Twin(PlaceName("Porto", "Portugal"), None, 15, "Porto (Portugal)"),
    ]
    record.activities = [
        project(
            "Goal Project",
            27,
            "2009-2012",
            "31294",
            "Gathering of All Local Actors to prevent violence during sporting events",
        ),
        project("Citizens, Cities and CCTV", 28, "2009-2010", "1797"),
        event(
            "the debate on collective violence",
            "debate",
            29,
            "2009-06-26",
            "Toulouse",
            None,
            "30325",
            "presenter",
        ),
        project("Democracy, Cities &Drugs II", 30, "2001-2008"),
        event(
            "Conference on Local Safety Audits",
            "conference",
            31,
            "2008-03-27",
            "Brussels",
            "Belgium",
            "1766",
            "presenter",
        ),
        project("Abused and neglected Elderly Women", 34, "2001-2002", "1621"),
        project("Drugs Network", 35, "2000-2001", "12"),
        project("SecuCities Football : Euro 2000 cities against racism", 36, "2000", "30286"),
        event(
            "Conference “A stadium in the city, a city in the stadium",
            "conference",
            37,
            "1999-06-04",
            network_id="30285",
            role="presenter",
        ),
        project("The Pertinency of Drug Prevention Messages", 38, "1998-1999", "12"),
        project("Local voices – Local communication strategies to prevent extremism", 41),
        event("General Assembly", "general-assembly", 44, "2013-06-27", "Cascais", "Portugal"),
        event("General Assembly", "general-assembly", 45, "2012-06-07", "Brussels", "Belgium"),
    ]
    return record


def charleroi() -> PageRecord:
    record = PageRecord(path="charleroi.txt", content_sha256="1", location="Belgium")
    record.city = PlaceName("Charleroi", line=3)
    record.population, record.population_line = 201_593, 5
    record.activities = [
        project("GOAL Project", 28, "2009-2012", subtitle="Preventing violence in sport"),
        project("Democracy, Cities &Drugs I", 29, "2005-2007"),
        project("Abused and neglected Elderly Women", 31, "2001-2002"),
        project("SecuCities Football : Euro 2000 cities against racism", 32, "2000"),
        event("General Assembly", "general-assembly", 36, "2013-06-27", "Cascais", "Portugal"),
        event("General Assembly", "general-assembly", 38, "2012-06-07", "Brussels", "Belgium"),
        event(
            "Conference on Local Safety Audits",
            "conference",
            39,
            "2008-03-27",
            "Brussels",
            "Belgium",
        ),
        event(
            "Conference “A stadium in the city, a city in the stadium”",
            "conference",
            41,
            "1999-06-04",
        ),
    ]
    return record


def barcelona() -> PageRecord:
    record = PageRecord(path="barcelona.txt", content_sha256="2", location="Spain")
    record.city = PlaceName("Barcelona", line=3)
    record.activities = [
        project("The Pertinency of Drug Prevention Messages project", 44, "1998-1999"),
        project("SecuCities Managers project", 42, "2000-2001"),
    ]
    return record


@pytest.fixture(scope="module")
def merged():
    records = [liege(), charleroi(), barcelona()]
    records[0].city = PlaceName("Liège", line=1)
    resolution = resolve_records(records, gazetteer=default_gazetteer())
    keys = {(r.path, a.line): a.key for r in records for a in r.activities}
    return records, resolution, keys


def test_page_cities_and_twins_resolve(merged):
    records, resolution, _ = merged
    liege_city = records[0].city
    assert (liege_city.geonames_id, liege_city.country_code) == (2792413, "BE")
    assert (records[1].city.geonames_id, records[1].city.resolved_name) == (2800481, "Charleroi")
    assert [t.place.geonames_id for t in records[0].twins] == [3247449, 2735943]


def test_one_goal_project_from_id_and_title(merged):
    _, resolution, keys = merged
    assert keys[("liege.txt", 27)] == keys[("charleroi.txt", 28)] == "project/31294"
    group = resolution.merges["project/31294"]
    assert [(m.file, m.line) for m in group.mentions] == [
        ("liege.txt", 27),
        ("charleroi.txt", 28),
    ]
    assert group.reasons == [
        "same normalised title 'goal' and overlapping period (2009-2012, 2009-2012)"
    ]


def test_shared_projects_merge_by_id_and_title(merged):
    _, resolution, keys = merged
    assert keys[("liege.txt", 34)] == keys[("charleroi.txt", 31)] == "project/1621"
    assert keys[("liege.txt", 36)] == keys[("charleroi.txt", 32)] == "project/30286"
    assert resolution.merges["project/30286"].reasons == [
        "same normalised title 'football euro 2000 cities against racism' and overlapping"
        " period (2000, 2000)"
    ]


def test_roman_numerals_keep_projects_apart(merged):
    _, _, keys = merged
    assert keys[("liege.txt", 30)] == "project/democracy-cities-and-drugs-ii"
    assert keys[("charleroi.txt", 29)] == "project/democracy-cities-and-drugs-i"
    assert project_title_key("Democracy, Cities &Drugs II") != project_title_key(
        "Democracy, Cities & Drugs I"
    )


def test_an_id_shared_by_two_projects_keys_neither(merged):
    _, resolution, keys = merged
    assert keys[("liege.txt", 35)] == "project/drugs-network"
    # Barcelona's mention has no id: it joins Liège's by title and period.
    assert (
        keys[("liege.txt", 38)]
        == keys[("barcelona.txt", 44)]
        == "project/pertinency-of-drug-prevention-messages"
    )
    assert "project/12" not in keys.values()
    conflicts = [c for c in resolution.id_conflicts if c.kind == "same id, different titles"]
    assert [(c.network_ids, c.titles) for c in conflicts] == [
        (["12"], ["Drugs Network", "The Pertinency of Drug Prevention Messages"])
    ]
    warned = sorted((w.file, w.line) for w in resolution.warnings if w.code == "id-conflict")
    assert warned == [("liege.txt", 35), ("liege.txt", 38)]


def test_one_event_per_date_kind_and_place(merged):
    _, resolution, keys = merged
    assert (
        keys[("liege.txt", 44)]
        == keys[("charleroi.txt", 36)]
        == "event/2013-06-27/general-assembly/cascais"
    )
    assert (
        keys[("liege.txt", 45)]
        == keys[("charleroi.txt", 38)]
        == "event/2012-06-07/general-assembly/brussels"
    )
    assert (
        keys[("liege.txt", 31)]
        == keys[("charleroi.txt", 39)]
        == "event/2008-03-27/conference/brussels"
    )
    assert resolution.merges["event/2013-06-27/general-assembly/cascais"].reasons == [
        "same date 2013-06-27, kind general-assembly and place Cascais (GeoNames 2269594)"
    ]
    # Without a place, the normalised title decides (quotes and "the" do not count).
    assert (
        keys[("liege.txt", 37)]
        == keys[("charleroi.txt", 41)]
        == "event/1999-06-04/conference/conference-a-stadium-in-city-a-city-in-stadium"
    )


def test_every_mention_has_a_key_and_keys_are_safe(merged):
    records, _, keys = merged
    from citynet.common.iris import is_safe_path

    assert all(keys.values())
    assert all(is_safe_path(k) for k in keys.values())
    assert len(keys) == sum(len(r.activities) for r in records)


def test_population_within_a_quarter_is_not_reported(merged):
    _, resolution, _ = merged
    # Liège 190,000 vs GeoNames 195,278; Charleroi 201,593 vs 200,132.
    assert resolution.population_mismatches == []


def test_population_mismatch_is_reported():
    record = PageRecord(path="brussels.txt", content_sha256="0", location="Belgium")
    record.city = PlaceName("Brussels", line=1)
    record.population, record.population_line = 170_407, 7
    resolution = resolve_records([record], gazetteer=default_gazetteer())
    assert [
        (p.file, p.line, p.page_population, p.geonames_population, p.geonames_id)
        for p in resolution.population_mismatches
    ] == [("brussels.txt", 7, 170_407, 1_019_022, 2800866)]
    assert [(w.line, w.code) for w in resolution.warnings] == [(7, "population-mismatch")]


def test_same_title_different_ids_is_a_possible_duplicate():
    record = PageRecord(path="a.txt", content_sha256="0", location="France")
    record.city = PlaceName("Lille")
    other = PageRecord(path="b.txt", content_sha256="1", location="France")
    other.city = PlaceName("Nantes")
    record.activities = [project("Safer Touristic Cities", 3, "2013-2015", "100")]
    other.activities = [project("Safer Touristic Cities", 4, "2013-2015", "200")]
    resolution = resolve_records([record, other], gazetteer=default_gazetteer())
    assert record.activities[0].key == "project/100"
    assert other.activities[0].key == "project/200"
    assert [(c.kind, c.network_ids) for c in resolution.id_conflicts] == [
        ("possible duplicate", ["100", "200"])
    ]
    assert resolution.merges == {}


def test_same_title_apart_in_time_stays_two_projects():
    record = PageRecord(path="a.txt", content_sha256="0", location="France")
    record.city = PlaceName("Lille")
    record.activities = [
        project("Women victims of trafficking", 3, "1998-1999"),
        project("Secucities Women victims of trafficking", 4, "2003-2004"),
    ]
    resolve_records([record], gazetteer=default_gazetteer())
    assert [a.key for a in record.activities] == [
        "project/women-victims-of-trafficking-1998",
        "project/women-victims-of-trafficking-2003",
    ]


def test_different_events_on_one_page_same_day_and_place_stay_apart():
    record = PageRecord(path="amadora.txt", content_sha256="0", location="Portugal")
    record.city = PlaceName("Amadora")
    record.activities = [
        event("Presentation of the GPIS", "presentation", 34, "2015-06-26", "Paris", "France"),
        event(
            "Presentation and visit of the Night Council",
            "presentation",
            35,
            "2015-06-26",
            "Paris",
            "France",
        ),
    ]
    resolution = resolve_records([record], gazetteer=default_gazetteer())
    assert [a.key for a in record.activities] == [
        "event/2015-06-26/presentation/paris-presentation-of-gpis",
        "event/2015-06-26/presentation/paris-presentation-and-visit-of-night-council",
    ]
    assert {w.code for w in resolution.warnings} == {"event-split"}


def test_page_without_city_gets_candidates_and_a_warning():
    record = PageRecord(path="seed.txt", content_sha256="0", location="Belgium")
    record.population, record.population_line = 190_000, 3
    resolution = resolve_records([record], gazetteer=default_gazetteer())
    assert resolution.city_candidates["seed.txt"][0].geonames_id == 2792413
    assert [(w.line, w.code) for w in resolution.warnings] == [(3, "city-not-named")]


# -- the real pages (data/pages: the seed copy and the corpus) -------------------------------

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"


@pytest.fixture(scope="module")
def corpus():
    pages = pytest.importorskip("citynet.read.pages")
    records = [pages.read_page(path) for path in sorted(PAGES.glob("*.txt"))]
    resolution = resolve_records(records, gazetteer=default_gazetteer())
    return {Path(r.path).name: r for r in records}, resolution


def test_every_twin_of_the_seed_resolves(corpus):
    records, _ = corpus
    seed = records["liege.txt"]
    assert (seed.city.geonames_id, seed.city.resolved_name) == (2792413, "Liège")
    assert [(t.place.name, t.place.resolved_name, t.place.country_code) for t in seed.twins] == [
        ("Nancy", "Nancy", "FR"),
        ("Maastricht", "Maastricht", "NL"),
        ("Aix-la-Chapelle", "Aachen", "DE"),
        ("Rotterdam", "Rotterdam", "NL"),
        ("Turin", "Turin", "IT"),
        ("Cologne", "Köln", "DE"),
        ("Esch-sur-Alzette", "Esch-sur-Alzette", "LU"),
        ("Volgograd", "Volgograd", "RU"),
        ("Lubumbashi", "Lubumbashi", "CD"),
        ("Plzeň", "Pilsen", "CZ"),
        ("Porto", "Porto", "PT"),
        ("Krakow", "Kraków", "PL"),
        ("Saint-Louis", "Saint-Louis", "SN"),
        ("Tanger", "Tangier", "MA"),
        ("Lille", "Lille", "FR"),
    ]
    assert all(t.place.geonames_id and t.place.kind == "city" for t in seed.twins)
    ids = {t.place.name: t.place.geonames_id for t in seed.twins}
    assert [ids[n] for n in ("Aix-la-Chapelle", "Cologne", "Plzeň", "Porto", "Tanger")] == [
        3247449,
        2886242,
        3068160,
        2735943,
        2530335,
    ]
    assert [ids[n] for n in ("Saint-Louis", "Lille")] == [2246452, 2998324]


def test_no_geonames_id_under_two_keys(corpus):
    records, _ = corpus
    from citynet.common.iris import city_path

    keys: dict[int, set[str]] = {}
    places = []
    for record in records.values():
        places.append(record.city)
        places.extend(t.place for t in record.twins)
        places.extend(a.place for a in record.activities if a.place)
    for place in places:
        if place.geonames_id is not None:
            key = city_path(place.resolved_name, place.country_code, kind=place.kind)
            keys.setdefault(place.geonames_id, set()).add(key)
    assert {gid: k for gid, k in keys.items() if len(k) > 1} == {}
    # Spellings that meet: Köln/Cologne, Brussels/Bruxelles, Lisbon/Lisboa, Gdańsk/Gdansk.
    assert keys[2886242] == {"city/de/koln"}
    assert keys[2800866] == {"city/be/brussels"}
    assert keys[2267057] == {"city/pt/lisbon"}
    assert keys[3099434] == {"city/pl/gdansk"}


def records_of(corpus, page: str) -> list:  # type: ignore[no-untyped-def]
    return corpus[0][page].activities


def test_what_the_corpus_leaves_unresolved(corpus):
    _, resolution = corpus
    assert sorted((Path(u.file).name, u.name, u.kind) for u in resolution.unresolved) == [
        ("amadora.txt", "Autonomous region of Príncipe", "region"),
        ("brussels.txt", "Georgia", "region"),
        ("gdansk.txt", "Sefton", "region"),
        ("generalitat-de-catalunya.fr.txt", "Generalitat de Catalunya", "region"),
        ("generalitat-de-catalunya.txt", "Generalitat de Catalunya", "region"),
    ]
    # "Aubervilliers & Saint-Denis" (Charleroi, Stuttgart) is two places (issue 17).
    conference = [a for a in records_of(corpus, "charleroi.txt") if a.more_places]
    assert [(a.place.resolved_name, a.more_places[0].resolved_name) for a in conference] == [
        ("Aubervilliers", "Saint-Denis")
    ]
    assert [(Path(p.file).name, p.page_population) for p in resolution.population_mismatches] == [
        ("brussels.txt", 170_407)
    ]


def test_liege_and_charleroi_pages_merge(corpus):
    records, resolution = corpus

    def key(page: str, title: str, date: str | None = None) -> str:
        found = {
            a.key
            for a in records[page].activities
            if project_title_key(a.title) == project_title_key(title)
            and (date is None or (a.periods and a.periods[0].start == date))
        }
        assert len(found) == 1, (page, title, found)
        return found.pop()

    assert key("liege.txt", "Goal Project") == key("charleroi.txt", "GOAL Project")
    assert key("liege.txt", "Goal Project") == "project/31294"
    elderly = "Abused and neglected Elderly Women"
    assert key("liege.txt", elderly) == key("charleroi.txt", elderly) == "project/1621"
    football = "SecuCities Football : Euro 2000 cities against racism"
    assert key("liege.txt", football) == key("charleroi.txt", football) == "project/30286"
    assert key("brussels.txt", football) == "project/30286"
    assert key("liege.txt", "Democracy, Cities &Drugs II") == (
        "project/democracy-cities-and-drugs-ii"
    )
    assert key("charleroi.txt", "Democracy, Cities &Drugs I") == (
        "project/democracy-cities-and-drugs-i"
    )
    assert key("liege.txt", "Drugs Network") == "project/drugs-network"
    assert key("liege.txt", "The Pertinency of Drug Prevention Messages") == (
        "project/pertinency-of-drug-prevention-messages"
    )
    cascais = "event/2013-06-27/general-assembly/cascais"
    assert key("liege.txt", "General Assembly", "2013-06-27") == cascais
    assert key("charleroi.txt", "General Assembly", "2013-06-27") == cascais
    audits = "event/2008-03-27/conference/brussels"
    assert key("liege.txt", "Conference on Local Safety Audits") == audits
    assert key("charleroi.txt", "Conference on Local Safety Audits") == audits
    brussels_2012 = "event/2012-06-07/general-assembly/brussels"
    assert key("liege.txt", "General Assembly", "2012-06-07") == brussels_2012
    assert [Path(m.file).name for m in resolution.merges[cascais].mentions] == [
        "augsburg.txt",
        "charleroi.txt",
        "liege.txt",
    ]
    assert sorted(Path(m.file).name for m in resolution.merges[brussels_2012].mentions) == [
        "charleroi.txt",
        "liege.txt",
        "nantes.txt",
        "stuttgart.txt",
    ]
    conflicts = [c for c in resolution.id_conflicts if c.kind == "same id, different titles"]
    assert [c.network_ids for c in conflicts] == [["12"]]


# -- the cached index ------------------------------------------------------------------------

TINY_CITIES = (
    [
        (2792413, "Liège", "BE", 50.63373, 5.56749, 195278, "WAL"),
        (2998324, "Lille", "FR", 50.63297, 3.05858, 238695, "32"),
    ],
    sorted([("liege", 2792413, 0, "BE"), ("luik", 2792413, 1, "BE"), ("lille", 2998324, 0, "FR")]),
)


def test_index_is_built_once_into_the_cache_folder(tmp_path, monkeypatch):
    from citynet.resolve import gazetteer as module

    monkeypatch.setattr(module, "_index_rows", lambda: TINY_CITIES)
    (tmp_path / "geonames-cities500-0.1-v0.sqlite").write_bytes(b"an older index")
    first = Gazetteer(cache_directory=tmp_path)
    assert first.city_matches("LUIK", "BE")[0].geonames_id == 2792413
    files = sorted(p.name for p in tmp_path.iterdir())
    # No temporary file left, the older index removed.
    assert len(files) == 1 and files[0].startswith("geonames-cities500-")
    assert files[0] != "geonames-cities500-0.1-v0.sqlite"

    def fail():
        raise AssertionError("rebuilt an index that is cached")

    monkeypatch.setattr(module, "_index_rows", fail)
    again = Gazetteer(cache_directory=tmp_path)
    assert again.city_matches("Lille")[0].geonames_id == 2998324


def test_index_is_built_in_memory_when_the_cache_is_not_writable(tmp_path, monkeypatch):
    from citynet.resolve import gazetteer as module

    monkeypatch.setattr(module, "_index_rows", lambda: TINY_CITIES)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    gaz = Gazetteer(cache_directory=blocked / "cache")
    assert gaz.city_matches("Liege", "BE")[0].geonames_id == 2792413
    assert blocked.read_text() == "not a folder"


def test_resolving_twice_gives_the_same_answer():
    records = [liege(), charleroi()]
    records[0].city = PlaceName("Liège", line=1)
    first = resolve_records(records, gazetteer=default_gazetteer())
    keys = [a.key for r in records for a in r.activities]
    places = [(t.place.geonames_id, t.place.resolved_name) for r in records for t in r.twins]
    again = resolve_records(records, gazetteer=default_gazetteer())
    assert [a.key for r in records for a in r.activities] == keys
    assert [(t.place.geonames_id, t.place.resolved_name) for r in records for t in r.twins] == (
        places
    )
    assert again.warnings == first.warnings
    assert sorted(again.merges) == sorted(first.merges)


def test_prefetched_names_match_as_looked_up_one_by_one(gaz):
    names = ["Liège", "Halle (Saale)", "Saint-Denis", "Frankfurt am Main", "Nowhere Xyzzy", "  "]
    prefetched = Gazetteer()
    prefetched._db = gaz._index()
    prefetched.prefetch(names)
    # Every key city_matches asks for first is there, with the rows a lookup gives.
    assert set(prefetched._rows) == {
        "liege",
        "hallesaale",
        "halle",
        "saintdenis",
        "frankfurtammain",
        "nowherexyzzy",
    }
    one_by_one = Gazetteer()
    one_by_one._db = gaz._index()
    for key, rows in prefetched._rows.items():
        assert rows == one_by_one._lookup(key), key
    assert prefetched._rows["nowherexyzzy"] == ()
    assert len(prefetched._rows["saintdenis"]) > 1  # several places, in id order
    assert [r[0] for r in prefetched._rows["saintdenis"]] == sorted(
        r[0] for r in prefetched._rows["saintdenis"]
    )
    for name in names:
        assert prefetched.city_matches(name, ("FR",)) == one_by_one.city_matches(name, ("FR",))
