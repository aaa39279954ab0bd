"""``shelfcheck ledger``: record submission attempts and read a SKU's standing (contract §7).

```
shelfcheck ledger record --sku SKU --outcome failed|passed [--reason CODE …] [--at ISO8601]
                         [--product-id ID] [--catalog F] [--db URL]
shelfcheck ledger status SKU [--as-of ISO8601] [--format table|json] [--db URL]
```

``--catalog`` stores the content hash of the SKU's catalogue row (``resubmit_unchanged`` then
recognises an unchanged resubmission). ``status`` never creates a ledger file. Exit status 0;
2 for bad input (one line on stderr).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from shelfcheck.cli.common import fail, pick_lang
from shelfcheck.errors import Msg

__all__ = ["DB_HELP", "app", "instant_option"]

DB_HELP = "Ledger database: a SQLAlchemy URL or a SQLite file (default SHELFCHECK_DB or ~/.shelfcheck/ledger.db)."

app = typer.Typer(
    help="The submission ledger and the repeat-failure guard (the policy's lock: block).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def instant_option(option: str, text: str | None) -> dt.datetime | None:
    """Read an ISO 8601 instant option (a bare date = start of that day UTC), or fail in one line."""
    from shelfcheck.ledger import parse_instant

    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        raise fail(Msg("ledger_bad_instant", option=option, text=text)) from None


@app.command("record")
def record(
    sku: Annotated[str, typer.Option("--sku", help="The seller SKU.")],
    outcome: Annotated[str, typer.Option("--outcome", help="failed or passed.")],
    reason: Annotated[Optional[list[str]], typer.Option(
        "--reason", help="A failure reason (finding or platform code); repeat for several.")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When it happened, ISO 8601 (default now).")] = None,
    product_id: Annotated[Optional[str], typer.Option("--product-id", help="The platform product ID.")] = None,
    catalog: Annotated[Optional[Path], typer.Option(
        "--catalog", help="Catalogue holding the SKU: stores the content hash of what was submitted.")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="XLSX sheet name of --catalog.")] = None,
    columns: Annotated[Optional[Path], typer.Option(
        "--columns", help="YAML map of field: header (or header: field) for --catalog.")] = None,
    db: Annotated[Optional[str], typer.Option("--db", help=DB_HELP)] = None,
    policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh.")] = None,
) -> None:
    """Record one submission attempt of a SKU."""
    from shelfcheck.catalog_hash import catalog_row_hash
    from shelfcheck.i18n import catalogue
    from shelfcheck.ledger import format_instant, open_ledger
    from shelfcheck.policy import load_policy

    cat = catalogue(pick_lang(lang))
    if outcome not in ("failed", "passed"):
        raise fail(Msg("ledger_bad_outcome", outcome=outcome))
    sku = sku.strip()
    if not sku:
        raise fail(Msg("ledger_empty_sku"))
    reasons = [r.strip() for r in reason or [] if r.strip()]
    if reasons and outcome == "passed":
        raise fail(Msg("ledger_reason_on_pass"))
    when = instant_option("--at", at)
    pack = load_policy(policy)
    digest = (catalog_row_hash(catalog, sku, sheet=sheet, policy=policy, columns=columns)
              if catalog is not None else None)
    with open_ledger(db) as ledger:
        attempt = ledger.record_attempt(sku, outcome, reasons=reasons, at=when, product_id=product_id,
                                        content_hash=digest, source="cli")
        status = ledger.status(sku, rule=pack, as_of=attempt.attempted_at)
    print(cat.ui("ledger_recorded", outcome=cat.ui("outcome_" + outcome), sku=sku,
                 at=format_instant(attempt.attempted_at), failures=status.failures_24h,
                 window=pack.lock.window_hours, left=status.attempts_left))
    if status.locked:
        print(cat.ui("ledger_now_locked", sku=sku, until=format_instant(status.locked_until)))
    elif status.near_limit:
        print(cat.ui("ledger_near_limit", sku=sku, hours=pack.lock.lock_hours))


@app.command("status")
def status(
    sku: Annotated[str, typer.Argument(help="The seller SKU.")],
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", help="As of this instant, ISO 8601; a bare date is the start of that day UTC.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    db: Annotated[Optional[str], typer.Option("--db", help=DB_HELP)] = None,
    policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh.")] = None,
) -> None:
    """A SKU's failures in the lock window, its lock, and the attempts left."""
    from shelfcheck.i18n import catalogue
    from shelfcheck.ledger import format_instant, open_ledger
    from shelfcheck.policy import load_policy

    if fmt not in ("table", "json"):
        raise fail(Msg("cli_format_table_json", format=fmt))
    cat = catalogue(pick_lang(lang))
    instant = instant_option("--as-of", as_of) or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    pack = load_policy(policy)
    with open_ledger(db, readonly=True) as ledger:
        state = ledger.status(sku.strip(), rule=pack, as_of=instant)
        last = ledger.last_attempt(sku.strip(), as_of=state.as_of)
    if fmt == "json":
        print(json.dumps(state.to_json(), ensure_ascii=False))
        return
    rows = [
        (cat.ui("col_sku"), state.sku),
        (cat.ui("col_as_of"), format_instant(state.as_of)),
        (cat.ui("col_failures_window", hours=pack.lock.window_hours), str(state.failures_24h)),
        (cat.ui("col_locked"), cat.ui("answer_yes") if state.locked else cat.ui("answer_no")),
        (cat.ui("col_locked_until"), format_instant(state.locked_until) or "-"),
        (cat.ui("col_attempts_left"), str(state.attempts_left)),
        (cat.ui("col_last_attempt"), "-" if last is None else
         f"{format_instant(last.attempted_at)} {cat.ui('outcome_' + last.outcome)}"
         + (f" ({', '.join(last.reasons)})" if last.reasons else "")),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    if state.locked:
        print(cat.ui("ledger_locked_advice", until=format_instant(state.locked_until)))
    elif state.near_limit:
        print(cat.ui("ledger_near_limit", sku=state.sku, hours=pack.lock.lock_hours))
