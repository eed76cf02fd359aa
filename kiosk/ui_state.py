"""Kiosk settings that the UI, the command line and sync share (active campaign, event...)."""

from __future__ import annotations

from typing import Any

SETTING_ACTIVE_CAMPAIGN = "active_campaign"
SETTING_FIXED_LOCAL = "fixed_local_campaign"
SETTING_EVENT = "current_event"


def active_campaign(kiosk: Any) -> str | None:
    """The campaign signers are shown: the one staff chose, else the first installed."""
    chosen = kiosk.store.get_setting(SETTING_ACTIVE_CAMPAIGN)
    if chosen and chosen in kiosk.catalog:
        return str(chosen)
    campaigns = kiosk.catalog.all()
    return campaigns[0].slug if campaigns else None
