"""The web console (issue #15): coordinator sign-in (email, role, Argon2id password), sessions
in the database, sign-in limits, the first-run set-up code, export jobs, and an index for the
rally screen's and the overview's time queries.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kiosk.server.db import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the console's columns and tables."""
    with op.batch_alter_table("coordinators") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch.add_column(
            sa.Column("role", sa.String(16), nullable=False, server_default="coordinator")
        )
        batch.add_column(sa.Column("password_hash", sa.String(255), nullable=True))
        batch.create_unique_constraint(op.f("uq_coordinators_email"), ["email"])
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["coordinator_id"],
            ["coordinators.id"],
            name=op.f("fk_console_sessions_coordinator_id_coordinators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
    )
    op.create_index(
        op.f("ix_console_sessions_coordinator_id"), "console_sessions", ["coordinator_id"]
    )
    op.create_table(
        "console_signin_limits",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_console_signin_limits")),
    )
    op.create_index(op.f("ix_console_signin_limits_updated"), "console_signin_limits", ["updated"])
    op.create_table(
        "console_setup",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_setup")),
    )
    op.create_table(
        "console_jobs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(200), nullable=True),
        sa.Column("result", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["coordinator_id"],
            ["coordinators.id"],
            name=op.f("fk_console_jobs_coordinator_id_coordinators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_jobs")),
    )
    op.create_index(op.f("ix_console_jobs_coordinator_id"), "console_jobs", ["coordinator_id"])
    # Covering: the charts, "today" and "moving most" read this index only, never the rows
    # (which carry the sealed blobs).
    op.create_index(
        "ix_signatures_campaign_created",
        "signatures",
        [
            "campaign",
            "created_at",
            "utc_offset_minutes",
            "synthetic",
            "local_campaign",
            "event_id",
            "device_id",
        ],
    )


def downgrade() -> None:
    """Drop what :func:`upgrade` added."""
    op.drop_index("ix_signatures_campaign_created", table_name="signatures")
    op.drop_index(op.f("ix_console_jobs_coordinator_id"), table_name="console_jobs")
    op.drop_table("console_jobs")
    op.drop_table("console_setup")
    op.drop_index(op.f("ix_console_signin_limits_updated"), table_name="console_signin_limits")
    op.drop_table("console_signin_limits")
    op.drop_index(op.f("ix_console_sessions_coordinator_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
    with op.batch_alter_table("coordinators") as batch:
        batch.drop_constraint(op.f("uq_coordinators_email"), type_="unique")
        batch.drop_column("password_hash")
        batch.drop_column("role")
        batch.drop_column("email")
