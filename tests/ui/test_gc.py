"""Garbage is collected on the UI thread only, so a worker thread never frees a Qt object."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from PySide6.QtCore import QObject

from kiosk.ui.automation import Driver

pytestmark = pytest.mark.gui


class _Cycle:
    def __init__(self, freed_on: list[str]) -> None:
        self.me = self
        self.qobject = QObject()  # a Qt object that lives on the UI thread
        self.qobject.destroyed.connect(lambda: freed_on.append(threading.current_thread().name))


def test_cycles_are_collected_by_the_ui_thread(d: Driver, qtbot: object) -> None:
    assert not gc.isenabled()  # automatic collection (in any thread) is off
    freed_on: list[str] = []
    cycle = _Cycle(freed_on)
    alive = weakref.ref(cycle)
    del cycle
    # a worker thread allocating a lot never triggers a collection of the UI's garbage
    kept: list[list[int]] = []
    worker = threading.Thread(target=lambda: kept.extend([i] for i in range(5_000)), name="worker")
    worker.start()
    worker.join()
    assert alive() is not None and freed_on == []
    # the UI thread's timer collects it, by the interpreter's own thresholds
    qtbot.waitUntil(lambda: alive() is None, timeout=5_000)  # type: ignore[attr-defined]
    assert freed_on == [threading.main_thread().name]
    assert len(kept) == 5_000


def test_no_collection_while_a_background_task_runs(d: Driver, qtbot: object) -> None:
    import time

    freed_on: list[str] = []
    cycle = _Cycle(freed_on)
    alive = weakref.ref(cycle)
    del cycle
    release = threading.Event()
    finished: list[object] = []
    d.ui.tasks.run(lambda: release.wait(10), finished.append)  # e.g. an export decoding ink
    junk = [[i] for i in range(5_000)]  # enough to make a collection due
    end = time.monotonic() + 0.8
    while time.monotonic() < end:
        qtbot.wait(50)  # type: ignore[attr-defined]
    assert alive() is not None  # held: the UI thread walked nothing meanwhile
    release.set()
    qtbot.waitUntil(lambda: bool(finished) and alive() is None, timeout=5_000)  # type: ignore[attr-defined]
    assert freed_on == [threading.main_thread().name]
    assert len(junk) == 5_000
