"""Reading RDF a user hands us: one format table, and nothing unsafe gets parsed (B31)."""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from citynet.errors import InputError
from citynet.graph.formats import BY_MEDIA_TYPE, BY_NAME, FORMATS, format_for_path, load_graph

_connections: list[object] = []


def _audit(event: str, args: tuple) -> None:
    if event == "socket.connect":
        _connections.append(args)


sys.addaudithook(_audit)


@pytest.fixture
def no_network() -> Iterator[None]:
    _connections.clear()
    yield
    assert _connections == [], f"network connections attempted: {_connections}"


def test_format_table_is_consistent() -> None:
    assert len({f.name for f in FORMATS}) == len(FORMATS)
    assert BY_NAME["turtle"].media_type == "text/turtle"
    assert BY_MEDIA_TYPE["application/ld+json"].suffix == ".jsonld"
    assert format_for_path(Path("x.trig")).quads is True
    with pytest.raises(InputError, match="unknown RDF file type '.csv'"):
        format_for_path(Path("x.csv"))


ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">
  <rdf:Description rdf:about="http://e/a"><e:p>&lol2;</e:p></rdf:Description>
</rdf:RDF>
"""

REMOTE_CONTEXT = (
    '{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://e/a", "name": "x"}'
)
NESTED_REMOTE = '{"@context": [{"e": "http://e/"}, "https://schema.org/"], "@id": "http://e/a"}'


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bomb.rdf", ENTITY_BOMB, "DOCTYPE or ENTITY declaration is refused"),
        ("remote.jsonld", REMOTE_CONTEXT, "remote @context is refused"),
        ("nested.jsonld", NESTED_REMOTE, "remote @context is refused"),
    ],
)
def test_unsafe_rdf_refused_before_parsing(
    tmp_path: Path, no_network: None, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        load_graph([path])
    assert str(path) in str(info.value)


def test_inline_context_jsonld_loads(tmp_path: Path, no_network: None) -> None:
    path = tmp_path / "ok.jsonld"
    path.write_text(
        '{"@context": {"e": "http://e/"}, "@id": "http://e/a", "e:p": "x"}', encoding="utf-8"
    )
    assert len(load_graph([path])) == 1


def test_syntax_error_names_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("<http://e/a> <http://e/p> .\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.ttl:1:27: not valid turtle: "):
        load_graph([path])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_graph([tmp_path / "absent.trig"])


def test_socket_hook_sees_connections() -> None:
    """The audit hook itself works (so the tests above can fail)."""
    _connections.clear()
    with socket.socket() as sock:
        sock.settimeout(0.2)
        with contextlib.suppress(OSError):
            sock.connect(("127.0.0.1", 9))
    assert len(_connections) == 1
