"""The seller's own sheet back, as XLSX or CSV, with the findings added to every row.

The original columns come back untouched, in their order and spelling (Chinese headers stay
Chinese), followed by four added columns: ``status`` (``pass``/``fail``), ``error_codes``
(finding codes, ``;``-separated), ``messages`` and ``fixes`` (in the report's language, one line
per finding, each starting with its code). Rows stay in input order and are matched to results by
their physical row number (:attr:`ListingResult.row`).

* CSV is written in the input's encoding when it was GBK/GB18030, so the file re-imports into
  the seller's ERP; otherwise as UTF-8 with a BOM, which Excel opens with Chinese intact. The
  input's delimiter and line ending are kept.
* XLSX: when the input was a workbook, it is opened with openpyxl and the columns are added to the
  checked sheet; the other sheets and the sheet's other content are kept. Each offending cell
  is filled and carries a comment (message and fix); findings that point at no column (e.g. a
  compliance document) go on the row's ``status`` cell. A second sheet ``summary`` counts the
  findings by code and severity and lists the shop findings. Other inputs give a new workbook
  built the same way.

Running the check again on a sheet this module wrote replaces the four columns, the highlights
and the comments it added instead of adding them twice.

Nothing in the sheet runs when it is opened (:mod:`shelfcheck.reporters.inert`): in CSV a cell a
spreadsheet would evaluate as a formula (``=…``, ``+…``, ``-…``, ``@…``, tab, CR — but not a number
such as ``-5`` or a phone number such as ``+1 555 123 4567``) is written with a leading ``'``; in
XLSX every cell the seller wrote as text stays text, and one that looks like a formula also gets
the cell's quote-prefix flag (Excel's own leading ``'``: shown without it, kept as text when
edited), its value unchanged.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from shelfcheck.findings import Finding, ListingResult, Severity, Summary, Where
from shelfcheck.i18n import Catalogue
from shelfcheck.ingest.table import DECODE_ERRORS, cell_text, csv_records, escape_text, open_table
from shelfcheck.reporters.deferred import ProductFailure, ProductStatus
from shelfcheck.reporters.inert import REPLACE_ERRORS, formula_like, neutralise, xml_text
from shelfcheck.reporters.products import product_results, rows_text
from shelfcheck.rules import RULES
from shelfcheck.rules.docs import rule_text

__all__ = ["ADDED_COLUMNS", "AUTHOR", "field_column", "report_csv", "report_xlsx", "row_cells"]

ADDED_COLUMNS = ("status", "error_codes", "messages", "fixes")
AUTHOR = "shelfcheck"                 # author of the comments this module adds
ERROR_FILL = "FFFFC7CE"               # light red: a cell with an error
WARNING_FILL = "FFFFEB9C"             # light yellow: a cell with only warnings
PASS_FILL = "FFC6EFCE"                # light green: a status cell of a clean row
_OUR_FILLS = {ERROR_FILL, WARNING_FILL, PASS_FILL}
_GB_ENCODINGS = {"gbk", "gb2312", "gb18030", "cp936", "hz"}
_CELL_LIMIT = 32767                   # characters an Excel cell holds


def field_column(where: Where | str, columns: dict[str, str]) -> str | None:
    """The header text of the column a finding points at (its :class:`Where`, or its ``field``
    text), or ``None``.

    ``title`` → the title column; ``main_images[2]`` → the main images column;
    ``documents[FCC-7]`` and shop fields (``app.api_version``) → ``None``.
    """
    if isinstance(where, str):
        where = Where.parse(where)
    return columns.get(where.field) if where.field else None


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def row_cells(findings: list[Finding], cat: Catalogue, status: str, note: str = "") -> list[str]:
    """The four added cells of one row: status, codes, messages, fixes; ``note`` (a row that fails
    with its product) ends the messages."""
    codes = _dedupe([f.code for f in findings])
    messages = [f"[{f.code}] {cat.message(f)}" for f in findings] + ([note] if note else [])
    fixes = _dedupe([f"[{f.code}] {cat.fix(f)}" for f in findings if cat.fix(f)])
    return [status, ";".join(codes), "\n".join(_dedupe(messages)), "\n".join(fixes)]


# --------------------------------------------------------------------------------------------
# Reading the source again, exactly as written
# --------------------------------------------------------------------------------------------


@dataclass
class _Records:
    """The source's header and its records ``(physical row, cells)``, blank ones included."""

    header: list[str]
    width: int
    records: Iterator[tuple[int, list[str]]]
    header_line: int
    before_header: list[list[str]]
    delimiter: str = ","
    line_ending: str = "\r\n"


def _csv_dialect(path: Path, encoding: str) -> tuple[str, str]:
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    ending = "\r\n" if b"\r\n" in head else ("\r" if b"\r" in head and b"\n" not in head else "\n")
    return (best if counts[best] else ","), ending


def _csv_records(path: Path, encoding: str, header_row: int = 1) -> _Records:
    """Records of a CSV as the csv module reads them, with the same row numbers as ingest.

    The header is the first non-blank record at or after ``header_row`` (the row ingest found:
    a template's key rows above it are written back as they were)."""
    delimiter, ending = _csv_dialect(path, encoding)
    width = 0
    with open(path, encoding=encoding, errors=DECODE_ERRORS, newline="") as fh:  # first pass: the widest record
        for cells in csv.reader(fh, delimiter=delimiter):
            width = max(width, len(cells))
    fh = open(path, encoding=encoding, errors=DECODE_ERRORS, newline="")
    reader = csv.reader(fh, delimiter=delimiter)
    before: list[list[str]] = []
    header: list[str] = []
    header_line = 0
    start = 1
    for cells in reader:
        if start >= header_row and any(c.strip() for c in cells):
            header = [escape_text(c.lstrip("\ufeff") if i == 0 and start == 1 else c)[0] for i, c in enumerate(cells)]
            header_line = reader.line_num
            break
        before.append([c.lstrip("\ufeff") if i == 0 and start == 1 else c for i, c in enumerate(cells)])
        start = reader.line_num + 1

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            yield from csv_records(path, reader, skip_blank=False, escape=True)
        finally:
            fh.close()

    return _Records(header, max(width, len(header)), records(), header_line, before, delimiter, ending)


def _table_records(source: Any, sheet: str | None) -> _Records:
    """Records of an XLSX or JSON source through the ingest reader (cells as text); rows above
    the header ingest found (a template's key rows) come back before it, as they were."""
    header_row = getattr(getattr(source, "table", None), "header_row", 1) or 1
    first = open_table(source.path, sheet=sheet, kind="catalogue")
    header = list(first.header)
    width = len(header)
    try:  # first pass: cells past the header widen the table
        for _, cells in first.rows:
            width = max(width, len(cells))
    finally:
        first.close()
    table = open_table(source.path, sheet=sheet, kind="catalogue")
    header, line, before = list(table.header), table.header_row, []
    rows = table.rows
    if header_row > line:
        for number, cells in rows:
            before.append(header)
            header, line = cells, number
            if number >= header_row:
                break
        while header and not header[-1].strip():
            header = header[:-1]

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            yield from rows
        finally:
            table.close()

    return _Records(header, max(width, len(header)), records(), line, before)


def _full_workbook(path: Path) -> Any:
    """The workbook loaded in full for the round trip, or ``None`` when openpyxl cannot load it
    so (a damaged cell ingest read as damage): the sheet is then written anew from the records."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open(path, "rb") as fh:
            try:
                return openpyxl.load_workbook(fh, read_only=False, data_only=False, keep_links=True)
            except Exception:  # noqa: BLE001 - openpyxl raises many types for a damaged part
                return None


def _source_records(source: Any, sheet: str | None) -> _Records:
    if source.format == "csv":
        header_row = getattr(getattr(source, "table", None), "header_row", 1) or 1
        return _csv_records(Path(source.path), source.encoding or "utf-8", header_row)
    return _table_records(source, sheet)


def _sheet_name(source: Any) -> str | None:
    """The checked sheet's name when the source says (the first sheet otherwise)."""
    for holder in (source, getattr(source, "table", None)):
        name = getattr(holder, "sheet", None)
        if isinstance(name, str) and name:
            return name
    return None


_Row = tuple[ListingResult, "ProductFailure | None"]


class _Merge:
    """Walks source records and results (already counted, each with why it fails with its
    product) together."""

    def __init__(self, results: Iterator[_Row]) -> None:
        self.results = results
        self.pending = next(results, None)

    def result_for(self, row: int) -> _Row | None:
        while self.pending is not None and self.pending[0].row < row:
            self._take()  # a result with no matching record (never expected)
        if self.pending is not None and self.pending[0].row == row:
            return self._take()
        return None

    def _take(self) -> _Row:
        result = self.pending
        assert result is not None
        self.pending = next(self.results, None)
        return result

    def finish(self) -> None:
        while self.pending is not None:
            self._take()


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _output_encoding(source: Any) -> str:
    if source.format == "csv" and source.encoding:
        try:
            name = codecs.lookup(source.encoding).name
        except LookupError:
            name = ""
        if name in _GB_ENCODINGS or source.encoding.lower() in _GB_ENCODINGS:
            # GB18030 writes every GBK character with GBK's bytes, and anything else losslessly.
            return "gb18030"
    return "utf-8-sig"


def write_csv(run: Any, out: IO[bytes], cat: Catalogue, *, sheet: str | None = None) -> Summary:
    """Write the seller's sheet back as CSV to a binary stream; return the summary."""
    source = run.source
    summary = Summary()
    summary.add_findings(run.shop_findings)
    records = _source_records(source, sheet or _sheet_name(source))
    text = io.TextIOWrapper(out, encoding=_output_encoding(source), errors=REPLACE_ERRORS,
                            newline="", write_through=True)
    try:
        writer = csv.writer(text, delimiter=records.delimiter, lineterminator=records.line_ending)

        def write(cells: list[str]) -> None:
            writer.writerow([neutralise(c) for c in cells])

        for cells in records.before_header:
            write(cells)
        width = records.width
        write(records.header + [""] * (width - len(records.header)) + list(ADDED_COLUMNS))
        # The CSV is the seller's rows back, for re-import: product-level findings are counted
        # (exit status, summary) and shown by the other reports, not written as rows here; a row
        # that fails with its product says so.
        merge = _Merge(_rows(run, summary, cat)[0])
        for row, cells in records.records:
            found = merge.result_for(row)
            if found is None:
                write(cells)
                continue
            result, why = found
            padded = cells + [""] * (width - len(cells))
            write(padded + row_cells(result.findings, cat, result.status, why.text(cat) if why else ""))
        merge.finish()
        text.flush()
    finally:
        text.detach()
    return summary


def report_csv(run: Any, out: IO[bytes], cat: Catalogue, options: Any) -> Summary:
    """Reporter entry point for ``--format csv`` (writes bytes)."""
    return write_csv(run, out, cat)


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------

def _clean(text: str) -> str:
    """Text an XLSX cell can hold: only characters XML carries, at most 32,767 characters."""
    text = xml_text(text)
    return text if len(text) <= _CELL_LIMIT else text[: _CELL_LIMIT - 1] + "…"


def _set_text(cell: Any, text: str) -> None:
    """Store ``text`` as a string, never as a formula (``=…`` from a seller's file stays text,
    flagged with the quote prefix so that editing the cell keeps it text)."""
    cell.value = _clean(text)
    if cell.data_type != "s":
        cell.data_type = "s"
    if formula_like(cell.value):
        cell.quotePrefix = True


def _mark_formula_like(ws: Any) -> None:
    """Flag the seller's text cells that look like formulas with the quote prefix (values kept).

    Real formulas of the seller's own workbook (``data_type`` ``f``) stay formulas.
    """
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "s" and isinstance(cell.value, str) and formula_like(cell.value):
                cell.quotePrefix = True


def _checked_sheet(wb: Any, source: Any, sheet: str | None) -> Any:
    if sheet and sheet in wb.sheetnames:
        return wb[sheet]
    row = getattr(getattr(source, "table", None), "header_row", 1) or 1
    for ws in wb.worksheets:
        cells = [cell_text(c.value).strip() for c in ws[row]] if ws.max_row >= row else []
        while cells and not cells[-1]:
            cells.pop()
        if cells == list(source.header[: len(cells)]) and len(cells) == len(source.header):
            return ws
    return wb.worksheets[0]


@dataclass
class _Mark:
    """What one cell of a row gets: a fill and a comment."""

    fill: str
    comment: str
    findings: int


class _Marker:
    """Decides the four added cells of a row and which cells to highlight, with what comment."""

    def __init__(self, header: list[str], columns: dict[str, str], cat: Catalogue,
                 first_added: int) -> None:
        self.cat = cat
        self.columns = columns
        self.col_of: dict[str, int] = {}
        for i, name in enumerate(header, start=1):
            self.col_of.setdefault(name.strip(), i)
        self.added = {name: first_added + i for i, name in enumerate(ADDED_COLUMNS)}

    def marks(self, result: ListingResult, why: ProductFailure | None = None) -> tuple[list[str], dict[int, _Mark]]:
        cat = self.cat
        note = why.text(cat) if why is not None else ""
        status_col = self.added["status"]
        by_cell: dict[int, list[Finding]] = {}
        for f in result.findings:
            header = field_column(f.where, self.columns)
            col = self.col_of.get(header.strip()) if header else None
            by_cell.setdefault(col or status_col, []).append(f)
        marks = {}
        for col, findings in by_cell.items():
            worst = max(f.severity for f in findings)
            text = "\n\n".join(
                cat.ui("rpt_comment", code=f.code, message=cat.message(f), fix=cat.fix(f))
                for f in findings)
            marks[col] = _Mark(ERROR_FILL if worst is Severity.ERROR else WARNING_FILL, text, len(findings))
        if note:  # the row fails with its product: its status cell says so
            old = marks.get(status_col)
            marks[status_col] = _Mark(ERROR_FILL, "\n\n".join(filter(None, [old.comment if old else "", note])),
                                      (old.findings if old else 0) + 1)
        if status_col not in marks:
            marks[status_col] = _Mark(PASS_FILL, "", 0)
        return row_cells(result.findings, cat, result.status, note), marks


class _Styles:
    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.fills = {c: PatternFill("solid", fgColor=c) for c in _OUR_FILLS}
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=13)

    @staticmethod
    def comment(text: str, findings: int) -> Any:
        from openpyxl.comments import Comment

        comment = Comment(_clean(text), AUTHOR)
        comment.width = 420
        comment.height = min(600, 90 + 60 * findings)
        return comment


def _set_widths(ws: Any, added: dict[str, int]) -> None:
    from openpyxl.utils import get_column_letter

    for name, width in zip(ADDED_COLUMNS, (9, 28, 70, 70)):
        ws.column_dimensions[get_column_letter(added[name])].width = width


class _SheetWriter:
    """Adds the four columns, highlights and comments to a loaded worksheet, in place."""

    def __init__(self, ws: Any, header_row: int, marker: _Marker) -> None:
        self.ws = ws
        self.marker = marker
        self.styles = _Styles()
        for name, col in marker.added.items():
            cell = ws.cell(row=header_row, column=col)
            _set_text(cell, name)
            cell.font = self.styles.bold
        _set_widths(ws, marker.added)

    def write(self, row: int, result: ListingResult, why: ProductFailure | None = None) -> None:
        cells, marks = self.marker.marks(result, why)
        for name, text in zip(ADDED_COLUMNS, cells):
            cell = self.ws.cell(row=row, column=self.marker.added[name])
            _set_text(cell, text)
            if name != "status":
                cell.alignment = self.styles.wrap
        for col, mark in marks.items():
            cell = self.ws.cell(row=row, column=col)
            cell.fill = self.styles.fills[mark.fill]
            if not mark.comment:
                continue
            text = mark.comment
            old = cell.comment
            if old is not None and old.author != AUTHOR and old.text:
                text = old.text.rstrip() + "\n\n" + text
            cell.comment = self.styles.comment(text, mark.findings)


def _text_cell(ws: Any, text: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws)
    _set_text(cell, text)
    return cell


def _clear_previous(ws: Any, added: dict[str, int], header_row: int) -> None:
    """Remove the highlights, comments and added values of an earlier run on this sheet."""
    from openpyxl.styles import PatternFill

    added_cols = set(added.values())
    for row in ws.iter_rows():
        for cell in row:
            if cell.comment is not None and cell.comment.author == AUTHOR:
                cell.comment = None
            fill = cell.fill
            if fill is not None and fill.fill_type == "solid" and \
                    getattr(fill.fgColor, "rgb", None) in _OUR_FILLS:
                cell.fill = PatternFill()
            if cell.column in added_cols and cell.row > header_row:
                cell.value = None


def _existing_added(header_cells: list[str]) -> int | None:
    """The column of ``status`` when an earlier run's four columns end the header."""
    n = len(ADDED_COLUMNS)
    for start in range(len(header_cells) - n + 1):
        if tuple(header_cells[start:start + n]) == ADDED_COLUMNS:
            return start + 1
    return None


def _last_used_column(ws: Any) -> int:
    last = 0
    for row in ws.iter_rows():
        for cell in reversed(row):
            if cell.value is not None:
                last = max(last, cell.column)
                break
    return last


def _rows(run: Any, summary: Summary, cat: Catalogue) -> tuple[Iterator[_Row], list[Any]]:
    """The run's rows, spooled until its products are read (contract §4: a row's status counts
    its product), each with why it fails with its product; and the products with product-level
    findings. Rows and products are counted into ``summary``."""
    status = ProductStatus(summary, product_results(run), cat)
    status.read(run.results(), keep=lambda product: bool(product.findings))
    return status.rows(), status.products


def _summary_sheet(wb: Any, summary: Summary, severity_of: dict[str, Severity],
                   shop_findings: list[Finding], run: Any, cat: Catalogue, products: list[Any] = ()) -> Any:  # type: ignore[assignment]
    """Add the ``summary`` sheet (replacing one an earlier run added). Works in write-only mode.

    A product-level finding is listed once, under its product, with the rows it covers."""
    from openpyxl.cell import WriteOnlyCell

    name = "summary"
    if name in wb.sheetnames:
        old = wb[name]
        if str(old["A1"].value or "").startswith("shelfcheck"):
            index = wb.sheetnames.index(name)
            wb.remove(old)
            ws = wb.create_sheet(name, index)
        else:
            ws = wb.create_sheet("summary (shelfcheck)")
    else:
        ws = wb.create_sheet(name)
    for letter, width in zip("ABCDE", (34, 12, 10, 80, 60)):
        ws.column_dimensions[letter].width = width
    styles = _Styles()

    def append(values: list[Any], font: Any = None) -> None:
        cells = []
        for value in values:
            if isinstance(value, str):
                cell = WriteOnlyCell(ws)
                _set_text(cell, value)
            else:
                cell = WriteOnlyCell(ws, value=value)
            if font is not None and value not in (None, ""):
                cell.font = font
            cells.append(cell)
        ws.append(cells)

    header = run.header()
    policy = header["policy"]
    pack = getattr(getattr(run, "run", None), "policy", None)
    append([cat.ui("rpt_sheet_summary")], styles.title)
    append([cat.ui("rpt_meta", source=Path(run.source.path).name, policy=policy["name"],
                   version=policy["version"], as_of=header["as_of"], tool=header["tool"]["version"])])
    append([])
    for key, value in (("rpt_listings", summary.listings), ("rpt_passed", summary.passed),
                       ("rpt_failed", summary.failed), ("rpt_errors", summary.errors),
                       ("rpt_warnings", summary.warnings), ("rpt_infos", summary.infos)):
        append([cat.ui(key), value])
    append([])
    append([cat.ui("col_code"), cat.ui("col_severity"), cat.ui("rpt_count"), cat.ui("col_summary")],
           styles.bold)
    for code, count in sorted(summary.by_code.items(), key=lambda kv: (-kv[1], kv[0])):
        sev = severity_of.get(code, Severity.ERROR)
        rule = RULES.get(code)
        text = rule_text(rule, cat.lang, pack).summary.replace("``", "") if rule else ""
        append([code, cat.ui("sev_" + sev.label), count, text])
    append([cat.ui("rpt_sheet_total"), None, sum(summary.by_code.values())], styles.bold)
    if shop_findings:
        append([])
        append([cat.ui("rpt_sheet_shop")], styles.bold)
        append([cat.ui("col_code"), cat.ui("col_severity"), cat.ui("col_field"),
                cat.ui("col_message"), cat.ui("col_fix")], styles.bold)
        for f in shop_findings:
            append([f.code, cat.ui("sev_" + f.severity.label), f.field, cat.message(f), cat.fix(f)])
    if products:
        append([])
        append([cat.ui("products_line", products=summary.products, passed=summary.products_passed,
                       failed=summary.products_failed)], styles.bold)
        append([cat.ui("col_code"), cat.ui("col_severity"), cat.ui("col_field"),
                cat.ui("col_message"), cat.ui("col_fix"), cat.ui("product_col_rows")], styles.bold)
        for product in products:
            for f in product.findings:
                append([f.code, cat.ui("sev_" + f.severity.label), f.field, cat.message(f), cat.fix(f),
                        rows_text(f.evidence.get("rows") or product.product.rows)])
    return ws


def _safe_title(text: str) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", text).strip("'") or "catalogue"
    return title[:31]


def write_xlsx(run: Any, out: IO[bytes], cat: Catalogue, *, sheet: str | None = None) -> Summary:
    """Write the seller's sheet back as XLSX to a binary stream; return the summary."""
    import openpyxl

    source = run.source
    summary = Summary()
    summary.add_findings(run.shop_findings)
    severity_of: dict[str, Severity] = {}

    def note(findings: list[Finding]) -> None:
        for f in findings:
            if f.code not in severity_of or f.severity > severity_of[f.code]:
                severity_of[f.code] = f.severity

    note(run.shop_findings)
    sheet = sheet or _sheet_name(source)
    wb = _full_workbook(source.path) if source.format == "xlsx" else None
    if wb is not None:
        ws = _checked_sheet(wb, source, sheet)
        header_row = getattr(getattr(source, "table", None), "header_row", 1) or 1
        header_cells = [cell_text(c.value).strip() for c in ws[header_row]]
        existing = _existing_added(header_cells)
        if existing is not None:
            _clear_previous(ws, {n: existing + i for i, n in enumerate(ADDED_COLUMNS)}, header_row)
            first = existing
        else:
            first = _last_used_column(ws) + 1
        _mark_formula_like(ws)
        writer = _SheetWriter(ws, header_row, _Marker(header_cells, source.columns, cat, first))
        rows, found = _rows(run, summary, cat)
        for result, why in rows:
            note(result.findings)
            writer.write(result.row, result, why)
    else:
        # A new workbook, streamed row by row (write-only mode: flat memory, fast).
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet(_safe_title(Path(source.path).stem))
        records = _source_records(source, sheet)
        header = records.header + [""] * (records.width - len(records.header))
        marker = _Marker(header, source.columns, cat, len(header) + 1)
        styles = _Styles()
        _set_widths(ws, marker.added)
        above = [cells for cells in records.before_header if any(c.strip() for c in cells)]
        ws.freeze_panes = f"A{len(above) + 2}"
        for cells in above:  # a template's rows above its header, as they were
            ws.append([_text_cell(ws, text) if text != "" else None for text in cells])
        head = [_text_cell(ws, h) for h in header]
        for name in ADDED_COLUMNS:
            head.append(_text_cell(ws, name))
            head[-1].font = styles.bold
        ws.append(head)
        rows, found = _rows(run, summary, cat)
        merge = _Merge(rows)
        width = marker.added["fixes"]
        for row, cells in records.records:
            pair = merge.result_for(row)
            result, why = pair if pair is not None else (None, None)
            if result is None and not any(c.strip() for c in cells):
                continue  # a blank line of the CSV
            line: list[Any] = [_text_cell(ws, text) if text != "" else None for text in cells]
            line += [None] * (width - len(line))
            if result is not None:
                note(result.findings)
                added, marks = marker.marks(result, why)
                for name, text in zip(ADDED_COLUMNS, added):
                    cell = _text_cell(ws, text)
                    if name != "status":
                        cell.alignment = styles.wrap
                    line[marker.added[name] - 1] = cell
                for col, mark in marks.items():
                    cell = line[col - 1]
                    if cell is None:
                        cell = line[col - 1] = _text_cell(ws, "")
                    cell.fill = styles.fills[mark.fill]
                    if mark.comment:
                        cell.comment = styles.comment(mark.comment, mark.findings)
            ws.append(line)
        merge.finish()
    for product in found:
        note(product.findings)
    _summary_sheet(wb, summary, severity_of, run.shop_findings, run, cat, found)
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as buf:
        wb.save(buf)
        buf.seek(0)
        shutil.copyfileobj(buf, out)
    return summary


def report_xlsx(run: Any, out: IO[bytes], cat: Catalogue, options: Any) -> Summary:
    """Reporter entry point for ``--format xlsx`` (writes bytes)."""
    return write_xlsx(run, out, cat)
