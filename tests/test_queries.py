"""Named queries: same rows on pyoxigraph, rdflib and a real Oxigraph server; safe
parameter binding (B26-B30); endpoint failures (F1-F4); result formats that parse back."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import OxigraphServer, free_port
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from citynet.cli import cli
from citynet.errors import EndpointError, InputError
from citynet.sparql.backends import EndpointBackend, OxigraphBackend, RdflibBackend, endpoint_config
from citynet.sparql.queries import (
    MARKER,
    NO_MATCH,
    PreparedQuery,
    find_query,
    list_queries,
    load_query,
    prepare,
    run_query,
)
from citynet.sparql.results import QueryResult, format_results

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "queries"
SAMPLE = FIXTURES / "sample.trig"
PAGES = ROOT / "data" / "pages"
BASE = "https://w3id.org/citynet/"
INJECTION = 'Liège" } ; DROP ALL ; #'

NAMES = [
    "city-activities",
    "city-twins",
    "project-partners",
    "shared-events",
    "shared-projects",
    "stats",
    "timeline",
    "twin-check",
    "twins-in-network",
]

#: Every named query with the parameter sets the cross-engine tests run.
RUNS = [
    ("shared-projects", {}),
    ("shared-projects", {"city": "Liège"}),
    ("shared-events", {}),
    ("shared-events", {"city": "Liège"}),
    ("city-twins", {}),
    ("city-twins", {"city": "Liège"}),
    ("city-activities", {"city": "Liège"}),
    ("project-partners", {"project": "Goal Project"}),
    ("twins-in-network", {}),
    ("timeline", {}),
    ("timeline", {"city": "Charleroi"}),
    ("twin-check", {}),
    ("stats", {}),
]


def _build_available() -> bool:
    return importlib.util.find_spec("citynet.read.pages") is not None


@pytest.fixture(scope="session")
def bundled_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """citynet.trig built from the bundled pages (skips while the readers are missing)."""
    if not _build_available():
        pytest.skip("citynet build cannot read pages yet (no citynet.pages)")
    from citynet.graph.build import build

    out = tmp_path_factory.mktemp("bundled")
    build([PAGES], out=out)
    return out / "citynet.trig"


@pytest.fixture(scope="session")
def sample_oxigraph() -> OxigraphBackend:
    return OxigraphBackend([SAMPLE])


def run(name: str, params: dict[str, str] | None = None, *, backend=None) -> QueryResult:
    return run_query(name, params or {}, backend=backend or OxigraphBackend([SAMPLE]))


def rows(result: QueryResult, *columns: str) -> list[tuple[str | None, ...]]:
    values = [result.values(c) for c in columns]
    return list(zip(*values, strict=True))


# The catalogue -------------------------------------------------------------------------------


def test_catalogue_lists_every_named_query_with_its_header() -> None:
    queries = {q.name: q for q in list_queries()}
    assert sorted(queries) == NAMES
    required = {
        "shared-projects": ["city", "other_city", "shared", "projects"],
        "shared-events": ["city", "other_city", "shared", "events"],
        "city-twins": ["city", "twin", "twin_country", "reciprocal"],
        "city-activities": ["city", "activity", "type", "role", "start", "end", "place"],
        "project-partners": ["project", "city", "country", "role", "start", "end"],
        "twins-in-network": ["city", "twin"],
        "twin-check": ["city", "twin", "status"],
        "stats": ["item", "count"],
    }
    for name, columns in required.items():
        assert [c.name for c in queries[name].columns][: len(columns)] == columns
    for query in queries.values():
        assert query.title and query.description and query.form == "select"
        assert query.marker_offsets or not query.params
    city = queries["shared-projects"].param("city")
    assert city is not None and not city.required and city.type == "iri-or-label"
    assert city.classes == (
        URIRef("https://w3id.org/citynet/ontology#City"),
        URIRef("https://w3id.org/citynet/ontology#Region"),
    )
    assert queries["city-activities"].param("city").required  # type: ignore[union-attr]
    assert queries["project-partners"].param("project").required  # type: ignore[union-attr]
    assert [c.separator for c in queries["shared-projects"].columns if c.separator] == [" | "]


def test_queries_command_lists_names_and_json() -> None:
    text = CliRunner().invoke(cli, ["queries"])
    assert text.exit_code == 0
    assert "shared-projects: Shared projects" in text.output
    assert "parameters: city (iri-or-label, optional)" in text.output
    data = CliRunner().invoke(cli, ["queries", "--format", "json"])
    listed = json.loads(data.output)
    assert [q["name"] for q in listed] == NAMES
    partners = next(q for q in listed if q["name"] == "project-partners")
    assert partners["params"][0]["name"] == "project"
    assert partners["params"][0]["required"] is True


# Same rows everywhere --------------------------------------------------------------------------


#: rdflib's engine takes tens of seconds for some queries on the bundled graph, so it is
#: held against pyoxigraph on every run on the sample and on these runs on the bundled one.
RDFLIB_BUNDLED_RUNS = [
    ("shared-projects", {"city": "Liège"}),
    ("project-partners", {"project": "Goal Project"}),
    ("twins-in-network", {}),
    ("stats", {}),
]


def _same_rows(graph_file: Path, name: str, params: dict[str, str]) -> None:
    query = find_query(name)
    ox_rows = run_query(query, params, backend=OxigraphBackend([graph_file]))
    rdflib_rows = run_query(query, params, backend=RdflibBackend([graph_file]))
    assert ox_rows.variables == rdflib_rows.variables
    assert ox_rows.comparable() == rdflib_rows.comparable()
    assert ox_rows.rows, f"{name} {params} gave no rows"


@pytest.mark.parametrize(("name", "params"), RUNS, ids=lambda v: str(v))
def test_oxigraph_and_rdflib_give_the_same_rows_on_the_sample(name: str, params) -> None:
    _same_rows(SAMPLE, name, params)


@pytest.mark.parametrize(("name", "params"), RDFLIB_BUNDLED_RUNS, ids=lambda v: str(v))
def test_oxigraph_and_rdflib_give_the_same_rows_on_the_bundled_graph(
    bundled_graph: Path, name: str, params
) -> None:
    _same_rows(bundled_graph, name, params)


def _load_into(server: OxigraphServer, graph_file: Path) -> None:
    server.clear()
    assert server.load_dataset(graph_file) >= 3
    assert server.count_quads() == len(list(_quads(graph_file)))


def _quads(path: Path):
    import pyoxigraph as ox

    return set(ox.parse(path=str(path)))


@pytest.mark.parametrize("source", ["sample", "bundled"])
def test_local_and_oxigraph_server_give_the_same_rows(
    request: pytest.FixtureRequest, oxigraph_server: OxigraphServer, source: str
) -> None:
    graph_file = SAMPLE if source == "sample" else request.getfixturevalue("bundled_graph")
    _load_into(oxigraph_server, graph_file)
    local = OxigraphBackend([graph_file])
    remote = EndpointBackend(endpoint_config(oxigraph_server.query, timeout=30))
    for name, params in RUNS:
        query = find_query(name)
        here = run_query(query, params, backend=local)
        there = run_query(query, params, backend=remote)
        assert here.variables == there.variables, name
        assert here.comparable() == there.comparable(), (name, params)
        assert there.rows, (name, params)


# Exact answers on the hand-made sample -----------------------------------------------------------


GOAL = "Goal Project"
ELDERLY = "Abused and neglected Elderly Women"
FOOTBALL = "SecuCities Football : Euro 2000 cities against racism"


@pytest.mark.parametrize(
    "spelling", ["Liège", "Liege", "liège", "LIEGE", "Lüttich", f"{BASE}city/be/liege"]
)
def test_shared_projects_of_liege_in_any_spelling(sample_oxigraph, spelling: str) -> None:
    result = run("shared-projects", {"city": spelling}, backend=sample_oxigraph)
    assert rows(result, "city", "other_city", "shared", "projects") == [
        ("Liège", "Charleroi", "3", f"{ELDERLY} | {GOAL} | {FOOTBALL}"),
        ("Liège", "Porto", "1", "Citizens, Cities and CCTV"),
    ]
    assert result.warnings == []


def test_shared_projects_without_city_lists_each_pair_once(sample_oxigraph) -> None:
    result = run("shared-projects", backend=sample_oxigraph)
    assert rows(result, "city", "other_city", "shared") == [
        ("Charleroi", "Liège", "3"),
        ("Liège", "Porto", "1"),
    ]


def test_shared_events(sample_oxigraph) -> None:
    result = run("shared-events", backend=sample_oxigraph)
    assert rows(result, "city", "other_city", "shared", "events") == [
        ("Charleroi", "Liège", "1", "General Assembly (2013-06-27, Cascais)"),
        ("Charleroi", "Porto", "1", "General Assembly (2013-06-27, Cascais)"),
        ("Liège", "Porto", "1", "General Assembly (2013-06-27, Cascais)"),
    ]


def test_city_twins_with_reciprocity_and_country(sample_oxigraph) -> None:
    result = run("city-twins", {"city": "Liège"}, backend=sample_oxigraph)
    assert rows(result, "city", "twin", "twin_country", "reciprocal") == [
        ("Liège", "Köln", "DE", "unknown"),  # Köln has no page in the sample
        ("Liège", "Nancy", "FR", "unknown"),
        ("Liège", "Porto", "PT", "true"),
    ]
    everyone = run("city-twins", backend=sample_oxigraph)
    assert rows(everyone, "city", "twin") == [
        ("Charleroi", "Hirson"),
        ("Liège", "Köln"),
        ("Liège", "Nancy"),
        ("Liège", "Porto"),
        ("Porto", "Liège"),
    ]


def test_twins_in_network(sample_oxigraph) -> None:
    result = run("twins-in-network", backend=sample_oxigraph)
    assert rows(result, "city", "twin", "reciprocal") == [("Liège", "Porto", "true")]


def test_city_activities(sample_oxigraph) -> None:
    result = run("city-activities", {"city": "liege"}, backend=sample_oxigraph)
    assert rows(result, "activity", "type", "role", "start", "end", "place") == [
        (FOOTBALL, "project", "partner", "2000", "2000", None),
        (ELDERLY, "project", "partner", "2001", "2002", None),
        ("Citizens, Cities and CCTV", "project", "partner", "2009", "2010", None),
        (GOAL, "project", "partner", "2009", "2012", None),
        ("the debate on collective violence", "event", "presenter", "2009-06-26",
         "2009-06-26", "Toulouse"),
        ("General Assembly", "event", "attendee", "2013-06-27", "2013-06-27", "Cascais"),
    ]  # fmt: skip
    start = result.rows[0][result.variables.index("start")]
    assert isinstance(start, Literal) and start.datatype == URIRef(
        "http://www.w3.org/2001/XMLSchema#gYear"
    )


def test_project_partners_by_title(sample_oxigraph) -> None:
    result = run("project-partners", {"project": "goal project"}, backend=sample_oxigraph)
    assert rows(result, "project", "city", "country", "role", "start", "end") == [
        (GOAL, "Charleroi", "BE", "partner", "2009", "2012"),
        (GOAL, "Liège", "BE", "partner", "2009", "2012"),
    ]
    coordinator = run(
        "project-partners", {"project": f"{BASE}project/1797"}, backend=sample_oxigraph
    )
    assert rows(coordinator, "city", "role", "start", "end") == [
        ("Liège", "partner", "2009", "2010"),
        ("Porto", "coordinator", "2009", None),
    ]


def test_timeline(sample_oxigraph) -> None:
    result = run("timeline", backend=sample_oxigraph)
    assert rows(result, "date", "event", "place", "participants") == [
        ("2009-06-26", "the debate on collective violence", "Toulouse", "Liège (presenter)"),
        ("2012-12", "International Conference", None, "Charleroi (attendee)"),
        ("2013-06-27", "General Assembly", "Cascais",
         "Charleroi (attendee) | Liège (attendee) | Porto (host)"),
    ]  # fmt: skip
    porto = run("timeline", {"city": "Porto"}, backend=sample_oxigraph)
    assert porto.values("event") == ["General Assembly"]


def test_stats(sample_oxigraph) -> None:
    result = run("stats", backend=sample_oxigraph)
    counts = dict(rows(result, "item", "count"))
    cn = "https://w3id.org/citynet/ontology#"
    assert counts[f"{cn}City"] == "8"
    assert counts[f"{cn}Project"] == "4"
    assert counts[f"{cn}Event"] == "3"
    assert counts[f"{cn}Participation"] == "13"
    assert counts[f"{cn}Twinning"] == "4"
    assert counts["twinned pairs (either page states it)"] == "4"
    assert counts["twinning statements (cn:twinnedWith)"] == "5"
    assert counts["member cities (with a page)"] == "3"
    assert counts["named graphs"] == "3"
    assert counts["quads"] == str(len(_quads(SAMPLE)))


def test_turtle_data_is_queried_through_a_graph_named_after_the_file(tmp_path: Path) -> None:
    # A triple file has no named graphs: it is loaded into one named after the file, so
    # the GRAPH ?g patterns of the named queries still see it.
    turtle = tmp_path / "liege.ttl"
    graph = Graph()
    for s, p, o, _ in _dataset(SAMPLE).quads((None, None, None, URIRef(f"{BASE}source/liege"))):
        graph.add((s, p, o))
    graph.serialize(turtle, format="turtle")
    for backend in (OxigraphBackend([turtle]), RdflibBackend([turtle])):
        result = run("stats", backend=backend)
        assert dict(rows(result, "item", "count"))["named graphs"] == "1"
        assert run("city-twins", {"city": "Liège"}, backend=backend).values("twin") == [
            "Köln",
            "Nancy",
            "Porto",
        ]


def _dataset(path: Path):
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(path, format="trig")
    return dataset


# On the bundled pages ---------------------------------------------------------------------------


def test_bundled_shared_projects_of_liege(bundled_graph: Path) -> None:
    result = run("shared-projects", {"city": "Liège"}, backend=OxigraphBackend([bundled_graph]))
    by_partner = {r[1]: r[3] for r in rows(result, "city", "other_city", "shared", "projects")}
    assert "Charleroi" in by_partner
    titles = by_partner["Charleroi"].split(" | ")
    assert any(t.startswith("Goal Project") or t == "GOAL Project" for t in titles), titles
    assert ELDERLY in titles
    assert any(t.startswith("SecuCities Football") for t in titles), titles


def test_bundled_city_twins_of_liege(bundled_graph: Path) -> None:
    result = run("city-twins", {"city": "Lüttich"}, backend=OxigraphBackend([bundled_graph]))
    assert len(result.rows) == 15
    reciprocal = dict(rows(result, "twin", "reciprocal"))
    assert reciprocal["Porto"] == "true"
    assert reciprocal["Köln"] == "true"
    assert set(result.values("city")) == {"Liège"}


# Safety: B26-B30 ------------------------------------------------------------------------------


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_b26_syntax_error_names_file_line_col_before_any_endpoint_call() -> None:
    # The endpoint is a closed port: had it been called, the error would be exit 3.
    result = invoke(
        "query",
        str(FIXTURES / "bad-syntax.rq"),
        "--endpoint",
        f"http://127.0.0.1:{free_port()}/query",
    )
    assert result.exit_code == 2
    message = one_line_error(result)
    assert re.search(r"bad-syntax\.rq:7:3: SPARQL syntax error near 'FILTER\(\?city = \)'", message)


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("undeclared-param.rq", r"undeclared-param\.rq:6:32: \$city is not a declared parameter"),
        ("unused-param.rq", r"unused-param\.rq: parameter 'city' is declared but \$city is not"),
    ],
)
def test_b27_parameters_declared_and_used(file: str, expected: str) -> None:
    result = invoke("query", str(FIXTURES / file), "--data", str(SAMPLE))
    assert result.exit_code == 2
    assert re.search(expected, one_line_error(result))


def test_b28_injection_is_a_name_matching_nothing(oxigraph_server: OxigraphServer) -> None:
    _load_into(oxigraph_server, SAMPLE)
    before = oxigraph_server.count_quads()
    sent: list[PreparedQuery] = []
    backend = RecordingBackend(EndpointBackend(endpoint_config(oxigraph_server.query, timeout=30)))
    result = run_query(
        "shared-projects", {"city": INJECTION}, backend=backend, on_prepared=sent.append
    )
    assert result.rows == []
    assert result.warnings == [f"--param city: nothing is labelled {INJECTION!r}"]
    assert oxigraph_server.count_quads() == before
    text = sent[0].text
    # Nothing sent, label lookups included, carries the value.
    assert len(backend.texts) == 2 and backend.texts[-1] == text
    assert not any("DROP" in t or INJECTION in t or 'Liège"' in t for t in backend.texts)
    query = find_query("shared-projects")
    block = f"VALUES (?city_param) {{ (<{NO_MATCH}>) }}"

    # Byte-identical except for the VALUES block on the line after the marker.
    def with_block(match: re.Match) -> str:  # after every marker, indented like it
        return f"{match.group(0)}{match.group(1)}{block}\n"

    assert text == re.sub(rf"( *){re.escape(MARKER)}\n", with_block, query.text)
    assert text.count(block) == text.count(MARKER) >= 1
    # Same on the local engines.
    for local in (OxigraphBackend([SAMPLE]), RdflibBackend([SAMPLE])):
        assert run_query("shared-projects", {"city": INJECTION}, backend=local).rows == []


class RecordingBackend:
    """Passes queries on and keeps every text sent."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.description = inner.description
        self.texts: list[str] = []

    def run(self, text: str, form: str) -> QueryResult:
        self.texts.append(text)
        return self.inner.run(text, form)


def test_labels_are_read_once_per_local_backend() -> None:
    class Counting(OxigraphBackend):
        texts: list[str]

        def run(self, text: str, form: str) -> QueryResult:
            self.texts.append(text)
            return super().run(text, form)

    backend = Counting.from_store(OxigraphBackend([SAMPLE]).store)
    backend.texts = []
    for spelling in ("Liège", "liege", "Liège"):
        result = run_query("shared-projects", {"city": spelling}, backend=backend)
        assert result.values("other_city") == ["Charleroi", "Porto"]
    # One label lookup, then the three queries: the labels are kept as an index.
    assert len(backend.texts) == 4
    assert sum("rdfs:label|skos:altLabel" in text for text in backend.texts) == 1


def test_resource_dir_finds_the_shipped_folders() -> None:
    from citynet.common.resources import resource_dir

    assert (resource_dir("queries") / "shared-projects.rq").is_file()
    assert resource_dir("queries") == ROOT / "queries"
    with pytest.raises(ValueError, match="unknown resource"):
        resource_dir("secrets")


def test_b28_cli_injection_exit_0_zero_rows() -> None:
    result = invoke(
        "query", "shared-projects", "--data", str(SAMPLE), "--param", f"city={INJECTION}",
        "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout_bytes == b"city,other_city,shared,projects,city_iri,other_city_iri\r\n"
    printed = invoke(
        "query", "shared-projects", "--data", str(SAMPLE), "--param", f"city={INJECTION}",
        "--print-query",
    )  # fmt: skip
    assert "DROP" not in printed.stdout and str(NO_MATCH) in printed.stdout


ECHO = FIXTURES / "echo-params.rq"


@pytest.mark.parametrize(
    "value",
    [INJECTION, 'x" } ; DROP ALL ; #', "two\nlines", 'quote " and \\ backslash', "tab\there"],
)
def test_b28_string_values_round_trip_exactly(value: str) -> None:
    for backend in (OxigraphBackend([SAMPLE]), RdflibBackend([SAMPLE])):
        result = run_query(load_query(ECHO), {"text": value}, backend=backend)
        assert result.values("text") == [value]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"))
        | st.sampled_from(['"', "'", "\\", "\n", "\r", "\t", "}", "#", "<", ">"]),
        max_size=40,
    )
)
def test_b28_any_string_is_one_literal_on_both_engines(value: str) -> None:
    query = load_query(ECHO)
    try:
        prepared = prepare(query, {"text": value})
    except InputError as error:
        assert "backslash followed by 'u'" in str(error)
        assert re.search(r"\\[uU]", value)
        return
    for backend in (EMPTY_OXIGRAPH, EMPTY_RDFLIB):
        assert backend.run(prepared.text, "select").values("text") == [value]


EMPTY_OXIGRAPH = OxigraphBackend([])
EMPTY_RDFLIB = RdflibBackend([])


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("city", "http://a> } DROP ALL #", "character '>' is not allowed in an IRI"),
        ("city", "x" * 1_000_000, "value is 1000000 characters long"),
        ("city", "javascript:alert(1)", "IRI scheme 'javascript' is not allowed"),
        ("city", "file:///etc/passwd", "IRI scheme 'file' is not allowed"),
        ("city", "../city/be/liege", "is not an absolute IRI"),
        ("city", "/etc/passwd", "is not an absolute IRI"),
        ("city", "nul\x00byte", "control character U+0000"),
    ],
)
def test_b28_b29_bad_city_values_are_refused(param: str, value: str, expected: str) -> None:
    result = invoke(
        "query", "shared-projects", "--data", str(SAMPLE), "--param", f"{param}={value}"
    )
    assert result.exit_code == 2
    assert expected in one_line_error(result)


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("day", "2009-02-30", "'2009-02-30' is not a valid xsd:date"),
        ("day", "26/06/2009", "is not a valid xsd:date"),
        ("lang", "en US", "'en US' is not a BCP47 tag"),
        ("n", "12a", "is not an integer"),
        ("link", "file:///etc/passwd", "IRI scheme 'file' is not allowed"),
        ("link", "city/be/liege", "is not an absolute IRI"),
        ("text", "\\u0022", "backslash followed by 'u'"),
    ],
)
def test_b29_b30_typed_values_are_checked(param: str, value: str, expected: str) -> None:
    result = invoke("query", str(ECHO), "--data", str(SAMPLE), "--param", f"{param}={value}")
    assert result.exit_code == 2
    assert expected in one_line_error(result)


def test_typed_values_are_bound_with_their_datatypes(sample_oxigraph) -> None:
    result = run_query(
        load_query(ECHO),
        {"day": "2009-02-28", "lang": "pt-BR", "n": "-5", "link": "https://example.org/a?b=c"},
        backend=sample_oxigraph,
    )
    assert result.comparable() == [
        (
            None,
            '"2009-02-28"^^<http://www.w3.org/2001/XMLSchema#date>',
            '"pt-BR"',
            '"-5"^^<http://www.w3.org/2001/XMLSchema#integer>',
            "<https://example.org/a?b=c>",
        )
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["shared-projects", "--param", "town=Liège"], "shared-projects: unknown parameter 'town'"),
        (["city-activities"], "city-activities: parameter 'city' is required"),
        (["project-partners", "--param", "nope"], "--param 'nope': expected KEY=VALUE"),
        (["no-such-query"], "no named query 'no-such-query'"),
        ([str(FIXTURES / "service.rq")], "SERVICE is refused on local files"),
    ],
)
def test_usage_errors_exit_2(args: list[str], expected: str) -> None:
    result = invoke("query", *args, "--data", str(SAMPLE))
    assert result.exit_code == 2
    assert expected in one_line_error(result)


# Endpoint failures: F1-F4 ------------------------------------------------------------------------


def test_f1_connection_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    result = invoke("query", "stats", "--endpoint", url, "--timeout", "5")
    assert result.exit_code == 3
    assert one_line_error(result).startswith(f"error: cannot reach {url}: connection refused")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers (F2)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/query"
    stop.set()
    thread.join(timeout=5)
    for conn in accepted:
        conn.close()
    sock.close()


def test_f2_slow_endpoint_times_out(silent_server: str) -> None:
    result = invoke("query", "stats", "--endpoint", silent_server, "--timeout", "1")
    assert result.exit_code == 3
    assert one_line_error(result) == (
        f"error: {silent_server}: no answer within 1 s (raise --timeout or check the endpoint)"
    )


def _http_server(status: int, content_type: str, body: bytes) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/sparql"


@pytest.fixture
def http_answer(request: pytest.FixtureRequest) -> Iterator[str]:
    server, url = _http_server(*request.param)
    yield url
    server.shutdown()
    server.server_close()


LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please log in</body></html>"
)


@pytest.mark.parametrize(
    "http_answer", [(200, "text/html; charset=utf-8", LOGIN_PAGE)], indirect=True
)
def test_f3_html_answer(http_answer: str) -> None:
    result = invoke("query", "stats", "--endpoint", http_answer, "--timeout", "5")
    assert result.exit_code == 3
    message = one_line_error(result)
    assert message.startswith(
        f"error: {http_answer}: expected application/sparql-results+json, got text/html: "
        "<!DOCTYPE html><html><head><title>Sign in"
    )


TRUNCATED = (
    b'{"head": {"vars": ["item", "count"]}, "results": {"bindings": [{"item": {"type": "uri", "val'
)


@pytest.mark.parametrize(
    "http_answer", [(200, "application/sparql-results+json", TRUNCATED)], indirect=True
)
def test_f4_truncated_json_is_an_error_and_nothing_is_printed(http_answer: str) -> None:
    result = invoke("query", "stats", "--endpoint", http_answer, "--timeout", "5")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert one_line_error(result).startswith(f"error: {http_answer}: invalid SPARQL JSON results")


@pytest.mark.parametrize(
    "http_answer", [(502, "text/html", b"<html><body>502 Bad Gateway</body></html>")], indirect=True
)
def test_f3_proxy_error_page(http_answer: str) -> None:
    result = invoke("query", "stats", "--endpoint", http_answer, "--timeout", "5")
    assert result.exit_code == 3
    assert "502" in one_line_error(result)


def test_credentials_only_from_environment_and_never_over_remote_http() -> None:
    in_url = invoke("query", "stats", "--endpoint", "http://user:secret@127.0.0.1:9/query")
    assert in_url.exit_code == 2
    message = one_line_error(in_url)
    assert "contains credentials" in message and "secret" not in message
    env = {"CITYNET_USER": "me", "CITYNET_PASSWORD": "s3cret"}  # citynet.settings
    remote = invoke("query", "stats", "--endpoint", "http://example.org/sparql", env=env)
    assert remote.exit_code == 2
    message = one_line_error(remote)
    assert "refusing to send credentials over plain http to example.org" in message
    assert "s3cret" not in remote.output


# Output formats --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def twins(sample_oxigraph) -> QueryResult:
    return run("city-twins", backend=sample_oxigraph)


def test_csv_parses_back(twins: QueryResult) -> None:
    text = format_results(twins, "csv")
    assert "\r\n" in text
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[0] == twins.variables
    assert parsed[1:] == [[str(t) if t is not None else "" for t in row] for row in twins.rows]
    via_rdflib = Result.parse(io.StringIO(text), format="csv")
    assert [str(v) for v in via_rdflib.vars] == twins.variables
    assert len(list(via_rdflib)) == len(twins.rows)


def test_tsv_parses_back_to_the_same_terms(twins: QueryResult) -> None:
    text = format_results(twins, "tsv")
    assert text.splitlines()[0] == "\t".join(f"?{v}" for v in twins.variables)
    parsed = Result.parse(io.StringIO(text), format="tsv")
    back = [tuple(row[v] for v in parsed.vars) for row in parsed]  # type: ignore[index]
    assert [tuple(t.n3() for t in row) for row in back] == twins.comparable()


def test_json_parses_back_to_the_same_terms(sample_oxigraph) -> None:
    result = run("city-activities", {"city": "Liège"}, backend=sample_oxigraph)
    text = format_results(result, "json")
    document = json.loads(text)
    assert document["head"]["vars"] == result.variables
    first = document["results"]["bindings"][0]
    assert first["start"] == {
        "type": "literal",
        "value": "2000",
        "datatype": "http://www.w3.org/2001/XMLSchema#gYear",
    }
    assert "place" not in first  # unbound stays out
    parsed = Result.parse(io.BytesIO(text.encode()), format="json")
    back = [tuple(row[v] for v in parsed.vars) for row in parsed]  # type: ignore[index]
    assert [tuple(None if t is None else t.n3() for t in row) for row in back] == (
        result.comparable()
    )


def test_markdown_and_table(twins: QueryResult) -> None:
    markdown = format_results(twins, "markdown").splitlines()
    assert markdown[0] == "| " + " | ".join(twins.variables) + " |"
    assert len(markdown) == 2 + len(twins.rows)
    assert markdown[5].startswith("| Liège | Porto | PT | true | ")
    table = format_results(twins, "table", width=200)
    assert "Köln" in table and table.rstrip().endswith("5 rows")


def test_table_never_folds_iris(sample_oxigraph) -> None:
    result = run("shared-projects", {"city": "Liège"}, backend=sample_oxigraph)
    table = format_results(result, "table", width=60)
    lines = table.splitlines()
    for iri in {*result.values("city_iri"), *result.values("other_city_iri")}:
        assert any(iri in line for line in lines), iri  # whole, on one line
    # Labels still fold to share the width; every row is there.
    assert any("Abused and" in line and "Elderly" not in line for line in lines)
    assert lines[-1] == "2 rows"


def test_cli_csv_output_to_file(tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    result = invoke(
        "query", "shared-projects", "--data", str(SAMPLE), "--param", "city=Liège",
        "--format", "csv", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [(r["other_city"], r["shared"]) for r in parsed] == [("Charleroi", "3"), ("Porto", "1")]


def test_ask_and_construct(sample_oxigraph) -> None:
    ask = run_query(load_query(FIXTURES / "ask.rq"), backend=sample_oxigraph)
    assert ask.kind == "ask" and ask.boolean is True
    assert json.loads(format_results(ask, "json")) == {"head": {}, "boolean": True}
    assert Result.parse(io.StringIO(format_results(ask, "json")), format="json").askAnswer
    built = run_query(load_query(FIXTURES / "construct.rq"), backend=sample_oxigraph)
    assert built.kind == "graph"
    graph = Graph().parse(data=format_results(built, "table"), format="turtle")
    assert len(graph) == 8  # 5 statements, both directions, Liège-Porto counted once each way
    cli_out = invoke("query", str(FIXTURES / "construct.rq"), "--data", str(SAMPLE))
    assert cli_out.exit_code == 0
    assert len(Graph().parse(data=cli_out.stdout, format="turtle")) == 8


def test_construct_and_ask_over_the_endpoint(oxigraph_server: OxigraphServer) -> None:
    _load_into(oxigraph_server, SAMPLE)
    backend = EndpointBackend(endpoint_config(oxigraph_server.query, timeout=30))
    assert run_query(load_query(FIXTURES / "ask.rq"), backend=backend).boolean is True
    built = run_query(load_query(FIXTURES / "construct.rq"), backend=backend)
    assert built.graph is not None and len(built.graph) == 8


def test_endpoint_errors_are_endpoint_errors() -> None:
    backend = EndpointBackend(endpoint_config(f"http://127.0.0.1:{free_port()}/q", timeout=2))
    with pytest.raises(EndpointError, match="connection refused"):
        run_query("stats", backend=backend)


# Generated pages: the restructured queries give the rows they gave before ---------------------

#: The named queries as they were before they were restructured for large graphs
#: (GROUP BY subqueries over every label of the graph), kept to re-record GENERATED_ROWS.
BEFORE = FIXTURES / "before"
#: Rows the queries in BEFORE gave on 1,000 generated pages (seed 7), as SHA-256 digests.
GENERATED_ROWS = FIXTURES / "generated-1000-seed7.json"
CEHEGIN = f"{BASE}city/es/cehegin"  # the page with the most projects and events
NIGHTLIFE = "Common Nightlife for Prevention"
GENERATED_RUNS = [
    ("shared-projects", {}),
    ("shared-projects", {"city": "Cehegín"}),
    ("shared-projects", {"city": CEHEGIN}),
    ("shared-events", {}),
    ("shared-events", {"city": "Cehegín"}),
    ("city-twins", {}),
    ("city-twins", {"city": "cehegin"}),
    ("city-twins", {"city": CEHEGIN}),
    ("city-activities", {"city": "Cehegín"}),
    ("project-partners", {"project": NIGHTLIFE}),
    ("project-partners", {"project": f"{BASE}project/3315544"}),
    ("twins-in-network", {}),
    ("timeline", {}),
    ("timeline", {"city": "Cehegín"}),
    ("twin-check", {}),
    ("twin-check", {"city": "Cehegín"}),
    ("stats", {}),
]


def _generated_store(pages: int, seed: int, folder: Path):
    """Generated pages built into an in-memory Oxigraph store (the streaming build)."""
    import sys

    if str(ROOT) not in sys.path:  # benchmarks/ is a top-level package of the checkout
        sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate
    from citynet.scale.streaming import stream_build

    generate(pages, seed, folder / "pages")
    (folder / "pages" / "manifest.json").unlink()
    built = stream_build([folder / "pages"], out=folder / "out", in_memory_store=True, workers=2)
    assert built.store is not None
    return built.store


def _graph_digest(store) -> str:
    import hashlib

    lines = sorted(str(quad) for quad in store)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _rows_digest(result: QueryResult) -> str:
    import hashlib

    text = json.dumps([result.variables, result.comparable()], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _run_key(name: str, params: dict[str, str]) -> str:
    return name + "".join(f" {k}={v}" for k, v in sorted(params.items()))


@pytest.fixture(scope="module")
def generated_1000(tmp_path_factory: pytest.TempPathFactory):
    if not _build_available():
        pytest.skip("citynet build cannot read pages yet (no citynet.pages)")
    return _generated_store(1000, 7, tmp_path_factory.mktemp("generated-1000"))


def test_restructured_queries_give_the_rows_they_gave_before_on_1000_generated_pages(
    generated_1000,
) -> None:
    recorded = json.loads(GENERATED_ROWS.read_text(encoding="utf-8"))
    assert _graph_digest(generated_1000) == recorded["graph_sha256"], (
        "the build of 1,000 generated pages changed, so the recorded rows no longer apply: "
        "re-record them with `python tests/test_queries.py` (runs the queries in "
        f"{BEFORE.relative_to(ROOT)}) and check the diff of {GENERATED_ROWS.name}"
    )
    assert [r["run"] for r in recorded["runs"]] == [_run_key(*run) for run in GENERATED_RUNS]
    backend = OxigraphBackend.from_store(generated_1000)
    for (name, params), expected in zip(GENERATED_RUNS, recorded["runs"], strict=True):
        result = run_query(name, params, backend=backend)
        got = {"run": _run_key(name, params), "rows": len(result.rows)}
        got["sha256"] = _rows_digest(result)
        assert got == expected
        assert result.warnings == []


def record_generated_rows() -> None:
    """Write GENERATED_ROWS from the queries in BEFORE (slow: minutes).

    ``timeline`` with a city is taken from ``timeline`` without one, keeping the events
    the city took part in: that is what the query in BEFORE computes (its city only
    filters the events), and running it as written takes hours at this size.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        store = _generated_store(1000, 7, Path(folder))
        backend = OxigraphBackend.from_store(store)
        runs = []
        for name, params in GENERATED_RUNS:
            query = load_query(BEFORE / f"{name}.rq")
            if name == "timeline" and params:
                result = run_query(query, {}, backend=backend)
                city = prepare(query, params, backend).bindings["city_param"]
                mine = {
                    row[0]
                    for row in backend.run(
                        "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?p "
                        f"<{BASE}ontology#participant> <{city[0]}> ; "
                        f"<{BASE}ontology#activity> ?e . }} }}",
                        "select",
                    ).rows
                }
                index = result.variables.index("event_iri")
                result.rows = [row for row in result.rows if row[index] in mine]
            else:
                result = run_query(query, params, backend=backend)
            runs.append(
                {
                    "run": _run_key(name, params),
                    "rows": len(result.rows),
                    "sha256": _rows_digest(result),
                }
            )
            print(runs[-1], flush=True)
        document = {
            "about": "rows of tests/fixtures/queries/before/*.rq on 1,000 generated pages",
            "pages": 1000,
            "seed": 7,
            "graph_sha256": _graph_digest(store),
            "runs": runs,
        }
    GENERATED_ROWS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


# pyoxigraph and rdflib on generated pages ------------------------------------------------------


@pytest.fixture(scope="module")
def generated_15(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """15 generated pages (rdflib's SPARQL engine is slow on more), as N-Quads."""
    if not _build_available():
        pytest.skip("citynet build cannot read pages yet (no citynet.pages)")
    folder = tmp_path_factory.mktemp("generated-15")
    _generated_store(15, 7, folder)
    return folder / "out" / "citynet.nq"


def test_oxigraph_and_rdflib_give_the_same_rows_on_generated_pages(generated_15: Path) -> None:
    oxigraph, rdflib = OxigraphBackend([generated_15]), RdflibBackend([generated_15])
    city = "Jelcz Laskowice"  # the page with the most projects and events
    project = run_query("city-activities", {"city": city}, backend=oxigraph)
    first = project.values("activity_iri")[project.values("type").index("project")]
    runs = [(name, {}) for name in NAMES if name not in ("city-activities", "project-partners")]
    whole = ("stats", "twins-in-network")
    runs += [(name, {"city": city}) for name, _ in runs if name not in whole]
    runs += [("city-activities", {"city": city}), ("project-partners", {"project": first})]
    assert len(runs) == 14
    for name, params in runs:
        here = run_query(name, params, backend=oxigraph)
        there = run_query(name, params, backend=rdflib)
        assert here.variables == there.variables, (name, params)
        assert here.comparable() == there.comparable(), (name, params)
        assert here.rows, (name, params)


if __name__ == "__main__":
    record_generated_rows()
