"""``shelfcheck publish`` — preflight-gated, lock-aware, idempotent publishing."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from shelfcheck.cli.common import BadValue, check_url_option, pick_lang
from shelfcheck.errors import Msg

if TYPE_CHECKING:
    from shelfcheck.i18n import Catalogue
    from shelfcheck.publish import Outcome, Quota


# Skip reasons whose detail names what to fix (the brand, the SKU that holds the product back,
# the document whose file cannot be sent): shown after the reason.
_NAMED_DETAIL = {"brand_not_found", "brand_unavailable", "product_incomplete", "certification_file_missing",
                 "certification_file_unreadable", "certification_file_format", "certification_file_too_large"}


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
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Build and validate every request; create nothing "
                                                               "(offline, or through Check Product Listing with "
                                                               "--endpoint).")] = False,
        out: Annotated[Optional[Path], typer.Option("--out", help="With --dry-run: write each request body and "
                                                                  "index.json to this folder.")] = None,
        force: Annotated[bool, typer.Option("--force", help="Send listings that fail preflight too (never a "
                                                            "locked SKU).")] = False,
        fmt: Annotated[_Format, typer.Option("--format", help="table or json.")] = _Format.table,
        policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")] = None,
        lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh.")] = None,
        columns: Annotated[Optional[Path], typer.Option(
            "--columns", help="YAML map of field: header (or header: field) for other layouts.")] = None,
    ) -> None:
        """Publish a catalogue through the Open API: preflight first, never a locked SKU, no duplicates."""
        from shelfcheck.i18n import catalogue
        from shelfcheck.ledger import open_ledger
        from shelfcheck.publish import publish as run_publish
        from shelfcheck.tiktok.client import DEFAULT_BASE_URL
        from shelfcheck.tiktok.session import open_client

        cat = catalogue(pick_lang(lang))
        check_url_option("--endpoint", endpoint)
        gateway = endpoint or DEFAULT_BASE_URL
        table = fmt is _Format.table

        def show(o: Outcome) -> None:
            if not table:
                return
            detail = o.product_id or ""
            if o.kind == "skipped":
                detail = cat.reason("publish_" + (o.reason or "")) if o.reason else ""
                if o.detail and o.reason in _NAMED_DETAIL:
                    detail += f" ({o.detail})"
            elif o.kind == "failed":
                detail = ", ".join(o.codes)
                if o.request_id:
                    detail += f" ({cat.ui('publish_request_id')} {o.request_id})"
            print(f"{o.seller_sku or '-':<28} {cat.ui('publish_' + o.kind):<10} {detail}", flush=True)
            if o.kind == "failed":
                for line in _verdict_lines(o, cat, policy):
                    print(" " * 40 + line, flush=True)

        if out is not None and not dry_run:
            raise BadValue("--out", Msg("publish_out_needs_dry_run"))
        with open_ledger(db) as ledger:
            client = open_client(endpoint, ledger) if (not dry_run or endpoint) else None
            try:
                if table:
                    print(cat.ui("publish_heading", endpoint=gateway, dry=cat.ui("publish_dry") if dry_run else ""))
                summary = run_publish(catalog, client=client, ledger=ledger, documents=documents, shop=shop,
                                      policy=policy, force=force, dry_run=dry_run, on_outcome=show,
                                      columns=columns, out=out, on_quota=lambda q: _say_quota(q, cat, table))
            finally:
                if client is not None:
                    client.close()
        if summary.quota is not None and any(o.reason == "daily_upload_limit" for o in summary.outcomes):
            print("shelfcheck: " + cat.ui("publish_quota_stop", used=summary.quota.used, limit=summary.quota.limit),
                  file=sys.stderr)
        if out is not None and table:
            print(cat.ui("publish_dry_out", folder=str(out)))
        if table:
            print(cat.ui("publish_summary", published=len(summary.of("published")),
                         skipped=len(summary.of("skipped")), failed=len(summary.of("failed"))))
        else:
            print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
        if summary.error is not None:
            print("shelfcheck: " + cat.ui("publish_stopped", error=summary.error.one_line(cat.lang)), file=sys.stderr)
        raise typer.Exit(summary.exit_code)


def _say_quota(quota: Quota, cat: Catalogue, table: bool) -> None:
    """The quota line at the start of a run: on stdout for the table, on stderr for JSON."""
    tier = cat.ui("publish_quota_tier", tier=quota.tier) if quota.tier else ""
    line = cat.ui("publish_quota", remaining=quota.remaining, limit=quota.limit, tier=tier)
    print(line if table else "shelfcheck: " + line, file=sys.stdout if table else sys.stderr, flush=True)


def _verdict_lines(outcome: Outcome, cat: Catalogue, policy: str | None) -> list[str]:
    """Under a failed row: each platform code with our fix text, and the finding it maps to."""
    from shelfcheck.diagnose.platform_errors import explain_platform_code

    lines = []
    for i, code in enumerate(outcome.codes):
        message = outcome.messages[i] if i < len(outcome.messages) else ""
        info = explain_platform_code(code, message=message or None, policy=policy) if code.isdigit() else None
        lines.append(f"{code}: {message}".rstrip(": "))
        if info is not None:
            lines.append(f"  {cat.ui('publish_fix')}: {info.fix.get(cat.lang, info.fix.get('en', ''))}")
    if outcome.findings:
        lines.append(f"{cat.ui('publish_findings')}: {', '.join(outcome.findings)}")
    return lines
