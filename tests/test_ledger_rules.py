"""The ledger rules inside a real check: sku_locked, sku_failures_near_limit, resubmit_unchanged.

``check`` gets the ledger through ``RunContext.ledger`` (here set on the prepared run, as
``check --db`` does); the as-of instant is the start of the ``as_of`` day, UTC.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

import shelfcheck.rules.ledger  # noqa: F401  (registers the codes until rules/__init__ imports it)
from helpers import Workspace, codes, write_csv
from shelfcheck.analysis.images import WhiteParams, analyse_image
from shelfcheck.api import prepare
from shelfcheck.i18n import catalogue
from shelfcheck.ingest import open_catalog
from shelfcheck.ledger import listing_content_hash, open_ledger
from shelfcheck.policy import load_policy
from shelfcheck.rules import RULES

UTC = dt.timezone.utc
DAY = dt.date(2024, 8, 1)
WHITE = WhiteParams.of(load_policy().images.white_background)
START = dt.datetime(2024, 8, 1, tzinfo=UTC)


def _check(catalog: Path, ledger: Any, as_of: dt.date = DAY) -> Any:
    return prepare(catalog, as_of=as_of, jobs=1, ledger=ledger).report()


def _hash_of(catalog: Path, sku: str) -> str:
    source = open_catalog(catalog)
    row = next(r for r in source.listings() if r.seller_sku == sku)
    source.table.close()
    images = {ref: analyse_image(ref, str(row.base_dir / ref), WHITE) for ref in row.main_images}
    return listing_content_hash(row, images)


@pytest.fixture
def ledger(tmp_path: Path) -> Any:
    with open_ledger(str(tmp_path / "ledger.db")) as opened:
        yield opened


def test_codes_are_registered_with_contract_severities() -> None:
    assert RULES["sku_locked"].severity.label == "error"
    assert RULES["sku_failures_near_limit"].severity.label == "warning"
    assert RULES["resubmit_unchanged"].severity.label == "error"
    assert {RULES[c].family for c in ("sku_locked", "sku_failures_near_limit", "resubmit_unchanged")} == {"ledger"}


def test_no_ledger_no_findings(ws: Workspace) -> None:
    catalog = write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku="L-1")])
    report = _check(catalog, None)
    assert codes(report) == []


def test_locked_and_near_limit_as_of_the_run(ws: Workspace, ledger: Any) -> None:
    catalog = write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku="LOCKED"), ws.listing(seller_sku="NEAR"),
                                                  ws.listing(seller_sku="FINE")])
    for i in range(4):  # the evening before the as-of day: 4 failures → locked for 72 h from 23:00
        ledger.record_attempt("LOCKED", "failed", at=START - dt.timedelta(hours=4 - i))
    for i in range(3):
        ledger.record_attempt("NEAR", "failed", at=START - dt.timedelta(hours=3 - i))
    ledger.record_attempt("FINE", "failed", at=START - dt.timedelta(hours=1))
    ledger.record_attempt("LOCKED", "failed", at=START + dt.timedelta(hours=5))  # after as-of: ignored
    report = _check(catalog, ledger)
    by_sku = {r.seller_sku: r for r in report.listings}
    assert codes(by_sku["LOCKED"]) == ["sku_locked"]
    locked = by_sku["LOCKED"].findings[0]
    assert locked.evidence["locked_until"] == "2024-08-03T23:00:00Z"
    assert locked.evidence["failures_24h"] == 4 and locked.evidence["max_failures"] == 3
    assert codes(by_sku["NEAR"]) == ["sku_failures_near_limit"]
    assert by_sku["NEAR"].status == "pass"  # a warning does not fail the listing
    assert codes(by_sku["FINE"]) == []
    # Three days later the lock is over and the failures have left the window.
    later = _check(catalog, ledger, as_of=dt.date(2024, 8, 5))
    assert codes(later) == []
    en, zh = catalogue("en"), catalogue("zh")
    assert "2024-08-03T23:00:00Z" in en.message(locked) and "2024-08-03T23:00:00Z" in zh.message(locked)


def test_resubmit_unchanged_only_for_the_same_content(ws: Workspace, ledger: Any) -> None:
    row = ws.listing(seller_sku="SAME", quantity="10")
    catalog = write_csv(ws.root / "catalog.csv", [row])
    ledger.record_attempt("SAME", "failed", reasons=["title_too_short"], at=START - dt.timedelta(days=2),
                          content_hash=_hash_of(catalog, "SAME"))
    report = _check(catalog, ledger)
    assert codes(report) == ["resubmit_unchanged"]
    finding = report.listings[0].findings[0]
    assert finding.evidence["reasons"] == ["title_too_short"]
    assert finding.evidence["failed_at"] == "2024-07-30T00:00:00Z"

    # Stock and file names are not content: still unchanged.
    moved = dict(row, quantity="25")
    refs = row["main_images"].split("|")
    renamed = []
    for ref in refs:
        target = "moved/" + Path(ref).name
        (ws.root / "moved").mkdir(exist_ok=True)
        shutil.copy(ws.root / ref, ws.root / target)
        renamed.append(target)
    moved["main_images"] = "|".join(renamed)
    write_csv(ws.root / "catalog.csv", [moved])
    assert codes(_check(catalog, ledger)) == ["resubmit_unchanged"]

    # A changed title, or a re-shot image, is a change.
    write_csv(ws.root / "catalog.csv", [dict(row, title=row["title"] + " Pack of 2")])
    assert codes(_check(catalog, ledger)) == []
    ws.image(refs[0], product=(200, 10, 10))
    write_csv(ws.root / "catalog.csv", [row])
    assert codes(_check(catalog, ledger)) == []


def test_same_content_that_later_passed_is_not_flagged(ws: Workspace, ledger: Any) -> None:
    catalog = write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku="P-1")])
    digest = _hash_of(catalog, "P-1")
    ledger.record_attempt("P-1", "failed", reasons=["36009003"], at=START - dt.timedelta(days=3), content_hash=digest)
    ledger.record_attempt("P-1", "passed", at=START - dt.timedelta(days=2), content_hash=digest)
    assert codes(_check(catalog, ledger)) == []


def test_content_hash_is_stable_and_matches_the_engines_images(ws: Workspace) -> None:
    catalog = write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku="H-1")])
    first = _hash_of(catalog, "H-1")
    assert first == _hash_of(catalog, "H-1") and len(first) == 64
    source = open_catalog(catalog)
    row = next(source.listings())
    source.table.close()
    infos = [analyse_image(ref, str(row.base_dir / ref), WHITE) for ref in row.main_images]
    assert listing_content_hash(row, infos) == first  # a sequence in main_images order
    assert listing_content_hash(row, [i.sha256 for i in infos]) == first
    mapping = dict(row.values)
    assert listing_content_hash(mapping, {i.ref: i for i in infos}) == first  # the publisher's view
    assert listing_content_hash(dict(mapping, title="Another title entirely"), infos) != first
    assert listing_content_hash(row, infos[::-1]) != first  # image order matters


def test_cli_record_with_catalog_stores_the_hash_check_then_flags(ws: Workspace, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from shelfcheck.cli.main import main

    catalog = write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku="C-1")])
    db = str(tmp_path / "cli.db")
    with pytest.raises(SystemExit) as exc:
        main(["ledger", "record", "--sku", "C-1", "--outcome", "failed", "--reason", "missing_cpi",
              "--at", "2024-07-31T10:00:00Z", "--catalog", str(catalog), "--db", db])
    assert exc.value.code in (0, None), capsys.readouterr().err
    with open_ledger(db, readonly=True) as opened:
        assert opened.attempts("C-1")[0].content_hash == _hash_of(catalog, "C-1")
        assert codes(_check(catalog, opened)) == ["resubmit_unchanged"]


def test_check_command_reads_the_ledger_given_with_db(ws: Workspace, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from shelfcheck.cli.main import main

    catalog = write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku="DB-1"), ws.listing(seller_sku="DB-2")])
    db = tmp_path / "check.db"
    with open_ledger(str(db)) as opened:
        for i in range(4):
            opened.record_attempt("DB-1", "failed", reasons=["missing_cpi"], at=START - dt.timedelta(hours=5 - i))
    with pytest.raises(SystemExit) as exc:
        main(["check", str(catalog), "--as-of", "2024-08-01", "--format", "json", "--db", str(db)])
    report = json.loads(capsys.readouterr().out)
    assert exc.value.code == 1
    by_sku = {r["seller_sku"]: [f["code"] for f in r["findings"]] for r in report["listings"]}
    assert by_sku == {"DB-1": ["sku_locked"], "DB-2": []}
    # A ledger that does not exist is not created by check, and adds nothing.
    missing = tmp_path / "absent.db"
    with pytest.raises(SystemExit) as exc:
        main(["check", str(catalog), "--as-of", "2024-08-01", "--format", "json", "--db", str(missing)])
    assert exc.value.code == 0 and not missing.exists()
