"""The catalogue: one row per SKU, in CSV (any encoding), XLSX or JSON (contract §2.1)."""

from __future__ import annotations

import dataclasses

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shelfcheck.ingest.columns import catalog_fields
from shelfcheck.ingest.layout import LOOKAHEAD, ColumnPlan, locate_header, plan_columns
from shelfcheck.ingest.mapping import ColumnMap, load_column_map
from shelfcheck.ingest.table import Cells, Table, cut_refs, open_table
from shelfcheck.model import Listing

__all__ = ["CatalogSource", "open_catalog"]


@dataclass
class CatalogSource:
    """An opened catalogue: where it came from, its header, and a lazy stream of listings.

    ``columns`` maps each field this version reads to the header text of its (first) column;
    ``plan`` says how every column was understood. ``index`` maps a field to its position in the
    records :meth:`rows` yields: a field read from several columns (images) gets one more cell at
    the end of each record (a negative index), holding its columns' cells joined with ``|`` in
    column order, blank cells skipped.
    """

    path: Path
    format: str
    encoding: str | None
    header: list[str]
    columns: dict[str, str]
    table: Table
    sheet: str | None = None
    plan: ColumnPlan | None = None
    _joined: list[tuple[str, list[int]]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.plan is None:
            self.index = {f: self.header.index(name) for f, name in self.columns.items()}
        else:
            used = {f: idx for f, idx in self.plan.fields.items() if f in self.columns}
            self._joined = [(f, idx) for f, idx in used.items() if len(idx) > 1]
            self.index = {f: idx[0] for f, idx in used.items() if len(idx) == 1}
            for n, (f, _) in enumerate(self._joined):  # counted from the end: rows may be wider
                self.index[f] = n - len(self._joined)
        self.base_dir = self.path.resolve().parent
        self._items = list(self.index.items())

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """The raw records: ``(row, cells)`` per non-empty data row, in file order."""
        if not self._joined:
            return self.table.rows
        return self._with_joined()

    def _with_joined(self) -> Iterator[tuple[int, list[str]]]:
        groups = [idx for _, idx in self._joined]
        width = max(i for idx in groups for i in idx) + 1
        for row, cells in self.table.rows:  # each record is a fresh list: extended in place
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))  # in place: a damaged row keeps its notes
            for idx in groups:
                cells.append("|".join([t for t in [cells[i].strip() for i in idx] if t]))
            yield row, cells

    def make_listing(self, row: int, cells: list[str]) -> Listing:
        """The :class:`Listing` of one raw record (as :meth:`rows` yields it; damaged cells noted,
        see :class:`Cells`)."""
        values = {}
        for name, i in self._items:
            text = cells[i].strip() if i < len(cells) else ""
            if text:
                values[name] = text
        damage = cells.damage if type(cells) is Cells else None
        if self._joined:
            cells = cells[: len(cells) - len(self._joined)]
        listing = Listing(row, values, self.columns, cells, self.table.header, self.base_dir)
        if damage is not None:
            listing.damaged = damage
        return listing

    def listings(self) -> Iterator[Listing]:
        """Yield one :class:`Listing` per non-empty row, in file order."""
        make = self.make_listing
        for row, cells in self.rows():
            yield make(row, cells)

    def find(self, sku: str) -> Listing | None:
        """The first listing whose seller SKU is ``sku`` (``None`` when no row has it); reads the
        catalogue up to that row."""
        for listing in self.listings():
            if listing.seller_sku == sku:
                return listing
        return None

    def close(self) -> None:
        """Let go of the catalogue's file (the run closes it when it ends)."""
        self.table.close()

    def __enter__(self) -> CatalogSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def layout(self) -> dict[str, object]:
        """Header row, skipped template rows and ignored columns, for the report (contract §4)."""
        if self.plan is None:
            return {"header_row": self.table.header_row, "skipped_rows": [], "ignored_columns": []}
        return self.plan.summary()

# Catalogue fields that hold ``|``-separated references (each one a file to open or fetch): cut
# at the ``refs_per_cell`` input limit before any is resolved.
_LIST_FIELDS = ("main_images",)


def _cut_read_ahead(table: Table) -> Iterator[tuple[int, list[str]]]:
    rows = iter(table.rows)
    for count, (row, cells) in enumerate(rows):
        yield row, cut_refs(table.header, cells, table.list_columns)
        if count >= LOOKAHEAD:
            break
    yield from rows


def open_catalog(
    path: str | Path,
    *,
    sheet: str | None = None,
    columns: str | Path | ColumnMap | None = None,
    required: Sequence[str] = ("seller_sku",),
) -> CatalogSource:
    """Open a catalogue, find its header row and map its columns.

    Args:
        path: the catalogue file.
        sheet: XLSX sheet name.
        columns: a ``--columns`` map (a YAML path or a parsed :class:`ColumnMap`).
        required: fields that must have a column (``check`` asks for ``seller_sku`` and
            ``title``).

    Raises:
        InputError: unreadable file, a required field without a column (the message names the
            headers found and the closest aliases), or two columns for one field.
    """
    cmap = columns if isinstance(columns, ColumnMap) or columns is None else load_column_map(columns)
    table = open_table(path, sheet=sheet, kind="catalogue")
    try:
        layout = locate_header(table, header_row=cmap.header_row if cmap else None)
        table = layout.table
        plan = plan_columns(table.header, path=table.path, header_row=layout.header_row, fmt=table.format,
                            mapping=cmap, required=required, skipped_rows=layout.skipped)
    except BaseException:
        table.close()
        raise
    table.list_columns.extend(i for f in _LIST_FIELDS for i in plan.fields.get(f, ()))
    if table.list_columns:  # the header search read some rows before the lists were known
        table = dataclasses.replace(table, rows=_cut_read_ahead(table))
    specs = catalog_fields()
    names = {f: table.header[idx[0]] for f, idx in plan.fields.items() if specs[f].used}
    return CatalogSource(table.path, table.format, table.encoding, list(table.header), names, table,
                         table.sheet, plan)
