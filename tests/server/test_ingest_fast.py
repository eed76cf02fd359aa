"""The ingest fast path (issue 13): cheaper hashing and base64 that answer exactly as before,
bulk inserts, and running counts in shards that stay exact under concurrent pushes (SQLite and
PostgreSQL)."""

from __future__ import annotations

import base64
import binascii
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import Engine, event, func, select

from kiosk.server import devices, migrate, stats, tallies
from kiosk.server.db import write_transaction
from kiosk.server.ingest import store_push
from kiosk.wire import PushRequest, WireSignature, _canonical_hash
from tests.server.conftest import make_code
from tests.server.helpers import TEXT_VERSION, signature, void

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85"),
    min_size=1,
    max_size=64,
)


@settings(max_examples=300, deadline=None)
@given(
    kiosk_id=_TEXT,
    event_id=st.none() | _TEXT,
    local=st.none() | st.sampled_from(["evansville", "a1-b2"]),
    moment=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    offset=st.integers(-14 * 60, 14 * 60),
    minutes=st.integers(-840, 840),
    synthetic=st.booleans(),
    lang=st.sampled_from(["en", "es"]),
    method=st.sampled_from(["drawn", "typed", "typed_witnessed"]),
    sealed=st.binary(min_size=1, max_size=300),
)
def test_content_hash_is_the_canonical_json_hash(
    kiosk_id: str,
    event_id: str | None,
    local: str | None,
    moment: datetime,
    offset: int,
    minutes: int,
    synthetic: bool,
    lang: str,
    method: str,
    sealed: bytes,
) -> None:
    """The hand-written canonical JSON hashes to exactly what ``json.dumps(sort_keys=True,
    ensure_ascii=False)`` of the same fields does, so signatures stored before it are still
    told apart from conflicts (quotes, backslashes, non-ASCII, years before 1000, every
    signature method included)."""
    s = WireSignature(
        id="0190C2E4-7B1A-7C3E-9F00-1A2B3C4D5E6F",
        campaign="defy-trump-expand-sanctuary",
        local_campaign=local,
        text_version=TEXT_VERSION,
        lang=lang,  # type: ignore[arg-type]
        kiosk_id=kiosk_id,
        event_id=event_id,
        created_at=moment.astimezone(timezone(timedelta(minutes=offset)))
        if moment.year > 1 and moment.year < 9999
        else moment,
        utc_offset_minutes=minutes,
        synthetic=synthetic,
        method=method,  # type: ignore[arg-type]
        sealed=sealed,
    )
    assert s.content_hash() == _canonical_hash(s.canonical_fields())


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="ABCDabcd0189+/=-_ \n\t*", max_size=16),
        st.binary(max_size=12).map(lambda b: base64.b64encode(b).decode()),
    )
)
def test_sealed_base64_accepts_exactly_what_strict_b64decode_accepts(text: str) -> None:
    """The C-level strict base64 check takes the same strings as ``b64decode(validate=True)``
    did, and decodes them to the same bytes."""
    try:
        expected: bytes | None = base64.b64decode(text, validate=True)
    except binascii.Error:
        expected = None
    fields = signature().model_dump(mode="json")
    fields["sealed"] = text
    try:
        got: bytes | None = WireSignature.model_validate(fields).sealed
    except ValidationError:
        got = None
    if expected == b"":
        assert got is None  # empty is refused on its own rule
    else:
        assert got == expected


def _device(engine: Engine, name: str) -> str:
    code = make_code(engine, name)
    with write_transaction(engine) as conn:
        return devices.enroll(conn, code, None, datetime.now(UTC)).device_id


def _push(engine: Engine, device_id: str, push: PushRequest) -> None:
    with write_transaction(engine) as conn:
        store_push(conn, device_id, push, datetime.now(UTC))


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_postgres_copies_a_new_batch_and_falls_back_for_stored_ids(engine: Engine) -> None:
    """On PostgreSQL a batch of new signatures goes in by ``COPY`` in a savepoint; a batch that
    holds some stored ids makes that ``COPY`` fail, rolls back to the savepoint and stores the
    rest with ``INSERT ... ON CONFLICT``: the statuses, the rows and the counts are the same as
    on the other path, and the push's transaction goes on (its facts and counts are written)."""
    device_id = _device(engine, "Kiosk COPY")
    rolled_back: list[object] = []

    def on_rollback(*args: object) -> None:
        rolled_back.append(args)

    event.listen(engine, "rollback_savepoint", on_rollback)
    try:
        first = [signature() for _ in range(30)]
        with write_transaction(engine) as conn:
            answer = store_push(conn, device_id, PushRequest(signatures=first), datetime.now(UTC))
        assert [r.status for r in answer.signatures] == ["created"] * 30
        assert rolled_back == []  # all new: the COPY went through
        changed = first[3].model_copy(update={"lang": "es" if first[3].lang == "en" else "en"})
        fresh = [signature() for _ in range(20)]
        mixed = [*fresh[:10], first[0], changed, *first[5:8], *fresh[10:]]
        with write_transaction(engine) as conn:
            answer = store_push(conn, device_id, PushRequest(signatures=mixed), datetime.now(UTC))
        assert len(rolled_back) == 1  # the COPY met a stored id and was undone
    finally:
        event.remove(engine, "rollback_savepoint", on_rollback)
    statuses = [r.status for r in answer.signatures]
    assert (
        statuses
        == ["created"] * 10 + ["duplicate", "conflict"] + ["duplicate"] * 3 + ["created"] * 10
    )
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(tallies.FACTS)).scalar_one()
        data = stats.stats(conn)
    assert stored == data["signatures"] == 50  # one fact each: nothing of the undone COPY kept


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_postgres_goes_straight_to_insert_for_a_batch_sent_again(engine: Engine) -> None:
    """A batch whose first or last id is stored (a retry, everything sent again after a
    restore) is found so before the write transaction: no ``COPY`` is tried (none fails, and
    PostgreSQL's log has no error line for it), with the same answers."""
    from kiosk.server.ingest import prepare_push, stored_already

    device_id = _device(engine, "Kiosk again")
    rolled_back: list[object] = []

    def on_rollback(*args: object) -> None:
        rolled_back.append(args)

    batch = [signature() for _ in range(20)]
    _push(engine, device_id, PushRequest(signatures=batch))
    again = PushRequest(signatures=[*batch, signature()])  # one new at the end: found anyway
    event.listen(engine, "rollback_savepoint", on_rollback)
    try:
        with engine.connect() as conn:
            stored = stored_already(conn, again)
        assert stored == {s.id for s in batch}
        with write_transaction(engine) as conn:
            answer = store_push(
                conn, device_id, prepare_push(again, None, stored), datetime.now(UTC)
            )
    finally:
        event.remove(engine, "rollback_savepoint", on_rollback)
    assert rolled_back == []
    assert [r.status for r in answer.signatures] == ["duplicate"] * 20 + ["created"]
    with engine.connect() as conn:
        assert stats.stats(conn)["signatures"] == 21


def test_concurrent_pushes_keep_the_counts_exact(engine: Engine) -> None:
    """Six devices push at once (each on its own connection, so on PostgreSQL each adds to its
    own shard of the running counts); then a retry, a void and a refused signature. Every
    count read back is the exact sum, per campaign, local campaign, device, day and in all."""
    names = [f"Kiosk {i}" for i in range(6)]
    ids = [_device(engine, n) for n in names]
    day = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # 18:30 at UTC-5: the kiosk's 20th
    batches = {
        d: [
            signature(
                campaign="defy-trump-expand-sanctuary",
                local_campaign="evansville" if i % 3 == 0 else None,
                created_at=day + timedelta(hours=i % 2),  # the 20th, or the 21st at UTC+0
                utc_offset_minutes=-300 if i % 2 == 0 else 0,
                synthetic=i % 10 == 0,
            )
            for i in range(120)
        ]
        for d in ids
    }
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(ids))

    def run(device_id: str) -> None:
        try:
            barrier.wait()
            for start in range(0, 120, 40):
                chunk = batches[device_id][start : start + 40]
                _push(engine, device_id, PushRequest(signatures=chunk))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    first = ids[0]
    gone = batches[first][1]  # counted, not synthetic
    _push(
        engine,
        first,
        PushRequest(
            signatures=[
                *batches[first][:5],  # a retry: duplicates, counted once
                signature(campaign="no-such-campaign"),  # refused: not counted
            ],
            voids=[void(gone.id)],
        ),
    )
    everything = [s for d in ids for s in batches[d]]
    counted = [s for s in everything if not s.synthetic and s.id != gone.id]
    with engine.connect() as conn:
        data = stats.stats(conn)
        shards = conn.execute(
            select(func.count()).where(tallies.COUNTS.c.name == "signatures")
        ).scalar_one()
    assert data["signatures"] == len(everything) == 720
    assert data["voided"] == 1
    assert data["synthetic"] == sum(s.synthetic for s in everything)
    assert data["pending"] == len(everything)
    assert data["counted"] == len(counted)
    assert data["campaigns"] == {"defy-trump-expand-sanctuary": len(counted)}
    assert data["locals"] == {
        "defy-trump-expand-sanctuary/evansville": sum(s.local_campaign is not None for s in counted)
    }
    days = Counter(
        (s.created_at + timedelta(minutes=s.utc_offset_minutes)).date().isoformat() for s in counted
    )
    assert data["by_day"] == dict(days) and set(days) == {"2026-11-20", "2026-11-21"}
    per_device = Counter(d for d in ids for s in batches[d] if s in counted)
    assert {d: v["signatures"] for d, v in data["devices"].items()} == dict(per_device)
    assert data["devices"][first]["voided"] == 1
    if engine.dialect.name == "postgresql":
        assert shards > 1  # the pushes did not all queue on one row
    else:
        assert shards == 1  # one writer at a time: one row per count


def test_shards_fold_back_on_downgrade(engine: Engine) -> None:
    """Migration 0012 keeps the counts: downgrading folds each count's shards into one row,
    upgrading again keeps them (as shard 0)."""
    d = _device(engine, "Kiosk")
    _push(engine, d, PushRequest(signatures=[signature() for _ in range(3)]))
    with write_transaction(engine) as conn:
        # A shard the push did not write to (which one it took depends on the process id).
        used = set(conn.execute(select(tallies.COUNTS.c.shard)).scalars())
        other = min(set(range(tallies.SHARDS)) - used)
        conn.execute(tallies.COUNTS.insert().values(name="signatures", shard=other, n=2))
        conn.execute(tallies.COUNTS.insert().values(name="pending", shard=other, n=2))
        before = tallies.read_counts(conn)
    assert before["signatures"] == 5
    migrate.downgrade(engine, "0011")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, n FROM stat_counts WHERE name IN ('signatures', 'pending')"
        ).all()
    assert sorted((name, int(n)) for name, n in rows) == [("pending", 5), ("signatures", 5)]
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert tallies.read_counts(conn) == before


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.builds(timezone, st.integers(-1439, 1439).map(lambda m: timedelta(minutes=m))),
    )
)
def test_the_fast_sqlite_time_text_is_sqlalchemys(moment: datetime) -> None:
    """The bulk insert's own writer of UTC times on SQLite gives exactly the text SQLAlchemy's
    ``UTCDateTime`` then ``DATETIME`` bind processors give, for any aware time; a naive time is
    refused by both."""
    from sqlalchemy.dialects import sqlite

    from kiosk.server.bulk import _sqlite_processor, _sqlite_utc_text
    from kiosk.server.db import UTCDateTime

    dialect = sqlite.dialect()
    kind = UTCDateTime()
    sqlalchemys = kind.dialect_impl(dialect).bind_processor(dialect)
    assert _sqlite_processor(kind, dialect) is _sqlite_utc_text
    assert _sqlite_utc_text(moment) == sqlalchemys(moment)
    assert _sqlite_utc_text(None) is None
    naive = moment.replace(tzinfo=None)
    with pytest.raises(ValueError):
        _sqlite_utc_text(naive)
    with pytest.raises(ValueError):
        sqlalchemys(naive)


def test_sqlite_bulk_insert_stores_what_sqlalchemy_stores(tmp_path: Path) -> None:
    """On SQLite, pushed signatures and their facts go in by the driver's ``executemany``: every
    stored value (UUID as hex, times as naive UTC text, booleans, blobs, NULLs) is exactly what
    SQLAlchemy's own insert of the same row writes, and a row that exists after all fails the
    insert instead of being skipped."""
    import sqlite3

    from kiosk.server.bulk import sqlite_insert_rows
    from kiosk.server.db import create_db_engine
    from kiosk.server.ingest import _SIGNATURE_COLUMNS, SIGNATURES
    from kiosk.server.tallies import _FACT_COLUMNS, FACTS

    paris = timezone(timedelta(hours=1))
    moments = [
        datetime(2026, 11, 20, 23, 30, 5, 123456, tzinfo=paris),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2025, 6, 30, 12, 0, 0, 1, tzinfo=timezone(timedelta(hours=-5))),
    ]
    engines = []
    for name in ("bulk", "orm"):
        eng = create_db_engine(f"sqlite:///{tmp_path / name}.sqlite3")
        migrate.upgrade(eng)
        engines.append(eng)
    device = {e: _device(e, "Kiosk") for e in engines}
    now = datetime(2026, 12, 4, 13, 0, 0, 42, tzinfo=paris)
    rows = [
        (
            uuid.uuid4(),
            "sanctuary-of-safety",
            None if i % 2 else "evansville",
            "ab" * 32,
            "en",
            "kiosk-á",
            None if i % 2 else "event 1",
            moments[i],
            -300 + i,
            bool(i % 2),
            ("drawn", "typed", "typed_witnessed")[i],
            bytes([i]) * 200,
            "cd" * 32,
        )
        for i in range(3)
    ]
    facts = [
        (r[0], "ok" if i else "pending", None, b"\x01" * 16 if i else None, now)
        for i, r in enumerate(rows)
    ]
    bulk, orm = engines
    with write_transaction(bulk) as conn:
        sqlite_insert_rows(
            conn, SIGNATURES, _SIGNATURE_COLUMNS, [(*r, device[bulk], now) for r in rows]
        )
        sqlite_insert_rows(conn, FACTS, _FACT_COLUMNS, facts)
    with write_transaction(orm) as conn:
        conn.execute(
            SIGNATURES.insert(),
            [dict(zip(_SIGNATURE_COLUMNS, (*r, device[orm], now), strict=True)) for r in rows],
        )
        conn.execute(FACTS.insert(), [dict(zip(_FACT_COLUMNS, f, strict=True)) for f in facts])
    raw = []
    for eng in engines:
        with eng.connect() as conn:
            sigs = conn.exec_driver_sql(
                f"SELECT {', '.join(_SIGNATURE_COLUMNS[:-2])}, received_at FROM signatures "
                "ORDER BY id"
            ).fetchall()
            fact_rows = conn.exec_driver_sql(
                "SELECT * FROM signature_facts ORDER BY signature_id"
            ).fetchall()
            raw.append((sigs, fact_rows))
    assert raw[0] == raw[1]
    assert len(raw[0][0]) == 3 and len(raw[0][1]) == 3
    with pytest.raises(sqlite3.IntegrityError), write_transaction(bulk) as conn:
        sqlite_insert_rows(conn, SIGNATURES, _SIGNATURE_COLUMNS, [(*rows[0], device[bulk], now)])
    with pytest.raises(ValueError), write_transaction(bulk) as conn:  # naive time refused
        sqlite_insert_rows(
            conn,
            SIGNATURES,
            _SIGNATURE_COLUMNS,
            [(uuid.uuid4(), *rows[0][1:], device[bulk], now.replace(tzinfo=None))],
        )
    for eng in engines:
        eng.dispose()


def test_a_batch_sent_again_is_not_opened_again(
    db_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a sealed signature (the organization's key, then reading it) is the costly part
    of storing one; a batch sent again (a retry, or everything after a server restore) is
    answered from what is stored without opening it again, and counted once."""
    import httpx

    from kiosk.server.app import create_app
    from kiosk.server.config import ServerSettings
    from kiosk.server.keys import ENV_KEY_PASSPHRASE
    from tests.server.coord_support import (
        PASSPHRASE,
        import_mini,
        make_key,
        mini_signature,
        person,
    )
    from tests.server.helpers import ApiClient, InProcessServer

    monkeypatch.setenv(ENV_KEY_PASSPHRASE, PASSPHRASE)
    key = make_key(tmp_path)
    settings = ServerSettings(
        database_url=db_url, org_public_key=key.public_b64, org_private_key_files=(str(key.path),)
    )
    import_mini(engine)
    opened: list[bytes] = []
    real = tallies.read_record

    def counting(keys: object, sealed: bytes) -> tallies.Reading:
        opened.append(sealed)
        return real(keys, sealed)

    monkeypatch.setattr(tallies, "read_record", counting)
    with (
        InProcessServer(create_app(settings, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=60) as http,
    ):
        api = ApiClient.enroll(http, make_code(engine, "Kiosk A"))
        batch = [mini_signature(key, person(f"Ana{i}", "Reyes"), "evansville") for i in range(6)]
        assert [r.status for r in api.push(batch).signatures] == ["created"] * 6
        assert len(opened) == 6
        assert [r.status for r in api.push(batch).signatures] == ["duplicate"] * 6
        assert len(opened) == 6  # not opened again
        # New at both ends, stored in the middle: looked at as a new batch, all opened.
        mixed = [mini_signature(key, person("Bo", "Diaz"), "evansville"), *batch[2:4]]
        mixed.append(mini_signature(key, person("Cy", "Diaz"), "evansville"))
        statuses = [r.status for r in api.push(mixed).signatures]
        assert statuses == ["created", "duplicate", "duplicate", "created"]
        assert len(opened) == 6 + 4
        with engine.connect() as conn:
            assert tallies.read_counts(conn)["signatures"] == 8
