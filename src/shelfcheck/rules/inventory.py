"""Inventory rules: does the ERP stock agree with what the platform shows (only with --inventory)?"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shelfcheck.findings import Hit
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule
from shelfcheck.stock import erp_quantity, measure_drift

__all__: list[str] = []


def _erp_quantity(c: ListingContext) -> int | None:
    try:
        return erp_quantity(c.get("quantity"))
    except ValueError:
        return None


def _snapshot_given(run: Any) -> bool:
    return run.stock is not None


family("inventory", run_gate=_snapshot_given)


@rule("inventory_drift_exceeded", family="inventory", reads=("inventory.tolerance",))
def inventory_drift_exceeded(c: ListingContext) -> Iterator[Hit]:
    """ERP stock and platform stock differ by more than the tolerance (±{inventory.tolerance}).

    What it checks:
        ``|quantity − platform_quantity| > inventory.tolerance`` for SKUs in the platform
        snapshot given with ``--inventory``.
    Why the platform refuses it:
        TikTok Shop US requires real-time stock accuracy within ±{inventory.tolerance} units; beyond it the product
        is delisted and cannot be republished until the stock is calibrated.
    Bad:
        ERP 120, platform 100 (drift +20)
    Good:
        ERP 102, platform 100 (drift +2)
    """
    if c.run.stock is None:
        return
    stock = c.run.stock.get(c.listing.seller_sku)
    erp = _erp_quantity(c)
    if stock is None:
        return
    tolerance = c.policy.inventory.tolerance
    drift, flagged = measure_drift(erp, stock.quantity, tolerance)
    if flagged:
        yield Hit("quantity", {"erp": erp, "platform": stock.quantity, "drift": drift,
                               "tolerance": tolerance, "synced_at": stock.synced_at or None})


@rule("inventory_unknown", family="inventory")
def inventory_unknown(c: ListingContext) -> Iterator[Hit]:
    """The SKU is not in the platform inventory snapshot (or its platform count is unreadable).

    What it checks:
        With ``--inventory``, every SKU of the catalogue has a row with a whole-number
        ``platform_quantity`` in the snapshot.
    Why the platform refuses it:
        Not a refusal by itself: a SKU the platform does not know yet is new (fine), but an
        existing product missing from the snapshot means its sync is not running, and drift
        cannot be measured.
    Bad:
        ``EB-002`` in the catalogue, absent from platform.csv
    Good:
        every published SKU present in the snapshot
    """
    if c.run.stock is None or not c.listing.seller_sku:
        return
    stock = c.run.stock.get(c.listing.seller_sku)
    if stock is None:
        yield Hit("seller_sku", {"value": c.listing.seller_sku, "reason": "inventory_not_in_snapshot"},
                  {"reason": "inventory_not_in_snapshot"})
    elif stock.quantity is None:
        yield Hit("seller_sku", {"value": c.listing.seller_sku, "reason": "inventory_platform_unreadable",
                                 "platform_row": stock.row}, {"reason": "inventory_platform_unreadable"})
