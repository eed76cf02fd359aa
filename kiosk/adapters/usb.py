"""Removable media (USB sticks): finding the ones mounted, as places to save exports.

This module is the :class:`kiosk.domain.ports.DriveFinder` the composition root hands the
exports service; :class:`Destination` is the port's, re-exported here. No Qt and no store: the
exports (:mod:`kiosk.exports.files`) add the exports folder after these and word why saving
failed; writing goes through :func:`kiosk.adapters.files.atomic_write`, so a pulled stick never
holds half a packet under its final name.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from kiosk.domain.ports import Destination as Destination

#: Where removable media get mounted (udisks: /media/USER/LABEL or /run/media/USER/LABEL;
#: usbmount and hand mounts: /media/usb0, /mnt/stick). Keep in step with ``UiConfig``.
MEDIA_GLOBS = ("/media/*/*", "/run/media/*/*", "/mnt/*", "/media/*")


def removable_media(globs: tuple[str, ...] = MEDIA_GLOBS) -> list[Destination]:
    """Mounted removable media: folders under the usual mount roots, sorted by name.

    ``/media/*/*`` and ``/run/media/*/*`` exist only while something is mounted there (udisks
    makes and removes them); ``/mnt/*`` and ``/media/*`` count only when they are mount points.
    """
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
