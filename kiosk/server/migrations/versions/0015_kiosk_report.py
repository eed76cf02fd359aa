"""What each kiosk reports with every sync (issue #15): signatures still pending on the
tablet, its app version, the error its last failed sync ended with, and when it reported.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kiosk.server.db import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the report's columns to ``devices`` (null until the kiosk first reports)."""
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("reported_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("report_pending", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("report_version", sa.String(32), nullable=True))
        batch.add_column(sa.Column("report_error", sa.String(32), nullable=True))
        batch.add_column(sa.Column("report_error_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop the report's columns.

    In place (``ALTER TABLE ... DROP COLUMN``, SQLite 3.35 and later), never by copying the
    table: on SQLite a copy drops ``devices``, which the foreign keys of stored signatures
    refuse while the server's ``foreign_keys`` pragma is on.
    """
    with op.batch_alter_table("devices", recreate="never") as batch:
        batch.drop_column("report_error_at")
        batch.drop_column("report_error")
        batch.drop_column("report_version")
        batch.drop_column("report_pending")
        batch.drop_column("reported_at")
