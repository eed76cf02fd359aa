"""How each signature was made, as the kiosk says: drawn, typed or typed_witnessed (issue #17).

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``signatures.method`` (every signature received so far was drawn)."""
    with op.batch_alter_table("signatures", recreate="never") as batch:
        batch.add_column(
            sa.Column("method", sa.String(length=16), nullable=False, server_default="drawn")
        )


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("signatures", recreate="never") as batch:
        batch.drop_column("method")
