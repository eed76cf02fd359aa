"""Request rate limits: token buckets per bearer token and per client address, and the
enrollment-attempt limit, which is kept in the database.

Why in memory, per process: a bucket in the database would add a write to every request (the
ingest path answers thousands of signatures a second) for what is abuse protection, not
correctness. Nothing the server promises depends on these counters: a restart forgets them, and
with ``--workers N`` (or several servers behind a balancer) each process has its own buckets, so
the effective limit is up to N times the configured one. They are approximate by design; the
database stays the only state that matters.

- Every request under ``/api/v1`` (except ``/health``) takes one token from its client
  address's bucket, and, when it carries ``Authorization: Bearer``, one from that token's bucket
  (keyed by the token's SHA-256, so unknown tokens are limited as well).
- Enrollment attempts are limited per client address **in the database** (table
  ``enroll_limits``), not in memory: every attempt first takes a token with one conditional
  upsert (:func:`take_enroll_attempt`) in the same write transaction that tries the code, and a
  successful enrollment gives it back. So concurrent attempts cannot overrun the limit (they
  used to be checked before and counted after), and every server process (``--workers N``,
  several hosts on one PostgreSQL) shares one limit. When the bucket is empty enrollment answers
  429 until it refills (codes have 80 bits: this stops hammering, the code space alone stops
  guessing).

An empty bucket answers 429 ``rate_limited`` with ``Retry-After`` (whole seconds).
The client address is the TCP peer. ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are honoured
only from the proxies named in ``KIOSK_TRUSTED_PROXIES`` (``kiosk-server serve`` runs uvicorn
with proxy headers off otherwise: uvicorn's own default trusts 127.0.0.1, which let anyone behind
a local proxy, or on the machine, pick their address).

Settings (environment; ``0`` rate disables that limit):

===================================  =======  ===============================================
variable                             default  meaning
===================================  =======  ===============================================
``KIOSK_RATE_TOKEN_PER_SEC``         50       requests per second per bearer token
``KIOSK_RATE_TOKEN_BURST``           500      bucket size per bearer token
``KIOSK_RATE_ADDRESS_PER_SEC``       200      requests per second per client address
``KIOSK_RATE_ADDRESS_BURST``         2000     bucket size per client address
``KIOSK_RATE_ENROLL_FAILURES_PER_H`` 30       refused enrollment attempts an hour per address
``KIOSK_RATE_ENROLL_BURST``          10       bucket size of refused enrollment attempts
===================================  =======  ===============================================
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Table, bindparam, case, delete, literal, select

from kiosk.server.db import dialect_insert
from kiosk.server.models import EnrollLimit, table_of

ENROLL_LIMITS = table_of(EnrollLimit)

#: Buckets kept per limiter before idle (full) ones are dropped.
MAX_BUCKETS = 50_000


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The configured limits (rates per second; 0 disables a limit)."""

    token_per_sec: float = 50.0
    token_burst: float = 500.0
    address_per_sec: float = 200.0
    address_burst: float = 2000.0
    enroll_failures_per_hour: float = 30.0
    enroll_burst: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RateLimits:
        """Read the limits from the environment (defaults for unset variables).

        Raises:
            ValueError: a value is not a non-negative number.
        """
        env = os.environ if environ is None else environ
        names = {
            "token_per_sec": "KIOSK_RATE_TOKEN_PER_SEC",
            "token_burst": "KIOSK_RATE_TOKEN_BURST",
            "address_per_sec": "KIOSK_RATE_ADDRESS_PER_SEC",
            "address_burst": "KIOSK_RATE_ADDRESS_BURST",
            "enroll_failures_per_hour": "KIOSK_RATE_ENROLL_FAILURES_PER_H",
            "enroll_burst": "KIOSK_RATE_ENROLL_BURST",
        }
        values: dict[str, float] = {}
        for field, var in names.items():
            raw = env.get(var)
            if raw is None or raw == "":
                continue
            try:
                value = float(raw)
            except ValueError:
                raise ValueError(f"${var} must be a number, not {raw!r}") from None
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"${var} must be 0 or more, not {raw!r}")
            values[field] = value
        return cls(**values)


class TokenBucket:
    """Buckets by key: each holds up to ``burst`` tokens and refills at ``rate`` a second."""

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)

    @property
    def enabled(self) -> bool:
        """Whether this limit applies at all."""
        return self.rate > 0

    def _level(self, key: str, now: float) -> float:
        tokens, updated = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - updated) * self.rate)

    def retry_after(self, key: str) -> int | None:
        """Seconds until ``key`` has a token again, or None if it has one now."""
        if not self.enabled:
            return None
        level = self._level(key, self._clock())
        if level >= 1:
            return None
        return max(1, math.ceil((1 - level) / self.rate))

    def take(self, key: str) -> int | None:
        """Take a token; return None if taken, else the seconds to wait (nothing taken)."""
        if not self.enabled:
            return None
        now = self._clock()
        level = self._level(key, now)
        if level < 1:
            self._buckets[key] = (level, now)
            return max(1, math.ceil((1 - level) / self.rate))
        if len(self._buckets) >= MAX_BUCKETS and key not in self._buckets:
            self._prune(now)
        self._buckets[key] = (level - 1, now)
        return None

    def _prune(self, now: float) -> None:
        full = [k for k in self._buckets if self._level(k, now) >= self.burst]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= MAX_BUCKETS:  # still full of busy keys: forget the oldest half
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k][1])
            for k in oldest[: len(oldest) // 2]:
                del self._buckets[k]


class Limiter:
    """Every limit of one server process."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.by_token = TokenBucket(limits.token_per_sec, limits.token_burst, clock)
        self.by_address = TokenBucket(limits.address_per_sec, limits.address_burst, clock)

    def check_request(self, address: str, bearer: str | None) -> int | None:
        """Count a request; return the seconds to wait if it is over a limit."""
        wait = self.by_address.take(address)
        if wait is not None:
            return wait
        if bearer:
            key = hashlib.sha256(bearer.encode("utf-8", "replace")).hexdigest()
            return self.by_token.take(key)
        return None


def _enroll_rate(limits: RateLimits) -> tuple[float, float]:
    return limits.enroll_failures_per_hour / 3600, max(limits.enroll_burst, 1.0)


def take_enroll_attempt(
    conn: Connection, address: str, limits: RateLimits, now: float
) -> int | None:
    """Take one enrollment attempt from ``address``'s bucket, atomically.

    One ``INSERT ... ON CONFLICT DO UPDATE ... WHERE level >= 1 RETURNING`` statement: on
    PostgreSQL the row lock makes concurrent attempts wait and re-check the refilled level; on
    SQLite the write transaction (``BEGIN IMMEDIATE``) does. Full buckets are removed on the way.

    Args:
        conn: a connection inside a write transaction (the one that then tries the code).
        address: the client address.
        limits: the configured limits.
        now: seconds since the epoch (shared by every process, unlike a monotonic clock).

    Returns:
        None if an attempt was taken, else the seconds to wait (nothing taken).
    """
    rate, burst = _enroll_rate(limits)
    if rate <= 0:
        return None
    t = ENROLL_LIMITS
    conn.execute(delete(t).where(t.c.updated < now - burst / rate))
    return take_db_token(conn, t, "address", address, burst, rate, now)


def take_db_token(
    conn: Connection, table: Table, key_column: str, key: str, burst: float, rate: float, now: float
) -> int | None:
    """Take one token from a bucket kept in the database (columns ``key_column``, ``tokens``,
    ``updated``), atomically: one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE level >= 1
    RETURNING``.

    Returns:
        None if a token was taken, else the seconds to wait (nothing taken).
    """
    t = table
    now_p = bindparam("now", now, type_=t.c.updated.type)
    refilled = t.c.tokens + (now_p - t.c.updated) * rate
    level = case((refilled > burst, literal(burst)), else_=refilled)
    stmt = dialect_insert(conn, t).values({key_column: key, "tokens": burst - 1, "updated": now})
    stmt = stmt.on_conflict_do_update(
        index_elements=[key_column],
        set_={"tokens": level - 1, "updated": now_p},
        where=level >= 1,
    ).returning(t.c.tokens)
    if conn.execute(stmt).first() is not None:
        return None
    row = conn.execute(select(t.c.tokens, t.c.updated).where(t.c[key_column] == key)).first()
    current = 0.0 if row is None else min(burst, row.tokens + (now - row.updated) * rate)
    return max(1, math.ceil((1 - current) / rate))


def refund_enroll_attempt(conn: Connection, address: str, limits: RateLimits, now: float) -> None:
    """Give back the attempt a successful enrollment took (successes cost nothing).

    Args:
        conn: the same write transaction as :func:`take_enroll_attempt`.
        address: the client address.
        limits: the configured limits.
        now: seconds since the epoch.
    """
    rate, burst = _enroll_rate(limits)
    if rate <= 0:
        return
    t = ENROLL_LIMITS
    conn.execute(
        t.update()
        .where(t.c.address == address)
        .values(tokens=case((t.c.tokens + 1 > burst, literal(burst)), else_=t.c.tokens + 1))
    )
