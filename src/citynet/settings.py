"""What citynet reads from the environment to talk to remote stores and endpoints: one place.

Both HTTP clients read these settings: the Graph Store client of ``citynet publish``
(httpx) and the SPARQL protocol client of ``citynet query --endpoint`` (SPARQLWrapper).

- ``CITYNET_USER`` / ``CITYNET_PASSWORD``: the credentials for every store and endpoint.
  The names of earlier versions (``CITYNET_STORE_USER`` / ``CITYNET_STORE_PASSWORD`` of
  publish, ``CITYNET_ENDPOINT_USER`` / ``CITYNET_ENDPOINT_PASSWORD`` of query) are still
  read when the new ones are unset, with a one-line deprecation warning on stderr.
- ``CITYNET_AUTH``: ``basic`` or ``digest``, how the credentials are sent; by default
  what the store kind wants (Virtuoso: digest; the others: basic).

Credentials are never taken from a URL and never sent over plain http to another machine
(:func:`check_transport`): Basic sends the password as it is, and even Digest lets an
eavesdropper replay or guess it offline.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from citynet.errors import InputError

__version__ = "0.1.0"  # the package's version (pyproject.toml says the same; a test checks)

ENV_USER = "CITYNET_USER"
ENV_PASSWORD = "CITYNET_PASSWORD"
ENV_AUTH = "CITYNET_AUTH"

#: Earlier names, read (with a warning) only when the new name is unset, in this order.
DEPRECATED_NAMES: dict[str, tuple[str, ...]] = {
    ENV_USER: ("CITYNET_STORE_USER", "CITYNET_ENDPOINT_USER"),
    ENV_PASSWORD: ("CITYNET_STORE_PASSWORD", "CITYNET_ENDPOINT_PASSWORD"),
}

#: Hosts that are this machine: credentials may go there over plain http.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

#: Seconds to wait for one request, unless --timeout says otherwise.
DEFAULT_TIMEOUT_S = 60.0
#: Connection attempts for one request (only a connection that failed is retried).
CONNECT_ATTEMPTS = 3
#: The pause before each retry (seconds).
BACKOFF_S = (0.2, 0.5)

USER_AGENT = f"citynet/{__version__}"

AuthScheme = Literal["basic", "digest"]
AUTH_SCHEMES: tuple[AuthScheme, ...] = ("basic", "digest")

_warned: set[str] = set()


@dataclass(frozen=True, slots=True)
class Credentials:
    user: str
    password: str
    scheme: AuthScheme

    def __repr__(self) -> str:  # never show the password, even in a traceback
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r})"


def _read(name: str, environ: Mapping[str, str], used: list[str]) -> str | None:
    """The value of ``name``, else of its deprecated names (appended to ``used``)."""
    value = environ.get(name) or None
    if value is not None:
        return value
    found = {old: environ[old] for old in DEPRECATED_NAMES.get(name, ()) if environ.get(old)}
    if len(set(found.values())) > 1:
        raise InputError(
            f"{' and '.join(found)} are set to different values",
            hint=f"set {name} instead (one setting for every store and endpoint)",
        )
    used.extend(list(found)[:1])
    return next(iter(found.values()), None)


def _warn_deprecated(used: list[str]) -> None:
    """One line on stderr, once per process, naming the old variables and the new ones."""
    fresh = [old for old in used if old not in _warned]
    _warned.update(fresh)
    new = [next(n for n, olds in DEPRECATED_NAMES.items() if old in olds) for old in fresh]
    verb = "is" if len(fresh) == 1 else "are"
    if fresh:
        print(
            f"warning: {' and '.join(fresh)} {verb} deprecated; use {' and '.join(new)}",
            file=sys.stderr,
        )


def auth_scheme(default: AuthScheme, environ: Mapping[str, str] | None = None) -> AuthScheme:
    """``CITYNET_AUTH`` when set, else ``default`` (what the store kind wants)."""
    environ = os.environ if environ is None else environ
    value = (environ.get(ENV_AUTH) or "").strip().lower()
    if not value:
        return default
    if value not in AUTH_SCHEMES:
        raise InputError(f"{ENV_AUTH}={value!r} is not one of {', '.join(AUTH_SCHEMES)}")
    return value  # type: ignore[return-value]


def credentials(
    default_scheme: AuthScheme = "basic", environ: Mapping[str, str] | None = None
) -> Credentials | None:
    """The credentials from the environment, or None when neither variable is set."""
    environ = os.environ if environ is None else environ
    used: list[str] = []
    user = _read(ENV_USER, environ, used)
    password = _read(ENV_PASSWORD, environ, used)
    _warn_deprecated(used)
    if user is None and password is None:
        return None
    if user is None or password is None:
        missing = ENV_USER if user is None else ENV_PASSWORD
        raise InputError(f"{missing} is not set", hint=f"set both {ENV_USER} and {ENV_PASSWORD}")
    return Credentials(user, password, auth_scheme(default_scheme, environ))


def check_url(url: str, what: str) -> None:
    """Refuse a URL that is not http(s) or carries credentials (they would land in shell
    history and logs); the message never repeats them."""
    try:
        parts = urlsplit(url)
        has_userinfo = bool(parts.username or parts.password)
        host = parts.hostname
    except ValueError as error:
        raise InputError(f"{what}: not a URL: {error}") from None
    if has_userinfo:
        raise InputError(
            f"{what} URL contains credentials, which citynet refuses",
            hint=f"put them in {ENV_USER} and {ENV_PASSWORD} instead",
        )
    if parts.scheme not in ("http", "https") or not host:
        # Safe to print: a URL with credentials was refused above.
        raise InputError(
            f"{what}: {url} is not an http(s) URL", hint="e.g. http://localhost:7878/query"
        )


def check_transport(found: Credentials | None, urls: list[str]) -> None:
    """Credentials go over https, or over http to this machine only."""
    if found is None:
        return
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme == "http" and (parts.hostname or "").lower() not in LOCAL_HOSTS:
            raise InputError(
                f"refusing to send credentials over plain http to {parts.hostname}",
                hint=f"use https, or unset {ENV_USER} and {ENV_PASSWORD}",
            )
