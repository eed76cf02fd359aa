"""Runs the sync engine off the UI thread and publishes its state to staff mode.

What the UI consumes is one :class:`SyncController` (a ``QObject`` living on the UI thread)::

    controller = SyncController(kiosk.sync_engine(), on_campaigns_changed=kiosk.reload_campaigns)
    controller.start()

    controller.snapshot()          # -> SyncSnapshot, cheap, never touches disk or network
    controller.changed             # Signal(): a new snapshot is available
    controller.sync_now()          # staff's "Sync now"
    controller.connect(url, code)  # staff's "Connect to server" (enrollment, off the UI thread)
    controller.connectFinished     # Signal(bool ok, str error_code, str detail)
    controller.nudge()             # call after each saved signature (debounced)
    controller.stop()              # on shutdown

``connect`` deliberately shadows ``QObject.connect`` (the static, string-based connection
function, unused with PySide's ``signal.connect``): it is the name staff mode calls.

Triggers: a pass runs shortly after :meth:`SyncController.start`, :data:`DEBOUNCE_MS` after the
last :meth:`~SyncController.nudge`, every :data:`INTERVAL_MS` while things work, and when the
network comes back (Qt's ``QNetworkInformation``, if a backend loads; otherwise the timer does
the job). After a failure the next attempt waits per :class:`~kiosk.sync.backoff.Backoff`
(exponential, full jitter, capped); nudges then only refresh the pending count, while "Sync now"
and the network coming back try at once.

Work happens on one daemon thread fed by a queue, so at most one pass or enrollment runs at a
time and a signer never waits on the network; a daemon thread also cannot hold the app open at
exit. Results come back to the UI thread through queued Qt signals; every public signal is
emitted on the UI thread.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk.sync.backoff import Backoff
from kiosk.sync.client import SyncError
from kiosk.sync.engine import SyncEngine, SyncReport
from kiosk.sync.status import SyncErrorCode, SyncSnapshot

log = logging.getLogger("kiosk.sync")

#: Wait after the last new signature before syncing, in milliseconds.
DEBOUNCE_MS = 3_000
#: Time between passes while things work, in milliseconds.
INTERVAL_MS = 5 * 60_000
#: Delay of the first pass after start, in milliseconds (lets the app finish starting).
START_DELAY_MS = 1_000
#: Seconds ``stop`` waits for a running pass to notice it was cancelled.
STOP_WAIT_S = 5.0


@dataclasses.dataclass(frozen=True, slots=True)
class _EnrollJob:
    url: str
    code: str
    name: str | None
    ca_bundle: str | None
    allow_insecure: bool


class _Bridge(QObject):
    """Carries results from the worker thread to the controller (queued connections)."""

    passStarted = Signal(object)  # SyncSnapshot
    passDone = Signal(object, object)  # SyncReport, SyncSnapshot
    enrollDone = Signal(bool, str, str, object)  # ok, code, detail, SyncSnapshot
    snapshotReady = Signal(object)  # SyncSnapshot
    campaignsChanged = Signal(list)  # slugs


class SyncController(QObject):
    """Schedules sync passes on a worker thread and publishes :class:`SyncSnapshot`."""

    #: A new snapshot is available (read it with :meth:`snapshot`).
    changed = Signal()
    #: ``connect`` finished: ok, the error code's value ("" when ok), a technical detail.
    connectFinished = Signal(bool, str, str)
    #: A pass finished (the :class:`~kiosk.sync.engine.SyncReport`).
    passFinished = Signal(object)
    #: Server campaigns changed (slugs); the catalog was already reloaded if a callback was given.
    campaignsChanged = Signal(list)

    def __init__(
        self,
        engine: SyncEngine,
        parent: QObject | None = None,
        on_campaigns_changed: Callable[[], object] | None = None,
        backoff: Backoff | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        interval_ms: int = INTERVAL_MS,
        start_delay_ms: int = START_DELAY_MS,
        watch_network: bool = True,
    ) -> None:
        """Wire the controller (call :meth:`start` to begin).

        Args:
            engine: the sync engine (used only from the worker thread from now on).
            parent: the Qt parent.
            on_campaigns_changed: called on the UI thread when server campaigns changed (e.g.
                ``kiosk.reload_campaigns``), so new signers get the new text.
            backoff: the retry policy (default: base 2 s, cap 5 min).
            debounce_ms: wait after the last nudge.
            interval_ms: time between passes while things work.
            start_delay_ms: delay of the first pass after :meth:`start`.
            watch_network: follow ``QNetworkInformation`` reachability when a backend loads.
        """
        super().__init__(parent)
        self._engine = engine
        self._on_campaigns_changed = on_campaigns_changed
        self._backoff = backoff or Backoff()
        self._interval_ms = interval_ms
        self._start_delay_ms = start_delay_ms
        self._watch_network = watch_network
        self._snapshot = engine.snapshot()
        self._in_flight = False  # a pass was requested and has not reported back
        self._dirty = False  # something asked for a pass while one was in flight
        self._next_attempt: datetime | None = None
        self._started = False
        self._stopping = False
        self._network: Any = None
        self._reachability: Any = None

        self._bridge = _Bridge()
        self._bridge.passStarted.connect(self._on_pass_started)
        self._bridge.passDone.connect(self._on_pass_done)
        self._bridge.enrollDone.connect(self._on_enroll_done)
        self._bridge.snapshotReady.connect(self._on_snapshot)
        self._bridge.campaignsChanged.connect(self._on_campaigns)
        engine.on_campaigns_changed = self._bridge.campaignsChanged.emit

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._request_pass)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._request_pass)

        self._jobs: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="kiosk-sync", daemon=True)
        self._thread.start()

    # -- what staff mode uses ------------------------------------------------------------------

    def snapshot(self) -> SyncSnapshot:
        """The latest sync state (cached: cheap to call from the UI)."""
        return self._snapshot

    @Slot()
    def sync_now(self) -> None:
        """Run a pass now, even while backing off after failures."""
        self._debounce.stop()
        self._request_pass()

    @Slot()
    def nudge(self) -> None:
        """A signature was saved: sync soon (debounced), unless backing off after failures."""
        if self._in_flight:
            self._dirty = True
        elif self._backoff.failures and self._timer.isActive():
            self._jobs.put("refresh")  # keep the pending count right; the retry is scheduled
        else:
            self._debounce.start()

    def connect(  # type: ignore[override]
        self,
        url: str,
        code: str,
        name: str | None = None,
        ca_bundle: str | None = None,
        allow_insecure: bool = False,
    ) -> None:
        """Enroll with a server using a one-time code, off the UI thread.

        The outcome arrives as :attr:`connectFinished` and a new snapshot; on success a pass
        follows at once.

        Args:
            url: the server address staff typed.
            code: the one-time code.
            name: this kiosk's name on the server (None: the name given with the code).
            ca_bundle: a PEM file of CAs to trust instead of the system's.
            allow_insecure: staff explicitly allow plain http to another machine.
        """
        self._jobs.put(_EnrollJob(url, code, name, ca_bundle, allow_insecure))

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Begin: a first pass shortly, then timers and network watching."""
        if self._started:
            return
        self._started = True
        if self._watch_network:
            self._follow_network()
        self._timer.start(self._start_delay_ms)

    def stop(self) -> None:
        """Stop scheduling and the worker (a running pass is cancelled after its request)."""
        self._started = False
        self._stopping = True
        self._debounce.stop()
        self._timer.stop()
        self._engine.cancel()
        self._jobs.put(None)
        self._thread.join(STOP_WAIT_S)
        if self._thread.is_alive():
            log.warning("sync worker still busy at shutdown; leaving it to exit with the app")

    def _follow_network(self) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        try:
            loaded = QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability
            )
        except Exception as exc:  # noqa: BLE001 - a missing plugin must not stop the kiosk
            log.info("network information unavailable (%s); relying on the timer", exc)
            return
        info = QNetworkInformation.instance() if loaded else None
        if info is None:
            log.info("no network information backend; relying on the timer")
            return
        self._network = info
        self._reachability = info.reachability()
        info.reachabilityChanged.connect(self._on_reachability)
        log.info("following network reachability (%s backend)", info.backendName())

    @Slot(object)
    def _on_reachability(self, reachability: Any) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        online = (QNetworkInformation.Reachability.Online, QNetworkInformation.Reachability.Site)
        was_online = self._reachability in online
        self._reachability = reachability
        if reachability in online and not was_online and self._started:
            log.info("network is back; syncing")
            self._backoff.succeeded()
            self._debounce.stop()
            self._timer.start(self._start_delay_ms)

    # -- scheduling (UI thread) ----------------------------------------------------------------

    def _request_pass(self) -> None:
        if self._in_flight:
            self._dirty = True
            return
        self._timer.stop()
        self._in_flight = True
        self._jobs.put("pass")

    def _publish(self, snapshot: SyncSnapshot) -> None:
        self._snapshot = dataclasses.replace(
            snapshot, running=self._in_flight or snapshot.running, next_attempt=self._next_attempt
        )
        self.changed.emit()

    @Slot(object)
    def _on_pass_started(self, snapshot: SyncSnapshot) -> None:
        self._next_attempt = None
        self._publish(dataclasses.replace(snapshot, running=True))

    @Slot(object, object)
    def _on_pass_done(self, report: SyncReport, snapshot: SyncSnapshot) -> None:
        self._in_flight = False
        self._next_attempt = None
        if report.ok:
            self._backoff.succeeded()
            delay_ms = self._interval_ms
        elif report.error is SyncErrorCode.NOT_CONNECTED:
            delay_ms = -1  # nothing to do until staff connect the kiosk
        elif report.cancelled:
            delay_ms = -1
        else:
            delay_ms = int(self._backoff.failed(report.retry_after) * 1000)
            self._next_attempt = datetime.now(UTC) + timedelta(milliseconds=delay_ms)
        if self._started and delay_ms >= 0:
            self._timer.start(delay_ms)
        if self._dirty and self._started:
            self._dirty = False
            if report.ok or report.error is SyncErrorCode.NOT_CONNECTED:
                self._debounce.start()
        self._publish(snapshot)
        self.passFinished.emit(report)

    @Slot(bool, str, str, object)
    def _on_enroll_done(self, ok: bool, code: str, detail: str, snapshot: SyncSnapshot) -> None:
        self._publish(snapshot)
        self.connectFinished.emit(ok, code, detail)
        if ok:
            self._backoff.succeeded()
            self._request_pass()

    @Slot(object)
    def _on_snapshot(self, snapshot: SyncSnapshot) -> None:
        self._publish(snapshot)

    @Slot(list)
    def _on_campaigns(self, slugs: list[str]) -> None:
        if self._on_campaigns_changed is not None:
            try:
                self._on_campaigns_changed()
            except Exception:
                log.exception("reloading campaigns after a sync failed")
        self.campaignsChanged.emit(slugs)

    # -- the worker thread ---------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None or self._stopping:
                return
            try:
                if job == "pass":
                    self._bridge.passStarted.emit(self._engine.snapshot(running=True))
                    report = self._engine.run_once()
                    self._bridge.passDone.emit(report, self._engine.snapshot())
                elif job == "refresh":
                    self._bridge.snapshotReady.emit(self._engine.snapshot())
                elif isinstance(job, _EnrollJob):
                    self._enroll(job)
            except Exception:
                log.exception("sync worker error")
                if job == "pass":
                    failed = SyncReport(
                        error=SyncErrorCode.LOCAL_ERROR, error_detail="internal error"
                    )
                    self._bridge.passDone.emit(failed, self._safe_snapshot())

    def _safe_snapshot(self) -> SyncSnapshot:
        try:
            return self._engine.snapshot()
        except Exception:  # noqa: BLE001
            return self._snapshot

    def _enroll(self, job: _EnrollJob) -> None:
        try:
            self._engine.enroll(job.url, job.code, job.name, job.ca_bundle, job.allow_insecure)
        except SyncError as exc:
            self._bridge.enrollDone.emit(False, exc.code.value, exc.detail, self._engine.snapshot())
        else:
            self._bridge.enrollDone.emit(True, "", "", self._engine.snapshot())
