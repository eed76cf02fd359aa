"""A typed signature a volunteer witnessed with the staff PIN gets its own audit entry (issue
#17), through the signing use case and the real SQLite store: ``signature_witnessed`` with the
signature's uuid and nothing personal; a typed signature nobody witnessed, and a drawn one, get
none. The entry joins the hash chain like any other (the chain still verifies)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app import Kiosk, open_kiosk
from kiosk.domain.audit import AuditAction
from kiosk.domain.signature import SignatureMethod
from kiosk.domain.validation import SignerEntry, TypedSignature
from kiosk.simulate import human_strokes

PASSPHRASE = "witness audit passphrase"


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    k = open_kiosk(tmp_path / "data")
    k.keys.init(PASSPHRASE)
    yield k
    k.close()


def _submit(kiosk: Kiosk, typed: TypedSignature | None, first: str = "Ana María") -> str:
    signing = kiosk.services().signing
    campaign = signing.active_campaign()
    assert campaign is not None
    ink = None if typed else human_strokes(random.Random(3))
    meta = signing.submit(
        campaign,
        None,
        SignerEntry(first_name=first, last_name="Pérez", zip="55802"),
        ink,
        "es",
        "",
        typed,
    )
    return str(meta.id)


def _witnessed_entries(kiosk: Kiosk) -> list[dict[str, object]]:
    return [
        e.detail
        for e in kiosk.store.audit_entries()
        if e.action == AuditAction.SIGNATURE_WITNESSED.value
    ]


def test_a_witnessed_typed_signature_is_audited_by_its_uuid_only(kiosk: Kiosk) -> None:
    before = len(kiosk.store.audit_entries())
    sid = _submit(kiosk, TypedSignature("Ana María Pérez", confirmed=True, witnessed=True))
    [stored] = kiosk.store.recent(1)
    assert str(stored.signature.meta.id) == sid
    assert stored.signature.meta.method is SignatureMethod.TYPED_WITNESSED
    entries = kiosk.store.audit_entries()
    assert len(entries) == before + 1
    last = entries[-1]
    assert last.action == "signature_witnessed"
    assert last.detail == {"signature": sid}
    # Nothing of the signer in the trail: not the name, not the ZIP.
    text = json.dumps([e.detail for e in entries], ensure_ascii=False)
    for personal in ("Ana", "Pérez", "55802"):
        assert personal not in text
    report = kiosk.services().privacy.verify()
    assert report.ok and report.entries == len(entries)


def test_typed_without_a_witness_and_drawn_signatures_are_not_audited(kiosk: Kiosk) -> None:
    _submit(kiosk, TypedSignature("Ana María Pérez", confirmed=True, witnessed=False))
    _submit(kiosk, None, first="Luis")
    methods = [s.signature.meta.method for s in kiosk.store.recent(2)]
    assert sorted(m.value for m in methods) == ["drawn", "typed"]
    assert _witnessed_entries(kiosk) == []
