"""SigningService on the in-memory store: what a signer's submission becomes, and what it never does.

Real parts: the organization's sealed box (PyNaCl, opened again with the private key), the
bundled offline ZIP index, the in-memory store that the contract test holds to the SQLite
store's behaviour; only the clock is moved by hand.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.adapters.crypto import SealedBoxOpener, SealedBoxSealer, generate_keypair
from kiosk.adapters.geo import ZipcodesDirectory
from kiosk.domain.errors import Code, NotFound, Refused, ValidationFailed
from kiosk.domain.ink import Ink
from kiosk.domain.ports import SignatureFilter
from kiosk.domain.service import CampaignCatalog, SigningService, Submission, dedupe_keys
from kiosk.domain.signature import PersonalData, SyncState
from kiosk.store.memory import MemoryStore
from tests.helpers import dot, entry, ink, mini_campaign

START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SECRET = b"d" * 32


class HandClock:
    """A clock the test moves by hand (one second per reading)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class CountingSealer:
    """The real sealed box, counting its uses (to prove a refused entry is never sealed)."""

    def __init__(self, public_key: bytes) -> None:
        self._sealer = SealedBoxSealer(public_key)
        self.calls = 0

    def seal(self, plaintext: bytes) -> bytes:
        self.calls += 1
        return self._sealer.seal(plaintext)


@pytest.fixture(scope="module")
def directory() -> ZipcodesDirectory:
    return ZipcodesDirectory()


@pytest.fixture
def keys() -> tuple[bytes, bytes]:
    return generate_keypair()


@pytest.fixture
def sealer(keys: tuple[bytes, bytes]) -> CountingSealer:
    return CountingSealer(keys[0])


@pytest.fixture
def opener(keys: tuple[bytes, bytes]) -> SealedBoxOpener:
    return SealedBoxOpener(keys[1])


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def service(
    store: MemoryStore, sealer: CountingSealer, directory: ZipcodesDirectory
) -> SigningService:
    return SigningService(
        repo=store,
        catalog=CampaignCatalog([mini_campaign()]),
        sealer=sealer,
        dedupe_secret=SECRET,
        kiosk_id="kiosk-7",
        directory=directory,
        clock=HandClock(),
        offset=lambda _moment: -360,
    )


def _everything(store: MemoryStore) -> int:
    return store.count(SignatureFilter(include_void=True))


def test_an_accepted_signature_is_stored_sealed_with_its_metadata(
    service: SigningService, store: MemoryStore, opener: SealedBoxOpener
) -> None:
    meta = service.submit(
        "mini-test", None, entry(), ink(), "es", "Send me news", "rally-1", synthetic=False
    )
    assert meta.campaign == "mini-test" and meta.local_campaign is None
    assert meta.kiosk_id == "kiosk-7" and meta.event_id == "rally-1" and meta.lang == "es"
    assert meta.created_at == START + timedelta(seconds=1)
    assert meta.utc_offset_minutes == -360
    assert meta.id.version == 7
    assert meta.text_version == mini_campaign().current_version().hash
    assert not meta.synthetic

    stored = store.get(meta.id)
    assert stored is not None and stored.signature.meta == meta
    assert stored.sync_state is SyncState.PENDING and stored.void is None
    assert b"Jos" not in stored.signature.sealed and b"jose@" not in stored.signature.sealed
    personal = PersonalData.from_bytes(opener.open(stored.signature.sealed))
    assert (personal.first_name, personal.last_name) == ("José", "Núñez")
    assert personal.email == "jose@example.org" and personal.phone == "+16125550134"
    assert len(personal.ink.strokes) == len(ink().strokes)
    assert stored.signature.dedupe_keys == dedupe_keys(SECRET, "mini-test", personal)
    assert store.text_version(meta.text_version) == mini_campaign().current_version()
    assert store.pending_count() == 1


def test_an_unknown_language_is_recorded_as_english(service: SigningService) -> None:
    assert service.submit("mini-test", None, entry(), ink(), "fr").lang == "en"


def test_a_local_campaign_gets_its_own_text_version_and_progress(
    service: SigningService,
) -> None:
    local = service.route("mini-test", "47708")
    assert local is not None and local.slug == "evansville"
    assert service.route("mini-test", "55802") is None  # Duluth: the parent campaign
    meta = service.submit("mini-test", "evansville", entry(), ink(), "en")
    assert meta.local_campaign == "evansville"
    assert meta.text_version == mini_campaign().current_version("evansville").hash
    assert meta.text_version != mini_campaign().current_version().hash
    assert service.progress("mini-test", "evansville").count == 1 + 1
    assert service.progress("mini-test").count == 7 + 1
    assert service.progress("mini-test").fraction == pytest.approx(8 / 100)
    # A synthetic signature (kiosk simulate) is test data: never counted as support.
    service.submit("mini-test", "evansville", entry(first_name="Test"), ink(), "en", synthetic=True)
    assert service.progress("mini-test", "evansville").count == 1 + 1
    assert service.progress("mini-test").count == 7 + 1


def test_the_same_signer_is_refused_as_a_duplicate_and_nothing_more_is_saved(
    service: SigningService, store: MemoryStore, sealer: CountingSealer
) -> None:
    service.submit("mini-test", None, entry(), ink(), "en")
    seals = sealer.calls
    for again in (
        entry(),
        entry(first_name="  JOSÉ ", last_name="núñez", email="other@example.org"),  # name + ZIP
        entry(zip="55802"),  # name + email
        entry(email="JOSE@example.org", zip="55802"),
    ):
        with pytest.raises(Refused) as exc:
            service.submit("mini-test", None, again, ink(), "en")
        assert exc.value.code is Code.ALREADY_SIGNED
        fields = service.validate_form("mini-test", again)
        assert service.already_signed("mini-test", fields)
    assert sealer.calls == seals  # a refused signer's data is never even sealed
    assert _everything(store) == 1
    other = entry(first_name="Ana", email="ana@example.org")
    assert not service.already_signed("mini-test", service.validate_form("mini-test", other))
    service.submit("mini-test", None, other, ink(), "en")
    assert _everything(store) == 2


def test_dedupe_keys_reveal_no_name_and_depend_on_the_kiosk_secret(
    service: SigningService,
) -> None:
    fields = service.validate_form("mini-test", entry())
    keys = dedupe_keys(SECRET, "mini-test", fields)
    assert len(keys) == 2 and all(len(k) == 64 for k in keys)
    assert not any("jos" in k.lower() or "47708" in k for k in keys)
    assert set(keys).isdisjoint(dedupe_keys(b"e" * 32, "mini-test", fields))
    assert set(keys).isdisjoint(dedupe_keys(SECRET, "other-campaign", fields))
    no_email = service.validate_form("mini-test", entry(email=""))
    assert len(dedupe_keys(SECRET, "mini-test", no_email)) == 1


@pytest.mark.parametrize(
    ("over", "drawn", "field", "code"),
    [
        ({"zip": "4770"}, ink(), "zip", Code.INVALID_ZIP),
        ({"first_name": ""}, ink(), "first_name", Code.REQUIRED),
        ({"phone": ""}, ink(), "phone", Code.REQUIRED),  # the campaign requires a phone
        ({"email": "not-an-email"}, ink(), "email", Code.INVALID_EMAIL),
        ({}, None, "signature", Code.SIGNATURE_MISSING),
        ({}, dot(), "signature", Code.SIGNATURE_TOO_SHORT),
    ],
)
def test_an_invalid_entry_is_refused_with_a_code_and_saves_nothing(
    service: SigningService,
    store: MemoryStore,
    sealer: CountingSealer,
    over: dict[str, str],
    drawn: Ink | None,
    field: str,
    code: Code,
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        service.submit("mini-test", None, entry(**over), drawn, "en")
    assert code in exc.value.codes_for(field)
    assert _everything(store) == 0 and store.pending_count() == 0 and sealer.calls == 0


def test_every_field_error_is_reported_at_once(service: SigningService) -> None:
    with pytest.raises(ValidationFailed) as exc:
        service.submit("mini-test", None, entry(first_name="", zip="x"), None, "en")
    assert exc.value.codes_for("first_name") == [Code.REQUIRED]
    assert exc.value.codes_for("zip") == [Code.INVALID_ZIP]
    assert exc.value.codes_for("signature") == [Code.SIGNATURE_MISSING]


def test_unknown_campaigns_are_refused_with_their_codes(
    service: SigningService, store: MemoryStore
) -> None:
    with pytest.raises(NotFound) as exc:
        service.submit("no-such-campaign", None, entry(), ink(), "en")
    assert exc.value.code is Code.UNKNOWN_CAMPAIGN and exc.value.key == "no-such-campaign"
    with pytest.raises(NotFound) as exc:
        service.submit("mini-test", "atlantis", entry(), ink(), "en")
    assert exc.value.code is Code.UNKNOWN_LOCAL_CAMPAIGN
    with pytest.raises(NotFound):
        service.progress("mini-test", "atlantis")
    assert _everything(store) == 0


def test_voiding_keeps_the_record_marks_it_and_lets_the_signer_sign_again(
    service: SigningService, store: MemoryStore
) -> None:
    meta = service.submit("mini-test", None, entry(), ink(), "en")
    void = service.void(meta.id, "  signed   for a friend \n")
    assert void.reason == "signed for a friend"
    assert void.signature_id == meta.id and void.kiosk_id == "kiosk-7"
    assert void.voided_at == START + timedelta(seconds=2)
    stored = store.get(meta.id)
    assert stored is not None and stored.void == void and stored.signature.meta == meta
    assert store.count(SignatureFilter()) == 0 and _everything(store) == 1
    assert store.counts().voided == 1
    assert [v.signature_id for v in store.pending_voids(10)] == [meta.id]
    assert service.progress("mini-test").count == 7

    again = service.submit("mini-test", None, entry(), ink(), "en")  # the void freed the hint
    assert again.id != meta.id and store.count(SignatureFilter()) == 1


def test_voiding_refuses_what_it_must(service: SigningService, store: MemoryStore) -> None:
    meta = service.submit("mini-test", None, entry(), ink(), "en")
    with pytest.raises(Refused) as exc:
        service.void(meta.id, "   \t ")
    assert exc.value.code is Code.REQUIRED
    assert store.pending_voids(10) == []
    with pytest.raises(NotFound) as missing:
        service.void(uuid.uuid4(), "typo")
    assert missing.value.code is Code.UNKNOWN_SIGNATURE
    long_reason = "x" * 500
    assert service.void(meta.id, long_reason).reason == "x" * 200
    with pytest.raises(Refused) as twice:
        service.void(meta.id, "again")
    assert twice.value.code is Code.ALREADY_VOID
    assert len(store.pending_voids(10)) == 1


def test_a_batch_saves_the_good_ones_and_returns_each_refusal_in_place(
    service: SigningService, store: MemoryStore
) -> None:
    out = service.submit_many(
        "mini-test",
        [
            Submission(None, entry(first_name="Ana", email="ana@example.org"), ink(), "en"),
            Submission(
                None, entry(first_name="Ana", email="ana@example.org", zip="55802"), ink(), "en"
            ),
            Submission("atlantis", entry(first_name="Luis"), ink(), "en"),
            Submission(None, entry(first_name="Sofía"), dot(), "es"),
        ],
        event_id="rally-2",
        synthetic=True,
    )
    assert isinstance(out[1], Refused) and out[1].code is Code.ALREADY_SIGNED
    assert isinstance(out[2], NotFound) and out[2].code is Code.UNKNOWN_LOCAL_CAMPAIGN
    assert isinstance(out[3], ValidationFailed)
    first = out[0]
    assert not isinstance(first, Exception)
    assert first.synthetic and first.event_id == "rally-2"
    assert _everything(store) == 1
    assert store.count(SignatureFilter(include_synthetic=False)) == 0


def test_progress_is_capped_and_a_zero_goal_reads_as_none() -> None:
    from kiosk.domain.service import Progress

    assert Progress(150, 100).fraction == 1.0
    assert Progress(5, 0).fraction == 0.0
