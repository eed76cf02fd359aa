"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("location", sa.String(length=120), nullable=False),
        sa.Column("started_ms", sa.Integer(), nullable=False),
        sa.Column("sync_state", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "text_versions",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("campaign", sa.String(length=64), nullable=False),
        sa.Column("local_campaign", sa.String(length=64), nullable=True),
        sa.Column("text_json", sa.Text(), nullable=False),
        sa.Column("first_seen_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hash"),
    )
    with op.batch_alter_table("text_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_text_versions_campaign"), ["campaign"], unique=False)

    op.create_table(
        "signatures",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign", sa.String(length=64), nullable=False),
        sa.Column("local_campaign", sa.String(length=64), nullable=True),
        sa.Column("text_version", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("created_ms", sa.Integer(), nullable=False),
        sa.Column("utc_offset_minutes", sa.Integer(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("sync_state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["text_version"],
            ["text_versions.hash"],
        ),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signatures_campaign_local", ["campaign", "local_campaign", "voided"], unique=False
        )
        batch_op.create_index("ix_signatures_created", ["created_ms"], unique=False)
        batch_op.create_index("ix_signatures_event", ["event_id", "voided"], unique=False)
        batch_op.create_index("ix_signatures_sync", ["sync_state", "seq"], unique=False)

    op.create_table(
        "dedupe_keys",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("signature_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signature_seq"],
            ["signatures.seq"],
        ),
        sa.PrimaryKeyConstraint("key", "signature_seq"),
    )
    with op.batch_alter_table("dedupe_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dedupe_keys_signature_seq"), ["signature_seq"], unique=False
        )

    op.create_table(
        "voids",
        sa.Column("signature_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("voided_ms", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("sync_state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
        ),
        sa.PrimaryKeyConstraint("signature_id"),
    )
    with op.batch_alter_table("voids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voids_sync_state"), ["sync_state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("voids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voids_sync_state"))

    op.drop_table("voids")
    with op.batch_alter_table("dedupe_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dedupe_keys_signature_seq"))

    op.drop_table("dedupe_keys")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_signatures_sync")
        batch_op.drop_index("ix_signatures_event")
        batch_op.drop_index("ix_signatures_created")
        batch_op.drop_index("ix_signatures_campaign_local")

    op.drop_table("signatures")
    with op.batch_alter_table("text_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_text_versions_campaign"))

    op.drop_table("text_versions")
    op.drop_table("settings")
    op.drop_table("events")
