"""Writers of the fixed catalogue: the same file name, format, encoding and layout as the
original, with only the changed cells rewritten.

* CSV: the original text is kept record by record; a record with a changed cell is written
  again with the file's delimiter, quoting style and line ending, in the file's encoding (a GBK
  file stays GBK, a BOM stays). Every other record is byte for byte what it was.
* XLSX: the workbook is opened with openpyxl and only the changed cells get a new value (and a
  comment saying what changed); other sheets, styles, column order, the template's key and
  instruction rows stay as they are.
* JSON: the records keep their keys and order; a changed value keeps its JSON type (a list of
  images stays a list, a number a number) and the file its indentation.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["CellEdits", "write_catalog"]

# (row, column index) -> the new text of the cell
CellEdits = Mapping[tuple[int, int], str]
# (row, column index) -> comment for the cell (XLSX)
Comments = Mapping[tuple[int, int], str]

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_catalog(source: Any, dest: Path, edits: CellEdits, comments: Comments | None = None) -> None:
    """Write the fixed copy of ``source`` (an opened :class:`~shelfcheck.ingest.catalog.CatalogSource`)
    to ``dest``, applying ``edits``."""
    if source.format == "csv":
        _atomic_write(dest, _csv_bytes(source.path, source.encoding or "utf-8", edits))
    elif source.format == "xlsx":
        _write_xlsx(source.path, source.sheet, dest, edits, comments or {})
    else:
        _atomic_write(dest, _json_bytes(source.path, list(source.table.header), edits))


# --- CSV -------------------------------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    """The physical lines of the text as Python's universal newlines see them, endings kept."""
    lines = [m.group(0) for m in _LINES.finditer(text)]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _csv_bytes(path: Path, encoding: str, edits: CellEdits) -> bytes:
    raw = path.read_bytes()
    text = raw.decode(encoding, errors="surrogateescape")
    lines = _lines(text)
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    fields = first.split(delimiter)
    quote_all = bool(fields) and all(f.startswith('"') and f.endswith('"') and len(f) >= 2 for f in fields)
    rows: dict[int, dict[int, str]] = {}
    for (row, col), value in edits.items():
        rows.setdefault(row, {})[col] = value
    reader = csv.reader(iter(lines), delimiter=delimiter)
    out: list[str] = []
    consumed = 0
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        end = reader.line_num
        record = "".join(lines[consumed:end])
        consumed = end
        changed = rows.get(start)
        if changed:
            for col, value in changed.items():
                while len(cells) <= col:
                    cells.append("")
                cells[col] = value
            ending = re.search(r"(\r\n|\r|\n)$", record)
            buf = io.StringIO()
            csv.writer(buf, delimiter=delimiter, lineterminator=ending.group(1) if ending else "",
                       quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerow(cells)
            record = buf.getvalue()
            if start == 1 and text.startswith("\ufeff") and not encoding.endswith("sig"):
                record = "\ufeff" + record
        out.append(record)
    out.append("".join(lines[consumed:]))
    return "".join(out).encode(encoding, errors="surrogateescape")


# --- XLSX ------------------------------------------------------------------------------------------

def _typed(old: Any, text: str) -> Any:
    """The new text as the old cell's type: a count stays a number."""
    if isinstance(old, bool) or old is None:
        return text
    if isinstance(old, int) and re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    if isinstance(old, float) and re.fullmatch(r"-?\d{1,15}(?:\.\d+)?", text):
        return float(text)
    return text


def _write_xlsx(path: Path, sheet: str | None, dest: Path, edits: CellEdits, comments: Comments) -> None:
    import warnings

    import openpyxl
    from openpyxl.comments import Comment

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with path.open("rb") as fh:
            wb = openpyxl.load_workbook(fh, keep_links=True)
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    for (row, col), value in edits.items():
        cell = ws.cell(row=row, column=col + 1)
        cell.value = _typed(cell.value, value)
        note = comments.get((row, col))
        if note:
            cell.comment = Comment(note, "shelfcheck fix", width=320, height=120)
    buf = io.BytesIO()
    wb.save(buf)
    wb.close()
    _atomic_write(dest, buf.getvalue())


# --- JSON ------------------------------------------------------------------------------------------

def _json_value(old: Any, text: str) -> Any:
    """The new text as the old JSON value's type: a list stays a list, a number a number."""
    if isinstance(old, list):
        return [part.strip() for part in text.split("|") if part.strip()]
    return _typed(old, text)


def _json_bytes(path: Path, keys: list[str], edits: CellEdits) -> bytes:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    try:
        data = json.loads(text)
    except ValueError as exc:  # a number Python will not convert (beyond its digit limit)
        from shelfcheck.errors import InputError, Msg

        raise InputError(path, Msg("fix_json_unwritable", problem=str(exc))) from None
    for (row, col), value in edits.items():
        item = data[row - 2]
        key = keys[col]
        item[key] = _json_value(item.get(key), value)
    indent_match = re.search(r"^[\[{]\s*\n([ \t]+)", text)
    indent: int | str | None = None
    if indent_match:
        ws = indent_match.group(1)
        indent = len(ws) if set(ws) == {" "} else ws
    ascii_only = "\\u" in text and text.isascii()
    body = json.dumps(data, ensure_ascii=ascii_only, indent=indent,
                      separators=None if indent is not None else (", ", ": "))
    if text.endswith("\n"):
        body += "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8")
