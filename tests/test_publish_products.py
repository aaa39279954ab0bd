"""Publishing whole products: one Create Product per product group with ALL its SKUs.

A catalogue with variants (several products × several SKUs, several categories) is published end
to end against the sandbox; the bodies are compared, field group by field group, with the shape of
the official Create Product request sample; re-running publishes nothing; each validation the
sandbox applies to a product is driven through ``publish`` to a clear skip or failure reason.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from shelfcheck.ledger import open_ledger
from shelfcheck.publish import publish
from shelfcheck.sandbox import SANDBOX_ACCESS_TOKEN, SANDBOX_APP_KEY, SANDBOX_APP_SECRET, SANDBOX_SHOP_CIPHER
from shelfcheck.sandbox import SandboxConfig
from shelfcheck.tiktok.client import ApiClient, Credentials
from tiktok_helpers import running_sandbox

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SAMPLES = ROOT.parent / "shared" / "data" / "tiktok_api" / "samples"
if not SAMPLES.exists():  # the worktree layout: /work/wt-NAME beside /work/shared
    SAMPLES = Path("/work/shared/data/tiktok_api/samples")
REQUEST_SAMPLE = SAMPLES / "product_202309_products.request.json"

HEADER = ["seller_sku", "product_key", "title", "category", "brand", "price", "list_price", "sale_price", "quantity",
          "main_images", "sku_image", "sales_attributes", "country_of_origin", "origin_label", "manufacturer_name",
          "manufacturer_address", "model_number", "fcc_id", "model_first_filing_date", "description",
          "package_weight", "package_length", "package_width", "package_height", "identifier_code_type",
          "identifier_code", "attributes", "size_chart"]

_HOME = {"category": "Home Supplies > Storage & Organisation", "brand": "Tidyhome", "country_of_origin": "China",
         "origin_label": "Made in China", "manufacturer_name": "Ningbo Tidyhome Plastics Co., Ltd.",
         "manufacturer_address": "No. 88 Jiangnan Road, Yinzhou District, Ningbo, Zhejiang 315100, China"}
_EARBUDS = {"category": "Phones & Electronics > Audio > Earbuds", "brand": "Yunfeng", "country_of_origin": "China",
            "origin_label": "Made in China", "manufacturer_name": "Shenzhen Yunfeng Electronics Co., Ltd.",
            "manufacturer_address": "No. 18 Gaoxin South 4th Road, Nanshan District, Shenzhen, Guangdong 518057, "
                                    "China",
            "model_number": "EB100", "fcc_id": "2AXYZ-EB100", "model_first_filing_date": "2024-01-15"}


def _rows() -> list[dict[str, str]]:
    """Three products over two categories: a bin in three sizes (listed values, SKU images), a
    pair of earbuds in two colours (an FCC test report to upload, a required attribute), a box
    with one SKU; the bin's later rows leave the product-level cells blank, as ERPs write them."""
    bin_first = {**_HOME, "title": "Fabric Storage Bin with Handles, Foldable, Beige",
                 "main_images": "images/box-1.jpg|images/box-2.jpg|images/box-3.jpg",
                 "description": "<p>Foldable fabric storage bin with two handles, beige.</p>",
                 "package_weight": "0.6 lb", "package_length": "11 in", "package_width": "11 in",
                 "package_height": "6 in"}
    buds_first = {**_EARBUDS, "title": "Wireless Earbuds Bluetooth 5.3 with Charging Case",
                  "main_images": "images/earbuds-1.jpg|images/earbuds-2.jpg|images/earbuds-3.jpg",
                  "description": "<p>True wireless earbuds with Bluetooth 5.3 and a USB-C charging case.</p>",
                  "package_weight": "0.12 kg", "package_length": "12 cm", "package_width": "9 cm",
                  "package_height": "5 cm", "attributes": "Warranty Period: 1 Year"}
    return [
        {**bin_first, "seller_sku": "BIN-S", "product_key": "BIN", "price": "8.99", "sale_price": "8.99",
         "list_price": "12.99", "quantity": "60", "sales_attributes": "Size: Small", "sku_image": "images/box-1.jpg",
         "identifier_code_type": "UPC", "identifier_code": "841234000011"},
        {"seller_sku": "BIN-M", "product_key": "BIN", "price": "10.99", "sale_price": "10.99", "quantity": "45",
         "sales_attributes": "Size: Medium", "sku_image": "images/box-2.jpg"},
        {"seller_sku": "BIN-L", "product_key": "BIN", "price": "12.99", "sale_price": "12.99", "quantity": "30",
         "sales_attributes": "Size: Large", "sku_image": "images/box-1.jpg"},
        {**buds_first, "seller_sku": "EB-BLK", "product_key": "EB", "price": "29.99", "sale_price": "29.99",
         "quantity": "27", "sales_attributes": "Color: Black"},
        {**buds_first, "seller_sku": "EB-WHT", "product_key": "EB", "price": "29.99", "sale_price": "27.99",
         "quantity": "12", "sales_attributes": "Color: Sky Teal"},  # a custom value: Color takes them
        {**_HOME, "seller_sku": "BOX-9", "title": "Under Bed Storage Bag with Zip, 2 Pack",
         "main_images": "images/box-1.jpg|images/box-2.jpg|images/box-3.jpg",
         "description": "<p>Under bed storage bag with zip, 2 pack.</p>", "price": "16.99", "sale_price": "16.99",
         "quantity": "120", "package_weight": "1.6 lb", "package_length": "16 in", "package_width": "12 in",
         "package_height": "3 in"},
    ]


def _write(folder: Path, rows: list[dict[str, str]], *, doc_file: str = "documents/fcc-eb100.png") -> Path:
    with open(folder / "catalog.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in HEADER})
    with open(folder / "documents.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("doc_id,type,number,status,issued_on,expires_on,file,applies_to\n")
        fh.write(f"FCC-EB,FCC_TEST_REPORT,YF-EMC-2402-0117,Verified,2024-02-01,2030-02-01,{doc_file},EB100\n")
    return folder / "catalog.csv"


@pytest.fixture(scope="module")
def sandbox_bundle() -> Path:
    if not (EXAMPLES / "images" / ".complete").exists():
        subprocess.run([sys.executable, str(EXAMPLES / "make_images.py")], check=True)
    subprocess.run([sys.executable, str(EXAMPLES / "make_categories.py")], check=True)
    return EXAMPLES / "categories.json"


@pytest.fixture(autouse=True)
def sandbox_tree(sandbox_bundle: Path) -> None:
    from shelfcheck.datasets.platform import import_categories

    import_categories(sandbox_bundle, shop="sandbox")


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "images", tmp_path / "images")
    (tmp_path / "documents").mkdir()
    # the test report as a scan: an image, converted to PDF before it is uploaded
    Image.new("RGB", (640, 900), "white").save(tmp_path / "documents" / "fcc-eb100.png")
    # a size chart: at least 1024 px on its short side, as Upload Image wants for SIZE_CHART_IMAGE
    Image.new("RGB", (1200, 1600), "white").save(tmp_path / "images" / "tee-sizes.png")
    # and one Upload Image refuses as a size chart (its short side is below the minimum)
    Image.new("RGB", (800, 1200), "white").save(tmp_path / "images" / "small-sizes.png")
    (tmp_path / "documents" / "notes.docx").write_bytes(b"PK\x03\x04\x00\x00binary word file")
    return tmp_path


def _client(base: str) -> ApiClient:
    return ApiClient(Credentials(SANDBOX_APP_KEY, SANDBOX_APP_SECRET, SANDBOX_ACCESS_TOKEN, SANDBOX_SHOP_CIPHER),
                     base_url=base)


def _shop(folder: Path, warehouse: str = "CN") -> Path:
    path = folder / "shop.yaml"
    path.write_text(f"seller_id: US1\nkyc_complete: true\nstore_compliant: true\nwarehouse: {warehouse}\n", "utf-8")
    return path


def _products(sb: Any) -> dict[frozenset[str], dict[str, Any]]:
    return {frozenset(s["seller_sku"] for s in p["skus"]): p for p in sb.all_products()}


def _bodies(sb: Any) -> dict[str, dict[str, Any]]:
    """Seller SKU of the first SKU → the body the sandbox stored."""
    from sqlalchemy import select

    from shelfcheck.sandbox.state import products

    with sb.engine.begin() as conn:
        return {r.body["skus"][0]["seller_sku"]: r.body for r in conn.execute(select(products.c.body))}


def test_catalogue_with_variants_publishes_one_product_per_group_and_rerun_sends_nothing(folder: Path) -> None:
    import shelfcheck

    catalog = _write(folder, _rows())
    report = shelfcheck.check(catalog, documents=folder / "documents.csv", shop=_shop(folder), jobs=1)
    failing = [(r.seller_sku, [f.code for f in r.findings if f.severity.label == "error"])
               for r in report.listings if r.status == "fail"]
    assert failing == [] and all(p.status == "pass" for p in report.products), failing
    config = SandboxConfig(warehouse_region="CN")
    with running_sandbox(config) as (base, sb), open_ledger(folder / "l.db") as ledger, _client(base) as c:
        first = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=c, ledger=ledger)
        data = first.to_json()
        assert data["failed"] == [] and data["skipped"] == [], data
        ids = {p["seller_sku"]: p["product_id"] for p in data["published"]}
        assert ids["BIN-S"] == ids["BIN-M"] == ids["BIN-L"] and ids["EB-BLK"] == ids["EB-WHT"]
        assert len(set(ids.values())) == 3
        made = _products(sb)
        assert set(made) == {frozenset({"BIN-S", "BIN-M", "BIN-L"}), frozenset({"EB-BLK", "EB-WHT"}),
                             frozenset({"BOX-9"})}
        assert all(p["status"] == "ACTIVATE" for p in made.values())
        for sku, product_id in ids.items():  # the ledger keeps one attempt per SKU, with the product
            attempts = ledger.attempts(sku)
            assert [(a.outcome, a.product_id, a.source) for a in attempts] == [("passed", product_id, "publish")]
        again = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=c, ledger=ledger)
        assert again.to_json()["published"] == [] and again.to_json()["failed"] == []
        assert {s["reason"] for s in again.to_json()["skipped"]} == {"already_published"}
        assert len(sb.all_products()) == 3 and all(len(ledger.attempts(s)) == 1 for s in ids)


def _published_bodies(folder: Path) -> dict[str, dict[str, Any]]:
    catalog = _write(folder, _rows())
    with running_sandbox(SandboxConfig(warehouse_region="CN")) as (base, sb), \
            open_ledger(folder / "l.db") as ledger, _client(base) as c:
        summary = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=c, ledger=ledger)
        assert summary.to_json()["failed"] == [] and summary.to_json()["skipped"] == []
        bodies = _bodies(sb)
        bodies["_brands"] = sb.brands({})  # type: ignore[assignment]
        bodies["_warehouses"] = sb.warehouses()  # type: ignore[assignment]
        return bodies


def _same_shape(ours: Any, sample: Any, at: str) -> list[str]:
    """Where ``ours`` leaves the shape of the official sample: a key the sample does not have,
    a list where it has an object, a number where it has text …"""
    if isinstance(sample, dict):
        if not isinstance(ours, dict):
            return [f"{at}: {type(ours).__name__}, not an object"]
        out = []
        for key, value in ours.items():
            if key not in sample:
                out.append(f"{at}.{key}: not in the official sample")
            else:
                out.extend(_same_shape(value, sample[key], f"{at}.{key}"))
        return out
    if isinstance(sample, list):
        if not isinstance(ours, list):
            return [f"{at}: {type(ours).__name__}, not a list"]
        return [p for i, item in enumerate(ours) for p in _same_shape(item, sample[0], f"{at}[{i}]")]
    kinds = {bool: "bool", int: "int", float: "number", str: "str"}
    if kinds.get(type(ours)) != kinds.get(type(sample)):
        return [f"{at}: {type(ours).__name__} where the sample has {type(sample).__name__}"]
    return []


@pytest.fixture()
def bodies(folder: Path) -> dict[str, dict[str, Any]]:
    return _published_bodies(folder)


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    if not REQUEST_SAMPLE.exists():
        pytest.fail(f"the official request sample is missing: {REQUEST_SAMPLE}")
    return json.loads(REQUEST_SAMPLE.read_text("utf-8"))


def test_body_skus_and_sales_attributes_follow_the_official_sample(bodies: dict, sample: dict) -> None:
    body = bodies["BIN-S"]
    assert _same_shape(body["skus"], sample["skus"], "skus") == []
    assert [s["seller_sku"] for s in body["skus"]] == ["BIN-S", "BIN-M", "BIN-L"]
    sizes = [s["sales_attributes"] for s in body["skus"]]
    assert all(len(a) == 1 and a[0]["name"] == "Size" and a[0]["id"] == "100007" for a in sizes)
    assert [a[0]["value_name"] for a in sizes] == ["Small", "Medium", "Large"]
    assert all(a[0]["value_id"].startswith("100007") for a in sizes)  # listed values go by id
    uris = [a[0]["sku_img"]["uri"] for a in sizes]
    assert uris[0] == uris[2] != uris[1]  # the same picture is uploaded once: one URI
    buds = bodies["EB-BLK"]["skus"]
    assert buds[0]["sales_attributes"][0]["value_id"] and "sku_img" not in buds[0]["sales_attributes"][0]
    custom = buds[1]["sales_attributes"][0]
    assert custom == {"id": "100000", "name": "Color", "value_name": "Sky Teal"}  # a custom value: no value id
    assert "sales_attributes" not in bodies["BOX-9"]["skus"][0]  # one SKU, no variation


def test_body_package_follows_the_official_sample(bodies: dict, sample: dict) -> None:
    for body in (bodies["BIN-S"], bodies["EB-BLK"]):
        for key in ("package_weight", "package_dimensions"):
            assert _same_shape(body[key], sample[key], key) == []
    assert bodies["BIN-S"]["package_weight"] == {"value": "0.6", "unit": "POUND"}
    assert bodies["BIN-S"]["package_dimensions"] == {"length": "11", "width": "11", "height": "6", "unit": "INCH"}
    assert bodies["EB-BLK"]["package_weight"] == {"value": "0.12", "unit": "KILOGRAM"}
    assert bodies["EB-BLK"]["package_dimensions"]["unit"] == "CENTIMETER"


def test_body_price_per_sku_follows_the_official_sample(bodies: dict, sample: dict) -> None:
    skus = bodies["BIN-S"]["skus"]
    for sku in skus:
        assert _same_shape(sku["price"], sample["skus"][0]["price"], "price") == []
    assert [s["price"]["amount"] for s in skus] == ["8.99", "10.99", "12.99"]
    assert [s["price"]["sale_price"] for s in skus] == ["8.99", "10.99", "12.99"]  # a China warehouse shop
    assert skus[0]["list_price"] == {"amount": "12.99", "currency": "USD"} and "list_price" not in skus[1]
    assert _same_shape(skus[0]["list_price"], sample["skus"][0]["list_price"], "list_price") == []
    assert [s["price"]["sale_price"] for s in bodies["EB-BLK"]["skus"]] == ["29.99", "27.99"]


def test_body_inventory_names_the_shops_warehouse(bodies: dict, sample: dict) -> None:
    warehouse = bodies["_warehouses"]["warehouses"][0]["id"]
    for key in ("BIN-S", "EB-BLK", "BOX-9"):
        for sku in bodies[key]["skus"]:
            assert _same_shape(sku["inventory"], sample["skus"][0]["inventory"], "inventory") == []
            assert [e["warehouse_id"] for e in sku["inventory"]] == [warehouse]
    assert [s["inventory"][0]["quantity"] for s in bodies["BIN-S"]["skus"]] == [60, 45, 30]
    assert bodies["BIN-S"]["skus"][0]["identifier_code"] == {"code": "841234000011", "type": "UPC"}
    assert _same_shape(bodies["BIN-S"]["skus"][0]["identifier_code"], sample["skus"][0]["identifier_code"],
                       "identifier_code") == []


def test_body_brand_is_the_id_get_brands_gives(bodies: dict, sample: dict) -> None:
    brands = {b["name"]: b["id"] for b in bodies["_brands"]["brands"]}
    assert bodies["BIN-S"]["brand_id"] == brands["Tidyhome"] and bodies["EB-BLK"]["brand_id"] == brands["Yunfeng"]
    assert _same_shape({"brand_id": bodies["BIN-S"]["brand_id"]}, sample, "") == []


def test_body_certifications_carry_the_uploaded_pdf_and_expiry(bodies: dict, sample: dict) -> None:
    import datetime as dt

    certs = bodies["EB-BLK"]["certifications"]
    assert _same_shape(certs, sample["certifications"], "certifications") == []
    assert len(certs) == 1 and len(certs[0]["files"]) == 1
    file = certs[0]["files"][0]
    assert file["format"] == "PDF" and file["name"] == "fcc-eb100.pdf" and file["id"]
    assert certs[0]["expiration_date"] == int(dt.datetime(2030, 2, 1, tzinfo=dt.timezone.utc).timestamp())
    assert "certifications" not in bodies["BIN-S"]


def test_body_product_attributes_follow_the_official_sample(bodies: dict, sample: dict) -> None:
    attrs = bodies["EB-BLK"]["product_attributes"]
    assert _same_shape(attrs, sample["product_attributes"], "product_attributes") == []
    warranty = next(a for a in attrs if a["id"] == "7300030")
    assert warranty["values"] == [{"id": "7300030004", "name": "1 Year"}]  # a listed value, by its id
    assert all(a["values"] and a["id"] for a in attrs)
    # the remaining top-level fields have the sample's shape too
    rest = {k: v for k, v in bodies["EB-BLK"].items()
            if k not in ("skus", "package_weight", "package_dimensions", "certifications", "product_attributes")}
    assert _same_shape(rest, sample, "") == []
    assert bodies["EB-BLK"]["idempotency_key"] != bodies["BIN-S"]["idempotency_key"]


# Each validation of a product the sandbox makes, driven through publish. A case is
# (rows, sandbox config, document file, force) → (kind, reason or codes) every SKU of the product
# gets. Where preflight already catches the problem, ``force`` sends it anyway, so the sandbox's
# own refusal (the platform's code) is what publish reports.
def _case_rows(first: int = 0, count: int = 3, **changes: dict[str, str]) -> list[dict[str, str]]:
    rows = [dict(r) for r in _rows()[first:first + count]]
    for i, row_changes in changes.items():
        rows[int(i.lstrip("r"))].update(row_changes)
    return rows


_TEE = {"category": "Womenswear & Underwear > Women's Underwear > T-Shirts", "attributes": "Material: Cotton",
        "size_chart": "images/tee-sizes.png"}
CASES: dict[str, tuple[list[dict[str, str]], dict[str, Any], str, bool, str, Any]] = {
    # a brand Get Brands does not know: a skip, never a product sent without its brand
    "brand_unknown": (_case_rows(r0={"brand": "Nobrandia"}), {}, "", False, "skipped", "brand_not_found"),
    # the shop has no sales warehouse to put the inventory in
    "no_warehouse": (_case_rows(), {"warehouse_id": ""}, "", False, "skipped", "warehouse_missing"),
    # two SKUs with the same variation: preflight's product rule stops it …
    "duplicate_variation": (_case_rows(r2={"sales_attributes": "Size: Medium"}), {}, "", False, "skipped",
                            "preflight_failed"),
    # … and, sent anyway, the platform's 12052560
    "duplicate_variation_sent": (_case_rows(r2={"sales_attributes": "Size: Medium"}), {}, "", True, "failed",
                                 "12052560"),
    # a SKU without its variation in a product of several
    "variation_missing_sent": (_case_rows(r1={"sales_attributes": ""}), {}, "", True, "failed", "12019117"),
    # a custom Size where the category lists its sizes only (the apparel profile): preflight's
    # category check stops it …
    "custom_value": (_case_rows(r0={**_TEE, "sales_attributes": "Size: Huge"},
                                r1={"sales_attributes": "Size: M"}, r2={"sales_attributes": "Size: L"}),
                     {}, "", False, "skipped", "preflight_failed"),
    # … and, sent anyway, Create Product refuses it
    "custom_value_refused": (_case_rows(r0={**_TEE, "sales_attributes": "Size: Huge"},
                                        r1={"sales_attributes": "Size: M"}, r2={"sales_attributes": "Size: L"}),
                             {}, "", True, "failed", "12052240"),
    # the apparel leaf requires a size chart: preflight stops a product without one …
    "size_chart_missing": (_case_rows(r0={**_TEE, "size_chart": "", "sales_attributes": "Size: S"},
                                      r1={"sales_attributes": "Size: M"}, r2={"sales_attributes": "Size: L"}),
                           {}, "", False, "skipped", "preflight_failed"),
    # … and, sent anyway, the platform's 12052673
    "size_chart_missing_sent": (_case_rows(r0={**_TEE, "size_chart": "", "sales_attributes": "Size: S"},
                                           r1={"sales_attributes": "Size: M"}, r2={"sales_attributes": "Size: L"}),
                                {}, "", True, "failed", "12052673"),
    # a size chart below Upload Image's minimum short side: preflight stops it (the upload refusal
    # itself is test_a_size_chart_the_platform_refuses_to_upload_fails_the_product)
    "size_chart_too_small": (_case_rows(r0={**_TEE, "size_chart": "images/small-sizes.png",
                                            "sales_attributes": "Size: S"},
                                        r1={"sales_attributes": "Size: M"}, r2={"sales_attributes": "Size: L"}),
                             {}, "", False, "skipped", "preflight_failed"),
    # a size-chart template the shop does not have: Check Listing answers 12052128 …
    "size_chart_template_unknown": (_case_rows(r0={**_TEE, "size_chart": "7000000000000000001",
                                                   "sales_attributes": "Size: S"},
                                               r1={"sales_attributes": "Size: M"}, r2={"sales_attributes": "Size: L"}),
                                    {}, "", False, "failed", "12052128"),
    # … and so does Create Product, sent without the check
    "size_chart_template_unknown_sent": (_case_rows(r0={**_TEE, "size_chart": "7000000000000000001",
                                                        "sales_attributes": "Size: S"},
                                                    r1={"sales_attributes": "Size: M"},
                                                    r2={"sales_attributes": "Size: L"}),
                                         {}, "", True, "failed", "12052128"),
    # Get Brands knows the brand but the shop may not use it (not authorised / unavailable)
    "brand_unavailable": (_case_rows(), {"unavailable_brands": ("Tidyhome",)}, "", False, "skipped",
                          "brand_unavailable"),
    # a China-warehouse shop needs a sale price on every SKU
    "sale_price_missing_sent": (_case_rows(r1={"sale_price": ""}), {"warehouse_region": "CN"}, "", True, "failed",
                                "12052424"),
    # the certificate cannot become a PDF
    "certificate_format": (_case_rows(3, 2), {}, "documents/notes.docx", False, "skipped",
                           "certification_file_format"),
    # the category requires the certificate and the document has no file
    "certificate_missing": (_case_rows(3, 2), {}, "", False, "skipped", "certification_file_missing"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_sandbox_validation_reaches_publish_as_a_clear_reason(folder: Path, name: str) -> None:
    rows, config, doc_file, force, kind, expected = CASES[name]
    catalog = _write(folder, rows, doc_file=doc_file or "")
    region = config.get("warehouse_region", "US")
    with running_sandbox(SandboxConfig(**config)) as (base, sb), \
            open_ledger(folder / "l.db") as ledger, _client(base) as c:
        summary = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder, warehouse=region),
                          client=c, ledger=ledger, force=force)
        seen = [(o.seller_sku, o.kind, o.reason, o.codes, o.detail) for o in summary.outcomes]
        assert len(summary.outcomes) == len(rows), seen  # every SKU of the product hears it
        assert {o.kind for o in summary.outcomes} == {kind}, seen
        if kind == "skipped":
            assert {o.reason for o in summary.outcomes} <= {expected, "product_incomplete"}, seen
            assert expected in {o.reason for o in summary.outcomes}, seen
        else:
            assert all(expected in o.codes for o in summary.outcomes), seen
            assert all(o.request_id for o in summary.outcomes), seen  # the platform's, for support
            for o in summary.outcomes:  # recorded per SKU: the SKU's lock counts it
                assert [a.outcome for a in ledger.attempts(o.seller_sku)] == ["failed"]
        assert sb.all_products() == [], seen


def test_dry_run_cli_writes_one_request_per_product_with_all_its_skus(folder: Path) -> None:
    import os

    catalog = _write(folder, _rows())
    out = folder / "requests"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    res = subprocess.run([sys.executable, "-m", "shelfcheck", "publish", str(catalog), "--dry-run", "--out", str(out),
                          "--documents", str(folder / "documents.csv"), "--shop", str(_shop(folder)),
                          "--db", str(folder / "l.db"), "--format", "json"],
                         capture_output=True, text=True, env=env, timeout=180, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert {s["seller_sku"] for s in summary["skipped"] if s["reason"] == "dry_run"} == {
        "BIN-S", "BIN-M", "BIN-L", "EB-BLK", "EB-WHT", "BOX-9"}
    index = json.loads((out / "index.json").read_text("utf-8"))
    entries = {e["product_key"] or e["seller_sku"]: e for e in index["requests"]}
    assert set(entries) == {"BIN", "EB", "BOX-9"}  # one request per product, not per row
    assert entries["BIN"]["seller_skus"] == ["BIN-S", "BIN-M", "BIN-L"] and entries["BIN"]["offline"]["passed"]
    body = json.loads((out / entries["BIN"]["file"]).read_text("utf-8"))
    assert [s["seller_sku"] for s in body["skus"]] == ["BIN-S", "BIN-M", "BIN-L"]
    assert [s["sales_attributes"][0]["value_name"] for s in body["skus"]] == ["Small", "Medium", "Large"]
    assert body["skus"][1]["sales_attributes"][0]["sku_img"] == {"uri": "<upload:images/box-2.jpg>"}
    assert body["brand_id"] == "<brand:Tidyhome>"  # offline: what Get Brands will resolve
    assert body["skus"][0]["inventory"][0]["warehouse_id"] == "<warehouse:CN>"
    assert _same_shape(body, json.loads(REQUEST_SAMPLE.read_text("utf-8")), "") == []


def test_dry_run_through_the_sandbox_checks_each_product_once(folder: Path) -> None:
    catalog = _write(folder, _rows())
    out = folder / "requests"
    with running_sandbox(SandboxConfig(warehouse_region="CN")) as (base, sb), \
            open_ledger(folder / "l.db") as ledger, _client(base) as c:
        summary = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=c, ledger=ledger,
                          dry_run=True, out=out)
        assert {(o.kind, o.reason) for o in summary.outcomes} == {("skipped", "dry_run")}
        assert sb.all_products() == []
    index = json.loads((out / "index.json").read_text("utf-8"))
    assert [len(e["seller_skus"]) for e in index["requests"]] == [3, 2, 1]
    assert all(e["listing_check"]["check_result"] == "PASS" for e in index["requests"])
    body = json.loads((out / index["requests"][1]["file"]).read_text("utf-8"))
    assert body["certifications"][0]["files"][0]["format"] == "PDF"  # uploaded for the check


def _count_uploads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record each image upload as (sha256 of the content, use case); the upload still happens."""
    import hashlib

    sent: list[tuple[str, str]] = []
    original = ApiClient.upload_image

    def counting(self: ApiClient, content: bytes, **kwargs: Any) -> Any:
        sent.append((hashlib.sha256(content).hexdigest(), kwargs.get("use_case", "")))
        return original(self, content, **kwargs)

    monkeypatch.setattr(ApiClient, "upload_image", counting)
    return sent


def test_each_image_is_uploaded_once_per_content_hash(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    sent = _count_uploads(monkeypatch)
    catalog = _write(folder, _rows())
    with running_sandbox(SandboxConfig(warehouse_region="CN")) as (base, _sb), \
            open_ledger(folder / "l.db") as ledger, _client(base) as c:
        publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=c, ledger=ledger)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (folder / "images").iterdir()}
    # box-1..3 (the bin and the box share them; box-1 and box-2 are SKU images too) and earbuds-1..3
    assert sorted(d for d, _ in sent) == sorted({files[n] for n in (
        "box-1.jpg", "box-2.jpg", "box-3.jpg", "earbuds-1.jpg", "earbuds-2.jpg", "earbuds-3.jpg")})


def test_a_product_whose_rows_are_not_consecutive_publishes_whole(folder: Path) -> None:
    bin_s, bin_m, bin_l, eb_blk, eb_wht, box = _rows()
    rows = [bin_s, box, eb_blk, bin_m, eb_wht, bin_l]  # the bin's rows at 2, 5 and 7, the earbuds' between
    catalog = _write(folder, rows)
    with running_sandbox(SandboxConfig(warehouse_region="CN")) as (base, sb), \
            open_ledger(folder / "l.db") as ledger, _client(base) as c:
        summary = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=c, ledger=ledger)
        seen = [(o.seller_sku, o.kind, o.reason, o.codes) for o in summary.outcomes]
        assert {o.kind for o in summary.outcomes} == {"published"}, seen
        assert sorted(o.seller_sku for o in summary.outcomes) == sorted(r["seller_sku"] for r in rows)
        made = _products(sb)
        assert set(made) == {frozenset({"BIN-S", "BIN-M", "BIN-L"}), frozenset({"EB-BLK", "EB-WHT"}),
                             frozenset({"BOX-9"})}
        bodies = _bodies(sb)
        assert [s["seller_sku"] for s in bodies["BIN-S"]["skus"]] == ["BIN-S", "BIN-M", "BIN-L"]
        # the later rows' blank product cells take the product's, as preflight read them
        assert bodies["BIN-S"]["title"] == bin_s["title"]
        by_sku = {o.seller_sku: o.row for o in summary.outcomes}
        assert by_sku == {"BIN-S": 2, "BOX-9": 3, "EB-BLK": 4, "BIN-M": 5, "EB-WHT": 6, "BIN-L": 7}
        again = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=c, ledger=ledger)
        assert {(o.kind, o.reason) for o in again.outcomes} == {("skipped", "already_published")}


def _live_listings() -> int:
    import gc

    from shelfcheck.model import Listing

    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Listing))


def test_publish_holds_only_the_rows_of_products_not_yet_complete(folder: Path) -> None:
    """Forty one-SKU products between the two rows of one product: while each is published,
    only its own row and the first row of the open product are alive — not the catalogue."""
    box = _rows()[5]
    first, second = dict(_rows()[0]), dict(_rows()[1])
    rows = [first] + [{**box, "seller_sku": f"BOX-{i:02d}"} for i in range(40)] + [second]
    catalog = _write(folder, rows)
    before = _live_listings()
    alive: list[int] = []
    with open_ledger(folder / "l.db") as ledger:
        summary = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=None,
                          ledger=ledger, dry_run=True, on_outcome=lambda o: alive.append(_live_listings() - before))
    assert len(summary.outcomes) == 42 and {o.reason for o in summary.outcomes} == {"dry_run"}
    assert max(alive) <= 3, alive  # the open product's first row, the product being sent, the next row read
    assert [o.seller_sku for o in summary.outcomes][-2:] == ["BIN-S", "BIN-M"]  # sent once its last row is read


def test_a_catalogue_changed_between_the_two_readings_stops_with_its_row(folder: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import shelfcheck.publish as publishing
    from shelfcheck.errors import InputError

    catalog = _write(folder, _rows())
    first_pass = publishing._first_pass

    def then_edit(run: Any) -> Any:
        plan = first_pass(run)
        rows = _rows()
        rows[3]["seller_sku"] = "EB-RED"  # the file is rewritten after it was checked
        _write(folder, rows)
        return plan

    monkeypatch.setattr(publishing, "_first_pass", then_edit)
    with open_ledger(folder / "l.db") as ledger, pytest.raises(InputError) as info:
        publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=None, ledger=ledger,
                dry_run=True)
    assert info.value.row == 5 and "changed" in info.value.message


def test_a_product_with_a_locked_sku_is_skipped_whole(folder: Path) -> None:
    import datetime as dt

    catalog = _write(folder, _rows())
    now = dt.datetime.now(dt.timezone.utc)
    with running_sandbox(SandboxConfig(warehouse_region="CN")) as (base, sb), \
            open_ledger(folder / "l.db") as ledger, _client(base) as c:
        for minutes in (40, 30, 20, 10):
            ledger.record_attempt("BIN-M", "failed", reasons=["12052262"], at=now - dt.timedelta(minutes=minutes))
        summary = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=c, ledger=ledger,
                          force=True)  # not even with force
        got = {o.seller_sku: (o.kind, o.reason, o.detail) for o in summary.outcomes}
        assert got["BIN-M"][:2] == ("skipped", "sku_locked")
        assert got["BIN-S"] == got["BIN-L"] == ("skipped", "product_incomplete", "BIN-M: sku_locked")
        assert {got[s][0] for s in ("EB-BLK", "EB-WHT", "BOX-9")} == {"published"}
        assert frozenset({"BIN-S", "BIN-M", "BIN-L"}) not in _products(sb) and len(sb.all_products()) == 2
        assert ledger.attempts("BIN-S") == [] and len(ledger.attempts("BIN-M")) == 4  # nothing new recorded


def test_a_product_created_but_never_recorded_is_found_by_any_of_its_skus(folder: Path) -> None:
    catalog = _write(folder, _rows())
    with running_sandbox(SandboxConfig(warehouse_region="CN")) as (base, sb), _client(base) as c:
        with open_ledger(folder / "first.db") as ledger:
            publish(catalog, documents=folder / "documents.csv", shop=_shop(folder), client=c, ledger=ledger)
        # a run whose ledger lost everything (killed before recording), and a product whose
        # first row moved: Search Products by the product's seller SKUs still finds it
        rows = _rows()
        rows[0], rows[2] = {**rows[0], "seller_sku": "BIN-L", "sales_attributes": "Size: Large"}, \
            {"seller_sku": "BIN-S", "product_key": "BIN", "price": "8.99", "sale_price": "8.99", "list_price": "12.99",
             "quantity": "60", "sales_attributes": "Size: Small", "sku_image": "images/box-1.jpg",
             "identifier_code_type": "UPC", "identifier_code": "841234000011"}
        with open_ledger(folder / "second.db") as ledger:
            again = publish(_write(folder, rows), documents=folder / "documents.csv", shop=_shop(folder),
                            client=c, ledger=ledger)
            assert {(o.kind, o.reason) for o in again.outcomes} == {("skipped", "already_published")}
            assert len(sb.all_products()) == 3
            assert all(a.source == "publish" for s in ("BIN-M", "EB-WHT") for a in ledger.attempts(s))


def _tee_rows() -> list[dict[str, str]]:
    """A T-shirt in three listed sizes with its size chart (the apparel leaf requires one), and
    the one-SKU box of the home category (no size chart wanted there)."""
    return _case_rows(r0={**_TEE, "title": "Women's Cotton Crew Neck T-Shirt, Short Sleeve, Beige",
                          "sales_attributes": "Size: S", "product_key": "TEE", "seller_sku": "TEE-S"},
                      r1={"sales_attributes": "Size: M", "product_key": "TEE", "seller_sku": "TEE-M"},
                      r2={"sales_attributes": "Size: L", "product_key": "TEE", "seller_sku": "TEE-L"}) \
        + [dict(_rows()[5])]


def test_apparel_publishes_with_its_size_chart_uploaded_once(folder: Path, sample: dict,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    from sqlalchemy import select

    from shelfcheck.sandbox.state import images

    sent = _count_uploads(monkeypatch)
    rows = _tee_rows()
    rows[-1]["size_chart"] = "images/tee-sizes.png"  # the same chart on a second product: one upload
    catalog = _write(folder, rows)
    with running_sandbox(SandboxConfig()) as (base, sb), open_ledger(folder / "l.db") as ledger, _client(base) as c:
        summary = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder, warehouse="US"),
                          client=c, ledger=ledger)  # without force: preflight and Check Listing pass
        seen = [(o.seller_sku, o.kind, o.reason, o.codes) for o in summary.outcomes]
        assert {o.kind for o in summary.outcomes} == {"published"}, seen
        bodies = _bodies(sb)
        with sb.engine.begin() as conn:
            use_cases = {r.uri: r.use_case for r in conn.execute(select(images.c.uri, images.c.use_case))}
    chart = hashlib.sha256((folder / "images" / "tee-sizes.png").read_bytes()).hexdigest()
    assert [u for d, u in sent if d == chart] == ["SIZE_CHART_IMAGE"]  # once per content hash
    tee = bodies["TEE-S"]
    assert [s["seller_sku"] for s in tee["skus"]] == ["TEE-S", "TEE-M", "TEE-L"]
    assert set(tee["size_chart"]) == {"image"}
    assert _same_shape(tee["size_chart"], sample["size_chart"], "size_chart") == []
    assert use_cases[tee["size_chart"]["image"]["uri"]] == "SIZE_CHART_IMAGE"
    assert bodies["BOX-9"]["size_chart"] == tee["size_chart"]
    assert all(s["sales_attributes"][0]["value_id"] for s in tee["skus"])  # listed sizes, by id


def test_a_size_chart_template_id_is_sent_as_the_template(folder: Path) -> None:
    rows = _tee_rows()
    rows[0]["size_chart"] = "7267563252536723205"  # a template of the shop's size charts
    catalog = _write(folder, rows)
    out = folder / "requests"
    with running_sandbox(SandboxConfig()) as (base, _sb), open_ledger(folder / "l.db") as ledger, \
            _client(base) as c:
        publish(catalog, documents=folder / "documents.csv", shop=_shop(folder, warehouse="US"), client=c,
                ledger=ledger, dry_run=True, out=out)
    index = json.loads((out / "index.json").read_text("utf-8"))
    tee = next(e for e in index["requests"] if e["product_key"] == "TEE")
    body = json.loads((out / tee["file"]).read_text("utf-8"))
    assert body["size_chart"] == {"template": {"id": "7267563252536723205"}}


def test_a_size_chart_the_platform_refuses_to_upload_fails_the_product(folder: Path) -> None:
    rows = _tee_rows()
    rows[0]["size_chart"] = "images/small-sizes.png"  # 800 x 1200: below SIZE_CHART_IMAGE's 1024
    catalog = _write(folder, rows)
    with running_sandbox(SandboxConfig()) as (base, sb), open_ledger(folder / "l.db") as ledger, _client(base) as c:
        checked = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder, warehouse="US"),
                          client=c, ledger=ledger)
        tee = [o for o in checked.outcomes if o.seller_sku.startswith("TEE")]
        assert {(o.kind, o.reason) for o in tee} <= {("skipped", "preflight_failed"),
                                                     ("skipped", "product_incomplete")}
        assert "size_chart_image_invalid" in next(o for o in tee if o.seller_sku == "TEE-S").codes
        assert [o.kind for o in checked.outcomes if o.seller_sku == "BOX-9"] == ["published"]
        sent = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder, warehouse="US"),
                       client=c, ledger=ledger, force=True)  # sent anyway: Upload Image refuses the chart
        tee = [o for o in sent.outcomes if o.seller_sku.startswith("TEE")]
        seen = [(o.seller_sku, o.kind, o.codes, o.findings, o.messages) for o in tee]
        assert [o.seller_sku for o in tee] == ["TEE-S", "TEE-M", "TEE-L"], seen
        assert all(o.kind == "failed" and o.codes == ["12038014"] for o in tee), seen
        assert all(o.findings == ["size_chart_image_invalid"] for o in tee), seen
        assert "1024 x 1024" in tee[0].messages[0] and "800 x 1200" in tee[0].messages[0], seen
        assert all(frozenset(p) != {"TEE-S", "TEE-M", "TEE-L"} for p in _products(sb))  # never created
        assert ledger.attempts("TEE-S") == []  # an upload is no submission: the lock does not count it


def test_a_size_chart_template_the_shop_does_not_have_maps_to_size_chart_missing(folder: Path) -> None:
    rows = _tee_rows()
    rows[0]["size_chart"] = "7000000000000000001"
    catalog = _write(folder, rows)
    config = SandboxConfig(size_chart_templates=("7267563252536723205", "7000000000000000001"))
    with running_sandbox(config) as (base, _sb), open_ledger(folder / "ok.db") as ledger, _client(base) as c:
        summary = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder, warehouse="US"),
                          client=c, ledger=ledger)
        assert {o.kind for o in summary.outcomes} == {"published"}  # the shop has this template
    with running_sandbox(SandboxConfig()) as (base, _sb), open_ledger(folder / "l.db") as ledger, _client(base) as c:
        summary = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder, warehouse="US"),
                          client=c, ledger=ledger)
    tee = [o for o in summary.outcomes if o.seller_sku.startswith("TEE")]
    assert all(o.kind == "failed" and o.codes == ["12052128"] and o.detail == "listing_check" for o in tee)
    assert all(o.findings == ["size_chart_missing"] for o in tee)  # through the platform-code table
    assert "Size chart not found" in tee[0].messages[0]


def test_a_size_chart_the_platform_never_uploaded_is_refused(folder: Path) -> None:
    from shelfcheck.policy import load_policy
    from shelfcheck.sandbox.validate import validate_body

    body = {"size_chart": {"image": {"uri": "tos-sandbox-us/never-uploaded"}}}
    codes = {v.code for v in validate_body(body, policy=load_policy(None), rules=None, attributes=None,
                                           warehouse_region="US", known_images={"tos-sandbox-us/abc"})}
    assert 12052670 in codes
    body["size_chart"]["image"]["uri"] = "tos-sandbox-us/abc"
    codes = {v.code for v in validate_body(body, policy=load_policy(None), rules=None, attributes=None,
                                           warehouse_region="US", known_images={"tos-sandbox-us/abc"})}
    assert 12052670 not in codes


def test_the_sandbox_audit_judges_every_sku(folder: Path) -> None:
    # the third SKU's UPC fails its check digit: only the policy audit sees it (the field checks
    # do not read identifier codes), so it is found only if every SKU is audited
    rows = _case_rows(r2={"identifier_code_type": "UPC", "identifier_code": "841234000012"})
    catalog = _write(folder, rows)
    with running_sandbox(SandboxConfig()) as (base, sb), open_ledger(folder / "l.db") as ledger, _client(base) as c:
        summary = publish(catalog, documents=folder / "documents.csv", shop=_shop(folder, warehouse="US"),
                          client=c, ledger=ledger, force=True)
        seen = [(o.seller_sku, o.kind, o.codes, o.messages) for o in summary.outcomes]
        assert {o.kind for o in summary.outcomes} == {"failed"}, seen
        assert all("12052591" in o.codes for o in summary.outcomes), seen
        assert any("skus[2]" in m for o in summary.outcomes for m in o.messages), seen
        assert sb.all_products() == []
    # the same product with a good code on every SKU publishes (the audit is not refusing all)
    good = _case_rows(r2={"identifier_code_type": "UPC", "identifier_code": "841234000011"})
    with running_sandbox(SandboxConfig()) as (base, sb), open_ledger(folder / "m.db") as ledger, _client(base) as c:
        summary = publish(_write(folder, good), documents=folder / "documents.csv",
                          shop=_shop(folder, warehouse="US"), client=c, ledger=ledger, force=True)
        assert {o.kind for o in summary.outcomes} == {"published"}
