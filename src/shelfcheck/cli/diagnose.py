"""``shelfcheck diagnose``, ``triage`` and ``case``: after a failure (contract §7).

```
shelfcheck diagnose SKU --catalog F [--documents F] [--shop F] [--inventory F] [--as-of D] [--format table|json]
shelfcheck triage [--shop F] [--endpoint URL …] [--format table|json]
shelfcheck case SKU --catalog F [--documents F] [--as-of D] [--urgent --po FILE] [--format text|json]
```

Exit status: ``diagnose`` 1 when a level found a problem (or the failure must be escalated), else
0; ``triage`` 1 for a system problem, 0 for a data problem; ``case`` 1 when ``--urgent`` was
refused, else 0; 2 for bad input or misuse, with one line on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from shelfcheck.cli.common import check_url_option, fail, parse_as_of, pick_lang
from shelfcheck.errors import Msg
from shelfcheck.cli.ledger import DB_HELP

__all__ = ["register"]

# The options the three commands share.
_Sku = Annotated[str, typer.Argument(help="The seller SKU that failed.")]
_Catalog = Annotated[Path, typer.Option("--catalog", help="Catalogue holding the SKU.")]
_Documents = Annotated[Optional[Path], typer.Option("--documents", help="Compliance documents CSV.")]
_Shop = Annotated[Optional[Path], typer.Option("--shop", help="Shop profile YAML.")]
_Inventory = Annotated[Optional[Path], typer.Option("--inventory", help="Platform inventory snapshot CSV.")]
_AsOf = Annotated[Optional[str], typer.Option("--as-of", help="Evaluate as of YYYY-MM-DD.")]
_Db = Annotated[Optional[str], typer.Option("--db", help=DB_HELP)]
_Policy = Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")]
_Sheet = Annotated[Optional[str], typer.Option("--sheet", help="XLSX sheet name.")]
_Columns = Annotated[Optional[Path], typer.Option(
    "--columns", help="YAML map of field: header (or header: field) for other catalogue layouts.")]
_Lang = Annotated[Optional[str], typer.Option("--lang", help="en or zh.")]


def _open(db: str | None) -> Any:
    from shelfcheck.ledger import open_ledger

    return open_ledger(db, readonly=True)


def diagnose(
    sku: _Sku,
    catalog: _Catalog,
    documents: _Documents = None,
    shop: _Shop = None,
    inventory: _Inventory = None,
    as_of: _AsOf = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    db: _Db = None,
    policy: _Policy = None,
    sheet: _Sheet = None,
    lang: _Lang = None,
    columns: _Columns = None,
) -> None:
    """Walk the four levels (failure reason → documents → inventory sync → escalation) for a SKU."""
    from shelfcheck.diagnose import diagnose as run_diagnosis
    from shelfcheck.i18n import catalogue

    if fmt not in ("table", "json"):
        raise fail(Msg("cli_format_table_json", format=fmt))
    language = pick_lang(lang)
    day = parse_as_of(as_of)
    with _open(db) as ledger:
        result = run_diagnosis(sku.strip(), catalog, documents=documents, shop=shop, inventory=inventory,
                               policy=policy, as_of=day, ledger=ledger, lang=language, sheet=sheet,
                               columns=columns)
    if fmt == "json":
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        cat = catalogue(language)
        print(cat.ui("diag_heading", sku=result.sku, as_of=result.to_json()["as_of"]))
        for level in result.levels:
            print(f"\n{level.level}. {cat.ui('level_' + level.name)} — {cat.ui('result_' + level.result)}")
            for f in level.findings:
                print(f"   - {f['code']}: {f['message']}")
                if f.get("fix"):
                    print(f"     {cat.ui('col_fix')}: {f['fix']}")
            if level.next_step:
                print(f"   → {level.next_step}")
        print("\n" + cat.ui("diag_verdict", verdict=cat.ui("verdict_" + result.verdict)))
    raise typer.Exit(0 if result.verdict == "no_problem_found" else 1)


def triage(
    shop: _Shop = None,
    endpoint: Annotated[Optional[list[str]], typer.Option(
        "--endpoint", help="Open API (or sandbox) base URL for the online try; repeat for several.")] = None,
    as_of: _AsOf = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    policy: _Policy = None,
    lang: _Lang = None,
) -> None:
    """Two checks and one try: is it a system problem or a data problem?"""
    from shelfcheck.diagnose import triage as run_triage
    from shelfcheck.i18n import catalogue

    if fmt not in ("table", "json"):
        raise fail(Msg("cli_format_table_json", format=fmt))
    language = pick_lang(lang)
    result = run_triage(shop, endpoints=endpoint or (), policy=policy, as_of=parse_as_of(as_of), lang=language)
    for check in result.checks:
        if check.detail.get("reason") == "endpoint_invalid":  # the same line as the other commands'
            check_url_option(f"--endpoint {check.endpoint}", check.endpoint)
            raise fail(Msg("cli_option_problem", option=f"--endpoint {check.endpoint}",
                           problem=check.detail.get("message", Msg("cli_unusable_url"))))
    if fmt == "json":
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        cat = catalogue(language)
        for check in result.checks:
            where = f" ({check.endpoint})" if check.endpoint else ""
            print(f"{cat.ui('check_' + check.key)}{where}: {cat.ui('result_' + check.result)}")
            for f in check.findings:
                print(f"   - {f['code']}: {f['message']}")
            reason = check.detail.get("reason")
            if reason:
                print(f"   ({cat.reason(reason)})")
        print("\n" + cat.ui("triage_verdict", verdict=cat.ui("verdict_" + result.verdict)))
        from shelfcheck.policy import load_policy

        print(cat.ui("triage_next_" + result.verdict, lock_hours=load_policy(policy).lock.lock_hours))
        if result.unverified:
            print(cat.ui("triage_unverified", checks=[cat.ui("check_" + k) for k in result.unverified]))
    raise typer.Exit(1 if result.verdict == "system_problem" else 0)


def case(
    sku: _Sku,
    catalog: _Catalog,
    documents: _Documents = None,
    shop: _Shop = None,
    inventory: _Inventory = None,
    as_of: _AsOf = None,
    urgent: Annotated[bool, typer.Option(
        "--urgent", help="Ask for the urgent channel (needs --po; only for fixable reasons).")] = False,
    po: Annotated[Optional[Path], typer.Option("--po", help="Purchase order file for --urgent.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    db: _Db = None,
    policy: _Policy = None,
    sheet: _Sheet = None,
    lang: _Lang = None,
    columns: _Columns = None,
) -> None:
    """Draft the Seller Center support case (Listing & Catalog > Product Submission Failure)."""
    from shelfcheck.diagnose import draft_case
    from shelfcheck.i18n import catalogue

    if fmt not in ("text", "json"):
        raise fail(Msg("cli_format_text_json", format=fmt))
    language = pick_lang(lang)
    cat = catalogue(language)
    if urgent and po is None:
        raise fail(cat.ui("urgent_needs_po_usage"))
    if po is not None and not urgent:
        raise fail(Msg("case_po_without_urgent"))
    with _open(db) as ledger:
        draft = draft_case(sku.strip(), catalog, documents=documents, shop=shop, inventory=inventory,
                           policy=policy, as_of=parse_as_of(as_of), ledger=ledger, urgent=urgent, po=po,
                           sheet=sheet, columns=columns)
    if fmt == "json":
        print(json.dumps(draft.to_json(), ensure_ascii=False, indent=2))
    else:
        print(cat.ui("case_intro"))
        print()
        print(draft.text["en"])
        if language == "zh":
            print(cat.ui("case_translation"))
            print()
            print(draft.text["zh"])
        if draft.urgent_refused:
            print(cat.ui("urgent_refused", reason=cat.reason(draft.urgent_refused)))
    raise typer.Exit(1 if draft.urgent_refused else 0)


def register(app: typer.Typer) -> None:
    """Add ``diagnose``, ``triage`` and ``case`` to the root command."""
    app.command("diagnose")(diagnose)
    app.command("triage")(triage)
    app.command("case")(case)
