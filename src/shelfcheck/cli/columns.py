"""``shelfcheck columns CATALOG`` — how each column of a catalogue is read.

Shows the header row found, the field each column feeds (or "not used", with a hint when the
header resembles a field's name), the columns joined into one field, and the template rows
skipped. Exit 0 when the catalogue can be checked, 2 when it cannot (the one-line reason).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from shelfcheck.cli.common import fail, pick_lang
from shelfcheck.errors import Msg

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("columns")
    def columns(
        catalog: Annotated[Path, typer.Argument(help="Catalogue: CSV (any encoding), XLSX or JSON.")],
        columns_map: Annotated[Optional[Path], typer.Option(
            "--columns", help="YAML map of field: header (or header: field) for other layouts.")] = None,
        sheet: Annotated[Optional[str], typer.Option("--sheet", help="XLSX sheet name.")] = None,
        fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh (default from LANG).")] = None,
    ) -> None:
        """How each column of the catalogue is read: the field it feeds, or "not used"."""
        from shelfcheck.api import CHECK_REQUIRES
        from shelfcheck.i18n import catalogue
        from shelfcheck.ingest import open_catalog
        from shelfcheck.reporters.columns import write_columns

        if fmt not in ("table", "json"):
            raise fail(Msg("cli_format_table_json", format=fmt))
        cat = catalogue(pick_lang(lang))
        source = open_catalog(catalog, sheet=sheet, columns=columns_map, required=CHECK_REQUIRES)
        try:
            plan = source.plan
            assert plan is not None
            joined = {f: [source.header[i] for i in idx] for f, idx in plan.fields.items() if len(idx) > 1}
            write_columns(str(catalog), plan.header_row, [u.to_json() for u in plan.uses],
                          [s.to_json() for s in plan.skipped_rows], joined, sys.stdout, cat, fmt)
        finally:
            source.close()
