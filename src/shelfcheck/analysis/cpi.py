"""Cosmetic Product Ingredient Statements (CPI): find the ingredient list in the document's file.

A CPI in text (``.txt``, ``.md``, ``.csv``) or PDF form carries its list after ``Ingredients:``
(or ``成分:`` / ``成分：``) up to the end of that paragraph or section (contract §5.1). A CSV CPI
may instead hold one ingredient per row under an ``INCI name`` / ``Ingredient`` column. Image CPIs
are recognised and left alone: presence and status only, until OCR lands.

The format is read from the content (``%PDF``, image signatures), not the extension. Reading is
cached by path (and file size and time) and parsing by content hash within a :class:`CpiReader`,
so a CPI that applies to every listing (``applies_to: *``) is read once per run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from shelfcheck.analysis.inci import clean_name, split_ingredients

__all__ = ["CpiContent", "CpiReader", "extract_ingredient_text", "parse_cpi_bytes", "read_cpi"]

_MARKER = re.compile(r"(?:\bingredients?\b(?:\s+list)?|成分表?)\s*[:：]", re.I)
_HEADING_MARKER = re.compile(r"^\s*#+\s*(?:ingredients?(?:\s+list)?|成分表?)\s*[:：]?\s*$", re.I | re.M)
_SECTION = re.compile(
    r"^\s*(?:#|[-=_|]{3,}\s*$|[*_]*\s*[A-Za-z][A-Za-z /&()'.-]{0,40}[:：]|[\u4e00-\u9fff]{1,12}\s*[:：])"
)
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
_COLUMN_NAMES = {"ingredient", "ingredients", "inci", "inci name", "inci_name", "ingredient name",
                 "ingredient (inci)", "ingredient name (inci)", "成分", "成分名称", "inci名称"}


@dataclass(frozen=True, slots=True)
class CpiContent:
    """What a CPI file holds.

    Attributes:
        path: the file.
        form: ``text``, ``pdf``, ``image``, ``other`` or ``missing``.
        ingredients: the names found, in order; None when no list could be read.
        problem: a reason key when the list cannot be compared (``cpi_file_missing``,
            ``cpi_file_unreadable``, ``cpi_pdf_unreadable``, ``cpi_pdf_no_text``,
            ``cpi_no_ingredient_list``, ``cpi_format_unsupported``); None for a readable list and
            for images (checked for presence only).
        detail: the technical error, when there is one.
        sha256: the content hash.
    """

    path: str
    form: str
    ingredients: tuple[str, ...] | None = None
    problem: str | None = None
    detail: str | None = None
    sha256: str | None = None


def extract_ingredient_text(text: str) -> str | None:
    """The text of the ingredient list: after ``Ingredients:`` up to the end of its paragraph.

    The paragraph ends at a blank line, a heading, a rule line or a new ``Label:`` line; wrapped
    lines are joined; after a line ending in ``-`` the next joins without a space, and the hyphen
    is dropped when the next line starts in lower case (a hyphenated word).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    match = _MARKER.search(text)
    heading = _HEADING_MARKER.search(text)
    if heading is not None and (match is None or heading.start() < match.start()):
        start = heading.end()
    elif match is not None:
        start = match.end()
    else:
        return None
    lines = text[start:].split("\n")
    first = lines[0].strip()
    rest = lines[1:]
    collected: list[str] = []
    if first:
        collected.append(first)
    else:
        while rest and not rest[0].strip():
            rest = rest[1:]
    for line in rest:
        if not line.strip():
            if collected:
                break
            continue
        if collected and _SECTION.match(line):
            break
        if not collected and _SECTION.match(line) and not line.lstrip().startswith(("*", "_")):
            break
        collected.append(line.strip())
    if not collected:
        return None
    joined = collected[0]
    for line in collected[1:]:
        if joined.endswith("-") and line[:1].islower():
            joined = joined[:-1] + line  # a word hyphenated at the line end: "Phenoxy-/ethanol"
        elif joined.endswith("-"):
            joined = joined + line  # a real hyphen: "Steareth-/21", "1,2-/Hexanediol"
        else:
            joined = f"{joined} {line}"
    return joined.strip()


def _decode(data: bytes) -> str | None:
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_list(text: str) -> tuple[str, ...] | None:
    """The list from a CSV CPI: a cell with ``Ingredients:``, or an ingredient column."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return None
    for row in rows:
        for i, cell in enumerate(row):
            match = _MARKER.search(cell)
            if match is None:
                continue
            after = cell[match.end():].strip()
            if not after:
                after = ", ".join(c for c in row[i + 1:] if c.strip())
            if after:
                return tuple(split_ingredients(after))
    for r, row in enumerate(rows):
        for i, cell in enumerate(row):
            if cell.strip().casefold().rstrip(":：") in _COLUMN_NAMES:
                names = [clean_name(other[i]) for other in rows[r + 1:] if i < len(other) and other[i].strip()]
                names = [n for n in names if n]
                if names:
                    return tuple(names)
    return None


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        return "\n".join((page.extract_text() or "") for page in reader.pages)


def _form(data: bytes) -> str:
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "image"
    return "text"


def parse_cpi_bytes(path: str, data: bytes, suffix: str = "") -> CpiContent:
    """Parse a CPI file's content (already read)."""
    digest = hashlib.sha256(data).hexdigest()
    form = _form(data)
    if form == "image":
        return CpiContent(path, "image", sha256=digest)
    if form == "pdf":
        try:
            text = _pdf_text(data)
        except Exception as exc:  # pypdf raises many kinds of errors on broken files
            return CpiContent(path, "pdf", problem="cpi_pdf_unreadable", detail=_short(exc), sha256=digest)
        if not text.strip():
            return CpiContent(path, "pdf", problem="cpi_pdf_no_text", sha256=digest)
        block = extract_ingredient_text(text)
        if block is None:
            return CpiContent(path, "pdf", problem="cpi_no_ingredient_list", sha256=digest)
        return CpiContent(path, "pdf", tuple(split_ingredients(block)), sha256=digest)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return CpiContent(path, "other", problem="cpi_format_unsupported", sha256=digest)
    text = _decode(data)
    if text is None:
        return CpiContent(path, "text", problem="cpi_file_unreadable", detail="not UTF-8 or GBK text",
                          sha256=digest)
    names: tuple[str, ...] | None = None
    if suffix.lower() == ".csv":
        names = _csv_list(text)
    if names is None:
        block = extract_ingredient_text(text)
        if block is not None:
            names = tuple(split_ingredients(block))
    if not names:
        return CpiContent(path, "text", problem="cpi_no_ingredient_list", sha256=digest)
    return CpiContent(path, "text", names, sha256=digest)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def read_cpi(path: str | Path) -> CpiContent:
    """Read and parse one CPI file (no caching; see :class:`CpiReader`)."""
    return CpiReader().read(path)


class CpiReader:
    """Reads CPI files once per run: cached by path and stat, parsed once per content hash."""

    def __init__(self) -> None:
        self._by_path: dict[str, tuple[tuple[int, int], CpiContent]] = {}
        self._by_hash: dict[str, CpiContent] = {}

    def read(self, path: str | Path) -> CpiContent:
        p = Path(path)
        name = str(p)
        try:
            st = p.stat()
        except OSError:
            return CpiContent(name, "missing", problem="cpi_file_missing")
        if not p.is_file():
            return CpiContent(name, "missing", problem="cpi_file_missing", detail="not a regular file")
        stamp = (st.st_mtime_ns, st.st_size)
        cached = self._by_path.get(name)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            data = p.read_bytes()
        except OSError as exc:
            content = CpiContent(name, "other", problem="cpi_file_unreadable", detail=_short(exc))
            self._by_path[name] = (stamp, content)
            return content
        digest = hashlib.sha256(data).hexdigest()
        parsed = self._by_hash.get(digest)
        if parsed is None:
            parsed = parse_cpi_bytes(name, data, p.suffix)
            self._by_hash[digest] = parsed
        content = parsed if parsed.path == name else CpiContent(
            name, parsed.form, parsed.ingredients, parsed.problem, parsed.detail, parsed.sha256)
        self._by_path[name] = (stamp, content)
        return content
