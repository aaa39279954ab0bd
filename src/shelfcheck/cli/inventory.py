"""``shelfcheck inventory reconcile``: ERP stock against the platform snapshot (contract §7).

```
shelfcheck inventory reconcile CATALOG --platform F [--format table|json|csv] [--output F] [--db URL]
```

Per SKU: the ERP quantity (catalogue ``quantity``), the platform quantity (snapshot
``platform_quantity``), the drift (ERP − platform) and whether it is flagged (|drift| beyond the
policy's ``inventory.tolerance``; the drift rule is :func:`shelfcheck.stock.measure_drift`, the
same as ``check``'s). ``--output`` writes the calibration file
(``seller_sku,quantity`` = the ERP count) for the flagged SKUs, to push to the platform. Every run
is stored in the ledger's sync history, which ``diagnose`` reads. Exit status 1 when a SKU is
flagged, 0 otherwise, 2 for bad input.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from shelfcheck.cli.common import fail, open_output, pick_lang
from shelfcheck.errors import Msg
from shelfcheck.cli.ledger import DB_HELP, instant_option

__all__ = ["app"]

app = typer.Typer(
    help="Inventory: reconcile ERP stock with the platform (tolerance: the policy's inventory.tolerance) "
         "and write the calibration file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _inert_row(values: list[Any]) -> list[str]:
    """CSV cells a spreadsheet never runs as formulas (numbers such as a drift of -7 unchanged)."""
    from shelfcheck.reporters.inert import neutralise

    return [neutralise(_cell(v)) for v in values]


def _calibration(rec: Any) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["seller_sku", "quantity"])
    for item in rec.flagged:
        writer.writerow(_inert_row([item["seller_sku"], item["erp"]]))
    return buf.getvalue()


@app.command("reconcile")
def reconcile_command(
    catalog: Annotated[Path, typer.Argument(help="Catalogue with the ERP quantity (CSV, XLSX or JSON).")],
    platform: Annotated[Path, typer.Option("--platform", help="Platform inventory snapshot CSV.")],
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write the calibration file (seller_sku,quantity) for the flagged SKUs.")] = None,
    at: Annotated[Optional[str], typer.Option(
        "--at", help="When the snapshot was taken, ISO 8601 (default now); stored in the sync history.")] = None,
    db: Annotated[Optional[str], typer.Option("--db", help=DB_HELP)] = None,
    policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="XLSX sheet name.")] = None,
    columns: Annotated[Optional[Path], typer.Option(
        "--columns", help="YAML map of field: header (or header: field) for other layouts.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh.")] = None,
) -> None:
    """Compare ERP stock with the platform snapshot, flag drift beyond the tolerance, store the sync history."""
    from shelfcheck.i18n import catalogue
    from shelfcheck.ledger import SyncItem, open_ledger
    from shelfcheck.policy import load_policy
    from shelfcheck.stock import reconcile

    if fmt not in ("table", "json", "csv"):
        raise fail(Msg("cli_format_table_json_csv", format=fmt))
    cat = catalogue(pick_lang(lang))
    when = instant_option("--at", at) or dt.datetime.now(dt.timezone.utc)
    pack = load_policy(policy)
    rec = reconcile(catalog, platform, tolerance=pack.inventory.tolerance, sheet=sheet, columns=columns)
    with open_ledger(db) as ledger:
        sync_id = ledger.record_sync(
            (SyncItem(i["seller_sku"], i["erp"], i["platform"], i["drift"], i["flagged"], i["synced_at"])
             for i in rec.items),
            tolerance=rec.tolerance, at=when, catalog=str(catalog), platform=str(platform))
    if output is not None:
        with open_output(output) as out:
            out.write(_calibration(rec))
    if fmt == "json":
        data = {"items": [{k: i[k] for k in ("seller_sku", "erp", "platform", "drift", "flagged", "status")}
                          for i in rec.items],
                "tolerance": rec.tolerance, "summary": rec.summary(), "sync_id": sync_id,
                "calibration_file": str(output) if output is not None else None}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["seller_sku", "erp", "platform", "drift", "flagged", "status"])
        for i in rec.items:
            writer.writerow(_inert_row([i["seller_sku"], i["erp"], i["platform"], i["drift"],
                                        "true" if i["flagged"] else "false", i["status"]]))
    else:
        _table(rec, cat)
    if output is not None:
        print(cat.ui("inventory_written", path=output, count=len(rec.flagged)), file=sys.stderr)
    raise typer.Exit(1 if rec.flagged else 0)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _table(rec: Any, cat: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=True, header_style="bold")
    for key in ("col_sku", "col_erp", "col_platform", "col_drift", "col_flagged", "col_status"):
        table.add_column(cat.ui(key), no_wrap=True)
    for i in rec.items:
        drift = "" if i["drift"] is None else f"{i['drift']:+d}"
        table.add_row(i["seller_sku"], _cell(i["erp"]), _cell(i["platform"]), drift,
                      cat.ui("answer_yes") if i["flagged"] else "", cat.reason("inv_" + i["status"]))
    console = Console(file=sys.stdout, width=120, highlight=False)
    console.print(table)
    console.print(cat.ui("inventory_summary", items=len(rec.items), flagged=len(rec.flagged),
                         tolerance=rec.tolerance))
