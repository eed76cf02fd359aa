"""Signatures per campaign, UTC hour, local date, event and device, kept at ingest
(``hour_counts``), so the console's charts sum a few thousand small rows instead of scanning
every signature of the last month (issue #15).

The upgrade counts what is already stored, as :func:`kiosk.server.tallies.hour_contribution`
would have: every signature that is not voided, synthetic or quarantined.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# The tables as this revision reads and writes them (not the models, which may change later).
_SIGS = sa.table(
    "signatures",
    sa.column("id", sa.Uuid()),
    sa.column("campaign", sa.String()),
    sa.column("event_id", sa.String()),
    sa.column("device_id", sa.String()),
    sa.column("created_at", sa.DateTime()),
    sa.column("utc_offset_minutes", sa.Integer()),
    sa.column("synthetic", sa.Boolean()),
)
_VOIDS = sa.table("voids", sa.column("signature_id", sa.Uuid()))
_FACTS = sa.table(
    "signature_facts", sa.column("signature_id", sa.Uuid()), sa.column("state", sa.String())
)
_HOURS = sa.table(
    "hour_counts",
    sa.column("campaign", sa.String()),
    sa.column("hour", sa.String()),
    sa.column("day", sa.String()),
    sa.column("event_id", sa.String()),
    sa.column("device_id", sa.String()),
    sa.column("shard", sa.SmallInteger()),
    sa.column("n", sa.BigInteger()),
)


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite, read through a bare column: "YYYY-MM-DD HH:MM:SS[.f]"
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade() -> None:
    """Create ``hour_counts`` and count the stored signatures into it (shard 0)."""
    op.create_table(
        "hour_counts",
        sa.Column("campaign", sa.String(64), nullable=False),
        sa.Column("hour", sa.String(13), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "campaign",
            "hour",
            "day",
            "event_id",
            "device_id",
            "shard",
            name=op.f("pk_hour_counts"),
        ),
    )
    bind = op.get_bind()
    off = {v for (v,) in bind.execute(sa.select(_VOIDS.c.signature_id))}
    off |= {
        f
        for (f,) in bind.execute(
            sa.select(_FACTS.c.signature_id).where(_FACTS.c.state == "quarantined")
        )
    }
    s = _SIGS.c
    hours: Counter[tuple[str, str, str, str, str]] = Counter()
    rows = bind.execute(
        sa.select(
            s.id, s.campaign, s.event_id, s.device_id, s.created_at, s.utc_offset_minutes
        ).where(s.synthetic.is_(False))
    )
    for sid, campaign, event, device, created, offset in rows:
        if sid in off:
            continue
        utc = _utc(created)
        day = (utc + timedelta(minutes=offset)).date().isoformat()
        hours[(campaign, utc.strftime("%Y-%m-%dT%H"), day, event or "", device)] += 1
    batch = [
        {"campaign": c, "hour": h, "day": d, "event_id": e, "device_id": v, "shard": 0, "n": n}
        for (c, h, d, e, v), n in sorted(hours.items())
    ]
    for i in range(0, len(batch), 5000):
        bind.execute(_HOURS.insert(), batch[i : i + 5000])


def downgrade() -> None:
    """Drop ``hour_counts``."""
    op.drop_table("hour_counts")
