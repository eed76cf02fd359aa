"""The signature record: non-personal metadata kept apart from the signer's personal data.

``SignatureMeta`` holds what counting, routing and sync need (ids, campaign, text version,
event, times, flags). ``PersonalData`` holds who signed (names, contacts, address, comment and
the drawn strokes); it is serialised to bytes and sealed before it reaches any disk, so nothing
that only needs the metadata ever handles it in clear.

A signature never changes after it is saved. Voiding one is a separate ``Void`` record.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from kiosk.domain.ink import Ink, decode_ink, encode_ink


class SignatureMethod(StrEnum):
    """How a signer signed: drawn on the pad, or typed ("I can't sign with my finger").

    A typed signature is the signer's full name, typed and confirmed by the signer; a volunteer
    may witness it with the staff PIN. It is recorded as typed everywhere (the store, the wire,
    the server) and printed as typed on a delivery sheet, never as a drawing.
    """

    DRAWN = "drawn"
    TYPED = "typed"
    TYPED_WITNESSED = "typed_witnessed"

    @property
    def typed(self) -> bool:
        """Whether the signature was typed rather than drawn."""
        return self is not SignatureMethod.DRAWN

    @property
    def witnessed(self) -> bool:
        """Whether a volunteer witnessed the typed signature with the staff PIN."""
        return self is SignatureMethod.TYPED_WITNESSED


class SyncState(StrEnum):
    """Where a record is on its way to the central server."""

    PENDING = "pending"
    SYNCED = "synced"
    CONFLICT = "conflict"
    #: Never synced, yet its sealed personal data is empty or missing (the store was damaged
    #: or altered): it can never be sent, so it is not kept pending; it is counted apart.
    DAMAGED = "damaged"


#: The ink of a record read without its strokes (:meth:`PersonalData.without_strokes`).
INK_NOT_OPENED = Ink(0, 0, ())


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything that identifies a signer. Sealed at rest; never logged."""

    first_name: str
    last_name: str
    zip: str
    ink: Ink
    email: str = ""
    phone: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    comment: str = ""
    opt_in: bool = False
    consent_text: str = ""
    #: The full name the signer typed as their signature (empty for a drawn one, whose
    #: ``ink`` then holds the strokes; a typed one has ink without strokes).
    typed_name: str = ""

    @property
    def printed_name(self) -> str:
        """First and last name as printed on a signature sheet."""
        return f"{self.first_name} {self.last_name}".strip()

    def to_bytes(self) -> bytes:
        """Serialise for sealing (UTF-8 JSON, strokes in their compact binary form)."""
        d: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        d["ink"] = base64.b64encode(encode_ink(self.ink)).decode("ascii")
        if not self.typed_name:
            del d["typed_name"]  # a drawn signature's record is as it always was
        d["v"] = 1
        return json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def without_strokes(cls, data: bytes) -> PersonalData:
        """Parse bytes made by :meth:`to_bytes` as :meth:`from_bytes` does, but leave the ink
        unread: ``ink`` is :data:`INK_NOT_OPENED` (no stroke), for what prints no signature (a
        CSV contact list), which decoded every record's strokes for nothing (about half its
        cost). The ink is checked only as counting checks it (bounded base64 of an ink record).

        Raises:
            PersonalDataError: (a ValueError) the bytes are not a valid personal-data record.
        """
        from kiosk.domain.personal import parse_personal

        f = parse_personal(data, check_strokes=False)
        return cls(
            ink=INK_NOT_OPENED,
            **{k.name: getattr(f, k.name) for k in fields(f) if k.name != "ink_bytes"},
        )

    @classmethod
    def from_bytes(cls, data: bytes, *, defer_ink: bool = False) -> PersonalData:
        """Parse bytes made by :meth:`to_bytes`, strictly (:mod:`kiosk.domain.personal`: types,
        sizes, depth, the form's rules for every field, a well-formed ink record).

        Args:
            defer_ink: keep the (checked) ink encoded, decoded each time it is drawn
                (:meth:`Ink.deferred`): what an export holding thousands of records until
                their packets are drawn uses, so its memory does not grow by the decoded
                points of every signature.

        Raises:
            PersonalDataError: (a ValueError) the bytes are not a valid personal-data record.
        """
        from kiosk.domain.personal import PersonalDataError, parse_personal

        f = parse_personal(data, check_strokes=not defer_ink)
        try:
            ink = Ink.deferred(f.ink_bytes) if defer_ink else decode_ink(f.ink_bytes)
        except ValueError as exc:
            if defer_ink:  # the same words as parse_personal's own check
                raise PersonalDataError(f"ink: {exc}") from None
            raise PersonalDataError("ink: not a valid ink record") from None
        # PersonalFields is this record with the ink still encoded: every other field copies.
        return cls(
            ink=ink, **{k.name: getattr(f, k.name) for k in fields(f) if k.name != "ink_bytes"}
        )


@dataclass(frozen=True, slots=True)
class SignatureMeta:
    """The non-personal part of a signature: enough to count, route and sync it."""

    id: uuid.UUID
    campaign: str
    local_campaign: str | None
    text_version: str
    lang: str
    kiosk_id: str
    event_id: str | None
    created_at: datetime  # UTC, timezone-aware
    utc_offset_minutes: int  # the kiosk's local offset when signed
    synthetic: bool = False
    method: SignatureMethod = SignatureMethod.DRAWN


@dataclass(frozen=True, slots=True)
class SealedSignature:
    """A signature as it is stored and synced: metadata in clear, personal data sealed."""

    meta: SignatureMeta
    sealed: bytes
    dedupe_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Void:
    """A voided signature: kept, marked void, never deleted."""

    signature_id: uuid.UUID
    reason: str
    voided_at: datetime
    kiosk_id: str


@dataclass(frozen=True, slots=True)
class Event:
    """A rally or tabling event where a kiosk collects."""

    id: str
    name: str
    location: str
    started_at: datetime
