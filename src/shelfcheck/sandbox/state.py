"""The sandbox's own database (not the ledger): images, files, products, failures, OAuth grants.

SQLite in memory by default, or any SQLAlchemy URL (``--db``) to keep state across restarts.
The schema is created on start (an emulator needs no migrations).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
)
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

__all__ = ["failures", "files", "grants", "images", "metadata", "open_state", "products"]

metadata = MetaData()

images = Table(
    "sandbox_images", metadata,
    Column("uri", String(128), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("use_case", String(32), nullable=False),
    Column("info", JSON, nullable=False),
    Column("created", Float, nullable=False),
)

files = Table(
    "sandbox_files", metadata,
    Column("id", String(64), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("format", String(16), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created", Float, nullable=False),
)

products = Table(
    "sandbox_products", metadata,
    Column("id", String(32), primary_key=True),
    Column("seller_sku", String(100), index=True),
    Column("idempotency_key", String(128), unique=True),
    Column("body", JSON, nullable=False),
    Column("status", String(32), nullable=False),
    Column("final_status", String(32), nullable=False),
    Column("audit_reasons", JSON, nullable=False),
    Column("audit_ready_at", Float, nullable=False),
    Column("notified", Boolean, nullable=False, default=False),
    Column("create_time", Integer, nullable=False),
    Column("update_time", Integer, nullable=False),
)

failures = Table(
    "sandbox_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seller_sku", String(100), index=True, nullable=False),
    Column("at", Float, nullable=False),
    Column("codes", JSON, nullable=False),
)

grants = Table(
    "sandbox_grants", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),       # auth_code | access | refresh
    Column("value", String(128), unique=True, nullable=False),
    Column("expires", Float, nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)


def open_state(url: str | None) -> Engine:
    """The sandbox database at ``url`` (default: in memory), with its tables created."""
    if not url or url in ("memory", ":memory:", "sqlite://", "sqlite:///:memory:"):
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        if "://" not in url:
            url = f"sqlite:///{url}"
        engine = create_engine(url, connect_args={"check_same_thread": False} if url.startswith("sqlite") else {})
    metadata.create_all(engine)
    return engine
