"""Repair ``ix_signatures_campaign_created``: migration 0011 was edited after it landed (its
index on ``(campaign, created_at)`` became a covering one), so a database migrated to 0011
before the edit has the narrow index under that name, and the console's charts and rally
screen read every signature row through it. This makes the covering index whatever is there:
nothing when it is already right (idempotent), a drop and create when the name holds other
columns or is missing.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

NAME = "ix_signatures_campaign_created"
#: The columns 0011 (as edited) and the model give the index, in order.
COLUMNS = [
    "campaign",
    "created_at",
    "utc_offset_minutes",
    "synthetic",
    "local_campaign",
    "event_id",
    "device_id",
]


def index_columns(bind: sa.engine.Connection) -> list[str] | None:
    """The columns of the index named :data:`NAME` on ``signatures``, or None if missing."""
    for ix in sa.inspect(bind).get_indexes("signatures"):
        if ix["name"] == NAME:
            return [str(c) for c in ix["column_names"]]
    return None


def upgrade() -> None:
    """Create the covering index if it is missing or narrower."""
    bind = op.get_bind()
    have = index_columns(bind)
    if have == COLUMNS:
        return
    if have is not None:
        op.drop_index(NAME, table_name="signatures")
    op.create_index(NAME, "signatures", COLUMNS)


def downgrade() -> None:
    """Nothing: the index is the one 0011 now makes; 0011's downgrade drops it."""
