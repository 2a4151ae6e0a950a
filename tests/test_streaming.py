"""The streaming build gives exactly the in-memory build's outputs; incremental rebuilds."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store, parse

from citynet.errors import InputError
from citynet.graph.build import build
from citynet.scale.streaming import stream_build

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "data" / "pages"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ALL = ("trig", "nquads", "turtle", "ntriples", "jsonld")
QUAD_FILES = ("citynet.trig", "citynet.nq", "report.json")


def _as_stored(quads) -> set[str]:  # type: ignore[no-untyped-def]
    store = Store()
    store.extend(quads)
    return {str(q) for q in store}


def _same_files(a: Path, b: Path, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if (a / name).read_bytes() != (b / name).read_bytes()]


def test_bundled_pages_byte_identical(tmp_path: Path) -> None:
    memory = build([PAGES], out=tmp_path / "memory")
    stream = stream_build(
        [PAGES], out=tmp_path / "stream", formats=ALL, in_memory_store=True, workers=1
    )
    names = tuple(p.name for p in sorted((tmp_path / "memory").iterdir()))
    assert names == (
        "citynet.jsonld",
        "citynet.nq",
        "citynet.nt",
        "citynet.trig",
        "citynet.ttl",
        "report.json",
    )
    assert _same_files(tmp_path / "memory", tmp_path / "stream", names) == []
    assert stream.counts == memory.counts
    # The store holds exactly the build's quads, as Oxigraph stores them (pyoxigraph 0.5
    # keeps xsd:nonNegativeInteger and other integer subtypes as xsd:integer).
    assert {str(q) for q in stream.store} == _as_stored(memory.quads)


def test_streamed_files_get_the_mode_of_the_plain_build(tmp_path: Path) -> None:
    """Outputs are for publishing: the umask's mode, not mkstemp's 0600."""
    import stat

    from citynet.common.files import new_file_mode

    build([PAGES], out=tmp_path / "memory")
    stream_build([PAGES], out=tmp_path / "stream", workers=1)
    modes = {
        (folder, name): stat.S_IMODE((tmp_path / folder / name).stat().st_mode)
        for folder in ("memory", "stream")
        for name in QUAD_FILES
    }
    assert set(modes.values()) == {new_file_mode()}


def test_nquads_only_build_writes_the_same_nquads(tmp_path: Path) -> None:
    both = stream_build([PAGES], out=tmp_path / "both", workers=2, chunk_pages=4)
    only = stream_build(
        [PAGES], out=tmp_path / "only", workers=2, chunk_pages=4, formats=("nquads",)
    )
    assert sorted(p.name for p in (tmp_path / "only").iterdir()) == ["citynet.nq", "report.json"]
    names = ("citynet.nq", "report.json")
    assert _same_files(tmp_path / "both", tmp_path / "only", names) == []
    assert only.counts == both.counts
    assert only.counts["pages"] == len(list(PAGES.glob("*.txt")))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.generate import generate

    folder = tmp_path_factory.mktemp("pages")
    generate(1000, 11, folder)
    (folder / "manifest.json").unlink()
    return folder


def test_1000_generated_pages_in_parallel_identical(generated: Path, tmp_path: Path) -> None:
    memory = build([generated], out=tmp_path / "memory")
    ticks: list[object] = []
    stream = stream_build(
        [generated], out=tmp_path / "stream", workers=2, chunk_pages=64, progress=ticks.append
    )
    assert _same_files(tmp_path / "memory", tmp_path / "stream", QUAD_FILES) == []
    assert stream.counts == memory.counts
    assert stream.counts["pages"] >= 1000
    assert stream.remapped == stream.counts["pages"]
    # Once per page read, once per page written: every input file, errors included.
    assert len(ticks) == 2 * len(list(generated.glob("*.txt")))
    assert sorted(p.name for p in (tmp_path / "stream").iterdir()) == sorted(QUAD_FILES)


def test_on_disk_store_holds_the_graph(tmp_path: Path) -> None:
    result = stream_build([PAGES], out=tmp_path / "out", store_dir=tmp_path / "store")
    assert result.store is None and result.store_path == tmp_path / "store" / "oxigraph"
    store = Store(str(result.store_path))
    written = list(parse(path=str(tmp_path / "out" / "citynet.nq"), format=RdfFormat.N_QUADS))
    assert len(store) == len(written)
    assert {str(q) for q in store} == _as_stored(written)
    assert len(list(store.named_graphs())) == result.counts["pages"] == 18


PAGE = """# source: https://efus.eu/about-us/{slug}/
# city: {city}

1. General Information :

Population: {population} inhabitants

Location: {country}

2. The city in our network :

The city and Efus:

Member since : 2001

Participated in:

{lines}
"""


def _page(folder: Path, slug: str, city: str, country: str, lines: list[str]) -> Path:
    path = folder / f"{slug}.txt"
    body = "\n".join(f"  • {line}" for line in lines)
    path.write_text(
        PAGE.format(slug=slug, city=city, country=country, population="100 000", lines=body),
        encoding="utf-8",
    )
    return path


def _fresh(pages: Path, out: Path) -> None:
    build([pages], out=out)


def test_incremental_costs_about_the_changed_pages(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    _page(pages, "lyon", "Lyon", "France", ["Partner in the project Safer Nights, 2010-2012"])
    _page(pages, "porto", "Porto", "Portugal", ["Partner in the project Safer Nights, 2010-2012"])
    _page(pages, "gent", "Gent", "Belgium", ["Partner in the project Quiet Streets, 2014-2015"])
    store, out = tmp_path / "store", tmp_path / "out"

    first = stream_build([pages], out=out, store_dir=store, incremental=True)
    assert (first.remapped, first.reread) == (3, 3)
    _fresh(pages, tmp_path / "fresh1")
    assert _same_files(out, tmp_path / "fresh1", QUAD_FILES) == []

    again = stream_build([pages], out=out, store_dir=store, incremental=True)
    assert (again.remapped, again.reread) == (0, 0)
    assert _same_files(out, tmp_path / "fresh1", QUAD_FILES) == []

    # Gent now links Safer Nights by its network id: the project's key becomes
    # project/4242 on every page, so Lyon and Porto are remapped too.
    _page(
        pages,
        "gent",
        "Gent",
        "Belgium",
        [
            "Partner in the project Quiet Streets, 2014-2015",
            "Partner of the [link url=”4242″]Safer Nights[/link], 2010-2012",
        ],
    )
    changed = stream_build([pages], out=out, store_dir=store, incremental=True)
    assert changed.reread == 3  # Gent read; Lyon and Porto re-read to be remapped
    assert changed.remapped == 3
    _fresh(pages, tmp_path / "fresh2")
    assert _same_files(out, tmp_path / "fresh2", QUAD_FILES) == []
    nq = (out / "citynet.nq").read_text(encoding="utf-8")
    assert "<https://w3id.org/citynet/project/4242>" in nq

    # A change that moves no key: only that page.
    text = (pages / "lyon.txt").read_text(encoding="utf-8")
    (pages / "lyon.txt").write_text(text.replace("Member since : 2001", "Member since : 2002"))
    one = stream_build([pages], out=out, store_dir=store, incremental=True)
    assert (one.remapped, one.reread) == (1, 1)
    _fresh(pages, tmp_path / "fresh3")
    assert _same_files(out, tmp_path / "fresh3", QUAD_FILES) == []

    # A removed page leaves the store with its graph.
    (pages / "porto.txt").unlink()
    removed = stream_build([pages], out=out, store_dir=store, incremental=True)
    _fresh(pages, tmp_path / "fresh4")
    assert _same_files(out, tmp_path / "fresh4", QUAD_FILES) == []
    graphs = {g.value for g in Store(str(removed.store_path)).named_graphs()}
    assert graphs == {
        "https://w3id.org/citynet/source/gent",
        "https://w3id.org/citynet/source/lyon",
    }
    written = list(parse(path=str(out / "citynet.nq"), format=RdfFormat.N_QUADS))
    assert {str(q) for q in Store(str(removed.store_path))} == _as_stored(written)


def test_incremental_needs_a_store(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--incremental needs --store"):
        stream_build([PAGES], out=tmp_path, incremental=True)


def test_full_build_into_a_store_forgets_the_incremental_state(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    store = tmp_path / "store"
    stream_build([pages], out=tmp_path / "a", store_dir=store, incremental=True)
    assert (store / "citynet-state.sqlite").exists()
    stream_build([pages], out=tmp_path / "b", store_dir=store)
    assert not (store / "citynet-state.sqlite").exists()
    again = stream_build([pages], out=tmp_path / "c", store_dir=store, incremental=True)
    assert again.remapped == 18  # nothing reused: the store was rebuilt without state


def test_cli_build_with_store_and_incremental(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from citynet.cli import cli

    args = ["build", str(PAGES), "--out", str(tmp_path / "out"), "--store-dir", str(tmp_path / "s")]
    runner = CliRunner()
    first = runner.invoke(cli, [*args, "--incremental", "--no-validate", "-q"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("18 pages: ")
    memory = build([PAGES], out=tmp_path / "memory")
    assert _same_files(tmp_path / "out", tmp_path / "memory", QUAD_FILES) == []
    assert f"{memory.counts['triples']} triples" in first.output
    second = runner.invoke(cli, [*args, "--incremental", "--no-validate", "-q"])
    assert second.exit_code == 0 and second.output == first.output


def test_cli_build_stream_writes_the_quad_files_of_the_plain_build(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from citynet.cli import cli

    runner = CliRunner()
    plain = runner.invoke(cli, ["build", str(PAGES), "--out", str(tmp_path / "plain"), "-q"])
    streamed = runner.invoke(
        cli, ["build", str(PAGES), "--out", str(tmp_path / "stream"), "--stream", "-q"]
    )
    assert plain.exit_code == streamed.exit_code == 0, streamed.output
    assert _same_files(tmp_path / "plain", tmp_path / "stream", QUAD_FILES) == []
    assert not (tmp_path / "stream" / "citynet.ttl").exists()
    assert (tmp_path / "plain" / "citynet.ttl").exists()
    # The same summary line (counts, validation) either way.
    assert streamed.output.splitlines()[-2:] == [
        line.replace("/plain/", "/stream/") for line in plain.output.splitlines()[-2:]
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_write_is_an_error_and_leaves_no_output(
    generated: Path, tmp_path: Path, workers: int
) -> None:
    import resource

    # Files may not grow past 4 MB: the N-Quads of 1,000 pages (about 30 MB) cannot be
    # written, by the mapping workers (2) or by this process (1). Python ignores SIGXFSZ,
    # so the write fails with EFBIG.
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, hard))
    try:
        with pytest.raises(InputError) as raised:
            stream_build([generated], out=tmp_path / "out", workers=workers, chunk_pages=64)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(raised.value).startswith(
        f"{tmp_path / 'out'}: cannot write the build: File too large"
    )
    assert list((tmp_path / "out").iterdir()) == []


def test_a_failed_temporary_file_is_an_error_and_leaves_no_output(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import resource
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # One chunk of 1,000 pages: its spill file (the pages' records) passes 1 MB first.
    # Spawned, the workers start under the limit (a fork server started by an earlier
    # test would not have it).
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, hard))
    try:
        with pytest.raises(InputError) as raised:
            stream_build(
                [generated],
                out=tmp_path / "out",
                workers=2,
                chunk_pages=1000,
                start_method="spawn",
            )
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(raised.value).startswith(
        f"{tmp_path}: cannot write the build's temporary files: File too large"
    )
    assert list(tmp_path.iterdir()) == []  # the spill folder is gone, nothing written


def test_pages_left_unmapped_are_reported_as_by_the_plain_build(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "a").mkdir(parents=True)
    (pages / "b").mkdir()
    _page(pages / "a", "gent", "Gent", "Belgium", ["SecuCities (2001-2003)"])
    _page(pages / "b", "gent", "Gand", "Belgium", ["SecuCities (2001-2003)"])  # same graph
    (pages / "empty.txt").write_text("\n\n")
    (pages / "index.txt").write_text("1. General Information :\n\nPopulation: 5 inhabitants\n")
    memory = build([pages], out=tmp_path / "memory")
    stream = stream_build([pages], out=tmp_path / "stream", workers=1)
    assert _same_files(tmp_path / "memory", tmp_path / "stream", QUAD_FILES) == []
    errors = {Path(p.file).relative_to(pages).as_posix(): p.error for p in stream.pages}
    assert errors == {
        "a/gent.txt": None,
        "b/gent.txt": "its named graph https://w3id.org/citynet/source/gent is already"
        f" used by {pages / 'a' / 'gent.txt'}; rename one file",
        "empty.txt": None,
        "index.txt": errors["index.txt"],
    }
    assert errors["index.txt"].startswith("the page does not name its city")
    assert stream.counts == memory.counts
    assert (stream.counts["pages"], stream.counts["errors"], stream.counts["empty"]) == (1, 2, 1)


def test_a_failing_chunk_stops_the_workers_at_once(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citynet.graph import steps

    log = tmp_path / "mapped"
    map_record = steps.map_record

    def failing(record, index, *args, **kwargs):  # type: ignore[no-untyped-def]
        with open(log, "a") as handle:
            handle.write(f"{index}\n")
        if index == 20:
            raise RuntimeError("a mapping bug")
        return map_record(record, index, *args, **kwargs)

    monkeypatch.setattr(steps, "map_record", failing)
    # Forked workers inherit the patch (the fork server's would not); nothing else runs
    # threads in this process.
    with pytest.raises(RuntimeError, match="a mapping bug"):
        stream_build(
            [generated], out=tmp_path / "out", workers=2, chunk_pages=10, start_method="fork"
        )
    # Closed instead of stopped, the pool would have mapped the other ~990 pages first.
    assert len(log.read_text().split()) < 500
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_spawned_workers_build_the_same_files(generated: Path, tmp_path: Path) -> None:
    """No worker is forked from the build's process: spawned ones give the same bytes."""
    forkserver = stream_build([generated], out=tmp_path / "forkserver", workers=2)
    spawned = stream_build(
        [generated], out=tmp_path / "spawn", workers=2, chunk_pages=64, start_method="spawn"
    )
    assert _same_files(tmp_path / "forkserver", tmp_path / "spawn", QUAD_FILES) == []
    assert spawned.counts == forkserver.counts


def _descendants(pid: int) -> list[int]:
    """The processes under ``pid`` (children, theirs, ...), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def test_a_killed_worker_ends_the_build_with_one_line(generated: Path, tmp_path: Path) -> None:
    """As the kernel kills a process when memory runs out: SIGKILL to a worker."""
    import os
    import signal
    import subprocess
    import time

    out = tmp_path / "out"
    command = [sys.executable, "-m", "citynet", "build", str(generated), "--out", str(out)]
    build = subprocess.Popen(
        [*command, "--stream", "--workers", "2", "--no-validate", "-q"],
        stderr=subprocess.PIPE,
        text=True,
    )
    # The workers are the fork server's children: grandchildren of the build.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = [p for p in _descendants(build.pid) if p not in _children(build.pid)]
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            break
        time.sleep(0.01)
    else:
        build.kill()
        pytest.fail("no worker started in a minute")
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 2
    assert stderr == (
        "error: a worker process of the build ended without its result (killed, perhaps for"
        " lack of memory: free some, or build with fewer --workers, and build again)\n"
    )
    assert not out.exists() or list(out.iterdir()) == []


def test_standard_input_among_many_pages_is_read_by_the_parallel_build(
    generated: Path, tmp_path: Path
) -> None:
    """Workers have no standard input of their own: the build reads it once for them."""
    import subprocess

    pages = tmp_path / "pages"
    shutil.copytree(generated, pages)
    assert len(list(pages.glob("*.txt"))) >= 400  # PARALLEL_MIN_PAGES: workers run
    essen = (PAGES / "essen.txt").read_bytes()
    command = [sys.executable, "-m", "citynet", "build", "--stream", "--workers", "2", "-q"]
    piped = subprocess.run(
        [*command, "--no-validate", str(pages), "-", "--out", str(tmp_path / "piped")],
        input=essen,
        capture_output=True,
    )
    assert piped.returncode == 0, piped.stderr
    (pages / "stdin.txt").write_bytes(essen)  # the name standard input is given
    command += ["--no-validate", str(pages), "--out", str(tmp_path / "file")]
    assert subprocess.run(command, capture_output=True).returncode == 0
    nquads = (tmp_path / "piped" / "citynet.nq").read_bytes()
    assert b"<https://w3id.org/citynet/source/stdin> .\n" in nquads
    assert nquads == (tmp_path / "file" / "citynet.nq").read_bytes()


def test_standard_input_cannot_be_built_incrementally(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^--incremental cannot keep standard input"):
        stream_build([Path("-")], out=tmp_path / "out", store_dir=tmp_path / "s", incremental=True)


def _children(pid: int) -> set[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(p) for p in text.split()}


def test_a_report_that_cannot_be_written_is_an_error_about_the_output_folder(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    (out / "report.json").mkdir(parents=True)  # a folder where the report goes
    (out / "report.json" / "keep").write_text("")
    with pytest.raises(InputError) as raised:
        stream_build([PAGES], out=out, workers=1)
    assert str(raised.value).startswith(f"{out}: cannot write the build: ")
    assert (out / "report.json" / "keep").exists()


def _stubs(folder: Path) -> list:  # type: ignore[type-arg]
    from citynet.graph.steps import ReadTask, read_chunk

    files = sorted(folder.glob("*.txt"))
    stubs, _ = read_chunk(
        ReadTask([(i, str(path), None) for i, path in enumerate(files)], 10**7, None)
    )
    return stubs


def test_resolution_across_stubs_is_that_of_the_records(generated: Path) -> None:
    """Step 2 from the slim stubs decides as resolving the full records does."""
    from citynet.graph.steps import resolve_across
    from citynet.read.pages import read_page
    from citynet.resolve.resolution import resolve_records

    stubs = _stubs(generated)
    records = [read_page(path) for path in sorted(generated.glob("*.txt"))]
    whole = resolve_records([r for r in records if r.city is not None])
    across = resolve_across(stubs)
    assert across.as_json() == whole.as_json()
    assert len(across.merges) > 100
    assert [[a.key for a in s.record.activities] for s in stubs if s.record.city] == [
        [a.key for a in r.activities] for r in records if r.city
    ]


def test_help_says_why_stream_writes_no_merged_formats() -> None:
    from click.testing import CliRunner

    from citynet.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["build", "--help"]).output.split())
    assert "not the merged .ttl/.nt/.jsonld (they need every triple in memory at once" in text


def test_the_build_never_forks_its_own_process() -> None:
    """Workers start from a fork server (or are spawned): the build's process runs
    threads (the executor's, a progress bar's), which a fork would copy mid-lock."""
    from citynet.scale.executor import Pool, start_methods

    assert start_methods()[0] == "forkserver"
    assert Pool(2).context.get_start_method() == "forkserver"
