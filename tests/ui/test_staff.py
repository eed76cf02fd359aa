"""Staff mode: first-start set-up, the hidden corner and PIN, lockout, and what volunteers do."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtGui import QAccessible, QGuiApplication
from PySide6.QtQuick import QQuickItem

from kiosk.adapters.crypto import verify_secret
from kiosk.app import Kiosk
from kiosk.domain.ports import SignatureFilter
from kiosk.ui.automation import Driver
from kiosk.ui_state import (
    SETTING_ACTIVE_CAMPAIGN,
    SETTING_EVENT,
    SETTING_PIN_FAILURES,
    SETTING_PIN_HASH,
)
from tests.ui.conftest import FAST, PASSPHRASE, PIN, FakeClock
from tests.ui.steps import choose_language, fill, sign_and_submit, to_form

pytestmark = pytest.mark.gui


def actions(kiosk: Kiosk) -> list[str]:
    """The audit trail's actions, oldest first."""
    return [e.action for e in kiosk.store.audit_entries()]


def open_pin(d: Driver, locked: bool = False) -> None:
    """Hold the hidden corner until the PIN screen shows (its field disabled if locked)."""
    d.wait_shown("attract.signButton")
    d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
    if locked:
        assert not d.item("pin.input").isEnabled()
    else:
        d.wait(lambda: bool(d.item("pin.input").hasActiveFocus()), "the PIN field's focus")


def enter_pin(d: Driver, pin: str) -> None:
    """Type a PIN and press Unlock; wait for the answer."""
    d.type(pin)
    d.click("pin.submit")
    d.wait(lambda: d.ui.vm.staff.pinState != "checking" and not d.ui.tasks.running, "the PIN check")


def to_staff(d: Driver) -> None:
    """Into staff mode with the right PIN."""
    open_pin(d)
    enter_pin(d, PIN)
    d.wait_shown("staff.close")


def sign_once(
    d: Driver, first: str = "Ana", last: str = "Pérez", zip_code: str = "55802", lang: str = "en"
) -> None:
    """One signer through the whole flow (in ``lang``; 47708 signs Evansville's campaign)."""
    to_form(d, lang)
    fill(d, first, last, zip_code)
    d.click("form.next")
    d.click("local.confirm")
    sign_and_submit(d)
    d.click("thanks.done")
    d.wait_shown("attract.signButton")


# -- first start -------------------------------------------------------------------------------


def test_first_start_sets_the_pin_and_makes_the_key(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]
) -> None:
    kiosk = make_kiosk(keys=False, pin=False)
    d = make_ui(kiosk)
    d.wait_shown("setup.finish")
    assert d.shown("setup.keyExplain")
    d.fill("setup.pin", "12")
    d.fill("setup.passphrase", "short")
    d.click("setup.finish")
    d.wait(lambda: d.text("setup.pin.error") != "", "the errors")
    assert d.text("setup.pin.error") == "A PIN has 4 to 12 digits."
    assert d.text("setup.passphrase.error") == "Use at least 8 characters."

    d.fill("setup.pin", "34")
    d.fill("setup.pinAgain", "1234")
    d.fill("setup.passphrase", " long enough")
    d.fill("setup.passphraseAgain", "short long enough")
    d.click("setup.finish")
    # Two Argon2id derivations with the real parameters (the key's 64 MiB, the PIN's 19 MiB) run
    # on a worker: a fraction of a second idle, many seconds on a loaded machine.
    d.wait(lambda: d.shown("attract.signButton"), "the set-up to finish", timeout_s=120)
    d.wait_shown("attract.signButton")
    assert kiosk.keys.has_public_key() and kiosk.keys.has_private_key()
    kiosk.keys.unlock("short long enough")  # the passphrase opens the new key
    stored = kiosk.store.get_setting(SETTING_PIN_HASH)
    assert stored and stored.startswith("$argon2id$") and verify_secret(stored, "1234")
    assert {"keys_created", "pin_set"} <= set(actions(kiosk))


def test_a_kiosk_that_has_a_key_only_asks_for_the_pin(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]
) -> None:
    kiosk = make_kiosk(keys=True, pin=False)
    d = make_ui(kiosk)
    d.wait_shown("setup.finish")
    assert not d.shown("setup.passphrase")
    d.fill("setup.pin", "5678")
    d.fill("setup.pinAgain", "5679")
    d.click("setup.finish")
    d.wait(lambda: d.text("setup.pinAgain.error") != "", "the mismatch")
    assert d.text("setup.pinAgain.error") == "The two PINs are not the same."


# -- the hidden corner and the PIN -----------------------------------------------------------


def test_the_corner_needs_a_long_press_and_the_pin_screen_can_be_cancelled(d: Driver) -> None:
    d.click("staff.corner")  # a tap is not enough
    d.settle(2 * FAST.staff_hold_ms)
    assert d.ui.vm.mode == "signer"
    open_pin(d)
    assert d.ui.vm.mode == "pin"
    d.click("pin.cancel")
    d.wait_shown("attract.signButton")
    assert d.ui.vm.mode == "signer"


def test_wrong_pins_lock_entry_for_a_growing_delay_even_across_a_restart(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver], wall_clock: FakeClock
) -> None:
    kiosk = make_kiosk()
    d = make_ui(kiosk)
    open_pin(d)
    for left in (4, 3, 2, 1):
        enter_pin(d, "0000")
        assert d.ui.vm.staff.pinState == "wrong"
        assert d.text("pin.message") == (
            f"Wrong PIN. {left} tries left." if left > 1 else "Wrong PIN. 1 try left."
        )
    enter_pin(d, "0000")
    assert d.ui.vm.staff.pinLockedSeconds == 30
    assert d.text("pin.message") == "Too many wrong tries. Try again in 30 s."
    assert not d.item("pin.submit").isEnabled()
    assert "pin_locked" in actions(kiosk)

    # Restart: the lockout is on disk.
    d.ui.close()
    kiosk.close()
    kiosk = make_kiosk()
    d = make_ui(kiosk)
    open_pin(d, locked=True)
    assert d.ui.vm.staff.pinLockedSeconds == 30
    d.ui.vm.staff.tryPin(PIN)  # even the right PIN is refused while locked
    assert d.ui.vm.mode == "pin"

    wall_clock.advance(31)
    d.wait(lambda: d.ui.vm.staff.pinLockedSeconds == 0, "the lockout to end")
    d.click("pin.input")
    for _ in range(5):
        enter_pin(d, "0000")
    assert d.ui.vm.staff.pinLockedSeconds == 60  # the second lockout doubles
    wall_clock.advance(61)
    d.wait(lambda: d.ui.vm.staff.pinLockedSeconds == 0, "the lockout to end")
    d.click("pin.input")
    enter_pin(d, PIN)
    d.wait_shown("staff.close")
    assert kiosk.store.get_setting(SETTING_PIN_FAILURES) is None


def test_the_right_pin_opens_staff_mode_and_wipes_the_signer(d: Driver) -> None:
    to_form(d)
    fill(d, "Ana")
    d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
    enter_pin(d, PIN)
    d.wait_shown("staff.close")
    assert d.ui.vm.mode == "staff"
    assert d.ui.vm.flow.entryEmpty
    assert "staff_entered" in actions(d.ui.kiosk)
    d.click("staff.close")
    d.wait_shown("attract.signButton")
    assert "staff_left" in actions(d.ui.kiosk)


# -- in staff mode -----------------------------------------------------------------------------


def test_choose_the_campaign_and_fix_a_local_campaign(d: Driver) -> None:
    kiosk = d.ui.kiosk
    to_staff(d)
    d.click("staff.campaign.duluth-sanctuary")
    d.wait(
        lambda: kiosk.store.get_setting(SETTING_ACTIVE_CAMPAIGN) == "duluth-sanctuary",
        "the setting",
    )
    assert not d.shown("staff.fixedLocal.none")  # Duluth has no local campaigns
    d.click("staff.campaign.defy-trump-expand-sanctuary")
    d.click("staff.fixedLocal.skokie")
    d.wait(lambda: d.ui.vm.staff.fixedLocal == "skokie", "the fixed local campaign")
    d.click("staff.close")
    d.wait_shown("attract.signButton")
    assert "George Van Dusen" in d.text("attract.title")
    assert "settings_changed" in actions(kiosk)


def _texts(item: QQuickItem) -> list[str]:
    """The texts shown inside ``item``."""
    found: list[str] = []
    pending = [item]
    while pending:
        node = pending.pop()
        if node.isVisible():
            if node.inherits("QQuickText") and node.property("text"):
                found.append(str(node.property("text")))
            pending.extend(node.childItems())
    return found


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Shown to signers now"), ("es", "Se muestra ahora")]
)
def test_the_campaign_shown_to_signers_says_so_in_words_and_to_a_screen_reader(
    d: Driver, lang: str, words: str
) -> None:
    """It was told apart by its green tint and border alone (WCAG 1.4.1)."""
    QAccessible.setActive(True)
    to_staff(d)
    choose_language(d, lang)
    slugs = [c["slug"] for c in d.ui.vm.staff.campaigns]
    assert len(slugs) > 1

    def check(current: str) -> None:
        for slug in slugs:
            item = d.item(f"staff.campaign.{slug}")
            texts = _texts(item)
            iface = QAccessible.queryAccessibleInterface(item)
            state = iface.state()
            assert iface.role() == QAccessible.Role.RadioButton
            assert bool(state.checkable)
            if slug == current:
                assert any(t.startswith("✓") for t in texts), texts
                assert words in texts
                assert bool(state.checked), slug
            else:
                assert not any("✓" in t for t in texts) and words not in texts, texts
                assert not state.checked, slug

    check(d.ui.vm.staff.activeCampaign)
    d.click("staff.campaign.duluth-sanctuary")
    d.wait(lambda: d.ui.vm.staff.activeCampaign == "duluth-sanctuary", "the choice")
    d.wait(lambda: words in _texts(d.item("staff.campaign.duluth-sanctuary")), "the mark")
    check("duluth-sanctuary")


@pytest.mark.parametrize(("lang", "words"), [("en", "In use now"), ("es", "En uso ahora")])
def test_the_fixed_local_campaign_says_so_in_words_and_to_a_screen_reader(
    d: Driver, lang: str, words: str
) -> None:
    """The chosen one was told apart by its fill alone (WCAG 1.4.1)."""
    QAccessible.setActive(True)
    to_staff(d)
    choose_language(d, lang)
    d.wait_shown("staff.fixedLocal.none")
    slugs = ["none", *(c["slug"] for c in d.ui.vm.staff.localCampaigns)]
    assert "skokie" in slugs

    def check(current: str) -> None:
        for slug in slugs:
            item = d.item(f"staff.fixedLocal.{slug}")
            texts = _texts(item)
            iface = QAccessible.queryAccessibleInterface(item)
            state = iface.state()
            assert iface.role() == QAccessible.Role.RadioButton
            assert bool(state.checkable)
            assert "✓" not in iface.text(QAccessible.Text.Name)  # the name is the label
            if slug == current:
                assert any(t.startswith("✓") for t in texts), texts
                assert words in texts
                assert bool(state.checked), slug
            else:
                assert not any("✓" in t for t in texts) and words not in texts, texts
                assert not state.checked, slug

    check("none")
    d.click("staff.fixedLocal.skokie")
    d.wait(lambda: d.ui.vm.staff.fixedLocal == "skokie", "the choice")
    d.wait(lambda: words in _texts(d.item("staff.fixedLocal.skokie")), "the mark")
    check("skokie")
    d.click("staff.fixedLocal.none")
    d.wait(lambda: d.ui.vm.staff.fixedLocal == "", "by ZIP code again")
    d.wait(lambda: words in _texts(d.item("staff.fixedLocal.none")), "the mark back")
    check("none")


def test_name_the_event_and_new_signatures_belong_to_it(d: Driver) -> None:
    kiosk = d.ui.kiosk
    to_staff(d)
    d.click("staff.tab.event")
    d.click("staff.eventSave")
    d.wait(lambda: d.text("staff.eventName.error") != "", "the error")
    # A control character (pasted from elsewhere) was saved, and the server refuses it: the
    # event could never be sent. It is refused here, in words.
    d.fill("staff.eventName", "Rally\u202e at City Hall")
    d.click("staff.eventSave")
    d.wait(
        lambda: d.text("staff.eventName.error") == "This contains characters that are not allowed.",
        "the control character's error",
    )
    assert kiosk.store.get_setting(SETTING_EVENT) is None
    retype(d, "staff.eventName", "Rally at City Hall")
    d.fill("staff.eventLocation", "Duluth, MN")
    d.click("staff.eventSave")
    d.wait(lambda: kiosk.store.get_setting(SETTING_EVENT) is not None, "the event")
    event_id = kiosk.store.get_setting(SETTING_EVENT)
    assert d.text("staff.eventSummary") == "Event: Rally at City Hall · Duluth, MN"
    d.click("staff.close")
    sign_once(d)
    assert kiosk.store.recent(1)[0].signature.meta.event_id == event_id
    assert [(e.name, e.location) for e in kiosk.store.events()] == [
        ("Rally at City Hall", "Duluth, MN")
    ]


def retype(d: Driver, name: str, text: str) -> None:
    """Replace a field's text (``fill`` types after what is there)."""
    d.item(name).setProperty("text", "")
    d.fill(name, text)


def test_a_new_name_for_an_event_with_signatures_asks_new_event_or_correction(d: Driver) -> None:
    """Renaming the event moved its signatures to the new name (yesterday's rally printed as
    today's market): once it has signatures, the volunteer says which it is."""
    kiosk = d.ui.kiosk
    to_staff(d)
    d.click("staff.tab.event")
    retype(d, "staff.eventName", "Rally at City Hall")
    d.click("staff.eventSave")
    d.wait(lambda: kiosk.store.get_setting(SETTING_EVENT) is not None, "the event")
    # No signature yet: a new name is a plain correction, no question.
    retype(d, "staff.eventName", "Rally at City Hall steps")
    d.click("staff.eventSave")
    d.wait(lambda: d.text("staff.eventSummary") == "Event: Rally at City Hall steps", "the rename")
    assert not d.shown("staff.eventQuestion")
    rally = kiosk.store.get_setting(SETTING_EVENT)
    d.click("staff.close")
    sign_once(d)
    to_staff(d)
    d.click("staff.tab.event")
    # Cancel: nothing changes, the fields show the event again.
    retype(d, "staff.eventName", "Sunday market")
    d.click("staff.eventSave")
    d.wait_shown("staff.eventQuestion")
    assert d.text("staff.eventQuestion") == (
        "1 signature was already recorded at “Rally at City Hall steps”. Is “Sunday market” a "
        "new event, or a correction of this one's name?"
    )
    d.click("staff.eventKeep")
    d.wait(lambda: not d.shown("staff.eventQuestion"), "the question to go")
    assert d.text("staff.eventName") == "Rally at City Hall steps"
    assert [e.name for e in kiosk.store.events()] == ["Rally at City Hall steps"]
    # A new event: the rally keeps its name and its signature; the next one is the market's.
    retype(d, "staff.eventName", "Sunday market")
    retype(d, "staff.eventLocation", "Plaza")
    d.click("staff.eventSave")
    d.click("staff.eventStartNew")
    d.wait(lambda: kiosk.store.get_setting(SETTING_EVENT) != rally, "the new event")
    market = kiosk.store.get_setting(SETTING_EVENT)
    assert d.text("staff.eventSummary") == "Event: Sunday market · Plaza"
    names = {e.id: (e.name, e.location) for e in kiosk.store.events()}
    assert names == {rally: ("Rally at City Hall steps", ""), market: ("Sunday market", "Plaza")}
    assert kiosk.store.count(SignatureFilter(event_id=rally)) == 1
    d.click("staff.close")
    sign_once(d, "Lee", "Moua")
    assert kiosk.store.recent(1)[0].signature.meta.event_id == market
    # A correction: the same event, its signature with it, under the corrected name.
    to_staff(d)
    d.click("staff.tab.event")
    retype(d, "staff.eventName", "Sunday farmers market")
    d.click("staff.eventSave")
    d.wait_shown("staff.eventQuestion")
    d.click("staff.eventRename")
    d.wait(lambda: d.text("staff.eventSummary") == "Event: Sunday farmers market · Plaza", "fix")
    assert kiosk.store.get_setting(SETTING_EVENT) == market
    assert {e.name for e in kiosk.store.events()} == {
        "Rally at City Hall steps",
        "Sunday farmers market",
    }


def test_counts_and_last_entries_with_names_only_after_the_passphrase(d: Driver) -> None:
    sign_once(d, "Ana", "Pérez")
    sign_once(d, "Lee", "Moua")
    to_staff(d)
    assert d.text("staff.count.all") == "2"
    assert d.text("staff.count.today") == "2"
    d.click("staff.tab.entries")
    assert d.text("staff.entry.0.name") == ""  # names are sealed
    d.fill("staff.unlockPassphrase", "wrong passphrase")
    d.click("staff.unlockNames")
    d.wait(lambda: d.ui.vm.staff.unlockFailed, "the refusal", timeout_s=20)
    d.fill("staff.unlockPassphrase", PASSPHRASE)
    d.click("staff.unlockNames")
    d.wait(lambda: d.ui.vm.staff.namesUnlocked, "the unlock", timeout_s=20)
    d.wait(lambda: d.text("staff.entry.0.name") == "Lee Moua", "the newest name")
    assert d.text("staff.entry.1.name") == "Ana Pérez"
    d.click("staff.lockNames")
    d.wait(lambda: d.text("staff.entry.0.name") == "", "names hidden")
    assert {"unlock", "unlock_failed", "lock"} <= set(actions(d.ui.kiosk))


@pytest.mark.parametrize("how", ["button", "enter"])
def test_the_keyboard_goes_away_once_the_names_are_shown(d: Driver, how: str) -> None:
    """The passphrase field is hidden once the names show: the on-screen keyboard stayed up
    over the screen, typing into nothing."""
    sign_once(d)
    to_staff(d)
    d.click("staff.tab.entries")
    d.tap("staff.unlockPassphrase")
    d.wait(lambda: bool(d.item("staff.unlockPassphrase").hasActiveFocus()), "the field's focus")
    d.wait(lambda: bool(d.item("keyboard").property("active")), "the keyboard")
    d.type(PASSPHRASE)
    if how == "button":
        d.click("staff.unlockNames")
    else:
        d.tap_keys("\n")  # the keyboard's own Enter ("Done")
    d.wait(lambda: d.ui.vm.staff.namesUnlocked, "the unlock", timeout_s=20)
    d.wait(lambda: d.text("staff.entry.0.name") == "Ana Pérez", "the name")
    d.wait(lambda: not d.item("keyboard").property("active"), "the keyboard to go")
    d.idle()
    d.settle(200)
    assert not d.item("keyboard").property("active")
    assert not QGuiApplication.inputMethod().isVisible()
    field = d.item("staff.unlockPassphrase")
    assert not field.hasActiveFocus()
    assert field.property("text") == ""  # the passphrase is not kept in the hidden field
    focused = d.window.activeFocusItem()
    assert focused is None or not focused.inherits("QQuickTextInput"), focused.objectName()


def test_void_an_entry_with_a_reason_it_is_kept_and_marked(d: Driver) -> None:
    kiosk = d.ui.kiosk
    sign_once(d)
    signature_id = kiosk.store.recent(1)[0].signature.meta.id
    to_staff(d)
    d.click("staff.tab.entries")
    d.click("staff.entry.0.voidButton")
    d.click("staff.entry.0.voidConfirm")
    d.wait(lambda: d.text("staff.entry.0.reason.error") != "", "the missing reason")
    assert d.text("staff.entry.0.reason.error") == "Please give a reason."
    d.fill("staff.entry.0.reason", "Test entry by a volunteer")
    # While the reason is typed, "Void entry" is above the on-screen keyboard, not under it.
    panel = d.item("keyboard")
    d.wait(lambda: bool(panel.property("active")), "the keyboard")
    confirm = d.item("staff.entry.0.voidConfirm")

    def confirm_above_keyboard() -> bool:
        bottom = confirm.mapToScene(confirm.boundingRect().bottomLeft()).y()
        return bottom <= panel.y()

    d.wait(confirm_above_keyboard, "the void buttons above the keyboard")
    d.click("staff.entry.0.voidConfirm")
    d.wait(lambda: d.text("staff.entry.0.void") != "", "the void mark")
    assert d.text("staff.entry.0.void") == "Void: Test entry by a volunteer"
    stored = kiosk.store.get(signature_id)
    assert stored is not None and stored.void is not None
    assert stored.void.reason == "Test entry by a volunteer"
    assert kiosk.store.count(SignatureFilter()) == 0
    assert kiosk.store.count(SignatureFilter(include_void=True)) == 1
    assert d.text("staff.count.all") == "0"
    assert "void" in actions(kiosk)


def test_the_last_entries_follow_a_language_switch_in_staff_mode(d: Driver) -> None:
    """The rows were worded when staff mode opened, in the language the kiosk was in: a
    volunteer who then chose Español read "12:03 AM" and the campaign's English title; a void
    refused in English stayed in English too."""
    sign_once(d)
    to_staff(d)
    d.click("staff.tab.entries")
    assert d.text("staff.entry.0.campaign").startswith("Tell Your Mayor to Defy Trump")
    assert d.text("staff.entry.0.time").endswith(("AM", "PM"))
    d.click("staff.entry.0.voidButton")
    d.click("staff.entry.0.voidConfirm")
    d.wait(lambda: d.text("staff.entry.0.reason.error") != "", "the missing reason")
    d.click("lang.es")
    d.wait(lambda: d.ui.vm.i18n.language == "es", "Spanish")
    d.wait(
        lambda: d.text("staff.entry.0.campaign").startswith("Dígale a su alcalde"),
        "the campaign's Spanish title",
    )
    assert d.text("staff.entry.0.time").endswith(("a.m.", "p.m.")), d.text("staff.entry.0.time")
    assert d.text("staff.entry.0.reason.error") == "Por favor, indique un motivo."


@pytest.mark.parametrize("lang", ["en", "es"])
def test_an_entrys_campaign_line_wraps_and_keeps_the_place_and_language(
    d: Driver, lang: str
) -> None:
    """On a portrait tablet the line ended "... Expand Sanctuary · Evansville,…": the place's
    state and the signer's language were cut off."""
    sign_once(d, zip_code="47708", lang="es")
    d.window.resize(800, 1280)
    to_staff(d)
    choose_language(d, lang)
    d.click("staff.tab.entries")
    line = d.item("staff.entry.0.campaign")
    d.idle()
    assert d.text("staff.entry.0.campaign").endswith("Evansville, IN · ES")
    assert line.property("truncated") is False
    assert line.height() >= line.property("contentHeight") - 1  # and has the room for its lines


def test_sync_status_without_a_sync_engine(d: Driver) -> None:
    sign_once(d)
    to_staff(d)
    d.click("staff.tab.sync")
    assert d.text("staff.sync.status") == "Not connected to a server."
    assert d.text("staff.sync.pending") == (
        "1 record waiting to be sent to the server (signatures and voids)."
    )
    assert not d.shown("staff.connect")  # no form that could do nothing
    assert not d.shown("staff.syncNow")


def test_exit_the_app_asks_first(d: Driver, qtbot: object) -> None:
    to_staff(d)
    d.click("staff.quit")
    d.wait_shown("staff.quitConfirm")
    with qtbot.waitSignal(d.ui.vm.quitRequested, timeout=2000):  # type: ignore[attr-defined]
        d.click("staff.quitConfirm")


def test_staff_mode_closes_itself_when_left_alone(d: Driver, idle_clock: FakeClock) -> None:
    to_staff(d)
    idle_clock.advance(FAST.staff_idle_timeout_s + FAST.idle_countdown_s + 1)
    d.wait_shown("attract.signButton")
    assert d.ui.vm.mode == "signer"


def test_the_void_buttons_wrap_between_words_never_inside_one(d: Driver) -> None:
    """Beside the long note, the layout squeezed "Cancelar" to "Cancel" / "ar" (seen in the
    Spanish screenshot of the last entries); the note wraps first."""
    sign_once(d)
    to_staff(d)
    d.click("lang.es")
    d.click("staff.tab.entries")
    d.click("staff.entry.0.voidButton")
    d.click("staff.entry.0.reason")  # the keyboard comes up; the row keeps its width
    d.wait(lambda: bool(d.item("keyboard").property("active")), "the keyboard")
    for name in ("staff.entry.0.voidCancel", "staff.entry.0.voidConfirm"):
        button = d.item(name)
        label = button.property("contentItem")
        words = len(button.property("text").split())
        d.wait(lambda label=label: label.property("lineCount") >= 1, "the label laid out")
        assert label.property("lineCount") <= words, (name, button.property("text"))
