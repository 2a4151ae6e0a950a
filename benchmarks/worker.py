"""One measurement in a fresh process: ``python -m benchmarks.worker TASK JSON-ARGS``.

The harness runs every measurement in its own interpreter so that the peak memory it
reads (the larger of VmHWM and the sampled PSS of the process with its workers) is the
peak of that task alone, interpreter and imports included, as a user would see it.
The last line on stdout is a JSON object: ``seconds`` (a list: one value per timed
repetition inside the process), ``peak_rss_mb`` and task-specific figures.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (VmHWM, else ru_maxrss)."""
    try:
        status = Path("/proc/self/status").read_text()
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            return int(match[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tree(root: int) -> list[int]:
    """A process and its descendants now (Linux /proc), the root first."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = re.search(r"^PPid:\s+(\d+)", (entry / "status").read_text(), re.M)
            except OSError:
                continue  # ended meanwhile
            if ppid:
                parents[int(entry.name)] = int(ppid[1])
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return found


def _tree_rss_kb(root: int) -> int:
    """Memory of a process and its descendants now, in kB: the sum of their proportional
    set sizes, so pages a forked worker shares with its parent count once."""
    total = 0
    for pid in _tree(root):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            size = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        except OSError:
            size = None
        total += int(size[1]) if size else 0
    return total


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and its descendants so far, with what each
    counts for the children it has waited for.

    The build's workers are children of the fork server, itself a child of the measured
    process that never waits for it: the harness's RUSAGE_CHILDREN misses all of their
    CPU. Read while the tree lives, the workers' time is on their own /proc entries or,
    once they ended, in the fork server's cutime and cstime.
    """
    ticks = 0
    for pid in _tree(root):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue  # ended meanwhile: its parent has its time
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, from field 3
        ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


class TreeSampler:
    """Samples the memory of this process with its worker processes (the streaming build
    forks two): VmHWM alone would miss what the workers hold.

    Once a second: a sample of a 2 GB tree costs about 25 ms of CPU, nearly all of it the
    kernel walking the processes' page tables for their proportional set sizes, while it
    holds their memory maps' locks. Every 0.2 s, that slowed a 100,000-page build by
    about a fifth. The build's memory moves in phases of several seconds.
    """

    def __init__(self, interval: float = 1.0) -> None:
        self.peak_kb = 0
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))

    def __enter__(self) -> TreeSampler:
        if Path("/proc/self/status").exists():
            self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()


def has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


# ---------------------------------------------------------------------------------------
# Builds


def task_build(args: dict[str, Any]) -> dict[str, Any]:
    """The build in one process (``citynet.graph.build.build``: the pipeline in a loop)."""
    from citynet.graph.build import build

    t0 = time.perf_counter()
    result = build([Path(args["pages"])], out=Path(args["out"]))
    seconds = time.perf_counter() - t0
    return {
        "seconds": [seconds],
        "pages": result.counts["pages"],
        "triples": result.counts["triples"],
        "warnings": result.counts["warnings"],
    }


def task_stream_build(args: dict[str, Any]) -> dict[str, Any]:
    """The build on worker processes (``citynet.scale.streaming.stream_build``)."""
    from citynet.scale.streaming import stream_build

    t0 = time.perf_counter()
    result = stream_build(
        [Path(args["pages"])],
        out=Path(args["out"]),
        store_dir=Path(args["store"]) if args.get("store") else None,
        workers=args.get("workers"),
        incremental=bool(args.get("incremental")),
        formats=tuple(args.get("formats", ("trig", "nquads"))),
    )
    seconds = time.perf_counter() - t0
    return {
        "seconds": [seconds],
        "pages": result.counts["pages"],
        "triples": result.counts["triples"],
        "warnings": result.counts["warnings"],
        "phases": result.timings,
    }


def task_rdflib_parse(args: dict[str, Any]) -> dict[str, Any]:
    """Baseline: parse the build's N-Quads into an rdflib in-memory Dataset."""
    from rdflib import Dataset

    t0 = time.perf_counter()
    dataset = Dataset()
    for path in _data(args):
        dataset.parse(path, format="nquads" if path.endswith(".nq") else "trig")
    seconds = time.perf_counter() - t0
    return {"seconds": [seconds], "quads": len(dataset)}


def _data(args: dict[str, Any]) -> list[str]:
    """The RDF files a task reads: ``data`` (a list) or ``nquads`` (one file)."""
    return list(args.get("data") or [args["nquads"]])


def task_oxigraph_parse(args: dict[str, Any]) -> dict[str, Any]:
    """Reference: load the build's N-Quads into an in-memory pyoxigraph Store."""
    from pyoxigraph import RdfFormat, Store

    t0 = time.perf_counter()
    store = Store()
    store.bulk_load(path=args["nquads"], format=RdfFormat.N_QUADS)
    seconds = time.perf_counter() - t0
    return {"seconds": [seconds], "quads": len(store)}


# ---------------------------------------------------------------------------------------
# Validation


def _shapes_graph():  # type: ignore[no-untyped-def]
    from rdflib import Graph

    from citynet.common.resources import resource_dir

    shapes = Graph()
    for path in sorted(resource_dir("shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    return shapes


def task_validate(args: dict[str, Any]) -> dict[str, Any]:
    """citynet's validation (``engine``: "auto" by default, or "pyshacl"); large inputs
    on every core (citynet.scale.validation) where the checkout has it."""
    try:
        from citynet.scale.validation import validate
    except ImportError:  # older checkouts: one process (their "auto" engine)
        from citynet.validation.validate import validate  # type: ignore[no-redef]

    t0 = time.perf_counter()
    report = validate([Path(p) for p in _data(args)], engine=args.get("engine", "auto"))
    seconds = time.perf_counter() - t0
    return {"seconds": [seconds], "conforms": bool(report.conforms), "results": _count(report)}


def _count(report: Any) -> int | None:
    for name in ("results", "violations"):
        value = getattr(report, name, None)
        if value is not None:
            try:
                return len(value)
            except TypeError:
                return None
    return None


def task_pyshacl(args: dict[str, Any]) -> dict[str, Any]:
    """Baseline: pySHACL over the whole rdflib graph (union of the page graphs)."""
    import pyshacl
    from rdflib import Dataset, Graph

    t0 = time.perf_counter()
    dataset = Dataset()
    for path in _data(args):
        dataset.parse(path, format="nquads" if path.endswith(".nq") else "trig")
    data = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):  # union of the named graphs
        data.add((s, p, o))
    t_loaded = time.perf_counter()
    conforms, report_graph, _ = pyshacl.validate(
        data, shacl_graph=_shapes_graph(), inference="none", advanced=True
    )
    seconds = time.perf_counter() - t0
    from rdflib.namespace import SH

    results = len(set(report_graph.subjects(predicate=SH.focusNode)))
    return {
        "seconds": [seconds],
        "validate_only": time.perf_counter() - t_loaded,
        "conforms": bool(conforms),
        "results": results,
    }


# ---------------------------------------------------------------------------------------
# Queries


def _query_runner(engine: str, paths: list[str]) -> tuple[Callable[[str, dict], list], float, Any]:
    """A function running a named query with parameters, the seconds loading took, and a
    function running raw SPARQL (to find the benchmarked city before timing)."""
    from citynet.sparql.queries import make_backend, run_query

    t0 = time.perf_counter()
    engine = "rdflib" if engine == "rdflib" else "oxigraph"
    backend = make_backend([Path(p) for p in paths], engine=engine)
    load = time.perf_counter() - t0

    def run(name: str, params: dict) -> list:
        return run_query(name, params, backend=backend).rows

    def raw(text: str) -> list:
        return backend.run(text, "select").rows

    return run, load, raw


def _city_of_page(raw: Callable[[str], list], graph: str) -> str:
    from citynet.graph.vocab import CN

    rows = raw(f"SELECT ?c WHERE {{ GRAPH ?g {{ ?c <{CN.memberPage}> <{graph}> }} }}")
    if not rows:
        raise SystemExit(f"no city has the member page {graph}")
    value = rows[0][0]
    return str(getattr(value, "value", value))


def task_queries(args: dict[str, Any]) -> dict[str, Any]:
    """Named queries on one engine: each timed ``repeat`` times after one warm-up."""
    run, load, data = _query_runner(args["engine"], _data(args))
    out: dict[str, Any] = {"load_seconds": load, "queries": {}}
    for label, name, params in args["queries"]:
        if "city_page" in params:  # the city a page describes, found before timing
            params = {"city": _city_of_page(data, params["city_page"])}
        if args.get("warmup", True):
            run(name, params)  # warm-up: plans, label resolution caches
        times, rows = [], 0
        for _ in range(int(args.get("repeat", 3))):
            t0 = time.perf_counter()
            rows = len(run(name, params))
            times.append(time.perf_counter() - t0)
        out["queries"][label] = {"seconds": times, "rows": rows}
    out["seconds"] = [load]
    return out


def task_import_twins(args: dict[str, Any]) -> dict[str, Any]:
    """citynet import-twins on the real Wikidata files."""
    from citynet.graph.twins import import_twins

    t0 = time.perf_counter()
    result = import_twins(Path(args["folder"]), out=Path(args["out"]))
    seconds = time.perf_counter() - t0
    counts = result.counts()
    return {"seconds": [seconds], "twinnings": counts["twinnings"], "claims": counts["claims"]}


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "import-twins": task_import_twins,
    "build": task_build,
    "stream-build": task_stream_build,
    "rdflib-parse": task_rdflib_parse,
    "oxigraph-parse": task_oxigraph_parse,
    "validate": task_validate,
    "pyshacl": task_pyshacl,
    "queries": task_queries,
}


def main(argv: list[str]) -> int:
    task, raw = argv[0], argv[1]
    sys.path.insert(0, str(ROOT))
    with TreeSampler() as tree:
        result = TASKS[task](json.loads(raw))
    # The peak of the process tree: this process's own peak, or the largest sampled sum
    # of it and its workers.
    result["peak_rss_mb"] = round(max(peak_rss_mb(), tree.peak_kb / 1024), 1)
    if Path("/proc/self/stat").exists():
        result["cpu_seconds"] = round(tree_cpu_seconds(os.getpid()), 2)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
