"""Image preparation: every image reference a chunk of listings names, resolved and analysed once.

Each distinct reference is resolved (:func:`shelfcheck.analysis.refs.resolve_image_ref`) and
analysed once per run: from the persistent analysis cache when the file is unchanged, by
fetching a URL (concurrently), or by decoding the file — across processes when there are many.
A run-wide memo (bounded) keeps the analyses that many listings share; each analysis gets a key
when it is made (:class:`~shelfcheck.rules.context.Images`), which the memos downstream use.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelfcheck.analysis.cache import ImageCache
from shelfcheck.analysis.images import ImageInfo, WhiteParams, analyse_bytes, analyse_image
from shelfcheck.analysis.refs import is_remote, resolve_image_ref
from shelfcheck.model import Listing
from shelfcheck.policy import Policy
from shelfcheck.rules.context import Images

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor  # loaded when images need processes

__all__ = ["ImagePrep"]

# Below this many images a chunk is analysed in-process: starting workers would cost more.
PARALLEL_IMAGES = 8
# Analysed image references remembered across chunks of one run.
MEMO_IMAGES = 50_000


class ImagePrep:
    """Resolves, looks up, fetches and analyses the images of a run.

    Args:
        policy: the run's policy (the white-background parameters, the size cap of a fetch).
        jobs: processes that may decode images (1 keeps it in this process).
        cache: the persistent analysis cache, or ``None`` to analyse every image afresh.
        allow_private_urls: fetch URLs that resolve to loopback/private/link-local hosts.
    """

    def __init__(self, policy: Policy, *, jobs: int, cache: ImageCache | None,
                 allow_private_urls: bool = False) -> None:
        self.jobs = jobs
        self.white = WhiteParams.of(policy.images.white_background)
        self.max_bytes = policy.images.max_bytes
        self.allow_private_urls = allow_private_urls
        self.fork = "fork" in multiprocessing.get_all_start_methods()
        self._cache = cache
        self._known: dict[Path, Images] = {}
        self._known_count = 0
        self._pool: ProcessPoolExecutor | None = None

    def for_listings(self, listings: list[Listing]) -> dict[Path, Images]:
        """The analyses of every image the listings name, by the folder they are relative to."""
        by_base: dict[Path, set[str]] = {}
        for listing in listings:
            by_base.setdefault(listing.base_dir, set()).update(listing.main_images)
        return {base: self.known(base, refs) for base, refs in by_base.items()}

    def known(self, base: Path, refs: Iterable[str]) -> Images:
        """The run-wide memo of analysed references under ``base``, ``refs`` among them."""
        known = self._known.get(base)
        if known is None:
            known = self._known[base] = Images()
        todo = [ref for ref in refs if ref not in known]
        if todo:
            if self._known_count + len(todo) > MEMO_IMAGES:  # rarely: more distinct images than this
                self._known.clear()
                self._known_count = 0
                known = self._known[base] = Images()
                todo = list(set(refs))
            self._known_count += len(todo)
            for ref, info in self._analyse({ref: resolve_image_ref(base, ref) for ref in todo}).items():
                known.add(ref, info)
        return known

    def close(self) -> None:
        """Stop the decoding processes and close the cache."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def _analyse(self, targets: Mapping[str, tuple[str | None, str | None]]) -> dict[str, ImageInfo]:
        """Analyse each reference's target once: from the cache, by fetching, or by decoding."""
        results: dict[str, ImageInfo] = {}
        local: dict[str, list[str]] = {}
        remote: dict[str, list[str]] = {}
        for key, (target, reason) in targets.items():
            if target is None:
                results[key] = ImageInfo(ref=key, reason=reason)
            elif is_remote(target):
                remote.setdefault(target, []).append(key)
            else:
                local.setdefault(target, []).append(key)
        params = self.white.key()
        done = self._cache.lookup_many(list(local), params) if self._cache is not None else {}
        to_decode = [path for path in local if path not in done]
        fresh = list(self._decode(to_decode))
        done.update(zip(to_decode, fresh))
        if remote:
            done.update(self._fetch(list(remote), params, fresh))
        if self._cache is not None:
            self._cache.store(fresh, params)
        for target, keys in {**local, **remote}.items():
            for key in keys:
                results[key] = done[target]  # rules read the reference from the listing itself
        return results

    def _decode(self, paths: list[str]) -> Iterable[ImageInfo]:
        white = self.white
        if self.jobs <= 1 or len(paths) < PARALLEL_IMAGES:
            return [analyse_image(p, p, white) for p in paths]
        chunksize = max(1, len(paths) // (self.jobs * 4))
        return self._processes().map(analyse_image, paths, paths, [white] * len(paths), chunksize=chunksize)

    def _fetch(self, urls: list[str], params: str, fresh: list[ImageInfo]) -> dict[str, ImageInfo]:
        from shelfcheck.analysis.fetch import fetch_all
        from shelfcheck.ingest.limits import limits

        lim = limits()
        fetched = fetch_all(urls, allow_private=self.allow_private_urls, max_bytes=self.max_bytes,
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
                    cached = analyse_bytes(got.data, ImageInfo(ref=url, path=url, found=True), self.white)
                    fresh.append(cached)
                out[url] = cached
        return out

    def _processes(self) -> ProcessPoolExecutor:
        """Processes that decode images (started on first need)."""
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork" if self.fork else "spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        return self._pool
