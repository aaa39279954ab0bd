"""How a catalogue sheet is laid out: which row is the header, which rows below it are the
template's own (requirement markers, instructions, examples), and what each column feeds.

Seller Center batch-upload templates put rows around the real header: a row of machine keys
above it, "Mandatory/Optional" and instruction rows below it. ERP exports put a title or a date
line above. The header is the row among the first ones that names the most catalogue fields;
rows above it are not data, template rows right below it are skipped and reported with their
sheet row numbers, never checked as products and never dropped silently.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain

from shelfcheck.errors import InputError, Join, Msg
from shelfcheck.ingest.columns import (
    catalog_field_of,
    catalog_fields,
    closest_aliases,
    column_letter,
    header_key,
    header_unit,
    suggest_field,
    template_markers,
    template_words,
)
from shelfcheck.ingest.table import Table

__all__ = ["ColumnPlan", "ColumnUse", "SkippedRow", "locate_header", "plan_columns"]

# Rows read ahead to find the header: templates put at most a handful of rows above it.
LOOKAHEAD = 30
_MACHINE_KEY = re.compile(r"^[a-z][a-z0-9]*(?:[_./][a-z0-9]+)+$")
_KEYLIKE = re.compile(r"^[a-z0-9_./]+$")
_REF = re.compile(r"^column\s+([A-Za-z]{1,3}|\d{1,5})$", re.IGNORECASE)


@dataclass(frozen=True)
class SkippedRow:
    """A row below the header that belongs to the template, not to the seller's products."""

    row: int
    kind: str  # "requirements" | "instructions" | "example" | "header" | "keys"

    def to_json(self) -> dict[str, object]:
        return {"row": self.row, "kind": self.kind}


@dataclass
class Layout:
    """Where the header is and what came before the first data row."""

    table: Table
    header_row: int
    skipped: list[SkippedRow] = field(default_factory=list)


def _filled(cells: Sequence[str]) -> list[str]:
    return [c.strip() for c in cells if c.strip()]


def _score(cells: Sequence[str]) -> int:
    """How many distinct catalogue fields a row names, as a header."""
    return len({f for f in (catalog_field_of(c) for c in cells if c.strip()) if f is not None})


def _human(cells: Sequence[str]) -> int:
    """How many cells are written for people rather than as machine keys (``product_name``)."""
    return sum(1 for c in cells if c.strip() and not _KEYLIKE.match(c.strip()))


def _instruction_like(text: str, words: Sequence[str]) -> bool:
    low = text.casefold()
    return len(text) >= 12 and any(w in low for w in words)


def template_row_kind(cells: Sequence[str], sku_at: int | None) -> str | None:
    """What template row ``cells`` is, or ``None`` for a row of data."""
    filled = _filled(cells)
    if not filled:
        return None
    marks, examples = template_markers()
    keys = ["".join(ch for ch in c.casefold() if ch.isalnum()) for c in filled]
    if sum(k in marks for k in keys) * 2 >= len(filled):
        return "requirements"
    first = filled[0].casefold()
    if any(first == m or first.startswith((m + ":", m + "：", m + " ", m + "-")) or
           (not m.isascii() and first.startswith(m)) for m in examples):
        return "example"
    sku = cells[sku_at].strip() if sku_at is not None and sku_at < len(cells) else ""
    words = template_words()
    if sku and not _instruction_like(sku, words) and catalog_field_of(sku) is None:
        return None  # a row with a real-looking SKU is a product, whatever its other cells say
    if len(filled) >= 2 and sum(catalog_field_of(c) is not None for c in filled) * 2 > len(filled):
        return "header"
    if len(filled) >= 3 and sum(bool(_MACHINE_KEY.match(c)) for c in filled) * 10 >= len(filled) * 8:
        return "keys"
    if len(filled) >= 2 and sum(_instruction_like(c, words) for c in filled) * 2 >= len(filled):
        return "instructions"
    return None


def _fit(header: list[str], cells: list[str]) -> list[str]:
    while len(cells) > len(header) and not cells[-1].strip():
        cells = cells[:-1]
    if len(cells) < len(header):
        return cells + [""] * (len(header) - len(cells))
    while len(cells) > len(header):
        header.append(f"column {len(header) + 1}")
    return cells


def locate_header(table: Table, *, header_row: int | None = None) -> Layout:
    """Find the header row of an opened CSV/XLSX table and the template rows below it.

    ``header_row`` (from ``--columns``) forces the row. JSON tables are returned as they are.

    Raises:
        InputError: ``header_row`` is not a non-blank row among the first rows of the sheet.
    """
    if table.format == "json":
        return Layout(table, table.header_row)
    peeked: list[tuple[int, list[str]]] = []
    rows = table.rows
    for record in rows:
        peeked.append(record)
        if len(peeked) >= LOOKAHEAD:
            break
    candidates = [(table.header_row, list(table.header)), *peeked]
    if header_row is not None:
        at = next((i for i, (r, _) in enumerate(candidates) if r == header_row), None)
        if at is None:
            table.close()
            raise InputError(table.path, Msg("columns_header_row_blank", row=header_row, rows=LOOKAHEAD + 1),
                             row=header_row)
    else:
        # The most fields named wins; between rows naming as many (a template's row of machine
        # keys above its header), the one written for people; then the first.
        scores = [(_score(cells), _human(cells)) for _, cells in candidates]
        best = max(range(len(candidates)), key=lambda i: (scores[i], -i))
        at = best if best > 0 and scores[best][0] >= 2 and scores[best] > scores[0] else 0
    row, cells = candidates[at]
    if at == 0:
        header = table.header
    else:
        header = [c.strip().lstrip("\ufeff") for c in cells]
        while header and not header[-1]:
            header.pop()
    sku_at = next((i for i, h in enumerate(header) if catalog_field_of(h) == "seller_sku"), None)
    rest = candidates[at + 1:]
    skipped = []
    while rest:
        kind = template_row_kind(rest[0][1], sku_at)
        if kind is None:
            break
        skipped.append(SkippedRow(rest[0][0], kind))
        rest = rest[1:]
    if at == 0 and not skipped:
        body: Iterator[tuple[int, list[str]]] = chain(peeked, rows)
    else:
        def body_rows() -> Iterator[tuple[int, list[str]]]:
            for number, record in chain(rest, rows):
                yield number, _fit(header, list(record))
        body = body_rows()
    return Layout(dataclasses.replace(table, header=header, header_row=row, rows=body), row, skipped)


# --------------------------------------------------------------------------------------------
# What each column feeds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnUse:
    """How one column was understood.

    ``status``: ``used`` (a field this version reads), ``not_checked`` (a known field nothing
    reads yet), ``unknown`` (no field), ``not_selected`` (another column was chosen for its
    field by ``--columns``), ``ignored`` (``--columns`` said to leave it).
    """

    index: int
    header: str
    field: str | None
    status: str
    via: str = "alias"  # "alias" | "columns" (the --columns map)
    unit: str | None = None
    suggestion: str | None = None
    letter: bool = True

    @property
    def column(self) -> str | None:
        """The spreadsheet letter (``None`` for a JSON catalogue)."""
        return column_letter(self.index) if self.letter else None

    def where(self) -> str:
        return f"column {self.column}" if self.letter else f"key {self.header!r}"

    def to_json(self) -> dict[str, object]:
        return {"header": self.header, "column": self.column, "position": self.index + 1,
                "field": self.field, "status": self.status, "unit": self.unit,
                "did_you_mean": self.suggestion}


@dataclass
class ColumnPlan:
    """Every column of the header and the field it feeds; ``fields`` → column indices in order."""

    uses: list[ColumnUse]
    fields: dict[str, list[int]]
    header_row: int
    skipped_rows: list[SkippedRow] = field(default_factory=list)

    def ignored(self) -> list[ColumnUse]:
        """The columns nothing in this version reads, in column order."""
        return [u for u in self.uses if u.status != "used"]

    def summary(self) -> dict[str, object]:
        """The report's view: header row, skipped template rows, ignored columns."""
        return {"header_row": self.header_row,
                "skipped_rows": [s.to_json() for s in self.skipped_rows],
                "ignored_columns": [u.to_json() for u in self.ignored()]}


def _resolve(ref: str, header: Sequence[str], where: str, path: object, row: int, letters: bool) -> list[int]:
    """The columns a ``--columns`` reference names: a header, or ``column C`` / ``column 3``."""
    m = _REF.match(ref.strip())
    if m:
        spec = m[1]
        if spec.isdigit():
            index = int(spec) - 1
        else:
            index = 0
            for ch in spec.upper():
                index = index * 26 + ord(ch) - 64
            index -= 1
        if 0 <= index < len(header):
            return [index]
        raise InputError(path, Msg("columns_ref_beyond", where=where, ref=ref, count=len(header)), row=row)
    exact = [i for i, h in enumerate(header) if h.strip() == ref.strip()]
    found = exact or [i for i, h in enumerate(header) if header_key(h) and header_key(h) == header_key(ref)]
    if not found:
        shown = ", ".join(repr(h) for h in header[:20] if h)
        raise InputError(path, Msg("columns_ref_missing", where=where, ref=ref, shown=shown), row=row)
    if len(found) > 1:
        names = Join("or", [f"'column {column_letter(i)}'" for i in found] if letters else [])
        raise InputError(path, Msg("columns_ref_ambiguous", where=where, ref=ref, count=len(found), names=names),
                         row=row)
    return found


def plan_columns(
    header: Sequence[str],
    *,
    path: object,
    header_row: int,
    fmt: str = "csv",
    mapping: object = None,
    required: Sequence[str] = ("seller_sku",),
    skipped_rows: Sequence[SkippedRow] = (),
) -> ColumnPlan:
    """Decide what each column feeds, from the aliases and the ``--columns`` map.

    Raises:
        InputError: two columns feed one single-column field; a required field has no column;
            the map names a column that is not there.
    """
    from shelfcheck.ingest.mapping import ColumnMap

    specs = catalog_fields()
    letters = fmt != "json"
    cmap = mapping if isinstance(mapping, ColumnMap) else ColumnMap()
    where = f"--columns {cmap.path}" if cmap.path else "--columns"
    chosen: dict[int, tuple[str | None, str]] = {}  # column → (field or None to ignore, via)
    pinned: set[str] = set()
    order: dict[str, list[int]] = {}  # a field the map gives several columns: in the map's order
    for ref, target in cmap.header_to_field.items():
        for i in _resolve(ref, header, where, path, header_row, letters):
            chosen[i] = (target, "columns")
            if target is not None:
                pinned.add(target)
    for target, refs in cmap.field_to_headers.items():
        pinned.add(target)
        for ref in refs:
            for i in _resolve(ref, header, where, path, header_row, letters):
                chosen[i] = (target, "columns")
                order.setdefault(target, []).append(i)
    uses: list[ColumnUse] = []
    fields: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        unit = header_unit(name)
        if i in chosen:
            target, via = chosen[i]
            if target is None:
                uses.append(ColumnUse(i, name, catalog_field_of(name), "ignored", via, unit, None, letters))
                continue
        else:
            target, via = catalog_field_of(name), "alias"
            if target is not None and target in pinned:
                uses.append(ColumnUse(i, name, target, "not_selected", via, unit, None, letters))
                continue
        if target is None:
            hint = suggest_field(name) if name.strip() else None
            uses.append(ColumnUse(i, name, None, "unknown", via, unit, hint[0] if hint else None, letters))
            continue
        status = "used" if specs[target].used else "not_checked"
        uses.append(ColumnUse(i, name, target, status, via, unit, None, letters))
        fields.setdefault(target, []).append(i)
    for target, idx in order.items():
        if target in fields:
            fields[target] = [i for i in idx if i in fields[target]] + [i for i in fields[target] if i not in idx]
    clashes = [(f, idx) for f, idx in fields.items() if len(idx) > 1 and not specs[f].multiple]
    if clashes:
        parts = []
        for f, idx in clashes:
            named = Join("and", [Msg("columns_header_at", header=header[i], letter=column_letter(i))
                                 if letters else repr(header[i]) for i in idx])
            parts.append(Msg("columns_clash", field=f, count=len(idx), named=named))
        first_f, first_idx = clashes[0]
        example = f"column {column_letter(first_idx[0])}" if letters else header[first_idx[0]]
        raise InputError(path, Msg("columns_clashes", clashes=Join("semicolon", parts), field=first_f,
                                   example=example), row=header_row, column=header[first_idx[0]])
    missing = [f for f in required if f not in fields]
    if missing:
        found = [h for h in header if h.strip()]
        shown = ", ".join(repr(h) for h in found[:15]) + (" …" if len(found) > 15 else "")
        parts = []
        for f in missing:
            names = ", ".join(specs[f].names[:6])
            close = closest_aliases(found, f)
            hint = Msg("columns_closest", pairs=", ".join(f"{h!r} ~ {a!r}" for h, a, _ in close)) if close else ""
            parts.append(Msg("columns_missing_field", field=f, names=names, hint=hint))
        raise InputError(path, Msg("columns_missing", missing=Join("semicolon", parts), row=header_row,
                                   shown=shown or Msg("columns_header_empty")), row=header_row, column=missing[0])
    return ColumnPlan(uses, fields, header_row, list(skipped_rows))
