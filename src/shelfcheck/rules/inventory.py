"""Inventory rules: does the ERP stock agree with what the platform shows (only with --inventory)?"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shelfcheck.findings import Hit, Severity
from shelfcheck.ingest.values import parse_int
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import gate, rule

__all__: list[str] = []


def _erp_quantity(c: ListingContext) -> int | None:
    text = c.get("quantity")
    if not text:
        return None
    try:
        return parse_int(text)
    except ValueError:
        return None


@gate("inventory", per="run")
def _snapshot_given(run: Any) -> bool:
    return run.stock is not None


@rule("inventory_drift_exceeded", family="inventory", reads=("inventory.tolerance",))
def inventory_drift_exceeded(c: ListingContext) -> Iterator[Hit]:
    """ERP stock and platform stock differ by more than the tolerance (±5).

    What it checks:
        ``|quantity − platform_quantity| > inventory.tolerance`` for SKUs in the platform
        snapshot given with ``--inventory``.
    Why the platform refuses it:
        TikTok Shop US requires real-time stock accuracy within ±5 units; beyond it the product
        is delisted and cannot be republished until the stock is calibrated.
    Bad:
        ERP 120, platform 100 (drift +20)
    Good:
        ERP 102, platform 100 (drift +2)
    Fix:
        Push the ERP count to the platform (``shelfcheck inventory reconcile`` writes the
        calibration file), then check Analytics > Inventory > Sync History for a drift under 5.
    """
    if c.run.stock is None:
        return
    stock = c.run.stock.get(c.listing.seller_sku)
    erp = _erp_quantity(c)
    if stock is None or stock.quantity is None or erp is None:
        return
    drift = erp - stock.quantity
    tolerance = c.policy.inventory.tolerance
    if abs(drift) > tolerance:
        yield Hit("quantity", {"erp": erp, "platform": stock.quantity, "drift": drift,
                               "tolerance": tolerance, "synced_at": stock.synced_at or None})


@rule("inventory_unknown", family="inventory", severity=Severity.WARNING)
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
    Fix:
        Export a fresh snapshot (Analytics > Inventory, or the Open API inventory search); if the
        product is live, check that the ERP still syncs it.
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
