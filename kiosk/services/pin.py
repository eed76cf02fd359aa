"""The staff PIN: an Argon2id hash, and a lockout that survives restarts.

The PIN is stored only as a slow hash (the :class:`kiosk.domain.ports.PinHasher` port; the
composition root hands in Argon2id). Wrong tries are counted in the store's settings, not in memory, so switching the kiosk off and on does
not reset them: after ``max_tries`` wrong tries in a row, entry is locked for ``base_delay``
seconds, and each further lockout doubles the delay (up to ``max_delay``). A right PIN clears
the count. Nothing here needs Qt.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.domain.ports import PinHasher, SettingsStore
from kiosk.ui_state import (
    SETTING_PIN_FAILURES,
    SETTING_PIN_HASH,
    SETTING_PIN_LOCKED_UNTIL,
    SETTING_PIN_LOCKOUTS,
)

PIN_MIN = 4
PIN_MAX = 12


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The outcome of one try.

    Attributes:
        ok: the PIN was right.
        locked_for: seconds until the next try is allowed (0 when not locked).
        tries_left: wrong tries left before the next lockout.
    """

    ok: bool
    locked_for: float
    tries_left: int


def valid_new_pin(pin: str) -> bool:
    """Whether ``pin`` is acceptable as a new staff PIN (4 to 12 digits)."""
    return PIN_MIN <= len(pin) <= PIN_MAX and pin.isascii() and pin.isdigit()


class PinGate:
    """Checks the staff PIN and keeps the lockout state in the settings.

    Args:
        settings: where the hash, the failure count and the lockout live.
        hasher: hashes a new PIN and checks a try (Argon2id on a kiosk).
        now: the clock, in seconds (injected by tests).
        max_tries: wrong tries in a row before a lockout.
        base_delay: the first lockout, in seconds; each further one doubles.
        max_delay: the longest lockout, in seconds.
    """

    def __init__(
        self,
        settings: SettingsStore,
        hasher: PinHasher,
        now: Callable[[], float] = time.time,
        max_tries: int = 5,
        base_delay: float = 30.0,
        max_delay: float = 3600.0,
    ) -> None:
        self._settings = settings
        self._hasher = hasher
        self._now = now
        self.max_tries = max_tries
        self.base_delay = base_delay
        self.max_delay = max_delay

    def _int(self, key: str) -> int:
        raw = self._settings.get_setting(key)
        try:
            return int(raw) if raw is not None else 0
        except ValueError:
            return 0

    def has_pin(self) -> bool:
        """Whether a PIN was set."""
        return bool(self._settings.get_setting(SETTING_PIN_HASH))

    def set_pin(self, pin: str) -> None:
        """Hash and store a new PIN, clearing any lockout.

        Raises:
            ValueError: the PIN is not 4 to 12 digits.
        """
        if not valid_new_pin(pin):
            raise ValueError("a PIN has 4 to 12 digits")
        self._settings.set_setting(SETTING_PIN_HASH, self._hasher.hash_pin(pin))
        self._reset()

    def _reset(self) -> None:
        self._settings.set_setting(SETTING_PIN_FAILURES, None)
        self._settings.set_setting(SETTING_PIN_LOCKOUTS, None)
        self._settings.set_setting(SETTING_PIN_LOCKED_UNTIL, None)

    def locked_for(self) -> float:
        """Seconds until a try is allowed again (0 when entry is open)."""
        until_ms = self._int(SETTING_PIN_LOCKED_UNTIL)
        remaining = until_ms / 1000 - self._now()
        return max(0.0, remaining)

    def tries_left(self) -> int:
        """Wrong tries left before the next lockout."""
        return max(0, self.max_tries - self._int(SETTING_PIN_FAILURES))

    def check(self, pin: str) -> PinCheck:
        """Try a PIN: slow on purpose (the hasher); counts a wrong one durably.

        A try while locked is refused without looking at the PIN.
        """
        wait = self.locked_for()
        if wait > 0:
            return PinCheck(False, wait, 0)
        # Count the try before checking it, so that switching the kiosk off in the middle of
        # a check cannot be used to get free tries.
        failures = self._int(SETTING_PIN_FAILURES) + 1
        self._settings.set_setting(SETTING_PIN_FAILURES, str(failures))
        stored = self._settings.get_setting(SETTING_PIN_HASH)
        if stored and self._hasher.verify_pin(stored, pin):
            self._reset()
            return PinCheck(True, 0.0, self.max_tries)
        if failures < self.max_tries:
            return PinCheck(False, 0.0, self.max_tries - failures)
        lockouts = self._int(SETTING_PIN_LOCKOUTS) + 1
        delay = min(self.max_delay, self.base_delay * 2 ** (lockouts - 1))
        until_ms = int((self._now() + delay) * 1000)
        self._settings.set_setting(SETTING_PIN_LOCKOUTS, str(lockouts))
        self._settings.set_setting(SETTING_PIN_LOCKED_UNTIL, str(until_ms))
        self._settings.set_setting(SETTING_PIN_FAILURES, None)
        return PinCheck(False, delay, 0)
