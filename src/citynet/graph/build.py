"""`citynet build`: the pages to build, and the build in this process.

:func:`build` runs the pipeline (:mod:`citynet.graph.pipeline`) in a loop in this
process; ``citynet.scale.streaming.stream_build`` runs the same on every core. Into the
output folder go, each written atomically: citynet.trig (one named graph per page),
citynet.nq, citynet.ttl / citynet.nt / citynet.jsonld (the merged graph) and report.json
(per page: facts by kind, warnings); see :mod:`citynet.graph.outputs`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pyoxigraph import Quad

from citynet.errors import InputError
from citynet.graph.mapping import Mapper
from citynet.graph.outputs import BuildResult, PageReport
from citynet.graph.pipeline import Settings, run, run_records
from citynet.graph.vocab import DEFAULT_BASE_IRI
from citynet.read.records import PageRecord

PAGE_SUFFIXES = (".txt", ".html", ".htm")
DEFAULT_OUT = Path("build")
DEFAULT_PAGES = Path("data/pages")


def default_pages_dir() -> Path:
    """data/pages of a checkout; the bundled pages otherwise."""
    return DEFAULT_PAGES


def _page_files(folder: Path) -> list[Path]:
    """The page files under a folder, sorted as paths compare (by parts).

    What ``folder.rglob("*")`` filtered by suffix gives (symbolic links to folders are
    listed, not entered), without a path object for every entry: a second at 100,000.
    """
    found = []
    for parent, folders, files in os.walk(folder):
        for name in (*folders, *files):
            dot = name.rfind(".")
            if 0 < dot < len(name) - 1 and name[dot:].lower() in PAGE_SUFFIXES:
                found.append(os.path.join(parent, name))
    return sorted((Path(p) for p in found), key=lambda p: p.parts)


def collect_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Expand folders into their page files (sorted); refuse paths that do not exist."""
    files: list[Path] = []
    for path in inputs:
        if str(path) == "-":
            files.append(path)
        elif path.is_dir():
            found = _page_files(path)
            if not found:
                raise InputError(f"{path}: no page files (*.txt, *.html) in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise InputError(f"{path}: not a regular file or folder")
        else:
            raise InputError(f"{path}: no such file or folder", hint="check the path")
    return files


def check_base_iri(base_iri: str) -> None:
    """--base-iri must be an absolute http(s) IRI (the site makes every IRI dereferenceable)."""
    from urllib.parse import urlsplit

    try:
        Mapper(base_iri)
    except ValueError as error:
        raise InputError(
            f"--base-iri {base_iri!r} is not a valid IRI: {error}",
            hint="e.g. https://data.example.org/",
        ) from None
    parts = urlsplit(base_iri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(
            f"--base-iri {base_iri!r} is not an http(s) IRI", hint="e.g. https://data.example.org/"
        )


def build(
    inputs: list[Path] | None = None,
    *,
    out: Path | None = DEFAULT_OUT,
    base_iri: str = DEFAULT_BASE_IRI,
    city: str | None = None,
    max_page_bytes: int = 10_000_000,
    progress: Callable[[Any], None] | None = None,
    decisions: Path | None = None,
) -> BuildResult:
    """Build the graph from page files or folders (default: the bundled pages), in this
    process (``citynet.scale.streaming.stream_build`` runs the same on every core).

    ``decisions``: a curator's decisions file (docs/resolution.md); else the
    ``decisions.toml`` found beside the pages, if any."""
    files, decided = prepare(inputs, base_iri, decisions)
    settings = Settings(out, base_iri, city, max_page_bytes, progress=progress)
    settings.decisions = decided
    return run(files, settings)


def prepare(
    inputs: list[Path] | None, base_iri: str, decisions: Path | None
) -> tuple[list[Path], Any]:
    """A build's page files and the curator's decisions (the file given, else the
    ``decisions.toml`` beside the pages); refuses a bad base IRI first."""
    from citynet.resolve import decisions as curator

    check_base_iri(base_iri)
    given = inputs or [default_pages_dir()]
    path = decisions or curator.find_default(list(given))
    return collect_inputs(given), curator.load(path) if path is not None else None


def build_graph(
    records: list[PageRecord], *, base_iri: str = DEFAULT_BASE_IRI
) -> tuple[list[Quad], list[PageReport], Any]:
    """Records already read, resolved and mapped: sorted quads, page reports, resolution."""
    result = run_records(records, Settings(None, base_iri))
    return result.quads, result.pages, result.resolution
