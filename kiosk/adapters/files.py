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


#: The mode :func:`tempfile.mkstemp` creates its file with (documented: readable and writable
#: only by the creating user).
_MKSTEMP_MODE = 0o600


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


def atomic_write(path: Path, data: bytes, mode: int = 0o600, *, overwrite: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically and durably, private from the first byte.

    The bytes go to a new temporary file in the same folder, made with ``O_CREAT | O_EXCL`` and
    mode 0600 (:func:`tempfile.mkstemp`), so nobody else can read them while they are written
    whatever the umask; ``mode`` is set (``fchmod``) before the first byte when it differs. The
    file is synced, then takes the final name, then the folder is synced. The folder is created
    if missing. On any failure (or an interrupt) the temporary file is removed and the old
    file, if any, is left untouched: the final name never holds part of ``data``.

    Args:
        path: the final name.
        data: the whole content.
        mode: the file's permission bits (0600: only this user; key files stay at that).
        overwrite: replace an existing file (a rename). False: never replace one (a hard link,
            which fails if the name exists, also when another process made it meanwhile).

    Raises:
        FileExistsError: ``overwrite`` is False and ``path`` exists (nothing was changed).
        OSError: the folder cannot be written (full, read-only, removed...).
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode != _MKSTEMP_MODE:
                os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            tmp.unlink()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(folder)
