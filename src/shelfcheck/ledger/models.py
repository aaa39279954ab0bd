"""The ledger's tables, as SQLAlchemy 2 declarative models.

Every time is stored in UTC (:class:`UTCDateTime`: timezone-aware in Python, ``timestamptz`` on
PostgreSQL, naive-UTC text on SQLite, which has no time zones). The tables only grow through the
migrations in :mod:`shelfcheck.ledger.migrations`; a model change without a migration fails the
test that compares the two.

Another package adds its tables by declaring models on :class:`Base` in its own module and a
migration revision whose ``down_revision`` is the current head (see
:mod:`shelfcheck.ledger.migrations`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shelfcheck.ledger.guard import utc
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Attempt", "Base", "InventorySnapshot", "InventorySync", "UTCDateTime", "utc"]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant, stored in UTC and always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        value = utc(value)
        if dialect.name == "sqlite":  # no zones there: naive UTC, so text order is time order
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return utc(value)


class Base(DeclarativeBase):
    """The declarative base of every ledger table (one ``MetaData``, one migration chain)."""

    metadata = MetaData(naming_convention=NAMING)


class Attempt(Base):
    """One submission attempt of a SKU: its outcome, the reasons given, and what was sent."""

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint("outcome IN ('failed', 'passed')", name="outcome"),
        Index("ix_attempts_sku_time", "seller_sku", "attempted_at"),
        Index("ix_attempts_sku_hash", "seller_sku", "content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seller_sku: Mapped[str] = mapped_column(String(100), nullable=False)
    product_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    source: Mapped[str] = mapped_column(String(32), nullable=False, default="cli")
    request_id: Mapped[str | None] = mapped_column(String(128))
    # A caller-chosen key that makes recording idempotent (the publisher re-running a batch).
    dedupe_key: Mapped[str | None] = mapped_column(String(191), unique=True)


class InventorySync(Base):
    """One reconciliation of ERP stock against a platform snapshot (the sync history)."""

    __tablename__ = "inventory_syncs"
    __table_args__ = (Index("ix_inventory_syncs_synced_at", "synced_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    synced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    catalog: Mapped[str | None] = mapped_column(String(1024))
    platform: Mapped[str | None] = mapped_column(String(1024))
    tolerance: Mapped[int] = mapped_column(Integer, nullable=False)
    items: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    flagged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    source: Mapped[str] = mapped_column(String(32), nullable=False, default="reconcile")


class InventorySnapshot(Base):
    """One SKU's ERP and platform quantities in one reconciliation."""

    __tablename__ = "inventory_snapshots"
    __table_args__ = (Index("ix_inventory_snapshots_sku_sync", "seller_sku", "sync_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sync_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("inventory_syncs.id", ondelete="CASCADE"), nullable=False)
    seller_sku: Mapped[str] = mapped_column(String(100), nullable=False)
    erp_quantity: Mapped[int | None] = mapped_column(Integer)
    platform_quantity: Mapped[int | None] = mapped_column(Integer)
    drift: Mapped[int | None] = mapped_column(Integer)
    flagged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    platform_synced_at: Mapped[str | None] = mapped_column(String(64))
