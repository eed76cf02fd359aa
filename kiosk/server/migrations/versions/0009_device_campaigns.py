"""The campaigns a device may push to, carried from its enrollment code (null: every campaign).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``campaigns`` to ``enrollment_codes`` and ``devices``."""
    with op.batch_alter_table("enrollment_codes", recreate="never") as batch:
        batch.add_column(sa.Column("campaigns", sa.JSON(), nullable=True))
    with op.batch_alter_table("devices", recreate="never") as batch:
        batch.add_column(sa.Column("campaigns", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("devices", recreate="never") as batch:
        batch.drop_column("campaigns")
    with op.batch_alter_table("enrollment_codes", recreate="never") as batch:
        batch.drop_column("campaigns")
