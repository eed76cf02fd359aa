"""The rally screen's live feed: one snapshot per view and tick shared by every screen that
shows it, and a bound on the streams one process holds open.

The rally screen needs no sign-in, and each open stream used to run its own query every half
second for as long as it stayed open: a stranger opening streams by the thousand (each with
another ``?event=``) held the server's thread pool and slowed every kiosk's sync (a push took
11-16 s with 1,500 streams open; with these bounds 0.04-0.08 s once they were refused). Now a
snapshot is computed at most once per :data:`SNAPSHOT_SECONDS` for each view (campaign, event,
test data shown or not, the viewer's UTC offset) and handed to every stream showing it, and a
process keeps at most :data:`MAX_STREAMS` streams open, :data:`MAX_STREAMS_PER_ADDRESS` of them
from one address. A stream over either bound gets a ``retry`` of :data:`OVERFLOW_RETRY_MS`
and the view's kept snapshot if one is at most :data:`KEPT_SECONDS` old (never a query), and is
closed: the browser's ``EventSource`` reconnects by itself, so such a screen (which shows the
figures its page came with) tries again every ten seconds and stays up to date to within them
while other screens keep the view's snapshot fresh.

A process also computes at most :data:`MAX_COMPUTING` snapshots at once, whatever asks for them
(a page, its ``.json``, a stream). Views are many (each campaign, event, quarter-hour time zone
and test-data flag), so a stranger asking for one after another made each a fresh count; with a
device's 100,000 quarantined pushes each took 1-4 s, and 16 such clients held kiosks' pushes
for up to 24 s and ``/health`` for 11 s. One that finds no room gets the view's kept snapshot
if it is at most :data:`KEPT_SECONDS` old, else :class:`RallyBusy` (never a wait: a waiting
request would hold a thread the pushes need).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

#: How long one computed snapshot serves every stream of its view.
SNAPSHOT_SECONDS = 0.5
#: Streams one server process holds open at once (each worker process has its own).
MAX_STREAMS = 200
#: Streams one client address holds open at once (a venue's screens share one address).
MAX_STREAMS_PER_ADDRESS = 16
#: What a stream over a bound asks the browser to wait before it reconnects.
OVERFLOW_RETRY_MS = 10_000
#: The oldest kept snapshot a stream over a bound is given.
KEPT_SECONDS = 60.0
#: Snapshots one process computes at once, for every view together.
MAX_COMPUTING = 2
#: Views kept in the cache at most (older entries are dropped first).
_MAX_VIEWS = 1024


class RallyBusy(Exception):
    """No snapshot could be computed now (:data:`MAX_COMPUTING` are) and none is kept."""


class RallyFeed:
    """Shared snapshots and stream bounds for one server process (thread-safe)."""

    def __init__(
        self,
        max_streams: int = MAX_STREAMS,
        per_address: int = MAX_STREAMS_PER_ADDRESS,
        clock: Callable[[], float] = time.monotonic,
        max_computing: int = MAX_COMPUTING,
    ) -> None:
        self.max_streams = max_streams
        self.per_address = per_address
        self._clock = clock
        self._lock = threading.Lock()
        self._computing = threading.BoundedSemaphore(max_computing)
        self._views: dict[Hashable, tuple[float, dict[str, Any]]] = {}
        self._open: Counter[str] = Counter()

    def snapshot(self, view: Hashable, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The view's snapshot, computed by ``compute`` unless one younger than
        :data:`SNAPSHOT_SECONDS` is kept (two threads may both compute it: harmless).

        Raises:
            RallyBusy: :data:`MAX_COMPUTING` snapshots are being computed and the view has
                none at most :data:`KEPT_SECONDS` old.
        """
        now = self._clock()
        with self._lock:
            kept = self._views.get(view)
        if kept is not None and now - kept[0] < SNAPSHOT_SECONDS:
            return kept[1]
        if not self._computing.acquire(blocking=False):
            if kept is not None and now - kept[0] <= KEPT_SECONDS:
                return kept[1]
            raise RallyBusy
        try:
            snap = compute()
        finally:
            self._computing.release()
        with self._lock:
            if len(self._views) >= _MAX_VIEWS:
                for old in sorted(self._views, key=lambda k: self._views[k][0])[: _MAX_VIEWS // 4]:
                    del self._views[old]
            self._views[view] = (now, snap)
        return snap

    def kept(self, view: Hashable) -> dict[str, Any] | None:
        """The view's last snapshot if it is at most :data:`KEPT_SECONDS` old (nothing is
        computed: what a stream over a bound may be given)."""
        with self._lock:
            kept = self._views.get(view)
        if kept is None or self._clock() - kept[0] > KEPT_SECONDS:
            return None
        return kept[1]

    @property
    def open_streams(self) -> int:
        """Streams held open now."""
        with self._lock:
            return sum(self._open.values())

    def _room(self, address: str) -> bool:
        """Whether both bounds leave room for one more stream of ``address`` (lock held)."""
        return (
            sum(self._open.values()) < self.max_streams and self._open[address] < self.per_address
        )

    def has_room(self, address: str) -> bool:
        """Whether a stream of ``address`` would be admitted now (nothing is counted: a check
        made before any query, the count is taken by :meth:`stream`)."""
        with self._lock:
            return self._room(address)

    def admit(self, address: str) -> bool:
        """Count one more stream open for ``address``, unless a bound is reached (False: then
        nothing is counted). Every True must be followed by one :meth:`release`."""
        with self._lock:
            if not self._room(address):
                return False
            self._open[address] += 1
            return True

    def release(self, address: str) -> None:
        """One stream of ``address`` has ended."""
        with self._lock:
            self._open[address] -= 1
            if self._open[address] <= 0:
                del self._open[address]

    @contextmanager
    def stream(self, address: str) -> Iterator[bool]:
        """:meth:`admit` for the block's length (yields whether it was admitted)."""
        admitted = self.admit(address)
        try:
            yield admitted
        finally:
            if admitted:
                self.release(address)
