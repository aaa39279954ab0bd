"""The sandbox: a local emulator of the TikTok Shop Open API endpoints the publisher uses.

It answers in the platform's envelope ``{code, message, request_id, data}`` with the platform's
codes, and checks what the gateway checks, in the gateway's order: the path and method, the
app key, the signature's presence, the timestamp window (−5 min / +30 s → 36009004), the
signature (→ 106001), the access token (missing/invalid → 36009004, expired → 105002) and the
shop cipher (missing → 106013, sent where not accepted → 36009004). Messages are ours; codes and
shapes are the platform's.

Products are audited by the **same policy as preflight**: the body is read back into a catalogue
row (:func:`shelfcheck.tiktok.payload.read_product_body`) with the uploaded images' analyses and
the certifications as Verified documents, and the shelfcheck engine runs on it. Findings the
platform rejects at once (title, SKU, category, images, required certificates, values) fail the
call; the rest fail the audit: the product goes ``PENDING`` → ``FAILED`` with
``audit_failed_reasons`` (or → ``ACTIVATE``) after ``audit_seconds``. The sandbox applies the
repeat-failure lock itself: more than 3 failed submissions of one seller SKU within 24 h lock
it for 72 h (numbers from the policy's ``lock:`` block). It locks per seller SKU, as the platform
does: a failed submission counts for every seller SKU of its body, and a body any of whose
seller SKUs is locked is refused (``12052109``).

Before the policy audit, every Create Product / Check Product Listing body is validated field by
field as the platform documents it (:mod:`shelfcheck.sandbox.validate` over
:mod:`shelfcheck.tiktok.listing_rules`): required fields, package weight units and decimals and
the unit pairing, whole-number dimensions, price / list price / sale price ranges (sale price
required when ``SandboxConfig.warehouse_region`` is a China warehouse), SKU count, inventory
range, Chinese characters in title, description, attribute and SKU names, the category's required
attributes and certifications and allowed attribute values. Refusals carry the official code and
the official message from the imported ``tiktok-errors`` dataset (our own words when it is absent).
Check Product Listing answers ``check_result`` ``PASS``/``FAILED`` with ``fail_reasons``.
``files/upload`` takes certificate PDFs (≤ the pack's ``create_product.file_max_bytes``);
``SandboxConfig.daily_upload_limit`` caps creates per UTC day (``12052093``).

Test hooks (not part of the platform): ``GET /_sandbox/health``, ``GET /_sandbox/products``,
``POST /_sandbox/faults`` ``{"code", "http", "count", "message"}`` to make the next signed calls fail,
``POST /_sandbox/expire_tokens``. They answer only requests carrying the local admin token
(``SandboxConfig.admin_token``, header ``X-Sandbox-Admin-Token``).

Before any of this, :mod:`shelfcheck.sandbox.guard` refuses what no endpoint should parse: bodies
over the cap, JSON nested too deep or holding NaN, multipart without a boundary — each with the
platform's envelope and code (``SandboxConfig.limits``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import re
import secrets as pysecrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select, update

from shelfcheck.analysis.images import ImageInfo, WhiteParams, analyse_bytes
from shelfcheck.ledger.guard import LockRule, evaluate_lock
from shelfcheck.model import Listing
from shelfcheck.sandbox.catalog import SandboxCatalog
from shelfcheck.sandbox.guard import (ADMIN_HEADER, AdminGate, BodyCap, Refusal, json_body,
                                      multipart_form, new_admin_token)
from shelfcheck.sandbox.state import failures, files, grants, images, open_state, products
from shelfcheck.sandbox.validate import QUOTA_CODE, dimensions_message, official_message, validate_body
from shelfcheck.tiktok.client import cipher_allowed
from shelfcheck.tiktok.limits import RequestLimits
from shelfcheck.tiktok.payload import read_product_body
from shelfcheck.tiktok.sandbox_credentials import (
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_APP_KEY,
    SANDBOX_APP_SECRET,
    SANDBOX_SERVICE_ID,
    SANDBOX_SHOP_CIPHER,
)
from shelfcheck.tiktok.signing import is_multipart, verify_request

__all__ = ["ADMIN_HEADER", "SANDBOX_APP_KEY", "SandboxConfig", "create_app", "make_listing"]

log = logging.getLogger("shelfcheck.sandbox")



@dataclass
class SandboxConfig:
    """What the sandbox accepts and how it behaves. ``repr`` never shows a secret."""

    app_key: str = SANDBOX_APP_KEY
    app_secret: str = field(default=SANDBOX_APP_SECRET, repr=False)
    access_token: str = field(default=SANDBOX_ACCESS_TOKEN, repr=False)
    shop_cipher: str = field(default=SANDBOX_SHOP_CIPHER, repr=False)
    service_id: str = SANDBOX_SERVICE_ID
    shop_id: str = "7494049642642441621"
    shop_name: str = "shelfcheck sandbox shop"
    db: str | None = None
    policy: Any = None
    audit_seconds: float = 0.0
    access_token_lifetime: int = 7 * 86400
    refresh_token_lifetime: int = 365 * 86400
    latency: float = 0.0  # seconds added to every platform call (to test interruptions)
    clock: Callable[[], float] = time.time
    admin_token: str = field(default_factory=new_admin_token, repr=False)  # for /_sandbox/*
    limits: RequestLimits = field(default_factory=RequestLimits)  # body cap, JSON depth
    warehouse_region: str = "US"  # where the shop ships from: CN makes sale_price required
    daily_upload_limit: int | None = None  # creates per UTC day before 12052093; None: no limit
    brands: tuple[str, ...] | None = None  # Get Brands' names (None: tree.yaml's `brands`)
    unavailable_brands: tuple[str, ...] = ()  # of those, the ones not authorised for the shop
    warehouse_id: str = "7068517275539719942"  # the shop's sales warehouse (Get Warehouses; "": none)
    # The shop's size-chart templates: a size_chart.template.id outside them is 12052128.
    size_chart_templates: tuple[str, ...] = ("7267563252536723205",)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> SandboxConfig:
        """Credentials from ``SHELFCHECK_APP_KEY``/``…_APP_SECRET``/``…_ACCESS_TOKEN``/``…_SHOP_CIPHER``
        when set, else the built-in sandbox credentials; the admin token from
        ``SHELFCHECK_SANDBOX_ADMIN_TOKEN`` when set, else a fresh random one."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for attr, var in (("app_key", "SHELFCHECK_APP_KEY"), ("app_secret", "SHELFCHECK_APP_SECRET"),
                          ("access_token", "SHELFCHECK_ACCESS_TOKEN"), ("shop_cipher", "SHELFCHECK_SHOP_CIPHER"),
                          ("admin_token", "SHELFCHECK_SANDBOX_ADMIN_TOKEN")):
            if env.get(var, "").strip():
                values[attr] = env[var].strip()
        values.update(overrides)
        return cls(**values)


class _Fail(Refusal):
    """A call the emulated platform refuses (the same envelope as the guard's refusals)."""


# finding code → (platform code, "sync" = refused at once | "audit" = fails the review)
FINDING_CODES: dict[str, tuple[int, str]] = {
    "sku_missing": (12019059, "sync"), "sku_not_english": (12019059, "sync"),
    "sku_too_long": (12052054, "sync"), "duplicate_sku": (12052560, "sync"),
    "title_missing": (12052261, "sync"), "title_too_long": (12052051, "sync"),
    "title_not_english": (12052262, "sync"), "title_format_invalid": (12052931, "sync"),
    "title_too_short": (12052931, "audit"),
    "category_missing": (12052023, "sync"), "category_unknown": (12052023, "sync"),
    "category_prohibited": (12052220, "sync"), "category_invite_only": (12052226, "sync"),
    "category_not_leaf": (12052024, "sync"), "category_not_on_platform": (12052023, "sync"),
    "attribute_missing": (12052104, "sync"), "attribute_value_invalid": (12052529, "sync"),
    "certification_missing": (12052105, "sync"), "size_chart_missing": (12052673, "sync"),
    "main_images_too_few": (12052028, "sync"), "main_images_too_many": (12052306, "sync"),
    "image_not_found": (12052722, "sync"), "image_unreadable": (12052304, "sync"),
    "image_format_unsupported": (12052304, "sync"), "image_file_too_large": (12052302, "sync"),
    "image_wrong_size": (12052301, "sync"), "image_background_not_white": (12052301, "audit"),
    "missing_fcc_id": (12052104, "sync"), "missing_fcc_test_report": (12052105, "sync"),
    "missing_fda_registration": (12052104, "sync"), "missing_cpi": (12052105, "sync"),
    "missing_cpc": (12052105, "sync"), "missing_ingredients": (12052104, "sync"),
    "document_expired": (12052385, "sync"), "document_not_verified": (12052105, "sync"),
    "value_invalid": (98001004, "sync"),
    "description_missing": (12052015, "sync"), "description_not_english": (12052346, "sync"),
    "identifier_code_invalid": (12052591, "sync"),
    "package_weight_missing": (36009004, "sync"), "package_weight_invalid": (12019011, "sync"),
    "package_dimensions_missing": (12019012, "sync"), "package_dimensions_invalid": (12052116, "sync"),
    "price_missing": (12052571, "sync"), "price_out_of_range": (12052570, "sync"),
    "list_price_below_price": (12052375, "sync"), "sale_price_missing": (12052424, "sync"),
    "quantity_out_of_range": (12052055, "sync"),
}
_DEFAULT_AUDIT_CODE = 12052700  # "violates listing rules" class: failed review


def _finding_code(code: str) -> tuple[int, str]:
    return FINDING_CODES.get(code, (_DEFAULT_AUDIT_CODE, "audit"))


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: str
    token: bool = True
    signed: bool = True


_ROUTES = [
    _Route("GET", re.compile(r"/authorization/202309/shops"), "shops"),
    _Route("GET", re.compile(r"/product/202309/categories"), "categories"),
    _Route("GET", re.compile(r"/product/202309/categories/(?P<id>[^/]+)/rules"), "rules"),
    _Route("GET", re.compile(r"/product/202309/categories/(?P<id>[^/]+)/attributes"), "attributes"),
    _Route("GET", re.compile(r"/product/202312/prerequisites"), "prerequisites"),
    _Route("GET", re.compile(r"/product/202309/brands"), "brands"),
    _Route("GET", re.compile(r"/logistics/202309/warehouses"), "warehouses"),
    _Route("POST", re.compile(r"/product/202309/images/upload"), "upload"),
    _Route("POST", re.compile(r"/product/202309/files/upload"), "file_upload"),
    _Route("POST", re.compile(r"/product/202309/products/listing_check"), "listing_check"),
    _Route("POST", re.compile(r"/product/202309/products"), "create"),
    _Route("PUT", re.compile(r"/product/202509/products/(?P<id>[^/]+)"), "edit"),
    _Route("GET", re.compile(r"/product/202309/products/(?P<id>[^/]+)"), "get_product"),
    _Route("POST", re.compile(r"/product/202502/products/search"), "search"),
    _Route("POST", re.compile(r"/product/202309/products/(?P<id>[^/]+)/inventory/update"), "inventory"),
    _Route("GET", re.compile(r"/api/v2/token/get"), "token_get", token=False, signed=False),
    _Route("GET", re.compile(r"/api/v2/token/refresh"), "token_refresh", token=False, signed=False),
    _Route("GET", re.compile(r"/open/authorize"), "authorize", token=False, signed=False),
]


class Sandbox:
    """The emulator's state and logic (the FastAPI app is a thin shell over it)."""

    def __init__(self, config: SandboxConfig) -> None:
        from shelfcheck.datasets import load_datasets
        from shelfcheck.policy import Policy, load_policy

        self.config = config
        self.policy = config.policy if isinstance(config.policy, Policy) else load_policy(config.policy)
        self.catalog = SandboxCatalog(self.policy)
        self.datasets = load_datasets()
        # The emulator's own tree decides its categories (audit below), never a tree a caller
        # pulled into the same data directory.
        self.datasets.platform = None
        self.datasets.provenance.pop("tiktok-categories", None)
        self.engine = open_state(config.db)
        self.lock_rule = LockRule.from_policy(self.policy)
        wb = self.policy.images.white_background
        self.white = WhiteParams.of(wb)
        self._mutex = threading.RLock()
        self._faults: list[tuple[int, int, str]] = []
        self._ids = itertools.count(int(self.config.clock()) * 1000)

    # Helpers ---------------------------------------------------------------------------------
    def now(self) -> float:
        return self.config.clock()

    def _new_id(self) -> str:
        return str(1729000000000000000 + (next(self._ids) * 10) % 10**15)

    # Gateway -----------------------------------------------------------------------------------
    def gate(self, route: _Route, path: str, query: dict[str, str], headers: Mapping[str, str],
             body: bytes) -> None:
        if route.handler == "authorize":  # the consent page: identified by service_id only
            return
        if query.get("app_key") != self.config.app_key:
            raise _Fail(36009004, "Invalid credentials: the app_key query parameter is not a valid app key.", 400)
        if not route.signed:
            return
        sign = query.get("sign")
        if not sign:
            raise _Fail(36009004, "Missing credentials: the query carries no signature (sign).", 400)
        try:
            ts = int(query.get("timestamp", ""))
        except ValueError:
            raise _Fail(36009004, "Invalid timestamp: the timestamp query parameter is not a number.", 400) from None
        now = self.now()
        if ts < 0:
            raise _Fail(36009004, "Invalid timestamp: the timestamp must not be negative.", 400)
        if ts < now - 300:
            raise _Fail(36009004, "Invalid timestamp: the timestamp is more than 5 minutes before the "
                                  "current time.", 400)
        if ts > now + 30:
            raise _Fail(36009004, "Invalid timestamp: the timestamp is more than 30 seconds after the "
                                  "current time.", 400)
        content_type = headers.get("content-type")
        signed_body = b"" if is_multipart(content_type) else body
        if not verify_request(self.config.app_secret, path, query, signed_body, content_type, sign):
            raise _Fail(106001, "Invalid credentials: the sign query parameter does not match the request.")
        if route.token:
            self._check_token(headers.get("x-tts-access-token", ""))
        if self._faults:
            code, http, message = self._take_fault()
            raise _Fail(code, message, http)
        allowed = cipher_allowed(path, route.method)
        cipher = query.get("shop_cipher")
        if allowed and not cipher:
            raise _Fail(106013, "Missing identifier: the shop_cipher query parameter is required for this request.")
        if not allowed and cipher:
            raise _Fail(36009004, "Unexpected identifier: the shop_cipher query parameter is not accepted by "
                                  "this request.", 400)
        if cipher and cipher != self.config.shop_cipher:
            raise _Fail(36009004, "Invalid identifier: the shop_cipher does not name a shop this token may "
                                  "access.", 400)

    def _check_token(self, token: str) -> None:
        if not token:
            raise _Fail(36009004, "Invalid credentials: the x-tts-access-token header is missing.", 400)
        if pysecrets.compare_digest(token, self.config.access_token):
            return
        with self.engine.begin() as conn:
            row = conn.execute(select(grants).where(grants.c.kind == "access", grants.c.value == token)).first()
        if row is None:
            raise _Fail(36009004, "Invalid credentials: the x-tts-access-token header is invalid.", 400)
        if row.used or row.expires <= self.now():
            raise _Fail(105002, "Expired credentials: the x-tts-access-token has expired.")

    def _take_fault(self) -> tuple[int, int, str]:
        with self._mutex:
            code, http, message = self._faults[0]
            remaining = self._faults[1:]
            self._faults = remaining
            return code, http, message

    def add_faults(self, code: int, http: int, count: int, message: str) -> None:
        with self._mutex:
            self._faults.extend([(code, http, message)] * max(0, min(count, 100)))

    # OAuth ----------------------------------------------------------------------------------------
    def authorize(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("service_id") != self.config.service_id:
            raise _Fail(36009004, "Invalid identifier: unknown service_id.", 400)
        code = "SBX_AUTH_" + pysecrets.token_urlsafe(18)
        with self.engine.begin() as conn:
            conn.execute(insert(grants).values(kind="auth_code", value=code, expires=self.now() + 1800, used=False))
        return {"auth_code": code, "state": query.get("state", ""), "expires_in": 1800}

    def _token_answer(self) -> dict[str, Any]:
        now = self.now()
        access = "SBX_AT_" + pysecrets.token_urlsafe(24)
        refresh = "SBX_RT_" + pysecrets.token_urlsafe(24)
        a_exp = int(now + self.config.access_token_lifetime)
        r_exp = int(now + self.config.refresh_token_lifetime)
        with self.engine.begin() as conn:
            conn.execute(insert(grants).values(kind="access", value=access, expires=a_exp, used=False))
            conn.execute(insert(grants).values(kind="refresh", value=refresh, expires=r_exp, used=False))
        return {"access_token": access, "access_token_expire_in": a_exp, "refresh_token": refresh,
                "refresh_token_expire_in": r_exp, "open_id": "sandbox-open-id", "seller_name": self.config.shop_name,
                "seller_base_region": "US", "user_type": 0,
                "granted_scopes": ["seller.product.basic", "seller.product.write"]}

    def _app_secret_ok(self, query: dict[str, str]) -> None:
        if not pysecrets.compare_digest(query.get("app_secret", ""), self.config.app_secret):
            raise _Fail(36009004, "Invalid credentials: the app_secret does not belong to this app_key.", 400)

    def token_get(self, query: dict[str, str]) -> dict[str, Any]:
        return self._redeem(query, "authorized_code", "auth_code", "auth_code",
                            "Invalid auth code: unknown, already used or expired.")

    def token_refresh(self, query: dict[str, str]) -> dict[str, Any]:
        return self._redeem(query, "refresh_token", "refresh", "refresh_token",
                            "Invalid refresh token: unknown, already used or expired; authorize again.")

    def _redeem(self, query: dict[str, str], grant_type: str, kind: str, param: str, invalid: str) -> dict[str, Any]:
        """Use up a one-time grant (an auth code or a refresh token) and answer with new tokens."""
        self._app_secret_ok(query)
        if query.get("grant_type") != grant_type:
            raise _Fail(36009004, f"Invalid parameter: grant_type must be {grant_type}.", 400)
        with self._mutex, self.engine.begin() as conn:
            row = conn.execute(select(grants).where(grants.c.kind == kind,
                                                    grants.c.value == query.get(param, ""))).first()
            if row is None or row.used or row.expires <= self.now():
                raise _Fail(36004004, invalid)
            conn.execute(update(grants).where(grants.c.id == row.id).values(used=True))
        return self._token_answer()

    def expire_access_tokens(self) -> int:
        """Test hook: every issued access token expires now."""
        with self.engine.begin() as conn:
            return conn.execute(update(grants).where(grants.c.kind == "access").values(expires=0)).rowcount

    # Shop and categories --------------------------------------------------------------------------
    def shops(self) -> dict[str, Any]:
        return {"shops": [{"id": self.config.shop_id, "name": self.config.shop_name, "region": "US",
                           "seller_type": "CROSS_BORDER", "cipher": self.config.shop_cipher, "code": "USSANDBOX"}]}

    def categories(self, query: dict[str, str]) -> dict[str, Any]:
        cats = self.catalog.categories(include_prohibited=query.get("include_prohibited_categories") == "true")
        keyword = query.get("keyword", "").strip().casefold()
        if keyword:
            cats = [c for c in cats if keyword in c["local_name"].casefold()]
        return {"categories": cats}

    def _node(self, category_id: str) -> Any:
        node = self.catalog.get(category_id)
        if node is None:
            raise _Fail(12052023, "Category does not exist.")
        return node

    def prerequisites(self) -> dict[str, Any]:
        items = ["SHOP_STATUS", "SHOP_TAX", "PICKUP_WAREHOUSE", "RETURN_WAREHOUSE", "DELIVERY_OPTION",
                 "PRODUCT_QUANTITY_LIMIT", "BANk_ACCOUNT", "CONTACT_INFO"]
        return {"check_results": [{"check_item": i, "is_failed": False, "fail_reasons": []} for i in items]}

    # Brands and warehouses --------------------------------------------------------------------
    def brand_names(self) -> tuple[str, ...]:
        from shelfcheck.sandbox.tree import vocabulary

        names = self.config.brands if self.config.brands is not None else vocabulary().raw.get("brands") or ()
        return tuple(str(n) for n in names)

    @staticmethod
    def brand_id(name: str) -> str:
        return "7" + str(int(hashlib.sha1(name.casefold().encode("utf-8")).hexdigest(), 16) % 10**18).zfill(18)

    def brands(self, query: dict[str, str]) -> dict[str, Any]:
        """Get Brands: every brand (the sandbox authorizes each in every category, except the
        configured ``unavailable_brands``: ``UNAUTHORIZED`` / ``UNAVAILABLE``); ``brand_name``
        filters by a case-insensitive part of the name, as the platform's search does."""
        category_id = query.get("category_id", "")
        if category_id:
            self._node(category_id)
        wanted = " ".join(query.get("brand_name", "").split()).casefold()
        found = [n for n in self.brand_names() if wanted in n.casefold()]
        available = set(self.available_brands())
        return {"brands": [{"id": self.brand_id(n), "name": n,
                            "authorized_status": "AUTHORIZED" if n in available else "UNAUTHORIZED",
                            "brand_status": "AVAILABLE" if n in available else "UNAVAILABLE", "is_t1_brand": False}
                           for n in found],
                "total_count": len(found), "next_page_token": ""}

    def available_brands(self) -> tuple[str, ...]:
        """The brands a product may carry: Get Brands' names less ``unavailable_brands``."""
        off = {n.casefold() for n in self.config.unavailable_brands}
        return tuple(n for n in self.brand_names() if n.casefold() not in off)

    def warehouses(self) -> dict[str, Any]:
        region = self.config.warehouse_region.upper()
        sales = [] if not self.config.warehouse_id else [
            {"id": self.config.warehouse_id, "name": f"Sandbox {region} warehouse", "effect_status": "ENABLED",
             "type": "SALES_WAREHOUSE", "sub_type": "DOMESTIC_WAREHOUSE", "is_default": True,
             "address": {"region_code": region, "city": "Sandbox"}}]
        return {"warehouses": [*sales,
            {"id": "7068517275539719999", "name": "Sandbox return warehouse",
             "effect_status": "ENABLED", "type": "RETURN_WAREHOUSE", "sub_type": "DOMESTIC_WAREHOUSE",
             "is_default": True, "address": {"region_code": "US", "city": "Sandbox"}}]}

    # Images ---------------------------------------------------------------------------------------
    def upload(self, content: bytes, use_case: str) -> dict[str, Any]:
        if not content:
            raise _Fail(12038002, "Invalid upload file: the data part is empty.")
        if len(content) > self.policy.images.max_bytes:
            raise _Fail(12038005, f"The file is larger than {self.policy.images.max_megabytes} MB.")
        digest = hashlib.sha256(content).hexdigest()
        uri = f"tos-sandbox-us/{digest[:32]}"
        info = analyse_bytes(content, ImageInfo(ref=uri, path=uri, found=True), self.white)
        if not info.decodable or not info.format:
            raise _Fail(12038004, "Failed to process the image: the format or content is not supported.")
        if info.format.upper() not in ("JPEG", "PNG", "WEBP", "BMP", "HEIC"):
            raise _Fail(12038004, f"Failed to process the image: {info.format} is not supported.")
        w, h = info.width or 0, info.height or 0
        limits = self.policy.images.official
        # a size chart's minimum is on its short side, i.e. on both sides
        least = limits.size_chart_min_side if use_case == "SIZE_CHART_IMAGE" else limits.min_side
        if not (least <= w <= limits.max_side and least <= h <= limits.max_side):
            raise _Fail(12038014, dimensions_message(self.datasets, (least, least), (limits.max_side, limits.max_side))
                        + f" [{w} x {h} sent]")
        stored = info.to_dict()
        with self._mutex, self.engine.begin() as conn:
            if conn.execute(select(images.c.uri).where(images.c.uri == uri)).first() is None:
                conn.execute(insert(images).values(uri=uri, sha256=digest, use_case=use_case or "MAIN_IMAGE",
                                                   info=stored, created=self.now()))
        return {"uri": uri, "url": f"https://sandbox.invalid/{uri}", "width": w, "height": h,
                "use_case": use_case or "MAIN_IMAGE"}

    # Audit ----------------------------------------------------------------------------------------
    def audit(self, body: Mapping[str, Any]) -> tuple[str, list[tuple[str, int, str]], list[tuple[str, int, str]]]:
        """Run the policy on a body: ``(seller_sku, refused_now, failed_review)``; each entry is
        ``(finding code, platform code, field)``.

        The field checks judge the whole body; the policy judges every SKU (the product's fields
        with that SKU's): a finding every SKU has is the product's and named once, one that only
        some SKUs have is named per SKU (``skus[2].price``)."""
        from shelfcheck.engine import Checker
        from shelfcheck.rules.context import RunContext

        if not isinstance(body, Mapping):
            raise _Fail(36009004, "invalid param error: the body is not a JSON object.", 400)
        node = self.catalog.get(str(body.get("category_id", "")))
        if node is not None and not node.is_leaf:
            raise _Fail(12052024, "Category is not a leaf category.")
        violations = validate_body(
            body, policy=self.policy, rules=self.catalog.rules(node) if node else None,
            attributes=self.catalog.attributes(node)["attributes"] if node else None,
            warehouse_region=self.config.warehouse_region, known_files=self._file_ids(),
            brand_ids={self.brand_id(n) for n in self.available_brands()},
            warehouse_ids={self.config.warehouse_id} - {""}, known_images=self._image_uris(),
            size_chart_templates=set(self.config.size_chart_templates))
        skus = [s for s in body.get("skus") or [] if isinstance(s, Mapping)] or [{}]
        read = [read_product_body({**body, "skus": [sku]}, category_path=node.path if node else "",
                                  attribute_fields=self.catalog.attribute_fields,
                                  certification_types=self.catalog.certification_types) for sku in skus]
        values, documents, uris = read[0]
        infos: dict[str, ImageInfo] = {}
        with self.engine.begin() as conn:
            for uri in uris:
                row = conn.execute(select(images.c.info).where(images.c.uri == uri)).first()
                if row is None:
                    infos[uri] = ImageInfo(ref=uri, path=uri, found=False, reason="image_file_missing")
                else:
                    data = dict(row.info)
                    data["ref"] = uri
                    infos[uri] = ImageInfo(**data)
        now = dt.datetime.fromtimestamp(self.now(), dt.timezone.utc)
        run = RunContext(policy=self.policy, as_of=now.date(), datasets=self.datasets, documents=documents,
                         as_of_time=now)
        checker = Checker(run)
        per_sku: list[list[tuple[str, str, str]]] = []  # (finding code, field, where.field) per SKU
        for sku_values, _docs, _uris in read:
            result = checker.check(make_listing({k: v for k, v in sku_values.items() if v != ""}), infos)
            per_sku.append([(f.code, f.field, f.where.field) for f in result.findings
                            if f.severity.label == "error"])
        everywhere = set(per_sku[0]).intersection(*per_sku[1:])
        sync: list[tuple[str, int, str]] = [(v.key, v.code, _where(v)) for v in violations]
        review: list[tuple[str, int, str]] = []
        refused = {(p, _root(f)) for _, p, f in sync}
        named: set[tuple[str, str]] = set()
        for i, found in enumerate(per_sku):
            for finding_code, field_, base in found:
                code, stage = _finding_code(finding_code)
                if (code, base) in refused:
                    continue  # the field check already refused it
                where = field_ if (finding_code, field_, base) in everywhere or len(per_sku) == 1 \
                    else f"skus[{i}].{field_}"
                if (finding_code, where) in named:
                    continue
                named.add((finding_code, where))
                (sync if stage == "sync" else review).append((finding_code, code, where))
        return values.get("seller_sku", ""), sync, review

    def _image_uris(self) -> set[str]:
        with self.engine.begin() as conn:
            return {r.uri for r in conn.execute(select(images.c.uri))}

    def _file_ids(self) -> set[str]:
        with self.engine.begin() as conn:
            return {r.id for r in conn.execute(select(files.c.id))}

    def _message(self, code: int, what: str, field_: str) -> str:
        return f"{official_message(code, self.datasets)} [{what} at {field_}]"

    def _check_quota(self) -> None:
        limit = self.config.daily_upload_limit
        if limit is None:
            return
        now = self.now()
        day = now - now % 86400
        with self.engine.begin() as conn:
            used = len(conn.execute(select(products.c.id).where(products.c.create_time >= int(day))).all())
        if used >= limit:
            raise _Fail(QUOTA_CODE, f"{official_message(QUOTA_CODE, self.datasets)} [{used} of {limit} product "
                                    "uploads used today (UTC)]")

    # Files ----------------------------------------------------------------------------------------
    def upload_file(self, content: bytes, name: str) -> dict[str, Any]:
        endpoint = "POST /product/202309/files/upload"
        if not content:
            raise _Fail(12019103, official_message(12019103, self.datasets, endpoint))
        if not name.strip():
            raise _Fail(12019104, official_message(12019104, self.datasets, endpoint))
        stem, _, ext = name.rpartition(".")
        if not stem or "." in stem or " " in name or not name[0].isalnum():
            raise _Fail(36009004, "invalid param error: the file name must have one extension, no spaces and "
                                  "start with a letter or digit.", 400)
        if ext.upper() != "PDF" or not content.startswith(b"%PDF-"):
            raise _Fail(12019105, official_message(12019105, self.datasets, endpoint))
        most = self.policy.create_product.file_max_bytes
        if len(content) > most:
            allowed = self.policy.create_product.file_max_megabytes
            raise _Fail(12038005, f"{official_message(12038005, self.datasets, endpoint)} "
                                  f"[{len(content)} bytes; allowed: {allowed} MB]")
        digest = hashlib.sha256(content).hexdigest()
        file_id = "v" + digest[:31]
        with self._mutex, self.engine.begin() as conn:
            if conn.execute(select(files.c.id).where(files.c.id == file_id)).first() is None:
                conn.execute(insert(files).values(id=file_id, sha256=digest, name=name, format="PDF",
                                                  size=len(content), created=self.now()))
        return {"id": file_id, "url": f"https://sandbox.invalid/files/{file_id}", "name": name, "format": "PDF"}

    @staticmethod
    def _seller_skus(body: Any, first: str) -> list[str]:
        """Every seller SKU of the body, each once, in order (the platform locks per seller SKU);
        ``[first]`` when the body names none."""
        skus = [s for s in (body.get("skus") or []) if isinstance(s, Mapping)] if isinstance(body, Mapping) else []
        named = [str(s.get("seller_sku") or "").strip() for s in skus]
        out = list(dict.fromkeys(n for n in named if n))
        return out or ([first] if first else [])

    def _lock(self, skus: list[str]) -> None:
        """Refuse (``12052109``) when any seller SKU of the body is locked."""
        if not skus:
            return
        with self.engine.begin() as conn:
            rows = conn.execute(select(failures.c.seller_sku, failures.c.at)
                                .where(failures.c.seller_sku.in_(skus))).all()
        now = dt.datetime.fromtimestamp(self.now(), dt.timezone.utc)
        for sku in skus:
            times = [dt.datetime.fromtimestamp(r.at, dt.timezone.utc) for r in rows if r.seller_sku == sku]
            status = evaluate_lock(sku, times, now, self.lock_rule)
            if status.locked:
                until = status.locked_until.isoformat().replace("+00:00", "Z") if status.locked_until else ""
                raise _Fail(12052109, f"Seller SKU {sku} is locked by risk control until {until}: more than "
                                      f"{self.lock_rule.max_failures} failed submissions within "
                                      f"{self.lock_rule.window_hours:g} hours.")

    def _record_failure(self, skus: list[str], codes: list[int]) -> None:
        """One failed submission for every seller SKU of the body."""
        if not skus:
            return
        at = self.now()
        with self.engine.begin() as conn:
            conn.execute(insert(failures), [{"seller_sku": sku, "at": at, "codes": codes} for sku in skus])

    def _refusal(self, sync: list[tuple[str, int, str]]) -> _Fail:
        first = sync[0]
        reasons = [{"code": p, "message": self._message(p, c, f)} for c, p, f in sync]
        more = f" (+{len(sync) - 1} more in data.fail_reasons)" if len(sync) > 1 else ""
        return _Fail(first[1], self._message(first[1], first[0], first[2]) + more, data={"fail_reasons": reasons})

    def listing_check(self, body: Mapping[str, Any]) -> dict[str, Any]:
        # The 2026 answer: check_result PASS / FAILED, fail_reasons with Create Product's codes,
        # warnings, pre_check_results (listing_quality and diagnoses are deprecated).
        _, sync, review = self.audit(body)
        reasons = [{"code": p, "message": self._message(p, c, f)} for c, p, f in [*sync, *review]]
        return {"check_result": "FAILED" if reasons else "PASS", "fail_reasons": reasons,
                "warnings": {"message": "Your product will not be sent for review." if reasons else ""},
                "pre_check_results": []}

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        key = body.get("idempotency_key") if isinstance(body, Mapping) else None
        with self._mutex:
            if key:
                with self.engine.begin() as conn:
                    row = conn.execute(select(products).where(products.c.idempotency_key == str(key))).first()
                if row is not None:
                    return self._created(row.id, row.seller_sku, row.body)
            sku, sync, review = self.audit(body)
            skus = self._seller_skus(body, sku)
            self._lock(skus)
            if sync:
                self._record_failure(skus, [p for _, p, _ in sync])
                raise self._refusal(sync)
            self._check_quota()
            if review:
                self._record_failure(skus, [p for _, p, _ in review])
            product_id = self._new_id()
            now = self.now()
            with self.engine.begin() as conn:
                conn.execute(insert(products).values(
                    id=product_id, seller_sku=sku, idempotency_key=str(key) if key else None, body=dict(body),
                    status="PENDING", final_status="FAILED" if review else "ACTIVATE",
                    audit_reasons=[[c, p, f] for c, p, f in review], audit_ready_at=now + self.config.audit_seconds,
                    notified=False, create_time=int(now), update_time=int(now)))
            return self._created(product_id, sku, body)

    @staticmethod
    def _sku_entries(product_id: str, body: Any) -> list[tuple[str, Mapping[str, Any]]]:
        """``(sku id, entry)`` of every SKU of a stored body: ids follow the product's."""
        skus = [s for s in (body or {}).get("skus") or [] if isinstance(s, Mapping)] if isinstance(body, Mapping) \
            else []
        return [(str(int(product_id) + 1 + i), s) for i, s in enumerate(skus)]

    def _created(self, product_id: str, sku: str, body: Any = None) -> dict[str, Any]:
        entries = self._sku_entries(product_id, body) or [(str(int(product_id) + 1), {"seller_sku": sku})]
        return {"product_id": product_id,
                "skus": [{"id": i, "seller_sku": str(s.get("seller_sku") or ""),
                          "sales_attributes": [{"id": str(a.get("id") or ""), "value_id": str(a.get("value_id") or "")}
                                               for a in s.get("sales_attributes") or [] if isinstance(a, Mapping)]}
                         for i, s in entries],
                "warnings": [], "audit": {"status": "AUDITING"}}

    def edit(self, product_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        with self._mutex:
            row = self._product_row(product_id)
            sku, sync, review = self.audit(body)
            skus = self._seller_skus(body, sku)
            self._lock(skus)
            if sync:
                self._record_failure(skus, [p for _, p, _ in sync])
                raise self._refusal(sync)
            if review:
                self._record_failure(skus, [p for _, p, _ in review])
            now = self.now()
            with self.engine.begin() as conn:
                conn.execute(update(products).where(products.c.id == row.id).values(
                    seller_sku=sku, body=dict(body), status="PENDING",
                    final_status="FAILED" if review else "ACTIVATE",
                    audit_reasons=[[c, p, f] for c, p, f in review],
                    audit_ready_at=now + self.config.audit_seconds, update_time=int(now)))
            return self._created(row.id, sku, body)

    def _product_row(self, product_id: str) -> Any:
        with self.engine.begin() as conn:
            row = conn.execute(select(products).where(products.c.id == product_id)).first()
            if row is None:
                raise _Fail(12052032, "The product does not exist.")
            if row.status == "PENDING" and self.now() >= row.audit_ready_at:
                conn.execute(update(products).where(products.c.id == row.id).values(
                    status=row.final_status, update_time=int(max(self.now(), row.update_time))))
                row = conn.execute(select(products).where(products.c.id == product_id)).first()
        return row

    def product_view(self, row: Any) -> dict[str, Any]:
        body = row.body or {}
        audit_status = {"PENDING": "AUDITING", "FAILED": "FAILED", "ACTIVATE": "APPROVED"}.get(row.status, "NONE")
        node = self.catalog.get(str(body.get("category_id", "")))
        view: dict[str, Any] = {
            "id": row.id, "status": row.status, "title": body.get("title", ""),
            "category_chains": ([{"id": node.id, "parent_id": node.parent_id, "local_name": node.name,
                                  "is_leaf": node.is_leaf}] if node else []),
            "main_images": [{"uri": i.get("uri", ""), "urls": [], "thumb_urls": []}
                            for i in body.get("main_images") or [] if isinstance(i, Mapping)],
            "skus": [{"id": i, "seller_sku": str(s.get("seller_sku") or ""),
                      "price": {"tax_exclusive_price": (s.get("price") or {}).get("amount", ""), "currency": "USD"},
                      "inventory": s.get("inventory") or [],
                      "sales_attributes": [dict(a) for a in s.get("sales_attributes") or [] if isinstance(a, Mapping)]}
                     for i, s in self._sku_entries(row.id, body)],
            "audit": {"status": audit_status}, "create_time": row.create_time, "update_time": row.update_time,
        }
        if row.status == "FAILED":
            view["audit_failed_reasons"] = [{"position": f, "reasons": [f"{official_message(p, self.datasets)} ({p})"],
                                             "suggestions": [f"shelfcheck explain {c}"],
                                             "listing_platform": "TIKTOK_SHOP"} for c, p, f in row.audit_reasons]
        return view

    def get_product(self, product_id: str) -> dict[str, Any]:
        return self.product_view(self._product_row(product_id))

    def search(self, body: Mapping[str, Any]) -> dict[str, Any]:
        skus = [str(s) for s in (body.get("seller_skus") or [])] if isinstance(body, Mapping) else []
        status = str(body.get("status", "ALL")) if isinstance(body, Mapping) else "ALL"
        with self.engine.begin() as conn:
            query = select(products.c.id, products.c.body)
            wanted = set(skus)
            ids = [r.id for r in conn.execute(query.order_by(products.c.create_time, products.c.id))
                   if not wanted or wanted & {str(e.get("seller_sku") or "")
                                              for _, e in self._sku_entries(r.id, r.body)}]
        rows = [self._product_row(i) for i in ids]
        found = [self.product_view(r) for r in rows if status in ("ALL", r.status)]
        return {"total_count": len(found), "products": found, "next_page_token": ""}

    def inventory(self, product_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        row = self._product_row(product_id)
        if row.status != "ACTIVATE":
            raise _Fail(12052901, f"The product status {row.status} does not allow this operation.")
        errors = []
        new_body = json.loads(json.dumps(row.body))
        positions = {i: n for n, (i, _) in enumerate(self._sku_entries(row.id, new_body))}
        for sku in (body.get("skus") or []) if isinstance(body, Mapping) else []:
            inv = sku.get("inventory") or [{}]
            qty = inv[0].get("quantity")
            sku_id = str(sku.get("id"))
            if sku_id not in positions:
                errors.append({"code": 12052990, "message": "Check failed",
                               "detail": {"sku_id": sku_id, "extra_errors": [
                                   {"warehouse_id": "", "code": 12019150, "message": "The SKU does not exist."}]}})
            elif not isinstance(qty, int) or not 0 <= qty <= 99999:
                errors.append({"code": 12052055, "message": "The quantity must be within 0 and 99999.",
                               "detail": {"sku_id": sku_id, "extra_errors": []}})
            else:
                entry = new_body["skus"][positions[sku_id]]
                warehouse = (entry.get("inventory") or [{}])[0].get("warehouse_id")
                entry["inventory"] = [{"quantity": qty, **({"warehouse_id": warehouse} if warehouse else {})}]
        with self.engine.begin() as conn:
            conn.execute(update(products).where(products.c.id == row.id).values(body=new_body))
        return {"errors": errors}

    def all_products(self) -> list[dict[str, Any]]:
        with self.engine.begin() as conn:
            ids = [r.id for r in conn.execute(select(products.c.id).order_by(products.c.id))]
        return [self.product_view(self._product_row(i)) for i in ids]


def make_listing(values: Mapping[str, str], row: int = 2, base_dir: Path | None = None) -> Listing:
    """A :class:`~shelfcheck.model.Listing` holding ``values`` (as if read from a file)."""
    import dataclasses

    names = {f.name for f in dataclasses.fields(Listing)}
    kwargs: dict[str, Any] = {"row": row, "values": dict(values), "columns": {k: k for k in values},
                              "base_dir": base_dir or Path.cwd()}
    if "raw" in names:
        kwargs["raw"] = dict(values)
    if "cells" in names:
        kwargs["cells"] = list(values.values())
    if "header" in names:
        kwargs["header"] = list(values)
    return Listing(**kwargs)


def _where(v: Any) -> str:
    """A violation's field, with its value and limit (for the message)."""
    text = v.field or "body"
    if v.value:
        text += f" = {v.value}"
    if v.limit:
        text += f" (allowed: {v.limit})"
    return text


def _root(field_: str) -> str:
    return re.split(r"[.\[ ]", field_ or "", maxsplit=1)[0]


def _request_id() -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + pysecrets.token_hex(9).upper()


def _envelope(code: int, message: str, data: Any = None, http: int = 200) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "request_id": _request_id(), "data": data},
                        status_code=http)


def create_app(config: SandboxConfig | None = None) -> FastAPI:
    """The sandbox as an ASGI app (``uvicorn`` serves it; tests may use it directly)."""
    from shelfcheck.tiktok.errors import install_log_redaction

    install_log_redaction()
    sandbox = Sandbox(config or SandboxConfig.from_env())
    app = FastAPI(title="shelfcheck sandbox (TikTok Shop Open API emulator)", docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.sandbox = sandbox
    limits = sandbox.config.limits
    app.add_middleware(BodyCap, limit=limits.max_body_bytes, drain=limits.max_drain_bytes)
    app.add_middleware(AdminGate, token=sandbox.config.admin_token)  # outermost: before the body

    @app.get("/_sandbox/health")
    async def health() -> JSONResponse:
        return _envelope(0, "Success", {"status": "ok", "app_key": sandbox.config.app_key})

    @app.get("/_sandbox/products")
    async def list_products() -> JSONResponse:
        return _envelope(0, "Success", {"products": sandbox.all_products()})

    @app.post("/_sandbox/faults")
    async def faults(request: Request) -> JSONResponse:
        try:
            spec = json_body(await request.body(), limits)
            if not isinstance(spec, dict):
                raise _Fail(36009004, "invalid param error: the body must be a JSON object.", 400)
            code, http, count = (int(spec.get("code", 36009002)), int(spec.get("http", 200)),
                                 int(spec.get("count", 1)))
            if not 100 <= http <= 599:
                raise _Fail(36009004, "invalid param error: http must be an HTTP status.", 400)
        except (TypeError, ValueError, OverflowError):
            return _envelope(36009004, "invalid param error: code, http and count must be integers.", http=400)
        except Refusal as fail:
            return _envelope(fail.code, fail.message, fail.data, fail.http)
        sandbox.add_faults(code, http, count, str(spec.get("message", "Injected fault.")))
        return _envelope(0, "Success", {"queued": len(sandbox._faults)})

    @app.post("/_sandbox/expire_tokens")
    async def expire_tokens() -> JSONResponse:
        return _envelope(0, "Success", {"expired": sandbox.expire_access_tokens()})

    @app.api_route("/{full_path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    async def gateway(full_path: str, request: Request) -> JSONResponse:
        path = "/" + full_path
        matches = [(r, m) for r in _ROUTES if (m := r.pattern.fullmatch(path))]
        if not matches:
            return _envelope(36009009, "Invalid path: no endpoint has this path.", http=404)
        chosen = next(((r, m) for r, m in matches if r.method == request.method), None)
        if chosen is None:
            return _envelope(36009010, "Invalid method: this endpoint does not accept "
                                       f"{request.method}.", http=405)
        route, match = chosen
        if sandbox.config.latency:
            await asyncio.sleep(sandbox.config.latency)
        query = dict(parse_qsl(request.url.query, keep_blank_values=True))
        raw = await request.body()
        try:
            sandbox.gate(route, path, query, request.headers, raw)
            data = await _dispatch(sandbox, route, match, query, request, raw)
        except Refusal as fail:
            return _envelope(fail.code, fail.message, fail.data, fail.http)
        except Exception:  # a bug in the emulator: answer like the platform's internal error
            log.exception("sandbox: %s %s failed", request.method, path)
            return _envelope(36009003, "Internal error: please retry later.", http=500)
        return _envelope(0, "Success", data)

    return app


async def _uploaded(sandbox: Sandbox, request: Request, *names: str) -> tuple[bytes, str | None, dict[str, Any]]:
    """The ``data`` part of a multipart upload (its bytes and file name) and the form fields
    ``names``; a request that is not multipart, or has no data part, fails as the platform does."""
    if not is_multipart(request.headers.get("content-type")):
        raise _Fail(36009023, "Invalid request format: the content-type must be multipart/form-data.", 400)
    form = await multipart_form(request, sandbox.config.limits)
    try:
        part = form.get("data")
        if part is None or isinstance(part, str):
            raise _Fail(12038002, "Invalid upload file: the data part is missing.")
        return await part.read(), part.filename, {n: form.get(n) for n in names}
    finally:
        await form.close()


async def _dispatch(sandbox: Sandbox, route: _Route, match: re.Match[str], query: dict[str, str],
                    request: Request, raw: bytes) -> Any:
    name = route.handler
    if name == "file_upload":
        content, file_name, fields = await _uploaded(sandbox, request, "name")
        return sandbox.upload_file(content, str(fields["name"] or file_name or ""))
    if name == "upload":
        content, _, fields = await _uploaded(sandbox, request, "use_case")
        return sandbox.upload(content, str(fields["use_case"] or "MAIN_IMAGE"))
    body: Any = None
    if route.method in ("POST", "PUT"):
        if raw and "json" not in (request.headers.get("content-type") or ""):
            raise _Fail(36009022, "Invalid request format: the body must be application/json.", 400)
        body = json_body(raw, sandbox.config.limits) if raw else {}
    ident = match.groupdict().get("id", "")
    if name == "shops":
        return sandbox.shops()
    if name == "categories":
        return sandbox.categories(query)
    if name == "rules":
        return sandbox.catalog.rules(sandbox._node(ident))
    if name == "attributes":
        return sandbox.catalog.attributes(sandbox._node(ident))
    if name == "prerequisites":
        return sandbox.prerequisites()
    if name == "brands":
        return sandbox.brands(query)
    if name == "warehouses":
        return sandbox.warehouses()
    if name == "listing_check":
        return sandbox.listing_check(body)
    if name == "create":
        return sandbox.create(body)
    if name == "edit":
        return sandbox.edit(ident, body)
    if name == "get_product":
        return sandbox.get_product(ident)
    if name == "search":
        return sandbox.search(body)
    if name == "inventory":
        return sandbox.inventory(ident, body)
    if name == "token_get":
        return sandbox.token_get(query)
    if name == "token_refresh":
        return sandbox.token_refresh(query)
    if name == "authorize":
        return sandbox.authorize(query)
    raise _Fail(36009009, "Invalid path.", 404)  # pragma: no cover - every route has a handler
