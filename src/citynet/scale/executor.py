"""Worker processes for large builds: a ``ProcessPoolExecutor`` per step, started
from a fork server (or spawned), never forked from this process.

Forking a process that runs threads (the executor's own, a progress bar's) can copy a
lock held by another thread; Python 3.12+ warns about it and 3.14 no longer forks by
default. The fork server is a small process started once, which imports the pipeline
once; each worker is forked from it, so starting one costs a few milliseconds, not an
interpreter start.

A worker that dies (killed by the kernel when memory runs out, a crash) breaks the
executor: the build ends with one line that says so and the exit code of an error,
instead of waiting for a result that never comes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from typing import Any

from citynet.errors import CitynetError

# What the fork server imports once for every worker.
PRELOAD = ["citynet.graph.pipeline", "citynet.resolve.gazetteer", "citynet.read.pages"]


def start_methods() -> list[str]:
    """The start methods the build may use here, the preferred first."""
    return [m for m in ("forkserver", "spawn") if m in multiprocessing.get_all_start_methods()]


class WorkerDied(CitynetError):
    """A worker process ended without its result (killed, out of memory, crashed)."""


def _died() -> WorkerDied:
    return WorkerDied(
        "a worker process of the build ended without its result",
        hint="killed, perhaps for lack of memory: free some, or build with fewer"
        " --workers, and build again",
    )


class Pool:
    """Runs each :meth:`map` on ``workers`` processes of a fresh executor.

    A fresh executor per step: the reading workers' caches (the gazetteer's) end with
    the reading step, before this process reaches its peak in cross-page resolution.
    """

    def __init__(self, workers: int, start_method: str | None = None) -> None:
        method = start_method or start_methods()[0]
        self.workers = workers
        self.context = multiprocessing.get_context(method)
        if method == "forkserver":
            self.context.set_forkserver_preload(PRELOAD)
            # Started now, the server imports the pipeline while this process lists and
            # plans the pages, not when the first step needs workers.
            forkserver.ensure_running()

    def map(self, func: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """``func`` over ``tasks`` (results in task order); the tasks are submitted now."""
        tasks = list(tasks)
        executor = ProcessPoolExecutor(min(self.workers, max(len(tasks), 1)), self.context)
        try:
            results = executor.map(func, tasks)
        except BrokenProcessPool:
            executor.shutdown(wait=False, cancel_futures=True)
            raise _died() from None
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            raise
        return self._results(executor, results)

    @staticmethod
    def _results(executor: ProcessPoolExecutor, results: Iterator[Any]) -> Iterator[Any]:
        try:
            yield from results
        except BrokenProcessPool:
            raise _died() from None
        finally:
            # On an error (or when the caller stops early) the tasks not started are
            # dropped; the workers end after the chunk they are on. Waiting for them
            # also lets the executor's thread end before the interpreter exits (left
            # running, Python 3.11 may print an error about its pipe at exit).
            executor.shutdown(wait=True, cancel_futures=True)
