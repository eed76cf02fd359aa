"""Sealing personal data to the organization's public key, and the keys that go with it.

The kiosk writes what it cannot read back: every signer's personal data is encrypted with a
sealed box (X25519 + XSalsa20-Poly1305, libsodium via PyNaCl) to the organization's public key
before it touches the disk. The private key, when it is on the kiosk at all, is stored encrypted
under a coordinator's passphrase (Argon2id key derivation), and held in memory only while
unlocked. PINs are hashed with Argon2id too.

The device's bearer token (what lets a kiosk push to its server) is kept out of the database, in
``keys/device-token.sealed`` (mode 0600), encrypted (XSalsa20-Poly1305) under a key derived from
a random device secret (``keys/device.secret``, 0600) and this machine's ``/etc/machine-id``.
What that protects against, honestly: a copy of ``kiosk.db`` alone, and a copy of the data
folder taken to another machine (a backup, a support bundle). It does not protect against
someone holding the whole disk (the secret and the machine id are on it too): the answer to a
stolen tablet is revoking it on the server (``kiosk-server devices revoke``), which takes
effect at once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.public
import nacl.pwhash
import nacl.secret
import nacl.signing
import nacl.utils

from kiosk.adapters.files import atomic_write
from kiosk.domain.errors import CryptoError as CryptoError

# OWASP: Argon2id with at least 19 MiB and t=2; passphrases get more memory (rarely derived).
PIN_OPSLIMIT = 2
PIN_MEMLIMIT = 19 * 1024 * 1024
KEY_OPSLIMIT = 3
KEY_MEMLIMIT = 64 * 1024 * 1024

DEVICE_SECRET_FILE = "device.secret"
DEVICE_TOKEN_FILE = "device-token.sealed"
AUDIT_KEY_FILE = "audit-key.sealed"
AUDIT_ANCHOR_FILE = "audit-anchor.json"
#: Where this machine's id is read (the first that exists); bound into the token's key.
MACHINE_ID_PATHS: tuple[str, ...] = ("/etc/machine-id", "/var/lib/dbus/machine-id")

PUBLIC_KEY_FILE = "org-public.key"
PRIVATE_KEY_FILE = "org-private.key.enc"


class WrongPassphrase(CryptoError):
    """The passphrase does not unlock the private key."""


class SealedBoxSealer:
    """Encrypts to a public key; cannot decrypt."""

    def __init__(self, public_key: bytes) -> None:
        try:
            self._box = nacl.public.SealedBox(nacl.public.PublicKey(public_key))
        except (nacl.exceptions.CryptoError, TypeError, ValueError) as exc:
            raise CryptoError(f"invalid public key: {exc}") from None

    def seal(self, plaintext: bytes) -> bytes:
        """Return the sealed box of ``plaintext`` (48 bytes longer)."""
        return bytes(self._box.encrypt(plaintext))


class SealedBoxOpener:
    """Decrypts sealed boxes with the private key (only while a coordinator has unlocked)."""

    def __init__(self, private_key: bytes) -> None:
        try:
            self._key = nacl.public.PrivateKey(private_key)
        except (nacl.exceptions.CryptoError, TypeError, ValueError) as exc:
            raise CryptoError(f"invalid private key: {exc}") from None
        self._box = nacl.public.SealedBox(self._key)

    @property
    def public_key(self) -> bytes:
        """The matching public key."""
        return bytes(self._key.public_key)

    def derive(self, label: bytes) -> bytes:
        """A 32-byte secret for ``label`` derived from the private key (BLAKE2b keyed by it):
        whoever lacks the private key cannot compute it."""
        return nacl.hash.blake2b(
            label, key=bytes(self._key), digest_size=32, encoder=nacl.encoding.RawEncoder
        )

    def open(self, sealed: bytes) -> bytes:
        """Return the plaintext of a sealed box.

        Raises:
            CryptoError: the data was not sealed to this key or was altered.
        """
        try:
            return bytes(self._box.decrypt(sealed))
        except nacl.exceptions.CryptoError:
            raise CryptoError("sealed data cannot be opened with this key") from None


def secret_encrypt(key: bytes, data: bytes) -> bytes:
    """``data`` encrypted and authenticated (XSalsa20-Poly1305, a random nonce) with a 32-byte
    ``key``."""
    return bytes(nacl.secret.SecretBox(key).encrypt(data))


def secret_decrypt(key: bytes, data: bytes) -> bytes:
    """What :func:`secret_encrypt` encrypted with ``key``.

    Raises:
        CryptoError: another key made it, or it was altered.
    """
    try:
        return bytes(nacl.secret.SecretBox(key).decrypt(data))
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        raise CryptoError("not encrypted with this key, or altered") from None


def generate_keypair() -> tuple[bytes, bytes]:
    """Return a new (public, private) X25519 key pair."""
    key = nacl.public.PrivateKey.generate()
    return bytes(key.public_key), bytes(key)


def encrypt_private_key(private_key: bytes, passphrase: str) -> bytes:
    """Encrypt a private key under a passphrase (Argon2id + XSalsa20-Poly1305), as JSON bytes."""
    if not passphrase:
        raise CryptoError("the passphrase must not be empty")
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    key = nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        passphrase.encode("utf-8"),
        salt,
        opslimit=KEY_OPSLIMIT,
        memlimit=KEY_MEMLIMIT,
    )
    box = nacl.secret.SecretBox(key)
    doc = {
        "kdf": "argon2id",
        "opslimit": KEY_OPSLIMIT,
        "memlimit": KEY_MEMLIMIT,
        "salt": base64.b64encode(salt).decode(),
        "box": base64.b64encode(bytes(box.encrypt(private_key))).decode(),
    }
    return json.dumps(doc).encode()


def decrypt_private_key(blob: bytes, passphrase: str) -> bytes:
    """Decrypt a private key made by :func:`encrypt_private_key`.

    Raises:
        WrongPassphrase: the passphrase is wrong.
        CryptoError: the file is malformed.
    """
    try:
        doc = json.loads(blob)
        salt = base64.b64decode(doc["salt"])
        sealed = base64.b64decode(doc["box"])
        ops, mem = int(doc["opslimit"]), int(doc["memlimit"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CryptoError(f"malformed private key file: {exc}") from None
    if doc.get("kdf") != "argon2id" or not (1 <= ops <= 10 and mem <= 1 << 30):
        raise CryptoError("unsupported private key file")
    key = nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        passphrase.encode("utf-8"),
        salt,
        opslimit=ops,
        memlimit=mem,
    )
    try:
        return bytes(nacl.secret.SecretBox(key).decrypt(sealed))
    except nacl.exceptions.CryptoError:
        raise WrongPassphrase("wrong passphrase") from None


def hash_secret(secret: str) -> str:
    """Argon2id hash of a PIN (or other short secret), in the standard encoded form."""
    return nacl.pwhash.argon2id.str(
        secret.encode("utf-8"), opslimit=PIN_OPSLIMIT, memlimit=PIN_MEMLIMIT
    ).decode("ascii")


def verify_secret(encoded: str, secret: str) -> bool:
    """Whether ``secret`` matches an Argon2id hash made by :func:`hash_secret`."""
    try:
        return bool(nacl.pwhash.verify(encoded.encode("ascii"), secret.encode("utf-8")))
    except (nacl.exceptions.InvalidkeyError, nacl.exceptions.CryptoError, ValueError):
        return False


class Argon2idPinHasher:
    """The staff PIN's :class:`kiosk.domain.ports.PinHasher`: :func:`hash_secret` and
    :func:`verify_secret` (Argon2id, ``PIN_OPSLIMIT`` and ``PIN_MEMLIMIT``)."""

    def hash_pin(self, pin: str) -> str:
        """The Argon2id hash of ``pin``, in the standard encoded form."""
        return hash_secret(pin)

    def verify_pin(self, stored: str, pin: str) -> bool:
        """Whether ``pin`` matches ``stored``."""
        return verify_secret(stored, pin)


@dataclass
class KeyFolder:
    """The organization's keys in a kiosk's data directory (``keys/``), and the kiosk's own
    secrets: the sealed device token and audit signing key, and the audit anchor."""

    path: Path
    _audit_key: Any = field(default=None, repr=False, compare=False)

    @property
    def public_path(self) -> Path:
        """Where the public key is kept (base64)."""
        return self.path / PUBLIC_KEY_FILE

    @property
    def private_path(self) -> Path:
        """Where the passphrase-encrypted private key is kept, if on this kiosk."""
        return self.path / PRIVATE_KEY_FILE

    def _write(self, path: Path, data: bytes) -> None:
        """Write one of this folder's files whole (:func:`atomic_write`, mode 600), the folder
        made first, or narrowed, to mode 700: only the kiosk's user may list its secrets."""
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name != "nt" and self.path.stat().st_mode & 0o077:
            self.path.chmod(0o700)
        atomic_write(path, data)

    def has_public_key(self) -> bool:
        """Whether a public key is installed."""
        return self.public_path.exists()

    def has_private_key(self) -> bool:
        """Whether an encrypted private key is on this kiosk."""
        return self.private_path.exists()

    def public_key(self) -> bytes:
        """Read the public key.

        Raises:
            CryptoError: missing or malformed.
        """
        try:
            key = base64.b64decode(self.public_path.read_text().strip(), validate=True)
        except FileNotFoundError:
            raise CryptoError("no organization public key is installed") from None
        except ValueError:
            raise CryptoError("the organization public key file is malformed") from None
        if len(key) != 32:
            raise CryptoError("the organization public key has the wrong length")
        return key

    def install_public_key(self, key: bytes) -> None:
        """Install (or replace) the organization's public key."""
        if len(key) != 32:
            raise CryptoError("a public key is 32 bytes")
        self._write(self.public_path, base64.b64encode(key) + b"\n")

    def init(self, passphrase: str) -> bytes:
        """Make a new key pair for a kiosk that never connects; return the public key.

        Raises:
            CryptoError: keys already exist (never overwritten: that would orphan data).
        """
        if self.has_public_key() or self.has_private_key():
            raise CryptoError(f"keys already exist in {self.path}")
        public, private = generate_keypair()
        self._write(self.private_path, encrypt_private_key(private, passphrase))
        self._write(self.public_path, base64.b64encode(public) + b"\n")
        return public

    def unlock(self, passphrase: str) -> SealedBoxOpener:
        """Decrypt the private key into memory.

        Raises:
            WrongPassphrase: wrong passphrase.
            CryptoError: no private key on this kiosk, or it does not match the public key.
        """
        try:
            blob = self.private_path.read_bytes()
        except FileNotFoundError:
            raise CryptoError("the private key is not on this kiosk") from None
        opener = SealedBoxOpener(decrypt_private_key(blob, passphrase))
        if self.has_public_key() and opener.public_key != self.public_key():
            raise CryptoError("the private key does not match the installed public key")
        return opener

    def sealer(self) -> SealedBoxSealer:
        """A sealer for the installed public key."""
        return SealedBoxSealer(self.public_key())

    # -- the device's bearer token -----------------------------------------------------------

    @property
    def token_path(self) -> Path:
        """Where the sealed device token is kept."""
        return self.path / DEVICE_TOKEN_FILE

    def _device_box(self, create: bool, bind_machine: bool = True) -> nacl.secret.SecretBox | None:
        secret_path = self.path / DEVICE_SECRET_FILE
        try:
            secret = secret_path.read_bytes()
        except FileNotFoundError:
            if not create:
                return None
            secret = nacl.utils.random(32)
            self._write(secret_path, secret)
        if len(secret) != 32:
            raise CryptoError("the device secret file is damaged")
        machine = b""
        for candidate in MACHINE_ID_PATHS if bind_machine else ():
            try:
                machine = Path(candidate).read_bytes().strip()
                break
            except OSError:
                continue
        purpose = b"petition-kiosk device token|" if bind_machine else b"petition-kiosk audit key|"
        key = hashlib.blake2b(purpose + machine, key=secret, digest_size=32).digest()
        return nacl.secret.SecretBox(key)

    def save_device_token(self, device_id: str, token: str) -> None:
        """Seal and store the bearer token of ``device_id`` (replacing any earlier one).

        Args:
            device_id: the id the server gave this kiosk (checked again when reading).
            token: the bearer token.
        """
        box = self._device_box(create=True)
        assert box is not None
        doc = json.dumps({"device_id": device_id, "token": token}).encode("utf-8")
        self._write(self.token_path, box.encrypt(doc))

    def load_device_token(self, device_id: str) -> str | None:
        """The stored bearer token of ``device_id``, or None when there is none for it.

        Raises:
            CryptoError: the sealed token cannot be opened (damaged, or the data folder was
                moved to another machine): the kiosk has to enroll again.
        """
        try:
            blob = self.token_path.read_bytes()
        except FileNotFoundError:
            return None
        box = self._device_box(create=False)
        if box is None:
            raise CryptoError("the device secret is missing: enroll this kiosk again")
        try:
            doc = json.loads(box.decrypt(blob))
        except (nacl.exceptions.CryptoError, ValueError):
            raise CryptoError(
                "the device token cannot be opened on this machine: enroll this kiosk again"
            ) from None
        if not isinstance(doc, dict) or doc.get("device_id") != device_id:
            return None
        token = doc.get("token")
        return token if isinstance(token, str) and token else None

    # -- the audit trail's signing key and anchor ---------------------------------------------

    def audit_signing_key(self) -> nacl.signing.SigningKey:
        """The kiosk's Ed25519 audit key (made on first use, sealed under the device secret).

        Raises:
            CryptoError: the sealed key exists but cannot be opened on this machine.
        """
        if self._audit_key is not None:
            return self._audit_key  # type: ignore[no-any-return]
        path = self.path / AUDIT_KEY_FILE
        # Not bound to the machine: a data folder restored onto a replacement tablet keeps a
        # trail it can still check (the token, bound to the machine, does not come along).
        box = self._device_box(create=True, bind_machine=False)
        assert box is not None
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            key = nacl.signing.SigningKey.generate()
            self._write(path, box.encrypt(bytes(key)))
        else:
            try:
                key = nacl.signing.SigningKey(box.decrypt(blob))
            except (nacl.exceptions.CryptoError, ValueError, TypeError):
                raise CryptoError("the audit key cannot be opened on this machine") from None
        self._audit_key = key
        return key

    def audit_public_key(self) -> str:
        """The audit key's public half (base64), which the server keeps."""
        return base64.b64encode(bytes(self.audit_signing_key().verify_key)).decode("ascii")

    def sign_audit(self, entry_hash_hex: str) -> str:
        """Sign an audit entry's hash; the signature as base64."""
        from kiosk.domain.audit import signed_message

        signed = self.audit_signing_key().sign(signed_message(entry_hash_hex))
        return base64.b64encode(signed.signature).decode("ascii")

    def audit_anchor(self) -> Any:
        """The head the server last acknowledged (:class:`kiosk.domain.audit.AuditAnchor`), or
        None before the first acknowledged audit push (or if the file is unreadable)."""
        from kiosk.domain.audit import AuditAnchor

        try:
            doc = json.loads((self.path / AUDIT_ANCHOR_FILE).read_text())
            return AuditAnchor(int(doc["seq"]), str(doc["hash"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return AuditAnchor(2**62, "unreadable anchor")  # fails verification: never ignored

    def save_audit_anchor(self, seq: int, entry_hash_hex: str, backwards: bool = False) -> None:
        """Remember the head the server acknowledged (never moves backwards, unless
        ``backwards``: the server lost entries it had acknowledged, and the kiosk sends them
        again)."""
        current = self.audit_anchor()
        if not backwards and current is not None and current.seq >= seq:
            return
        doc = json.dumps({"seq": seq, "hash": entry_hash_hex}).encode("ascii")
        self._write(self.path / AUDIT_ANCHOR_FILE, doc)


def verify_audit_signature(public_key_b64: str, entry_hash_hex: str, sig_b64: str | None) -> bool:
    """Whether ``sig_b64`` is the audit key's signature of an entry hash.

    Args:
        public_key_b64: the audit key's public half.
        entry_hash_hex: the entry's hash.
        sig_b64: the entry's signature (None: unsigned, which fails).
    """
    from kiosk.domain.audit import signed_message

    if not sig_b64:
        return False
    try:
        key = nacl.signing.VerifyKey(base64.b64decode(public_key_b64, validate=True))
        key.verify(signed_message(entry_hash_hex), base64.b64decode(sig_b64, validate=True))
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError, ValueError, TypeError):
        return False
    return True
