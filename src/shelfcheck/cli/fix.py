"""``shelfcheck fix``: write a fixed copy of a catalogue and its change log (contract §9).

```
shelfcheck fix CATALOG --out DIR [--documents F] [--shop F] [--inventory F] [--only CODES]
                [--dry-run] [--apply-suggested] [--format table|json]
```

Exit status 0: the fixed catalogue has no error-level finding left; 1: it still has some (or,
with ``--dry-run``, the catalogue has some); 2: an input could not be read or the command was
misused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from shelfcheck.cli.common import fail, parse_as_of, pick_lang
from shelfcheck.errors import Msg

__all__ = ["fix_command"]


def _only(text: str | None) -> set[str] | None:
    if text is None:
        return None
    from shelfcheck.fix.plan import CATEGORY_ALIAS, FIXES

    codes = {c.strip() for c in text.split(",") if c.strip()}
    known = set(FIXES) | {CATEGORY_ALIAS}
    unknown = sorted(codes - known)
    if unknown or not codes:
        raise fail(Msg("fix_only_unknown", codes=", ".join(unknown) or text, fixable=", ".join(sorted(known))))
    return codes


def fix_command(
    catalog: Annotated[Path, typer.Argument(help="Catalogue: CSV (any encoding), XLSX or JSON.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the fixed copy and the change log "
                                                    "(never the catalogue's own folder).")],
    documents: Annotated[Optional[Path], typer.Option("--documents", help="Compliance documents CSV.")] = None,
    shop: Annotated[Optional[Path], typer.Option("--shop", help="Shop profile YAML.")] = None,
    inventory: Annotated[Optional[Path], typer.Option(
        "--inventory", help="Platform inventory snapshot CSV.")] = None,
    only: Annotated[Optional[str], typer.Option(
        "--only", help="Fix only these finding codes (comma-separated).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing; list what would change.")] = False,
    apply_suggested: Annotated[bool, typer.Option(
        "--apply-suggested", help="Write the suggested changes too (default: only the safe ones).")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Evaluate dates as of YYYY-MM-DD.")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="XLSX sheet name.")] = None,
    columns: Annotated[Optional[Path], typer.Option("--columns", help="YAML map of field: header.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh (default from LANG).")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", min=1, help="Processes for images and rules.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Analyse every image afresh.")] = False,
) -> None:
    """Fix every safely fixable finding into a copy of the catalogue, and check the copy again."""
    from shelfcheck.fix.run import fix

    if fmt not in ("table", "json"):
        raise fail(Msg("cli_format_table_json", format=fmt))
    language = pick_lang(lang)
    result = fix(catalog, out, documents=documents, shop=shop, inventory=inventory, policy=policy,
                 as_of=parse_as_of(as_of), sheet=sheet, columns=columns, only=_only(only), dry_run=dry_run,
                 apply_suggested=apply_suggested, jobs=jobs, cache=not no_cache, lang=language)
    if fmt == "json":
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        _table(result, language)
    if result.errors_after is not None:
        raise typer.Exit(1 if result.errors_after else 0)
    raise typer.Exit(1 if result.errors_before else 0)


def _table(result: Any, lang: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from shelfcheck.i18n import catalogue

    cat = catalogue(lang)
    console = Console(file=sys.stdout, width=140, highlight=False)
    changes = result.changes
    if not changes:
        console.print(cat.ui("fix_nothing"))
    else:
        table = Table(show_header=True, header_style="bold",
                      title=cat.ui("fix_changes_heading", safe=sum(c.kind == "safe" for c in changes),
                                   suggested=sum(c.kind == "suggested" for c in changes),
                                   applied=len(result.applied)))
        for key in ("fix_col_row", "fix_col_field", "fix_col_code", "fix_col_old", "fix_col_new",
                    "fix_col_kind", "fix_col_applied"):
            table.add_column(cat.ui(key))
        for c in changes:
            new = c.new if c.new is not None else cat.reason(c.note or "") if c.note else cat.ui("fix_col_none")
            table.add_row(str(c.row), c.field, c.code, _short(c.old), _short(new),
                          cat.ui("fix_kind_" + c.kind), cat.ui("yes") if c.applied else "")
        console.print(table)
    counts = Table(show_header=True, header_style="bold", title=cat.ui("fix_counts_heading"))
    for key in ("fix_col_code", "fix_col_before", "fix_col_after"):
        counts.add_column(cat.ui(key))
    for code, before, after in result.counts():
        counts.add_row(code, str(before), "-" if after is None else str(after))
    console.print(counts)
    for item in result.introduced:
        console.print(cat.ui("fix_introduced", **item))
    if any(c.kind == "suggested" and not c.applied and c.new is not None for c in changes):
        print(cat.ui("fix_suggested_hint"), file=sys.stderr)
    if result.dry_run:
        print(cat.ui("fix_dry_run"), file=sys.stderr)
    else:
        print(cat.ui("fix_written", path=result.files[0], log=result.output / "changes.json"), file=sys.stderr)


def _short(text: str | None, width: int = 60) -> str:
    text = "" if text is None else " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
