"""The library entry point: :func:`check` a catalogue and get a :class:`~shelfcheck.findings.Report`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelfcheck import __version__
from shelfcheck.analysis.cache import ImageCache
from shelfcheck.datasets import Datasets, load_datasets
from shelfcheck.engine import Engine
from shelfcheck.findings import Finding, ListingResult, RenderedBatch, Report, Summary
from shelfcheck.forked import can_fork
from shelfcheck.ingest import load_documents, load_platform_inventory, load_shop, open_catalog
from shelfcheck.ingest.catalog import CatalogSource
from shelfcheck.ingest.mapping import ColumnMap
from shelfcheck.notes import RunNote, run_notes
from shelfcheck.policy import Policy, load_policy
from shelfcheck.products.tracker import ProductTracker
from shelfcheck.rules.context import RunContext
from shelfcheck.rules.variants import ProductResult, check_products

__all__ = ["CHECK_REQUIRES", "Preflight", "check", "prepare"]

# Fields a catalogue must have a column for to be checked: without them every row would fail
# for a reason that is the layout's, not the product's.
CHECK_REQUIRES = ("seller_sku", "title")
# Products from which a reporter works on them in two processes at once (fewer: not worth a fork).
PRODUCTS_TO_SHARE = 5_000


@dataclass
class Preflight:
    """A prepared run: inputs opened and validated, results not yet computed.

    ``shop_findings`` are computed at once; :meth:`results` streams the listings, so a reporter
    can write each result as it comes and memory stays flat for any catalogue size.
    """

    source: CatalogSource
    engine: Engine
    run: RunContext
    shop_findings: list[Finding]
    tracker: ProductTracker | None = None

    def results(self) -> Iterator[ListingResult]:
        """Yield one result per catalogue row, in file order."""
        tracker = self.tracker
        for result in self.engine.check_source(self.source):
            if tracker is not None:
                tracker.record(result.status == "fail")
            yield result

    def rendered(self, render: Callable[[ListingResult], str]) -> Iterator[RenderedBatch]:
        """Yield every catalogue row rendered as a reporter's text, in batches, in file order.

        ``render`` (a picklable function) turns a result into its report text; it runs where the
        rules run — in the worker processes for large catalogues — so only the texts and the
        counts of each batch travel back.
        """
        tracker = self.tracker
        for batch in self.engine.render_source(self.source, render):
            if tracker is not None:
                tracker.record_batch(batch.failed)
            yield batch

    def products(self, share: tuple[int, int] = (0, 1)) -> Iterator[ProductResult]:
        """Every product with its product-level findings, once :meth:`results` or
        :meth:`rendered` has been consumed (rows of one product may lie anywhere in the file).

        Rows group by ``product_key``; without one each row is a product of its own. ``share``
        ``(i, n)``: only the ``i``-th of ``n`` consecutive parts of them (see
        :meth:`product_shares`).
        """
        tracker = self.tracker
        if tracker is None:
            return iter(())

        def failed_rows(product: Any) -> frozenset[int]:
            return frozenset(s.row for s in product.skus if tracker.failed(s))

        part, parts = share
        count = tracker.product_count
        return check_products(tracker.products(count * part // parts, count * (part + 1) // parts), self.run,
                              failed_rows)

    def product_shares(self) -> int:
        """Into how many parts a reporter may split :meth:`products` to work on them in forked
        copies of this process at once: 2 for many products when the run has more than one
        process (``jobs``) and the platform forks; else 1."""
        tracker = self.tracker
        if tracker is None or tracker.product_count < PRODUCTS_TO_SHARE or self.engine.jobs < 2 or not can_fork():
            return 1
        return 2

    def notes(self) -> list[RunNote]:
        """The run notes every report shows once at its top (see :mod:`shelfcheck.notes`)."""
        return run_notes(self.run, self.source)

    def header(self) -> dict[str, object]:
        """The report metadata: tool, policy, as-of day, datasets used, run notes."""
        policy = self.run.policy
        return {
            "tool": {"name": "shelfcheck", "version": __version__},
            "policy": {"name": policy.name, "version": policy.version,
                       "effective_from": policy.effective_from.isoformat()},
            "as_of": self.run.as_of.isoformat(),
            "datasets": dict(self.run.datasets.provenance),
            "layout": self.source.layout(),
            "notes": self.notes(),
        }

    def report(self) -> Report:
        """Run everything and collect the whole report in memory."""
        summary = Summary()
        summary.add_findings(self.shop_findings)
        listings = []
        for result in self.results():
            summary.add_listing(result)
            listings.append(result)
        products = []
        for product in self.products():
            summary.add_product(product.status, product.findings, len(product.rows_failed_by_product()))
            products.append(product)
        head = self.header()
        return Report(head["policy"], head["as_of"], str(self.source.path), self.shop_findings,  # type: ignore[arg-type]
                      listings, summary, dict(self.run.datasets.provenance), self.source.layout(),
                      head["notes"], products)  # type: ignore[arg-type]


def prepare(
    catalog: str | Path,
    *,
    documents: str | Path | None = None,
    shop: str | Path | None = None,
    inventory: str | Path | None = None,
    policy: str | Path | Policy | None = None,
    as_of: dt.date | None = None,
    sheet: str | None = None,
    jobs: int | None = None,
    datasets: Datasets | None = None,
    cache: bool | ImageCache = True,
    allow_private_urls: bool = False,
    ledger: Any = None,
    columns: str | Path | ColumnMap | None = None,
) -> Preflight:
    """Open and validate every input; raise :class:`~shelfcheck.errors.InputError` on bad input.

    All inputs are read before the first listing is checked, so an unreadable documents file or
    shop profile is reported before any work is done. ``cache=False`` analyses every image afresh
    (the persistent cache is neither read nor written; an :class:`~shelfcheck.analysis.cache.ImageCache`
    is used as given, e.g. ``ImageCache(verify=True)`` to rehash every file); ``allow_private_urls`` lets image URLs
    point at loopback or private hosts; ``ledger`` (an open :class:`~shelfcheck.ledger.Ledger`)
    adds the repeat-failure guard's findings; ``columns`` (a ``--columns`` YAML or a
    :class:`~shelfcheck.ingest.mapping.ColumnMap`) says which column feeds which field. The
    catalogue needs a column for ``seller_sku`` and one for ``title``.
    """
    pack = policy if isinstance(policy, Policy) else load_policy(policy)
    source = open_catalog(catalog, sheet=sheet, columns=columns, required=CHECK_REQUIRES)
    now = dt.datetime.now(dt.timezone.utc)
    try:
        run = RunContext(
            policy=pack,
            as_of=as_of or now.date(),
            as_of_time=None if as_of else now,
            datasets=datasets if datasets is not None else load_datasets(),
            documents=load_documents(documents) if documents else None,
            shop=load_shop(shop) if shop else None,
            stock=load_platform_inventory(inventory) if inventory else None,
            ledger=ledger,
        )
    except BaseException:  # another input cannot be read: let go of the catalogue's file
        source.close()
        raise
    engine = Engine(run, jobs=jobs, cache=cache if isinstance(cache, ImageCache) else ImageCache() if cache else None,
                    allow_private_urls=allow_private_urls)
    engine.products = ProductTracker(source.index, source.columns)
    return Preflight(source, engine, run, engine.check_shop(), engine.products)


def check(catalog: str | Path, **options: object) -> Report:
    """Check a catalogue and return the full report.

    Accepts the keyword arguments of :func:`prepare` (``documents``, ``shop``, ``inventory``,
    ``policy``, ``as_of``, ``sheet``, ``jobs``, ``datasets``, ``cache``, ``allow_private_urls``,
    ``ledger``, ``columns``).
    """
    return prepare(catalog, **options).report()  # type: ignore[arg-type]
