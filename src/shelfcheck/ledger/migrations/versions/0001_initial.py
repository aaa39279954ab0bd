"""Submission attempts, inventory reconciliations and per-SKU inventory snapshots.

Revision ID: 0001_initial
Revises:
Create Date: 2024-08-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shelfcheck.ledger.models import UTCDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seller_sku", sa.String(length=100), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("dedupe_key", sa.String(length=191), nullable=True),
        sa.CheckConstraint("outcome IN ('failed', 'passed')", name=op.f("ck_attempts_outcome")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_attempts_dedupe_key")),
    )
    op.create_index("ix_attempts_sku_time", "attempts", ["seller_sku", "attempted_at"])
    op.create_index("ix_attempts_sku_hash", "attempts", ["seller_sku", "content_hash"])

    op.create_table(
        "inventory_syncs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("synced_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("catalog", sa.String(length=1024), nullable=True),
        sa.Column("platform", sa.String(length=1024), nullable=True),
        sa.Column("tolerance", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_syncs")),
    )
    op.create_index("ix_inventory_syncs_synced_at", "inventory_syncs", ["synced_at"])

    op.create_table(
        "inventory_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sync_id", sa.Integer(), nullable=False),
        sa.Column("seller_sku", sa.String(length=100), nullable=False),
        sa.Column("erp_quantity", sa.Integer(), nullable=True),
        sa.Column("platform_quantity", sa.Integer(), nullable=True),
        sa.Column("drift", sa.Integer(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("platform_synced_at", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["sync_id"], ["inventory_syncs.id"],
                                name=op.f("fk_inventory_snapshots_sync_id_inventory_syncs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_snapshots")),
    )
    op.create_index("ix_inventory_snapshots_sku_sync", "inventory_snapshots", ["seller_sku", "sync_id"])


def downgrade() -> None:
    op.drop_index("ix_inventory_snapshots_sku_sync", table_name="inventory_snapshots")
    op.drop_table("inventory_snapshots")
    op.drop_index("ix_inventory_syncs_synced_at", table_name="inventory_syncs")
    op.drop_table("inventory_syncs")
    op.drop_index("ix_attempts_sku_hash", table_name="attempts")
    op.drop_index("ix_attempts_sku_time", table_name="attempts")
    op.drop_table("attempts")
