"""Compliance documents, ``documents.csv`` (contract §2.2)."""

from __future__ import annotations

from pathlib import Path

from shelfcheck.errors import InputError, Msg
from shelfcheck.ingest.columns import DOCUMENT_COLUMNS, match_columns
from shelfcheck.ingest.table import open_table
from shelfcheck.ingest.values import parse_date
from shelfcheck.model import Document, split_list

__all__ = ["DOCUMENT_STATUSES", "DOCUMENT_TYPES", "load_documents"]

DOCUMENT_TYPES = (
    "FCC_TEST_REPORT",
    "FCC_GRANT",
    "FDA_FACILITY_REGISTRATION",
    "CPI",
    "CPC",
    "UN38_3",
    "SDS",
    "OTHER",
)
DOCUMENT_STATUSES = ("Verified", "Submitted", "Pending Review", "Rejected")
_STATUS_KEYS = {s.casefold().replace(" ", ""): s for s in DOCUMENT_STATUSES}


def load_documents(path: str | Path) -> list[Document]:
    """Read every document row. Bad values become ``problems`` on the document, never a crash.

    Raises:
        InputError: the file cannot be read or has no ``doc_id``/``type`` column.
    """
    table = open_table(path, kind="documents")
    found = match_columns(table.header, DOCUMENT_COLUMNS)
    for required in ("doc_id", "type"):
        if required not in found:
            table.close()
            raise InputError(table.path, Msg("no_column", column=required), row=table.header_row, column=required)
    base = table.path.resolve().parent
    docs: list[Document] = []
    for row, cells in table.rows:
        get = {f: cells[i].strip() for f, i in found.items()}
        problems: list[str] = []
        doc_type = get.get("type", "").upper().replace(" ", "_").replace(".", "_")
        if doc_type not in DOCUMENT_TYPES:
            problems.append(f"unknown type {get.get('type', '')!r}")
        raw_status = get.get("status", "")
        status = _STATUS_KEYS.get(raw_status.casefold().replace(" ", "").replace("_", ""), raw_status)
        dates = {}
        for key in ("issued_on", "expires_on"):
            text = get.get(key, "")
            dates[key] = None
            if text:
                try:
                    dates[key] = parse_date(text)
                except ValueError as exc:
                    problems.append(f"{key}: {exc}")
        for column, problem, _detail in getattr(cells, "damage", ()):
            problems.append(f"{column}: unreadable cell ({problem.replace('_', ' ')})")
        file_text = get.get("file", "")
        docs.append(
            Document(
                doc_id=get.get("doc_id", "") or f"row{row}",
                type=doc_type,
                number=get.get("number", ""),
                status=status,
                issued_on=dates["issued_on"],
                expires_on=dates["expires_on"],
                file=(base / file_text) if file_text else None,
                applies_to=tuple(split_list(get.get("applies_to", ""))),
                row=row,
                problems=tuple(problems),
            )
        )
    return docs
