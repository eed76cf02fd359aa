"""Running counts in shards: ``stat_counts`` keyed by name and shard, a count being the sum of
its shards, so concurrent pushes add to different rows instead of queueing on one.

Existing counts become shard 0.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``shard`` (0 for every existing count) to the primary key of ``stat_counts``."""
    with op.batch_alter_table("stat_counts") as batch:
        batch.add_column(
            sa.Column("shard", sa.SmallInteger(), nullable=False, server_default=sa.text("0"))
        )
        batch.drop_constraint("pk_stat_counts", type_="primary")
        batch.create_primary_key("pk_stat_counts", ["name", "shard"])


def downgrade() -> None:
    """Fold the shards into one row per name and drop ``shard``."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT name, SUM(n) FROM stat_counts GROUP BY name")).all()
    bind.execute(sa.text("DELETE FROM stat_counts"))
    with op.batch_alter_table("stat_counts") as batch:
        batch.drop_constraint("pk_stat_counts", type_="primary")
        batch.drop_column("shard")
        batch.create_primary_key("pk_stat_counts", ["name"])
    if rows:
        bind.execute(
            sa.text("INSERT INTO stat_counts (name, n) VALUES (:name, :n)"),
            [{"name": name, "n": int(n)} for name, n in rows],
        )
