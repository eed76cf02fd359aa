"""Where exports are saved: removable media (USB sticks) and the exports folder, atomically.

The files and USB adapter of the exports: finding mounted media, the exports folder, and
wording why saving failed as a code the screen translates. Files are written with the one
atomic-write helper (:func:`kiosk.files.atomic_write`), so a pulled stick never holds half a
packet under its final name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import default_export_dir
from kiosk.domain.ports import SettingsStore

#: The store setting naming the exports folder (else ``KIOSK_EXPORT_DIR``, else the default).
SETTING_EXPORT_DIR = "export_dir"
#: Where removable media get mounted (udisks: /media/USER/LABEL or /run/media/USER/LABEL;
#: usbmount and hand mounts: /media/usb0, /mnt/stick). Keep in step with ``UiConfig``.
MEDIA_GLOBS = ("/media/*/*", "/run/media/*/*", "/mnt/*", "/media/*")


@dataclass(frozen=True, slots=True)
class Destination:
    """A place to save exports.

    Attributes:
        kind: ``usb`` (removable media: must be there, never created) or ``folder`` (the
            exports folder: created when missing).
        path: the folder.
        label: what the screen shows (the stick's name, or the folder's path).
    """

    kind: str
    path: Path
    label: str


def export_folder(store: SettingsStore | None = None) -> Path:
    """The exports folder: the ``export_dir`` setting, else ``KIOSK_EXPORT_DIR``, else
    ``~/PetitionKiosk-exports`` (outside the kiosk's data folder)."""
    chosen = store.get_setting(SETTING_EXPORT_DIR) if store is not None else None
    return Path(chosen).expanduser() if chosen else default_export_dir()


def removable_media(globs: tuple[str, ...] = MEDIA_GLOBS) -> list[Destination]:
    """Mounted removable media: folders under the usual mount roots, sorted by name.

    ``/media/*/*`` and ``/run/media/*/*`` exist only while something is mounted there (udisks
    makes and removes them); ``/mnt/*`` and ``/media/*`` count only when they are mount points.
    """
    import glob

    found: dict[Path, Destination] = {}
    for pattern in globs:
        one_level = pattern.count("*") == 1 and pattern.startswith(("/mnt/", "/media/"))
        for name in sorted(glob.glob(pattern)):
            path = Path(name)
            if not path.is_dir() or path in found:
                continue
            if one_level and not os.path.ismount(path):
                continue
            if any(path in d.path.parents or d.path in path.parents for d in found.values()):
                continue
            found[path] = Destination("usb", path, path.name)
    return sorted(found.values(), key=lambda d: d.label.lower())


def destinations(
    store: SettingsStore | None = None, globs: tuple[str, ...] = MEDIA_GLOBS
) -> list[Destination]:
    """Removable media first, then the exports folder."""
    folder = export_folder(store)
    return [*removable_media(globs), Destination("folder", folder, str(folder))]


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
