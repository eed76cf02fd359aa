"""Where things live: the data directory and the bundled resources.

The data directory comes from ``--data-dir``, else ``KIOSK_DATA_DIR``, else the platform's user
data folder (``platformdirs``: ``~/.local/share/petition-kiosk`` on Linux). Resources (campaign
files, translations, fonts, icons) are read from the package's ``resources/`` folder, or from
the bundle when frozen by PyInstaller, or from ``KIOSK_RESOURCES``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "petition-kiosk"
DB_FILE = "kiosk.db"


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory (not created)."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get("KIOSK_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resources_dir() -> Path:
    """Return the folder holding ``campaigns/``, ``translations/``, ``fonts/`` and ``icons/``."""
    env = os.environ.get("KIOSK_RESOURCES")
    if env:
        return Path(env)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
