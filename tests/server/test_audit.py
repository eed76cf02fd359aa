"""Audit trails pushed to the server: stored once per (device, seq), conflicts kept, chains
verified by ``kiosk-server audit verify`` (a tampered entry is found), old kiosks unaffected."""

from __future__ import annotations

import json

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
