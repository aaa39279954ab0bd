"""Tabular files in any form a seller's ERP or Excel produces: CSV, XLSX, JSON.

CSV encodings are detected, not asked for: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's
"Unicode text"), and GBK/GB18030 as written by Chinese Excel. The delimiter (comma, tab or
semicolon) is taken from the header line. Rows are yielded lazily with their physical line numbers,
so a catalogue of any size streams through in constant memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelfcheck.errors import InputError

__all__ = ["Table", "cell_text", "csv_records", "open_table"]

_SAMPLE = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class Table:
    """An opened table: its header and a lazy iterator of ``(row_number, cells)``.

    ``cells`` is always as long as ``header``; cells beyond the header are appended to the header
    as ``column N`` names on first sight, so nothing a seller typed is dropped.
    """

    path: Path
    format: str
    encoding: str | None
    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[str]]]
    close: Callable[[], None] = lambda: None
    sheet: str | None = None


def cell_text(value: Any) -> str:
    """The text a spreadsheet cell means: ``12`` not ``12.0``, ISO dates, ``""`` for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "|".join(cell_text(v) for v in value)
    return str(value)


def open_table(path: str | Path, *, sheet: str | None = None, kind: str = "file") -> Table:
    """Open a CSV, XLSX or JSON table, detecting the format from its content.

    Args:
        path: the file.
        sheet: XLSX sheet name (default: the first sheet).
        kind: what the file is, for error messages ("catalogue", "documents", …).

    Raises:
        InputError: the file is missing, empty, binary, or not a table.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, f"{kind} file not found")
    if not path.is_file():
        raise InputError(path, f"{kind} path is not a regular file")
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE)
    if not head.strip():
        raise InputError(path, f"{kind} file is empty: expected a header row")
    if head.startswith(_ZIP_MAGIC):
        return _open_xlsx(path, sheet, kind)
    if head.startswith(_OLE_MAGIC):
        raise InputError(path, "legacy Excel .xls is not supported: save it as .xlsx or CSV (UTF-8)")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if path.suffix.lower() == ".json" or stripped[:1] in (b"[", b"{"):
        return _open_json(path, kind)
    if sheet is not None:
        raise InputError(path, "--sheet applies to XLSX files only")
    return _open_csv(path, head, kind)


def _detect_encoding(path: Path, head: bytes) -> str:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if b"\x00" in head:
        raise InputError(path, "binary file, not a CSV/XLSX/JSON table")
    for candidate in ("utf-8", "gb18030"):
        if _decodes(path, candidate):
            return candidate
    from charset_normalizer import from_path

    best = from_path(path).best()
    if best is None:
        raise InputError(path, "cannot detect the text encoding (expected UTF-8 or GBK)")
    return best.encoding


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _control_ratio(text: str) -> float:
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    return bad / max(1, len(text))


def _open_csv(path: Path, head: bytes, kind: str) -> Table:
    encoding = _detect_encoding(path, head)
    sample = head.decode(encoding, errors="replace")
    if _control_ratio(sample) > 0.01:
        raise InputError(path, "binary file, not a CSV/XLSX/JSON table")
    first_line = sample.lstrip("\ufeff").splitlines()[0] if sample.strip() else ""
    delimiter = _sniff_delimiter(first_line)
    fh = io.open(path, encoding=encoding, newline="")
    reader = csv.reader(fh, delimiter=delimiter)
    header: list[str] | None = None
    header_row = 0
    try:
        while header is None:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                fh.close()
                raise InputError(path, f"{kind} file has no header row") from None
            if any(c.strip() for c in cells):
                header = [c.strip().lstrip("\ufeff") for c in cells]
                header_row = start
    except csv.Error as exc:
        fh.close()
        raise InputError(path, f"not a readable CSV: {exc}", row=reader.line_num) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        assert header is not None
        width = len(header)
        try:
            for record in csv_records(path, reader):
                if len(record[1]) != width:
                    record = (record[0], _fit(header, record[1]))
                    width = len(header)
                yield record
        finally:
            fh.close()

    return Table(path, "csv", encoding, header, header_row, rows(), fh.close)


def csv_records(path: Path, reader: Any, *, skip_blank: bool = True) -> Iterator[tuple[int, list[str]]]:
    """``(line where the record starts, cells)`` for each record a ``csv.reader`` yields.

    Blank records are skipped unless ``skip_blank`` is false; a malformed record is an
    :class:`InputError` naming its line.
    """
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(path, f"not a readable CSV: {exc}", row=start) from None
        if skip_blank and (not cells or not cells[0].strip()) and not any(c.strip() for c in cells):
            continue
        yield start, cells


def _fit(header: list[str], cells: list[str]) -> list[str]:
    if len(cells) < len(header):
        return cells + [""] * (len(header) - len(cells))
    while len(cells) > len(header):
        header.append(f"column {len(header) + 1}")
    return cells


def _open_xlsx(path: Path, sheet: str | None, kind: str) -> Table:
    import warnings

    import openpyxl

    fh = path.open("rb")  # a file object: openpyxl would refuse a path not ending in .xlsx
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt package
        fh.close()
        raise InputError(path, f"not a readable XLSX workbook ({exc.__class__.__name__})") from None

    def close() -> None:
        wb.close()
        fh.close()

    if sheet is not None and sheet not in wb.sheetnames:
        names = ", ".join(wb.sheetnames)
        close()
        raise InputError(path, f"no sheet named {sheet!r} (sheets: {names})")
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header: list[str] | None = None
    header_row = 0
    row_no = 0
    for values in it:
        row_no += 1
        cells = [cell_text(v) for v in values]
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            while header and not header[-1]:
                header.pop()
            header_row = row_no
            break
    if header is None:
        close()
        raise InputError(path, f"{kind} sheet {ws.title!r} is empty: expected a header row")

    def rows() -> Iterator[tuple[int, list[str]]]:
        assert header is not None
        number = header_row
        try:
            for values in it:
                number += 1
                cells = [cell_text(v) for v in values]
                while len(cells) > len(header) and not cells[-1].strip():
                    cells.pop()
                if not any(c.strip() for c in cells):
                    continue
                yield number, _fit(header, cells)
        finally:
            close()

    return Table(path, "xlsx", None, header, header_row, rows(), close, ws.title)


def _open_json(path: Path, kind: str) -> Table:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(path, "JSON must be UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON: {exc.msg}", row=exc.lineno) from None
    if not isinstance(data, list):
        raise InputError(path, f"JSON {kind} must be a list of objects, one per SKU")
    header: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise InputError(path, f"item {i + 1} is not an object", row=i + 2)
        for key in item:
            if key not in seen:
                seen.add(key)
                header.append(str(key))
    if not header:
        raise InputError(path, f"JSON {kind} has no records")

    def rows() -> Iterator[tuple[int, list[str]]]:
        # Record i is reported as row i + 2, as if the JSON were a sheet with a header row.
        for i, item in enumerate(data):
            yield i + 2, [cell_text(item.get(key)) for key in header]

    return Table(path, "json", "utf-8", header, 1, rows())
