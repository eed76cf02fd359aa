"""Index the signatures' facts by state and when they were read.

The console's audit page lists the first 200 quarantined signatures, and ``kiosk-server
quarantine list`` all of them, in the order they were found unreadable. Sorted by when each
signature was received, the list joined and sorted every quarantined one first: after a flood
of 100,000 unreadable signatures from a hostile kiosk the audit page took 100 ms a view, and
more as the flood grew. Ordered by this index it reads the first 200. It replaces the index on
``state`` alone (its first column), so storing a signature updates as many indexes as before.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_signature_facts_state_read", "signature_facts", ["state", "read_at", "signature_id"]
    )
    op.drop_index("ix_signature_facts_state", table_name="signature_facts")


def downgrade() -> None:
    op.create_index("ix_signature_facts_state", "signature_facts", ["state"])
    op.drop_index("ix_signature_facts_state_read", table_name="signature_facts")
