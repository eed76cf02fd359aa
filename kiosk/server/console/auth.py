"""Console accounts, sessions, CSRF, the sign-in limit and the first-run set-up code.

- **Accounts** are coordinators (:mod:`kiosk.server.coordinators`) with an email, a role and an
  Argon2id password hash (libsodium's encoded string, the kiosk's PIN parameters:
  :func:`kiosk.adapters.crypto.hash_secret`). Their API token keeps working for scripts.
- **Roles**: ``viewer`` reads (overview, kiosks, campaigns, audit); ``coordinator`` also
  exports, makes enrollment codes, renames and revokes kiosks, uploads and publishes
  campaigns; ``admin`` also manages accounts and sessions.
- **Sessions** live in ``console_sessions``: the cookie holds 32 random bytes, the database
  their SHA-256. A session ends after :data:`SESSION_IDLE` without a request or
  :data:`SESSION_MAX` after sign-in, at sign-out, when an admin revokes it, and when its
  coordinator is revoked.
- **CSRF**: every form carries the session's ``csrf`` token (the sign-in and set-up forms a
  token bound to a pre-session cookie); a POST whose token does not match is refused, and so is
  one whose ``Origin`` is another site.
- **Sign-in limit**: buckets per email and per client address in ``console_signin_limits``
  (one conditional upsert per attempt, shared by every process); a success gives the
  attempt back.
- **Set-up code**: while no admin exists, ``kiosk-server serve`` stores the SHA-256 of a fresh
  one-time code and prints the code; ``/console/setup`` asks for it to make the first admin.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, delete, func, literal, select, update

from kiosk.adapters.crypto import hash_secret, verify_secret
from kiosk.server.coordinators import Role as Role  # re-exported: the console's pages use it
from kiosk.server.devices import sha256_hex
from kiosk.server.models import (
    ConsoleSession,
    ConsoleSetup,
    ConsoleSigninLimit,
    Coordinator,
    table_of,
)
from kiosk.server.ratelimit import take_db_token
from kiosk.wire import CONTROL_RE

COORDINATORS = table_of(Coordinator)
SESSIONS = table_of(ConsoleSession)
LIMITS = table_of(ConsoleSigninLimit)
SETUP = table_of(ConsoleSetup)

#: A session ends after this long without a request...
SESSION_IDLE = timedelta(hours=2)
#: ...and this long after sign-in, whatever happens.
SESSION_MAX = timedelta(hours=12)
#: How long a set-up code printed by ``serve`` is good for.
SETUP_VALID = timedelta(hours=24)
#: Sign-in attempts: per email from one address a burst of 5, then one every 2 minutes; per
#: email from every address a burst of 100, then 100 an hour (more than one address may take:
#: someone who knows a coordinator's email cannot lock them out from one address, as the single
#: per-email limit let anyone do with five wrong passwords); per address a burst of 20, then 60
#: an hour.
EMAIL_BURST, EMAIL_PER_SEC = 5.0, 1 / 120
ACCOUNT_BURST, ACCOUNT_PER_SEC = 100.0, 100 / 3600
ADDRESS_BURST, ADDRESS_PER_SEC = 20.0, 60 / 3600
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
_EMAIL = re.compile(
    r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,189}\.[^@\s\x00-\x1f\x7f]{1,63}$"
)
# A hash to verify against when the email is unknown, so a wrong email takes as long as a wrong
# password (made once, lazily).
_DUMMY_HASH: list[str] = []


class AccountError(ValueError):
    """An account cannot be made or changed; ``code`` says why (``email_invalid``,
    ``email_taken``, ``password_short``, ``password_long``, ``role_invalid``, ``last_admin``,
    ``account_unknown``, ``account_revoked``)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Account:
    """A signed-in coordinator as the console sees them."""

    id: int
    name: str
    email: str
    role: Role


@dataclass(frozen=True, slots=True)
class Session:
    """A valid session and its account."""

    id: str
    account: Account
    csrf: str
    lang: str


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased (emails are compared case-insensitively here).

    Raises:
        AccountError: not an email address (control characters and bidirectional overrides
            included, as in every name the console shows: threat model item 25).
    """
    e = email.strip().lower()
    if len(e) > 254 or not _EMAIL.match(e) or CONTROL_RE.search(e):
        raise AccountError("email_invalid", f"not an email address: {email[:80]!r}")
    return e


def check_password(password: str) -> None:
    """Refuse a password that is too short or too long.

    Raises:
        AccountError: ``password_short`` or ``password_long``.
    """
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            "password_short", f"the password must have at least {MIN_PASSWORD} characters"
        )
    if len(password) > MAX_PASSWORD:
        raise AccountError("password_long", f"the password is over {MAX_PASSWORD} characters")


def _role(role: str) -> Role:
    """The role named ``role``.

    Raises:
        AccountError: ``role_invalid``.
    """
    try:
        return Role(role)
    except ValueError:
        raise AccountError(
            "role_invalid", f"role must be admin, coordinator or viewer, not {role!r}"
        ) from None


def set_login(conn: Connection, coordinator_id: int, email: str, role: str, password: str) -> None:
    """Give a coordinator an email, a role and a password (Argon2id).

    Raises:
        AccountError: invalid email or role, a password too short, an email already used.
    """
    e = normalise_email(email)
    r = _role(role)
    check_password(password)
    c = COORDINATORS.c
    taken = conn.execute(select(c.id).where(c.email == e, c.id != coordinator_id)).first()
    if taken is not None:
        raise AccountError("email_taken", f"{e} already has an account")
    conn.execute(
        update(COORDINATORS)
        .where(c.id == coordinator_id)
        .values(email=e, role=r.value, password_hash=hash_secret(password))
    )


def _keep_an_admin(conn: Connection, row: Any, losing: str) -> None:
    """Refuse to take the account of ``row`` away from the admins when it is the only active
    one (nobody could manage accounts any more).

    The admins' rows are locked in id order (PostgreSQL), so two admins demoting or revoking
    each other at once are done one after the other and the second is refused as the last.

    Raises:
        AccountError: ``last_admin``.
    """
    if row.role != Role.ADMIN.value:
        return
    c = COORDINATORS.c
    admins = conn.execute(
        select(c.id)
        .where(
            c.role == Role.ADMIN.value,
            c.revoked_at.is_(None),
            c.password_hash.is_not(None),
        )
        .order_by(c.id)
        .with_for_update()
    ).all()
    if not any(cid != row.id for (cid,) in admins):
        raise AccountError("last_admin", f"the only active admin cannot {losing}")


def _active_account(conn: Connection, coordinator_id: int) -> Any:
    """The account's row (with a login, not revoked).

    Raises:
        AccountError: ``account_unknown`` (no such account, or one with no console login) or
            ``account_revoked``.
    """
    c = COORDINATORS.c
    row = conn.execute(
        select(c.id, c.email, c.role, c.revoked_at).where(c.id == coordinator_id)
    ).first()
    if row is None or row.email is None:
        raise AccountError("account_unknown", f"no console account {coordinator_id}")
    if row.revoked_at is not None:
        raise AccountError("account_revoked", f"account {coordinator_id} is revoked")
    return row


def set_role(conn: Connection, coordinator_id: int, role: str) -> bool:
    """Give an account another role; return whether it changed.

    Raises:
        AccountError: ``role_invalid``; ``last_admin`` (the only active admin would lose the
            role, and nobody could manage accounts any more); ``account_unknown``,
            ``account_revoked``.
    """
    r = _role(role)
    row = _active_account(conn, coordinator_id)
    if row.role == r.value:
        return False
    _keep_an_admin(conn, row, "lose the role")
    c = COORDINATORS.c
    conn.execute(update(COORDINATORS).where(c.id == coordinator_id).values(role=r.value))
    return True


def set_password(conn: Connection, coordinator_id: int, password: str, now: datetime) -> int:
    """Give an account a new password and end its open sessions (one signed in with the old
    password is signed out); return how many sessions ended.

    Raises:
        AccountError: ``password_short``, ``password_long``, ``account_unknown``,
            ``account_revoked``.
    """
    check_password(password)
    _active_account(conn, coordinator_id)
    c = COORDINATORS.c
    conn.execute(
        update(COORDINATORS)
        .where(c.id == coordinator_id)
        .values(password_hash=hash_secret(password))
    )
    return revoke_sessions_of(conn, coordinator_id, now)


def revoke_account(conn: Connection, coordinator_id: int, now: datetime) -> None:
    """Revoke an account: its sign-in, its sessions and its API token stop working at once.

    Raises:
        AccountError: ``last_admin`` (the only active admin), ``account_unknown``,
            ``account_revoked``.
    """
    row = _active_account(conn, coordinator_id)
    _keep_an_admin(conn, row, "be revoked")
    c = COORDINATORS.c
    conn.execute(update(COORDINATORS).where(c.id == coordinator_id).values(revoked_at=now))
    revoke_sessions_of(conn, coordinator_id, now)


def admin_exists(conn: Connection) -> bool:
    """Whether an active admin with a password exists (the set-up page is gone then)."""
    c = COORDINATORS.c
    return (
        conn.execute(
            select(c.id).where(
                c.role == Role.ADMIN.value, c.revoked_at.is_(None), c.password_hash.is_not(None)
            )
        ).first()
        is not None
    )


def verify_password(conn: Connection, email: str, password: str) -> Account | None:
    """The active account with this email and password, or None (a wrong email costs as much
    time as a wrong password)."""
    try:
        e = normalise_email(email)
    except AccountError:
        e = ""
    c = COORDINATORS.c
    row = conn.execute(
        select(c.id, c.name, c.email, c.role, c.password_hash).where(
            c.email == e, c.revoked_at.is_(None)
        )
    ).first()
    if row is None or row.password_hash is None or len(password) > MAX_PASSWORD:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_secret(secrets.token_urlsafe(16)))
        verify_secret(_DUMMY_HASH[0], password[:MAX_PASSWORD])
        return None
    if not verify_secret(row.password_hash, password):
        return None
    return Account(row.id, row.name, row.email, Role(row.role))


# --- sessions ----------------------------------------------------------------------------------


def start_session(
    conn: Connection, account: Account, lang: str, address: str, now: datetime
) -> str:
    """Make a session; return the cookie's token (the database keeps its hash)."""
    token = secrets.token_urlsafe(32)
    conn.execute(
        SESSIONS.insert().values(
            id=sha256_hex(token),
            coordinator_id=account.id,
            csrf=secrets.token_urlsafe(32),
            lang=lang,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_MAX,
            address=address[:64],
        )
    )
    _seen(conn, account.id, now)
    return token


def _seen(conn: Connection, coordinator_id: int, now: datetime) -> None:
    # The Accounts page's "Last seen": a console session counts, as an API token's use does.
    conn.execute(
        update(COORDINATORS).where(COORDINATORS.c.id == coordinator_id).values(last_seen_at=now)
    )


def load_session(conn: Connection, token: str, now: datetime, mark: bool = True) -> Session | None:
    """The valid session of a cookie token, or None (unknown, expired, idle too long, revoked,
    or its coordinator revoked). Marks it seen (at most once a minute) unless ``mark`` is
    false (a read alone)."""
    if not token or len(token) > 100:
        return None
    s, c = SESSIONS.c, COORDINATORS.c
    row = conn.execute(
        select(
            s.id,
            s.csrf,
            s.lang,
            s.last_seen_at,
            s.expires_at,
            s.revoked_at,
            c.id.label("cid"),
            c.name,
            c.email,
            c.role,
            c.revoked_at.label("c_revoked"),
        )
        .select_from(SESSIONS.join(COORDINATORS, c.id == s.coordinator_id))
        .where(s.id == sha256_hex(token))
    ).first()
    if (
        row is None
        or row.revoked_at is not None
        or row.c_revoked is not None
        or row.expires_at <= now
        or row.last_seen_at + SESSION_IDLE <= now
        or row.email is None
    ):
        return None
    if mark and now - row.last_seen_at >= timedelta(minutes=1):
        conn.execute(update(SESSIONS).where(s.id == row.id).values(last_seen_at=now))
        _seen(conn, row.cid, now)
    return Session(
        row.id, Account(row.cid, row.name, row.email, Role(row.role)), row.csrf, row.lang
    )


def set_session_lang(conn: Connection, session_id: str, lang: str) -> None:
    """Remember the language a session chose."""
    conn.execute(update(SESSIONS).where(SESSIONS.c.id == session_id).values(lang=lang))


def revoke_session(conn: Connection, session_id: str, now: datetime) -> bool:
    """End one session (sign-out, or an admin's revocation); return whether one was open."""
    s = SESSIONS.c
    done = conn.execute(
        update(SESSIONS).where(s.id == session_id, s.revoked_at.is_(None)).values(revoked_at=now)
    ).rowcount
    return bool(done)


def revoke_sessions_of(conn: Connection, coordinator_id: int, now: datetime) -> int:
    """End every session of an account; return how many were open."""
    s = SESSIONS.c
    return conn.execute(
        update(SESSIONS)
        .where(s.coordinator_id == coordinator_id, s.revoked_at.is_(None), s.expires_at > now)
        .values(revoked_at=now)
    ).rowcount


def active_sessions(conn: Connection, now: datetime) -> list[dict[str, object]]:
    """Open sessions, newest first: id (the hash), account, address, when made and last seen."""
    s, c = SESSIONS.c, COORDINATORS.c
    rows = conn.execute(
        select(s.id, s.address, s.created_at, s.last_seen_at, c.email, c.role)
        .select_from(SESSIONS.join(COORDINATORS, c.id == s.coordinator_id))
        .where(
            s.revoked_at.is_(None),
            s.expires_at > now,
            s.last_seen_at > now - SESSION_IDLE,
            c.revoked_at.is_(None),
        )
        .order_by(s.created_at.desc())
    )
    return [dict(r._mapping) for r in rows]


def prune_sessions(conn: Connection, now: datetime) -> None:
    """Delete sessions that ended more than a day ago."""
    s = SESSIONS.c
    conn.execute(delete(SESSIONS).where(s.expires_at < now - timedelta(days=1)))


# --- CSRF --------------------------------------------------------------------------------------


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; False when either is missing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def pre_session_csrf(pre_cookie: str) -> str:
    """The CSRF token for the sign-in and set-up forms, bound to the pre-session cookie."""
    return hashlib.sha256(b"console-pre-csrf\x00" + pre_cookie.encode()).hexdigest()


# --- sign-in limit -----------------------------------------------------------------------------


def _signin_keys(email: str, address: str) -> list[tuple[str, float, float]]:
    """The buckets one sign-in attempt takes from: ``(key, burst, per second)``."""
    who = email.strip().lower()[:254]
    pair = sha256_hex(f"{who}\x1f{address[:64]}")[:40]
    return [
        ("addr:" + address[:64], ADDRESS_BURST, ADDRESS_PER_SEC),
        ("email-from:" + pair, EMAIL_BURST, EMAIL_PER_SEC),
        ("email:" + who, ACCOUNT_BURST, ACCOUNT_PER_SEC),
    ]


def take_signin_attempt(conn: Connection, email: str, address: str, now: float) -> int | None:
    """Take one sign-in attempt for the client address, the email from that address and the
    email from anywhere, atomically (in the write transaction that then checks the password).

    Returns:
        None if taken, else the seconds to wait.
    """
    conn.execute(delete(LIMITS).where(LIMITS.c.updated < now - 86400))
    for key, burst, rate in _signin_keys(email, address):
        wait = take_db_token(conn, LIMITS, "key", key, burst, rate, now)
        if wait is not None:
            return wait
    return None


def refund_signin_attempt(conn: Connection, email: str, address: str) -> None:
    """Give back the attempts a successful sign-in took."""
    t = LIMITS
    for key, burst, _rate in _signin_keys(email, address):
        conn.execute(
            t.update()
            .where(t.c.key == key)
            .values(tokens=case((t.c.tokens + 1 > burst, literal(burst)), else_=t.c.tokens + 1))
        )


# --- first-run set-up --------------------------------------------------------------------------


def make_setup_code(conn: Connection, now: datetime) -> str | None:
    """A fresh set-up code (stored hashed, replacing any earlier one) while no admin exists;
    None once one does. Format: four groups of four (80 bits)."""
    conn.execute(delete(SETUP))
    if admin_exists(conn):
        return None
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    conn.execute(
        SETUP.insert().values(
            id=1, code_hash=sha256_hex(raw), created_at=now, expires_at=now + SETUP_VALID
        )
    )
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    """Case, spaces and dashes do not matter; O/I/L are read as 0/1/1 (as enrollment codes)."""
    c = re.sub(r"[\s-]", "", code).upper()
    return c.replace("O", "0").replace("I", "1").replace("L", "1")


def use_setup_code(conn: Connection, code: str, now: datetime) -> bool:
    """Whether the code is the current, unexpired set-up code; a right one is used up."""
    row = conn.execute(select(SETUP.c.code_hash, SETUP.c.expires_at)).first()
    if row is None or row.expires_at <= now:
        return False
    if not tokens_match(row.code_hash, sha256_hex(normalise_code(code)[:64])):
        return False
    conn.execute(delete(SETUP))
    return True


def count_accounts(conn: Connection) -> int:
    """How many coordinators can sign in."""
    c = COORDINATORS.c
    return int(
        conn.execute(
            select(func.count()).where(c.password_hash.is_not(None), c.revoked_at.is_(None))
        ).scalar_one()
    )
