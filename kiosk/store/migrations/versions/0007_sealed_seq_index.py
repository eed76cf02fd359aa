"""An index of the signatures that still hold their personal data (``signature_sealed.seq``).

Retention's "how many are due" (the privacy screen, ``kiosk retention show``) and its list
walked every synced signature and asked each whether its sealed row was still there: 0.17 s on
200,000 stored (60 % already purged). Driven from this index instead (the rows still held,
read without their blobs, each signature then looked up by its ``seq``), the same count took
0.025 s; its cost follows the personal data still held, which retention keeps small.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_signature_sealed_seq", "signature_sealed", ["seq"])


def downgrade() -> None:
    op.drop_index("ix_signature_sealed_seq", table_name="signature_sealed")
