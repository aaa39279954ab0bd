"""How the catalogue's columns were understood, in words: ``shelfcheck columns`` and the notes
the table and HTML reports add about columns nothing reads and template rows skipped."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import IO, Any

from shelfcheck.i18n import Catalogue

__all__ = ["column_text", "footer_lines", "write_columns"]


def column_text(entry: Mapping[str, Any], cat: Catalogue) -> str:
    """What one column feeds, as a seller reads it (an entry of ``ColumnUse.to_json``)."""
    status = entry["status"]
    field = entry.get("field") or ""
    if status == "used":
        text = cat.ui("columns_used_unit", field=field, unit=entry["unit"]) if entry.get("unit") \
            else cat.ui("columns_used", field=field)
    elif status == "not_checked":
        text = cat.ui("columns_not_checked", field=field)
    elif status == "not_selected":
        text = cat.ui("columns_not_selected", field=field)
    elif status == "ignored":
        text = cat.ui("columns_ignored")
    else:
        text = cat.ui("columns_unknown")
    if entry.get("did_you_mean"):
        text += " — " + cat.ui("columns_did_you_mean", field=entry["did_you_mean"])
    return text


def _where(entry: Mapping[str, Any]) -> str:
    header = entry["header"] or "—"
    return f"{header!r} ({entry['column']})" if entry.get("column") else repr(header)


def footer_lines(layout: Mapping[str, Any] | None, cat: Catalogue) -> list[str]:
    """The lines a report adds under its summary: ignored columns and skipped template rows."""
    if not layout:
        return []
    lines = []
    skipped = layout.get("skipped_rows") or []
    if skipped:
        rows = ", ".join(f"{s['row']} ({cat.ui('template_kind_' + s['kind'])})" for s in skipped)
        lines.append(cat.ui("columns_footer_skipped", row=layout.get("header_row", 1), rows=rows))
    ignored = layout.get("ignored_columns") or []
    if ignored:
        parts = [f"{_where(e)}: {column_text(e, cat)}" for e in ignored]
        lines.append(cat.ui("columns_footer_ignored", count=len(ignored), columns="; ".join(parts)))
        lines.append(cat.ui("columns_footer_hint"))
    return lines


def write_columns(path: str, header_row: int, columns: Sequence[Mapping[str, Any]],
                  skipped: Sequence[Mapping[str, Any]], joined: Mapping[str, Sequence[str]],
                  out: IO[str], cat: Catalogue, fmt: str = "table") -> None:
    """Print how each column of a catalogue is read (``shelfcheck columns``)."""
    if fmt == "json":
        doc = {"catalog": path, "header_row": header_row, "skipped_rows": list(skipped),
               "columns": list(columns), "joined": {k: list(v) for k, v in joined.items()}}
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=out, highlight=False, soft_wrap=False, width=160,
                      force_terminal=False if not getattr(out, "isatty", lambda: False)() else None)
    console.print(escape(cat.ui("columns_heading", path=path, row=header_row)))
    table = Table(show_header=True, header_style="bold", pad_edge=False)
    table.add_column(cat.ui("columns_col_column"), no_wrap=True)
    table.add_column(cat.ui("columns_col_header"))
    table.add_column(cat.ui("columns_col_feeds"))
    for entry in columns:
        table.add_row(entry.get("column") or str(entry["position"]), escape(entry["header"] or "—"),
                      escape(column_text(entry, cat)))
    console.print(table)
    for field, headers in joined.items():
        console.print(escape(cat.ui("columns_joined", field=field, count=len(headers),
                                    headers=", ".join(repr(h) for h in headers))))
    for s in skipped:
        console.print(escape(cat.ui("columns_skipped", row=s["row"], kind=cat.ui("template_kind_" + s["kind"]))))
