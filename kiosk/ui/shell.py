"""The root view-model: which mode the screen is in, and the idle reset across all of them.

Modes: ``setup`` (first start: PIN and key), ``signer`` (the signer flow), ``pin`` (the staff
PIN screen over a signer flow) and ``staff``. The idle watcher is armed whenever someone is in
the middle of something (a signer past the attract screen, the PIN screen, staff mode); when it
expires, everything is wiped and the attract screen comes back.

On the attract screen it is armed too while a signer's settings differ from the defaults
(language, text size, high contrast, reading aloud and read-back, more time) or the options
are open: a signer who changes them and walks away must not hand them to the next person (who
would hear their own name read aloud). The same "Are you still there?" countdown asks first,
worded for settings, then everything goes back to the defaults.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Property, QEvent, QObject, QTimer, Signal, Slot

from kiosk.ui.exports_panel import ExportsPanel
from kiosk.ui.flow import SignerFlow
from kiosk.ui.i18n import DEFAULT_LANGUAGE, I18n
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.privacy_panel import PrivacyPanel
from kiosk.ui.shell_config import UiConfig
from kiosk.ui.speech import Speech
from kiosk.ui.staff import StaffMode
from kiosk.ui.sync_status import SyncStatus
from kiosk.ui.theme import LARGE_TEXT_SCALE, TEXT_SCALES

log = logging.getLogger("kiosk.ui")

MODES = ("setup", "signer", "pin", "staff")
#: "More time" multiplies the idle limit by this (issue #17; WCAG 2.2.1 asks for ten times the
#: default or an extension, which the countdown's "More time" and "I'm still here" give).
MORE_TIME_FACTOR = 3.0

__all__ = ["KioskApp", "UiConfig"]


class KioskApp(QObject):
    """What ``Main.qml`` binds to (its ``app`` property).

    Args:
        flow: the signer flow.
        staff: staff mode.
        sync: the sync status.
        exports: staff mode's exports screen.
        privacy: staff mode's privacy screen.
        i18n: the UI language.
        idle: the idle watcher (already filtering the window's events, or to be attached).
        config: the timings.
    """

    modeChanged = Signal()
    largeTextChanged = Signal()
    highContrastChanged = Signal()
    moreTimeChanged = Signal()
    optionsOpenChanged = Signal()
    hardwareKeysChanged = Signal()
    quitRequested = Signal()

    def __init__(
        self,
        flow: SignerFlow,
        staff: StaffMode,
        sync: SyncStatus,
        exports: ExportsPanel,
        privacy: PrivacyPanel,
        i18n: I18n,
        idle: IdleWatcher,
        config: UiConfig,
        parent: QObject | None = None,
        speech: Speech | None = None,
    ) -> None:
        super().__init__(parent)
        self._flow = flow
        self._staff = staff
        self._sync = sync
        self._exports = exports
        self._privacy = privacy
        self._i18n = i18n
        self._idle = idle
        self._config = config
        self._text_scale = 1.0
        self._high_contrast = False
        self._options_open = False
        self._hardware_keys = False
        self._speech = speech if speech is not None else Speech(i18n, parent=self)
        # More time (issue #17): for the whole visit, or once for each screen.
        self._more_time_visit = False
        self._more_time_steps: set[str] = set()
        idle.secondsLeftChanged.connect(self._on_countdown)
        self._counting = False
        self._mode = "setup" if staff.needs_setup() else "signer"
        flow.stepChanged.connect(self._rearm)
        flow.stepChanged.connect(self.moreTimeChanged)
        flow.wiped.connect(self._on_wiped)
        staff.setupDone.connect(self._on_setup_done)
        staff.pinAccepted.connect(self._on_pin_accepted)
        staff.settingsChanged.connect(flow.reload)
        staff.quitRequested.connect(self.quitRequested)
        idle.expired.connect(self._on_idle)
        # A signer listening to a screen read aloud is not idle (the petition takes minutes).
        self._speech.speakingChanged.connect(self._on_speaking)
        flow.set_listening(self._speech.is_speaking)  # nor is one hearing "thank you"
        self._speech.enabledChanged.connect(self._set_countdown)
        self.moreTimeChanged.connect(self._set_countdown)
        # A signer's settings changed on the attract screen: watch (or stop watching) it.
        for changed in (
            i18n.languageChanged,
            self.largeTextChanged,
            self.highContrastChanged,
            self.moreTimeChanged,
            self.optionsOpenChanged,
            self._speech.enabledChanged,
            self._speech.echoPersonalChanged,
        ):
            changed.connect(self._on_setting)
        self._rearm()

    # -- children ----------------------------------------------------------------------------

    def _get_flow(self) -> QObject:
        return self._flow

    flow = Property(QObject, _get_flow, constant=True)

    def _get_staff(self) -> QObject:
        return self._staff

    staff = Property(QObject, _get_staff, constant=True)

    def _get_sync(self) -> QObject:
        return self._sync

    sync = Property(QObject, _get_sync, constant=True)

    def _get_exports(self) -> QObject:
        return self._exports

    exports = Property(QObject, _get_exports, constant=True)

    def _get_privacy(self) -> QObject:
        return self._privacy

    privacy = Property(QObject, _get_privacy, constant=True)

    def _get_i18n(self) -> QObject:
        return self._i18n

    i18n = Property(QObject, _get_i18n, constant=True)

    def _get_idle(self) -> QObject:
        return self._idle

    idle = Property(QObject, _get_idle, constant=True)

    def _get_hold(self) -> int:
        return self._config.staff_hold_ms

    #: How long the hidden staff corner must be held, in milliseconds.
    staffHoldMs = Property(int, _get_hold, constant=True)

    # -- mode --------------------------------------------------------------------------------

    def _get_mode(self) -> str:
        return self._mode

    mode = Property(str, _get_mode, notify=modeChanged)

    def _set_mode(self, mode: str) -> None:
        assert mode in MODES, mode
        if mode != self._mode:
            log.info("screen mode: %s", mode)
            self._mode = mode
            self.modeChanged.emit()
            self._sync.setWatching(mode == "staff")
            self._rearm()

    @Slot()
    def _rearm(self) -> None:
        mode, step = self._mode, self._flow.step
        # A signer at work, or settings a signer left on the attract screen.
        in_use = step not in ("attract", "thanks") or (
            step == "attract" and self._settings_differ()
        )
        if mode == "staff":
            self._idle.arm(self._config.staff_idle_timeout_s)
        elif mode == "pin" or (mode == "signer" and in_use):
            self._idle.arm(self._config.idle_timeout_s * self._time_factor())
        else:
            self._idle.disarm()
        self._set_countdown()

    @Slot()
    def _set_countdown(self) -> None:
        """The countdown's length: longer for a signer who asked for more time for the visit
        or listens in speech mode (the spoken warning alone takes several seconds of it, and
        WCAG 2.2.1 asks for 20 s to answer). Never changed while it runs."""
        if self._idle.secondsLeft:
            return
        slow = self._mode == "signer" and (self._more_time_visit or self._speech.enabled)
        base = self._config.idle_countdown_s
        self._idle.countdown_s = base * MORE_TIME_FACTOR if slow else base

    def _settings_differ(self) -> bool:
        """Whether anything a signer can set differs from the default, or the options are open.

        These are reset at every wipe; on the attract screen they are what keeps the idle
        watcher armed (nothing else of a signer is there).
        """
        return (
            self._i18n.language != DEFAULT_LANGUAGE
            or self._text_scale != 1.0
            or self._high_contrast
            or self._more_time_visit
            or self._options_open
            or self._speech.enabled
            or self._speech.echoPersonal
        )

    @Slot()
    def _on_setting(self) -> None:
        if self._mode == "signer" and self._flow.step == "attract" and not self._idle.secondsLeft:
            self._rearm()

    @Slot()
    def _on_speaking(self) -> None:
        self._idle.setHeld(self._speech.speaking)

    @Slot()
    def _on_setup_done(self) -> None:
        self._flow.reload()
        self._set_mode("signer")

    @Slot()
    def _on_pin_accepted(self) -> None:
        self._flow.wipe()
        self._set_mode("staff")

    # -- a physical keyboard ---------------------------------------------------------------

    def _get_hardware_keys(self) -> bool:
        return self._hardware_keys

    def _set_hardware_keys(self, on: bool) -> None:
        if on != self._hardware_keys:
            self._hardware_keys = on
            self.hardwareKeysChanged.emit()

    #: The signer is typing on a physical keyboard (or a switch interface): the on-screen
    #: keyboard stays hidden (at 200 % text it would leave a strip of the screen) until a
    #: finger or a mouse touches the screen again, or the next signer.
    hardwareKeys = Property(bool, _get_hardware_keys, notify=hardwareKeysChanged)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Tell a physical key (a spontaneous key press: the on-screen keyboard's keys arrive
        as input-method events, or as keys sent by the application) from a touch. Never
        consumes an event."""
        kind = event.type()
        if kind == QEvent.Type.KeyPress and event.spontaneous():
            self._set_hardware_keys(True)
        elif self._hardware_keys and kind in (
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.TouchEnd,
        ):
            # Once the tap is over: the keyboard coming back moves the screen's bottom bar,
            # and a tap whose release landed elsewhere than its press would be lost.
            QTimer.singleShot(0, self._touched)
        return False

    @Slot()
    def _touched(self) -> None:
        self._set_hardware_keys(False)

    @Slot()
    def _on_wiped(self) -> None:
        self._speech.reset()  # first: nothing of this signer is said any more
        self._set_hardware_keys(False)
        self.setTextScale(1.0)
        self.setHighContrast(False)
        self.setOptionsOpen(False)
        if self._more_time_visit or self._more_time_steps:
            self._more_time_visit = False
            self._more_time_steps.clear()
            self.moreTimeChanged.emit()
        self._rearm()

    @Slot()
    def _on_idle(self) -> None:
        log.info("idle timeout: wiping the screen")
        if self._mode == "staff":
            self._staff.close()
        self._exports.wipe()  # generated exports and preview pages leave memory
        if self._mode in ("pin", "staff"):
            self._set_mode("signer")
        self._flow.wipe()

    @Slot()
    def openStaff(self) -> None:  # noqa: N802 - Qt naming for QML
        """The hidden corner was held: ask for the PIN."""
        if self._mode == "signer":
            self._staff.resetPin()
            self._set_mode("pin")

    @Slot()
    def cancelPin(self) -> None:  # noqa: N802 - Qt naming for QML
        """Back from the PIN screen to the signer flow."""
        if self._mode == "pin":
            self._set_mode("signer")

    @Slot()
    def closeStaff(self) -> None:  # noqa: N802 - Qt naming for QML
        """Leave staff mode for the attract screen."""
        if self._mode == "staff":
            self._staff.close()
            self._exports.wipe()
            self._flow.reload()
            self._set_mode("signer")
            self._flow.wipe()

    # -- access: text size, contrast, speech, more time (reset for each signer) -------------

    def _get_large_text(self) -> bool:
        return self._text_scale > 1.0

    @Slot(bool)
    def setLargeText(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """The larger-text toggle: 125 % (or back to 100 %)."""
        self.setTextScale(LARGE_TEXT_SCALE if on else 1.0)

    largeText = Property(bool, _get_large_text, setLargeText, notify=largeTextChanged)

    def _get_text_scale(self) -> float:
        return self._text_scale

    @Slot(float)
    def setTextScale(self, scale: float) -> None:  # noqa: N802 - Qt naming for QML
        """Text at 100, 125, 150 or 200 % (the nearest of :data:`TEXT_SCALES`)."""
        scale = min(TEXT_SCALES, key=lambda s: abs(s - float(scale)))
        if scale != self._text_scale:
            self._text_scale = scale
            self.largeTextChanged.emit()

    #: The signer's text size (1.0 to 2.0); ``largeText`` is whether it is above 1.
    textScale = Property(float, _get_text_scale, setTextScale, notify=largeTextChanged)

    def _get_high_contrast(self) -> bool:
        return self._high_contrast

    @Slot(bool)
    def setHighContrast(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """The high-contrast theme for this signer."""
        if bool(on) != self._high_contrast:
            self._high_contrast = bool(on)
            self.highContrastChanged.emit()

    highContrast = Property(bool, _get_high_contrast, setHighContrast, notify=highContrastChanged)

    def _get_options_open(self) -> bool:
        return self._options_open

    @Slot(bool)
    def setOptionsOpen(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """The accessibility options opened or closed (on the attract screen, an open panel
        left behind is closed by the idle reset)."""
        if bool(on) != self._options_open:
            self._options_open = bool(on)
            self.optionsOpenChanged.emit()

    optionsOpen = Property(bool, _get_options_open, setOptionsOpen, notify=optionsOpenChanged)

    def _get_speech(self) -> QObject:
        return self._speech

    #: Speech mode (:class:`kiosk.ui.speech.Speech`).
    speech = Property(QObject, _get_speech, constant=True)

    def _time_factor(self) -> float:
        more = self._more_time_visit or self._flow.step in self._more_time_steps
        return MORE_TIME_FACTOR if more else 1.0

    def _get_more_time_visit(self) -> bool:
        return self._more_time_visit

    @Slot(bool)
    def setMoreTimeVisit(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """More time for the whole visit: every idle limit times three."""
        if bool(on) != self._more_time_visit:
            self._more_time_visit = bool(on)
            self.moreTimeChanged.emit()
            if self._idle.secondsLeft == 0:
                self._rearm()

    moreTimeVisit = Property(bool, _get_more_time_visit, setMoreTimeVisit, notify=moreTimeChanged)

    def _get_more_time_offered(self) -> bool:
        return not self._more_time_visit and self._flow.step not in self._more_time_steps

    #: Whether "More time" for this screen can still be asked (once per screen).
    moreTimeOffered = Property(bool, _get_more_time_offered, notify=moreTimeChanged)

    @Slot()
    def moreTime(self) -> None:  # noqa: N802 - Qt naming for QML
        """ "More time" on the countdown: this screen's idle limit times three (once)."""
        if self._get_more_time_offered():
            self._more_time_steps.add(self._flow.step)
            self.moreTimeChanged.emit()
        self._idle.poke()
        self._rearm()

    @Slot()
    def _on_countdown(self) -> None:
        left = self._idle.secondsLeft
        if left > 0 and not self._counting:
            self._speech.idleWarning(left, self._mode == "signer" and self._flow.step == "attract")
        self._counting = left > 0

    @Slot()
    def stillHere(self) -> None:  # noqa: N802 - Qt naming for QML
        """ "I'm still here": stop the countdown (on the attract screen, stop watching if the
        settings are back to the defaults meanwhile)."""
        self._idle.poke()
        self._rearm()

    @Slot()
    def startOver(self) -> None:  # noqa: N802 - Qt naming for QML
        """ "Start over" (the signer's own, on a screen or the countdown): wipe now. In speech
        mode the signer then hears that it is done and speech is off (the wipe turns it off),
        in their language; nothing of what they entered."""
        listening = self._speech.enabled
        language = self._i18n.language
        cleared = self._speech.cleared_text() if listening else ""
        self._idle.disarm()
        self._on_idle()
        if listening:
            self._speech.farewell(cleared, language)

    def shutdown(self) -> None:
        """The app is closing: drop the coordinator's unlock and anything exported."""
        self._exports.wipe()
        self._i18n.close()
        if self._mode == "staff":
            self._staff.close()
