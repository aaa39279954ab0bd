"""Reading and writing the Open API tables of the ledger (products, webhook notifications)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shelfcheck.ledger.api_tables import PlatformProduct, WebhookNotification

__all__ = ["ProductRecord", "known_product", "remember_notification", "remember_product"]


@dataclass(frozen=True)
class ProductRecord:
    product_id: str
    seller_sku: str | None
    status: str | None
    audit_status: str | None
    reasons: tuple[str, ...]
    content_hash: str | None
    updated_at: dt.datetime


def _record(row: PlatformProduct) -> ProductRecord:
    return ProductRecord(row.product_id, row.seller_sku, row.status, row.audit_status, tuple(row.reasons or ()),
                         row.content_hash, row.updated_at)


def known_product(ledger: Any, sku: str) -> ProductRecord | None:
    """The newest product the ledger knows for ``sku``."""
    if not ledger.exists or not sku:
        return None
    with ledger._session() as session:
        row = session.scalars(select(PlatformProduct).where(PlatformProduct.seller_sku == sku)
                              .order_by(PlatformProduct.updated_at.desc())).first()
        return _record(row) if row is not None else None


def product(ledger: Any, product_id: str) -> ProductRecord | None:
    if not ledger.exists:
        return None
    with ledger._session() as session:
        row = session.get(PlatformProduct, str(product_id))
        return _record(row) if row is not None else None


def remember_product(ledger: Any, product_id: str, *, seller_sku: str | None = None, status: str | None = None,
                     audit_status: str | None = None, reasons: Sequence[str] | None = None,
                     content_hash: str | None = None, source: str = "publish") -> ProductRecord:
    """Insert or update what we know of a product (fields left ``None`` are kept)."""
    now = dt.datetime.now(dt.timezone.utc)
    with ledger._session(write=True) as session:
        row = session.get(PlatformProduct, str(product_id))
        if row is None:
            row = PlatformProduct(product_id=str(product_id), reasons=[], source=source)
            session.add(row)
        if seller_sku is not None:
            row.seller_sku = seller_sku
        if status is not None:
            row.status = status
        if audit_status is not None:
            row.audit_status = audit_status
        if reasons is not None:
            row.reasons = list(reasons)
        if content_hash is not None:
            row.content_hash = content_hash
        row.source = source
        row.updated_at = now
        session.flush()
        return _record(row)


def remember_notification(ledger: Any, notification_id: str, type_: int, shop_id: str | None,
                          event_time: dt.datetime | None, payload: dict) -> bool:
    """Store a webhook notification once; ``False`` when it was already stored (a duplicate)."""
    try:
        with ledger._session(write=True) as session:
            session.add(WebhookNotification(notification_id=notification_id, type=type_, shop_id=shop_id,
                                            event_time=event_time, received_at=dt.datetime.now(dt.timezone.utc),
                                            payload=payload))
        return True
    except IntegrityError:
        return False
