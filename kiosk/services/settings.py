"""What staff choose for the signers: the active campaign, a fixed local campaign, the event.

Reading them is what the signer flow, staff mode, the exports screen and the command line share;
changing them is a staff action, so every change is written to the audit trail here, not in a
screen.
"""

from __future__ import annotations

import logging
import uuid

from kiosk.domain.audit import AuditAction
from kiosk.domain.campaign import Campaign
from kiosk.domain.errors import Code, NotFound
from kiosk.domain.ports import Clock, SettingsStore, SignatureFilter, SignatureRepository
from kiosk.domain.signature import Event
from kiosk.domain.validation import has_control
from kiosk.services.ports import AuditRecorder, Campaigns
from kiosk.ui_state import SETTING_ACTIVE_CAMPAIGN, SETTING_EVENT, SETTING_FIXED_LOCAL

log = logging.getLogger("kiosk.services")

#: The longest event name or location staff may type.
MAX_EVENT_TEXT = 80


class EventRefused(ValueError):
    """An event name or location staff typed cannot be saved.

    Attributes:
        code: ``required`` (no name), ``too_long`` (over :data:`MAX_EVENT_TEXT`) or
            ``control_characters`` (one the server would refuse: the event could never be
            sent).
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class KioskSettings:
    """The kiosk's staff settings, read and changed with an audit entry for each change.

    Args:
        settings: the durable settings.
        campaigns: the campaigns installed now.
        auditor: records each change.
    """

    def __init__(self, settings: SettingsStore, campaigns: Campaigns, auditor: AuditRecorder):
        self._settings = settings
        self._campaigns = campaigns
        self._auditor = auditor

    def audit(self, action: AuditAction, **detail: object) -> None:
        """Record a staff action; a trail that cannot be written is logged, never raised."""
        try:
            self._auditor.record(action, **detail)
        except Exception:
            log.exception("could not record %s in the audit trail", action.value)

    def campaign(self, slug: str | None) -> Campaign | None:
        """The installed campaign of this slug, or None."""
        if not slug:
            return None
        try:
            return self._campaigns().get(slug)
        except NotFound:
            return None

    def campaigns(self) -> list[Campaign]:
        """Every installed campaign, in the catalog's order."""
        return list(self._campaigns().all())

    def active_campaign(self) -> str | None:
        """The campaign signers are shown: the one staff chose, else the first installed."""
        chosen = self._settings.get_setting(SETTING_ACTIVE_CAMPAIGN)
        catalog = self._campaigns()
        if chosen and chosen in catalog:
            return chosen
        campaigns = catalog.all()
        return campaigns[0].slug if campaigns else None

    def fixed_local(self, campaign_slug: str | None) -> str | None:
        """The local campaign staff fixed this kiosk to, if it belongs to ``campaign_slug``."""
        chosen = self._settings.get_setting(SETTING_FIXED_LOCAL)
        campaign = self.campaign(campaign_slug)
        if not chosen or campaign is None:
            return None
        return chosen if campaign.local(chosen) is not None else None

    def current_event_id(self) -> str | None:
        """The id of the event staff named for this kiosk, or None."""
        return self._settings.get_setting(SETTING_EVENT) or None

    def set_active_campaign(self, slug: str) -> bool:
        """Show signers this campaign; return whether anything changed."""
        if self.campaign(slug) is None or slug == self.active_campaign():
            return False
        self._settings.set_setting(SETTING_ACTIVE_CAMPAIGN, slug)
        if self.fixed_local(slug) is None:
            self._settings.set_setting(SETTING_FIXED_LOCAL, None)
        self.audit(AuditAction.SETTINGS_CHANGED, setting=SETTING_ACTIVE_CAMPAIGN, value=slug)
        return True

    def set_fixed_local(self, slug: str) -> bool:
        """Fix the kiosk to one local campaign of the active one ("" routes each signer by ZIP);
        return whether it was accepted."""
        campaign = self.campaign(self.active_campaign())
        if campaign is None or (slug and campaign.local(slug) is None):
            return False
        self._settings.set_setting(SETTING_FIXED_LOCAL, slug or None)
        self.audit(AuditAction.SETTINGS_CHANGED, setting=SETTING_FIXED_LOCAL, value=slug)
        return True


class Events:
    """The event a kiosk collects at (a rally, a market day): named, located, ended.

    Args:
        repo: where events are kept.
        settings: the kiosk settings (the current event's id lives there).
        store: the durable settings.
        clock: when a new event starts.
    """

    def __init__(
        self,
        repo: SignatureRepository,
        settings: KioskSettings,
        store: SettingsStore,
        clock: Clock,
    ) -> None:
        self._repo = repo
        self._settings = settings
        self._store = store
        self._clock = clock

    def current(self) -> Event | None:
        """The event signatures are collected at now, or None."""
        event_id = self._settings.current_event_id()
        if not event_id:
            return None
        return next((e for e in self._repo.events() if e.id == event_id), None)

    def all(self) -> list[Event]:
        """Every event, newest first."""
        return list(self._repo.events())

    @staticmethod
    def check(name: str, location: str) -> tuple[str, str]:
        """The name and location with their spaces tidied.

        Raises:
            EventRefused: no name, or a name or location that is too long or holds a control
                character.
        """
        name, location = " ".join(name.split()), " ".join(location.split())
        if has_control(name) or has_control(location):  # tabs and line breaks are tidied
            raise EventRefused(Code.CONTROL_CHARACTERS.value)
        if not name:
            raise EventRefused("required")
        if len(name) > MAX_EVENT_TEXT or len(location) > MAX_EVENT_TEXT:
            raise EventRefused("too_long")
        return name, location

    def renaming(self, name: str, location: str) -> tuple[Event, int] | None:
        """The current event and its signatures (voided ones included) when saving ``name``
        and ``location`` would rename an event that already has some; None otherwise.
        Renaming it would move those signatures to the new name (a packet of yesterday's
        rally printed as today's market): the volunteer says first whether this is a new
        event or a correction.

        Raises:
            EventRefused: see :meth:`check`.
        """
        name, location = self.check(name, location)
        current = self.current()
        if current is None or (current.name, current.location) == (name, location):
            return None
        count = self._repo.count(SignatureFilter(event_id=current.id, include_void=True))
        return (current, count) if count else None

    def save(self, name: str, location: str, as_new: bool = False) -> Event:
        """Name the current event (a new one if none is running, or if ``as_new``: the current
        one then ends with its name, and its signatures stay with it) and its location.

        Raises:
            EventRefused: see :meth:`check`.
        """
        name, location = self.check(name, location)
        current = self.current()
        if current is None or as_new:
            event = Event(str(uuid.uuid4()), name, location, self._clock())
        else:
            event = Event(current.id, name, location, current.started_at)
        self._repo.save_event(event)
        self._store.set_setting(SETTING_EVENT, event.id)
        self._settings.audit(AuditAction.SETTINGS_CHANGED, setting=SETTING_EVENT, value=event.id)
        return event

    def end(self) -> bool:
        """End the current event (the next signatures belong to none); whether one was on."""
        if self._settings.current_event_id() is None:
            return False
        self._store.set_setting(SETTING_EVENT, None)
        self._settings.audit(AuditAction.SETTINGS_CHANGED, setting=SETTING_EVENT, value="")
        return True
