"""The running counts (``signature_tally``, migration 0006) stay exact, and the counts read them.

Every count without a time bound (staff mode's, the signer screen's progress, the export
screen's, ``kiosk status``) is answered from a few tally rows: here each answer is checked
against the same count made over the signatures themselves, after every kind of change a
store sees (saves one by one and in bulk, voids, an event moved, sync marking, purging,
requeueing), and the queries are checked to read no signature row.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from kiosk.domain.campaign import TextVersion
from kiosk.domain.ports import SignatureFilter
from kiosk.domain.signature import SealedSignature, SignatureMeta, SyncState, Void
from kiosk.store import peek
from kiosk.store.db import make_engine
from kiosk.store.migrate import upgrade
from kiosk.store.sql import SqlStore, open_store
from tests.helpers import mini_campaign

START = datetime(2026, 11, 1, tzinfo=UTC)
CAMPAIGNS = ("mini-test", "other")
LOCALS = (None, "duluth", "superior")
EVENTS = (None, "ev1", "ev2")


def _signature(rng: random.Random, i: int, version: TextVersion) -> SealedSignature:
    meta = SignatureMeta(
        uuid.uuid4(),
        rng.choice(CAMPAIGNS),
        rng.choice(LOCALS),
        version.hash,
        "en",
        "k1",
        rng.choice(EVENTS),
        START + timedelta(hours=i),
        0,
        rng.random() < 0.2,
    )
    return SealedSignature(meta, b"sealed", (f"{i:064x}",))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    s = open_store(tmp_path / "kiosk.db")
    yield s
    s.close()


def _fill(store: SqlStore, n: int, seed: int) -> list[SealedSignature]:
    version = mini_campaign().current_version()
    rng = random.Random(seed)
    made = [_signature(rng, seed * 10_000 + i, version) for i in range(n)]
    store.add_many([(sig, version) for sig in made[: n // 2]])
    for sig in made[n // 2 :]:
        store.add(sig, version)
    return made


def _counted(store: SqlStore, flt: SignatureFilter) -> int:
    """The count of ``flt`` made over the signatures themselves."""
    where, args = ["1"], []
    for column, value in (
        ("campaign", flt.campaign),
        ("local_campaign", flt.local_campaign),
        ("event_id", flt.event_id),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if flt.since is not None:
        where.append("created_ms >= ?")
        args.append(int(flt.since.timestamp() * 1000))
    if not flt.include_void:
        where.append("voided = 0")
    if not flt.include_synthetic:
        where.append("synthetic = 0")
    with store.engine.connect() as conn:
        sql = f"SELECT count(*) FROM signatures WHERE {' AND '.join(where)}"
        return int(conn.exec_driver_sql(sql, tuple(args)).scalar() or 0)


def _filters() -> Iterator[SignatureFilter]:
    for campaign, local, ev, void, synthetic, since in itertools.product(
        (None, *CAMPAIGNS, "none-such"),
        (None, "duluth"),
        (None, "ev1"),
        (False, True),
        (False, True),
        (None, START + timedelta(hours=30)),
    ):
        yield SignatureFilter(campaign, local, ev, since, None, void, synthetic)


def _check(store: SqlStore) -> None:
    for flt in _filters():
        assert store.count(flt) == _counted(store, flt), flt
    with store.engine.connect() as conn:
        q = conn.exec_driver_sql
        by_local = dict(
            ((f"{c}/{lc}" if lc else c), n)
            for c, lc, n in q(
                "SELECT campaign, local_campaign, count(*) FROM signatures WHERE voided = 0 "
                "GROUP BY 1, 2"
            ).all()
        )
        by_sync = dict(q("SELECT sync_state, count(*) FROM signatures GROUP BY 1").all())
        by_event = dict(
            (e or "", n)
            for e, n in q(
                "SELECT event_id, count(*) FROM signatures WHERE voided = 0 GROUP BY 1"
            ).all()
        )
        purged = q(
            "SELECT count(*) FROM signatures s "
            "WHERE NOT EXISTS (SELECT 1 FROM signature_sealed b WHERE b.seq = s.seq)"
        ).scalar()
    counts = store.counts()
    assert {k: v for k, v in counts.by_local.items()} == {
        k: v for k, v in by_local.items() if "/" in k
    }
    campaigns: dict[str, int] = {}
    for key, n in by_local.items():
        campaigns[key.split("/")[0]] = campaigns.get(key.split("/")[0], 0) + n
    assert counts.by_campaign == campaigns
    assert counts.total == sum(campaigns.values())
    assert counts.by_event == by_event
    assert counts.by_sync_state == by_sync
    assert counts.voided == _counted(store, SignatureFilter(include_void=True)) - counts.total
    assert store.purged_count() == purged


def test_the_running_counts_follow_every_change(store: SqlStore) -> None:
    _check(store)  # empty
    made = _fill(store, 120, seed=1)
    _check(store)
    at = START + timedelta(days=30)
    for sig in made[::7]:
        store.add_void(Void(sig.meta.id, "duplicate", at, "k1"))
    _check(store)
    with store.engine.begin() as conn:  # an event's signatures moved to another
        conn.exec_driver_sql("UPDATE signatures SET event_id = 'ev2' WHERE event_id = 'ev1'")
        conn.exec_driver_sql("UPDATE signatures SET synthetic = 0 WHERE seq % 5 = 0")
    _check(store)
    rows = store.pending_rows(0, 200)
    store.mark_ranges([(rows[0][0], rows[89][0])], SyncState.SYNCED)
    store.mark_signatures([made[100].meta.id], SyncState.CONFLICT)
    _check(store)
    assert store.purge_personal([s.meta.id for s in made[:60]]) == 60
    _check(store)
    store.requeue_acknowledged(None)
    _check(store)
    _fill(store, 40, seed=2)  # more after a purge
    _check(store)


def test_an_upgraded_store_counts_what_it_held(tmp_path: Path) -> None:
    """A store made before the tally (0005) gets it counted in the upgrade, purged ones too."""
    db = tmp_path / "kiosk.db"
    engine = make_engine(db)
    upgrade(engine, "0005")
    engine.dispose()
    old = SqlStore(db)  # the code's statements, on the 0005 schema (no tally, no triggers)
    version = mini_campaign().current_version()
    rng = random.Random(3)
    made = [_signature(rng, i, version) for i in range(50)]
    old.add_many([(sig, version) for sig in made])
    with old.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE signatures SET voided = 1 WHERE seq % 6 = 0")
        conn.exec_driver_sql("UPDATE signatures SET sync_state = 'synced' WHERE seq <= 20")
        conn.exec_driver_sql("DELETE FROM dedupe_keys WHERE signature_seq <= 12")
        conn.exec_driver_sql("DELETE FROM signature_sealed WHERE seq <= 12")
    old.engine.dispose()
    store = open_store(db)
    try:
        _check(store)
        assert store.purged_count() == 12
    finally:
        store.close()


def _selects(store: SqlStore, call: Any) -> tuple[Any, list[tuple[str, Any]]]:
    """What ``call`` returns, and the SELECT statements it sent with their parameters."""
    sent: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", grab)
    try:
        answer = call()
    finally:
        event.remove(store.engine, "before_cursor_execute", grab)
    return answer, sent


def _statements(store: SqlStore, call: Any) -> list[str]:
    return [statement for statement, _params in _selects(store, call)[1]]


def _plans(store: SqlStore, call: Any) -> tuple[Any, list[list[str]]]:
    """What ``call`` returns, and SQLite's plan of each SELECT it sent (its steps)."""
    answer, sent = _selects(store, call)
    with store.engine.connect() as conn:
        plans = [
            [r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p).all()]
            for s, p in sent
        ]
    return answer, plans


@pytest.mark.parametrize("analyzed", [False, True])
def test_counts_without_a_time_bound_read_no_signature_row(store: SqlStore, analyzed: bool) -> None:
    _fill(store, 60, seed=4)
    if analyzed:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    for flt in _filters():
        if flt.since is not None:
            continue
        sent = _statements(store, lambda flt=flt: store.count(flt))
        assert sent and all("signatures" not in s for s in sent), sent
    sent = _statements(store, store.purged_count)
    assert sent and all("FROM signatures" not in s for s in sent), sent
    with store.engine.connect() as conn:  # kiosk status: only index searches of signatures
        for sql in (peek._BY_LOCAL, peek._BY_EVENT, peek._VOIDED, peek._STORED, peek._BY_SYNC):
            for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all():
                step = row[-1]
                assert not (step.startswith("SCAN") and "signatures" in step), (sql, step)


@pytest.mark.parametrize("analyzed", [False, True])
def test_a_count_of_a_period_searches_the_time_index(store: SqlStore, analyzed: bool) -> None:
    """Today's count of a campaign walked every signature of the campaign (the campaign's
    index), 40 ms on 200,000 stored for none signed today."""
    _fill(store, 60, seed=5)
    if analyzed:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    since = START + timedelta(hours=50)
    flt = SignatureFilter(
        campaign="mini-test", local_campaign="duluth", event_id="ev1", since=since
    )
    expected = _counted(store, flt)
    counted, plans = _plans(store, lambda: store.count(flt))
    assert counted == expected
    assert plans
    for plan in plans:
        assert all("ix_signatures_created (created_ms>?)" in step for step in plan), plan


@pytest.mark.parametrize("analyzed", [False, True])
def test_retention_due_is_found_from_the_personal_data_still_held(
    store: SqlStore, analyzed: bool
) -> None:
    """What retention may delete (its list and its count) is the same as asking every synced
    signature, for every policy; the query walks the index of the rows still held, never every
    synced signature (0.17 s on 200,000 stored, 60 % purged)."""
    made = _fill(store, 80, seed=6)
    ids = [m.meta.id for m in made]
    store.mark_signatures(ids[:60], SyncState.SYNCED)
    store.mark_exported(ids[10:50], START)
    store.purge_personal(ids[:20])
    if analyzed:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, created_ms, exported_ms IS NOT NULL FROM signatures s "
            "WHERE sync_state = 'synced' "
            "AND EXISTS (SELECT 1 FROM signature_sealed b WHERE b.seq = s.seq)"
        ).all()
    for before in (None, START + timedelta(hours=30), START + timedelta(days=400)):
        for exported in (False, True):
            expected = {
                uuid.UUID(i)
                for i, created, was_exported in rows
                if (before is None or created < int(before.timestamp() * 1000))
                and (was_exported or not exported)
            }
            assert set(store.purgeable(before, exported)) == expected, (before, exported)
            assert store.purgeable_count(before, exported) == len(expected)
    _, plans = _plans(
        store,
        lambda: (
            store.purgeable_count(START + timedelta(hours=30), True),
            store.purgeable(None, False),
        ),
    )
    assert len(plans) == 2
    for plan in plans:
        assert plan[0] == "SCAN b USING COVERING INDEX ix_signature_sealed_seq", plan
        assert all(not step.startswith("SCAN s") for step in plan), plan
