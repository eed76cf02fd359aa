"""Real HTTP servers on 127.0.0.1 for the forwarding tests: an OSDI petition endpoint that
behaves like Action Network's record-signature helper, and a Standard Webhooks receiver that
verifies every message with the independent ``standardwebhooks`` package.

Both run in a thread (``ThreadingHTTPServer``, HTTP/1.1 keep-alive) and take a script of faults
for the next requests (``fail_next``) or at random (``fault_rate``):

- ``empty200``: ``200 OK`` with an empty body (the helper's way of refusing a record);
- ``http500`` / ``http503``: a server error;
- ``http429``: ``429`` with ``Retry-After``;
- ``drop``: the connection closed without an answer, after the request was read (so the
  server may have stored it: a fault the sender must survive without duplicating);
- ``drop_before``: the connection closed before the request is processed.

And hostile answers (``HOSTILE``, never drawn at random), each after the request was processed:

- ``deep_json``: ``200`` with JSON nested 100,000 deep (``json.loads`` raises RecursionError);
- ``bad_retry_after``: ``429`` with a ``Retry-After`` date whose zone overflows;
- ``huge``: ``200`` with a body of 3 MiB;
- ``drip``: ``200`` announcing 1,000,000 bytes and sending one every half second.

The OSDI endpoint follows the Action Network documentation of the helper: people are matched by
email (then phone); a new person is subscribed to the list whatever is posted (the only status
the helper honours is ``subscribed``, which also re-subscribes an existing person); a person
signs a petition once (a second POST updates the signature); identifiers are kept; a body
without email or phone is refused with an empty 200; more than ``rate`` requests a second get
``429`` with ``Retry-After``.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

FAULTS = ("empty200", "http500", "http503", "http429", "drop", "drop_before")
HOSTILE = ("deep_json", "bad_retry_after", "huge", "drip")


@dataclass
class FaultScript:
    """Faults to inject: a fixed list for the next requests, then random ones."""

    next: list[str] = field(default_factory=list)
    rate: float = 0.0
    kinds: tuple[str, ...] = FAULTS
    seed: int = 0
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        with self._lock:
            if self.next:
                fate = self.next.pop(0)
            elif self.rate and self._rng.random() < self.rate:
                fate = self._rng.choice(self.kinds)
            else:
                return None
            self.injected[fate] += 1
            return fate


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if body:
            self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True
        with suppress(OSError):
            self.connection.shutdown(2)

    def _hostile(self, fate: str) -> None:
        self.close_connection = True
        if fate == "deep_json":
            self._answer(200, b"[" * 100_000 + b"]" * 100_000)
        elif fate == "bad_retry_after":
            date = "Mon, 01 Jan 2025 00:00:00 +99999999999999999999"
            self._answer(429, b"{}", {"Retry-After": date})
        elif fate == "huge":
            self._answer(200, b'{"identifiers": ["' + b"x" * (3 << 20) + b'"]}')
        else:  # drip
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            with suppress(OSError):
                for _ in range(1_000_000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    if self.server.fake.stopping.wait(0.5):
                        return

    def do_GET(self) -> None:
        """``GET /count``: what the server took, as JSON (a receiver in its own process)."""
        fake = self.server.fake
        if self.path != "/count":
            self._answer(404)
            return
        with fake.lock:
            counts = {
                "messages": len(getattr(fake, "messages", {})),
                "deliveries": sum(getattr(fake, "deliveries", {}).values()),
                "rejected": getattr(fake, "rejected", 0),
            }
        self._answer(200, json.dumps(counts).encode())

    def do_POST(self) -> None:
        if self.headers.get("Content-Length") is None:  # a head cut short by a dropped link
            self._drop()
            return
        length = int(self.headers["Content-Length"])
        fake = self.server.fake
        fate = fake.faults.draw()
        if fate == "drop_before":
            self._drop()
            return
        body = self.rfile.read(length)
        if len(body) < length:  # the client hung up mid-request: nothing to answer
            self._drop()
            return
        if fate is None and fake.rate_exceeded():
            fate = "http429"
        if fate == "http429":
            fake.counts["429"] += 1
            self._answer(429, b'{"error":"rate limited"}', {"Retry-After": str(fake.retry_after)})
            return
        if fate in ("http500", "http503"):
            self._answer(int(fate[4:]), b'{"error":"injected"}')
            return
        status, answer = fake.handle(self.path, dict(self.headers), body)
        if fate in HOSTILE:
            self._hostile(fate)
            return
        if fate == "drop":  # processed (and stored), answer lost
            self._drop()
            return
        if fate == "empty200":
            self._answer(200)
            return
        self._answer(status, answer)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (the forwarder was killed) is expected here."""


class _FakeServer:
    """The shared part: the HTTP server thread, fault script and rate limit."""

    def __init__(self, faults: FaultScript | None, rate: float, retry_after: int) -> None:
        self.faults = faults or FaultScript()
        self.rate = rate
        self.retry_after = retry_after
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()  # ends a dripping answer
        self._window: list[float] = []
        self._httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def rate_exceeded(self) -> bool:
        if not self.rate:
            return False
        now = time.monotonic()
        with self.lock:
            self._window = [t for t in self._window if now - t < 1.0]
            if len(self._window) >= self.rate:
                return True
            self._window.append(now)
            return False

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()


class OsdiServer(_FakeServer):
    """An Action Network-like OSDI endpoint (see the module docstring)."""

    def __init__(
        self,
        token: str,
        petitions: tuple[str, ...] = ("p1",),
        faults: FaultScript | None = None,
        rate: float = 4.0,
        retry_after: int = 1,
    ) -> None:
        super().__init__(faults, rate, retry_after)
        self.token = token
        self.petitions = set(petitions)
        self.people: dict[str, dict[str, Any]] = {}  # person id -> record
        self.by_email: dict[str, str] = {}
        self.by_phone: dict[str, str] = {}
        #: (petition, person id) -> signature record
        self.signatures: dict[tuple[str, str], dict[str, Any]] = {}
        self.posts: Counter[str] = Counter()  # identifier -> POSTs that reached the handler
        self.bodies: list[dict[str, Any]] = []

    def url(self, petition: str = "p1") -> str:
        return f"http://127.0.0.1:{self.port}/api/v2/petitions/{petition}/signatures/"

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if {k.lower(): v for k, v in headers.items()}.get("osdi-api-token") != self.token:
            return 401, b'{"error":"API Key invalid or not present"}'
        m = re.fullmatch(r"/api/v2/petitions/([^/]+)/signatures/?", path)
        if m is None or m.group(1) not in self.petitions:
            return 404, b'{"error":"not found"}'
        petition = m.group(1)
        try:
            doc = json.loads(body)
            person = doc["person"]
        except (ValueError, KeyError, TypeError):
            return 400, b'{"error":"bad json"}'
        emails = person.get("email_addresses") or []
        phones = person.get("phone_numbers") or []
        email = emails[0].get("address") if emails else None
        phone = phones[0].get("number") if phones else None
        if not email and not phone:
            return 200, b""  # the helper's refusal: an empty 200
        with self.lock:
            for ident in doc.get("identifiers") or []:
                self.posts[ident] += 1
            self.bodies.append(doc)
            pid = (email and self.by_email.get(email)) or (phone and self.by_phone.get(phone))
            if pid is None:
                pid = str(uuid.uuid4())
                # New people are subscribed to the list, whatever status was posted.
                self.people[pid] = {"email": email, "phone": phone, "subscribed": True}
                if email:
                    self.by_email[email] = pid
                if phone:
                    self.by_phone[phone] = pid
            elif any(e.get("status") == "subscribed" for e in emails):
                self.people[pid]["subscribed"] = True
            record = self.people[pid]
            record.update(
                given_name=person.get("given_name"),
                family_name=person.get("family_name"),
                postal=person.get("postal_addresses"),
                custom_fields=person.get("custom_fields"),
                tags=sorted(set(record.get("tags", [])) | set(doc.get("add_tags") or [])),
            )
            key = (petition, pid)
            sig = self.signatures.get(key)
            if sig is None:
                sig = {"id": str(uuid.uuid4()), "identifiers": []}
                self.signatures[key] = sig
            sig["identifiers"] = sorted(set(sig["identifiers"]) | set(doc.get("identifiers") or []))
            sig["comments"] = doc.get("comments")
            sig["action_date"] = doc.get("action_date")
            sig["referrer"] = doc.get("action_network:referrer_data")
            answer = {
                "identifiers": [f"action_network:{sig['id']}", *sig["identifiers"]],
                "comments": sig["comments"],
                "_links": {"osdi:person": {"href": f"/api/v2/people/{pid}"}},
            }
        return 200, json.dumps(answer).encode()

    def signature_identifiers(self) -> Counter[str]:
        """How many stored signatures carry each identifier (1 each when exactly once)."""
        out: Counter[str] = Counter()
        for sig in self.signatures.values():
            for ident in sig["identifiers"]:
                out[ident] += 1
        return out


class WebhookReceiver(_FakeServer):
    """A Standard Webhooks receiver verifying with the ``standardwebhooks`` package; it keeps
    each message once by ``webhook-id`` (as the scheme tells receivers to) and counts every
    delivery."""

    def __init__(
        self,
        secret: str,
        faults: FaultScript | None = None,
        rate: float = 0.0,
        retry_after: int = 1,
    ) -> None:
        super().__init__(faults, rate, retry_after)
        self.verifier = Webhook(secret)
        self.messages: dict[str, dict[str, Any]] = {}
        self.deliveries: Counter[str] = Counter()
        #: Every verified delivery, in order: (webhook-id, the signature id it carried).
        self.log: list[tuple[str, str]] = []
        self.rejected = 0
        self.rejections: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/petitions"

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        try:
            doc = self.verifier.verify(body, headers)
        except WebhookVerificationError as exc:
            with self.lock:
                self.rejected += 1
                self.rejections.append(f"{exc}; body {len(body)} bytes")
            return 401, b'{"error":"bad signature"}'
        msg_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        with self.lock:
            self.deliveries[msg_id] += 1
            self.messages.setdefault(msg_id, doc)
            self.log.append((msg_id, str(doc.get("data", {}).get("id"))))
        return 204, b""


@contextmanager
def running(server: Any) -> Iterator[Any]:
    """Start a fake server; stop it at the end."""
    server.start()
    try:
        yield server
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    """Run a webhook receiver in its own process (benchmarks: the receiver then has its own
    interpreter, not the forwarder's): ``python -m tests.server.forwarding.fakes SECRET``
    prints the port, serves until stdin closes; ``GET /count`` says what it took."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    rx = WebhookReceiver(args[0])
    with running(rx):
        print(rx.port, flush=True)
        sys.stdin.read()
    return 0


class ScriptedCrm:
    """A stand-in CRM on 127.0.0.1 answering each POST as ``answer`` says, recording every
    request it gets (path and headers; bodies are counted, not kept):

    - ``ok``: ``204``;
    - ``redirect:URL``: ``307`` with ``Location: URL`` (a receiver that moved, or a hostile one
      steering the forwarder elsewhere);
    - ``status:N``: an empty answer with status N (``429`` carries ``Retry-After: 120``);
    - ``garbage``: bytes that are not HTTP at all;
    - ``slow:SECONDS``: ``204`` after that long.

    ``answer`` may be changed between requests.
    """

    def __init__(self, answer: str = "ok") -> None:
        self.answer = answer
        self.requests: list[tuple[str, dict[str, str]]] = []
        crm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                crm.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                answer = crm.answer
                if answer.startswith("slow:"):
                    time.sleep(float(answer.removeprefix("slow:")))
                    answer = "ok"
                if answer == "garbage":
                    self.wfile.write(b"\x00\xffnot http at all\r\n\r\n")
                    self.close_connection = True
                    return
                if answer.startswith("redirect:"):
                    self.send_response(307)
                    self.send_header("Location", answer.removeprefix("redirect:"))
                elif answer.startswith("status:"):
                    self.send_response(int(answer.removeprefix("status:")))
                    if answer == "status:429":
                        self.send_header("Retry-After", "120")
                else:
                    self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/hooks/crm"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


if __name__ == "__main__":
    raise SystemExit(main())
