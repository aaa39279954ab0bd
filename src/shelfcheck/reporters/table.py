"""The terminal report: findings grouped by SKU, coloured by severity, then the summary."""

from __future__ import annotations

import functools
import io
import tempfile
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shelfcheck.findings import Finding, ListingResult, RenderedBatch, Severity, Summary
from shelfcheck.i18n import Catalogue, catalogue
from shelfcheck.reporters.columns import footer_lines
from shelfcheck.reporters.deferred import product_label
from shelfcheck.reporters.inert import REPLACE_ERRORS
from shelfcheck.reporters.products import attributes_text, product_results, rows_text, worth_showing

__all__ = ["Look", "render_listing", "write_table"]

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _evidence(evidence: dict[str, Any]) -> str:
    parts = []
    for key, value in evidence.items():
        if isinstance(value, (dict, list)) and len(str(value)) > 60:
            continue
        parts.append(f"{key}={value}")
    return ", ".join(parts)


def _findings_table(findings: list[Finding], cat: Catalogue, rows: bool = False) -> Table:
    table = Table(show_header=True, header_style="bold", expand=True, pad_edge=False)
    table.add_column(cat.ui("col_severity"), no_wrap=True, width=8)
    table.add_column(cat.ui("col_code"), no_wrap=True)
    table.add_column(cat.ui("col_field"), overflow="fold")
    # Messages and fixes wrap, and a run of text without spaces (Chinese) folds at the column's
    # edge: nothing a seller needs is cut off.
    table.add_column(cat.ui("col_message"), ratio=3, overflow="fold")
    table.add_column(cat.ui("col_fix"), ratio=3, overflow="fold")
    if rows:  # a product's findings: the rows each covers
        table.add_column(cat.ui("product_col_rows"), ratio=1, overflow="fold")
    for f in sorted(findings, key=lambda f: -f.severity):
        style = _STYLE[f.severity]
        message = escape(cat.message(f))
        ev = _evidence(f.evidence)
        if ev:
            message += f"\n[dim]{escape(ev)}[/dim]"
        cells = [f"[{style}]{cat.ui('sev_' + f.severity.label)}[/{style}]", f.code,
                 escape(f.field), message, escape(cat.fix(f))]
        if rows:
            cells.append(rows_text(f.evidence.get("rows", [])))
        table.add_row(*cells)
    return table


@dataclass(frozen=True)
class Look:
    """How the terminal report is drawn: colours (``None``: none) and width. Picklable, so the
    listings can be drawn in the worker processes exactly as the parent would draw them."""

    color_system: str | None
    no_color: bool
    width: int

    @classmethod
    def of(cls, console: Console) -> Look:
        """The look of what ``console`` writes (no colour when it is not a terminal)."""
        return cls(console.color_system if console.is_terminal else None, console.no_color, console.width)


def _console(file: IO[str], color: bool | None, width: int | None) -> Console:
    return Console(file=file, force_terminal=color, no_color=color is False, width=width or 160,
                   highlight=False, soft_wrap=False)


@functools.lru_cache(maxsize=4)
def _drawing_console(look: Look) -> Console:
    return Console(file=io.StringIO(), force_terminal=look.color_system is not None, color_system=look.color_system,
                   no_color=look.no_color, width=look.width, highlight=False, soft_wrap=False)


# Findings tables already drawn, by the keys the engine gives the findings it shares between
# listings (``Finding.shared``): listings that share all their findings share their table.
_TABLES: dict[tuple[Any, ...], str] = {}
_TABLES_MAX = 5_000


def render_listing(result: ListingResult, lang: str, look: Look, show_passed: bool = False) -> str:
    """One listing's part of the report as text ("" when it is not shown); a module-level
    function, so it can run in a worker process."""
    if not result.findings and not show_passed:
        return ""
    cat = catalogue(lang)
    console = _drawing_console(look)
    heading = _heading(console, cat, result.row, result.seller_sku, result.category, result.status)
    if not result.findings:
        return heading
    shared = [f.shared for f in result.findings]
    key = (lang, look, *shared) if None not in shared else None
    known = _TABLES.get(key) if key is not None else None
    if known is None:
        with console.capture() as table:
            console.print(_findings_table(result.findings, cat))
        known = table.get()
        if key is not None:
            if len(_TABLES) >= _TABLES_MAX:
                _TABLES.clear()
            _TABLES[key] = known
    return heading + known


def _heading(console: Console, cat: Catalogue, row: int, sku: str, category: str, status: str,
             note: str = "") -> str:
    """A listing's heading line (and, for a row failed by its product, the line saying so)."""
    style = "bold red" if status == "fail" else "green"
    title = cat.ui("listing_heading", row=row, sku=sku or "-", category=category or "-")
    with console.capture() as heading:
        console.rule(f"[{style}]{escape(title)} · {cat.ui('status_' + status)}[/{style}]", align="left")
        if note:
            console.print(f"[red]{escape(note)}[/red]")
    return heading.get()


def _row_category(product: Any, row: int) -> str:
    """The category a row of ``product`` wrote (its own group's when the rows disagree)."""
    for group in product.product.conflicts.get("category", ()):
        if row in group.rows:
            return group.value
    return product.product.category


class _Spool:
    """The listings' texts, kept on disk until the products are known (memory stays flat); a row
    that fails by its product gets a new heading."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile("w+b")
        self.ends = array("q")

    def write(self, text: str) -> None:
        self.file.write(text.encode("utf-8", REPLACE_ERRORS))
        self.ends.append(self.file.tell())

    def copy(self, out: IO[str], headings: dict[int, Any], draw: Any) -> None:
        """Write every text to ``out``, the heading of each position in ``headings`` replaced by
        ``draw(*headings[position])``."""
        self.file.seek(0)
        start = 0
        for position, end in enumerate(self.ends):
            text = self.file.read(end - start).decode("utf-8", REPLACE_ERRORS)
            start = end
            new = headings.get(position)
            if new is not None:
                text = draw(*new) + (text.split("\n", 1)[1] if "\n" in text else "")
            out.write(text)
        self.file.close()


def _draw_product(console: Console, product: Any, cat: Catalogue) -> None:
    p = product.product
    status = product.status
    style = "bold red" if status == "fail" else "green"
    rows = rows_text(p.rows)
    title = (cat.ui("product_heading", product=p.key, skus=len(p.skus), rows=rows) if p.key is not None
             else cat.ui("product_single", rows=rows))
    console.rule(f"[{style}]{escape(title)} · {cat.ui('status_' + status)}[/{style}]", align="left")
    skus = Table(show_header=True, header_style="bold", expand=True, pad_edge=False)
    skus.add_column(cat.ui("product_col_row"), no_wrap=True, width=6)
    skus.add_column(cat.ui("product_col_sku"), overflow="fold")
    skus.add_column(cat.ui("product_col_attributes"), ratio=3, overflow="fold")
    skus.add_column(cat.ui("product_col_status"), no_wrap=True)
    for sku in p.skus:
        state = product.sku_status(sku)
        skus.add_row(str(sku.row), escape(sku.seller_sku or "-"), escape(attributes_text(sku.sales_attributes)),
                     cat.ui("status_" + state))
    console.print(skus)
    if product.findings:
        console.print(_findings_table(product.findings, cat, rows=True))


def write_table(
    header: dict[str, Any],
    shop_findings: list[Finding],
    results: Iterable[ListingResult | RenderedBatch],
    out: IO[str],
    cat: Catalogue,
    *,
    color: bool | None = None,
    width: int | None = None,
    show_passed: bool = False,
    products: Any = None,
) -> Summary:
    """Print the report for a person; return the summary.

    ``results`` are listing results, or batches already drawn by :func:`render_listing` with
    the :class:`Look` of this output (see :func:`report`). ``products`` (called once the
    listings are drawn) gives the products: each of several SKUs, or with product-level
    findings, gets a section after the listings — its SKUs, and its findings once.
    """
    console = _console(out, color, width)
    look = Look.of(console)
    policy = header["policy"]
    console.print(cat.ui("heading", policy=policy["name"], version=policy["version"], as_of=header["as_of"]))
    for note in header.get("notes") or ():
        console.print(f"[yellow]{escape(cat.ui('notes_heading'))}:[/yellow] {escape(cat.note(note))}")
    summary = Summary()
    summary.add_findings(shop_findings)
    if shop_findings:
        console.rule(cat.ui("shop_heading"))
        console.print(_findings_table(shop_findings, cat))
    # With products, the listings wait on disk until the products are read: a row whose product
    # fails shows it on its heading (contract §4).
    spool = _Spool() if products is not None else None
    write = spool.write if spool is not None else out.write
    for item in results:
        if isinstance(item, RenderedBatch):
            summary.merge(item.summary)
            for text in item.texts:
                write(text)
        else:
            summary.add_listing(item)
            write(render_listing(item, cat.lang, look, show_passed))
    if products is not None and spool is not None:
        shown = []
        headings: dict[int, tuple[int, str, str, str]] = {}  # position → heading's row, SKU, category, note
        for product in products():
            turned = product.rows_failed_by_product()
            summary.add_product(product.status, product.findings, len(turned))
            if turned:
                note = cat.ui("product_fails_row", product=product_label(product, cat))
                for sku in turned:
                    headings[sku.position] = (sku.row, sku.seller_sku, _row_category(product, sku.row), note)
            if worth_showing(product):
                shown.append(product)
        drawing = _drawing_console(look)
        spool.copy(out, headings, lambda row, sku, category, note: _heading(drawing, cat, row, sku, category,
                                                                            "fail", note))
        if shown:
            console.rule(f"[bold]{escape(cat.ui('products_heading'))}[/bold]")
        for product in shown:
            _draw_product(console, product, cat)
    console.rule()
    console.print(cat.ui("summary_line", listings=summary.listings, passed=summary.passed,
                         failed=summary.failed, errors=summary.errors, warnings=summary.warnings))
    if products is not None and summary.products != summary.listings:
        console.print(cat.ui("products_line", products=summary.products, passed=summary.products_passed,
                             failed=summary.products_failed))
    for line in footer_lines(header.get("layout"), cat):  # never silent about unread columns
        console.print(escape(line))
    return summary


def report(run: Any, out: IO[str], cat: Catalogue, options: Any) -> Summary:
    """Reporter entry point (see :mod:`shelfcheck.reporters`): listings drawn where they are checked."""
    look = Look.of(_console(out, options.color, None))
    batches = run.rendered(functools.partial(render_listing, lang=cat.lang, look=look))
    return write_table(run.header(), run.shop_findings, batches, out, cat, color=options.color,
                       products=product_results(run))
