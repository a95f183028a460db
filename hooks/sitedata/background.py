"""Work that runs beside the build, on the machine's other core: a spawned process, joined when its result is needed.

MkDocs builds on one core. A job whose inputs are ready early and whose result is needed late (the
finder's lunr index; the check of every built link) can run meanwhile in a process of its own.
"spawn", not "fork": `mkdocs serve` runs threads, and a forked copy of a process with threads can
hang on a lock one of them held. The function and its arguments must be picklable, and the function
importable by its module name (spawn passes the parent's sys.path on). On a single core, or if the
process cannot start (a __main__ script that runs on import breaks spawn), it runs in place.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

T = TypeVar("T")


# A spawned process takes ~0.4 s to start and import its modules: below about this many entries
# (services + practices) the work it would take off the build is smaller than that.
WORTH_IT_FROM = 2_000


def worth_a_process(entries: int) -> bool:
    """Whether work that grows with `entries` is big enough to pay for a process of its own."""
    return entries >= WORTH_IT_FROM


class Job(Generic[T]):
    """fn(*args, **kwargs), started now: in another process when asked and there is a spare core, else in place."""

    def __init__(self, fn: Callable[..., T], /, *args: Any, in_background: bool = True, **kwargs: Any) -> None:
        self._call = (fn, args, kwargs)
        self._pool: ProcessPoolExecutor | None = None
        if in_background and (os.cpu_count() or 1) > 1:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            self._future: Future[T] = self._pool.submit(fn, *args, **kwargs)
        else:
            self._future = Future()
            try:
                self._future.set_result(fn(*args, **kwargs))
            except Exception as exc:  # noqa: BLE001 - handed to result(), as the process pool would
                self._future.set_exception(exc)

    def result(self) -> T:
        """Wait for the job; its exception, if it raised one, is raised here."""
        try:
            return self._future.result()
        except BrokenProcessPool:
            fn, args, kwargs = self._call
            return fn(*args, **kwargs)
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
