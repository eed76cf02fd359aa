"""The sync engine's audit phase: the kiosk's audit trail reaches the server, is marked synced,
is not sent twice, and the server's copy verifies as an unbroken chain."""

from __future__ import annotations

from kiosk.app import Kiosk
from kiosk.domain.audit import AuditAction
from kiosk.server import audit
from tests.sync.helpers import ServerHandle, fill


def test_audit_trail_is_pushed_and_marked(kiosk: Kiosk, server: ServerHandle) -> None:
    engine = kiosk.sync_engine()
    engine.enroll(server.base_url, server.code(), name="Audit kiosk")
    fill(kiosk, 3)
    for i in range(3):
        kiosk.auditor.record(AuditAction.PRINT, copies=i + 1)
    pending = kiosk.store.pending_audit(1000)
    assert len(pending) >= 3
    report = engine.run_once()
    assert report.ok, report.error_detail
    assert report.audit_sent == len(pending)
    assert kiosk.store.pending_audit(1000) == []
    device = server.sql("SELECT id FROM devices ORDER BY enrolled_at DESC LIMIT 1")
    stored = server.sql(f"SELECT count(*) FROM audit_entries WHERE device_id = '{device}'")
    assert stored == max(e.seq for e in pending)
    again = engine.run_once()
    assert again.ok and again.audit_sent == 0
    kiosk.auditor.record(AuditAction.LOCK)
    third = engine.run_once()
    assert third.ok and third.audit_sent >= 1
    with server.db.connect() as conn:
        report_chain, conflicts = audit.verify_device(conn, device)
    assert report_chain.ok, report_chain.reason
    assert report_chain.entries == stored + third.audit_sent
    assert conflicts == 0
