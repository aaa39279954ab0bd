"""Rows whose status waits for their product (contract §4: a row's status counts its product).

A product's findings are known only once every row has streamed (its rows may lie anywhere in the
file), yet the streamed reporters show each row's status on the row. :class:`ProductStatus`
spools the rows to a temporary file as they arrive (memory stays flat for any catalogue), then
reads the products, and gives the rows back in file order, each row whose product has an
error-level product finding marked ``failed_by_product`` — the same status as the JSON report's
``listings[].status``.
"""

from __future__ import annotations

import dataclasses
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from shelfcheck.findings import ListingResult, Severity, Summary
from shelfcheck.i18n import Catalogue
from shelfcheck.reporters.products import rows_text

__all__ = ["ProductFailure", "ProductStatus", "product_label"]


def product_label(product: Any, cat: Catalogue) -> str:
    """How a product is named on its rows: its key, or its row when it has none."""
    p = product.product
    return str(p.key) if p.key is not None else cat.ui("product_single", rows=rows_text(p.rows))


@dataclasses.dataclass(frozen=True, slots=True)
class ProductFailure:
    """Why a row fails with its product: the product's name (its findings are shown once, at it)."""

    product: str

    def text(self, cat: Catalogue) -> str:
        """The row's note, in the catalogue's language."""
        return cat.ui("product_fails_row", product=self.product)


class ProductStatus:
    """Spool a run's rows, read its products, then replay the rows with their final status.

    Args:
        summary: counts the rows as they are spooled and the products as they are read.
        products: the run's products (``None``: each row keeps its own status).
        cat: the catalogue, for the names of products without a key.
        threshold: the severity at which a product finding fails its rows (default: error).
    """

    def __init__(self, summary: Summary, products: Callable[[], Iterable[Any]] | None, cat: Catalogue,
                 threshold: Severity = Severity.ERROR) -> None:
        self.summary = summary
        self._products = products
        self._cat = cat
        self._threshold = threshold
        self._spool: IO[bytes] | None = None
        self._count = 0
        self.products: list[Any] = []  # the products worth a section (several SKUs or own findings)
        self.failures: dict[int, ProductFailure] = {}  # stream position → why the row fails with its product
        self._turned: set[int] = set()  # positions of rows that pass on their own and fail by their product

    def read(self, results: Iterable[ListingResult], keep: Callable[[Any], bool] | None = None) -> None:
        """Spool ``results`` (counted into the summary), then read the products; those for which
        ``keep(product)`` is true are kept in :attr:`products`."""
        spool = self._spool = tempfile.TemporaryFile("w+b")
        for result in results:
            self.summary.add_listing(result)
            pickle.dump(result, spool, pickle.HIGHEST_PROTOCOL)
            self._count += 1
        if self._products is None:
            return
        for product in self._products():
            turned = product.rows_failed_by_product()
            self.summary.add_product(product.status, product.findings, len(turned))
            self._turned.update(sku.position for sku in turned)
            if keep is not None and keep(product):
                self.products.append(product)
            if not any(f.severity >= self._threshold for f in product.findings):
                continue
            why = ProductFailure(product_label(product, self._cat))
            own = product.failed_rows if self._threshold is Severity.ERROR else frozenset()
            for sku in product.product.skus:
                if sku.row not in own:
                    self.failures[sku.position] = why

    def rows(self) -> Iterator[tuple[ListingResult, ProductFailure | None]]:
        """The spooled rows in file order, each with why it fails with its product (or ``None``);
        a row that passed on its own findings and fails by its product's is ``failed_by_product``."""
        spool = self._spool
        if spool is None:
            return
        spool.seek(0)
        for position in range(self._count):
            result: ListingResult = pickle.load(spool)  # noqa: S301 (our own spool of this run)
            why = self.failures.get(position)
            if position in self._turned:
                result = dataclasses.replace(result, failed_by_product=True)
            yield result, why
        spool.close()
        self._spool = None

    def results(self) -> Iterator[ListingResult]:
        """:meth:`rows` without the reasons."""
        for result, _ in self.rows():
            yield result

    def close(self) -> None:
        """Drop the spool (when :meth:`rows` was not read to its end)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None
