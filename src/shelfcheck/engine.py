"""The engine: runs every enabled rule over the shop and each listing and collects findings.

Listings stream through in chunks, so memory stays flat for any catalogue size. For each chunk
the engine

1. gathers the images its listings name and resolves each reference once;
2. takes what it can from the persistent analysis cache (an unchanged file is never decoded
   twice across runs), fetches remote images concurrently, and analyses the rest — each file
   once, across processes when there are many;
3. runs the rules — in worker processes as well when the catalogue is large — and yields the
   results in input order.

Rules never stop the run: every finding of every listing is collected.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelfcheck.analysis.cache import ImageCache
from shelfcheck.analysis.images import ImageInfo, WhiteParams, analyse_bytes, analyse_image
from shelfcheck.errors import PolicyError
from shelfcheck.findings import Finding, ListingResult, RenderedBatch, Severity
from shelfcheck.ingest.catalog import CatalogSource
from shelfcheck.model import Listing, split_list
from shelfcheck.rules import GATES, MEMO_FIELDS, MEMO_IMAGES, RULES, RUN_GATES, Rule
from shelfcheck.rules.context import ListingContext, RunContext, ShopContext
from shelfcheck.workers import Render, RuleWorkers, finish_chunk

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor  # loaded when images need processes

__all__ = ["Engine", "resolve_image_ref"]

_REMOTE = ("http://", "https://")
# Below this many images a chunk is analysed in-process: starting workers would cost more.
_PARALLEL_IMAGES = 8
# Rules move to worker processes from this chunk on (small catalogues stay in one process).
_PARALLEL_RULES_FROM_CHUNK = 2
# Analysed image references remembered across chunks of one run.
_MEMO_IMAGES = 50_000
# Findings of memoised families (see ``memo_by``) remembered by their input values.
_MEMO_FAMILIES = 20_000

Prepared = tuple[Listing, Mapping[str, ImageInfo], "int | None"]


def resolve_image_ref(base_dir: Path, ref: str) -> tuple[str | None, str | None]:
    """Where an image reference points: ``(path, None)``, ``(url, None)`` or ``(None, reason)``."""
    if "\x00" in ref:
        return None, "image_path_invalid"
    lowered = ref.lower()
    if lowered.startswith(_REMOTE):
        return ref, None
    if lowered.startswith("file://"):
        ref = ref[7:]
    elif "://" in ref:
        return None, "image_scheme_unsupported"
    path = Path(ref)
    if not path.is_absolute():
        path = base_dir / path
    if "\\" in ref and not path.exists():
        alt = Path(ref.replace("\\", "/"))
        alt = alt if alt.is_absolute() else base_dir / alt
        if alt.exists():
            path = alt
    return str(path), None


@dataclass
class _Active:
    rule: Rule
    severity: Severity


def _analyse_remote(url: str, data: bytes, params: WhiteParams) -> ImageInfo:
    info = ImageInfo(ref=url, path=url, found=True)
    return analyse_bytes(data, info, params)


@dataclass
class Engine:
    """Runs the rules of one policy over listings.

    Args:
        run: the shared run context (policy, as-of day, documents, shop, inventory, datasets).
        jobs: processes to use (default: the number of cores); 1 keeps everything in-process.
        chunk_size: listings per chunk; bounds memory for any catalogue size.
        cache: the persistent image-analysis cache, or ``None`` to analyse every image afresh.
        allow_private_urls: fetch image URLs that resolve to loopback/private/link-local hosts.
        fast_images: allow the reduced-scale JPEG fast path (see :mod:`shelfcheck.analysis.images`).
    """

    run: RunContext
    jobs: int | None = None
    chunk_size: int = 256
    cache: ImageCache | None = None
    allow_private_urls: bool = False
    fast_images: bool = True
    _first_row: dict[str, int] = field(default_factory=dict, init=False)
    _known: dict[Path, dict[str, ImageInfo]] = field(default_factory=dict, init=False, repr=False)
    _known_count: int = field(default=0, init=False, repr=False)
    _family_memo: dict[tuple[Any, ...], tuple[list[Finding], Any]] = field(default_factory=dict, init=False,
                                                                          repr=False)
    _pool: ProcessPoolExecutor | None = field(default=None, init=False, repr=False)
    _rules_pool: RuleWorkers | None = field(default=None, init=False, repr=False)
    _cache: ImageCache | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.run.policy.rules) - set(RULES))
        if unknown:
            raise PolicyError(f"policy {self.run.policy.name}: rules: unknown finding code(s) {', '.join(unknown)}")
        self._listing_rules = [a for a in self._active("listing")
                               if RUN_GATES.get(a.rule.family, _always)(self.run)]
        self._shop_rules = self._active("shop")
        self._families = _by_family(self._listing_rules)
        images = self.run.policy.images
        wb = images.white_background
        self._white = WhiteParams.of(wb, fast=self.fast_images)
        self._max_bytes = images.max_bytes
        if self.jobs is None:
            self.jobs = os.cpu_count() or 1
        self._cache = self.cache
        self._fork = "fork" in multiprocessing.get_all_start_methods()

    def _active(self, scope: str) -> list[_Active]:
        active = []
        for code, rule in RULES.items():
            if rule.scope != scope:
                continue
            setting = self.run.policy.rules.get(code)
            if setting is not None and not setting.enabled:
                continue
            severity = rule.severity
            if setting is not None and setting.severity is not None:
                severity = Severity.parse(setting.severity)
            active.append(_Active(rule, severity))
        return active

    # Shop ----------------------------------------------------------------------------------
    def check_shop(self) -> list[Finding]:
        """Findings about the shop and its channel (empty when no shop profile was given)."""
        if self.run.shop is None:
            return []
        ctx = ShopContext(self.run, self.run.shop)
        return self._family_findings(ctx, self._shop_rules)

    # Listings ------------------------------------------------------------------------------
    def check_listings(self, listings: Iterable[Listing]) -> Iterator[ListingResult]:
        """Yield one result per listing, in input order, in this process."""
        try:
            for chunk in _chunks(listings, self.chunk_size):
                for listing, images, first in self._prepare(chunk):
                    yield self._run_rules(listing, images, first)
        finally:
            self.close()

    def check_source(self, source: CatalogSource) -> Iterator[ListingResult]:
        """Every listing of a catalogue, in file order (see :meth:`Preflight.results`).

        Small catalogues, and every catalogue with ``jobs=1``, stay in this process. For large
        ones this process reads the records, notes duplicate SKUs and analyses the images;
        ``jobs - 1`` workers build the listings from the raw records and run the rules, and this
        process checks a chunk itself whenever each worker has its share in hand.
        """
        for item in self._stream(source, None):
            yield from item

    def render_source(self, source: CatalogSource, render: Render) -> Iterator[RenderedBatch]:
        """Like :meth:`check_source`, each listing rendered by ``render`` where its rules ran.

        ``render`` (a picklable function) turns a result into a reporter's text; batches of
        consecutive listings come back with their counts, in file order.
        """
        return self._stream(source, render)

    def _stream(self, source: CatalogSource, render: Render | None) -> Iterator[Any]:
        """Chunks of results (``render`` is ``None``) or of rendered batches, in file order.

        With several processes, this one reads every chunk and checks a chunk itself whenever
        the workers have enough in hand; so ``jobs`` processes share the work and none waits.
        """
        try:
            if (self.jobs or 1) <= 1 or not self._fork:
                for chunk in _chunks(source.listings(), self.chunk_size):
                    yield self._check_here(chunk, render)
                return
            pending: deque[tuple[int | None, Any]] = deque()  # (worker's chunk number, or None and the outcome)
            workers: RuleWorkers | None = None
            for number, chunk in enumerate(_chunks(source.rows(), self.chunk_size)):
                if workers is None and number >= _PARALLEL_RULES_FROM_CHUNK:
                    workers = self._rule_workers(source)
                if workers is None or workers.busy():
                    pending.append((None, self._check_here([source.make_listing(*r) for r in chunk], render)))
                else:
                    rows, images = self._prepare_rows(chunk, source)
                    pending.append((workers.submit(rows, images, render), None))
                while pending and (pending[0][0] is None or workers is not None and workers.ready(pending[0][0])):
                    yield _take(pending.popleft(), workers)
                while workers is not None and len(pending) > workers.capacity:
                    yield _take(pending.popleft(), workers)
            while pending:
                yield _take(pending.popleft(), workers)
        finally:
            self.close()

    def _check_here(self, chunk: list[Listing], render: Render | None) -> Any:
        """The outcome of one chunk of listings, checked in this process."""
        return finish_chunk([self._run_rules(*p) for p in self._prepare(chunk)], render)

    def check_listing(self, listing: Listing, images: Mapping[str, ImageInfo]) -> ListingResult:
        """Run every listing rule over one listing whose images are already analysed."""
        return self._run_rules(listing, dict(images), self._note_sku(listing))

    def close(self) -> None:
        """Stop the worker processes and close the cache."""
        if self._rules_pool is not None:
            self._rules_pool.close()
            self._rules_pool = None
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def _note_sku(self, listing: Listing) -> int | None:
        sku = listing.seller_sku
        if not sku:
            return None
        first = self._first_row.get(sku)
        if first is None:
            self._first_row[sku] = listing.row
        return first

    def _prepare(self, chunk: list[Listing]) -> list[Prepared]:
        """Note duplicate SKUs and analyse the chunk's images, in the parent process.

        Each distinct image reference is resolved and analysed once per run: a run-wide memo
        (bounded) keeps the images that many listings share.
        """
        by_base: dict[Path, set[str]] = {}
        for listing in chunk:
            by_base.setdefault(listing.base_dir, set()).update(listing.main_images)
        known = {base: self._known_images(base, refs) for base, refs in by_base.items()}
        note = self._note_sku  # rules look up their own refs in the memo of their folder
        return [(listing, known[listing.base_dir], note(listing)) for listing in chunk]

    def _prepare_rows(self, chunk: list[tuple[int, list[str]]], source: CatalogSource,
                      ) -> tuple[list[tuple[int, list[str], int | None]], dict[str, ImageInfo]]:
        """Like :meth:`_prepare`, from raw records: ``(row, cells, first row of the SKU)`` each,
        and the analysis of every image reference the chunk names."""
        sku_at = source.index["seller_sku"]
        images_at = source.index.get("main_images")
        first_row = self._first_row
        rows = []
        cells_of_images: set[str] = set()
        for row, cells in chunk:
            sku = cells[sku_at].strip()
            first = None
            if sku:
                first = first_row.get(sku)
                if first is None:
                    first_row[sku] = row
            rows.append((row, cells, first))
            if images_at is not None:
                cells_of_images.add(cells[images_at])
        refs: set[str] = set()
        for text in cells_of_images:  # variants of one product often name the same images
            refs.update(split_list(text))
        infos = self._known_images(source.base_dir, refs)
        return rows, {ref: infos[ref] for ref in refs}

    def _known_images(self, base: Path, refs: set[str]) -> dict[str, ImageInfo]:
        """The run-wide memo of analysed references under ``base``, ``refs`` among them."""
        known = self._known.setdefault(base, {})
        todo = [ref for ref in refs if ref not in known]
        if todo:
            if self._known_count + len(todo) > _MEMO_IMAGES:  # rarely: more distinct images than this
                self._known.clear()
                self._known_count = 0
                known = self._known[base] = {}
                todo = list(refs)
            self._known_count += len(todo)
            known.update(self._analyse({ref: resolve_image_ref(base, ref) for ref in todo}))
        return known

    def _run_rules(self, listing: Listing, images: Mapping[str, ImageInfo], first: int | None) -> ListingResult:
        ctx = ListingContext(self.run, listing, images, first)
        findings: list[Finding] = []
        values = listing.values
        memo = self._family_memo
        for family, applies, actives, fields, by_images in self._families:
            if fields is None:
                if applies is None or applies(ctx):
                    findings.extend(self._family_findings(ctx, actives))
                continue
            key: tuple[Any, ...] = (family, *map(values.get, fields))
            if by_images:  # the analyses themselves (of the files the refs resolve to, wherever the
                # catalogue is): the memo entry keeps them, so their ids stay theirs
                analyses = tuple(map(images.get, listing.main_images))
                key += tuple(map(id, analyses))
            entry = memo.get(key)
            if entry is None:
                if len(memo) >= _MEMO_FAMILIES:
                    memo.clear()
                hits = self._family_findings(ctx, actives) if applies is None or applies(ctx) else []
                entry = memo[key] = (hits, analyses if by_images else None)
            if entry[0]:
                findings.extend(entry[0])  # the same (frozen) findings for the same values
        match = ctx.category
        category = match.path if match else listing.get("category")
        return ListingResult(listing.row, listing.seller_sku, findings, category)

    @staticmethod
    def _family_findings(ctx: ListingContext | ShopContext, actives: list[_Active]) -> list[Finding]:
        return [Finding(active.rule.code, active.severity, hit.field, dict(hit.evidence), dict(hit.ctx))
                for active in actives for hit in active.rule.check(ctx)]

    # Images --------------------------------------------------------------------------------
    def _analyse(self, targets: Mapping[str, tuple[str | None, str | None]]) -> dict[str, ImageInfo]:
        """Analyse each reference's target once: from the cache, by fetching, or by decoding."""
        results: dict[str, ImageInfo] = {}
        local: dict[str, list[str]] = {}
        remote: dict[str, list[str]] = {}
        for key, (target, reason) in targets.items():
            if target is None:
                results[key] = ImageInfo(ref=key, reason=reason)
            elif target.lower().startswith(_REMOTE):
                remote.setdefault(target, []).append(key)
            else:
                local.setdefault(target, []).append(key)
        params = self._white.key()
        done: dict[str, ImageInfo] = {}
        to_decode = []
        for path in local:
            hit = self._cache.lookup(path, params) if self._cache is not None else None
            if hit is not None:
                done[path] = hit
            else:
                to_decode.append(path)
        fresh = list(self._map_images(to_decode))
        done.update(zip(to_decode, fresh))
        if remote:
            done.update(self._fetch(list(remote), params, fresh))
        if self._cache is not None:
            self._cache.store(fresh, params)
        for target, keys in {**local, **remote}.items():
            for key in keys:
                results[key] = done[target]  # rules read the reference from the listing itself
        return results

    def _map_images(self, paths: list[str]) -> Iterable[ImageInfo]:
        white = self._white
        if (self.jobs or 1) <= 1 or len(paths) < _PARALLEL_IMAGES:
            return [analyse_image(p, p, white) for p in paths]
        chunksize = max(1, len(paths) // ((self.jobs or 1) * 4))
        return self._workers().map(analyse_image, paths, paths, [white] * len(paths), chunksize=chunksize)

    def _fetch(self, urls: list[str], params: str, fresh: list[ImageInfo]) -> dict[str, ImageInfo]:
        from shelfcheck.analysis.fetch import fetch_all
        from shelfcheck.ingest.limits import limits

        lim = limits()
        fetched = fetch_all(urls, allow_private=self.allow_private_urls, max_bytes=self._max_bytes,
                            deadline=lim.image_fetch_seconds, run_deadline=lim.fetch_run_seconds)
        out: dict[str, ImageInfo] = {}
        for url, got in fetched.items():
            if got.too_large:
                out[url] = ImageInfo(ref=url, path=url, found=True, size_bytes=got.size,
                                     extra={"download_stopped_at": got.size} if got.stopped else {})
            elif got.data is None:
                extra: dict[str, Any] = {"status": got.status} if got.status else {}
                if got.detail:
                    extra["error"] = got.detail
                out[url] = ImageInfo(ref=url, path=url, reason=got.reason, extra=extra)
            else:
                digest = hashlib.sha256(got.data).hexdigest()
                cached = self._cache.lookup_content(digest, params) if self._cache is not None else None
                if cached is None:
                    cached = _analyse_remote(url, got.data, self._white)
                    fresh.append(cached)
                out[url] = cached
        return out

    def _workers(self) -> ProcessPoolExecutor:
        """Processes that analyse images (started on first need)."""
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork" if self._fork else "spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        return self._pool

    def _rule_workers(self, source: CatalogSource) -> RuleWorkers:
        """Processes that run the rules of large catalogues (started on first need)."""
        if self._rules_pool is None:
            self._rules_pool = RuleWorkers(self, source, max(1, (self.jobs or 1) - 1))  # and this one
        return self._rules_pool


def _take(entry: tuple[int | None, Any], workers: RuleWorkers | None) -> Any:
    """The outcome of a pending chunk: checked here already, or collected from its worker."""
    number, outcome = entry
    return outcome if number is None or workers is None else workers.collect(number)


def _always(_: Any) -> bool:
    return True


def _by_family(actives: list[_Active]) -> list[tuple[str, Any, list[_Active], Any, bool]]:
    """Consecutive rules of one family, with the family's gate (``None``: no gate), the fields
    its findings are memoised by (``None``: not memoised) and whether they depend on images."""
    groups: list[tuple[str, Any, list[_Active], Any, bool]] = []
    for active in actives:
        family = active.rule.family
        if groups and groups[-1][0] == family:
            groups[-1][2].append(active)
        else:
            groups.append((family, GATES.get(family), [active], MEMO_FIELDS.get(family), family in MEMO_IMAGES))
    return groups


def _chunks(items: Iterable[Listing], size: int) -> Iterator[list[Listing]]:
    chunk: list[Listing] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
