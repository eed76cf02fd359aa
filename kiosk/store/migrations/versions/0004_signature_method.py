"""How each signature was made: drawn on the pad, or typed (and maybe witnessed) (issue #17).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a default: every signature stored so far was drawn.
    op.add_column(
        "signatures",
        sa.Column("method", sa.String(length=16), nullable=False, server_default="drawn"),
    )


def downgrade() -> None:
    with op.batch_alter_table("signatures") as batch:
        batch.drop_column("method")
