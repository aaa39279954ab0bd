"""The catalogue: one row per SKU, in CSV (any encoding), XLSX or JSON (contract §2.1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shelfcheck.errors import InputError
from shelfcheck.ingest.columns import CATALOG_COLUMNS, match_columns
from shelfcheck.ingest.table import Cells, Table, open_table
from shelfcheck.model import Listing

__all__ = ["CatalogSource", "open_catalog"]


@dataclass
class CatalogSource:
    """An opened catalogue: where it came from, its header, and a lazy stream of listings."""

    path: Path
    format: str
    encoding: str | None
    header: list[str]
    columns: dict[str, str]
    table: Table
    sheet: str | None = None

    def __post_init__(self) -> None:
        self.index = {field: self.header.index(name) for field, name in self.columns.items()}
        self.base_dir = self.path.resolve().parent
        self._items = list(self.index.items())

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """The raw records: ``(row, cells)`` per non-empty row, in file order."""
        return self.table.rows

    def make_listing(self, row: int, cells: list[str]) -> Listing:
        """The :class:`Listing` of one raw record (its damaged cells noted, see :class:`Cells`)."""
        values = {}
        for field, i in self._items:
            text = cells[i].strip()
            if text:
                values[field] = text
        listing = Listing(row, values, self.columns, cells, self.table.header, self.base_dir)
        if type(cells) is Cells:
            listing.damaged = cells.damage
        return listing

    def listings(self) -> Iterator[Listing]:
        """Yield one :class:`Listing` per non-empty row, in file order."""
        make = self.make_listing
        for row, cells in self.table.rows:
            yield make(row, cells)


# Catalogue fields that hold ``|``-separated references (each one a file to open or fetch): cut
# at the ``refs_per_cell`` input limit before any is resolved.
_LIST_FIELDS = ("main_images",)


def open_catalog(path: str | Path, *, sheet: str | None = None) -> CatalogSource:
    """Open a catalogue and map its columns.

    Raises:
        InputError: unreadable file, or no ``seller_sku`` column under any alias.
    """
    table = open_table(path, sheet=sheet, kind="catalogue")
    found = match_columns(table.header, CATALOG_COLUMNS)
    if "seller_sku" not in found:
        table.close()
        aliases = ", ".join(CATALOG_COLUMNS["seller_sku"])
        raise InputError(
            table.path,
            f"no seller_sku column (also accepted: {aliases}); the header has: "
            + ", ".join(repr(h) for h in table.header[:12] if h),
            row=table.header_row,
            column="seller_sku",
        )
    columns = {field: table.header[i] for field, i in found.items()}
    table.list_columns.extend(found[f] for f in _LIST_FIELDS if f in found)
    return CatalogSource(table.path, table.format, table.encoding, list(table.header), columns, table,
                         table.sheet)
