"""Staff mode's sync screen, with a sync controller plugged in (a fake one here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QObject, Signal

from kiosk.sync.status import SyncErrorCode, SyncSnapshot
from kiosk.ui.automation import Driver
from tests.ui.conftest import PIN

pytestmark = pytest.mark.gui


class FakeSync(QObject):
    """A kiosk.services.sync.SyncControl, like kiosk.sync.qt.SyncController, that records calls."""

    changed = Signal()
    connectFinished = Signal(bool, str, str)
    campaignsChanged = Signal(list)

    def __init__(self, snap: SyncSnapshot) -> None:
        super().__init__()
        self.snap = snap
        self.calls: list[tuple[str, ...]] = []

    def snapshot(self) -> SyncSnapshot:
        return self.snap

    def sync_now(self) -> None:
        self.calls.append(("sync_now",))

    def nudge(self) -> None:
        self.calls.append(("nudge",))

    def connect(self, url: str, code: str, *, allow_insecure: bool = False) -> None:  # type: ignore[override]
        self.calls.append(("connect", url, code))
        self.allow_insecure = allow_insecure


def to_sync(d: Driver) -> None:
    d.wait_shown("attract.signButton")
    d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
    d.type(PIN)
    d.click("pin.submit")
    d.wait_shown("staff.close")
    d.click("staff.tab.sync")


def test_connected_kiosk_shows_its_state_and_syncs_on_demand(
    make_ui: Callable[..., Driver],
) -> None:
    sync = FakeSync(
        SyncSnapshot(
            server_url="https://sync.example.org",
            pending=3,
            last_success=datetime(2026, 1, 2, 15, 4, tzinfo=UTC),
            last_error=SyncErrorCode.OFFLINE,
            last_error_detail="connection refused",
            next_attempt=datetime(2026, 1, 2, 15, 9, tzinfo=UTC),
        )
    )
    d = make_ui(sync=sync)
    to_sync(d)
    assert d.text("staff.sync.status") == "Connected to https://sync.example.org."
    assert d.text("staff.sync.pending").startswith("3 records waiting")
    assert d.text("staff.sync.error").startswith("The server cannot be reached (no network?).")
    assert not d.shown("staff.connect")
    d.click("staff.syncNow")
    assert ("sync_now",) in sync.calls

    sync.snap = SyncSnapshot(server_url="https://sync.example.org", pending=0)
    sync.changed.emit()
    d.wait(lambda: d.text("staff.sync.pending").startswith("0 records"), "the new snapshot")
    assert not d.shown("staff.sync.error")


def test_a_kiosk_not_yet_connected_offers_the_connect_form(make_ui: Callable[..., Driver]) -> None:
    sync = FakeSync(SyncSnapshot(server_url=None, pending=1))
    d = make_ui(sync=sync)
    to_sync(d)
    assert d.text("staff.sync.status") == "Not connected to a server."
    d.fill("staff.serverUrl", "https://sync.example.org")
    d.fill("staff.enrollCode", "ABCD-1234")
    d.click("staff.connect")
    assert sync.calls[-1] == ("connect", "https://sync.example.org", "ABCD-1234")
    assert sync.allow_insecure is False  # the switch is off unless staff turn it on
    assert d.text("staff.connect") == "Connecting…"
    sync.connectFinished.emit(False, SyncErrorCode.BAD_CODE.value, "410")
    d.wait(lambda: d.text("staff.connectError") != "", "the error")
    assert d.text("staff.connectError") == "This enrollment code is wrong, used or expired."


def test_each_saved_signature_nudges_sync(make_ui: Callable[..., Driver]) -> None:
    from tests.ui.steps import fill, sign_and_submit, to_form

    sync = FakeSync(SyncSnapshot(server_url="https://sync.example.org"))
    d = make_ui(sync=sync)
    to_form(d)
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.next")
    d.click("local.confirm")
    sign_and_submit(d)
    assert sync.calls.count(("nudge",)) == 1


class BrokenSync(FakeSync):
    """A controller whose connect raises instead of reporting through connectFinished."""

    def connect(self, url: str, code: str, *, allow_insecure: bool = False) -> None:  # type: ignore[override]
        raise RuntimeError("the worker thread is gone")


def test_a_connect_that_raises_is_worded_and_the_form_is_free_again(
    make_ui: Callable[..., Driver],
) -> None:
    d = make_ui(sync=BrokenSync(SyncSnapshot(server_url=None)))
    to_sync(d)
    d.fill("staff.serverUrl", "https://sync.example.org")
    d.fill("staff.enrollCode", "ABCD-1234")
    d.click("staff.connect")
    d.wait(lambda: d.text("staff.connectError") != "", "the error")
    assert d.text("staff.connectError") == "Sync failed."
    assert d.text("staff.connect") == "Connect to server"


def test_signatures_the_server_refused_are_said_with_its_reason(
    make_ui: Callable[..., Driver],
) -> None:
    """Refused signatures stay pending at every sync: without a word the count never goes
    down (a kiosk clock set years back, a campaign the server lacks)."""
    sync = FakeSync(
        SyncSnapshot(
            server_url="https://sync.example.org",
            pending=3,
            last_success=datetime(2026, 1, 2, 15, 4, tzinfo=UTC),
            refused=3,
            refused_reasons=("created_at is before 2020",),
        )
    )
    d = make_ui(sync=sync)
    to_sync(d)
    assert d.text("staff.sync.refused") == (
        "The server refused 3 signatures. They stay on this kiosk and are sent again at every "
        "sync; ask your coordinator. Server's reason: created_at is before 2020"
    )
    d.click("lang.es")
    d.wait(lambda: d.text("staff.sync.refused").startswith("El servidor rechazó 3 firmas."), "es")
    sync.snap = SyncSnapshot(server_url="https://sync.example.org", pending=1, refused=1)
    sync.changed.emit()
    d.wait(
        lambda: d.text("staff.sync.refused").startswith("El servidor rechazó 1 firma. Se queda"),
        "1",
    )
    sync.snap = SyncSnapshot(server_url="https://sync.example.org", pending=0)
    sync.changed.emit()
    d.wait(lambda: not d.shown("staff.sync.refused"), "nothing refused any more")
