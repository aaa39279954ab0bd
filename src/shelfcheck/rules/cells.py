"""Cells that could not be read as written: damaged bytes, and cells beyond the input limits.

Ingest keeps such damage local to its cell (see :mod:`shelfcheck.ingest.table`): the cell is
escaped or cut, the row is checked as usual, and these rules say what happened to the cell.
"""

from __future__ import annotations

from collections.abc import Iterator

from shelfcheck.findings import Hit
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []

_UNREADABLE = {"undecodable_byte", "surrogate", "nul", "xlsx_cell"}
_UNITS = {"too_long": "cell_unit_chars", "too_many_refs": "cell_unit_refs"}


def _damaged(c: ListingContext) -> bool:
    """Only a row with a damaged cell can have a finding of this family."""
    return bool(c.listing.damaged)


family("cells", gate=_damaged)


def _field(c: ListingContext, column: str) -> str:
    """The canonical field a column was mapped to, else the column's own header text."""
    for name, header in c.listing.columns.items():
        if header == column:
            return name
    return column


@rule("cell_undecodable", family="cells")
def cell_undecodable(c: ListingContext) -> Iterator[Hit]:
    """A cell holds bytes that are not text: neither UTF-8 nor GBK, a NUL, or a lone surrogate.

    What it checks:
        Every cell of the row as it was read from the file: a byte that decodes neither as
        UTF-8 nor as GBK (the file's encoding), a NUL character, a lone UTF-16 surrogate (a
        JSON ``\\ud800`` escape), or an XLSX cell whose XML does not give a value (a shared
        string that the workbook does not have). The cell is shown escaped (``\\xff``,
        ``\\x00``, ``\\ud800``); the rest of the row and the other rows are checked as usual.
    Why the platform refuses it:
        The Open API takes UTF-8 text only; a corrupt byte or a NUL makes the request invalid, or
        publishes the product with garbled text that the seller never wrote.
    Bad:
        ``title: Stackable Storage Box\\xff`` (a byte cut out of a Chinese character)
    Good:
        ``title: Stackable Storage Box``
    """
    for column, problem, detail in c.listing.damaged:
        if problem in _UNREADABLE:
            yield Hit(_field(c, column), {"column": column, "problem": problem,
                                          "value": detail.get("value", detail.get("detail", ""))},
                      {"problem": f"cell_{problem}"})


@rule("cell_too_large", family="cells")
def cell_too_large(c: ListingContext) -> Iterator[Hit]:
    """A cell is larger than the input limits, so only its beginning was checked.

    What it checks:
        A cell of more than ``cell_chars`` characters (100,000 by default), or a list cell such
        as ``main_images`` naming more than ``refs_per_cell`` entries (100 by default): the
        input limits of contract §2.7. The cell is cut at the limit before any rule reads it.
    Why the platform refuses it:
        No platform field takes text of that size or that many images; such a cell is an
        export error (a column pasted into one cell, a runaway formula).
    Bad:
        ``main_images`` holding 2,000,000 references.
    Good:
        ``main_images: box-1.jpg|box-2.jpg|box-3.jpg``
    """
    for column, problem, detail in c.listing.damaged:
        if problem in _UNITS:
            yield Hit(_field(c, column), {"column": column, "size": detail["size"], "max": detail["max"],
                                          "unit": "chars" if problem == "too_long" else "refs"},
                      {"unit": _UNITS[problem]})
