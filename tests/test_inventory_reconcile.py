"""``inventory reconcile``: drift, the ±5 flag, the calibration file, the stored sync history."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from helpers import Workspace, write_csv
from shelfcheck.cli.main import main
from shelfcheck.ledger import open_ledger


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture
def files(ws: Workspace) -> tuple[Path, Path]:
    rows = [
        {"seller_sku": "OK-1", "quantity": "105", "title": "x"},     # +5: at the tolerance, not flagged
        {"seller_sku": "UP-1", "quantity": "106"},                   # +6: flagged
        {"seller_sku": "DOWN-1", "quantity": "90"},                  # −10: flagged
        {"seller_sku": "NEW-1", "quantity": "7"},                    # not on the platform
        {"seller_sku": "BAD-1", "quantity": "lots"},                 # ERP unreadable
        {"seller_sku": "UP-1", "quantity": "500"},                   # duplicate row: the first wins
    ]
    catalog = write_csv(ws.root / "catalog.csv", rows)
    platform = write_csv(ws.root / "platform.csv", [
        {"seller_sku": "OK-1", "platform_quantity": "100", "synced_at": "2024-07-31T10:00:00Z"},
        {"seller_sku": "UP-1", "platform_quantity": "100"},
        {"seller_sku": "DOWN-1", "platform_quantity": "100"},
        {"seller_sku": "BAD-1", "platform_quantity": "3"},
        {"seller_sku": "GONE-1", "platform_quantity": "4"},
    ])
    return catalog, platform


def test_json_items_drift_and_flags(files: tuple[Path, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    catalog, platform = files
    code, out, err = cli(capsys, "inventory", "reconcile", str(catalog), "--platform", str(platform),
                         "--format", "json", "--db", str(tmp_path / "l.db"))
    assert code == 1, err  # a flagged SKU is an error-level problem
    data = json.loads(out)
    items = {i["seller_sku"]: i for i in data["items"]}
    assert list(items) == ["OK-1", "UP-1", "DOWN-1", "NEW-1", "BAD-1", "GONE-1"]
    assert {k: items["OK-1"][k] for k in ("erp", "platform", "drift", "flagged")} == \
        {"erp": 105, "platform": 100, "drift": 5, "flagged": False}
    assert (items["UP-1"]["drift"], items["UP-1"]["flagged"]) == (6, True)
    assert (items["DOWN-1"]["drift"], items["DOWN-1"]["flagged"]) == (-10, True)
    assert items["NEW-1"] | {} == {"seller_sku": "NEW-1", "erp": 7, "platform": None, "drift": None,
                                    "flagged": False, "status": "missing_on_platform"}
    bad = items["BAD-1"]
    assert (bad["erp"], bad["status"], bad["flagged"]) == (None, "erp_unreadable", False)
    assert (items["GONE-1"]["erp"], items["GONE-1"]["status"]) == (None, "missing_in_erp")
    assert data["tolerance"] == 5 and data["summary"]["flagged"] == 2 and data["summary"]["items"] == 6


def test_calibration_file_holds_the_erp_count_of_flagged_skus(files: tuple[Path, Path], tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    catalog, platform = files
    target = tmp_path / "calibration.csv"
    code, _out, err = cli(capsys, "inventory", "reconcile", str(catalog), "--platform", str(platform),
                          "--output", str(target), "--db", str(tmp_path / "l.db"))
    assert code == 1
    assert target.read_text("utf-8") == "seller_sku,quantity\nUP-1,106\nDOWN-1,90\n"
    assert "calibration.csv" in err and "2" in err


def test_csv_format_and_zh_table(files: tuple[Path, Path], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    catalog, platform = files
    code, out, _ = cli(capsys, "inventory", "reconcile", str(catalog), "--platform", str(platform),
                       "--format", "csv", "--db", str(tmp_path / "l.db"))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[1] == {"seller_sku": "UP-1", "erp": "106", "platform": "100", "drift": "6", "flagged": "true",
                       "status": "drift_exceeded"}
    code, out, _ = cli(capsys, "inventory", "reconcile", str(catalog), "--platform", str(platform),
                       "--lang", "zh", "--db", str(tmp_path / "l.db"))
    assert "误差" in out and "+6" in out and "-10" in out


def test_all_within_tolerance_exits_zero_and_writes_an_empty_calibration(ws: Workspace, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    catalog = write_csv(ws.root / "c.csv", [{"seller_sku": "A", "quantity": "10"}])
    platform = write_csv(ws.root / "p.csv", [{"seller_sku": "A", "platform_quantity": "15"}])
    target = tmp_path / "cal.csv"
    code, out, _ = cli(capsys, "inventory", "reconcile", str(catalog), "--platform", str(platform),
                       "--format", "json", "--output", str(target), "--db", str(tmp_path / "l.db"))
    assert code == 0 and json.loads(out)["items"][0]["drift"] == -5
    assert target.read_text("utf-8") == "seller_sku,quantity\n"


def test_each_run_is_stored_as_sync_history(files: tuple[Path, Path], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    catalog, platform = files
    db = str(tmp_path / "l.db")
    cli(capsys, "inventory", "reconcile", str(catalog), "--platform", str(platform), "--at",
        "2024-07-31T12:00:00Z", "--db", db)
    with open_ledger(db, readonly=True) as ledger:
        up = ledger.last_sync("UP-1")
        ok = ledger.last_sync("OK-1")
    assert up.item.flagged and up.item.drift == 6 and up.tolerance == 5
    assert up.synced_at == dt.datetime(2024, 7, 31, 12, tzinfo=dt.timezone.utc)
    assert ok.item.platform_synced_at == "2024-07-31T10:00:00Z" and not ok.item.flagged


@pytest.mark.parametrize("case", ["no_platform_column", "missing_platform_file", "bad_format"])
def test_bad_input_is_one_line_exit_two(case: str, ws: Workspace, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    catalog = write_csv(ws.root / "c.csv", [{"seller_sku": "A", "quantity": "10"}])
    platform = write_csv(ws.root / "p.csv", [{"seller_sku": "A", "stock": "15"}])
    args = ["inventory", "reconcile", str(catalog), "--platform", str(platform), "--db", str(tmp_path / "l.db")]
    needle = "platform_quantity"
    if case == "missing_platform_file":
        args[4] = str(ws.root / "nope.csv")
        needle = "nope.csv"
    elif case == "bad_format":
        args += ["--format", "xml"]
        needle = "--format"
    code, out, err = cli(capsys, *args)
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err
    if case == "no_platform_column":
        assert "p.csv" in err and "row 1" in err
