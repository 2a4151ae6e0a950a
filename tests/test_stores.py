"""`citynet publish` and `citynet query --endpoint` against the stores people run.

Every test runs on a real Oxigraph server and a real Virtuoso Open Source (Debian's 7.2),
each started once per test session (per xdist worker) and emptied before each test
(``tests/stores.py``). What the store holds is read straight from it, never through
citynet's client; faults come from a logging proxy in front of the real store.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import start_oxigraph
from stores import (
    HANG,
    QUERY_RUNS,
    RESET,
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    LiveStore,
    Proxy,
    Seen,
    live_oxigraph,
    start_virtuoso,
)

from citynet.cli import cli
from citynet.graph.vocab import PUBLISH_META_GRAPH
from citynet.settings import DEPRECATED_NAMES, ENV_AUTH, ENV_PASSWORD, ENV_USER
from citynet.store.publishing import STAGING_MARK, load_payloads

ROOT = Path(__file__).resolve().parents[1]
META = str(PUBLISH_META_GRAPH)
REMOVED_PAGE = "amadora.txt"
CHANGED_PAGE = "nantes.txt"


# ---------------------------------------------------------------------- stores and builds


@pytest.fixture(scope="session")
def virtuoso_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStore]:
    live = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="session")
def oxigraph_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStore]:
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    try:
        yield live_oxigraph(server)
    finally:
        server.stop()


@pytest.fixture(params=["oxigraph", "virtuoso"])
def any_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> LiveStore:
    """A store as the previous test left it, with the credentials it wants set."""
    store: LiveStore = request.getfixturevalue(f"{request.param}_store")
    for name in (ENV_USER, ENV_PASSWORD, ENV_AUTH, *DEPRECATED_NAMES[ENV_USER]):
        monkeypatch.delenv(name, raising=False)
    for name in DEPRECATED_NAMES[ENV_PASSWORD]:
        monkeypatch.delenv(name, raising=False)
    if store.kind == "virtuoso":
        monkeypatch.setenv(ENV_USER, VIRTUOSO_USER)
        monkeypatch.setenv(ENV_PASSWORD, VIRTUOSO_PASSWORD)
        monkeypatch.setenv(ENV_AUTH, "digest")  # for query --endpoint (publish knows the kind)
    return store


@pytest.fixture
def live(any_store: LiveStore) -> LiveStore:
    """An emptied store."""
    any_store.clear()
    return any_store


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The bundled build, and a build with one page removed and one page changed."""
    from citynet.graph.build import build

    root = tmp_path_factory.mktemp("builds")
    pages = root / "pages"
    shutil.copytree(ROOT / "data" / "pages", pages, ignore=shutil.ignore_patterns("*.md"))
    build([pages], out=root / "v1")
    (pages / REMOVED_PAGE).unlink()
    changed = pages / CHANGED_PAGE
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA line added for the test.\n")
    build([pages], out=root / "v2")
    return root / "v1" / "citynet.trig", root / "v2" / "citynet.trig"


def publish_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["publish", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def expected_counts(path: Path) -> dict[str, int]:
    return {p.target: p.count for p in load_payloads(path)}


def held(live: LiveStore) -> dict[str, int]:
    """What the store holds, without citynet's metadata graph."""
    return {g: n for g, n in live.graphs().items() if g != META}


def graph_of(page: str) -> str:
    return f"https://w3id.org/citynet/source/{Path(page).stem}"


@pytest.fixture
def proxy(any_store: LiveStore) -> Iterator[Proxy]:
    made = Proxy(any_store.base)
    yield made
    made.close()


# ---------------------------------------------------------------------- publishing


def test_publish_republish_and_prune_on_each_store(live: LiveStore, builds, proxy) -> None:
    v1, v2 = builds
    store = proxy.base + live.store_path
    code, output = publish_cli(str(v1), "--store", store)
    assert code == 0, output
    assert held(live) == expected_counts(v1)
    assert output.splitlines()[-1].startswith(f"published 18 graphs to {store}: 18 created;")
    assert not [s for s in proxy.seen if s.method == "PUT" and STAGING_MARK not in s.query]

    # The same build again: nothing written.
    proxy.seen.clear()
    code, output = publish_cli(str(v1), "--store", store)
    assert code == 0, output
    assert output.splitlines()[-1].startswith("unchanged: 18 graphs")
    assert proxy.writes(live) == []

    # One page removed, one changed: the removed page's graph goes, with the swap.
    before = held(live)
    code, output = publish_cli(str(v2), "--store", store, "--prune")
    assert code == 0, output
    after = held(live)
    assert after == expected_counts(v2)
    assert graph_of(REMOVED_PAGE) in before and graph_of(REMOVED_PAGE) not in after
    assert f"   removed  <{graph_of(REMOVED_PAGE)}>  0 triples" in output
    assert f"  replaced  <{graph_of(CHANGED_PAGE)}>" in output
    assert not [g for g in live.graphs() if STAGING_MARK in g or ":guard:" in g]
    updates = [s.form["update"] for s in proxy.writes(live) if "update" in s.form]
    swap = [u for u in updates if "MOVE" in u]
    assert len(swap) == 1 and f"DROP SILENT GRAPH <{graph_of(REMOVED_PAGE)}>" in swap[0]


def test_the_store_kind_is_detected_and_can_be_named(live: LiveStore, builds) -> None:
    v1, _ = builds
    from citynet.store.publishing import detect_kind

    assert detect_kind(live.store) == live.kind
    code, output = publish_cli(str(v1), "--store", live.store, "--store-kind", live.kind)
    assert code == 0, output
    assert held(live) == expected_counts(v1)


# ---------------------------------------------------------------------- faults


def _publish_v2_and_fail(live: LiveStore, builds, proxy: Proxy, *args: str) -> tuple[int, str]:
    """With v1 published, publish v2 through the faulty proxy: the live graphs must stay."""
    _, v2 = builds
    before = live.graphs()
    code, output = publish_cli(str(v2), "--store", proxy.base + live.store_path, *args)
    assert live.graphs() == before  # untouched, and no staging graph left
    assert len(output.strip().splitlines()) == 1, output
    return code, output


def test_wrong_credentials_leave_the_live_graphs(
    any_store: LiveStore, published, builds, proxy, monkeypatch
) -> None:
    if any_store.kind == "oxigraph":  # no accounts: a proxy refuses them as a store would
        proxy.rule = lambda seen: 401 if seen.method != "HEAD" else None
        monkeypatch.setenv(ENV_USER, "alice")
    monkeypatch.setenv(ENV_PASSWORD, "not-the-password")  # Virtuoso itself refuses it
    code, output = _publish_v2_and_fail(any_store, builds, proxy)
    assert code == 3
    assert "401 Unauthorized" in output and f"(check {ENV_USER} and {ENV_PASSWORD}" in output
    assert "not-the-password" not in output


def test_server_error_on_upload_leaves_the_live_graphs(
    any_store: LiveStore, published, builds, proxy
) -> None:
    proxy.rule = lambda seen: 500 if seen.method == "PUT" else None
    code, output = _publish_v2_and_fail(any_store, builds, proxy)
    assert code == 3
    assert "answered PUT of <" in output and "with 500" in output


def test_connection_lost_mid_upload_leaves_the_live_graphs(
    any_store: LiveStore, published, builds, proxy
):
    puts: list[Seen] = []

    def reset_first_put(seen: Seen) -> str | None:
        if seen.method == "PUT":
            puts.append(seen)
            if len(puts) == 1:
                return RESET
        return None

    proxy.rule = reset_first_put
    code, output = _publish_v2_and_fail(any_store, builds, proxy)
    assert code == 4
    assert "the connection to" in output and "broke during PUT of <" in output


def test_timeout_at_the_swap_leaves_the_live_graphs(
    any_store: LiveStore, published, builds, proxy
) -> None:
    proxy.rule = lambda seen: HANG if "MOVE" in seen.form.get("update", "") else None
    code, output = _publish_v2_and_fail(any_store, builds, proxy, "--timeout", "3")
    assert code == 3
    assert "did not answer the swap (MOVE of" in output


# ---------------------------------------------------------------------- named queries


@pytest.fixture
def published(any_store: LiveStore, builds) -> Path:
    """The store holding exactly the bundled build: cheap when the previous test left it
    so (the publish is then "unchanged"), which keeps the query tests fast."""
    v1, _ = builds
    if any(g != META and STAGING_MARK not in g for g in any_store.graphs()):
        assert publish_cli(str(v1), "--store", any_store.store, "--prune")[0] == 0
    if held(any_store) != expected_counts(v1):
        any_store.clear()
        assert publish_cli(str(v1), "--store", any_store.store)[0] == 0
    assert held(any_store) == expected_counts(v1)
    return v1


@pytest.mark.parametrize(("name", "params"), QUERY_RUNS, ids=lambda v: str(v))
def test_named_queries_give_the_local_rows_through_each_store(
    any_store: LiveStore,
    published: Path,
    name: str,
    params: dict[str, str],
) -> None:
    live = any_store
    from citynet.sparql.backends import EndpointBackend, OxigraphBackend, endpoint_config
    from citynet.sparql.queries import find_query, run_query

    query = find_query(name)
    here = run_query(query, params, backend=OxigraphBackend([published])).comparable()
    remote = EndpointBackend(endpoint_config(live.base + live.query_path, timeout=60))
    there = run_query(query, params, backend=remote).comparable()
    assert here
    assert there == here


def test_a_staging_graph_changed_before_the_swap_swaps_nothing(live: LiveStore, builds, proxy):
    """Two graphs to swap (one new, one replaced); the last staging graph gains a triple
    just before the swap request reaches the store. The guard must stop the request
    before any MOVE: on Virtuoso too, where an operation that fails inside a request
    does not undo the operations before it."""
    v1, v2 = builds
    assert publish_cli(str(v2), "--store", live.store)[0] == 0
    before = live.graphs()

    def tamper(seen: Seen) -> None:
        if "MOVE" in seen.form.get("update", ""):
            staging = sorted(g for g in live.graphs() if STAGING_MARK in g)
            assert len(staging) == 2
            live.update(f"INSERT DATA {{ GRAPH <{staging[-1]}> {{ <urn:x> <urn:y> <urn:z> }} }}")

    proxy.rule = tamper
    code, output = publish_cli(str(v1), "--store", proxy.base + live.store_path)
    assert code == 4, output
    assert "no graph was swapped; production graphs are unchanged" in output
    assert live.graphs() == before  # nothing moved, staging and guard graphs dropped
    assert graph_of(REMOVED_PAGE) not in live.graphs()


def test_readers_see_all_old_or_all_new_graphs_during_the_swap(
    any_store: LiveStore, published, builds, proxy
) -> None:
    """A reader polling the graphs' counts while the swap runs never sees a mix of old
    and new graphs (the changed page replaced, the removed page still there, or the
    other way round)."""
    _, v2 = builds

    def production() -> dict[str, int]:  # the page graphs, without staging or metadata
        return {g: n for g, n in held(any_store).items() if STAGING_MARK not in g}

    before = production()
    seen: list[dict[str, int]] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            seen.append(production())

    reader = threading.Thread(target=poll, daemon=True)

    def start_reading(request: Seen) -> None:
        if "MOVE" in request.form.get("update", "") and not reader.is_alive():
            reader.start()
            time.sleep(0.2)  # let the reader take a few looks before the swap goes in

    proxy.rule = start_reading
    try:
        code, output = publish_cli(str(v2), "--store", proxy.base + any_store.store_path, "--prune")
    finally:
        time.sleep(0.2)
        done.set()
        reader.join(60)
    assert code == 0, output
    after = production()
    assert before != after
    assert seen, "the reader took no look during the swap"
    mixed = [state for state in seen if state not in (before, after)]
    assert mixed == []
