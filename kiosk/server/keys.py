"""The organization's key pair on the server: making it, checking the public key, opening data.

Kiosks seal each signer's personal data to the organization's X25519 public key
(:mod:`kiosk.adapters.crypto`). The server stores the sealed blobs and never needs the private
key to receive them. It opens them only where it must (coordinator exports and unique-signer
counts), with private key files named on the command line or in ``KIOSK_ORG_PRIVATE_KEY_FILE``
— never from the database.

A private key file is either the passphrase-encrypted JSON
:func:`kiosk.adapters.crypto.encrypt_private_key` makes (passphrase from the file named by
``KIOSK_ORG_KEY_PASSPHRASE_FILE``, else ``KIOSK_ORG_KEY_PASSPHRASE``: :func:`key_passphrase`)
or, discouraged, the raw key in base64. Several files may be given (key rotation): a sealed
blob is tried against each key in turn.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

from kiosk.adapters.crypto import (
    CryptoError,
    SealedBoxOpener,
    decrypt_private_key,
    encrypt_private_key,
    generate_keypair,
    secret_decrypt,
    secret_encrypt,
)
from kiosk.adapters.files import atomic_write

ENV_KEY_PASSPHRASE = "KIOSK_ORG_KEY_PASSPHRASE"
#: A file whose first line is the passphrase (a systemd credential, say): preferred to
#: :data:`ENV_KEY_PASSPHRASE`, and refused when group or others may read it.
ENV_KEY_PASSPHRASE_FILE = "KIOSK_ORG_KEY_PASSPHRASE_FILE"
KEY_BYTES = 32
#: What the key of console export files (:meth:`KeyRing.seal_export`) is derived for.
_EXPORT_LABEL = b"petition-kiosk console export v1"


class KeyConfigError(Exception):
    """A key setting is malformed, a key file is missing or cannot be unlocked."""


def parse_public_key(value: str) -> bytes:
    """Decode and check a base64 X25519 public key.

    Args:
        value: the key as given (``--org-public-key`` / ``KIOSK_ORG_PUBLIC_KEY``).

    Raises:
        KeyConfigError: not base64, or not 32 bytes.
    """
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(
            "the organization public key is not valid base64 (expected the 44-character key "
            "printed by `kiosk-server keys generate`)"
        ) from None
    if len(raw) != KEY_BYTES:
        raise KeyConfigError(
            f"the organization public key is {len(raw)} bytes, a key is {KEY_BYTES} bytes "
            "(expected the key printed by `kiosk-server keys generate`)"
        )
    return raw


def write_new_keypair(out_private: Path, passphrase: str | None) -> bytes:
    """Make a key pair, write the private key file (mode 0600, never overwritten).

    The file is made atomically (:func:`kiosk.adapters.files.atomic_write`): written whole and
    synced under a temporary name, 0600 from its first byte, then linked to ``out_private``; a
    crash or a full disk leaves no key file, never half of one.

    Args:
        out_private: the private key file to create.
        passphrase: encrypt the private key under it (Argon2id); None writes it raw (base64).

    Returns:
        The public key.

    Raises:
        KeyConfigError: the file already exists.
        OSError: the folder cannot be written.
    """
    if out_private.exists():  # before the (slow, with a passphrase) key derivation
        raise _exists(out_private)
    public, private = generate_keypair()
    data = (
        encrypt_private_key(private, passphrase)
        if passphrase
        else base64.b64encode(private) + b"\n"
    )
    try:
        atomic_write(out_private, data, mode=0o600, overwrite=False)
    except FileExistsError:  # made meanwhile by someone else: theirs stays
        raise _exists(out_private) from None
    return public


def _exists(path: Path) -> KeyConfigError:
    return KeyConfigError(
        f"{path} already exists; a key file is never overwritten (it would make "
        "signatures sealed to it unreadable)"
    )


def key_passphrase(environ: Mapping[str, str] | None = None) -> str | None:
    """The passphrase of the organization's encrypted key files: the first line of the file
    named by ``KIOSK_ORG_KEY_PASSPHRASE_FILE`` (not readable by group or others), else
    ``KIOSK_ORG_KEY_PASSPHRASE``, else None.

    Raises:
        KeyConfigError: the file is missing, unreadable, empty or readable by other users.
    """
    env = os.environ if environ is None else environ
    named = env.get(ENV_KEY_PASSPHRASE_FILE)
    if not named:
        return env.get(ENV_KEY_PASSPHRASE) or None
    path = Path(named).expanduser()
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyConfigError(
                f"{path} is readable by other users (mode {mode:o}): chmod 600 {path}"
            )
        text = path.read_text("utf-8")
    except OSError as exc:
        raise KeyConfigError(
            f"cannot read {ENV_KEY_PASSPHRASE_FILE} {path}: {exc.strerror}"
        ) from None
    except UnicodeDecodeError:
        raise KeyConfigError(
            f"{path} is not text: it holds the passphrase on its first line"
        ) from None
    line = text.splitlines()[0] if text else ""
    if not line:
        raise KeyConfigError(f"{path} is empty: it holds the key's passphrase on its first line")
    return line


def load_private_key(path: Path, passphrase: str | None) -> bytes:
    """Read one private key file (encrypted JSON or raw base64).

    Raises:
        KeyConfigError: missing, malformed, or locked without (or with a wrong) passphrase.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyConfigError(f"cannot read private key file {path}: {exc.strerror}") from None
    stripped = data.strip()
    if stripped.startswith(b"{"):
        if not passphrase:
            raise KeyConfigError(
                f"{path} is encrypted: give its passphrase in {ENV_KEY_PASSPHRASE_FILE} (a file)"
                f" or {ENV_KEY_PASSPHRASE}"
            )
        try:
            return decrypt_private_key(stripped, passphrase)
        except CryptoError as exc:
            raise KeyConfigError(f"cannot unlock {path}: {exc}") from None
    try:
        raw = base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{path} is not a private key file") from None
    if len(raw) != KEY_BYTES:
        raise KeyConfigError(f"{path} is not a private key file (wrong length)")
    return raw


class KeyRing:
    """Opens sealed data with any of several private keys (current first, then older ones)."""

    def __init__(self, openers: Sequence[SealedBoxOpener]) -> None:
        if not openers:
            raise KeyConfigError("no private key given")
        self._openers = list(openers)

    @property
    def public_keys(self) -> list[bytes]:
        """The public keys matching the private keys, in order."""
        return [o.public_key for o in self._openers]

    @property
    def signer_key(self) -> bytes:
        """The key of the signer digests that count unique signers: derived from the *oldest*
        private key given (the last file), so adding a new current key changes nothing."""
        return self._openers[-1].derive(b"petition-kiosk signer digest v1")

    def seal_export(self, data: bytes) -> bytes:
        """Encrypt a console export's file for the database (``console_jobs.result``) with a
        key derived from the *current* private key: a copy of the database (a backup, a leaked
        dump) holds no signer in clear without the key file too."""
        return secret_encrypt(self._openers[0].derive(_EXPORT_LABEL), data)

    def open_export(self, data: bytes) -> bytes:
        """The file :meth:`seal_export` encrypted, with whichever configured key it was made by.

        Raises:
            CryptoError: no configured key made it (the keys changed since), or it was altered.
        """
        for opener in self._openers:
            try:
                return secret_decrypt(opener.derive(_EXPORT_LABEL), data)
            except CryptoError:
                continue
        raise CryptoError("the export's file was not made with any configured key")

    def open(self, sealed: bytes) -> bytes:
        """Open a sealed box with the first key that fits.

        Raises:
            CryptoError: no key opens it.
        """
        for opener in self._openers:
            try:
                return opener.open(sealed)
            except CryptoError:
                continue
        raise CryptoError("sealed data cannot be opened with any configured key")


def load_keyring(paths: Sequence[str | Path], passphrase: str | None) -> KeyRing | None:
    """Load every private key file into a :class:`KeyRing` (None when no file is given).

    Args:
        paths: private key files, the current key first.
        passphrase: the passphrase of the encrypted files (one for all).

    Raises:
        KeyConfigError: a file cannot be loaded.
    """
    if not paths:
        return None
    openers = []
    for p in paths:
        try:
            openers.append(SealedBoxOpener(load_private_key(Path(p), passphrase)))
        except CryptoError as exc:
            raise KeyConfigError(f"{p}: {exc}") from None
    return KeyRing(openers)


def split_paths(value: str | None) -> tuple[str, ...]:
    """Split a comma-separated list of files (``KIOSK_ORG_PRIVATE_KEY_FILE``)."""
    if not value:
        return ()
    return tuple(p.strip() for p in value.split(",") if p.strip())
