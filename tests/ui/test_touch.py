"""A finger on the signing screen: every touch sample Qt delivers reaches the stored ink, with
its timestamp, even when several touch moves arrive within one frame (Qt Quick merges those
unless touch compression is off)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtTest import QTest

from kiosk.domain.signature import PersonalData
from kiosk.ui.automation import Driver, touch_device
from tests.ui.conftest import PASSPHRASE
from tests.ui.steps import fill, to_form

pytestmark = pytest.mark.gui

MOVES_PER_FRAME = 4
FRAMES = 30


def test_every_touch_sample_reaches_the_stored_ink(d: Driver) -> None:
    to_form(d)
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.next")
    d.click("local.confirm")
    canvas = d.wait_shown("pad.canvas")
    d.frame()
    origin = canvas.mapToScene(QPointF(0, 0))
    device = touch_device()
    sent: list[tuple[float, float, int]] = []  # canvas x, y and the sample's number

    def at(i: int) -> tuple[QPoint, tuple[float, float]]:
        local = (60 + i * 5, 120 + (i % 9) * 6)
        return QPoint(round(origin.x() + local[0]), round(origin.y() + local[1])), local

    pos, local = at(0)
    QTest.touchEvent(d.window, device).press(0, pos, d.window).commit()
    sent.append((*local, 0))
    i = 1
    for _ in range(FRAMES):
        for _ in range(MOVES_PER_FRAME):  # several moves between two frames
            pos, local = at(i)
            seq = QTest.touchEvent(d.window, device)
            seq.move(0, pos, d.window)
            seq.commit()
            sent.append((*local, i))
            i += 1
        d.frame()
    pos, local = at(i - 1)
    QTest.touchEvent(d.window, device).release(0, pos, d.window).commit()
    d.wait(lambda: canvas.property("strokeCount") == 1, "the stroke")

    ink = canvas.ink()  # type: ignore[attr-defined]
    assert ink is not None and len(ink.strokes) == 1
    stroke = ink.strokes[0]
    assert len(stroke) == len(sent)  # 121 samples sent, 121 stored
    assert [(round(p.x), round(p.y)) for p in stroke] == [(x, y) for x, y, _ in sent]
    times = [p.t for p in stroke]
    assert times == sorted(times) and times[-1] > times[0]

    # ...and they are what is saved with the signature.
    d.click("pad.submit")
    d.wait_shown("thanks.page")
    kiosk = d.ui.kiosk
    sealed = kiosk.store.recent(1)[0].signature.sealed
    saved = PersonalData.from_bytes(kiosk.keys.unlock(PASSPHRASE).open(sealed)).ink.strokes
    assert len(saved) == 1
    assert [(round(p.x), round(p.y), p.t) for p in saved[0]] == [
        (round(p.x), round(p.y), p.t) for p in stroke
    ]
