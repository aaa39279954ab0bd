"""``shelfcheck data``: install and inspect the reference datasets (contract §2.6).

```
shelfcheck data import cosing FILE        # EU CosIng inventory (CSV/XLSX with an INCI name column)
shelfcheck data import fcc-grantees FILE  # FCC grantee codes (CSV grantee_code, grantee_name; or the FCC XML)
shelfcheck data import tiktok-errors FILE # Open API error table (CSV code, message, …)
shelfcheck data import tiktok-categories FILE [--shop S] [--category ID]
                                          # the shop's category tree / rules / attributes (official JSON)
shelfcheck data pull [--endpoint URL] [--catalog F]  # the same, fetched through the Open API
shelfcheck data update [KIND …]           # download the official sources
shelfcheck data status [--format json]    # what is installed, from where, dated when
```

Errors print one line on stderr (file, row, column when known) and exit with status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from shelfcheck.cli.common import fail
from shelfcheck.errors import Join, Msg, ShelfcheckError

__all__ = ["app"]

app = typer.Typer(
    help="Reference datasets: CosIng INCI names, FCC grantee codes, the Open API error table.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_KIND_HELP = "cosing | fcc-grantees | tiktok-errors | tiktok-categories"
_NOUN = {"cosing": "INCI names", "fcc-grantees": "grantee codes", "tiktok-errors": "error codes"}


def _fallback(kind: str) -> str:
    if kind == "cosing":
        from shelfcheck.analysis.inci import builtin_names

        return (f"the INCI check uses the built-in list of {len(builtin_names())} common names and reports "
                "only names that are clearly not INCI")
    if kind == "fcc-grantees":
        return "FCC IDs are checked for their form only; grantee names are not shown"
    return "explain uses the project's own table of listing errors only"


@app.command("import")
def import_command(
    kind: Annotated[str, typer.Argument(help=_KIND_HELP)],
    file: Annotated[Path, typer.Argument(help="The source file (CSV; XLSX for CosIng; FCC XML export).")],
    date: Annotated[Optional[str], typer.Option(
        "--date", help="The dataset's own date (YYYY-MM-DD) when the file does not carry one.")] = None,
    shop: Annotated[str, typer.Option(
        "--shop", help="tiktok-categories: the shop the data belongs to (its shop id).")] = "default",
    category: Annotated[Optional[str], typer.Option(
        "--category", help="tiktok-categories: the category id a Get Category Rules / Get Attributes "
                           "response is for.")] = None,
) -> None:
    """Import a reference file into the data directory (validated, converted, dated)."""
    from shelfcheck.datasets import import_dataset
    from shelfcheck.datasets.store import kind_dir

    if kind == "tiktok-categories":
        _import_categories(file, shop, category, date)
        return

    try:
        manifest = import_dataset(kind, file, dataset_date=date)
    except ShelfcheckError as exc:
        raise fail(exc) from None
    except Exception as exc:  # never a traceback
        raise fail(Msg("data_import_failed", file=file, kind=kind, error=type(exc).__name__,
                        message=str(exc))) from None
    print(f"{kind}: installed {manifest['label']} — {manifest['entries']} {_NOUN[kind]} from "
          f"{manifest['rows']} rows of {manifest['source']} into {kind_dir(kind)}")


def _import_categories(file: Path, shop: str, category: Optional[str], date: Optional[str]) -> None:
    from shelfcheck.datasets.platform import import_categories
    from shelfcheck.datasets.store import source_date

    day = None
    if date is not None:
        day = source_date(date)
        if day is None:
            raise fail(Msg("dataset_bad_date", date=date))
    try:
        data, path, what = import_categories(file, shop=shop, category=category, day=day)
    except ShelfcheckError as exc:
        raise fail(exc) from None
    except Exception as exc:  # never a traceback
        raise fail(Msg("data_import_failed", file=file, kind="tiktok-categories", error=type(exc).__name__,
                        message=str(exc))) from None
    print(f"tiktok-categories: shop {data.shop} — imported {what}; the store now holds {len(data.nodes)} "
          f"categories, rules of {len(data.rules)} and attributes of {len(data.attributes)} leaves ({path})")


@app.command("pull")
def pull_command(
    endpoint: Annotated[Optional[str], typer.Option(
        "--endpoint", help="API gateway (default: TikTok Shop; http://127.0.0.1:8799 for the sandbox).")] = None,
    catalog: Annotated[Optional[Path], typer.Option(
        "--catalog", help="Pull rules and attributes of the leaves this catalogue uses.")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="XLSX sheet of the catalogue.")] = None,
    columns: Annotated[Optional[Path], typer.Option(
        "--columns", help="YAML map of field: header for the catalogue's layout.")] = None,
    policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")] = None,
    db: Annotated[Optional[str], typer.Option("--db", help="Ledger database URL or file (stored tokens).")] = None,
) -> None:
    """Fetch the shop's category tree (and the catalogue's leaves' rules and attributes) and store it."""
    from shelfcheck.cli.common import check_url_option
    from shelfcheck.datasets.pull import catalog_categories, pull_categories
    from shelfcheck.ledger import open_ledger
    from shelfcheck.tiktok.client import DEFAULT_BASE_URL
    from shelfcheck.tiktok.session import open_client

    check_url_option("--endpoint", endpoint)
    try:
        wanted = catalog_categories(catalog, sheet=sheet, columns=columns) if catalog else []
        with open_ledger(db) as ledger:
            client = open_client(endpoint, ledger)
            try:
                result = pull_categories(client, categories=wanted, policy=policy,
                                         source=endpoint or DEFAULT_BASE_URL)
            finally:
                client.close()
    except ShelfcheckError as exc:
        raise fail(exc) from None
    except Exception as exc:  # never a traceback
        raise fail(Msg("data_pull_failed", error=type(exc).__name__, message=str(exc))) from None
    data = result.data
    print(f"tiktok-categories: shop {data.shop} — {len(data.nodes)} categories "
          f"({sum(n.is_leaf for n in data.nodes.values())} leaves), rules and attributes of "
          f"{len(result.leaves)} leaves the catalogue uses, dated {data.date.isoformat()} ({result.path})")
    if result.not_leaves:
        print(f"  {len(result.not_leaves)} category value(s) of the catalogue are no leaf of the tree "
              f"(`shelfcheck check` reports them): {'; '.join(result.not_leaves[:5])}")


@app.command("update")
def update_command(
    kinds: Annotated[Optional[list[str]], typer.Argument(help=f"Kinds to update (default all): {_KIND_HELP}")] = None,
    cosing_url: Annotated[Optional[str], typer.Option(
        "--cosing-url", help="Download CosIng from this URL (env SHELFCHECK_COSING_URL).")] = None,
    fcc_url: Annotated[Optional[str], typer.Option(
        "--fcc-url", help="Download FCC grantees from this URL (env SHELFCHECK_FCC_GRANTEES_URL).")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=1.0, help="Network timeout in seconds.")] = 60.0,
) -> None:
    """Download the official sources (when online) and install them."""
    from shelfcheck.datasets.download import update

    try:
        results = update(kinds or None, urls={"cosing": cosing_url, "fcc-grantees": fcc_url}, timeout=timeout)
    except ShelfcheckError as exc:
        raise fail(exc) from None
    failed = []
    for result in results:
        if result.status == "failed":
            failed.append(result.error or result.message)
        else:
            print(f"{result.kind}: {result.message}")
    if failed:
        raise fail(Msg("data_update_failed", failures=Join("semicolon", failed)))


def _platform_row() -> dict[str, Any] | None:
    from shelfcheck.datasets.platform import load_platform

    data = load_platform()
    if data is None:
        return None
    return {"shop": data.shop, "date": data.date.isoformat(), "source": data.source, "categories": len(data.nodes),
            "leaves": sum(n.is_leaf for n in data.nodes.values()), "rules": len(data.rules),
            "attributes": len(data.attributes)}


def _status_rows() -> list[dict[str, Any]]:
    from shelfcheck.datasets import dataset_status

    rows = []
    for state in dataset_status():
        row: dict[str, Any] = {"kind": state.kind, "state": state.state, "label": state.label}
        if state.manifest:
            row.update({k: state.manifest.get(k) for k in
                        ("source", "sha256", "rows", "entries", "imported_at", "dataset_date", "dataset_date_from")})
        if state.problem:
            row["problem"] = state.problem
        if state.state != "installed":
            row["fallback"] = _fallback(state.kind)
        rows.append(row)
    return rows


@app.command("status")
def status_command(
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Show what is installed, from where, dated when — and what is used instead when missing."""
    from shelfcheck.datasets import data_dir

    if fmt not in ("table", "json"):
        raise fail(Msg("cli_format_table_json", format=fmt))
    try:
        rows = _status_rows()
        root = data_dir()
    except Exception as exc:  # never a traceback
        raise fail(Msg("data_dir_unreadable", error=type(exc).__name__, message=str(exc))) from None
    platform = _platform_row()
    if fmt == "json":
        json.dump({"data_dir": str(root), "datasets": rows, "tiktok_categories": platform}, sys.stdout,
                  ensure_ascii=False, indent=2)
        print()
        return
    print(f"data directory: {root}")
    width = max(len(r["kind"]) for r in rows)
    for row in rows:
        head = f"{row['kind']:<{width}}  "
        if row["state"] == "installed":
            sha = str(row.get("sha256") or "")[:12]
            print(f"{head}{row['label']}  {row.get('entries')} {_NOUN[row['kind']]} from {row.get('source')} "
                  f"(sha256 {sha}…, {row.get('rows')} rows), dated {row.get('dataset_date')} "
                  f"(from {row.get('dataset_date_from')}), imported {row.get('imported_at')}")
        elif row["state"] == "missing":
            print(f"{head}not installed — {row['fallback']}")
        else:
            print(f"{head}unreadable ({row.get('problem')}), treated as not installed — {row['fallback']}; "
                  f"re-import it: shelfcheck data import {row['kind']} FILE")
    if platform is None:
        print("tiktok-categories  not stored — only a first-level category alone is reported as not a leaf; "
              "run shelfcheck data pull --catalog FILE (or data import tiktok-categories FILE)")
    else:
        print(f"tiktok-categories  shop {platform['shop']}: {platform['categories']} categories, rules of "
              f"{platform['rules']} and attributes of {platform['attributes']} leaves, dated {platform['date']} "
              f"(from {platform['source']})")
