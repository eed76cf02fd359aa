"""The rally screen's live feed: snapshots shared per view, and a bound on open streams (a
stranger opening streams by the thousand held the thread pool and slowed every sync)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.console.rally import OVERFLOW_RETRY_MS, SNAPSHOT_SECONDS, RallyFeed
from tests.server.helpers import InProcessServer
from tests.sync.helpers import import_shipped

SLUG = "sanctuary-of-safety"


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_snapshot_per_view_and_tick_serves_every_stream() -> None:
    clock = _Clock()
    feed = RallyFeed(clock=clock)
    computed: list[str] = []

    def compute(name: str) -> dict[str, object]:
        computed.append(name)
        return {"view": name, "n": len(computed)}

    for _ in range(50):  # fifty screens of one view within a tick: one query
        assert feed.snapshot(("a", 0), lambda: compute("a"))["view"] == "a"
    assert computed == ["a"]
    feed.snapshot(("b", 0), lambda: compute("b"))  # another view has its own
    assert computed == ["a", "b"]
    clock.now += SNAPSHOT_SECONDS
    assert feed.snapshot(("a", 0), lambda: compute("a"))["n"] == 3  # the next tick: fresh
    # Views by the thousand (a stranger's ?event=1, 2, 3...) do not grow it without bound.
    for i in range(5000):
        feed.snapshot(("x", i), lambda: {})
    assert len(feed._views) <= 1024


def test_streams_are_bounded_per_address_and_per_process() -> None:
    feed = RallyFeed(max_streams=3, per_address=2)
    with feed.stream("10.0.0.1") as first, feed.stream("10.0.0.1") as second:
        with feed.stream("10.0.0.1") as third:
            assert (first, second, third) == (True, True, False)
        with feed.stream("10.0.0.2") as other, feed.stream("10.0.0.3") as over:
            assert other and not over  # three open: the process's bound
        assert feed.open_streams == 2
    assert feed.open_streams == 0  # each released when its block ends
    with feed.stream("10.0.0.1") as again:
        assert again


@pytest.fixture
def web(settings: ServerSettings, engine: Engine) -> Iterator[tuple[httpx.Client, RallyFeed]]:
    from datetime import UTC, datetime

    from kiosk.server import devices
    from kiosk.server.db import write_transaction
    from kiosk.server.ingest import EVENTS
    from tests.server.conftest import make_code

    import_shipped(engine)
    now = datetime.now(UTC)
    code = make_code(engine)
    with write_transaction(engine) as conn:  # the events the streams below show
        device = devices.enroll(conn, code, None, now).device_id
        for event_id in ("e-1", "e-2"):
            conn.execute(
                EVENTS.insert().values(
                    id=event_id,
                    name=event_id,
                    location="",
                    started_at=now,
                    device_id=device,
                    updated_at=now,
                )
            )
    app = create_app(settings, engine=engine)
    feed: RallyFeed = app.state.console.rally
    feed.per_address = 2
    with InProcessServer(app) as srv, httpx.Client(base_url=srv.base_url, timeout=30) as c:
        yield c, feed


def test_a_stream_over_the_bound_gets_a_snapshot_and_comes_back_later(
    web: tuple[httpx.Client, RallyFeed],
) -> None:
    client, feed = web
    url = f"/rally/{SLUG}/events"
    with client.stream("GET", url) as a, client.stream("GET", url + "?event=e-1") as b:
        # Each read through an iterator kept alive: a dropped one would close its stream.
        readers = [r.iter_raw() for r in (a, b)]
        for r, reader in zip((a, b), readers, strict=True):
            assert r.status_code == 200 and next(reader).startswith(b"retry: 1000\n")
        assert feed.open_streams == 2
        with client.stream("GET", url + "?event=e-2") as over:
            assert over.status_code == 200
            body = over.read().decode()  # the server ends it at once
        # Sent before any query: come back in ten seconds (the page shows its own figures);
        # no screen keeps this view, so there is no snapshot to give.
        assert body.startswith(f"retry: {OVERFLOW_RETRY_MS}\n") and "data:" not in body
        # A view other screens keep: its kept snapshot comes with the refusal (no query).
        with client.stream("GET", url + "?event=e-1") as over:
            body = over.read().decode()
        assert body.startswith(f"retry: {OVERFLOW_RETRY_MS}\n")
        data = [line for line in body.splitlines() if line.startswith("data: ")]
        assert len(data) == 1 and json.loads(data[0][6:])["count"] >= 0
        assert feed.open_streams == 2  # the two admitted ones still open
    # The JSON and the page are not streams: never refused.
    assert client.get(f"/rally/{SLUG}.json").status_code == 200


def test_a_view_that_is_none_is_refused_before_anything_is_counted(
    web: tuple[httpx.Client, RallyFeed],
) -> None:
    """An unknown event is a 404 (page, figures and stream); time zones are whole quarter
    hours within real offsets: a stranger's ?event=1, 2, 3... or ?tzo=1, 2, 3... each made one
    more view to count (0.17 s at 200,000 stored on SQLite, without signing in)."""
    client, feed = web
    for path in ("", ".json", "/events"):
        assert client.get(f"/rally/{SLUG}{path}?event=nope").status_code == 404
    for tzo in ("1", "7", "-2"):
        assert client.get(f"/rally/{SLUG}.json?tzo={tzo}").status_code == 200
    assert client.get(f"/rally/{SLUG}.json?tzo=99999").status_code == 200
    assert client.get(f"/rally/{SLUG}?tzo=330&event=e-1").status_code == 200
    views = {v[1:] for v in feed._views if v[0] == SLUG}
    assert views == {(0, None, False), (840, None, False), (330, "e-1", False)}


def test_a_quiet_stream_says_it_is_alive_every_five_seconds(
    web: tuple[httpx.Client, RallyFeed],
) -> None:
    """The screen shows "Reconnecting" after 15 s without news; a stream whose figures do not
    change sends an ``alive`` event (not a comment, which a page cannot see) every 5 s."""
    import time

    client, _feed = web
    with client.stream("GET", f"/rally/{SLUG}/events") as r:
        started = time.monotonic()
        seen = ""
        for chunk in r.iter_text():
            seen += chunk
            if "event: alive\n" in seen or time.monotonic() - started > 12:
                break
    assert "event: alive\ndata: {}\n" in seen
    assert time.monotonic() - started < 8
