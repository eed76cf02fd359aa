"""Driving the screens by ``objectName``: for tests, the screenshot script and benchmarks.

The signer-flow controls carry stable object names (listed in ``docs/automation.md``). A
:class:`Driver` finds them in a built UI, scrolls them into view, clicks them with real mouse
events on the window, types text as key events (any Unicode, as the on-screen keyboard
would), and draws strokes on the signature pad, so a test goes through the same event delivery
as a finger.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QKeyEvent, QMouseEvent, QPointingDevice
from PySide6.QtQuick import QQuickItem, QQuickWindow
from PySide6.QtTest import QTest

from kiosk.ui.main import UiHandle


class DriverError(AssertionError):
    """A control was not found, not shown or not enabled in time."""


_touch_device: QPointingDevice | None = None


def send_mouse(window: QQuickWindow, kind: QEvent.Type, pos: QPointF) -> None:
    """One left-button mouse event at ``pos`` (window coordinates), delivered synchronously.

    The button is held for a press or a move and released on a release, as a real mouse does.
    """
    buttons = (
        Qt.MouseButton.NoButton
        if kind == QEvent.Type.MouseButtonRelease
        else Qt.MouseButton.LeftButton
    )
    event = QMouseEvent(
        kind,
        pos,
        pos,
        window.mapToGlobal(pos),
        Qt.MouseButton.LeftButton,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QCoreApplication.sendEvent(window, event)


def touch_device() -> QPointingDevice:
    """The touch screen test events come from (registered once per process)."""
    global _touch_device  # noqa: PLW0603 - Qt keeps one registered device per process
    if _touch_device is None:
        _touch_device = QTest.createTouchDevice()
    return _touch_device


class Driver:
    """Finds, clicks, types and draws on a built UI.

    Args:
        ui: the UI from :func:`kiosk.ui.main.build_ui`.
        timeout_s: how long to wait for a control to appear.
    """

    def __init__(self, ui: UiHandle, timeout_s: float = 5.0) -> None:
        self.ui = ui
        self.window = ui.window
        self.timeout_s = timeout_s

    # -- waiting -----------------------------------------------------------------------------

    def wait(
        self,
        predicate: Callable[[], object],
        what: str = "condition",
        timeout_s: float | None = None,
    ) -> None:
        """Process events until ``predicate()`` is true.

        Raises:
            DriverError: it did not become true in time.
        """
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        while not predicate():
            if time.monotonic() > deadline:
                raise DriverError(f"timed out waiting for {what} ({self.describe()})")
            QTest.qWait(10)

    def describe(self) -> str:
        """The screen's state, for error messages."""
        from PySide6.QtQml import QQmlEngine, QQmlExpression

        vm = self.ui.vm
        try:
            expr = QQmlExpression(
                QQmlEngine.contextForObject(self.window),
                self.window,
                "[app.mode, app.flow.step, mode, step]",
            )
            value, _ = expr.evaluate()
            qml = value.toVariant() if hasattr(value, "toVariant") else value
            return (
                f"mode={vm.mode} step={vm.flow.step} qml={qml} window visible="
                f"{self.window.isVisible()} exposed={self.window.isExposed()}"
            )
        except RuntimeError:
            return "the window is gone"

    def frame(self, timeout_s: float = 0.5) -> None:
        """Wait for the next rendered frame (layouts are polished before each frame).

        A window with nothing to redraw may render no frame; then this returns after
        ``timeout_s`` (there was nothing to lay out either).
        """
        swapped: list[bool] = []

        def done() -> None:
            swapped.append(True)

        self.window.frameSwapped.connect(done)
        try:
            self.window.update()
            deadline = time.monotonic() + timeout_s
            while not swapped and time.monotonic() < deadline:
                QTest.qWait(5)
        finally:
            self.window.frameSwapped.disconnect(done)

    def settle(self, ms: int = 250) -> None:
        """Let animations (fades, the keyboard sliding) finish."""
        QTest.qWait(ms)

    def find(self, name: str) -> QQuickItem | None:
        """The item named ``name``, or None."""
        return self.ui.find(name)

    def _loading(self) -> bool:
        """Whether a Loader is still building its screen in the background."""
        pending: list[QQuickItem] = [self.window.contentItem()]
        while pending:
            node = pending.pop()
            if node.objectName() == "keyboard":
                continue  # its own loaders, some of them empty
            if (
                node.inherits("QQuickLoader")
                and node.property("active")
                and node.property("sourceComponent") is not None
                and float(node.property("progress")) < 1.0
            ):
                return True
            pending.extend(node.childItems())
        return False

    def _keyboard_moving(self) -> bool:
        """Whether the on-screen keyboard is sliding in or out."""
        panel = self.find("keyboard")
        if panel is None:
            return False
        target = self.window.height() - (panel.height() if panel.property("active") else 0)
        return abs(panel.y() - target) > 0.5

    def _fading(self) -> bool:
        """Whether a screen (an item named ``*.page``) is still fading in."""
        pending: list[QQuickItem] = [self.window.contentItem()]
        while pending:
            node = pending.pop()
            if node.objectName().endswith(".page") and 0 < node.opacity() < 1:
                return True
            pending.extend(node.childItems())
        return False

    def idle(self) -> None:
        """Wait until no screen is loading or fading in and the keyboard has stopped sliding."""
        self.wait(
            lambda: not self._loading() and not self._keyboard_moving() and not self._fading(),
            "screens and the keyboard to settle",
        )

    def item(self, name: str) -> QQuickItem:
        """The item named ``name``, waiting for it to exist (and its screen to be built)."""
        self.idle()
        self.wait(lambda: self.find(name) is not None, f"{name} to exist")
        found = self.find(name)
        assert found is not None
        return found

    def shown(self, name: str) -> bool:
        """Whether ``name`` exists and is visible (with all its parents)."""
        try:
            found = self.find(name)
            return bool(found is not None and found.isVisible() and found.opacity() > 0)
        except RuntimeError:  # deleted while we looked (a list was rebuilt)
            return False

    def wait_shown(self, name: str) -> QQuickItem:
        """Wait until ``name`` is visible and enabled; return it."""

        def ready() -> bool:
            try:
                return self.shown(name) and bool(self.find(name).isEnabled())  # type: ignore[union-attr]
            except RuntimeError:
                return False

        def what() -> str:
            try:
                found = self.find(name)
            except RuntimeError:
                return f"{name} to be shown and enabled (it was deleted)"
            if found is None:
                return f"{name} to be shown and enabled (not found)"
            return (
                f"{name} to be shown and enabled (visible={found.isVisible()} "
                f"opacity={found.opacity():.2f} enabled={found.isEnabled()})"
            )

        try:
            self.wait(ready, f"{name} to be shown and enabled")
        except DriverError as exc:
            raise DriverError(f"{what()}: {exc}") from None
        return self.item(name)

    # -- pointer -----------------------------------------------------------------------------

    @staticmethod
    def _flickable(item: QQuickItem) -> QQuickItem | None:
        parent = item.parentItem()
        while parent is not None:
            if parent.inherits("QQuickFlickable"):
                return parent
            parent = parent.parentItem()
        return None

    def scroll_into_view(self, item: QQuickItem, margin: float = 24) -> None:
        """Scroll the enclosing Flickable (if any) so ``item`` is inside it."""
        flick = self._flickable(item)
        if flick is None:
            return
        content = flick.property("contentItem")
        top = item.mapToItem(content, QPointF(0, 0)).y() - margin
        bottom = top + item.height() + 2 * margin
        y = float(flick.property("contentY"))
        h = flick.height()
        if top < y or (bottom > y + h and bottom - top > h):  # a tall item: its top in view
            flick.setProperty("contentY", max(0.0, top))
        elif bottom > y + h:
            max_y = max(0.0, float(flick.property("contentHeight")) - h)
            flick.setProperty("contentY", min(max_y, bottom - h))
        QCoreApplication.processEvents()

    def center(self, item: QQuickItem) -> QPoint:
        """The item's centre in window coordinates."""
        p = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
        return QPoint(round(p.x()), round(p.y()))

    @staticmethod
    def _polish(item: QQuickItem) -> None:
        """Run pending layouts (rows, layouts) from the root down to ``item`` now.

        Qt Quick positions items in a polish pass before the next frame; a click computed
        before it would land where the item was before the layout.
        """
        chain: list[QQuickItem] = []
        node: QQuickItem | None = item
        while node is not None:
            chain.append(node)
            node = node.parentItem()
        for node in reversed(chain):
            node.ensurePolished()

    def _settled_center(self, item: QQuickItem) -> QPoint:
        """The centre once layouts stopped moving the item (and it is inside the window and
        inside its scrolling area: a layout that grows after the item was scrolled into view,
        an error line appearing above it, scrolls it into view again)."""
        last: list[QPoint] = []
        self._polish(item)

        def stable() -> bool:
            self._polish(item)
            self.scroll_into_view(item)
            c = self.center(item)
            inside = 0 <= c.x() < self.window.width() and 0 <= c.y() < self.window.height()
            ok = inside and bool(last) and last[-1] == c
            last.append(c)
            return ok

        self.wait(stable, f"{item.objectName()} to settle inside the window")
        return last[-1]

    def click(self, name: str) -> None:
        """Click (tap) the control named ``name`` once it is shown and enabled.

        If the control is rebuilt while it is being located (a list model changed), it is
        looked up again.
        """
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                item = self.wait_shown(name)
                self.frame()
                self.idle()
                self.scroll_into_view(item)
                self.frame()
                pos = self._settled_center(item)
                if self.find(name) is not item:
                    raise RuntimeError("rebuilt")
                QTest.mouseClick(
                    self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos
                )
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise DriverError(f"{name} kept being rebuilt") from None
        QCoreApplication.processEvents()

    def tap(self, name: str) -> None:
        """Tap the control named ``name`` with a finger (touch events), once it is shown."""
        item = self.wait_shown(name)
        self.frame()
        self.idle()
        self.scroll_into_view(item)
        self.frame()
        self.touch_at(self._settled_center(item))

    def touch_at(self, pos: QPoint) -> None:
        """A finger taps the window at ``pos`` (press, then release on the next turn)."""
        device = touch_device()
        QTest.touchEvent(self.window, device).press(0, pos, self.window).commit()
        QTest.qWait(20)
        QTest.touchEvent(self.window, device).release(0, pos, self.window).commit()
        QCoreApplication.processEvents()

    def hold(self, name: str, until: Callable[[], object], what: str) -> None:
        """Press ``name`` and keep pressing until ``until()`` (a long press)."""
        item = self.wait_shown(name)
        self.frame()
        pos = self._settled_center(item)
        QTest.mousePress(
            self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos
        )
        try:
            self.wait(until, what, timeout_s=self.timeout_s + 5)
        finally:
            QTest.mouseRelease(
                self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos
            )

    def draw(self, name: str, strokes: Iterable[Sequence[tuple[float, float]]]) -> None:
        """Draw strokes (points in the item's own coordinates) with press/move/release."""
        item = self.wait_shown(name)
        self.frame()
        origin = item.mapToScene(QPointF(0, 0))
        for stroke in strokes:
            pts = [QPointF(origin.x() + x, origin.y() + y) for x, y in stroke]
            send_mouse(self.window, QEvent.Type.MouseButtonPress, pts[0])
            for p in pts[1:]:
                send_mouse(self.window, QEvent.Type.MouseMove, p)
            send_mouse(self.window, QEvent.Type.MouseButtonRelease, pts[-1])
        QCoreApplication.processEvents()

    def sign(self, name: str = "pad.canvas") -> None:
        """Draw a plausible signature (a name-like scrawl and an underline) on the pad."""
        item = self.wait_shown(name)
        w, h = item.width(), item.height()
        scrawl = []
        for i in range(120):
            t = i / 119
            x = w * (0.12 + 0.6 * t)
            y = h * (0.55 - 0.18 * abs(((i % 20) / 10) - 1)) + (i % 7)
            scrawl.append((x, y))
        underline = [(w * (0.15 + 0.6 * i / 30), h * 0.7) for i in range(31)]
        self.draw(name, [scrawl, underline])

    # -- keys --------------------------------------------------------------------------------

    def type(self, text: str) -> None:
        """Type text into the focused field, one key event per character."""
        for ch in text:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QCoreApplication.sendEvent(
                    self.window, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch)
                )
        QCoreApplication.processEvents()

    def key(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        """Press one key (e.g. ``Qt.Key.Key_Return``)."""
        QTest.keyClick(self.window, key, modifier)

    def fill(self, name: str, text: str) -> None:
        """Tap a field and type into it."""
        self.click(name)

        def focused() -> bool:
            try:
                return bool(self.item(name).hasActiveFocus())
            except RuntimeError:
                return False

        self.wait(focused, f"{name} to get focus")
        self.type(text)

    # -- the on-screen keyboard ----------------------------------------------------------------

    def keyboard_keys(self) -> list[QQuickItem]:
        """The keys the on-screen keyboard shows now (Qt Virtual Keyboard's own key items)."""
        panel = self.find("keyboard")
        if panel is None or not panel.property("active"):
            return []
        keys: list[QQuickItem] = []
        pending: list[QQuickItem] = [panel]
        while pending:
            node = pending.pop()
            if not node.isVisible():
                continue
            if node.property("keyType") is not None and node.width() > 0:
                keys.append(node)
                continue
            pending.extend(node.childItems())
        return keys

    def keyboard_labels(self) -> list[str]:
        """What the shown keys say (their ``displayText``; empty for Shift, Backspace...)."""
        return [str(k.property("displayText") or "") for k in self.keyboard_keys()]

    def keyboard_key(self, label: str) -> QQuickItem:
        """The shown key whose text is ``label`` (letters match either case)."""

        def match() -> QQuickItem | None:
            for key in self.keyboard_keys():
                if label == "\n":  # Enter ("Next" / "Done")
                    if int(key.property("key") or 0) == Qt.Key.Key_Return.value:
                        return key
                    continue
                text = str(key.property("text") or "")
                if text == label or (len(label) == 1 and text.lower() == label.lower()):
                    return key
            return None

        self.wait(lambda: match() is not None, f"the keyboard key {label!r}")
        found = match()
        assert found is not None
        return found

    def tap_keys(self, labels: Iterable[str]) -> None:
        """Tap keys of the on-screen keyboard one after the other, as a finger does.

        ``labels`` are key texts (``"m"``, ``"@"``, ``".com"``, ``"\n"`` for Enter); a plain
        string taps one key per character.
        """
        self.wait(lambda: bool(self.keyboard_keys()), "the on-screen keyboard")
        self.idle()
        for label in labels:
            key = self.keyboard_key(label)
            self.touch_at(self.center(key))
            QTest.qWait(10)

    # -- reading -----------------------------------------------------------------------------

    def text(self, name: str) -> str:
        """The ``text`` property of the item named ``name``."""
        return str(self.item(name).property("text"))

    def grab(self) -> QImage:
        """The window as an image (rendered offscreen)."""
        return self.window.grabWindow()

    def objects(self) -> list[QObject]:
        """Every QML object in the window (for audits such as accessible names)."""
        return list(self.window.findChildren(QObject))
