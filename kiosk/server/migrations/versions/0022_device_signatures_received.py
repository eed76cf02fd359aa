"""Count on each device the signatures stored from it (``devices.signatures_received``).

The count moves only up, in the transaction that stores the signatures, and ``GET /device``
answers it to the kiosk. A database restored from an older backup answers a smaller count than
the kiosk was last told: the kiosk then knows that the server lost what it acknowledged since
and sends it again, even when no staff action moved its audit trail on since the backup.
Devices enrolled before start from the signatures already stored from them.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``devices.signatures_received`` and fill it from the signatures stored (in place:
    SQLite's ``ADD COLUMN``, not batch mode's copy of the table, whose ``DROP TABLE devices``
    the signatures' foreign keys refuse once a device has any)."""
    op.add_column(
        "devices",
        sa.Column(
            "signatures_received", sa.BigInteger(), nullable=False, server_default=sa.text("0")
        ),
    )
    op.execute(
        "UPDATE devices SET signatures_received = "
        "(SELECT count(*) FROM signatures WHERE signatures.device_id = devices.id)"
    )


def downgrade() -> None:
    """Drop ``devices.signatures_received`` (in place, as it was added)."""
    op.drop_column("devices", "signatures_received")
