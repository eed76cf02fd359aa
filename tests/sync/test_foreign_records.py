"""A kiosk whose event id belongs to another device's event: the server answers ``forbidden``
(issue #11, item 10) and the kiosk keeps it as a conflict instead of sending it forever."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from kiosk.app import Kiosk
from kiosk.config import DB_FILE
from kiosk.domain.signature import Event, SyncState
from tests.sync.helpers import ServerHandle


def test_an_event_of_another_device_is_refused_and_kept_as_conflict(
    new_kiosk: Callable[..., Kiosk], server: ServerHandle
) -> None:
    a, b = new_kiosk("a"), new_kiosk("b")
    engine_a, engine_b = a.sync_engine(), b.sync_engine()
    engine_a.enroll(server.base_url, server.code(), name="Kiosk A")
    engine_b.enroll(server.base_url, server.code(), name="Kiosk B")
    a.store.save_event(Event("rally-1", "Rally at City Hall", "City Hall", a.clock()))
    assert engine_a.run_once().ok
    b.store.save_event(Event("rally-1", "Cancelled", "Nowhere", b.clock()))
    report = engine_b.run_once()
    assert report.ok, report.error_detail
    assert b.store.pending_events() == []  # never sent again
    assert server.sql("SELECT name FROM events WHERE id = 'rally-1'") == "Rally at City Hall"
    with sqlite3.connect(b.data_dir / DB_FILE) as conn:
        state = conn.execute("SELECT sync_state FROM events WHERE id = 'rally-1'").fetchone()[0]
    assert SyncState(state) is SyncState.CONFLICT
