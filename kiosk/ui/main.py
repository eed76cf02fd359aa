"""Starting the touch screen: ``run_ui`` for ``kiosk``, ``build_ui`` for tests and tools.

``build_ui(kiosk, ...)`` wires the view-models over an opened kiosk (:class:`UiHost`: the
composition root's :class:`kiosk.app.Kiosk`), each with the services it uses, loads
``KioskUi/Main.qml`` and returns a :class:`UiHandle` without running the event loop, so tests,
the screenshot script and the benchmarks drive the real screens over a temporary data folder.
``run_ui`` adds the application object, the event loop and sync; :func:`kiosk.app.run_app`
calls it with the function that opens the kiosk.

Start-up time matters (a volunteer switches the tablet on at a rally): this module imports Qt
only when it is used, so ``run_ui`` can open the store (SQLAlchemy, migrations) on a worker
thread while the main thread loads Qt and the QML.
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.ui.shell_config import UiConfig

if TYPE_CHECKING:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtQml import QQmlApplicationEngine
    from PySide6.QtQuick import QQuickItem, QQuickWindow

    from kiosk.config import DataLayout
    from kiosk.services import Services
    from kiosk.services.pin import PinCheck
    from kiosk.services.sync import SyncControl
    from kiosk.sync.engine import SyncEngine
    from kiosk.sync.qt import SyncController
    from kiosk.ui.maintenance import IdleMaintenance
    from kiosk.ui.shell import KioskApp
    from kiosk.ui.tasks import Tasks

log = logging.getLogger("kiosk.ui")

WINDOWED_SIZE = (1280, 800)

#: Two known, harmless start-up messages of Qt's own modules, kept out of the log (rules set
#: in ``QT_LOGGING_RULES`` come after these and win): the multimedia plugin (keyboard clicks)
#: looking for PipeWire, and a note on a type inside Qt Virtual Keyboard.
_QUIET_CATEGORIES = (
    "qt.multimedia.symbolsresolver.warning=false",
    "qt.qml.propertyCache.append.warning=false",
)


def configure_qt() -> None:
    """Process-wide Qt settings; call before the application object exists.

    The on-screen keyboard is Qt Virtual Keyboard inside the window (no desktop pop-up), the
    Controls style is Basic (every control is restyled in QML), and high-frequency touch and
    tablet events reach the signature pad one by one instead of merged.
    """
    from PySide6.QtCore import QCoreApplication, Qt

    rules = os.environ.get("QT_LOGGING_RULES", "")
    os.environ["QT_LOGGING_RULES"] = ";".join(filter(None, [*_QUIET_CATEGORIES, rules]))
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    os.environ.setdefault("QT_VIRTUALKEYBOARD_DESKTOP_DISABLE", "1")
    os.environ.setdefault("QT_QUICK_CONTROLS_STYLE", "Basic")
    # Qt Quick merges the touch moves that arrive between two frames into one, whatever the
    # attributes below say: a finger at 120-250 Hz would lose samples of its stroke.
    os.environ["QML_NO_TOUCH_COMPRESSION"] = "1"
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents, False)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_CompressTabletEvents, False)


class UiHost(Protocol):
    """An opened kiosk, as the screens need it (:class:`kiosk.app.Kiosk`)."""

    data_dir: Path
    kiosk_id: str

    @property
    def layout(self) -> DataLayout:
        """Where the kiosk keeps what (the translations cache)."""
        ...

    def services(self) -> Services:
        """The application layer over the kiosk."""
        ...

    def sync_engine(self, **options: Any) -> SyncEngine:
        """The sync engine over the kiosk."""
        ...

    def reload_campaigns(self) -> None:
        """Re-read the campaign files."""
        ...

    def close(self) -> None:
        """Close the store."""
        ...


@dataclass
class UiHandle:
    """A built UI: the engine, its window and the root view-model."""

    app: QGuiApplication
    engine: QQmlApplicationEngine
    window: QQuickWindow
    vm: KioskApp
    kiosk: UiHost
    tasks: Tasks
    maintenance: IdleMaintenance | None = None
    _closed: bool = field(default=False, repr=False)

    def find_all(self, name: str) -> list[QQuickItem]:
        """Every item with this ``objectName`` (shared controls, such as the language switch,
        appear once per screen).

        A popup (``a11y.panel``, the idle warning) is not an item: its content item stands for
        it (shown while the popup is open). ``window`` is the window's root item (its
        ``window()`` is the ``QQuickWindow``)."""
        from PySide6.QtCore import QObject
        from PySide6.QtQuick import QQuickItem

        found: list[QQuickItem] = []
        root = self.window.contentItem()
        if self.window.objectName() == name:
            found.append(root)
        pending: list[QQuickItem] = [root]
        while pending:
            item = pending.pop()
            if item.objectName() == name:
                found.append(item)
            pending.extend(item.childItems())
        for obj in self.window.findChildren(QObject, name):
            content = None if isinstance(obj, QQuickItem) else obj.property("contentItem")
            if isinstance(content, QQuickItem) and content not in found:
                found.append(content)
        return found

    def find(self, name: str) -> QQuickItem | None:
        """The item with this ``objectName`` (see docs/automation.md), or None.

        Names are unique among the items on screen; when hidden screens hold an item of the
        same name, the visible one is returned.
        """
        items = self.find_all(name)
        for item in items:
            if item.isVisible():
                return item
        return items[0] if items else None

    def attach_sync(self, sync: SyncControl) -> None:
        """Plug a sync controller into staff mode and the signer flow.

        Args:
            sync: the controller (:class:`kiosk.services.sync.SyncControl`; in the app,
                ``kiosk.sync.qt.SyncController``).
        """
        flow = self.vm.flow
        self.vm.sync.attach(sync)
        flow.set_sync(sync)
        # New campaign text from the server: the next signer gets it (catalog reloaded first).
        sync.campaignsChanged.connect(flow.reload)

    def _finish_loading(self) -> None:
        """Let the screens that load in the background (the on-screen keyboard, a signer's
        screens) finish first: deleted half-built, Qt Virtual Keyboard's items evaluate their
        bindings against a style that is already gone and log a TypeError for each."""
        from PySide6.QtCore import QCoreApplication, QEventLoop, QObject
        from PySide6.QtQml import QQmlEngine, QQmlExpression

        def loading(loader: QObject) -> bool:
            context = QQmlEngine.contextForObject(loader)
            if context is None or not loader.property("asynchronous"):
                return False
            # PySide cannot read the status enum itself; 2 is Loader.Loading.
            value, undefined = QQmlExpression(context, loader, "status === 2").evaluate()
            return bool(value) and not undefined

        loaders = [
            obj
            for obj in self.window.findChildren(QObject)
            if obj.metaObject().className() == "QQuickLoader"
        ]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(loading(loader) for loader in loaders):
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    def _close_at_exit(self) -> None:
        """Closes the UI when the interpreter exits if nothing closed it (a script or an outside
        test that raised before ``close()``): else Python frees the view-models while the window
        still binds to them, and each binding logs a TypeError on the way out. ``build_ui``
        registers it with :mod:`atexit`; ``close()`` unregisters it."""
        from PySide6.QtCore import QCoreApplication

        if QCoreApplication.instance() is not None:
            self.close()

    def close(self) -> None:
        """Close the window and release the engine (tests build many UIs in one process)."""
        import shiboken6
        from PySide6.QtCore import QCoreApplication, QEvent

        if self._closed:
            return
        self._closed = True
        atexit.unregister(self._close_at_exit)
        if self.maintenance is not None:
            self.maintenance.stop()
        self.vm.shutdown()
        self.tasks.wait(10_000)
        self._finish_loading()
        self.window.removeEventFilter(self.vm.idle)
        self.window.close()
        # The window (and every binding to the view-models) goes first, then the engine, and
        # both now: a deferred delete may never run outside an event loop, and a window left
        # behind would keep evaluating bindings against view-models that are gone.
        shiboken6.delete(self.window)
        shiboken6.delete(self.engine)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


def build_ui(
    kiosk: UiHost,
    *,
    sync: SyncControl | None = None,
    config: UiConfig | None = None,
    windowed: bool = True,
    show: bool = True,
    now: Callable[[], float] = time.time,
    idle_clock: Callable[[], float] = time.monotonic,
    qm_dir: Path | None = None,
) -> UiHandle:
    """Wire the view-models over ``kiosk`` and load the QML window (no event loop).

    Args:
        kiosk: an opened kiosk (:class:`kiosk.app.Kiosk`).
        sync: the sync controller (:class:`kiosk.services.sync.SyncControl`), or None.
        config: timings (tests shorten them).
        windowed: a 1280 x 800 window with decorations instead of full screen.
        show: show the window (screenshots and tests do; set False to only build).
        now: wall clock for the PIN lockout.
        idle_clock: monotonic clock for the idle timeout.
        qm_dir: where to build the ``.qm`` translations (default: the data folder's cache).
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QGuiApplication
    from PySide6.QtQml import QQmlApplicationEngine
    from PySide6.QtQuick import QQuickWindow

    # Importing these registers the QML types of ``import Kiosk`` (SignaturePad, Theme).
    from kiosk.ui import pad as _pad  # noqa: F401
    from kiosk.ui import theme as _theme  # noqa: F401
    from kiosk.ui._compat import collect_garbage_on_the_ui_thread
    from kiosk.ui.exports_panel import ExportsPanel
    from kiosk.ui.flow import SignerFlow
    from kiosk.ui.i18n import QML_DIR, I18n, ensure_qm
    from kiosk.ui.idle import IdleWatcher
    from kiosk.ui.maintenance import IdleMaintenance
    from kiosk.ui.privacy_panel import PrivacyPanel
    from kiosk.ui.shell import KioskApp
    from kiosk.ui.staff import StaffMode
    from kiosk.ui.sync_status import SyncStatus
    from kiosk.ui.tasks import Tasks

    configure_qt()
    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication(sys.argv[:1])
    assert isinstance(app, QGuiApplication)
    collect_garbage_on_the_ui_thread()  # never free a Qt object on a worker thread
    font = QFont()
    font.setFamilies(["Noto Sans", "DejaVu Sans", "Sans Serif"])
    app.setFont(font)
    config = config or UiConfig()
    engine = QQmlApplicationEngine()
    qm = ensure_qm(qm_dir or kiosk.layout.translations_cache)
    i18n = I18n(engine, qm)
    tasks = Tasks()
    services = kiosk.services()
    flow = SignerFlow(services.signing, i18n, thanks_ms=int(config.thanks_s * 1000))
    desk = services.staff
    staff = StaffMode(
        desk,
        services.settings,
        services.events,
        desk.pin_gate(now, config.pin_max_tries, config.pin_base_delay_s),
        desk.key_session(config.unlock_idle_s),
        i18n,
        tasks,
    )
    status = SyncStatus(services.outbox, i18n, None, poll_ms=config.sync_poll_ms)
    idle = IdleWatcher(config.idle_timeout_s, config.idle_countdown_s, clock=idle_clock)
    exports = ExportsPanel(
        services.exports, staff.unlocker, i18n, tasks, media_globs=config.media_globs
    )
    privacy = PrivacyPanel(services.privacy, staff.session, i18n, tasks)
    vm = KioskApp(flow, staff, status, exports, privacy, i18n, idle, config)
    gate = staff.gate

    def witness(pin: str, done: Callable[[bool | None], None]) -> None:
        """A volunteer's staff PIN for a typed signature, checked off the UI thread; a wrong
        one is audited as a wrong staff PIN is (``pin_failed``, and ``pin_locked`` when it
        starts a lockout), marked ``via: witness``. While entry is locked the PIN is not
        looked at, nor audited again (as on the PIN screen, which takes no try then)."""

        def attempt() -> PinCheck | None:
            return None if gate.locked_for() > 0 else gate.check(pin)

        def checked(r: PinCheck | None) -> None:
            if r is None:
                done(None)
                return
            if not r.ok:
                desk.pin_refused(r.locked_for, via="witness")
            done(True if r.ok else (None if r.locked_for > 0 else False))

        tasks.run(attempt, checked, lambda _exc: done(False))

    flow.set_witness_check(witness)
    for child in (i18n, tasks, flow, staff, status, exports, privacy, idle):
        child.setParent(vm)
    maintenance = IdleMaintenance(
        services.privacy,
        tasks,
        idle,
        lambda: vm.mode == "signer" and flow.step == "attract",
        interval_s=config.maintenance_interval_s,
        quiet_s=config.maintenance_quiet_s,
        parent=vm,
    )
    # The export preview's pages, rendered in memory (image://exportpreview/...).
    engine.addImageProvider(exports.provider_id, exports.image_provider)
    engine.addImportPath(str(QML_DIR))
    engine.setInitialProperties({"app": vm, "windowed": windowed})
    engine.loadFromModule("KioskUi", "Main")
    roots = engine.rootObjects()
    if not roots:
        raise RuntimeError("the QML user interface failed to load (see the log)")
    window = roots[0]
    assert isinstance(window, QQuickWindow)
    window.installEventFilter(idle)
    window.installEventFilter(vm)  # a physical keyboard hides the on-screen one
    # Speech mode says each control as it gains the focus (from its accessibility data).
    window.activeFocusItemChanged.connect(lambda: vm.speech.focusItem(window.activeFocusItem()))
    # ... and a check box, option or toggle's new state after Space or Enter pressed it.
    window.installEventFilter(vm.speech)
    vm.quitRequested.connect(app.quit)
    if show:
        if windowed:
            window.resize(*WINDOWED_SIZE)
            window.show()
        else:
            window.setFlags(Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
            window.showFullScreen()
    handle = UiHandle(app, engine, window, vm, kiosk, tasks, maintenance)
    atexit.register(handle._close_at_exit)
    if sync is not None:
        handle.attach_sync(sync)
    return handle


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=os.environ.get("KIOSK_LOG_LEVEL", "INFO").upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations chat at INFO


def run_ui(
    open_kiosk: Callable[[], UiHost],
    windowed: bool = False,
    on_ready: Callable[[UiHandle], object] | None = None,
) -> int:
    """Run the touch-screen app until staff exit it; return the exit code.

    Args:
        open_kiosk: opens the kiosk (on a worker thread, while Qt loads).
        windowed: a normal 1280 x 800 window (development) instead of full screen.
        on_ready: called once the first frame of the attract screen is on screen (the
            start-up benchmark and tests use it).
    """
    _configure_logging()
    opened: dict[str, Any] = {}

    def open_store() -> None:
        try:
            opened["kiosk"] = open_kiosk()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread
            opened["error"] = exc

    # PySide6's first import runs shiboken's bootstrap, which also hooks every later import:
    # it is done here, before any other thread imports anything. Run while the opener thread
    # imported SQLAlchemy, it crashed the process now and then (a fatal error in
    # signature_bootstrap.py, seen once in CI with a damaged store).
    import PySide6.QtCore  # noqa: F401

    # The store (SQLAlchemy, migrations) opens while the rest of Qt and the view-models load.
    opener = threading.Thread(target=open_store, name="kiosk-open", daemon=True)
    opener.start()
    configure_qt()
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    app.setApplicationName("Petition Kiosk")
    app.setOrganizationName("petition-kiosk")
    import kiosk.ui.shell

    opener.join()
    if "error" in opened:
        raise opened["error"]
    kiosk = opened["kiosk"]
    sync: SyncController | None = None
    ui: UiHandle | None = None

    def start_sync() -> None:
        # Sync runs on its own worker thread; staff mode shows its snapshot and drives it.
        # Its modules (the HTTP client) load once the attract screen is up: the first pass
        # waits a second anyway, and a signer never waits on it.
        nonlocal sync
        from kiosk.sync.qt import SyncController

        sync = SyncController(kiosk.sync_engine(), on_campaigns_changed=kiosk.reload_campaigns)
        sync.start()
        assert ui is not None
        ui.attach_sync(sync)
        log.info("sync controller started")

    try:
        ui = build_ui(kiosk, windowed=windowed)
        log.info("kiosk %s ready (%s)", kiosk.kiosk_id, "windowed" if windowed else "full screen")
        handle = ui

        def first_frame() -> None:
            # With the threaded render loop (a real display), frameSwapped comes from the
            # render thread as queued calls: a second frame may be queued before the first
            # call runs. Only the first counts; the connection goes once, by itself.
            if ready_once["done"]:
                return
            ready_once["done"] = True
            # What is alive now (Qt's wrappers, QML, the campaigns, the store) lives as long
            # as the app: into the collector's permanent generation with it, so a full
            # collection no longer walks it (about 50 ms, three frames of a stroke on the pad).
            gc.collect()
            gc.freeze()
            QTimer.singleShot(0, start_sync)
            if on_ready is not None:
                on_ready(handle)

        ready_once = {"done": False}
        ui.window.frameSwapped.connect(first_frame, Qt.ConnectionType.SingleShotConnection)
        return int(app.exec())
    finally:
        if sync is not None:
            sync.stop()
        if ui is not None:
            ui.close()
        kiosk.close()
