"""Where exports are saved: removable media first, then the exports folder.

The export-side choices: the exports folder (a setting, else ``KIOSK_EXPORT_DIR``, else the
default), the list of destinations a screen offers, wording why saving failed as a code the
screen translates, and where a command line's ``--out`` sends an export (:func:`out_target`).
Finding mounted sticks is the USB adapter's (:mod:`kiosk.adapters.usb`, the
:class:`kiosk.domain.ports.DriveFinder` port the exports service is given); files are written
with the one atomic-write helper (:func:`kiosk.adapters.files.atomic_write`).
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.config import default_export_dir
from kiosk.domain.ports import Destination, SettingsStore

#: The store setting naming the exports folder (else ``KIOSK_EXPORT_DIR``, else the default).
SETTING_EXPORT_DIR = "export_dir"


def export_folder(store: SettingsStore | None = None) -> Path:
    """The exports folder: the ``export_dir`` setting, else ``KIOSK_EXPORT_DIR``, else
    ``~/PetitionKiosk-exports`` (outside the kiosk's data folder)."""
    chosen = store.get_setting(SETTING_EXPORT_DIR) if store is not None else None
    return Path(chosen).expanduser() if chosen else default_export_dir()


def destinations(store: SettingsStore | None, media: list[Destination]) -> list[Destination]:
    """The removable ``media`` found (:class:`kiosk.domain.ports.DriveFinder`) first, then the
    exports folder."""
    folder = export_folder(store)
    return [*media, Destination("folder", folder, str(folder))]


def save_error_code(exc: BaseException) -> str:
    """Why saving failed, as a code the screen words: ``full``, ``read_only``, ``gone``,
    ``failed``."""
    import errno

    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "full"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "read_only"
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO, errno.ENOTDIR, errno.ESTALE):
        return "gone"
    return "failed"


class OutPathError(ValueError):
    """``--out`` names a place an export cannot go (the message says why, for a person)."""


def out_target(given: str) -> tuple[Path, bool]:
    """Where an export given ``--out GIVEN`` goes, checked before anything is made.

    A folder (one that exists, or any path ending in ``/``) takes the files under the names
    they get without ``--out``: ``(folder, True)``. Anything else names the file:
    ``(file, False)``. A missing folder is never created: personal data goes only where the
    coordinator chose, not into a folder a typo made.

    Args:
        given: the path as typed.

    Raises:
        OutPathError: the folder (given, or the file's) does not exist or is not a folder.
    """
    path = Path(given)
    if given.endswith(("/", os.sep)) or path.is_dir():
        _check_folder(path)
        return path, True
    _check_folder(path.parent)
    return path, False


def _check_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    if folder.exists():
        raise OutPathError(f"{folder} is not a folder: give a file name in a folder, or a folder")
    raise OutPathError(f"folder {folder} does not exist: make it first, or give another --out")
