"""The sync wire schema: the one module the kiosk's sync client and the server both import.

Every request and response body exchanged under ``/api/v1`` is one of the pydantic models below.
Validation is strict **per field** (a model-wide ``strict=True`` would refuse UUIDs and dates
sent as JSON strings; a lax model would take ``false`` for a number), and every model forbids
unknown fields. The same rules apply whether a body is validated from JSON text
(``model_validate_json``) or from already-decoded JSON (``model_validate``).

Sending (kiosk side)::

    req = PushRequest(signatures=[WireSignature.from_sealed(s) for s in pending])
    r = client.post(API_PREFIX + "/signatures", content=req.model_dump_json(),
                    headers={"Content-Type": "application/json",
                             "Authorization": f"Bearer {token}"})
    resp = PushResponse.model_validate_json(r.content)

Results come back in request order, one per item (see :class:`SignatureResult` and
:class:`VoidResult` for what each status means). A batch is all-or-nothing: any non-2xx answer
means nothing of it was stored, and the whole batch can be sent again unchanged.

Limits: at most :data:`MAX_BATCH_SIGNATURES` signatures, :data:`MAX_BATCH_VOIDS` voids and
:data:`MAX_BATCH_EVENTS` events per push, and the encoded body must stay under
:data:`MAX_BODY_BYTES`; a client sizes its batches by both (count and encoded bytes). Servers
before this limit was raised took :data:`BASE_BATCH_SIGNATURES`: a client sends no more until
a push's answer names the server's own limit in :data:`MAX_SIGNATURES_HEADER`.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring
from typing import Annotated, Any, Literal

import pybase64
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from kiosk.domain.metadata import meta_from, meta_values, plain_values
from kiosk.domain.signature import Event, SealedSignature, SignatureMeta, Void

#: Path prefix of every endpoint.
API_PREFIX = "/api/v1"
#: Most signatures in one push that this server takes, and that its answers to a push name in
#: :data:`MAX_SIGNATURES_HEADER`. Pushes of 1,000 made a sync of 10,000 to PostgreSQL 5-8 %
#: faster than pushes of 500, in alternated pairs (docs/benchmarks-history.md, "sync, round 9").
MAX_BATCH_SIGNATURES = 1000
#: Most signatures in one push that every kiosk-server takes, those from before the limit was
#: named in :data:`MAX_SIGNATURES_HEADER` included: what a client sends until an answer says more.
BASE_BATCH_SIGNATURES = 500
#: The header of a push's answer that names the most signatures the server takes in one push.
MAX_SIGNATURES_HEADER = "X-Kiosk-Max-Signatures"
#: Most voids in one push.
MAX_BATCH_VOIDS = 500
#: Most events in one push.
MAX_BATCH_EVENTS = 100
#: Largest sealed personal-data blob, in bytes (decoded).
MAX_SEALED_BYTES = 64 * 1024
#: Largest request body the server reads, in bytes; larger ones get 413.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Most JSON objects and arrays (``{`` and ``[`` bytes, strings included) a request body may
#: hold; more get 413 ``too_many_json_values`` before any parsing. Parsing builds a Python
#: object of some 150 bytes for each: 8 MiB of ``[],`` took 440 MB of the server's memory. A
#: kiosk's largest push (1,000 signatures, 500 voids, 100 events, 500 audit entries) holds a
#: few thousand.
MAX_BODY_CONTAINERS = 200_000

_MAX_SEALED_B64 = 4 * ((MAX_SEALED_BYTES + 2) // 3)
_SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"
_HEX64_PATTERN = r"^[0-9a-f]{64}$"
#: Base64 of an Ed25519 signature (64 bytes) and of an Ed25519 public key (32 bytes).
_SIG_PATTERN = r"^[A-Za-z0-9+/]{86}==$"
_KEY32_PATTERN = r"^[A-Za-z0-9+/]{43}=$"
_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
#: C0, DEL and C1 (U+0085 too), and the bidirectional embeddings, overrides and isolates
#: (U+202A-U+202E, U+2066-U+2069): a name with U+202E shows its text backwards, and can make a
#: device's name in the console look like another's. (LRM and RLM, U+200E/U+200F, are marks
#: that reorder nothing beyond themselves: allowed.)
CONTROL_CHARACTERS = "\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
CONTROL_RE = re.compile(f"[{CONTROL_CHARACTERS}]")


def defuse(text: str) -> str:
    """Text from elsewhere (a server's words, a name stored by an older version) made safe to
    print on a terminal or show: each of :data:`CONTROL_CHARACTERS` becomes U+FFFD."""
    return CONTROL_RE.sub("\N{REPLACEMENT CHARACTER}", text)


# --- field types -------------------------------------------------------------------------------


def _uuid_input(value: object) -> object:
    """Accept a UUID object (Python callers) or its canonical 36-character string (JSON)."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str) and _UUID_RE.match(value):
        return value
    raise ValueError("must be a UUID string like 0190c2e4-7b1a-7c3e-9f00-1a2b3c4d5e6f")


def _datetime_input(value: object) -> object:
    """Accept a datetime object (Python callers) or an ISO 8601 / RFC 3339 string (JSON).

    Pydantic's lax datetime would also take numbers and numeric strings as Unix times.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATETIME_RE.match(value):
        return value
    raise ValueError("must be an ISO 8601 date-time string with a UTC offset")


def _to_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC (the server stores and hashes UTC)."""
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("date-time out of range") from None


def _clean_text(value: str) -> str:
    """Refuse control characters and unpaired surrogates (neither can be stored as text)."""
    if CONTROL_RE.search(value):
        raise ValueError("must not contain control characters (nor bidirectional overrides)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (unpaired surrogate)") from None
    return value


def _sealed_input(value: object) -> bytes:
    """Decode the sealed blob from standard base64 (JSON), or take bytes (Python callers)."""
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        if len(value) > _MAX_SEALED_B64:
            raise ValueError(f"sealed data larger than {MAX_SEALED_BYTES} bytes")
        try:
            # Canonical base64 (what every kiosk sends) decoded with SIMD, about 13x the
            # standard library's speed; anything it refuses goes through the standard library's
            # strict check, so the server accepts exactly what b64decode(validate=True) does
            # (e.g. "0000=", which pybase64 refuses).
            raw = pybase64.b64decode(value, validate=True)
        except ValueError:  # binascii.Error, or a character outside ASCII
            try:
                raw = binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
            except (binascii.Error, UnicodeEncodeError):
                raise ValueError("must be standard base64 with padding") from None
    else:  # pydantic reports ValueError as a validation error; a TypeError would escape
        raise ValueError("must be a base64 string")
    if not raw:
        raise ValueError("must not be empty")
    if len(raw) > MAX_SEALED_BYTES:
        raise ValueError(f"sealed data larger than {MAX_SEALED_BYTES} bytes")
    return raw


def _b64(value: bytes) -> str:
    return pybase64.b64encode_as_string(value)


_NO_CONTROL_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]*$"


def _text_schema(min_length: int, max_length: int) -> WithJsonSchema:
    """The JSON Schema of a clean text (what ``_clean_text`` enforces, stated for clients)."""
    schema: dict[str, Any] = {
        "type": "string",
        "maxLength": max_length,
        "pattern": _NO_CONTROL_PATTERN,
    }
    if min_length:
        schema["minLength"] = min_length
    return WithJsonSchema(schema)


#: A UUID, sent as its canonical string.
WireUUID = Annotated[uuid.UUID, BeforeValidator(_uuid_input)]
#: A timezone-aware date-time, sent as an ISO 8601 string; normalised to UTC.
WireDatetime = Annotated[AwareDatetime, BeforeValidator(_datetime_input), AfterValidator(_to_utc)]
#: A campaign or local campaign slug.
Slug = Annotated[str, StringConstraints(strict=True, pattern=_SLUG_PATTERN)]
#: An identifier made on a kiosk (kiosk id, event id): 1 to 64 characters, no control characters.
ShortId = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=64),
    AfterValidator(_clean_text),
    _text_schema(1, 64),
]
#: Sealed personal data: bytes in Python, standard base64 on the wire.
SealedBlob = Annotated[
    bytes,
    BeforeValidator(_sealed_input),
    PlainSerializer(_b64, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "contentEncoding": "base64",
            "minLength": 4,
            "maxLength": _MAX_SEALED_B64,
            "pattern": "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
        },
        mode="validation",
    ),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}, mode="serialization"),
]


#: Why a signature was voided.
VoidReason = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=200),
    AfterValidator(_clean_text),
    _text_schema(1, 200),
]
#: An event's name.
EventName = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=120),
    AfterValidator(_clean_text),
    _text_schema(1, 120),
]
#: An event's location (may be empty).
EventLocation = Annotated[
    str,
    StringConstraints(strict=True, max_length=120),
    AfterValidator(_clean_text),
    _text_schema(0, 120),
]
#: A one-time enrollment code as typed (case, spaces and dashes do not matter).
EnrollCode = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=64),
    AfterValidator(_clean_text),
    _text_schema(1, 64),
]
#: A device's display name.
DeviceName = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=120),
    AfterValidator(_clean_text),
    _text_schema(1, 120),
]


_STRICT = ConfigDict(extra="forbid", frozen=True)


def _canonical_hash(fields: dict[str, Any]) -> str:
    data = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _iso_utc(moment: datetime) -> str:
    m = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    if m.year < 1000:  # strftime's %Y does not pad years before 1000 on every platform
        return m.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return (
        f"{m.year}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond:06d}Z"
    )


def _canonical(value: object) -> object:
    """A metadata value as the canonical JSON of content hashes has it."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return _iso_utc(value)
    return value


# --- records -----------------------------------------------------------------------------------


class WireSignature(BaseModel):
    """One signature as pushed by a kiosk: metadata in clear, personal data sealed.

    The server stores it once by ``id`` and never changes it. ``sealed`` is opaque to the server.
    """

    model_config = _STRICT

    id: WireUUID
    campaign: Slug
    local_campaign: Slug | None
    text_version: Annotated[str, StringConstraints(strict=True, pattern=_HEX64_PATTERN)]
    lang: Literal["en", "es"]
    kiosk_id: ShortId
    event_id: ShortId | None
    created_at: WireDatetime
    utc_offset_minutes: int = Field(strict=True, ge=-840, le=840)
    synthetic: bool = Field(strict=True)
    #: How it was made (:class:`kiosk.domain.signature.SignatureMethod`); kiosks of before
    #: send none: drawn.
    method: Literal["drawn", "typed", "typed_witnessed"] = "drawn"
    sealed: SealedBlob

    @classmethod
    def from_sealed(cls, signature: SealedSignature) -> WireSignature:
        """Build the wire form of a stored signature (the dedupe key stays on the kiosk).

        Args:
            signature: the kiosk's sealed signature record.

        Raises:
            pydantic.ValidationError: the record breaks a wire rule (e.g. naive ``created_at``).
        """
        return cls(**plain_values(signature.meta), sealed=signature.sealed)

    def meta(self) -> SignatureMeta:
        """The signature's metadata (everything but ``sealed``)."""
        return meta_from(self)

    def content_hash(self) -> str:
        """SHA-256 (hex) of a canonical JSON of every field.

        Equal for every retry of the same signature, however it was encoded (UUID case, UTC
        offset of ``created_at``): the server compares it to tell a duplicate from a conflict.
        """
        # The canonical JSON of _canonical_hash (keys sorted, compact, ensure_ascii=False) written
        # out directly: the same bytes (a test compares them) at a fifth of json.dumps's cost,
        # which the server pays for every pushed signature.
        q = encode_basestring  # json.dumps(ensure_ascii=False)'s own string encoder

        def text_or_null(value: str | None) -> str:
            return "null" if value is None else q(value)

        # A drawn signature's hash is what it always was (no "method" key).
        method = "" if self.method == "drawn" else f'"method":{q(self.method)},'
        data = (
            f'{{"campaign":{q(self.campaign)},"created_at":{q(_iso_utc(self.created_at))},'
            f'"event_id":{text_or_null(self.event_id)},"id":{q(str(self.id))},'
            f'"kiosk_id":{q(self.kiosk_id)},"lang":{q(self.lang)},'
            f'"local_campaign":{text_or_null(self.local_campaign)},'
            f"{method}"
            f'"sealed_sha256":"{hashlib.sha256(self.sealed).hexdigest()}",'
            f'"synthetic":{"true" if self.synthetic else "false"},'
            f'"text_version":{q(self.text_version)},'
            f'"utc_offset_minutes":{int(self.utc_offset_minutes)!r},"v":1}}'
        )
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def canonical_fields(self) -> dict[str, Any]:
        """What :meth:`content_hash` hashes, as the dict whose canonical JSON it is."""
        fields: dict[str, Any] = {
            "v": 1,
            **{k: _canonical(v) for k, v in meta_values(self).items()},
            "sealed_sha256": hashlib.sha256(self.sealed).hexdigest(),
        }
        if self.method == "drawn":  # a drawn signature's hash is what it always was
            del fields["method"]
        return fields


class WireVoid(BaseModel):
    """A void of one signature (the signature is kept and marked, never deleted)."""

    model_config = _STRICT

    signature_id: WireUUID
    reason: VoidReason
    voided_at: WireDatetime
    kiosk_id: ShortId

    @classmethod
    def from_void(cls, void: Void) -> WireVoid:
        """Build the wire form of a kiosk's void record.

        Args:
            void: the kiosk's void.
        """
        return cls(
            signature_id=void.signature_id,
            reason=void.reason,
            voided_at=void.voided_at,
            kiosk_id=void.kiosk_id,
        )

    def content_hash(self) -> str:
        """SHA-256 (hex) of a canonical JSON of every field (see WireSignature.content_hash)."""
        return _canonical_hash(
            {
                "v": 1,
                "signature_id": str(self.signature_id),
                "reason": self.reason,
                "voided_at": _iso_utc(self.voided_at),
                "kiosk_id": self.kiosk_id,
            }
        )


class WireEvent(BaseModel):
    """A rally or tabling event. Events are editable: the server keeps the last one pushed."""

    model_config = _STRICT

    id: ShortId
    name: EventName
    location: EventLocation
    started_at: WireDatetime

    @classmethod
    def from_event(cls, event: Event) -> WireEvent:
        """Build the wire form of a kiosk's event.

        Args:
            event: the kiosk's event.
        """
        return cls(
            id=event.id, name=event.name, location=event.location, started_at=event.started_at
        )


# --- audit trail -------------------------------------------------------------------------------

#: Most audit entries in one push.
MAX_BATCH_AUDIT = 500
#: Largest audit ``detail``, in bytes of compact JSON.
MAX_AUDIT_DETAIL_BYTES = 2048
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _small_detail(value: dict[str, Any]) -> dict[str, Any]:
    try:  # NaN and Infinity are not JSON (PostgreSQL's json type refuses them)
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        raise ValueError("must be plain JSON: NaN and Infinity are not allowed") from None
    except RecursionError:
        raise ValueError("is nested too deep") from None
    size = len(text.encode("utf-8"))
    if size > MAX_AUDIT_DETAIL_BYTES:
        raise ValueError(f"must be at most {MAX_AUDIT_DETAIL_BYTES} bytes of JSON, not {size}")
    return value


def _whole_ms(value: datetime) -> datetime:
    if value.microsecond % 1000:
        raise ValueError("must have at most millisecond precision (the chain hashes milliseconds)")
    return value


class WireAuditEntry(BaseModel):
    """One link of a kiosk's audit trail (:mod:`kiosk.domain.audit`): staff actions, never any
    signer's personal data. The server stores it as sent and checks the chain on demand
    (``kiosk-server audit verify``)."""

    model_config = _STRICT

    seq: Annotated[int, Field(strict=True, ge=1, le=2**53)]
    at: Annotated[WireDatetime, AfterValidator(_whole_ms)]
    kiosk_id: ShortId
    action: ShortId
    detail: Annotated[dict[str, Any], AfterValidator(_small_detail)]
    prev_hash: Annotated[str, StringConstraints(strict=True, pattern=_HEX64_PATTERN)]
    hash: Annotated[str, StringConstraints(strict=True, pattern=_HEX64_PATTERN)]
    #: Ed25519 signature (base64) of the hash by the kiosk's audit key; left out when unsigned.
    sig: Annotated[str | None, StringConstraints(strict=True, pattern=_SIG_PATTERN)] = Field(
        default=None, exclude_if=lambda v: v is None
    )

    @property
    def at_ms(self) -> int:
        """``at`` as Unix milliseconds (what the chain hashes)."""
        return (self.at - _EPOCH) // timedelta(milliseconds=1)

    @classmethod
    def from_entry(cls, entry: Any) -> WireAuditEntry:
        """The wire form of a :class:`kiosk.domain.audit.AuditEntry`."""
        return cls(
            seq=entry.seq,
            at=_EPOCH + timedelta(milliseconds=entry.at_ms),
            kiosk_id=entry.kiosk_id,
            action=entry.action,
            detail=entry.detail,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
            sig=getattr(entry, "sig", None),
        )

    def to_entry(self) -> Any:
        """The :class:`kiosk.domain.audit.AuditEntry` this carries."""
        from kiosk.domain.audit import AuditEntry

        return AuditEntry(
            self.seq,
            self.at_ms,
            self.kiosk_id,
            self.action,
            dict(self.detail),
            self.prev_hash,
            self.hash,
            self.sig,
        )


class AuditHead(BaseModel):
    """The last entry of a device's trail that the server holds with every link before it
    checked (and, once the device registered its audit key, every signature)."""

    model_config = _STRICT

    seq: Annotated[int, Field(strict=True, ge=1, le=2**53)]
    hash: Annotated[str, StringConstraints(strict=True, pattern=_HEX64_PATTERN)]


class AuditResult(BaseModel):
    """What the server did with one audit entry: ``created``, ``duplicate`` (same seq and hash
    already stored) or ``conflict`` (this device's seq is already stored with another hash; the
    first one is kept, this one recorded for review). All three are final."""

    model_config = _STRICT

    seq: int
    status: Literal["created", "duplicate", "conflict"]


# --- push --------------------------------------------------------------------------------------


class PushRequest(BaseModel):
    """``POST /api/v1/signatures``: a batch, stored in one transaction (all or nothing).

    The server handles signatures first, then voids, so a void may travel in the same batch as
    its signature.
    """

    model_config = _STRICT

    signatures: list[WireSignature] = Field(default_factory=list, max_length=MAX_BATCH_SIGNATURES)
    voids: list[WireVoid] = Field(default_factory=list, max_length=MAX_BATCH_VOIDS)
    events: list[WireEvent] = Field(default_factory=list, max_length=MAX_BATCH_EVENTS)
    #: Optional (servers before it refuse unknown fields): left out of the JSON when empty.
    audit: list[WireAuditEntry] = Field(
        default_factory=list, max_length=MAX_BATCH_AUDIT, exclude_if=lambda v: not v
    )
    #: The public half of the kiosk's audit key (base64), sent with audit entries; the server
    #: registers it the first time and then requires every entry to be signed by it.
    audit_key: Annotated[str | None, StringConstraints(strict=True, pattern=_KEY32_PATTERN)] = (
        Field(default=None, exclude_if=lambda v: v is None)
    )


class SignatureResult(BaseModel):
    """What the server did with one pushed signature.

    - ``created``: stored now.
    - ``duplicate``: already stored with identical content (a retry); nothing changed.
    - ``conflict``: a *different* signature already has this id; the stored one is kept, the
      pushed one is recorded for review. Retrying will not change the answer.
    - ``rejected``: refused, nothing stored; ``reason`` says why (a campaign or local campaign
      the server does not know, a campaign this device is not enrolled for, a ``created_at``
      before 2020 or more than a day ahead of the server's clock). Not final: the kiosk keeps
      it and sends it again at a later sync (after ``kiosk-server campaigns import``, say).

    ``created``, ``duplicate`` and ``conflict`` are final: the kiosk marks the signature as
    acknowledged (``conflict`` as conflict) and never sends it again.
    """

    model_config = _STRICT

    id: WireUUID
    status: Literal["created", "duplicate", "conflict", "rejected"]
    #: Why a signature was ``rejected`` (left out of the JSON otherwise).
    reason: str | None = Field(default=None, max_length=300, exclude_if=lambda v: v is None)


class VoidResult(BaseModel):
    """What the server did with one pushed void (``id`` is the voided signature's id).

    - ``created``, ``duplicate``, ``conflict``: as for signatures (a conflict is a different void
      already recorded for this signature; the first one stays).
    - ``unknown``: the server has no signature with this id, so nothing was stored. Not final:
      the kiosk keeps the void pending and sends it again after the signature is acknowledged.
    - ``forbidden``: the signature was pushed by another device; a device voids only its own
      signatures. Nothing was stored (final: a coordinator decides on the server).
    """

    model_config = _STRICT

    id: WireUUID
    status: Literal["created", "duplicate", "conflict", "unknown", "forbidden"]


class EventResult(BaseModel):
    """What the server did with one pushed event: ``created``, ``updated`` (its name, place or
    start changed; the pushed version replaced the stored one), ``duplicate`` (unchanged) or
    ``forbidden`` (another device created this event; a device changes only its own events,
    so nothing was stored)."""

    model_config = _STRICT

    id: ShortId
    status: Literal["created", "updated", "duplicate", "forbidden"]


class PushResponse(BaseModel):
    """The answer to a push: one result per item, in request order."""

    model_config = _STRICT

    signatures: list[SignatureResult]
    voids: list[VoidResult]
    events: list[EventResult]
    #: Results of the audit entries; left out when none were sent (older kiosks refuse it).
    audit: list[AuditResult] = Field(default_factory=list, exclude_if=lambda v: not v)
    #: The head of this device's trail the server now acknowledges (its anchor); only answered
    #: to a push that carried ``audit_key`` (older kiosks refuse unknown fields).
    audit_head: AuditHead | None = Field(default=None, exclude_if=lambda v: v is None)


# --- enrollment --------------------------------------------------------------------------------


class EnrollRequest(BaseModel):
    """``POST /api/v1/enroll``: trade a one-time code (from ``kiosk-server enroll-code``)."""

    model_config = _STRICT

    code: EnrollCode
    name: DeviceName | None = None


def _shown(limit: int) -> AfterValidator:
    """Text of a server's that a kiosk shows (on its staff screen, on a terminal): its control
    characters and bidirectional overrides become U+FFFD, and it is cut at ``limit``. Lenient
    rather than refused: an enrollment refused for its server's name would have spent the
    one-time code."""
    return AfterValidator(lambda v: defuse(v[:limit]))


#: A device id or bearer token as a server hands it out: visible ASCII (it goes into an HTTP
#: header and the kiosk's settings; a line break in it made every later request fail).
_HeaderSafe = StringConstraints(strict=True, min_length=1, pattern=r"^[!-~]+$")


class EnrollResponse(BaseModel):
    """The device's identity and bearer token. The token is shown once; keep it secret."""

    model_config = _STRICT

    device_id: Annotated[str, _HeaderSafe, StringConstraints(max_length=64)]
    token: Annotated[str, _HeaderSafe, StringConstraints(max_length=512)]
    server_name: Annotated[str, _shown(120)]
    org_public_key: str | None


# --- campaigns and totals ----------------------------------------------------------------------


class CampaignsResponse(BaseModel):
    """``GET /api/v1/campaigns``: every campaign document, in the campaign file structure
    (docs/campaign-format.md) as JSON, with its local campaigns and earlier texts (history)."""

    model_config = _STRICT

    campaigns: list[dict[str, Any]]


class TotalsResponse(BaseModel):
    """``GET /api/v1/totals``: signatures across all kiosks, not voided, not synthetic and not
    quarantined (with a private key, the server reads each one on arrival; see docs/server.md).

    ``campaigns`` counts every signature of a campaign (its local campaigns included);
    ``locals`` is keyed ``"campaign/local"``.
    """

    model_config = _STRICT

    campaigns: dict[str, int]
    locals: dict[str, int]


class CoordinatorStatsResponse(BaseModel):
    """``GET /api/v1/stats`` (coordinators only), read from counts the server keeps up to date as
    records arrive (nothing is decrypted when asked).

    Counted signatures (not voided, not synthetic, not quarantined) per campaign, local campaign
    (``"campaign/local"``), device id, event id and day (the kiosk's local date, ``YYYY-MM-DD``).

    ``unique_signers`` (per campaign: distinct normalised name + five-digit ZIP) needs the
    organization's private key on the server; it is null when no key is configured.
    ``quarantined`` counts signatures the server could not read (no configured key opens them,
    or their contents break the schema: "n could not be read"; listed by ``kiosk-server
    quarantine list``), left out of every other count; ``undecryptable`` is the same number
    (its older name). ``unread`` counts signatures not opened yet (they arrived while the server
    had no key; counted until read).
    """

    model_config = _STRICT

    campaigns: dict[str, int]
    locals: dict[str, int]
    devices: dict[str, int]
    events: dict[str, int] = Field(default_factory=dict)
    days: dict[str, int] = Field(default_factory=dict)
    voided: int
    synthetic: int
    unique_signers: dict[str, int] | None
    undecryptable: int
    quarantined: int = 0
    unread: int = 0


# --- what a kiosk reports ---------------------------------------------------------------------

#: At most this many signatures pending on one tablet (far beyond what a kiosk holds).
MAX_REPORTED_PENDING = 10_000_000
#: An app version: digits and dots, then optionally letters for a pre-release or build tag.
_VERSION_PATTERN = r"^[0-9]{1,4}(\.[0-9]{1,4}){0,3}([+.-][0-9A-Za-z.]{1,16})?$"
#: An error code: lower-case words joined by ``_`` (the kiosk's ``SyncErrorCode`` values).
_ERROR_CODE_PATTERN = r"^[a-z][a-z_]{0,31}$"


class KioskReport(BaseModel):
    """``POST /api/v1/report``: what a kiosk says of itself after each sync pass, for the
    console's kiosks list. Nothing personal: how many signatures are still on the tablet
    waiting to be sent, the app's version, and the error code its last failed sync ended with
    (and when), or null after a pass that succeeded."""

    model_config = _STRICT

    pending: int = Field(strict=True, ge=0, le=MAX_REPORTED_PENDING)
    app_version: Annotated[
        str, StringConstraints(strict=True, max_length=32, pattern=_VERSION_PATTERN)
    ]
    last_error: Annotated[
        str | None, StringConstraints(strict=True, max_length=32, pattern=_ERROR_CODE_PATTERN)
    ] = None
    last_error_at: WireDatetime | None = None


class DeviceState(BaseModel):
    """``GET /api/v1/device``: what the server holds from the asking kiosk, asked at the start
    of each sync pass. Both only ever move forward on a server, so an answer behind what this
    server told the kiosk before means its database was restored from an older backup and lost
    what it had acknowledged since: the kiosk then sends all of that again
    (:meth:`kiosk.sync.engine.SyncEngine.run_once`).

    - ``signatures_received``: the signatures stored from this device (answered ``created``).
    - ``audit_head``: the head of its audit trail the server acknowledges (null: none yet).
    """

    model_config = _STRICT

    signatures_received: int = Field(strict=True, ge=0, le=2**53)
    audit_head: AuditHead | None = None


class HealthResponse(BaseModel):
    """``GET /api/v1/health``."""

    model_config = _STRICT

    status: Literal["ok"]
    version: Annotated[str, _shown(64)]


# --- errors ------------------------------------------------------------------------------------


class FieldProblem(BaseModel):
    """One validation problem: where (``signatures.3.utc_offset_minutes``), what kind, message."""

    model_config = _STRICT

    loc: str
    type: str
    msg: str


class ErrorBody(BaseModel):
    """Every 4xx/5xx body. ``error`` is a stable code for programs; ``detail`` is for people.

    Codes: ``malformed_json`` (400), ``bad_request`` (400, bad ``Content-Length``),
    ``unauthorized`` (401), ``device_revoked`` / ``coordinators_only`` / ``coordinator_token`` /
    ``coordinator_revoked`` / ``viewer_no_export`` / ``demo_kiosk`` / ``demo_server`` (403),
    ``enrollment_code_invalid`` / ``enrollment_code_expired`` / ``enrollment_code_used`` (403),
    ``not_found`` / ``campaign_not_found`` / ``event_not_found`` / ``nothing_to_export`` (404),
    ``method_not_allowed`` (405), ``body_timeout`` (408), ``no_private_key`` (409),
    ``body_too_large`` / ``too_many_json_values`` (413), ``unsupported_media_type`` (415), ``validation_failed`` /
    ``bad_dates`` (422), ``rate_limited`` (429), ``internal_error`` (500),
    ``database_unavailable`` / ``server_busy`` (503, retry later). docs/server.md, "Errors".
    """

    model_config = _STRICT

    error: str
    detail: str
    errors: list[FieldProblem] | None = None
