"""Refused enrollment attempts counted in the database (one limit for every server process).

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``enroll_limits``."""
    op.create_table(
        "enroll_limits",
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_enroll_limits")),
    )
    op.create_index(op.f("ix_enroll_limits_updated"), "enroll_limits", ["updated"])


def downgrade() -> None:
    """Drop ``enroll_limits``."""
    op.drop_index(op.f("ix_enroll_limits_updated"), table_name="enroll_limits")
    op.drop_table("enroll_limits")
