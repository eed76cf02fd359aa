"""The server's tables, as typed SQLAlchemy ORM classes.

The schema itself is made by the Alembic migrations in ``kiosk/server/migrations``; a test checks
that the migrations and these classes agree on both backends.

Nothing here is ever updated in place except events (editable on the kiosk), campaign documents
(replaced by an import), and device bookkeeping (revocation, last seen). Signatures and voids are
written once; a different record under a known id goes to ``conflicts``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.server.db import UTCDateTime
from kiosk.server.model_base import Base as Base  # re-exported
from kiosk.server.model_base import table_of as table_of  # re-exported


class EnrollmentCode(Base):
    """A one-time code a new kiosk trades for a device token. Only its hash is stored."""

    __tablename__ = "enrollment_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: The campaigns the enrolled device may push to (null: every campaign the server knows).
    campaigns: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class Device(Base):
    """An enrolled kiosk. Its bearer token is stored as a SHA-256 hash only."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The campaigns it may push signatures to (null: every campaign the server knows).
    campaigns: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    #: The public half (base64) of the kiosk's Ed25519 audit key, registered at its first
    #: audit push; its entries must carry signatures by it.
    audit_public_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: The first entry that must be signed (those stored before the key was registered, by a
    #: kiosk of an older version, are not).
    audit_signed_from: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    #: The head of its audit trail the server last acknowledged (the anchor).
    audit_head_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    audit_head_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Signatures stored from it (answered ``created``), counted in the transaction that stores
    #: them and never lowered: it moves back only when the database is restored from an older
    #: backup, which is how the kiosk finds that the server lost what it acknowledged
    #: (``GET /device``).
    signatures_received: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default=text("0")
    )
    #: Enrolled as a demo kiosk (``kiosk --demo``): only a demo server takes its pushes.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: What the kiosk last reported with a sync (``POST /report``; none of it personal): when,
    #: the signatures still pending on it, its app version, and the error code of its last
    #: failed sync and when that was.
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    report_pending: Mapped[int | None] = mapped_column(Integer, nullable=True)
    report_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    report_error: Mapped[str | None] = mapped_column(String(32), nullable=True)
    report_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Signature(Base):
    """A signature received from a kiosk, stored once by its UUID and never changed."""

    __tablename__ = "signatures"
    __table_args__ = (
        Index("ix_signatures_campaign_local", "campaign", "local_campaign"),
        #: The console's charts and the rally screen's "today" and "moving most" (covering:
        #: they read the index only, never the rows with their sealed blobs).
        Index(
            "ix_signatures_campaign_created",
            "campaign",
            "created_at",
            "utc_offset_minutes",
            "synthetic",
            "local_campaign",
            "event_id",
            "device_id",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    campaign: Mapped[str] = mapped_column(String(64))
    local_campaign: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text_version: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(2))
    kiosk_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    utc_offset_minutes: Mapped[int] = mapped_column(Integer)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    #: drawn, typed or typed_witnessed, as the kiosk said (migration 0013).
    method: Mapped[str] = mapped_column(String(16), server_default="drawn")
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignatureVoid(Base):
    """The void of one signature (at most one per signature; later different ones conflict)."""

    __tablename__ = "voids"

    signature_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signatures.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    voided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kiosk_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Conflict(Base):
    """A pushed signature or void whose id was already taken by different content.

    Kept for review, never applied. The same conflicting content is recorded once.
    """

    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("kind", "record_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # "signature" or "void"
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # the pushed record as wire JSON
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EventRecord(Base):
    """An event (rally, tabling) as last pushed by a kiosk."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    location: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CampaignRecord(Base):
    """A campaign document (the campaign file structure as JSON), replaced on each import."""

    __tablename__ = "campaigns"

    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TextVersionRecord(Base):
    """Every text version the server has ever been given, kept even when a file drops it."""

    __tablename__ = "text_versions"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign: Mapped[str] = mapped_column(String(64), index=True)
    local_campaign: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Coordinator(Base):
    """A person allowed to read signatures back (exports, statistics) through the API.

    Made with ``kiosk-server coordinators add``; the API token is stored as a SHA-256 hash only
    (256 random bits, so a plain hash cannot be reversed). Revoking stops the token at once.
    """

    __tablename__ = "coordinators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The console sign-in (``coordinators add --email``); null for a token-only coordinator.
    email: Mapped[str | None] = mapped_column(String(254), unique=True, nullable=True)
    #: ``admin``, ``coordinator`` or ``viewer`` (see :mod:`kiosk.server.console.auth`).
    role: Mapped[str] = mapped_column(String(16), server_default="coordinator")
    #: Argon2id (libsodium's encoded string, the kiosk's PIN parameters); null: no sign-in.
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)


class ConsoleSession(Base):
    """A signed-in browser: the cookie holds a random token, the database its SHA-256 only, so
    every server process shares sessions and revoking one ends it at its next request."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    coordinator_id: Mapped[int] = mapped_column(ForeignKey("coordinators.id"), index=True)
    #: The token every form of this session carries (compared in constant time).
    csrf: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    address: Mapped[str] = mapped_column(String(64))


class ConsoleSigninLimit(Base):
    """A bucket of sign-in attempts (per email and per client address), shared by every
    process: taken with one conditional upsert, like :class:`EnrollLimit`."""

    __tablename__ = "console_signin_limits"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float, index=True)


class ConsoleSetup(Base):
    """The first-run set-up code (its SHA-256), written by ``kiosk-server serve`` while no admin
    exists; one row."""

    __tablename__ = "console_setup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsoleJob(Base):
    """A console export made in the background: its progress, then its file until downloaded
    or expired (in the database, so any server process can hand it out)."""

    __tablename__ = "console_jobs"
    #: The exports page prunes, fails and lists jobs by ``created_at`` at every view: on SQLite,
    #: where ``created_at`` comes after ``result`` in the row, reading it from the row walks the
    #: file's whole overflow chain (about 3.6 ms per 10 MB job). From these indexes it never
    #: reads a row it does not keep (migration 0020).
    __table_args__ = (
        Index("ix_console_jobs_created", "created_at"),
        Index("ix_console_jobs_coordinator_created", "coordinator_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    coordinator_id: Mapped[int] = mapped_column(ForeignKey("coordinators.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12))
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    result: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuditEntryRecord(Base):
    """One link of a device's audit trail, stored once per (device, seq) as the kiosk sent it."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("device_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    at_ms: Mapped[int] = mapped_column(BigInteger)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The kiosk's Ed25519 signature (base64) of ``hash``.
    sig: Mapped[str | None] = mapped_column(String(100), nullable=True)


class AuditConflict(Base):
    """An audit entry whose (device, seq) was already stored with another hash; kept for review."""

    __tablename__ = "audit_conflicts"
    __table_args__ = (UniqueConstraint("device_id", "seq", "hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ServerAuditRecord(Base):
    """One link of the server's own audit trail: who read signatures back, and staff changes.

    Chained like a kiosk's trail (:mod:`kiosk.domain.audit`, ``kiosk_id`` ``"server"``), so an
    entry edited or removed in the database is found by ``kiosk-server audit verify``.
    """

    __tablename__ = "server_audit"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at_ms: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class EnrollLimit(Base):
    """The bucket of refused enrollment attempts of one client address.

    Kept in the database so that every server process (``--workers N``, several hosts) shares one
    limit, and taken with one conditional upsert, so concurrent attempts cannot overrun it
    (:func:`kiosk.server.ratelimit.take_enroll_attempt`).
    """

    __tablename__ = "enroll_limits"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    #: Seconds since the epoch (a number, so the refill is the same arithmetic on both backends).
    updated: Mapped[float] = mapped_column(Float, index=True)


class SignatureFact(Base):
    """What the server learned from opening one signature (:mod:`kiosk.server.tallies`).

    ``state`` is ``pending`` (not opened yet: no private key configured when it arrived),
    ``ok`` or ``quarantined`` (no configured key opens it, or its contents break the schema;
    ``reason`` names the rule, never a value). ``signer`` is a 16-byte digest of the normalised
    name and ZIP keyed by a key derived from the organization's private key (so the database
    alone cannot test a guessed name), set for ``ok`` only.
    """

    __tablename__ = "signature_facts"
    #: By state (the pending ones to open, the quarantined ones), and within a state in the
    #: order they were read: the quarantine's list, oldest first, ties by id (migration 0021).
    __table_args__ = (Index("ix_signature_facts_state_read", "state", "read_at", "signature_id"),)

    signature_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signatures.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    signer: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class StatCount(Base):
    """One running count (``campaign:SLUG``, ``day:2026-11-23``, ``quarantined``...), kept up to
    date in the transaction that changes it, so statistics never scan the signatures.

    A count is the sum of its rows over ``shard``: concurrent pushes add to different shards
    (one per database connection), so they do not queue on one hot row until they commit.
    """

    __tablename__ = "stat_counts"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="0")
    n: Mapped[int] = mapped_column(BigInteger)


class HourCount(Base):
    """How many counted signatures (as ``campaign:SLUG`` counts them: not voided, synthetic or
    quarantined) a campaign got in one UTC hour, on one kiosk-local date, at one event, from one
    device: the console's charts sum these rows instead of scanning the signatures.

    Kept in the transaction that changes a signature, like :class:`StatCount`, and sharded the
    same way (a figure is the sum over ``shard``). ``event_id`` is ``""`` for no event.
    """

    __tablename__ = "hour_counts"

    campaign: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[str] = mapped_column(String(13), primary_key=True)  # UTC, YYYY-MM-DDTHH
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # the kiosk's local date
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class SignerCount(Base):
    """How many counted signatures of a campaign carry one signer digest (unique signers are the
    rows with ``n > 0``, counted in ``stat_counts`` as ``unique:SLUG``)."""

    __tablename__ = "signer_counts"

    campaign: Mapped[str] = mapped_column(String(64), primary_key=True)
    signer: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


# The forwarding tables live with their package (on :mod:`kiosk.server.model_base`'s ``Base``,
# so that package never imports this module); importing them here, one way, puts them in
# ``Base``'s metadata wherever the models are loaded (migrations, the schema test).
from kiosk.server.forwarding import models as _forwarding_models  # noqa: E402, F401
