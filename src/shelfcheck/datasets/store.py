"""The user's dataset store: import third-party reference files, keep them compact, load them fast.

Layout (``SHELFCHECK_DATA_DIR``, else ``platformdirs.user_data_dir("shelfcheck")``)::

    <data dir>/datasets/<kind>/manifest.json   provenance of the installed copy
    <data dir>/datasets/<kind>/<store file>     the compact store

A key → value store (CosIng: name key → canonical name; FCC: code → name) is a text file of the
N keys, one per line, followed by the N values in the same order: loading it is two C-level
splits and a ``zip``, about 5 ms for the 30,000 CosIng names. The Open API error table is JSON.

The manifest records the kind, the source (path or URL), the source's sha256, the rows read,
when it was imported, the dataset's own date, and the store file's sha256 — so a store that was
truncated or edited is detected and treated as not installed rather than trusted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelfcheck.errors import InputError, Msg, ShelfcheckError, Term
from shelfcheck.ingest.table import open_table
from shelfcheck.ingest.values import parse_date

__all__ = [
    "KINDS",
    "STORE_FILES",
    "DatasetError",
    "StoreState",
    "data_dir",
    "import_dataset",
    "kind_dir",
    "read_store",
]

KINDS = ("cosing", "fcc-grantees", "tiktok-errors")
STORE_FILES = {"cosing": "inci.txt", "fcc-grantees": "grantees.txt", "tiktok-errors": "errors.json"}
FORMAT = 1
_HEADER_SCAN = 60
_GRANTEE = re.compile(r"^[A-Z0-9]{3}(?:[A-Z0-9]{2})?$")
_WS = re.compile(r"\s+")


class DatasetError(ShelfcheckError):
    """A dataset command that cannot be carried out (bad kind, download failed …)."""


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The user data directory: ``override``, else ``SHELFCHECK_DATA_DIR``, else the platform's."""
    if override:
        return Path(override)
    env = os.environ.get("SHELFCHECK_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("shelfcheck"))


def kind_dir(kind: str, root: Path | None = None) -> Path:
    """Where one kind's store and manifest live."""
    return (root if root is not None else data_dir()) / "datasets" / kind


def check_kind(kind: str) -> str:
    """The kind, or a :class:`DatasetError` naming the valid ones."""
    if kind not in KINDS:
        raise DatasetError(Msg("dataset_unknown_kind", kind=kind, kinds=", ".join(KINDS)))
    return kind


# Reading source files ---------------------------------------------------------------------------
#
# CSV and XLSX sources are read by the ingest's table reader (encodings, delimiters, damaged
# cells handled once, as for catalogues); dates by ingest.values.parse_date. What is the
# datasets' own: a header may follow a preamble of title lines (the EU's CosIng export), and
# header names are matched against a few aliases per field.

def _fold(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).strip().lstrip("\ufeff").casefold()
    return _WS.sub(" ", text.replace("_", " ")).strip()


@dataclass
class _Table:
    header_row: int
    columns: dict[str, int]
    rows: Iterator[tuple[int, list[str]]]
    close: Callable[[], None]

    def __enter__(self) -> _Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _find_columns(cells: list[str], wanted: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Field → index of the first header cell that names it under one of its aliases."""
    folded = [_fold(c) for c in cells]
    columns = {}
    for field_name, aliases in wanted.items():
        for i, name in enumerate(folded):
            if name in aliases:
                columns[field_name] = i
                break
    return columns


def _table(path: Path, wanted: dict[str, tuple[str, ...]], required: tuple[str, ...],
           expected: tuple[str, Msg]) -> _Table:
    """Open a CSV or XLSX source and find its header: the first of the first rows naming every
    required column. ``expected`` = (column, description) is named when it is missing."""
    table = open_table(path, kind="dataset")
    candidates = itertools.chain([(table.header_row, table.header)], table.rows)
    for scanned, (number, cells) in enumerate(candidates):
        if scanned >= _HEADER_SCAN:
            break
        columns = _find_columns(cells, wanted)
        if all(r in columns for r in required):
            return _Table(number, columns, table.rows, table.close)
    table.close()
    raise InputError(path, Msg("dataset_header_lacks", what=expected[1]), row=table.header_row, column=expected[0])


def _get(cells: list[str], columns: dict[str, int], name: str) -> str:
    i = columns.get(name)
    if i is None or i >= len(cells):
        return ""
    return cells[i].strip()


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def source_date(text: str) -> dt.date | None:
    """A dataset's date cell: ISO (``YYYY-MM-DD``, ``YYYY/MM/DD``, a time part ignored) as
    :func:`shelfcheck.ingest.values.parse_date` reads it, or day first (``DD/MM/YYYY``, CosIng's
    own form; ``DD.MM.YYYY``); ``None`` when it is neither."""
    text = text.strip()
    for candidate in (text, text[:10]):
        try:
            return parse_date(candidate)
        except ValueError:
            pass
        m = _DAY_FIRST.match(candidate)
        if m:
            try:
                return dt.date(int(m[3]), int(m[2]), int(m[1]))
            except ValueError:
                pass
    return None


# Converters: source file → (store text, rows read, entries, dataset date) ----------------------

@dataclass
class _Converted:
    store: str
    rows: int
    entries: int
    dataset_date: dt.date | None
    date_column: str | None
    extra: dict[str, Any]


def _convert_cosing(path: Path, data: bytes) -> _Converted:
    from shelfcheck.analysis.inci import name_key

    names: dict[str, str] = {}
    newest: dt.date | None = None
    rows = bad_dates = 0
    with _table(path, {"name": ("inci name", "inci"), "date": ("update date", "last update")},
                ("name",), ("inci_name", Msg("dataset_inci_column"))) as table:
        for _row, cells in table.rows:
            rows += 1
            name = _WS.sub(" ", unicodedata.normalize("NFKC", _get(cells, table.columns, "name"))).strip()
            if name:
                names.setdefault(name_key(name), name)
            if "date" in table.columns:
                text = _get(cells, table.columns, "date")
                if text:
                    day = source_date(text)
                    if day is None:
                        bad_dates += 1
                    elif newest is None or day > newest:
                        newest = day
    if not names:
        raise InputError(path, Msg("dataset_no_inci"), row=table.header_row, column="INCI name")
    return _Converted(_pairs_text(names), rows, len(names), newest,
                      "update_date" if newest else None, {"unreadable_dates": bad_dates})


def _grantees_xml(path: Path, data: bytes) -> Iterator[tuple[int, str, str]]:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        try:
            text = data.decode("iso-8859-1")
            text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise InputError(path, Msg("dataset_not_xml", problem=str(exc))) from None
    number = 0
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag.rsplit("}", 1)[-1].casefold() != "row":
            continue
        number += 1
        fields = {child.tag.rsplit("}", 1)[-1].casefold(): (child.text or "").strip()
                  for child in element if isinstance(child.tag, str)}
        yield number, fields.get("grantee_code", ""), fields.get("grantee_name", "")


def _convert_grantees(path: Path, data: bytes) -> _Converted:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    grantees: dict[str, str] = {}
    newest: dt.date | None = None
    rows = 0
    closing = contextlib.ExitStack()
    if head == b"<":
        where = "XML row"
        source: Iterator[tuple[int, str, str]] = _grantees_xml(path, data)
    else:
        table = closing.enter_context(_table(
            path, {"code": ("grantee code",), "name": ("grantee name",), "date": ("date received", "grant date")},
            ("code",), ("grantee_code", Msg("dataset_grantee_column"))))
        where = "row"

        def from_table() -> Iterator[tuple[int, str, str]]:
            nonlocal newest
            for row, cells in table.rows:
                if "date" in table.columns:
                    day = source_date(_get(cells, table.columns, "date"))
                    if day is not None and (newest is None or day > newest):
                        newest = day
                yield row, _get(cells, table.columns, "code"), _get(cells, table.columns, "name")

        source = from_table()
    with closing:
        for row, code, name in source:
            rows += 1
            code = code.strip().upper()
            if not _GRANTEE.match(code):
                message = Msg("dataset_bad_grantee", code=code)
                if where == "row":
                    raise InputError(path, message, row=row, column="grantee_code")
                raise InputError(path, Msg("dataset_xml_row", row=row, message=message), column="grantee_code")
            grantees[code] = re.sub(r"[\r\n\t]+", " ", name).strip()  # kept verbatim otherwise
    if not grantees:
        raise InputError(path, Msg("dataset_no_grantees"), column="grantee_code")
    return _Converted(_pairs_text(grantees), rows, len(grantees), newest,
                      "date_received" if newest else None, {})


_ERROR_FIELDS = ("message", "endpoint", "category", "source_url", "blocking")


def _convert_errors(path: Path, data: bytes) -> _Converted:
    wanted = {"code": ("code", "error code"), "message": ("message", "error message"),
              "endpoint": ("endpoint",), "category": ("category",), "source_url": ("source url", "url"),
              "blocking": ("blocking",)}
    errors: dict[str, list[dict[str, str]]] = {}
    rows = 0
    with _table(path, wanted, ("code", "message"),
                ("code", Msg("dataset_errors_columns"))) as table:
        for row, cells in table.rows:
            rows += 1
            code = _get(cells, table.columns, "code")
            if not code:
                raise InputError(path, Msg("dataset_empty_code"), row=row, column="code")
            entry = {f: _get(cells, table.columns, f) for f in _ERROR_FIELDS if f in table.columns}
            errors.setdefault(code, []).append(entry)
    if not errors:
        raise InputError(path, Msg("dataset_no_codes"), row=table.header_row, column="code")
    store = json.dumps(errors, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _Converted(store, rows, len(errors), None, None, {})


CONVERTERS: dict[str, Callable[[Path, bytes], _Converted]] = {
    "cosing": _convert_cosing,
    "fcc-grantees": _convert_grantees,
    "tiktok-errors": _convert_errors,
}


# Import -----------------------------------------------------------------------------------------

def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def import_dataset(kind: str, file: str | os.PathLike[str], *, source: str | None = None,
                   dataset_date: str | dt.date | None = None, root: Path | None = None) -> dict[str, Any]:
    """Validate a source file, convert it to the compact store and write its manifest.

    Args:
        kind: ``cosing``, ``fcc-grantees`` or ``tiktok-errors``.
        file: the source file (CSV; XLSX for CosIng; the FCC XML export for grantees).
        source: what to record as the source (a URL after a download); default the file's path.
        dataset_date: the dataset's own date when the file does not carry one (else the newest
            ``update_date`` for CosIng, or the import day).
        root: the data directory (default :func:`data_dir`).

    Returns:
        The manifest written.

    Raises:
        InputError: the file cannot be read or lacks the needed column (names file, row, column).
        DatasetError: unknown kind.
    """
    check_kind(kind)
    path = Path(file)
    if not path.exists():
        raise InputError(path, Msg("file_not_found", kind=Term(kind)))
    if not path.is_file():
        raise InputError(path, Msg("file_not_regular", kind=Term(kind)))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, Msg("file_unreadable", reason=exc.strerror or exc)) from None
    if not data.strip():
        raise InputError(path, Msg("dataset_empty", kind=Term(kind)))
    converted = CONVERTERS[kind](path, data)
    now = _now()
    if dataset_date is not None:
        day = dataset_date if isinstance(dataset_date, dt.date) else source_date(str(dataset_date))
        if day is None:
            raise DatasetError(Msg("dataset_bad_date", date=dataset_date))
        date_from = "given"
    elif converted.dataset_date is not None:
        day, date_from = converted.dataset_date, converted.date_column or "file"
    else:
        day, date_from = now.date(), "import"
    store_bytes = converted.store.encode("utf-8")
    manifest = {
        "format": FORMAT,
        "kind": kind,
        "source": source or str(path.resolve()),
        "sha256": hashlib.sha256(data).hexdigest(),
        "rows": converted.rows,
        "entries": converted.entries,
        "imported_at": now.isoformat().replace("+00:00", "Z"),
        "dataset_date": day.isoformat(),
        "dataset_date_from": date_from,
        "label": f"{kind}@{day.isoformat()}",
        "store": STORE_FILES[kind],
        "store_sha256": hashlib.sha256(store_bytes).hexdigest(),
        **converted.extra,
    }
    folder = kind_dir(kind, root if root is not None else data_dir())
    try:
        _write_atomic(folder / STORE_FILES[kind], store_bytes)
        _write_atomic(folder / "manifest.json",
                      json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    except OSError as exc:
        raise DatasetError(Msg("dataset_cannot_write", folder=folder, reason=exc.strerror or exc)) from None
    return manifest


# Loading ----------------------------------------------------------------------------------------

@dataclass
class StoreState:
    """One kind as found in the data directory."""

    kind: str
    state: str  # "installed" | "missing" | "unreadable"
    manifest: dict[str, Any] | None = None
    problem: str | None = None
    payload: Any = None

    @property
    def label(self) -> str:
        """``cosing@2021-12-15``, ``not installed`` or ``unreadable (…)``."""
        if self.state == "installed" and self.manifest:
            return str(self.manifest.get("label") or f"{self.kind}@{self.manifest.get('dataset_date')}")
        if self.state == "missing":
            return "not installed"
        return f"unreadable ({self.problem})"


def _pairs_text(table: dict[str, str]) -> str:
    """A key → value table as its keys, one per line, then its values in the same order."""
    keys = sorted(table)
    for key in keys:
        if "\n" in key or "\n" in table[key] or "\r" in key or "\r" in table[key]:
            raise ValueError(f"line break in a stored value: {key!r}")
    return "\n".join([*keys, *(table[k] for k in keys)]) + "\n"


def _parse_pairs(text: str) -> dict[str, str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    n = len(lines) // 2
    if 2 * n != len(lines):
        raise ValueError("store has an odd number of lines")
    return dict(zip(lines[:n], lines[n:]))


def _parse_payload(kind: str, text: str) -> Any:
    if kind == "tiktok-errors":
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("store is not a JSON object")
        return data
    return _parse_pairs(text)


_CACHE: dict[tuple[str, str], tuple[tuple[int, int, int, int], StoreState]] = {}


def read_store(kind: str, root: Path | None = None, *, payload: bool = True) -> StoreState:
    """Read one kind's manifest and store; never raises (a bad store is ``unreadable``)."""
    folder = kind_dir(kind, root if root is not None else data_dir())
    manifest_path = folder / "manifest.json"
    store_path = folder / STORE_FILES[kind]
    try:
        mst = manifest_path.stat()
    except OSError:
        if store_path.exists():
            return StoreState(kind, "unreadable", problem="manifest.json missing")
        return StoreState(kind, "missing")
    try:
        sst = store_path.stat()
    except OSError:
        return StoreState(kind, "unreadable", problem=f"{STORE_FILES[kind]} missing")
    stamp = (mst.st_mtime_ns, mst.st_size, sst.st_mtime_ns, sst.st_size)
    cache_key = (kind, str(folder.resolve()))
    cached = _CACHE.get(cache_key)
    if cached is not None and cached[0] == stamp and (cached[1].payload is not None or not payload):
        return cached[1]
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("kind") != kind or manifest.get("format") != FORMAT:
            return StoreState(kind, "unreadable", problem="manifest.json is not a shelfcheck manifest")
        raw = store_path.read_bytes()
    except (OSError, ValueError) as exc:
        return StoreState(kind, "unreadable", problem=f"manifest.json: {' '.join(str(exc).split())[:120]}")
    if hashlib.sha256(raw).hexdigest() != manifest.get("store_sha256"):
        return StoreState(kind, "unreadable", manifest, problem=f"{STORE_FILES[kind]} does not match its manifest")
    state = StoreState(kind, "installed", manifest)
    if payload:
        try:
            state.payload = _parse_payload(kind, raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            return StoreState(kind, "unreadable", manifest, problem=f"{STORE_FILES[kind]}: {exc}")
        if len(state.payload) != manifest.get("entries"):
            return StoreState(kind, "unreadable", manifest, problem=f"{STORE_FILES[kind]} has a wrong entry count")
    _CACHE[cache_key] = (stamp, state)
    return state
