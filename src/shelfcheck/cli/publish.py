"""``shelfcheck publish`` — preflight-gated, lock-aware, idempotent publishing."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from shelfcheck.cli.common import parse_endpoint, pick_lang


class _Format(str, Enum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    @app.command("publish")
    def publish(
        catalog: Annotated[Path, typer.Argument(help="Catalogue: CSV (any encoding), XLSX or JSON.")],
        documents: Annotated[Optional[Path], typer.Option("--documents", help="Compliance documents CSV.")] = None,
        shop: Annotated[Optional[Path], typer.Option("--shop", help="Shop profile YAML.")] = None,
        endpoint: Annotated[Optional[str], typer.Option("--endpoint", help="API gateway (default: TikTok Shop; "
                                                        "http://127.0.0.1:8799 for the sandbox).")] = None,
        db: Annotated[Optional[str], typer.Option("--db", help="Ledger database URL or file.")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Preflight and plan only; send nothing.")] = False,
        force: Annotated[bool, typer.Option("--force", help="Send listings that fail preflight too (never a "
                                                            "locked SKU).")] = False,
        fmt: Annotated[_Format, typer.Option("--format", help="table or json.")] = _Format.table,
        policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")] = None,
        lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh.")] = None,
    ) -> None:
        """Publish a catalogue through the Open API: preflight first, never a locked SKU, no duplicates."""
        from shelfcheck.i18n import catalogue
        from shelfcheck.ledger import open_ledger
        from shelfcheck.publish import Outcome, publish as run_publish
        from shelfcheck.tiktok.client import DEFAULT_BASE_URL
        from shelfcheck.tiktok.session import open_client

        cat = catalogue(pick_lang(lang))
        endpoint = parse_endpoint(endpoint)
        gateway = endpoint or DEFAULT_BASE_URL
        table = fmt is _Format.table

        def show(o: Outcome) -> None:
            if not table:
                return
            detail = o.product_id or ""
            if o.kind == "skipped":
                detail = cat.reason("publish_" + (o.reason or "")) if o.reason else ""
            elif o.kind == "failed":
                detail = ", ".join(o.codes)
            print(f"{o.seller_sku or '-':<28} {cat.ui('publish_' + o.kind):<10} {detail}", flush=True)

        with open_ledger(db) as ledger:
            client = None if dry_run else open_client(endpoint, ledger)
            try:
                if table:
                    print(cat.ui("publish_heading", endpoint=gateway, dry=cat.ui("publish_dry") if dry_run else ""))
                summary = run_publish(catalog, client=client, ledger=ledger, documents=documents, shop=shop,
                                      policy=policy, force=force, dry_run=dry_run, on_outcome=show)
            finally:
                if client is not None:
                    client.close()
        if table:
            print(cat.ui("publish_summary", published=len(summary.of("published")),
                         skipped=len(summary.of("skipped")), failed=len(summary.of("failed"))))
        else:
            print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
        if summary.error is not None:
            print("shelfcheck: " + cat.ui("publish_stopped", error=summary.error.one_line()), file=sys.stderr)
        raise typer.Exit(summary.exit_code)
