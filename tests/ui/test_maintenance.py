"""Idle housekeeping: with the attract screen untouched, retention runs and the file is
vacuumed off the UI thread; never while someone is using the kiosk."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.domain.ports import SignatureFilter
from kiosk.domain.signature import SyncState
from kiosk.privacy import SETTING_RETENTION, SETTING_VACUUM_DUE
from kiosk.ui.automation import Driver
from tests.ui.conftest import FakeClock
from tests.ui.steps import fill, sign_and_submit, to_form

pytestmark = pytest.mark.gui


def test_housekeeping_runs_only_when_the_kiosk_is_at_rest(
    make_ui: Callable[..., Driver], idle_clock: FakeClock, qtbot: object
) -> None:
    d = make_ui()
    d.wait_shown("attract.signButton")
    kiosk, maintenance = d.ui.kiosk, d.ui.maintenance
    assert maintenance is not None
    to_form(d)
    fill(d, "Ana", "Reyes", "55802", "ana@example.org")
    d.click("form.next")
    d.click("local.confirm")
    sign_and_submit(d)
    d.click("thanks.done")
    d.wait_shown("attract.signButton")
    (stored,) = kiosk.store.iter_signatures(SignatureFilter())
    kiosk.store.mark_signatures([stored.signature.meta.id], SyncState.SYNCED)
    kiosk.store.set_setting(SETTING_RETENTION, "immediate")

    assert maintenance.run_if_idle() is False  # the attract screen was touched a moment ago
    idle_clock.advance(600)
    d.click("attract.signButton")  # a signer is reading the petition: not now
    idle_clock.advance(600)
    assert maintenance.run_if_idle() is False
    d.ui.vm.startOver()
    d.wait_shown("attract.signButton")
    idle_clock.advance(600)
    with qtbot.waitSignal(maintenance.finished, timeout=10_000) as done:  # type: ignore[attr-defined]
        assert maintenance.run_if_idle() is True
    assert done.args == [True]  # purged, then vacuumed
    assert kiosk.store.get(stored.signature.meta.id).signature.sealed == b""
    assert kiosk.store.get_setting(SETTING_VACUUM_DUE) == "0"
    assert kiosk.store.counts().total == 1  # the signature still counts
    assert [e.action for e in kiosk.store.audit_entries()][-1] == "purge"
    with qtbot.waitSignal(maintenance.finished, timeout=10_000) as again:  # type: ignore[attr-defined]
        assert maintenance.run_if_idle() is True
    assert again.args == [False]  # nothing new: no vacuum
