"""The engine: runs every enabled rule over the shop and each listing and collects findings.

Listings stream through in chunks. For each chunk the engine gathers the images its listings
name, analyses each file once (in parallel across processes when there are many), then runs the
rules. Rules never stop the run: every finding of every listing is collected.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfcheck.analysis.images import ImageInfo, WhiteParams, analyse_image
from shelfcheck.errors import PolicyError
from shelfcheck.findings import Finding, Hit, ListingResult, Severity
from shelfcheck.model import Listing
from shelfcheck.rules import RULES, Rule
from shelfcheck.rules.context import ListingContext, RunContext, ShopContext

__all__ = ["Engine", "resolve_image_ref"]

_REMOTE = ("http://", "https://")


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


@dataclass
class Engine:
    """Runs the rules of one policy over listings.

    Args:
        run: the shared run context (policy, as-of day, documents, shop, inventory, datasets).
        jobs: processes for image analysis (default: the number of cores).
        chunk_size: listings per chunk; bounds memory for any catalogue size.
    """

    run: RunContext
    jobs: int | None = None
    chunk_size: int = 256
    _first_row: dict[str, int] = field(default_factory=dict, init=False)
    _pool: Executor | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.run.policy.rules) - set(RULES))
        if unknown:
            raise PolicyError(f"policy {self.run.policy.name}: rules: unknown finding code(s) {', '.join(unknown)}")
        self._listing_rules = self._active("listing")
        self._shop_rules = self._active("shop")
        wb = self.run.policy.images.white_background
        self._white = WhiteParams(wb.band, wb.min_channel, wb.max_chroma)
        if self.jobs is None:
            self.jobs = os.cpu_count() or 1

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
        return [f for a in self._shop_rules for f in self._findings(a, a.rule.check(ctx))]

    # Listings ------------------------------------------------------------------------------
    def check_listings(self, listings: Iterable[Listing]) -> Iterator[ListingResult]:
        """Yield one result per listing, in input order."""
        chunk: list[Listing] = []
        try:
            for listing in listings:
                chunk.append(listing)
                if len(chunk) >= self.chunk_size:
                    yield from self._check_chunk(chunk)
                    chunk = []
            if chunk:
                yield from self._check_chunk(chunk)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _check_chunk(self, chunk: list[Listing]) -> Iterator[ListingResult]:
        refs: dict[tuple[Path, str], tuple[str | None, str | None]] = {}
        for listing in chunk:
            for ref in listing.main_images:
                refs.setdefault((listing.base_dir, ref), resolve_image_ref(listing.base_dir, ref))
        infos = self._analyse({key: target for key, target in refs.items()})
        for listing in chunk:
            images = {ref: infos[(listing.base_dir, ref)] for ref in listing.main_images}
            yield self.check_listing(listing, images)

    def check_listing(self, listing: Listing, images: Mapping[str, ImageInfo]) -> ListingResult:
        """Run every listing rule over one listing whose images are already analysed."""
        sku = listing.seller_sku
        first = None
        if sku:
            first = self._first_row.get(sku)
            if first is None:
                self._first_row[sku] = listing.row
        ctx = ListingContext(self.run, listing, images, first)
        findings = []
        for active in self._listing_rules:
            for hit in active.rule.check(ctx):
                findings.append(Finding(active.rule.code, active.severity, hit.field,
                                        dict(hit.evidence), dict(hit.ctx)))
        category = ctx.category.path if ctx.category else listing.get("category")
        return ListingResult(listing.row, sku, findings, category)

    def _findings(self, active: _Active, hits: Iterator[Hit]) -> Iterator[Finding]:
        for hit in hits:
            yield Finding(active.rule.code, active.severity, hit.field, dict(hit.evidence), dict(hit.ctx))

    # Images --------------------------------------------------------------------------------
    def _analyse(self, targets: Mapping[Any, tuple[str | None, str | None]]) -> dict[Any, ImageInfo]:
        results: dict[Any, ImageInfo] = {}
        by_path: dict[str, list[Any]] = {}
        for key, (target, reason) in targets.items():
            ref = key[1]
            if target is None:
                results[key] = ImageInfo(ref=ref, reason=reason)
            elif target.lower().startswith(_REMOTE):
                results[key] = ImageInfo(ref=ref, path=target, reason="image_remote_not_fetched")
            else:
                by_path.setdefault(target, []).append(key)
        paths = list(by_path)
        for path, info in zip(paths, self._map_images(paths)):
            for key in by_path[path]:
                results[key] = info if info.ref == key[1] else _with_ref(info, key[1])
        return results

    def _map_images(self, paths: list[str]) -> Iterable[ImageInfo]:
        white = self._white
        if (self.jobs or 1) <= 1 or len(paths) < 8:
            return [analyse_image(p, p, white) for p in paths]
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        chunksize = max(1, len(paths) // ((self.jobs or 1) * 4))
        return self._pool.map(analyse_image, paths, paths, [white] * len(paths), chunksize=chunksize)


def _with_ref(info: ImageInfo, ref: str) -> ImageInfo:
    copy = ImageInfo(**{k: getattr(info, k) for k in info.__slots__})  # type: ignore[attr-defined]
    copy.ref = ref
    return copy


def today() -> dt.date:
    """The as-of day when none is given: today, in local time."""
    return dt.date.today()
