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

from pathlib import Path

import platformdirs

#: The staff PIN and the coordinator passphrase of every demo kiosk (printed in the README).
DEMO_PIN = "2468"
DEMO_PASSPHRASE = "demo passphrase"

#: The store setting that marks a kiosk as a demo for good ("1").
SETTING_DEMO = "demo"

#: The line stamped on every page (and at the top of every CSV) a demo kiosk exports.
DEMO_MARK = "DEMO: not real signatures · DEMO: no son firmas reales"
#: The line stamped on every page (and CSV) that holds synthetic signatures.
TEST_DATA_MARK = "TEST DATA, not signatures · DATOS DE PRUEBA, no son firmas"


def demo_data_dir() -> Path:
    """The demo kiosk's own data folder (``~/.local/share/petition-kiosk-demo`` on Linux)."""
    return Path(platformdirs.user_data_dir("petition-kiosk-demo", appauthor=False))


def is_demo(store: object) -> bool:
    """Whether the kiosk over ``store`` is a demo kiosk."""
    getter = getattr(store, "get_setting", None)
    return getter is not None and getter(SETTING_DEMO) == "1"


def export_marks(demo: bool, synthetic: bool) -> tuple[str, ...]:
    """The marks an export must carry on every page: DEMO, TEST DATA, both or none."""
    return ((DEMO_MARK,) if demo else ()) + ((TEST_DATA_MARK,) if synthetic else ())
