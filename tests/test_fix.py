"""``shelfcheck fix`` end to end: the fixed copy in the original's form, the change log, the
check after fixing (nothing introduced, idempotent), the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

import shelfcheck
from helpers import CLEAN_LISTING, Workspace, codes, write_csv

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
AS_OF = dt.date(2024, 8, 1)


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _problem_rows(ws: Workspace) -> list[dict[str, str]]:
    small = ws.image(size=(800, 800))
    gif = ws.image(fmt="GIF")
    return [
        ws.listing(seller_sku="SC-001"),
        ws.listing(seller_sku="SC-002", origin_label="Made in PRC"),
        ws.listing(seller_sku="SC-003", title="🔥Hot Sale🔥 Storage Box&nbsp;with Lid!!!!!!!!!!!!"),
        ws.listing(seller_sku="SC-004", main_images="|".join([small, gif, ws.image(product=(200, 30, 30))])),
        ws.listing(seller_sku="SC-005", title="Ｓｔｏｒａｇｅ Ｂｏｘ with Lid, 12 L"),
        ws.listing(seller_sku="SC-006", main_images="|".join([_near_white(ws), ws.image(product=(90, 30, 30)),
                                                              ws.image(product=(30, 130, 30))])),
    ]


def _near_white(ws: Workspace) -> str:
    """A photo on a uniform near-white backdrop (min(RGB) 238: fails the white-background check)."""
    from photos import jpeg, photo

    path = ws.root / "img" / "offwhite.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg(photo(backdrop="offwhite", level=238, product=(300, 420, 780, 1200)), quality=90))
    return "img/offwhite.jpg"


def test_fix_csv_writes_a_fixed_copy_and_never_touches_the_originals(ws: Workspace, tmp_path_factory) -> None:
    catalog = write_csv(ws.root / "catalog.csv", _problem_rows(ws))
    before = _hashes(ws.root)
    out = tmp_path_factory.mktemp("out")
    result = shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1)
    assert _hashes(ws.root) == before  # originals: same files, same bytes
    fixed = (out / "catalog.csv").read_bytes().decode("utf-8").splitlines()
    original = catalog.read_bytes().decode("utf-8").splitlines()
    assert fixed[:2] == original[:2]  # header and the clean row: byte for byte
    assert "Made in China" in fixed[2] and "Made in PRC" not in fixed[2]
    assert "Hot Sale Storage Box with Lid!" in fixed[3] and "&nbsp;" not in fixed[3]
    assert "Storage Box with Lid, 12 L" in fixed[5]
    by_code = {c.code for c in result.applied}
    assert {"origin_label_invalid", "title_format_invalid", "title_not_english", "image_wrong_size",
            "image_format_unsupported", "image_background_not_white"} <= by_code
    assert result.introduced == []
    for code in by_code:
        assert result.after.get(code, 0) == 0, code
    assert (out / "img" / "2.jpg").is_file()  # the converted GIF beside the catalogue
    again = shelfcheck.check(out / "catalog.csv", as_of=AS_OF, jobs=1)
    assert codes(again) == []
    log = json.loads((out / "changes.json").read_text("utf-8"))
    first = log["changes"][0]
    assert set(first) >= {"row", "field", "code", "old", "new", "kind", "applied"}
    assert all(c["kind"] in ("safe", "suggested") for c in log["changes"])
    assert (out / "images.html").is_file()


def test_fix_of_a_fixed_catalogue_changes_nothing(ws: Workspace, tmp_path_factory) -> None:
    catalog = write_csv(ws.root / "catalog.csv", _problem_rows(ws))
    first, second = tmp_path_factory.mktemp("one"), tmp_path_factory.mktemp("two")
    shelfcheck.fix(catalog, first, as_of=AS_OF, jobs=1)
    result = shelfcheck.fix(first / "catalog.csv", second, as_of=AS_OF, jobs=1)
    assert result.applied == []
    assert (first / "catalog.csv").read_bytes() == (second / "catalog.csv").read_bytes()
    assert _hashes(first / "img") == _hashes(second / "img")


def test_gbk_csv_stays_gbk_with_its_delimiter_quoting_and_line_endings(ws: Workspace, tmp_path_factory) -> None:
    rows = [ws.listing(seller_sku="GB-001", manufacturer_address="广东省广州市白云区太和镇大源北路28号, 中国",
                       origin_label="中国制造"),
            ws.listing(seller_sku="GB-002", manufacturer_address="广东省广州市白云区太和镇大源北路28号, 中国")]
    header = list(rows[0])
    lines = [";".join(f'"{h}"' for h in header)]
    lines += [";".join(f'"{r[h]}"' for h in header) for r in rows]
    catalog = ws.root / "gbk.csv"
    catalog.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    out = tmp_path_factory.mktemp("out")
    result = shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1)
    data = (out / "gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gbk")
    fixed_lines = text.split("\r\n")
    assert fixed_lines[0] == lines[0] and fixed_lines[2] == lines[2]  # untouched records as they were
    assert '"Made in China"' in fixed_lines[1] and "广东省广州市" in fixed_lines[1]
    assert fixed_lines[1].count('";"') == len(header) - 1  # every field still quoted, ; kept
    assert [c.code for c in result.applied] == ["origin_label_invalid"]
    assert result.introduced == []


def test_utf8_bom_is_kept(ws: Workspace, tmp_path_factory) -> None:
    catalog = write_csv(ws.root / "bom.csv", [ws.listing(origin_label="Made in P.R.C.")], encoding="utf-8-sig")
    out = tmp_path_factory.mktemp("out")
    shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1)
    data = (out / "bom.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert b"Made in China" in data


def test_xlsx_keeps_styles_other_sheets_and_gets_comments(ws: Workspace, tmp_path_factory) -> None:
    rows = [ws.listing(seller_sku="XL-001"), ws.listing(seller_sku="XL-002", origin_label="Made in PRC",
                                                          quantity="40")]
    header = list(rows[0])
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Products"
    sheet.append(header)
    for r in rows:
        sheet.append([int(r[h]) if h == "quantity" else r[h] for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFFF00")
    sheet.column_dimensions["B"].width = 48
    wb.create_sheet("Notes").append(["Prices checked on 2024-07-30"])
    catalog = ws.root / "catalog.xlsx"
    wb.save(catalog)
    out = tmp_path_factory.mktemp("out")
    result = shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1)
    fixed = openpyxl.load_workbook(out / "catalog.xlsx")
    assert fixed.sheetnames == ["Products", "Notes"]
    assert fixed["Notes"]["A1"].value == "Prices checked on 2024-07-30"
    products = fixed["Products"]
    assert [c.value for c in products[1]] == header
    assert products["A1"].font.bold and products["A1"].fill.fgColor.rgb.endswith("FFFF00")
    assert products.column_dimensions["B"].width == 48
    col = header.index("origin_label") + 1
    cell = products.cell(row=3, column=col)
    assert cell.value == "Made in China" and "Made in PRC" in cell.comment.text
    assert isinstance(products.cell(row=3, column=header.index("quantity") + 1).value, int)
    assert products.cell(row=2, column=col).comment is None
    assert result.introduced == [] and result.after.get("origin_label_invalid", 0) == 0


def test_template_layout_round_trip_keeps_key_and_instruction_rows(ws: Workspace, tmp_path_factory) -> None:
    keys = ["category", "product_name", "main_image", "image_2", "image_3", "price", "quantity", "seller_sku",
            "origin_country", "manufacturer"]
    header = ["Category", "Product Name", "Main Product Image", "Product Image 2", "Product Image 3",
              "Retail Price (Local Currency)", "Quantity in US Warehouse", "Seller SKU", "Country Of Origin",
              "Manufacturer"]
    required = ["Mandatory", "Mandatory", "Mandatory", "Optional", "Optional", "Mandatory", "Mandatory",
                "Optional", "Optional", "Optional"]
    helptext = [f"Enter the {h.lower()} of the product." for h in header]
    images = ws.clean_images(3).split("|")
    small = ws.image(size=(800, 800))
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Template"
    for line in (keys, header, required, helptext):
        sheet.append(line)
    sheet.append([CLEAN_LISTING["category"], "🔥 Stackable Storage Box with Lid 🔥", small, images[1], images[2],
                  "12.99", "40", "TT-001", "China", CLEAN_LISTING["manufacturer_name"]])
    sheet.append([CLEAN_LISTING["category"], CLEAN_LISTING["title"], *images, "12.99", "40", "TT-002", "China",
                  CLEAN_LISTING["manufacturer_name"]])
    wb.create_sheet("Instructions").append(["How to fill in this template"])
    catalog = ws.root / "template.xlsx"
    wb.save(catalog)
    out = tmp_path_factory.mktemp("out")
    result = shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1)
    fixed = openpyxl.load_workbook(out / "template.xlsx")["Template"]
    assert [c.value for c in fixed[1]] == keys and [c.value for c in fixed[2]] == header
    assert [c.value for c in fixed[3]] == required and [c.value for c in fixed[4]] == helptext
    assert fixed["B5"].value == "Stackable Storage Box with Lid"
    assert fixed["C5"].value == small  # the fixed image keeps its name, beside the fixed workbook
    assert (out / small).is_file() and (out / images[1]).is_file()
    assert {c.code for c in result.applied} == {"title_format_invalid", "image_wrong_size"}
    assert result.introduced == [] and not set(result.after) & {"title_format_invalid", "image_wrong_size"}


def test_json_keeps_types_and_indentation(ws: Workspace, tmp_path_factory) -> None:
    row = ws.listing(seller_sku="JS-001", title="Storage Box with Lid!!!!!!!!!!!!!!")
    record = {**row, "main_images": row["main_images"].split("|"), "quantity": 40, "price": 12.99}
    catalog = ws.root / "catalog.json"
    catalog.write_text(json.dumps([record], indent=4, ensure_ascii=False) + "\n", "utf-8")
    out = tmp_path_factory.mktemp("out")
    shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1)
    text = (out / "catalog.json").read_text("utf-8")
    data = json.loads(text)
    assert data[0]["title"] == "Storage Box with Lid!"
    assert data[0]["quantity"] == 40 and data[0]["price"] == 12.99
    assert data[0]["main_images"] == record["main_images"]
    assert list(data[0]) == list(record)
    assert text.startswith("[\n    {")


def test_dry_run_writes_nothing_and_only_limits_the_codes(ws: Workspace, tmp_path_factory) -> None:
    catalog = write_csv(ws.root / "catalog.csv", _problem_rows(ws))
    out = tmp_path_factory.mktemp("out") / "fixed"
    dry = shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1, dry_run=True)
    assert not out.exists()
    assert dry.after is None and any(c.applied for c in dry.changes)  # "would be applied"
    only = shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1, only={"origin_label_invalid"})
    assert {c.code for c in only.changes} == {"origin_label_invalid"}
    assert only.after.get("title_format_invalid") == 1


def test_suggested_changes_wait_for_apply_suggested(ws: Workspace, tmp_path_factory) -> None:
    rows = [ws.listing(seller_sku="红色杯子-01"), ws.listing(seller_sku="HONGSE-BEIZI-01"),
            ws.listing(seller_sku="蓝牙耳机 Wireless", title="蓝牙耳机 Wireless Earbuds with Charging Case")]
    catalog = write_csv(ws.root / "catalog.csv", rows)
    out = tmp_path_factory.mktemp("out")
    listed = shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1)
    skus = {c.old: c.new for c in listed.changes if c.field == "seller_sku"}
    assert skus["红色杯子-01"] == "HONGSE-BEIZI-01-2"  # unique across the catalogue
    assert all(not c.applied for c in listed.changes if c.kind == "suggested")
    assert "红色杯子-01" in (out / "catalog.csv").read_text("utf-8")
    sku_map = (out / "sku-map.csv").read_text("utf-8").splitlines()
    assert sku_map[0] == "row,old_sku,new_sku,applied" and "红色杯子-01,HONGSE-BEIZI-01-2,false" in sku_map[1]
    applied = shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1, apply_suggested=True)
    text = (out / "catalog.csv").read_text("utf-8")
    assert "HONGSE-BEIZI-01-2" in text and "Wireless Earbuds with Charging Case" in text
    assert "蓝牙" not in text
    assert applied.after.get("sku_not_english", 0) == 0 and applied.after.get("title_not_english", 0) == 0
    assert applied.introduced == []


def test_example_catalogue_fix_introduces_nothing_and_is_idempotent(tmp_path_factory) -> None:
    subprocess.run([sys.executable, str(EXAMPLES / "make_images.py")], check=True, capture_output=True)
    inputs = {"documents": EXAMPLES / "documents.csv", "shop": EXAMPLES / "shop.yaml",
              "inventory": EXAMPLES / "platform_inventory.csv", "as_of": AS_OF, "jobs": 1}
    images = _hashes(EXAMPLES / "images")
    original = hashlib.sha256((EXAMPLES / "catalog.csv").read_bytes()).hexdigest()
    out = tmp_path_factory.mktemp("out")
    result = shelfcheck.fix(EXAMPLES / "catalog.csv", out, **inputs)
    assert result.introduced == []
    assert sum(result.after.values()) < sum(result.before.values())
    assert hashlib.sha256((EXAMPLES / "catalog.csv").read_bytes()).hexdigest() == original
    assert _hashes(EXAMPLES / "images") == images
    factory = [c for c in result.changes if c.code == "manufacturer_address_is_factory_name"]
    assert factory and factory[0].new is None and factory[0].note == "fix_note_factory_address"
    again = shelfcheck.fix(out / "catalog.csv", tmp_path_factory.mktemp("again"), **inputs)
    assert again.applied == [] and again.introduced == []
    assert again.after == result.after


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shelfcheck", "fix", *args], capture_output=True, text=True,
                          timeout=300)


def test_cli_fix_json_exit_status_and_misuse(ws: Workspace, tmp_path_factory) -> None:
    catalog = write_csv(ws.root / "catalog.csv", _problem_rows(ws))
    out = tmp_path_factory.mktemp("out")
    proc = _cli(str(catalog), "--out", str(out), "--as-of", "2024-08-01", "--format", "json")
    assert proc.returncode == 0, proc.stderr  # nothing at error level left in the fixed copy
    data = json.loads(proc.stdout)
    assert data["introduced"] == [] and data["summary"]["applied"] >= 5
    counts = {c["code"]: (c["before"], c["after"]) for c in data["counts"]}
    assert counts["origin_label_invalid"] == (1, 0)
    table = _cli(str(catalog), "--out", str(out), "--as-of", "2024-08-01", "--dry-run", "--lang", "zh")
    assert table.returncode == 1 and "origin_label_invalid" in table.stdout and "试运行" in table.stderr
    bad = _cli(str(catalog), "--out", str(out), "--only", "no_such_code")
    assert bad.returncode == 2 and bad.stderr.startswith("shelfcheck: --only") and "Traceback" not in bad.stderr
    same = _cli(str(catalog), "--out", str(ws.root))
    assert same.returncode == 2 and "never overwrites" in same.stderr


# --- over the rule test catalogues: every case of a family as one catalogue ----------------------

CASES = sorted((ROOT / "tests" / "cases").glob("*.yaml"))


@pytest.mark.parametrize("family", [p.stem for p in CASES])
@pytest.mark.parametrize("suggested", [False, True], ids=["safe", "suggested"])
def test_fix_over_the_rule_cases_introduces_nothing_and_is_idempotent(family: str, suggested: bool, ws: Workspace,
                                                                       tmp_path_factory) -> None:
    import yaml

    from test_rule_cases import _images

    rows = []
    for n, case in enumerate(yaml.safe_load((ROOT / "tests" / "cases" / f"{family}.yaml").read_text("utf-8")) or []):
        group = case.get("listings") or [case.get("listing") or {}]
        for i, row in enumerate(group):
            row = dict(row)
            if "images" in case and i == len(group) - 1:
                row["main_images"] = _images(ws, case["images"])
            if "seller_sku" not in row:
                row["seller_sku"] = f"CASE-{n}-{i}"
            rows.append(ws.listing(**row))
    catalog = write_csv(ws.root / "catalog.csv", rows)
    out = tmp_path_factory.mktemp("out")
    result = shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1, apply_suggested=suggested)
    assert result.introduced == []
    again = shelfcheck.fix(out / "catalog.csv", tmp_path_factory.mktemp("again"), as_of=AS_OF, jobs=1,
                           apply_suggested=suggested)
    assert [c.to_json() for c in again.applied] == []
    assert again.after == result.after


def test_the_fix_kinds_the_reports_show_are_the_plans_codes() -> None:
    from shelfcheck.fix_kinds import FIX_KINDS
    from shelfcheck.fix.plan import FIXES
    from shelfcheck.rules import RULES

    assert set(FIX_KINDS) == set(FIXES) and set(FIXES) <= set(RULES)


def test_the_html_report_links_fixable_findings_to_fix(ws: Workspace) -> None:
    from shelfcheck.i18n import catalogue
    from shelfcheck.reporters.html import _finding_view

    report = ws.check([ws.listing(origin_label="Made in PRC", manufacturer_address="Chaozhou Fengxi Ceramics Factory",
                                  manufacturer_name="Chaozhou Fengxi Ceramics Factory", brand="")])
    views = {f.code: _finding_view(f, catalogue("en")) for f in report.listings[0].findings}
    assert "--only origin_label_invalid" in views["origin_label_invalid"]["autofix"]
    assert "cannot fix" in views["manufacturer_address_is_factory_name"]["autofix"]
    zh = _finding_view(report.listings[0].findings[0], catalogue("zh"))["autofix"]
    assert zh and "shelfcheck fix" in zh


def test_a_damaged_cell_is_never_written_back_from_what_was_read(ws: Workspace, tmp_path_factory) -> None:
    rows = [ws.listing(seller_sku="DM-001", title="Storage Box with Lid!!!!!!!!!!!! TITLE", origin_label="Made in PRC")]
    catalog = write_csv(ws.root / "catalog.csv", rows)
    raw = catalog.read_bytes().replace(b"TITLE", b"TI\xffTLE")  # a byte no encoding of the file reads
    catalog.write_bytes(raw)
    out = tmp_path_factory.mktemp("out")
    result = shelfcheck.fix(catalog, out, as_of=AS_OF, jobs=1)
    data = (out / "catalog.csv").read_bytes()
    assert b"TI\xffTLE" in data and b"!!!!!!!!!!!!" in data  # the damaged title left as it was, byte for byte
    assert b"Made in China" in data  # the readable cell of the same row is fixed
    assert {c.code for c in result.applied} == {"origin_label_invalid"}


def test_out_must_be_a_folder(ws: Workspace) -> None:
    catalog = write_csv(ws.root / "catalog.csv", [ws.listing()])
    target = ws.root / "file.txt"
    target.write_text("x", "utf-8")
    with pytest.raises(shelfcheck.InputError):
        shelfcheck.fix(catalog, target, as_of=AS_OF, jobs=1)
