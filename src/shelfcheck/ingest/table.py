"""Tabular files in any form a seller's ERP or Excel produces: CSV, XLSX, JSON.

CSV encodings are detected, not asked for: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's
"Unicode text"), and GBK/GB18030 as written by Chinese Excel. The delimiter (comma, tab or
semicolon) is taken from the header line. Rows are yielded lazily with their physical line numbers,
so a catalogue of any size streams through in constant memory.

Damage stays local. A byte that is neither UTF-8 nor GBK, a NUL character, a lone UTF-16
surrogate (JSON) or an XLSX cell whose XML cannot be read spoils its cell, not the file: the cell
is shown escaped (``\\xff``, ``\\x00``, ``\\ud800``) and its row comes as :class:`Cells`, a list
that says which cells were damaged and how, so the row gets a finding and every other row is
checked as usual. A cell beyond the ``cell_chars`` limit is cut there and noted the same way.
Only a file that is not a table at all, or one beyond the row/column limits, is refused.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfcheck.errors import InputError, Msg, Term
from shelfcheck.ingest.limits import Limits, limits

__all__ = ["DECODE_ERRORS", "Cells", "Table", "cell_text", "csv_records", "cut_refs", "escape_text", "open_table"]

_SAMPLE = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

csv.field_size_limit(16 * 1024 * 1024)

# The decoding error handler of damaged text files: each undecodable byte b becomes the lone
# surrogate U+DC00+b (like Python's "surrogateescape", for every byte), escaped per cell later.
DECODE_ERRORS = "shelfcheck.bytes"


def _keep_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start:exc.end]), exc.end


codecs.register_error(DECODE_ERRORS, _keep_bytes)

_BAD = re.compile("[\x00\ud800-\udfff]")
# Damage problems, most telling first (a cell shows the first of its problems).
_PROBLEMS = ("undecodable_byte", "surrogate", "nul")
_EXCERPT = 40


class Cells(list):  # type: ignore[type-arg]
    """The cells of a row some of which are damaged.

    ``damage`` holds one ``(column, problem, detail)`` per damaged cell: the header name, a
    problem key (``undecodable_byte``, ``surrogate``, ``nul``, ``xlsx_cell``, ``too_long``) and
    a dict for the evidence (the escaped excerpt, the size and the limit, …).
    """

    __slots__ = ("damage",)
    damage: tuple[tuple[str, str, dict[str, Any]], ...]


def escape_text(text: str, *, from_bytes: bool = True) -> tuple[str, str | None]:
    """``text`` with NULs, lone surrogates and kept bytes escaped, and the first problem found.

    ``from_bytes``: a surrogate U+DC80–U+DCFF stands for an undecodable byte (it was produced
    by :data:`DECODE_ERRORS`); otherwise every surrogate is a lone UTF-16 surrogate.
    """
    found: set[str] = set()

    def escape(m: re.Match[str]) -> str:
        o = ord(m[0])
        if o == 0:
            found.add("nul")
            return "\\x00"
        if from_bytes and 0xDC00 <= o <= 0xDCFF:
            found.add("undecodable_byte")
            return f"\\x{o - 0xDC00:02x}"
        found.add("surrogate")
        return f"\\u{o:04x}"

    out = _BAD.sub(escape, text)
    return out, next((p for p in _PROBLEMS if p in found), None)


def _excerpt(escaped: str) -> str:
    """The part of an escaped cell around its first escape, at most about 100 characters."""
    at = escaped.find("\\")
    if len(escaped) <= 2 * _EXCERPT + 20:
        return escaped
    start = max(0, at - _EXCERPT)
    return ("…" if start else "") + escaped[start:at + _EXCERPT + 8] + "…"


def _needs_mending(cells: list[str], lim: Limits, lists: list[int]) -> bool:
    """Whether a row of a table without damaged bytes has a cell beyond the cell limits."""
    if max(map(len, cells), default=0) > lim.cell_chars:
        return True
    for i in lists:
        if cells[i].count("|") >= lim.refs_per_cell:
            return True
    return False


def _mend(header: list[str], cells: list[str], lim: Limits, *, scan: bool, from_bytes: bool = True,
          noted: tuple[tuple[str, str, dict[str, Any]], ...] = (), lists: list[int] = ()) -> list[str]:  # type: ignore[assignment]
    """The row's cells with damage escaped and over-long cells cut, as :class:`Cells` when any.

    ``scan``: look for NULs, surrogates and undecodable bytes (only tables that may hold them).
    ``lists``: columns of ``|``-separated references, cut after ``refs_per_cell`` entries.
    """
    damage = list(noted)
    if cells and max(map(len, cells)) > lim.cell_chars:
        for i, cell in enumerate(cells):
            if len(cell) > lim.cell_chars:
                cells[i] = cell[:lim.cell_chars]
                damage.append((header[i], "too_long", {"size": len(cell), "max": lim.cell_chars}))
    for i in lists:
        if cells[i].count("|") >= lim.refs_per_cell:
            entries = [e for e in cells[i].split("|") if e.strip()]
            if len(entries) > lim.refs_per_cell:
                cells[i] = "|".join(entries[:lim.refs_per_cell])
                damage.append((header[i], "too_many_refs", {"size": len(entries), "max": lim.refs_per_cell}))
    if scan and _BAD.search("".join(cells)):
        for i, cell in enumerate(cells):
            if _BAD.search(cell):
                cells[i], problem = escape_text(cell, from_bytes=from_bytes)
                damage.append((header[i], problem or "nul", {"value": _excerpt(cells[i])}))
    if not damage:
        return cells
    out = Cells(cells)
    out.damage = tuple(damage)
    return out


def cut_refs(header: list[str], cells: list[str], lists: list[int]) -> list[str]:
    """``cells`` with every reference-list column cut at the ``refs_per_cell`` limit (noted as
    damage), for rows read before the catalogue knew which columns hold lists (the header search
    reads ahead)."""
    lim = limits()
    if not any(i < len(cells) and cells[i].count("|") >= lim.refs_per_cell for i in lists):
        return cells
    noted = cells.damage if type(cells) is Cells else ()
    return _mend(header, list(cells), lim, scan=False, noted=noted, lists=[i for i in lists if i < len(cells)])


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
    damaged: bool = False  # the file holds damaged bytes or characters (some rows come as Cells)
    # Columns of ``|``-separated references (set by the catalogue reader before the rows are read).
    list_columns: list[int] = field(default_factory=list)


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
        raise InputError(path, Msg("file_not_found", kind=Term(kind)))
    if not path.is_file():
        raise InputError(path, Msg("file_not_regular", kind=Term(kind)))
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE)
    if not head.strip():
        raise InputError(path, Msg("table_empty", kind=Term(kind)))
    if head.startswith(_ZIP_MAGIC):
        return _open_xlsx(path, sheet, kind)
    if head.startswith(_OLE_MAGIC):
        raise InputError(path, Msg("table_xls"))
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if path.suffix.lower() == ".json" or stripped[:1] in (b"[", b"{"):
        return _open_json(path, kind)
    if sheet is not None:
        raise InputError(path, Msg("table_sheet_not_xlsx"))
    return _open_csv(path, head, kind)


def _detect_encoding(path: Path, head: bytes, kind: str = "file") -> tuple[str, bool]:
    """The file's encoding, and whether it may hold damage (undecodable bytes or NULs).

    A file that is UTF-8 (or GB18030) but for a few bytes is read as such, each bad byte kept for
    its cell's finding; only a file that is mostly something else goes to charset detection. A
    reference dataset (``kind="dataset"``) is a third-party export, often Windows-1252 (the EU
    CosIng inventory): there a file without real UTF-8 characters goes to detection at once.
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, _bad_bytes(path, name, 0) > 0 or (name == "utf-8-sig" and _has_nul(path))
    if len(head.translate(None, _TEXT_BYTES)) * 100 > len(head):  # UTF-16 without a BOM, or not text
        raise InputError(path, Msg("table_binary"))
    nul = _has_nul(path)
    size = path.stat().st_size
    local = max(16, size // 1000)  # more bad bytes than this: the file is in another encoding
    counts = {"utf-8": _bad_bytes(path, "utf-8", local)}
    if counts["utf-8"] == 0:
        return "utf-8", nul
    counts["gb18030"] = _bad_bytes(path, "gb18030", local)
    if counts["gb18030"] == 0:
        # A UTF-8 file with a character cut in half may still decode as GB18030 by chance: when
        # UTF-8 fails on a few bytes only, among many characters it reads well, it is UTF-8.
        if counts["utf-8"] > local or _utf8_characters(path) <= 4 * counts["utf-8"]:
            return "gb18030", nul
        return "utf-8", True
    best = min(counts, key=lambda name: counts[name])
    single_byte = kind == "dataset" and _utf8_characters(path) <= 4 * counts["utf-8"]
    if counts[best] <= local and not single_byte:
        return best, True
    from charset_normalizer import from_path

    found = from_path(path).best()
    if found is None:
        raise InputError(path, Msg("table_encoding"))
    return found.encoding, nul


def _utf8_characters(path: Path) -> int:
    """Characters beyond ASCII that decode well as UTF-8 (the file read with damage kept)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors=DECODE_ERRORS)
    count = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            text = decoder.decode(chunk)
            count += len(_WIDE.findall(text))
    return count


_WIDE = re.compile("[^\\x00-\\x7f\\udc00-\\udcff]")


def _has_nul(path: Path) -> bool:
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            if b"\x00" in chunk:
                return True
    return False


def _bad_bytes(path: Path, encoding: str, stop: int) -> int:
    """Bytes of the file that do not decode as ``encoding``: 0 for a clean file; counting stops
    past ``stop``."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return 0
    except UnicodeDecodeError:
        pass
    decoder = codecs.getincrementaldecoder(encoding)(errors=DECODE_ERRORS)
    count = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += len(_KEPT.findall(decoder.decode(chunk)))
            if count > stop:
                break
        else:
            count += len(_KEPT.findall(decoder.decode(b"", final=True)))
    return max(count, 1)


_KEPT = re.compile("[\udc00-\udcff]")
# Every byte but the C0 controls other than tab, CR, LF: text in an ASCII-compatible encoding.
_TEXT_BYTES = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 13))


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _control_ratio(text: str) -> float:
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    return bad / max(1, len(text))


def _open_csv(path: Path, head: bytes, kind: str) -> Table:
    encoding, damaged = _detect_encoding(path, head, kind)
    sample = head.decode(encoding, errors="replace")
    if _control_ratio(sample) > 0.01:
        raise InputError(path, Msg("table_binary"))
    first_line = sample.lstrip("\ufeff").splitlines()[0] if sample.strip() else ""
    delimiter = _sniff_delimiter(first_line)
    lim = limits()
    fh = open(path, encoding=encoding, errors=DECODE_ERRORS if damaged else "strict", newline="")
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
                raise InputError(path, Msg("table_no_header", kind=Term(kind))) from None
            if any(c.strip() for c in cells):
                header = [c.strip().lstrip("\ufeff") for c in cells]
                header_row = start
    except csv.Error as exc:
        fh.close()
        raise InputError(path, Msg("csv_unreadable", problem=str(exc)), row=reader.line_num) from None
    if damaged:
        header = [escape_text(c)[0] for c in header]
    try:
        _check_width(path, header, lim, header_row)
    except InputError:
        fh.close()
        raise

    def rows() -> Iterator[tuple[int, list[str]]]:
        assert header is not None
        width = len(header)
        count = 0
        try:
            for row, cells in csv_records(path, reader):
                count += 1
                if count > lim.rows:
                    raise _too_many_rows(path, lim, row)
                if len(cells) != width:
                    cells = _fit(header, cells)
                    width = len(header)
                    _check_width(path, header, lim, row)
                if damaged or _needs_mending(cells, lim, lists):  # ``lists`` is filled once the columns are known
                    cells = _mend(header, cells, lim, scan=damaged, lists=lists)
                yield row, cells
        finally:
            fh.close()

    lists: list[int] = []
    return Table(path, "csv", encoding, header, header_row, rows(), fh.close, damaged=damaged,
                 list_columns=lists)


def _check_width(path: Path, header: list[str], lim: Limits, row: int) -> None:
    if len(header) > lim.columns:
        raise InputError(path, Msg("table_too_wide", limit=lim.columns), row=row)


def _too_many_rows(path: Path, lim: Limits, row: int) -> InputError:
    return InputError(path, Msg("table_too_long", limit=lim.rows), row=row)


def csv_records(path: Path, reader: Any, *, skip_blank: bool = True,
                escape: bool = False) -> Iterator[tuple[int, list[str]]]:
    """``(line where the record starts, cells)`` for each record a ``csv.reader`` yields.

    Blank records are skipped unless ``skip_blank`` is false; a malformed record is an
    :class:`InputError` naming its line. ``escape``: NULs, lone surrogates and bytes kept by
    :data:`DECODE_ERRORS` are escaped in each cell, as ingest shows them.
    """
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(path, Msg("csv_unreadable", problem=str(exc)), row=start) from None
        if skip_blank and (not cells or not cells[0].strip()) and not any(c.strip() for c in cells):
            continue
        if escape and _BAD.search("".join(cells)):
            cells = [escape_text(c)[0] for c in cells]
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

    lim = limits()
    fh = path.open("rb")  # a file object: openpyxl would refuse a path not ending in .xlsx
    try:
        with zipfile.ZipFile(fh) as package:
            unzipped = sum(info.file_size for info in package.infolist())
        if unzipped > lim.xlsx_unzipped_bytes:
            fh.close()
            raise InputError(path, Msg("xlsx_too_large", size=unzipped, limit=lim.xlsx_unzipped_bytes))
        fh.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a corrupt package
        fh.close()
        raise InputError(path, Msg("xlsx_unreadable", problem=_xml_problem(exc))) from None

    def close() -> None:
        wb.close()
        fh.close()

    if sheet is not None and sheet not in wb.sheetnames:
        names = ", ".join(wb.sheetnames)
        close()
        raise InputError(path, Msg("xlsx_no_sheet", sheet=sheet, sheets=names))
    if not wb.worksheets:
        close()
        raise InputError(path, Msg("xlsx_no_worksheet"))
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    if not hasattr(ws, "_get_source"):  # a chartsheet
        close()
        raise InputError(path, Msg("xlsx_chartsheet", sheet=ws.title))
    it = _xlsx_rows(path, ws, lim)
    header: list[str] | None = None
    header_row = 0
    try:
        for row_no, values, _noted in it:
            cells = [cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                header = [c.strip() for c in cells]
                while header and not header[-1]:
                    header.pop()
                header_row = row_no
                break
    except InputError:
        close()
        raise
    if header is None:
        close()
        raise InputError(path, Msg("xlsx_sheet_empty", kind=Term(kind), sheet=ws.title))
    try:
        _check_width(path, header, lim, header_row)
    except InputError:
        close()
        raise

    def rows() -> Iterator[tuple[int, list[str]]]:
        assert header is not None
        count = 0
        try:
            for number, values, noted in it:
                cells = [cell_text(v) for v in values]
                keep = max((i for i, _ in noted), default=-1) + 1  # a damaged cell is never dropped
                while len(cells) > max(len(header), keep) and not cells[-1].strip():
                    cells.pop()
                if not noted and not any(c.strip() for c in cells):
                    continue
                count += 1
                if count > lim.rows:
                    raise _too_many_rows(path, lim, number)
                cells = _fit(header, cells)
                _check_width(path, header, lim, number)
                if noted or _needs_mending(cells, lim, lists):
                    damage = tuple((header[i], "xlsx_cell", {"detail": detail}) for i, detail in noted)
                    cells = _mend(header, cells, lim, scan=False, noted=damage, lists=lists)
                yield number, cells
        finally:
            close()

    lists: list[int] = []
    return Table(path, "xlsx", None, header, header_row, rows(), close, ws.title, list_columns=lists)


def _xml_problem(exc: BaseException) -> Msg | str:
    """What is wrong with a workbook's XML, in a few words."""
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is a dependency
        DefusedXmlException = ()  # type: ignore[assignment]
    seen: BaseException | None = exc
    for _ in range(8):  # openpyxl wraps the parser's error in its own
        if seen is None:
            break
        if isinstance(seen, DefusedXmlException):  # type: ignore[arg-type]
            return Msg("xml_bomb")
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, SyntaxError):  # ElementTree's ParseError: say where the XML breaks
        return Msg("xml_not_well_formed", detail=' '.join(str(exc).split())[:80])
    return exc.__class__.__name__


class _Unreadable:
    """An XLSX cell whose XML cannot be read as a value; read as an empty cell, noted as damage."""

    __slots__ = ("detail",)

    def __init__(self, detail: str) -> None:
        self.detail = detail

    def __str__(self) -> str:
        return ""


_NUMBER_TEXT = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$", re.ASCII)


def _xlsx_rows(path: Path, ws: Any, lim: Limits) -> Iterator[tuple[int, list[Any], list[tuple[int, str]]]]:
    """``(row number, values, [(column index, problem), …])`` of each row of a read-only sheet.

    openpyxl's own row iterator stops the whole sheet at the first cell it cannot parse (a shared
    string index out of range, a number beyond ``int``'s digit limit, a bad coordinate); this
    one reads each such cell as damage on its row and goes on. Rows come with the numbers the
    sheet gives them, so the sheet's ``dimension`` (which may lie) neither cuts nor pads it.
    """
    from openpyxl.worksheet._reader import VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_row(self, row: Any) -> tuple[int, list[dict[str, Any]]]:
            text = row.get("r")
            self.row_counter = int(text) if text and text.isdigit() and len(text) <= 8 else self.row_counter + 1
            self.col_counter = 0
            return self.row_counter, [self._cell(el) for el in row]

        def _cell(self, element: Any) -> dict[str, Any]:
            before = self.col_counter
            try:
                cell = self.parse_cell(element)
            except Exception as exc:  # noqa: BLE001 - whatever the XML holds, one cell is lost
                raw = element.findtext(VALUE_TAG, None) or ""
                placed = self.col_counter != before
                if not placed:  # the coordinate itself was unreadable: where it goes is a guess
                    self.col_counter += 1
                if not placed:
                    value: Any = _Unreadable(f"cell reference {str(element.get('r'))[:20]!r} is not a cell "
                                             "of the sheet")
                elif element.get("t", "n") == "n" and _NUMBER_TEXT.match(raw):
                    value = raw  # a number beyond what Python converts: keep its digits
                else:
                    value = _Unreadable(_cell_problem(element, raw, exc))
                return {"column": self.col_counter, "value": value}
            if cell["column"] > lim.columns:
                raise InputError(path, Msg("xlsx_too_wide", limit=lim.columns), row=self.row_counter)
            return cell

    wb = ws.parent
    try:
        with ws._get_source() as src:
            parser = Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                            date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            last = 0
            for number, cells in parser.parse():
                last = number
                width = max((c["column"] for c in cells), default=0)
                values: list[Any] = [None] * width
                for c in cells:
                    values[c["column"] - 1] = c["value"]
                noted = [(i, v.detail) for i, v in enumerate(values) if isinstance(v, _Unreadable)]
                yield number, values, noted
    except InputError:
        raise
    except Exception as exc:  # broken XML: the rows read so far were checked
        raise InputError(path, Msg("xlsx_broken_row", problem=_xml_problem(exc)), row=last + 1) from None


def _cell_problem(element: Any, raw: str, exc: BaseException) -> str:
    kind = element.get("t", "n")
    where = element.get("r") or "?"
    if kind == "s":
        return f"cell {where[:12]}: shared string {raw[:20]!r} is not in the workbook's string table"
    return f"cell {where[:12]}: value {raw[:20]!r} of type {kind[:12]!r} cannot be read ({exc.__class__.__name__})"


# A JSON escape that decodes to a NUL or a surrogate (rows are scanned for damage when present).
_JSON_BAD_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def _open_json(path: Path, kind: str) -> Table:
    lim = limits()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
        from_bytes = False
    except UnicodeDecodeError:
        text = raw.decode("utf-8-sig", errors=DECODE_ERRORS)
        from_bytes = True
        if len(_KEPT.findall(text)) > max(16, len(raw) // 1000):
            raise InputError(path, Msg("json_not_utf8")) from None
    del raw
    try:
        data = json.loads(text, parse_int=str)  # digits kept as text: no int() of 10,000 digits
    except RecursionError:
        raise InputError(path, Msg("json_too_deep", limit=lim.json_depth)) from None
    except json.JSONDecodeError as exc:
        raise InputError(path, Msg("json_invalid", problem=exc.msg, line=exc.lineno, column=exc.colno),
                         row=exc.lineno) from None
    scan = from_bytes or bool(_BAD.search(text) or _JSON_BAD_ESCAPE.search(text))
    del text
    if not isinstance(data, list):
        raise InputError(path, Msg("json_not_list", kind=Term(kind)))
    header: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise InputError(path, Msg("json_item_not_object", item=i + 1), row=i + 2)
        for key in item:
            if key not in seen:
                seen.add(key)
                header.append(str(key))
    if not header:
        raise InputError(path, Msg("json_no_records", kind=Term(kind)))
    if len(data) > lim.rows:
        raise _too_many_rows(path, lim, lim.rows + 2)
    _check_width(path, header, lim, 1)
    keys = list(header)
    if scan:
        header = [escape_text(h, from_bytes=from_bytes)[0] for h in header]

    def rows() -> Iterator[tuple[int, list[str]]]:
        # Record i is reported as row i + 2, as if the JSON were a sheet with a header row.
        for i, item in enumerate(data):
            cells = []
            for key in keys:
                value = item.get(key)
                if isinstance(value, (list, dict)) and _depth(value, lim.json_depth - 2) > lim.json_depth - 2:
                    raise InputError(path, Msg("json_value_too_deep", limit=lim.json_depth), row=i + 2, column=key)
                cells.append(cell_text(value))
            if scan or _needs_mending(cells, lim, lists):
                cells = _mend(header, cells, lim, scan=scan, from_bytes=from_bytes, lists=lists)
            yield i + 2, cells

    lists: list[int] = []
    return Table(path, "json", "utf-8", header, 1, rows(), damaged=scan, list_columns=lists)


def _depth(value: Any, cap: int) -> int:
    """Nesting depth of a JSON list or object (``[1, 2]`` is 1), counted no further than ``cap + 1``."""
    depth, level = 0, [value]
    while level and depth <= cap:
        depth += 1
        level = [v for c in level for v in (c.values() if isinstance(c, dict) else c)
                 if isinstance(v, (list, dict))]
    return depth
