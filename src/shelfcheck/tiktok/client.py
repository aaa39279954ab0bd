"""A small, strict TikTok Shop Open API client (httpx).

* Every request is signed (:mod:`shelfcheck.tiktok.signing`) with a fresh timestamp; JSON bodies
  are serialised once and the same bytes are signed and sent; multipart bodies are not signed.
* The access token goes in the ``x-tts-access-token`` header, never in the query.
* ``shop_cipher`` is sent only where the platform accepts it (:func:`cipher_allowed`): never to
  file/image uploads, global products or categories, compliance, brand creation, authorization,
  seller or token paths.
* Responses are the ``{code, message, request_id, data}`` envelope; a non-zero code becomes a
  typed :class:`~shelfcheck.tiktok.errors.ApiError` carrying the ``request_id``.
* An expired token is refreshed once and the call retried; rate limits, timeouts and server
  errors are retried with exponential backoff and jitter, a bounded number of times; signature,
  clock, permission and validation errors are never retried.
* Nothing secret is logged: URLs and messages pass through :func:`~shelfcheck.tiktok.errors.redact`.
"""

from __future__ import annotations

import json as jsonlib
import logging
import os
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from shelfcheck.errors import Msg
from shelfcheck.tiktok.errors import (
    ApiError,
    ConfigurationError,
    Kind,
    ReauthorizationRequired,
    TransportError,
    error_for,
    redact,
)
from shelfcheck.tiktok.models import (
    AttributesData,
    BrandsData,
    CategoriesData,
    CategoryRulesData,
    CreateProductData,
    Envelope,
    InventoryUpdateData,
    ListingCheckData,
    PrerequisitesData,
    UploadedFile,
    ProductData,
    SearchProductsData,
    ShopsData,
    UploadedImage,
    WarehousesData,
)
from shelfcheck.tiktok.signing import query_value, sign_request

__all__ = [
    "DEFAULT_BASE_URL",
    "ApiClient",
    "Credentials",
    "RetryPolicy",
    "StaticToken",
    "TokenSource",
    "cipher_allowed",
    "parse_envelope",
]

log = logging.getLogger("shelfcheck.tiktok")

DEFAULT_BASE_URL = "https://open-api.tiktokglobalshop.com"
_LOOPBACK = ("127.", "localhost", "[::1]", "::1")

M = TypeVar("M", bound=BaseModel)

# Paths that must NOT carry shop_cipher (the platform answers 36009004 "unexpected identifier").
_NO_CIPHER = (
    re.compile(r"^/authorization/"),
    re.compile(r"^/seller/"),
    re.compile(r"^/api/v2/token/"),
    re.compile(r"^/product/\d+/(files|images)/upload$"),
    re.compile(r"^/product/\d+/compliance(/|$)"),
    re.compile(r"^/product/\d+/global_"),
    re.compile(r"^/product/\d+/categories/[^/]+/global_"),
)


def cipher_allowed(path: str, method: str = "GET") -> bool:
    """True when ``shop_cipher`` may be sent to ``method path``."""
    if any(p.search(path) for p in _NO_CIPHER):
        return False
    if method.upper() == "POST" and re.fullmatch(r"/product/\d+/brands", path):
        return False
    return True


@dataclass
class Credentials:
    """App and shop credentials. ``repr`` never shows a secret."""

    app_key: str
    app_secret: str = field(repr=False)
    access_token: str | None = field(default=None, repr=False)
    shop_cipher: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, need_token: bool = False) -> Credentials:
        """Read ``SHELFCHECK_APP_KEY``, ``…_APP_SECRET``, ``…_ACCESS_TOKEN``, ``…_SHOP_CIPHER``."""
        env = os.environ if env is None else env
        key = env.get("SHELFCHECK_APP_KEY", "").strip()
        secret = env.get("SHELFCHECK_APP_SECRET", "").strip()
        missing = [name for name, value in (("SHELFCHECK_APP_KEY", key), ("SHELFCHECK_APP_SECRET", secret))
                   if not value]
        token = env.get("SHELFCHECK_ACCESS_TOKEN", "").strip() or None
        if need_token and not token:
            missing.append("SHELFCHECK_ACCESS_TOKEN")
        if missing:
            raise ConfigurationError(None, Msg("api_set_env", names=", ".join(missing)))
        return cls(key, secret, token, env.get("SHELFCHECK_SHOP_CIPHER", "").strip() or None)

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.app_secret, self.access_token) if s]


class TokenSource(Protocol):
    """Where the client gets its access token, and how it gets a new one."""

    def access_token(self) -> str | None:
        """The current access token (refreshed first when it is about to expire)."""

    def refresh(self) -> str:
        """Get a new access token now; raise ReauthorizationRequired when that is impossible."""

    def secrets(self) -> list[str]:
        """Secret values to scrub from any message."""


class StaticToken:
    """A fixed access token (from the environment). It cannot be refreshed."""

    def __init__(self, token: str | None) -> None:
        self._token = token

    def access_token(self) -> str | None:
        return self._token

    def refresh(self) -> str:
        raise ReauthorizationRequired(105002, Msg("api_token_expired_static"), hint=Msg("api_hint_refresh_static"))

    def secrets(self) -> list[str]:
        return [self._token] if self._token else []

    def __repr__(self) -> str:
        return "StaticToken(***)"


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter: delay n ∈ [d/2, d], d = min(cap, base·2ⁿ)."""

    max_attempts: int = 5
    base: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
        d = min(self.cap, self.base * (2 ** attempt))
        wait = d / 2 + rng.random() * d / 2
        if retry_after is not None:
            wait = max(wait, min(self.cap, retry_after))
        return wait


def parse_envelope(payload: Any) -> Envelope:
    """Validate the ``{code, message, request_id, data}`` envelope of a decoded body."""
    return Envelope.model_validate(payload)


def _parse(model: type[M], data: Any, path: str, request_id: str) -> M:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ApiError(None, Msg("api_unexpected_data", where=where, problem=first.get("msg")),
                       request_id=request_id, path=path) from None


class ApiClient:
    """Signed calls to the Open API (or to the local sandbox, given its ``base_url``).

    Args:
        credentials: app key and secret, and optionally a token and shop cipher.
        base_url: the gateway; ``http://`` only for loopback addresses (the sandbox).
        token: where to get and refresh the access token (default: the credentials' token).
        transport: an httpx transport (tests pass :class:`httpx.MockTransport`).
        retry: the retry policy for rate limits and transient failures.
        sleep, clock, rng: injectable for tests.
    """

    def __init__(self, credentials: Credentials, *, base_url: str = DEFAULT_BASE_URL,
                 token: TokenSource | None = None, transport: httpx.BaseTransport | None = None,
                 retry: RetryPolicy | None = None, timeout: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None) -> None:
        self.credentials = credentials
        self.base_url = check_base_url(base_url)
        self.token = token if token is not None else StaticToken(credentials.access_token)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._http = httpx.Client(base_url=self.base_url, transport=transport, timeout=timeout,
                                  headers={"user-agent": "shelfcheck"})

    # Plumbing ----------------------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ApiClient(base_url={self.base_url!r}, app_key={self.credentials.app_key!r})"

    @property
    def secrets(self) -> list[str]:
        return [*self.credentials.secrets, *self.token.secrets()]

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                json: Any = None, files: Mapping[str, Any] | None = None,
                form: Mapping[str, str] | None = None, shop: bool = True) -> Envelope:
        """Send one signed request and return its envelope (``code == 0``), or raise ApiError."""
        method = method.upper()
        body: bytes | None = None
        content_type: str | None = None
        if json is not None:
            body = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            content_type = "application/json"
        elif files is not None:
            content_type = "multipart/form-data"
        refreshed = False
        attempt = 0
        while True:
            query: dict[str, str] = {k: query_value(v) for k, v in (params or {}).items() if v is not None}
            query["app_key"] = self.credentials.app_key
            query["timestamp"] = str(int(self._clock()))
            if shop and self.credentials.shop_cipher and cipher_allowed(path, method):
                query["shop_cipher"] = self.credentials.shop_cipher
            query["sign"] = sign_request(self.credentials.app_secret, path, query, body, content_type).sign
            headers = {}
            token = self.token.access_token()
            if token:
                headers["x-tts-access-token"] = token
            if body is not None:
                headers["content-type"] = "application/json"
            try:
                error, envelope = self._send(method, path, query, headers, body, files, form)
            except httpx.HTTPError as exc:
                error = TransportError(None, Msg("api_transport", error=exc.__class__.__name__, problem=str(exc)),
                                       path=path, secrets=self.secrets)
                envelope = None
            if error is None:
                assert envelope is not None
                return envelope
            log.info("%s %s failed: %s", method, path, error)
            if error.kind is Kind.AUTH_EXPIRED and not refreshed:
                refreshed = True
                try:
                    self.token.refresh()
                except ApiError as exc:
                    if isinstance(exc, ReauthorizationRequired):
                        raise
                    raise ReauthorizationRequired(
                        exc.code, Msg("api_refresh_failed", message=exc.message),
                        request_id=exc.request_id or error.request_id, path=path,
                        hint=Msg("api_hint_reauthorize"),
                        secrets=self.secrets) from None
                continue
            if error.kind is Kind.AUTH_EXPIRED:
                raise ReauthorizationRequired(
                    error.code, Msg("api_token_still_refused", message=error.message),
                    request_id=error.request_id, http_status=error.http_status, path=path,
                    hint=Msg("api_hint_reauthorize_erp"), secrets=self.secrets)
            attempt += 1
            if error.retryable and attempt < self.retry.max_attempts:
                wait = self.retry.delay(attempt - 1, self._rng, getattr(error, "retry_after", None))
                log.info("retrying %s %s in %.2fs (attempt %d of %d)", method, path, wait,
                         attempt + 1, self.retry.max_attempts)
                self._sleep(wait)
                continue
            raise error

    def _send(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
              body: bytes | None, files: Mapping[str, Any] | None,
              form: Mapping[str, str] | None) -> tuple[ApiError | None, Envelope | None]:
        log.debug("→ %s %s?%s", method, path, redact("&".join(f"{k}={v}" for k, v in query.items()),
                                                      self.secrets))
        response = self._http.request(method, path, params=query, headers=headers, content=body,
                                      files=files, data=form)
        status = response.status_code
        try:
            envelope = parse_envelope(response.json())
        except (ValueError, ValidationError):
            text = " ".join(response.text.split())[:200]
            message = Msg("api_not_envelope_text", status=status, text=text) if text else Msg("api_http", status=status)
            err = error_for(None, message, http_status=status, path=path, secrets=self.secrets)
            err.retry_after = _retry_after(response)  # type: ignore[attr-defined]
            return err, None
        log.debug("← %s %s HTTP %d code %d request_id %s", method, path, status, envelope.code,
                  envelope.request_id)
        if envelope.code == 0 and status < 400:
            return None, envelope
        err = error_for(envelope.code if envelope.code != 0 else None, envelope.message,
                        request_id=envelope.request_id, http_status=status, path=path,
                        secrets=self.secrets)
        err.retry_after = _retry_after(response)  # type: ignore[attr-defined]
        return err, None

    def _call(self, model: type[M], method: str, path: str, **kwargs: Any) -> M:
        envelope = self.request(method, path, **kwargs)
        result = _parse(model, envelope.data, path, envelope.request_id)
        if "request_id" in type(result).model_fields:
            result.request_id = envelope.request_id  # type: ignore[attr-defined]
        return result

    # Authorization -----------------------------------------------------------------------------
    def get_authorized_shops(self) -> ShopsData:
        """``GET /authorization/202309/shops`` — the shops this token covers, with their ciphers."""
        return self._call(ShopsData, "GET", "/authorization/202309/shops", shop=False)

    # Categories --------------------------------------------------------------------------------
    def get_categories(self, *, locale: str = "en-US", keyword: str | None = None,
                       category_version: str = "v2", listing_platform: str | None = None,
                       include_prohibited_categories: bool | None = None) -> CategoriesData:
        """``GET /product/202309/categories``."""
        return self._call(CategoriesData, "GET", "/product/202309/categories", params={
            "locale": locale, "keyword": keyword, "category_version": category_version,
            "listing_platform": listing_platform,
            "include_prohibited_categories": include_prohibited_categories})

    def get_category_rules(self, category_id: str, *, locale: str = "en-US",
                           category_version: str = "v2") -> CategoryRulesData:
        """``GET /product/202309/categories/{category_id}/rules``."""
        return self._call(CategoryRulesData, "GET", f"/product/202309/categories/{_seg(category_id)}/rules",
                          params={"locale": locale, "category_version": category_version})

    def get_attributes(self, category_id: str, *, locale: str = "en-US",
                       category_version: str = "v2") -> AttributesData:
        """``GET /product/202309/categories/{category_id}/attributes``."""
        return self._call(AttributesData, "GET",
                          f"/product/202309/categories/{_seg(category_id)}/attributes",
                          params={"locale": locale, "category_version": category_version})

    def get_brands(self, *, category_id: str | None = None, brand_name: str | None = None,
                   is_authorized: bool | None = None, page_size: int = 100,
                   page_token: str | None = None) -> BrandsData:
        """``GET /product/202309/brands`` — the brands a category may use (by name when given)."""
        return self._call(BrandsData, "GET", "/product/202309/brands", params={
            "category_id": category_id, "brand_name": brand_name, "is_authorized": is_authorized,
            "page_size": page_size, "page_token": page_token, "category_version": "v2"})

    def get_warehouses(self) -> WarehousesData:
        """``GET /logistics/202309/warehouses`` — the shop's warehouses (ids for SKU inventory)."""
        return self._call(WarehousesData, "GET", "/logistics/202309/warehouses")

    def get_prerequisites(self) -> PrerequisitesData:
        """``GET /product/202312/prerequisites`` — shop-level readiness to list."""
        return self._call(PrerequisitesData, "GET", "/product/202312/prerequisites")

    # Products ----------------------------------------------------------------------------------
    def upload_image(self, content: bytes, *, use_case: str = "MAIN_IMAGE",
                     filename: str = "image.jpg", mime: str = "application/octet-stream") -> UploadedImage:
        """``POST /product/202309/images/upload`` (multipart ``data`` + ``use_case``; no cipher)."""
        return self._call(UploadedImage, "POST", "/product/202309/images/upload",
                          files={"data": (filename, content, mime)}, form={"use_case": use_case},
                          shop=False)

    def upload_file(self, content: bytes, *, name: str, mime: str = "application/pdf") -> UploadedFile:
        """``POST /product/202309/files/upload`` (multipart ``data`` + ``name`` with its extension;
        no cipher): a certificate PDF (≤ 20 MB) for a certification's ``files``."""
        return self._call(UploadedFile, "POST", "/product/202309/files/upload",
                          files={"data": (name, content, mime)}, form={"name": name}, shop=False)

    def check_listing(self, body: Mapping[str, Any]) -> ListingCheckData:
        """``POST /product/202309/products/listing_check`` with the exact Create Product body."""
        return self._call(ListingCheckData, "POST", "/product/202309/products/listing_check", json=dict(body))

    def create_product(self, body: Mapping[str, Any]) -> CreateProductData:
        """``POST /product/202309/products``. Send an ``idempotency_key`` so a retry is safe."""
        return self._call(CreateProductData, "POST", "/product/202309/products", json=dict(body))

    def edit_product(self, product_id: str, body: Mapping[str, Any]) -> CreateProductData:
        """``PUT /product/202509/products/{product_id}`` — resubmit a product (re-audited)."""
        return self._call(CreateProductData, "PUT", f"/product/202509/products/{_seg(product_id)}",
                          json=dict(body))

    def get_product(self, product_id: str, *, return_under_review_version: bool | None = None) -> ProductData:
        """``GET /product/202309/products/{product_id}``."""
        return self._call(ProductData, "GET", f"/product/202309/products/{_seg(product_id)}",
                          params={"return_under_review_version": return_under_review_version})

    def search_products(self, *, seller_skus: list[str] | None = None, status: str = "ALL",
                        page_size: int = 20, page_token: str | None = None) -> SearchProductsData:
        """``POST /product/202502/products/search`` (``seller_skus``: at most 10)."""
        body: dict[str, Any] = {"status": status}
        if seller_skus:
            body["seller_skus"] = list(seller_skus)[:10]
        return self._call(SearchProductsData, "POST", "/product/202502/products/search",
                          params={"page_size": page_size, "page_token": page_token}, json=body)

    def update_inventory(self, product_id: str, skus: list[Mapping[str, Any]]) -> InventoryUpdateData:
        """``POST /product/202309/products/{product_id}/inventory/update``.

        The call succeeds as a whole while single SKUs may fail: read ``errors`` of the result.
        """
        return self._call(InventoryUpdateData, "POST",
                          f"/product/202309/products/{_seg(product_id)}/inventory/update",
                          json={"skus": [dict(s) for s in skus]})


def _seg(value: str) -> str:
    text = str(value)
    if not text or "/" in text or "?" in text or "#" in text:
        raise ConfigurationError(None, Msg("api_bad_id", id=text))
    return text


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def check_base_url(url: str) -> str:
    """The gateway URL without a trailing slash; plain HTTP only for loopback hosts.

    Raises:
        ConfigurationError: not a well-formed http(s) URL (a bracket left open, a port out of range,
            no host, spaces or control characters), plain http to a remote host, or a query.
    """
    text = url.strip()
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise ConfigurationError(None, Msg("api_url_spaces", url=url))
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port  # both parse (and may refuse) the authority
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", …
        raise ConfigurationError(None, Msg("api_url_malformed", url=url, problem=str(exc))) from None
    if parts.scheme not in ("http", "https") or not parts.netloc or not host:
        raise ConfigurationError(None, Msg("api_url_not_http", url=url))
    if port == 0:
        raise ConfigurationError(None, Msg("api_url_port_0", url=url))
    if parts.scheme == "http" and not (parts.hostname or "").startswith(_LOOPBACK) \
            and parts.hostname not in ("localhost", "::1"):
        raise ConfigurationError(None, Msg("api_url_https_only", url=url))
    if parts.query or parts.fragment:
        raise ConfigurationError(None, Msg("api_url_query", url=url))
    return url.strip().rstrip("/")
