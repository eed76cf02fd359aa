"""The audit trail of staff actions: append-only, each entry chained to the previous by hash.

An entry records who did what on which kiosk and when (staff mode entered, PIN failures, void,
export, print, unlock, purge, settings changed) and never any signer's personal data. Its hash
covers the previous entry's hash, so editing, removing or reordering any entry breaks the chain
from there on; ``verify_chain`` finds the first break.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
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


def entry_hash(
    prev_hash: str, seq: int, at_ms: int, kiosk_id: str, action: str, detail: dict[str, Any]
) -> str:
    """SHA-256 over the previous hash and a canonical JSON of this entry."""
    body = json.dumps(
        [prev_hash, seq, at_ms, kiosk_id, action, detail],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of checking a chain: ``ok``, how many entries, and the first broken one."""

    ok: bool
    entries: int
    broken_at: int | None = None
    reason: str = ""


def verify_chain(entries: Iterable[AuditEntry], expected_head: str | None = None) -> ChainReport:
    """Check every link: sequence numbers, previous hashes and each entry's own hash.

    Args:
        entries: the trail, in sequence order.
        expected_head: the last hash recorded elsewhere (e.g. acknowledged by the server), to
            detect a trail cut short at the end.
    """
    prev = GENESIS
    n = 0
    expected_seq = 1
    for e in entries:
        n += 1
        if e.seq != expected_seq:
            return ChainReport(False, n, e.seq, f"entry {expected_seq} is missing")
        if e.prev_hash != prev:
            return ChainReport(False, n, e.seq, "does not follow the previous entry")
        if entry_hash(e.prev_hash, e.seq, e.at_ms, e.kiosk_id, e.action, e.detail) != e.hash:
            return ChainReport(False, n, e.seq, "was altered")
        prev = e.hash
        expected_seq += 1
    if expected_head is not None and expected_head != prev:
        return ChainReport(False, n, None, "the trail ends before its recorded head")
    return ChainReport(True, n)
