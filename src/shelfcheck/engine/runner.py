"""The streaming run: a catalogue's listings, checked chunk by chunk, results in file order.

For each chunk the run (1) notes duplicate SKUs, (2) prepares the images the chunk names
(:class:`~shelfcheck.engine.images.ImagePrep`), and (3) checks each listing with the one
:meth:`Checker.check <shelfcheck.engine.checker.Checker.check>` — in this process, or, for large
catalogues, in worker processes as well (:mod:`shelfcheck.engine.scheduler`), this process
checking a chunk itself whenever each worker has its share in hand. Memory stays flat for any
catalogue size; rules never stop the run.
"""

from __future__ import annotations

import gc
import os
import pickle
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from shelfcheck.analysis.cache import ImageCache
from shelfcheck.analysis.images import ImageInfo
from shelfcheck.engine.checker import Checker
from shelfcheck.engine.images import ImagePrep
from shelfcheck.engine.plan import Plan
from shelfcheck.engine.scheduler import Render, RuleWorkers, finish_chunk
from shelfcheck.engine.skus import FirstRows
from shelfcheck.findings import Finding, ListingResult, RenderedBatch
from shelfcheck.ingest.catalog import CatalogSource
from shelfcheck.model import Listing, split_list
from shelfcheck.products.tracker import ProductTracker
from shelfcheck.rules.context import Images, RunContext

__all__ = ["Engine"]

# Rules move to worker processes from this chunk on (small catalogues stay in one process).
PARALLEL_RULES_FROM_CHUNK = 2


class Engine:
    """Runs the rules of one policy over a catalogue, a stream of listings, or the shop.

    Args:
        run: the shared run context (policy, as-of day, documents, shop, inventory, datasets).
        jobs: processes to use (default: the number of cores); 1 keeps everything in-process.
        chunk_size: listings per chunk; bounds memory for any catalogue size.
        cache: the persistent image-analysis cache, or ``None`` to analyse every image afresh.
        allow_private_urls: fetch image URLs that resolve to loopback/private/link-local hosts.
        shortcuts: family gates and memos (default: on unless
            ``SHELFCHECK_SHORTCUTS=off``); the findings are the same either way.
    """

    def __init__(self, run: RunContext, jobs: int | None = None, chunk_size: int = 256,
                 cache: ImageCache | None = None, allow_private_urls: bool = False,
                 *, shortcuts: bool | None = None) -> None:
        self.run = run
        self.jobs = jobs if jobs is not None else os.cpu_count() or 1
        self.chunk_size = chunk_size
        self.plan = Plan.build(run, shortcuts=shortcuts)
        self.checker = Checker(run, self.plan)
        self.images = ImagePrep(run.policy, jobs=self.jobs, cache=cache, allow_private_urls=allow_private_urls)
        self._first = FirstRows()
        self._workers: RuleWorkers | None = None
        self.products: ProductTracker | None = None  # groups the rows into products (see Preflight)

    # Shop ----------------------------------------------------------------------------------
    def check_shop(self) -> list[Finding]:
        """Findings about the shop and its channel (empty when no shop profile was given)."""
        return self.checker.check_shop()

    # Listings ------------------------------------------------------------------------------
    def check_listings(self, listings: Iterable[Listing]) -> Iterator[ListingResult]:
        """Yield one result per listing, in input order, in this process."""
        for _, result in self.pairs(listings):
            yield result

    def pairs(self, listings: Iterable[Listing]) -> Iterator[tuple[Listing, ListingResult]]:
        """Each listing with its result, in input order, in this process, streaming."""
        try:
            for chunk in _chunks(listings, self.chunk_size):
                for listing, images, first in self._prepare(chunk):
                    yield listing, self.checker.check(listing, images, first)
        finally:
            self.close()

    def check_listing(self, listing: Listing, images: Mapping[str, ImageInfo]) -> ListingResult:
        """One listing whose images are already analysed (see :meth:`Checker.check`)."""
        return self.checker.check(listing, images, self._first.note(listing.seller_sku, listing.row))

    def check_source(self, source: CatalogSource) -> Iterator[ListingResult]:
        """Every listing of a catalogue, in file order (see :meth:`Preflight.results`).

        Small catalogues, and every catalogue with ``jobs=1``, stay in this process. For large
        ones this process reads the records, notes duplicate SKUs and analyses the images;
        ``jobs`` workers build the listings from the raw records and run the rules, and this
        process checks a chunk itself whenever each worker has its share in hand.
        """
        for item in self._stream(source, None):
            yield from item

    def render_source(self, source: CatalogSource, render: Render) -> Iterator[RenderedBatch]:
        """Like :meth:`check_source`, each listing rendered by ``render`` where its rules ran.

        ``render`` (a picklable function) turns a result into a reporter's text; batches of
        consecutive listings come back with their counts, in file order.

        Raises:
            TypeError: ``render`` cannot be pickled (a lambda, a nested function) while the run
                has worker processes to send it to.
        """
        if self.jobs > 1:
            try:
                pickle.dumps(render)
            except Exception as exc:  # pickle raises several types
                raise TypeError(f"render must be picklable, e.g. a module-level function (or run with "
                                f"jobs=1): {exc}") from None
        return self._stream(source, render)

    def close(self) -> None:
        """Stop the worker processes and close the cache."""
        if self._workers is not None:
            self._workers.close()
            self._workers = None
        self.images.close()

    # The stream ----------------------------------------------------------------------------
    def _stream(self, source: CatalogSource, render: Render | None) -> Iterator[Any]:
        """Chunks of results (``render`` is ``None``) or of rendered batches, in file order."""
        # What exists before the rows (modules, the policy, the datasets, the category tree) is
        # frozen for the run: the garbage collector's full passes, a few per 100,000 rows, then
        # walk only what the run makes (on 100,000 rows they took a tenth of this process's time).
        gc.freeze()
        try:
            if self.jobs <= 1 or not self.images.fork:
                for chunk in _chunks(source.listings(), self.chunk_size):
                    yield self._check_here(chunk, render)
                return
            pending: deque[tuple[int | None, Any]] = deque()  # (worker's chunk number, or None and the outcome)
            workers: RuleWorkers | None = None
            for number, rows in enumerate(_chunks(source.rows(), self.chunk_size)):
                if workers is None and number >= PARALLEL_RULES_FROM_CHUNK:
                    workers = self._start_workers(source)
                if workers is None or workers.busy():
                    pending.append((None, self._check_here([source.make_listing(*r) for r in rows], render)))
                else:
                    noted, images = self._prepare_rows(rows, source)
                    pending.append((workers.submit(noted, images, render), None))
                while pending and (pending[0][0] is None or workers is not None and workers.ready(pending[0][0])):
                    yield _take(pending.popleft(), workers)
                while workers is not None and len(pending) > workers.capacity:
                    yield _take(pending.popleft(), workers)
            while pending:
                yield _take(pending.popleft(), workers)
        finally:
            gc.unfreeze()
            self.close()

    def _check_here(self, chunk: list[Listing], render: Render | None) -> Any:
        """The outcome of one chunk of listings, checked in this process."""
        check = self.checker.check
        return finish_chunk([check(*p) for p in self._prepare(chunk)], render)

    def _prepare(self, chunk: list[Listing]) -> list[tuple[Listing, Images, int | None]]:
        """Note duplicate SKUs and analyse the chunk's images (rules look up their own refs in
        the memo of their folder)."""
        if self.products is not None:
            self._note_products(chunk)
        known = self.images.for_listings(chunk)
        firsts = self._first.note_many([listing.seller_sku for listing in chunk], [listing.row for listing in chunk])
        return [(listing, known[listing.base_dir], first) for listing, first in zip(chunk, firsts)]

    def _prepare_rows(self, chunk: list[tuple[int, list[str]]], source: CatalogSource,
                      ) -> tuple[list[tuple[int, list[str], int | None]], Images]:
        """Like :meth:`_prepare`, from raw records (the workers build the listings):
        ``(row, cells, first row of the SKU)`` each, and the analysis of every image reference
        the chunk names."""
        sku_at = source.index["seller_sku"]
        images_at = source.index.get("main_images")
        if self.products is not None:
            self._note_product_rows(chunk, source.index)
        numbers = [row for row, _ in chunk]
        firsts = self._first.note_many([cells[sku_at].strip() for _, cells in chunk], numbers)
        rows = [(row, cells, first) for (row, cells), first in zip(chunk, firsts)]
        cells_of_images = {cells[images_at] for _, cells in chunk} if images_at is not None else set()
        refs: set[str] = set()
        for text in cells_of_images:  # variants of one product often name the same images
            refs.update(split_list(text))
        known = self.images.known(source.base_dir, refs)
        return rows, Images(((ref, known[ref]) for ref in refs), {ref: known.tokens[ref] for ref in refs})

    def _note_products(self, chunk: list[Listing]) -> None:
        """Hand the rows to the product tracker; a blank product-level value takes the product's."""
        fill = self.products.fill  # type: ignore[union-attr]
        for listing in chunk:
            fill(listing)

    def _note_product_rows(self, chunk: list[tuple[int, list[str]]], index: Mapping[str, int]) -> None:
        """:meth:`_note_products` for raw records (filled in place, before the workers see them)."""
        note_cells = self.products.note_cells  # type: ignore[union-attr]
        for row, cells in chunk:
            note_cells(row, cells, index)

    def _start_workers(self, source: CatalogSource) -> RuleWorkers:
        """Processes that run the rules of large catalogues (started on first need)."""
        if self._workers is None:
            # One per core: this process's own share (reading the records, grouping them into
            # products, the report) is about half a core on a large catalogue, so with a worker
            # fewer a core stood idle part of the time (2 cores, 100,000 rows: 3 % slower).
            self._workers = RuleWorkers(self.checker, source, self.jobs)
        return self._workers


def _take(entry: tuple[int | None, Any], workers: RuleWorkers | None) -> Any:
    """The outcome of a pending chunk: checked here already, or collected from its worker."""
    number, outcome = entry
    return outcome if number is None or workers is None else workers.collect(number)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
