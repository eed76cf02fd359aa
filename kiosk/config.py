"""Where things live: the data directory and its layout, the exports folder, the resources.

The data directory comes from ``--data-dir``, else ``KIOSK_DATA_DIR``, else the platform's user
data folder (``platformdirs``: ``~/.local/share/petition-kiosk`` on Linux; the demo kiosk's is
``petition-kiosk-demo`` beside it). What goes where inside it is :class:`DataLayout`, the one
place that names those paths. Exports go to a folder outside it (:func:`default_export_dir`).
Logs go to standard error (the journal under systemd), never to a file in the data folder.
Resources (campaign files, translations, fonts, icons) are read from the package's
``resources/`` folder, or from the bundle when frozen by PyInstaller, or from
``KIOSK_RESOURCES``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "petition-kiosk"
DEMO_APP_NAME = "petition-kiosk-demo"
DB_FILE = "kiosk.db"
#: Overrides the exports folder (``~/PetitionKiosk-exports``).
ENV_EXPORT_DIR = "KIOSK_EXPORT_DIR"


@dataclass(frozen=True, slots=True)
class DataLayout:
    """What lives where inside one kiosk's data folder.

    Attributes:
        root: the data folder (private to the kiosk's user: 0700).
    """

    root: Path

    @property
    def store(self) -> Path:
        """The SQLite store (``kiosk.db``)."""
        return self.root / DB_FILE

    @property
    def store_files(self) -> tuple[Path, ...]:
        """The store and the files SQLite keeps beside it (WAL, shared memory)."""
        return (self.store, self.root / f"{DB_FILE}-wal", self.root / f"{DB_FILE}-shm")

    @property
    def keys(self) -> Path:
        """The key folder (:class:`kiosk.adapters.crypto.KeyFolder`): organization key, sealed
        secrets."""
        return self.root / "keys"

    @property
    def campaigns(self) -> Path:
        """Campaign files imported on this kiosk (override built-in ones of the same slug)."""
        return self.root / "campaigns"

    @property
    def server_campaigns(self) -> Path:
        """Campaign documents pulled from the sync server (override all others of the slug)."""
        return self.campaigns / "server"

    @property
    def translations_cache(self) -> Path:
        """Translations built from the ``.ts`` sources when no prebuilt ``.qm`` ships."""
        return self.root / "cache" / "translations"


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory (not created)."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get("KIOSK_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def demo_data_dir() -> Path:
    """The demo kiosk's own data folder (``~/.local/share/petition-kiosk-demo`` on Linux)."""
    return Path(platformdirs.user_data_dir(DEMO_APP_NAME, appauthor=False))


def default_export_dir() -> Path:
    """The exports folder unless staff chose one: ``KIOSK_EXPORT_DIR``, else
    ``~/PetitionKiosk-exports`` (outside the kiosk's data folder)."""
    chosen = os.environ.get(ENV_EXPORT_DIR)
    return Path(chosen).expanduser() if chosen else Path.home() / "PetitionKiosk-exports"


def resources_dir() -> Path:
    """Return the folder holding ``campaigns/``, ``translations/``, ``fonts/`` and ``icons/``."""
    env = os.environ.get("KIOSK_RESOURCES")
    if env:
        return Path(env)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    beside = Path(__file__).resolve().parent.parent / "resources"  # a checkout
    installed = Path(sys.prefix) / "share" / "petition-kiosk" / "resources"  # a wheel's
    return installed if not beside.is_dir() and installed.is_dir() else beside


class DataFolderError(Exception):
    """The data folder cannot be made or used (a file in its place, no permission, a path
    that cannot exist); the message names the folder and why, for a person."""


def make_data_folder(root: Path) -> None:
    """Make the data folder (private to this user) if it is missing.

    Raises:
        DataFolderError: it cannot be made or used.
    """
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        why = "it is a file, not a folder" if root.exists() else (exc.strerror or str(exc))
        raise DataFolderError(f"cannot use the data folder {root}: {why}") from None
    if not os.access(root, os.R_OK | os.W_OK | os.X_OK):
        raise DataFolderError(f"cannot use the data folder {root}: permission denied")
