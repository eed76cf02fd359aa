"""Sealed personal data in a table of its own, so a signature's row is small (issue #13).

Marking a batch synced rewrote every row with its 2 KB sealed blob (a third of a kiosk's CPU
for a sync); now the blob sits in ``signature_sealed`` under the signature's ``seq`` and the
row that changes is about 200 bytes. The blobs move in one transaction with the rest of the
upgrade: a power cut during it leaves the store as it was. ``secure_delete`` is on, so the
bytes the old column leaves are zeroed. Dropping the column leaves each row alone in its old
page, so a vacuum is marked due when any blob moved: the kiosk rewrites the file the next time
it is idle (``kiosk.privacy.idle_maintenance``), and marking is cheap from then on.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signature_sealed",
        sa.Column("seq", sa.Integer(), sa.ForeignKey("signatures.seq"), primary_key=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
    )
    op.execute(
        "INSERT INTO signature_sealed (seq, sealed) "
        "SELECT seq, sealed FROM signatures WHERE sealed IS NOT NULL ORDER BY seq"
    )
    # SQLite 3.35+ drops a column in place (it rewrites the table's rows without it).
    op.execute("ALTER TABLE signatures DROP COLUMN sealed")
    op.execute(
        "INSERT OR REPLACE INTO settings (key, value) "
        "SELECT 'vacuum_due', '1' WHERE EXISTS (SELECT 1 FROM signature_sealed)"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE signatures ADD COLUMN sealed BLOB")
    op.execute(
        "UPDATE signatures SET sealed = "
        "(SELECT b.sealed FROM signature_sealed b WHERE b.seq = signatures.seq)"
    )
    op.drop_table("signature_sealed")
