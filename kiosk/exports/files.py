"""Where exports are saved: removable media first, then the exports folder.

The export-side choices: the exports folder (a setting, else ``KIOSK_EXPORT_DIR``, else the
default), the list of destinations a screen offers, wording why saving failed as a code the
screen translates, and where a command line's ``--out`` sends an export (:func:`out_target`).
Finding mounted sticks is the USB adapter's (:mod:`kiosk.adapters.usb`, the
:class:`kiosk.domain.ports.DriveFinder` port the exports service is given); files are written
with the one atomic-write helper (:func:`kiosk.adapters.files.atomic_write`).
"""

from __future__ import annotations

import logging
import os
import re
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.config import default_export_dir
from kiosk.domain.ports import Destination, SettingsStore

log = logging.getLogger("kiosk.exports")

#: The store setting naming the exports folder (else ``KIOSK_EXPORT_DIR``, else the default).
SETTING_EXPORT_DIR = "export_dir"

#: How long an export saved into the exports folder (on the tablet's own disk) is kept: its
#: signers' names, ZIP codes and contacts are in clear there, for whoever finds a lost tablet.
#: A USB stick leaves with the coordinator and is never touched.
KEEP_SAVED_EXPORTS = timedelta(hours=24)

#: The names the kiosk gives the exports it saves into a folder (:func:`kiosk.exports.make.
#: export_stem`, ``-2``..., a packet's name), and the temporary files of an atomic write of one
#: that a power cut left: only these are ever deleted from the exports folder.
_SAVED_EXPORT = re.compile(
    r"\.?[a-z0-9][a-z0-9-]*-(?:packet|contacts)-\d{4}-\d{2}-\d{2}(?:-[a-z0-9-]+)?\.(?:pdf|csv)"
    r"(?:\.[A-Za-z0-9_]+\.tmp)?"
)


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


def expire_saved_exports(
    store: SettingsStore | None, now: datetime, keep: timedelta | None = KEEP_SAVED_EXPORTS
) -> int:
    """Delete the exports the kiosk saved into its exports folder (:func:`export_folder`) more
    than ``keep`` ago, or all of them when ``keep`` is None (staff's "Delete now"); return how
    many files went.

    Only files named as the kiosk names its exports (and their temporary files) are deleted,
    never a subfolder, a link or anything else kept there; a file that cannot be deleted is
    logged and left (the next pass tries again).
    """
    folder = export_folder(store)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0  # no exports folder (nothing was saved), or not readable
    cutoff = (now - keep).timestamp() if keep is not None else None
    deleted = 0
    for entry in entries:
        if not _SAVED_EXPORT.fullmatch(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if cutoff is not None and entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                continue
            os.unlink(entry.path)
            deleted += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("could not delete an old export in %s: %s", folder, exc.strerror)
    if deleted:
        log.info("deleted %d saved export file(s) from %s", deleted, folder)
    return deleted


def expires_on_tablet(path: Path, store: SettingsStore | None) -> bool:
    """Whether ``path`` is an export saved into the exports folder that
    :func:`expire_saved_exports` deletes after :data:`KEEP_SAVED_EXPORTS` (what ``kiosk
    export`` then says)."""
    try:
        here = path.parent.resolve() == export_folder(store).resolve()
    except OSError:
        return False
    return here and _SAVED_EXPORT.fullmatch(path.name) is not None


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
