"""The audit trail of staff actions: append-only, each entry chained to the previous by hash.

An entry records who did what on which kiosk and when (staff mode entered, PIN failures, void,
export, print, unlock, purge, settings changed) and never any signer's personal data. Its hash
covers the previous entry's hash, so editing, removing or reordering any entry breaks the chain
from there on; ``verify_chain`` finds the first break.

A plain hash chain can be recomputed by whoever can write the file, and a trail cut short at
the end still links. Two more checks close that (docs/threat-model.md, item 3):

- **Signed entries.** Each entry carries ``sig``, an Ed25519 signature of its hash by the
  kiosk's audit key. The private key is sealed in the kiosk's key folder (not in ``kiosk.db``),
  the server keeps the public half: a rewrite made from the database file alone cannot be
  signed, and the server's copy cannot be rewritten without the kiosk's key.
- **An anchor.** The head (``seq``, ``hash``) the server last acknowledged is kept on both
  sides (the kiosk's key folder, the server's ``devices`` row): a trail that ends before it
  (entries removed) or differs at it (entries rewritten) is broken.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

GENESIS = "0" * 64


class AuditAction(StrEnum):
    """What a staff member (or the kiosk itself) did."""

    STAFF_ENTERED = "staff_entered"
    STAFF_LEFT = "staff_left"
    PIN_SET = "pin_set"
    PIN_FAILED = "pin_failed"
    PIN_LOCKED = "pin_locked"
    VOID = "void"
    EXPORT = "export"
    PRINT = "print"
    UNLOCK = "unlock"
    UNLOCK_FAILED = "unlock_failed"
    LOCK = "lock"
    PURGE = "purge"
    SETTINGS_CHANGED = "settings_changed"
    ENROLLED = "enrolled"
    KEYS_CREATED = "keys_created"
    #: A volunteer witnessed a typed signature with the staff PIN (detail: its uuid only).
    SIGNATURE_WITNESSED = "signature_witnessed"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One link of the chain."""

    seq: int
    at_ms: int
    kiosk_id: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str
    sig: str | None = None


@dataclass(frozen=True, slots=True)
class AuditAnchor:
    """The last head of a trail that the server acknowledged."""

    seq: int
    hash: str


#: What an audit signature signs: this prefix, then the entry's hash (ASCII hex).
SIGNED_PREFIX = b"petition-kiosk audit entry v1:"


def signed_message(entry_hash_hex: str) -> bytes:
    """The bytes an entry's signature covers."""
    return SIGNED_PREFIX + entry_hash_hex.encode("ascii")


def entry_hash(
    prev_hash: str, seq: int, at_ms: int, kiosk_id: str, action: str, detail: dict[str, Any]
) -> str:
    """SHA-256 over the previous hash and a canonical JSON of this entry."""
    body = json.dumps(
        [prev_hash, seq, at_ms, kiosk_id, action, detail],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of checking a chain: ``ok``, how many entries, and the first broken one."""

    ok: bool
    entries: int
    broken_at: int | None = None
    reason: str = ""
    #: The last entry checked, ``(seq, hash)``, when the chain is whole (None: empty or broken):
    #: where a later check of the entries added since can start (``verify_chain(start=...)``).
    head: tuple[int, str] | None = None


def verify_chain(
    entries: Iterable[AuditEntry],
    expected_head: str | None = None,
    *,
    verify_sig: Callable[[AuditEntry], bool] | None = None,
    anchor: AuditAnchor | None = None,
    start: tuple[int, str] | None = None,
) -> ChainReport:
    """Check every link: sequence numbers, previous hashes and each entry's own hash.

    Args:
        entries: the trail, in sequence order.
        expected_head: the last hash recorded elsewhere, to detect a trail cut short at the end.
        verify_sig: when given, every entry's signature must pass it (a rewrite recomputed
            from the file alone cannot be signed).
        anchor: the head the server acknowledged: the trail must reach it, with that hash.
        start: ``(seq, hash)`` of an entry checked before (a report's ``head``): ``entries``
            are then the ones after it, and only they are checked (``entries`` in the report
            counts them only).
    """
    prev = GENESIS if start is None else start[1]
    n = 0
    expected_seq = 1 if start is None else start[0] + 1
    for e in entries:
        n += 1
        if e.seq != expected_seq:
            return ChainReport(False, n, e.seq, f"entry {expected_seq} is missing")
        if e.prev_hash != prev:
            return ChainReport(False, n, e.seq, "does not follow the previous entry")
        if entry_hash(e.prev_hash, e.seq, e.at_ms, e.kiosk_id, e.action, e.detail) != e.hash:
            return ChainReport(False, n, e.seq, "was altered")
        if verify_sig is not None and not verify_sig(e):
            return ChainReport(
                False, n, e.seq, "is not signed by this kiosk's audit key (rewritten?)"
            )
        if anchor is not None and e.seq == anchor.seq and e.hash != anchor.hash:
            return ChainReport(
                False, n, e.seq, "differs from the entry the server acknowledged (rewritten)"
            )
        prev = e.hash
        expected_seq += 1
    if expected_head is not None and expected_head != prev:
        return ChainReport(False, n, None, "the trail ends before its recorded head")
    if anchor is not None and anchor.seq >= expected_seq:
        return ChainReport(
            False,
            n,
            None,
            f"the trail ends at entry {expected_seq - 1}, before entry {anchor.seq} that the "
            "server acknowledged (entries were removed)",
        )
    return ChainReport(True, n, head=(expected_seq - 1, prev) if expected_seq > 1 else None)
