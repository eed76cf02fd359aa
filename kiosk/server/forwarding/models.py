"""The forwarding tables: destinations, the outbox, every send attempt, and the SQLite lease.

- ``forward_destinations``: where a campaign's (or one local campaign's) signatures go. The URL
  and the credential (OSDI API token, webhook signing secret) are sealed together with the
  server's forwarding secret (:mod:`kiosk.server.forwarding.secrets`) in ``sealed``; only the
  scheme, host and port are kept in clear (``endpoint``), for listings and logs.
- ``forward_outbox``: one row per (destination, signature), unique, so a signature is queued
  once per destination whatever the number of server processes; its ``state`` is ``pending``,
  ``sent``, ``dead`` (gave up after ``max_attempts``, or refused for good) or ``skipped``
  (never sent: voided, no opt-in where the destination needs one, unreadable; ``reason`` says).
- ``forward_attempts``: every send and skip (destination, signature id, result, HTTP status,
  a short reason), never a byte of personal data: the forwarding audit log.
- ``forward_leases``: on SQLite, the single-writer lease one forwarder process holds.

They derive from :mod:`kiosk.server.model_base`'s ``Base`` (not :mod:`kiosk.server.models`,
which imports this module one way to register them in the server's metadata).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.server.db import UTCDateTime
from kiosk.server.model_base import Base, table_of

#: An autoincrementing 64-bit key on PostgreSQL that SQLite also autoincrements.
_BIGID = BigInteger().with_variant(Integer(), "sqlite")


class ForwardDestination(Base):
    """A place signatures are forwarded to (Action Network / OSDI, or a signed webhook)."""

    __tablename__ = "forward_destinations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    #: ``osdi`` (the record-signature helper) or ``webhook`` (Standard Webhooks).
    kind: Mapped[str] = mapped_column(String(16))
    campaign: Mapped[str] = mapped_column(String(64))
    #: Only this local campaign's signatures (null: the whole campaign, local ones included).
    local_campaign: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: ``scheme://host:port`` of the URL, for listings and logs (the full URL is sealed).
    endpoint: Mapped[str] = mapped_column(String(300))
    #: URL + credential, sealed with the server's forwarding secret.
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    #: Which forwarding secret sealed it (a short fingerprint, to name a wrong secret file).
    secret_id: Mapped[str] = mapped_column(String(16))
    #: Plain HTTP to a host other than localhost was allowed explicitly (``--allow-http``).
    allow_http: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Requests per second at most (0: no limit).
    rate_per_second: Mapped[float] = mapped_column(Float)
    #: Requests in flight at once (per forwarder process).
    concurrency: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    #: What a signer without opt-in becomes: ``skip`` (not forwarded) or ``unsubscribed``
    #: (forwarded with email and phone marked unsubscribed). Webhooks always carry the flag.
    without_opt_in: Mapped[str] = mapped_column(String(16))
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: No request before this (the destination answered 429 with ``Retry-After``).
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Signatures received before this were queued (the queueing scan starts a while earlier).
    queued_through: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ForwardOutboxItem(Base):
    """One signature to send to one destination, exactly once."""

    __tablename__ = "forward_outbox"
    __table_args__ = (
        UniqueConstraint("destination_id", "signature_id"),
        Index("ix_forward_outbox_due", "destination_id", "state", "next_attempt_at"),
        Index("ix_forward_outbox_signature_id", "signature_id"),
    )

    id: Mapped[int] = mapped_column(_BIGID, primary_key=True, autoincrement=True)
    destination_id: Mapped[int] = mapped_column(
        ForeignKey("forward_destinations.id", ondelete="CASCADE")
    )
    signature_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signatures.id"))
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Why it is dead or skipped, or what the last failed attempt met (never personal data).
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The destination's id for the record (OSDI ``identifiers``), when it gave one.
    remote_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ForwardAttempt(Base):
    """One send (or skip) of one signature to one destination: the forwarding audit log."""

    __tablename__ = "forward_attempts"
    __table_args__ = (
        Index("ix_forward_attempts_destination_at", "destination_id", "at"),
        #: A destination's last attempt of a kind (its last send, its last failure) without
        #: reading its other attempts (migration 0019).
        Index("ix_forward_attempts_destination_result_at", "destination_id", "result", "at"),
    )

    id: Mapped[int] = mapped_column(_BIGID, primary_key=True, autoincrement=True)
    destination_id: Mapped[int] = mapped_column(
        ForeignKey("forward_destinations.id", ondelete="CASCADE")
    )
    signature_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: ``sent``, ``retry``, ``rate_limited``, ``dead``, ``skipped``.
    result: Mapped[str] = mapped_column(String(16))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Which forwarder process (host:pid) sent it.
    worker: Mapped[str] = mapped_column(String(80))


class ForwardLease(Base):
    """The single-writer lease of the forwarder on SQLite (one row, ``name='forwarder'``)."""

    __tablename__ = "forward_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Increases at every change of owner: a fencing token.
    epoch: Mapped[int] = mapped_column(BigInteger)


#: The tables, for Core queries (the outbox and the destinations modules both read them here).
DESTINATIONS: Table = table_of(ForwardDestination)
OUTBOX: Table = table_of(ForwardOutboxItem)
ATTEMPTS: Table = table_of(ForwardAttempt)
LEASES: Table = table_of(ForwardLease)
