"""Webhook receiver: verify the signature, drop duplicates, record product status and audits.

The platform signs each delivery: the ``Authorization`` header holds lowercase hex
HMAC-SHA256(key=app_secret, msg=app_key + raw body) — computed on the raw bytes, never on
re-serialised JSON. Deliveries are retried (so duplicates happen): each notification is handled
once, by ``tts_notification_id``.

Recorded in the ledger: every accepted notification (``webhook_notifications``); for product
status changes (type 5) and product audit status changes (type 37), the product's new status or
audit status (``platform_products``). An audit that *failed* for a product whose seller SKU the
ledger knows is also recorded as a failed attempt of that SKU (the repeat-failure guard counts
it), once per notification.

Fail closed: a body over the cap (413), JSON nested deeper than the limit or holding NaN, a
``type`` that is not a whole number, or a ``timestamp`` that is not Unix seconds within
:data:`TIMESTAMP_RANGE` (``1e20``, ``-1e18``, ``NaN``, a string) is refused with 400 — never a 500.
The limits are :class:`~shelfcheck.tiktok.limits.RequestLimits` (:data:`WEBHOOK_LIMITS` by default).

:func:`handle_webhook` is the library function; :func:`router` mounts it on FastAPI.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shelfcheck.errors import ShelfcheckError
from shelfcheck.tiktok import records
from shelfcheck.tiktok.limits import (BodyTooLarge, JsonRefused, RequestLimits, declared_length,
                                      integer_in_range, loads_bounded, read_capped)
from shelfcheck.tiktok.signing import verify_webhook

__all__ = ["PRODUCT_AUDIT_STATUS_CHANGE", "PRODUCT_STATUS_CHANGE", "TIMESTAMP_RANGE", "WEBHOOK_LIMITS",
           "WebhookError", "WebhookResult", "handle_webhook", "router"]

log = logging.getLogger("shelfcheck.tiktok.webhooks")

PRODUCT_STATUS_CHANGE = 5
PRODUCT_AUDIT_STATUS_CHANGE = 37
_FAILED_AUDIT = {"FAILED", "REJECTED", "AUDIT_FAILED"}
# A notification is a small JSON object (the platform's samples are under 2 KB).
WEBHOOK_LIMITS = RequestLimits(max_body_bytes=1024 * 1024, max_json_depth=32)
# Unix seconds a notification's timestamp may hold: not negative, and before 2100.
TIMESTAMP_RANGE = (0, 4102444799)
_TYPE_RANGE = (0, 2**31 - 1)


class WebhookError(ShelfcheckError):
    """A delivery that is refused: bad signature (``status`` 401) or not a notification (400)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class WebhookResult:
    """What happened to one delivery."""

    notification_id: str
    type: int
    duplicate: bool
    product_id: str | None = None
    status: str | None = None


def handle_webhook(raw_body: bytes, authorization: str | None, *, app_key: str, app_secret: str,
                   ledger: Any, limits: RequestLimits = WEBHOOK_LIMITS) -> WebhookResult:
    """Verify, deduplicate and record one webhook delivery.

    Raises:
        WebhookError: the signature does not match (401), the body is too large (413) or it is not
            a notification within the limits (400).
    """
    if len(raw_body) > limits.max_body_bytes:
        raise WebhookError(f"webhook body larger than {limits.max_body_bytes} bytes", 413)
    if not verify_webhook(app_key, app_secret, raw_body, authorization):
        raise WebhookError("webhook signature does not match (Authorization must be the lowercase hex "
                           "HMAC-SHA256 of app_key + raw body, keyed with the app secret)", 401)
    try:
        payload = loads_bounded(raw_body, limits.max_json_depth)
    except JsonRefused as exc:
        raise WebhookError(f"not a webhook notification: {exc}", 400) from None
    if not isinstance(payload, dict) or "type" not in payload or "tts_notification_id" not in payload:
        raise WebhookError("not a webhook notification: type and tts_notification_id are required", 400)
    type_ = integer_in_range(payload["type"], *_TYPE_RANGE)
    if type_ is None:
        raise WebhookError("not a webhook notification: type must be a whole number", 400)
    if isinstance(payload["tts_notification_id"], (dict, list)):
        raise WebhookError("not a webhook notification: tts_notification_id must be a string", 400)
    notification_id = str(payload["tts_notification_id"]).strip()
    if not notification_id:
        raise WebhookError("not a webhook notification: tts_notification_id is empty", 400)
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    stamp = payload.get("timestamp")
    event_time = None
    if stamp is not None:
        seconds = integer_in_range(stamp, *TIMESTAMP_RANGE)
        if seconds is None:
            low, high = TIMESTAMP_RANGE
            raise WebhookError(f"not a webhook notification: timestamp must be Unix seconds between {low} "
                               f"and {high}", 400)
        event_time = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    product_id = str(data["product_id"]) if data.get("product_id") is not None else None
    fresh = records.remember_notification(ledger, notification_id, type_, str(payload.get("shop_id") or "") or None,
                                          event_time, payload)
    if not fresh:
        log.info("webhook %s (type %s) already handled: dropped", notification_id, type_)
        return WebhookResult(notification_id, type_, True, product_id)
    status = None
    if product_id and type_ == PRODUCT_STATUS_CHANGE:
        status = str(data.get("status") or "") or None
        records.remember_product(ledger, product_id, status=status, source="webhook")
    elif product_id and type_ == PRODUCT_AUDIT_STATUS_CHANGE:
        audit = data.get("audit") if isinstance(data.get("audit"), dict) else {}
        status = str(audit.get("status") or "") or None
        reasons = [str(audit[k]) for k in ("pre_approved_reason", "failed_reason") if audit.get(k)]
        known = records.remember_product(ledger, product_id, audit_status=status, reasons=reasons or None,
                                         source="webhook")
        if status in _FAILED_AUDIT and known.seller_sku:
            ledger.record_attempt(known.seller_sku, "failed", reasons=reasons or ["audit_failed"],
                                  at=event_time, product_id=product_id, content_hash=known.content_hash,
                                  source="webhook", dedupe_key=f"webhook:{notification_id}")
    log.info("webhook %s type %s product %s → %s", notification_id, type_, product_id, status)
    return WebhookResult(notification_id, type_, False, product_id, status)


def router(*, app_key: str, app_secret: str, ledger: Callable[[], Any] | Any, path: str = "/webhooks/tiktok",
           limits: RequestLimits = WEBHOOK_LIMITS):
    """A FastAPI router receiving webhooks at ``path``; ``ledger`` is a ledger or a factory of one.

    The body is read up to ``limits.max_body_bytes`` and refused (413) beyond, unread."""
    from fastapi import APIRouter, Request
    from fastapi.responses import JSONResponse

    api = APIRouter()

    async def receive(request: Request) -> JSONResponse:
        try:
            raw = await read_capped(request.stream(), limits.max_body_bytes,
                                    declared_length(request.headers.get("content-length")))
        except BodyTooLarge:
            return JSONResponse({"code": 413, "message": f"webhook body larger than {limits.max_body_bytes} "
                                 "bytes"}, status_code=413, headers={"connection": "close"})
        target = ledger() if callable(ledger) else ledger
        try:
            result = handle_webhook(raw, request.headers.get("authorization"), app_key=app_key,
                                    app_secret=app_secret, ledger=target, limits=limits)
        except WebhookError as exc:
            return JSONResponse({"code": exc.status, "message": str(exc)}, status_code=exc.status)
        return JSONResponse({"code": 0, "message": "duplicate" if result.duplicate else "success",
                             "notification_id": result.notification_id})

    # Resolved here: this module's annotations are strings and FastAPI must see the real classes.
    receive.__annotations__ = {"request": Request, "return": JSONResponse}
    api.post(path)(receive)
    return api
