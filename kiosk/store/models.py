"""ORM tables of the kiosk store (typed SQLAlchemy 2 declarative models).

Times are stored as integer Unix milliseconds (UTC): compact, indexable, unambiguous. The
personal data of a signature is one sealed blob; every other column is non-personal metadata.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column


class Base(DeclarativeBase):
    """Base of the kiosk store's tables."""


class TextVersionRow(Base):
    """Every text version a signature was given under (kept forever)."""

    __tablename__ = "text_versions"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign: Mapped[str] = mapped_column(String(64), index=True)
    local_campaign: Mapped[str | None] = mapped_column(String(64))
    text_json: Mapped[str] = mapped_column(Text)
    first_seen_ms: Mapped[int]


class EventRow(Base):
    """A rally or tabling event."""

    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    location: Mapped[str] = mapped_column(String(120))
    started_ms: Mapped[int]
    sync_state: Mapped[str] = mapped_column(String(16), default="pending")


class SealedRow(Base):
    """A signature's sealed personal data, in a table of its own (migration 0005).

    Kept apart from the signature's row so that what changes (its sync state, its export time,
    a void) rewrites a row of about 200 bytes, not one with a 2 KB blob: marking 10,000
    signatures synced (``SqlStore.mark_ranges``, 20 ranges) took about 0.10 s of CPU with the
    blob in the row and takes about 0.02 s without.
    Purging the personal data deletes this row; a signature with none has no row here.
    """

    __tablename__ = "signature_sealed"
    #: The rows still held, without their blobs: retention's count and list are driven from it
    #: (migration 0007), not from every synced signature.
    __table_args__ = (Index("ix_signature_sealed_seq", "seq"),)
    seq: Mapped[int] = mapped_column(ForeignKey("signatures.seq"), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class SignatureRow(Base):
    """One signature: metadata in clear, personal data sealed, local sync state."""

    __tablename__ = "signatures"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    campaign: Mapped[str] = mapped_column(String(64))
    local_campaign: Mapped[str | None] = mapped_column(String(64))
    text_version: Mapped[str] = mapped_column(ForeignKey("text_versions.hash"))
    lang: Mapped[str] = mapped_column(String(8))
    kiosk_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(64))
    created_ms: Mapped[int]
    utc_offset_minutes: Mapped[int]
    synthetic: Mapped[bool]
    #: ``SignatureMethod``: drawn, typed or typed_witnessed (migration 0004).
    method: Mapped[str] = mapped_column(String(16), default="drawn", server_default="drawn")
    #: The sealed personal data (:class:`SealedRow`, read with the row); None once purged.
    #: Read-only here: written and deleted through ``SealedRow``.
    sealed: Mapped[bytes | None] = column_property(
        select(SealedRow.sealed)
        .where(SealedRow.seq == seq)
        .correlate_except(SealedRow)
        .scalar_subquery()
    )
    exported_ms: Mapped[int | None] = mapped_column(default=None)
    voided: Mapped[bool] = mapped_column(default=False)
    sync_state: Mapped[str] = mapped_column(String(16), default="pending")

    __table_args__ = (
        Index("ix_signatures_campaign_local", "campaign", "local_campaign", "voided"),
        Index("ix_signatures_event", "event_id", "voided"),
        Index("ix_signatures_sync", "sync_state", "seq"),
        Index("ix_signatures_created", "created_ms"),
    )


class SignatureTallyRow(Base):
    """Running counts of the signatures (migration 0006), kept exact by triggers on
    ``signatures`` and ``signature_sealed`` (never written by the code): ``n`` signatures of
    one campaign, local campaign, event, synthetic and void state, of which ``held`` still hold
    their sealed personal data. A local campaign or event that is none is "" here.

    A count with no time bound sums these rows instead of walking every signature (40 to
    110 ms each on 200,000 stored, several on the UI thread as staff mode opened).
    """

    __tablename__ = "signature_tally"
    campaign: Mapped[str] = mapped_column(String(64), primary_key=True)
    local_campaign: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    synthetic: Mapped[bool] = mapped_column(primary_key=True)
    voided: Mapped[bool] = mapped_column(primary_key=True)
    n: Mapped[int]
    held: Mapped[int]

    __table_args__ = ({"sqlite_with_rowid": False},)


class DedupeKeyRow(Base):
    """Keyed hashes for the duplicate hint (no names in clear)."""

    __tablename__ = "dedupe_keys"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    signature_seq: Mapped[int] = mapped_column(
        ForeignKey("signatures.seq"), primary_key=True, index=True
    )


class VoidRow(Base):
    """A void of one signature: the signature is kept and marked."""

    __tablename__ = "voids"
    signature_id: Mapped[str] = mapped_column(ForeignKey("signatures.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    voided_ms: Mapped[int]
    kiosk_id: Mapped[str] = mapped_column(String(64))
    sync_state: Mapped[str] = mapped_column(String(16), default="pending", index=True)


class SettingRow(Base):
    """Small durable settings."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    """One staff action in the hash-chained, append-only audit trail (no personal data)."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(primary_key=True)
    at_ms: Mapped[int]
    kiosk_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    detail_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    sync_state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    #: Ed25519 signature (base64) of ``hash`` by the kiosk's audit key.
    sig: Mapped[str | None] = mapped_column(String(100), nullable=True)
