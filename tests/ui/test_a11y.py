"""Accessibility: every control has an accessible name and a finger-sized target, text
colours meet WCAG AA, and larger text is one tap away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtQuick import QQuickItem

from kiosk.app import Kiosk
from kiosk.ui.automation import Driver
from kiosk.ui.theme import (
    CONTRAST_PAIRS,
    HIGH_CONTRAST_MIN,
    HIGH_CONTRAST_PALETTE,
    PALETTE,
    SIZES,
    contrast_ratio,
)
from tests.ui.conftest import FAST, PIN, FakeClock
from tests.ui.steps import choose_language, fill, sign_and_submit, to_form

pytestmark = pytest.mark.gui

_CONTROLS = ("QQuickAbstractButton", "QQuickTextInput", "QQuickTextEdit", "QQuickMouseArea")
MIN_TARGET = 48


def _inside_keyboard(item: QQuickItem) -> bool:
    parent: QQuickItem | None = item
    while parent is not None:
        if parent.objectName() == "keyboard":
            return True
        parent = parent.parentItem()
    return False


def audit(d: Driver, names: dict[str, str] | None = None) -> list[str]:
    """Problems with the controls on screen now: a missing name or a small target.

    Walks the ``QAccessible`` interface of every enabled, visible control (what Orca reads
    over AT-SPI), not only the QML properties; ``names`` collects objectName -> name."""
    d.frame()
    QAccessible.setActive(True)
    problems: list[str] = []
    pending: list[QQuickItem] = [d.window.contentItem()]
    while pending:
        item = pending.pop()
        if not item.isVisible() or item.opacity() == 0:
            continue
        pending.extend(item.childItems())
        is_control = (
            any(item.inherits(c) for c in _CONTROLS)
            or item.metaObject().className() == "SignaturePad"
        )
        if not is_control or not item.isEnabled() or _inside_keyboard(item):
            continue
        if (
            item.inherits("QQuickTextInput")
            and item.parentItem() is not None
            and item.parentItem().inherits("QQuickTextInput")
        ):
            continue
        label = item.objectName() or item.metaObject().className()
        iface = QAccessible.queryAccessibleInterface(item)
        name = iface.text(QAccessible.Text.Name) if iface is not None else ""
        if iface is not None and iface.state().passwordEdit:
            # Qt Quick keeps password fields unnamed; their label is the description.
            name = iface.text(QAccessible.Text.Description)
        if not name.strip():
            problems.append(f"{label}: no accessible name")
        elif names is not None and item.objectName():
            names[item.objectName()] = name.strip()
        if min(item.width(), item.height()) < MIN_TARGET:
            problems.append(f"{label}: {item.width():.0f}x{item.height():.0f} px")
    return problems


def test_every_signer_screen(d: Driver, idle_clock: FakeClock) -> None:
    seen: dict[str, list[str]] = {}
    seen["attract"] = audit(d)
    to_form(d)
    seen["form"] = audit(d)
    fill(d, "Ana", "Pérez", "47708")
    d.click("form.next")
    d.wait_shown("local.confirm")
    seen["local"] = audit(d)
    d.click("local.change")
    d.wait_shown("local.option.evansville")
    seen["local-choose"] = audit(d)
    d.click("local.option.evansville")
    d.click("local.confirm")
    d.wait_shown("pad.canvas")
    d.sign()
    seen["pad"] = audit(d)
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.wait_shown("idle.stillHere")
    seen["idle"] = audit(d)
    d.click("idle.stillHere")
    d.wait(lambda: not d.shown("idle.stillHere"), "the countdown to close")
    d.click("pad.submit")
    d.wait_shown("thanks.done")
    seen["thanks"] = audit(d)
    d.click("thanks.done")
    d.click("attract.signButton")
    d.wait_shown("petition.continueButton")
    seen["petition"] = audit(d)
    assert {k: v for k, v in seen.items() if v} == {}


def _walk_signer_screens(
    d: Driver, idle_clock: FakeClock, lang: str, first: str, last: str
) -> dict[str, str]:
    """Every signer screen (the accessibility options, the form with its errors, the local
    campaign and its choice, the pad, the typed signature with its errors, idle, thank-you and
    "already signed") in ``lang``; returns objectName -> accessible name, and fails on any
    problem."""
    names: dict[str, str] = {}
    seen: dict[str, list[str]] = {}
    d.wait_shown("attract.signButton")
    choose_language(d, lang)
    seen["attract"] = audit(d, names)
    d.click("a11y.options")
    d.wait_shown("a11y.close")
    seen["options"] = audit(d, names)
    d.click("a11y.close")
    d.wait(lambda: not d.shown("a11y.close"), "the options to close")
    d.click("attract.signButton")
    d.wait_shown("petition.continueButton")
    seen["petition"] = audit(d, names)
    d.click("petition.continueButton")
    d.wait_shown("form.firstName")
    d.click("form.next")  # the errors too
    d.wait(lambda: bool(d.ui.vm.flow.errors), "the errors")
    seen["form"] = audit(d, names)
    fill(d, first, last, "47708")
    d.click("form.next")
    d.wait_shown("local.confirm")
    seen["local"] = audit(d, names)
    d.click("local.change")
    d.wait_shown("local.option.evansville")
    seen["local-choose"] = audit(d, names)
    d.click("local.option.evansville")
    d.click("local.confirm")
    d.wait_shown("pad.canvas")
    seen["pad"] = audit(d, names)
    d.click("pad.typeInstead")
    d.wait_shown("pad.typedName")
    seen["typed"] = audit(d, names)
    d.click("pad.submit")  # the typed signature's errors
    d.wait(lambda: "typed_name" in d.ui.vm.flow.errors, "the typed errors")
    seen["typed-errors"] = audit(d, names)
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.wait_shown("idle.stillHere")
    seen["idle"] = audit(d, names)
    d.click("idle.stillHere")
    d.wait(lambda: not d.shown("idle.stillHere"), "the countdown to close")
    d.fill("pad.typedName", f"{first} {last}")
    d.click("pad.typedConfirm")
    d.click("pad.submit")
    d.wait_shown("thanks.done")
    seen["thanks"] = audit(d, names)
    d.click("thanks.done")
    d.wait_shown("attract.signButton")  # the same signer again: "already signed"
    choose_language(d, lang)
    d.click("attract.signButton")
    d.click("petition.continueButton")
    fill(d, first, last, "47708")
    d.click("form.next")
    d.wait_shown("duplicate.done")
    seen["duplicate"] = audit(d, names)
    assert {k: v for k, v in seen.items() if v} == {}
    return names


def test_every_signer_control_is_named_in_both_languages(
    make_ui: Callable[..., Driver], idle_clock: FakeClock
) -> None:
    """Issue #17: a name in English and in Spanish for every control (read through
    QAccessible); a control whose Spanish name is still the English one is reported."""
    english = _walk_signer_screens(make_ui(), idle_clock, "en", "Ana", "Pérez")
    spanish = _walk_signer_screens(make_ui(), idle_clock, "es", "Luz", "Gómez")
    assert set(english) == set(spanish)
    # the same words in both: language names, numbers and the signer's own entries only
    same = {n for n in english if english[n] == spanish[n]}
    allowed = {"lang.en", "lang.es", "pad.typedName", "pad.witnessPin"} | {
        n for n in same if not any(c.isalpha() for c in english[n])
    }
    assert same - allowed == set(), {n: english[n] for n in same - allowed}


def test_staff_screens(d: Driver) -> None:
    seen: dict[str, list[str]] = {}
    d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
    seen["pin"] = audit(d)
    d.type(PIN)
    d.click("pin.submit")
    d.wait_shown("staff.close")
    for section in ("campaign", "event", "entries", "sync", "exports", "privacy"):
        d.click(f"staff.tab.{section}")
        seen[section] = audit(d)
    assert {k: v for k, v in seen.items() if v} == {}


def test_setup_screen(make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]) -> None:
    d = make_ui(make_kiosk(keys=False, pin=False))
    d.wait_shown("setup.finish")
    assert audit(d) == []


def test_text_colours_meet_wcag_aa() -> None:
    for fg, bg, minimum in CONTRAST_PAIRS:
        ratio = contrast_ratio(PALETTE[fg], PALETTE[bg])
        assert ratio >= minimum, f"{fg} on {bg}: {ratio:.2f} < {minimum}"
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)


def test_high_contrast_theme_is_at_least_7_to_1_for_text_and_controls() -> None:
    """Issue #17: every pair the screens use, text and controls alike, at 7:1 or more."""
    assert set(HIGH_CONTRAST_PALETTE) == set(PALETTE)  # every colour has its high-contrast twin
    low = {
        f"{fg} on {bg}": round(
            contrast_ratio(HIGH_CONTRAST_PALETTE[fg], HIGH_CONTRAST_PALETTE[bg]), 2
        )
        for fg, bg, _ in CONTRAST_PAIRS
        if contrast_ratio(HIGH_CONTRAST_PALETTE[fg], HIGH_CONTRAST_PALETTE[bg]) < HIGH_CONTRAST_MIN
    }
    assert low == {}
    # the focus ring and the ink against what they are drawn on
    for fg, bg in (("primary", "background"), ("ink", "surface"), ("onHeader", "scrim")):
        assert contrast_ratio(HIGH_CONTRAST_PALETTE[fg], HIGH_CONTRAST_PALETTE[bg]) >= 7


def test_larger_text_grows_every_type_size_and_resets_for_the_next_signer(d: Driver) -> None:
    title = d.item("attract.title")
    before = title.property("font").pixelSize()
    d.click("a11y.largeText")
    d.wait(lambda: title.property("font").pixelSize() > before, "larger text")
    assert title.property("font").pixelSize() == round(SIZES["display"] * 1.25)
    d.click("attract.signButton")
    d.click("petition.continueButton")
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.next")
    d.click("local.confirm")
    sign_and_submit(d)
    d.click("thanks.done")
    d.wait(lambda: d.item("attract.title").property("font").pixelSize() == before, "reset")


def test_the_popup_and_the_window_are_found_by_their_documented_names(d: Driver) -> None:
    """docs/automation.md names ``a11y.panel`` (a Popup: not an item) and ``window`` (the
    window itself); the driver found neither, so waiting on the panel timed out."""
    root = d.ui.find("window")
    assert root is not None and root.window() is d.ui.window
    assert d.ui.find("a11y.panel") is not None and not d.shown("a11y.panel")
    d.click("a11y.options")
    d.wait_shown("a11y.panel")
    d.click("a11y.close")
    d.wait(lambda: not d.shown("a11y.panel"), "the options to close")


@pytest.mark.parametrize("control", ["AccessPanel", "StartOver"])
def test_a_control_built_before_its_view_model_is_set_stays_quiet_and_works_once_set(
    d: Driver, qtbot: Any, control: str
) -> None:
    """A signer's screens load in the background (an asynchronous Loader): a popup inside them
    can be built and bound before the ``app`` handed down to it is. It must not fail a binding
    or connect its Connections to itself (a CI run once logged fifteen warnings for one
    accessibility panel built so), and it works as soon as ``app`` arrives."""
    from PySide6.QtCore import QUrl
    from PySide6.QtQml import QQmlComponent

    component = QQmlComponent(d.ui.engine)
    component.setData(
        (
            "import QtQuick\nimport KioskUi\n"
            "Item { id: host; property var app: null\n"
            f"  {control} {{ objectName: 'late'; app: host.app }} }}\n"
        ).encode(),
        QUrl("file:///late.qml"),
    )
    assert component.isReady(), component.errorString()
    host = component.create(d.ui.engine.rootContext())
    assert host is not None, component.errorString()
    host.setParentItem(d.ui.window.contentItem())
    try:
        (late,) = host.findChildren(QObject, "late")
        host.setProperty("app", d.ui.vm)
        assert late.property("app") is d.ui.vm
        if control == "AccessPanel":  # bound to the app once it is there
            d.ui.vm.setHighContrast(True)
            check = late.findChild(QObject, "a11y.highContrast")
            qtbot.waitUntil(lambda: check.property("on") is True)
            # The idle countdown closes it: its Connections found the app's idle watcher.
            late.setProperty("visible", True)
            qtbot.waitUntil(lambda: late.property("opened") is True)
            d.ui.vm.flow.wipe()
            qtbot.waitUntil(lambda: late.property("visible") is False)
            qtbot.waitUntil(lambda: late.property("opened") is False)  # its exit transition
    finally:
        # Gone before the test ends, not at the engine's destruction (a popup torn down with
        # the engine logged a warning there in 2 runs of 6 of another session's tests).
        host.setParentItem(None)
        host.deleteLater()
        qtbot.wait(50)


def test_check_boxes_and_choices_keep_their_state_with_a_screen_reader_on(d: Driver) -> None:
    """When accessibility turns on (a screen reader), Qt Quick's Button writes its own
    checkable and checked (false) over a check box's or a choice's: each still says it is
    checkable and whether it is checked, to a screen reader and in speech mode."""
    QAccessible.setActive(True)  # after the attract screen was built, and before the rest

    def state(name: str) -> tuple[bool, bool]:
        s = QAccessible.queryAccessibleInterface(d.item(name)).state()
        return bool(s.checkable), bool(s.checked)

    speech = d.ui.vm.speech
    assert state("lang.en") == (True, True) and state("lang.es") == (True, False)
    assert "English. option. checked." in speech.describe(d.item("lang.en"))
    d.click("a11y.options")
    d.wait_shown("a11y.close")
    assert state("a11y.textSize.100") == (True, True)
    assert state("a11y.textSize.200") == (True, False)
    assert state("a11y.speech") == (True, False) and state("a11y.highContrast") == (True, False)
    # As docs/automation.md says: the sizes are radio buttons, the rest check boxes.
    role = QAccessible.Role
    for name in ("a11y.speech", "a11y.echo", "a11y.highContrast", "a11y.moreTime"):
        assert QAccessible.queryAccessibleInterface(d.item(name)).role() == role.CheckBox, name
    for size in (100, 125, 150, 200):
        item = d.item(f"a11y.textSize.{size}")
        assert QAccessible.queryAccessibleInterface(item).role() == role.RadioButton, size
        assert item.property("checked") is False  # not a checkable button
    d.click("a11y.textSize.200")
    d.wait(lambda: state("a11y.textSize.200") == (True, True), "200 % to be checked")
    assert state("a11y.textSize.100") == (True, False)
    d.click("a11y.close")
    d.click("lang.es")
    d.wait(lambda: state("lang.es") == (True, True), "Español to be checked")
    d.click("attract.signButton")
    d.click("petition.continueButton")
    assert state("form.optIn") == (True, False)
    assert speech.describe(d.item("form.optIn")).endswith("casilla. sin marcar.")
    d.click("form.optIn")
    d.wait(lambda: state("form.optIn") == (True, True), "the opt-in to be checked")
    fill(d, "Ana", "Pérez", "55802", email="ana@example.org")
    d.click("form.next")
    d.click("local.confirm")
    d.click("pad.typeInstead")
    assert state("pad.typedConfirm") == (True, False)
    d.click("pad.typedConfirm")
    d.wait(lambda: state("pad.typedConfirm") == (True, True), "the confirmation")


def _ring_and_clip(item: QQuickItem) -> tuple[QRectF, QRectF]:
    """The scene rectangles of ``item``'s shown focus ring and of its nearest clipping
    ancestor."""
    ring = None
    pending = [item]
    while pending and ring is None:
        node = pending.pop()
        for child in node.childItems():
            if child.property("target") is item and child.isVisible():
                ring = child
                break
            pending.append(child)
    assert ring is not None, f"{item.objectName()} shows no focus ring"
    clip = item.parentItem()
    while clip is not None and not clip.clip():
        clip = clip.parentItem()
    assert clip is not None
    return ring.mapRectToScene(ring.boundingRect()), clip.mapRectToScene(clip.boundingRect())


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_dialogs_focus_rings_are_whole(d: Driver, lang: str) -> None:
    """In the options and the "Start over?" question, the focus ring of a control at the edge
    ("Done", which has the focus when the options open, "200 %") is not cut off by their
    scrolling area. (Both stay Popups without an accessible name: as Dialogs, named by their
    title, the signer screens rebuilt in the background left Qt warning of items half made at
    engine destruction.)"""
    QAccessible.setActive(True)
    d.window.resize(800, 1280)
    if lang == "es":
        d.click("lang.es")
    d.click("a11y.options")
    d.click("a11y.textSize.200")
    d.wait_shown("a11y.close")
    for name in ("a11y.close", "a11y.speech", "a11y.textSize.200", "a11y.moreTime"):
        item = d.item(name)
        item.forceActiveFocus(Qt.FocusReason.TabFocusReason)
        d.frame()
        ring, clip = _ring_and_clip(item)
        assert clip.contains(ring), f"{name}: ring {ring} cut by {clip}"
    d.click("a11y.close")
    d.click("attract.signButton")
    d.click("petition.continueButton")
    d.click("form.startOver")
    d.wait_shown("startOver.cancel")
    for name in ("startOver.cancel", "startOver.confirm"):
        item = d.item(name)
        item.forceActiveFocus(Qt.FocusReason.TabFocusReason)
        d.frame()
        ring, clip = _ring_and_clip(item)
        assert clip.contains(ring), f"{name}: ring {ring} cut by {clip}"


def _dialog_around(item: QQuickItem) -> tuple[str, str] | None:
    """The nearest ancestor a screen reader announces as a dialog: (its name, its role)."""
    node = item.parentItem()
    while node is not None:
        iface = QAccessible.queryAccessibleInterface(node)
        if iface is not None and iface.role() == QAccessible.Role.Dialog:
            return iface.text(QAccessible.Text.Name), "dialog"
        node = node.parentItem()
    return None


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_popups_are_dialogs_named_by_their_titles(d: Driver, lang: str) -> None:
    """A screen reader entering the options or the "Start over?" question says what it is:
    a dialog and its title (they were unnamed groups)."""
    titles = {
        "en": ("Accessibility", "Start over?"),
        "es": ("Accesibilidad", "¿Empezar de nuevo?"),
    }[lang]
    d.wait_shown("attract.signButton")
    choose_language(d, lang)
    d.click("a11y.options")
    d.wait_shown("a11y.close")
    assert _dialog_around(d.item("a11y.close")) == (titles[0], "dialog")
    d.click("a11y.close")
    d.wait(lambda: not d.shown("a11y.close"), "the options to close")
    d.click("attract.signButton")
    d.click("petition.continueButton")
    d.click("form.startOver")
    d.wait_shown("startOver.confirm")
    assert _dialog_around(d.item("startOver.confirm")) == (titles[1], "dialog")
    assert _dialog_around(d.item("form.next")) is None  # the page itself is no dialog
