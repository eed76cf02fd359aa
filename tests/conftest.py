"""Shared test set-up: headless Qt, and no test ever touches the user's real data directory."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
os.environ.pop("KIOSK_DATA_DIR", None)
