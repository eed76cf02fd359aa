"""Signed audit entries and the acknowledged head of each device's trail.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the audit key and anchor to ``devices`` and the signature to ``audit_entries``."""
    with op.batch_alter_table("devices", recreate="never") as batch:
        batch.add_column(sa.Column("audit_public_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("audit_signed_from", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("audit_head_seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("audit_head_hash", sa.String(64), nullable=True))
    with op.batch_alter_table("audit_entries", recreate="never") as batch:
        batch.add_column(sa.Column("sig", sa.String(100), nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("audit_entries", recreate="never") as batch:
        batch.drop_column("sig")
    with op.batch_alter_table("devices", recreate="never") as batch:
        batch.drop_column("audit_head_hash")
        batch.drop_column("audit_head_seq")
        batch.drop_column("audit_signed_from")
        batch.drop_column("audit_public_key")
