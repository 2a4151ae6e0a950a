"""One fetch run: find the profile pages from the start URLs, then fetch each politely.

docs/fetch.md has the rules: discovery, file names, outcomes, conditional requests and
how an interrupted run with the same start URLs resumes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from citynet.common.files import atomic_write_bytes
from citynet.errors import EndpointError, InputError
from citynet.fetch.client import Answer, FetchFailed, PoliteClient
from citynet.fetch.content import main_content
from citynet.fetch.log import Entry, FetchLog, Run, file_sha256, load_log
from citynet.fetch.urls import (
    gunzip,
    is_profile,
    page_filename,
    page_links,
    profile_matcher,
    same_site,
    sitemap_kind,
    sitemap_locations,
)
from citynet.settings import __version__

DEFAULT_CONTACT = "https://pypi.org/project/citynet/"
MAX_SITEMAPS = 1000  # child sitemaps read from one index (the protocol allows 50,000)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Outcomes, in the order the summary lists them.
OUTCOMES = (
    *("new", "changed", "unchanged", "duplicate", "gone"),
    *("refused", "disallowed", "offsite", "failed"),
)


def user_agent(contact: str | None = None) -> str:
    """``citynet/VERSION (+CONTACT)``: who we are and where to reach whoever runs us."""
    return f"citynet/{__version__} (+{contact or DEFAULT_CONTACT})"


@dataclass
class FetchOptions:
    out: Path
    delay: float = 1.0
    match: str | None = None
    max_pages: int | None = None
    user_agent: str = field(default_factory=user_agent)
    max_page_bytes: int = 10_000_000
    timeout: float = 30.0


@dataclass
class FetchSummary:
    out: Path
    by_outcome: dict[str, list[str]] = field(default_factory=dict)
    resumed: int = 0  # pages an interrupted run had handled, not asked for again

    def add(self, outcome: str, url: str) -> None:
        self.by_outcome.setdefault(outcome, []).append(url)

    def count(self, outcome: str) -> int:
        return len(self.by_outcome.get(outcome, []))

    def line(self) -> str:
        total = sum(len(urls) for urls in self.by_outcome.values()) + self.resumed
        parts = [f"{self.count(o)} {o}" for o in OUTCOMES if self.count(o)]
        if self.resumed:
            parts.append(f"{self.resumed} done before the interruption")
        return f"{pages(total)}: {', '.join(parts) or 'none found'} -> {self.out}"


@dataclass
class Hooks:
    """How a run reports as it goes (the command line draws a bar and prints warnings)."""

    total: Callable[[int], None] = lambda _n: None
    page: Callable[[str, str], None] = lambda _url, _outcome: None
    warn: Callable[[str], None] = lambda _message: None


def pages(count: int) -> str:
    return f"{count} page{'' if count == 1 else 's'}"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fetch_pages(
    start_urls: Iterable[str], options: FetchOptions, hooks: Hooks | None = None
) -> FetchSummary:
    """Fetch the profiles the start URLs lead to into ``options.out``; see the module."""
    try:
        return _fetch_pages(list(start_urls), options, hooks or Hooks())
    except OSError as error:  # the folder or a page file cannot be written
        where = error.filename or options.out
        raise InputError(f"{where}: cannot write: {error.strerror or error}") from None


def _fetch_pages(starts: list[str], options: FetchOptions, hooks: Hooks) -> FetchSummary:
    matcher = profile_matcher(options.match)
    if options.delay < 0:
        raise InputError(f"--delay {options.delay}: must be 0 or more seconds")
    options.out.mkdir(parents=True, exist_ok=True)
    log = load_log(options.out)
    resume_since = _begin_run(log, starts)
    summary = FetchSummary(options.out)
    agent, size = options.user_agent, options.max_page_bytes
    with PoliteClient(agent, options.delay, size, options.timeout) as client:
        profiles = _discover(starts, client, matcher, hooks)
        if options.max_pages is not None:
            profiles = profiles[: options.max_pages]
        hooks.total(len(profiles))
        for url in profiles:
            if _handled_since(log.entries.get(url), resume_since):
                summary.resumed += 1
            else:
                outcome = _fetch_one(url, client, log, options, hooks)
                summary.add(outcome, url)
            hooks.page(url, log.entries[url].outcome)
    if log.run is not None and not summary.count("failed"):
        log.run.finished = now()
    log.save()
    return summary


def _handled_since(entry: Entry | None, since: str | None) -> bool:
    """True for a page the interrupted run being resumed has already done (not failed)."""
    if since is None or entry is None or entry.outcome == "failed":
        return False
    return bool(entry.checked_at and entry.checked_at >= since)


def _begin_run(log: FetchLog, starts: list[str]) -> str | None:
    """Start a run in the log; the start time of the run resumed, if one is."""
    if log.run and log.run.finished is None and log.run.start_urls == starts:
        return log.run.started
    log.run = Run(start_urls=starts, started=now())
    log.save()
    return None


# -- discovery ------------------------------------------------------------------------
def _discover(
    starts: list[str], client: PoliteClient, matcher: re.Pattern[str], hooks: Hooks
) -> list[str]:
    """The profile URLs the start URLs lead to, in order, without repeats."""
    found: dict[str, None] = {}
    for start in starts:
        if not start.startswith(("http://", "https://")):
            raise InputError(f"{start}: not an http(s) URL")
        _start_allowed(start, client)
        if is_profile(start, matcher):
            found.setdefault(start, None)
            continue
        try:
            answer = _get_whole(start, client)
        except FetchFailed as error:
            raise EndpointError(f"{start}: {error}", hint="check the URL") from None
        found.update(dict.fromkeys(_profiles_in(answer, client, matcher, hooks)))
    return list(found)


def _start_allowed(start: str, client: PoliteClient) -> None:
    try:
        rules = client.robots(start)
    except FetchFailed as error:
        raise EndpointError(f"{start}: cannot read the site's robots.txt: {error}") from None
    if rules is None:  # RFC 9309: a robots.txt that fails (5xx) forbids the whole site
        raise EndpointError(
            f"{start}: the site's robots.txt answers with a server error",
            hint="the site asks crawlers to stay away for now; try again later",
        )
    if not client.allowed(start):
        raise InputError(
            f"{start}: the site's robots.txt does not allow citynet to fetch it",
            hint="ask the site, or start from another URL",
        )


def _get_whole(url: str, client: PoliteClient) -> Answer:
    """A start URL or a sitemap, read whole within the site; FetchFailed says why not."""
    answer = client.get(url)
    if answer.offsite:
        raise FetchFailed(f"redirects to another site ({answer.offsite}), not followed")
    if answer.status >= 300 or answer.too_large:
        raise FetchFailed("too large" if answer.too_large else f"HTTP {answer.status}")
    return answer


def _profiles_in(
    answer: Answer, client: PoliteClient, matcher: re.Pattern[str], hooks: Hooks, depth: int = 0
) -> list[str]:
    """Profile URLs listed by a sitemap (index) or linked from an HTML page."""
    try:
        body = gunzip(answer.body, client.max_bytes)
        kind = sitemap_kind(body)
        if kind is not None:
            urls = sitemap_locations(body)
        else:
            # Only the page's main content lists profiles: its menus, sidebar and related
            # posts link to pages that are not what the user pointed at.
            urls = page_links(main_content(body.decode("utf-8", "replace")), answer.final_url)
    except ValueError as error:
        hooks.warn(f"{answer.final_url}: {error}; skipped")
        return []
    urls = [u for u in urls if same_site(u, answer.final_url)]
    if kind != "sitemapindex":
        return [u for u in urls if is_profile(u, matcher)]
    if depth > 0:  # an index inside an index is not in the protocol
        hooks.warn(f"{answer.final_url}: sitemap index inside a sitemap index; skipped")
        return []
    found: list[str] = []
    for url in urls[:MAX_SITEMAPS]:
        try:
            if not client.allowed(url):
                hooks.warn(f"{url}: sitemap disallowed by robots.txt; skipped")
                continue
            child = _get_whole(url, client)
        except FetchFailed as error:
            hooks.warn(f"{url}: sitemap not read: {error}")
            continue
        found += _profiles_in(child, client, matcher, hooks, depth + 1)
    return found


# -- one page -------------------------------------------------------------------------
def _fetch_one(
    url: str, client: PoliteClient, log: FetchLog, options: FetchOptions, hooks: Hooks
) -> str:
    """Fetch one profile into its file; update and save its log entry; its outcome."""
    entry = log.entries.setdefault(url, Entry(url))
    entry.message = None
    since = log.run.started if log.run else ""
    twin = _served_elsewhere(log, url, url, since)
    if twin is not None:  # an old address of this run already redirected here
        return _done(log, entry, "duplicate", f"same page as {twin.url} ({twin.file})")
    try:
        if not client.allowed(url):
            return _done(log, entry, "disallowed", "disallowed by robots.txt (not requested)")
        answer = client.get(url, _conditional(entry, options.out))
    except FetchFailed as error:
        hooks.warn(f"{url}: {error}")
        return _done(log, entry, "failed", str(error))
    entry.checked_at = now()
    entry.status, entry.final_url = answer.status, answer.final_url
    outcome, message = _outcome(answer, options)
    if outcome == "unchanged":  # a 304 may carry fresher validators
        entry.etag = answer.headers.get("etag", entry.etag)
        entry.last_modified = answer.headers.get("last-modified", entry.last_modified)
    if outcome == "gone" and entry.file and (options.out / entry.file).exists():
        message = f"{message}; the copy fetched earlier is kept in {entry.file}"
    if outcome in ("refused", "failed"):
        hooks.warn(f"{url}: {message}")
    twin = _served_elsewhere(log, url, answer.final_url, since)
    if outcome in ("new", "changed") and entry.file is None and twin is not None:
        return _done(log, entry, "duplicate", f"same page as {twin.url} ({twin.file})")
    if outcome in ("new", "changed"):
        # Named after the address that served it: an old address that redirects gives
        # the page's current name.
        entry.file = entry.file or _free_name(page_filename(answer.final_url), url, log)
        outcome = _store(answer, entry, options.out / entry.file)
    return _done(log, entry, outcome, message)


def _served_elsewhere(log: FetchLog, url: str, final_url: str, since: str) -> Entry | None:
    """Another URL whose page, served from ``final_url``, this run already has in a file
    (a list may give a page's old address, which redirects, and its current one)."""
    for other in log.entries.values():
        same = other.url != url and other.file and other.final_url == final_url
        if same and other.checked_at and other.checked_at >= since:
            return other
    return None


def _outcome(answer: Answer, options: FetchOptions) -> tuple[str, str | None]:
    if answer.offsite:
        return "offsite", f"redirects to another site: {answer.offsite} (not followed)"
    if answer.disallowed:
        return "disallowed", f"redirects to {answer.final_url}, disallowed by robots.txt"
    if answer.status == 304:
        return "unchanged", None
    if answer.status in (404, 410):
        return "gone", f"HTTP {answer.status}"
    if answer.too_large:
        return "refused", f"larger than the page limit of {options.max_page_bytes} bytes"
    if answer.status != 200:
        return "failed", f"HTTP {answer.status}"
    media = answer.headers.get("content-type", "text/html").split(";")[0].strip().lower()
    if media not in _HTML_TYPES:
        return "refused", f"not an HTML page ({media})"
    return "new", None


def _store(answer: Answer, entry: Entry, path: Path) -> str:
    """Write the page unless the file already holds these bytes; new/changed/unchanged."""
    sha = hashlib.sha256(answer.body).hexdigest()
    entry.etag = answer.headers.get("etag")
    entry.last_modified = answer.headers.get("last-modified")
    existing = file_sha256(path)
    if existing == sha:
        if entry.sha256 != sha:  # a file fetched by an earlier run the log did not see
            entry.sha256, entry.fetched_at = sha, entry.checked_at
        return "unchanged"
    atomic_write_bytes(path, answer.body)
    entry.sha256, entry.fetched_at = sha, entry.checked_at
    return "new" if existing is None else "changed"


def _done(log: FetchLog, entry: Entry, outcome: str, message: str | None) -> str:
    entry.outcome, entry.message = outcome, message
    log.save()  # after every page: an interrupted run keeps what it did
    return outcome


def _conditional(entry: Entry, out: Path) -> dict[str, str]:
    """Validators of the last fetch, sent only while its file still holds those bytes."""
    if not entry.file or not entry.sha256 or file_sha256(out / entry.file) != entry.sha256:
        return {}
    validators = {"If-None-Match": entry.etag, "If-Modified-Since": entry.last_modified}
    return {name: value for name, value in validators.items() if value}


def _free_name(name: str, url: str, log: FetchLog) -> str:
    """``name``, or ``name-2.html``… when the log has another URL's page in that file (a
    file the log does not know lost its entry to an interruption: it is reused)."""
    taken = {entry.file for entry in log.entries.values() if entry.url != url}
    stem, dot, suffix = name.partition(".")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{suffix}"
    return candidate
