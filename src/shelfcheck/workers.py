"""Worker processes that run the listing rules of large catalogues on several cores.

The parent reads the catalogue, notes duplicate SKUs and analyses the images (each file once);
chunks of listings then go round-robin to forked workers, and the results come back in input
order. Each worker remembers the image analyses it has been sent, so an image that many listings
share crosses the process boundary once per worker rather than once per listing. Messages travel
through queues with feeder threads, so neither side can block the other on a full pipe.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shelfcheck.analysis.images import ImageInfo
from shelfcheck.findings import Finding, ListingResult
from shelfcheck.model import Listing

if TYPE_CHECKING:
    from shelfcheck.engine import Engine

__all__ = ["RuleWorkers"]

Prepared = tuple[Listing, dict[str, ImageInfo], "int | None"]
Render = Callable[[ListingResult], str]
# Image analyses a worker keeps before the parent tells it to start afresh.
_MEMO = 100_000


def _worker_main(engine: Engine, tasks: Any, results: Any) -> None:
    """Loop of one worker: run the rules of each chunk it is sent, until told to stop."""
    engine._pool = None
    engine._cache = None
    hook = getattr(engine.run.ledger, "after_fork", None)
    if callable(hook):
        hook()
    memo: dict[int, ImageInfo] = {}
    while True:
        task = tasks.get()
        if task is None:
            return
        number, reset, new_infos, rows, render = task
        try:
            if reset:
                memo.clear()
            memo.update(new_infos)
            out = []
            for listing, refs, first in rows:
                result = engine._run_rules(listing, {ref: memo[i] for ref, i in refs.items()}, first)
                if render is not None:
                    result.rendered = render(result)
                    # the parent counts codes and severities; the rest is in the rendered text
                    result.findings = [Finding(f.code, f.severity, f.field, {}, {}) for f in result.findings]
                out.append(result)
            results.put((number, out, None))
        except BaseException:  # reported to the parent, which raises it there
            results.put((number, None, traceback.format_exc(limit=20)))


class RuleWorkers:
    """A fixed set of forked workers; :meth:`submit` a chunk, :meth:`collect` its results."""

    def __init__(self, engine: Engine, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self._tasks = [context.Queue() for _ in range(count)]
        self._results = context.Queue()
        self._processes = [
            context.Process(target=_worker_main, args=(engine, self._tasks[i], self._results),
                            daemon=True, name=f"shelfcheck-rules-{i}")
            for i in range(count)
        ]
        # Objects that exist now are shared with the workers copy-on-write; frozen, the workers'
        # garbage collector never walks them (walking them would copy every page and slow each
        # collection down by the size of the whole parent heap).
        gc.freeze()
        try:
            for process in self._processes:
                process.start()
        finally:
            gc.unfreeze()
        self._ids: dict[int, tuple[int, ImageInfo]] = {}  # id(info) → (number, info), kept alive
        self._sent: list[set[int]] = [set() for _ in range(count)]
        self._reset = [False] * count
        self._next = 0
        self._done: dict[int, list[ListingResult]] = {}

    def submit(self, prepared: list[Prepared], render: Render | None) -> int:
        """Send one chunk to the next worker; return its number for :meth:`collect`."""
        number = self._next
        self._next += 1
        worker = number % len(self._tasks)
        if len(self._ids) > _MEMO:
            self._ids.clear()
            self._sent = [set() for _ in self._tasks]
            self._reset = [True] * len(self._tasks)
        sent = self._sent[worker]
        new: dict[int, ImageInfo] = {}
        rows = []
        for listing, images, first in prepared:
            refs = {}
            for ref, info in images.items():
                entry = self._ids.get(id(info))
                if entry is None:
                    entry = self._ids[id(info)] = (len(self._ids), info)
                key = entry[0]
                if key not in sent:
                    sent.add(key)
                    new[key] = info
                refs[ref] = key
            rows.append((listing, refs, first))
        reset, self._reset[worker] = self._reset[worker], False
        self._tasks[worker].put((number, reset, new, rows, render))
        return number

    def collect(self, number: int) -> list[ListingResult]:
        """The results of chunk ``number`` (waiting for them; chunks may finish out of order)."""
        while number not in self._done:
            try:
                got, results, error = self._results.get(timeout=1.0)
            except queue.Empty:
                dead = [p.name for p in self._processes if not p.is_alive()]
                if dead:
                    raise RuntimeError(f"rule worker {', '.join(dead)} stopped unexpectedly") from None
                continue
            if error is not None:
                raise RuntimeError(f"a rule failed in a worker process:\n{error}")
            self._done[got] = results
        return self._done.pop(number)

    def close(self) -> None:
        """Stop the workers (at once when interrupted)."""
        for tasks, process in zip(self._tasks, self._processes):
            if process.is_alive():
                try:
                    tasks.put(None)
                except (OSError, ValueError):
                    pass
        for process in self._processes:
            process.join(timeout=2)
            if process.is_alive():
                process.terminate()
                process.join(timeout=2)
        for q in (*self._tasks, self._results):
            q.close()
            q.join_thread()
