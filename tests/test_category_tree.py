"""The shop's category tree, rules and attributes: import, pull from the sandbox, and the checks.

The tree here is written by the test in the official response shapes (Get Categories envelope,
Get Category Rules and Get Attributes ``data``), small and shaped like the platform's; the official
documentation samples are read from the shared reference data when it is there.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import Workspace, codes
from shelfcheck.cli.main import app
from shelfcheck.datasets import load_datasets
from shelfcheck.datasets.platform import load_platform

runner = CliRunner()

# (id, parent, name, is_leaf, statuses)
NODES = [
    ("600001", "0", "Home Supplies", False, ["AVAILABLE"]),
    ("600100", "600001", "Storage & Organisation", True, ["AVAILABLE"]),
    ("601739", "0", "Phones & Electronics", False, ["AVAILABLE"]),
    ("601740", "601739", "Audio", False, ["AVAILABLE"]),
    ("601741", "601740", "Earbuds", True, ["AVAILABLE"]),
    ("601742", "601740", "Speakers", True, ["AVAILABLE"]),
    ("601743", "601740", "Headphones", True, ["AVAILABLE"]),
    ("601750", "601739", "Power Banks", True, ["INVITE_ONLY"]),
    ("700645", "0", "Health", False, ["AVAILABLE"]),
    ("700700", "700645", "Health Supplements", False, ["AVAILABLE"]),
    ("700701", "700700", "Vitamins", True, ["AVAILABLE"]),
    ("601152", "0", "Womenswear & Underwear", False, ["AVAILABLE"]),
    ("601160", "601152", "T-Shirts", True, ["AVAILABLE"]),
    ("909000", "0", "CBD Products", False, ["AVAILABLE"]),
    ("909001", "909000", "Oils", True, ["AVAILABLE"]),
]

BATTERY = {"id": "101610", "name": "Contains Batteries or Cells?", "type": "PRODUCT_PROPERTY", "is_requried": False,
           "values": [{"id": "1024358", "name": "Batteries Included"}, {"id": "1000325", "name": "No"}],
           "value_data_format": "", "is_customizable": False, "requirement_conditions": [],
           "is_multiple_selection": False}
WHEN_BATTERY = [{"condition_type": "VALUE_ID_MATCH", "attribute_id": "101610", "attribute_value_id": "1024358"}]
EARBUD_ATTRIBUTES = [
    BATTERY,
    {"id": "7300001", "name": "Battery Type", "type": "PRODUCT_PROPERTY", "is_requried": False,
     "values": [{"id": "1", "name": "Lithium-ion"}, {"id": "2", "name": "NiMH"}], "value_data_format": "",
     "is_customizable": False, "requirement_conditions": WHEN_BATTERY, "is_multiple_selection": False},
    {"id": "7300002", "name": "Battery Capacity (mAh)", "type": "PRODUCT_PROPERTY", "is_requried": False,
     "values": [], "value_data_format": "POSITIVE_INT_OR_DECIMAL", "is_customizable": True,
     "requirement_conditions": [], "is_multiple_selection": False},
    {"id": "100392", "name": "Occasion", "type": "PRODUCT_PROPERTY", "is_requried": False,
     "values": [{"id": "1001533", "name": "Birthday"}, {"id": "1001534", "name": "Travel"}],
     "value_data_format": "", "is_customizable": False, "requirement_conditions": [], "is_multiple_selection": True},
    {"id": "7300030", "name": "Warranty Period", "type": "PRODUCT_PROPERTY", "is_requried": True,
     "values": [{"id": "3", "name": "1 Year"}, {"id": "4", "name": "2 Years"}], "value_data_format": "",
     "is_customizable": False, "requirement_conditions": [], "is_multiple_selection": False},
    {"id": "7300099", "name": "Color", "type": "SALES_PROPERTY", "is_requried": True, "values": [],
     "value_data_format": "", "is_customizable": True, "requirement_conditions": [], "is_multiple_selection": False},
    {"id": "7300098", "name": "Pack Size", "type": "SALES_PROPERTY", "is_requried": False,
     "values": [{"id": "73000981", "name": "1 Pair"}, {"id": "73000982", "name": "2 Pairs"}],
     "value_data_format": "", "is_customizable": False, "requirement_conditions": [], "is_multiple_selection": False},
]
EARBUD_RULES = {
    "product_certifications": [
        {"id": "7200001", "name": "FCC Test Report", "is_required": True, "requirement_conditions": []},
        {"id": "7400001", "name": "UN38.3 Battery Test Summary", "is_required": False,
         "requirement_conditions": WHEN_BATTERY},
    ],
    "size_chart": {"is_supported": False, "is_required": False},
    "package_dimension": {"is_required": True},
}
TSHIRT_RULES = {"product_certifications": [], "size_chart": {"is_supported": True, "is_required": True}}

GOOD_EARBUDS = {"category": "Phones & Electronics > Audio > Earbuds", "title": "Wireless Earbuds Bluetooth 5.3",
                "model_number": "EB1", "fcc_id": "2AXYZ-EB100", "model_first_filing_date": "2024-01-15",
                "attributes": "Contains Batteries or Cells?: No; Warranty Period: 1 Year",
                "certifications": "FCC Test Report: docs/fcc.pdf"}


def envelope(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "Success", "request_id": "202603070749000101890810281E8C70B7", "data": data}


def categories_response() -> dict[str, Any]:
    return envelope({"categories": [{"id": i, "parent_id": p, "local_name": n, "is_leaf": leaf,
                                     "permission_statuses": s} for i, p, n, leaf, s in NODES]})


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The test tree imported the way a seller would: the three official responses, one by one."""
    cats = write_json(tmp_path / "categories.json", categories_response())
    assert runner.invoke(app, ["data", "import", "tiktok-categories", str(cats), "--shop", "7494"]).exit_code == 0
    for kind, data, leaf in (("rules", EARBUD_RULES, "601741"), ("attributes", {"attributes": EARBUD_ATTRIBUTES},
                                                                   "601741"),
                             ("rules", TSHIRT_RULES, "601160")):
        path = write_json(tmp_path / f"{kind}-{leaf}.json", envelope(data))
        result = runner.invoke(app, ["data", "import", "tiktok-categories", str(path), "--shop", "7494",
                                     "--category", leaf])
        assert result.exit_code == 0, result.output
    return tmp_path


def check(ws: Workspace, rows: list[dict[str, Any]], **kw: Any):
    return ws.check([ws.listing(**r) for r in rows], datasets=load_datasets(), **kw)


def findings(report, code: str) -> list:
    return [f for listing in report.listings for f in listing.findings if f.code == code]


# Import -----------------------------------------------------------------------------------------

def test_import_stores_dated_per_shop_and_merges(tree: Path) -> None:
    data = load_platform()
    assert data is not None and data.shop == "7494" and len(data.nodes) == len(NODES)
    assert set(data.rules) == {"601741", "601160"} and set(data.attributes) == {"601741"}
    files = list((Path(os.environ["SHELFCHECK_DATA_DIR"]) / "platform" / "7494").glob("tiktok-categories-*.json"))
    assert len(files) == 1 and files[0].name[len("tiktok-categories-"):-5] == data.date.isoformat()
    assert load_datasets().provenance["tiktok-categories"] == data.label
    status = runner.invoke(app, ["data", "status", "--format", "json"])
    assert json.loads(status.output)["tiktok_categories"]["rules"] == 2


def test_import_refuses_bad_files_in_one_line(tmp_path: Path) -> None:
    cases = {
        "not-json.json": "{categories: [",
        "error.json": json.dumps({"code": 12052024, "message": "Category is not final category", "data": None,
                                  "request_id": "x"}),
        "empty.json": json.dumps(envelope({"categories": []})),
        "other.json": json.dumps(envelope({"brands": []})),
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, "utf-8")
        result = runner.invoke(app, ["data", "import", "tiktok-categories", str(path)])
        assert result.exit_code == 2, (name, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and "Traceback" not in result.output
    rules = write_json(tmp_path / "rules.json", envelope(EARBUD_RULES))
    result = runner.invoke(app, ["data", "import", "tiktok-categories", str(rules)])
    assert result.exit_code == 2 and "--category" in result.stderr


def test_import_of_the_official_samples(shared_data: Path, tmp_path: Path) -> None:
    samples = shared_data / "tiktok_api" / "samples"
    result = runner.invoke(app, ["data", "import", "tiktok-categories", str(samples / "product_202309_categories.json"),
                                 "--shop", "doc"])
    assert result.exit_code == 0, result.output
    node = load_platform(shop="doc").nodes["600002"]
    assert node.name == "Home Supplies" and not node.is_leaf and node.permission == "INVITE_ONLY"
    for name in ("product_202309_categories_id_rules.json", "product_202309_categories_id_attributes.json"):
        result = runner.invoke(app, ["data", "import", "tiktok-categories", str(samples / name), "--shop", "doc",
                                     "--category", "600002"])
        assert result.exit_code == 0, result.output
    data = load_platform(shop="doc")
    assert data.rules["600002"]["size_chart"]["is_required"] is True
    assert data.attributes["600002"][0]["requirement_conditions"][0]["attribute_id"] == "101610"


# Leaves -----------------------------------------------------------------------------------------

def test_without_a_tree_only_a_first_level_is_not_a_leaf(ws: Workspace) -> None:
    report = check(ws, [{"category": "Phones & Electronics"}, {"category": "美妆个护"},
                        {"category": "Home Supplies > Storage & Organisation"},
                        {"category": "Phones & Electronics > Audio"}])
    rows = [[f.code for f in listing.findings if f.code.startswith("category")] for listing in report.listings]
    assert rows == [["category_not_leaf"], ["category_not_leaf"], [], []]
    assert [n.code for n in report.notes] == ["category_tree_missing"]


def test_the_note_is_said_once_and_names_the_command(ws: Workspace) -> None:
    report = check(ws, [{"category": "Phones & Electronics"}, {"category": "Kitchenware"}])
    from shelfcheck.i18n import catalogue

    notes = [catalogue(lang).note(n) for n in report.notes for lang in ("en", "zh")]
    assert len(report.notes) == 1 and all("shelfcheck data pull" in text for text in notes)


def test_not_a_leaf_suggests_leaves_under_it_ranked_by_title(ws: Workspace, tree: Path) -> None:
    report = check(ws, [{"category": "Phones & Electronics > Audio", "title": "Over-Ear Headphones, Wireless"},
                        {"category": "Electronics Accessories > Audio", "title": "Bluetooth Speaker, 20 W"},
                        GOOD_EARBUDS])
    first, second = findings(report, "category_not_leaf")
    assert first.evidence["suggestions"][0] == "Phones & Electronics > Audio > Headphones"
    assert second.evidence["suggestions"][0] == "Phones & Electronics > Audio > Speakers"
    assert first.evidence["category_id"] == "601740"
    assert "category_not_leaf" not in codes(report.listings[2])
    assert [n.code for n in report.notes] == ["category_tree_used"]


def test_rows_of_one_category_get_the_suggestions_of_their_own_title(ws: Workspace, tree: Path) -> None:
    """The family's findings are reused by category and title: another title ranks anew."""
    rows = [{"category": "Phones & Electronics > Audio", "title": "Over-Ear Headphones, Wireless"},
            {"category": "Phones & Electronics > Audio", "title": "Bluetooth Speaker, 20 W"},
            {"category": "Phones & Electronics > Audio", "title": "Over-Ear Headphones, Wireless"}]
    first, second, third = findings(check(ws, rows), "category_not_leaf")
    assert first.evidence["suggestions"][0] == "Phones & Electronics > Audio > Headphones"
    assert second.evidence["suggestions"][0] == "Phones & Electronics > Audio > Speakers"
    assert third.evidence == first.evidence


def test_not_on_platform_names_the_known_part(ws: Workspace, tree: Path) -> None:
    report = check(ws, [{"category": "Phones & Electronics > Audio > Earphones", "title": "Wireless Earbuds"},
                        {"category": "Phones & Electronics > Audio > Earbuds"}])
    (hit,) = findings(report, "category_not_on_platform")
    assert hit.evidence["known_part"] == "Phones & Electronics > Audio"
    assert hit.evidence["suggestions"][0] == "Phones & Electronics > Audio > Earbuds"
    assert "category_not_on_platform" not in codes(report.listings[1])


def test_a_leaf_id_of_the_tree_is_a_category(ws: Workspace, tree: Path) -> None:
    report = check(ws, [dict(GOOD_EARBUDS, category="601741")])
    assert not [c for c in codes(report) if c.startswith(("category", "attribute"))]


def test_tree_permissions_override_the_pack_but_not_its_prohibited_list(ws: Workspace, tree: Path) -> None:
    report = check(ws, [{"category": "Health > Health Supplements > Vitamins"},  # pack: invite-only; tree: available
                        {"category": "Phones & Electronics > Power Banks"},  # pack: available; tree: invite-only
                        {"category": "CBD Products > Oils"}])  # tree says available; the pack prohibits it
    assert "category_invite_only" not in codes(report.listings[0])
    assert "category_invite_only" in codes(report.listings[1])
    assert "category_prohibited" in codes(report.listings[2])


# Attributes, certifications, size charts --------------------------------------------------------

def test_attributes_pass_and_fail(ws: Workspace, tree: Path) -> None:
    report = check(ws, [GOOD_EARBUDS,
                        dict(GOOD_EARBUDS, attributes="Contains Batteries or Cells?: No"),
                        dict(GOOD_EARBUDS, attributes="Contains Batteries or Cells?: Batteries Included; "
                                                      "Warranty Period: 1 Year")])
    assert "attribute_missing" not in codes(report.listings[0])
    (always,) = [f for f in report.listings[1].findings if f.code == "attribute_missing"]
    assert always.evidence["attribute"] == "Warranty Period" and always.evidence["condition"] is None
    (conditional,) = [f for f in report.listings[2].findings if f.code == "attribute_missing"]
    assert conditional.evidence["attribute"] == "Battery Type"
    assert conditional.evidence["condition"] == {"attribute": "Contains Batteries or Cells?",
                                                 "value": "Batteries Included"}
    from shelfcheck.i18n import catalogue

    text = catalogue("en").message(conditional)
    assert "Battery Type" in text and "Contains Batteries or Cells? = Batteries Included" in text
    assert "Battery Type" in catalogue("zh").message(conditional)


@pytest.mark.parametrize(("attributes", "reason"), [
    ("Warranty Period: 5 Years", "attribute_value_not_listed"),
    ("Warranty Period: 1 Year | 2 Years", "attribute_single_selection"),
    ("Warranty Period: 1 Year; Battery Capacity (mAh): lots", "attribute_not_number"),
    ("Warranty Period: 1 Year; Occasion: 生日", "attribute_text_chinese"),
    ("Warranty Period: 1 Year; Occasion: Birthday 🎉", "attribute_text_format"),
    ("Warranty Period: 1 Year; Occasion: Birthday | birthday", "attribute_value_duplicate"),
    ("Warranty Period: 1 Year; Waterproof Rating: IPX7", "attribute_not_in_category"),
])
def test_attribute_value_invalid(ws: Workspace, tree: Path, attributes: str, reason: str) -> None:
    report = check(ws, [dict(GOOD_EARBUDS, attributes=attributes)])
    hits = findings(report, "attribute_value_invalid")
    assert [h.ctx["reason"] for h in hits] == [reason]


def test_attribute_values_that_pass(ws: Workspace, tree: Path) -> None:
    report = check(ws, [dict(GOOD_EARBUDS, attributes="warranty period：2 years；Occasion: Birthday | Travel; "
                                                      "Battery Capacity (mAh): 450.5; 101610: 1000325")])
    assert not findings(report, "attribute_value_invalid") and not findings(report, "attribute_missing")


def test_sales_attribute_values_against_the_category(ws: Workspace, tree: Path) -> None:
    # Pack Size lists its values and takes no custom one; Color takes custom values; Style is
    # no attribute of the category (a custom sales attribute, which the platform accepts)
    rows = [dict(GOOD_EARBUDS, seller_sku=f"EB-{i}", sales_attributes=cell) for i, cell in enumerate([
        "Color: Sky Teal; Pack Size: 2 pairs",  # a custom colour, a listed pack size (case folded)
        "Color: Black; Pack Size: 73000981",  # a listed value by its id
        "Style: Sport; Pack Size: 3 Pairs",  # not listed: refused (12052240)
    ])]
    report = check(ws, rows)
    hits = findings(report, "attribute_value_invalid")
    assert [(h.field, h.evidence["value"], h.ctx["reason"]) for h in hits] == [
        ("sales_attributes.Pack Size", "3 Pairs", "sales_attribute_value_not_listed")]
    assert hits[0].evidence["allowed"] == ["1 Pair", "2 Pairs"] and hits[0].evidence["attribute_id"] == "7300098"
    assert "attribute_value_invalid" in codes(report.listings[2])
    assert "attribute_value_invalid" not in codes(report.listings[0]) + codes(report.listings[1])
    from shelfcheck.i18n import catalogue

    en, zh = catalogue("en").message(hits[0]), catalogue("zh").message(hits[0])
    assert "3 Pairs" in en and "2 Pairs" in en and "custom value" in en
    assert "3 Pairs" in zh and "自定义取值" in zh


def test_certifications_pass_and_fail(ws: Workspace, tree: Path) -> None:
    battery = "Contains Batteries or Cells?: Batteries Included; Warranty Period: 1 Year; Battery Type: NiMH"
    no_fcc = {k: v for k, v in GOOD_EARBUDS.items() if k != "certifications"}
    report = check(ws, [GOOD_EARBUDS, dict(GOOD_EARBUDS, attributes=battery),
                        dict(GOOD_EARBUDS, attributes=battery,
                             certifications="FCC Test Report: a.pdf; UN38.3 Battery Test Summary: b.pdf"),
                        dict(no_fcc, certifications="")])
    assert "certification_missing" not in codes(report.listings[0])
    (conditional,) = [f for f in report.listings[1].findings if f.code == "certification_missing"]
    assert conditional.evidence["certification"] == "UN38.3 Battery Test Summary"
    assert conditional.evidence["condition"]["value"] == "Batteries Included"
    assert "certification_missing" not in codes(report.listings[2])
    (always,) = [f for f in report.listings[3].findings if f.code == "certification_missing"]
    assert always.evidence["certification"] == "FCC Test Report"


def test_a_document_of_the_type_provides_the_certification(ws: Workspace, tree: Path) -> None:
    no_column = dict(GOOD_EARBUDS, certifications="", seller_sku="EB-1")
    docs = [{"doc_id": "D1", "type": "FCC_TEST_REPORT", "number": "R-1", "status": "verified",
             "issued_on": "2024-02-01", "expires_on": "2027-01-01", "file": "", "applies_to": "EB-1"}]
    report = check(ws, [no_column], documents=docs)
    assert "certification_missing" not in codes(report.listings[0])


def test_size_chart(ws: Workspace, tree: Path) -> None:
    shirt = {"category": "Womenswear & Underwear > T-Shirts", "title": "Cotton T-Shirt for Women, Crew Neck"}
    report = check(ws, [shirt, dict(shirt, size_chart="images/sizes.jpg")])
    assert "size_chart_missing" in codes(report.listings[0])
    assert "size_chart_missing" not in codes(report.listings[1])


def test_without_pulled_rules_the_leaf_rules_say_nothing(ws: Workspace, tree: Path) -> None:
    report = check(ws, [{"category": "Phones & Electronics > Audio > Speakers", "attributes": "Anything: at all"}])
    assert not [c for c in codes(report) if c.startswith(("attribute", "certification", "size_chart"))]
