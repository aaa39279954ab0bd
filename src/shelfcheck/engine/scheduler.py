"""Worker processes that run the listing rules of large catalogues on several cores.

The parent reads the catalogue's records, notes duplicate SKUs and analyses the images (each
file once); chunks of raw records then go round-robin to forked workers, which build the
listings, run the rules and render the report entries, and the results come back in input order.
The parent checks a chunk itself whenever the workers have enough in hand (see
:mod:`shelfcheck.engine.runner`): ``jobs`` workers and the parent keep ``jobs`` cores busy. A worker checks
each listing with the parent's :class:`~shelfcheck.engine.checker.Checker` (its copy, forked).
Each worker remembers the image analyses it has been sent, so an image that many listings share
crosses the process boundary once per worker rather than once per listing.

Tasks travel through queues whose feeder threads live in the parent, so the parent never blocks
on a full pipe. Each worker sends its results on a pipe of its own, from its only thread: a
second thread in a worker would fight the rules for the interpreter lock (the ``regex`` module
releases it around every match), which measured 2–3 times slower rules.
"""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from shelfcheck.engine.checker import Checker
from shelfcheck.findings import ListingResult, RenderedBatch, Summary
from shelfcheck.rules.context import Images

if TYPE_CHECKING:
    from shelfcheck.ingest.catalog import CatalogSource

__all__ = ["Render", "RuleWorkers", "finish_chunk"]

Row = tuple[int, list[str], "int | None"]  # row number, raw cells, first row of the same SKU
Render = Callable[[ListingResult], str]
# Image analyses a worker keeps before the parent tells it to start afresh.
MEMO = 100_000
# Size asked for the pipe that brings a worker's results (Linux allows up to 1 MiB by default).
_PIPE_BYTES = 1 << 20
# Chunks each worker holds (being checked or waiting) before the parent checks one itself.
_IN_HAND = 4


def finish_chunk(results: list[ListingResult], render: Render | None) -> Any:
    """The results of a chunk, or their rendered batch when a renderer is given."""
    if render is None:
        return results
    summary = Summary()
    for result in results:
        summary.add_listing(result)
    failed = bytes(result.status == "fail" for result in results)
    return RenderedBatch([render(result) for result in results], summary, failed)


def _worker_main(checker: Checker, source: CatalogSource, tasks: Any, results: Connection) -> None:
    """Loop of one worker: check each chunk it is sent, until told to stop."""
    checker.after_fork()
    make = source.make_listing
    check = checker.check
    memo = Images()
    while True:
        task = tasks.get()
        if task is None:
            return
        number, reset, new_images, rows, render = task
        try:
            if reset:
                memo.clear()
            memo.adopt(new_images)
            out = []
            for row, cells, first in rows:
                out.append(check(make(row, cells), memo, first))  # rules look up their own refs
            results.send((number, finish_chunk(out, render), None))
        except BaseException:  # reported to the parent, which raises it there
            results.send((number, None, traceback.format_exc(limit=20)))


def _widen(end: Connection) -> None:
    """Let a results pipe hold a whole batch (Linux), so a worker that finishes a chunk while
    the parent is busy checking one of its own sends it at once and goes on working."""
    try:
        import fcntl

        fcntl.fcntl(end.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # elsewhere, or above the system's limit: the default size works, a little slower


class RuleWorkers:
    """A fixed set of forked workers; :meth:`submit` a chunk, :meth:`collect` its results."""

    def __init__(self, checker: Checker, source: CatalogSource, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self._tasks = [context.Queue() for _ in range(count)]
        pipes = [context.Pipe(duplex=False) for _ in range(count)]
        self._results = [reader for reader, _ in pipes]
        self._processes = [
            context.Process(target=_worker_main, args=(checker, source, self._tasks[i], pipes[i][1]),
                            daemon=True, name=f"shelfcheck-rules-{i}")
            for i in range(count)
        ]
        # Objects that exist now are shared with the workers copy-on-write; frozen, the workers'
        # garbage collector never walks them (walking them would copy every page and slow each
        # collection down by the size of the whole parent heap). They stay frozen in this process
        # too, until the run that started the workers ends (it unfreezes them).
        gc.freeze()
        for process in self._processes:
            process.start()
        for reader, writer in pipes:
            _widen(reader)
            writer.close()  # the workers hold their ends
        self._sent: list[dict[str, int]] = [{} for _ in range(count)]  # ref → key of the analysis sent
        self._next = 0
        self._in_flight = 0

    @property
    def capacity(self) -> int:
        """The chunks all workers hold when each has its share in hand."""
        return _IN_HAND * len(self._tasks)

    def busy(self) -> bool:
        """True when every worker has its share of chunks in hand: the next is better checked
        by the parent, which then waits for the oldest."""
        return self._in_flight >= self.capacity

    def ready(self, number: int) -> bool:
        """True when the results of chunk ``number`` (the next of its worker) have arrived."""
        return self._results[number % len(self._results)].poll(0)

    def submit(self, rows: list[Row], images: Images, render: Render | None) -> int:
        """Send one chunk to the next worker; return its number for :meth:`collect`."""
        number = self._next
        self._next += 1
        worker = number % len(self._tasks)
        sent = self._sent[worker]
        reset = len(sent) > MEMO
        if reset:
            sent.clear()
        new = Images()
        tokens = images.tokens
        for ref, info in images.items():
            key = tokens[ref]
            if sent.get(ref) != key:  # not sent yet, or re-analysed since
                sent[ref] = key
                new[ref] = info
                new.tokens[ref] = key
        self._tasks[worker].put((number, reset, new, rows, render))
        self._in_flight += 1
        return number

    def collect(self, number: int) -> list[ListingResult] | RenderedBatch:
        """The results of chunk ``number``, or their rendered batch (each worker answers its
        chunks in order)."""
        worker = number % len(self._results)
        reader, process = self._results[worker], self._processes[worker]
        while not reader.poll(1.0):
            if not process.is_alive():
                raise RuntimeError(f"rule worker {process.name} stopped unexpectedly")
        try:
            got, results, error = reader.recv()
        except EOFError:
            raise RuntimeError(f"rule worker {process.name} stopped unexpectedly") from None
        if error is not None:
            raise RuntimeError(f"a rule failed in a worker process:\n{error}")
        if got != number:
            raise RuntimeError(f"rule worker {process.name} answered chunk {got}, not {number}")
        self._in_flight -= 1
        return results

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
        for q in self._tasks:
            q.close()
            q.join_thread()
        for reader in self._results:
            reader.close()
