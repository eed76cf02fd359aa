"""Forwarding to the organization's CRM: destinations, the outbox, send attempts, the lease.

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kiosk.server.db import UTCDateTime

revision = "0010"
down_revision = "0013"
branch_labels = None
depends_on = None

_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the four forwarding tables."""
    op.create_table(
        "forward_destinations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("campaign", sa.String(64), nullable=False),
        sa.Column("local_campaign", sa.String(64), nullable=True),
        sa.Column("endpoint", sa.String(300), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("secret_id", sa.String(16), nullable=False),
        sa.Column("allow_http", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("rate_per_second", sa.Float(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("without_opt_in", sa.String(16), nullable=False),
        sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=True),
        sa.Column("queued_through", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forward_destinations")),
        sa.UniqueConstraint("name", name=op.f("uq_forward_destinations_name")),
    )
    op.create_table(
        "forward_outbox",
        sa.Column("id", _BIGID, autoincrement=True, nullable=False),
        sa.Column("destination_id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("remote_id", sa.String(200), nullable=True),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["forward_destinations.id"],
            name=op.f("fk_forward_outbox_destination_id_forward_destinations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_forward_outbox_signature_id_signatures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forward_outbox")),
        sa.UniqueConstraint(
            "destination_id", "signature_id", name=op.f("uq_forward_outbox_destination_id")
        ),
    )
    op.create_index(
        "ix_forward_outbox_due", "forward_outbox", ["destination_id", "state", "next_attempt_at"]
    )
    op.create_index("ix_forward_outbox_signature_id", "forward_outbox", ["signature_id"])
    op.create_table(
        "forward_attempts",
        sa.Column("id", _BIGID, autoincrement=True, nullable=False),
        sa.Column("destination_id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("worker", sa.String(80), nullable=False),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["forward_destinations.id"],
            name=op.f("fk_forward_attempts_destination_id_forward_destinations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forward_attempts")),
    )
    op.create_index(
        "ix_forward_attempts_destination_at", "forward_attempts", ["destination_id", "at"]
    )
    op.create_table(
        "forward_leases",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_forward_leases")),
    )


def downgrade() -> None:
    """Drop the forwarding tables."""
    op.drop_table("forward_leases")
    op.drop_index("ix_forward_attempts_destination_at", table_name="forward_attempts")
    op.drop_table("forward_attempts")
    op.drop_index("ix_forward_outbox_signature_id", table_name="forward_outbox")
    op.drop_index("ix_forward_outbox_due", table_name="forward_outbox")
    op.drop_table("forward_outbox")
    op.drop_table("forward_destinations")
