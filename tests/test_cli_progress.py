"""The progress bar: drawn on a real terminal (a pseudo-terminal), silent everywhere else."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import Workspace, write_csv
from shelfcheck.findings import RenderedBatch, Summary
from shelfcheck.i18n import catalogue
from shelfcheck.cli.progress import estimate_rows, progress, should_show


class _SlowRun:
    """A stand-in for a prepared run whose results take ``pause`` seconds each."""

    def __init__(self, n: int, pause: float, source: Any = None) -> None:
        self.n, self.pause = n, pause
        self.source = source or type("S", (), {"format": "json", "path": Path("x.json")})()
        self.shop_findings: list[Any] = []

    def results(self) -> Iterator[int]:
        for i in range(self.n):
            time.sleep(self.pause)
            yield i

    def rendered(self, render: Any) -> Iterator[RenderedBatch]:
        """Batches of three listings, as a large catalogue renders in its worker processes."""
        for start in range(0, self.n, 3):
            time.sleep(self.pause)
            texts = [render(i) for i in range(start, min(start + 3, self.n))]
            yield RenderedBatch(texts, Summary(listings=len(texts)))


@pytest.fixture
def tty() -> Iterator[tuple[io.TextIOWrapper, int]]:
    """The writing end of a pseudo-terminal, and the reading end's file descriptor."""
    master, slave = os.openpty()
    stream = open(slave, "w", encoding="utf-8", closefd=True)
    try:
        yield stream, master
    finally:
        stream.close()
        os.close(master)


def _drain(fd: int) -> str:
    import select

    chunks = []
    while select.select([fd], [], [], 0.2)[0]:
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(autouse=True)
def _not_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")


def test_should_show_only_on_a_terminal(tty: tuple[io.TextIOWrapper, int], monkeypatch: pytest.MonkeyPatch) -> None:
    stream, _ = tty
    assert should_show(stream)
    assert not should_show(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not should_show(stream)
    monkeypatch.setenv("CI", "0")
    assert should_show(stream)
    monkeypatch.setenv("TERM", "dumb")
    assert not should_show(stream)


def test_bar_appears_on_a_terminal_for_a_long_run(tty: tuple[io.TextIOWrapper, int]) -> None:
    stream, master = tty
    run = _SlowRun(12, 0.05)
    with progress(run, catalogue("en"), stream=stream, delay=0.2) as tracked:
        assert tracked is not run and tracked.shop_findings is run.shop_findings
        assert list(tracked.results()) == list(range(12))
    shown = _drain(master)
    assert "Checking listings" in shown
    assert "/?" in shown or "12" in shown  # the count of listings checked


def test_bar_counts_the_listings_of_rendered_batches(tty: tuple[io.TextIOWrapper, int]) -> None:
    stream, master = tty
    with progress(_SlowRun(10, 0.1), catalogue("en"), stream=stream, delay=0.05) as tracked:
        batches = list(tracked.rendered(str))
    assert [b.texts for b in batches] == [["0", "1", "2"], ["3", "4", "5"], ["6", "7", "8"], ["9"]]
    shown = _drain(master)
    assert "10" in shown and "4/" not in shown  # listings counted, not batches


def test_bar_label_in_chinese(tty: tuple[io.TextIOWrapper, int]) -> None:
    stream, master = tty
    with progress(_SlowRun(6, 0.05), catalogue("zh"), stream=stream, delay=0.05) as tracked:
        list(tracked.results())
    assert "正在检查商品" in _drain(master)


def test_short_run_prints_nothing_even_on_a_terminal(tty: tuple[io.TextIOWrapper, int]) -> None:
    stream, master = tty
    run = _SlowRun(5, 0.0)
    with progress(run, catalogue("en"), stream=stream, delay=1.0) as tracked:
        assert list(tracked.results()) == list(range(5))
    assert _drain(master) == ""


def test_pipe_gets_nothing_and_the_run_is_untouched() -> None:
    pipe = io.StringIO()
    run = _SlowRun(5, 0.05)
    with progress(run, catalogue("en"), stream=pipe, delay=0.0) as tracked:
        assert tracked is run
        list(tracked.results())
    assert pipe.getvalue() == ""


def test_report_on_the_same_terminal_gets_no_bar(tty: tuple[io.TextIOWrapper, int],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    stream, _ = tty
    monkeypatch.setattr("sys.stdout", stream)
    assert not should_show(stream, to_stdout=True)
    assert should_show(stream, to_stdout=False)


def test_estimate_rows_counts_csv_lines(ws: Workspace) -> None:
    path = write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku=f"R-{i}") for i in range(7)])
    from shelfcheck.api import prepare

    source = prepare(path).source
    try:
        assert estimate_rows(source) == 7
    finally:
        source.table.close()
    assert estimate_rows(type("S", (), {"format": "xlsx", "path": path})()) is None
