"""Staff mode's "Allow unencrypted connection" switch, with the real sync controller and engine
and a real ``kiosk-server`` process on 127.0.0.1.

127.0.0.1 is this machine, where plain http is always allowed; the refusal is tested with a
name that is not this machine (refused by the URL policy before any connection is made).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kiosk.app import Kiosk
from kiosk.domain.audit import AuditAction
from kiosk.sync import state
from kiosk.sync.qt import SyncController
from kiosk.ui.automation import Driver
from kiosk.ui.messages import audit_detail_text
from tests.sync.helpers import ServerHandle, running_server
from tests.ui.conftest import PIN
from tests.ui.test_a11y import audit

pytestmark = pytest.mark.gui

REMOTE = "http://sync.example.org:8080"
REFUSED_EN = (
    "This address is not encrypted (http://). Use an https:// address, or, for a server on "
    "your local network, turn on “Allow unencrypted connection”."
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """A live server on SQLite for this module."""
    with running_server("sqlite", tmp_path_factory.mktemp("server")) as handle:
        yield handle


@pytest.fixture
def controllers() -> Iterator[list[SyncController]]:
    """Sync controllers made by the test, stopped at its end."""
    made: list[SyncController] = []
    yield made
    for c in made:
        c.stop()


def connect_form(
    make_ui: Callable[..., Driver], kiosk: Kiosk, controllers: list[SyncController]
) -> Driver:
    """The real UI with a real sync controller, on staff mode's Sync tab."""
    c = SyncController(kiosk.sync_engine(), start_delay_ms=0, watch_network=False)
    controllers.append(c)
    d = make_ui(kiosk, sync=c)
    d.wait_shown("attract.signButton")
    d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
    d.type(PIN)
    d.click("pin.submit")
    d.wait_shown("staff.close")
    d.click("staff.tab.sync")
    d.wait_shown("staff.serverUrl")
    return d


def test_plain_http_to_another_machine_needs_the_switch(
    make_ui: Callable[..., Driver],
    make_kiosk: Callable[..., Kiosk],
    controllers: list[SyncController],
) -> None:
    kiosk = make_kiosk()
    d = connect_form(make_ui, kiosk, controllers)
    switch = d.item("staff.allowInsecure")
    assert switch.property("checked") is False  # off by default
    assert not d.shown("staff.allowInsecure.warning")
    d.fill("staff.serverUrl", REMOTE)
    d.fill("staff.enrollCode", "ABCD-1234")
    d.click("staff.connect")
    d.wait(lambda: d.text("staff.connectError") != "", "the refusal")
    assert d.text("staff.connectError") == REFUSED_EN
    d.click("lang.es")
    d.wait(
        lambda: d.text("staff.connectError").startswith("Esta dirección no está cifrada"),
        "the Spanish refusal",
    )
    assert "active «Permitir conexión sin cifrar»" in d.text("staff.connectError")
    assert d.text("staff.allowInsecure") == "Permitir conexión sin cifrar (solo red local)"
    # Nothing was stored or audited: the kiosk is still not connected.
    assert state.load_enrollment(kiosk.store, kiosk.keys) is None
    assert AuditAction.ENROLLED not in [e.action for e in kiosk.store.audit_entries()]
    d.click("staff.allowInsecure")
    d.wait(lambda: d.shown("staff.allowInsecure.warning"), "the warning")
    assert switch.property("checked") is True
    assert audit(d) == []  # named, finger-sized controls


@pytest.mark.parametrize("allow", [False, True], ids=["switch-off", "switch-on"])
def test_the_choice_reaches_the_engine_and_is_kept_and_audited(
    make_ui: Callable[..., Driver],
    make_kiosk: Callable[..., Kiosk],
    controllers: list[SyncController],
    server: ServerHandle,
    allow: bool,
) -> None:
    kiosk = make_kiosk()
    d = connect_form(make_ui, kiosk, controllers)
    d.fill("staff.serverUrl", server.base_url)
    d.fill("staff.enrollCode", server.code())
    if allow:
        d.click("staff.allowInsecure")
        d.wait(lambda: d.shown("staff.allowInsecure.warning"), "the warning")
    d.click("staff.connect")
    d.wait(
        lambda: d.text("staff.sync.status").endswith(f"{server.base_url}."),
        "connected",
        timeout_s=30,
    )
    enrollment = state.load_enrollment(kiosk.store, kiosk.keys)
    assert enrollment is not None and enrollment.server_url == server.base_url
    assert enrollment.allow_insecure is allow
    enrolled = [e for e in kiosk.store.audit_entries() if e.action == AuditAction.ENROLLED]
    assert len(enrolled) == 1 and enrolled[0].detail["allow_insecure"] is allow
    shown = audit_detail_text(enrolled[0].action, enrolled[0].detail)
    assert shown.endswith("unencrypted connection allowed") is allow
