"""A polite HTTP client: robots.txt first, a delay per host, bounded retries and sizes.

docs/fetch.md ("Politeness") has the rules: RFC 9309 for robots.txt, delays counted
from the end of the previous answer, Retry-After, redirects only within the site.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from citynet.common.text import one_line
from citynet.fetch.urls import same_site

TRIES = 3  # requests per URL at most, the first included
MAX_RETRY_AFTER = 120.0  # seconds a server may ask us to wait before we give up on a page
MAX_REDIRECTS = 5
ROBOTS_LIMIT = 500_000  # bytes of robots.txt read (Google reads 500 KiB)
_REDIRECTS = frozenset([301, 302, 303, 307, 308])


class FetchFailed(Exception):
    """A URL that gave no usable answer after every try (one-line reason)."""


@dataclass
class Answer:
    """One URL's final answer after redirects and retries."""

    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    too_large: bool = False
    offsite: str | None = None  # the redirect target outside the site, not followed
    disallowed: bool = False  # a redirect into a path robots.txt forbids


@dataclass
class PoliteClient:
    user_agent: str
    delay: float = 1.0
    max_bytes: int = 10_000_000
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _http: httpx.Client | None = None
    _robots: dict[str, Protego | None] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)

    def __enter__(self) -> PoliteClient:
        self._http = httpx.Client(
            headers={"User-Agent": self.user_agent},
            timeout=self.timeout,
            follow_redirects=False,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._http is not None:
            self._http.close()

    # -- robots.txt -------------------------------------------------------------------
    def _origin(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def robots(self, url: str) -> Protego | None:
        """The site's rules (None: robots.txt unreadable, so nothing is allowed).

        Raises :class:`FetchFailed` when robots.txt cannot be reached at all.
        """
        origin = self._origin(url)
        if origin not in self._robots:
            answer = self._request(f"{origin}/robots.txt", {}, ROBOTS_LIMIT)
            for _ in range(MAX_REDIRECTS):  # RFC 9309: follow at least five redirects
                target = urljoin(answer.final_url, answer.headers.get("location", ""))
                if answer.status not in _REDIRECTS or not same_site(target, origin):
                    break
                answer = self._request(target, {}, ROBOTS_LIMIT)
            if answer.status >= 500:
                self._robots[origin] = None
            elif answer.status >= 300:  # none, or redirected away: RFC 9309's "unavailable"
                self._robots[origin] = Protego.parse("")
            else:
                text = answer.body.decode("utf-8", "replace")
                self._robots[origin] = Protego.parse(text)
        return self._robots[origin]

    def allowed(self, url: str) -> bool:
        rules = self.robots(url)
        return rules is not None and bool(rules.can_fetch(url, self.user_agent))

    def host_delay(self, url: str) -> float:
        """Seconds between two requests to this URL's host: ours, or the site's if longer."""
        rules = self._robots.get(self._origin(url))
        crawl_delay = rules.crawl_delay(self.user_agent) if rules is not None else None
        return max(self.delay, float(crawl_delay or 0.0))

    # -- requests ---------------------------------------------------------------------
    def get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        """GET with redirects kept within the site; robots.txt is read first."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._request(current, headers or {}, self.max_bytes)
            answer.url = url
            if answer.status not in _REDIRECTS or "location" not in answer.headers:
                return answer
            target = urljoin(current, answer.headers["location"])
            if not same_site(target, url):
                answer.offsite = target
                return answer
            if not self.allowed(target):
                answer.disallowed = True
                answer.final_url = target
                return answer
            current = target
        raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")

    def _request(self, url: str, headers: dict[str, str], limit: int) -> Answer:
        """One URL, tried up to TRIES times on 429, 5xx and network failures."""
        error = ""
        for attempt in range(1, TRIES + 1):
            self._wait_turn(url)
            try:
                answer = self._once(url, headers, limit)
            except httpx.TransportError as failure:
                error = f"{type(failure).__name__}: {one_line(failure) or 'no answer'}"
                wait = self._backoff(attempt)
            else:
                if answer.status != 429 and answer.status < 500:
                    return answer
                error = f"HTTP {answer.status}"
                wait = retry_after(answer.headers.get("retry-after"), self._backoff(attempt))
                if attempt == TRIES:
                    return answer
                if wait > MAX_RETRY_AFTER:
                    raise FetchFailed(f"HTTP {answer.status}, asked to wait {wait:.0f} s")
            if attempt < TRIES:
                self.sleep(wait)
        raise FetchFailed(f"{error} after {TRIES} tries")

    def _backoff(self, attempt: int) -> float:
        return max(self.delay, 0.5) * 2 ** (attempt - 1)

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last.get(host)
        if last is not None:
            remaining = last + self.host_delay(url) - self.clock()
            if remaining > 0:
                self.sleep(remaining)

    def _once(self, url: str, headers: dict[str, str], limit: int) -> Answer:
        assert self._http is not None, "use PoliteClient in a with block"
        host = urlsplit(url).netloc
        try:
            with self._http.stream("GET", url, headers=headers) as response:
                answer = Answer(url, str(response.url), response.status_code, response.headers)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    answer.too_large = True
                    return answer
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        answer.too_large = True
                        return answer
                    chunks.append(chunk)
                answer.body = b"".join(chunks)
                return answer
        finally:
            self._last[host] = self.clock()


def retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
