"""Demo mode (``kiosk --demo``): a kiosk to try out, which can never pass for a real one.

A demo kiosk has its own data folder (``petition-kiosk-demo`` beside the real one), is set up
on first start with the published demo PIN and passphrase (README), and is marked demo in its
store for good: every staff screen and every exported page says DEMO, and it tells the server
so when it enrolls and at every push. A server refuses a demo kiosk unless it runs in demo mode
too (``kiosk-server serve --demo``), and a demo server refuses real kiosks: demo data (sealed to
a key whose passphrase is public) never lands in a real campaign, and real data never lands on
a server that anyone with the demo passphrase could read.
"""

from __future__ import annotations

import os
from typing import Any

from kiosk.config import demo_data_dir
from kiosk.domain.ports import SettingsStore

#: The staff PIN and the coordinator passphrase of every demo kiosk (printed in the README).
DEMO_PIN = "2468"
DEMO_PASSPHRASE = "demo passphrase"

#: The store setting that marks a kiosk as a demo for good ("1").
SETTING_DEMO = "demo"

#: The line stamped on every page (and at the top of every CSV) a demo kiosk exports.
DEMO_MARK = "DEMO: not real signatures · DEMO: no son firmas reales"
#: The line stamped on every page (and CSV) that holds synthetic signatures.
TEST_DATA_MARK = "TEST DATA, not signatures · DATOS DE PRUEBA, no son firmas"


def is_demo(store: SettingsStore) -> bool:
    """Whether the kiosk over ``store`` is a demo kiosk."""
    return store.get_setting(SETTING_DEMO) == "1"


def export_marks(demo: bool, synthetic: bool) -> tuple[str, ...]:
    """The marks an export must carry on every page: DEMO, TEST DATA, both or none."""
    return ((DEMO_MARK,) if demo else ()) + ((TEST_DATA_MARK,) if synthetic else ())


def mark_csv(data: bytes, marks: tuple[str, ...]) -> bytes:
    """A CSV export (UTF-8) with each mark on a line of its own before the header row."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for mark in marks:
        writer.writerow([mark])
    return buf.getvalue().encode("utf-8") + data


class NotADemoFolder(Exception):
    """``--demo`` was pointed at a real kiosk's data folder."""


def prepare_demo(kiosk: Any) -> None:
    """Make the kiosk over a new (or demo) data folder a demo kiosk: mark it for good, then give
    it the demo organization key and staff PIN, so it opens on the attract screen at once.

    Each step is done only when missing, so an interrupted first start finishes on the next.

    Raises:
        NotADemoFolder: the folder holds a real kiosk (a PIN, a key, signatures or a server).
    """
    from kiosk.domain.audit import AuditAction
    from kiosk.services.pin import PinGate

    store = kiosk.store
    gate = PinGate(store)
    if not is_demo(store):
        used = (
            gate.has_pin()
            or kiosk.keys.has_public_key()
            or store.counts().total > 0
            or store.counts().voided > 0
        )
        if used:
            raise NotADemoFolder(
                f"{kiosk.data_dir} is a real kiosk's data folder: demo mode keeps its own "
                f"(leave out --data-dir, or give an empty folder)"
            )
        store.set_setting(SETTING_DEMO, "1")
        kiosk.auditor.record(AuditAction.SETTINGS_CHANGED, setting="demo", value="1")
    if not kiosk.keys.has_public_key():
        kiosk.keys.init(DEMO_PASSPHRASE)
        kiosk.auditor.record(AuditAction.KEYS_CREATED, via="demo")
    if not gate.has_pin():
        gate.set_pin(DEMO_PIN)
        kiosk.auditor.record(AuditAction.PIN_SET, via="demo")


def open_demo_kiosk(data_dir: str | os.PathLike[str] | None = None) -> Any:
    """Open the demo kiosk (``kiosk --demo``): its own data folder unless ``data_dir`` is given,
    set up on first use (:func:`prepare_demo`).

    Raises:
        NotADemoFolder: ``data_dir`` holds a real kiosk.
    """
    from kiosk.app import open_kiosk

    kiosk = open_kiosk(data_dir or demo_data_dir())
    try:
        prepare_demo(kiosk)
    except BaseException:
        kiosk.close()
        raise
    return kiosk
