"""The sync engine against a real ``kiosk-server`` process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import nacl.public
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.app import Kiosk
from kiosk.domain.audit import AuditAction
from kiosk.domain.metadata import STORED_COLUMNS
from kiosk.domain.ports import SignatureFilter
from kiosk.domain.signature import Event, SyncState
from kiosk.domain.validation import SignerEntry
from kiosk.privacy import SETTING_RETENTION
from kiosk.sync.engine import _WIRE_SIGNATURES, SyncEngine, _encoded, _wire_values
from kiosk.sync.state import KEY_ENROLLMENT, load_enrollment
from kiosk.sync.status import SyncErrorCode
from kiosk.wire import (
    API_PREFIX,
    BASE_BATCH_SIGNATURES,
    MAX_BATCH_SIGNATURES,
    MAX_SIGNATURES_HEADER,
    PushRequest,
    WireSignature,
)
from tests.helpers import DATA, ink
from tests.server.live import LiveServer, free_port
from tests.sync.helpers import TEST_PUBLIC_KEY, ServerHandle, fill


def enrolled(kiosk: Kiosk, server: ServerHandle, **options: object) -> SyncEngine:
    """The kiosk's engine, enrolled with ``server``."""
    engine = kiosk.sync_engine(**options)
    engine.enroll(server.base_url, server.code(), name="Test kiosk")
    return engine


def states(kiosk: Kiosk, ids: list[uuid.UUID]) -> set[SyncState]:
    """The sync states of these signatures."""
    out = set()
    for i in ids:
        stored = kiosk.store.get(i)
        assert stored is not None
        out.add(stored.sync_state)
    return out


def test_pushes_every_pending_signature_in_batches_and_marks_them(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    ids = fill(kiosk, 1_234)
    engine = enrolled(kiosk, server)
    report = engine.run_once()
    assert report.ok, report.error_detail
    assert (report.signatures_sent, report.created, report.duplicate, report.conflict) == (
        1_234,
        1_234,
        0,
        0,
    )
    assert report.pending_left == 0 and kiosk.store.pending_count() == 0
    assert states(kiosk, ids) == {SyncState.SYNCED}
    assert server.ids() == {str(i) for i in ids}
    # What the server holds is byte-for-byte what the kiosk sealed.
    first = kiosk.store.get(ids[0])
    assert first is not None and server.sealed(ids[0]) == first.signature.sealed
    again = engine.run_once()
    assert again.ok and again.signatures_sent == 0


def test_a_lost_acknowledgement_means_a_resend_answered_duplicate(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    ids = fill(kiosk, 40)
    engine = enrolled(kiosk, server)
    assert engine.run_once().created == 40
    # As if the kiosk crashed after the server committed but before it marked anything.
    kiosk.store.mark_signatures(ids, SyncState.PENDING)
    report = engine.run_once()
    assert report.ok
    assert (report.created, report.duplicate) == (0, 40)
    assert server.count() == 40 and server.distinct_ids() == 40
    assert kiosk.store.pending_count() == 0


def test_a_different_signature_with_the_same_id_is_a_conflict_kept_for_staff(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    ids = fill(kiosk, 3)
    engine = enrolled(kiosk, server)
    stored = kiosk.store.get(ids[1])
    assert stored is not None
    # Another device already pushed different content under that id.
    other = WireSignature.from_sealed(stored.signature).model_copy(update={"sealed": b"other"})
    enrollment = load_enrollment(kiosk.store, kiosk.keys)
    assert enrollment is not None
    r = httpx.post(
        f"{server.base_url}{API_PREFIX}/signatures",
        content=PushRequest(signatures=[other]).model_dump_json(),
        headers={"Authorization": f"Bearer {enrollment.token}", "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    report = engine.run_once()
    assert report.ok
    assert (report.created, report.conflict) == (2, 1)
    assert states(kiosk, [ids[1]]) == {SyncState.CONFLICT}
    assert engine.snapshot().conflicts == 1
    assert kiosk.store.pending_count() == 0
    assert engine.run_once().signatures_sent == 0  # a conflict is final: never re-sent
    assert server.conflicts() == 1


def test_signatures_voids_and_events_made_through_the_service_reach_the_server(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    service = kiosk.service()
    kiosk.store.save_event(Event("rally-1", "Rally at City Hall", "City Hall", kiosk.clock()))
    metas = [
        service.submit(
            "sanctuary-of-safety",
            None,
            SignerEntry(
                first_name=name, last_name="López", zip="55802", email=f"{name.lower()}@example.org"
            ),
            ink(i),
            "es",
            event_id="rally-1",
        )
        for i, name in enumerate(("Ana", "Berta", "Carmen"))
    ]
    service.void(metas[0].id, "signed twice")
    engine = enrolled(kiosk, server)
    report = engine.run_once()
    assert report.ok, report.error_detail
    assert report.events_sent == 1 and kiosk.store.pending_events() == []
    assert (report.created, report.voids_created) == (3, 1)
    assert server.count() == 3 and server.voids() == 1
    assert kiosk.store.pending_count() == 0
    # Voided signatures are not counted in the totals the kiosk keeps.
    totals = engine.totals()
    assert totals is not None and totals.campaigns == {"sanctuary-of-safety": 2}


def test_a_void_whose_signature_the_server_lacks_stays_pending(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    ids = fill(kiosk, 2)
    kiosk.service().void(ids[0], "test")
    engine = enrolled(kiosk, server)
    # The signature is marked as if sent, but the server never got it.
    kiosk.store.mark_signatures([ids[0]], SyncState.SYNCED)
    report = engine.run_once()
    assert report.ok
    assert report.voids_unknown == 1 and report.pending_left == 1
    kiosk.store.mark_signatures([ids[0]], SyncState.PENDING)
    report = engine.run_once()
    assert report.voids_created == 1 and report.pending_left == 0


def test_campaign_updates_are_pulled_validated_and_used_for_new_signers(
    kiosk: Kiosk, server: ServerHandle, tmp_path: Path
) -> None:
    engine = enrolled(kiosk, server, on_campaigns_changed=lambda slugs: kiosk.reload_campaigns())
    server.live.import_campaigns(DATA / "mini.toml")
    report = engine.run_once()
    assert report.ok, report.error_detail
    assert "mini-test" in report.campaigns_changed
    assert (kiosk.server_campaigns_dir / "mini-test.json").is_file()
    assert "mini-test" in kiosk.catalog
    old_version = kiosk.catalog.get("mini-test").current_version(None)
    assert kiosk.store.text_version(old_version.hash) is not None
    # Nothing changed: the ETag answers 304 and nothing is rewritten.
    assert engine.run_once().campaigns_changed == []
    # A new text on the server becomes the text new signers get.
    changed = tmp_path / "mini.toml"
    changed.write_text(
        (DATA / "mini.toml").read_text().replace("We ask for things.", "We now ask for more.")
    )
    server.live.import_campaigns(changed)
    report = engine.run_once()
    assert report.campaigns_changed == ["mini-test"]
    new_version = kiosk.catalog.get("mini-test").current_version(None)
    assert new_version.hash != old_version.hash
    assert "We now ask for more." in new_version.text.statement.en
    assert kiosk.store.text_version(new_version.hash) is not None
    meta = kiosk.service().submit(
        "mini-test",
        None,
        SignerEntry(first_name="Zoë", last_name="Ng", zip="10027", phone="+1 612 555 0134"),
        ink(3),
        "en",
    )
    assert meta.text_version == new_version.hash


def test_totals_are_kept_for_an_offline_kiosk(kiosk: Kiosk, server: ServerHandle) -> None:
    fill(kiosk, 25, synthetic=False)
    engine = enrolled(kiosk, server)
    assert engine.run_once().totals_updated
    offline = kiosk.sync_engine()
    assert offline.run_once(server_url=f"http://127.0.0.1:{free_port()}").error is (
        SyncErrorCode.OFFLINE
    )
    totals = offline.totals()
    assert totals is not None and totals.campaigns == {"sanctuary-of-safety": 25}
    assert totals.fetched_at is not None


def test_another_address_for_the_same_server(kiosk: Kiosk, server: ServerHandle) -> None:
    fill(kiosk, 5)
    engine = enrolled(kiosk, server)
    report = engine.run_once(server_url=f"http://localhost:{server.live.port}")
    assert report.ok and report.created == 5
    enrollment = load_enrollment(kiosk.store, kiosk.keys)
    assert enrollment is not None and enrollment.server_url == server.base_url  # unchanged


def test_a_revoked_device_is_told_so_and_keeps_its_outbox(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    engine = enrolled(kiosk, server)
    enrollment = engine.enrollment()
    assert enrollment is not None
    server.live.cli("devices", "revoke", enrollment.device_id)
    fill(kiosk, 4)
    report = engine.run_once()
    assert report.error is SyncErrorCode.UNAUTHORIZED
    assert kiosk.store.pending_count() == 4
    snap = engine.snapshot()
    assert snap.last_error is SyncErrorCode.UNAUTHORIZED and "revoked" in snap.last_error_detail


def test_an_unreachable_server_is_offline_and_nothing_changes(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    ids = fill(kiosk, 4)
    engine = enrolled(kiosk, server)
    report = engine.run_once(server_url=f"http://127.0.0.1:{free_port()}")
    assert report.error is SyncErrorCode.OFFLINE and not report.ok
    assert report.signatures_sent == 0  # nothing reached a server: none is called sent
    assert states(kiosk, ids) == {SyncState.PENDING}
    assert engine.snapshot().last_error is SyncErrorCode.OFFLINE
    assert engine.run_once().ok  # and a success clears the error
    assert engine.snapshot().last_error is None and engine.snapshot().last_success is not None


def test_enrollment_codes_are_single_use(
    new_kiosk: Callable[..., Kiosk], server: ServerHandle
) -> None:
    code = server.code()
    first = new_kiosk("a").sync_engine()
    first.enroll(server.base_url, code)
    second_kiosk = new_kiosk("b")
    second = second_kiosk.sync_engine()
    with pytest.raises(Exception) as caught:
        second.enroll(server.base_url, code)
    assert getattr(caught.value, "code", None) is SyncErrorCode.BAD_CODE
    assert second.enrollment() is None
    with pytest.raises(Exception) as caught:
        second.enroll(server.base_url, "NOPE-NOPE-NOPE-NOPE")
    assert getattr(caught.value, "code", None) is SyncErrorCode.BAD_CODE
    assert second_kiosk.store.get_setting(KEY_ENROLLMENT) is None


def test_retention_immediate_purges_personal_data_once_acknowledged(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    ids = fill(kiosk, 6)
    kiosk.store.set_setting(SETTING_RETENTION, "immediate")
    engine = enrolled(kiosk, server)
    kiosk.store.mark_signatures(ids[3:], SyncState.CONFLICT)  # not acknowledged: keep
    assert engine.run_once().created == 3
    purged = [kiosk.store.get(i) for i in ids]
    assert all(p is not None and p.signature.sealed == b"" for p in purged[:3])
    assert all(p is not None and p.signature.sealed != b"" for p in purged[3:])


def test_not_connected(kiosk: Kiosk) -> None:
    engine = kiosk.sync_engine()
    report = engine.run_once()
    assert report.error is SyncErrorCode.NOT_CONNECTED
    assert engine.snapshot().last_error is SyncErrorCode.NOT_CONNECTED


def test_a_cancelled_pass_sends_nothing(kiosk: Kiosk, server: ServerHandle) -> None:
    fill(kiosk, 3)
    engine = enrolled(kiosk, server)
    engine.cancel()
    report = engine.run_once()
    assert report.cancelled and report.signatures_sent == 0 and report.pending_left == 3
    assert engine.run_once().created == 3  # the cancel applied to that pass only


# -- the organization key handed out at enrollment -------------------------------------------


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> object:
    """A live server (SQLite) that hands out the test organization key."""
    from tests.sync.helpers import ServerHandle as Handle

    workdir = tmp_path_factory.mktemp("keyed")
    url = f"sqlite:///{workdir / 'server.sqlite3'}"
    key = base64.b64encode(TEST_PUBLIC_KEY).decode()
    with LiveServer(
        database_url=url, data_dir=workdir, extra_args=("--org-public-key", key)
    ) as live:
        handle = Handle(live, url)
        yield handle
        handle.close()


def test_enrollment_installs_the_organization_key(
    new_kiosk: Callable[..., Kiosk], keyed_server: ServerHandle
) -> None:
    bare = new_kiosk("bare", with_key=False)
    result = bare.sync_engine().enroll(keyed_server.base_url, keyed_server.code())
    assert result.key_installed and result.has_key
    assert bare.keys.public_key() == TEST_PUBLIC_KEY
    same = new_kiosk("same")  # already has that key
    result = same.sync_engine().enroll(keyed_server.base_url, keyed_server.code())
    assert not result.key_installed and result.has_key


def test_enrollment_refuses_a_different_organization_key(
    new_kiosk: Callable[..., Kiosk], keyed_server: ServerHandle
) -> None:
    other = new_kiosk("other", with_key=False)
    other_key = bytes(nacl.public.PrivateKey.generate().public_key)
    other.keys.install_public_key(other_key)
    engine = other.sync_engine()
    with pytest.raises(Exception) as caught:
        engine.enroll(keyed_server.base_url, keyed_server.code())
    assert getattr(caught.value, "code", None) is SyncErrorCode.KEY_MISMATCH
    assert other.keys.public_key() == other_key  # never silently switched
    assert engine.enrollment() is None
    assert engine.snapshot().last_error is SyncErrorCode.KEY_MISMATCH


def test_a_tampered_outbox_row_stays_pending_and_the_rest_syncs(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    """Rows altered in the store file (an id that is no UUID, an id that is a number, a time that
    is text, no personal data and a junk id): each is left out of the push, as any row that
    breaks a wire rule, or marked damaged; the pass succeeds and everything else is synced."""
    import sqlite3

    ids = fill(kiosk, 60)
    db = sqlite3.connect(kiosk.data_dir / "kiosk.db")
    with db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("UPDATE signatures SET id = 'not-a-uuid' WHERE id = ?", (str(ids[3]),))
        db.execute("UPDATE signatures SET id = 42 WHERE id = ?", (str(ids[20]),))
        db.execute("UPDATE signatures SET created_ms = 'soon' WHERE id = ?", (str(ids[21]),))
        db.execute(
            "DELETE FROM signature_sealed WHERE seq = (SELECT seq FROM signatures WHERE id = ?)",
            (str(ids[40]),),
        )
        db.execute("UPDATE signatures SET id = 'junk' WHERE id = ?", (str(ids[40]),))
    db.close()
    engine = enrolled(kiosk, server, batch_size=25)
    report = engine.run_once()
    assert report.ok, report.summary()
    assert report.unsendable == 3 and report.damaged == 1
    assert report.created == 56
    assert server.ids() == {str(i) for n, i in enumerate(ids) if n not in (3, 20, 21, 40)}
    assert kiosk.store.counts().by_sync_state == {"synced": 56, "pending": 3, "damaged": 1}
    again = engine.run_once()  # the next pass tries them again, and fails no more than this one
    assert again.ok and again.unsendable == 3 and again.created == 0


def test_stored_text_that_is_not_utf8_is_read_with_a_replacement_and_nothing_stops(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    """A stored text whose bytes are not UTF-8 (a bad disk, an edited file) used to fail every
    read that met its row: every sync pass, the exports, the staff screen. Now it reads as
    U+FFFD where the bad byte is: a kiosk id so damaged still goes to the server, a campaign
    so damaged breaks a wire rule and stays pending, and the rest syncs."""
    import sqlite3

    ids = fill(kiosk, 30)
    db = sqlite3.connect(kiosk.data_dir / "kiosk.db")
    with db:
        db.execute(
            "UPDATE signatures SET kiosk_id = CAST(X'FF41' AS TEXT) WHERE id = ?", (str(ids[4]),)
        )
        db.execute(
            "UPDATE signatures SET campaign = CAST(X'FF' AS TEXT) || campaign WHERE id = ?",
            (str(ids[9]),),
        )
    db.close()
    assert {s.signature.meta.kiosk_id for s in kiosk.store.recent(30)} >= {"\ufffdA"}
    assert len(list(kiosk.store.iter_signatures(SignatureFilter(include_void=True)))) == 30
    report = enrolled(kiosk, server, batch_size=10).run_once()
    assert report.ok, report.summary()
    assert report.created == 29 and report.unsendable == 1
    assert server.ids() == {str(i) for n, i in enumerate(ids) if n != 9}
    assert kiosk.store.counts().by_sync_state == {"synced": 29, "pending": 1}


def test_tampered_events_voids_and_audit_entries_stay_behind_and_the_rest_syncs(
    kiosk: Kiosk, server: ServerHandle, caplog: pytest.LogCaptureFixture
) -> None:
    """An event, a void and an audit entry altered in the store file so that they cannot be read
    back: each stays in the store as it is (logged, by its key only), and the pass sends and
    marks everything else."""
    import sqlite3

    ids = fill(kiosk, 4)
    for name in ("rally-1", "rally-2"):
        kiosk.store.save_event(Event(name, "Rally", "City Hall", kiosk.clock()))
    service = kiosk.service()
    service.void(ids[0], "signed twice")
    service.void(ids[1], "test entry")
    for copies in (1, 2, 3):
        kiosk.auditor.record(AuditAction.PRINT, copies=copies)
    db = sqlite3.connect(kiosk.data_dir / "kiosk.db")
    with db:
        db.execute("UPDATE events SET started_ms = 'soon' WHERE id = 'rally-2'")
        db.execute("UPDATE voids SET voided_ms = 'later' WHERE signature_id = ?", (str(ids[1]),))
        audit_pending = db.execute(
            "SELECT count(*) FROM audit_log WHERE sync_state = 'pending'"
        ).fetchone()[0]
        db.execute("DROP TRIGGER audit_log_no_update")  # what someone altering the file would do
        db.execute(
            "UPDATE audit_log SET detail_json = '{' WHERE seq = (SELECT min(seq) FROM audit_log)"
        )
    db.close()
    engine = enrolled(kiosk, server)
    with caplog.at_level("ERROR", logger="kiosk.store"):
        report = engine.run_once()
    assert report.ok, report.summary()
    assert report.created == 4 and report.events_sent == 1 and report.voids_created == 1
    assert server.count() == 4 and server.voids() == 1
    db = sqlite3.connect(kiosk.data_dir / "kiosk.db")
    left = {
        table: db.execute(f"SELECT count(*) FROM {table} WHERE sync_state = 'pending'").fetchone()[
            0
        ]
        for table in ("events", "voids", "audit_log")
    }
    db.close()
    assert left == {"events": 1, "voids": 1, "audit_log": 1} and audit_pending > 1
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "event 'rally-2' cannot be read back" in logged
    assert f"void of '{ids[1]}' cannot be read back" in logged
    assert "soon" not in logged and "later" not in logged  # keys only, never values


def test_ranges_match_rows_to_answers_by_the_ids_text() -> None:
    """A row's id is matched to the answer whatever its case; a row whose id is no UUID (a
    damaged store) is never answered and breaks the run instead of failing the marks; a row
    without personal data does not break one."""
    a, b, c, d = (uuid.uuid4() for _ in range(4))
    rows = [
        (1, str(a), b"x"),
        (2, str(b).upper(), b"x"),  # written in capitals: still its answer's
        (3, "not-a-uuid", b"x"),  # never sent, never answered
        (4, str(c), b"x"),
        (5, str(uuid.uuid4()), None),  # no personal data: marked damaged, not a break
        (6, str(d), b"x"),
    ]
    statuses = {a: "created", b: "duplicate", c: "created", d: "conflict"}
    ranges = SyncEngine._ranges(rows, statuses, ("created", "duplicate"))  # type: ignore[arg-type]
    assert ranges == [(1, 2), (4, 5)]
    assert SyncEngine._ranges(rows, statuses, ("conflict",)) == [(6, 6)]  # type: ignore[arg-type]


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=64)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "id": st.uuids().map(str),
                "campaign": st.sampled_from(["sanctuary-of-safety", "duluth-sanctuary"]),
                "local_campaign": st.none() | st.from_regex(r"\A[a-z0-9][a-z0-9-]{1,63}\Z"),
                "text_version": st.binary(min_size=32, max_size=32).map(bytes.hex),
                "lang": st.sampled_from(["en", "es"]),
                "kiosk_id": _TEXT,
                "event_id": st.none() | _TEXT,
                "created_ms": st.integers(0, 4_102_444_800_000),
                "utc_offset_minutes": st.integers(-840, 840),
                "synthetic": st.sampled_from([0, 1]),
                "method": st.sampled_from(["drawn", "typed", "typed_witnessed"]),
                "sealed": st.binary(min_size=1, max_size=300),
            }
        ),
        min_size=1,
        max_size=5,
    )
)
def test_a_push_body_reads_back_as_the_validated_signatures(rows: list[dict[str, object]]) -> None:
    """The body is written from the validated fields, not from the models (issue #13): what the
    server reads from it is exactly the models validated on the kiosk."""
    outbox = [(n, *(r[c] for c in STORED_COLUMNS), r["sealed"]) for n, r in enumerate(rows)]
    values = [_wire_values(row) for row in outbox]  # type: ignore[arg-type]
    validated = _WIRE_SIGNATURES.validate_python(values)
    body = _encoded(values)
    assert PushRequest.model_validate_json(body).signatures == validated
    assert _encoded([]) == b""


def test_outbox_is_read_once_by_cursor_and_marked_by_ranges_around_what_was_not_sent(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    """Issue #13: pending rows are read once per pass (a cursor on ``seq``, never re-reading a
    batch in flight), and marking by ``seq`` ranges never marks a row that was not sent
    (here two rows that break a wire rule, in the middle of batches) or not acknowledged."""
    import sqlite3

    ids = fill(kiosk, 250)
    db = sqlite3.connect(kiosk.data_dir / "kiosk.db")
    with db:
        for i in (37, 38, 120):
            db.execute("UPDATE signatures SET lang = 'xx' WHERE id = ?", (str(ids[i]),))
    db.close()
    reads: list[tuple[int, int]] = []
    real = kiosk.store.pending_rows

    def counted(after_seq: int, limit: int):  # type: ignore[no-untyped-def]
        rows = real(after_seq, limit)
        reads.append((after_seq, len(rows)))
        return rows

    kiosk.store.pending_rows = counted  # type: ignore[method-assign]
    engine = enrolled(kiosk, server, batch_size=40)
    report = engine.run_once()
    assert report.ok and report.created == 247 and report.unsendable == 3
    assert sum(n for _, n in reads) == 250  # every pending row read once, none twice
    assert server.ids() == {str(i) for n, i in enumerate(ids) if n not in (37, 38, 120)}
    left = {s.meta.id for s in kiosk.store.pending_signatures(10)}
    assert left == {ids[37], ids[38], ids[120]}
    assert kiosk.store.counts().by_sync_state == {"synced": 247, "pending": 3}


class _Pushes(httpx.HTTPTransport):
    """The network, with a record of how many signatures each push held (by its first id, so
    they sort in outbox order whichever of the two in flight was sent first). With
    ``rewrite``, the answers' :data:`MAX_SIGNATURES_HEADER` is replaced by ``named`` (None:
    removed, as a server of before the limit was named answers)."""

    def __init__(self, rewrite: bool = False, named: str | None = None) -> None:
        super().__init__()
        self.rewrite = rewrite
        self.named = named
        self.sizes: dict[str, int] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        pushing = request.method == "POST" and request.url.path.endswith("/signatures")
        if pushing:
            signatures = json.loads(request.read())["signatures"]
            if signatures:
                self.sizes[signatures[0]["id"]] = len(signatures)
        response = super().handle_request(request)
        if pushing and self.rewrite:
            del response.headers[MAX_SIGNATURES_HEADER]
            if self.named is not None:  # as the bytes a server would send
                raw = [*response.headers.raw, (MAX_SIGNATURES_HEADER.encode(), self.named.encode())]
                response.headers = httpx.Headers(raw)
        return response

    def in_order(self) -> list[int]:
        return [self.sizes[k] for k in sorted(self.sizes)]


def test_pushes_grow_to_the_limit_the_servers_answer_names(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    """A kiosk sends what every server takes (500) until a push's answer names this server's
    limit (1,000), then batches that large (a pass learns it anew: a server may have changed)."""
    ids = fill(kiosk, 3_100)
    pushes = _Pushes()
    report = enrolled(kiosk, server, transport=pushes).run_once()
    assert report.ok and report.created == 3_100, report.summary()
    sizes = pushes.in_order()
    assert sizes[0] == BASE_BATCH_SIGNATURES == 500  # sent before any answer
    assert max(sizes) == MAX_BATCH_SIGNATURES == 1000 and sum(sizes) == 3_100
    assert len(sizes) <= 5  # 500, then 500 or 1,000 twice (read before the first answer), 1,000s
    assert server.ids() == {str(i) for i in ids}


@pytest.mark.parametrize(
    "named",
    [None, "", "many", "0", "-5", "1e3", " 12 000", "٣٠٠", "99999999999999999999"],
    ids=repr,
)
def test_a_server_that_names_no_usable_limit_gets_batches_every_server_takes(
    kiosk: Kiosk, server: ServerHandle, named: str | None
) -> None:
    """A server of before (no header) or an answer whose header is not a count: at most 500
    per push, and everything still arrives."""
    fill(kiosk, 1_600)
    pushes = _Pushes(rewrite=True, named=named)
    report = enrolled(kiosk, server, transport=pushes).run_once()
    assert report.ok and report.created == 1_600, report.summary()
    assert pushes.in_order() == [500, 500, 500, 100]


def test_a_lower_or_higher_named_limit_is_followed_up_to_the_kiosks_own(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    """A server that names 120 gets pushes of 120 after the first answers; one that names more
    than this kiosk ever sends (a later server) gets at most 1,000 (it takes 1,000 here:
    what this repository's server takes)."""
    fill(kiosk, 2_000)
    pushes = _Pushes(rewrite=True, named="120")
    report = enrolled(kiosk, server, transport=pushes).run_once()
    assert report.ok and report.created == 2_000, report.summary()
    sizes = pushes.in_order()
    # Two pushes in flight, and the next batch read meanwhile: the second and third batches are
    # read before the first answer may have come (500 each, or 120 if it has).
    assert sizes[0] == 500 and set(sizes[1:3]) <= {500, 120} and sum(sizes) == 2_000
    assert max(sizes[3:]) == 120
    fill(kiosk, 2_500, seed=1)
    more = _Pushes(rewrite=True, named="5000")
    report = enrolled(kiosk, server, transport=more).run_once()
    assert report.ok and report.created == 2_500, report.summary()
    assert max(more.in_order()) == 1000


class _SecondFailsAfterThird(httpx.HTTPTransport):
    """The network, where the second batch's push is lost (a dropped connection) only once the
    third, sent while it was in flight, has been stored and answered by the real server: as a
    rate limit's last token going to the later of two pushes in flight."""

    def __init__(self, second: str, third: str) -> None:
        super().__init__()
        self.second, self.third = second, third
        self.third_answered = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/signatures"):
            signatures = json.loads(request.read())["signatures"]
            first = signatures[0]["id"] if signatures else ""
            if first == self.second:
                self.third_answered.wait(60)
                raise httpx.ConnectError("connection dropped", request=request)
            response = super().handle_request(request)
            if first == self.third:
                response.read()
                self.third_answered.set()
            return response
        return super().handle_request(request)


def test_a_later_push_answered_before_an_earlier_one_failed_is_recorded(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    """Two pushes in flight; the earlier fails after the later was stored and answered. The
    later one's rows are on the server: they are marked synced, not sent again next pass (they
    stayed pending, and the kiosk's count disagreed with the server's)."""
    ids = fill(kiosk, 30)
    transport = _SecondFailsAfterThird(str(ids[10]), str(ids[20]))
    report = enrolled(kiosk, server, batch_size=10, transport=transport).run_once()
    assert not report.ok
    on_server = server.ids()
    assert on_server == {str(i) for i in ids[:10] + ids[20:]}
    assert states(kiosk, ids[:10] + ids[20:]) == {SyncState.SYNCED}
    assert states(kiosk, ids[10:20]) == {SyncState.PENDING}
    assert kiosk.store.pending_count() == len(ids) - len(on_server)
