"""Audit entries carry the kiosk's signature (Ed25519 over the entry hash).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (not a batch table copy, which would drop the append-only triggers).
    op.add_column("audit_log", sa.Column("sig", sa.String(length=100), nullable=True))
    # Entries made before the audit key existed are signed once when the kiosk opens; after
    # that a signature is never changed.
    op.execute(
        "CREATE TRIGGER audit_log_sig_once BEFORE UPDATE OF sig ON audit_log "
        "WHEN OLD.sig IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_sig_once")
    op.drop_column("audit_log", "sig")
