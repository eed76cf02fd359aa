"""The chaos proxy itself: stopping it while connections pour in leaves no socket open.

A socket the proxy leaks is reported when it is collected, which can be in any later test: one
fresh-clone CI run failed the forwarding chaos test on such a leak. Two causes, both fixed in
:class:`~tests.sync.chaos_proxy.ChaosProxy`: a connection's task cancelled before it first ran
never closed its socket, and Python 3.11's server, once closed, refuses to attach a connection it
had just accepted, which leaks the accepted socket.
"""

from __future__ import annotations

import gc
import socket
import sys
import threading
import time
import warnings
from collections.abc import Iterator

import pytest

from tests.sync.chaos_proxy import ChaosProxy


@pytest.fixture
def upstream() -> Iterator[int]:
    """A bare TCP server that accepts and closes every connection; yields its port."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=512)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    listener.close()
    thread.join(5)


def _hammer(port: int, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        except OSError:
            pass


def test_stopping_under_a_flood_of_connections_leaks_nothing(
    upstream: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    leaks: list[str] = []

    def unraisable(args: sys.UnraisableHookArgs) -> None:
        leaks.append(repr(args.exc_value))

    monkeypatch.setattr(sys, "unraisablehook", unraisable)
    accepted = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(10):
            proxy = ChaosProxy(upstream)
            proxy.start()
            stop = threading.Event()
            threads = [threading.Thread(target=_hammer, args=(proxy.port, stop)) for _ in range(4)]
            for t in threads:
                t.start()
            time.sleep(0.03)
            proxy.stop()
            stop.set()
            for t in threads:
                t.join(10)
            assert not proxy._thread.is_alive()
            accepted += proxy.counts["connections"]
        gc.collect()
    leaks += [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert accepted > 100  # the proxy was busy when it stopped
    assert leaks == []
