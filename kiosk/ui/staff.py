"""Staff mode: first-start set-up, the PIN gate, and what volunteers do behind it.

- Set-up (first start): the staff PIN, and the organization key pair under a coordinator
  passphrase when the kiosk has no key yet (without a key it cannot seal, so cannot collect).
- The PIN gate: Argon2id check off the UI thread, lockout kept on disk (:mod:`kiosk.ui.pin`).
- Behind it: the active campaign and an optional fixed local campaign, the event and its
  location, today's and all-time counts, the last entries (names only, and only after the
  coordinator's passphrase opens them) with voiding, and quitting the app.

Every staff action goes to the audit trail (:class:`kiosk.privacy.Auditor`), never with a
signer's personal data.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Property, QDateTime, QObject, QTimer, Signal, Slot

from kiosk.crypto import CryptoError
from kiosk.domain.audit import AuditAction
from kiosk.domain.errors import NotFound, Refused
from kiosk.domain.ports import SignatureFilter
from kiosk.domain.signature import Event, PersonalData
from kiosk.privacy import KeySession
from kiosk.ui.i18n import I18n
from kiosk.ui.messages import error_message
from kiosk.ui.pin import PinCheck, PinGate, valid_new_pin
from kiosk.ui.tasks import Tasks
from kiosk.ui.unlock import CoordinatorUnlock
from kiosk.ui_state import (
    SETTING_ACTIVE_CAMPAIGN,
    SETTING_EVENT,
    SETTING_FIXED_LOCAL,
    active_campaign,
    current_event,
    fixed_local_campaign,
)

log = logging.getLogger("kiosk.ui")

PASSPHRASE_MIN = 8
RECENT_ENTRIES = 12
MAX_EVENT_TEXT = 80


class StaffMode(QObject):
    """Set-up, PIN and staff screens' state and actions.

    Args:
        kiosk: the wired kiosk.
        i18n: the UI language (dates and numbers).
        tasks: runs the slow Argon2id work off the UI thread.
        now: wall clock in seconds (PIN lockout; tests inject one).
        max_tries: wrong PIN tries before a lockout.
        base_delay: the first lockout in seconds (doubles each time).
        unlock_idle_s: the coordinator's unlock is dropped after this long unused.
    """

    setupChanged = Signal()
    setupDone = Signal()
    pinChanged = Signal()
    pinAccepted = Signal()
    dataChanged = Signal()
    entriesChanged = Signal()
    namesChanged = Signal()
    voidChanged = Signal()
    eventChanged = Signal()
    quitRequested = Signal()
    #: Staff changed what signers see (campaign, local campaign): the flow must reload.
    settingsChanged = Signal()

    def __init__(
        self,
        kiosk: Any,
        i18n: I18n,
        tasks: Tasks,
        now: Callable[[], float] = time.time,
        max_tries: int = 5,
        base_delay: float = 30.0,
        unlock_idle_s: float = 300.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._kiosk = kiosk
        self._i18n = i18n
        self._tasks = tasks
        self._now = now
        self.gate = PinGate(kiosk.store, now=now, max_tries=max_tries, base_delay=base_delay)
        self._session = KeySession(kiosk.keys, kiosk.auditor, idle_seconds=unlock_idle_s)
        #: The coordinator's unlock, shared with the other staff screens (Exports).
        self.unlocker = CoordinatorUnlock(self._session, tasks, self)
        self.unlocker.changed.connect(self.namesChanged)
        self.unlocker.keyChanged.connect(self._on_key)
        self._setup_busy = False
        self._setup_errors: dict[str, str] = {}
        self._pin_state = "idle"
        self._pin_tries_left = self.gate.tries_left()
        self._pin_locked = 0
        self._lock_timer = QTimer(self)
        self._lock_timer.setInterval(1000)
        self._lock_timer.timeout.connect(self._update_lock)
        self._entries: list[dict[str, Any]] = []
        self._void_error = ""
        self._event_error = ""
        self._update_lock()
        i18n.languageChanged.connect(self._on_language)

    @property
    def session(self) -> KeySession:
        """The coordinator's unlock, shared by every staff screen that reads personal data."""
        return self._session

    @Slot()
    def _on_language(self) -> None:
        self.dataChanged.emit()
        self.entriesChanged.emit()
        self.voidChanged.emit()
        self.setupChanged.emit()

    def _audit(self, action: AuditAction, **detail: Any) -> None:
        try:
            self._kiosk.auditor.record(action, **detail)
        except Exception:
            log.exception("could not record %s in the audit trail", action.value)

    def _get_demo(self) -> bool:
        from kiosk.demo import is_demo

        return is_demo(self._kiosk.store)

    #: A demo kiosk (``kiosk --demo``): the staff screens say DEMO.
    demo = Property(bool, _get_demo, constant=True)

    # -- first-start set-up ------------------------------------------------------------------

    def _get_needs_pin(self) -> bool:
        return not self.gate.has_pin()

    needsPin = Property(bool, _get_needs_pin, notify=setupChanged)

    def _get_needs_key(self) -> bool:
        return not self._kiosk.keys.has_public_key()

    needsKey = Property(bool, _get_needs_key, notify=setupChanged)

    def needs_setup(self) -> bool:
        """Whether the set-up screen must come first."""
        return bool(self._get_needs_pin() or self._get_needs_key())

    def _get_setup_busy(self) -> bool:
        return self._setup_busy

    setupBusy = Property(bool, _get_setup_busy, notify=setupChanged)

    def _get_setup_errors(self) -> dict[str, str]:
        return dict(self._setup_errors)

    #: Field -> problem code: ``pin_format``, ``pin_mismatch``, ``passphrase_short``,
    #: ``passphrase_mismatch``, ``failed`` (the QML words them).
    setupErrors = Property("QVariantMap", _get_setup_errors, notify=setupChanged)

    @Slot(str, str, str, str)
    def completeSetup(  # noqa: N802 - Qt naming for QML
        self, pin: str, pin_again: str, passphrase: str, passphrase_again: str
    ) -> None:
        """Set the PIN (and make the key pair) from the set-up screen."""
        if self._setup_busy:
            return
        need_pin, need_key = self._get_needs_pin(), self._get_needs_key()
        errors: dict[str, str] = {}
        if need_pin:
            if not valid_new_pin(pin):
                errors["pin"] = "pin_format"
            elif pin != pin_again:
                errors["pinAgain"] = "pin_mismatch"
        if need_key:
            if len(passphrase) < PASSPHRASE_MIN:
                errors["passphrase"] = "passphrase_short"
            elif passphrase != passphrase_again:
                errors["passphraseAgain"] = "passphrase_mismatch"
        self._setup_errors = errors
        if errors:
            self.setupChanged.emit()
            return
        self._setup_busy = True
        self.setupChanged.emit()
        keys, gate = self._kiosk.keys, self.gate

        def work() -> tuple[bool, bool]:
            made_key = False
            if need_key:
                keys.init(passphrase)
                made_key = True
            if need_pin:
                gate.set_pin(pin)
            return made_key, need_pin

        self._tasks.run(work, self._setup_finished, self._setup_failed)

    def _setup_finished(self, result: tuple[bool, bool]) -> None:
        made_key, set_pin = result
        if made_key:
            self._audit(AuditAction.KEYS_CREATED, via="setup")
        if set_pin:
            self._audit(AuditAction.PIN_SET)
        log.info("kiosk set up (key made: %s, PIN set: %s)", made_key, set_pin)
        self._setup_busy = False
        self._setup_errors = {}
        self.setupChanged.emit()
        self.setupDone.emit()

    def _setup_failed(self, exc: BaseException) -> None:
        log.error("set-up failed: %s", type(exc).__name__)
        self._setup_busy = False
        self._setup_errors = {"form": "failed"}
        self.setupChanged.emit()

    # -- the PIN gate ------------------------------------------------------------------------

    def _get_pin_state(self) -> str:
        return self._pin_state

    #: ``idle``, ``checking``, ``wrong`` or ``locked``.
    pinState = Property(str, _get_pin_state, notify=pinChanged)

    def _get_tries_left(self) -> int:
        return self._pin_tries_left

    pinTriesLeft = Property(int, _get_tries_left, notify=pinChanged)

    def _get_locked(self) -> int:
        return self._pin_locked

    #: Seconds until PIN entry opens again (0 when open).
    pinLockedSeconds = Property(int, _get_locked, notify=pinChanged)

    @Slot()
    def _update_lock(self) -> None:
        left = round(self.gate.locked_for() + 0.499)
        changed = left != self._pin_locked
        self._pin_locked = left
        if left > 0:
            self._pin_state = "locked"
            if not self._lock_timer.isActive():
                self._lock_timer.start()
        else:
            self._lock_timer.stop()
            if self._pin_state == "locked":
                self._pin_state = "idle"
                self._pin_tries_left = self.gate.tries_left()
                changed = True
        if changed:
            self.pinChanged.emit()

    @Slot()
    def resetPin(self) -> None:  # noqa: N802 - Qt naming for QML
        """The PIN screen opened: forget the last message (a lockout stays)."""
        if self._pin_state == "wrong":
            self._pin_state = "idle"
        self._pin_tries_left = self.gate.tries_left()
        self._update_lock()
        self.pinChanged.emit()

    @Slot(str)
    def tryPin(self, pin: str) -> None:  # noqa: N802 - Qt naming for QML
        """Check a PIN (in the background); ``pinAccepted`` on success."""
        if self._pin_state == "checking":
            return
        self._update_lock()
        if self._pin_locked > 0:
            return
        self._pin_state = "checking"
        self.pinChanged.emit()
        gate = self.gate
        self._tasks.run(lambda: gate.check(pin), self._pin_checked, self._pin_error)

    def _pin_checked(self, result: PinCheck) -> None:
        if result.ok:
            self._pin_state = "idle"
            self._pin_tries_left = result.tries_left
            self.pinChanged.emit()
            self._audit(AuditAction.STAFF_ENTERED)
            self.refresh()
            self.pinAccepted.emit()
            return
        if result.locked_for > 0:
            self._audit(AuditAction.PIN_FAILED)
            self._audit(AuditAction.PIN_LOCKED, seconds=int(result.locked_for))
            log.warning("staff PIN entry locked for %d s", int(result.locked_for))
            self._pin_state = "locked"
            self._update_lock()
        else:
            self._audit(AuditAction.PIN_FAILED)
            self._pin_state = "wrong"
            self._pin_tries_left = result.tries_left
        self.pinChanged.emit()

    def _pin_error(self, exc: BaseException) -> None:
        log.error("PIN check failed: %s", type(exc).__name__)
        self._pin_state = "idle"
        self.pinChanged.emit()

    # -- staff screens -----------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Re-read counts, campaigns, event and entries."""
        self.dataChanged.emit()
        self.eventChanged.emit()
        self._load_entries()

    @Slot()
    def close(self) -> None:
        """Leave staff mode: the coordinator's unlock is dropped."""
        self.unlocker.lock()
        self._void_error = ""
        self._entries = []
        self.entriesChanged.emit()
        self.namesChanged.emit()
        self._audit(AuditAction.STAFF_LEFT)

    @Slot()
    def quitApp(self) -> None:  # noqa: N802 - Qt naming for QML
        """Exit the app (staff mode's last button)."""
        self.close()
        log.info("staff closed the app")
        self.quitRequested.emit()

    def _get_campaigns(self) -> list[dict[str, Any]]:
        lang = self._i18n.language
        active = active_campaign(self._kiosk)
        return [
            {
                "slug": c.slug,
                "title": c.title.get(lang),
                "target": c.target.get(lang),
                "locals": len(c.locals),
                "active": c.slug == active,
            }
            for c in self._kiosk.catalog.all()
        ]

    campaigns = Property("QVariantList", _get_campaigns, notify=dataChanged)

    def _get_active(self) -> str:
        return active_campaign(self._kiosk) or ""

    activeCampaign = Property(str, _get_active, notify=dataChanged)

    def _get_locals(self) -> list[dict[str, str]]:
        slug = active_campaign(self._kiosk)
        if slug is None:
            return []
        campaign = self._kiosk.catalog.get(slug)
        return [
            {"slug": loc.slug, "label": f"{loc.place}, {loc.state}"}
            for loc in sorted(campaign.locals, key=lambda loc: loc.place)
        ]

    localCampaigns = Property("QVariantList", _get_locals, notify=dataChanged)

    def _get_fixed(self) -> str:
        return fixed_local_campaign(self._kiosk, active_campaign(self._kiosk)) or ""

    fixedLocal = Property(str, _get_fixed, notify=dataChanged)

    @Slot(str)
    def setActiveCampaign(self, slug: str) -> None:  # noqa: N802 - Qt naming for QML
        """Show signers this campaign."""
        if slug not in self._kiosk.catalog or slug == active_campaign(self._kiosk):
            return
        store = self._kiosk.store
        store.set_setting(SETTING_ACTIVE_CAMPAIGN, slug)
        if fixed_local_campaign(self._kiosk, slug) is None:
            store.set_setting(SETTING_FIXED_LOCAL, None)
        self._audit(AuditAction.SETTINGS_CHANGED, setting=SETTING_ACTIVE_CAMPAIGN, value=slug)
        self.dataChanged.emit()
        self.settingsChanged.emit()

    @Slot(str)
    def setFixedLocal(self, slug: str) -> None:  # noqa: N802 - Qt naming for QML
        """Fix the kiosk to one local campaign ("" routes each signer by ZIP)."""
        campaign_slug = active_campaign(self._kiosk)
        if campaign_slug is None:
            return
        campaign = self._kiosk.catalog.get(campaign_slug)
        if slug and campaign.local(slug) is None:
            return
        self._kiosk.store.set_setting(SETTING_FIXED_LOCAL, slug or None)
        self._audit(AuditAction.SETTINGS_CHANGED, setting=SETTING_FIXED_LOCAL, value=slug)
        self.dataChanged.emit()
        self.settingsChanged.emit()

    # -- counts ------------------------------------------------------------------------------

    def _midnight(self) -> datetime:
        now: datetime = self._kiosk.clock().astimezone()
        return now.replace(hour=0, minute=0, second=0, microsecond=0)

    def _count(self, campaign: str | None, today: bool) -> int:
        since = self._midnight() if today else None
        return int(self._kiosk.store.count(SignatureFilter(campaign=campaign, since=since)))

    def _get_counts(self) -> dict[str, str]:
        active = active_campaign(self._kiosk)
        n = self._i18n.number
        return {
            "today": n(self._count(None, True)),
            "all": n(self._count(None, False)),
            "activeToday": n(self._count(active, True)) if active else n(0),
            "activeAll": n(self._count(active, False)) if active else n(0),
        }

    #: Signatures collected here (not void): today and all time, all campaigns and the active.
    counts = Property("QVariantMap", _get_counts, notify=dataChanged)

    # -- event -------------------------------------------------------------------------------

    def _event(self) -> Event | None:
        event_id = current_event(self._kiosk)
        if not event_id:
            return None
        for e in self._kiosk.store.events():
            if e.id == event_id:
                return e  # type: ignore[no-any-return]
        return None

    def _get_event(self) -> dict[str, Any]:
        e = self._event()
        if e is None:
            return {"active": False, "name": "", "location": "", "since": ""}
        started = e.started_at.astimezone()
        qdt = QDateTime.fromSecsSinceEpoch(int(started.timestamp()))
        return {
            "active": True,
            "name": e.name,
            "location": e.location,
            "since": self._i18n.date_time(qdt),
        }

    #: The current event: active, name, location, since (named to avoid ``QObject.event``).
    currentEvent = Property("QVariantMap", _get_event, notify=eventChanged)

    def _get_event_error(self) -> str:
        return self._event_error

    #: ``required`` or ``too_long`` after a refused save ("" otherwise).
    eventError = Property(str, _get_event_error, notify=eventChanged)

    @Slot(str, str)
    def saveEvent(self, name: str, location: str) -> None:  # noqa: N802 - Qt naming for QML
        """Name the current event (a new one if none is running) and its location."""
        name, location = " ".join(name.split()), " ".join(location.split())
        if not name:
            self._event_error = "required"
        elif len(name) > MAX_EVENT_TEXT or len(location) > MAX_EVENT_TEXT:
            self._event_error = "too_long"
        else:
            self._event_error = ""
        if self._event_error:
            self.eventChanged.emit()
            return
        current = self._event()
        if current is None:
            event = Event(str(uuid.uuid4()), name, location, self._kiosk.clock())
        else:
            event = Event(current.id, name, location, current.started_at)
        self._kiosk.store.save_event(event)
        self._kiosk.store.set_setting(SETTING_EVENT, event.id)
        self._audit(AuditAction.SETTINGS_CHANGED, setting=SETTING_EVENT, value=event.id)
        self.eventChanged.emit()

    @Slot()
    def endEvent(self) -> None:  # noqa: N802 - Qt naming for QML
        """End the current event: the next signatures belong to no event until a new one."""
        if current_event(self._kiosk) is None:
            return
        self._kiosk.store.set_setting(SETTING_EVENT, None)
        self._audit(AuditAction.SETTINGS_CHANGED, setting=SETTING_EVENT, value="")
        self._event_error = ""
        self.eventChanged.emit()

    # -- entries and voiding -----------------------------------------------------------------

    def _load_entries(self) -> None:
        store = self._kiosk.store
        opener = self._session.opener() if self._session.unlocked else None
        lang = self._i18n.language
        today = self._midnight()
        rows: list[dict[str, Any]] = []
        for stored in store.recent(RECENT_ENTRIES, SignatureFilter(include_void=True)):
            meta = stored.signature.meta
            local_dt = meta.created_at.astimezone()
            qdt = QDateTime.fromSecsSinceEpoch(int(local_dt.timestamp()))
            when = self._i18n.time(qdt.time()) if local_dt >= today else self._i18n.date_time(qdt)
            try:
                campaign = self._kiosk.catalog.get(meta.campaign)
                title = campaign.title.get(lang)
                loc = campaign.local(meta.local_campaign) if meta.local_campaign else None
                place = f"{loc.place}, {loc.state}" if loc else ""
            except NotFound:
                title, place = meta.campaign, meta.local_campaign or ""
            rows.append(
                {
                    "id": str(meta.id),
                    "time": when,
                    "campaign": title,
                    "local": place,
                    "lang": meta.lang.upper(),
                    "void": stored.void is not None,
                    "voidReason": stored.void.reason if stored.void else "",
                    "name": self._name(opener, stored.signature.sealed),
                }
            )
        self._entries = rows
        self.entriesChanged.emit()

    @staticmethod
    def _name(opener: Any, sealed: bytes) -> str:
        if opener is None:
            return ""
        if not sealed:
            return "—"  # personal data already purged after sync
        try:
            return PersonalData.from_bytes(opener.open(sealed)).printed_name
        except (CryptoError, ValueError):
            return "?"

    def _get_entries(self) -> list[dict[str, Any]]:
        return list(self._entries)

    #: The last entries, newest first: time, campaign, local campaign, language, void state,
    #: and the name only while the coordinator's unlock is open.
    entries = Property("QVariantList", _get_entries, notify=entriesChanged)

    def _get_names_available(self) -> bool:
        return self.unlocker.available

    #: Whether the encrypted private key is on this kiosk (so names can be shown at all).
    namesAvailable = Property(bool, _get_names_available, notify=namesChanged)

    def _get_names_unlocked(self) -> bool:
        return self.unlocker.unlocked

    namesUnlocked = Property(bool, _get_names_unlocked, notify=namesChanged)

    def _get_unlock_busy(self) -> bool:
        return self.unlocker.busy

    unlockBusy = Property(bool, _get_unlock_busy, notify=namesChanged)

    def _get_unlock_failed(self) -> bool:
        return self.unlocker.failed

    unlockFailed = Property(bool, _get_unlock_failed, notify=namesChanged)

    @Slot(str)
    def unlockNames(self, passphrase: str) -> None:  # noqa: N802 - Qt naming for QML
        """Open the names with the coordinator's passphrase (Argon2id, in the background)."""
        self.unlocker.unlock(passphrase)

    @Slot()
    def _on_key(self) -> None:
        """The shared key was opened or dropped (here or on another screen): names follow."""
        self._load_entries()

    @Slot()
    def lockNames(self) -> None:  # noqa: N802 - Qt naming for QML
        """Hide the names again (drops the private key from memory)."""
        self.unlocker.lock()

    def _get_void_error(self) -> str:
        return self._void_error

    voidError = Property(str, _get_void_error, notify=voidChanged)

    @Slot(str, str, result=bool)
    def voidEntry(self, signature_id: str, reason: str) -> bool:  # noqa: N802 - Qt naming
        """Void one entry with a reason (kept, marked void, never deleted)."""
        try:
            sid = uuid.UUID(signature_id)
            self._kiosk.service().void(sid, reason)
        except ValueError:
            self._void_error = error_message("unknown_signature")
        except (Refused, NotFound) as exc:
            self._void_error = error_message(exc.code, "reason")
        else:
            self._void_error = ""
            self._audit(AuditAction.VOID, signature=str(sid))
            log.info("signature %s voided by staff", sid)
            self.voidChanged.emit()
            self.settingsChanged.emit()  # counts and progress changed
            self.refresh()
            return True
        self.voidChanged.emit()
        return False

    @Slot()
    def clearVoidError(self) -> None:  # noqa: N802 - Qt naming for QML
        """The void dialog closed."""
        if self._void_error:
            self._void_error = ""
            self.voidChanged.emit()
