"""Speech mode: the signer screens read aloud, in the signer's language (issue #17).

A signer turns it on from the attract screen (``attract.speech``, or the F2 key on a keyboard);
from then on each screen is read when it shows (its title and what it asks; the petition in
full) and each control as it gains the focus: its name, its kind, its state, its value and any
error, from the same accessibility information a screen reader gets
(:meth:`Speech.describe`). The words come from Qt TextToSpeech: the ``speechd`` engine
(speech-dispatcher with espeak-ng, English and Spanish voices) on the kiosk, the ``mock`` engine
in tests (``KIOSK_SPEECH_ENGINE``).

Privacy: what a signer types (a name, a ZIP) is read back only when the signer turns
"Read what I type" on (:attr:`Speech.echoPersonal`); otherwise a field is said to be filled in
or empty. The screen recommends headphones. At every wipe (:meth:`Speech.reset`) speech stops at
once, the queue is dropped and both switches go off, so nothing of one signer is said once
they have left; the next signer starts silent. A signer who chose "Start over" themselves in
speech mode hears one fixed sentence after it (:meth:`Speech.farewell`): cleared, speech off,
F2 turns it on.
"""

from __future__ import annotations

import logging
import os
import re

from PySide6.QtCore import Property, QEvent, QLocale, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAccessible

from kiosk.ui.i18n import I18n

log = logging.getLogger("kiosk.ui")

#: The engine speech uses: ``speechd`` on the kiosk, ``mock`` in tests.
ENGINE_ENV = "KIOSK_SPEECH_ENGINE"
DEFAULT_ENGINE = "speechd"

#: Voices for each UI language, best first (espeak-ng offers es_419 and es_ES, en_US, en_GB).
VOICE_LOCALES = {
    "en": ("en_US", "en_GB"),
    "es": ("es_419", "es_MX", "es_US", "es_ES"),
}

_TEXT_ROLES = {QAccessible.Role.EditableText}
#: Keys that press the focused control (a switch interface sends them too).
_PRESS_KEYS = {Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Select}
_DOUBLE_STOP = re.compile(r"\.(?:\s*\.)+")


def engine_name() -> str:
    """The speech engine this kiosk uses (``KIOSK_SPEECH_ENGINE``, else speechd)."""
    return os.environ.get(ENGINE_ENV, "").strip() or DEFAULT_ENGINE


class Speech(QObject):
    """Reads the signer screens aloud while speech mode is on.

    Args:
        i18n: the UI language (the voice follows it).
        engine: the Qt TextToSpeech engine (default: :func:`engine_name`).
    """

    enabledChanged = Signal()
    echoPersonalChanged = Signal()
    speakingChanged = Signal()
    #: The signer switched language while speech is on: the screen is read again in it.
    voiceChanged = Signal()
    #: Every text handed to the engine, as it is handed (tests, and the log at debug level).
    spoken = Signal(str)

    def __init__(self, i18n: I18n, engine: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._i18n = i18n
        self._engine_name = engine or engine_name()
        self._tts: object | None = None
        self._enabled = False
        self._echo = False
        self._failed = ""
        self._speaking = False
        # The control that has the focus, and its checked state as last said (None: not
        # checkable), so that a change made with Space or Enter is said.
        self._focus: QObject | None = None
        self._focus_checked: bool | None = None
        self._said = 0  # texts handed to the engine so far
        self._said_at_press = 0
        self._lead = ""  # said before the next control that takes the focus (errorCount)
        i18n.languageChanged.connect(self._on_language)

    # -- the engine --------------------------------------------------------------------------

    def engine(self) -> object | None:
        """The ``QTextToSpeech`` object, made on first use (None if the engine is missing)."""
        if self._tts is None and not self._failed:
            from PySide6.QtTextToSpeech import QTextToSpeech

            if self._engine_name not in QTextToSpeech.availableEngines():
                self._failed = f"no {self._engine_name} speech engine"
                log.warning("speech: %s", self._failed)
                return None
            if self._engine_name == "speechd":
                from kiosk.adapters import speechd

                if speechd.hung():  # Qt would wait for it for good, on the screen's thread
                    self._failed = "speech-dispatcher is running but does not answer"
                    log.warning("speech: %s", self._failed)
                    return None
            self._tts = QTextToSpeech(self._engine_name, self)
            self._tts.stateChanged.connect(self._on_state)
            self._apply_voice()
        return self._tts

    def _apply_voice(self, language: str | None = None) -> None:
        """The engine's voice for ``language`` (the UI's language by default), the first of
        :data:`VOICE_LOCALES` it has."""
        tts = self._tts
        if tts is None:
            return
        available = {loc.name() for loc in tts.availableLocales()}  # type: ignore[attr-defined]
        for name in VOICE_LOCALES.get(language or self._i18n.language, ()):
            if name in available:
                tts.setLocale(QLocale(name))  # type: ignore[attr-defined]
                return

    @Slot()
    def _on_state(self) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        tts = self._tts
        speaking = tts is not None and tts.state() in (  # type: ignore[attr-defined]
            QTextToSpeech.State.Speaking,
            QTextToSpeech.State.Synthesizing,
        )
        if speaking != self._speaking:
            self._speaking = speaking
            self.speakingChanged.emit()

    def is_speaking(self) -> bool:
        """Whether the engine is saying something now."""
        return self._speaking

    #: Whether the engine is saying something now (the idle reset waits while it does).
    speaking = Property(bool, is_speaking, notify=speakingChanged)

    @Slot()
    def _on_language(self) -> None:
        self._apply_voice()
        if self._enabled:
            self.voiceChanged.emit()

    def _get_available(self) -> bool:
        from PySide6.QtTextToSpeech import QTextToSpeech

        return self._engine_name in QTextToSpeech.availableEngines()

    #: Whether this kiosk can speak at all (the engine is installed).
    available = Property(bool, _get_available, constant=True)

    # -- the switches ------------------------------------------------------------------------

    def _get_enabled(self) -> bool:
        return self._enabled

    @Slot(bool)
    def setEnabled(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """Speech mode on or off (for this signer only)."""
        on = bool(on)
        if on == self._enabled:
            return
        if not on:
            self._stop()
        self._enabled = on
        self.enabledChanged.emit()
        if on:
            self._apply_voice()  # a farewell (:meth:`farewell`) may have left another voice
            self.say(
                self.tr(
                    "Speech is on. Headphones are recommended. Press Tab to move between "
                    "controls and Enter to choose."
                )
            )

    enabled = Property(bool, _get_enabled, setEnabled, notify=enabledChanged)

    @Slot()
    def toggle(self) -> None:
        """The F2 key: speech mode on or off."""
        self.setEnabled(not self._enabled)

    def _get_echo(self) -> bool:
        return self._echo

    @Slot(bool)
    def setEchoPersonal(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """Read back what the signer types (their name, ZIP...): off unless they turn it on."""
        if bool(on) != self._echo:
            self._echo = bool(on)
            self.echoPersonalChanged.emit()

    echoPersonal = Property(bool, _get_echo, setEchoPersonal, notify=echoPersonalChanged)

    # -- speaking ----------------------------------------------------------------------------

    @Slot(str)
    def say(self, text: str) -> None:
        """Say ``text`` now, cutting off whatever was being said (nothing when speech is off)."""
        self._speak(text, interrupt=True)

    @Slot(str)
    def queue(self, text: str) -> None:
        """Say ``text`` after what is being said."""
        self._speak(text, interrupt=False)

    def _speak(self, text: str, interrupt: bool) -> None:
        text = _DOUBLE_STOP.sub(".", " ".join(text.split()))
        if not self._enabled or not text:
            return
        tts = self.engine()
        if tts is None:
            return
        if interrupt:
            tts.stop()  # type: ignore[attr-defined]
        self._hand(tts, text)

    def _hand(self, tts: object, text: str) -> None:
        """Hand ``text`` to the engine, counted and told (:attr:`spoken`)."""
        tts.enqueue(text)  # type: ignore[attr-defined]
        self._said += 1
        self.spoken.emit(text)

    def _stop(self) -> None:
        if self._tts is not None:
            from PySide6.QtTextToSpeech import QTextToSpeech

            self._tts.stop(QTextToSpeech.BoundaryHint.Immediate)  # type: ignore[attr-defined]

    @Slot()
    def stop(self) -> None:
        """Stop speaking at once (the queue is dropped)."""
        self._stop()

    @Slot()
    def reset(self) -> None:
        """Between signers: stop at once and turn speech mode and read-back off."""
        self._stop()
        self.setEchoPersonal(False)
        if self._enabled:
            self._enabled = False
            self.enabledChanged.emit()

    def cleared_text(self) -> str:
        """What :meth:`farewell` says after a signer's own "Start over", in the language of
        the moment (made before the wipe puts the default language back)."""
        return self.tr(
            "Everything you entered is cleared. Speech is now off: press F2 to turn it on again."
        )

    def farewell(self, text: str, language: str) -> None:
        """Say one fixed sentence in ``language`` although speech mode is off: after a signer's
        own "Start over" in speech mode, whose wipe turned speech off. The text names nothing
        of the signer (:meth:`cleared_text`); without it a listener would hear nothing at all
        and not know the screen changed. The idle wipe never calls it (the signer has left)."""
        tts = self.engine()
        if tts is None or not text:
            return
        self._apply_voice(language)
        self._hand(tts, text)

    @Slot(str, str)
    def screen(self, title: str, body: str) -> None:
        """A screen showed: say its title, then what it says."""
        self.say(title)
        self.queue(body)

    @Slot(int)
    def errorCount(self, n: int) -> None:  # noqa: N802 - Qt naming for QML
        """A screen refused "Next" with ``n`` errors and gives the first one the focus now:
        when there is more than one, how many is said before that control (a listener hears
        one error at a time, as the focus reaches each, and would not know more wait). Only
        the focus change made in the same turn of the event loop takes it."""
        self._lead = self.tr("%n fields need your attention.", "", n) if n > 1 else ""
        if self._lead:
            QTimer.singleShot(0, self._drop_lead)

    @Slot()
    def _drop_lead(self) -> None:
        self._lead = ""

    @Slot(QObject)
    def focusItem(self, item: QObject | None) -> None:  # noqa: N802 - Qt naming for QML
        """A control gained the focus: say what it is (after :meth:`errorCount`'s count)."""
        self._focus = item
        self._focus_checked = self._checked(item)
        lead, self._lead = self._lead, ""
        if not self._enabled or item is None:
            return
        text = self.describe(item)
        if lead:
            self.say(lead)
            self.queue(text)
        elif text:
            self.say(text)

    @staticmethod
    def _checked(item: QObject | None) -> bool | None:
        """The control's checked state (None: it cannot be checked, or it is gone)."""
        if item is None:
            return None
        try:
            iface = QAccessible.queryAccessibleInterface(item)
        except RuntimeError:  # deleted (its screen was rebuilt)
            return None
        if iface is None or not iface.isValid():
            return None
        state = iface.state()
        return bool(state.checked) if state.checkable else None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Watch the window's keys: after Space or Enter pressed a check box, an option or a
        toggle, say its new state ("checked", "not checked"), as a screen reader does.

        Never consumes an event.
        """
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        if Qt.Key(event.key()) not in _PRESS_KEYS:  # type: ignore[attr-defined]
            return False
        if kind == QEvent.Type.KeyPress:
            self._said_at_press = self._said
        elif self._focus is not None:
            # Once the key is delivered: a button acts on Space's release.
            QTimer.singleShot(0, self._say_new_state)
        return False

    @Slot()
    def _say_new_state(self) -> None:
        now = self._checked(self._focus)
        if now is None or now == self._focus_checked:
            return
        self._focus_checked = now
        # Said only when the press said nothing of its own (a language choice reads the
        # screen again, in the new language: that is the answer, not to be cut off).
        if self._enabled and self._said == self._said_at_press:
            self.say(self.tr("checked") if now else self.tr("not checked"))

    def describe(self, item: QObject) -> str:
        """What is said of a control: name, kind, state, value (if allowed) and description.

        Read from the control's accessibility interface (what Orca reads), so speech and a
        screen reader say the same thing.
        """
        iface = QAccessible.queryAccessibleInterface(item)
        if iface is None or not iface.isValid():
            return ""
        name = iface.text(QAccessible.Text.Name).strip()
        description = iface.text(QAccessible.Text.Description).strip()
        role = iface.role()
        state = iface.state()
        parts = [name] if name else []
        kind = self._role_word(role)
        if kind:
            parts.append(kind)
        if state.checkable:
            parts.append(self.tr("checked") if state.checked else self.tr("not checked"))
        if state.disabled:
            parts.append(self.tr("unavailable"))
        if role in _TEXT_ROLES:
            value = iface.text(QAccessible.Text.Value).strip()
            if not value:
                parts.append(self.tr("empty"))
            elif self._echo:
                parts.append(value)
            else:
                parts.append(self.tr("filled in"))
        if name and description.startswith(name + "."):
            description = description[len(name) + 1 :].strip()  # a field's label, said once
        if description and description != name:
            parts.append(description)
        said = ". ".join(p.rstrip(".") for p in parts if p)
        return said + "." if said else ""  # nothing to say: not a lone "."

    def _role_word(self, role: QAccessible.Role) -> str:
        R = QAccessible.Role  # noqa: N806
        if role in (R.Button, R.PushButton):
            return self.tr("button")
        if role == R.CheckBox:
            return self.tr("check box")
        if role == R.RadioButton:
            return self.tr("option")
        if role == R.EditableText:
            return self.tr("text field")
        if role == R.Canvas:
            return self.tr("signature area")
        return ""

    def describe_idle(self, seconds: int, settings_only: bool = False) -> str:
        """The idle warning, as spoken (``settings_only``: on the attract screen, where only
        the signer's settings are reset)."""
        if settings_only:
            return self.tr(
                "Are you still there? The options you chose will go back to normal for the "
                "next person in %n second(s). Press Enter if you are still here.",
                "",
                seconds,
            )
        return self.tr(
            "Are you still there? For your privacy, this screen will be cleared in %n "
            "second(s). Press Enter if you are still here, or choose More time.",
            "",
            seconds,
        )

    @Slot(int)
    @Slot(int, bool)
    def idleWarning(self, seconds: int, settings_only: bool = False) -> None:  # noqa: N802
        """The idle countdown started: say so (speech mode only)."""
        if seconds > 0:
            self.say(self.describe_idle(seconds, settings_only))
