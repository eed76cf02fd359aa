"""Request rate limits: token buckets per bearer token and per client address, kept in memory.

Why in memory, per process: a bucket in the database would add a write to every request (the
ingest path answers thousands of signatures a second) for what is abuse protection, not
correctness. Nothing the server promises depends on these counters: a restart forgets them, and
with ``--workers N`` (or several servers behind a balancer) each process has its own buckets, so
the effective limit is up to N times the configured one. They are approximate by design; the
database stays the only state that matters.

- Every request under ``/api/v1`` (except ``/health``) takes one token from its client
  address's bucket, and, when it carries ``Authorization: Bearer``, one from that token's bucket
  (keyed by the token's SHA-256, so unknown tokens are limited as well).
- Failed enrollment attempts take one token from the address's enrollment bucket; when it is
  empty, enrollment answers 429 until it refills (codes have 80 bits: this stops hammering, the
  code space alone stops guessing). Successful enrollments cost nothing.

An empty bucket answers 429 ``rate_limited`` with ``Retry-After`` (whole seconds).
The client address is the one uvicorn reports (``X-Forwarded-For`` is honoured only from the
proxies uvicorn trusts: ``--forwarded-allow-ips``, 127.0.0.1 by default).

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
from collections.abc import Callable
from dataclasses import dataclass

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
    def from_env(cls, environ: dict[str, str] | None = None) -> RateLimits:
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
        self.enroll_failures = TokenBucket(
            limits.enroll_failures_per_hour / 3600, limits.enroll_burst, clock
        )

    def check_request(self, address: str, bearer: str | None) -> int | None:
        """Count a request; return the seconds to wait if it is over a limit."""
        wait = self.by_address.take(address)
        if wait is not None:
            return wait
        if bearer:
            key = hashlib.sha256(bearer.encode("utf-8", "replace")).hexdigest()
            return self.by_token.take(key)
        return None
