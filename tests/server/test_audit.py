"""Audit trails pushed to the server: stored once per (device, seq), conflicts kept, chains
verified by ``kiosk-server audit verify`` (a tampered entry is found), old kiosks unaffected."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, update

from kiosk.domain.audit import GENESIS, AuditEntry, entry_hash
from kiosk.server.cli import main as server_main
from kiosk.server.models import AuditEntryRecord
from kiosk.wire import PushRequest, PushResponse, WireAuditEntry
from tests.server.helpers import ApiClient, push_body, signature

START_MS = 1_795_000_000_123


def chain(
    n: int, kiosk_id: str = "kiosk-a", start: int = 1, prev: str = GENESIS
) -> list[AuditEntry]:
    """``n`` valid chained entries from ``start``."""
    out = []
    for seq in range(start, start + n):
        at = START_MS + seq * 1000
        detail = {"via": "cli", "rows": seq}
        h = entry_hash(prev, seq, at, kiosk_id, "export", detail)
        out.append(AuditEntry(seq, at, kiosk_id, "export", detail, prev, h))
        prev = h
    return out


def push_audit(api: ApiClient, entries: list[AuditEntry]) -> list[tuple[int, str]]:
    body = PushRequest(audit=[WireAuditEntry.from_entry(e) for e in entries]).model_dump_json()
    r = api.post_raw(body)
    assert r.status_code == 200, r.text
    return [(a.seq, a.status) for a in PushResponse.model_validate_json(r.content).audit]


def test_wire_entry_round_trips_the_hashed_fields() -> None:
    for e in chain(3):
        again = WireAuditEntry.model_validate_json(WireAuditEntry.from_entry(e).model_dump_json())
        assert again.to_entry() == e


def test_push_without_audit_answers_without_the_audit_field(api: ApiClient) -> None:
    """Kiosks from before the audit field refuse unknown fields: it is only sent when used."""
    assert "audit" not in push_body([signature()])
    r = api.post_raw(push_body([signature()]))
    assert r.status_code == 200
    assert "audit" not in r.json()


def test_audit_is_stored_idempotently_with_conflicts_kept(
    api: ApiClient, engine: Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = chain(5)
    assert push_audit(api, entries[:3]) == [(1, "created"), (2, "created"), (3, "created")]
    assert push_audit(api, entries[2:]) == [(3, "duplicate"), (4, "created"), (5, "created")]
    forged = chain(1, kiosk_id="someone-else", start=5, prev=entries[3].hash)
    assert push_audit(api, forged) == [(5, "conflict")]
    assert (
        server_main(["--database-url", db_url, "audit", "verify", "--device", api.device_id]) == 0
    )
    out = capsys.readouterr().out
    assert "ok (5 entries, 1 conflicting entries kept for review)" in out


def test_verify_finds_a_tampered_entry(
    api: ApiClient, engine: Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    push_audit(api, chain(4))
    with engine.begin() as conn:
        conn.execute(
            update(AuditEntryRecord)
            .where(AuditEntryRecord.seq == 3)
            .values(detail={"via": "cli", "rows": 999})
        )
    assert server_main(["--database-url", db_url, "audit", "verify"]) == 1
    assert f"{api.device_id}: BROKEN at entry 3: was altered" in capsys.readouterr().out


def test_verify_finds_a_gap(
    api: ApiClient, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = chain(4)
    push_audit(api, [entries[0], entries[1], entries[3]])
    assert (
        server_main(["--database-url", db_url, "audit", "verify", "--device", api.device_id]) == 1
    )
    assert "entry 3 is missing" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("detail", {"x": "y" * 3000}),
        ("seq", 0),
        ("hash", "nothex"),
        ("at", "2026-11-23T12:00:00.000123Z"),
    ],
)
def test_bad_audit_entries_are_refused(api: ApiClient, field: str, value: object) -> None:
    entry = json.loads(WireAuditEntry.from_entry(chain(1)[0]).model_dump_json())
    entry[field] = value
    r = api.post_raw(json.dumps({"audit": [entry]}))
    assert r.status_code == 422, r.text


def test_too_many_audit_entries_are_refused(api: ApiClient) -> None:
    one = json.loads(WireAuditEntry.from_entry(chain(1)[0]).model_dump_json())
    r = api.post_raw(json.dumps({"audit": [one] * 501}))
    assert r.status_code == 422


def test_verify_unknown_device(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert server_main(["--database-url", db_url, "audit", "verify", "--device", "nope"]) == 1
    assert "no device" in capsys.readouterr().err


def _record_trail_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Where each read of a device's stored trail starts (``after_seq``), as it happens."""
    from kiosk.server import audit as server_audit

    read_after: list[int] = []
    entries_of = server_audit.entries_of

    def recording(conn: object, device_id: str, after_seq: int = 0, limit: object = None) -> list:
        read_after.append(after_seq)
        return entries_of(conn, device_id, after_seq, limit)  # type: ignore[arg-type]

    monkeypatch.setattr(server_audit, "entries_of", recording)
    return read_after


def test_the_console_checks_a_chain_incrementally_and_in_full_every_ten_minutes(
    api: ApiClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit page checked every entry of every device at every view (a device's 100,000
    entries: 3.75 s a view). Now: what was added since the last view, and all of it again at
    most ten minutes apart, when an edit in the database shows."""
    from kiosk.server.audit import ChainChecks

    read_after = _record_trail_reads(monkeypatch)
    clock = [1000.0]
    checks = ChainChecks(full_every=600, clock=lambda: clock[0])
    entries = chain(8)
    push_audit(api, entries[:5])
    read_after.clear()  # (the push's own reads: the server moved the device's anchor)
    with engine.connect() as conn:  # each view has its own connection, as the page's
        first = checks.device(conn, api.device_id)
    assert first.ok and first.entries == 5 and first.head == (5, entries[4].hash)
    assert read_after == [0]  # the first view reads it all
    push_audit(api, entries[5:])
    read_after.clear()
    with engine.connect() as conn:
        again = checks.device(conn, api.device_id)
    assert again.ok and again.entries == 8 and read_after == [5]  # only what is new
    with engine.begin() as conn:  # an old entry edited in the database
        conn.execute(
            update(AuditEntryRecord)
            .where(AuditEntryRecord.seq == 2)
            .values(detail={"via": "cli", "rows": 999})
        )
    with engine.connect() as conn:
        assert checks.device(conn, api.device_id).ok  # not seen yet: only the tail is read
    clock[0] += 600
    with engine.connect() as conn:
        late = checks.device(conn, api.device_id)  # ten minutes on: all of it again
    assert not late.ok and late.broken_at == 2 and "altered" in late.reason
    with engine.connect() as conn:
        assert checks.device(conn, api.device_id) == late  # broken stays broken, no re-read
    assert read_after[-2:] == [8, 0]


def test_a_chain_that_has_not_moved_is_not_read_and_the_server_trail_is_checked_by_its_tail(
    api: ApiClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every device's state read at once (``audit_states``), a device whose trail and
    anchor have not moved costs no query; the server's own trail is checked like a device's:
    its tail at each view, all of it every ten minutes (it was read in full at every view)."""
    from kiosk.server import audit as server_audit
    from kiosk.server.audit import ChainChecks, audit_states, record_server

    read_after = _record_trail_reads(monkeypatch)
    clock = [1000.0]
    checks = ChainChecks(full_every=600, clock=lambda: clock[0])
    entries = chain(6)
    push_audit(api, entries[:4])
    read_after.clear()
    for expected_reads in ([0], [], []):  # the first view reads it all, then nothing moved
        with engine.connect() as conn:
            state = audit_states(conn)[api.device_id]
            assert state.last_seq == 4
            report = checks.device(conn, api.device_id, state)
        assert report.ok and report.entries == 4 and read_after == expected_reads
        read_after.clear()
    push_audit(api, entries[4:])
    read_after.clear()
    with engine.connect() as conn:
        report = checks.device(conn, api.device_id, audit_states(conn)[api.device_id])
    assert report.ok and report.entries == 6 and read_after == [4]  # only what is new

    now = datetime.now(UTC)
    with engine.begin() as conn:
        for i in range(3):
            record_server(conn, "export_csv", {"rows": i}, now)
    with engine.connect() as conn:
        first = checks.server(conn)
    assert first.ok and first.entries >= 3
    head = first.head
    assert head is not None
    with engine.begin() as conn:
        record_server(conn, "export_csv", {"rows": 3}, now)
        conn.execute(  # an old entry edited in the database
            update(server_audit.SERVER_AUDIT)
            .where(server_audit.SERVER_AUDIT.c.seq == 1)
            .values(detail={"rows": 999})
        )
    with engine.connect() as conn:
        tail = checks.server(conn)
    assert tail.ok and tail.entries == first.entries + 1 and tail.head[0] == head[0] + 1
    clock[0] += 600
    with engine.connect() as conn:
        late = checks.server(conn)  # ten minutes on: all of it again
    assert not late.ok and late.broken_at == 1 and "altered" in late.reason


def test_a_chain_checked_from_a_head_reports_as_the_whole_one() -> None:
    from kiosk.domain.audit import verify_chain

    entries = chain(6)
    whole = verify_chain(entries)
    first = verify_chain(entries[:4])
    assert first.head == (4, entries[3].hash)
    rest = verify_chain(entries[4:], start=first.head)
    assert rest.ok and rest.entries == 2 and rest.head == whole.head == (6, entries[5].hash)
    # A tail that does not follow the head it starts from is broken there.
    assert not verify_chain(entries[5:], start=first.head).ok  # entry 5 is missing
    wrong = verify_chain(entries[4:], start=(4, "0" * 64))
    assert not wrong.ok and wrong.broken_at == 5
    assert verify_chain([]).head is None
