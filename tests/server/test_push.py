"""Pushing batches: created / duplicate / conflict, voids, events, atomicity, totals, races."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Connection, Engine, event, func, select, text

from kiosk.domain.ids import uuid7
from kiosk.server import devices
from kiosk.server.db import write_transaction
from kiosk.server.ingest import store_push
from kiosk.server.models import Conflict, EventRecord, Signature, SignatureVoid
from kiosk.wire import (
    MAX_BATCH_EVENTS,
    MAX_BATCH_SIGNATURES,
    MAX_BATCH_VOIDS,
    PushRequest,
    WireSignature,
)
from tests.server.conftest import make_code
from tests.server.helpers import ApiClient, push_body, signature, void
from tests.server.helpers import event as make_event


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _statuses(results: list) -> list[str]:  # type: ignore[type-arg]
    return [r.status for r in results]


def test_created_then_duplicate_on_retry(api: ApiClient, engine: Engine) -> None:
    batch = [signature() for _ in range(5)]
    first = api.push(batch)
    assert _statuses(first.signatures) == ["created"] * 5
    assert [r.id for r in first.signatures] == [s.id for s in batch]
    again = api.push(batch)
    assert _statuses(again.signatures) == ["duplicate"] * 5
    assert _count(engine, Signature) == 5


def test_stored_fields(api: ApiClient, engine: Engine) -> None:
    sig = signature(
        campaign="defy-trump-expand-sanctuary",
        local_campaign="evansville",
        event_id="rally-1",
        lang="es",
        synthetic=True,
        utc_offset_minutes=330,
    )
    api.push([sig])
    with engine.connect() as conn:
        row = conn.execute(select(Signature)).one()._mapping
    assert row["id"] == sig.id and row["sealed"] == sig.sealed
    assert row["created_at"] == sig.created_at
    assert (row["campaign"], row["local_campaign"], row["lang"]) == (
        sig.campaign,
        "evansville",
        "es",
    )
    assert (row["event_id"], row["synthetic"], row["utc_offset_minutes"]) == ("rally-1", True, 330)
    assert row["content_hash"] == sig.content_hash()
    assert row["device_id"] == api.device_id


def test_same_content_differently_encoded_is_duplicate(api: ApiClient) -> None:
    sig = signature()
    api.push([sig])
    body = PushRequest(signatures=[sig]).model_dump_json()
    body = body.replace(str(sig.id), str(sig.id).upper())
    body = body.replace(
        sig.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        sig.created_at.astimezone(datetime.now().astimezone().tzinfo).isoformat(),
    )
    r = api.post_raw(body)
    assert r.status_code == 200, r.text
    assert r.json()["signatures"][0]["status"] == "duplicate"


def test_conflict_keeps_stored_and_records_pushed(api: ApiClient, engine: Engine) -> None:
    original = signature()
    api.push([original])
    changed = original.model_copy(update={"sealed": b"tampered"})
    for _ in range(2):  # a repeated conflicting push is recorded once
        assert _statuses(api.push([changed]).signatures) == ["conflict"]
    other = original.model_copy(update={"campaign": "defy-trump-expand-sanctuary"})
    assert _statuses(api.push([other]).signatures) == ["conflict"]
    with engine.connect() as conn:
        assert conn.execute(select(Signature.sealed)).scalar_one() == original.sealed
        rows = conn.execute(select(Conflict).order_by(Conflict.id)).all()
    assert [(r.kind, r.record_id) for r in rows] == [("signature", original.id)] * 2
    assert WireSignature.model_validate_json(rows[0].payload) == changed
    assert rows[0].content_hash == changed.content_hash()
    assert rows[0].device_id == api.device_id


def test_duplicates_within_one_batch(api: ApiClient, engine: Engine) -> None:
    a = signature()
    a2 = a.model_copy(update={"kiosk_id": "someone-else"})
    b = signature()
    result = api.push([a, b, a, a2, b])
    assert _statuses(result.signatures) == [
        "created",
        "created",
        "duplicate",
        "conflict",
        "duplicate",
    ]
    assert _count(engine, Signature) == 2
    assert _count(engine, Conflict) == 1


def test_mixed_batch_keeps_request_order(api: ApiClient) -> None:
    old = [signature() for _ in range(3)]
    api.push(old)
    new = [signature() for _ in range(3)]
    conflicting = old[1].model_copy(update={"lang": "es"})
    batch = [new[0], old[0], conflicting, new[1], old[2], new[2]]
    result = api.push(batch)
    assert [r.id for r in result.signatures] == [s.id for s in batch]
    assert _statuses(result.signatures) == [
        "created",
        "duplicate",
        "conflict",
        "created",
        "duplicate",
        "created",
    ]


def test_full_size_batch(api: ApiClient, engine: Engine) -> None:
    sigs = [signature() for _ in range(MAX_BATCH_SIGNATURES)]
    voids = [void(s.id) for s in sigs[:MAX_BATCH_VOIDS]]
    events = [make_event(f"ev-{i}") for i in range(MAX_BATCH_EVENTS)]
    result = api.push(sigs, voids, events)
    assert _statuses(result.signatures) == ["created"] * MAX_BATCH_SIGNATURES
    assert _statuses(result.voids) == ["created"] * MAX_BATCH_VOIDS
    assert _statuses(result.events) == ["created"] * MAX_BATCH_EVENTS
    assert _count(engine, Signature) == MAX_BATCH_SIGNATURES


def test_voids(api: ApiClient, engine: Engine) -> None:
    a, b = signature(), signature()
    api.push([a])
    orphan = void(b.id)
    va = void(a.id, "signed twice")
    result = api.push(voids=[va, orphan])
    assert _statuses(result.voids) == ["created", "unknown"]
    assert [r.id for r in result.voids] == [a.id, b.id]
    assert _count(engine, SignatureVoid) == 1  # an unknown void is not stored
    # Retried later, after its signature arrived: now it is stored.
    result = api.push([b], [orphan, va])
    assert _statuses(result.signatures) == ["created"]
    assert _statuses(result.voids) == ["created", "duplicate"]
    # A different void of an already voided signature: conflict, the first void stays.
    other = void(a.id, "wrong campaign")
    assert _statuses(api.push(voids=[other]).voids) == ["conflict"]
    with engine.connect() as conn:
        reason = conn.execute(
            select(SignatureVoid.reason).where(SignatureVoid.signature_id == a.id)
        ).scalar_one()
        kinds = conn.execute(select(Conflict.kind, Conflict.record_id)).all()
    assert reason == "signed twice"
    assert kinds == [("void", a.id)]


def test_void_with_its_signature_in_one_batch(api: ApiClient) -> None:
    s = signature()
    result = api.push([s], [void(s.id)])
    assert _statuses(result.signatures) == ["created"]
    assert _statuses(result.voids) == ["created"]


def test_duplicate_voids_within_one_batch(api: ApiClient) -> None:
    s = signature()
    v = void(s.id)
    result = api.push([s], [v, v, void(s.id, "different")])
    assert _statuses(result.voids) == ["created", "duplicate", "conflict"]


def test_events(api: ApiClient, engine: Engine) -> None:
    e1 = make_event("rally-1")
    result = api.push(events=[e1, make_event("rally-2")])
    assert _statuses(result.events) == ["created", "created"]
    renamed = make_event("rally-1", name="Rally at the Courthouse")
    result = api.push(events=[e1, renamed, renamed])
    assert _statuses(result.events) == ["duplicate", "updated", "duplicate"]
    with engine.connect() as conn:
        names = dict(conn.execute(select(EventRecord.id, EventRecord.name)).all())
    assert names == {"rally-1": "Rally at the Courthouse", "rally-2": "Rally at City Hall"}


def test_empty_push(api: ApiClient) -> None:
    result = api.push()
    assert (result.signatures, result.voids, result.events) == ([], [], [])


def test_one_commit_per_batch(api: ApiClient, engine: Engine) -> None:
    commits: list[int] = []

    def on_commit(_conn: object) -> None:
        commits.append(1)

    event.listen(engine, "commit", on_commit)
    try:
        sigs = [signature() for _ in range(50)]
        api.push(sigs, [void(s.id) for s in sigs[:10]], [make_event()])
    finally:
        event.remove(engine, "commit", on_commit)
    assert len(commits) == 1


@pytest.fixture
def failing_void_insert(engine: Engine) -> Iterator[None]:
    """A trigger that makes inserting a void with reason 'boom' fail inside the database."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER boom BEFORE INSERT ON voids WHEN NEW.reason = 'boom' "
                    "BEGIN SELECT RAISE(ABORT, 'boom'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "IF NEW.reason = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER boom BEFORE INSERT ON voids "
                    "FOR EACH ROW EXECUTE FUNCTION boom()"
                )
            )
    yield
    with engine.begin() as conn:
        conn.execute(
            text("DROP TRIGGER boom" + (" ON voids" if engine.dialect.name != "sqlite" else ""))
        )
        if engine.dialect.name != "sqlite":
            conn.execute(text("DROP FUNCTION boom()"))


def test_batch_is_all_or_nothing(api: ApiClient, engine: Engine, failing_void_insert: None) -> None:
    """Signatures and events are written before the voids; a failing void undoes them all."""
    sigs = [signature() for _ in range(20)]
    r = api.post_raw(push_body(sigs, [void(sigs[0].id), void(sigs[1].id, "boom")], [make_event()]))
    assert r.status_code == 500
    assert r.json()["error"] == "internal_error"
    assert _count(engine, Signature) == 0
    assert _count(engine, SignatureVoid) == 0
    assert _count(engine, EventRecord) == 0
    # Without the failing void, the same signatures go through: nothing half-stored got in the way.
    result = api.push(sigs, [void(sigs[0].id)], [make_event()])
    assert _statuses(result.signatures) == ["created"] * 20
    assert _statuses(result.voids) == ["created"]


def test_totals(client: httpx.Client, engine: Engine, api: ApiClient) -> None:
    other = ApiClient.enroll(client, make_code(engine, "Kiosk B"))
    c1, c2 = "defy-trump-expand-sanctuary", "sanctuary-of-safety"
    a = [signature(campaign=c1, local_campaign="evansville") for _ in range(3)]
    b = [signature(campaign=c1, local_campaign="skokie") for _ in range(2)]
    c = [signature(campaign=c1) for _ in range(4)]
    d = [signature(campaign=c2) for _ in range(5)]
    demo = [signature(campaign=c2, synthetic=True) for _ in range(7)]
    api.push(a + c + demo)
    other.push(b + d)
    refused = other.push(voids=[void(a[0].id)])  # a device voids only its own signatures
    assert [r.status for r in refused.voids] == ["forbidden"]
    api.push(voids=[void(a[0].id)])
    other.push(voids=[void(d[0].id), void(d[1].id)])
    totals = api.get("/totals").json()
    assert totals == {
        "campaigns": {c1: 2 + 2 + 4, c2: 3},
        "locals": {f"{c1}/evansville": 2, f"{c1}/skokie": 2},
    }


def test_totals_empty(api: ApiClient) -> None:
    assert api.get("/totals").json() == {"campaigns": {}, "locals": {}}


def test_concurrent_overlapping_pushes(engine: Engine) -> None:
    """Two transactions storing overlapping batches: every id is created exactly once."""
    with write_transaction(engine) as conn:
        device_id = _device(conn)
    pool = [signature() for _ in range(300)]
    batches = [pool[:200], pool[100:]]
    for batch in batches:
        random.shuffle(batch)
    results: list[list[str]] = [[], []]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(i: int) -> None:
        try:
            barrier.wait()
            with write_transaction(engine) as conn:
                resp = store_push(
                    conn, device_id, PushRequest(signatures=batches[i]), datetime.now(UTC)
                )
            results[i] = [r.status for r in resp.signatures]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results[0].count("created") + results[1].count("created") == 300
    assert results[0].count("duplicate") + results[1].count("duplicate") == 100
    assert _count(engine, Signature) == 300


def _device(conn: Connection) -> str:
    code = devices.create_enrollment_code(conn, "race", timedelta(hours=1), datetime.now(UTC)).code
    return devices.enroll(conn, code, None, datetime.now(UTC)).device_id


def test_every_status_is_final_except_unknown(api: ApiClient) -> None:
    """Pushing the same batch three times: the answers settle after the first push."""
    s = signature()
    batch_sigs = [s, signature()]
    batch_voids = [void(s.id), void(uuid7())]
    first = api.push(batch_sigs, batch_voids)
    second = api.push(batch_sigs, batch_voids)
    third = api.push(batch_sigs, batch_voids)
    assert _statuses(first.voids) == ["created", "unknown"]
    assert _statuses(second.signatures) == _statuses(third.signatures) == ["duplicate"] * 2
    assert _statuses(second.voids) == _statuses(third.voids) == ["duplicate", "unknown"]


def test_a_new_event_pushed_by_two_devices_at_once_stays_its_creators(engine: Engine) -> None:
    """Device A's push of a new event is stored but not committed when device C pushes the same
    id: C read nothing, so only the statement itself can refuse it. C is answered ``forbidden``
    and A's event is left as A made it (on PostgreSQL C's insert waited for A's commit; on
    SQLite C waits for the write lock, then reads A's event)."""
    with write_transaction(engine) as conn:
        a, c = _device(conn), _device(conn)
    answers: dict[str, str] = {}
    c_started = threading.Event()

    def push_c() -> None:
        c_started.set()
        hijack = make_event("race-1", name="HIJACKED")
        with write_transaction(engine) as conn:
            answers["c"] = (
                store_push(conn, c, PushRequest(events=[hijack]), datetime.now(UTC))
                .events[0]
                .status
            )

    with write_transaction(engine) as conn:
        answers["a"] = (
            store_push(conn, a, PushRequest(events=[make_event("race-1")]), datetime.now(UTC))
            .events[0]
            .status
        )
        other = threading.Thread(target=push_c)
        other.start()
        c_started.wait()
        other.join(timeout=1.0)  # C blocks on A's uncommitted row (or the write lock)
        assert other.is_alive()
    other.join(timeout=60)
    assert not other.is_alive()
    assert answers == {"a": "created", "c": "forbidden"}
    with engine.connect() as conn:
        row = conn.execute(
            select(EventRecord.name, EventRecord.device_id).where(EventRecord.id == "race-1")
        ).one()
    assert tuple(row) == ("Rally at City Hall", a)
