"""Staff mode: first-start set-up, the PIN gate, and what volunteers do behind it.

- Set-up (first start): the staff PIN, and the organization key pair under a coordinator
  passphrase when the kiosk has no key yet (without a key it cannot seal, so cannot collect).
- The PIN gate: Argon2id check off the UI thread, lockout kept on disk (:mod:`kiosk.services.pin`).
- Behind it: the active campaign and an optional fixed local campaign, the event and its
  location, today's and all-time counts, the last entries (names only, and only after the
  coordinator's passphrase opens them) with voiding, and quitting the app.

The work is done by the application layer (:class:`kiosk.services.staff.StaffDesk`, the staff
settings and events of :mod:`kiosk.services.settings`), which also writes every staff action to
the audit trail, never with a signer's personal data.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Property, QDateTime, QObject, QTimer, Signal, Slot

from kiosk.domain.errors import NotFound, Refused
from kiosk.privacy import KeySession
from kiosk.services.pin import PinCheck, PinGate, valid_new_pin
from kiosk.services.settings import EventRefused, Events, KioskSettings
from kiosk.services.staff import RecentEntry, StaffDesk
from kiosk.ui.i18n import I18n
from kiosk.ui.messages import error_message
from kiosk.ui.tasks import Tasks
from kiosk.ui.unlock import CoordinatorUnlock

log = logging.getLogger("kiosk.ui")

PASSPHRASE_MIN = 8


class StaffMode(QObject):
    """Set-up, PIN and staff screens' state and actions.

    Args:
        desk: staff mode's use cases (set-up, counts, entries, voiding, the audit trail).
        settings: the staff settings (active campaign, fixed local campaign).
        events: the current event.
        gate: the staff PIN gate.
        session: the coordinator's unlock, shared with the other staff screens.
        i18n: the UI language (dates and numbers).
        tasks: runs the slow Argon2id work off the UI thread.
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
        desk: StaffDesk,
        settings: KioskSettings,
        events: Events,
        gate: PinGate,
        session: KeySession,
        i18n: I18n,
        tasks: Tasks,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._desk = desk
        self._settings = settings
        self._events = events
        self._i18n = i18n
        self._tasks = tasks
        self.gate = gate
        self._session = session
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
        self._recent: list[RecentEntry] = []
        # The refused void's code and field, worded when read (a language switch re-words it).
        self._void_error: tuple[str, str] | None = None
        self._demo = desk.is_demo()
        self._event_error = ""
        self._event_question: dict[str, Any] = {"active": False}
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

    def _get_demo(self) -> bool:
        return self._demo

    #: A demo kiosk (``kiosk --demo``): the staff screens say DEMO.
    demo = Property(bool, _get_demo, constant=True)

    # -- first-start set-up ------------------------------------------------------------------

    def _get_needs_pin(self) -> bool:
        return not self.gate.has_pin()

    needsPin = Property(bool, _get_needs_pin, notify=setupChanged)

    def _get_needs_key(self) -> bool:
        return self._desk.needs_key()

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
        desk, gate = self._desk, self.gate
        new_pin = pin if need_pin else None
        new_passphrase = passphrase if need_key else None
        self._tasks.run(
            lambda: desk.set_up(gate, new_pin, new_passphrase),
            self._setup_finished,
            self._setup_failed,
        )

    def _setup_finished(self, result: tuple[bool, bool]) -> None:
        self._desk.set_up_done(*result)
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
            self._desk.entered()
            self.refresh()
            self.pinAccepted.emit()
            return
        self._desk.pin_refused(result.locked_for)
        if result.locked_for > 0:
            self._pin_state = "locked"
            self._update_lock()
        else:
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
        self._void_error = None
        self._event_question = {"active": False}  # an unanswered question is dropped
        self._recent = []
        self.entriesChanged.emit()
        self.namesChanged.emit()
        self._desk.left()

    @Slot()
    def quitApp(self) -> None:  # noqa: N802 - Qt naming for QML
        """Exit the app (staff mode's last button)."""
        self.close()
        log.info("staff closed the app")
        self.quitRequested.emit()

    def _get_campaigns(self) -> list[dict[str, Any]]:
        lang = self._i18n.language
        active = self._settings.active_campaign()
        return [
            {
                "slug": c.slug,
                "title": c.title.get(lang),
                "target": c.target.get(lang),
                "locals": len(c.locals),
                "active": c.slug == active,
            }
            for c in self._settings.campaigns()
        ]

    campaigns = Property("QVariantList", _get_campaigns, notify=dataChanged)

    def _get_active(self) -> str:
        return self._settings.active_campaign() or ""

    activeCampaign = Property(str, _get_active, notify=dataChanged)

    def _get_locals(self) -> list[dict[str, str]]:
        campaign = self._settings.campaign(self._settings.active_campaign())
        if campaign is None:
            return []
        return [
            {"slug": loc.slug, "label": f"{loc.place}, {loc.state}"}
            for loc in sorted(campaign.locals, key=lambda loc: loc.place)
        ]

    localCampaigns = Property("QVariantList", _get_locals, notify=dataChanged)

    def _get_fixed(self) -> str:
        return self._settings.fixed_local(self._settings.active_campaign()) or ""

    fixedLocal = Property(str, _get_fixed, notify=dataChanged)

    @Slot(str)
    def setActiveCampaign(self, slug: str) -> None:  # noqa: N802 - Qt naming for QML
        """Show signers this campaign."""
        if not self._settings.set_active_campaign(slug):
            return
        self.dataChanged.emit()
        self.settingsChanged.emit()

    @Slot(str)
    def setFixedLocal(self, slug: str) -> None:  # noqa: N802 - Qt naming for QML
        """Fix the kiosk to one local campaign ("" routes each signer by ZIP)."""
        if not self._settings.set_fixed_local(slug):
            return
        self.dataChanged.emit()
        self.settingsChanged.emit()

    # -- counts ------------------------------------------------------------------------------

    def _get_counts(self) -> dict[str, str]:
        c = self._desk.counts(self._settings.active_campaign())
        n = self._i18n.number
        return {
            "today": n(c.today),
            "all": n(c.all),
            "activeToday": n(c.active_today),
            "activeAll": n(c.active_all),
        }

    #: Signatures collected here (not void): today and all time, all campaigns and the active.
    counts = Property("QVariantMap", _get_counts, notify=dataChanged)

    # -- event -------------------------------------------------------------------------------

    def _get_event(self) -> dict[str, Any]:
        e = self._events.current()
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

    #: ``required``, ``too_long`` or ``control_characters`` after a refused save ("" otherwise).
    eventError = Property(str, _get_event_error, notify=eventChanged)

    def _get_event_question(self) -> dict[str, Any]:
        return dict(self._event_question)

    #: While a save would rename an event that already has signatures: ``active``, ``count``
    #: (its signatures), ``name`` (its name now) and ``newName``; answered by
    #: :meth:`startNewEvent`, :meth:`renameEvent` or :meth:`keepEvent`.
    eventQuestion = Property("QVariantMap", _get_event_question, notify=eventChanged)

    @Slot(str, str)
    def saveEvent(self, name: str, location: str) -> None:  # noqa: N802 - Qt naming for QML
        """Name the current event (a new one if none is running) and its location; when that
        would rename an event that has signatures, ask first (:attr:`eventQuestion`)."""
        self._event_question = {"active": False}
        try:
            renaming = self._events.renaming(name, location)
        except EventRefused as exc:
            self._event_error = exc.code
            self.eventChanged.emit()
            return
        if renaming is None:
            self._save_event(name, location, as_new=False)
            return
        current, count = renaming
        new_name, new_location = Events.check(name, location)
        self._event_question = {
            "active": True,
            "count": count,
            "name": current.name,
            "newName": new_name,
            "_location": new_location,
        }
        self.eventChanged.emit()

    def _save_event(self, name: str, location: str, as_new: bool) -> None:
        try:
            self._events.save(name, location, as_new=as_new)
        except EventRefused as exc:
            self._event_error = exc.code
        else:
            self._event_error = ""
        self.eventChanged.emit()

    def _answer(self, as_new: bool) -> None:
        question = self._event_question
        self._event_question = {"active": False}
        if question.get("active"):
            self._save_event(question["newName"], question["_location"], as_new)
        else:
            self.eventChanged.emit()

    @Slot()
    def startNewEvent(self) -> None:  # noqa: N802 - Qt naming for QML
        """The answer "a new event": the current one ends with its name and signatures."""
        self._answer(as_new=True)

    @Slot()
    def renameEvent(self) -> None:  # noqa: N802 - Qt naming for QML
        """The answer "a correction": the current event, its signatures with it, is renamed."""
        self._answer(as_new=False)

    @Slot()
    def keepEvent(self) -> None:  # noqa: N802 - Qt naming for QML
        """The answer "neither": nothing changes (the fields show the event as it is)."""
        self._event_question = {"active": False}
        self.eventChanged.emit()

    @Slot()
    def endEvent(self) -> None:  # noqa: N802 - Qt naming for QML
        """End the current event: the next signatures belong to no event until a new one."""
        self._event_question = {"active": False}
        if not self._events.end():
            self.eventChanged.emit()
            return
        self._event_error = ""
        self.eventChanged.emit()

    # -- entries and voiding -----------------------------------------------------------------

    def _load_entries(self) -> None:
        opener = self._session.opener() if self._session.unlocked else None
        self._recent = self._desk.recent(opener)
        self.entriesChanged.emit()

    def _get_entries(self) -> list[dict[str, Any]]:
        # Worded on every read (times, campaign titles), so a language switch re-words them:
        # rows made when staff mode opened stayed in the signer's language ("12:03 AM").
        lang = self._i18n.language
        today = self._desk.today_starts()
        rows: list[dict[str, Any]] = []
        for entry in self._recent:
            meta = entry.meta
            local_dt = meta.created_at.astimezone()
            qdt = QDateTime.fromSecsSinceEpoch(int(local_dt.timestamp()))
            when = self._i18n.time(qdt.time()) if local_dt >= today else self._i18n.date_time(qdt)
            campaign = self._settings.campaign(meta.campaign)
            if campaign is not None:
                title = campaign.title.get(lang)
                loc = campaign.local(meta.local_campaign) if meta.local_campaign else None
                place = f"{loc.place}, {loc.state}" if loc else ""
            else:
                title, place = meta.campaign, meta.local_campaign or ""
            rows.append(
                {
                    "id": str(meta.id),
                    "time": when,
                    "campaign": title,
                    "local": place,
                    "lang": meta.lang.upper(),
                    "void": entry.void is not None,
                    "voidReason": entry.void.reason if entry.void else "",
                    "name": entry.name,
                }
            )
        return rows

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
        return error_message(*self._void_error) if self._void_error else ""

    voidError = Property(str, _get_void_error, notify=voidChanged)

    @Slot(str, str, result=bool)
    def voidEntry(self, signature_id: str, reason: str) -> bool:  # noqa: N802 - Qt naming
        """Void one entry with a reason (kept, marked void, never deleted)."""
        try:
            self._desk.void(signature_id, reason)
        except ValueError:
            self._void_error = ("unknown_signature", "")
        except (Refused, NotFound) as exc:
            self._void_error = (exc.code, "reason")
        else:
            self._void_error = None
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
            self._void_error = None
            self.voidChanged.emit()
