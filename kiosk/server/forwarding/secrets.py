"""The server's forwarding secret and the credentials sealed with it.

A destination's URL and credential (an OSDI API token, a webhook signing secret) are never kept
in a plain database column: they are sealed (XSalsa20-Poly1305, PyNaCl ``SecretBox``) under a key
derived from a 32-byte secret in a file outside the database, ``forwarding.secret`` in the
server's data directory or the file ``KIOSK_FORWARD_SECRET_FILE`` names (mode 0600, made on the
first ``kiosk-server forward add``). A copy of the database alone therefore holds no usable
credential. Every sealed value records the secret's fingerprint, so a wrong file is named as
such rather than failing as "corrupt".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.secret
import nacl.utils

from kiosk.adapters.files import atomic_write

ENV_SECRET_FILE = "KIOSK_FORWARD_SECRET_FILE"
SECRET_FILE_NAME = "forwarding.secret"
SECRET_BYTES = 32


class SecretError(Exception):
    """The forwarding secret is missing, unreadable, too open, or not the one that sealed."""


def secret_path(data_dir: Path | None, environ: dict[str, str] | None = None) -> Path:
    """Where the forwarding secret lives: ``$KIOSK_FORWARD_SECRET_FILE``, else the data dir's.

    Raises:
        SecretError: neither is known (PostgreSQL without a data directory).
    """
    env = os.environ if environ is None else environ
    named = env.get(ENV_SECRET_FILE)
    if named:
        return Path(named).expanduser()
    if data_dir is None:
        raise SecretError(
            f"no forwarding secret file: set {ENV_SECRET_FILE} (or give --data-dir) so the "
            "server can seal destination credentials"
        )
    return data_dir / SECRET_FILE_NAME


def _create(path: Path) -> None:
    """Make the secret file atomically, private from its first byte, and never over another's.

    The 64 hex digits are written by :func:`~kiosk.adapters.files.atomic_write` without
    overwriting (a synced 0600 temporary file hard-linked to the final name, then the folder
    synced): the link fails if another process made the file meanwhile (its secret wins, and
    this one is dropped), and a reader never sees half a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = nacl.utils.random(SECRET_BYTES).hex().encode("ascii") + b"\n"
    # Made a moment ago by another process: its secret is the one.
    with contextlib.suppress(FileExistsError):
        atomic_write(path, secret, 0o600, overwrite=False)


def _check_private(path: Path) -> None:
    info = path.stat()
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise SecretError(
            f"{path} is readable by other users (mode {stat.S_IMODE(info.st_mode):o}): "
            f"chmod 600 {path}"
        )


class ForwardingSecret:
    """The 32-byte forwarding secret, able to seal and open credentials."""

    def __init__(self, raw: bytes) -> None:
        if len(raw) != SECRET_BYTES:
            raise SecretError(f"a forwarding secret is {SECRET_BYTES} bytes, not {len(raw)}")
        key = hashlib.blake2b(raw, digest_size=32, person=b"kiosk-fwd-cred").digest()
        self._box = nacl.secret.SecretBox(key)
        self.fingerprint = hashlib.blake2b(raw, digest_size=6, person=b"kiosk-fwd-id").hexdigest()

    @classmethod
    def load(cls, path: Path, create: bool = False) -> ForwardingSecret:
        """Read the secret file (made with mode 0600 when ``create`` and missing).

        Raises:
            SecretError: missing (and not ``create``), unreadable, too open, or malformed.
        """
        if create and not path.exists():
            try:
                _create(path)
            except OSError as exc:
                raise SecretError(f"cannot make the forwarding secret {path}: {exc}") from None
        try:
            _check_private(path)
            text = path.read_text("ascii").strip()
        except FileNotFoundError:
            raise SecretError(
                f"the forwarding secret {path} does not exist (it is made by the first "
                "`kiosk-server forward add`; restore it from the backup if it was lost)"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SecretError(f"cannot read the forwarding secret {path}: {exc}") from None
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise SecretError(f"{path} is not a forwarding secret (64 hex digits)") from None
        return cls(raw)

    def seal(self, value: dict[str, Any]) -> bytes:
        """Seal a JSON-safe dict (URL and credential)."""
        data = json.dumps(value, separators=(",", ":")).encode("utf-8")
        return bytes(self._box.encrypt(data))

    def open(self, sealed: bytes, secret_id: str) -> dict[str, Any]:
        """Open what :meth:`seal` made.

        Raises:
            SecretError: sealed with another secret, or damaged.
        """
        if secret_id != self.fingerprint:
            raise SecretError(
                f"this destination was sealed with another forwarding secret ({secret_id}, this "
                f"one is {self.fingerprint}): restore that secret file, or add the destination "
                "again"
            )
        try:
            value = json.loads(self._box.decrypt(bytes(sealed)))
        except (nacl.exceptions.CryptoError, ValueError):
            raise SecretError("a destination's sealed credentials are damaged") from None
        if not isinstance(value, dict):
            raise SecretError("a destination's sealed credentials are damaged")
        return value
