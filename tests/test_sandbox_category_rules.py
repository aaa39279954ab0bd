"""One source of category rules in the sandbox: the Create Product body is validated against the
same generated tree the sandbox serves (Get Attributes / Get Category Rules), conditional
requirements included, and publish sends the catalogue's ``attributes`` column so that what
preflight accepts with the pulled tree is what the sandbox takes."""

from __future__ import annotations

from typing import Any

import pytest

from shelfcheck.policy import load_policy
from shelfcheck.publish import _category_attribute_values
from shelfcheck.sandbox.catalog import SandboxCatalog
from shelfcheck.tiktok.listing_rules import check_body
from shelfcheck.tiktok.payload import build_product_body

LEAF = "Computers & Office Equipment > Chargers"  # electronics: warranty required, batteries conditional


@pytest.fixture(scope="module")
def served() -> tuple[dict[str, Any], list[dict[str, Any]], Any]:
    pack = load_policy(None)
    catalog = SandboxCatalog(pack)
    node = next(n for n in catalog.nodes.values() if n.path == LEAF)
    return catalog.rules(node), catalog.attributes(node)["attributes"], pack


def _violations(cell: str, served: tuple[dict[str, Any], list[dict[str, Any]], Any]) -> list[tuple[int, str]]:
    rules, attributes, pack = served
    extra = _category_attribute_values(cell, attributes)
    values = {"title": "65 W USB-C GaN Charger", "price": "27.99", "quantity": "5", "seller_sku": "EL-CHG-300",
              "country_of_origin": "China"}
    body = build_product_body(values, category_id="1", image_uris=["u"],
                              attribute_ids={a["name"]: a["id"] for a in attributes}, certification_ids={},
                              category_attributes=extra)
    return [(v.code, v.key) for v in check_body(body, policy=pack, rules=rules, attributes=attributes,
                                                 warehouse_region=None)]


def test_attributes_column_is_sent_with_value_ids(served: Any) -> None:
    _, attributes, _ = served
    sent = _category_attribute_values("warranty period: 1 year; Unknown Thing: x", attributes)
    assert sent == [{"id": "7300030", "values": [{"id": "7300030004", "name": "1 year"}]}]


def test_required_attribute_given_in_the_column_passes(served: Any) -> None:
    found = _violations("Warranty Period: 1 Year", served)
    assert (12052104, "attribute_missing") not in found


def test_required_attribute_missing_is_refused(served: Any) -> None:
    assert (12052104, "attribute_missing") in _violations("", served)


def test_conditional_attribute_and_certification_follow_their_condition(served: Any) -> None:
    found = _violations("Warranty Period: 1 Year; Contains Batteries or Cells?: Batteries Built In", served)
    assert (12052104, "attribute_missing") in found  # Battery Type / capacity now required
    assert (12052105, "certification_missing") in found  # UN38.3, required by the same condition
    quiet = _violations("Warranty Period: 1 Year; Contains Batteries or Cells?: No", served)
    assert (12052104, "attribute_missing") not in quiet
    assert quiet.count((12052105, "certification_missing")) == 1  # the FCC report only
    given = _violations("Warranty Period: 1 Year; Contains Batteries or Cells?: Batteries Built In; "
                        "Battery Type: Lithium-ion; Battery Capacity (mAh): 5000", served)
    assert (12052104, "attribute_missing") not in given
