"""The engine across processes: the parent and its workers share chunks, in order, and a failure
anywhere stops the run with the failure's own message."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import shelfcheck
from helpers import Workspace, write_csv
from shelfcheck.findings import Hit
from shelfcheck.reporters.json import render_listing
from shelfcheck.rules import RULES

AS_OF = dt.date(2024, 8, 1)


def _catalog(ws: Workspace, rows: int) -> Path:
    grey = ws.image(background=(205, 205, 205))
    pool = [ws.image(product=(k * 25, 40, 80)) for k in range(6)]
    listings = []
    for i in range(rows):
        listings.append(ws.listing(
            seller_sku=f"P-{i % (rows - 20)}",  # the last twenty repeat earlier SKUs
            title="短标题" if i % 9 == 0 else "Stackable Storage Box with Lid",
            quantity="about 5" if i % 13 == 0 else str(i),
            main_images="|".join([pool[i % 6], pool[(i + 1) % 6], grey if i % 4 == 0 else pool[(i + 2) % 6]]),
        ))
    return write_csv(ws.root / "catalog.csv", listings)


def _rendered(catalog: Path, jobs: int, chunk_size: int) -> tuple[list[str], list[int]]:
    run = shelfcheck.prepare(catalog, jobs=jobs, cache=False, as_of=AS_OF)
    run.engine.chunk_size = chunk_size
    texts: list[str] = []
    counts: list[int] = []
    for batch in run.rendered(functools.partial(render_listing, lang="en")):
        texts.extend(batch.texts)
        counts.append(batch.summary.listings)
    return texts, counts


@pytest.mark.parametrize("jobs", [2, 3])
def test_parent_and_workers_give_the_one_process_report(ws: Workspace, jobs: int) -> None:
    catalog = _catalog(ws, 400)
    one, _ = _rendered(catalog, 1, 8)
    many, counts = _rendered(catalog, jobs, 8)
    assert many == one
    assert counts == [8] * 50  # every chunk once, in order
    assert sum('"duplicate_sku"' in text for text in one) == 20
    assert not multiprocessing.active_children()  # the workers are gone


def test_duplicate_skus_found_the_same_once_older_skus_are_fingerprints(ws: Workspace,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = _catalog(ws, 700)
    whole, _ = _rendered(catalog, 2, 64)
    monkeypatch.setattr("shelfcheck.engine.skus.HELD_SKUS", 3)
    assert _rendered(catalog, 2, 64)[0] == whole  # the workers' chunks
    assert _rendered(catalog, 1, 64)[0] == whole  # this process's
    assert sum('"duplicate_sku"' in text for text in whole) == 20


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_run_freezes_what_existed_before_it_and_lets_go_at_the_end(ws: Workspace, jobs: int) -> None:
    import gc

    catalog = _catalog(ws, 700)
    run = shelfcheck.prepare(catalog, jobs=jobs, cache=False, as_of=AS_OF)
    run.engine.chunk_size = 64
    frozen = []
    for _result in run.results():
        frozen.append(gc.get_freeze_count())
    assert min(frozen) > 0  # the collector's full passes skip what the run did not make
    assert gc.get_freeze_count() == 0  # and nothing stays frozen once the rows have ended
    broken = shelfcheck.prepare(catalog, jobs=jobs, cache=False, as_of=AS_OF).results()
    next(broken)
    broken.close()  # a run stopped early lets go too
    assert gc.get_freeze_count() == 0


def _failing(code: str, sku: str) -> Any:
    original = RULES[code].check

    def check(c: Any) -> Iterator[Hit]:
        if c.listing.seller_sku == sku:
            raise ValueError(f"rule broke on {sku}")
        yield from original(c)

    return dataclasses.replace(RULES[code], check=check)


@pytest.mark.parametrize("sku", ["P-3", "P-200", "P-379"])
def test_a_rule_that_breaks_stops_the_run_with_its_message(ws: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                           sku: str) -> None:
    catalog = _catalog(ws, 400)
    monkeypatch.setitem(RULES, "value_invalid", _failing("value_invalid", sku))
    with pytest.raises((ValueError, RuntimeError), match=f"rule broke on {sku}"):
        _rendered(catalog, 2, 8)
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("color", [False, True])
def test_terminal_report_drawn_in_workers_is_the_one_process_report(ws: Workspace, color: bool) -> None:
    import io

    from shelfcheck.i18n import catalogue
    from shelfcheck.reporters.table import Look, _console, render_listing, write_table

    catalog = _catalog(ws, 400)
    texts = []
    for jobs in (1, 2):
        run = shelfcheck.prepare(catalog, jobs=jobs, cache=False, as_of=AS_OF)
        run.engine.chunk_size = 8
        out = io.StringIO()
        look = Look.of(_console(out, color, 120))
        batches = run.rendered(functools.partial(render_listing, lang="zh", look=look))
        summary = write_table(run.header(), run.shop_findings, batches, out, catalogue("zh"), color=color, width=120)
        texts.append(out.getvalue())
        assert summary.listings == 400 and summary.failed > 100
    assert texts[0] == texts[1]
    assert ("\x1b[" in texts[0]) is color
    assert texts[0].count("P-7 ") >= 1 and "duplicate_sku" in texts[0]


def test_a_render_that_cannot_reach_the_workers_is_refused_at_once(ws: Workspace) -> None:
    """A lambda cannot be pickled to the worker processes: a clear TypeError before any row, never a
    run waiting for batches that never come; with one process it is fine."""
    path = write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku=f"S-{n}") for n in range(3)])
    run = shelfcheck.prepare(path, as_of=AS_OF, jobs=2, cache=False)
    with pytest.raises(TypeError, match="picklable"):
        next(run.rendered(lambda result: "x"))
    one = shelfcheck.prepare(path, as_of=AS_OF, jobs=1, cache=False)
    assert [t for batch in one.rendered(lambda result: "x") for t in batch.texts] == ["x"] * 3
