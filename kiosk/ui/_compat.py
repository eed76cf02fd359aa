"""Work-arounds for the Qt bindings, applied before any Qt call.

PySide6 6.12.0 on CPython 3.11 returns ``None`` from every wrapped C++ method that returns
``void`` (or a null pointer) without taking a new reference to it: the code is right for
CPython 3.12+, where ``None`` is immortal (PEP 683), and wrong before. Each such call
(``update()``, ``accept()``, ``setText()``...) lowers ``None``'s reference count by one, and the
interpreter aborts with "none_dealloc: deallocating None" after a few thousand calls: within
seconds of drawing a signature. Until the kiosk runs on Python 3.12+, the guard gives ``None``
(and ``True`` and ``False``) a reference count so large that they behave as immortal, as they
are on newer interpreters.

Two more rules the view-models follow because of PySide6 6.12 (no code here enforces them):

- Every method connected to a signal is a declared ``@Slot``. Connecting an undeclared
  method makes PySide add a slot to the class's meta-object at run time, rebuilding it; QML
  caches property tables by meta-object address, and a rebuilt one can land where another
  class's was, so QML then sees the wrong properties ("undefined", at random, in tests).
- A Python ``QQuickItem`` never calls ``self.window()``: the returned window's lifetime gets
  tied to the item, and destroying the item (every signer's screens are rebuilt) destroys
  the window (see :mod:`kiosk.ui.pad`).
"""

from __future__ import annotations

import ctypes
import gc
import logging
import sys

log = logging.getLogger("kiosk.ui")

_HEADROOM = 1 << 40  # about 10^12 calls


def guard_none_refcount() -> bool:
    """Make ``None``, ``True`` and ``False`` effectively immortal on CPython < 3.12.

    ``True`` and ``False`` get the same treatment: a long run (a thousand signers) ended in
    "bool_dealloc: deallocating True or False" the same way.

    Returns:
        Whether the interpreter needed it.
    """
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < _HEADROOM:
            count.value += _HEADROOM
    log.debug("singletons made immortal (PySide6 on CPython %d.%d)", *sys.version_info[:2])
    return True


class _MainThreadGc:
    """Python's cyclic garbage collector, run on the UI thread only.

    Left to itself, the collector runs in whichever thread happens to allocate when a threshold
    is crossed: a background export or sync pass can then free a Qt object that lives on the UI
    thread ("QObject::~QObject: Timers cannot be stopped from another thread"), and Qt may
    crash. So automatic collection is switched off and a UI-thread timer runs the same
    generational collections (by the interpreter's own thresholds) a few times a second.
    """

    def __init__(self, interval_ms: int) -> None:
        from PySide6.QtCore import QCoreApplication, QTimer

        self._thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(QCoreApplication.instance())
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    held = 0  # background tasks running (see hold_collections)
    held_ticks = 0  # ticks skipped in a row because of them
    #: Collect anyway after this many ticks held (a task that never reports back).
    max_held_ticks = 150

    def tick(self) -> int:
        """Collect what is due; return the generation collected (-1: nothing was due, or a
        background task holds collections)."""
        if self.held and self.held_ticks < self.max_held_ticks:
            self.held_ticks += 1
            return -1
        self.held_ticks = 0
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = self._thresholds
        generation = 2 if c2 > t2 else 1 if c1 > t1 else 0 if c0 > t0 else -1
        if generation >= 0:
            gc.collect(generation)
        return generation


_gc: _MainThreadGc | None = None


def collect_garbage_on_the_ui_thread(interval_ms: int = 200) -> None:
    """Run the cyclic garbage collector only on the UI thread (see :class:`_MainThreadGc`).

    Call once the application object exists, from the UI thread; later calls do nothing.
    """
    global _gc  # noqa: PLW0603 - one collector per process, made once
    if _gc is None:
        _gc = _MainThreadGc(interval_ms)


def hold_collections(on: bool) -> None:
    """A background task starts (``True``) or ends (``False``): while one runs, the UI thread
    collects nothing. An export decodes millions of ink points; a full collection would walk
    them all on the UI thread (about half a second, a frozen progress bar). What is due is
    collected at the next tick after the last task ends. Does nothing before
    :func:`collect_garbage_on_the_ui_thread`.
    """
    if _gc is not None:
        _gc.held = max(0, _gc.held + (1 if on else -1))
