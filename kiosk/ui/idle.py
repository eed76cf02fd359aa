"""Idle detection: after a quiet spell, ask "Are you still there?", then clear the screen.

The watcher filters the window's input events (touch, mouse, stylus, keys) and only notes the
time of the last one, so the cost per event is one comparison. A slow timer then works out
whether the quiet spell passed ``timeout`` and how many seconds of the countdown are left. Any
input resets both, which is also how a tap on the "I'm still here" button works.

A signer listening to speech mode read a screen aloud (the petition in full takes minutes) is
not idle: while the watcher is held (:meth:`IdleWatcher.setHeld`), the quiet spell does not
grow, and it counts from the moment the reading ends. A hold never stops a countdown that has
started, and lasts at most ``max_hold_s`` (a speech engine stuck "speaking" must not keep one
signer's details on screen for good).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import Property, QEvent, QObject, QTimer, Signal, Slot

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseMove,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TouchEnd,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.TabletRelease,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
    }
)


#: The longest one hold lasts (a long petition read aloud takes a few minutes).
MAX_HOLD_S = 600.0


class IdleWatcher(QObject):
    """Counts down to a reset when nobody touches the screen.

    Args:
        timeout_s: quiet seconds before the countdown starts.
        countdown_s: seconds of the "Are you still there?" countdown.
        clock: a monotonic clock in seconds (tests inject one).
        tick_ms: how often the state is re-evaluated.
        max_hold_s: the longest a hold (speech reading aloud) keeps the quiet spell at zero.
    """

    secondsLeftChanged = Signal()
    armedChanged = Signal()
    expired = Signal()

    def __init__(
        self,
        timeout_s: float,
        countdown_s: float,
        clock: Callable[[], float] = time.monotonic,
        tick_ms: int = 200,
        parent: QObject | None = None,
        max_hold_s: float = MAX_HOLD_S,
    ) -> None:
        super().__init__(parent)
        self.timeout_s = timeout_s
        self.countdown_s = countdown_s
        self._clock = clock
        self._last = clock()
        self._armed = False
        self._seconds_left = 0
        self.max_hold_s = max_hold_s
        self._held_since: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._tick)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Note the time of every input event; never consume it.

        During the countdown the overlay's own controls decide ("I'm still here", a tap on
        the dimmed screen, or "Start over"), so a press on "Start over" cannot cancel it.
        """
        if not self._seconds_left and event.type() in _INPUT_EVENTS:
            self._last = self._clock()
        return False

    def _get_armed(self) -> bool:
        return self._armed

    armed = Property(bool, _get_armed, notify=armedChanged)

    def _get_left(self) -> int:
        return self._seconds_left

    secondsLeft = Property(int, _get_left, notify=secondsLeftChanged)

    def _set_left(self, value: int) -> None:
        if value != self._seconds_left:
            self._seconds_left = value
            self.secondsLeftChanged.emit()

    def arm(self, timeout_s: float | None = None) -> None:
        """Start watching (a signer or staff member is using the screen)."""
        if timeout_s is not None:
            self.timeout_s = timeout_s
        self._last = self._clock()
        self._set_left(0)
        if not self._armed:
            self._armed = True
            self._timer.start()
            self.armedChanged.emit()

    def disarm(self) -> None:
        """Stop watching (the attract screen is showing)."""
        self._set_left(0)
        if self._armed:
            self._armed = False
            self._timer.stop()
            self.armedChanged.emit()

    def quiet_for(self) -> float:
        """Seconds since the last touch, key or click anywhere in the window."""
        return self._clock() - self._last

    @Slot()
    def poke(self) -> None:
        """Count as activity ("I'm still here")."""
        self._last = self._clock()
        self._set_left(0)

    @Slot(bool)
    def setHeld(self, on: bool) -> None:  # noqa: N802 - Qt naming
        """Hold (speech mode started reading to the signer) or release (it finished).

        Neither changes a countdown that has started; a release starts the quiet spell anew.
        """
        now = self._clock()
        if on and self._held_since is None:
            self._held_since = now
        elif not on:
            self._held_since = None
        if not self._seconds_left:
            self._last = now

    def _holding(self, now: float) -> bool:
        return self._held_since is not None and now - self._held_since < self.max_hold_s

    @Slot()
    def _tick(self) -> None:
        if not self._armed:
            return
        if not self._seconds_left and self._holding(self._clock()):
            self._last = self._clock()
        quiet = self._clock() - self._last
        if quiet < self.timeout_s:
            self._set_left(0)
            return
        left = self.countdown_s - (quiet - self.timeout_s)
        if left <= 0:
            self.disarm()
            self.expired.emit()
            return
        self._set_left(max(1, math.ceil(left)))
