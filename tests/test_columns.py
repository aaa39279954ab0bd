"""Columns as sellers have them: templates with rows around the header, ERP exports, the
--columns map, ignored and duplicate columns (issue 10 part 1, issue 16 part 3).

The fixtures are written here in the layouts of TikTok Shop's Seller Center batch-upload
templates (a row of machine keys above the header, Mandatory/Optional and instruction rows below
it, images over several columns) and of Chinese ERP product exports (a title line above the
header, 主图1…/附图…, GBK CSV); every text in them is the project's own.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from helpers import CLEAN_LISTING, Workspace
from shelfcheck.errors import InputError
from shelfcheck.ingest import open_catalog
from shelfcheck.ingest.columns import (
    catalog_field_of,
    catalog_fields,
    header_key,
    header_unit,
    suggest_field,
)
from shelfcheck.ingest.layout import template_row_kind
from shelfcheck.ingest.mapping import parse_column_map


def run(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SHELFCHECK_DATA_DIR=str(Path(cwd or ".").resolve() / ".data"), NO_COLOR="1",
               COLUMNS="200")
    env.pop("SHELFCHECK_DB", None)
    return subprocess.run([sys.executable, "-m", "shelfcheck", *map(str, args)], check=False, capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=180)


# --------------------------------------------------------------------------------------------
# Header aliases
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "field", "unit"), [
    ("Seller SKU", "seller_sku", None),
    ("*Seller SKU", "seller_sku", None),
    ("SELLER_SKU", "seller_sku", None),
    ("seller-sku", "seller_sku", None),
    ("Product Name", "title", None),
    ("商品标题", "title", None),
    ("Main Product Image", "main_images", None),
    ("Product Image 9", "main_images", None),
    ("主图3", "main_images", None),
    ("附图", "main_images", None),
    ("Package Weight(lb)", "package_weight", "lb"),
    ("package weight (kg)", "package_weight", "kg"),
    ("包裹重量（kg）", "package_weight", "kg"),
    ("Package Length(inch)", "package_length", "inch"),
    ("Retail Price (Local Currency)", "price", "Local Currency"),
    ("Quantity in US Local Warehouse", "quantity", None),
    ("Variation 1", "variation_1", None),
    ("Parent SKU", "product_key", None),
    ("Identifier Code", "identifier_code", None),
    ("FCC ID", "fcc_id", None),
])
def test_headers_match_ignoring_case_spacing_punctuation_and_unit(header: str, field: str, unit: str | None) -> None:
    assert catalog_field_of(header) == field
    assert header_unit(header) == unit


@pytest.mark.parametrize("header", ["Remarks", "备注", "Product Imagery", "Image", "Quantity in", "", "(lb)"])
def test_unknown_headers_match_nothing(header: str) -> None:
    assert catalog_field_of(header) is None


def test_every_alias_means_exactly_its_own_field() -> None:
    for spec in catalog_fields().values():
        for name in spec.names:
            example = name.replace("{n}", "2").replace("{*}", "Main Warehouse")
            assert catalog_field_of(example) == spec.name, (name, catalog_field_of(example))


def test_header_key_drops_case_spaces_punctuation_and_the_unit() -> None:
    assert header_key(" Seller SKU* ") == header_key("seller_sku") == "sellersku"
    assert header_key("重量（g）") == "重量"


def test_did_you_mean_only_for_close_names() -> None:
    assert suggest_field("Prodct Name") == ("title", "Product Name")
    assert suggest_field("Seler SKU")[0] == "seller_sku"
    assert suggest_field("Remarks") is None
    assert suggest_field("ab") is None


# --------------------------------------------------------------------------------------------
# Template rows
# --------------------------------------------------------------------------------------------


def test_template_rows_are_told_from_data_rows() -> None:
    assert template_row_kind(["Mandatory", "Optional", "Mandatory", ""], 2) == "requirements"
    assert template_row_kind(["必填", "选填", "必填"], 2) == "requirements"
    assert template_row_kind(["Please select the category from the drop-down list",
                              "Enter the product name, up to 255 characters", ""], None) == "instructions"
    assert template_row_kind(["Example: Home Supplies", "Tidyhome", "Storage box"], 2) == "example"
    assert template_row_kind(["category", "product_name", "seller_sku", "main_image"], None) == "header"
    assert template_row_kind(["sales_property_1", "product_property/100198", "warranty_period"], None) == "keys"
    # data rows, however sparse or wordy, are data
    assert template_row_kind(["Sample Kits > Beauty", "Tidyhome", "Trial size lotion"], 2) is None
    assert template_row_kind(["", "Stackable Storage Box with Lid, 12 L, clear and food-safe", "SC-001"], 2) is None
    assert template_row_kind(["Home Supplies > Storage", "Tidyhome", "Please handle with care: glass lid box",
                              "SC-9"], 3) is None
    assert template_row_kind(["", "Stackable storage box with lid for kitchen and pantry shelves",
                              "Clear box that keeps cereal and pasta fresh for weeks at a time"], None) is None


# --------------------------------------------------------------------------------------------
# The TikTok Shop batch-upload layout (XLSX): key row above, requirement and instruction rows below
# --------------------------------------------------------------------------------------------

_KEYS = ["category", "brand", "product_name", "product_description", "main_image", "image_2", "image_3",
         "image_4", "parcel_weight", "parcel_length", "variation_1", "price", "quantity", "seller_sku",
         "origin_country", "manufacturer"]
_HEADER = ["Category", "Brand", "Product Name", "Product Description", "Main Product Image", "Product Image 2",
           "Product Image 3", "Product Image 4", "Package Weight(lb)", "Package Length(inch)", "Variation 1",
           "Retail Price (Local Currency)", "Quantity in US Warehouse", "Seller SKU", "Country Of Origin",
           "Manufacturer"]
_REQUIRED = ["Mandatory", "Optional", "Mandatory", "Mandatory", "Mandatory", "Optional", "Optional", "Optional",
             "Mandatory", "Mandatory", "Optional", "Mandatory", "Mandatory", "Optional", "Optional", "Optional"]
_HELP = ["Select the category that matches the product from the drop-down list.",
         "Select the brand from the drop-down list; leave it empty for no brand.",
         "Enter the product name, fewer than 255 characters.",
         "Describe the product: materials, what is in the box. Up to 10000 characters.",
         "Enter the URL of the product's main image.", "Enter the URL of an additional image.",
         "Enter the URL of an additional image.", "Enter the URL of an additional image.",
         "Enter the package weight in pounds.", "Enter the package length in inches.",
         "Enter the value of the first variation, e.g. Blue.", "Enter the price in the local currency.",
         "Enter the quantity in this warehouse.", "Enter your own SKU code, up to 50 characters.",
         "Select the country of origin.", "Enter the manufacturer's name."]


def _template_row(ws: Workspace, sku: str, images: list[str], **over: str) -> list[str]:
    row = dict(zip(_HEADER, [""] * len(_HEADER)))
    row.update({"Category": CLEAN_LISTING["category"], "Brand": CLEAN_LISTING["brand"],
                "Product Name": CLEAN_LISTING["title"], "Product Description": "A clear box with a lid.",
                "Package Weight(lb)": "1.2", "Package Length(inch)": "12", "Variation 1": "Clear",
                "Retail Price (Local Currency)": "12.99", "Quantity in US Warehouse": "40", "Seller SKU": sku,
                "Country Of Origin": "China", "Manufacturer": CLEAN_LISTING["manufacturer_name"]})
    for name, ref in zip(_HEADER[4:8], images):
        row[name] = ref
    row.update(over)
    return [row[h] for h in _HEADER]


def _tiktok_xlsx(ws: Workspace) -> Path:
    images = ws.clean_images(3).split("|")
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Template"
    sheet.append(_KEYS)
    sheet.append(_HEADER)
    sheet.append(_REQUIRED)
    sheet.append(_HELP)
    sheet.append(_template_row(ws, "TT-001", [images[0], "", images[1], images[2]]))  # a blank image cell
    sheet.append(_template_row(ws, "TT-002", [images[0]]))
    sheet.append([])
    sheet.append(_template_row(ws, "TT-003", images, **{"Product Name": "Box"}))
    wb.create_sheet("Instructions").append(["How to fill in this template"])
    path = ws.root / "tiktok_template.xlsx"
    wb.save(path)
    return path


def test_tiktok_template_xlsx_is_read_as_is(ws: Workspace) -> None:
    source = open_catalog(_tiktok_xlsx(ws), required=("seller_sku", "title"))
    try:
        assert source.plan is not None and source.plan.header_row == 2
        assert [(s.row, s.kind) for s in source.plan.skipped_rows] == [(3, "requirements"), (4, "instructions")]
        listings = list(source.listings())
    finally:
        source.table.close()
    assert [lst.row for lst in listings] == [5, 6, 8]
    first, second, third = listings
    assert first.seller_sku == "TT-001" and first.title == CLEAN_LISTING["title"]
    assert first.main_images == ["img/1.jpg", "img/2.jpg", "img/3.jpg"]  # column order, blank skipped
    assert second.main_images == ["img/1.jpg"]
    assert first.get("price") == "12.99" and first.get("quantity") == "40"
    assert first.get("manufacturer_name") == CLEAN_LISTING["manufacturer_name"]
    assert third.title == "Box"
    ignored = {u.header: (u.field, u.status, u.unit) for u in source.plan.ignored()}
    # every column is read: publish sends the package, the variation is the SKU's sales attribute
    assert ignored == {}
    assert first.get("package_weight") == "1.2" and first.column_of("package_weight") == "Package Weight(lb)"
    assert first.get("package_length")


def test_tiktok_template_end_to_end_json_and_round_trip(ws: Workspace) -> None:
    path = _tiktok_xlsx(ws)
    proc = run("check", path, "--format", "json", "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    by_row = {item["row"]: item for item in report["listings"]}
    assert sorted(by_row) == [5, 6, 8]
    codes = {row: {f["code"] for f in item["findings"]} for row, item in by_row.items()}
    assert "title_missing" not in set().union(*codes.values())
    assert "main_images_too_few" not in codes[5]
    assert "main_images_too_few" in codes[6] and "title_too_short" in codes[8]
    # 1.2 lb (unit from the header) is a good weight; the template gives a length only
    assert "package_weight_invalid" not in codes[5] and "package_dimensions_missing" in codes[5]
    summary = report["summary"]
    assert summary["header_row"] == 2
    assert summary["skipped_rows"] == [{"row": 3, "kind": "requirements"}, {"row": 4, "kind": "instructions"}]
    # the package columns are read (publish sends them), the variation is a sales attribute
    assert summary["ignored_columns"] == []
    out = ws.root / "checked.xlsx"
    proc = run("check", path, "--format", "xlsx", "-o", out, "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    sheet = openpyxl.load_workbook(out)["Template"]
    assert [c.value for c in sheet[1]][:len(_KEYS)] == _KEYS  # the key row is left as it was
    header = [c.value for c in sheet[2]]
    assert header[len(_HEADER):len(_HEADER) + 2] == ["status", "error_codes"]
    assert sheet.cell(row=3, column=len(_HEADER) + 1).value in (None, "")  # the Mandatory row has no verdict
    assert sheet.cell(row=8, column=len(_HEADER) + 1).value == "fail"


# --------------------------------------------------------------------------------------------
# The Chinese template (CSV with BOM) and an ERP export (GBK CSV)
# --------------------------------------------------------------------------------------------


def test_csv_template_round_trip_keeps_the_rows_above_the_header(ws: Workspace) -> None:
    rows = [["店小秘 商品导出"], ["seller_sku", "title"], ["必填", "必填"], ["A-1", CLEAN_LISTING["title"]]]
    path = ws.root / "t.csv"
    path.write_text(_csv_text(rows), "utf-8")
    out = ws.root / "t.out.csv"
    proc = run("check", path, "--format", "csv", "-o", out, "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    back = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert back[0] == ["店小秘 商品导出"] and back[2] == ["必填", "必填"]
    assert back[1][:4] == ["seller_sku", "title", "status", "error_codes"]
    assert back[3][:3] == ["A-1", CLEAN_LISTING["title"], "fail"]
    xlsx = ws.root / "t.out.xlsx"
    proc = run("check", path, "--format", "xlsx", "-o", xlsx, "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    values = [[c for c in r if c is not None] for r in sheet.iter_rows(max_row=4, values_only=True)]
    assert values[0] == ["店小秘 商品导出"] and values[1][:3] == ["seller_sku", "title", "status"]
    assert values[3][:3] == ["A-1", CLEAN_LISTING["title"], "fail"]


def test_chinese_template_csv(ws: Workspace) -> None:
    header = ["类目", "品牌", "商品名称", "商品描述", "主图", "图片2", "图片3", "包裹重量（kg）",
              "卖家SKU", "价格", "库存"]
    marks = ["必填", "选填", "必填", "必填", "必填", "选填", "选填", "必填", "选填", "必填", "必填"]
    row = [CLEAN_LISTING["category"], "Tidyhome", CLEAN_LISTING["title"], "透明收纳盒", "a.jpg", "", "b.jpg", "0.6",
           "ZH-1", "12.99", "40"]
    path = ws.root / "zh.csv"
    path.write_text(_csv_text([header, marks, row]), "utf-8-sig")
    source = open_catalog(path, required=("seller_sku", "title"))
    (listing,) = list(source.listings())
    assert source.plan.header_row == 1 and [s.row for s in source.plan.skipped_rows] == [2]
    assert listing.row == 3 and listing.seller_sku == "ZH-1" and listing.main_images == ["a.jpg", "b.jpg"]
    assert listing.get("description") == "透明收纳盒"


def _csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _erp_gbk(ws: Workspace) -> Path:
    header = ["SKU", "父SKU", "商品标题", "中文名称", "主图1", "主图2", "附图1", "重量(g)", "长(cm)", "售价", "库存",
              "品牌", "类目", "原产国", "产地标识", "备注"]
    rows = [
        ["店小秘 商品导出 2024-08-01"],
        header,
        ["DXM-1", "DXM", CLEAN_LISTING["title"], "可叠放收纳盒", "p/1.jpg", "p/2.jpg", "p/3.jpg", "560", "30",
         "12.99", "40", "Tidyhome", CLEAN_LISTING["category"], "China", "Made in China", "新款"],
        ["DXM-2", "DXM", "", "可叠放收纳盒 大号", "p/1.jpg", "", "", "800", "35", "15.99", "12", "Tidyhome",
         CLEAN_LISTING["category"], "China", "Made in China", ""],
    ]
    path = ws.root / "dianxiaomi.csv"
    path.write_bytes(_csv_text(rows).encode("gbk"))
    return path


def test_erp_export_gbk_csv(ws: Workspace) -> None:
    source = open_catalog(_erp_gbk(ws), required=("seller_sku", "title"))
    try:
        assert source.encoding == "gb18030" and source.plan.header_row == 2
        first, second = list(source.listings())
    finally:
        source.table.close()
    assert (first.row, second.row) == (3, 4)
    assert first.main_images == ["p/1.jpg", "p/2.jpg", "p/3.jpg"] and second.main_images == ["p/1.jpg"]
    assert first.title == CLEAN_LISTING["title"] and second.title == ""
    assert first.get("origin_label") == "Made in China"
    status = {u.header: (u.field, u.status) for u in source.plan.uses}
    assert status["父SKU"] == ("product_key", "used")
    assert status["中文名称"] == ("title_zh", "not_checked")
    assert status["重量(g)"] == ("package_weight", "used")  # publish sends it, in grams from the header
    assert status["备注"] == (None, "unknown")
    assert status["主图2"] == ("main_images", "used")


def test_erp_export_end_to_end_table_footer_in_chinese(ws: Workspace) -> None:
    proc = run("check", _erp_gbk(ws), "--lang", "zh", "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    # Row 4 leaves the title blank: a SKU of product DXM, it takes the product's title; its
    # main images and package weight differ from row 3's, which one product cannot have.
    assert "title_missing" not in proc.stdout
    assert "product_field_conflict" in proc.stdout
    footer = "".join(proc.stdout[proc.stdout.rindex("─"):].split())  # the footer wraps, never cuts
    assert "未使用的列（2）" in footer  # 重量(g) and 长(cm) are read: publish sends the package
    assert "'备注'(P):未使用" in footer
    assert "title_zh：已识别，本版本尚未使用" in footer and "'重量(g)'" not in footer


# --------------------------------------------------------------------------------------------
# Ignored columns in every report, `shelfcheck columns`
# --------------------------------------------------------------------------------------------


@pytest.fixture
def odd_columns(ws: Workspace) -> Path:
    row = ws.listing(seller_sku="ODD-1")
    text = ",".join([*row, "Remarks", "Prodct Name", "<b>x</b>"]) + "\n"
    text += ",".join([f'"{v}"' for v in row.values()] + ["hello", "typo", "y"]) + "\n"
    path = ws.root / "odd.csv"
    path.write_text(text, "utf-8")
    return path


def test_ignored_columns_in_json_table_and_html(ws: Workspace, odd_columns: Path) -> None:
    proc = run("check", odd_columns, "--format", "json", "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    assert proc.returncode == 0, proc.stderr
    ignored = json.loads(proc.stdout)["summary"]["ignored_columns"]
    assert [(c["header"], c["status"], c["did_you_mean"]) for c in ignored] == [
        ("Remarks", "unknown", None), ("Prodct Name", "unknown", "title"), ("<b>x</b>", "unknown", None)]
    table = run("check", odd_columns, "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    assert table.returncode == 0, table.stderr
    assert "Columns not used (3)" in table.stdout and "did you mean `title`?" in table.stdout
    html_path = ws.root / "r.html"
    proc = run("check", odd_columns, "--format", "html", "-o", html_path, "--as-of", "2024-08-01", "--no-cache",
               cwd=ws.root)
    assert proc.returncode == 0, proc.stderr
    html = html_path.read_text("utf-8")
    section = html[html.index('<details id="columns"'):]
    section = section[:section.index("</details>")]
    assert "Prodct Name" in section and "did you mean `title`?" in section
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in section  # escaped, inert


def test_no_ignored_columns_means_no_html_section(ws: Workspace) -> None:
    from helpers import write_csv

    path = write_csv(ws.root / "c.csv", [ws.listing()])
    html_path = ws.root / "r.html"
    proc = run("check", path, "--format", "html", "-o", html_path, "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    assert proc.returncode == 0, proc.stderr
    assert 'id="columns"' not in html_path.read_text("utf-8")


def test_columns_command_table_and_json(ws: Workspace, odd_columns: Path) -> None:
    proc = run("columns", odd_columns, cwd=ws.root)
    assert proc.returncode == 0, proc.stderr
    lines = {line.split("│")[1].strip(): line for line in proc.stdout.splitlines() if line.count("│") >= 3}
    assert "seller_sku" in lines["A"] and "not used — did you mean `title`?" in lines[sorted(lines)[-2]]
    data = json.loads(run("columns", odd_columns, "--format", "json", cwd=ws.root).stdout)
    assert data["header_row"] == 1
    by_header = {c["header"]: c for c in data["columns"]}
    assert by_header["title"]["status"] == "used" and by_header["Remarks"]["status"] == "unknown"
    zh = run("columns", odd_columns, "--lang", "zh", cwd=ws.root)
    assert "未使用 — 是否应为 `title`？" in zh.stdout


# --------------------------------------------------------------------------------------------
# Duplicate columns, missing SKU/title, the --columns map
# --------------------------------------------------------------------------------------------


def test_duplicate_column_exits_two_naming_both_until_the_map_says_which(ws: Workspace) -> None:
    path = ws.root / "dup.csv"
    path.write_text("seller_sku,title,seller_sku\nOLD-1,Stackable Storage Box with Lid,NEW-1\n", "utf-8")
    proc = run("check", path, "--format", "json", "--no-cache", cwd=ws.root)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "'seller_sku' (column A)" in err and "'seller_sku' (column C)" in err and "--columns" in err
    (ws.root / "map.yaml").write_text("seller_sku: column C\n", "utf-8")
    proc = run("check", path, "--format", "json", "--columns", "map.yaml", "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["listings"][0]["seller_sku"] == "NEW-1"
    assert report["summary"]["ignored_columns"][0]["column"] == "A"
    assert report["summary"]["ignored_columns"][0]["status"] == "not_selected"


def test_no_sku_or_title_exits_two_naming_headers_and_closest_aliases(ws: Workspace) -> None:
    path = ws.root / "other.csv"
    path.write_text("Item Code,Nme,Picture\nA-1,Box,a.jpg\n", "utf-8")
    proc = run("check", path, cwd=ws.root)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert "\n" not in err
    assert "no seller_sku column" in err and "no title column" in err
    assert "'Item Code'" in err and "closest" in err and "--columns" in err
    assert "row 1" in err
    (ws.root / "map.yaml").write_text("columns:\n  seller_sku: Item Code\n  title: Nme\n  Picture: main_images\n",
                                      "utf-8")
    proc = run("columns", path, "--columns", "map.yaml", "--format", "json", cwd=ws.root)
    assert proc.returncode == 0, proc.stderr
    fields = {c["header"]: c["field"] for c in json.loads(proc.stdout)["columns"]}
    assert fields == {"Item Code": "seller_sku", "Nme": "title", "Picture": "main_images"}


def test_inventory_reconcile_needs_no_title(ws: Workspace) -> None:
    # Only `check` needs a title column; a stock sheet with SKU and quantity is enough here.
    source = open_catalog(_write(ws, "SKU,库存\nA-1,5\n"))
    (listing,) = list(source.listings())
    assert listing.get("quantity") == "5"
    with pytest.raises(InputError, match="no title column"):
        open_catalog(_write(ws, "SKU,库存\nA-1,5\n"), required=("seller_sku", "title"))


def _write(ws: Workspace, text: str, name: str = "c.csv") -> Path:
    path = ws.root / name
    path.write_text(text, "utf-8")
    return path


def test_map_lists_images_in_its_order_ignores_columns_and_forces_the_header_row(ws: Workspace) -> None:
    path = _write(ws, "Export of 2024-08-01\nnote,Artikel,Name,Photo B,Photo A\n"
                      "x,A-1,Stackable Storage Box,b.jpg,a.jpg\n")
    cmap = parse_column_map({"Artikel": "seller_sku", "title": "Name", "main_images": ["Photo A", "Photo B"],
                             "note": "ignore", "header_row": 2})
    source = open_catalog(path, columns=cmap, required=("seller_sku", "title"))
    (listing,) = list(source.listings())
    assert listing.row == 3 and listing.seller_sku == "A-1" and listing.main_images == ["a.jpg", "b.jpg"]
    assert [(u.header, u.status, u.via) for u in source.plan.ignored()] == [("note", "ignored", "columns")]


@pytest.mark.parametrize(("data", "needle"), [
    ({"title": ["A", "B"]}, "reads one column"),
    ({"Foo": "not_a_field"}, "is not a field"),
    ({"header_row": 0}, "header_row"),
    ([1, 2], "expected a mapping"),
])
def test_bad_maps_are_refused(data: object, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        parse_column_map(data)


def test_map_naming_a_missing_column_exits_two(ws: Workspace) -> None:
    path = _write(ws, "seller_sku,title\nA-1,Stackable Storage Box\n")
    (ws.root / "map.yaml").write_text("title: Product Name\n", "utf-8")
    proc = run("check", path, "--columns", "map.yaml", cwd=ws.root)
    assert proc.returncode == 2
    assert "no column 'Product Name'" in proc.stderr and "map.yaml" in proc.stderr
    (ws.root / "bad.yaml").write_text("title: [unclosed\n", "utf-8")
    proc = run("check", path, "--columns", "bad.yaml", cwd=ws.root)
    assert proc.returncode == 2 and "not valid YAML" in proc.stderr and "Traceback" not in proc.stderr


def test_library_report_says_how_the_catalogue_was_read(ws: Workspace) -> None:
    import shelfcheck

    report = shelfcheck.check(_tiktok_xlsx(ws), jobs=1, cache=False)
    assert report.layout["header_row"] == 2
    assert report.layout["ignored_columns"] == []


def test_json_catalogue_keys_are_mapped_too(ws: Workspace) -> None:
    path = ws.root / "c.json"
    path.write_text(json.dumps([{"Seller SKU": "J-1", "Product Name": "Stackable Storage Box",
                                 "Main Product Image": "a.jpg", "Product Image 2": "b.jpg", "Weight": "1"}]), "utf-8")
    source = open_catalog(path, required=("seller_sku", "title"))
    (listing,) = list(source.listings())
    assert listing.seller_sku == "J-1" and listing.main_images == ["a.jpg", "b.jpg"]
    assert source.plan.ignored() == [] and listing.get("package_weight") == "1"  # "Weight" is the package weight


def test_joined_images_are_checked_in_worker_processes_too(ws: Workspace) -> None:
    import shelfcheck

    images = ws.clean_images(3).split("|")
    header = "seller_sku,title,Main Product Image,Product Image 2,Product Image 3\n"
    body = "".join(f"S-{i},Stackable Storage Box with Lid,{images[0]},{images[1]},{images[2] if i % 2 else ''}\n"
                   for i in range(900))  # past the chunks checked before workers start
    path = _write(ws, header + body)
    one = shelfcheck.check(path, jobs=1, cache=False)
    two = shelfcheck.check(path, jobs=2, cache=False)
    assert [r.findings for r in one.listings] == [r.findings for r in two.listings]
    assert one.layout == {"header_row": 1, "skipped_rows": [], "ignored_columns": []}
    few = {r.row for r in one.listings if "main_images_too_few" in {f.code for f in r.findings}}
    assert few == {r.row for r in one.listings if int(r.seller_sku[2:]) % 2 == 0}
