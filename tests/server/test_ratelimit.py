"""Rate limits: token buckets per bearer token and client address, refused enrollment attempts
per address; 429 with Retry-After; generous defaults."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.ratelimit import RateLimits, TokenBucket
from kiosk.wire import API_PREFIX
from tests.server.conftest import make_code
from tests.server.helpers import ApiClient, InProcessServer


class FakeClock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refills() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2, burst=3, clock=clock)
    assert [bucket.take("a") for _ in range(3)] == [None, None, None]
    assert bucket.take("a") == 1
    assert bucket.take("b") is None  # keys are separate
    clock.now += 0.5
    assert bucket.take("a") is None
    assert bucket.take("a") == 1
    assert bucket.retry_after("a") == 1
    clock.now += 10
    assert bucket.retry_after("a") is None


def test_zero_rate_disables_a_limit() -> None:
    bucket = TokenBucket(rate=0, burst=1)
    assert all(bucket.take("a") is None for _ in range(1000))


def test_limits_from_environment() -> None:
    limits = RateLimits.from_env({"KIOSK_RATE_TOKEN_PER_SEC": "5", "KIOSK_RATE_ENROLL_BURST": "2"})
    assert limits.token_per_sec == 5 and limits.enroll_burst == 2
    assert limits.address_burst == RateLimits().address_burst
    for bad in ("-1", "lots", "nan"):
        with pytest.raises(ValueError, match="KIOSK_RATE_TOKEN_BURST"):
            RateLimits.from_env({"KIOSK_RATE_TOKEN_BURST": bad})


def _client(settings: ServerSettings, engine: Engine, **limits: float) -> Iterator[httpx.Client]:
    tight = dataclasses.replace(settings, rate_limits=RateLimits(**limits))
    with (
        InProcessServer(create_app(tight, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=30) as c,
    ):
        yield c


@pytest.fixture
def tight_token(settings: ServerSettings, engine: Engine) -> Iterator[httpx.Client]:
    yield from _client(settings, engine, token_per_sec=0.01, token_burst=3)


def test_per_token_limit_answers_429_with_retry_after(
    tight_token: httpx.Client, engine: Engine
) -> None:
    a = ApiClient.enroll(tight_token, make_code(engine, "A"))
    b = ApiClient.enroll(tight_token, make_code(engine, "B"))
    assert [a.get("/totals").status_code for _ in range(3)] == [200, 200, 200]
    r = a.get("/totals")
    assert r.status_code == 429
    assert r.json()["error"] == "rate_limited"
    assert int(r.headers["Retry-After"]) >= 1
    assert b.get("/totals").status_code == 200  # another token has its own bucket
    assert tight_token.get(f"{API_PREFIX}/health").status_code == 200  # never limited


def test_per_address_limit(settings: ServerSettings, engine: Engine) -> None:
    for c in _client(settings, engine, address_per_sec=0.01, address_burst=4):
        statuses = [c.get(f"{API_PREFIX}/totals").status_code for _ in range(5)]
        assert statuses == [401, 401, 401, 401, 429]


def test_refused_enrollments_are_limited_per_address(
    settings: ServerSettings, engine: Engine
) -> None:
    for c in _client(settings, engine, enroll_failures_per_hour=1, enroll_burst=2):
        good = make_code(engine)
        ok = c.post(f"{API_PREFIX}/enroll", json={"code": make_code(engine)})
        assert ok.status_code == 200  # successes cost nothing
        bad = [
            c.post(f"{API_PREFIX}/enroll", json={"code": "AAAA-BBBB-CCCC-DDDD"}) for _ in range(2)
        ]
        assert [r.status_code for r in bad] == [403, 403]
        r = c.post(f"{API_PREFIX}/enroll", json={"code": good})
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) > 1000


def test_defaults_are_generous() -> None:
    d = RateLimits()
    assert d.token_per_sec >= 50 and d.address_per_sec >= 200 and d.address_burst >= 2000
