"""Safe publishing: preflight first, never a locked SKU, every attempt in the ledger, no duplicates.

For each catalogue row, in order:

1. **Preflight** with the same engine as ``check``. A row with an error-level finding is skipped
   (``preflight_failed``) unless ``force`` — and even then a SKU the ledger shows **locked** is
   never sent (``sku_locked``), nor a payload identical to one that already failed
   (``resubmit_unchanged``): the platform would answer the same and count another failure.
2. **Known products** are not created twice: the ledger remembers seller SKU → product id; when
   it does not (a run killed between "create" and "record"), the platform is searched by seller
   SKU first and a product found there is adopted. An unchanged product is ``already_published``;
   a changed one that failed its audit is resubmitted with Edit Product.
3. Images are uploaded, the body is checked with ``listing_check`` (skipped under ``force``), then
   the product is created with an ``idempotency_key`` (so a retried create cannot duplicate it),
   and read back: ``FAILED`` with audit reasons is a failure, anything else is published.
4. Every submission is recorded in the ledger at the real time (with a dedupe key, so a resumed
   run never records one twice), with the content hash and the platform's ``request_id``.

Shop-wide problems stop everything before the first call: shop findings at error level
(``shop_preflight_failed``, unless ``force``) and failed listing prerequisites (``shop_not_ready``).
Errors that would hit every SKU the same way (signature, clock, token, scope, configuration)
stop the run; the rest of the rows are skipped with ``api_<kind>`` and the error is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfcheck.engine import resolve_image_ref
from shelfcheck.findings import ListingResult, Severity
from shelfcheck.ledger import LockRule, listing_content_hash
from shelfcheck.model import Document, Listing
from shelfcheck.tiktok import records
from shelfcheck.tiktok.client import ApiClient
from shelfcheck.tiktok.errors import ApiError, Kind
from shelfcheck.tiktok.payload import CERTIFICATION_NAMES, build_product_body

__all__ = ["Outcome", "PublishSummary", "publish"]

log = logging.getLogger("shelfcheck.publish")

# Errors that would hit every SKU the same way: stop instead of burning attempts.
_FATAL = {Kind.SIGNATURE, Kind.CLOCK, Kind.AUTH_EXPIRED, Kind.REAUTHORIZE, Kind.SCOPE, Kind.CONFIG}
_CODE_IN_TEXT = re.compile(r"\((\d{5,9})\)")


@dataclass
class Outcome:
    """What happened to one row (``kind`` is ``published``, ``skipped`` or ``failed``)."""

    kind: str
    seller_sku: str
    row: int
    product_id: str | None = None
    reason: str | None = None
    codes: list[str] = field(default_factory=list)
    detail: str = ""


@dataclass
class PublishSummary:
    """The run's outcome; :meth:`to_json` is the contract's JSON (§8), exactly."""

    outcomes: list[Outcome] = field(default_factory=list)
    error: ApiError | None = None

    def add(self, outcome: Outcome) -> Outcome:
        self.outcomes.append(outcome)
        return outcome

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "published": [{"seller_sku": o.seller_sku, "product_id": o.product_id} for o in self.of("published")],
            "skipped": [{"seller_sku": o.seller_sku, "reason": o.reason} for o in self.of("skipped")],
            "failed": [{"seller_sku": o.seller_sku, "codes": list(o.codes)} for o in self.of("failed")],
        }

    @property
    def exit_code(self) -> int:
        return 1 if self.of("failed") or self.error is not None else 0


class _Platform:
    """Per-run caches of what the platform tells about categories, attributes and rules."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self._paths: dict[str, tuple[str, bool]] | None = None
        self._attributes: dict[str, dict[str, str]] = {}
        self._certs: dict[str, dict[str, str]] = {}
        self._uris: dict[str, str] = {}

    def category(self, path: str) -> tuple[str | None, str]:
        """``(leaf id, "")`` or ``(None, reason)`` for a canonical category path."""
        if self._paths is None:
            cats = self.client.get_categories().categories
            by_id = {c.id: c for c in cats}
            self._paths = {}
            for c in cats:
                names, node, hops = [], c, 0
                while node is not None and hops < 20:
                    names.append(node.local_name)
                    node, hops = by_id.get(node.parent_id), hops + 1
                self._paths[" > ".join(reversed(names)).casefold()] = (c.id, c.is_leaf)
        found = self._paths.get(path.casefold())
        if found is None:
            return None, "category_not_on_platform"
        if not found[1]:
            return None, "category_not_leaf"
        return found[0], ""

    def attribute_ids(self, category_id: str) -> dict[str, str]:
        if category_id not in self._attributes:
            attrs = self.client.get_attributes(category_id).attributes
            self._attributes[category_id] = {a.name: a.id for a in attrs}
        return self._attributes[category_id]

    def certification_ids(self, category_id: str) -> dict[str, str]:
        if category_id not in self._certs:
            rules = self.client.get_category_rules(category_id)
            self._certs[category_id] = {c.name: c.id for c in rules.product_certifications}
        return self._certs[category_id]

    def upload(self, path: Path, digest: str) -> str:
        if digest not in self._uris:
            self._uris[digest] = self.client.upload_image(path.read_bytes(), use_case="MAIN_IMAGE",
                                                          filename=path.name).uri
        return self._uris[digest]


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _images(listing: Listing) -> list[tuple[str, Path | None, str | None]]:
    out = []
    for ref in listing.main_images:
        target, _reason = resolve_image_ref(listing.base_dir, ref)
        if target is None or target.lower().startswith(("http://", "https://")):
            out.append((ref, None, None))
            continue
        path = Path(target)
        out.append((ref, path, _sha256(path)))
    return out


def _documents(docs: list[Document] | None, listing: Listing) -> list[Document]:
    usable = []
    for doc in docs or []:
        if doc.applies(listing.seller_sku, listing.get("model_number")) and doc.status == "Verified" \
                and doc.type in CERTIFICATION_NAMES and not doc.problems:
            usable.append(doc)
    return usable


def _audit_codes(product: Any) -> list[str]:
    codes: list[str] = []
    for reason in product.audit_failed_reasons:
        for text in reason.reasons or [reason.position]:
            found = _CODE_IN_TEXT.findall(text)
            codes.extend(found or [text])
    return codes or [product.status]


def publish(
    catalog: str | Path,
    *,
    client: ApiClient | None,
    ledger: Any,
    documents: str | Path | None = None,
    shop: str | Path | None = None,
    policy: Any = None,
    force: bool = False,
    dry_run: bool = False,
    jobs: int | None = 1,
    on_outcome: Callable[[Outcome], None] | None = None,
    columns: str | Path | None = None,
) -> PublishSummary:
    """Publish a catalogue (see the module docstring). ``client`` may be ``None`` for a dry run.

    Raises:
        InputError: an input file cannot be read (nothing was sent).
    """
    from shelfcheck.api import prepare

    run = prepare(catalog, documents=documents, shop=shop, policy=policy, jobs=jobs, columns=columns)
    lock_rule = LockRule.from_policy(run.run.policy)
    summary = PublishSummary()

    def emit(outcome: Outcome) -> None:
        summary.add(outcome)
        log.info("%s %s %s", outcome.kind, outcome.seller_sku, outcome.reason or outcome.product_id or outcome.codes)
        if on_outcome is not None:
            on_outcome(outcome)

    listings = list(run.source.listings())
    rows: Iterator[tuple[ListingResult, Listing]] = zip(run.engine.check_listings(listings), listings)
    stop_reason: str | None = None
    shop_errors = [f for f in run.shop_findings if f.severity is Severity.ERROR]
    if shop_errors and not force:
        stop_reason = "shop_preflight_failed"
    platform = _Platform(client) if client is not None else None
    if stop_reason is None and not dry_run and client is not None:
        try:
            failed = client.get_prerequisites().failed
        except ApiError as exc:
            summary.error, stop_reason = exc, f"api_{exc.kind.value}"
        else:
            if failed:
                stop_reason = "shop_not_ready"
                summary.error = ApiError(None, "; ".join(f"{c.check_item}: {' '.join(c.fail_reasons)}"
                                                         for c in failed), kind=Kind.SELLER_ACTION)
    seen: set[str] = set()
    for result, listing in rows:
        sku = listing.seller_sku
        base = {"seller_sku": sku, "row": result.row}
        if stop_reason is not None:
            emit(Outcome("skipped", reason=stop_reason, **base))
            continue
        if not sku:
            emit(Outcome("skipped", reason="sku_missing", **base))
            continue
        if sku in seen:
            emit(Outcome("skipped", reason="duplicate_sku", **base))
            continue
        seen.add(sku)
        status = ledger.status(sku, rule=lock_rule)
        if status.locked:
            emit(Outcome("skipped", reason="sku_locked", detail=str(status.locked_until), **base))
            continue
        if result.status == "fail" and not force:
            emit(Outcome("skipped", reason="preflight_failed",
                         codes=sorted({f.code for f in result.findings if f.severity is Severity.ERROR}), **base))
            continue
        images = _images(listing)
        content_hash = listing_content_hash(listing, [d for _, _, d in images])
        try:
            outcome = _publish_one(listing, result, images, content_hash, client, platform, ledger, run,
                                   dry_run=dry_run, force=force)
        except ApiError as exc:
            if exc.kind in _FATAL:
                summary.error, stop_reason = exc, f"api_{exc.kind.value}"
                emit(Outcome("skipped", reason=stop_reason, detail=str(exc), **base))
                continue
            outcome = Outcome("failed", codes=[str(exc.code) if exc.code is not None else exc.kind.value],
                              detail=str(exc), **base)
        emit(outcome)
    return summary


def _publish_one(listing: Listing, result: ListingResult, images: list[tuple[str, Path | None, str | None]],
                 content_hash: str, client: ApiClient | None, platform: _Platform | None, ledger: Any, run: Any,
                 *, dry_run: bool, force: bool) -> Outcome:
    sku = listing.seller_sku
    base = {"seller_sku": sku, "row": result.row}
    previous = ledger.last_with_hash(sku, content_hash)
    if previous is not None and previous.outcome == "failed":
        return Outcome("skipped", reason="resubmit_unchanged", **base)
    known = records.known_product(ledger, sku)
    if known is None and listing.get("product_id"):
        known = records.remember_product(ledger, listing.get("product_id"), seller_sku=sku, source="catalog")
    if dry_run or client is None or platform is None:
        return Outcome("skipped", reason="dry_run", product_id=known.product_id if known else None, **base)
    if known is None:
        found = client.search_products(seller_skus=[sku]).products
        match = next((p for p in found if any(s.seller_sku == sku for s in p.skus)), None)
        if match is not None:  # created by a run that was interrupted before recording it
            known = records.remember_product(ledger, match.id, seller_sku=sku, status=match.status,
                                             audit_status=match.audit.status if match.audit else None,
                                             content_hash=content_hash, source="search")
            if match.status != "FAILED":
                ledger.record_attempt(sku, "passed", product_id=match.id, content_hash=content_hash,
                                      source="publish", dedupe_key=f"publish:{match.id}:{content_hash}")
    if known is not None:
        current = client.get_product(known.product_id)
        records.remember_product(ledger, known.product_id, status=current.status,
                                 audit_status=current.audit.status if current.audit else None)
        if known.content_hash == content_hash:
            # A run interrupted between creating the product and recording the attempt: record
            # it now (the same key as the uninterrupted path, so it is never stored twice).
            failed = current.status == "FAILED"
            ledger.record_attempt(sku, "failed" if failed else "passed",
                                  reasons=_audit_codes(current) if failed else [],
                                  product_id=known.product_id, content_hash=content_hash, source="publish",
                                  dedupe_key=f"publish:{known.product_id}:{content_hash}")
        if current.status != "FAILED" and (known.content_hash in (None, content_hash)):
            return Outcome("skipped", reason="already_published", product_id=known.product_id, **base)
        if current.status == "FAILED" and known.content_hash == content_hash:
            return Outcome("skipped", reason="resubmit_unchanged", product_id=known.product_id, **base)
        if current.status not in ("FAILED", "DRAFT"):
            return Outcome("skipped", reason="already_published", product_id=known.product_id, **base)
    category = run.run.tree.resolve(listing.get("category")) if listing.get("category") else None
    category_id, why = platform.category(category.path) if category else (None, "category_missing")
    if category_id is None:
        if not force:
            return Outcome("skipped", reason=why, **base)
        category_id = ""
    attribute_ids = platform.attribute_ids(category_id) if category_id else {}
    cert_ids = platform.certification_ids(category_id) if category_id else {}
    uris = []
    for ref, path, digest in images:
        if path is None or digest is None:
            if not force:
                return Outcome("skipped", reason="image_not_uploadable", detail=ref, **base)
            continue
        uris.append(platform.upload(path, digest))
    key = hashlib.sha256(f"{sku}\n{content_hash}".encode()).hexdigest()[:32]
    body = build_product_body(listing.values, category_id=category_id, image_uris=uris,
                              attribute_ids=attribute_ids, certification_ids=cert_ids,
                              documents=_documents(run.run.documents, listing), idempotency_key=key,
                              columns=listing.columns)
    if not force:
        check = client.check_listing(body)
        if not check.passed:
            return Outcome("failed", codes=[str(r.code) for r in check.fail_reasons] or [check.check_result],
                           detail="listing_check", **base)
    attempt_at = dt.datetime.now(dt.timezone.utc)
    try:
        if known is not None:
            created = client.edit_product(known.product_id, body)
        else:
            created = client.create_product(body)
    except ApiError as exc:
        if exc.kind in (Kind.VALIDATION, Kind.SELLER_ACTION, Kind.UNKNOWN):
            ledger.record_attempt(sku, "failed", reasons=[str(exc.code)], at=attempt_at, content_hash=content_hash,
                                  source="publish", request_id=exc.request_id or None,
                                  dedupe_key=f"publish:{exc.request_id}" if exc.request_id else None)
        raise
    product_id = created.product_id
    records.remember_product(ledger, product_id, seller_sku=sku, status="PENDING", audit_status="AUDITING",
                             reasons=[], content_hash=content_hash)
    product = client.get_product(product_id)
    failed = product.status == "FAILED"
    codes = _audit_codes(product) if failed else []
    records.remember_product(ledger, product_id, status=product.status,
                             audit_status=product.audit.status if product.audit else None, reasons=codes)
    ledger.record_attempt(sku, "failed" if failed else "passed", reasons=codes, at=attempt_at,
                          product_id=product_id, content_hash=content_hash, source="publish",
                          dedupe_key=f"publish:{product_id}:{content_hash}")
    if failed:
        return Outcome("failed", product_id=product_id, codes=codes, **base)
    return Outcome("published", product_id=product_id, **base)
