"""Count the signatures stored under each text version (``stat_counts``' ``version:HASH``).

The console's campaigns page showed how many signatures carry each text version by counting
the campaign's signatures at every view (0.55 s with 200,000 stored on SQLite). A running
count, kept as each signature arrives (:mod:`kiosk.server.tallies`), replaces it; this counts
the signatures stored before, once (one ``GROUP BY`` over the signatures, in shard 0).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO stat_counts (name, shard, n) "
        "SELECT 'version:' || text_version, 0, count(*) FROM signatures GROUP BY text_version"
    )


def downgrade() -> None:
    op.execute("DELETE FROM stat_counts WHERE name LIKE 'version:%'")
