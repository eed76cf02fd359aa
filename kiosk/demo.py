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

from typing import Any

from kiosk.domain.demo import (  # noqa: F401 - the marks are part of demo mode's API
    DEMO_MARK,
    SETTING_DEMO,
    TEST_DATA_MARK,
    export_marks,
    is_demo,
    mark_csv,
)

#: The staff PIN and the coordinator passphrase of every demo kiosk (printed in the README).
DEMO_PIN = "2468"
DEMO_PASSPHRASE = "demo passphrase"


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
    gate = PinGate(store, kiosk.pins)
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
