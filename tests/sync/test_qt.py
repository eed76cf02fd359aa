"""The Qt controller: passes run off the UI thread, debounced nudges, backoff, "Sync now",
"Connect to server", campaign reloads on the UI thread, network coming back."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from PySide6.QtNetwork import QNetworkInformation

from kiosk.app import Kiosk
from kiosk.domain.campaign_format import campaign_to_dict
from kiosk.sync.backoff import Backoff
from kiosk.sync.qt import SyncController
from kiosk.sync.state import Enrollment, save_enrollment
from kiosk.sync.status import SyncErrorCode
from kiosk.wire import PushRequest
from tests.helpers import mini_campaign
from tests.sync.helpers import ServerHandle, fill
from tests.sync.model import ServerModel

# A Qt warning fails the test that caused it, from the UI thread or a sync thread, in the test
# or while its fixtures close (tests/conftest.py; tests/test_warnings_fail.py shows each case).
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_level_fail("WARNING")]

WAIT_MS = 20_000


class ModelTransport:
    """The server model behind an httpx transport; records the thread of every request."""

    def __init__(self) -> None:
        self.model = ServerModel()
        self.down = False
        self.threads: set[str] = set()
        self.pushes = 0
        self.campaigns: list[dict[str, object]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.threads.add(threading.current_thread().name)
        if self.down:
            raise httpx.ConnectError("down", request=request)
        path = request.url.path
        if path.endswith("/signatures"):
            self.pushes += 1
            answer = self.model.push(PushRequest.model_validate_json(request.content))
            return httpx.Response(
                200,
                content=answer.model_dump_json().encode(),
                headers={"Content-Type": "application/json"},
            )
        if path.endswith("/campaigns"):
            return httpx.Response(200, json={"campaigns": self.campaigns})
        if path.endswith("/totals"):
            return httpx.Response(200, json={"campaigns": {}, "locals": {}})
        return httpx.Response(404, json={"error": "not_found", "detail": path})


@pytest.fixture
def transport() -> ModelTransport:
    return ModelTransport()


@pytest.fixture
def controller(qtbot: object, kiosk: Kiosk, transport: ModelTransport) -> Iterator[SyncController]:
    save_enrollment(
        kiosk.store, Enrollment("http://127.0.0.1:9", "dev", "tok", "Model"), kiosk.keys
    )
    engine = kiosk.sync_engine(transport=httpx.MockTransport(transport.handle))
    c = SyncController(
        engine,
        on_campaigns_changed=kiosk.reload_campaigns,
        debounce_ms=300,
        start_delay_ms=0,
        watch_network=False,
        backoff=Backoff(base=60, cap=60),
    )
    yield c
    c.stop()


def test_a_pass_runs_on_start_off_the_ui_thread(
    qtbot: object, controller: SyncController, kiosk: Kiosk, transport: ModelTransport
) -> None:
    fill(kiosk, 30)
    with qtbot.waitSignal(controller.passFinished, timeout=WAIT_MS) as blocker:  # type: ignore[attr-defined]
        controller.start()
    assert blocker.args[0].ok
    snap = controller.snapshot()
    assert snap.pending == 0 and snap.last_success is not None and not snap.running
    assert snap.server_url == "http://127.0.0.1:9"
    assert len(transport.model.signatures) == 30
    assert transport.threads and threading.main_thread().name not in transport.threads


def test_nudges_are_debounced_into_one_pass(
    qtbot: object, controller: SyncController, kiosk: Kiosk, transport: ModelTransport
) -> None:
    with qtbot.waitSignal(controller.passFinished, timeout=WAIT_MS):  # type: ignore[attr-defined]
        controller.start()
    before = transport.pushes
    with qtbot.waitSignal(controller.passFinished, timeout=WAIT_MS):  # type: ignore[attr-defined]
        for seed in range(3):  # three signers in a row
            fill(kiosk, 1, seed=seed)
            controller.nudge()
    assert transport.pushes == before + 1
    assert controller.snapshot().pending == 0 and len(transport.model.signatures) == 3


def test_failures_back_off_and_sync_now_retries_at_once(
    qtbot: object, controller: SyncController, kiosk: Kiosk, transport: ModelTransport
) -> None:
    fill(kiosk, 5)
    transport.down = True
    with qtbot.waitSignal(controller.passFinished, timeout=WAIT_MS) as blocker:  # type: ignore[attr-defined]
        controller.start()
    assert blocker.args[0].error is SyncErrorCode.OFFLINE
    snap = controller.snapshot()
    assert snap.last_error is SyncErrorCode.OFFLINE and snap.next_attempt is not None
    assert snap.pending == 5
    # While backing off, a nudge only refreshes the count shown to staff.
    fill(kiosk, 1, seed=9)
    with qtbot.waitSignal(controller.changed, timeout=WAIT_MS):  # type: ignore[attr-defined]
        controller.nudge()
    assert controller.snapshot().pending == 6 and transport.pushes == 0
    transport.down = False
    with qtbot.waitSignal(controller.passFinished, timeout=WAIT_MS) as blocker:  # type: ignore[attr-defined]
        controller.sync_now()
    assert blocker.args[0].ok
    snap = controller.snapshot()
    assert snap.pending == 0 and snap.last_error is None and snap.next_attempt is None


def test_network_coming_back_triggers_a_pass(
    qtbot: object, controller: SyncController, kiosk: Kiosk, transport: ModelTransport
) -> None:
    transport.down = True
    with qtbot.waitSignal(controller.passFinished, timeout=WAIT_MS):  # type: ignore[attr-defined]
        controller.start()
    fill(kiosk, 2)
    transport.down = False
    R = QNetworkInformation.Reachability
    controller._on_reachability(R.Disconnected)
    with qtbot.waitSignal(controller.passFinished, timeout=WAIT_MS) as blocker:  # type: ignore[attr-defined]
        controller._on_reachability(R.Online)
    assert blocker.args[0].ok and controller.snapshot().pending == 0


def test_server_campaigns_reload_the_catalog_on_the_ui_thread(
    qtbot: object, controller: SyncController, kiosk: Kiosk, transport: ModelTransport
) -> None:
    transport.campaigns = [campaign_to_dict(mini_campaign())]
    seen: list[str] = []
    controller.campaignsChanged.connect(lambda slugs: seen.append(threading.current_thread().name))
    with qtbot.waitSignal(controller.campaignsChanged, timeout=WAIT_MS) as blocker:  # type: ignore[attr-defined]
        controller.start()
    assert blocker.args[0] == ["mini-test"]
    assert "mini-test" in kiosk.catalog  # reloaded by the callback
    assert seen == [threading.main_thread().name]


def test_following_the_network_degrades_gracefully(qtbot: object, kiosk: Kiosk) -> None:
    c = SyncController(kiosk.sync_engine(), watch_network=True, start_delay_ms=0)
    try:
        with qtbot.waitSignal(c.passFinished, timeout=WAIT_MS) as blocker:  # type: ignore[attr-defined]
            c.start()
        assert blocker.args[0].error is SyncErrorCode.NOT_CONNECTED
        assert c.snapshot().last_error is SyncErrorCode.NOT_CONNECTED
    finally:
        c.stop()


def test_connect_to_a_real_server_then_sync(
    qtbot: object, kiosk: Kiosk, sqlite_server: ServerHandle
) -> None:
    sqlite_server.reset()
    fill(kiosk, 12)
    c = SyncController(kiosk.sync_engine(), start_delay_ms=0, watch_network=False)
    try:
        with qtbot.waitSignal(c.connectFinished, timeout=WAIT_MS) as blocker:  # type: ignore[attr-defined]
            c.connect(sqlite_server.base_url, "WRONG-CODE")
        assert blocker.args[:2] == [False, "bad_code"]
        assert c.snapshot().last_error is SyncErrorCode.BAD_CODE
        with qtbot.waitSignal(c.connectFinished, timeout=WAIT_MS) as blocker:  # type: ignore[attr-defined]
            c.connect(sqlite_server.base_url, sqlite_server.code(), name="Qt kiosk")
        assert blocker.args == [True, "", ""]
        qtbot.waitUntil(
            lambda: c.snapshot().pending == 0 and c.snapshot().last_success is not None,  # type: ignore[attr-defined]
            timeout=WAIT_MS,
        )
        assert sqlite_server.count() == 12
        assert c.snapshot().server_url == sqlite_server.base_url
    finally:
        c.stop()


def test_stop_ends_the_worker(qtbot: object, controller: SyncController) -> None:
    controller.start()
    controller.stop()
    assert not controller._thread.is_alive()
