"""Totals for kiosks and statistics for administrators.

Counts cover signatures that are not voided. Totals (``GET /api/v1/totals``) also leave out
synthetic signatures (demo and test entries made on a kiosk), since they must never count toward
a goal; ``kiosk-server stats`` reports those separately.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, func, select

from kiosk.server.ingest import CONFLICTS, EVENTS, SIGNATURES, VOIDS
from kiosk.server.models import Device
from kiosk.wire import TotalsResponse

DEVICES = Device.__table__


def _not_voided() -> Any:
    return SIGNATURES.outerjoin(VOIDS, VOIDS.c.signature_id == SIGNATURES.c.id)


def totals(conn: Connection) -> TotalsResponse:
    """Non-void, non-synthetic signatures per campaign and per local campaign.

    Args:
        conn: a connection.
    """
    s = SIGNATURES
    rows = conn.execute(
        select(s.c.campaign, s.c.local_campaign, func.count())
        .select_from(_not_voided())
        .where(VOIDS.c.signature_id.is_(None), s.c.synthetic.is_(False))
        .group_by(s.c.campaign, s.c.local_campaign)
    )
    campaigns: dict[str, int] = {}
    locals_: dict[str, int] = {}
    for campaign, local, count in rows:
        campaigns[campaign] = campaigns.get(campaign, 0) + count
        if local is not None:
            locals_[f"{campaign}/{local}"] = count
    return TotalsResponse(
        campaigns=dict(sorted(campaigns.items())), locals=dict(sorted(locals_.items()))
    )


def stats(conn: Connection) -> dict[str, Any]:
    """Everything ``kiosk-server stats`` shows, JSON-ready.

    Keys: ``signatures`` (all stored), ``voided``, ``synthetic`` (not voided), ``counted``
    (neither), ``conflicts``, ``events``, ``campaigns`` and ``locals`` (as in the totals),
    ``devices`` (per device: name, status, counted signatures, voided, last seen).

    Args:
        conn: a connection.
    """
    s, v = SIGNATURES, VOIDS
    total = conn.execute(select(func.count()).select_from(s)).scalar_one()
    voided = conn.execute(select(func.count()).select_from(v)).scalar_one()
    synthetic = conn.execute(
        select(func.count())
        .select_from(_not_voided())
        .where(v.c.signature_id.is_(None), s.c.synthetic.is_(True))
    ).scalar_one()
    t = totals(conn)
    counted_by_device = dict(
        conn.execute(
            select(s.c.device_id, func.count())
            .select_from(_not_voided())
            .where(v.c.signature_id.is_(None), s.c.synthetic.is_(False))
            .group_by(s.c.device_id)
        ).all()
    )
    voided_by_device = dict(
        conn.execute(
            select(s.c.device_id, func.count())
            .select_from(s.join(v, and_(v.c.signature_id == s.c.id)))
            .group_by(s.c.device_id)
        ).all()
    )
    devices: dict[str, Any] = {}
    for d in conn.execute(
        select(DEVICES.c.id, DEVICES.c.name, DEVICES.c.revoked_at, DEVICES.c.last_seen_at).order_by(
            DEVICES.c.enrolled_at, DEVICES.c.id
        )
    ):
        devices[d.id] = {
            "name": d.name,
            "status": "revoked" if d.revoked_at is not None else "active",
            "signatures": counted_by_device.get(d.id, 0),
            "voided": voided_by_device.get(d.id, 0),
            "last_seen_at": d.last_seen_at.isoformat() if d.last_seen_at else None,
        }
    return {
        "signatures": total,
        "voided": voided,
        "synthetic": synthetic,
        "counted": sum(t.campaigns.values()),
        "conflicts": conn.execute(select(func.count()).select_from(CONFLICTS)).scalar_one(),
        "events": conn.execute(select(func.count()).select_from(EVENTS)).scalar_one(),
        "campaigns": t.campaigns,
        "locals": t.locals,
        "devices": devices,
    }
