"""Devices remember whether they enrolled as demo kiosks (``kiosk --demo``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``devices.demo`` (false for every device enrolled before)."""
    with op.batch_alter_table("devices", recreate="never") as batch:
        batch.add_column(sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Drop ``devices.demo``."""
    with op.batch_alter_table("devices", recreate="never") as batch:
        batch.drop_column("demo")
