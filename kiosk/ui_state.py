"""Kiosk settings that the UI, the command line and sync share (active campaign, event...)."""

from __future__ import annotations

from typing import Any

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


def active_campaign(kiosk: Any) -> str | None:
    """The campaign signers are shown: the one staff chose, else the first installed."""
    chosen = kiosk.store.get_setting(SETTING_ACTIVE_CAMPAIGN)
    if chosen and chosen in kiosk.catalog:
        return str(chosen)
    campaigns = kiosk.catalog.all()
    return campaigns[0].slug if campaigns else None


def fixed_local_campaign(kiosk: Any, campaign_slug: str | None) -> str | None:
    """The local campaign staff fixed this kiosk to, if it belongs to ``campaign_slug``."""
    chosen = kiosk.store.get_setting(SETTING_FIXED_LOCAL)
    if not chosen or campaign_slug is None or campaign_slug not in kiosk.catalog:
        return None
    return str(chosen) if kiosk.catalog.get(campaign_slug).local(chosen) is not None else None


def current_event(kiosk: Any) -> str | None:
    """The id of the event staff named for this kiosk, or None."""
    return kiosk.store.get_setting(SETTING_EVENT) or None
