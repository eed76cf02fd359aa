"""A server that rate-limits the kiosk (429 with Retry-After): the kiosk waits as long as asked,
loses nothing and duplicates nothing. A real ``kiosk-server`` process with tight limits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.app import Kiosk
from kiosk.sync.backoff import Backoff
from kiosk.sync.status import SyncErrorCode
from tests.sync.helpers import fill, running_server


def test_a_rate_limited_pass_waits_as_asked_and_loses_nothing(
    new_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> None:
    tight = {"KIOSK_RATE_TOKEN_PER_SEC": "0.05", "KIOSK_RATE_TOKEN_BURST": "3"}
    with running_server("sqlite", tmp_path / "server", env=tight) as server:
        kiosk = new_kiosk("limited")
        engine = kiosk.sync_engine(batch_size=10)
        engine.enroll(server.base_url, server.code(), name="Limited kiosk")
        ids = set(fill(kiosk, 45))
        reports = [engine.run_once() for _ in range(3)]
        limited = [r for r in reports if r.error is SyncErrorCode.RATE_LIMITED]
        assert limited, [r.error for r in reports]
        assert all(r.retry_after is not None and r.retry_after >= 1 for r in limited)
        # the backoff waits at least as long as the server asked (within its cap)
        backoff = Backoff()
        assert backoff.failed(limited[0].retry_after) >= min(limited[0].retry_after, backoff.cap)
        # what the server has is exactly what the kiosk marked sent; the rest is still pending
        on_server = server.ids()
        assert on_server <= {str(i) for i in ids}
        assert server.count() == server.distinct_ids() == len(on_server)
        assert kiosk.store.pending_count() == len(ids) - len(on_server)
        assert len(on_server) < len(ids)
