"""The fetch log ``DIR/fetch-log.json`` (docs/fetch.md, "The log") and the provenance
the build reads back from it. It is rewritten atomically after every page, so an
interrupted run loses at most the page in flight.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from citynet.common.files import atomic_write_text
from citynet.errors import InputError

LOG_NAME = "fetch-log.json"
FORMAT = "citynet-fetch-log/1"


@dataclass
class Entry:
    """What the last fetch of one URL gave."""

    url: str
    final_url: str | None = None
    status: int | None = None
    outcome: str = ""  # new, changed, unchanged, gone, refused, failed, disallowed, offsite
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None  # when the bytes in ``file`` were downloaded
    checked_at: str | None = None  # when the server last answered for this URL
    sha256: str | None = None
    file: str | None = None
    message: str | None = None


@dataclass
class Run:
    start_urls: list[str]
    started: str
    finished: str | None = None


@dataclass
class FetchLog:
    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    run: Run | None = None

    def save(self) -> None:
        document = {
            "format": FORMAT,
            "run": asdict(self.run) if self.run else None,
            "pages": [
                {k: v for k, v in asdict(entry).items() if v is not None}
                for _, entry in sorted(self.entries.items())
            ],
        }
        atomic_write_text(self.path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")


def load_log(folder: Path) -> FetchLog:
    """The fetch log of ``folder`` (empty when there is none); a broken one is an error."""
    path = folder / LOG_NAME
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return FetchLog(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(
            f"{path}: not a readable fetch log: {error}",
            hint="move it away to start afresh",
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(f"{path}: not a citynet fetch log ({FORMAT})")
    try:
        entries = {item["url"]: Entry(**item) for item in document.get("pages", [])}
        run = Run(**document["run"]) if document.get("run") else None
    except (TypeError, KeyError) as error:
        raise InputError(f"{path}: malformed fetch log entry: {error}") from None
    return FetchLog(path, entries, run)


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def provenance_for(page_path: Path, sha256: str | None = None) -> tuple[str, str] | None:
    """``(final url, fetched_at)`` of a page file from the log in its folder, if the file
    still holds the fetched bytes (``sha256``, when the caller has it, saves a reading)."""
    log_path = page_path.parent / LOG_NAME
    try:
        stat = log_path.stat()
    except OSError:
        return None
    files = _fetched_files(str(log_path), stat.st_mtime_ns, stat.st_size)
    found = files.get(page_path.name)
    if found is None or (sha256 or file_sha256(page_path)) != found[2]:
        return None
    return found[0], found[1]


@lru_cache(maxsize=16)
def _fetched_files(log_path: str, _mtime_ns: int, _size: int) -> dict[str, tuple[str, str, str]]:
    """File name -> (final URL, fetched-at, sha256), parsed once per version of a log (a
    build asks for every page of a folder)."""
    try:
        log = load_log(Path(log_path).parent)
    except InputError:
        return {}
    return {
        entry.file: (entry.final_url or entry.url, entry.fetched_at, entry.sha256)
        for entry in log.entries.values()
        if entry.file and entry.fetched_at and entry.sha256
    }
