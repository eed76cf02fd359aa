"""Totals for kiosks and statistics for administrators, read from the running counts
(:mod:`kiosk.server.tallies`): no request scans or decrypts the signatures.

Counted signatures are those neither voided, synthetic (demo and test entries made on a kiosk:
they never count toward a goal) nor quarantined (the server opened them and they could not be
read: no configured key opens them, or their contents break the schema). A signature that
arrived while the server had no private key is counted until the server reads it (``pending``);
if it then turns out unreadable it leaves the counts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from kiosk.server.ingest import CONFLICTS, EVENTS
from kiosk.server.models import Device, table_of
from kiosk.server.tallies import by_prefix, read_counts
from kiosk.wire import TotalsResponse

DEVICES = table_of(Device)


def totals(conn: Connection) -> TotalsResponse:
    """Counted signatures per campaign and per local campaign.

    Args:
        conn: a connection.
    """
    counts = read_counts(conn)
    return TotalsResponse(
        campaigns=by_prefix(counts, "campaign"), locals=by_prefix(counts, "local")
    )


def stats(conn: Connection) -> dict[str, Any]:
    """Everything ``kiosk-server stats`` and ``GET /stats`` show, JSON-ready.

    Keys: ``signatures`` (all stored), ``voided``, ``synthetic`` (not voided), ``quarantined``
    (could not be read; voided or not) and ``quarantined_by_campaign``, ``pending`` (not read
    yet: no private key), ``counted``, ``conflicts``, ``events`` (stored events), ``campaigns``
    and ``locals`` (as in the totals), ``unique_signers`` (per campaign, among the signatures
    read), ``by_event`` and ``by_day`` (counted per event id and per the kiosk's local date),
    ``devices`` (per device: name, status, counted signatures, voided, last seen).

    Args:
        conn: a connection.
    """
    counts = read_counts(conn)
    campaigns = by_prefix(counts, "campaign")
    counted_by_device = by_prefix(counts, "device")
    voided_by_device = by_prefix(counts, "voided-device")
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
        "signatures": counts.get("signatures", 0),
        "voided": counts.get("voided", 0),
        "synthetic": counts.get("synthetic", 0),
        "quarantined": counts.get("quarantined", 0),
        "quarantined_by_campaign": by_prefix(counts, "quarantined"),
        "pending": counts.get("pending", 0),
        "counted": sum(campaigns.values()),
        "conflicts": conn.execute(select(func.count()).select_from(CONFLICTS)).scalar_one(),
        "events": conn.execute(select(func.count()).select_from(EVENTS)).scalar_one(),
        "campaigns": campaigns,
        "locals": by_prefix(counts, "local"),
        "unique_signers": by_prefix(counts, "unique"),
        "by_event": by_prefix(counts, "event"),
        "by_day": by_prefix(counts, "day"),
        "devices": devices,
    }
