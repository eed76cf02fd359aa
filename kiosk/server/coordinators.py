"""Coordinator accounts: the people who may read signatures back through the API.

Made from the command line only (``kiosk-server coordinators add --name NAME``), which prints a
random API token once; the database keeps its SHA-256 hash, as for device tokens (256 random
bits: a plain hash cannot be reversed). There are no passwords: the API token is the credential,
sent as ``Authorization: Bearer TOKEN``. Revoking a coordinator makes the token fail at once.

Coordinator and device tokens are kept apart: a device token never reads signatures back and a
coordinator token cannot push as a device.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from kiosk.server.devices import LAST_SEEN_RESOLUTION, sha256_hex
from kiosk.server.models import Coordinator, table_of

COORDINATORS = table_of(Coordinator)


class Role(enum.StrEnum):
    """What an account may do (each includes the one before), in the console and with its API
    token alike."""

    VIEWER = "viewer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        order = [Role.VIEWER, Role.COORDINATOR, Role.ADMIN]
        return order.index(self) >= order.index(needed)


#: Coordinator tokens start with this, so they are easy to tell from device tokens in a vault.
TOKEN_PREFIX = "kc_"
#: A coordinator's name is at most this long (``coordinators.name``); an email may be 254.
NAME_MAX = 120


@dataclass(frozen=True, slots=True)
class NewCoordinator:
    """A freshly made coordinator and its clear token (shown once)."""

    id: int
    name: str
    token: str


@dataclass(frozen=True, slots=True)
class CoordinatorInfo:
    """A coordinator as listed (and as authenticated)."""

    id: int
    name: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
    #: What the account may do: a viewer's token reads counts, never signers' data.
    role: Role


class CoordinatorRefused(Exception):
    """A token is not a coordinator's (``revoked`` False) or the coordinator was revoked."""

    def __init__(self, revoked: bool) -> None:
        self.revoked = revoked
        super().__init__("coordinator revoked" if revoked else "not a coordinator token")


def add(conn: Connection, name: str, now: datetime) -> NewCoordinator:
    """Create a coordinator with a new random API token.

    Args:
        conn: a connection inside a transaction.
        name: who it is (shown in lists); one made from an email is cut to :data:`NAME_MAX`
            (PostgreSQL refuses a longer one).
        now: the current time (aware).
    """
    name = name[:NAME_MAX]
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    new_id = conn.execute(
        COORDINATORS.insert()
        .values(name=name, token_hash=sha256_hex(token), created_at=now)
        .returning(COORDINATORS.c.id)
    ).scalar_one()
    return NewCoordinator(id=new_id, name=name, token=token)


def list_all(conn: Connection) -> list[CoordinatorInfo]:
    """Every coordinator, oldest first.

    Args:
        conn: a connection.
    """
    c = COORDINATORS.c
    rows = conn.execute(
        select(c.id, c.name, c.created_at, c.last_seen_at, c.revoked_at, c.role).order_by(c.id)
    )
    return [
        CoordinatorInfo(r.id, r.name, r.created_at, r.last_seen_at, r.revoked_at, Role(r.role))
        for r in rows
    ]


def revoke(conn: Connection, coordinator_id: int, now: datetime) -> bool | None:
    """Revoke a coordinator: the token stops working at once.

    Returns:
        True if revoked now, False if it already was, None if there is no such coordinator.
    """
    c = COORDINATORS.c
    done = conn.execute(
        update(Coordinator)
        .where(c.id == coordinator_id, c.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(c.id)
    ).first()
    if done is not None:
        return True
    exists = conn.execute(select(c.id).where(c.id == coordinator_id)).first()
    return False if exists is not None else None


def authenticate(conn: Connection, token: str) -> CoordinatorInfo:
    """Return the coordinator whose token this is.

    Raises:
        CoordinatorRefused: unknown token, or the coordinator was revoked.
    """
    c = COORDINATORS.c
    row = conn.execute(
        select(c.id, c.name, c.created_at, c.last_seen_at, c.revoked_at, c.role).where(
            c.token_hash == sha256_hex(token)
        )
    ).first()
    if row is None:
        raise CoordinatorRefused(revoked=False)
    if row.revoked_at is not None:
        raise CoordinatorRefused(revoked=True)
    return CoordinatorInfo(
        row.id, row.name, row.created_at, row.last_seen_at, row.revoked_at, Role(row.role)
    )


def touch(conn: Connection, who: CoordinatorInfo, now: datetime) -> None:
    """Record that a coordinator was seen (at most once a minute).

    Args:
        conn: a connection inside a transaction.
        who: the authenticated coordinator.
        now: the current time (aware).
    """
    if who.last_seen_at is not None and now - who.last_seen_at < LAST_SEEN_RESOLUTION:
        return
    conn.execute(update(Coordinator).where(COORDINATORS.c.id == who.id).values(last_seen_at=now))
