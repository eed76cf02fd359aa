"""A TCP proxy that misbehaves at random: the fault injector between kiosks and the server.

It understands just enough HTTP/1.1 (request and response heads, ``Content-Length``) to draw a
fate for every request, so faults hit the second or fifth batch of a keep-alive connection as
often as the first:

- ``pass``: forward the request and its answer untouched;
- ``refuse``: drop the connection before the request reaches the server;
- ``http_500`` / ``http_503``: answer a canned error itself, without contacting the server;
- ``cut_request``: forward the request up to a random byte, then drop both sides (the server
  never gets a whole request, so it commits nothing of it);
- ``cut_response``: let the server answer, then forward that answer only up to a random byte
  (possibly none of it) and drop both sides: the server has committed the batch, and the kiosk
  gets no answer or a truncated one;

and, independently, ``delay``: wait a random time before forwarding the request and the answer.
A connection whose upstream cannot be reached (server down) is dropped. ``calm`` switches every
fault off. Counters say what actually happened. So that a run surely sees every kind, the
first pushes are given each fault once (:data:`EVERY_FATE`), at random among the drawn ones.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from types import TracebackType
from typing import Self


def _canned(status: int, reason: str, content_type: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


_CANNED = {
    500: _canned(
        500,
        "Internal Server Error",
        "application/json",
        b'{"error":"internal_error","detail":"injected by the chaos proxy"}',
    ),
    503: _canned(503, "Service Unavailable", "text/plain", b"service unavailable"),
}


@dataclass(frozen=True)
class FaultRates:
    """Probabilities of each request's fate (the rest pass) and of delays.

    Attributes:
        refuse: drop the connection before forwarding the request.
        http_500: answer 500 without contacting the server.
        http_503: answer 503 without contacting the server.
        cut_request: drop the connection part-way through the request.
        cut_response: drop the connection part-way through (or before) the answer.
        delay: delay the request and its answer.
        max_delay: the longest delay, in seconds.
    """

    refuse: float = 0.05
    http_500: float = 0.05
    http_503: float = 0.05
    cut_request: float = 0.08
    cut_response: float = 0.15
    delay: float = 0.25
    max_delay: float = 0.5


#: Fates forced, one each, on early pushes, so every kind of fault surely happens in a run.
EVERY_FATE = ("refuse", "http_500", "http_503", "cut_request", "cut_response")


class ChaosProxy:
    """Listens on 127.0.0.1 (a free port) and forwards to ``127.0.0.1:upstream_port``."""

    def __init__(self, upstream_port: int, seed: int = 0, rates: FaultRates | None = None) -> None:
        """Configure the proxy (``start`` or a ``with`` block runs it).

        Args:
            upstream_port: the server's port on 127.0.0.1.
            seed: seeds the fault draws.
            rates: fault probabilities.
        """
        self.upstream_port = upstream_port
        self.rates = rates or FaultRates()
        self.calm = False
        #: Requests starting with one of these (``b"GET /api/v1/totals"``) always get a 500,
        #: calm or not: one endpoint broken, the rest working.
        self.always_fail: tuple[bytes, ...] = ()
        self.counts: Counter[str] = Counter()
        self._forced = list(EVERY_FATE)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        sock.setblocking(False)
        self._sock = sock
        self.port = int(sock.getsockname()[1])
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="chaos-proxy", daemon=True)
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        #: Both ends of every open connection, and the connections' tasks once they have run
        #: (a task cancelled before its first step never runs its ``finally``, so its sockets
        #: would leak): what :meth:`_end_connections` closes at the stop.
        self._writers: set[asyncio.StreamWriter] = set()
        self._started: set[asyncio.Task[None]] = set()
        self._closing = False

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def count(self, what: str) -> None:
        """Count one event (thread-safe)."""
        with self._lock:
            self.counts[what] += 1

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start serving in a background thread."""
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        """Stop serving and close every connection."""
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._serve, sock=self._sock)
        self._ready.set()
        async with server:
            await self._stop.wait()
            self._closing = True
            # Stop accepting, but close the server only once every accepted connection has its
            # transport: Python 3.11's server refuses to attach one once closed, and the accepted
            # socket then leaks.
            self._loop.remove_reader(self._sock.fileno())
            await self._end_connections()
            server.close()

    async def _end_connections(self) -> None:
        """Close every connection and wait for its task, until none is left.

        A connection accepted just before the listener closed reaches its handler a few loop
        turns later (an accept task, ``connection_made`` as a callback, then the handler's own
        task), so this goes on until several turns in a row find no task. Sockets are aborted,
        which ends a handler waiting to read; a handler that has run and waits on something else
        (a delay, the server) is cancelled; one that has not run yet is left to run, sees
        ``_closing`` and ends.
        """
        quiet = 0
        while quiet < 5:
            await asyncio.sleep(0)
            for w in list(self._writers):
                _abort(w)
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if not tasks:
                quiet += 1
                continue
            quiet = 0
            for t in tasks:
                if t in self._started:
                    t.cancel()
            await asyncio.wait(tasks, timeout=0.05)

    # -- one connection ------------------------------------------------------------------------

    def _fate(self, request: bytes) -> tuple[str, float, bool]:
        """A fate, a fraction (where to cut) and whether to delay, for one request."""
        r = self.rates
        with self._lock:
            if request.startswith(self.always_fail) and self.always_fail:
                return "http_500", 0.0, False
            if self.calm:
                return "pass", 0.0, False
            x = self._rng.random()
            delay = self._rng.random() < r.delay
            cut = self._rng.random()
            if self._forced and request.startswith(b"POST ") and self._rng.random() < 0.5:
                return self._forced.pop(0), cut, True
            for fate, p in (
                ("refuse", r.refuse),
                ("http_500", r.http_500),
                ("http_503", r.http_503),
                ("cut_request", r.cut_request),
                ("cut_response", r.cut_response),
            ):
                if x < p:
                    return fate, cut, delay
                x -= p
            return "pass", 0.0, delay

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._started.add(task)
        self._writers.add(writer)
        self.count("connections")
        up_writer: asyncio.StreamWriter | None = None
        try:
            if self._closing:
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(
                    "127.0.0.1", self.upstream_port
                )
            except OSError:
                self.count("server_down")
                return
            self._writers.add(up_writer)
            while True:
                try:
                    request = await _read_message(reader, is_request=True)
                except asyncio.IncompleteReadError:
                    return  # the kiosk closed the connection
                fate, cut, delay = self._fate(request)
                self.count("requests")
                if fate == "refuse":
                    self.count("refuse")
                    return
                if fate in ("http_500", "http_503"):
                    writer.write(_CANNED[int(fate[-3:])])
                    await writer.drain()
                    self.count(fate)
                    return
                if delay:
                    self.count("delayed")
                    await asyncio.sleep(self._rng.uniform(0, self.rates.max_delay))
                if fate == "cut_request":
                    # Counted first: if the server is gone too, the request is still cut.
                    self.count("cut_request")
                    up_writer.write(request[: int(cut * len(request))])
                    await up_writer.drain()
                    return
                up_writer.write(request)
                await up_writer.drain()
                try:
                    response = await _read_message(up_reader, is_request=False)
                except asyncio.IncompleteReadError:
                    self.count("server_dropped")
                    return
                if delay:
                    await asyncio.sleep(self._rng.uniform(0, self.rates.max_delay))
                if fate == "cut_response":
                    self.count("cut_response")  # first, as for cut_request
                    writer.write(response[: int(cut * len(response))])
                    await writer.drain()
                    return
                writer.write(response)
                await writer.drain()
                if b"\r\nconnection: close" in response.split(b"\r\n\r\n", 1)[0].lower():
                    return
        except (OSError, asyncio.LimitOverrunError, ValueError):
            self.count("errors")
        except asyncio.CancelledError:
            # Only the stop cancels; ending normally keeps Python 3.11's ``start_server`` from
            # logging the cancellation as an error.
            return
        finally:
            for w in (writer, up_writer):
                if w is not None:
                    _abort(w)
                    self._writers.discard(w)
            self._started.discard(task)


async def _read_message(reader: asyncio.StreamReader, is_request: bool) -> bytes:
    """Read one HTTP/1.1 message (head and ``Content-Length`` body).

    Raises:
        asyncio.IncompleteReadError: the peer closed before a whole message arrived.
        ValueError: a message this proxy cannot frame (chunked bodies are not used here).
    """
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding":
            raise ValueError("chunked messages are not supported by the chaos proxy")
    if not is_request and head.split(b" ", 2)[1] in (b"204", b"304"):
        length = 0
    body = await reader.readexactly(length) if length else b""
    return head + body


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close a connection at once (RST when possible), as a dropped network would."""
    transport = writer.transport
    if transport is not None and not transport.is_closing():
        transport.abort()
