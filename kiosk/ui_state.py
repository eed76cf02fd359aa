"""The names of the kiosk settings that the screens, the command line and sync share.

What they hold is read and changed through the application layer
(:class:`kiosk.services.settings.KioskSettings`, :class:`kiosk.services.pin.PinGate`).
"""

from __future__ import annotations

SETTING_ACTIVE_CAMPAIGN = "active_campaign"
SETTING_FIXED_LOCAL = "fixed_local_campaign"
SETTING_EVENT = "current_event"

#: The staff PIN's Argon2id hash (never the PIN itself).
SETTING_PIN_HASH = "staff_pin_hash"
#: Wrong PIN tries in a row since the last right one or lockout (kept across restarts).
SETTING_PIN_FAILURES = "staff_pin_failures"
#: How many lockouts in a row so far (each doubles the delay).
SETTING_PIN_LOCKOUTS = "staff_pin_lockouts"
#: Unix time in milliseconds until which PIN entry is locked.
SETTING_PIN_LOCKED_UNTIL = "staff_pin_locked_until"
