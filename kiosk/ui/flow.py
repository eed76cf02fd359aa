"""The signer flow: attract → petition → form → local campaign → signature → thank-you.

``SignerFlow`` holds one signer's state and nothing else: the step they are on, what they typed,
the local campaign they confirmed, the field errors (as domain codes, worded in the current
language on every read). The domain does the work: validation, the duplicate hint, routing
and the durable save all go through the signing use case (:class:`kiosk.services.signing.Signing`).

Between signers, :meth:`SignerFlow.wipe` forgets everything: the typed values, errors, the
chosen local campaign, the language; it clears the clipboard and the input method, and bumps
:attr:`generation`, on which the QML reloads every signer screen (so text fields lose their
undo history and the pad its image). There is no way back to a finished entry.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import Property, QDate, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QClipboard, QGuiApplication

from kiosk.domain.campaign import Campaign, CampaignKind, CampaignText
from kiosk.domain.errors import Code, NotFound, Refused, ValidationFailed
from kiosk.domain.ink import Ink
from kiosk.domain.validation import SignerEntry, TypedSignature
from kiosk.services.pin import PIN_MIN
from kiosk.services.signing import Signing
from kiosk.ui.i18n import DEFAULT_LANGUAGE, I18n
from kiosk.ui.messages import OPT_IN_NEEDS_CONTACT, SAVE_FAILED, error_message

log = logging.getLogger("kiosk.ui")

STEPS = ("attract", "petition", "form", "local", "pad", "thanks", "duplicate")
#: The thank-you screen waits for speech mode to finish reading it, at most this much longer
#: (checking every ``THANKS_HOLD_STEP_MS``).
THANKS_HOLD_MAX_MS = 20_000
THANKS_HOLD_STEP_MS = 500

#: The text fields of the form, in the order they are laid out (and focused on errors).
FORM_FIELDS = (
    "first_name",
    "last_name",
    "zip",
    "phone",
    "email",
    "street",
    "city",
    "state",
    "comment",
)
_CONFIGURABLE = ("email", "phone", "street", "city", "state", "comment")


def paragraphs(text: str) -> list[str]:
    """Split plain text into paragraphs (separated by blank lines)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


#: Checks a volunteer's staff PIN off the UI thread: ``witness(pin, done)`` calls ``done`` on the
#: UI thread with True (right), False (wrong) or None (locked out for now).
WitnessCheck = Callable[[str, Callable[[bool | None], None]], None]

#: The typed signature's fields (errors are reported on them like on the form's).
TYPED_FIELDS = ("typed_name", "typed_confirm")


class Nudge(Protocol):
    """The sync controller as the flow sees it: told when a signature was saved."""

    def nudge(self) -> None:
        """Send soon."""
        ...


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


class SignerFlow(QObject):
    """One signer's journey through the kiosk, as QML sees it.

    Args:
        signing: the signing use cases (campaigns, what staff chose, the durable save).
        i18n: the UI language.
        thanks_ms: how long the thank-you screen stays before the next signer.
        sync: the sync controller, if any (nudged after each saved signature).
    """

    stepChanged = Signal()
    generationChanged = Signal()
    campaignChanged = Signal()
    formChanged = Signal()
    errorsChanged = Signal()
    localChanged = Signal()
    busyChanged = Signal()
    messageChanged = Signal()
    entryChanged = Signal()
    typedChanged = Signal()
    #: Ask the view to focus a form field (its domain name), e.g. the first one with an error.
    focusField = Signal(str)
    #: A signer's session ended and everything was wiped.
    wiped = Signal()
    #: A signature was durably saved (its id), before the thank-you screen shows.
    saved = Signal(str)

    def __init__(
        self,
        signing: Signing,
        i18n: I18n,
        thanks_ms: int = 6000,
        sync: Nudge | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._signing = signing
        self._i18n = i18n
        self._sync = sync
        self._step = "attract"
        self._generation = 0
        self._busy = False
        self._thanks_timer = QTimer(self)
        self._thanks_timer.setSingleShot(True)
        self._thanks_timer.setInterval(thanks_ms)
        self._thanks_timer.timeout.connect(self._thanks_over)
        self._thanks_ms = thanks_ms
        self._thanks_held_ms = 0
        self._listening: Callable[[], bool] = lambda: False
        self._campaign_slug: str | None = None
        self._fixed_local: str | None = None
        self._progress_cache: dict[tuple[str, str | None], tuple[int, int]] = {}
        self._witness_check: WitnessCheck | None = None
        self._reset_signer()
        self.reload()
        i18n.languageChanged.connect(self._on_language)

    def set_sync(self, sync: Nudge | None) -> None:
        """Plug in the sync controller, nudged after each saved signature."""
        self._sync = sync

    def set_listening(self, listening: Callable[[], bool]) -> None:
        """Plug in "is speech mode reading aloud now": the thank-you screen waits for it."""
        self._listening = listening

    @Slot()
    def _thanks_over(self) -> None:
        """The thank-you screen's time is up: the next signer, unless speech mode is still
        reading it to this one (then a little longer, at most ``THANKS_HOLD_MAX_MS``)."""
        if (
            self._step == "thanks"
            and self._listening()
            and self._thanks_held_ms < THANKS_HOLD_MAX_MS
        ):
            self._thanks_held_ms += THANKS_HOLD_STEP_MS
            self._thanks_timer.start(THANKS_HOLD_STEP_MS)
            return
        self.wipe()

    def set_witness_check(self, check: WitnessCheck | None) -> None:
        """Plug in the staff PIN check a volunteer witnesses a typed signature with."""
        self._witness_check = check

    # -- signer state ------------------------------------------------------------------------

    def _reset_signer(self) -> None:
        # The typed signature (issue #17): "I can't sign with my finger".
        self._typing = False
        self._typed_name = ""
        self._typed_confirmed = False
        self._witnessed = False
        self._witness_state = ""  # "", "checking", "wrong", "locked"
        self._values: dict[str, str] = dict.fromkeys(FORM_FIELDS, "")
        self._opt_in = False
        self._errors: dict[str, str] = {}  # field -> code
        self._routed: str | None = None
        self._chosen: str | None = None
        self._offer: str | None = None  # another campaign addressing the signer's place
        self._taken: str | None = None  # ...which the signer chose to sign instead
        self._message_code = ""
        self._entry: SignerEntry | None = None

    def _campaign(self) -> Campaign | None:
        return self._signing.campaign(self._campaign_slug)

    @Slot()
    def reload(self) -> None:
        """Re-read the active campaign, the fixed local campaign and the counts."""
        self._campaign_slug = self._signing.active_campaign()
        self._fixed_local = self._signing.fixed_local(self._campaign_slug)
        self._progress_cache.clear()
        self.campaignChanged.emit()
        self.formChanged.emit()
        self.localChanged.emit()

    @Slot()
    def _on_language(self) -> None:
        self.campaignChanged.emit()
        self.formChanged.emit()
        self.errorsChanged.emit()
        self.localChanged.emit()
        self.messageChanged.emit()

    # -- steps -------------------------------------------------------------------------------

    def _get_step(self) -> str:
        return self._step

    step = Property(str, _get_step, notify=stepChanged)

    def _set_step(self, step: str) -> None:
        assert step in STEPS, step
        if step != self._step:
            self._step = step
            self.stepChanged.emit()

    def _get_generation(self) -> int:
        return self._generation

    generation = Property(int, _get_generation, notify=generationChanged)

    def _get_busy(self) -> bool:
        return self._busy

    busy = Property(bool, _get_busy, notify=busyChanged)

    def _get_message(self) -> str:
        return error_message(self._message_code) if self._message_code else ""

    message = Property(str, _get_message, notify=messageChanged)

    def _set_message(self, code: str) -> None:
        if code != self._message_code:
            self._message_code = code
            self.messageChanged.emit()

    @Slot()
    def clearMessage(self) -> None:  # noqa: N802 - Qt naming for QML
        """The signer drew more ink: forget the pad's last message."""
        self._set_message("")

    @Slot()
    def start(self) -> None:
        """The attract screen's "Sign": show the petition."""
        if self._campaign() is None:
            return
        self._set_step("petition")

    @Slot()
    def toForm(self) -> None:  # noqa: N802 - Qt naming for QML
        """From the petition (or the review) to the form."""
        self._set_message("")
        self._set_step("form")

    @Slot()
    def back(self) -> None:
        """One step back within the same signer's entry."""
        previous = {
            "petition": "attract",
            "form": "petition",
            "local": "form",
            "pad": "local" if self._has_local_step() else "form",
        }.get(self._step)
        if previous == "attract":
            self.wipe()
        elif previous is not None:
            self._set_message("")
            self._set_step(previous)

    def _has_local_step(self) -> bool:
        campaign = self._campaign()
        return bool(campaign and campaign.locals and self._fixed_local is None)

    # -- campaign text -----------------------------------------------------------------------

    def _progress(self, campaign: Campaign, local: str | None) -> tuple[int, int]:
        key = (campaign.slug, local)
        if key not in self._progress_cache:
            self._progress_cache[key] = self._signing.progress(campaign, local)
        return self._progress_cache[key]

    def _text_map(self, campaign: Campaign, local: str | None) -> dict[str, Any]:
        lang = self._i18n.language
        text: CampaignText = campaign.text_for(local)
        statement = text.statement.get(lang)
        background = text.background.get(lang)
        count, goal = self._progress(campaign, local)
        loc = campaign.local(local) if local else None
        updates = [
            {
                "date": self._i18n.long_date(
                    QDate(u.posted_at.year, u.posted_at.month, u.posted_at.day)
                ),
                "paragraphs": paragraphs(u.text.get(lang)),
            }
            for u in reversed(campaign.updates)  # newest first
        ]
        return {
            "slug": campaign.slug,
            "local": local or "",
            "place": f"{loc.place}, {loc.state}" if loc else "",
            "createdBy": (loc.created_by or "") if loc else "",
            "isLetter": campaign.kind is CampaignKind.LETTER,
            "organization": campaign.organization,
            "target": text.target.get(lang),
            "title": text.title.get(lang),
            "statement": paragraphs(statement),
            # A local campaign may repeat the parent's background as its statement: once only.
            "background": [] if _same_text(statement, background) else paragraphs(background),
            "updates": updates,
            "count": count,
            "goal": goal,
            "countText": self._i18n.number(count),
            "goalText": self._i18n.number(goal),
            "fraction": min(1.0, count / goal) if goal > 0 else 0.0,
            "hasLocals": bool(campaign.locals),
        }

    def _get_petition(self) -> dict[str, Any]:
        campaign = self._campaign()
        if campaign is None:
            return {"slug": ""}
        return self._text_map(campaign, self._fixed_local)

    #: The active campaign as the attract and petition screens show it (in the current
    #: language; the fixed local campaign's text when staff fixed one).
    petition = Property("QVariantMap", _get_petition, notify=campaignChanged)

    def _get_signing(self) -> dict[str, Any]:
        campaign = self._signing_campaign()
        if campaign is None:
            return {"slug": ""}
        return self._text_map(campaign, self._signing_local())

    #: What this signer is signing: the campaign or the local campaign they confirmed.
    signing = Property("QVariantMap", _get_signing, notify=localChanged)

    def _signing_local(self) -> str | None:
        if self._taken is not None:
            return None
        return self._fixed_local if self._fixed_local is not None else self._chosen

    def _signing_campaign(self) -> Campaign | None:
        """The campaign this signer signs: the active one, or the offer they took."""
        if self._taken is not None:
            return self._signing.campaign(self._taken)
        return self._campaign()

    # -- the form ----------------------------------------------------------------------------

    def _get_rules(self) -> dict[str, str]:
        campaign = self._campaign()
        if campaign is None:
            return {}
        return {name: campaign.rule(name).value for name in _CONFIGURABLE}

    #: "required" / "optional" / "hidden" for each configurable field.
    rules = Property("QVariantMap", _get_rules, notify=formChanged)

    def _get_consent(self) -> str:
        return self._consent_text()

    def _consent_text(self) -> str:
        campaign = self._campaign()
        lang = self._i18n.language
        if campaign is not None and campaign.consent is not None:
            return campaign.consent.get(lang)
        return self.tr("Send me updates about this campaign. I can unsubscribe at any time.")

    #: The opt-in wording shown next to the checkbox, stored with the signature.
    consentText = Property(str, _get_consent, notify=formChanged)

    def _get_errors(self) -> dict[str, str]:
        return {f: error_message(code, f) for f, code in self._errors.items()}

    #: Field -> message in the current language, for the fields with a problem.
    errors = Property("QVariantMap", _get_errors, notify=errorsChanged)

    def _get_opt_in(self) -> bool:
        return self._opt_in

    optIn = Property(bool, _get_opt_in, notify=entryChanged)

    def _get_entry_empty(self) -> bool:
        return (
            not any(self._values.values())
            and not self._opt_in
            and self._chosen is None
            and self._offer is None
            and self._taken is None
            and not self._typing
            and not self._typed_name
            and not self._typed_confirmed
            and not self._witnessed
        )

    #: Whether nothing of a signer is held (true after a wipe).
    entryEmpty = Property(bool, _get_entry_empty, notify=entryChanged)

    def _get_review(self) -> dict[str, str]:
        name = f"{self._values['first_name'].strip()} {self._values['last_name'].strip()}"
        return {"name": " ".join(name.split()), "zip": self._values["zip"].strip()}

    #: The name and ZIP as typed, for the signer's own review above the pad.
    review = Property("QVariantMap", _get_review, notify=entryChanged)

    @Slot(str, str)
    def setField(self, name: str, value: str) -> None:  # noqa: N802 - Qt naming for QML
        """The signer typed in a field; a fresh edit clears that field's error."""
        if name not in self._values or self._values[name] == value:
            return
        self._values[name] = value
        if self._errors.pop(name, None) is not None:
            self.errorsChanged.emit()
        self.entryChanged.emit()

    @Slot(bool)
    def setOptIn(self, value: bool) -> None:  # noqa: N802 - Qt naming for QML
        """The opt-in checkbox."""
        if value != self._opt_in:
            self._opt_in = value
            if not value and self._errors.pop("opt_in", None) is not None:
                self.errorsChanged.emit()
            self.entryChanged.emit()

    def _make_entry(self) -> SignerEntry:
        v = self._values
        return SignerEntry(
            first_name=v["first_name"],
            last_name=v["last_name"],
            zip=v["zip"],
            email=v["email"],
            phone=v["phone"],
            street=v["street"],
            city=v["city"],
            state=v["state"],
            comment=v["comment"],
            opt_in=self._opt_in,
        )

    def _show_errors(self, errors: dict[str, str]) -> None:
        self._errors = errors
        self.errorsChanged.emit()
        for name in (*FORM_FIELDS, "opt_in"):
            if name in errors:
                self.focusField.emit(name)
                break

    @Slot()
    def submitForm(self) -> None:  # noqa: N802 - Qt naming for QML
        """The form's "Next": check the fields, the duplicate hint, then route."""
        campaign = self._campaign()
        if campaign is None or self._step != "form":
            return
        entry = self._make_entry()
        errors: dict[str, str] = {}
        personal = None
        try:
            personal = self._signing.check_form(campaign.slug, entry, self._consent_text())
        except ValidationFailed as exc:
            for err in exc.errors:
                if err.field in self._values:
                    errors.setdefault(err.field, err.code.value)
        if self._opt_in and not (entry.email.strip() or entry.phone.strip()):
            errors["opt_in"] = OPT_IN_NEEDS_CONTACT
        if errors or personal is None:
            self._show_errors(errors)
            return
        self._show_errors({})
        self._entry = entry
        if self._signing.already_signed(campaign.slug, personal):
            self._set_step("duplicate")
            return
        if self._has_local_step():
            routed = self._signing.route(campaign.slug, entry.zip)
            self._routed = routed.slug if routed else None
            self._chosen = self._routed
            self._taken = None
            self._offer = None
            if routed is None:  # no local campaign here: another campaign may address it
                offered = self._signing.offer(campaign.slug, entry.zip)
                self._offer = offered.slug if offered else None
            self.localChanged.emit()
            self.entryChanged.emit()
            self._set_step("local")
        else:
            self._set_step("pad")

    # -- local campaign ----------------------------------------------------------------------

    def _get_routed(self) -> str:
        return self._routed or ""

    #: The local campaign the ZIP routed to ("" for none).
    routedLocal = Property(str, _get_routed, notify=localChanged)

    def _get_chosen(self) -> str:
        return self._chosen or ""

    #: The local campaign the signer will sign ("" for the parent campaign).
    chosenLocal = Property(str, _get_chosen, notify=localChanged)

    def _get_local_options(self) -> list[dict[str, str]]:
        campaign = self._campaign()
        if campaign is None:
            return []
        lang = self._i18n.language
        options = [
            {
                "slug": loc.slug,
                "label": f"{loc.place}, {loc.state}",
                "target": loc.target().get(lang),
            }
            for loc in sorted(campaign.locals, key=lambda loc: (loc.place, loc.state))
        ]
        options.append(
            {"slug": "", "label": campaign.title.get(lang), "target": campaign.target.get(lang)}
        )
        return options

    #: Every local campaign (and, last, the parent campaign with slug "") to choose from.
    localOptions = Property("QVariantList", _get_local_options, notify=localChanged)

    @Slot(str)
    def chooseLocal(self, slug: str) -> None:  # noqa: N802 - Qt naming for QML
        """The signer picked another local campaign ("" for the parent campaign)."""
        campaign = self._campaign()
        if campaign is None:
            return
        if slug and campaign.local(slug) is None:
            return
        self._chosen = slug or None
        self._taken = None
        self.localChanged.emit()

    def _get_offer(self) -> dict[str, Any]:
        offered = self._signing.campaign(self._offer)
        if offered is None:
            return {}
        area = offered.area
        if area is None:
            return {}
        lang = self._i18n.language
        return {
            "slug": offered.slug,
            "isLetter": offered.kind is CampaignKind.LETTER,
            # "your mayor, Emily Larson" / "su alcaldesa, Emily Larson"
            "office": area.decision_maker_title.get(lang).lower(),
            "name": area.decision_maker,
            "taken": self._taken == offered.slug,
        }

    #: Another installed campaign addressing the signer's place, when the ZIP has no local
    #: campaign here: slug, isLetter, office ("mayor"), name, taken ({} when none).
    offer = Property("QVariantMap", _get_offer, notify=localChanged)

    @Slot()
    def takeOffer(self) -> None:  # noqa: N802 - Qt naming for QML
        """The signer will sign the offered campaign instead (checked against its rules)."""
        offered = self._signing.campaign(self._offer)
        if self._step != "local" or offered is None:
            return
        entry = self._entry or self._make_entry()
        try:
            personal = self._signing.check_form(offered.slug, entry, self._consent_text())
        except ValidationFailed as exc:
            errors: dict[str, str] = {}
            for err in exc.errors:
                if err.field in self._values:
                    errors.setdefault(err.field, err.code.value)
            self._set_step("form")  # that campaign asks for more: the form says what
            self._show_errors(errors)
            return
        if self._signing.already_signed(offered.slug, personal):
            self._set_step("duplicate")
            return
        self._taken = offered.slug
        self._chosen = None
        self.localChanged.emit()

    @Slot()
    def confirmLocal(self) -> None:  # noqa: N802 - Qt naming for QML
        """The signer confirmed the local campaign: on to the pad."""
        if self._step == "local":
            self._set_step("pad")

    # -- submit ------------------------------------------------------------------------------

    # -- the typed signature -----------------------------------------------------------------

    def _get_typing(self) -> bool:
        return self._typing

    @Slot(bool)
    def setTyping(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """ "I can't sign with my finger" (True) or back to the pad (False)."""
        if bool(on) != self._typing:
            self._typing = bool(on)
            self._set_message("")
            self.typedChanged.emit()

    #: Whether the signer signs by typing their name instead of drawing.
    typing = Property(bool, _get_typing, setTyping, notify=typedChanged)

    def _get_typed_name(self) -> str:
        return self._typed_name

    @Slot(str)
    def setTypedName(self, value: str) -> None:  # noqa: N802 - Qt naming for QML
        """The signer typed their name as their signature."""
        if value != self._typed_name:
            self._typed_name = value
            if self._errors.pop("typed_name", None) is not None:
                self.errorsChanged.emit()
            self.typedChanged.emit()
            self.entryChanged.emit()

    typedName = Property(str, _get_typed_name, setTypedName, notify=typedChanged)

    def _get_typed_confirmed(self) -> bool:
        return self._typed_confirmed

    @Slot(bool)
    def setTypedConfirmed(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """ "This typed name is my signature." """
        if bool(on) != self._typed_confirmed:
            self._typed_confirmed = bool(on)
            if on and self._errors.pop("typed_confirm", None) is not None:
                self.errorsChanged.emit()
            self.typedChanged.emit()

    typedConfirmed = Property(bool, _get_typed_confirmed, setTypedConfirmed, notify=typedChanged)

    def _get_witnessed(self) -> bool:
        return self._witnessed

    #: A volunteer witnessed the typed signature with the staff PIN.
    witnessed = Property(bool, _get_witnessed, notify=typedChanged)

    def _get_witness_state(self) -> str:
        return self._witness_state

    #: The witness PIN check: "", "checking", "wrong" or "locked".
    witnessState = Property(str, _get_witness_state, notify=typedChanged)

    def _get_can_witness(self) -> bool:
        return self._witness_check is not None

    #: Whether a volunteer can witness here (the staff PIN check is wired).
    canWitness = Property(bool, _get_can_witness, constant=True)

    def _get_pin_min(self) -> int:
        return PIN_MIN

    #: The shortest staff PIN: the witness button waits for that many digits.
    pinMinLength = Property(int, _get_pin_min, constant=True)

    @Slot(str)
    def witness(self, pin: str) -> None:
        """A volunteer witnesses the typed signature with the staff PIN (wrong tries count
        towards the PIN's lockout, as on the PIN screen).

        A PIN shorter than any staff PIN (an empty field, a tap too early) is refused here,
        before the PIN gate: it is no try, and counts nothing (five taps on the button with an
        empty field locked volunteers out of staff mode).
        """
        check = self._witness_check
        if check is None or not self._typing or self._witness_state == "checking":
            return
        if len(pin) < PIN_MIN:
            return
        generation = self._generation
        self._witness_state = "checking"
        self.typedChanged.emit()

        def done(ok: bool | None) -> None:
            if generation != self._generation:
                return  # that signer has left
            self._witnessed = ok is True
            self._witness_state = "" if ok else ("locked" if ok is None else "wrong")
            self.typedChanged.emit()

        check(pin, done)

    @Slot()
    def submitTyped(self) -> None:  # noqa: N802 - Qt naming for QML
        """Save the typed signature durably, then thank the signer."""
        if not self._typing:
            return
        typed = TypedSignature(self._typed_name, self._typed_confirmed, self._witnessed)
        self._save(None, typed)

    @Slot(QObject)
    def submit(self, pad: QObject) -> None:
        """Save the signature durably, then thank the signer.

        Args:
            pad: the ``SignaturePad`` holding the drawing.
        """
        campaign = self._signing_campaign()
        if campaign is None or self._step != "pad" or self._busy:
            return
        ink = pad.ink() if hasattr(pad, "ink") else None
        if ink is None:
            self._set_message(Code.SIGNATURE_MISSING.value)
            return
        if not ink.is_enough():
            self._set_message(Code.SIGNATURE_TOO_SHORT.value)
            return
        self._save(ink, None)

    def _save(self, ink: Ink | None, typed: TypedSignature | None) -> None:
        campaign = self._signing_campaign()
        if campaign is None or self._step != "pad" or self._busy:
            return
        entry = self._entry or self._make_entry()
        self._busy = True
        self.busyChanged.emit()
        try:
            meta = self._signing.submit(
                campaign.slug,
                self._signing_local(),
                entry,
                ink,
                self._i18n.language,
                self._consent_text(),
                typed,
            )
        except ValidationFailed as exc:
            form_errors = {e.field: e.code.value for e in exc.errors if e.field in self._values}
            typed_errors = {e.field: e.code.value for e in exc.errors if e.field in TYPED_FIELDS}
            if form_errors:
                self._set_step("form")
                self._show_errors(form_errors)
            elif typed_errors:
                self._errors = typed_errors
                self.errorsChanged.emit()
                self.focusField.emit(next(f for f in TYPED_FIELDS if f in typed_errors))
            else:
                self._set_message(exc.errors[0].code.value)
            return
        except Refused as exc:
            if exc.code is Code.ALREADY_SIGNED:
                self._set_step("duplicate")
            else:
                self._set_message(exc.code.value)
            return
        except NotFound as exc:
            self._set_message(exc.code.value)
            return
        except Exception:
            log.exception("saving a signature failed")
            self._set_message(SAVE_FAILED)
            return
        finally:
            self._busy = False
            self.busyChanged.emit()
        self._progress_cache.clear()
        self._set_message("")
        self._set_step("thanks")
        self.campaignChanged.emit()
        self.localChanged.emit()
        self.saved.emit(str(meta.id))
        self._thanks_held_ms = 0
        self._thanks_timer.start(self._thanks_ms)
        if self._sync is not None:
            self._sync.nudge()

    # -- between signers ---------------------------------------------------------------------

    @Slot()
    def wipe(self) -> None:
        """Forget this signer entirely and go back to the attract screen."""
        self._thanks_timer.stop()
        self._reset_signer()
        self._progress_cache.clear()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear(QClipboard.Mode.Clipboard)
            if clipboard.supportsSelection():
                clipboard.clear(QClipboard.Mode.Selection)
        im = QGuiApplication.inputMethod()
        if im is not None:
            im.reset()
            im.hide()
        self._i18n.set_language(DEFAULT_LANGUAGE)
        self._generation += 1
        self._busy = False
        self.busyChanged.emit()
        self._set_step("attract")
        self.generationChanged.emit()
        self.entryChanged.emit()
        self.typedChanged.emit()
        self.errorsChanged.emit()
        self.localChanged.emit()
        self.campaignChanged.emit()
        self.messageChanged.emit()
        self.wiped.emit()

    @Slot()
    def finish(self) -> None:
        """The thank-you (or "already signed") screen's "Done"."""
        self.wipe()
