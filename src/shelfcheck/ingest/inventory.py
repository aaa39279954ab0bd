"""The platform inventory snapshot, ``--inventory platform.csv`` (contract §2.4)."""

from __future__ import annotations

from pathlib import Path

from shelfcheck.errors import InputError, Msg
from shelfcheck.ingest.columns import INVENTORY_COLUMNS, match_columns
from shelfcheck.ingest.table import open_table
from shelfcheck.ingest.values import parse_int
from shelfcheck.model import PlatformStock

__all__ = ["load_platform_inventory"]


def load_platform_inventory(path: str | Path) -> dict[str, PlatformStock]:
    """Read the snapshot into a map seller SKU → stock. A later row for the same SKU wins.

    Raises:
        InputError: unreadable file, or no ``seller_sku`` / ``platform_quantity`` column.
    """
    table = open_table(path, kind="platform inventory")
    found = match_columns(table.header, INVENTORY_COLUMNS)
    for required in ("seller_sku", "platform_quantity"):
        if required not in found:
            table.close()
            raise InputError(table.path, Msg("no_column", column=required), row=table.header_row, column=required)
    stock: dict[str, PlatformStock] = {}
    for row, cells in table.rows:
        sku = cells[found["seller_sku"]].strip()
        text = cells[found["platform_quantity"]].strip()
        problems: list[str] = []
        quantity: int | None = None
        try:
            quantity = parse_int(text) if text else None
        except ValueError as exc:
            problems.append(str(exc))
        for column, problem, _detail in getattr(cells, "damage", ()):
            problems.append(f"{column}: unreadable cell ({problem.replace('_', ' ')})")
        synced = cells[found["synced_at"]].strip() if "synced_at" in found else ""
        if sku:
            stock[sku] = PlatformStock(sku, quantity, synced, row, problems)
    return stock
