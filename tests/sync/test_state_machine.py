"""A hypothesis state machine: the sync engine against a model of the server, with faults.

Random interleavings of new signatures, voids, event edits, sync passes whose requests fail
before or after the server commits (dropped connections, truncated or garbage answers, 5xx),
and kiosk crashes mid-pass followed by a restart. After every step: nothing is marked synced
that the server does not hold with identical content, the server stored each signature at most
once and never saw a conflict. At the end a fault-free pass empties the outbox and the server
holds exactly the kiosk's signatures, each created exactly once.

The server model (:mod:`tests.sync.model`) is small and independent of the real server.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kiosk.domain.ports import SignatureFilter, StoredSignature
from kiosk.domain.signature import Event, SyncState, Void
from kiosk.sync.state import Enrollment, save_enrollment
from kiosk.wire import PushRequest, WireSignature
from tests.sync.helpers import make_kiosk, sealed_signatures
from tests.sync.model import ServerModel

FAULTS = (
    "refuse",
    "drop_after_commit",
    "truncate_after_commit",
    "garbage_after_commit",
    "http_500",
    "http_503",
    "crash_before",
    "crash_after_commit",
)


class KioskCrashed(BaseException):
    """The kiosk process died mid-request (not an Exception: nothing in the engine catches it)."""


class SyncMachine(RuleBasedStateMachine):
    """The engine, a kiosk store on disk, and the server model."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="sync-sm-"))
        self.kiosk = make_kiosk(self.dir / "kiosk")
        save_enrollment(
            self.kiosk.store,
            Enrollment("http://127.0.0.1:9", "dev", "tok", "Model"),
            self.kiosk.keys,
        )
        self.server = ServerModel()
        self.faults: dict[int, str] = {}
        self.request_no = 0
        self.seed = 0
        self.ids: list[uuid.UUID] = []
        self.voided: set[uuid.UUID] = set()
        self.engine = self._engine()

    # -- plumbing ------------------------------------------------------------------------------

    def _engine(self):  # type: ignore[no-untyped-def]
        return self.kiosk.sync_engine(
            transport=httpx.MockTransport(self._handle),
            batch_size=7,
            on_acknowledged=None,
            on_enrolled=None,
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        fault = self.faults.get(self.request_no)
        self.request_no += 1
        if fault == "refuse":
            raise httpx.ConnectError("refused", request=request)
        if fault == "crash_before":
            raise KioskCrashed()
        if fault in ("http_500", "http_503"):
            return httpx.Response(int(fault[-3:]), json={"error": "e", "detail": "injected"})
        path = request.url.path
        if path.endswith("/signatures"):
            answer = self.server.push(PushRequest.model_validate_json(request.content))
            body = answer.model_dump_json().encode()
        elif path.endswith("/campaigns"):
            if request.headers.get("if-none-match") == '"c1"':
                return httpx.Response(304, headers={"ETag": '"c1"'})
            body = b'{"campaigns": []}'
        elif path.endswith("/totals"):
            body = b'{"campaigns": {}, "locals": {}}'
        else:
            return httpx.Response(404, json={"error": "not_found", "detail": path})
        # The server has committed by now.
        if fault == "drop_after_commit":
            raise httpx.ReadError("connection reset", request=request)
        if fault == "crash_after_commit":
            raise KioskCrashed()
        if fault == "truncate_after_commit":
            body = body[: len(body) // 2]
        if fault == "garbage_after_commit":
            body = b"\x00garbage"
        return httpx.Response(
            200, content=body, headers={"Content-Type": "application/json", "ETag": '"c1"'}
        )

    def _restart_kiosk(self) -> None:
        self.kiosk.close()
        self.kiosk = make_kiosk(self.dir / "kiosk")
        self.engine = self._engine()

    def _stored(self) -> list[StoredSignature]:
        return list(self.kiosk.store.iter_signatures(SignatureFilter(include_void=True)))

    # -- rules ---------------------------------------------------------------------------------

    @rule(n=st.integers(1, 25))
    def sign(self, n: int) -> None:
        self.seed += 1
        items = sealed_signatures(self.kiosk, n, seed=self.seed)
        self.kiosk.store.bulk_add(items)
        self.ids += [s.meta.id for s, _ in items]

    @precondition(lambda self: len(self.voided) < len(self.ids))
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        choices = [i for i in self.ids if i not in self.voided]
        target = data.draw(st.sampled_from(choices))
        self.kiosk.store.add_void(Void(target, "signed twice", self.kiosk.clock(), "k"))
        self.voided.add(target)

    @rule(event_id=st.sampled_from(["rally-1", "rally-2"]), name=st.sampled_from(["A", "B"]))
    def edit_event(self, event_id: str, name: str) -> None:
        start = self.kiosk.clock().replace(microsecond=0) - timedelta(days=1)
        self.kiosk.store.save_event(Event(event_id, name, "Hall", start))

    @rule(faults=st.dictionaries(st.integers(0, 8), st.sampled_from(FAULTS), max_size=3))
    def sync(self, faults: dict[int, str]) -> None:
        self.faults, self.request_no = faults, 0
        try:
            self.engine.run_once()
        except KioskCrashed:
            self._restart_kiosk()
        finally:
            self.faults = {}

    @rule()
    def restart(self) -> None:
        self._restart_kiosk()

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def nothing_marked_that_the_server_lacks(self) -> None:
        stored = self._stored()
        for s in stored:
            assert s.sync_state is not SyncState.CONFLICT
            if s.sync_state is SyncState.SYNCED:
                expected = WireSignature.from_sealed(s.signature).content_hash()
                assert self.server.signatures.get(s.signature.meta.id) == expected
        assert set(self.server.signatures) <= {s.signature.meta.id for s in stored}

    @invariant()
    def each_signature_stored_at_most_once_and_no_conflicts(self) -> None:
        assert all(n == 1 for n in self.server.created.values())
        assert self.server.conflicts == 0

    def teardown(self) -> None:
        try:
            report = self.engine.run_once()
            assert report.ok, report.error_detail
            assert self.kiosk.store.pending_count() == 0
            assert self.kiosk.store.pending_events() == []
            assert set(self.server.signatures) == set(self.ids)
            assert all(self.server.created[i] == 1 for i in self.ids)
            assert set(self.server.voids) == self.voided
            for e in self.kiosk.store.events():
                assert self.server.events[e.id] == (e.name, e.location, e.started_at)
        finally:
            self.kiosk.close()
            shutil.rmtree(self.dir, ignore_errors=True)


SyncMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSyncStateMachine = SyncMachine.TestCase
