"""Enrollment codes, devices and bearer tokens.

An administrator makes a one-time code with ``kiosk-server enroll-code``; a kiosk trades it once,
before it expires, for a device id and a bearer token (``POST /api/v1/enroll``). The database
keeps only SHA-256 hashes of codes and tokens: both carry enough entropy (80 and 256 bits) that a
plain hash cannot be reversed. Revoking a device makes its token fail on the next request
(403 ``device_revoked``), and the server's audit trail records that a revoked device knocked
(``revoked_device_refused``, at most once a minute per device and server process).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Connection, func, select, update

from kiosk.server.models import Device, EnrollmentCode, table_of
from kiosk.wire import AuditHead, DeviceState, KioskReport

#: Letters of enrollment codes: Crockford's base 32 (no I, L, O, U), easy to type on a touchscreen.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4
#: Longest validity an enrollment code may be given, in hours.
MAX_VALID_HOURS = 24 * 30
#: How often (at most) a device's ``last_seen_at`` is written.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


class EnrollFailure(StrEnum):
    """Why an enrollment code was refused (also the API's error codes)."""

    INVALID = "enrollment_code_invalid"
    EXPIRED = "enrollment_code_expired"
    USED = "enrollment_code_used"


class EnrollRefused(Exception):
    """An enrollment code was refused; ``reason`` says why."""

    def __init__(self, reason: EnrollFailure) -> None:
        self.reason = reason
        super().__init__(str(reason))


@dataclass(frozen=True, slots=True)
class NewCode:
    """A freshly made enrollment code (the clear code exists only here and on screen)."""

    code: str
    name: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Enrolled:
    """A freshly enrolled device and its clear token (shown once)."""

    device_id: str
    name: str
    token: str


@dataclass(frozen=True, slots=True)
class AuthenticatedDevice:
    """The device behind a valid bearer token."""

    id: str
    name: str
    last_seen_at: datetime | None
    demo: bool = False


def sha256_hex(value: str) -> str:
    """SHA-256 of a UTF-8 string, as hex."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    """Canonical form of a typed code: upper case, without spaces or dashes, O→0, I/L→1.

    Args:
        code: the code as typed.
    """
    cleaned = "".join(code.split()).replace("-", "").upper()
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def make_code() -> str:
    """A random code like ``7K3M-Q9TX-...`` (80 bits)."""
    groups = [
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    ]
    return "-".join(groups)


def create_enrollment_code(
    conn: Connection,
    name: str,
    valid_for: timedelta,
    now: datetime,
    campaigns: Sequence[str] | None = None,
) -> NewCode:
    """Store a new one-time enrollment code and return it in clear.

    Args:
        conn: a connection inside a transaction.
        name: the name the enrolled device will get (unless the kiosk sends its own).
        valid_for: how long the code can be used.
        now: the current time (aware).
        campaigns: the campaigns the enrolled device may push signatures to (None: every
            campaign the server knows when it pushes).
    """
    code = make_code()
    expires = now + valid_for
    conn.execute(
        table_of(EnrollmentCode)
        .insert()
        .values(
            code_hash=sha256_hex(normalise_code(code)),
            name=name,
            created_at=now,
            expires_at=expires,
            campaigns=sorted(set(campaigns)) if campaigns is not None else None,
        )
    )
    return NewCode(code=code, name=name, expires_at=expires)


def _open_at(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """An enrollment code that can still enroll a kiosk at ``now``: not used, not expired (what
    listing, counting, cancelling and enrolling all ask)."""
    t = table_of(EnrollmentCode).c
    return t.used_at.is_(None), t.expires_at > now


@dataclass(frozen=True, slots=True)
class OpenCode:
    """An enrollment code not used yet and not expired (its clear code is gone: only its hash
    is stored)."""

    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    campaigns: list[str] | None


def open_codes(conn: Connection, now: datetime, limit: int | None = 200) -> list[OpenCode]:
    """The enrollment codes that could still enroll a kiosk, newest first (at most ``limit``;
    None: every one)."""
    t = table_of(EnrollmentCode).c
    rows = conn.execute(
        select(t.id, t.name, t.created_at, t.expires_at, t.campaigns)
        .where(*_open_at(now))
        .order_by(t.created_at.desc(), t.id.desc())
        .limit(limit)
    )
    return [OpenCode(r.id, r.name, r.created_at, r.expires_at, r.campaigns) for r in rows]


#: The largest id a code can have: PostgreSQL's ``integer`` (the column's type on both
#: databases). A larger one is no code; asked for, PostgreSQL refuses it ("integer out of
#: range") and SQLite any beyond 64 bits.
MAX_CODE_ID = 2**31 - 1


def count_open_codes(conn: Connection, now: datetime) -> int:
    """How many enrollment codes could still enroll a kiosk (:func:`open_codes` lists at most
    its ``limit`` of them)."""
    found = conn.execute(
        select(func.count()).select_from(table_of(EnrollmentCode)).where(*_open_at(now))
    ).scalar_one()
    return int(found)


def cancel_code(conn: Connection, code_id: int, now: datetime) -> str | None:
    """End an unused enrollment code now (a kiosk trying it hears it expired); the name it
    was made for, or None when no such code could still be used (an id out of the column's
    range is none)."""
    if not 0 < code_id <= MAX_CODE_ID:
        return None
    t = table_of(EnrollmentCode)
    row = conn.execute(
        update(EnrollmentCode)
        .where(t.c.id == code_id, *_open_at(now))
        .values(expires_at=now)
        .returning(t.c.name)
    ).first()
    return None if row is None else str(row.name)


def enroll(
    conn: Connection, code: str, name: str | None, now: datetime, demo: bool = False
) -> Enrolled:
    """Use an enrollment code once and create the device.

    The code is claimed by a single conditional UPDATE, so two kiosks racing with one code
    cannot both enroll.

    Args:
        conn: a connection inside a transaction.
        code: the code as typed.
        name: the device's name, or None for the name given with the code.
        now: the current time (aware).
        demo: the kiosk is a demo kiosk (``kiosk --demo``); the device keeps that for good.

    Raises:
        EnrollRefused: the code is unknown, expired or already used.
    """
    code_hash = sha256_hex(normalise_code(code))
    device_id = str(uuid.uuid4())
    t = table_of(EnrollmentCode)
    claimed = conn.execute(
        update(EnrollmentCode)
        .where(t.c.code_hash == code_hash, *_open_at(now))
        .values(used_at=now, device_id=device_id)
        .returning(t.c.name, t.c.campaigns)
    ).first()
    if claimed is None:
        row = conn.execute(
            select(t.c.used_at, t.c.expires_at).where(t.c.code_hash == code_hash)
        ).first()
        if row is None:
            raise EnrollRefused(EnrollFailure.INVALID)
        if row.used_at is not None:
            raise EnrollRefused(EnrollFailure.USED)
        raise EnrollRefused(EnrollFailure.EXPIRED)
    token = secrets.token_urlsafe(32)
    device_name = name or claimed.name
    conn.execute(
        table_of(Device)
        .insert()
        .values(
            id=device_id,
            name=device_name,
            token_hash=sha256_hex(token),
            enrolled_at=now,
            demo=demo,
            campaigns=claimed.campaigns,
        )
    )
    return Enrolled(device_id=device_id, name=device_name, token=token)


class TokenRefused(Exception):
    """A bearer token is unknown (``revoked`` False) or belongs to a revoked device."""

    def __init__(self, revoked: bool, device_id: str | None = None) -> None:
        self.revoked = revoked
        self.device_id = device_id
        super().__init__("device revoked" if revoked else "invalid token")


def authenticate(conn: Connection, token: str) -> AuthenticatedDevice:
    """Return the device whose token this is.

    Args:
        conn: a connection.
        token: the bearer token.

    Raises:
        TokenRefused: unknown token, or the device was revoked.
    """
    t = table_of(Device)
    row = conn.execute(
        select(t.c.id, t.c.name, t.c.revoked_at, t.c.last_seen_at, t.c.demo).where(
            t.c.token_hash == sha256_hex(token)
        )
    ).first()
    if row is None:
        raise TokenRefused(revoked=False)
    if row.revoked_at is not None:
        raise TokenRefused(revoked=True, device_id=row.id)
    return AuthenticatedDevice(
        id=row.id, name=row.name, last_seen_at=row.last_seen_at, demo=bool(row.demo)
    )


def touch(conn: Connection, device: AuthenticatedDevice, now: datetime) -> None:
    """Record that a device was seen (at most once per :data:`LAST_SEEN_RESOLUTION`).

    Args:
        conn: a connection inside a transaction.
        device: the authenticated device.
        now: the current time (aware).
    """
    if device.last_seen_at is not None and now - device.last_seen_at < LAST_SEEN_RESOLUTION:
        return
    t = table_of(Device)
    conn.execute(update(Device).where(t.c.id == device.id).values(last_seen_at=now))


def record_report(
    conn: Connection,
    device: AuthenticatedDevice,
    report: KioskReport,
    now: datetime,
) -> None:
    """Keep what a device reported of itself (:class:`kiosk.wire.KioskReport`) and mark it
    seen. A report without an error leaves the last error kept (the console shows it with its
    time); an error dated in the future, or undated, is kept as of ``now``.

    Args:
        conn: a connection inside a transaction.
        device: the authenticated device.
        report: the validated report.
        now: the current time (aware).
    """
    values: dict[str, object] = {
        "reported_at": now,
        "last_seen_at": now,
        "report_pending": report.pending,
        "report_version": report.app_version,
    }
    if report.last_error is not None:
        at = report.last_error_at
        values["report_error"] = report.last_error
        values["report_error_at"] = now if at is None or at > now else at
    t = table_of(Device)
    conn.execute(update(Device).where(t.c.id == device.id).values(**values))


def device_state(conn: Connection, device_id: str) -> DeviceState:
    """What the server holds from a device (``GET /device``): the signatures stored from it
    and the head of its audit trail acknowledged.

    Args:
        conn: a connection.
        device_id: the authenticated device's id.
    """
    t = table_of(Device)
    row = conn.execute(
        select(t.c.signatures_received, t.c.audit_head_seq, t.c.audit_head_hash).where(
            t.c.id == device_id
        )
    ).one()
    head = (
        AuditHead(seq=row.audit_head_seq, hash=row.audit_head_hash)
        if row.audit_head_seq and row.audit_head_hash
        else None
    )
    return DeviceState(signatures_received=int(row.signatures_received), audit_head=head)


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A device as listed by ``kiosk-server devices list``."""

    id: str
    name: str
    enrolled_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


def list_devices(conn: Connection) -> list[DeviceInfo]:
    """Every device, oldest enrollment first.

    Args:
        conn: a connection.
    """
    t = table_of(Device)
    rows = conn.execute(
        select(t.c.id, t.c.name, t.c.enrolled_at, t.c.last_seen_at, t.c.revoked_at).order_by(
            t.c.enrolled_at, t.c.id
        )
    )
    return [DeviceInfo(r.id, r.name, r.enrolled_at, r.last_seen_at, r.revoked_at) for r in rows]


def revoke_device(conn: Connection, device_id: str, now: datetime) -> bool | None:
    """Revoke a device: its token stops working at once. Its signatures stay.

    Args:
        conn: a connection inside a transaction.
        device_id: the device's id.
        now: the current time (aware).

    Returns:
        True if revoked now, False if it already was, None if there is no such device.
    """
    t = table_of(Device)
    revoked = conn.execute(
        update(Device)
        .where(t.c.id == device_id, t.c.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(t.c.id)
    ).first()
    if revoked is not None:
        return True
    exists = conn.execute(select(t.c.id).where(t.c.id == device_id)).first()
    return False if exists is not None else None


def device_campaigns(conn: Connection, device_id: str) -> set[str] | None:
    """The campaigns a device may push signatures to (None: every campaign the server knows)."""
    value = conn.execute(
        select(table_of(Device).c.campaigns).where(table_of(Device).c.id == device_id)
    ).scalar_one_or_none()
    return set(value) if isinstance(value, list) else None
