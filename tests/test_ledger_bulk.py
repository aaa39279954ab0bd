"""The ledger costs what it finds: one query per run, whatever the catalogue's size.

A check reads the ledger's history once (:meth:`Ledger.history`); the findings are exactly
those of asking the ledger SKU by SKU, and a SKU without history is not even hashed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

import shelfcheck.rules.ledger as ledger_rules
from helpers import Workspace, write_csv
from shelfcheck.api import prepare
from shelfcheck.ledger import listing_content_hash, open_ledger

UTC = dt.UTC
DAY = dt.date(2024, 8, 1)
START = dt.datetime(2024, 8, 1, tzinfo=UTC)
ROWS = 300  # two chunks of listings


class _PerSku:
    """The same ledger without :meth:`history`: the rules fall back to one question per SKU."""

    def __init__(self, ledger: Any) -> None:
        self._ledger = ledger
        self.exists = ledger.exists

    def status(self, *args: Any, **kwargs: Any) -> Any:
        return self._ledger.status(*args, **kwargs)

    def last_with_hash(self, *args: Any, **kwargs: Any) -> Any:
        return self._ledger.last_with_hash(*args, **kwargs)


def _findings(catalog: Path, ledger: Any) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    report = prepare(catalog, as_of=DAY, jobs=1, ledger=ledger).report()
    return {r.seller_sku: [(f.code, f.evidence) for f in r.findings if f.code in
                           ("sku_locked", "sku_failures_near_limit", "resubmit_unchanged")]
            for r in report.listings}


@pytest.fixture
def catalog(ws: Workspace) -> Path:
    images = ws.clean_images()  # one set of photos: every row's images analysed once
    return write_csv(ws.root / "catalog.csv",
                     [ws.listing(seller_sku=f"B-{i:04d}", main_images=images) for i in range(ROWS)])


def _seed(path: Path, catalog: Path) -> None:
    source = prepare(catalog, as_of=DAY, jobs=1)
    rows = {r.seller_sku: r for r in source.source.listings() if r.seller_sku in ("B-0150", "B-0299")}
    images = {}
    with open_ledger(str(path)) as ledger:
        for i in range(4):  # locked
            ledger.record_attempt("B-0007", "failed", at=START - dt.timedelta(hours=4 - i))
        for i in range(3):  # near the limit
            ledger.record_attempt("B-0250", "failed", at=START - dt.timedelta(hours=3 - i))
        from shelfcheck.analysis.images import WhiteParams, analyse_image
        params = WhiteParams.of(source.run.policy.images.white_background)
        for sku, row in rows.items():
            images = {ref: analyse_image(ref, str(row.base_dir / ref), params) for ref in row.main_images}
            ledger.record_attempt(sku, "failed", reasons=["title_too_short"], at=START - dt.timedelta(days=2),
                                  content_hash=listing_content_hash(row, images))
        ledger.record_attempt("B-0299", "passed", at=START - dt.timedelta(days=1),
                              content_hash=listing_content_hash(rows["B-0299"], images))  # then it passed
        for i in range(300):  # other SKUs' history
            ledger.record_attempt(f"OTHER-{i}", "failed", at=START - dt.timedelta(days=1), content_hash=f"{i:064x}")


def test_one_query_per_run_and_the_same_findings_as_asking_per_sku(catalog: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    _seed(db, catalog)
    with open_ledger(str(db), readonly=True) as ledger:
        statements: list[str] = []
        event.listen(ledger.engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_: statements.append(statement))
        bulk = _findings(catalog, ledger)
        assert len(statements) <= 2, statements  # the history (and nothing per row)
        statements.clear()
        per_sku = _findings(catalog, _PerSku(ledger))
        assert len(statements) >= 2 * 4  # the old way: questions for each SKU with history
    assert bulk == per_sku
    assert [c for c, _ in bulk["B-0007"]] == ["sku_locked"]
    assert [c for c, _ in bulk["B-0250"]] == ["sku_failures_near_limit"]
    assert [c for c, _ in bulk["B-0150"]] == ["resubmit_unchanged"]
    assert bulk["B-0299"] == []  # the same content passed later
    assert sum(1 for v in bulk.values() if v) == 3


def test_a_sku_without_history_is_not_hashed(catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "ledger.db"
    _seed(db, catalog)
    hashed: list[str] = []
    real = ledger_rules.listing_content_hash

    def counting(listing: Any, images: Any) -> str:
        hashed.append(listing.seller_sku)
        return real(listing, images)

    monkeypatch.setattr(ledger_rules, "listing_content_hash", counting)
    with open_ledger(str(db), readonly=True) as ledger:
        _findings(catalog, ledger)
    assert sorted(hashed) == ["B-0150", "B-0299"]


def test_the_history_follows_the_as_of_instant_and_writes(tmp_path: Path) -> None:
    with open_ledger(str(tmp_path / "ledger.db")) as ledger:
        ledger.record_attempt("S-1", "failed", at=START - dt.timedelta(hours=1), content_hash="a" * 64)
        before = ledger.history(START - dt.timedelta(hours=2))
        assert before.failures == {} and before.last_with_hash("S-1", "a" * 64) is None
        now = ledger.history(START)
        assert ledger.history(START) is now  # read once per instant
        assert now.failures == {"S-1": [START - dt.timedelta(hours=1)]} and now.hashed_skus == {"S-1"}
        ledger.record_attempt("S-1", "passed", at=START - dt.timedelta(minutes=30), content_hash="a" * 64)
        fresh = ledger.history(START)
        assert fresh is not now and fresh.last_with_hash("S-1", "a" * 64).outcome == "passed"  # type: ignore[union-attr]
    with open_ledger(str(tmp_path / "missing.db"), readonly=True) as empty:
        assert empty.history(START).failures == {} and not empty.history(START).hashed_skus


def test_head_constant_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from shelfcheck.ledger.db import alembic_config
    from shelfcheck.ledger.migrations import HEAD

    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD]


def test_a_ledger_at_the_newest_revision_opens_without_alembic(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    import shelfcheck

    db = tmp_path / "ledger.db"
    with open_ledger(str(db)) as ledger:  # created and migrated (alembic runs here)
        ledger.record_attempt("S-1", "failed", at=START)
    probe = ("import json, sys, datetime as dt\n"
             "from shelfcheck.ledger import open_ledger\n"
             f"with open_ledger({str(db)!r}, readonly=True) as ledger:\n"
             "    h = ledger.history(dt.datetime(2024, 8, 2, tzinfo=dt.timezone.utc))\n"
             "print(json.dumps([sorted(h.failures), any(m.startswith('alembic') for m in sys.modules)]))")
    src = str(Path(shelfcheck.__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": src})
    assert json.loads(done.stdout) == [["S-1"], False], done.stderr
