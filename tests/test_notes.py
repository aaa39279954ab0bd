"""Run notes: said once at the top of every report (JSON summary.notes, table, HTML), en and zh.

The first notes say which INCI dictionary the run used. The CosIng inventory here is a small CSV
this test writes in CosIng's own layout (never the real file).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpers import Workspace, write_csv
from shelfcheck import notes as run_notes_module
from shelfcheck.api import prepare
from shelfcheck.datasets import import_dataset, load_datasets
from shelfcheck.i18n import catalogue
from shelfcheck.notes import RunNote, run_notes
from shelfcheck.reporters import ReportOptions, get_reporter

BEAUTY = {"category": "Beauty & Personal Care > Skincare", "fda_registration_number": "3012345678",
          "ingredients": "Water\\Aqua\\Eau, Persea Gratissima Oil/Avocado Oil, Cetl Alcohol, Frgrance+"}
COSING_ROWS = [("WATER", "15/12/2021"), ("AQUA", "01/03/2020"), ("PERSEA GRATISSIMA OIL", "01/03/2020"),
               ("CETYL ALCOHOL", "01/03/2020"), ("GLYCERIN", "01/03/2020")]


def _catalogue(ws: Workspace, **fields: str) -> Path:
    return write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku="BT-1", **fields)])


def _small_cosing(ws: Workspace) -> Path:
    path = ws.root / "cosing.csv"
    path.write_text("INCI name,Update Date\n" + "".join(f"{n},{d}\n" for n, d in COSING_ROWS), "utf-8")
    return path


def _render(fmt: str, catalog: Path, lang: str = "en") -> str:
    reporter, _ = get_reporter(fmt)
    out = io.StringIO()
    reporter(prepare(catalog, as_of=None, jobs=1), out, catalogue(lang), ReportOptions())
    return out.getvalue()


def test_without_cosing_every_report_says_once_that_the_inci_check_is_limited(ws: Workspace) -> None:
    catalog = _catalogue(ws, **BEAUTY)
    report = json.loads(_render("json", catalog))
    note, tree = report["summary"]["notes"]  # each once; the category tree note comes after
    assert note["code"] == "inci_dictionary_builtin" and tree["code"] == "category_tree_missing"
    assert "shelfcheck data import cosing FILE" in note["message"] and "limited" in note["message"]
    table = _render("table", catalog)
    assert table.count("INCI check limited") == 1
    assert table.index("INCI check limited") < table.index("BT-1")  # at the top, before the listings
    html = _render("html", catalog)
    assert html.count("INCI check limited") == 1
    assert html.index('class="notes"') < html.index('id="summary"')
    zh = json.loads(_render("json", catalog, "zh"))["summary"]["notes"][0]["message"]
    assert "INCI检查受限" in zh and "shelfcheck data import cosing FILE" in zh
    assert _render("table", catalog, "zh").count("INCI检查受限") == 1


def test_with_cosing_the_note_names_the_inventory_and_its_date(ws: Workspace) -> None:
    import_dataset("cosing", _small_cosing(ws))
    catalog = _catalogue(ws, **BEAUTY)
    report = json.loads(_render("json", catalog))
    assert report["datasets"]["inci"] == "cosing@2021-12-15"
    assert report["summary"]["notes"][0] == {"code": "inci_dictionary_cosing", "message":
                                             "INCI names checked against the CosIng inventory of 2021-12-15 (5 names)."}
    assert [n["code"] for n in report["summary"]["notes"][1:]] == ["category_tree_missing"]
    findings = [f for f in report["listings"][0]["findings"] if f["code"] == "ingredient_not_inci"]
    # the dual labels pass; the misspellings keep their error and get the meant name
    assert [(f["evidence"]["name"], f["evidence"]["suggestions"]) for f in findings] == [
        ("Cetl Alcohol", ["Cetyl Alcohol"]), ("Frgrance", ["Fragrance"])]
    assert "INCI check limited" not in _render("table", catalog)
    assert "2021-12-15" in _render("html", catalog, "zh")


def test_no_note_when_nothing_is_checked_as_inci(ws: Workspace) -> None:
    rows = [{k: v for k, v in ws.listing(seller_sku="BOX-1").items() if k not in ("ingredients", "category")}]
    catalog = write_csv(ws.root / "catalog.csv", rows)
    assert json.loads(_render("json", catalog))["summary"]["notes"] == []
    assert "Notes:" not in _render("table", catalog)
    assert 'class="notes"' not in _render("html", catalog)


def test_a_later_check_adds_its_note_through_a_provider(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    def provider(run: object, source: object) -> list[RunNote]:
        return [RunNote("demo_note", {"n": 3}), RunNote("demo_note", {"n": 4})]  # one code is said once

    monkeypatch.setattr(run_notes_module, "NOTE_PROVIDERS", [*run_notes_module.NOTE_PROVIDERS, provider])
    monkeypatch.setitem(catalogue("en").notes_text, "demo_note", "Deeper checks need {n} more files.")
    catalog = _catalogue(ws, **BEAUTY)
    notes = json.loads(_render("json", catalog))["summary"]["notes"]
    assert [n["code"] for n in notes] == ["inci_dictionary_builtin", "category_tree_missing", "demo_note"]
    assert notes[2]["message"] == "Deeper checks need 3 more files."
    stub_run = SimpleNamespace(datasets=load_datasets(), documents=None)
    # no ingredients column, no CPI; the columns every product needs are there (else the
    # record_columns_absent note says so)
    record = ("description", "price", "package_weight", "package_length", "package_width", "package_height")
    stub_source = SimpleNamespace(columns={"seller_sku": "seller_sku", **{name: name for name in record}})
    assert [n.code for n in run_notes(stub_run, stub_source)] == ["demo_note"]


def test_every_note_code_has_a_message_in_both_languages() -> None:
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en.notes_text) == set(zh.notes_text) >= {"inci_dictionary_builtin", "inci_dictionary_cosing"}
    for code in en.notes_text:
        assert en.placeholders(en.notes_text[code]) == zh.placeholders(zh.notes_text[code]), code


def test_the_install_command_in_the_note_is_the_real_one(ws: Workspace) -> None:
    """End to end: the command the note gives installs the inventory, and the note then changes."""
    catalog = _catalogue(ws, **BEAUTY)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "shelfcheck", *args], capture_output=True, text=True, timeout=120,
                              check=False)

    before = json.loads(cli("check", str(catalog), "--format", "json", "--as-of", "2024-08-01").stdout)
    command = before["summary"]["notes"][0]["message"].split("`")[1]
    assert command == "shelfcheck data import cosing FILE"
    installed = cli(*command.split()[1:-1], str(_small_cosing(ws)))
    assert installed.returncode == 0, installed.stderr
    after = json.loads(cli("check", str(catalog), "--format", "json", "--as-of", "2024-08-01").stdout)
    assert [n["code"] for n in after["summary"]["notes"]] == ["inci_dictionary_cosing", "category_tree_missing"]


def test_the_library_report_carries_the_notes(ws: Workspace) -> None:
    from shelfcheck.api import check

    report = check(_catalogue(ws, **BEAUTY), jobs=1)
    assert [n.code for n in report.notes] == ["inci_dictionary_builtin", "category_tree_missing"]
    assert report.notes[0].values["command"] == "shelfcheck data import cosing FILE"
