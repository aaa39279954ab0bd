"""Products with variants (issue 12, parts 1 and 2): rows grouped into products, their sales
attributes, the product-level findings, and every report showing products."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import shelfcheck
from helpers import CLEAN_LISTING, Workspace, write_csv
from shelfcheck.i18n import catalogue
from shelfcheck.policy import load_policy
from shelfcheck.products import ProductTracker, parse_sales_attributes
from shelfcheck.products.attributes import attributes_of
from shelfcheck.rules import RULES

PRODUCT_CODES = ("product_field_conflict", "variant_duplicate", "variant_value_missing", "sku_count_exceeded",
                 "sku_image_missing", "sku_image_not_on_primary")


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SHELFCHECK_DATA_DIR=str(cwd / ".data"), NO_COLOR="1", COLUMNS="200")
    env.pop("SHELFCHECK_DB", None)
    return subprocess.run([sys.executable, "-m", "shelfcheck", *map(str, args)], check=False, capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=180)


def _variant(ws: Workspace, sku: str, key: str, attrs: str, first: bool, **over: Any) -> dict[str, Any]:
    """A SKU row of product ``key``: the first row carries the product's values, the others
    leave them blank (as ERP exports do)."""
    row = ws.listing(seller_sku=sku) if first else {"seller_sku": sku, "price": "12.99", "quantity": "10"}
    row.update(product_key=key, sales_attributes=attrs)
    row.update(over)
    return row


def _check(ws: Workspace, rows: list[dict[str, Any]], **options: Any) -> shelfcheck.Report:
    path = write_csv(ws.root / "catalog.csv", rows)
    return shelfcheck.check(path, as_of=dt.date(2024, 8, 1), jobs=1, cache=False, **options)


def _product(report: shelfcheck.Report, key: str | None) -> Any:
    return next(p for p in report.products if p.product.key == key)


def _codes(product: Any) -> list[str]:
    return [f.code for f in product.findings]


# --------------------------------------------------------------------------------------------
# Sales attributes as sellers write them
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Color: Red; Size: M", {"Color": "Red", "Size": "M"}),
    ("颜色:红色;尺码:M", {"颜色": "红色", "尺码": "M"}),
    ("颜色：红色；尺码：XL", {"颜色": "红色", "尺码": "XL"}),
    ("Color=Blue|Size=L", {"Color": "Blue", "Size": "L"}),
    ("Color: Red, Size: M", {"Color": "Red", "Size": "M"}),
    ("Size: 6, 7; Color: Red", {"Size": "6, 7", "Color": "Red"}),
    ("Color: Red\nSize: M", {"Color": "Red", "Size": "M"}),
])
def test_sales_attribute_cells_are_read_as_written(text: str, expected: dict[str, str]) -> None:
    assert parse_sales_attributes(text) == expected


def test_a_part_without_a_name_is_kept_under_the_header() -> None:
    assert parse_sales_attributes("Red; Size: M", "Variant") == {"Variant": "Red", "Size": "M"}


def test_split_columns_give_the_attributes() -> None:
    values = {"variation_1_name": "Color", "variation_1": "Red", "variation_2": "Size: M", "size": "ignored",
              "color": "Blue"}
    attrs = attributes_of(lambda f: values.get(f, ""), {"variation_2": "Variation 2"})
    assert attrs == {"Color": "Red", "Size": "M"}  # a named column never overrides a variation
    only = {"variation_1": "Red"}
    assert attributes_of(lambda f: only.get(f, ""), {"variation_1": "Variation"}) == {"Variation": "Red"}


# --------------------------------------------------------------------------------------------
# Grouping
# --------------------------------------------------------------------------------------------


def test_rows_group_by_product_key_and_blank_product_values_are_the_products(ws: Workspace) -> None:
    rows = [_variant(ws, "BIN-S", "BIN", "Size: S", True), _variant(ws, "BIN-M", "BIN", "Size: M", False),
            ws.listing(seller_sku="SOLO")]
    report = _check(ws, rows)
    by_row = {item.row: [f.code for f in item.findings] for item in report.listings}
    assert by_row == {2: [], 3: [], 4: []}  # row 3 takes the product's title, images, category …
    product = _product(report, "BIN")
    assert product.product.rows == [2, 3] and product.status == "pass" and not product.findings
    assert [s.sales_attributes for s in product.product.skus] == [{"Size": "S"}, {"Size": "M"}]
    assert product.product.title == CLEAN_LISTING["title"]
    assert _product(report, None).product.rows == [4]
    assert report.summary.products == 2 and report.summary.products_passed == 2


def test_without_a_product_key_each_row_is_a_product(ws: Workspace) -> None:
    rows = [ws.listing(seller_sku="A-1", sales_attributes="Color: Red"),
            ws.listing(seller_sku="A-2", sales_attributes="Color: Red")]
    report = _check(ws, rows)
    assert [p.product.rows for p in report.products] == [[2], [3]]
    assert all(not p.findings for p in report.products)


def test_rows_of_a_product_need_not_be_adjacent(ws: Workspace) -> None:
    rows = [_variant(ws, "P-R", "P", "Color: Red", True), ws.listing(seller_sku="OTHER"),
            _variant(ws, "P-R2", "P", "Color: Red", False)]
    report = _check(ws, rows)
    product = _product(report, "P")
    assert product.product.rows == [2, 4]
    assert _codes(product) == ["variant_duplicate"]
    assert product.findings[0].evidence["rows"] == [2, 4]


# --------------------------------------------------------------------------------------------
# The product-level codes, pass and fail
# --------------------------------------------------------------------------------------------


def test_product_field_conflict_names_the_field_the_rows_and_the_values(ws: Workspace) -> None:
    rows = [_variant(ws, "C-1", "C", "Size: S", True),
            _variant(ws, "C-2", "C", "Size: M", False, category="Kitchenware > Storage"),
            _variant(ws, "C-3", "C", "Size: L", False)]
    product = _product(_check(ws, rows), "C")
    assert _codes(product) == ["product_field_conflict"]
    f = product.findings[0]
    assert f.field == "category" and f.severity.label == "error" and product.status == "fail"
    assert f.evidence["values"] == [{"value": CLEAN_LISTING["category"], "rows": [2, 4]},
                                    {"value": "Kitchenware > Storage", "rows": [3]}]
    assert f.evidence["rows"] == [2, 3, 4]


def test_same_product_values_on_every_row_are_no_conflict(ws: Workspace) -> None:
    first = _variant(ws, "C-1", "C", "Size: S", True)
    second = dict(first, seller_sku="C-2", sales_attributes="Size: M")
    assert not _product(_check(ws, [first, second]), "C").findings


def test_variant_duplicate_ignores_case_and_spaces(ws: Workspace) -> None:
    rows = [_variant(ws, "D-1", "D", "Color: Red; Size: M", True),
            _variant(ws, "D-2", "D", "color: red ;  size:  m", False),
            _variant(ws, "D-3", "D", "Color: Red; Size: L", False)]
    product = _product(_check(ws, rows), "D")
    assert _codes(product) == ["variant_duplicate"]
    assert product.findings[0].evidence["skus"] == ["D-1", "D-2"]
    assert product.findings[0].field == "sales_attributes"


def test_skus_without_any_attribute_are_duplicates(ws: Workspace) -> None:
    rows = [_variant(ws, "N-1", "N", "", True), _variant(ws, "N-2", "N", "", False)]
    assert _codes(_product(_check(ws, rows), "N")) == ["variant_duplicate"]


def test_different_variants_pass(ws: Workspace) -> None:
    rows = [_variant(ws, "V-1", "V", "Color: Red; Size: M", True),
            _variant(ws, "V-2", "V", "Color: Red; Size: L", False),
            _variant(ws, "V-3", "V", "Color: Blue; Size: M", False)]
    assert not _product(_check(ws, rows), "V").findings


def test_variant_value_missing_names_the_attribute_and_the_rows(ws: Workspace) -> None:
    rows = [_variant(ws, "M-1", "M", "Color: Red; Size: M", True),
            _variant(ws, "M-2", "M", "Color: Blue", False),
            _variant(ws, "M-3", "M", "Color: Green; Size:", False)]
    product = _product(_check(ws, rows), "M")
    assert _codes(product) == ["variant_value_missing"]
    f = product.findings[0]
    assert f.field == "sales_attributes.Size"
    assert f.evidence["attribute"] == "Size" and f.evidence["rows"] == [3, 4] and f.evidence["sibling_rows"] == [2]


def test_sku_image_missing_names_the_values_without_an_image(ws: Workspace) -> None:
    rows = [_variant(ws, "I-1", "I", "Color: Red; Size: S", True, sku_image="img/red.jpg"),
            _variant(ws, "I-2", "I", "Color: Red; Size: M", False),  # Red has its image on row 2
            _variant(ws, "I-3", "I", "Color: Blue; Size: S", False)]
    product = _product(_check(ws, rows), "I")
    assert _codes(product) == ["sku_image_missing"]
    f = product.findings[0]
    assert f.evidence["rows"] == [4] and f.evidence["attribute"] == "Color" and f.evidence["sibling_rows"] == [2]


def test_sku_images_on_every_value_or_on_none_pass(ws: Workspace) -> None:
    pictured = [_variant(ws, "J-1", "J", "Color: Red", True, sku_image="img/red.jpg"),
                _variant(ws, "J-2", "J", "Color: Blue", False, sku_image="img/blue.jpg")]
    assert not _product(_check(ws, pictured), "J").findings
    plain = [_variant(ws, "J-1", "J", "Color: Red", True), _variant(ws, "J-2", "J", "Color: Blue", False)]
    assert not _product(_check(ws, plain), "J").findings


def test_sku_images_that_change_with_the_second_attribute(ws: Workspace) -> None:
    rows = [_variant(ws, "Q-1", "Q", "Color: Red; Size: S", True, sku_image="img/red-s.jpg"),
            _variant(ws, "Q-2", "Q", "Color: Red; Size: M", False, sku_image="img/red-m.jpg"),
            _variant(ws, "Q-3", "Q", "Color: Blue; Size: S", False, sku_image="img/blue.jpg")]
    product = _product(_check(ws, rows), "Q")
    assert _codes(product) == ["sku_image_not_on_primary"]
    f = product.findings[0]
    assert f.evidence["attribute"] == "Color" and f.evidence["value"] == "Red" and f.evidence["rows"] == [2, 3]
    rows[1]["sku_image"] = "img/red-s.jpg"  # one image per colour
    assert not _product(_check(ws, rows), "Q").findings


def _pack(ws: Workspace, **variants: Any) -> Path:
    path = ws.root / "pack.yaml"
    lines = ["extends: tiktok-us-2024-07", "name: test-variants", "variants:"]
    lines += [f"  {k}: {v}" for k, v in variants.items()]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_sku_count_exceeded_uses_the_packs_limit(ws: Workspace) -> None:
    rows = [_variant(ws, f"K-{n}", "K", f"Size: {n}", n == 0) for n in range(3)]
    product = _product(_check(ws, rows, policy=_pack(ws, max_skus=2)), "K")
    assert _codes(product) == ["sku_count_exceeded"]
    assert product.findings[0].evidence == {"product_key": "K", "skus": 3, "max": 2, "limit": "pack",
                                            "rows": [2, 3, 4]}
    assert not _product(_check(ws, rows[:2], policy=_pack(ws, max_skus=2)), "K").findings


def test_the_default_pack_keeps_the_official_sku_limit_beside_its_own() -> None:
    variants = load_policy().variants
    assert (variants.max_skus, variants.use, variants.sku_limit) == (100, "pack", 100)
    assert variants.official is not None and variants.official.max_skus == 300
    assert "Create Product" in variants.official.source and "12052050" in variants.source


def test_use_official_applies_the_official_limit(ws: Workspace) -> None:
    path = ws.root / "official.yaml"
    path.write_text("extends: tiktok-us-2024-07\nname: official\nvariants:\n  use: official\n", "utf-8")
    pack = load_policy(path)
    assert pack.variants.sku_limit == 300 and "300" in pack.variants.sku_limit_source
    from shelfcheck.explain import explain_code

    assert "300" in (explain_code("sku_count_exceeded", "en", str(path)) or "")
    assert "100" in (explain_code("sku_count_exceeded", "en", None) or "")


def test_a_product_rule_can_be_switched_off_or_downgraded(ws: Workspace) -> None:
    path = ws.root / "soft.yaml"
    path.write_text("extends: tiktok-us-2024-07\nname: soft\nrules:\n  variant_duplicate: {severity: warning}\n"
                    "  variant_value_missing: {enabled: false}\n", "utf-8")
    rows = [_variant(ws, "S-1", "S", "Color: Red; Size: M", True),
            _variant(ws, "S-2", "S", "Color: Red; Size: M", False),
            _variant(ws, "S-3", "S", "Color: Red", False)]
    product = _product(_check(ws, rows, policy=path), "S")
    assert [(f.code, f.severity.label) for f in product.findings] == [("variant_duplicate", "warning")]
    assert product.status == "pass"


def test_every_product_code_is_registered_documented_and_translated() -> None:
    pack = load_policy()
    for code in PRODUCT_CODES:
        rule = RULES[code]
        assert rule.scope == "product" and rule.family == "variants"
        assert code in pack.rules
        for lang in ("en", "zh"):
            cat = catalogue(lang)
            assert cat.has(code, "message") and cat.has(code, "fix"), (code, lang)
        assert catalogue("zh").has(code, "summary") and catalogue("zh").has(code, "why")


def test_product_findings_in_chinese(ws: Workspace) -> None:
    rows = [_variant(ws, "Z-1", "Z", "Color: Red; Size: M", True),
            _variant(ws, "Z-2", "Z", "Color: Red; Size: M", False, title="Another Storage Box Title"),
            _variant(ws, "Z-3", "Z", "Color: Blue", False)]
    product = _product(_check(ws, rows), "Z")
    assert sorted(_codes(product)) == ["product_field_conflict", "variant_duplicate", "variant_value_missing"]
    cat = catalogue("zh")
    for f in product.findings:
        for text in (cat.message(f), cat.fix(f)):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and "{" not in text, text


# --------------------------------------------------------------------------------------------
# Streaming: products across chunks and worker processes
# --------------------------------------------------------------------------------------------


def test_tracker_fills_and_groups_in_one_pass() -> None:
    fields = ["seller_sku", "product_key", "title", "description", "sales_attributes"]
    tracker = ProductTracker(fields, {})
    long = "A long description. " * 40
    rows = [{"seller_sku": "A", "product_key": "P", "title": "T", "description": long, "sales_attributes": "Size: S"},
            {"seller_sku": "B", "product_key": "P", "sales_attributes": "Size: M"},
            {"seller_sku": "C", "product_key": "P", "description": long + "!", "sales_attributes": "Size: L"}]
    fills = [tracker.note(n + 2, lambda f, r=r: r.get(f, "")) for n, r in enumerate(rows)]
    assert fills == [{}, {"title": "T", "description": long}, {"title": "T"}]
    (product,) = list(tracker.products())
    conflict = product.conflicts["description"]
    assert [g.rows for g in conflict] == [[2, 3], [4]]
    assert conflict[1].value.endswith("…") and len(conflict[1].value) <= 120


def _tracked(tracker: ProductTracker) -> list[Any]:
    return [(p.key, p.values, [(s.row, s.seller_sku, s.sales_attributes, s.values) for s in p.skus],
             {f: [(g.value, g.rows) for g in gs] for f, gs in (p.conflicts or {}).items()}) for p in tracker.products()]


@pytest.mark.parametrize("recent", [2048, 2])
@pytest.mark.parametrize("seed", range(6))
def test_repeated_product_cells_give_what_each_row_gives_on_its_own(seed: int, recent: int,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Raw records noted with their product-level cells (a next row writing its product's cells
    again skips them) give the same fills, products and conflicts as each row read on its own:
    rows repeating a conflicting value, blank rows, long texts, rows of products far apart — also
    when the long texts of only two products are remembered whole."""
    import random

    from shelfcheck.products import tracker as tracker_module

    monkeypatch.setattr(tracker_module, "_RECENT", recent)
    rng = random.Random(seed)
    header = ["seller_sku", "product_key", "title", "description", "brand", "sales_attributes", "price"]
    index = {f: i for i, f in enumerate(header)}
    long = "A long description of the product. " * 8
    choices = {"title": ["", "Mug", " Mug ", "Cup"], "description": ["", long, long + "!"],
               "brand": ["", "Acme", "Other"]}
    records = []
    for n in range(300):
        key = rng.choice(["P1", "P2", "P3", "", f"Q{n // 7}"])
        cells = [f"S{n}", key, *((rng.choice(choices[f]) + ".")[:-1] for f in ("title", "description", "brand")),
                 f"Size: {rng.randrange(4)}", "9.99"]
        records.append(cells)
        while rng.random() < 0.4:  # the same product's cells again on the next rows (new strings)
            records.append([f"S{n}-{len(records)}", *((c + ".")[:-1] for c in cells[1:5]),
                            f"Size: {rng.randrange(4)}", "9.99"])
    fast, plain = ProductTracker(index, {}), ProductTracker(index, {})
    before: list[str] = []
    shared = 0
    for n, cells in enumerate(records):
        row = n + 2
        filled = list(cells)
        fast.note_cells(row, filled, index)
        fills = plain.note(row, lambda f, c=cells: c[index[f]].strip() if f in index else "")
        assert filled == [fills.get(f) or c for f, c in zip(header, cells)], row
        shared += bool(before) and any(filled[2:5]) and all(filled[i] is before[i] for i in (2, 3, 4) if filled[i])
        before = filled
    assert shared > 50  # rows that took the strings of the row before (records hold fresh ones)
    assert _tracked(fast) == _tracked(plain)
    assert any(p[3] for p in _tracked(plain))  # conflicts among them


def _big_catalogue(ws: Workspace, products: int, size: int) -> Path:
    rows = []
    for p in range(products):
        for s in range(size):
            row = {"seller_sku": f"P{p}-{s}", "product_key": f"P{p}", "title": "", "category": "",
                   "sales_attributes": f"Size: {s % (size - 1)}" if p % 50 == 0 else f"Size: {s}"}
            if s == 0:
                row.update(title=CLEAN_LISTING["title"], category=CLEAN_LISTING["category"])
            rows.append(row)
    return write_csv(ws.root / "big.csv", rows)


def test_products_are_the_same_with_worker_processes(ws: Workspace) -> None:
    path = _big_catalogue(ws, 300, 4)  # 1,200 rows: several chunks, rules in workers
    one = run("check", path, "--format", "json", "--jobs", "1", "--no-cache", cwd=ws.root)
    two = run("check", path, "--format", "json", "--jobs", "3", "--no-cache", cwd=ws.root)
    assert one.returncode == two.returncode == 1, (one.stderr, two.stderr)
    a, b = json.loads(one.stdout), json.loads(two.stdout)
    assert a["products"] == b["products"] and a["listings"] == b["listings"]
    assert a["summary"]["products"] == 300
    dupes = [p["product_key"] for p in a["products"] if any(f["code"] == "variant_duplicate" for f in p["findings"])]
    assert dupes == [f"P{p}" for p in range(0, 300, 50)]
    # Filled from the product's first row, in the workers too: no title_missing on any row.
    assert not any(f["code"] == "title_missing" for item in b["listings"] for f in item["findings"])


# --------------------------------------------------------------------------------------------
# A product with variants through every reporter
# --------------------------------------------------------------------------------------------


def _shirt_catalogue(ws: Workspace) -> Path:
    rows = [_variant(ws, "TEE-R-M", "TEE", "Color: Red; Size: M", True, sku_image="img/1.jpg"),
            _variant(ws, "TEE-R-L", "TEE", "Color: Red; Size: L", False),
            _variant(ws, "TEE-R-L2", "TEE", "Color: Red; Size: L", False),
            _variant(ws, "TEE-B", "TEE", "Color: Blue", False, category="Kitchenware > Drinkware"),
            ws.listing(seller_sku="MUG-1")]
    return write_csv(ws.root / "shirts.csv", rows)


def test_json_report_has_products_with_skus_rows_and_findings(ws: Workspace) -> None:
    path = _shirt_catalogue(ws)
    proc = run("check", path, "--format", "json", "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [item["row"] for item in report["listings"]] == [2, 3, 4, 5, 6]  # the per-row view stays
    assert all(not item["findings"] for item in report["listings"])
    # a row's status counts its product's findings: the four TEE rows fail by them (contract §4)
    assert [item["status"] for item in report["listings"]] == ["fail"] * 4 + ["pass"]
    assert (report["summary"]["passed"], report["summary"]["failed"]) == (1, 4)
    tee, mug = report["products"]
    assert tee["product_key"] == "TEE" and tee["rows"] == [2, 3, 4, 5] and tee["status"] == "fail"
    assert {f["code"]: f["rows"] for f in tee["findings"]} == {
        "product_field_conflict": [2, 3, 4, 5], "variant_duplicate": [3, 4], "variant_value_missing": [5],
        "sku_image_missing": [5]}
    first = tee["skus"][0]
    assert first == {"sales_attributes": {"Color": "Red", "Size": "M"}, "sku_image": "img/1.jpg", "row": 2,
                     "seller_sku": "TEE-R-M", "status": "fail", "findings": []}
    assert mug["product_key"] is None and [s["seller_sku"] for s in mug["skus"]] == ["MUG-1"]
    summary = report["summary"]
    assert (summary["products"], summary["products_passed"], summary["products_failed"]) == (2, 1, 1)
    assert summary["errors"] == 4 and report["by_code"]["variant_duplicate"] == 1


def test_every_reporter_shows_the_product_findings_once(ws: Workspace) -> None:
    path = _shirt_catalogue(ws)
    outputs = {}
    for fmt in ("table", "html", "xlsx", "csv", "sarif", "junit"):
        out = ws.root / f"report.{fmt}"
        proc = run("check", path, "--format", fmt, "-o", out, "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
        assert proc.returncode == 1, (fmt, proc.stderr)  # product-level errors alone fail the run
        outputs[fmt] = out
    table = outputs["table"].read_text("utf-8")
    assert table.count("variant_duplicate") == 1 and "product TEE · 4 SKUs · rows 2–5" in table
    assert "2 products: 1 pass, 1 fail" in table
    page = outputs["html"].read_text("utf-8")
    assert page.count('<tr class="finding') == page.count('<tr class="finding product-finding"') == 4
    assert page.count('class="finding product-finding" data-sev="error" data-code="variant_duplicate"') == 1
    assert '<section id="products"' in page
    assert "Color: Red; Size: L" in page
    sheet = openpyxl.load_workbook(outputs["xlsx"])["summary"]
    listed = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "variant_duplicate"]
    assert len(listed) == 2 and listed[-1][5] == "3–4"  # counted by code, then once at its product
    back = list(csv.reader(io.StringIO(outputs["csv"].read_text("utf-8-sig"))))
    assert len(back) == 6 and "variant_duplicate" not in outputs["csv"].read_text("utf-8-sig")  # rows back as they were
    sarif = json.loads(outputs["sarif"].read_text("utf-8"))
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "variant_duplicate"]
    assert len(results) == 1
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in results[0]["relatedLocations"]] == [4]
    assert results[0]["properties"]["rows"] == [3, 4]
    junit = outputs["junit"].read_text("utf-8")
    assert junit.count('type="variant_duplicate"') == 1


def test_table_in_chinese_names_the_product(ws: Workspace) -> None:
    proc = run("check", _shirt_catalogue(ws), "--lang", "zh", "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    assert "商品 TEE · 4 个 SKU" in proc.stdout and "共 2 个商品" in proc.stdout


# --------------------------------------------------------------------------------------------
# Layouts: TikTok's template with Variation columns, Chinese ERP exports
# --------------------------------------------------------------------------------------------

_TT_KEYS = ["category", "brand", "product_name", "product_description", "main_image", "parent_sku",
            "variation_1", "variation_2", "variant_image", "price", "quantity", "seller_sku"]
_TT_HEADER = ["Category", "Brand", "Product Name", "Product Description", "Main Product Image", "Parent SKU",
              "Variation", "Variation 2", "Variant Image", "Retail Price (Local Currency)",
              "Quantity in US Warehouse", "Seller SKU"]
_TT_REQUIRED = ["Mandatory", "Optional", "Mandatory", "Mandatory", "Mandatory", "Optional", "Optional",
                "Optional", "Optional", "Mandatory", "Mandatory", "Optional"]


def _tiktok_template(ws: Workspace) -> Path:
    images = ws.clean_images(3)
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Template"
    sheet.append(_TT_KEYS)
    sheet.append(_TT_HEADER)
    sheet.append(_TT_REQUIRED)
    title = CLEAN_LISTING["title"]
    base = [CLEAN_LISTING["category"], "Tidyhome", title, "A clear box with a lid.", images]
    sheet.append(base + ["BOX", "Color: Clear", "Size: 12 L", "img/1.jpg", "12.99", "40", "TT-CL-12"])
    sheet.append(base + ["BOX", "Color: Clear", "Size: 20 L", "", "15.99", "30", "TT-CL-20"])
    sheet.append(base + ["BOX", "Color: Clear", "Size: 20 L", "", "15.99", "30", "TT-CL-20B"])
    sheet.append(base + ["BOX", "Color: Blue", "", "", "12.99", "30", "TT-BL"])
    sheet.append(base[:2] + [title, "", ""] + ["", "Grey", "", "", "9.99", "5", "TT-SOLO"])
    path = ws.root / "tiktok_template.xlsx"
    wb.save(path)
    return path


def test_tiktok_template_with_variation_columns(ws: Workspace) -> None:
    path = _tiktok_template(ws)
    proc = run("check", path, "--format", "json", "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["header_row"] == 2
    assert report["summary"]["skipped_rows"] == [{"row": 3, "kind": "requirements"}]
    box, solo = report["products"]
    assert box["product_key"] == "BOX" and box["rows"] == [4, 5, 6, 7]
    assert [s["sales_attributes"] for s in box["skus"]] == [
        {"Color": "Clear", "Size": "12 L"}, {"Color": "Clear", "Size": "20 L"},
        {"Color": "Clear", "Size": "20 L"}, {"Color": "Blue"}]
    assert box["skus"][0]["sku_image"] == "img/1.jpg"
    assert {f["code"]: f["rows"] for f in box["findings"]} == {"variant_duplicate": [5, 6],
                                                               "variant_value_missing": [7],
                                                               "sku_image_missing": [7]}
    assert solo["product_key"] is None and solo["skus"][0]["sales_attributes"] == {"Variation": "Grey"}
    used = {c["header"] for c in report["summary"]["ignored_columns"]}
    assert not used & {"Parent SKU", "Variation", "Variation 2", "Variant Image"}


def test_tiktok_template_without_a_product_key_groups_rows_by_product_name(ws: Workspace) -> None:
    """TikTok's own template has no product-key column: a product's SKUs are consecutive rows with
    the same Product Name ("If there are multiple SKUs, keep the titles consistent")."""
    images = ws.clean_images(3)
    keys = [k for k in _TT_KEYS if k != "parent_sku"]
    header = [h for h in _TT_HEADER if h != "Parent SKU"]
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(keys)
    sheet.append(header)
    sheet.append([r for i, r in enumerate(_TT_REQUIRED) if i != 5])
    box, mug = CLEAN_LISTING["title"], "Ceramic Coffee Mug 12 oz Dishwasher Safe"

    def row(title: str, v1: str, v2: str, image: str, sku: str) -> list[str]:
        return [CLEAN_LISTING["category"], "Tidyhome", title, "A clear box with a lid.", images, v1, v2, image,
                "12.99", "40", sku]

    sheet.append(row(box, "Color: Clear", "Size: 12 L", "img/clear.jpg", "TT-CL-12"))
    sheet.append(row(box, "Color: Clear", "Size: 20 L", "img/clear.jpg", "TT-CL-20"))
    sheet.append(row(box, "Color: Blue", "Size: 12 L", "", "TT-BL-12"))
    sheet.append(row(mug, "Color: White", "", "", "MUG-W"))
    sheet.append(row(mug, "Color: White", "", "", "MUG-W2"))
    sheet.append(row(box, "Color: Red", "Size: 12 L", "", "TT-RD-12"))  # not adjacent: a product of its own
    path = ws.root / "tiktok_template.xlsx"
    wb.save(path)
    proc = run("check", path, "--format", "json", "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    report = json.loads(proc.stdout)
    products = report["products"]
    assert [p["rows"] for p in products] == [[4, 5, 6], [7, 8], [9]]
    assert [p["product_key"] for p in products] == [box[:59] + "…" if len(box) > 60 else box, mug,
                                                   box[:59] + "…" if len(box) > 60 else box]
    first, second, last = products
    assert {f["code"]: f["rows"] for f in first["findings"]} == {"sku_image_missing": [6]}
    assert {f["code"]: f["rows"] for f in second["findings"]} == {"variant_duplicate": [7, 8]}
    assert not last["findings"]


def test_without_variation_columns_rows_with_one_title_stay_separate_products(ws: Workspace) -> None:
    rows = [ws.listing(seller_sku="A-1", color="Red"), ws.listing(seller_sku="A-2", color="Blue")]
    report = _check(ws, rows)
    assert [p.product.key for p in report.products] == [None, None]
    assert [p.product.rows for p in report.products] == [[2], [3]]


def _erp_csv(ws: Workspace, header: list[str], rows: list[list[str]], encoding: str = "gbk") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    path = ws.root / "erp.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_erp_export_with_chinese_headers_and_colour_size_columns(ws: Workspace) -> None:
    images = ws.clean_images(3)
    c = CLEAN_LISTING
    # the product record (description, package) on the first row only, as an ERP exports it
    header = ["SKU", "父SKU", "商品标题", "颜色", "尺码", "SKU图片", "主图", "售价", "库存", "品牌", "类目", "原产国",
              "产地标识", "制造商", "制造商地址", "商品描述", "重量(g)", "长(cm)", "宽(cm)", "高(cm)"]
    first = [c["title"], "", "", "", images, "12.99", "40", c["brand"], c["category"], c["country_of_origin"],
             c["origin_label"], c["manufacturer_name"], c["manufacturer_address"], c["description"], "540", "33",
             "23", "20"]
    blank = [""] * 11
    rows = [["DXM-R-S", "DXM"] + first[:1] + ["红", "S", "img/1.jpg"] + first[4:],
            ["DXM-R-M", "DXM", "", "红", "M", "img/2.jpg", "", "12.99", "40"] + blank,
            ["DXM-R-M2", "DXM", "", "红", "M", "", "", "12.99", "40"] + blank,
            ["DXM-B", "DXM", "", "蓝", "", "", "", "12.99", "40"] + blank]
    proc = run("check", _erp_csv(ws, header, rows), "--format", "json", "--lang", "zh", "--as-of", "2024-08-01",
               "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    # child rows take the product's values; the Chinese colour values are each row's own finding
    assert [[f["code"] for f in item["findings"]] for item in report["listings"]] == [["sales_attribute_invalid"]] * 4
    assert {item["findings"][0]["evidence"]["problem"] for item in report["listings"]} == {
        "sales_attribute_value_chinese"}
    (product,) = report["products"]
    assert product["product_key"] == "DXM"
    assert product["skus"][1]["sales_attributes"] == {"Color": "红", "Size": "M"}
    assert {f["code"]: f["rows"] for f in product["findings"]} == {"variant_duplicate": [3, 4],
                                                                   "variant_value_missing": [5],
                                                                   "sku_image_missing": [5],
                                                                   "sku_image_not_on_primary": [2, 3]}
    assert all("商品 DXM" in f["message"] for f in product["findings"])


def test_erp_export_with_spec_name_and_value_columns(ws: Workspace) -> None:
    images = ws.clean_images(3)
    c = CLEAN_LISTING
    header = ["子SKU", "主SKU", "产品标题", "规格名1", "规格值1", "规格名2", "规格值2", "图片1", "售价", "库存",
              "类目", "原产国", "产地标识", "制造商", "制造商地址", "产品描述", "包装重量(kg)", "包装尺寸(cm)"]
    tail = [c["category"], c["country_of_origin"], c["origin_label"], c["manufacturer_name"], c["manufacturer_address"],
            c["description"], "0.54", "33x23x20"]
    rows = [["MB-1", "MB", c["title"], "Color", "Red", "Size", "S", images, "9.9", "5", *tail],
            ["MB-2", "MB", c["title"], "Color", "Red", "Size", "M", images, "9.9", "5", *tail]]
    proc = run("check", _erp_csv(ws, header, rows, "utf-8-sig"), "--format", "json", "--as-of", "2024-08-01",
               "--no-cache", cwd=ws.root)
    assert proc.returncode == 0, proc.stdout[-2000:]
    (product,) = json.loads(proc.stdout)["products"]
    assert [s["sales_attributes"] for s in product["skus"]] == [{"Color": "Red", "Size": "S"},
                                                               {"Color": "Red", "Size": "M"}]
    assert product["status"] == "pass" and not product["findings"]


def _duplicate_catalogue(ws: Workspace) -> Path:
    """Two SKUs of one product, each clean on its own; only the product (variant_duplicate) fails."""
    rows = [_variant(ws, "CAP-1", "CAP", "Color: Red", True),
            _variant(ws, "CAP-2", "CAP", "Color: Red", False),
            ws.listing(seller_sku="MUG-1")]
    return write_csv(ws.root / "caps.csv", rows)


def test_every_reporter_shows_a_row_failed_by_its_product_as_failed(ws: Workspace) -> None:
    path = _duplicate_catalogue(ws)
    proc = run("check", path, "--format", "json", "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    listings = json.loads(proc.stdout)["listings"]
    assert [(item["row"], item["status"], item["findings"]) for item in listings] == [
        (2, "fail", []), (3, "fail", []), (4, "pass", [])]
    outputs = {}
    for fmt in ("table", "html", "xlsx", "csv", "junit", "sarif"):
        out = ws.root / f"caps.{fmt}"
        proc = run("check", path, "--format", fmt, "-o", out, "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
        assert proc.returncode == 1, (fmt, proc.stderr)
        outputs[fmt] = out
    table = outputs["table"].read_text("utf-8")
    for row, sku in ((2, "CAP-1"), (3, "CAP-2")):  # shown although they have no findings of their own
        assert f"row {row} · {sku} · Home Supplies > Storage & Organisation · fail " in table
    assert table.count("fails with its product CAP") == 2 and "MUG-1" not in table
    assert table.count("variant_duplicate") == 1  # the finding itself: once, at the product
    assert "3 listings: 1 pass, 2 fail" in table
    page = outputs["html"].read_text("utf-8")
    cards = re.findall(r'<article class="card (\w+)[^"]*"[^>]*data-sku="([^"]*)"', page)
    assert sorted(cards) == [("fail", "cap-1"), ("fail", "cap-2"), ("pass", "mug-1")]
    assert page.count('class="product-note"') == 2
    sheet = openpyxl.load_workbook(outputs["xlsx"]).worksheets[0]
    header = [c.value for c in sheet[1]]
    status = header.index("status")
    assert [r[status] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["fail", "fail", "pass"]
    back = list(csv.DictReader(io.StringIO(outputs["csv"].read_text("utf-8-sig"))))
    assert [r["status"] for r in back] == ["fail", "fail", "pass"]
    assert "fails with its product CAP" in back[0]["messages"] and not back[2]["messages"]
    junit = outputs["junit"].read_text("utf-8")
    cases = dict(re.findall(r'<testcase name="([^"]*)"[^>]*?(/?)>', junit))  # name → "/" when it passes
    assert [empty for name, empty in cases.items() if "CAP-" in name or "MUG-1" in name] == ["", "", "/"]
    assert junit.count('type="product"') == 2 and junit.count('type="variant_duplicate"') == 1
    assert 'failures="3"' in junit  # two rows and the product's own case
    sarif = json.loads(outputs["sarif"].read_text("utf-8"))["runs"][0]
    assert (sarif["properties"]["summary"]["passed"], sarif["properties"]["summary"]["failed"]) == (1, 2)


def test_a_row_failed_by_its_product_in_an_xlsx_catalogue(ws: Workspace) -> None:
    rows = list(csv.DictReader(io.StringIO(_duplicate_catalogue(ws).read_text("utf-8-sig"))))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for r in rows:
        sheet.append(list(r.values()))
    source = ws.root / "caps.xlsx"
    book.save(source)
    out = ws.root / "caps-report.xlsx"
    proc = run("check", source, "--format", "xlsx", "-o", out, "--as-of", "2024-08-01", "--no-cache", cwd=ws.root)
    assert proc.returncode == 1, proc.stderr
    back = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in back[1]]
    status = header.index("status") + 1
    assert [back.cell(row=r, column=status).value for r in (2, 3, 4)] == ["fail", "fail", "pass"]
    comment = back.cell(row=2, column=status).comment
    assert comment is not None and "fails with its product CAP" in comment.text


def _json_report(path: Path, to_file: Path | None = None) -> str:
    """The JSON report, written to a string (decoded spool copies) or to a UTF-8 file (``to_file``:
    the spooled bytes go straight to the file under the text stream)."""
    from shelfcheck.api import prepare
    from shelfcheck.reporters import json as json_reporter
    run = prepare(path, as_of=dt.date(2024, 8, 1), jobs=1, cache=False)
    if to_file is None:
        out = io.StringIO()
        json_reporter.report(run, out, catalogue("en"), None)
        return out.getvalue()
    with to_file.open("w", encoding="utf-8", newline="") as fh:
        assert json_reporter._utf8_bytes_under(fh) is fh.buffer
        json_reporter.report(run, fh, catalogue("en"), None)
    return to_file.read_text("utf-8")


def test_json_turns_product_failed_rows_in_one_pass_between_clean_rows(ws: Workspace,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # rows failed by their product lie between clean rows; seller SKUs are multi-byte UTF-8, and a
    # copy piece of 7 bytes cuts characters apart: the copy must still join them
    rows = [ws.listing(seller_sku="MUG-马克杯-1"),
            _variant(ws, "TEE-R-M", "TEE", "Color: Red; Size: M", True),
            ws.listing(seller_sku="MUG-马克杯-2"),
            _variant(ws, "TEE-R-M2", "TEE", "Color: Red; Size: M", False),
            ws.listing(seller_sku="MUG-马克杯-3"), ws.listing(seller_sku="MUG-4")]
    path = write_csv(ws.root / "mixed.csv", rows)
    whole = _json_report(path)
    report = json.loads(whole)
    assert [item["seller_sku"] for item in report["listings"]] == [
        "MUG-马克杯-1", "TEE-R-M", "MUG-马克杯-2", "TEE-R-M2", "MUG-马克杯-3", "MUG-4"]
    # the MUG-马克杯 rows fail by their own finding (its message carries the SKU), the TEE rows by
    # their product's alone, MUG-4 passes
    assert [(item["status"], [f["code"] for f in item["findings"]]) for item in report["listings"]] == [
        ("fail", ["sku_not_english"]), ("fail", []), ("fail", ["sku_not_english"]), ("fail", []),
        ("fail", ["sku_not_english"]), ("pass", [])]
    assert _json_report(path, ws.root / "report.json") == whole  # the bytes copied as they are
    monkeypatch.setattr("shelfcheck.reporters.json._PIECE", 7)
    assert _json_report(path) == whole
    assert _json_report(path, ws.root / "report.json") == whole


def _report_in_halves(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The JSON report with the products written in one process, then in two halves (the second
    in a forked copy), the run having two processes either way."""
    from shelfcheck import api
    from shelfcheck.reporters import json as json_reporter

    def one(shares: int) -> str:
        monkeypatch.setattr(api, "PRODUCTS_TO_SHARE", 1 if shares == 2 else 10**9)
        run = api.prepare(path, as_of=dt.date(2024, 8, 1), jobs=2, cache=False)
        out = io.StringIO()
        json_reporter.report(run, out, catalogue("zh"), None)
        assert run.product_shares() == shares
        return out.getvalue()

    return one(1), one(2)


def _mixed_rows(ws: Workspace) -> list[dict[str, Any]]:
    """Products failing by their product-level findings between clean rows, a conflict, rows of
    one product far apart, multi-byte SKUs and rows without a product key."""
    rows = []
    for n in range(7):
        rows += [ws.listing(seller_sku=f"MUG-马克杯-{n}"),
                 _variant(ws, f"TEE-{n}-M", f"TEE-{n}", "Color: Red; Size: M", True),
                 _variant(ws, f"TEE-{n}-M2", f"TEE-{n}", "Color: Red; Size: M", False),
                 _variant(ws, f"CUP-{n}-1", "CUP", f"Color: {n}", n == 0, **({"brand": "Other"} if n == 3 else {}))]
    return rows


@pytest.mark.parametrize("held", [100_000, 2])
def test_products_written_in_two_halves_give_the_same_report(ws: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                             held: int) -> None:
    """Also with the products on disk (room for two rows'): the forked copy reads its half there
    through a connection of its own."""
    path = write_csv(ws.root / "mixed.csv", _mixed_rows(ws))
    whole, _ = _report_in_halves(path, monkeypatch)
    from shelfcheck.products import tracker as tracker_module

    monkeypatch.setattr(tracker_module, "HELD_ROWS", held)
    _, halves = _report_in_halves(path, monkeypatch)
    assert halves == whole
    report = json.loads(whole)
    assert report["summary"]["products"] == len(report["products"]) == 7 + 7 + 1
    assert {item["status"] for item in report["listings"] if item["seller_sku"].startswith("TEE")} == {"fail"}
    assert "brand" in {f["field"] for p in report["products"] if p["product_key"] == "CUP" for f in p["findings"]}


def test_a_failed_half_is_written_here(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the forked copy fails, this process writes the second half itself: the same report."""
    from shelfcheck.reporters import json as json_reporter

    parent = os.getpid()
    write = json_reporter._write_products

    def fails_in_the_copy(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            raise MemoryError("in the forked copy")
        return write(*args, **kwargs)

    path = write_csv(ws.root / "mixed.csv", _mixed_rows(ws))
    whole, _ = _report_in_halves(path, monkeypatch)
    monkeypatch.setattr(json_reporter, "_write_products", fails_in_the_copy)
    _, halves = _report_in_halves(path, monkeypatch)
    assert halves == whole


def test_no_process_to_fork_writes_every_product_here(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from shelfcheck.reporters import json as json_reporter

    path = write_csv(ws.root / "mixed.csv", _mixed_rows(ws))
    whole, _ = _report_in_halves(path, monkeypatch)

    def no_fork(work: Any) -> Any:
        raise BlockingIOError(11, "Resource temporarily unavailable")  # what os.fork raises at a limit

    monkeypatch.setattr(json_reporter, "Forked", no_fork)
    _, halves = _report_in_halves(path, monkeypatch)
    assert halves == whole


def test_json_report_goes_through_the_text_stream_unless_bytes_read_the_same(tmp_path: Path) -> None:
    from shelfcheck.reporters.json import _utf8_bytes_under
    assert _utf8_bytes_under(io.StringIO()) is None
    with (tmp_path / "gb.json").open("w", encoding="gb18030") as fh:
        assert _utf8_bytes_under(fh) is None
    with (tmp_path / "u8.json").open("w", encoding="UTF8") as fh:
        assert _utf8_bytes_under(fh) is (fh.buffer if os.linesep == "\n" else None)


def _product_view(report: shelfcheck.Report) -> list[Any]:
    return [(p.product.key, p.product.values, p.product.rows, [(s.row, s.seller_sku, s.sales_attributes, s.values)
             for s in p.product.skus], {f: [(g.value, g.rows) for g in gs] for f, gs in p.product.conflicts.items()},
             sorted(_codes(p)), p.status) for p in report.products]


@pytest.mark.parametrize("remembered", [100_000, 1])
def test_products_moved_to_disk_come_back_whole_and_in_order(ws: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                              remembered: int) -> None:
    """With room for only two rows' products in memory, products whose rows are far apart, a
    conflict, rows without a key and filled blank cells give the same products and findings —
    also once the keys of the products on disk are too many to remember (every key not held is
    then looked for on disk)."""
    from shelfcheck.products import tracker as tracker_module

    monkeypatch.setattr(tracker_module, "_SPILLED_KEYS", remembered)

    rows = [
        _variant(ws, "A-1", "A", "Color: Red", True),
        {**ws.listing(seller_sku="LONE-1")},
        _variant(ws, "B-1", "B", "Color: Red", True),
        _variant(ws, "C-1", "C", "Color: Red", True),
        _variant(ws, "A-2", "A", "Color: Blue", False),
        {**ws.listing(seller_sku="LONE-2")},
        _variant(ws, "B-2", "B", "Color: Red", False),  # a duplicate variant of B
        _variant(ws, "C-2", "C", "Color: Blue", False, brand="Other Brand"),  # a conflict in C
        _variant(ws, "A-3", "A", "Color: Green", False),
        _variant(ws, "D-1", "D", "Color: Red", True),  # a new product once keys went to disk
    ]
    whole = _check(ws, rows)
    monkeypatch.setattr(tracker_module, "HELD_ROWS", 2)
    taken: list[bool] = []  # whether each look on disk found the product
    take = tracker_module._Spool.take

    def counted_take(self: Any, key: str) -> Any:
        acc = take(self, key)
        taken.append(acc is not None)
        return acc

    monkeypatch.setattr(tracker_module._Spool, "take", counted_take)
    spilled = _check(ws, rows)
    assert any(taken)  # products did go to disk and came back
    assert (not all(taken)) is (remembered == 1)  # keys not remembered are looked for on disk
    assert _product_view(spilled) == _product_view(whole)
    assert [p.product.key for p in whole.products] == ["A", None, "B", "C", None, "D"]
    assert _product(whole, "A").product.rows == [2, 6, 10]
    assert "variant_duplicate" in _codes(_product(whole, "B"))
    assert "brand" in _product(whole, "C").product.conflicts
