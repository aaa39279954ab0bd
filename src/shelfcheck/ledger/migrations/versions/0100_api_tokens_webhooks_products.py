"""Open API tables: encrypted OAuth tokens, webhook notifications, platform products (issue 6).

Revision ID: 0100_api_tokens_webhooks_products
Revises: 0001_initial
Create Date: 2024-08-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shelfcheck.ledger.api_tables  # noqa: F401  (the models live on the ledger's Base)
from shelfcheck.ledger.models import UTCDateTime

revision = "0100_api_tokens_webhooks_products"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("app_key", sa.String(length=128), nullable=False),
        sa.Column("open_id", sa.String(length=128), nullable=True),
        sa.Column("seller_name", sa.String(length=255), nullable=True),
        sa.Column("seller_base_region", sa.String(length=16), nullable=True),
        sa.Column("access_token_enc", sa.LargeBinary(), nullable=False),
        sa.Column("refresh_token_enc", sa.LargeBinary(), nullable=False),
        sa.Column("access_expires_at", UTCDateTime(), nullable=False),
        sa.Column("refresh_expires_at", UTCDateTime(), nullable=False),
        sa.Column("granted_scopes", sa.JSON(), nullable=False),
        sa.Column("shop_cipher_enc", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
    )
    op.create_table(
        "webhook_notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notification_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=True),
        sa.Column("event_time", UTCDateTime(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_notifications")),
        sa.UniqueConstraint("notification_id", name=op.f("uq_webhook_notifications_notification_id")),
    )
    op.create_index("ix_webhook_notifications_received_at", "webhook_notifications", ["received_at"])
    op.create_table(
        "platform_products",
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("seller_sku", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("audit_status", sa.String(length=32), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_platform_products")),
    )
    op.create_index("ix_platform_products_sku", "platform_products", ["seller_sku"])


def downgrade() -> None:
    op.drop_index("ix_platform_products_sku", table_name="platform_products")
    op.drop_table("platform_products")
    op.drop_index("ix_webhook_notifications_received_at", table_name="webhook_notifications")
    op.drop_table("webhook_notifications")
    op.drop_table("api_tokens")
