"""Running counts for statistics and totals, and what opening each signature found (quarantine).

Existing signatures are marked ``pending`` (opened later by the server when it has the private
key) and the counts are computed from them once, here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``signature_facts``, ``stat_counts``, ``signer_counts``; count what is stored."""
    from kiosk.server.db import UTCDateTime

    op.create_table(
        "signature_facts",
        sa.Column("signature_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("signer", sa.LargeBinary(), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_signature_facts_signature_id_signatures"),
        ),
        sa.PrimaryKeyConstraint("signature_id", name=op.f("pk_signature_facts")),
    )
    op.create_index("ix_signature_facts_state", "signature_facts", ["state"])
    op.create_table(
        "stat_counts",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stat_counts")),
    )
    op.create_table(
        "signer_counts",
        sa.Column("campaign", sa.String(64), nullable=False),
        sa.Column("signer", sa.LargeBinary(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("campaign", "signer", name=op.f("pk_signer_counts")),
    )
    from kiosk.server.tallies import count_existing

    count_existing(op.get_bind())


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("signer_counts")
    op.drop_table("stat_counts")
    op.drop_index("ix_signature_facts_state", table_name="signature_facts")
    op.drop_table("signature_facts")
