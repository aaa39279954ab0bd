"""The bundled example catalogue, end to end through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shelfcheck.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def example_images() -> Path:
    subprocess.run([sys.executable, str(EXAMPLES / "make_images.py")], check=True)
    return EXAMPLES / "images"


@pytest.fixture(scope="module")
def example_ledger(tmp_path_factory: pytest.TempPathFactory, example_images: Path) -> Path:
    """The demo ledger, seeded the way ``make demo`` seeds it (after the images exist: the
    recorded content hash covers them)."""
    db = tmp_path_factory.mktemp("ledger") / "ledger.db"
    command = Path(sys.executable).with_name("shelfcheck")
    subprocess.run([str(EXAMPLES / "seed_ledger.sh"), str(command), str(db)], check=True,
                   capture_output=True)
    return db


@pytest.fixture(scope="module")
def example_categories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop's category data as ``make demo`` stores it: the sandbox's tree with the rules
    and attributes of the example's leaves (``examples/make_categories.py``), imported."""
    subprocess.run([sys.executable, str(EXAMPLES / "make_categories.py")], check=True)
    data = tmp_path_factory.mktemp("data")
    subprocess.run([sys.executable, "-m", "shelfcheck", "data", "import", "tiktok-categories",
                    str(EXAMPLES / "categories.json"), "--shop", "sandbox"], check=True, capture_output=True,
                   env={**os.environ, "SHELFCHECK_DATA_DIR": str(data)})
    return data


@pytest.fixture(autouse=True)
def _use_example_ledger(example_ledger: Path, example_categories: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELFCHECK_DB", str(example_ledger))
    monkeypatch.setenv("SHELFCHECK_DATA_DIR", str(example_categories))


def _check(shop: str, *extra: str) -> tuple[int, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "shelfcheck", "check", str(EXAMPLES / "catalog.csv"),
         "--documents", str(EXAMPLES / "documents.csv"), "--shop", str(EXAMPLES / shop),
         "--inventory", str(EXAMPLES / "platform_inventory.csv"), "--as-of", "2024-08-01",
         "--format", "json", *extra],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.stderr == "", proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _codes(report: dict) -> set[str]:
    found = {f["code"] for f in report["shop_findings"]}
    for listing in report["listings"]:
        found |= {f["code"] for f in listing["findings"]}
    return found


def test_example_catalogue_shows_every_listing_code_and_clean_products(example_images: Path) -> None:
    status, report = _check("shop.yaml")
    assert status == 1
    # Damaged-input codes (family "cells") need a damaged file: the hostile corpus shows them
    # (tests/test_hostile.py), the readable example catalogue does not.
    listing_codes = {code for code, rule in RULES.items() if rule.scope == "listing" and rule.family != "cells"}
    missing = listing_codes - _codes(report)
    assert not missing, f"the example catalogue never shows {sorted(missing)}"
    clean = [x["seller_sku"] for x in report["listings"] if not x["findings"]]
    assert {"HM-BOX-001", "EL-EB-100", "BT-SERUM-01", "TY-PUZ-100"} <= set(clean)
    assert report["listings"][0]["row"] == 2


def test_example_shops_show_every_shop_code(example_images: Path) -> None:
    shop_codes = {code for code, rule in RULES.items() if rule.scope == "shop"}
    _, good = _check("shop.yaml")
    _, legacy = _check("shop-legacy.yaml")
    found = {f["code"] for f in good["shop_findings"]} | {f["code"] for f in legacy["shop_findings"]}
    assert found == shop_codes


def test_example_report_in_chinese_has_chinese_for_every_finding(example_images: Path) -> None:
    _, report = _check("shop.yaml", "--lang", "zh")
    for listing in report["listings"]:
        for f in listing["findings"]:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in f["message"]), f
            assert any("\u4e00" <= ch <= "\u9fff" for ch in f["fix"]), f
            assert "{" not in f["message"] and "{" not in f["fix"], f
