"""Shipping marks on order links, and the ledger of return restocks.

`order_links.shipped_at` / `tracking_number` record that TikTok has an order's shipment, so the fulfilment job
sends it once. `return_restocks` records each return's units put back into the store of record's stock, so a
restock happens at most once.

Revision ID: 0002_shipping_and_restocks
Revises: 0001_initial
Create Date: 2026-11-29 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002_shipping_and_restocks"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # Batch mode: SQLite cannot drop columns in place on downgrade; on PostgreSQL it is plain ALTER TABLE.
    with op.batch_alter_table("order_links") as batch:
        batch.add_column(sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("tracking_number", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))

    op.create_table(
        "return_restocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("tiktok_order_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("store_channel_id", sa.Integer(), nullable=False),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("location_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("on_hand_before", sa.Integer(), nullable=True),
        sa.Column("on_hand_after", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_return_restocks_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["store_channel_id"],
            ["channels.id"],
            name=op.f("fk_return_restocks_store_channel_id_channels"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_restocks")),
        sa.UniqueConstraint("return_id", "sku", name=op.f("uq_return_restocks_return_id_sku")),
    )
    op.create_index(op.f("ix_return_restocks_state"), "return_restocks", ["state"], unique=False)
    op.create_index(op.f("ix_return_restocks_tiktok_order_id"), "return_restocks", ["tiktok_order_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_return_restocks_tiktok_order_id"), table_name="return_restocks")
    op.drop_index(op.f("ix_return_restocks_state"), table_name="return_restocks")
    op.drop_table("return_restocks")
    with op.batch_alter_table("order_links") as batch:
        batch.drop_column("tracking_number")
        batch.drop_column("shipped_at")
