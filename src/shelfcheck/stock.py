"""Stock drift: the ERP count against the platform's, one definition for the rule and reconcile.

:func:`measure_drift` is the drift rule (``|ERP − platform| > inventory.tolerance``); the
``inventory_drift_exceeded`` rule of ``check`` and :func:`reconcile` (``shelfcheck inventory
reconcile``) both call it, so they always flag the same SKUs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from shelfcheck.ingest.values import parse_int

__all__ = ["Drift", "Reconciliation", "erp_quantity", "measure_drift", "reconcile"]


class Drift(NamedTuple):
    """ERP minus platform, and whether it is beyond the tolerance."""

    drift: int | None
    flagged: bool


def erp_quantity(text: str | None) -> int | None:
    """The ERP count of a catalogue ``quantity`` cell; ``None`` when empty.

    Raises:
        ValueError: the cell is not a whole number.
    """
    return parse_int(text) if text else None


def measure_drift(erp: int | None, platform: int | None, tolerance: int) -> Drift:
    """The drift of one SKU; not flagged when either count is unknown."""
    if erp is None or platform is None:
        return Drift(None, False)
    drift = erp - platform
    return Drift(drift, abs(drift) > tolerance)


@dataclass
class Reconciliation:
    """The items of one reconciliation and its tolerance."""

    items: list[dict[str, Any]]
    tolerance: int

    @property
    def flagged(self) -> list[dict[str, Any]]:
        """The items whose drift is beyond the tolerance."""
        return [i for i in self.items if i["flagged"]]

    def summary(self) -> dict[str, int]:
        """Counts: items, flagged, and one per status."""
        count: dict[str, int] = {}
        for item in self.items:
            count[item["status"]] = count.get(item["status"], 0) + 1
        return {"items": len(self.items), "flagged": len(self.flagged), **count}


def reconcile(catalog: Path, platform: Path, *, tolerance: int, sheet: str | None = None,
              columns: Path | None = None) -> Reconciliation:
    """Compare every catalogue SKU (first row of each) with the snapshot; platform-only SKUs last.

    Raises:
        InputError: a file cannot be read (one line naming file, row and column).
    """
    from shelfcheck.ingest import load_platform_inventory, open_catalog

    stock = load_platform_inventory(platform)
    source = open_catalog(catalog, sheet=sheet, columns=columns)
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    try:
        for listing in source.listings():
            sku = listing.seller_sku
            if not sku or sku in seen:
                continue
            seen.add(sku)
            erp: int | None = None
            status = "ok"
            try:
                erp = erp_quantity(listing.get("quantity"))
            except ValueError:
                status = "erp_unreadable"
            if erp is None and status == "ok":
                status = "erp_missing"
            snap = stock.get(sku)
            platform_qty = snap.quantity if snap is not None else None
            if snap is None:
                status = "missing_on_platform" if status == "ok" else status
            elif platform_qty is None and status == "ok":
                status = "platform_unreadable"
            drift, flagged = measure_drift(erp, platform_qty, tolerance)
            if flagged:
                status = "drift_exceeded"
            items.append({"seller_sku": sku, "erp": erp, "platform": platform_qty, "drift": drift,
                          "flagged": flagged, "status": status, "row": listing.row,
                          "synced_at": (snap.synced_at or None) if snap is not None else None})
    finally:
        source.close()
    for sku, snap in stock.items():
        if sku not in seen:
            items.append({"seller_sku": sku, "erp": None, "platform": snap.quantity, "drift": None,
                          "flagged": False, "status": "missing_in_erp", "row": None,
                          "synced_at": snap.synced_at or None})
    return Reconciliation(items, tolerance)
