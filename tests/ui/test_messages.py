"""All wording in one place: QML passes codes, kiosk/ui/messages.py words them (EN and ES)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from kiosk.app import Kiosk
from kiosk.ui import i18n, messages
from kiosk.ui.automation import Driver
from kiosk.ui.i18n import QML_DIR, I18n
from kiosk.ui.messages import STAFF_CODES, staff_message
from tests.ui.test_staff import enter_pin, open_pin

pytestmark = pytest.mark.gui

QML_FILES = sorted(QML_DIR.rglob("*.qml"))


def _messages_sentences() -> set[str]:
    """Every problem sentence messages.py words: the ``translate("Messages", "...")`` literals
    (joined) of its ``*_message`` functions (labels such as policy names are not problems)."""
    tree = ast.parse(Path(messages.__file__).read_text(encoding="utf-8"))
    found: set[str] = set()
    for fn in ast.walk(tree):
        if not (isinstance(fn, ast.FunctionDef) and fn.name.endswith("_message")):
            continue
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "translate"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                found.add(node.args[1].value)
    assert len(found) > 60
    return found


_QSTR = re.compile(r'qsTr\(\s*"((?:[^"\\]|\\.)*)"')
#: A qsTr chosen by comparing an error or problem code: ``error === "full" ? qsTr(...)``,
#: ``if (code === "no_cups") return qsTr(...)``.
_CODE_TO_SENTENCE = re.compile(
    r'(?:[eE]rror|[pP]roblem|[cC]ode|[fF]ailed)\w*\s*===\s*"[^"]*"\s*\)?\s*(?:\?|return)\s*qsTr\('
)
#: A field's ``error:`` binding that words a sentence itself.
_ERROR_BINDING = re.compile(r"^\s*error:[^\n]*qsTr\(", re.MULTILINE)


def hard_coded_errors(qml: str, worded: set[str]) -> list[str]:
    """The user-facing error sentences a QML text words itself (empty: none)."""
    found = [m.group(0) for m in _CODE_TO_SENTENCE.finditer(qml)]
    found += [m.group(0).strip() for m in _ERROR_BINDING.finditer(qml)]
    found += [f"qsTr({s!r}) is worded in messages.py" for s in _QSTR.findall(qml) if s in worded]
    return found


def test_the_check_finds_what_the_screens_used_to_do() -> None:
    worded = _messages_sentences()
    before = """
        if (s.error === "full")
            return qsTr("Not saved: the USB stick or disk is full. Nothing was lost: free some space or choose another place.")
        error: page.staff.eventError === "required" ? qsTr("Please name the event.") : ""
        text: !st.connected ? qsTr("Not connected to a server.") : ""
        return code === "pin_format" ? qsTr("A PIN has 4 to 12 digits.") : ""
    """
    assert len(hard_coded_errors(before, worded)) >= 5
    assert hard_coded_errors('text: qsTr("Saving…")', worded) == []


@pytest.mark.parametrize("path", QML_FILES, ids=lambda p: p.name)
def test_no_qml_file_hard_codes_an_error_sentence(path: Path) -> None:
    assert hard_coded_errors(path.read_text(encoding="utf-8"), _messages_sentences()) == []


def _spanish() -> QTranslator:
    import tempfile

    tr = QTranslator()
    assert tr.load(str(i18n.ensure_qm(Path(tempfile.mkdtemp()))["es"]))
    return tr


def test_every_staff_code_is_worded_in_english_and_spanish(qapp: object) -> None:
    english = {
        (kind, code): staff_message(kind, code, 2)
        for kind, codes in STAFF_CODES.items()
        for code in codes
    }
    assert all(english.values())
    for kind, codes in STAFF_CODES.items():  # each named code has a sentence of its own
        named = [english[(kind, c)] for c in codes if c not in ("failed", "other")]
        assert len(set(named)) == len(named), kind
    assert staff_message("save", "") == "" and staff_message("print", "") == ""
    tr = _spanish()
    QCoreApplication.installTranslator(tr)
    try:
        for (kind, code), en in english.items():
            es = staff_message(kind, code, 2)
            assert es and es != en, (kind, code)
        assert staff_message("pin", "wrong", 1) == "PIN incorrecto. Queda 1 intento."
    finally:
        QCoreApplication.removeTranslator(tr)


def test_i18n_answers_in_the_language_it_switched_to(qapp: object, tmp_path: Path) -> None:
    words = I18n(None, i18n.ensure_qm(tmp_path))
    try:
        assert words.message("en", "save", "full", 0).startswith("Not saved: the USB stick")
        words.set_language("es")
        assert words.message("es", "save", "full", 0).startswith("No se guardó: la memoria USB")
        assert words.message("es", "export", "", 0) == ""
    finally:
        words.close()


def test_a_screen_rewords_a_problem_when_the_language_changes(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]
) -> None:
    d = make_ui(make_kiosk())
    open_pin(d)
    enter_pin(d, "0000")
    assert d.text("pin.message") == "Wrong PIN. 4 tries left."
    d.ui.vm.i18n.set_language("es")
    d.wait(lambda: d.text("pin.message") == "PIN incorrecto. Quedan 4 intentos.", "Spanish")
    d.ui.vm.i18n.set_language("en")
    d.wait(lambda: d.text("pin.message") == "Wrong PIN. 4 tries left.", "English again")
