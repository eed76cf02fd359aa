"""The touch screen's timings and limits, in one typed object (no Qt: cheap to import)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UiConfig:
    """Timings and limits of the touch screen (tests shorten them).

    Attributes:
        idle_timeout_s: quiet seconds on a signer screen (or the PIN screen) before
            "Are you still there?".
        idle_countdown_s: seconds of that countdown before everything is wiped (20: WCAG 2.2.1
            asks for at least 20 s to answer a time-out warning; the cover is opaque meanwhile).
        staff_idle_timeout_s: quiet seconds in staff mode before it closes itself.
        thanks_s: seconds the thank-you screen stays.
        pin_max_tries: wrong PIN tries before entry locks.
        pin_base_delay_s: the first lockout (each further lockout doubles it).
        unlock_idle_s: the coordinator's unlock (names in staff mode) is dropped after this.
        sync_poll_ms: how often staff mode re-reads the sync state.
        staff_hold_ms: how long the hidden corner must be held for the staff PIN.
        media_globs: where the exports screen looks for mounted USB sticks.
        maintenance_interval_s: how often the idle housekeeping (retention, vacuum) looks.
        maintenance_quiet_s: how long the attract screen must be untouched for it to run.
    """

    idle_timeout_s: float = 60.0
    idle_countdown_s: float = 20.0
    staff_idle_timeout_s: float = 120.0
    thanks_s: float = 6.0
    pin_max_tries: int = 5
    pin_base_delay_s: float = 30.0
    unlock_idle_s: float = 300.0
    sync_poll_ms: int = 2000
    staff_hold_ms: int = 3000
    media_globs: tuple[str, ...] = ("/media/*/*", "/run/media/*/*", "/mnt/*", "/media/*")
    maintenance_interval_s: float = 600.0
    maintenance_quiet_s: float = 120.0
