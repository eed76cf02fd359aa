"""Writing files so that a crash, a power cut or a pulled USB stick never leaves half of one.

Every file the kiosk writes whole (keys, the sync token, the audit anchor, campaign files,
exported lists and packets) goes through :func:`atomic_write`: the bytes go to a temporary
file in the same folder, which is flushed and synced to disk, then renamed over the final name
(a rename within one folder is atomic), then the folder itself is synced so the rename survives
a power cut. Whoever reads the final name sees the old file or the new one, never a mix, and a
crash before the rename leaves the old file as it was.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

#: ``fsync`` on a folder fails with these on file systems that cannot sync one (some FUSE and
#: network mounts); the rename itself is still atomic there.
_DIR_SYNC_UNSUPPORTED = frozenset(
    {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF, errno.EISDIR}
)


def fsync_dir(folder: Path) -> None:
    """Sync a folder's entries (a rename or a deletion in it) to disk.

    Raises:
        OSError: the folder cannot be opened or synced (other than "not supported here").
    """
    if os.name == "nt":  # Windows cannot open a folder as a file; NTFS journals renames
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _DIR_SYNC_UNSUPPORTED:
            raise
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably; the file is private (0600).

    The folder is created if missing. On any failure the temporary file is removed and the
    old file (if any) is left untouched.

    Args:
        path: the final name.
        data: the whole content.

    Raises:
        OSError: the folder cannot be written (full, read-only, removed...).
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(folder)
