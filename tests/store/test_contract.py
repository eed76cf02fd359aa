"""One contract, two repositories: the SQLite store and the in-memory store behave alike."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.domain import ports
from kiosk.domain.audit import GENESIS, entry_hash, verify_chain
from kiosk.domain.errors import Code, NotFound, Refused, ValidationFailed
from kiosk.domain.ports import KioskStore, SignatureFilter
from kiosk.domain.routing import Place
from kiosk.domain.service import CampaignCatalog, SigningService
from kiosk.domain.signature import Event, PersonalData, SyncState
from kiosk.store.memory import MemoryStore
from kiosk.store.sql import SqlStore, open_store
from tests.helpers import entry, ink, mini_campaign


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class PlainSealer:
    """Reverses bytes: enough to prove the store keeps the sealed blob opaque."""

    def seal(self, data: bytes) -> bytes:
        return b"sealed:" + data[::-1]


class Directory:
    def lookup(self, zip5: str) -> Place | None:
        return {"47708": Place("47708", "Evansville", "IN")}.get(zip5)


@pytest.fixture(params=["sqlite", "memory"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KioskStore]:
    store: KioskStore
    if request.param == "sqlite":
        store = open_store(tmp_path / "kiosk.db")
        yield store
        store.close()
    else:
        store = MemoryStore()
        yield store


def make_service(repo: KioskStore) -> SigningService:
    """The signing service every store test uses: the mini campaign, plain sealing, a fixed clock."""
    return SigningService(
        repo=repo,
        catalog=CampaignCatalog([mini_campaign()]),
        sealer=PlainSealer(),
        dedupe_secret=b"k" * 32,
        kiosk_id="kiosk-test",
        directory=Directory(),
        clock=FakeClock(),
        offset=lambda _m: -360,
    )


@pytest.fixture
def service(repo: KioskStore) -> SigningService:
    return make_service(repo)


def _submit(service: SigningService, **over: object):  # type: ignore[no-untyped-def]
    local = over.pop("local", None)
    return service.submit("mini-test", local, entry(**over), ink(), "es", "consent", "ev1")  # type: ignore[arg-type]


def test_saved_signature_reads_back_with_metadata_and_sealed_personal_data(
    service: SigningService,
) -> None:
    meta = _submit(service)
    stored = service.repo.get(meta.id)
    assert stored is not None
    assert stored.signature.meta == meta
    assert meta.lang == "es" and meta.utc_offset_minutes == -360 and meta.event_id == "ev1"
    assert meta.id.version == 7
    assert stored.sync_state is SyncState.PENDING and stored.void is None
    personal = PersonalData.from_bytes(stored.signature.sealed.removeprefix(b"sealed:")[::-1])
    assert personal.first_name == "José" and personal.phone == "+16125550134"
    assert service.repo.text_version(meta.text_version) == mini_campaign().current_version()


def test_duplicate_hint_same_name_and_email_or_zip(service: SigningService) -> None:
    _submit(service)
    with pytest.raises(Refused) as exc:
        _submit(service, email="other@example.org")  # same name + ZIP
    assert exc.value.code is Code.ALREADY_SIGNED
    with pytest.raises(Refused):
        _submit(service, zip="55802")  # same name + email
    _submit(service, first_name="Ana")  # another person signs fine
    assert service.repo.count(SignatureFilter(campaign="mini-test")) == 2


def test_void_keeps_the_record_excludes_it_from_counts_and_frees_the_dedupe(
    service: SigningService,
) -> None:
    meta = _submit(service)
    void = service.void(meta.id, "  test   entry ")
    assert void.reason == "test entry"
    stored = service.repo.get(meta.id)
    assert stored is not None and stored.void == void
    assert service.repo.count(SignatureFilter()) == 0
    assert service.repo.count(SignatureFilter(include_void=True)) == 1
    assert service.repo.counts().voided == 1
    with pytest.raises(Refused):
        service.void(meta.id, "again")
    with pytest.raises(NotFound):
        service.void(uuid.uuid4(), "nothing")
    _submit(service)  # the signer may sign again after a void


def test_counts_by_campaign_local_event_and_state(service: SigningService) -> None:
    _submit(service, local="evansville")
    _submit(service, first_name="Ana", local="evansville")
    _submit(service, first_name="Luis")
    c = service.repo.counts()
    assert c.total == 3
    assert c.by_campaign == {"mini-test": 3}
    assert c.by_local == {"mini-test/evansville": 2}
    assert c.by_event == {"ev1": 3}
    assert c.by_sync_state == {"pending": 3}
    assert service.progress("mini-test").count == 7 + 3
    assert service.progress("mini-test", "evansville").count == 1 + 2


def test_outbox_oldest_first_and_marking(service: SigningService) -> None:
    ids = [_submit(service, first_name=n).id for n in ("Ana", "Luis", "Sofía")]
    pending = service.repo.pending_signatures(10)
    assert [p.meta.id for p in pending] == ids
    service.repo.mark_signatures(ids[:2], SyncState.SYNCED)
    assert [p.meta.id for p in service.repo.pending_signatures(10)] == ids[2:]
    service.void(ids[0], "wrong")
    assert [v.signature_id for v in service.repo.pending_voids(10)] == [ids[0]]
    assert service.repo.pending_count() == 2
    service.repo.mark_voids([ids[0]], SyncState.SYNCED)
    assert service.repo.pending_voids(10) == []


def test_filters_and_iteration(service: SigningService) -> None:
    a = _submit(service, first_name="Ana")
    b = _submit(service, first_name="Luis", local="evansville")
    got = [s.signature.meta.id for s in service.repo.iter_signatures(SignatureFilter())]
    assert got == [a.id, b.id]
    only_local = SignatureFilter(local_campaign="evansville")
    assert [s.signature.meta.id for s in service.repo.iter_signatures(only_local)] == [b.id]
    since = SignatureFilter(since=b.created_at)
    assert service.repo.count(since) == 1
    assert service.repo.count(SignatureFilter(include_synthetic=False)) == 2
    assert [s.signature.meta.id for s in service.repo.recent(1)] == [b.id]


def test_validation_and_unknowns_save_nothing(service: SigningService) -> None:
    with pytest.raises(ValidationFailed):
        _submit(service, zip="x")
    with pytest.raises(NotFound):
        service.submit("nope", None, entry(), ink(), "en")
    with pytest.raises(NotFound):
        _submit(service, local="atlantis")
    assert service.repo.count(SignatureFilter(include_void=True)) == 0


def test_events_and_settings(repo: KioskStore) -> None:
    ev = Event("ev1", "Rally", "City Hall", datetime(2026, 11, 23, tzinfo=UTC))
    repo.save_event(ev)
    repo.save_event(Event("ev1", "Rally 2", "City Hall", ev.started_at))
    assert [e.name for e in repo.events()] == ["Rally 2"]
    assert repo.get_setting("x") is None
    repo.set_setting("x", "1")
    assert repo.get_setting("x") == "1"
    repo.set_setting("x", None)
    assert repo.get_setting("x") is None


def test_submit_many_saves_each_judged_alone_and_refuses_repeats(service: SigningService) -> None:
    from kiosk.domain.service import Submission

    _submit(service)  # José Núñez is already stored
    items = [
        Submission(None, entry(first_name="Ana"), ink(), "en"),
        Submission(None, entry(), ink(), "en"),  # a repeat of the stored signer
        Submission(None, entry(first_name="Luis"), ink(), "en"),
        Submission(None, entry(first_name="Luis", email="l@example.org"), ink(), "en"),  # in batch
        Submission(None, entry(first_name=""), ink(), "en"),  # invalid
        Submission("evansville", entry(first_name="Sofía"), ink(), "es"),
    ]
    out = service.submit_many("mini-test", items, event_id="ev1", synthetic=True)
    saved = [o for o in out if not isinstance(o, Exception)]
    assert [type(o).__name__ for o in out] == [
        "SignatureMeta",
        "Refused",
        "SignatureMeta",
        "Refused",
        "ValidationFailed",
        "SignatureMeta",
    ]
    assert all(o.synthetic and o.event_id == "ev1" for o in saved)  # type: ignore[union-attr]
    for meta in saved:
        stored = service.repo.get(meta.id)  # type: ignore[union-attr]
        assert stored is not None and stored.signature.meta == meta
        assert len(stored.signature.dedupe_keys) == 2
    assert service.repo.count(SignatureFilter(include_synthetic=True)) == 4
    with pytest.raises(Refused):  # the batch's keys are stored: a later save is refused
        _submit(service, first_name="Luis")


def test_a_typed_signature_is_stored_as_typed_and_goes_out_as_typed(
    service: SigningService,
) -> None:
    """Issue #17: the record says how it was made, in the store and in the outbox."""
    from kiosk.domain.signature import SignatureMethod
    from kiosk.domain.validation import TypedSignature

    drawn = _submit(service, first_name="Ana")
    typed = service.submit(
        "mini-test",
        None,
        entry(),
        None,
        "en",
        typed=TypedSignature("José Antonio Núñez", confirmed=True, witnessed=True),
    )
    assert drawn.method is SignatureMethod.DRAWN
    assert typed.method is SignatureMethod.TYPED_WITNESSED
    stored = service.repo.get(typed.id)
    assert stored is not None and stored.signature.meta == typed
    personal = PersonalData.from_bytes(stored.signature.sealed.removeprefix(b"sealed:")[::-1])
    assert personal.typed_name == "José Antonio Núñez" and personal.ink.strokes == ()
    rows = {r[1]: r for r in service.repo.pending_rows(0, 10)}
    assert rows[str(typed.id)][11] == "typed_witnessed"
    assert rows[str(drawn.id)][11] == "drawn"


PORTS = (ports.SignatureRepository, ports.AuditTrail, ports.SettingsStore, ports.KioskStore)


def _port_methods(port: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(port).items()
        if callable(member) and not name.startswith("_")
    }


@pytest.mark.parametrize("store_type", [SqlStore, MemoryStore])
@pytest.mark.parametrize("port", PORTS, ids=lambda p: p.__name__)
def test_every_store_implements_every_method_of_every_port(port: type, store_type: type) -> None:
    methods = _port_methods(port)
    assert methods, f"{port.__name__} declares no method"
    for name, wanted in methods.items():
        impl = dict(inspect.getmembers(store_type)).get(name)
        assert callable(impl), f"{store_type.__name__} lacks {port.__name__}.{name}"
        got = list(inspect.signature(impl).parameters.values())
        want = list(wanted.parameters.values())
        assert [p.name for p in got[: len(want)]] == [p.name for p in want], (
            f"{store_type.__name__}.{name} takes {[p.name for p in got]}"
        )
        for p, q in zip(got, want, strict=False):
            if q.default is not inspect.Parameter.empty:
                assert p.default == q.default, f"{store_type.__name__}.{name}({p.name}=...)"
        extra = got[len(want) :]
        assert all(p.default is not inspect.Parameter.empty for p in extra), (
            f"{store_type.__name__}.{name} needs more than the port gives"
        )


def _sign(digest: str) -> str:
    return "sig:" + digest[:8]


def test_audit_trail_chains_signs_and_tracks_sync(repo: KioskStore) -> None:
    at = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    first = repo.append_audit("staff_entered", {"via": "pin"}, "kiosk-test", at)
    second = repo.append_audit(
        "export", {"count": 3, "files": ("a.csv",)}, "kiosk-test", at + timedelta(seconds=1), _sign
    )
    third = repo.append_audit("staff_left", {}, "kiosk-test", at + timedelta(seconds=2), _sign)
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert second.detail == {"count": 3, "files": ["a.csv"]}  # as JSON reads it back
    assert second.hash == entry_hash(
        first.hash, 2, second.at_ms, "kiosk-test", "export", second.detail
    )
    assert first.sig is None and second.sig == _sign(second.hash)
    assert repo.audit_entries() == [first, second, third]
    assert repo.audit_entries(after_seq=1, limit=1) == [second]
    assert verify_chain(repo.audit_entries()).ok

    assert repo.sign_unsigned_audit(_sign) == 1
    assert repo.audit_entries()[0].sig == _sign(first.hash)
    assert repo.sign_unsigned_audit(_sign) == 0

    assert [e.seq for e in repo.pending_audit(10)] == [1, 2, 3]
    assert [e.seq for e in repo.pending_audit(2)] == [1, 2]
    repo.mark_audit([1, 2], SyncState.SYNCED)
    repo.mark_audit([], SyncState.SYNCED)
    assert [e.seq for e in repo.pending_audit(10)] == [3]
    recent = repo.recent_audit(2)
    assert [(e.seq, st) for e, st in recent] == [(3, SyncState.PENDING), (2, SyncState.SYNCED)]
    with pytest.raises(ValueError):
        repo.append_audit("lock", {}, "kiosk-test", datetime(2026, 11, 23, 15, 0))  # naive
    assert len(repo.audit_entries()) == 3


def test_retention_purges_only_synced_personal_data_and_keeps_counts(
    service: SigningService,
) -> None:
    repo = service.repo
    old, mid, new = (_submit(service, first_name=n) for n in ("Ana", "Luis", "Sofía"))
    assert repo.purgeable(None, require_exported=False) == []  # nothing acknowledged yet
    repo.mark_signatures([old.id, mid.id], SyncState.SYNCED)
    assert set(repo.purgeable(None, require_exported=False)) == {old.id, mid.id}
    assert repo.purgeable(None, require_exported=True) == []
    repo.mark_exported([mid.id, new.id], new.created_at)
    assert repo.purgeable(None, require_exported=True) == [mid.id]
    assert repo.purgeable(mid.created_at, require_exported=False) == [old.id]

    for before in (None, mid.created_at, new.created_at):
        for exported in (False, True):
            listed = repo.purgeable(before, require_exported=exported)
            assert repo.purgeable_count(before, require_exported=exported) == len(listed)

    assert repo.purge_personal([old.id, mid.id, new.id, uuid.uuid4()]) == 2  # new is pending
    for meta in (old, mid):
        stored = repo.get(meta.id)
        assert stored is not None and stored.signature.meta == meta
        assert stored.signature.sealed == b"" and stored.signature.dedupe_keys == ()
        assert stored.sync_state is SyncState.SYNCED
    kept = repo.get(new.id)
    assert kept is not None and kept.signature.sealed.startswith(b"sealed:")
    assert repo.purged_count() == 2
    assert repo.counts().total == 3 and repo.count(SignatureFilter(campaign="mini-test")) == 3
    assert repo.purgeable(None, require_exported=False) == []
    assert repo.purgeable_count(None, require_exported=False) == 0  # purged: no sealed row
    assert repo.purge_personal([old.id]) == 0
    repo.vacuum()
    assert repo.purged_count() == 2
    _submit(service, first_name="Ana")  # the purged dedupe keys no longer refuse her
    with pytest.raises(ValueError):
        repo.mark_exported([new.id], datetime(2026, 11, 23, 15, 0))  # naive


def test_outbox_rows_by_cursor_ranges_and_events(service: SigningService) -> None:
    repo = service.repo
    ids = [_submit(service, first_name=n).id for n in ("Ana", "Luis", "Sofía")]
    rows = repo.pending_rows(0, 10)
    assert [r[1] for r in rows] == [str(i) for i in ids]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    first_seq = rows[0][0]
    assert [r[1] for r in repo.pending_rows(first_seq, 1)] == [str(ids[1])]
    assert rows[0][2] == "mini-test" and rows[0][12]
    repo.mark_ranges([(first_seq, rows[1][0])], SyncState.SYNCED)
    assert [r[1] for r in repo.pending_rows(0, 10)] == [str(ids[2])]
    assert repo.pending_count() == 1

    ev = Event("ev9", "Tabling", "Library", datetime(2026, 11, 24, tzinfo=UTC))
    repo.save_event(ev)
    assert [e.id for e in repo.pending_events()] == ["ev9"]
    repo.mark_events(["ev9"], SyncState.SYNCED)
    assert repo.pending_events() == []
    version = mini_campaign().current_version()
    repo.save_text_version(version, datetime(2026, 11, 24, tzinfo=UTC))
    assert repo.text_version(version.hash) == version


def test_requeue_acknowledged_for_a_server_that_lost_them(service: SigningService) -> None:
    """A server restored from an older backup: everything it acknowledged that can still be
    sent is pending again (signatures with their personal data, voids, events, the audit
    entries after the head it still has); what retention already purged is counted apart;
    what was never acknowledged, or is a conflict, is left as it is."""
    repo = service.repo
    at = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    synced, purged, conflict, pending = (
        _submit(service, first_name=n).id for n in ("Ana", "Luis", "Sofía", "Marta")
    )
    repo.mark_signatures([synced, purged], SyncState.SYNCED)
    repo.mark_signatures([conflict], SyncState.CONFLICT)
    assert repo.purge_personal([purged]) == 1
    service.void(synced, "wrong")
    repo.mark_voids([synced], SyncState.SYNCED)
    repo.save_event(Event("ev-1", "Rally", "Park", at))
    repo.mark_events(["ev-1"], SyncState.SYNCED)
    for i in range(3):
        repo.append_audit("staff_entered", {"i": i}, "kiosk-test", at + timedelta(seconds=i))
    repo.mark_audit([1, 2, 3], SyncState.SYNCED)

    again = repo.requeue_acknowledged(audit_after_seq=1)
    assert again == ports.Requeued(signatures=1, unrecoverable=1, voids=1, events=1, audit=2)
    assert [p.meta.id for p in repo.pending_signatures(10)] == [synced, pending]
    assert [v.signature_id for v in repo.pending_voids(10)] == [synced]
    assert [e.id for e in repo.pending_events()] == ["ev-1"]
    assert [e.seq for e in repo.pending_audit(10)] == [2, 3]
    states = {i: repo.get(i).sync_state for i in (purged, conflict)}  # type: ignore[union-attr]
    assert states == {purged: SyncState.SYNCED, conflict: SyncState.CONFLICT}
    assert repo.requeue_acknowledged(audit_after_seq=1) == ports.Requeued(unrecoverable=1)
    repo.mark_audit([2, 3], SyncState.SYNCED)  # by hand (`kiosk sync --send-again`): no audit
    assert repo.requeue_acknowledged(audit_after_seq=None) == ports.Requeued(unrecoverable=1)
    assert repo.pending_audit(10) == []
