"""Where exports are saved: removable media first, then the exports folder.

The export-side choices: the exports folder (a setting, else ``KIOSK_EXPORT_DIR``, else the
default), the list of destinations a screen offers, and wording why saving failed as a code the
screen translates. Finding mounted sticks is the USB adapter's (:mod:`kiosk.adapters.usb`, the
:class:`kiosk.domain.ports.DriveFinder` port the exports service is given);
files are written with the one atomic-write helper (:func:`kiosk.adapters.files.atomic_write`).
"""

from __future__ import annotations

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
