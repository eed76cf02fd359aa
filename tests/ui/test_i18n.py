"""Translations: complete Spanish, .ts files in step with the sources, every code worded."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from kiosk.domain.errors import Code
from kiosk.sync.status import SyncErrorCode
from kiosk.ui import i18n
from kiosk.ui.messages import OPT_IN_NEEDS_CONTACT, SAVE_FAILED, error_message, sync_error_message

pytestmark = pytest.mark.gui

TS = i18n.translations_dir()


def messages(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot().iter("message"))


def test_every_spanish_string_is_translated() -> None:
    found = messages(TS / "kiosk_es.ts")
    assert len(found) > 150
    for m in found:
        tr = m.find("translation")
        assert tr is not None and tr.get("type") is None, m.findtext("source")
        if m.get("numerus") == "yes":
            forms = [f.text for f in tr.iter("numerusform")]
            assert len(forms) == 2 and all(forms), m.findtext("source")
        else:
            assert tr.text, m.findtext("source")


def test_english_plural_forms_are_written_out() -> None:
    found = messages(TS / "kiosk_en.ts")
    assert found and all(m.get("numerus") == "yes" for m in found)
    for m in found:
        forms = [f.text for f in m.iter("numerusform")]
        assert len(forms) == 2 and all(forms) and "(s)" not in "".join(forms)


def test_the_ts_files_are_in_step_with_the_sources(tmp_path: Path) -> None:
    for name in ("kiosk_en.ts", "kiosk_es.ts"):
        shutil.copy(TS / name, tmp_path / name)
    i18n.update_ts(tmp_path)
    for name in ("kiosk_en.ts", "kiosk_es.ts"):
        fresh = {(m.findtext("source"), m.get("numerus")) for m in messages(tmp_path / name)}
        kept = {(m.findtext("source"), m.get("numerus")) for m in messages(TS / name)}
        assert fresh == kept, f"run `python -m kiosk.ui.i18n update` ({name})"
        unfinished = [
            m.findtext("source")
            for m in messages(tmp_path / name)
            if (m.find("translation").get("type") == "unfinished")
        ]  # type: ignore[union-attr]
        assert unfinished == []


def test_qm_files_are_built_when_missing_or_stale(tmp_path: Path) -> None:
    built = i18n.ensure_qm(tmp_path)
    assert set(built) == {"en", "es"}
    first = built["es"].stat().st_mtime_ns
    assert i18n.ensure_qm(tmp_path)["es"].stat().st_mtime_ns == first  # up to date: kept


def _spanish() -> QTranslator:
    tr = QTranslator()
    assert tr.load(str(i18n.ensure_qm(Path(__import__("tempfile").mkdtemp()))["es"]))
    return tr


def test_every_domain_code_has_its_own_message_in_both_languages(qapp: object) -> None:
    fallback = error_message("no-such-code")
    english = {code: error_message(code) for code in [*Code, OPT_IN_NEEDS_CONTACT, SAVE_FAILED]}
    assert all(m and m != fallback for m in english.values())
    tr = _spanish()
    QCoreApplication.installTranslator(tr)
    try:
        for code, en in english.items():
            es = error_message(code)
            assert es and es != en, code
        for code in SyncErrorCode:
            assert sync_error_message(code) != sync_error_message("??"), code
    finally:
        QCoreApplication.removeTranslator(tr)


def test_sync_codes_are_worded() -> None:
    fallback = sync_error_message("??")
    for code in SyncErrorCode:
        assert sync_error_message(code) not in ("", fallback), code
        # The connect form tries nothing again by itself: it never says it will.
        assert "retried" not in sync_error_message(code, enrolling=True), code
    assert sync_error_message(None) == ""
    assert "Check the address" in sync_error_message(SyncErrorCode.BAD_RESPONSE)


def test_a_translations_file_with_a_missing_translation_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.tsv"
    good.write_text("# comment\nExports\tExportaciones\n%n day(s)\t%n día\t%n días\n", "utf-8")
    assert i18n.read_pairs(good) == {
        "Exports": ["Exportaciones"],
        "%n day(s)": ["%n día", "%n días"],
    }
    bad = tmp_path / "bad.tsv"
    bad.write_text("Exports\tExportaciones\nPrivacy\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:2"):
        i18n.read_pairs(bad)
    assert i18n.main(["fill", str(bad)]) == 2
    assert i18n.main(["fill", str(tmp_path / "missing.tsv")]) == 2


def test_dates_and_times_name_the_month_in_both_languages(qapp: object) -> None:
    """Staff mode's dates (the audit trail, the last sync, an event's start): the locale's short
    form wrote 5/12/2026 in Spanish, which a volunteer used to U.S. forms reads as May 12."""
    from PySide6.QtCore import QDate, QDateTime, QTime

    words = i18n.I18n(None, {})
    moment = QDateTime(QDate(2026, 12, 5), QTime(15, 10))
    try:
        assert words.date_time(moment).replace("\u202f", " ") == "Dec 5, 2026, 3:10 PM"
        words.set_language("es")
        assert words.date_time(moment).replace("\u202f", " ") == "5 dic 2026, 3:10 p.m."
    finally:
        words.set_language("en")


def test_spanish_quotes_and_the_enrollment_code_agree_with_the_rest(qapp: object) -> None:
    """The Spanish quotes with « » everywhere else; the one-time code's error called it a
    "código de registro" ("registro" is an entry on the same screens), where the console the
    code comes from says "código de inscripción"; and "llegar al servidor" was a calque."""
    from kiosk.server.console.i18n import MESSAGES

    for m in messages(TS / "kiosk_es.ts"):
        tr = m.find("translation")
        texts = [f.text or "" for f in tr.iter("numerusform")] or [tr.text or ""]  # type: ignore[union-attr]
        for text in texts:
            assert not set(text) & set('“”"'), text
    console = MESSAGES["code_for"][1]
    assert console.startswith("Código de inscripción")
    tr = _spanish()
    QCoreApplication.installTranslator(tr)
    try:
        assert "código de inscripción" in sync_error_message(SyncErrorCode.BAD_CODE)
        assert "«Permitir conexión sin cifrar»" in sync_error_message(SyncErrorCode.INSECURE_URL)
        assert "llegar" not in sync_error_message(SyncErrorCode.OFFLINE)
    finally:
        QCoreApplication.removeTranslator(tr)
