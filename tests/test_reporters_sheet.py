"""The seller's sheet back: XLSX and CSV round trips, read back and compared cell by cell."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment

from helpers import Workspace, write_csv
from shelfcheck.api import prepare
from shelfcheck.i18n import catalogue
from shelfcheck.reporters.sheet import (ADDED_COLUMNS, AUTHOR, ERROR_FILL, PASS_FILL, field_column,
                                        report_csv, report_xlsx)
from test_reporters_support import AS_OF, render

ZH = {"seller_sku": "卖家SKU", "title": "标题", "category": "类目", "brand": "品牌", "price": "价格",
      "quantity": "库存", "main_images": "主图", "country_of_origin": "原产国",
      "origin_label": "产地标识", "manufacturer_name": "制造商",
      "manufacturer_address": "制造商地址"}


def _zh_rows(ws: Workspace) -> list[dict[str, Any]]:
    """Four listings with Chinese headers: clean, two title/image problems, an unmapped finding."""
    good = ws.listing(seller_sku="HM-OK-1")
    short = ws.listing(seller_sku="HM-BAD-2", title="Short")
    short["main_images"] = short["main_images"].split("|")[0] + "|img/missing.jpg|" + \
        short["main_images"].split("|")[1]
    chinese_sku = ws.listing(seller_sku="耳机-黑色", title="蓝牙耳机 Wireless Earbuds 黑色")
    # electronics without an FCC test report: a finding on "documents", which is no column
    phone = ws.listing(seller_sku="EL-EB-100", category="Phones & Electronics > Audio > Earbuds",
                       fcc_id="2AXYZ-EB100", model_number="EB100")
    rows = []
    for row in (good, short, chinese_sku, phone):
        converted = {ZH.get(k, k): v for k, v in row.items()}
        converted["备注"] = "内部备注 " + row["seller_sku"]
        rows.append(converted)
    return rows


def _findings_by_row(path: Path, lang: str = "zh", **kw: Any) -> dict[int, list[dict[str, Any]]]:
    data, _ = render("json", prepare(path, as_of=AS_OF, jobs=1, **kw), lang)
    return {x["row"]: x["findings"] for x in json.loads(data)["listings"]}


def _xlsx_input(ws: Workspace) -> tuple[Path, list[list[Any]]]:
    rows = _zh_rows(ws)
    header = list(rows[0])
    for extra in ("fcc_id", "model_number"):
        if extra not in header:
            header.append(extra)
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "商品"
    sheet.append(header)
    values = [header]
    for row in rows:
        line = [row.get(h, "") for h in header]
        line[header.index("价格")] = float(line[header.index("价格")])  # a real number cell
        sheet.append(line)
        values.append(line)
    sheet.cell(row=2, column=header.index("标题") + 1).comment = Comment("卖家自己的批注", "seller")
    notes = wb.create_sheet("说明")
    notes["A1"] = "填写说明"
    notes["A2"] = "=1+1"
    notes["B3"] = "合并单元格"
    notes.merge_cells("B3:D3")
    path = ws.root / "商品表.xlsx"
    wb.save(path)
    return path, values


def _run_xlsx(path: Path, lang: str = "zh", **kw: Any) -> openpyxl.Workbook:
    buf = io.BytesIO()
    report_xlsx(prepare(path, as_of=AS_OF, jobs=1, **kw), buf, catalogue(lang), None)
    return openpyxl.load_workbook(io.BytesIO(buf.getvalue()))


def test_field_column_maps_fields_to_headers() -> None:
    columns = {"title": "标题", "main_images": "主图", "seller_sku": "SKU"}
    assert field_column("title", columns) == "标题"
    assert field_column("main_images[2]", columns) == "主图"
    assert field_column("documents[FCC-7]", columns) is None
    assert field_column("app.api_version", columns) is None
    assert field_column("fcc_id", columns) is None  # no such column in this sheet


def test_xlsx_round_trip_keeps_the_workbook_and_marks_the_cells(ws: Workspace) -> None:
    path, values = _xlsx_input(ws)
    findings = _findings_by_row(path)
    wb = _run_xlsx(path)
    assert wb.sheetnames == ["商品", "说明", "summary"]
    sheet = wb["商品"]
    header = values[0]
    out_header = [c.value for c in sheet[1]]
    assert out_header == header + list(ADDED_COLUMNS), "original headers in order and spelling"
    for r, original in enumerate(values[1:], start=2):
        got = [sheet.cell(row=r, column=c).value for c in range(1, len(header) + 1)]
        assert got == [None if v == "" else v for v in original], f"row {r} changed"
    col = {name: i + 1 for i, name in enumerate(out_header)}
    for row, found in findings.items():
        status = sheet.cell(row=row, column=col["status"]).value
        codes = sheet.cell(row=row, column=col["error_codes"]).value or ""
        expected_status = "fail" if any(f["severity"] == "error" for f in found) else "pass"
        assert status == expected_status
        assert codes.split(";") == list(dict.fromkeys(f["code"] for f in found)) or (not found and codes == "")
        messages = sheet.cell(row=row, column=col["messages"]).value or ""
        for f in found:
            assert f["message"] in messages
    # row 3: short title and a missing image -> the title and image cells are red with comments
    assert {f["code"] for f in findings[3]} >= {"title_too_short", "image_not_found"}
    title = sheet.cell(row=3, column=col["标题"])
    assert title.fill.fgColor.rgb == ERROR_FILL
    assert title.comment.author == AUTHOR and "title_too_short" in title.comment.text
    image = sheet.cell(row=3, column=col["主图"])
    assert image.fill.fgColor.rgb == ERROR_FILL and "image_not_found" in image.comment.text
    assert "修复方法" in image.comment.text  # fixes in the chosen language
    # row 5: the missing test report points at no column -> on the status cell
    assert any(f["field"].startswith("documents") for f in findings[5])
    status5 = sheet.cell(row=5, column=col["status"])
    assert status5.fill.fgColor.rgb == ERROR_FILL and "missing_fcc_test_report" in status5.comment.text
    # the clean row: a green status cell, nothing else highlighted
    assert findings[2] == [] or all(f["severity"] != "error" for f in findings[2])
    assert sheet.cell(row=2, column=col["status"]).fill.fgColor.rgb == PASS_FILL
    # the seller's own comment on a clean cell is kept
    assert sheet.cell(row=2, column=col["标题"]).comment.text == "卖家自己的批注"
    # the other sheet is untouched: text, formula, merged range
    notes = wb["说明"]
    assert notes["A1"].value == "填写说明" and notes["A2"].value == "=1+1"
    assert [str(r) for r in notes.merged_cells.ranges] == ["B3:D3"]
    # the summary sheet counts findings by code and severity
    summary = wb["summary"]
    counted: dict[str, int] = {}
    for found in findings.values():
        for f in found:
            counted[f["code"]] = counted.get(f["code"], 0) + 1
    table = {r[0]: (r[1], r[2]) for r in summary.iter_rows(values_only=True) if r[0] in counted}
    assert {code: n for code, (_, n) in table.items()} == counted
    assert table["title_too_short"][0] == "错误"


def test_xlsx_rerun_on_its_own_output_replaces_rather_than_duplicates(ws: Workspace) -> None:
    path, values = _xlsx_input(ws)
    first = ws.root / "第一次.xlsx"
    buf = io.BytesIO()
    report_xlsx(prepare(path, as_of=AS_OF, jobs=1), buf, catalogue("en"), None)
    first.write_bytes(buf.getvalue())
    wb = _run_xlsx(first, lang="en")
    assert wb.sheetnames == ["商品", "说明", "summary"]
    header = [c.value for c in wb["商品"][1]]
    assert header == values[0] + list(ADDED_COLUMNS)
    title = wb["商品"].cell(row=3, column=header.index("标题") + 1)
    assert title.comment.text.count("title_too_short") == 1
    assert wb["商品"].cell(row=2, column=header.index("标题") + 1).comment.text == "卖家自己的批注"


def test_xlsx_checks_the_named_sheet(ws: Workspace) -> None:
    path, values = _xlsx_input(ws)
    wb = openpyxl.load_workbook(path)
    wb.move_sheet("说明", offset=-1)  # the catalogue is now the second sheet
    wb.save(path)
    out = _run_xlsx(path, sheet="商品")
    assert out.sheetnames == ["说明", "商品", "summary"]
    assert [c.value for c in out["商品"][1]][-4:] == list(ADDED_COLUMNS)
    assert out["说明"].max_column == 4 and out["说明"]["A1"].value == "填写说明"


def test_xlsx_from_csv_builds_a_workbook_with_text_cells(ws: Workspace) -> None:
    rows = [ws.listing(seller_sku="OK-1", brand="=HYPERLINK(\"http://x\")"),
            ws.listing(seller_sku="BAD-1", title="Short")]
    path = write_csv(ws.root / "catalog.csv", rows)
    wb = _run_xlsx(path, lang="en")
    assert wb.sheetnames == ["catalog", "summary"]
    sheet = wb["catalog"]
    header = [c.value for c in sheet[1]]
    assert header == list(rows[0]) + list(ADDED_COLUMNS)
    brand = sheet.cell(row=2, column=header.index("brand") + 1)
    assert brand.value == "=HYPERLINK(\"http://x\")" and brand.data_type == "s", "never a formula"
    assert sheet.cell(row=2, column=header.index("price") + 1).value == "12.99"  # text as written
    assert sheet.cell(row=3, column=header.index("status") + 1).value == "fail"
    assert sheet.cell(row=3, column=header.index("title") + 1).fill.fgColor.rgb == ERROR_FILL


def _csv_rows(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_csv_round_trip_gbk_stays_gbk(ws: Workspace) -> None:
    rows = _zh_rows(ws)
    path = write_csv(ws.root / "商品.csv", rows, encoding="gbk")
    original = _csv_rows(path.read_bytes(), "gbk")
    findings = _findings_by_row(path)
    data, summary = render("csv", prepare(path, as_of=AS_OF, jobs=1), "zh")
    assert not data.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK, not UTF-8
    back = _csv_rows(data, "gbk")
    assert back[0] == original[0] + list(ADDED_COLUMNS)
    assert [r[: len(original[0])] for r in back[1:]] == original[1:]
    for i, row in enumerate(back[1:], start=2):
        status, codes, messages, fixes = row[-4:]
        assert status == ("fail" if any(f["severity"] == "error" for f in findings[i]) else "pass")
        assert codes == ";".join(dict.fromkeys(f["code"] for f in findings[i]))
        assert all(f["message"] in messages for f in findings[i])
        assert all(f["fix"] in fixes for f in findings[i] if f["fix"])
    assert summary.listings == 4 and "标题" in back[0]


def test_csv_round_trip_utf8_gets_a_bom_and_keeps_layout(ws: Workspace) -> None:
    listing = ws.listing(seller_sku="ML-1", title="Short")
    header = list(listing)
    lines = [",".join(header)]
    desc_row = dict(listing, seller_sku="ML-2", title="Storage Box with Lid, 12 L, Clear")
    for row in (listing, desc_row):
        lines.append(",".join(f'"{v}"' if ("," in str(v) or v == desc_row["brand"]) else str(v)
                              for v in row.values()))
    # a multi-line quoted cell and a blank line: physical rows shift, matching must not
    lines[2] = lines[2].replace('"Tidyhome"', '"Tidy\nhome"', 1)
    text = lines[0] + "\n" + lines[1] + "\n\n" + lines[2] + "\n"
    path = ws.root / "catalog.csv"
    path.write_text(text, "utf-8")
    data, _ = render("csv", prepare(path, as_of=AS_OF, jobs=1), "en")
    assert data.startswith(b"\xef\xbb\xbf")
    back = _csv_rows(data, "utf-8-sig")
    assert back[0] == header + list(ADDED_COLUMNS)
    assert back[1][:len(header)] == list(listing.values()) and back[1][-4] == "fail"
    assert back[1][-3] == "title_too_short"
    assert back[2] == [], "the blank line stays where it was"
    assert back[3][header.index("brand")] == "Tidy\nhome" and back[3][-4] == "pass"
    assert data.count(b"\r\n") == 0, "the input's line ending is kept"


def test_csv_from_json_and_semicolons(ws: Workspace) -> None:
    rows = [ws.listing(seller_sku="J-1"), ws.listing(seller_sku="J-2", title="Short")]
    path = ws.root / "catalog.json"
    path.write_text(json.dumps(rows), "utf-8")
    back = _csv_rows(render("csv", prepare(path, as_of=AS_OF, jobs=1))[0], "utf-8-sig")
    assert back[0] == list(rows[0]) + list(ADDED_COLUMNS)
    assert [r[-4] for r in back[1:]] == ["pass", "fail"]
    semi = ws.root / "semi.csv"
    lines = [dict(zip(rows[0], rows[0]))] + rows
    semi.write_text("\n".join(";".join(str(v) for v in r.values()) for r in lines) + "\n", "utf-8")
    out = render("csv", prepare(semi, as_of=AS_OF, jobs=1))[0].decode("utf-8-sig")
    assert out.splitlines()[0].endswith(";status;error_codes;messages;fixes")


def test_sheet_reports_consume_every_result(ws: Workspace) -> None:
    rows = [ws.listing(seller_sku=f"N-{i}", title="Short" if i % 2 else None) for i in range(5)]
    path = write_csv(ws.root / "catalog.csv", rows)
    for reporter in (report_csv, report_xlsx):
        summary = reporter(prepare(path, as_of=AS_OF, jobs=1), io.BytesIO(), catalogue("en"), None)
        assert (summary.listings, summary.failed) == (5, 5)  # odd: too short, even: missing
