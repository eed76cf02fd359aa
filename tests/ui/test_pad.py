"""The signature pad: vectors with timestamps (and pressure), smooth partial repaints,
enough-ink rule, clear, and a drawing that survives a resize or rotation."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPointF, QRect, Qt
from PySide6.QtGui import QImage, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtQuick import QQuickWindow
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from kiosk.domain.ink import decode_ink, encode_ink
from kiosk.ui.automation import Driver, send_mouse
from kiosk.ui.pad import SignaturePad
from tests.ui.steps import fill, to_form

pytestmark = pytest.mark.gui


class Pad:
    """A pad alone in a window, with helpers to draw on it."""

    def __init__(self) -> None:
        self.window = QQuickWindow()
        self.window.resize(1000, 400)
        self.pad = SignaturePad(self.window.contentItem())
        self.pad.setSize(self.window.size().toSizeF())
        self.window.show()
        QTest.qWaitForWindowExposed(self.window)

    def mouse(self, kind: QEvent.Type, x: float, y: float) -> None:
        send_mouse(self.window, kind, QPointF(x, y))

    def stroke(self, points: list[tuple[float, float]]) -> None:
        self.mouse(QEvent.Type.MouseButtonPress, *points[0])
        for p in points[1:]:
            self.mouse(QEvent.Type.MouseMove, *p)
        self.mouse(QEvent.Type.MouseButtonRelease, *points[-1])

    def image(self) -> QImage:
        return self.window.grabWindow()

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def pad(qapp: object) -> Iterator[Pad]:
    p = Pad()
    yield p
    p.close()


def wave(n: int = 200, x0: float = 100, y0: float = 200) -> list[tuple[float, float]]:
    return [(x0 + i * 3.5, y0 + 60 * math.sin(i / 12)) for i in range(n)]


def inked(img: QImage, rect: QRect) -> int:
    """How many dark pixels lie in ``rect``."""
    n = 0
    for y in range(rect.top(), rect.bottom(), 2):
        for x in range(rect.left(), rect.right(), 2):
            if img.pixelColor(x, y).lightness() < 128:
                n += 1
    return n


def test_strokes_are_kept_as_vectors_with_timestamps(pad: Pad) -> None:
    pad.stroke(wave(150))
    pad.stroke([(120, 320), (400, 330), (700, 325)])
    ink = pad.pad.ink()
    assert ink is not None
    assert [len(s) for s in ink.strokes] == [150, 3]
    assert (ink.width, ink.height) == (1000, 400)
    first = ink.strokes[0]
    assert (first[0].x, first[0].y) == pytest.approx((100, 200))
    assert all(p.pressure is None for s in ink.strokes for p in s)  # a mouse has no pressure
    times = [p.t for s in ink.strokes for p in s]
    assert times[0] == 0 and times == sorted(times)
    assert decode_ink(encode_ink(ink)).point_count == 153
    assert pad.pad.property("inkEnough") is True


def test_one_dot_or_a_tiny_scribble_is_never_enough(pad: Pad) -> None:
    pad.stroke([(500, 200)])
    assert pad.pad.property("empty") is False
    assert pad.pad.property("inkEnough") is False
    pad.stroke([(500, 200), (505, 203), (509, 201)])
    assert pad.pad.property("inkEnough") is False
    img = pad.image()
    assert inked(img, QRect(490, 190, 25, 20)) > 0  # but the dot shows under the finger


def test_clear_forgets_everything(pad: Pad, qtbot: QtBot) -> None:
    pad.stroke(wave())
    pad.pad.clear()
    assert pad.pad.ink() is None
    assert pad.pad.property("empty") is True and pad.pad.property("inkEnough") is False
    # As soon as the next frame is drawn (not after a fixed sleep).
    qtbot.waitUntil(lambda: inked(pad.image(), QRect(0, 0, 1000, 400)) == 0, timeout=5000)


def test_each_new_sample_repaints_only_around_itself(
    pad: Pad, monkeypatch: pytest.MonkeyPatch
) -> None:
    rects: list[QRect] = []
    original = pad.pad.update

    def spy(*args: object) -> None:
        if args and isinstance(args[0], QRect):
            rects.append(args[0])
        original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pad.pad, "update", spy)
    pad.stroke(wave(100))
    assert len(rects) >= 99
    assert max(r.width() * r.height() for r in rects) < 40 * 40
    assert max(r.width() * r.height() for r in rects) < 1000 * 400 / 200


def test_strokes_are_smooth_curves(pad: Pad) -> None:
    # Three samples at a sharp angle: a polyline would pass through the middle sample (400,
    # 100); the curve through the midpoints rounds the corner, its apex at (400, 150).
    pad.stroke([(300, 300), (400, 100), (500, 300)])
    img = pad.image()
    assert inked(img, QRect(392, 96, 16, 16)) == 0
    assert inked(img, QRect(392, 142, 16, 16)) > 0


def test_the_drawing_survives_a_resize_or_rotation(pad: Pad, qtbot: QtBot) -> None:
    pad.stroke(wave(200, 100, 200))
    before = pad.pad.ink()
    # Rotate the tablet: the pad becomes tall and narrow.
    pad.window.resize(500, 800)
    pad.pad.setSize(pad.window.size().toSizeF())
    # Redrawn at the new size: the ink moved into the new width (next frame, no fixed sleep).
    qtbot.waitUntil(lambda: inked(pad.image(), QRect(40, 380, 30, 40)) > 0, timeout=5000)
    assert pad.pad.ink() == before  # same vectors, same coordinate space
    img = pad.image()
    # Scaled by 0.5 into the new width and centred vertically: (100, 200) -> (50, 400).
    assert inked(img, QRect(40, 380, 30, 40)) > 0
    assert inked(img, QRect(0, 0, 500, 290)) == 0
    # New ink lands in the same (original) coordinate space.
    pad.stroke([(250, 500), (300, 520), (350, 500)])
    ink = pad.pad.ink()
    assert ink is not None and (ink.width, ink.height) == (1000, 400)
    assert ink.strokes[-1][0].x == pytest.approx(500, abs=0.6)
    assert ink.strokes[-1][0].y == pytest.approx(400, abs=0.6)


def test_a_stylus_records_pressure(pad: Pad) -> None:
    # What the page's PointHandler for styluses calls.
    points = wave(60)
    pad.pad.stylusPress(QPointF(*points[0]), 0.2)
    for i, p in enumerate(points[1:], 1):
        pad.pad.stylusMove(QPointF(*p), 0.2 + 0.6 * i / len(points))
    pad.pad.stylusRelease(QPointF(*points[-1]), 0.3)
    ink = pad.pad.ink()
    assert ink is not None and len(ink.strokes) == 1 and len(ink.strokes[0]) == 60
    pressures = [p.pressure for p in ink.strokes[0]]
    assert pressures[0] == pytest.approx(0.2)
    assert all(p is not None for p in pressures) and max(pressures) > 0.7  # type: ignore[operator]
    times = [p.t for p in ink.strokes[0]]
    assert times == sorted(times)


def test_tablet_events_reach_the_pad_on_the_signing_screen(d: Driver) -> None:
    to_form(d)
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.next")
    d.click("local.confirm")
    canvas = d.wait_shown("pad.canvas")
    d.frame()
    device = QPointingDevice(
        "stylus",
        42,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        0,
    )
    pos = canvas.mapToScene(QPointF(200, 150))
    event = QTabletEvent(
        QEvent.Type.TabletPress,
        device,
        pos,
        d.window.mapToGlobal(pos),
        0.4,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        Qt.KeyboardModifier.NoModifier,
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.LeftButton,
    )
    QCoreApplication.sendEvent(d.window, event)
    d.wait(lambda: canvas.property("pointCount") > 0, "the stylus sample")
    ink = canvas.ink()  # type: ignore[attr-defined]
    assert ink is not None
    assert ink.strokes[0][0].pressure == pytest.approx(0.4)
    assert (ink.strokes[0][0].x, ink.strokes[0][0].y) == pytest.approx((200, 150))


def test_a_finger_draws_and_a_second_finger_is_ignored(pad: Pad) -> None:
    device = QTest.createTouchDevice()
    seq = QTest.touchEvent(pad.window, device)
    seq.press(0, pad.window.mapFromGlobal(pad.window.mapToGlobal(QPointF(100, 100))).toPoint())
    seq.commit()
    for i in range(1, 40):
        seq = QTest.touchEvent(pad.window, device)
        seq.move(0, QPointF(100 + i * 10, 100 + i * 3).toPoint())
        if i == 20:
            seq.press(1, QPointF(900, 350).toPoint())  # a resting palm
        elif i > 20:
            seq.move(1, QPointF(900, 350 - i).toPoint())
        seq.commit()
    seq = QTest.touchEvent(pad.window, device)
    seq.release(0, QPointF(490, 217).toPoint())
    seq.release(1, QPointF(900, 300).toPoint())
    seq.commit()
    ink = pad.pad.ink()
    assert ink is not None
    assert len(ink.strokes) == 1
    assert all(p.x < 600 for p in ink.strokes[0])
