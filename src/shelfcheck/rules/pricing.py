"""Price levels and stock as Create Product takes them: price, list price, sale price, quantity.

A cell that is not a number at all is ``value_invalid`` (:mod:`shelfcheck.rules.values`); these
rules judge the numbers against the pack's ranges.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from shelfcheck.findings import Hit
from shelfcheck.ingest.values import parse_int, parse_price
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.record import column_state
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []

_PRICES = ("price", "list_price", "sale_price")
family("pricing", memo=(*_PRICES, "quantity"))


def _amount(c: ListingContext, name: str) -> Decimal | None:
    text = c.get(name)
    if not text:
        return None
    try:
        return parse_price(text)
    except ValueError:
        return None  # value_invalid reports it


def _money(value: Decimal) -> str:
    return f"{value.normalize():f}"


@rule("price_missing", family="pricing", platform=("12052571", "12052073"))
def price_missing(c: ListingContext) -> Iterator[Hit]:
    """The SKU has no price.

    What it checks:
        The ``price`` cell is not empty. Without a price column every row gets this finding, and
        the report says once which columns to add.
    Why the platform refuses it:
        Every SKU of Create Product carries ``price`` (amount, currency); a SKU without one is refused.
    Bad:
        ``price:`` (empty)
    Good:
        ``price: 12.99``
    """
    if not c.get("price"):
        yield Hit("price", {"value": "", "column": c.listing.has_column("price")},
                  {"where": column_state(c, "price")})


@rule("price_out_of_range", family="pricing", reads=("price.min", "price.max", "price.currency"),
      platform=("12052570", "12052073", "12052383", "12052092"))
def price_out_of_range(c: ListingContext) -> Iterator[Hit]:
    """A price, list price or sale price is outside {price.min}–{price.max} {price.currency}.

    What it checks:
        ``price``, ``list_price`` and ``sale_price``, when filled and readable as amounts, each
        against ``price.min`` and ``price.max`` ({price.min}–{price.max} {price.currency}).
    Why the platform refuses it:
        Create Product takes US prices (and list prices) from {price.min} to {price.max}
        {price.currency}; a price of 0 or a price typed in another currency (CNY) is refused.
    Bad:
        ``price: 0``; ``list_price: 9999``
    Good:
        ``price: 12.99``, ``list_price: 19.99``
    """
    policy = c.policy.price
    for name in _PRICES:
        amount = _amount(c, name)
        if amount is not None and not policy.min <= amount <= policy.max:
            yield Hit(name, {"value": c.get(name), "min": _money(policy.min), "max": _money(policy.max),
                             "currency": policy.currency}, {"price_field": f"field_{name}"})


@rule("list_price_below_price", family="pricing", platform=("12052375",))
def list_price_below_price(c: ListingContext) -> Iterator[Hit]:
    """The list price (the struck-through price) is lower than the price.

    What it checks:
        When both ``list_price`` and ``price`` are readable amounts: ``list_price`` ≥ ``price``.
    Why the platform refuses it:
        The list price is the "was" price shown struck through; Create Product requires it to be
        at least the selling price.
    Bad:
        ``price: 19.99``, ``list_price: 14.99``
    Good:
        ``price: 14.99``, ``list_price: 19.99``
    """
    price, listed = _amount(c, "price"), _amount(c, "list_price")
    if price is not None and listed is not None and listed < price:
        yield Hit("list_price", {"value": c.get("list_price"), "price": c.get("price")})


@rule("sale_price_missing", family="pricing", reads=("price.sale_price_warehouses",),
      platform=("12052424",))
def sale_price_missing(c: ListingContext) -> Iterator[Hit]:
    """A shop shipping from a warehouse in {price.sale_price_warehouses} gives a SKU no sale price.

    What it checks:
        When the shop profile's ``warehouse`` is one of ``price.sale_price_warehouses``
        ({price.sale_price_warehouses}), every SKU has a ``sale_price``. Without a shop profile,
        or for another warehouse, nothing is checked.
    Why the platform refuses it:
        For US shops shipping from China warehouses Create Product requires
        ``sku.price.sale_price``; the call fails with "Missing 'sale price' value".
    Bad:
        ``warehouse: CN`` in shop.yaml and ``sale_price:`` (empty)
    Good:
        ``warehouse: CN`` and ``sale_price: 11.99``
    """
    shop = c.run.shop
    warehouses = c.policy.price.sale_price_warehouses
    if shop is None or shop.warehouse not in warehouses or c.get("sale_price"):
        return
    yield Hit("sale_price", {"value": "", "warehouse": shop.warehouse, "warehouses": list(warehouses),
                             "column": c.listing.has_column("sale_price")},
              {"where": column_state(c, "sale_price")})


@rule("quantity_out_of_range", family="pricing", reads=("quantity.min", "quantity.max"),
      platform=("12052055",))
def quantity_out_of_range(c: ListingContext) -> Iterator[Hit]:
    """The stock quantity is outside {quantity.min}–{quantity.max}.

    What it checks:
        ``quantity``, when filled and a whole number, against ``quantity.min`` and
        ``quantity.max`` ({quantity.min}–{quantity.max}).
    Why the platform refuses it:
        Create Product and Update Inventory take ``inventory.quantity`` from {quantity.min} to
        {quantity.max}; a product created with 0 or with an ERP's "unlimited" 999999 is refused.
    Bad:
        ``quantity: 0``; ``quantity: 999999``
    Good:
        ``quantity: 40``
    """
    text = c.get("quantity")
    if not text:
        return
    try:
        quantity = parse_int(text)
    except ValueError:
        return  # value_invalid reports it
    policy = c.policy.quantity
    if not policy.min <= quantity <= policy.max:
        yield Hit("quantity", {"value": quantity, "min": policy.min, "max": policy.max})
