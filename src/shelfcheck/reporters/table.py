"""The terminal report: findings grouped by SKU, coloured by severity, then the summary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shelfcheck.findings import Finding, ListingResult, Severity, Summary
from shelfcheck.i18n import Catalogue

__all__ = ["write_table"]

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _evidence(evidence: dict[str, Any]) -> str:
    parts = []
    for key, value in evidence.items():
        if isinstance(value, (dict, list)) and len(str(value)) > 60:
            continue
        parts.append(f"{key}={value}")
    return ", ".join(parts)


def _findings_table(findings: list[Finding], cat: Catalogue) -> Table:
    table = Table(show_header=True, header_style="bold", expand=True, pad_edge=False)
    table.add_column(cat.ui("col_severity"), no_wrap=True, width=8)
    table.add_column(cat.ui("col_code"), no_wrap=True)
    table.add_column(cat.ui("col_field"), no_wrap=True)
    table.add_column(cat.ui("col_message"), ratio=3)
    table.add_column(cat.ui("col_fix"), ratio=3)
    for f in sorted(findings, key=lambda f: -f.severity):
        style = _STYLE[f.severity]
        message = escape(cat.message(f))
        ev = _evidence(f.evidence)
        if ev:
            message += f"\n[dim]{escape(ev)}[/dim]"
        table.add_row(f"[{style}]{cat.ui('sev_' + f.severity.label)}[/{style}]", f.code,
                      escape(f.field), message, escape(cat.fix(f)))
    return table


def write_table(
    header: dict[str, Any],
    shop_findings: list[Finding],
    results: Iterable[ListingResult],
    out: IO[str],
    cat: Catalogue,
    *,
    color: bool | None = None,
    width: int | None = None,
    show_passed: bool = False,
) -> Summary:
    """Print the report for a person; return the summary."""
    console = Console(file=out, force_terminal=color, no_color=color is False, width=width or 160,
                      highlight=False, soft_wrap=False)
    policy = header["policy"]
    console.print(cat.ui("heading", policy=policy["name"], version=policy["version"], as_of=header["as_of"]))
    summary = Summary()
    summary.add_findings(shop_findings)
    if shop_findings:
        console.rule(cat.ui("shop_heading"))
        console.print(_findings_table(shop_findings, cat))
    for result in results:
        summary.add_listing(result)
        if not result.findings and not show_passed:
            continue
        status = result.status
        style = "bold red" if status == "fail" else "green"
        title = cat.ui("listing_heading", row=result.row, sku=result.seller_sku or "-",
                       category=result.category or "-")
        console.rule(f"[{style}]{escape(title)} · {cat.ui('status_' + status)}[/{style}]", align="left")
        if result.findings:
            console.print(_findings_table(result.findings, cat))
    console.rule()
    console.print(cat.ui("summary_line", listings=summary.listings, passed=summary.passed,
                         failed=summary.failed, errors=summary.errors, warnings=summary.warnings))
    return summary


def report(run: Any, out: IO[str], cat: Catalogue, options: Any) -> Summary:
    """Reporter entry point (see :mod:`shelfcheck.reporters`)."""
    return write_table(run.header(), run.shop_findings, run.results(), out, cat, color=options.color)
