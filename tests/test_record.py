"""The product record Create Product requires (issue 12 part 4), beyond the table-driven cases:
reading weights and dimensions, header units, the three header layouts sellers use, a catalogue
without the columns, the shop's warehouse, pack numbers, and the Create Product body."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import Workspace, write_csv
from shelfcheck.ingest.package import read_package
from shelfcheck.ingest.values import parse_amount, parse_dimensions, parse_length, parse_weight


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shelfcheck", *map(str, args)], capture_output=True,
                          text=True, env=dict(os.environ), timeout=120)


# Reading values ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "unit", "value", "platform"), [
    ("1.2 lb", None, "1.2", "POUND"), ("0.5 kg", None, "0.5", "KILOGRAM"), ("500g", None, "0.5", "KILOGRAM"),
    ("1,2 kg", None, "1.2", "KILOGRAM"), ("1,200 g", None, "1.2", "KILOGRAM"), ("12 oz", None, "0.75", "POUND"),
    ("2", "lb", "2", "POUND"), ("0.5公斤", None, "0.5", "KILOGRAM"), ("3 LBS", None, "3", "POUND"),
    ("2", None, "2", None),
])
def test_weights_as_sellers_write_them(text: str, unit: str | None, value: str, platform: str | None) -> None:
    measure = parse_weight(text, unit)
    assert measure.value == Decimal(value) and measure.platform_unit == platform


def test_lengths_and_one_cell_dimensions() -> None:
    assert [m.value for m in parse_dimensions("10x8x4 in")] == [10, 8, 4]
    assert {m.platform_unit for m in parse_dimensions("25*20*10cm")} == {"CENTIMETER"}
    assert [m.platform_unit for m in parse_dimensions("25 cm x 8 in x 10 cm")] == ["CENTIMETER", "INCH", "CENTIMETER"]
    assert parse_length("250 mm").value == 25 and parse_length('10"').platform_unit == "INCH"
    assert parse_length("10", "inch").platform_unit == "INCH"
    with pytest.raises(ValueError):
        parse_dimensions("10x8 in")
    with pytest.raises(LookupError):
        parse_weight("3 stone")
    with pytest.raises(ValueError):
        parse_weight("about 2 lb")
    with pytest.raises(ValueError):
        parse_weight("-1 kg")
    with pytest.raises(ValueError):
        parse_weight("1" * 5000 + " kg")  # bounded: refused unread
    assert parse_amount("1,25") == Decimal("1.25") and parse_amount("1,200.5") == Decimal("1200.5")


def test_header_units_apply_to_bare_numbers_and_remarks_do_not() -> None:
    pkg = read_package({"package_weight": "2", "package_length": "10", "package_width": "8", "package_height": "4"},
                       {"package_weight": "Package Weight(lb)", "package_length": "长(cm)",
                        "package_width": "Width [cm]", "package_height": "高（cm）"})
    assert pkg.weight is not None and pkg.weight.platform_unit == "POUND"
    assert {m.platform_unit for m in pkg.dimensions.values()} == {"CENTIMETER"}
    remark = read_package({"package_dimensions": "10x8x4"}, {"package_dimensions": "Dimensions (L x W x H)"})
    assert remark.problems == [] and {m.platform_unit for m in remark.dimensions.values()} == {None}
    assert remark.missing == ["package_weight"]


# The three header layouts -----------------------------------------------------------------------

CLEAN = {"seller_sku": "REC-1", "title": "Stackable Storage Box with Lid, 12 L, Clear",
         "category": "Home Supplies > Storage & Organisation", "brand": "Tidyhome", "price": "12.99",
         "quantity": "40", "country_of_origin": "China", "origin_label": "Made in China",
         "manufacturer_name": "Ningbo Tidyhome Plastics Co., Ltd.",
         "manufacturer_address": "No. 88 Jiangnan Road, Yinzhou District, Ningbo, Zhejiang 315100, China",
         "description": "<p>Clear stackable storage box with a snap-on lid, 12 litres.</p>", "list_price": "16.99",
         "sale_price": "11.99", "package_weight": "1.2", "package_length": "13", "package_width": "9",
         "package_height": "8", "identifier_code_type": "UPC", "identifier_code": "036000291452"}

# Each bad row: the change, and the code it must show (the rest of the row is clean).
BAD = [
    ({"seller_sku": "REC-2", "description": ""}, "description_missing"),
    ({"seller_sku": "REC-3", "description": "<p>收纳盒 storage box</p>"}, "description_not_english"),
    ({"seller_sku": "REC-4", "package_weight": ""}, "package_weight_missing"),
    ({"seller_sku": "REC-5", "package_weight": "1.255"}, "package_weight_invalid"),
    ({"seller_sku": "REC-6", "package_height": ""}, "package_dimensions_missing"),
    ({"seller_sku": "REC-7", "package_length": "12.5"}, "package_dimensions_invalid"),
    ({"seller_sku": "REC-8", "price": ""}, "price_missing"),
    ({"seller_sku": "REC-9", "price": "8000", "list_price": "9000"}, "price_out_of_range"),
    ({"seller_sku": "REC-10", "list_price": "9.99"}, "list_price_below_price"),
    ({"seller_sku": "REC-11", "sale_price": ""}, "sale_price_missing"),
    ({"seller_sku": "REC-12", "quantity": "0"}, "quantity_out_of_range"),
    ({"seller_sku": "REC-13", "identifier_code": "036000291453"}, "identifier_code_invalid"),
]

# field → header, per layout. Units in the headers, as the templates and ERPs write them.
LAYOUTS = {
    "english": {f: f for f in CLEAN} | {
        "package_weight": "package_weight (lb)", "package_length": "package_length (in)",
        "package_width": "package_width (in)", "package_height": "package_height (in)"},
    "tiktok_template": {
        "seller_sku": "Seller SKU", "title": "Product Name", "category": "Category", "brand": "Brand",
        "price": "Retail Price (Local Currency)", "quantity": "Quantity", "country_of_origin": "Country Of Origin",
        "origin_label": "Origin Label", "manufacturer_name": "Manufacturer",
        "manufacturer_address": "Manufacturer Address",
        "description": "Product Description", "list_price": "List Price", "sale_price": "Sale Price",
        "package_weight": "Package Weight(lb)", "package_length": "Package Length(inch)",
        "package_width": "Package Width(inch)", "package_height": "Package Height(inch)",
        "identifier_code_type": "Identifier Code Type", "identifier_code": "Identifier Code",
        "main_images": "Main Product Image"},
    "chinese_erp": {
        "seller_sku": "SKU编码", "title": "英文标题", "category": "类目", "brand": "品牌", "price": "售价",
        "quantity": "库存", "country_of_origin": "原产国", "origin_label": "产地标识", "manufacturer_name": "制造商",
        "manufacturer_address": "制造商地址", "description": "商品描述", "list_price": "划线价",
        "sale_price": "促销价", "package_weight": "包装重量(lb)", "package_length": "长(inch)",
        "package_width": "宽(inch)", "package_height": "高(inch)", "identifier_code_type": "条码类型",
        "identifier_code": "UPC/EAN", "main_images": "主图"},
}


def _catalogue(ws: Workspace, layout: str) -> Path:
    headers = LAYOUTS[layout] | ({"main_images": "main_images"} if "main_images" not in LAYOUTS[layout] else {})
    images = ws.clean_images()
    rows = []
    for change, _ in [({}, None), *BAD]:
        row = dict(CLEAN, main_images=images, **change)
        rows.append({headers[f]: v for f, v in row.items()})
    return write_csv(ws.root / f"{layout}.csv", rows)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_record_code_end_to_end_in_each_header_layout(ws: Workspace, layout: str) -> None:
    catalog = _catalogue(ws, layout)
    shop = ws.root / "shop.yaml"
    shop.write_text("seller_id: US1234567890\nkyc_complete: true\nstore_compliant: true\nwarehouse: China\n", "utf-8")
    proc = run("check", catalog, "--shop", shop, "--format", "json", "--as-of", "2024-08-01")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["ignored_columns"] == []
    # every required column is there: no record_columns_absent (only the category-tree note)
    assert [n["code"] for n in report["summary"]["notes"]] == ["category_tree_missing"]
    first, *bad = report["listings"]
    assert first["findings"] == [], first
    for listing, (_, code) in zip(bad, BAD):
        assert {f["code"] for f in listing["findings"]} == {code}, (layout, listing["seller_sku"], listing["findings"])
        for f in listing["findings"]:
            assert "{" not in f["message"] and "{" not in f["fix"]
    by_sku = {x["seller_sku"]: x["findings"][0] for x in bad}
    weight = by_sku["REC-5"]["evidence"]
    assert weight["unit"] == "POUND" and weight["decimals"] == 3 and weight["max_decimals"] == 2  # unit from header
    assert by_sku["REC-9"]["evidence"] == {"value": "8000", "min": "0.01", "max": "7600", "currency": "USD"}
    assert by_sku["REC-11"]["evidence"]["warehouse"] == "CN"
    zh = json.loads(run("check", catalog, "--shop", shop, "--format", "json", "--as-of", "2024-08-01",
                        "--lang", "zh").stdout)
    for listing in zh["listings"][1:]:
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in f["message"]) for f in listing["findings"])


def test_a_catalogue_without_the_columns_is_told_once_and_every_row_fails(ws: Workspace) -> None:
    rows = [{k: v for k, v in ws.listing(seller_sku=f"OLD-{i}").items()
             if k not in ("description", "package_weight", "package_length", "package_width", "package_height")}
            for i in range(3)]
    catalog = write_csv(ws.root / "old.csv", rows)
    proc = run("check", catalog, "--format", "json", "--as-of", "2024-08-01")
    report = json.loads(proc.stdout)
    assert proc.returncode == 1
    (note,) = [n for n in report["summary"]["notes"] if n["code"] == "record_columns_absent"]
    assert "package_weight" in note["message"] and "description_missing" in note["message"]
    for listing in report["listings"]:
        assert {f["code"] for f in listing["findings"]} == {"description_missing", "package_weight_missing",
                                                            "package_dimensions_missing"}
        assert all(f["evidence"]["column"] is False for f in listing["findings"])
        assert "no column" in listing["findings"][0]["message"]
    table = run("check", catalog, "--as-of", "2024-08-01").stdout
    assert table.count("The catalogue has no column for") == 1
    zh = run("check", catalog, "--as-of", "2024-08-01", "--lang", "zh").stdout
    assert zh.count("目录中没有以下字段的列") == 1
    # a pack that switches the codes off is not told about them either
    pack = ws.root / "pack.yaml"
    pack.write_text("extends: tiktok-us-2024-07\nname: no-record\nversion: '1'\nrules:\n"
                    "  description_missing: {enabled: false}\n  package_weight_missing: {enabled: false}\n"
                    "  package_dimensions_missing: {enabled: false}\n", "utf-8")
    quiet = json.loads(run("check", catalog, "--policy", pack, "--format", "json", "--as-of", "2024-08-01").stdout)
    # (the one note left says deeper category checks need the shop's pulled tree)
    assert [n["code"] for n in quiet["summary"]["notes"]] == ["category_tree_missing"]
    assert quiet["summary"]["failed"] == 0


def test_the_shop_warehouse_is_a_country(ws: Workspace) -> None:
    catalog = write_csv(ws.root / "c.csv", [ws.listing()])
    shop = ws.root / "shop.yaml"
    for written in ("CN", "china", "中国"):
        shop.write_text(f"seller_id: US1\nkyc_complete: true\nstore_compliant: true\nwarehouse: {written}\n", "utf-8")
        report = json.loads(run("check", catalog, "--shop", shop, "--format", "json", "--as-of", "2024-08-01").stdout)
        assert [f["code"] for f in report["listings"][0]["findings"]] == ["sale_price_missing"], written
        assert "record_columns_absent" in [n["code"] for n in report["summary"]["notes"]]  # no sale_price column
    shop.write_text("seller_id: US1\nwarehouse: Shenzhen Longhua\n", "utf-8")
    proc = run("check", catalog, "--shop", shop, "--as-of", "2024-08-01")
    assert proc.returncode == 2 and "warehouse" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_the_limits_come_from_the_pack(ws: Workspace) -> None:
    pack = ws.root / "pack.yaml"
    pack.write_text("extends: tiktok-us-2024-07\nname: other\nversion: '1'\nquantity: {max: 500}\n"
                    "package: {dimension_decimals: 2, pound: {decimals: 3, pairs_with: INCH}}\n"
                    "price: {max: '100'}\n", "utf-8")
    catalog = write_csv(ws.root / "c.csv", [ws.listing(quantity="900", package_length="12.5 in",
                                                       package_weight="1.255 lb", price="120")])
    report = json.loads(run("check", catalog, "--policy", pack, "--format", "json", "--as-of", "2024-08-01").stdout)
    found = {f["code"]: f for f in report["listings"][0]["findings"]}
    assert set(found) == {"quantity_out_of_range", "price_out_of_range"}
    quantity = found["quantity_out_of_range"]
    assert quantity["evidence"]["max"] == 500 and "500" in quantity["message"]
    assert found["price_out_of_range"]["evidence"]["max"] == "100"
    default = json.loads(run("check", catalog, "--format", "json", "--as-of", "2024-08-01").stdout)
    assert {f["code"] for f in default["listings"][0]["findings"]} == {
        "package_dimensions_invalid", "package_weight_invalid"}
    explain = run("explain", "quantity_out_of_range", "--policy", pack).stdout
    assert "1–500" in explain and "1–99999" not in explain


def test_the_body_check_reads_the_same_pack_numbers_as_the_rules(ws: Workspace) -> None:
    """One home per number: the pack that moves the preflight moves the sandbox / dry-run check too."""
    from shelfcheck.policy import load_policy
    from shelfcheck.tiktok.listing_rules import check_body
    from shelfcheck.tiktok.payload import build_product_body

    pack = ws.root / "pack.yaml"
    pack.write_text("extends: tiktok-us-2024-07\nname: other\nversion: '1'\nquantity: {max: 500}\n"
                    "package: {dimension_decimals: 2, pound: {decimals: 3, pairs_with: INCH}}\n"
                    "price: {max: '100'}\nvariants: {official: {max_skus: 1}}\n", "utf-8")
    values = {"seller_sku": "B-1", "title": "Box", "description": "<p>Box</p>", "price": "120", "quantity": "900",
              "package_weight": "1.255 lb", "package_length": "12.5 in", "package_width": "8 in",
              "package_height": "4 in"}
    body = build_product_body(values, category_id="1", image_uris=["u"], attribute_ids={}, certification_ids={},
                              skus=[values, dict(values, seller_sku="B-2")],
                              sku_sales_attributes=[[{"name": "Size", "value_name": "S"}],
                                                    [{"name": "Size", "value_name": "M"}]])
    found = {(v.code, v.limit) for v in check_body(body, policy=load_policy(str(pack)))}
    assert found == {(12052570, "0.01–100"), (12052055, "1–500"), (12052050, "1")}
    default = {v.code for v in check_body(body, policy=load_policy(None))}
    assert default == {12052006, 12019012}  # 3 pound decimals, 12.5 in: refused by the default pack


def test_a_package_side_without_any_unit_takes_the_paired_one() -> None:
    from shelfcheck.tiktok.payload import build_package

    assert build_package({"package_weight": "2", "package_length": "30 cm", "package_width": "20 cm",
                          "package_height": "10 cm"}) == {
        "package_weight": {"value": "2", "unit": "KILOGRAM"},
        "package_dimensions": {"length": "30", "width": "20", "height": "10", "unit": "CENTIMETER"}}
    assert build_package({"package_weight": "1.5 lb", "package_length": "12", "package_width": "8",
                          "package_height": "5"})["package_dimensions"]["unit"] == "INCH"
    mixed = build_package({"package_weight": "1 lb", "package_length": "12 in", "package_width": "20 cm",
                           "package_height": "5 in"})
    assert mixed["package_dimensions"] == {"length": "12 in", "width": "20 cm", "height": "5 in"}  # as written


# The Create Product body ------------------------------------------------------------------------

def test_the_body_carries_the_record_in_platform_units_and_reads_back() -> None:
    from shelfcheck.tiktok.payload import build_product_body, read_product_body

    values = {"seller_sku": "B-1", "title": "Box", "price": "12.99", "sale_price": "11.99", "list_price": "16.99",
              "package_weight": "500", "package_dimensions": "25x20x10", "identifier_code": "036000291452",
              "identifier_code_type": "upc", "description": "<p>Box</p>"}
    columns = {f: f for f in values} | {"package_weight": "包装重量(g)", "package_dimensions": "包装尺寸(cm)"}
    body = build_product_body(values, category_id="1", image_uris=[], attribute_ids={}, certification_ids={},
                              columns=columns)
    assert body["package_weight"] == {"value": "0.5", "unit": "KILOGRAM"}
    assert body["package_dimensions"] == {"length": "25", "width": "20", "height": "10", "unit": "CENTIMETER"}
    sku = body["skus"][0]
    assert sku["price"] == {"amount": "12.99", "currency": "USD", "sale_price": "11.99"}
    assert sku["list_price"] == {"amount": "16.99", "currency": "USD"}
    assert sku["identifier_code"] == {"code": "036000291452", "type": "UPC"}
    back, _, _ = read_product_body(body, category_path="Home Supplies", attribute_fields={}, certification_types={})
    assert back["package_weight"] == "0.5 KILOGRAM" and back["package_length"] == "25 CENTIMETER"
    assert (back["sale_price"], back["list_price"], back["identifier_code_type"]) == ("11.99", "16.99", "UPC")
    unreadable = build_product_body({"package_weight": "heavy"}, category_id="1", image_uris=[], attribute_ids={},
                                    certification_ids={})
    assert unreadable["package_weight"] == {"value": "heavy"}  # sent as written, for the platform to refuse
