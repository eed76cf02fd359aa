"""Translations: English and Spanish at run time, and the ``.ts`` -> ``.qm`` build.

Every UI string goes through ``qsTr()`` in QML or ``QCoreApplication.translate`` in Python.
The sources of the translations are ``resources/translations/kiosk_en.ts`` (plural forms only)
and ``kiosk_es.ts`` (every string), kept in the repository. The compiled ``.qm`` files are not:
``ensure_qm`` builds them with ``lrelease`` (shipped in the PySide6 wheel) into a cache folder
the first time, and again whenever a ``.ts`` file is newer, so a fresh clone needs no manual
step. A frozen bundle can ship prebuilt ``.qm`` files next to the ``.ts`` files instead.

``python -m kiosk.ui.i18n update`` re-extracts the strings from the QML and Python sources into
the ``.ts`` files (``pyside6-lupdate``); ``python -m kiosk.ui.i18n build DIR`` compiles them.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    Property,
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QObject,
    QTime,
    QTranslator,
    Signal,
    Slot,
)
from PySide6.QtQml import QQmlEngine

from kiosk.config import resources_dir

log = logging.getLogger("kiosk.ui")

LANGUAGES: tuple[str, ...] = ("en", "es")
DEFAULT_LANGUAGE = "en"
UI_DIR = Path(__file__).resolve().parent
QML_DIR = UI_DIR / "qml"

#: The locale used for numbers and dates in each language. Spanish uses the US Spanish
#: conventions (29,681; "31 de enero de 2017"), which match the campaign texts' own numbers.
_LOCALES: dict[str, QLocale] = {
    "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
    "es": QLocale(QLocale.Language.Spanish, QLocale.Country.UnitedStates),
}


def translations_dir() -> Path:
    """Where the ``.ts`` sources (and, in a bundle, prebuilt ``.qm`` files) live."""
    return resources_dir() / "translations"


def _tool(name: str) -> Path:
    import PySide6

    exe = Path(PySide6.__file__).resolve().parent / (name + (".exe" if os.name == "nt" else ""))
    return exe


def ensure_qm(out_dir: Path, ts_dir: Path | None = None) -> dict[str, Path]:
    """Return a compiled ``.qm`` file per language, building stale or missing ones.

    Args:
        out_dir: the cache folder for built files (created when needed).
        ts_dir: where the ``.ts`` sources are; the resources folder by default.

    Returns:
        Language -> ``.qm`` path, for the languages whose file could be found or built.
    """
    ts_dir = ts_dir or translations_dir()
    found: dict[str, Path] = {}
    for lang in LANGUAGES:
        ts = ts_dir / f"kiosk_{lang}.ts"
        prebuilt = ts_dir / f"kiosk_{lang}.qm"
        cached = out_dir / f"kiosk_{lang}.qm"
        if not ts.exists():
            if prebuilt.exists():
                found[lang] = prebuilt
            else:
                log.warning("no translation source for %s", lang)
            continue
        ts_mtime = ts.stat().st_mtime
        for candidate in (prebuilt, cached):
            if candidate.exists() and candidate.stat().st_mtime >= ts_mtime:
                found[lang] = candidate
                break
        else:
            if _lrelease(ts, cached):
                found[lang] = cached
    return found


def _lrelease(ts: Path, qm: Path) -> bool:
    exe = _tool("lrelease")
    if not exe.exists():
        log.warning("lrelease not found; the UI stays in English")
        return False
    qm.parent.mkdir(parents=True, exist_ok=True)
    tmp = qm.with_suffix(".qm.tmp")
    result = subprocess.run(
        [str(exe), "-silent", str(ts), "-qm", str(tmp)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not tmp.exists():
        log.warning("lrelease failed for %s: %s", ts.name, result.stderr.strip()[:300])
        return False
    os.replace(tmp, qm)
    return True


def source_files() -> list[Path]:
    """The QML and Python files whose strings are translated."""
    files = sorted(QML_DIR.rglob("*.qml"))
    files += sorted(p for p in UI_DIR.glob("*.py") if p.name != "__init__.py")
    return files


def update_ts(ts_dir: Path | None = None) -> None:
    """Re-extract the UI strings into ``kiosk_en.ts`` (plurals only) and ``kiosk_es.ts``."""
    ts_dir = ts_dir or translations_dir()
    exe = _tool("lupdate")
    sources = [str(p) for p in source_files()]
    common = ["-locations", "relative", "-no-obsolete", "-source-language", "en_US"]
    subprocess.run(
        [
            str(exe),
            *sources,
            *common,
            "-pluralonly",
            "-target-language",
            "en_US",
            "-ts",
            str(ts_dir / "kiosk_en.ts"),
        ],
        check=True,
    )
    subprocess.run(
        [str(exe), *sources, *common, "-target-language", "es", "-ts", str(ts_dir / "kiosk_es.ts")],
        check=True,
    )


class I18n(QObject):
    """The UI language: switches translators at run time and formats numbers and dates.

    Args:
        engine: the QML engine to retranslate on a switch.
        qm_files: language -> compiled translation file (from :func:`ensure_qm`).
    """

    languageChanged = Signal()

    def __init__(
        self,
        engine: QQmlEngine | None,
        qm_files: dict[str, Path],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self._qm_files = qm_files
        self._translators: dict[str, QTranslator] = {}
        self._installed: QTranslator | None = None
        self._language = ""
        self.set_language(DEFAULT_LANGUAGE)

    def set_engine(self, engine: QQmlEngine) -> None:
        """Attach the engine that must be retranslated on a switch."""
        self._engine = engine

    def _translator(self, lang: str) -> QTranslator | None:
        if lang in self._translators:
            return self._translators[lang]
        path = self._qm_files.get(lang)
        if path is None:
            return None
        tr = QTranslator(self)
        if not tr.load(str(path)):
            log.warning("cannot load translation %s", path.name)
            return None
        self._translators[lang] = tr
        return tr

    def _get_language(self) -> str:
        return self._language

    @Slot(str)
    def setLanguage(self, lang: str) -> None:  # noqa: N802 - Qt naming for QML
        """Switch the UI language (``"en"`` or ``"es"``)."""
        self.set_language(lang)

    def set_language(self, lang: str) -> None:
        """Switch the UI language; unknown languages fall back to English."""
        if lang not in LANGUAGES:
            lang = DEFAULT_LANGUAGE
        if lang == self._language:
            return
        app = QCoreApplication.instance()
        if app is not None:
            if self._installed is not None:
                QCoreApplication.removeTranslator(self._installed)
                self._installed = None
            tr = self._translator(lang)
            if tr is not None:
                QCoreApplication.installTranslator(tr)
                self._installed = tr
        self._language = lang
        if self._engine is not None:
            self._engine.retranslate()
        self.languageChanged.emit()

    language = Property(str, _get_language, setLanguage, notify=languageChanged)

    @Slot(str, str, str, int, result=str)
    def message(self, language: str, kind: str, code: str, n: int = 0) -> str:
        """A staff screen's problem, worded by :func:`kiosk.ui.messages.staff_message`.

        QML never words an error code itself; it asks here, passing ``language`` (this
        object's :attr:`language`), so the binding depends on it and re-words on a switch.

        Args:
            language: the language the binding read (the sentence is in the current one).
            kind: ``save``, ``print``, ``export``, ``unlock``, ``event``, ``setup``, ``pin``,
                ``sync``.
            code: the view-model's code ("" for none: the answer is "").
            n: the count of a plural message.
        """
        from kiosk.ui.messages import staff_message

        return staff_message(kind, code, n)

    def close(self) -> None:
        """Remove this UI's translator from the application (its window is closing; another
        UI built in the same process, as tests do, starts in the default language)."""
        if self._installed is not None:
            QCoreApplication.removeTranslator(self._installed)
            self._installed = None

    @property
    def locale(self) -> QLocale:
        """The locale for numbers and dates in the current language."""
        return _LOCALES[self._language]

    @Slot(int, result=str)
    def number(self, value: int) -> str:
        """A whole number with the language's grouping (``29,681``)."""
        return self.locale.toString(int(value))

    def long_date(self, date: QDate) -> str:
        """A date written out (``January 31, 2017`` / ``31 de enero de 2017``)."""
        fmt = "MMMM d, yyyy" if self._language == "en" else "d 'de' MMMM 'de' yyyy"
        return self.locale.toString(date, fmt)

    def time(self, t: QTime) -> str:
        """A time of day (``3:10 PM`` / ``3:10 p.m.``)."""
        return self.locale.toString(t, QLocale.FormatType.ShortFormat)

    def date_time(self, moment: QDateTime) -> str:
        """A date and a time, short, with the month in letters (``Dec 5, 2026, 3:10 PM`` /
        ``5 dic 2026, 3:10 p.m.``): the locale's short form wrote 5/12/2026 in Spanish, which
        a volunteer used to U.S. forms reads as May 12."""
        fmt = "MMM d, yyyy" if self._language == "en" else "d MMM yyyy"
        return f"{self.locale.toString(moment.date(), fmt)}, {self.time(moment.time())}"


def fill_translations(pairs: dict[str, list[str]], ts_dir: Path | None = None) -> list[str]:
    """Re-extract the strings, then write Spanish translations into ``kiosk_es.ts``.

    Args:
        pairs: English source -> its Spanish translation (two forms for a ``%n`` plural:
            singular, plural). The English plural forms are made from the source.
        ts_dir: the translations folder (default: the repository's).

    Returns:
        The sources of ``pairs`` not found in the files (a typo, or a string since removed).

    The update and the writing happen under a lock, so two people filling translations at
    the same time do not overwrite each other.
    """
    import fcntl
    import re
    import xml.etree.ElementTree as ET

    ts_dir = ts_dir or translations_dir()
    with open(ts_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        update_ts(ts_dir)
        missing = set(pairs)
        for name in ("kiosk_en.ts", "kiosk_es.ts"):
            path = ts_dir / name
            tree = ET.parse(path)
            for message in tree.getroot().iter("message"):
                source = message.findtext("source") or ""
                tr = message.find("translation")
                if tr is None:
                    continue
                if name == "kiosk_en.ts":  # plurals only: "%n record(s)" -> record / records
                    if message.get("numerus") == "yes" and tr.get("type") == "unfinished":
                        one = re.sub(r"\((e?s)\)", "", source)
                        many = re.sub(r"\((e?s)\)", r"\1", source)
                        _set_forms(tr, [one, many])
                    continue
                if source not in pairs:
                    continue
                missing.discard(source)
                forms = pairs[source]
                if message.get("numerus") == "yes":
                    _set_forms(tr, forms if len(forms) == 2 else [forms[0], forms[0]])
                else:
                    for child in list(tr):
                        tr.remove(child)
                    tr.text = forms[0]
                    tr.attrib.pop("type", None)
            tree.write(path, encoding="utf-8", xml_declaration=True)
        update_ts(ts_dir)  # back to lupdate's own layout, so diffs stay small
    return sorted(missing)


def _set_forms(tr: Any, forms: list[str]) -> None:
    import xml.etree.ElementTree as ET

    for child in list(tr):
        tr.remove(child)
    tr.text = None
    tr.attrib.pop("type", None)
    for form in forms:
        ET.SubElement(tr, "numerusform").text = form


def read_pairs(path: Path) -> dict[str, list[str]]:
    """A tab-separated file: ``English<TAB>Spanish[<TAB>Spanish plural]`` a line.

    Raises:
        ValueError: a line has no translation (no tab, or an empty one).
    """
    pairs: dict[str, list[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        source, *forms = line.split("\t")
        if not forms or not all(f.strip() for f in forms):
            raise ValueError(f"{path}:{number}: no translation after a tab")
        pairs[source] = forms
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m kiosk.ui.i18n update|fill TSV|build DIR``."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.ui.i18n", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("update", help="re-extract strings into resources/translations/*.ts")
    f = sub.add_parser(
        "fill",
        help="update, then write Spanish translations from a TSV file "
        "(English<TAB>Spanish[<TAB>Spanish plural] a line)",
    )
    f.add_argument("tsv", type=Path)
    b = sub.add_parser("build", help="compile the .ts files into .qm files")
    b.add_argument("out", type=Path, help="output folder")
    args = parser.parse_args(argv)
    if args.cmd == "update":
        update_ts()
        return 0
    if args.cmd == "fill":
        try:
            pairs = read_pairs(args.tsv)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            print(f"python -m kiosk.ui.i18n fill: error: {exc}", file=sys.stderr)
            return 2
        missing = fill_translations(pairs)
        for source in missing:
            print(f"not in the sources: {source!r}", file=sys.stderr)
        return 1 if missing else 0
    built = ensure_qm(args.out)
    for lang, path in sorted(built.items()):
        print(f"{lang}: {path}")
    return 0 if len(built) == len(LANGUAGES) else 1


if __name__ == "__main__":
    sys.exit(main())
