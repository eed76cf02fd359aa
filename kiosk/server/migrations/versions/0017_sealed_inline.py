"""On PostgreSQL, keep a signature's sealed blob in its row, uncompressed (issue #13).

A sealed blob is ciphertext (1-3 KB for a drawn signature): PostgreSQL's default storage tried
to compress every one over about 2 KB (never smaller: it is random to the compressor) and then
moved it to the TOAST table, a second table and index written for each such signature. With
``STORAGE EXTERNAL`` nothing is compressed, and with ``toast_tuple_target = 8160`` a row stays
in the table's own page until it is larger than a page; larger blobs (up to the 64 KB the wire
allows) still go to TOAST, uncompressed. Measured here on 10,000 blobs of the seed template,
``COPY`` took 0.38 s of the backend's CPU against 0.52 s (3 runs each).

Both settings are metadata: they apply to rows written from now on, existing rows stay as they
are (both forms read the same). SQLite has no such settings; nothing changes there.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE signatures ALTER COLUMN sealed SET STORAGE EXTERNAL")
    op.execute("ALTER TABLE signatures SET (toast_tuple_target = 8160)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE signatures RESET (toast_tuple_target)")
    op.execute("ALTER TABLE signatures ALTER COLUMN sealed SET STORAGE EXTENDED")
