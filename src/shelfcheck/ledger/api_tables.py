"""Ledger tables of the Open API side (issue 6): OAuth tokens, webhook notifications, products.

* ``api_tokens`` — one row per app key (and store name): the seller's access and refresh tokens
  **encrypted at rest** (Fernet ciphertext in ``LargeBinary`` columns; the key comes from
  ``SHELFCHECK_SECRET_KEY`` or the OS keyring, never from the database), their absolute expiry
  instants, the seller and the granted scopes. Nothing a report prints reads these columns.
* ``webhook_notifications`` — every accepted webhook by ``tts_notification_id`` (unique), so a
  notification the platform delivers twice is handled once.
* ``platform_products`` — what the platform says about each product we created: seller SKU →
  product id (the publisher's idempotency), status and audit status, the audit failure reasons,
  and the content hash that was sent.

Declared on the ledger's :class:`~shelfcheck.ledger.models.Base`; created by revision
``0100_api_tokens_webhooks_products``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from shelfcheck.ledger.models import Base, UTCDateTime

__all__ = ["ApiToken", "PlatformProduct", "WebhookNotification"]


class ApiToken(Base):
    """A seller authorization: encrypted tokens and their expiry (epoch seconds → UTC instants)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    app_key: Mapped[str] = mapped_column(String(128), nullable=False)
    open_id: Mapped[str | None] = mapped_column(String(128))
    seller_name: Mapped[str | None] = mapped_column(String(255))
    seller_base_region: Mapped[str | None] = mapped_column(String(16))
    access_token_enc: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    refresh_token_enc: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    access_expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    refresh_expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    granted_scopes: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    shop_cipher_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class WebhookNotification(Base):
    """One webhook the receiver accepted (duplicates are dropped by ``notification_id``)."""

    __tablename__ = "webhook_notifications"
    __table_args__ = (Index("ix_webhook_notifications_received_at", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    type: Mapped[int] = mapped_column(Integer, nullable=False)
    shop_id: Mapped[str | None] = mapped_column(String(64))
    event_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)


class PlatformProduct(Base):
    """A product on the platform and what we last heard of it."""

    __tablename__ = "platform_products"
    __table_args__ = (Index("ix_platform_products_sku", "seller_sku"),)

    product_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seller_sku: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(32))
    audit_status: Mapped[str | None] = mapped_column(String(32))
    reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32), nullable=False, default="publish")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
