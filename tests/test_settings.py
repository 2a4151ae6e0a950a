"""citynet.settings: one credential pair for every store and endpoint, read by both clients.

The earlier names (CITYNET_STORE_* of publish, CITYNET_ENDPOINT_* of query) still work,
with a one-line deprecation warning; the same transport rule refuses credentials over
plain http to another machine in both commands.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import start_oxigraph
from stores import Proxy, live_oxigraph

from citynet import settings
from citynet.cli import cli
from citynet.errors import InputError
from citynet.settings import DEPRECATED_NAMES, ENV_AUTH, ENV_PASSWORD, ENV_USER, Credentials
from citynet.sparql.backends import endpoint_config

ALL_NAMES = (ENV_USER, ENV_PASSWORD, ENV_AUTH, *DEPRECATED_NAMES[ENV_USER]) + DEPRECATED_NAMES[
    ENV_PASSWORD
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ALL_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(settings, "_warned", set())


def test_the_new_pair_is_read_with_the_scheme_the_store_kind_wants() -> None:
    env = {ENV_USER: "alice", ENV_PASSWORD: "pw"}
    assert settings.credentials("basic", env) == Credentials("alice", "pw", "basic")
    assert settings.credentials("digest", env) == Credentials("alice", "pw", "digest")
    assert settings.credentials("digest", {**env, ENV_AUTH: "Basic"}).scheme == "basic"
    assert settings.credentials("basic", {}) is None
    assert "pw" not in repr(settings.credentials("basic", env))


@pytest.mark.parametrize("old", ["STORE", "ENDPOINT"])
def test_old_names_work_with_one_warning_line(old: str, capsys) -> None:
    env = {f"CITYNET_{old}_USER": "bob", f"CITYNET_{old}_PASSWORD": "pw2"}
    assert settings.credentials("basic", env) == Credentials("bob", "pw2", "basic")
    assert settings.credentials("basic", env) == Credentials("bob", "pw2", "basic")
    assert capsys.readouterr().err == (
        f"warning: CITYNET_{old}_USER and CITYNET_{old}_PASSWORD are deprecated; "
        "use CITYNET_USER and CITYNET_PASSWORD\n"
    )


def test_the_new_name_wins_over_an_old_one(capsys) -> None:
    env = {ENV_USER: "alice", ENV_PASSWORD: "pw", "CITYNET_STORE_USER": "bob"}
    assert settings.credentials("basic", env) == Credentials("alice", "pw", "basic")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({ENV_USER: "alice"}, "CITYNET_PASSWORD is not set"),
        ({ENV_PASSWORD: "pw"}, "CITYNET_USER is not set"),
        (
            {"CITYNET_STORE_USER": "a", "CITYNET_ENDPOINT_USER": "b", ENV_PASSWORD: "pw"},
            "CITYNET_STORE_USER and CITYNET_ENDPOINT_USER are set to different values",
        ),
        ({ENV_USER: "a", ENV_PASSWORD: "pw", ENV_AUTH: "ntlm"}, "CITYNET_AUTH='ntlm' is not"),
    ],
)
def test_incomplete_or_conflicting_settings_are_usage_errors(env, message) -> None:
    with pytest.raises(InputError) as caught:
        settings.credentials("basic", env)
    assert caught.value.message.startswith(message)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://localhost:7878/store", True),
        ("http://127.0.0.1/x", True),
        ("http://[::1]:8890/sparql", True),
        ("https://store.example.org/x", True),
        ("http://store.example.org/x", False),
        ("http://127.0.0.2.example.org/x", False),
    ],
)
def test_credentials_go_over_https_or_to_this_machine_only(url: str, allowed: bool) -> None:
    found = Credentials("alice", "pw", "basic")
    if allowed:
        settings.check_transport(found, [url])
    else:
        with pytest.raises(InputError, match="refusing to send credentials over plain http"):
            settings.check_transport(found, [url])
    settings.check_transport(None, [url])  # no credentials: any URL


def test_query_endpoint_reads_the_same_settings(monkeypatch) -> None:
    monkeypatch.setenv(ENV_USER, "alice")
    monkeypatch.setenv(ENV_PASSWORD, "pw")
    monkeypatch.setenv(ENV_AUTH, "digest")
    config = endpoint_config("http://127.0.0.1:9/sparql")
    assert config.credentials == Credentials("alice", "pw", "digest")
    with pytest.raises(InputError, match="refusing to send credentials over plain http"):
        endpoint_config("http://example.org/sparql")


@pytest.fixture
def basic_proxy(tmp_path) -> Iterator[tuple[Proxy, str]]:
    """A real Oxigraph behind a proxy that wants Basic alice:pw (Oxigraph has no accounts)."""
    server = start_oxigraph(tmp_path)
    wanted = "Basic " + base64.b64encode(b"alice:pw").decode()
    proxy = Proxy(server.url)
    proxy.rule = lambda seen: None if seen.headers.get("Authorization") == wanted else 401
    try:
        yield proxy, live_oxigraph(server).store_path
    finally:
        proxy.close()
        server.stop()


@pytest.mark.parametrize("names", ["new", "old"])
def test_publish_and_query_log_in_with_the_one_pair(basic_proxy, names, monkeypatch) -> None:
    proxy, store_path = basic_proxy
    user, password = (
        (ENV_USER, ENV_PASSWORD)
        if names == "new"
        else ("CITYNET_STORE_USER", "CITYNET_STORE_PASSWORD")
    )
    monkeypatch.setenv(user, "alice")
    monkeypatch.setenv(password, "pw")
    graph = Path(__file__).parent / "fixtures" / "publish" / "pages-v1.trig"
    runner = CliRunner()
    published = runner.invoke(cli, ["publish", str(graph), "--store", proxy.base + store_path])
    assert published.exit_code == 0, published.output
    queried = runner.invoke(cli, ["query", "stats", "--endpoint", f"{proxy.base}/query"])
    assert queried.exit_code == 0, queried.output
    assert "named graphs" in queried.output
    assert {s.headers.get("Authorization") for s in proxy.seen if s.method != "HEAD"} == {
        "Basic " + base64.b64encode(b"alice:pw").decode()
    }
    warned = "warning: CITYNET_STORE_USER and CITYNET_STORE_PASSWORD are deprecated; use"
    assert (warned in published.output) == (names == "old")
