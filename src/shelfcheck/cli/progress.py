"""A progress bar for long runs: on stderr, only when it is a terminal, only after a second.

The CLI wraps the prepared run before handing it to a reporter::

    with progress(run, cat, to_stdout=output is None) as tracked:
        summary = reporter(tracked, out, cat, options)

``tracked`` behaves like the run, except that iterating ``tracked.results()`` (or
``tracked.rendered(...)``) advances a rich progress bar counting listings. Nothing at all is
written when stderr is not a terminal (a pipe, a file, CI), when ``CI`` is set, when
``TERM=dumb``, or when the report itself goes to the same terminal on stdout (the bar would tear
the report apart). The bar appears only once the run has
lasted ``delay`` seconds (one by default), so quick runs print nothing extra, and it removes
itself when the run ends. The total is estimated cheaply from the line count of a CSV catalogue
(unknown for XLSX and JSON: the bar then shows a count).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

__all__ = ["estimate_rows", "progress", "should_show"]

T = TypeVar("T")
_COUNT_CAP = 1 << 30  # do not count lines of catalogues larger than 1 GiB


def should_show(stream: IO[str] | None = None, *, to_stdout: bool = False) -> bool:
    """True when a progress bar on ``stream`` (default stderr) would help a person."""
    stream = stream if stream is not None else sys.stderr
    try:
        if not stream.isatty():
            return False
    except (AttributeError, ValueError):
        return False
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if os.environ.get("TERM", "") == "dumb":
        return False
    if to_stdout:
        try:
            if sys.stdout.isatty():
                return False
        except (AttributeError, ValueError):
            pass
    return True


def estimate_rows(source: Any) -> int | None:
    """About how many listings a catalogue holds: the lines after the header of a CSV.

    Cheap (a byte count of newlines); ``None`` when unknown (XLSX, JSON, unreadable).
    """
    if getattr(source, "format", None) != "csv":
        return None
    path = Path(source.path)
    try:
        if path.stat().st_size > _COUNT_CAP:
            return None
        lines = 0
        last = b""
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                lines += chunk.count(b"\n")
                last = chunk
        if last and not last.endswith(b"\n"):
            lines += 1
    except OSError:
        return None
    header_row = getattr(getattr(source, "table", None), "header_row", 1) or 1
    return max(0, lines - header_row)


class _Bar:
    """A rich progress bar that starts itself after ``delay`` seconds, from a timer thread."""

    def __init__(self, stream: IO[str], label: str, total: int | None, delay: float) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                                   TextColumn, TimeElapsedColumn)

        console = Console(file=stream, force_terminal=True, highlight=False)
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                                 transient=True, redirect_stdout=False, redirect_stderr=False,
                                 refresh_per_second=8)
        self.task = self.progress.add_task(label, total=total)
        self.lock = threading.Lock()
        self.started = False
        self.stopped = False
        self.timer = threading.Timer(max(0.0, delay), self._start)
        self.timer.daemon = True
        self.timer.start()

    def _start(self) -> None:
        with self.lock:
            if not self.stopped:
                self.progress.start()
                self.started = True

    def track(self, items: Iterable[T], size: Callable[[T], int] | None = None) -> Iterator[T]:
        """Yield ``items``, each advancing the bar by one listing (or by ``size(item)``)."""
        done = 0
        for item in items:
            done += 1 if size is None else size(item)
            task = self.progress.tasks[0]
            if task.total is not None and done > task.total:
                self.progress.update(self.task, total=None)  # the estimate was low
            self.progress.update(self.task, completed=done)
            yield item
        self.progress.update(self.task, total=done, completed=done)

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            self.timer.cancel()
            if self.started:
                self.progress.stop()


class _TrackedRun:
    """The run, with :meth:`results` advancing the bar."""

    def __init__(self, run: Any, bar: _Bar) -> None:
        self._run = run
        self._bar = bar

    def __getattr__(self, name: str) -> Any:
        return getattr(self._run, name)

    def results(self) -> Iterator[Any]:
        return self._bar.track(self._run.results())

    def rendered(self, render: Any) -> Iterator[Any]:
        return self._bar.track(self._run.rendered(render), lambda batch: len(batch.texts))


@contextmanager
def progress(run: Any, cat: Any, *, to_stdout: bool = False, stream: IO[str] | None = None,
             delay: float = 1.0, enabled: bool | None = None) -> Iterator[Any]:
    """Wrap a prepared run so that its results advance a progress bar on stderr.

    Args:
        run: the :class:`~shelfcheck.api.Preflight` to wrap.
        cat: the message catalogue (the bar's label is in its language).
        to_stdout: the report is written to stdout (no bar when stdout is the same terminal).
        stream: where the bar goes (default: stderr).
        delay: seconds before the bar appears; shorter runs print nothing.
        enabled: force the bar on or off (default: :func:`should_show`).

    Yields:
        The run itself when no bar is shown, else a wrapper with the same attributes.
    """
    stream = stream if stream is not None else sys.stderr
    show = should_show(stream, to_stdout=to_stdout) if enabled is None else enabled
    if not show:
        yield run
        return
    bar = _Bar(stream, cat.ui("rpt_progress"), estimate_rows(run.source), delay)
    try:
        yield _TrackedRun(run, bar)
    finally:
        bar.stop()
