"""The forwarder: queue, claim, open, send, record — round after round.

One :class:`Forwarder` runs in ``kiosk-server forward run`` (its own process, docs/forwarding.md;
``kiosk-server serve`` has no forwarding option), or in a background thread of a process that
embeds it (:func:`start_forwarder`). Each
pass (:meth:`Forwarder.run_once`) queues new signatures for every destination, then works one
round per destination that is neither paused nor held by a 429: up to a batch of due rows,
sent with the destination's concurrency and under its rate (a token bucket per destination in
this process; on PostgreSQL one process works a destination at a time, so the rate holds across
processes too). Each round ends with one entry in the server's hash-chained audit trail
(``forward_round``: destination, counts, a digest of its attempt rows).

Personal data is opened here, in memory, only to build the document being sent, and never
logged: log lines name destinations, counts and signature ids.
"""

from __future__ import annotations

import contextlib
import os
import secrets as _random
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select

from kiosk.adapters.crypto import CryptoError
from kiosk.domain.campaign import TextVersion, text_from_dict
from kiosk.domain.metadata import meta_from
from kiosk.domain.personal import PersonalDataError, parse_personal
from kiosk.domain.ports import Clock, utc_now
from kiosk.server import log
from kiosk.server.campaigns import TEXT_VERSIONS
from kiosk.server.db import is_sqlite, write_transaction
from kiosk.server.forwarding import outbox, payload, senders
from kiosk.server.forwarding.destinations import DESTINATIONS, open_credentials
from kiosk.server.forwarding.netguard import NetworkPolicy
from kiosk.server.forwarding.outbox import Backoff, Item, Outcome
from kiosk.server.forwarding.secrets import ForwardingSecret, SecretError


class RateLimiter:
    """A token bucket (burst 1) shared by the threads sending to one destination."""

    def __init__(self, per_second: float) -> None:
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self, stop: threading.Event | None = None) -> None:
        """Block until the next request may go."""
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next)
            self._next = at + self._interval
        delay = at - time.monotonic()
        if delay > 0:
            if stop is not None:
                stop.wait(delay)
            else:
                time.sleep(delay)


@dataclass
class _Dest:
    id: int
    name: str
    kind: str
    rate: float
    concurrency: int
    max_attempts: int
    without_opt_in: str
    url: str = ""
    credential: str = ""
    limiter: RateLimiter | None = None
    key: bytes = b""
    #: Which addresses this destination's connections may reach.
    network: NetworkPolicy = field(default_factory=NetworkPolicy)
    #: The sealed URL and credential these were opened from (a change reloads them).
    sealed: bytes = b""
    #: Idle HTTP clients (keep-alive connections), one per sender thread at most: a thread
    #: takes one for its share of a round and gives it back.
    spare: list[senders.HttpClient] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_client(self) -> senders.HttpClient:
        with self.lock:
            if self.spare:
                return self.spare.pop()
        return senders.make_client(network=self.network)

    def give_back(self, client: senders.HttpClient) -> None:
        with self.lock:
            self.spare.append(client)

    def close(self) -> None:
        with self.lock:
            for client in self.spare:
                client.close()
            self.spare.clear()


class Forwarder:
    """Forwards queued signatures to every destination (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        keys: Any,
        secret: ForwardingSecret,
        *,
        batch: int = 200,
        backoff: Backoff | None = None,
        lease_ttl: float = 60.0,
        clock: Clock = utc_now,
        worker_id: str | None = None,
        network: NetworkPolicy | None = None,
    ) -> None:
        """Set up (nothing runs before :meth:`run` or :meth:`run_once`).

        Args:
            engine: the server's database.
            keys: the organization's :class:`kiosk.server.keys.KeyRing` (opens personal data).
            secret: the forwarding secret (opens destination credentials).
            batch: rows per round at most (a rate-limited destination gets about ten seconds'
                worth).
            backoff: retry delays.
            lease_ttl: seconds the SQLite lease lasts without renewal.
            clock: the current aware UTC time.
            worker_id: this process's name in attempt rows (default ``host:pid:random``).
            network: which addresses destinations may reach (default: public ones only;
                ``KIOSK_FORWARD_ALLOW_NETWORKS`` for ``forward run``, see :mod:`.netguard`).
        """
        if keys is None:
            raise SecretError(
                "forwarding needs the organization's private key (--org-private-key-file and "
                "its passphrase): it opens each signature to send it"
            )
        self.engine = engine
        self.keys = keys
        self.secret = secret
        self.batch = batch
        self.backoff = backoff or Backoff()
        self.lease_ttl = timedelta(seconds=lease_ttl)
        self.clock = clock
        self.network = network or NetworkPolicy()
        self.worker_id = worker_id or (
            f"{socket.gethostname()[:40]}:{os.getpid()}:{_random.token_hex(3)}"
        )
        self._sqlite = is_sqlite(engine)
        self._epoch: int | None = None
        self._scanned_full = False
        self._dests: dict[int, _Dest] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._versions: dict[str, TextVersion | None] = {}
        self.stop_event = threading.Event()
        self._lease_lost = threading.Event()
        self._seen_at = float("-inf")

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP clients and the thread pool, and give the SQLite lease up."""
        for d in self._dests.values():
            d.close()
        self._dests.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._sqlite and self._epoch is not None:
            try:
                with write_transaction(self.engine) as conn:
                    outbox.release_lease(conn, self.worker_id)
            except Exception:  # noqa: BLE001 - best effort at shutdown; the lease expires anyway
                log.warning("forwarder: could not release the lease (it expires by itself)")
            self._epoch = None

    def run(self, stop: threading.Event | None = None, idle: float = 1.0) -> None:
        """Forward until ``stop`` is set; sleep ``idle`` seconds when there was nothing to do.
        A database or network failure is logged and the loop goes on."""
        stop = stop or self.stop_event
        self.stop_event = stop
        log.info("forwarder %s started", self.worker_id)
        try:
            while not stop.is_set():
                try:
                    busy = self.run_once()
                except SecretError as exc:
                    log.error("forwarding stopped: %s", exc)
                    return
                except Exception as exc:  # noqa: BLE001 - logged; the next pass tries again
                    log.warning("forwarding pass failed (%s); trying again", type(exc).__name__)
                    busy = 0
                if not busy:
                    stop.wait(idle)
        finally:
            self.close()
            log.info("forwarder %s stopped", self.worker_id)

    # -- one pass -------------------------------------------------------------------------

    def run_once(self) -> int:
        """Queue, then one round per ready destination. Returns how many rows were handled."""
        now = self.clock()
        if self._sqlite:
            with write_transaction(self.engine) as conn:
                epoch = outbox.take_lease(conn, self.worker_id, now, self.lease_ttl)
            if epoch is None:
                self._epoch = None
                return 0
            if epoch != self._epoch:
                self._scanned_full = False  # took over: scan everything once
            self._epoch = epoch
        everyone, dests = self._load_destinations()
        with write_transaction(self.engine) as conn:
            if time.monotonic() - self._seen_at >= outbox.SEEN_EVERY:
                outbox.mark_seen(conn, self.worker_id, now)
                self._seen_at = time.monotonic()
            for d in everyone:
                queued = outbox.enqueue(conn, d.id, now, full=not self._scanned_full)
                if queued:
                    log.info("forwarding: %d signature(s) queued for %s", queued, d.name)
        self._scanned_full = True
        handled = 0
        with self._keeping_the_lease():
            for d in dests:
                if self.stop_event.is_set() or self._lease_lost.is_set():
                    break
                try:
                    handled += self._round(d)
                except Exception as exc:  # noqa: BLE001 - one destination's failure starves no other
                    log.error(
                        "forwarding round to %s failed (%s); the other destinations go on. What "
                        "this round sent but could not record is sent again next round (the "
                        "receiver gets the same webhook-id or OSDI identifier, at least once)",
                        d.name,
                        type(exc).__name__,
                    )
        return handled

    @contextlib.contextmanager
    def _keeping_the_lease(self) -> Iterator[None]:
        """On SQLite, renew the lease every third of its time while the pass sends: a slow
        destination (a round of 30 answers of 2 s each outlasts the 60 s lease) would otherwise
        have every answer of the round thrown away, and the same signatures sent again at
        every pass, for ever. Taken over meanwhile: the rest of the pass is not sent."""
        self._lease_lost.clear()
        if not self._sqlite or self._epoch is None:
            yield
            return
        epoch, done = self._epoch, threading.Event()
        every = self.lease_ttl.total_seconds() / 3

        def keep() -> None:
            while not done.wait(every):
                try:
                    with write_transaction(self.engine) as conn:
                        kept = outbox.renew_lease(
                            conn, self.worker_id, epoch, self.clock(), self.lease_ttl
                        )
                except Exception as exc:  # noqa: BLE001 - the next tick tries again
                    log.warning("forwarder: could not renew its lease (%s)", type(exc).__name__)
                    continue
                if not kept:
                    log.warning("forwarder: its lease was taken over; this pass stops sending")
                    self._lease_lost.set()
                    return

        keeper = threading.Thread(target=keep, name="kiosk-forward-lease", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            done.set()
            keeper.join()

    def _load_destinations(self) -> tuple[list[_Dest], list[_Dest]]:
        """Every destination, and those ready to send (not paused, not held by a 429)."""
        now = self.clock()
        t = DESTINATIONS.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.id,
                    t.name,
                    t.kind,
                    t.rate_per_second,
                    t.concurrency,
                    t.max_attempts,
                    t.without_opt_in,
                    t.paused,
                    t.not_before,
                    t.sealed,
                ).order_by(t.id)
            ).all()
            ready: list[_Dest] = []
            everyone: list[_Dest] = []
            seen = set()
            for r in rows:
                seen.add(r.id)
                d = self._dests.get(r.id)
                sealed = bytes(r.sealed)
                if d is None or (d.rate, d.concurrency, d.sealed) != (
                    r.rate_per_second,
                    r.concurrency,
                    sealed,
                ):  # new, re-tuned, or a new URL or credential (forward change)
                    url, credential = open_credentials(conn, self.secret, r.id)
                    if d is not None:
                        d.close()
                    d = _Dest(
                        r.id,
                        r.name,
                        r.kind,
                        r.rate_per_second,
                        r.concurrency,
                        r.max_attempts,
                        r.without_opt_in,
                        url,
                        credential,
                        RateLimiter(r.rate_per_second),
                        senders.webhook_key(credential) if r.kind == "webhook" else b"",
                        self.network,
                        sealed=sealed,
                    )
                    self._dests[r.id] = d
                d.max_attempts, d.without_opt_in = r.max_attempts, r.without_opt_in
                everyone.append(d)
                if not r.paused and (r.not_before is None or r.not_before <= now):
                    ready.append(d)
        for gone in set(self._dests) - seen:
            self._dests.pop(gone).close()
        return everyone, ready

    def _limit(self, d: _Dest) -> int:
        if d.rate > 0:
            return max(1, min(self.batch, int(d.rate * 10)))
        return self.batch

    def _round(self, d: _Dest) -> int:
        now = self.clock()
        if not self._sqlite:
            with write_transaction(self.engine) as conn:
                if not outbox.lock_destination(conn, d.id):
                    return 0
                items = outbox.claim(conn, d.id, now, self._limit(d))
                if not items:
                    return 0
                self._load_versions(conn, items)
                self._mark_sending(d, items)
                results = self._send_all(d, items)
                report = outbox.record(
                    conn, d.id, d.max_attempts, results, self.clock(), self.worker_id, self.backoff
                )
                self._audit(conn, d, report)
        else:
            with self.engine.connect() as conn:
                items = outbox.claim(conn, d.id, now, self._limit(d))
                self._load_versions(conn, items)
                conn.rollback()
            if not items:
                return 0
            self._mark_sending(d, items)
            results = self._send_all(d, items)
            with write_transaction(self.engine) as conn:
                if self._epoch is None or not outbox.holds_lease(
                    conn, self.worker_id, self._epoch, self.clock()
                ):
                    log.warning(
                        "forwarder lost its lease during a round to %s: %d answer(s) not "
                        "recorded (those signatures will be sent again, with the same ids)",
                        d.name,
                        len(results),
                    )
                    self._epoch = None
                    return 0
                report = outbox.record(
                    conn, d.id, d.max_attempts, results, self.clock(), self.worker_id, self.backoff
                )
                self._audit(conn, d, report)
        c = report.counts
        log.info(
            "forwarding to %s: %d sent, %d to retry, %d dead, %d skipped, %d rate-limited",
            d.name,
            c["sent"],
            c["retry"],
            c["dead"],
            c["skipped"],
            c["rate_limited"],
        )
        return len(items)

    def _mark_sending(self, d: _Dest, items: list[Item]) -> None:
        with write_transaction(self.engine) as conn:
            outbox.mark_sending(conn, d.id, items, self.clock(), self.worker_id)

    def _audit(self, conn: Any, d: _Dest, report: outbox.RoundReport) -> None:
        from kiosk.server.audit import record_server

        if not report.counts:
            return
        record_server(
            conn,
            "forward_round",
            {
                "destination": d.name,
                **{k: int(v) for k, v in sorted(report.counts.items())},
                "attempts_sha256": report.digest,
                "worker": self.worker_id,
            },
            self.clock(),
        )

    def _load_versions(self, conn: Any, items: list[Item]) -> None:
        wanted = {i.row.text_version for i in items if i.row is not None} - set(self._versions)
        if not wanted:
            return
        t = TEXT_VERSIONS.c
        found = {
            r.hash: TextVersion(r.hash, r.campaign, r.local_campaign, text_from_dict(r.text))
            for r in conn.execute(
                select(t.hash, t.campaign, t.local_campaign, t.text).where(t.hash.in_(wanted))
            )
        }
        for h in wanted:
            self._versions[h] = found.get(h)

    # -- sending --------------------------------------------------------------------------

    def _send_all(self, d: _Dest, items: list[Item]) -> list[tuple[Item, Outcome]]:
        """Send a round's items with the destination's concurrency: that many threads, each
        with its own keep-alive client, take the next item until none is left."""
        hold = threading.Event()  # set by a 429: the rest of the round waits for next time
        results: list[Outcome | None] = [None] * len(items)
        queue = iter(range(len(items)))
        take = threading.Lock()

        def work() -> None:
            client = d.take_client()
            try:
                while True:
                    with take:
                        i = next(queue, None)
                    if i is None:
                        return
                    results[i] = self._send_one(d, items[i], hold, client)
            finally:
                d.give_back(client)

        threads = min(max(d.concurrency, 1), len(items))
        if threads <= 1:
            work()
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=64, thread_name_prefix="kiosk-forward")
            for f in [self._pool.submit(work) for _ in range(threads)]:
                f.result()
        return [(item, out) for item, out in zip(items, results, strict=True) if out is not None]

    def _no_more_sends(self, hold: threading.Event) -> bool:
        """Whether this round sends nothing more: the destination held (a 429), the forwarder
        stopping, or its lease taken over."""
        return hold.is_set() or self.stop_event.is_set() or self._lease_lost.is_set()

    def _send_one(
        self, d: _Dest, item: Item, hold: threading.Event, client: senders.HttpClient
    ) -> Outcome:
        r = item.row
        if r is None:
            return Outcome("skipped", reason="signature_missing")
        if r.voided:
            return Outcome("skipped", reason=outbox.VOIDED_AFTER_TRY if item.tried else "voided")
        if r.synthetic or r.demo:
            return Outcome("skipped", reason="synthetic")
        try:
            personal = parse_personal(self.keys.open(bytes(r.sealed)))
        except (CryptoError, PersonalDataError, ValueError, TypeError):
            return Outcome("skipped", reason="unreadable")
        facts = payload.SignatureFacts(
            meta_from(r),
            event_name=r.event_name,
            event_location=r.event_location,
            event_started_at=r.event_started_at,
        )
        if d.kind == "osdi":
            skip = payload.osdi_skip_reason(personal, d.without_opt_in)
            if skip is not None:
                return Outcome("skipped", reason=skip)
            body = payload.osdi_body(facts, personal)
        else:
            doc = payload.webhook_document(
                facts, personal, self._versions.get(r.text_version), self.clock()
            )
        del personal
        if self._no_more_sends(hold):
            return Outcome("untried")
        assert d.limiter is not None
        d.limiter.wait(self.stop_event)
        if self._no_more_sends(hold):
            return Outcome("untried")
        try:
            if d.kind == "osdi":
                res = senders.send_osdi(client, d.url, d.credential, body)
            else:
                res = senders.send_webhook(
                    client, d.url, d.key, payload.webhook_message_id(facts.meta.id), doc
                )
        except Exception as exc:  # noqa: BLE001 - whatever an answer does: a failed attempt
            client.close()
            return Outcome("retry", None, f"sending failed: {type(exc).__name__}")
        if res.kind == "rate_limited":
            hold.set()
        return Outcome(res.kind, res.status, res.reason, res.retry_after, res.remote_id)


def start_forwarder(forwarder: Forwarder) -> tuple[threading.Thread, threading.Event]:
    """Run a forwarder in a background thread of this process; set the event to stop."""
    stop = threading.Event()
    thread = threading.Thread(
        target=forwarder.run, args=(stop,), name="kiosk-forwarder", daemon=True
    )
    thread.start()
    return thread, stop
