"""Shared test set-up: headless Qt, and no test ever touches the user's real data directory."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
os.environ.pop("KIOSK_DATA_DIR", None)
# Two known, harmless messages of Qt's own modules (as kiosk.ui.main.configure_qt sets them):
# any other Qt warning fails a test (qt_log_level_fail in pyproject.toml).
os.environ["QT_LOGGING_RULES"] = ";".join(
    filter(
        None,
        [
            "qt.multimedia.symbolsresolver.warning=false",
            "qt.qml.propertyCache.append.warning=false",
            os.environ.get("QT_LOGGING_RULES", ""),
        ],
    )
)
