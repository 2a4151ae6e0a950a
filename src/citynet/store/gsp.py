"""An HTTP client for a SPARQL 1.1 store: the Graph Store Protocol and the SPARQL protocol.

Its rules for endpoints a user does not control: only a failed *connection* is retried
(``CONNECT_ATTEMPTS``, short backoff); a total timeout on every request; TLS always
verified; redirects never followed; environment proxies not used; credentials only from
the settings (Basic or Digest, see :mod:`citynet.settings`), over https or to this
machine, never printed; every failure one line naming the endpoint: ``EndpointError``
(exit 3) when the store cannot be used, ``PublishAborted`` (exit 4) when it refused or
lost what we sent. The store kinds (``--store-kind``) differ only in where the query and
update endpoints are and how credentials go (the table in docs/publish.md); ``auto``
reads the ``Server`` header of one HEAD.
"""

from __future__ import annotations

import json
import os
import ssl
import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from citynet import settings
from citynet.common.text import one_line
from citynet.errors import EndpointError, InputError, PublishAborted
from citynet.settings import BACKOFF_S, CONNECT_ATTEMPTS, ENV_PASSWORD, ENV_USER

SPARQL_JSON = "application/sparql-results+json"
SNIPPET_CHARS = 200

StoreKind = Literal["generic", "oxigraph", "fuseki", "virtuoso"]
STORE_KINDS: tuple[StoreKind, ...] = ("generic", "oxigraph", "fuseki", "virtuoso")
#: How each kind sends credentials unless CITYNET_AUTH says otherwise.
AUTH_OF_KIND: dict[StoreKind, settings.AuthScheme] = {
    "generic": "basic",
    "oxigraph": "basic",
    "fuseki": "basic",
    "virtuoso": "digest",
}
#: A word of the Server header that names the kind (lower case).
SERVER_MARKS: tuple[tuple[str, StoreKind], ...] = (
    ("virtuoso", "virtuoso"),
    ("oxigraph", "oxigraph"),
    ("fuseki", "fuseki"),
)

#: The default graph (``?default``) as opposed to a named graph.
DEFAULT_GRAPH = None


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The three URLs of one store: Graph Store, SPARQL query and SPARQL update."""

    store: str
    query: str
    update: str

    @classmethod
    def resolve(
        cls,
        store: str,
        query: str | None = None,
        update: str | None = None,
        *,
        kind: StoreKind = "generic",
    ) -> Endpoints:
        """Default the query and update endpoints from the store's layout.

        Generic (Oxigraph ``/store``, ``/query``, ``/update``; Fuseki ``/ds/data``,
        ``/ds/query``, ``/ds/update``): ``query`` and ``update`` beside the store.
        Virtuoso: ``sparql-auth`` beside ``sparql-graph-crud-auth`` (``sparql`` beside
        the endpoint without authentication), for both.
        """
        store_url = _checked_url(store, "--store")
        query_name, update_name = "query", "update"
        if kind == "virtuoso":
            authenticated = store_url.path.rstrip("/").endswith("-auth")
            query_name = update_name = "sparql-auth" if authenticated else "sparql"
        query_url = (
            _checked_url(query, "--query-endpoint") if query else _sibling(store_url, query_name)
        )
        update_url = (
            _checked_url(update, "--update-endpoint")
            if update
            else _sibling(store_url, update_name)
        )
        return cls(str(store_url), str(query_url), str(update_url))


def _checked_url(value: str, option: str) -> httpx.URL:
    settings.check_url(value, option)  # http(s), no credentials in it: the one rule
    try:
        return httpx.URL(value)
    except (httpx.InvalidURL, TypeError) as error:
        raise InputError(f"{option}: not a URL: {error}") from None


def _sibling(url: httpx.URL, name: str) -> httpx.URL:
    path = url.path.rstrip("/")
    parent = path.rsplit("/", 1)[0] if "/" in path else ""
    return url.copy_with(path=f"{parent}/{name}", query=None, fragment=None)


def display_url(url: str | httpx.URL) -> str:
    """The URL without user, password, query or fragment: safe to print."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError):
        return "<invalid URL>"
    return str(parsed.copy_with(userinfo=b"", query=None, fragment=None))


def credentials_from_env(endpoints: Endpoints, kind: StoreKind = "generic") -> httpx.Auth | None:
    """The settings' credentials as httpx auth (Basic or Digest); refused over plain http
    to another machine before anything is sent."""
    found = settings.credentials(AUTH_OF_KIND[kind])
    settings.check_transport(found, [endpoints.store, endpoints.query, endpoints.update])
    if found is None:
        return None
    if found.scheme == "digest":
        return httpx.DigestAuth(found.user, found.password)
    return httpx.BasicAuth(found.user, found.password)


def kind_of_server(server_header: str | None) -> StoreKind:
    """The store kind a ``Server`` header names; ``generic`` when it names none."""
    value = (server_header or "").lower()
    for mark, kind in SERVER_MARKS:
        if mark in value:
            return kind
    return "generic"


@dataclass(frozen=True, slots=True)
class GspResult:
    """What a Graph Store request gave back."""

    status: int
    media_type: str | None  # Content-Type without parameters, lower case
    body: bytes
    location: str | None = None

    @property
    def found(self) -> bool:
        return self.status != 404


def _media_type(response: httpx.Response) -> str | None:
    value = response.headers.get("content-type")
    return value.split(";", 1)[0].strip().lower() if value else None


def _snippet(response: httpx.Response) -> str:
    try:
        text = response.content.decode("utf-8", errors="replace")
    except httpx.HTTPError:  # pragma: no cover - body already read by the client
        return ""
    return " ".join(text.split())[:SNIPPET_CHARS]


def _realm(response: httpx.Response) -> str:
    challenge = response.headers.get("www-authenticate", "")
    marker = 'realm="'
    if marker in challenge:
        return challenge.split(marker, 1)[1].split('"', 1)[0]
    return ""


class StoreClient:
    """One store's Graph Store and SPARQL endpoints, with citynet's error policy.

    Use as a context manager. ``timeout`` bounds every request (connect, send, wait,
    read) in seconds.
    """

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        timeout: float = settings.DEFAULT_TIMEOUT_S,
        kind: StoreKind = "generic",
        anonymous: bool = False,
    ) -> None:
        if timeout <= 0:
            raise InputError(f"--timeout must be more than 0 seconds, got {timeout}")
        self.endpoints = endpoints
        self.timeout = timeout
        self.kind = kind
        auth = None if anonymous else credentials_from_env(endpoints, kind)
        # The system trust store plus SSL_CERT_FILE / SSL_CERT_DIR when set: always verified.
        context = ssl.create_default_context(
            cafile=os.environ.get("SSL_CERT_FILE") or None,
            capath=os.environ.get("SSL_CERT_DIR") or None,
        )
        self._http = httpx.Client(
            auth=auth,
            timeout=timeout,
            verify=context,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": settings.USER_AGENT},
        )

    def __enter__(self) -> StoreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ transport

    def send(
        self, method: str, url: str, *, what: str, write: bool, **options: Any
    ) -> httpx.Response:
        """One request (``options`` as for :meth:`exchange`); connection failures retried;
        redirects, refused credentials and HTML pages answering a write are errors."""
        response = self.exchange(method, url, what=what, write=write, **options)
        self._refuse(response, url, what=what, write=write)
        return response

    def exchange(
        self,
        method: str,
        url: str,
        *,
        what: str,
        write: bool,
        params: Any = None,
        content: bytes | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """One request and its answer, whatever the status; connection failures retried."""
        shown = display_url(url)
        limit = timeout if timeout is not None else self.timeout
        response: httpx.Response | None = None
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                request = self._http.build_request(
                    method,
                    url,
                    params=params,
                    content=content,
                    data=data,
                    headers=headers,
                    timeout=limit,
                )
                response = self._fetch(request, limit)
                break
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                if _is_tls_failure(error):
                    raise EndpointError(
                        f"TLS check of {shown} failed: {_one_line(error)}",
                        hint="the store's certificate must be trusted; set SSL_CERT_FILE "
                        "to its CA bundle",
                    ) from None
                if attempt + 1 == CONNECT_ATTEMPTS:
                    reason = (
                        f"no connection within {limit:g} s"
                        if isinstance(error, httpx.ConnectTimeout)
                        else _one_line(error)
                    )
                    raise EndpointError(
                        f"cannot reach {shown}: {reason} ({CONNECT_ATTEMPTS} attempts)",
                        hint="is the store running and the URL right?",
                    ) from None
                time.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
            except httpx.TimeoutException:
                raise EndpointError(
                    f"{shown} did not answer {what} within {limit:g} s",
                    hint="the store is slow or hanging; try again or raise --timeout",
                ) from None
            except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
                if write:
                    raise PublishAborted(
                        f"the connection to {shown} broke during {what}: {_one_line(error)}",
                        hint="nothing was swapped in; run citynet publish again",
                    ) from None
                raise EndpointError(
                    f"the connection to {shown} broke during {what}: {_one_line(error)}"
                ) from None
            except httpx.HTTPError as error:
                raise EndpointError(f"{shown}: {what} failed: {_one_line(error)}") from None
        assert response is not None
        return response

    def _refuse(self, response: httpx.Response, url: str, *, what: str, write: bool) -> None:
        """Redirects, refused credentials and HTML pages answering a write are errors."""
        shown = display_url(url)
        if response.is_redirect or 300 <= response.status_code < 400:
            target = display_url(response.headers.get("location", "")) or "nowhere"
            raise EndpointError(
                f"{shown} answered {what} with a redirect ({response.status_code}) to {target}; "
                "citynet does not follow redirects",
                hint="give the final URL of the endpoint",
            )
        if response.status_code in (401, 403):
            realm = _realm(response)
            realm_text = f', realm "{realm}"' if realm else ""
            raise EndpointError(
                f"{shown} refused {what}: {response.status_code} {response.reason_phrase}"
                f"{realm_text}",
                hint=f"check {ENV_USER} and {ENV_PASSWORD}",
            )
        if (
            response.status_code >= 200
            and _media_type(response) == "text/html"
            and write
            and response.content.strip()
        ):
            # A login page or captive portal answering 200: the write did not reach a store.
            # An empty body labelled text/html is not a page (Virtuoso's 201 to a PUT).
            raise EndpointError(
                f"{shown} answered {what} with an HTML page ({response.status_code}), "
                f"not a store: {_snippet(response)}",
                hint="check the URL; a proxy or login page is in the way",
            )

    def server_kind(self) -> StoreKind:
        """Ask the Graph Store endpoint who it is (one HEAD, any status): the kind."""
        url = str(httpx.URL(self.endpoints.store).copy_with(query=b"default"))
        response = self.exchange("HEAD", url, what="a look at the store", write=False)
        return kind_of_server(response.headers.get("server"))

    def _fetch(self, request: httpx.Request, limit: float) -> httpx.Response:
        """Send and read the whole answer within ``limit`` seconds in total: httpx's own
        timeouts are per network operation, so a store trickling bytes would never end."""
        deadline = time.monotonic() + limit
        response = self._http.send(request, stream=True)
        try:
            chunks = []
            for chunk in response.iter_raw():  # decoded by the Response built below
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the answer took too long", request=request)
        finally:
            response.close()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=b"".join(chunks),
            request=request,
        )

    # ------------------------------------------------------------------ SPARQL protocol

    def select(
        self, query: str, *, what: str = "a query", timeout: float | None = None
    ) -> list[dict[str, str]]:
        """Run a SELECT; rows map variable names to the lexical value of each bound term."""
        response = self.send(
            "POST",
            self.endpoints.query,
            what=what,
            write=False,
            data={"query": query},
            headers={"Accept": SPARQL_JSON},
            timeout=timeout,
        )
        shown = display_url(self.endpoints.query)
        media = _media_type(response)
        if response.status_code != 200 or media != SPARQL_JSON:
            raise EndpointError(
                f"{shown} answered {what} with {response.status_code}: expected {SPARQL_JSON}, "
                f"got {media or 'no content type'}: {_snippet(response)}",
                hint="check --query-endpoint",
            )
        try:
            document = json.loads(response.content)
            variables = document["head"]["vars"]
            bindings = document["results"]["bindings"]
            rows = [{name: cell["value"] for name, cell in row.items()} for row in bindings]
            if not isinstance(variables, list):
                raise TypeError("head.vars is not a list")
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise EndpointError(
                f"{shown} sent invalid or truncated SPARQL JSON results for {what}: "
                f"{_one_line(error)}",
                hint="no result was used; try again",
            ) from None
        return rows

    def update(self, text: str, *, what: str, timeout: float | None = None) -> None:
        """Run one SPARQL Update request; any non-2xx answer is an error (exit 3)."""
        response = self.send(
            "POST",
            self.endpoints.update,
            what=what,
            write=True,
            data={"update": text},
            timeout=timeout,
        )
        if not 200 <= response.status_code < 300:
            raise UpdateRefused(
                f"{display_url(self.endpoints.update)} refused {what}: "
                f"{response.status_code} {_snippet(response)}",
                status=response.status_code,
            )

    # ------------------------------------------------------------------ Graph Store Protocol

    def _graph_target(self, graph: str | None, direct: bool) -> tuple[str, dict[str, str] | None]:
        """URL and query parameters naming ``graph`` (None: the default graph).

        Indirect identification (``?graph=IRI``, ``?default``) works on every store; direct
        identification (the graph IRI is the request URL) only for IRIs under the endpoint.
        """
        if graph is None:
            # ``?default`` is a bare key in the protocol; httpx params would write ``default=``.
            return str(httpx.URL(self.endpoints.store).copy_with(query=b"default")), None
        if direct:
            if not graph.startswith(self.endpoints.store.rstrip("/") + "/"):
                raise InputError(
                    f"{graph} is not under {self.endpoints.store}; "
                    "direct graph identification needs one"
                )
            return graph, None
        return self.endpoints.store, {"graph": graph}

    def _gsp(
        self,
        method: str,
        graph: str | None,
        *,
        direct: bool = False,
        content: bytes | None = None,
        media_type: str | None = None,
        accept: str | None = None,
        allow_missing: bool = False,
    ) -> GspResult:
        url, params = self._graph_target(graph, direct)
        name = "the default graph" if graph is None else f"<{graph}>"
        write = method in ("PUT", "POST", "DELETE")
        what = f"{method} of {name}"
        headers: dict[str, str] = {}
        if media_type:
            headers["Content-Type"] = media_type
        if accept:
            headers["Accept"] = accept
        response = self.send(
            method,
            url,
            what=what,
            write=write,
            params=params,
            content=content,
            headers=headers,
        )
        if response.status_code == 404 and allow_missing:
            return GspResult(404, _media_type(response), response.content)
        self._check_status(response, url, what, write)
        if method == "GET" and _media_type(response) == "text/html":
            raise EndpointError(
                f"{display_url(url)} answered {what} with an HTML page, not RDF: "
                f"{_snippet(response)}"
            )
        return _gsp_result(response)

    def _check_status(self, response: httpx.Response, url: str, what: str, write: bool) -> None:
        status = response.status_code
        if status in (400, 413, 415, 422) and write:
            raise PublishAborted(
                f"{display_url(self.endpoints.store)} rejected {what}: {status} "
                f"{response.reason_phrase}: {_snippet(response)}",
                hint="the store did not take the data; nothing was swapped in",
            )
        if not 200 <= status < 300:
            raise EndpointError(
                f"{display_url(url)} answered {what} with {status} {response.reason_phrase}: "
                f"{_snippet(response)}"
            )

    def get(
        self, graph: str | None, *, accept: str = "text/turtle", direct: bool = False
    ) -> GspResult:
        """GET a graph (status 404 when it does not exist)."""
        return self._gsp("GET", graph, direct=direct, accept=accept, allow_missing=True)

    def head(
        self, graph: str | None, *, accept: str = "text/turtle", direct: bool = False
    ) -> GspResult:
        return self._gsp("HEAD", graph, direct=direct, accept=accept, allow_missing=True)

    def put(
        self, graph: str | None, data: bytes, media_type: str, *, direct: bool = False
    ) -> GspResult:
        """Replace a graph with ``data`` in one request (created when missing)."""
        return self._gsp("PUT", graph, direct=direct, content=data, media_type=media_type)

    def post(
        self, graph: str | None, data: bytes, media_type: str, *, direct: bool = False
    ) -> GspResult:
        """Add ``data`` to a graph in one request."""
        return self._gsp("POST", graph, direct=direct, content=data, media_type=media_type)

    def delete(self, graph: str | None, *, direct: bool = False) -> GspResult:
        """Delete a graph (status 404 when it did not exist)."""
        return self._gsp("DELETE", graph, direct=direct, allow_missing=True)

    def create(self, data: bytes, media_type: str) -> GspResult:
        """POST to the endpoint itself: the store makes a new graph and names it in Location."""
        what = "POST of a new graph"
        response = self.send(
            "POST",
            self.endpoints.store,
            what=what,
            write=True,
            content=data,
            headers={"Content-Type": media_type},
        )
        self._check_status(response, self.endpoints.store, what, write=True)
        return _gsp_result(response)


def _gsp_result(response: httpx.Response) -> GspResult:
    location = response.headers.get("location")
    return GspResult(response.status_code, _media_type(response), response.content, location)


class UpdateRefused(EndpointError):
    """The update endpoint answered a SPARQL Update with an error status."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def _is_tls_failure(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(error) or "SSL" in str(error)


def _one_line(error: BaseException) -> str:
    return one_line(error, SNIPPET_CHARS) or type(error).__name__
