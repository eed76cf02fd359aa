"""The hourly counts behind the console's charts (``hour_counts``, issue #15) always equal what
a scan of the signatures finds: through pushes with and without a key, voids, signatures read
later, on both databases; and migration 0016 counts what a database already holds the same way.
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from kiosk.server import devices, migrate
from kiosk.server.console import data
from kiosk.server.db import write_transaction
from kiosk.server.ingest import SIGNATURES, VOIDS, store_push
from kiosk.server.keys import load_keyring
from kiosk.server.tallies import FACTS, HOURS, QUARANTINED, _Clock, hour_key, read_pending
from kiosk.wire import PushRequest, WireSignature
from tests.server.conftest import make_code
from tests.server.coord_support import PASSPHRASE, make_key, person
from tests.server.helpers import event, signature, void

SLUG = "sanctuary-of-safety"


def _kept(engine: Engine) -> Counter[tuple[str, ...]]:
    """``hour_counts``, its shards summed, zeros left out."""
    h = HOURS.c
    keys = (h.campaign, h.hour, h.day, h.event_id, h.device_id)
    with engine.connect() as conn:
        rows = conn.execute(select(*keys, func.sum(h.n)).group_by(*keys)).all()
    return +Counter({tuple(r[:5]): int(r[5]) for r in rows})


def _counted_ids(engine: Engine) -> set[object]:
    """The ids of the signatures the counts count: not voided, synthetic or quarantined."""
    s = SIGNATURES.c
    with engine.connect() as conn:
        off = {v for (v,) in conn.execute(select(VOIDS.c.signature_id))}
        off |= {
            f
            for (f,) in conn.execute(
                select(FACTS.c.signature_id).where(FACTS.c.state == QUARANTINED)
            )
        }
        ids = {i for (i,) in conn.execute(select(s.id).where(s.synthetic.is_(False)))}
    return ids - off


def _scanned(engine: Engine) -> Counter[tuple[str, ...]]:
    """The same figures from every signature: not voided, synthetic or quarantined."""
    s = SIGNATURES.c
    counted = _counted_ids(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.id, s.campaign, s.event_id, s.device_id, s.created_at, s.utc_offset_minutes)
        ).all()
    out: Counter[tuple[str, ...]] = Counter()
    for sid, campaign, ev, device, created, offset in rows:
        if sid in counted:
            out[hour_key(campaign, ev, device, created, offset)] += 1
    return out


def _fill(engine: Engine, tmp_path: Path) -> list[WireSignature]:
    """Two devices push readable, unreadable, synthetic, evented signatures over three days
    with offsets of whole and half hours, some without the key (read later); then voids."""
    now = datetime.now(UTC)
    key = make_key(tmp_path)
    ring = load_keyring([key.path], PASSPHRASE)
    device_ids = []
    for _ in range(2):
        code = make_code(engine)
        with write_transaction(engine) as conn:
            device_ids.append(devices.enroll(conn, code, None, now).device_id)
    offsets = [-300, 330, 345, -570, 60, 0, -210]
    sigs = []
    for i in range(60):
        readable = i % 7 != 3
        sigs.append(
            signature(
                created_at=now - timedelta(minutes=71 * i + 5),
                utc_offset_minutes=offsets[i % len(offsets)],
                event_id="rally-1" if i % 3 == 0 else None,
                synthetic=i % 11 == 5,
                sealed=(
                    key.seal(
                        person("Ana" + "bcdefghijklmnopqrstuvwxyz"[i % 25], "Reyes" + "abc"[i % 3])
                    )
                    if readable
                    else secrets.token_bytes(96)
                ),
            )
        )
    for n, batch in enumerate((sigs[:20], sigs[20:40], sigs[40:])):
        with write_transaction(engine) as conn:
            store_push(
                conn,
                device_ids[n % 2],
                PushRequest(signatures=batch, events=[event()] if n == 0 else []),
                now,
                ring if n == 1 else None,  # the first and last pushes arrive without a key
            )
    for device, voided in ((device_ids[0], (2, 7)), (device_ids[1], (24, 31))):
        with write_transaction(engine) as conn:  # voided before being read, and after
            store_push(conn, device, PushRequest(voids=[void(sigs[i].id) for i in voided]), now)
    return sigs


def test_hour_counts_equal_a_scan_through_pushes_voids_and_late_reads(
    engine: Engine, tmp_path: Path
) -> None:
    _fill(engine, tmp_path)
    assert _kept(engine) == _scanned(engine)
    (tmp_path / "other").mkdir()
    ring = load_keyring([make_key(tmp_path / "other").path], PASSPHRASE)
    # A key that opens none of them: every pending signature is now quarantined, and leaves.
    with write_transaction(engine) as conn:
        assert read_pending(conn, ring, datetime.now(UTC), limit=1000) == 40
    assert _kept(engine) == _scanned(engine)
    with engine.connect() as conn:
        quarantined = conn.execute(
            select(func.count()).select_from(FACTS).where(FACTS.c.state == QUARANTINED)
        ).scalar_one()
    assert quarantined >= 40
    assert sum(_scanned(engine).values()) > 0


def test_charts_sum_the_hour_counts(engine: Engine, tmp_path: Path) -> None:
    """The chart's hours and days are the scan's, per filter."""
    sigs = _fill(engine, tmp_path)
    scanned = _scanned(engine)
    since = datetime.now(UTC) - timedelta(days=5)
    with engine.connect() as conn:
        device = conn.execute(select(SIGNATURES.c.device_id).limit(1)).scalar_one()
        for ev, dev in ((None, None), ("rally-1", None), (None, device), ("rally-1", device)):
            ch = data.charts(conn, SLUG, since, ev, dev)
            want_h: Counter[str] = Counter()
            want_d: Counter[str] = Counter()
            for (_, hour, day, e, d), n in scanned.items():
                if (ev is None or e == ev) and (dev is None or d == dev):
                    want_h[hour] += n
                    want_d[day] += n
            assert ch.hours == dict(want_h) and ch.days == dict(want_d), (ev, dev)
            assert ch.hours, (ev, dev)
    # Only the hours from ``since`` on: the oldest signature's hour is left out after it.
    oldest = min(s.created_at for s in sigs)
    with engine.connect() as conn:
        later = data.charts(conn, SLUG, oldest + timedelta(hours=2))
    assert oldest.strftime("%Y-%m-%dT%H") not in later.hours


def test_migration_0016_counts_what_is_stored(engine: Engine, tmp_path: Path) -> None:
    _fill(engine, tmp_path)
    kept = _kept(engine)
    assert kept
    migrate.downgrade(engine, "0015")
    assert migrate.upgrade(engine) == ("0015", migrate.head_revision())
    assert _kept(engine) == kept == _scanned(engine)


def test_counted_since_equals_a_scan(engine: Engine, tmp_path: Path) -> None:
    """The rally's "today": whole hours from the counts, a part hour from the signatures, for
    midnights on the hour and at :30 and :45 offsets, at an event or not."""
    sigs = _fill(engine, tmp_path)
    scanned_ids = _counted_ids(engine)
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=20)
    for since in (base, base + timedelta(minutes=30), base - timedelta(minutes=45)):
        for ev in (None, "rally-1"):
            want = sum(
                1
                for s in sigs
                if s.id in scanned_ids
                and s.created_at >= since
                and (ev is None or s.event_id == ev)
            )
            with engine.connect() as conn:
                assert data.counted_since(conn, SLUG, since, ev) == want, (since, ev)
            assert want > 0


@settings(max_examples=500, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2019, 12, 30), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(-840, 840),
)
def test_hours_and_days_counted_by_whole_minutes_are_the_times_own(
    created: datetime, offset: int
) -> None:
    """Hours and days are worked out from whole minutes (``_Clock``, issue #13): the same UTC
    hour, local day and local date as ``strftime`` and the counts' own ``created_at + offset``
    say, at every edge (offsets of any minutes, midnight, new year), for one signature
    (:func:`hour_key`) and for a clock kept over many."""
    local = created + timedelta(minutes=offset)
    want = (SLUG, created.strftime("%Y-%m-%dT%H"), local.date().isoformat(), "", "d")
    assert hour_key(SLUG, None, "d", created, offset) == want
    clock = _Clock()
    minute = clock.minute_of(created)
    local_day = clock.local_day(minute, offset)
    assert clock.key(SLUG, None, "d", minute, local_day) == want
    assert clock.key(SLUG, None, "d", minute, local_day) == want  # the kept texts
    assert date.fromordinal(local_day) == local.date()
    assert clock.minute_of(created.replace(tzinfo=None)) == minute  # naive is UTC
