"""A pass that fails after the server answered tells the server at once (``POST /report`` with
the error), so the console shows a kiosk stuck on one failure; a kiosk that cannot reach the
server sends nothing. A real kiosk and a real ``kiosk-server`` (SQLite and PostgreSQL), one
endpoint broken by a proxy between them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kiosk.app import Kiosk
from kiosk.server.models import Device, table_of
from kiosk.sync.status import SyncErrorCode
from tests.server.live import free_port
from tests.sync.chaos_proxy import ChaosProxy
from tests.sync.helpers import ServerHandle, fill

DEVICES = table_of(Device)


def _device(server: ServerHandle, device_id: str) -> Any:
    with server.db.connect() as conn:
        return conn.execute(select(DEVICES).where(DEVICES.c.id == device_id)).one()


def test_a_failed_pass_reports_its_error_at_once(kiosk: Kiosk, server: ServerHandle) -> None:
    fill(kiosk, 12)
    engine = kiosk.sync_engine()
    with ChaosProxy(server.live.port) as proxy:
        proxy.calm = True
        proxy.always_fail = (b"GET /api/v1/totals",)  # every pass fails at its last step
        enrollment = engine.enroll(proxy.url, server.code(), name="Stuck kiosk").enrollment
        report = engine.run_once()
        assert report.error is SyncErrorCode.SERVER_ERROR
        assert report.created == 12  # what came before the failure went through
        row = _device(server, enrollment.device_id)
        assert row.report_error == "server_error"
        assert row.report_error_at is not None and row.report_pending == 0
        first_at = row.report_error_at
        # Fixed: the next pass reports no new error, and keeps the last one with its time.
        proxy.always_fail = ()
        report = engine.run_once()
        assert report.ok, report.error_detail
        row = _device(server, enrollment.device_id)
        assert (row.report_error, row.report_error_at) == ("server_error", first_at)
    # Unreachable: nothing can be said, and the pass says why.
    reports_before = _device(server, enrollment.device_id).reported_at
    report = engine.run_once(server_url=f"http://127.0.0.1:{free_port()}")
    assert report.error is SyncErrorCode.OFFLINE
    assert _device(server, enrollment.device_id).reported_at == reports_before
