"""One contract, two repositories: the SQLite store and the in-memory store behave alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.domain.errors import Code, NotFound, Refused, ValidationFailed
from kiosk.domain.ports import SignatureFilter
from kiosk.domain.routing import Place
from kiosk.domain.service import CampaignCatalog, SigningService
from kiosk.domain.signature import Event, PersonalData, SyncState
from kiosk.store.memory import MemoryStore
from kiosk.store.sql import open_store
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
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    if request.param == "sqlite":
        store = open_store(tmp_path / "kiosk.db")
        yield store
        store.close()
    else:
        yield MemoryStore()


@pytest.fixture
def service(repo: object) -> SigningService:
    return SigningService(
        repo=repo,  # type: ignore[arg-type]
        catalog=CampaignCatalog([mini_campaign()]),
        sealer=PlainSealer(),
        dedupe_secret=b"k" * 32,
        kiosk_id="kiosk-test",
        directory=Directory(),
        clock=FakeClock(),
        offset=lambda _m: -360,
    )


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


def test_events_and_settings(repo) -> None:  # type: ignore[no-untyped-def]
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
    rows = {r[1]: r for r in service.repo.pending_rows(0, 10)}  # type: ignore[attr-defined]
    assert rows[str(typed.id)][11] == "typed_witnessed"
    assert rows[str(drawn.id)][11] == "drawn"
