"""What marks a demo kiosk and test data, for every part that must say so.

A demo kiosk (``kiosk --demo``, :mod:`kiosk.demo`) is marked in its settings for good; every page
and CSV it exports carries the DEMO line, and every export holding synthetic signatures
(``kiosk simulate``) the TEST DATA line. The kiosk's exports, its sync and the server all read
these from here.
"""

from __future__ import annotations

import csv
import io

from kiosk.domain.ports import SettingsStore

#: The store setting that marks a kiosk as a demo for good ("1").
SETTING_DEMO = "demo"

#: The line stamped on every page (and at the top of every CSV) a demo kiosk exports.
DEMO_MARK = "DEMO: not real signatures · DEMO: no son firmas reales"
#: The line stamped on every page (and CSV) that holds synthetic signatures.
TEST_DATA_MARK = "TEST DATA, not signatures · DATOS DE PRUEBA, no son firmas"


def is_demo(settings: SettingsStore) -> bool:
    """Whether the kiosk with these settings is a demo kiosk."""
    return settings.get_setting(SETTING_DEMO) == "1"


def export_marks(demo: bool, synthetic: bool) -> tuple[str, ...]:
    """The marks an export must carry on every page: DEMO, TEST DATA, both or none."""
    return ((DEMO_MARK,) if demo else ()) + ((TEST_DATA_MARK,) if synthetic else ())


def mark_csv(data: bytes, marks: tuple[str, ...]) -> bytes:
    """A CSV export (UTF-8) with each mark on a line of its own before the header row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for mark in marks:
        writer.writerow([mark])
    return buf.getvalue().encode("utf-8") + data
