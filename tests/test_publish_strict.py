"""The strict sandbox through `publish`: each documented refusal reaches the seller as a clear
reason; verdicts carry request ids and our finding codes; the daily upload quota; dry runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import make_image, write_csv
from shelfcheck.ledger import open_ledger
from shelfcheck.policy import load_policy
from shelfcheck.publish import publish
from shelfcheck.sandbox import (
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_APP_KEY,
    SANDBOX_APP_SECRET,
    SANDBOX_SHOP_CIPHER,
    SandboxConfig,
)
from shelfcheck.sandbox.validate import FALLBACK, official_message
from shelfcheck.tiktok.client import ApiClient, Credentials
from shelfcheck.tiktok.errors import ApiError
from shelfcheck.tiktok.listing_rules import check_body
from tiktok_helpers import COMPLETE_RECORD, running_sandbox

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "data" / "tiktok_api" / "samples"
POLICY = load_policy(None)
LIMITS = POLICY.create_product

BOX = {"seller_sku": "ST-BOX-01", "title": "Stackable Storage Box with Lid, 12 L, Clear",
       "category": "Home Supplies > Storage & Organisation", "brand": "Tidyhome", "price": "12.99",
       "quantity": "40", "country_of_origin": "China", "origin_label": "Made in China",
       "manufacturer_name": "Ningbo Tidyhome Plastics Co., Ltd.",
       "manufacturer_address": "No. 88 Jiangnan Road, Yinzhou District, Ningbo, Zhejiang 315100, China",
       **COMPLETE_RECORD}


# a shop in good standing (no shop finding stops the run)
SHOP = """seller_id: US1234567890
kyc_complete: true
store_compliant: true
app: {name: DianXiaoMi, status: Active, permissions: [product_read, product_write], api_version: "4.1",
      authorized_at: 2024-06-20}
integrations: [{name: DianXiaoMi, connected_at: 2024-06-01}]
"""


def _client(base: str) -> ApiClient:
    return ApiClient(Credentials(SANDBOX_APP_KEY, SANDBOX_APP_SECRET, SANDBOX_ACCESS_TOKEN, SANDBOX_SHOP_CIPHER),
                     base_url=base)


def _catalog(folder: Path, rows: list[dict[str, str]]) -> Path:
    """A seller's CSV of ``rows`` (each with three white-background product shots)."""
    (folder / "images").mkdir(parents=True, exist_ok=True)
    out = []
    for i, row in enumerate(rows):
        refs = []
        for j in range(3):
            name = f"images/p{i}-{j}.jpg"
            make_image(folder / name, product=(30 * j + 10 * i, 90, 160))
            refs.append(name)
        out.append({**row, "main_images": "|".join(refs)})
    header: list[str] = []
    for row in out:
        header += [k for k in row if k not in header]
    path = folder / "catalog.csv"
    write_csv(path, [{k: r.get(k, "") for k in header} for r in out])
    return path


# English, but longer than create_product.description_max_length: only the platform side checks it
LONG_DESCRIPTION = "<p>" + "Sturdy clear storage box with a snap-on lid. " * 230 + "</p>"


def _pack_without_description_length(folder: Path) -> Path:
    """The default pack with the preflight's ``description_too_long`` off: a too-long description
    then reaches the request, where the offline body check (the same pack's limit) refuses it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pack.yaml"
    path.write_text("extends: tiktok-us-2024-07\nname: no-description-length\nrules:\n"
                    "  description_too_long: {enabled: false}\n", "utf-8")
    return path

# (what the seller wrote, the platform's code the sandbox answers with)
REFUSALS = [
    ({"package_weight": ""}, "12019011"),
    ({"package_weight": "0 kg"}, "12052181"),
    ({"package_weight": "1.2345 kg"}, "12052006"),
    ({"package_weight": "1.234 lb", "package_length": "12 in", "package_width": "8 in",
      "package_height": "5 in"}, "12052006"),
    ({"package_length": "", "package_width": "", "package_height": ""}, "12019012"),
    ({"package_length": "30.5 cm"}, "12019012"),
    ({"package_weight": "1.5 lb"}, "12052915"),
    ({"description": ""}, "12052015"),
    ({"description": "结实耐用的收纳盒 Sturdy storage box"}, "12052346"),
    ({"price": "9000"}, "12052570"),
    ({"price": "abc"}, "12052073"),
    ({"list_price": "9.99"}, "12052375"),
    ({"list_price": "8000"}, "12052383"),
    ({"quantity": "0"}, "12052055"),
    ({"quantity": "100000"}, "12052055"),
    ({"manufacturer_address": "浙江省宁波市鄞州区江南路88号"}, "12052250"),
]


@pytest.mark.parametrize("change, code", REFUSALS, ids=[c for _, c in REFUSALS])
def test_each_refusal_reaches_publish_as_a_failure_with_its_code(tmp_path: Path, change: dict, code: str) -> None:
    catalog = _catalog(tmp_path, [{**BOX, **change}])
    with running_sandbox() as (base, sb), open_ledger(tmp_path / "l.db") as ledger, _client(base) as c:
        # --force sends past preflight and the check, so the create call meets the sandbox's own rules
        summary = publish(catalog, client=c, ledger=ledger, force=True)
        [outcome] = summary.outcomes
        assert outcome.kind == "failed", (outcome.reason, outcome.detail)
        assert outcome.codes == [code] and outcome.request_id
        assert sb.all_products() == []
        [attempt] = ledger.attempts(BOX["seller_sku"])
        assert attempt.outcome == "failed" and attempt.reasons == (code,) and attempt.request_id == outcome.request_id
        # without --force: Check Product Listing (or preflight) stops it before any create
        summary = publish(_catalog(tmp_path / "again", [{**BOX, **change, "seller_sku": "ST-BOX-02"}]),
                          client=c, ledger=ledger)
        [outcome] = summary.outcomes
        if outcome.kind == "failed":
            assert code in outcome.codes and outcome.detail == "listing_check" and outcome.request_id
            assert any(m.startswith(official_message(int(code), None)) for m in outcome.messages)
        else:
            assert (outcome.kind, outcome.reason) == ("skipped", "preflight_failed") and outcome.codes
        assert sb.all_products() == []


def test_the_complete_row_publishes_and_list_price_above_price_is_fine(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, [{**BOX, "list_price": "15.99"}])
    with running_sandbox() as (base, sb), open_ledger(tmp_path / "l.db") as ledger, _client(base) as c:
        [outcome] = publish(catalog, client=c, ledger=ledger).outcomes
        assert outcome.kind == "published", (outcome.codes, outcome.messages)
        [product] = sb.all_products()
        assert product["status"] in ("PENDING", "ACTIVATE")


def test_china_warehouse_shop_must_send_a_sale_price(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, [BOX])
    with running_sandbox(SandboxConfig(warehouse_region="CN")) as (base, _), \
            open_ledger(tmp_path / "l.db") as ledger, _client(base) as c:
        [outcome] = publish(catalog, client=c, ledger=ledger, force=True).outcomes
        assert outcome.kind == "failed" and outcome.codes == ["12052424"]


def test_category_certification_required_by_the_rules(tmp_path: Path) -> None:
    row = {**BOX, "seller_sku": "ST-EB-01", "title": "Wireless Earbuds Bluetooth 5.3 with Charging Case",
           "category": "Phones & Electronics > Audio > Earbuds", "model_number": "EB100", "fcc_id": "2AXYZ-EB100",
           "model_first_filing_date": "2024-01-15",
           "attributes": "Warranty Period: 1 Year"}  # the leaf's required attribute (sent by publish)
    catalog = _catalog(tmp_path, [row])
    with running_sandbox() as (base, _), open_ledger(tmp_path / "l.db") as ledger, _client(base) as c:
        [skipped] = publish(catalog, client=c, ledger=ledger).outcomes  # preflight knows it first
        assert skipped.reason == "preflight_failed" and "missing_fcc_test_report" in skipped.codes
        [outcome] = publish(catalog, client=c, ledger=ledger, force=True).outcomes
        assert outcome.kind == "failed" and outcome.codes == ["12052105"]
        assert "missing_fcc_test_report" in outcome.findings or outcome.findings == []


def test_cli_shows_the_platform_message_fix_and_request_id(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, [{**BOX, "description": ""}])
    env = dict(os.environ, SHELFCHECK_APP_KEY=SANDBOX_APP_KEY, SHELFCHECK_APP_SECRET=SANDBOX_APP_SECRET,
               SHELFCHECK_ACCESS_TOKEN=SANDBOX_ACCESS_TOKEN, SHELFCHECK_SHOP_CIPHER=SANDBOX_SHOP_CIPHER)
    with running_sandbox() as (base, _):
        res = subprocess.run([sys.executable, "-m", "shelfcheck", "publish", str(catalog), "--endpoint", base,
                              "--db", str(tmp_path / "l.db"), "--force"], env=env, cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    assert "12052015" in res.stdout and "request id" in res.stdout
    assert official_message(12052015, None) in res.stdout or "description" in res.stdout.lower()
    assert "fix:" in res.stdout  # our fix text for the code, from the platform-code table


# --- quota ------------------------------------------------------------------------------------

def test_publish_stops_before_the_shop_daily_limit_and_says_how_many_remain(tmp_path: Path) -> None:
    rows = [{**BOX, "seller_sku": f"ST-Q-{i}", "title": f"Stackable Storage Box with Lid, {10 + i} L, Clear"}
            for i in range(4)]
    catalog = _catalog(tmp_path, rows)
    shop = tmp_path / "shop.yaml"
    shop.write_text(SHOP + "daily_upload_limit: 2\n", "utf-8")
    heard = []
    with running_sandbox() as (base, sb), open_ledger(tmp_path / "l.db") as ledger, _client(base) as c:
        first = publish(catalog, client=c, ledger=ledger, shop=shop,
                        on_quota=lambda q: heard.append((q.remaining, q.limit)))
        assert heard == [(2, 2)]  # said before the first row
        assert [o.kind for o in first.outcomes] == ["published", "published", "skipped", "skipped"]
        assert {o.reason for o in first.of("skipped")} == {"daily_upload_limit"}
        assert first.to_json()["quota"] == {"limit": 2, "used": 2, "remaining": 0, "tier": None}
        assert len(sb.all_products()) == 2
        again = publish(catalog, client=c, ledger=ledger, shop=shop)  # the ledger counts today's creates
        assert again.quota.used == 2 and again.quota.remaining == 0
        assert {o.reason for o in again.outcomes} == {"already_published", "daily_upload_limit"}
        assert len(sb.all_products()) == 2


def test_probation_tier_sets_the_limit_from_the_pack(tmp_path: Path) -> None:
    from shelfcheck.ingest.shop import load_shop
    from shelfcheck.publish import quota_for

    shop = tmp_path / "shop.yaml"
    shop.write_text("upload_tier: beginner\n", "utf-8")
    policy = load_policy(None)
    with open_ledger(tmp_path / "l.db") as ledger:
        quota = quota_for(load_shop(shop), policy, ledger)
        assert quota.limit == policy.upload_quota.tiers["beginner"] and quota.remaining == quota.limit
        shop.write_text("upload_tier: pro\n", "utf-8")
        assert quota_for(load_shop(shop), policy, ledger) is None  # unlimited
        shop.write_text("upload_tier: gold\n", "utf-8")
        with pytest.raises(Exception, match="upload_tier"):
            load_shop(shop)


def test_sandbox_quota_answers_the_platform_error_and_publish_stops(tmp_path: Path) -> None:
    rows = [{**BOX, "seller_sku": f"ST-S-{i}", "title": f"Stackable Storage Box with Lid, {20 + i} L, Clear"}
            for i in range(3)]
    catalog = _catalog(tmp_path, rows)
    with running_sandbox(SandboxConfig(daily_upload_limit=1)) as (base, sb), \
            open_ledger(tmp_path / "l.db") as ledger, _client(base) as c:
        summary = publish(catalog, client=c, ledger=ledger)
        assert [o.kind for o in summary.outcomes] == ["published", "skipped", "skipped"]
        assert {o.reason for o in summary.of("skipped")} == {"daily_upload_limit"}
        assert summary.error is not None and summary.error.code == 12052093
        assert len(sb.all_products()) == 1
        assert ledger.attempts("ST-S-1") == []  # a quota refusal is no failed submission of the SKU


# --- dry run ----------------------------------------------------------------------------------

def _shape_ok(sent: object, sample: object, path: str = "") -> list[str]:
    """Where ``sent`` leaves the official sample's shape: a key the sample lacks or a type that differs."""
    problems = []
    if isinstance(sample, dict):
        if not isinstance(sent, dict):
            return [f"{path}: {type(sent).__name__}, not an object"]
        for key, value in sent.items():
            if key not in sample:
                problems.append(f"{path}.{key}: not in the official sample")
            else:
                problems += _shape_ok(value, sample[key], f"{path}.{key}")
    elif isinstance(sample, list):
        if not isinstance(sent, list):
            return [f"{path}: not an array"]
        for i, item in enumerate(sent):
            problems += _shape_ok(item, sample[0], f"{path}[{i}]") if sample else []
    elif isinstance(sample, bool) or isinstance(sent, bool):
        if type(sample) is not type(sent):
            problems.append(f"{path}: {type(sent).__name__}, sample has {type(sample).__name__}")
    elif isinstance(sample, (int, float)) != isinstance(sent, (int, float)) or \
            isinstance(sample, str) != isinstance(sent, str):
        problems.append(f"{path}: {type(sent).__name__}, sample has {type(sample).__name__}")
    return problems


def _request_sample() -> dict:
    path = SAMPLES / "product_202309_products.request.json"
    if not path.is_file():
        from optional import unavailable

        unavailable(f"the official Create Product request sample is not at {path}")
    return json.loads(path.read_text("utf-8"))


def test_dry_run_offline_writes_every_request_in_the_official_shape(tmp_path: Path) -> None:
    sample = _request_sample()
    catalog = _catalog(tmp_path / "in", [{**BOX, "list_price": "15.99", "identifier_code": "012345678905",
                                          "identifier_code_type": "UPC"},
                                         {**BOX, "seller_sku": "ST-BAD", "description": LONG_DESCRIPTION},
                                         {**BOX, "seller_sku": "ST-PRE", "package_weight": "1.2345 kg"}])
    out = tmp_path / "requests"
    env = dict(os.environ, SHELFCHECK_APP_SECRET="dry-run-secret-NEVER-WRITTEN",
               SHELFCHECK_ACCESS_TOKEN="dry-run-token-NEVER-WRITTEN")
    command = [sys.executable, "-m", "shelfcheck", "publish", str(catalog), "--dry-run", "--out", str(out),
               "--db", str(tmp_path / "l.db"), "--format", "json"]
    # with the default pack the preflight stops the long description before any request
    res = subprocess.run([*command[:7], str(tmp_path / "default"), *command[8:]], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert {s["seller_sku"] for s in json.loads(res.stdout)["skipped"] if s["reason"] == "preflight_failed"} == {
        "ST-BAD", "ST-PRE"}
    policy = _pack_without_description_length(tmp_path / "pack")
    res = subprocess.run([*command, "--policy", str(policy)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr  # one request would be refused
    summary = json.loads(res.stdout)
    assert {s["seller_sku"] for s in summary["skipped"] if s["reason"] == "dry_run"} == {"ST-BOX-01"}
    # too many weight decimals: the preflight's package_weight_invalid stops it before any request
    assert {s["seller_sku"] for s in summary["skipped"] if s["reason"] == "preflight_failed"} == {"ST-PRE"}
    assert summary["failed"] == [{"seller_sku": "ST-BAD", "codes": ["12052013"], "findings": summary["failed"][0]
                                  ["findings"], "request_id": None}]
    index = json.loads((out / "index.json").read_text("utf-8"))
    assert [e["seller_sku"] for e in index["requests"]] == ["ST-BOX-01", "ST-BAD"]
    assert index["requests"][0]["offline"] == {"passed": True, "violations": []}
    assert index["requests"][1]["offline"]["violations"][0]["code"] == 12052013
    for entry in index["requests"]:
        body = json.loads((out / entry["file"]).read_text("utf-8"))
        assert _shape_ok(body, sample) == [], entry["file"]
        assert body["package_weight"]["unit"] == "KILOGRAM" and body["package_dimensions"]["unit"] == "CENTIMETER"
        assert all(re.fullmatch(r"<upload:images/.+>", i["uri"]) for i in body["main_images"])
    good = json.loads((out / index["requests"][0]["file"]).read_text("utf-8"))
    assert good["skus"][0]["list_price"] == {"amount": "15.99", "currency": "USD"}
    assert good["skus"][0]["identifier_code"] == {"code": "012345678905", "type": "UPC"}
    for f in out.iterdir():
        text = f.read_text("utf-8")
        assert "NEVER-WRITTEN" not in text and SANDBOX_APP_SECRET not in text


def test_dry_run_through_check_product_listing_creates_nothing(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path / "in", [BOX, {**BOX, "seller_sku": "ST-LONG", "description": LONG_DESCRIPTION}])
    out = tmp_path / "requests"
    with running_sandbox() as (base, sb), open_ledger(tmp_path / "l.db") as ledger, _client(base) as c:
        summary = publish(catalog, client=c, ledger=ledger, dry_run=True, out=out,
                          policy=_pack_without_description_length(tmp_path / "pack"))
        assert [(o.kind, o.reason) for o in summary.outcomes] == [("skipped", "dry_run"), ("failed", None)]
        assert summary.outcomes[1].codes == ["12052013"]
        assert sb.all_products() == [] and ledger.count_attempts() == 0
    index = json.loads((out / "index.json").read_text("utf-8"))
    checked = index["requests"][0]["listing_check"]
    assert checked["check_result"] == "PASS" and checked["request_id"]
    body = json.loads((out / index["requests"][0]["file"]).read_text("utf-8"))
    assert body["main_images"][0]["uri"].startswith("tos-sandbox-us/")  # uploaded for the check
    assert _shape_ok(body, _request_sample()) == []


# --- the checker and its messages ---------------------------------------------------------------

def _valid_body() -> dict:
    return {"title": "Box", "description": "<p>Box</p>", "category_id": "1", "main_images": [{"uri": "u"}],
            "package_weight": {"value": "1.25", "unit": "POUND"},
            "package_dimensions": {"length": "10", "width": "8", "height": "4", "unit": "INCH"},
            "skus": [{"seller_sku": "A-1", "price": {"amount": "9.99", "currency": "USD"},
                      "inventory": [{"quantity": 3}]}]}


def test_check_body_passes_a_valid_body_and_judges_each_sku() -> None:
    body = _valid_body()
    assert check_body(body, policy=POLICY) == []
    body["skus"].append({"seller_sku": "A-2", "price": {"amount": "0"}, "inventory": [{"quantity": 2}],
                         "sales_attributes": [{"name": "Color", "value_name": "红色"}]})
    found = {(v.code, v.field) for v in check_body(body, policy=POLICY)}
    # with two SKUs the first one names no variation (12019117)
    assert found == {(12052570, "skus[1].price.amount"), (12052554, "skus[1].sales_attributes[0].value_name"),
                     (12019117, "skus[0].sales_attributes")}
    body["skus"][0]["sales_attributes"] = [{"name": "Color", "value_name": "Blue"}]
    found = {(v.code, v.field) for v in check_body(body, policy=POLICY)}
    assert found == {(12052570, "skus[1].price.amount"), (12052554, "skus[1].sales_attributes[0].value_name")}


def test_check_body_sku_count_from_the_pack() -> None:
    body = _valid_body()
    sku = body["skus"][0]
    body["skus"] = [dict(sku, seller_sku=f"A-{i}", sales_attributes=[{"name": "Size", "value_name": str(i)}])
                    for i in range(POLICY.variants.platform_max_skus + 1)]
    assert [v.code for v in check_body(body, policy=POLICY)] == [12052050]
    body["skus"] = body["skus"][:POLICY.variants.platform_max_skus]
    assert check_body(body, policy=POLICY) == []


def test_check_body_attribute_values_and_required_attributes_and_certifications() -> None:
    attributes = [{"id": "100392", "name": "Occasion", "is_requried": True, "is_customizable": False,
                   "values": [{"id": "1001533", "name": "Birthday"}]},
                  {"id": "100336", "name": "Country of Origin", "is_requried": False, "values": []}]
    rules = {"product_certifications": [{"id": "7182", "name": "FCC Test Report", "is_required": True}]}
    body = _valid_body()
    found = {v.code for v in check_body(body, policy=POLICY, rules=rules, attributes=attributes)}
    assert found == {12052104, 12052105}
    body["product_attributes"] = [{"id": "100392", "values": [{"name": "Wedding"}]}]
    body["certifications"] = [{"id": "7182", "files": [], "expiration_date": 1741234626}]
    assert [v.code for v in check_body(body, policy=POLICY, rules=rules, attributes=attributes)] == [12052240]
    body["product_attributes"] = [{"id": "100392", "values": [{"id": "999"}]}]
    assert [v.code for v in check_body(body, policy=POLICY, rules=rules, attributes=attributes)] == [12052529]
    body["product_attributes"] = [{"id": "100392", "values": [{"id": "1001533"}]}]
    assert check_body(body, policy=POLICY, rules=rules, attributes=attributes) == []


def test_every_code_the_checker_answers_has_words_of_our_own() -> None:
    import shelfcheck.tiktok.listing_rules as rules_module

    emitted = {int(c) for c in re.findall(r"Violation\((\d{5,9})", Path(rules_module.__file__).read_text("utf-8"))}
    assert emitted and emitted <= set(FALLBACK)


def test_official_message_comes_from_the_imported_table_when_installed() -> None:
    class Datasets:
        errors = {"12052015": [{"message": "Official words", "endpoint": "POST /product/202309/products"}]}

    assert official_message(12052015, Datasets()) == "Official words"
    assert official_message(12052015, None) == FALLBACK[12052015]


# --- file upload ------------------------------------------------------------------------------

def test_file_upload_takes_pdf_up_to_the_limit(tmp_path: Path) -> None:
    with running_sandbox() as (base, _), _client(base) as c:
        uploaded = c.upload_file(b"%PDF-1.7\n% test report\n", name="fcc-report.pdf")
        assert uploaded.id and uploaded.format == "PDF" and uploaded.name == "fcc-report.pdf"
        for content, name, code in ((b"not a pdf", "report.pdf", 12019105), (b"%PDF-1.7", "report.docx", 12019105),
                                    (b"", "report.pdf", 12019103), (b"%PDF-1.7", "my report.pdf", 36009004),
                                    (b"%PDF-" + b"0" * LIMITS.file_max_bytes, "big.pdf", 12038005)):
            with pytest.raises(ApiError) as info:
                c.upload_file(content, name=name)
            assert info.value.code == code, name


def test_cli_says_the_remaining_uploads_and_why_it_stopped(tmp_path: Path) -> None:
    rows = [{**BOX, "seller_sku": f"ST-C-{i}", "title": f"Stackable Storage Box with Lid, {30 + i} L, Clear"}
            for i in range(2)]
    catalog = _catalog(tmp_path, rows)
    shop = tmp_path / "shop.yaml"
    shop.write_text(SHOP + "daily_upload_limit: 1\n", "utf-8")
    env = dict(os.environ, SHELFCHECK_APP_KEY=SANDBOX_APP_KEY, SHELFCHECK_APP_SECRET=SANDBOX_APP_SECRET,
               SHELFCHECK_ACCESS_TOKEN=SANDBOX_ACCESS_TOKEN, SHELFCHECK_SHOP_CIPHER=SANDBOX_SHOP_CIPHER)
    with running_sandbox() as (base, sb):
        res = subprocess.run([sys.executable, "-m", "shelfcheck", "publish", str(catalog), "--shop", str(shop),
                              "--endpoint", base, "--db", str(tmp_path / "l.db")], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert len(sb.all_products()) == 1
    assert res.returncode == 0, res.stderr
    assert "1 of 1 product uploads left today" in res.stdout
    assert "daily upload limit" in res.stdout and "1 of 1 uploads used today" in res.stderr


@pytest.mark.parametrize("headers, cells, weight, dims", [
    (("Package Weight(lb)", "Package Length(inch)", "Package Width(inch)", "Package Height(inch)"),
     ("1.2", "12", "8", "5"), {"value": "1.2", "unit": "POUND"}, ("12", "8", "5", "INCH")),
    (("重量(g)", "长(cm)", "宽(cm)", "高(cm)"), ("500", "30", "20", "12"), {"value": "0.5", "unit": "KILOGRAM"},
     ("30", "20", "12", "CENTIMETER")),
])
def test_the_unit_of_a_package_header_reaches_the_body(tmp_path: Path, headers: tuple, cells: tuple, weight: dict,
                                                       dims: tuple) -> None:
    row = {k: v for k, v in BOX.items() if not k.startswith("package_")} | dict(zip(headers, cells))
    catalog = _catalog(tmp_path / "in", [row])
    out = tmp_path / "requests"
    with open_ledger(tmp_path / "l.db") as ledger:
        [outcome] = publish(catalog, client=None, ledger=ledger, dry_run=True, out=out).outcomes
    assert (outcome.kind, outcome.reason) == ("skipped", "dry_run"), outcome.codes
    index = json.loads((out / "index.json").read_text("utf-8"))
    body = json.loads((out / index["requests"][0]["file"]).read_text("utf-8"))
    assert body["package_weight"] == weight
    assert tuple(body["package_dimensions"][k] for k in ("length", "width", "height", "unit")) == dims


def test_the_limits_are_the_packs(tmp_path: Path) -> None:
    pack = tmp_path / "tight.yaml"
    pack.write_text("extends: tiktok-us-2024-07\nname: tight\nversion: '1'\n"
                    "price: {max: '10'}\nvariants: {official: {max_skus: 1}}\n", "utf-8")
    tight = load_policy(str(pack))
    body = _valid_body()
    assert check_body(body, policy=tight) == []
    body["skus"][0]["price"]["amount"] = "10.01"
    assert [v.code for v in check_body(body, policy=tight)] == [12052570]
    body["skus"].append(dict(body["skus"][0], seller_sku="A-2", price={"amount": "5"}))
    assert [v.limit for v in check_body(body, policy=tight) if v.code == 12052050] == ["1"]
    catalog = _catalog(tmp_path / "in", [BOX])  # 12.99: over this pack's maximum
    with running_sandbox(SandboxConfig(policy=str(pack))) as (base, _), \
            open_ledger(tmp_path / "l.db") as ledger, _client(base) as c:
        [outcome] = publish(catalog, client=c, ledger=ledger, force=True).outcomes
        assert outcome.codes == ["12052570"]


# --- products with several SKUs: variations, brand, warehouse ---------------------------------
_SALES = [{"id": "100007", "name": "Size", "type": "SALES_PROPERTY", "is_customizable": False,
           "values": [{"id": "1", "name": "S"}, {"id": "2", "name": "M"}]},
          {"id": "100000", "name": "Color", "type": "SALES_PROPERTY", "is_customizable": True, "values": []}]


def _two_skus() -> dict:
    body = _valid_body()
    first = body["skus"][0]
    body["skus"] = [dict(first, seller_sku="A-S", sales_attributes=[{"id": "100007", "value_id": "1"}]),
                    dict(first, seller_sku="A-M", sales_attributes=[{"id": "100007", "value_id": "2"}])]
    return body


def test_check_body_judges_sales_attributes_against_the_category() -> None:
    body = _two_skus()
    assert check_body(body, policy=POLICY, attributes=_SALES) == []
    body["skus"][1]["sales_attributes"] = [{"id": "100007", "value_id": "1"}]
    assert [(v.code, v.field) for v in check_body(body, policy=POLICY, attributes=_SALES)] == [
        (12052560, "skus[1].sales_attributes")]
    body["skus"][1]["sales_attributes"] = [{"id": "100007", "value_id": "9"}]
    assert [v.code for v in check_body(body, policy=POLICY, attributes=_SALES)] == [12052529]
    body["skus"][1]["sales_attributes"] = [{"id": "100007", "value_name": "Huge"}]
    assert [v.code for v in check_body(body, policy=POLICY, attributes=_SALES)] == [12052240]
    body["skus"][1]["sales_attributes"] = [{"id": "100000", "value_name": "Sky Teal"}]  # Color takes custom values
    assert check_body(body, policy=POLICY, attributes=_SALES) == []
    body["skus"][1]["sales_attributes"] = [{"id": "555", "value_name": "x"}]
    assert [v.code for v in check_body(body, policy=POLICY, attributes=_SALES)] == [12052529]
    body["skus"][1]["sales_attributes"] = [{"name": "Pattern", "value_name": "Dots"}]  # a custom attribute
    assert check_body(body, policy=POLICY, attributes=_SALES) == []


def test_check_body_brand_and_warehouse_must_be_the_platforms() -> None:
    body = _two_skus()
    body["brand_id"] = "7001"
    for sku in body["skus"]:
        sku["inventory"] = [{"warehouse_id": "W1", "quantity": 3}]
    assert check_body(body, policy=POLICY, brand_ids={"7001"}, warehouse_ids={"W1"}) == []
    assert check_body(body, policy=POLICY) == []  # unknown lists: not judged
    found = [(v.code, v.field) for v in check_body(body, policy=POLICY, brand_ids={"7002"}, warehouse_ids={"W2"})]
    assert found == [(12052097, "skus[0].inventory[0].warehouse_id"), (12052097, "skus[1].inventory[0].warehouse_id"),
                     (12052026, "brand_id")]


def test_certificate_files_are_pdf_converted_or_refused(tmp_path: Path) -> None:
    from PIL import Image

    from shelfcheck.tiktok.certificates import certificate_pdf, upload_name

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%test\n")
    assert certificate_pdf(pdf, max_bytes=100).content == pdf.read_bytes()
    assert certificate_pdf(pdf, max_bytes=10).reason == "certification_file_too_large"
    scan = tmp_path / "scan 1.v2.png"
    Image.new("RGB", (200, 300), "white").save(scan)
    converted = certificate_pdf(scan, max_bytes=10**7)
    assert converted.ok and converted.content.startswith(b"%PDF-") and converted.converted_from == "image"
    assert converted.name == "scan_1_v2.pdf" == upload_name("scan 1.v2")
    text = tmp_path / "report.txt"
    text.write_text("FCC test report\nModel EB100\n", "utf-8")
    typeset = certificate_pdf(text, max_bytes=10**7)
    assert typeset.ok and typeset.content.startswith(b"%PDF-") and typeset.converted_from == "text"
    chinese = tmp_path / "cn.txt"
    chinese.write_text("检测报告", "utf-8")
    assert certificate_pdf(chinese, max_bytes=10**7).reason == "certification_file_format"
    word = tmp_path / "report.docx"
    word.write_bytes(b"PK\x03\x04\x00\x00\xff\xfe binary")
    assert certificate_pdf(word, max_bytes=10**7).reason == "certification_file_format"
    assert certificate_pdf(tmp_path / "absent.pdf", max_bytes=10).reason == "certification_file_unreadable"
    assert certificate_pdf(None, max_bytes=10).reason == "certification_file_missing"
