"""Safe publishing: preflight first, never a locked SKU, every attempt in the ledger, no duplicates.

**One Create Product per product, with all its SKUs.** Rows group into products by
``product_key`` (a row without one is a product of its own). A product's rows may lie anywhere
in the file, so the catalogue is read twice, in bounded memory: the first pass checks every row
(the same engine as ``check``) and keeps only small facts per row (row number, seller SKU,
product key, status and error codes) and the last row of each product; the second reads the rows
again and sends each product as soon as its last row is read, holding only the rows of products
not yet complete. Products are therefore sent in the order their last rows appear; a catalogue
that changed between the two readings stops the run with the row that differs (exit 2).
A product is sent whole or not at all: a SKU row that cannot be sent (no seller SKU, locked,
failed preflight) holds back its siblings (``product_incomplete``), and the product-level rules
(``variant_duplicate`` …) skip it as ``preflight_failed``. The body carries the brand id from Get
Brands (an unknown brand is ``brand_not_found``, never an empty brand), each SKU's sales
attributes resolved against Get Attributes, SKU images, prices, inventory in the warehouse Get
Warehouses gives, and certificate files uploaded as PDF (:mod:`shelfcheck.tiktok.certificates`).
Outcomes and ledger attempts stay per SKU; every SKU of a product gets the product's outcome.

For each product, in order:

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

**Verdicts** are read as the platform gives them: Check Product Listing's ``check_result`` and
``fail_reasons`` (each code mapped to our finding codes through the platform-code table, recorded
in the ledger with the platform's ``request_id`` as source ``listing_check``, which never counts
towards the repeat-failure lock), a refused create's code, and after the create Get Product's
audit status and ``audit_failed_reasons``.

**Upload quota**: the shop profile's probation tier (or ``daily_upload_limit``) sets how many
products may be created per UTC day; today's creates are counted from the ledger, and the run
stops before exceeding the limit (``daily_upload_limit`` for the remaining rows), saying how many
remain. The platform's own refusal (``12052093``) stops the run the same way.

**Dry run**: every request is built and validated — offline against the pack's Create Product
rules (:mod:`shelfcheck.tiktok.listing_rules`), and with a client through Check Product Listing
(images are uploaded for that; nothing is created) — and, with ``out``, written to a folder:
one ``NNN-<product_key or seller_sku>.json`` per product holding exactly the body, and
``index.json``.

Shop-wide problems stop everything before the first call: shop findings at error level
(``shop_preflight_failed``, unless ``force``) and failed listing prerequisites (``shop_not_ready``).
Errors that would hit every SKU the same way (signature, clock, token, scope, configuration)
stop the run; the rest of the rows are skipped with ``api_<kind>`` and the error is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shelfcheck.analysis.refs import resolve_image_ref
from shelfcheck.findings import Severity
from shelfcheck.ledger import LockRule, listing_content_hash
from shelfcheck.model import Document, Listing
from shelfcheck.tiktok import records
from shelfcheck.tiktok.client import ApiClient
from shelfcheck.tiktok.errors import ApiError, Kind
from shelfcheck.tiktok.listing_rules import Violation, check_body
from shelfcheck.tiktok.payload import CERTIFICATION_NAMES, build_product_body

__all__ = ["CREATE_PATH", "Outcome", "PublishSummary", "Quota", "publish", "quota_for", "verdict_findings"]

CREATE_PATH = "/product/202309/products"
QUOTA_CODE = 12052093  # "Exceeded the product listing limit for the seller."

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
    findings: list[str] = field(default_factory=list)  # our finding codes for ``codes``
    messages: list[str] = field(default_factory=list)  # the platform's messages, as given
    request_id: str = ""


@dataclass
class Quota:
    """The shop's daily upload limit: ``limit`` creates per UTC day, ``used`` so far today."""

    limit: int
    used: int
    tier: str | None = None

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def to_json(self) -> dict[str, Any]:
        return {"limit": self.limit, "used": self.used, "remaining": self.remaining, "tier": self.tier}


@dataclass
class PublishSummary:
    """The run's outcome; :meth:`to_json` is the contract's JSON (§8), exactly."""

    outcomes: list[Outcome] = field(default_factory=list)
    error: ApiError | None = None
    quota: Quota | None = None

    def add(self, outcome: Outcome) -> Outcome:
        self.outcomes.append(outcome)
        return outcome

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "published": [{"seller_sku": o.seller_sku, "product_id": o.product_id} for o in self.of("published")],
            "skipped": [{"seller_sku": o.seller_sku, "reason": o.reason} for o in self.of("skipped")],
            "failed": [{"seller_sku": o.seller_sku, "codes": list(o.codes), "findings": list(o.findings),
                        "request_id": o.request_id or None} for o in self.of("failed")],
        }
        if self.quota is not None:
            out["quota"] = self.quota.to_json()
        return out

    @property
    def exit_code(self) -> int:
        return 1 if self.of("failed") or self.error is not None else 0


class _Platform:
    """Per-run caches of what the platform tells about categories, attributes and rules."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self._paths: dict[str, tuple[str, bool]] | None = None
        self._attributes: dict[str, dict[str, str]] = {}
        self._certs: dict[str, dict[str, Any]] = {}
        self._raw_attributes: dict[str, list[dict[str, Any]]] = {}
        self._uris: dict[str, str] = {}
        self._brands: dict[tuple[str, str], tuple[str | None, str]] = {}
        self._warehouse: tuple[str | None, str] | None = None
        self._files: dict[str, dict[str, str]] = {}

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
        return {c["name"]: c["id"] for c in self.rules(category_id).get("product_certifications", [])}

    def rules(self, category_id: str) -> dict[str, Any]:
        """Get Category Rules' data, as plain JSON (for :func:`~shelfcheck.tiktok.listing_rules.check_body`)."""
        if category_id not in self._certs:
            self._certs[category_id] = self.client.get_category_rules(category_id).model_dump(by_alias=True)
        return self._certs[category_id]

    def attributes(self, category_id: str) -> list[dict[str, Any]]:
        """Get Attributes' ``attributes``, as plain JSON."""
        if category_id not in self._raw_attributes:
            attrs = self.client.get_attributes(category_id).attributes
            self._raw_attributes[category_id] = [a.model_dump(by_alias=True) for a in attrs]
        return self._raw_attributes[category_id]

    def upload(self, path: Path, digest: str, use_case: str = "MAIN_IMAGE") -> str:
        """The image's URI, uploaded once per content hash in a run (a SKU image that is also
        a main image is not sent twice). A size chart is its own upload (``SIZE_CHART_IMAGE``):
        the platform squares main and attribute images outside 3:4–4:3, never a size chart."""
        key = digest if use_case in ("MAIN_IMAGE", "ATTRIBUTE_IMAGE") else f"{use_case}:{digest}"
        if key not in self._uris:
            self._uris[key] = self.client.upload_image(path.read_bytes(), use_case=use_case,
                                                       filename=path.name).uri
        return self._uris[key]

    def brand(self, category_id: str, name: str) -> tuple[str | None, str]:
        """``(brand id, "")`` from Get Brands for the category, matched by name as the rules
        compare names; or ``(None, "brand_not_found" | "brand_unavailable")``."""
        from shelfcheck.rules.category_rules import attribute_key

        key = (category_id, attribute_key(name))
        if key not in self._brands:
            found = self.client.get_brands(category_id=category_id or None, brand_name=name).brands
            match = next((b for b in found if attribute_key(b.name) == key[1]), None)
            if match is None:
                self._brands[key] = (None, "brand_not_found")
            elif match.brand_status not in ("", "AVAILABLE") or match.authorized_status not in ("", "AUTHORIZED"):
                self._brands[key] = (None, "brand_unavailable")
            else:
                self._brands[key] = (match.id, "")
        return self._brands[key]

    def warehouse(self, region: str | None) -> tuple[str | None, str]:
        """The sales warehouse SKU inventory is put in (Get Warehouses): an enabled sales
        warehouse in the shop profile's ``warehouse`` region, the default one first; else the
        default sales warehouse; ``(None, "warehouse_missing")`` when the shop has none."""
        if self._warehouse is None:
            houses = [w for w in self.client.get_warehouses().warehouses
                      if w.type in ("", "SALES_WAREHOUSE") and w.effect_status in ("", "ENABLED")]
            here = [w for w in houses if region and w.region_code.upper() == region.upper()]
            ranked = sorted(here, key=lambda w: not w.is_default) or sorted(houses, key=lambda w: not w.is_default)
            self._warehouse = (ranked[0].id, "") if ranked else (None, "warehouse_missing")
        return self._warehouse

    def upload_certificate(self, name: str, content: bytes) -> dict[str, str]:
        """``{id, name, format}`` of the uploaded PDF, once per content hash in a run."""
        digest = hashlib.sha256(content).hexdigest()
        if digest not in self._files:
            uploaded = self.client.upload_file(content, name=name)
            self._files[digest] = {"id": uploaded.id, "name": uploaded.name or name,
                                   "format": (uploaded.format or "PDF").upper()}
        return self._files[digest]


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


def _audit_messages(product: Any) -> list[str]:
    return [text for reason in product.audit_failed_reasons for text in (reason.reasons or [reason.position])]


def verdict_findings(codes: list[str], policy: Any = None) -> list[str]:
    """Our finding codes for the platform's ``codes`` (from the platform-code table), in order,
    each once; a code the table does not link to a finding adds none."""
    from shelfcheck.diagnose.platform_errors import explain_platform_code

    out: list[str] = []
    for code in codes:
        info = explain_platform_code(code, policy=policy) if code.isdigit() else None
        for finding in info.findings if info is not None else ():
            if finding not in out:
                out.append(finding)
    return out


def quota_for(shop: Any, policy: Any, ledger: Any, now: dt.datetime | None = None) -> Quota | None:
    """The shop's daily upload quota with today's (UTC) creates counted from the ledger; ``None``
    when the shop profile sets no tier and no limit, or the tier has no limit."""
    if shop is None:
        return None
    tier = getattr(shop, "upload_tier", None)
    limit = getattr(shop, "daily_upload_limit", None)
    if limit is None and tier is not None:
        limit = policy.upload_quota.tiers.get(tier)
    if limit is None:
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    midnight = dt.datetime.combine(now.date(), dt.time(0), tzinfo=dt.timezone.utc)
    return Quota(limit=int(limit), used=ledger.products_first_recorded_since(midnight), tier=tier)


def _send_values(listing: Listing) -> dict[str, Any]:
    """The row's values as the body is built from them: the quantity as the whole number and the
    price as the plain amount they were read as (``ingest.values.typed``, the parse the rules
    read: ``1,200`` is sent as 1200, ``$12.99`` as ``12.99``); the package is read by
    :func:`~shelfcheck.tiktok.payload.build_package` with the headers' units."""
    from shelfcheck.ingest.values import typed

    values: dict[str, Any] = dict(listing.values)
    quantity = typed(listing, "quantity").value
    if quantity is not None:
        values["quantity"] = quantity
    for name in ("price", "list_price", "sale_price"):
        amount = typed(listing, name).value
        if amount is not None:
            values[name] = format(amount, "f")
    return values


def _warehouse_region(shop: Any) -> str | None:
    """Where the shop ships from: the shop profile's ``warehouse`` (a country code, ``CN`` …)."""
    return getattr(shop, "warehouse", None) if shop is not None else None


def _category_attribute_values(cell: str, attributes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``attributes`` column as ``product_attributes`` entries for the category's attributes
    (Get Attributes): each named attribute (by name or id) with its values — a listed value by its
    id, any other value by its name — compared as the category rules compare them. Names the
    category does not have are left out (preflight's ``attribute_value_invalid`` reports them)."""
    from shelfcheck.rules.category_rules import attribute_key, listed_value_id, parse_attributes

    by_key: dict[str, dict[str, Any]] = {}
    for attr in attributes:
        for key in (str(attr.get("name", "")), str(attr.get("id", ""))):
            if key:
                by_key.setdefault(attribute_key(key), attr)
    out: list[dict[str, Any]] = []
    for key, (_, values) in parse_attributes(cell or "").items():
        attr = by_key.get(key)
        if attr is None or not values or attr.get("type") == "SALES_PROPERTY":
            continue
        sent = []
        for value in values:
            value_id = listed_value_id(attr, value)
            sent.append({"id": value_id, "name": value} if value_id else {"name": value})
        out.append({"id": str(attr.get("id", "")), "values": sent})
    return out


def _sales_attributes(listing: Listing, attributes: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The SKU's variation (``Color: Red; Size: M`` or the variation columns) as
    ``sales_attributes`` entries: an attribute the category lists as ``SALES_PROPERTY`` by its
    ``id`` with the listed value's ``value_id`` — or, for a value it does not list, the
    ``value_name`` (a custom value: the platform refuses it where the attribute takes none,
    ``12052240``); an attribute it does not list as a custom one (``name`` + ``value_name``)."""
    from shelfcheck.products.attributes import attributes_of
    from shelfcheck.rules.category_rules import attribute_key, listed_value_id

    named = attributes_of(listing.get, listing.columns)
    specs: dict[str, dict[str, Any]] = {}
    for attr in attributes or []:
        if attr.get("type") == "SALES_PROPERTY":
            for key in (str(attr.get("name", "")), str(attr.get("id", ""))):
                if key:
                    specs.setdefault(attribute_key(key), attr)
    out: list[dict[str, Any]] = []
    for name, value in named.items():
        if not value:
            continue
        spec = specs.get(attribute_key(name))
        if spec is None:
            out.append({"name": name, "value_name": value})
            continue
        entry: dict[str, Any] = {"id": str(spec.get("id", "")), "name": str(spec.get("name") or name)}
        value_id = listed_value_id(spec, value)
        if value_id:
            listed = {str(v.get("id")): str(v.get("name", "")) for v in spec.get("values") or []}
            entry.update(value_id=value_id, value_name=listed.get(value_id) or value)
        else:
            entry["value_name"] = value
        out.append(entry)
    return out


def _violation_codes(violations: list[Violation]) -> list[str]:
    out: list[str] = []
    for v in violations:
        if str(v.code) not in out:
            out.append(str(v.code))
    return out


@dataclass(slots=True)
class _Row:
    """What the first pass keeps of one row: its number, seller SKU and product key (to check
    the second reading against), its status and error-level codes, and whether an earlier row
    (in publishing order) has its seller SKU."""

    row: int
    sku: str
    key: str
    status: str
    errors: tuple[str, ...] = ()
    duplicate: bool = False


@dataclass
class _ProductRows:
    """One product to publish: its key and its SKU rows (catalogue order), ``members``."""

    key: str | None
    members: list[tuple[Listing, _Row]]

    @property
    def lead(self) -> Listing:
        return self.members[0][0]

    @property
    def skus(self) -> list[str]:
        return [listing.seller_sku for listing, _ in self.members]

    @property
    def name(self) -> str:
        return self.key or self.lead.seller_sku


class _DryRunFolder:
    """Where ``publish --dry-run --out DIR`` writes the requests it would send."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[dict[str, Any]] = []
        path.mkdir(parents=True, exist_ok=True)

    def write(self, product: _ProductRows, body: dict[str, Any], violations: list[Violation],
              check: dict[str, Any] | None) -> None:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", product.name)[:60] or "row"
        name = f"{len(self.entries) + 1:03d}-{safe}.json"
        (self.path / name).write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", "utf-8")
        self.entries.append({"file": name, "seller_sku": product.lead.seller_sku, "product_key": product.key,
                             "seller_skus": product.skus, "row": product.members[0][1].row,
                             "rows": [r.row for _, r in product.members],
                             "method": "POST", "path": CREATE_PATH,
                             "offline": {"passed": not violations, "violations": [v.to_json() for v in violations]},
                             "listing_check": check})

    def close(self) -> None:
        index = {"endpoint": CREATE_PATH, "method": "POST", "requests": self.entries}
        (self.path / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=2) + "\n", "utf-8")


def _product_key(listing: Listing) -> str:
    return (listing.get("product_key") or "").strip()


@dataclass
class _Plan:
    """The first pass over the catalogue: every row's facts (:class:`_Row`, file order) and the
    last row of each product key — no listing, no result. Products are then sent as soon as
    their last row is read again (:func:`_products`)."""

    rows: list[_Row]
    last: dict[str, int]


def _first_pass(run: Any) -> _Plan:
    """Check every row (the engine, as ``check``; each result told to the product tracker) and
    keep its facts. A row's SKU is a duplicate when a row before it has it, in the order
    products are published by their first row (the first row of that SKU is the SKU)."""
    tracker = getattr(run, "tracker", None)
    rows: list[_Row] = []
    last: dict[str, int] = {}
    members: dict[str, list[_Row]] = {}
    order: list[_Row | list[_Row]] = []
    for listing, result in run.engine.pairs(run.source.listings()):
        if tracker is not None:
            tracker.record(result.status == "fail")
        errors = tuple(sorted({f.code for f in result.findings if f.severity is Severity.ERROR})) \
            if result.status == "fail" else ()
        key = _product_key(listing)
        fact = _Row(listing.row, listing.seller_sku, key, result.status, errors)
        rows.append(fact)
        if not key:
            order.append(fact)
            continue
        last[key] = fact.row
        if key not in members:
            members[key] = []
            order.append(members[key])
        members[key].append(fact)
    seen: set[str] = set()
    for item in order:
        for fact in item if isinstance(item, list) else (item,):
            if fact.sku:
                fact.duplicate = fact.sku in seen
                seen.add(fact.sku)
    return _Plan(rows, last)


def _products(run: Any, plan: _Plan, columns: str | Path | None) -> Iterator[_ProductRows]:
    """The second pass: the catalogue read again, each product yielded as soon as its last row
    is read, with its rows as the engine saw them (blank product-level cells filled by a
    product tracker of its own). Only the rows of products not yet complete are held.

    Raises:
        InputError: the catalogue changed since the first pass (nothing more is sent).
    """
    from shelfcheck.api import CHECK_REQUIRES
    from shelfcheck.errors import InputError, Msg
    from shelfcheck.ingest import open_catalog
    from shelfcheck.products.tracker import ProductTracker

    changed = Msg("publish_catalogue_changed")
    with open_catalog(run.source.path, sheet=run.source.sheet, columns=columns, required=CHECK_REQUIRES) as source:
        tracker = ProductTracker(source.index, source.columns)
        pending: dict[str, list[tuple[Listing, _Row]]] = {}
        facts = iter(plan.rows)
        for listing in source.listings():
            tracker.fill(listing)
            fact = next(facts, None)
            key = _product_key(listing)
            if fact is None or (fact.row, fact.sku, fact.key) != (listing.row, listing.seller_sku, key):
                raise InputError(source.path, changed, row=listing.row)
            if not key:
                yield _ProductRows(None, [(listing, fact)])
                continue
            held = pending.setdefault(key, [])
            held.append((listing, fact))
            if plan.last[key] == fact.row:
                yield _ProductRows(key, pending.pop(key))
        if next(facts, None) is not None or pending:
            raise InputError(source.path, changed)


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
    out: str | Path | None = None,
    on_quota: Callable[[Quota], None] | None = None,
) -> PublishSummary:
    """Publish a catalogue (see the module docstring). ``client`` may be ``None`` for a dry run
    (offline: the bodies are checked against the pack's rules only); ``out`` (dry run only) is
    the folder the requests are written to; ``on_quota`` hears the shop's upload quota (when
    one applies) before the first product.

    Raises:
        InputError: an input file cannot be read (nothing was sent).
    """
    from shelfcheck.api import prepare

    run = prepare(catalog, documents=documents, shop=shop, policy=policy, jobs=jobs, columns=columns)
    lock_rule = LockRule.from_policy(run.run.policy)
    summary = PublishSummary()
    folder = _DryRunFolder(Path(out)) if (dry_run and out is not None) else None

    def emit(outcome: Outcome) -> None:
        summary.add(outcome)
        log.info("%s %s %s", outcome.kind, outcome.seller_sku, outcome.reason or outcome.product_id or outcome.codes)
        if on_outcome is not None:
            on_outcome(outcome)

    # A product's rows may be anywhere in the file: the first pass checks every row (keeping its
    # facts only) before the first product is sent; the second sends each product once its
    # last row is read again.
    plan = _first_pass(run)
    verdicts = _product_verdicts(run)
    stop_reason: str | None = None
    shop_errors = [f for f in run.shop_findings if f.severity is Severity.ERROR]
    if shop_errors and not force:
        stop_reason = "shop_preflight_failed"
    summary.quota = quota_for(run.run.shop, run.run.policy, ledger)
    if summary.quota is not None and on_quota is not None:
        on_quota(summary.quota)
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
    ctx = _Context(run, client, platform, ledger, summary.quota, folder, _warehouse_region(run.run.shop),
                   dry_run=dry_run, force=force)
    for product in _products(run, plan, columns):
        if stop_reason is not None:
            for listing, result in product.members:
                emit(Outcome("skipped", reason=stop_reason, seller_sku=listing.seller_sku, row=result.row))
            continue
        kept, blocked = _row_checks(product, ledger, lock_rule, force)
        for outcome in blocked:
            emit(outcome)
        blocking = [o for o in blocked if o.reason != "duplicate_sku"]
        if not kept:
            continue
        if blocking:  # ONE product with ALL its SKUs, or none
            detail = "; ".join(f"{o.seller_sku or f'row {o.row}'}: {o.reason}" for o in blocking)
            for listing, result in kept:
                emit(Outcome("skipped", reason="product_incomplete", detail=detail, seller_sku=listing.seller_sku,
                             row=result.row))
            continue
        product_errors = [] if force else verdicts.get(product.members[0][1].row, [])
        if product_errors:  # the product-level rules (variants, conflicting product fields)
            for listing, result in kept:
                emit(Outcome("skipped", reason="preflight_failed", codes=product_errors,
                             detail="product", seller_sku=listing.seller_sku, row=result.row))
            continue
        group = _ProductRows(product.key, kept)
        try:
            verdict = _publish_product(group, ctx)
        except ApiError as exc:
            if exc.kind in _FATAL or exc.code == QUOTA_CODE:
                summary.error = exc
                stop_reason = "daily_upload_limit" if exc.code == QUOTA_CODE else f"api_{exc.kind.value}"
                verdict = Outcome("skipped", reason=stop_reason, detail=str(exc), request_id=exc.request_id,
                                  seller_sku="", row=0)
            else:
                codes = [str(exc.code) if exc.code is not None else exc.kind.value]
                verdict = Outcome("failed", codes=codes, detail=str(exc), seller_sku="", row=0,
                                  findings=verdict_findings(codes, run.run.policy), messages=[exc.message],
                                  request_id=exc.request_id)
        for listing, result in group.members:
            emit(replace(verdict, seller_sku=listing.seller_sku, row=result.row, codes=list(verdict.codes),
                         findings=list(verdict.findings), messages=list(verdict.messages)))
    if folder is not None:
        folder.close()
    return summary


def _product_verdicts(run: Any) -> dict[int, list[str]]:
    """First row of each product → the codes of its product-level error findings (products
    without any are left out)."""
    out: dict[int, list[str]] = {}
    for result in run.products():
        codes = sorted({f.code for f in result.findings if f.severity is Severity.ERROR})
        if codes and result.product.skus:
            out[min(result.product.rows)] = codes
    return out


def _row_checks(product: _ProductRows, ledger: Any, lock_rule: LockRule,
                force: bool) -> tuple[list[tuple[Listing, _Row]], list[Outcome]]:
    """The product's rows that may be sent, and the outcomes of those that may not: a row
    without a seller SKU, a seller SKU an earlier row has (``duplicate_sku``, dropped: the first
    row of that SKU is the SKU), a locked SKU, a row that failed preflight (unless ``force``)."""
    kept: list[tuple[Listing, _Row]] = []
    blocked: list[Outcome] = []
    for listing, result in product.members:
        sku = listing.seller_sku
        base = {"seller_sku": sku, "row": result.row}
        if not sku:
            blocked.append(Outcome("skipped", reason="sku_missing", **base))
            continue
        if result.duplicate:
            blocked.append(Outcome("skipped", reason="duplicate_sku", **base))
            continue
        status = ledger.status(sku, rule=lock_rule)
        if status.locked:
            blocked.append(Outcome("skipped", reason="sku_locked", detail=str(status.locked_until), **base))
            continue
        if result.status == "fail" and not force:
            blocked.append(Outcome("skipped", reason="preflight_failed", codes=list(result.errors), **base))
            continue
        kept.append((listing, result))
    return kept, blocked


@dataclass
class _Context:
    run: Any
    client: ApiClient | None
    platform: _Platform | None
    ledger: Any
    quota: Quota | None
    folder: _DryRunFolder | None
    warehouse_region: str | None
    dry_run: bool
    force: bool


def _placeholder_uris(images: list[tuple[str, Path | None, str | None]]) -> list[str]:
    """Offline stand-ins for the URIs Upload Image would answer: ``<upload:REF>``."""
    return [f"<upload:{ref}>" for ref, _, _ in images]


def _sku_image(listing: Listing) -> tuple[str, Path | None, str | None] | None:
    return _image_cell(listing, "sku_image")


def _size_chart(listing: Listing) -> tuple[str, Path | None, str | None] | None:
    """The ``size_chart`` cell as an image to upload; ``None`` when empty or when it is a
    size-chart template id (digits, no such file: :func:`_size_chart_template`)."""
    if _size_chart_template(listing):
        return None
    return _image_cell(listing, "size_chart")


def _size_chart_template(listing: Listing) -> str | None:
    """The size-chart template id the ``size_chart`` cell gives (digits that name no file)."""
    ref = (listing.get("size_chart") or "").strip()
    if not ref.isdigit():
        return None
    target, _reason = resolve_image_ref(listing.base_dir, ref)
    return ref if target is None or not Path(target).is_file() else None


def _image_cell(listing: Listing, field: str) -> tuple[str, Path | None, str | None] | None:
    ref = (listing.get(field) or "").strip()
    if not ref:
        return None
    target, _reason = resolve_image_ref(listing.base_dir, ref)
    if target is None or target.lower().startswith(("http://", "https://")):
        return ref, None, None
    path = Path(target)
    return ref, path, _sha256(path)


def _product_hash(product: _ProductRows, images: list[tuple[str, Path | None, str | None]]) -> str:
    """The content hash of what is sent: a one-SKU product's is its row's
    (:func:`~shelfcheck.ledger.listing_content_hash`, as before products had SKUs); a product
    with several SKUs hashes its rows' hashes in order, each with its SKU image's content."""
    digests = [d for _, _, d in images]
    parts = []
    for listing, _ in product.members:
        part = listing_content_hash(listing, digests)
        sku_image = _sku_image(listing)
        if sku_image is not None and sku_image[2]:
            part += f"+sku_image:{sku_image[2]}"
        chart = _size_chart(listing)
        if chart is not None and chart[2]:
            part += f"+size_chart:{chart[2]}"
        parts.append(part)
    if len(parts) == 1 and "+" not in parts[0]:
        return parts[0]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _idempotency_key(product: _ProductRows, content_hash: str) -> str:
    return hashlib.sha256(f"{product.lead.seller_sku}\n{content_hash}".encode()).hexdigest()[:32]


def _product_documents(run: Any, product: _ProductRows) -> list[Document]:
    """The Verified certification documents that apply to any SKU of the product, each once."""
    out: list[Document] = []
    for listing, _ in product.members:
        for doc in _documents(run.run.documents, listing):
            if doc not in out:
                out.append(doc)
    return out


def _dry_run(product: _ProductRows, images: list[tuple[str, Path | None, str | None]], content_hash: str,
             ctx: _Context, known: Any) -> Outcome:
    """Build and validate the product's request; through Check Product Listing when a client is given."""
    base = {"seller_sku": product.lead.seller_sku, "row": product.members[0][1].row}
    check_json: dict[str, Any] | None = None
    lookups: dict[str, Any] = {}
    if ctx.client is not None and ctx.platform is not None:
        prepared = _prepare_body(product, images, content_hash, ctx, base)
        if isinstance(prepared, Outcome):
            return prepared
        body, rules, attributes, lookups = prepared
    else:
        lead = product.lead
        category = ctx.run.run.tree.resolve(lead.get("category")) if lead.get("category") else None
        brand = (lead.get("brand") or "").strip()
        body = build_product_body(
            _send_values(lead), columns=lead.columns, category_id=getattr(category, "id", None) or "",
            image_uris=_placeholder_uris(images), attribute_ids={}, certification_ids={}, documents=(),
            idempotency_key=_idempotency_key(product, content_hash),
            skus=[_send_values(listing) for listing, _ in product.members],
            sku_sales_attributes=[_sales_attributes(listing, None) for listing, _ in product.members],
            sku_image_uris=[f"<upload:{s[0]}>" if (s := _sku_image(listing)) else None
                            for listing, _ in product.members],
            brand_id=f"<brand:{brand}>" if brand else None,
            warehouse_id=f"<warehouse:{ctx.warehouse_region}>" if ctx.warehouse_region else None,
            size_chart_uri=f"<upload:{chart[0]}>" if (chart := _size_chart(lead)) else None,
            size_chart_template_id=_size_chart_template(lead))
        rules = attributes = None
    violations = check_body(body, policy=ctx.run.run.policy, rules=rules, attributes=attributes,
                            warehouse_region=ctx.warehouse_region, **lookups)
    codes = _violation_codes(violations)
    request_id = ""
    messages = [f"{v.field}: {v.key}" for v in violations]
    if ctx.client is not None and not violations:
        check = ctx.client.check_listing(body)
        request_id = check.request_id
        check_json = {"check_result": check.check_result, "request_id": check.request_id,
                      "fail_reasons": [{"code": r.code, "message": r.message} for r in check.fail_reasons]}
        if not check.passed:
            codes = [str(r.code) for r in check.fail_reasons] or [check.check_result]
            messages = [r.message for r in check.fail_reasons]
    if ctx.folder is not None:
        ctx.folder.write(product, body, violations, check_json)
    if codes:
        return Outcome("failed", codes=codes, detail="dry_run", messages=messages, request_id=request_id,
                       findings=verdict_findings(codes, ctx.run.run.policy), **base)
    return Outcome("skipped", reason="dry_run", product_id=known.product_id if known else None, **base)


def _certifications(product: _ProductRows, ctx: _Context, cert_ids: dict[str, str], rules: Any,
                    base: dict[str, Any]) -> tuple[list[Document], dict[str, list[dict[str, str]]]] | Outcome:
    """The product's certification documents with their files uploaded (``files/upload``, PDF,
    converted when they are images or plain text); the skip naming the document whose file
    cannot be sent. A document without a file is left out when the category does not require
    its certification (a registration number travels as its product attribute); a required one
    without a file is a skip (``certification_file_missing``)."""
    from shelfcheck.tiktok.certificates import certificate_pdf

    platform = ctx.platform
    assert platform is not None
    docs = [d for d in _product_documents(ctx.run, product) if CERTIFICATION_NAMES.get(d.type, "") in cert_ids]
    files: dict[str, list[dict[str, str]]] = {}
    limit = ctx.run.run.policy.create_product.file_max_bytes
    required = {str(c.get("name", "")) for c in (rules or {}).get("product_certifications") or []
                if isinstance(c, dict) and c.get("is_required")}
    sent: list[Document] = []
    for doc in docs:
        pdf = certificate_pdf(doc.file, max_bytes=limit)
        if pdf.reason == "certification_file_missing" and CERTIFICATION_NAMES[doc.type] not in required:
            continue
        if not pdf.ok:
            return Outcome("skipped", reason=pdf.reason, detail=f"{doc.doc_id}: {doc.file or ''}", **base)
        files[doc.doc_id] = [platform.upload_certificate(pdf.name, pdf.content)]
        sent.append(doc)
    return sent, files


def _prepare_body(product: _ProductRows, images: list[tuple[str, Path | None, str | None]], content_hash: str,
                  ctx: _Context, base: dict[str, Any]) -> tuple[dict[str, Any], Any, Any, dict[str, Any]] | Outcome:
    """The product's body with the platform's ids (category, brand, warehouse, attributes, sales
    attributes, certifications) and uploaded images and certificate files, with the category's
    rules and attributes and the ids the platform knows; or the skip that stops it."""
    platform = ctx.platform
    assert platform is not None
    run = ctx.run
    lead = product.lead
    category = run.run.tree.resolve(lead.get("category")) if lead.get("category") else None
    category_id, why = platform.category(category.path) if category else (None, "category_missing")
    if category_id is None:
        if not ctx.force:
            return Outcome("skipped", reason=why, **base)
        category_id = ""
    brand_name = (lead.get("brand") or "").strip()
    brand_id = None
    if brand_name:  # never a silent empty brand: a brand the platform does not know stops the product
        brand_id, why = platform.brand(category_id, brand_name)
        if brand_id is None:
            return Outcome("skipped", reason=why, detail=brand_name, **base)
    warehouse_id, why = platform.warehouse(ctx.warehouse_region)
    if warehouse_id is None:
        return Outcome("skipped", reason=why, **base)
    attribute_ids = platform.attribute_ids(category_id) if category_id else {}
    cert_ids = platform.certification_ids(category_id) if category_id else {}
    uris = []
    for ref, path, digest in images:
        if path is None or digest is None:
            if not ctx.force:
                return Outcome("skipped", reason="image_not_uploadable", detail=ref, **base)
            continue
        uris.append(platform.upload(path, digest))
    sku_uris: list[str | None] = []
    for listing, _ in product.members:
        sku_image = _sku_image(listing)
        if sku_image is None:
            sku_uris.append(None)
        elif sku_image[1] is None or sku_image[2] is None:
            if not ctx.force:
                return Outcome("skipped", reason="image_not_uploadable", detail=sku_image[0], **base)
            sku_uris.append(None)
        else:
            sku_uris.append(platform.upload(sku_image[1], sku_image[2], use_case="ATTRIBUTE_IMAGE"))
    chart_uri = None
    chart = _size_chart(lead)
    if chart is not None:
        if chart[1] is None or chart[2] is None:
            if not ctx.force:
                return Outcome("skipped", reason="image_not_uploadable", detail=chart[0], **base)
        else:
            try:
                chart_uri = platform.upload(chart[1], chart[2], use_case="SIZE_CHART_IMAGE")
            except ApiError as exc:  # the platform refuses this image as a size chart (12038014)
                if exc.kind in _FATAL or exc.code is None:
                    raise
                return Outcome("failed", codes=[str(exc.code)], detail=f"size_chart upload: {chart[0]}",
                               findings=["size_chart_image_invalid"], messages=[exc.message],
                               request_id=exc.request_id, **base)
    rules = platform.rules(category_id) if category_id else None
    attributes = platform.attributes(category_id) if category_id else None
    certified = _certifications(product, ctx, cert_ids, rules, base)
    if isinstance(certified, Outcome):
        return certified
    documents, cert_files = certified
    body = build_product_body(
        _send_values(lead), columns=lead.columns, category_id=category_id, image_uris=uris,
        attribute_ids=attribute_ids, certification_ids=cert_ids, documents=documents,
        certification_files=cert_files, idempotency_key=_idempotency_key(product, content_hash),
        category_attributes=_category_attribute_values(lead.get("attributes"), attributes or []),
        skus=[_send_values(listing) for listing, _ in product.members], warehouse_id=warehouse_id,
        sku_sales_attributes=[_sales_attributes(listing, attributes) for listing, _ in product.members],
        sku_image_uris=sku_uris, brand_id=brand_id, size_chart_uri=chart_uri,
        size_chart_template_id=_size_chart_template(lead))
    lookups = {"warehouse_ids": {warehouse_id}}
    if brand_id:
        lookups["brand_ids"] = {brand_id}
    return body, rules, attributes, lookups


def _known_product(ledger: Any, product: _ProductRows) -> Any:
    """What the ledger knows of the product: by any of its seller SKUs, or through the product
    id an attempt of one of them recorded; else the catalogue's ``product_id`` column."""
    for sku in product.skus:
        known = records.known_product(ledger, sku)
        if known is not None:
            return known
    for sku in product.skus:
        for attempt in reversed(ledger.attempts(sku)):
            if attempt.product_id:
                known = records.product(ledger, attempt.product_id)
                if known is not None:
                    return known
    pid = product.lead.get("product_id")
    if pid:
        return records.remember_product(ledger, pid, seller_sku=product.lead.seller_sku, source="catalog")
    return None


def _record(ledger: Any, product: _ProductRows, outcome: str, *, dedupe: str | None, **fields: Any) -> None:
    """One attempt per SKU of the product (the ledger and its lock count SKUs); the dedupe key
    of a one-SKU product is the key it always had."""
    for sku in product.skus:
        key = None if dedupe is None else (dedupe if len(product.skus) == 1 else f"{dedupe}:{sku}")
        ledger.record_attempt(sku, outcome, dedupe_key=key, **fields)


def _publish_product(product: _ProductRows, ctx: _Context) -> Outcome:
    """Publish one product with all its SKUs: the outcome (of its first SKU; the caller gives
    every SKU the same)."""
    client, platform, ledger, run, force = ctx.client, ctx.platform, ctx.ledger, ctx.run, ctx.force
    lead = product.lead
    base = {"seller_sku": lead.seller_sku, "row": product.members[0][1].row}
    images = _images(lead)
    content_hash = _product_hash(product, images)
    for sku in product.skus:
        previous = ledger.last_with_hash(sku, content_hash)
        if previous is not None and previous.outcome == "failed":
            return Outcome("skipped", reason="resubmit_unchanged", **base)
    known = _known_product(ledger, product)
    if ctx.dry_run or client is None or platform is None:
        return _dry_run(product, images, content_hash, ctx, known)
    if known is None:
        found = client.search_products(seller_skus=product.skus).products
        ours = set(product.skus)
        match = next((p for p in found if any(s.seller_sku in ours for s in p.skus)), None)
        if match is not None:  # created by a run that was interrupted before recording it
            known = records.remember_product(ledger, match.id, seller_sku=lead.seller_sku, status=match.status,
                                             audit_status=match.audit.status if match.audit else None,
                                             content_hash=content_hash, source="search")
            if match.status != "FAILED":
                _record(ledger, product, "passed", product_id=match.id, content_hash=content_hash,
                        source="publish", dedupe=f"publish:{match.id}:{content_hash}")
    if known is not None:
        current = client.get_product(known.product_id)
        records.remember_product(ledger, known.product_id, status=current.status,
                                 audit_status=current.audit.status if current.audit else None)
        if known.content_hash == content_hash:
            # A run interrupted between creating the product and recording the attempt: record
            # it now (the same key as the uninterrupted path, so it is never stored twice).
            failed = current.status == "FAILED"
            _record(ledger, product, "failed" if failed else "passed",
                    reasons=_audit_codes(current) if failed else [], product_id=known.product_id,
                    content_hash=content_hash, source="publish", request_id=current.request_id or None,
                    dedupe=f"publish:{known.product_id}:{content_hash}")
        if current.status != "FAILED" and (known.content_hash in (None, content_hash)):
            return Outcome("skipped", reason="already_published", product_id=known.product_id, **base)
        if current.status == "FAILED" and known.content_hash == content_hash:
            return Outcome("skipped", reason="resubmit_unchanged", product_id=known.product_id, **base)
        if current.status not in ("FAILED", "DRAFT"):
            return Outcome("skipped", reason="already_published", product_id=known.product_id, **base)
    if known is None and ctx.quota is not None and ctx.quota.remaining <= 0:
        return Outcome("skipped", reason="daily_upload_limit",
                       detail=f"{ctx.quota.used} of {ctx.quota.limit} uploads used today", **base)
    prepared = _prepare_body(product, images, content_hash, ctx, base)
    if isinstance(prepared, Outcome):
        return prepared
    body = prepared[0]
    policy = run.run.policy
    if not force:
        check = client.check_listing(body)
        if not check.passed:
            codes = [str(r.code) for r in check.fail_reasons] or [check.check_result]
            _record(ledger, product, "failed", reasons=codes, content_hash=content_hash, source="listing_check",
                    request_id=check.request_id or None,
                    dedupe=f"listing_check:{check.request_id}" if check.request_id else None)
            return Outcome("failed", codes=codes, detail="listing_check", findings=verdict_findings(codes, policy),
                           messages=[r.message for r in check.fail_reasons], request_id=check.request_id, **base)
    attempt_at = dt.datetime.now(dt.timezone.utc)
    try:
        if known is not None:
            created = client.edit_product(known.product_id, body)
        else:
            created = client.create_product(body)
    except ApiError as exc:
        if exc.code != QUOTA_CODE and exc.kind in (Kind.VALIDATION, Kind.SELLER_ACTION, Kind.UNKNOWN):
            _record(ledger, product, "failed", reasons=[str(exc.code)], at=attempt_at, content_hash=content_hash,
                    source="publish", request_id=exc.request_id or None,
                    dedupe=f"publish:{exc.request_id}" if exc.request_id else None)
        raise
    product_id = created.product_id
    if known is None and ctx.quota is not None:
        ctx.quota.used += 1
    records.remember_product(ledger, product_id, seller_sku=lead.seller_sku, status="PENDING",
                             audit_status="AUDITING", reasons=[], content_hash=content_hash)
    current = client.get_product(product_id)
    failed = current.status == "FAILED"
    codes = _audit_codes(current) if failed else []
    records.remember_product(ledger, product_id, status=current.status,
                             audit_status=current.audit.status if current.audit else None, reasons=codes)
    request_id = (current.request_id if failed else created.request_id) or created.request_id
    _record(ledger, product, "failed" if failed else "passed", reasons=codes, at=attempt_at, product_id=product_id,
            content_hash=content_hash, source="publish", request_id=request_id or None,
            dedupe=f"publish:{product_id}:{content_hash}")
    if failed:
        return Outcome("failed", product_id=product_id, codes=codes, detail="audit",
                       findings=verdict_findings(codes, policy), messages=_audit_messages(current),
                       request_id=request_id, **base)
    return Outcome("published", product_id=product_id, **base)
