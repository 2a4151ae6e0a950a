"""A polite HTTP client: robots.txt first, a delay per host, bounded retries and sizes.

docs/fetch.md ("Politeness") has the rules: RFC 9309 for robots.txt, delays counted
from the end of the previous answer, Retry-After, redirects only within the site.
"""

from __future__ import annotations

import time
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
    _http: httpx.Client | None = None
    _robots: dict[str, Protego | None] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)  # host -> end of its last answer

    def __enter__(self) -> PoliteClient:
        self._http = httpx.Client(headers={"User-Agent": self.user_agent}, timeout=self.timeout)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._http is not None:
            self._http.close()

    def robots(self, url: str) -> Protego | None:
        """The site's rules (None: robots.txt fails, so nothing is allowed); FetchFailed
        when robots.txt cannot be reached at all."""
        origin = _origin(url)
        if origin not in self._robots:
            answer = self._follow(f"{origin}/robots.txt", {}, ROBOTS_LIMIT, obey_robots=False)
            if answer.status >= 500:
                self._robots[origin] = None
            else:  # 4xx, or redirected away or too often: RFC 9309's "unavailable"
                text = answer.body.decode("utf-8", "replace") if answer.status < 300 else ""
                self._robots[origin] = Protego.parse(text)
        return self._robots[origin]

    def allowed(self, url: str) -> bool:
        rules = self.robots(url)
        return rules is not None and bool(rules.can_fetch(url, self.user_agent))

    def get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        """GET with redirects kept within the site and robots.txt obeyed (read first)."""
        answer = self._follow(url, headers or {}, self.max_bytes)
        if _location(answer) and not answer.offsite and not answer.disallowed:
            raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")
        return answer

    def _follow(
        self, url: str, headers: dict[str, str], limit: int, obey_robots: bool = True
    ) -> Answer:
        """The answer after at most MAX_REDIRECTS redirects within the site."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._request(current, headers, limit)
            target = _location(answer)
            if target is None:
                break
            if not same_site(target, url):
                answer.offsite = target
                break
            if obey_robots and not self.allowed(target):
                answer.disallowed = True
                answer.final_url = target
                break
            current = target
        return answer

    def _request(self, url: str, headers: dict[str, str], limit: int) -> Answer:
        """One URL, tried up to TRIES times on 429, 5xx and network failures."""
        error = ""
        for attempt in range(1, TRIES + 1):
            self._wait_turn(url)
            backoff = max(self.delay, 0.5) * 2 ** (attempt - 1)
            try:
                answer = self._once(url, headers, limit)
            except httpx.TransportError as failure:
                error = f"{type(failure).__name__}: {one_line(failure) or 'no answer'}"
                wait = backoff
            else:
                if (answer.status != 429 and answer.status < 500) or attempt == TRIES:
                    return answer
                wait = retry_after(answer.headers.get("retry-after"), backoff)
                if wait > MAX_RETRY_AFTER:
                    raise FetchFailed(f"HTTP {answer.status}, asked to wait {wait:.0f} s")
            if attempt < TRIES:
                time.sleep(wait)
        raise FetchFailed(f"{error} after {TRIES} tries")

    def _wait_turn(self, url: str) -> None:
        """Sleep until our delay, or the site's Crawl-delay if longer, has passed for the host."""
        rules = self._robots.get(_origin(url))
        crawl_delay = rules.crawl_delay(self.user_agent) if rules is not None else None
        last = self._last.get(urlsplit(url).netloc, -float("inf"))
        time.sleep(max(0.0, last + max(self.delay, float(crawl_delay or 0)) - time.monotonic()))

    def _once(self, url: str, headers: dict[str, str], limit: int) -> Answer:
        assert self._http is not None, "use PoliteClient in a with block"
        try:
            with self._http.stream("GET", url, headers=headers) as response:
                answer = Answer(str(response.url), response.status_code, response.headers)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    answer.too_large = True
                    return answer
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        answer.too_large = True
                        return answer
                answer.body = bytes(body)
                return answer
        finally:
            self._last[urlsplit(url).netloc] = time.monotonic()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _location(answer: Answer) -> str | None:
    """Where a redirect answer points to (None for any other answer)."""
    if answer.status not in _REDIRECTS or "location" not in answer.headers:
        return None
    return urljoin(answer.final_url, answer.headers["location"])


def retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
