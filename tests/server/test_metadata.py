"""One description of a signature's metadata (:mod:`kiosk.domain.metadata`): every copy of it
(the kiosk's store and outbox, the wire schema, the server's table and its exports) has every
field, and a signature's metadata comes out of each copy as it went in. Also the signer's
fields: the form's, the sealed record's and the counted record's are one list."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import get_args

import httpx
import pytest
from sqlalchemy import Engine

from kiosk.domain.metadata import META_FIELDS, STORED_COLUMNS, meta_from_stored
from kiosk.domain.personal import PersonalFields, parse_personal
from kiosk.domain.ports import OutboxRow
from kiosk.domain.signature import PersonalData, SealedSignature, SignatureMeta, SignatureMethod
from kiosk.domain.validation import SignerFields
from kiosk.server import exports as server_exports
from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.keys import ENV_KEY_PASSPHRASE
from kiosk.server.models import Signature as ServerSignature
from kiosk.store.memory import MemoryStore
from kiosk.store.models import SignatureRow
from kiosk.store.sql import open_store
from kiosk.sync.engine import _encoded, _wire_values
from kiosk.wire import PushRequest, WireSignature, _canonical_hash
from tests.helpers import mini_campaign
from tests.server.conftest import InProcessServer, make_code
from tests.server.coord_support import PASSPHRASE, OrgKey, import_mini, make_key, person
from tests.server.helpers import ApiClient, event

#: Every field set, none at its default: a field a copy drops or swaps cannot go unnoticed.
CAMPAIGN = mini_campaign()
META = SignatureMeta(
    id=uuid.UUID("0190f3a0-0000-7000-8000-00000000abcd"),
    campaign=CAMPAIGN.slug,
    local_campaign="evansville",
    text_version=CAMPAIGN.current_version("evansville").hash,
    lang="es",
    kiosk_id="kiosk-a",
    event_id="rally-1",
    created_at=datetime(2026, 11, 23, 17, 4, 5, 123000, tzinfo=UTC),
    utc_offset_minutes=-300,
    synthetic=True,
    method=SignatureMethod.TYPED_WITNESSED,
)


def test_every_copy_declares_every_field() -> None:
    assert tuple(f.name for f in fields(SignatureMeta)) == META_FIELDS
    assert tuple(WireSignature.model_fields) == (*META_FIELDS, "sealed")
    assert set(STORED_COLUMNS) <= set(SignatureRow.__table__.columns.keys())
    assert set(META_FIELDS) <= set(ServerSignature.__table__.columns.keys())
    # The outbox row: seq, the stored metadata, sealed.
    assert len(get_args(OutboxRow)) == len(STORED_COLUMNS) + 2


def test_the_wire_content_hash_is_unchanged() -> None:
    """Hashes the server already stored must still match their retries (duplicate, not
    conflict): pinned values made before the hash was derived from the description; the fast
    hash and the canonical fields it stands for agree."""
    local_time = META.created_at.astimezone(timezone(timedelta(hours=-5)))
    meta = dataclasses.replace(META, created_at=local_time)  # same moment, another offset
    wire = WireSignature.from_sealed(SealedSignature(meta, b"sealed bytes", ()))
    assert wire.content_hash() == _canonical_hash(wire.canonical_fields())
    assert wire.content_hash() == (
        "9083fd95c49f87b5072c6963ece08408ce01e4cefd9ef6e184073aa6c740552c"
    )
    plain = WireSignature.model_validate(
        {
            **wire.model_dump(),
            "local_campaign": None,
            "text_version": "ab" * 32,
            "lang": "en",
            "event_id": None,
            "utc_offset_minutes": 0,
            "synthetic": False,
            "method": "drawn",
            "sealed": b"x",
        }
    )
    assert plain.content_hash() == (
        "1d303fd49b505df7997a969bd0cff4e3b68602094fe6377f0b87b31a37fe9c8b"
    )


def test_the_kiosk_store_and_outbox_keep_every_field(tmp_path: Path) -> None:
    store = open_store(tmp_path / "kiosk.sqlite3")
    try:
        store.add(SealedSignature(META, b"sealed", ("k",)), CAMPAIGN.current_version("evansville"))
        stored = store.get(META.id)
        assert stored is not None
        assert stored.signature.meta == META
        (row,) = store.pending_rows(0, 10)
        assert meta_from_stored(dict(zip(STORED_COLUMNS, row[1:-1], strict=True))) == META
        wire = WireSignature.from_sealed(stored.signature)
        assert wire.meta() == META
        # The sync engine sends an outbox row as this wire signature, from either store.
        assert PushRequest.model_validate_json(_encoded([_wire_values(row)])).signatures == [wire]
        memory = MemoryStore()
        memory.add(SealedSignature(META, b"sealed", ("k",)), CAMPAIGN.current_version("evansville"))
        assert memory.pending_rows(0, 10) == [row]
    finally:
        store.close()


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrgKey:
    monkeypatch.setenv(ENV_KEY_PASSPHRASE, PASSPHRASE)
    return make_key(tmp_path)


def test_the_server_stores_and_exports_every_field(
    db_url: str, engine: Engine, key: OrgKey
) -> None:
    settings = ServerSettings(
        database_url=db_url, org_public_key=key.public_b64, org_private_key_files=(str(key.path),)
    )
    import_mini(engine)
    sealed = key.seal(person("Alma", "Reyes"))
    with (
        InProcessServer(create_app(settings, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=60) as http,
    ):
        device = ApiClient.enroll(http, make_code(engine))
        answer = device.push(
            [WireSignature.from_sealed(SealedSignature(META, sealed, ()))], events=[event()]
        )
        assert [r.status for r in answer.signatures] == ["created"]
    query = server_exports.ExportQuery(CAMPAIGN.slug, include_synthetic=True)
    result = server_exports.ServerExportResult()
    with engine.connect() as conn:
        (record,) = server_exports.collect(conn, settings.keyring(), query, result)
    assert record.meta == META
    assert record.personal.printed_name == "Alma Reyes"


def test_the_signers_fields_are_one_list() -> None:
    """The form's fields, the sealed record's and the counted record's differ only by the
    signature itself (drawn ink, its encoded bytes, a typed name), so the copies between them
    (:meth:`SignerFields.with_ink`, :meth:`PersonalData.from_bytes`) are derived, not written."""
    form = [f.name for f in fields(SignerFields)]
    sealed = [f.name for f in fields(PersonalData)]
    counted = [f.name for f in fields(PersonalFields)]
    assert set(sealed) == {*form, "ink", "typed_name"}
    assert counted == [n if n != "ink" else "ink_bytes" for n in sealed]
    who = person("Alma", "Reyes", city="Evansville", state="IN", comment="Sí")
    form_values = SignerFields(**{n: getattr(who, n) for n in form})
    assert form_values.with_ink(who.ink) == who
    assert PersonalData.from_bytes(who.to_bytes()).to_bytes() == who.to_bytes()
    typed = form_values.with_ink(who.ink, typed_name="Alma Reyes")
    assert PersonalData.from_bytes(typed.to_bytes()).to_bytes() == typed.to_bytes()
    assert parse_personal(typed.to_bytes()).typed_name == "Alma Reyes"
