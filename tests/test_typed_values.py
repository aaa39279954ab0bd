"""Quantity, price and dates parsed once per listing (``ingest.values.typed``): the values rule,
the document and inventory checks, stock reconciliation and the publish payload read one parse,
and a cell that cannot be read stays a finding on its row."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

from shelfcheck.ingest import values as values_module
from shelfcheck.ingest.values import TYPED_FIELDS, Typed, parse_int, parse_price, typed
from shelfcheck.model import Listing


def _listing(**values: str) -> Listing:
    return Listing(row=2, values=values, columns={}, cells=[], header=[], base_dir=Path("."))


def test_each_typed_field_is_read_as_its_type() -> None:
    listing = _listing(quantity="1,200", price="$12.99", model_first_filing_date="2023/5/1")
    assert typed(listing, "quantity") == Typed(1200, None)
    assert typed(listing, "price") == Typed(Decimal("12.99"), None)
    assert typed(listing, "model_first_filing_date") == Typed(dt.date(2023, 5, 1), None)
    assert typed(_listing(), "quantity") == Typed(None, None)  # empty: no value, no problem


def test_an_unreadable_cell_keeps_the_parsers_reason() -> None:
    bad = typed(_listing(quantity="about 50"), "quantity")
    assert bad.value is None and bad.error and "whole number" in bad.error
    assert typed(_listing(model_first_filing_date="2023/13/45"), "model_first_filing_date").error


@pytest.mark.parametrize("text", ["0", "12", "007", "999999999999999999"])
def test_the_plain_path_gives_what_the_parser_gives_for_quantities(text: str) -> None:
    assert typed(_listing(quantity=text), "quantity").value == parse_int(text)


@pytest.mark.parametrize("text", ["0", "12.99", "12.990", "100000000000.5"])
def test_the_plain_path_gives_what_the_parser_gives_for_prices(text: str) -> None:
    assert typed(_listing(price=text), "price").value == parse_price(text)


def test_a_value_is_parsed_once_per_listing_and_not_sent_to_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(text: str) -> int:
        calls.append(text)
        return parse_int(text)

    monkeypatch.setitem(TYPED_FIELDS, "quantity", counting)
    listing = _listing(quantity="1,200")
    assert typed(listing, "quantity").value == typed(listing, "quantity").value == 1200
    assert calls == ["1,200"]
    copy = pickle.loads(pickle.dumps(listing))  # a worker's copy parses again, once
    assert copy._typed is None and typed(copy, "quantity").value == 1200 and len(calls) == 2
    assert values_module._read("quantity", "12") == Typed(12, None) and len(calls) == 2  # plain: no parser


def test_publish_sends_the_typed_quantity_and_price() -> None:
    from shelfcheck.publish import _send_values
    from shelfcheck.tiktok.payload import build_sku

    sent = _send_values(_listing(seller_sku="A-1", quantity="1,200", price="$1.2E+1"))
    assert sent["quantity"] == 1200 and sent["price"] == "12"
    sku = build_sku(sent)
    assert sku["inventory"] == [{"quantity": 1200}] and sku["price"]["amount"] == "12"
    unreadable = _send_values(_listing(seller_sku="A-2", quantity="lots"))
    assert build_sku(unreadable)["inventory"] == [{"quantity": "lots"}]  # sent as written, as before
