"""The wire schema: strict per-field validation, canonical content hashes, domain conversion."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kiosk.domain.ids import uuid7
from kiosk.domain.signature import Event, SealedSignature, SignatureMeta, Void
from kiosk.wire import (
    MAX_BATCH_EVENTS,
    MAX_BATCH_SIGNATURES,
    MAX_BATCH_VOIDS,
    MAX_SEALED_BYTES,
    EnrollRequest,
    PushRequest,
    PushResponse,
    WireEvent,
    WireSignature,
    WireVoid,
)
from tests.server.helpers import TEXT_VERSION, event, signature, void


def _json(model: Any) -> dict[str, Any]:
    return json.loads(model.model_dump_json())


def _both_modes(cls: Any, data: Any) -> list[Any]:
    """Validate from decoded JSON (what FastAPI does) and from JSON text; both must agree."""
    out = []
    for validate in (
        lambda: cls.model_validate(data),
        lambda: cls.model_validate_json(json.dumps(data)),
    ):
        try:
            out.append(validate())
        except ValidationError as exc:
            out.append(exc)
    assert type(out[0]) is type(out[1])
    return out


def test_from_sealed_keeps_every_field() -> None:
    meta = SignatureMeta(
        id=uuid7(),
        campaign="defy-trump-expand-sanctuary",
        local_campaign="evansville",
        text_version=TEXT_VERSION,
        lang="es",
        kiosk_id="kiosk-7",
        event_id="rally-1",
        created_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        utc_offset_minutes=-360,
        synthetic=True,
    )
    wire = WireSignature.from_sealed(SealedSignature(meta, b"\x00sealed\xff", "dedupe"))
    assert wire.id == meta.id
    assert (wire.campaign, wire.local_campaign, wire.lang) == (meta.campaign, "evansville", "es")
    assert (wire.kiosk_id, wire.event_id, wire.synthetic) == ("kiosk-7", "rally-1", True)
    assert wire.created_at == meta.created_at and wire.utc_offset_minutes == -360
    assert wire.sealed == b"\x00sealed\xff"
    data = _json(wire)
    assert base64.b64decode(data["sealed"]) == b"\x00sealed\xff"
    assert "dedupe" not in json.dumps(data)  # the dedupe key never leaves the kiosk


def test_from_void_and_event() -> None:
    sid = uuid7()
    now = datetime.now(UTC)
    v = WireVoid.from_void(Void(sid, "duplicate entry", now, "kiosk-1"))
    assert (v.signature_id, v.reason, v.voided_at, v.kiosk_id) == (
        sid,
        "duplicate entry",
        now,
        "kiosk-1",
    )
    e = WireEvent.from_event(Event("ev-1", "Rally", "Park", now))
    assert (e.id, e.name, e.location, e.started_at) == ("ev-1", "Rally", "Park", now)


def test_naive_created_at_refused_by_from_sealed() -> None:
    meta = SignatureMeta(
        uuid7(), "sanctuary-of-safety", None, TEXT_VERSION, "en", "k", None, datetime(2026, 1, 1), 0
    )
    with pytest.raises(ValidationError):
        WireSignature.from_sealed(SealedSignature(meta, b"x", ""))


def test_content_hash_is_stable_across_encodings() -> None:
    sig = signature(created_at=datetime(2026, 5, 1, 18, 30, 15, 123456, tzinfo=UTC))
    data = _json(sig)
    variants = [data, dict(data, id=data["id"].upper())]
    eastern = sig.created_at.astimezone(timezone(timedelta(hours=-4))).isoformat()
    variants.append(dict(data, created_at=eastern))
    for v in variants:
        for parsed in _both_modes(WireSignature, v):
            assert parsed.content_hash() == sig.content_hash()
    assert len(sig.content_hash()) == 64


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (
            "id",
            "0b0e1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
        ),  # fixed: ids must match across xdist workers
        ("campaign", "other-campaign"),
        ("local_campaign", "evansville"),
        ("text_version", "cd" * 32),
        ("lang", "es"),
        ("kiosk_id", "kiosk-b"),
        ("event_id", "rally-2"),
        ("created_at", "2026-01-01T00:00:00.000001Z"),
        ("utc_offset_minutes", 60),
        ("synthetic", True),
        ("sealed", base64.b64encode(b"other").decode()),
    ],
)
def test_content_hash_covers_every_field(field: str, value: Any) -> None:
    sig = signature()
    changed = WireSignature.model_validate(dict(_json(sig), **{field: value}))
    assert changed.content_hash() != sig.content_hash()


def test_void_hash_covers_fields() -> None:
    v = void(uuid7())
    assert WireVoid.model_validate(_json(v)).content_hash() == v.content_hash()
    assert void(v.signature_id, "other", voided_at=v.voided_at).content_hash() != v.content_hash()


BAD_SIGNATURE_FIELDS: list[tuple[str, Any]] = [
    ("utc_offset_minutes", False),
    ("utc_offset_minutes", True),
    ("utc_offset_minutes", 1.0),
    ("utc_offset_minutes", "60"),
    ("utc_offset_minutes", 841),
    ("utc_offset_minutes", -841),
    ("synthetic", "true"),
    ("synthetic", "false"),
    ("synthetic", 0),
    ("synthetic", None),
    ("id", 12345),
    ("id", "not-a-uuid"),
    ("id", "12345678123456781234567812345678"),
    ("id", "urn:uuid:12345678-1234-5678-1234-567812345678"),
    ("campaign", "Bad Slug"),
    ("campaign", "-starts-with-dash"),
    ("campaign", 5),
    ("campaign", "a" * 65),
    ("local_campaign", ""),
    ("text_version", "AB" * 32),
    ("text_version", "ab" * 31),
    ("lang", "fr"),
    ("lang", None),
    ("kiosk_id", ""),
    ("kiosk_id", "k" * 65),
    ("kiosk_id", "a\x00b"),
    ("kiosk_id", "tab\there"),
    ("kiosk_id", 7),
    ("event_id", "x" * 65),
    ("created_at", 1700000000),
    ("created_at", "1700000000"),
    ("created_at", "2026-01-01T00:00:00"),
    ("created_at", "2026-01-01"),
    ("created_at", "yesterday"),
    ("created_at", False),
    ("sealed", ""),
    ("sealed", "not base64!"),
    ("sealed", "QUJD"[:3]),
    ("sealed", 42),
    ("sealed", ["QUJD"]),
    ("sealed", base64.b64encode(b"\x00" * (MAX_SEALED_BYTES + 1)).decode()),
]


@pytest.mark.parametrize(("field", "value"), BAD_SIGNATURE_FIELDS)
def test_signature_field_refused(field: str, value: Any) -> None:
    data = dict(_json(signature()), **{field: value})
    for result in _both_modes(WireSignature, data):
        assert isinstance(result, ValidationError)
        assert any(e["loc"][0] == field for e in result.errors())


def test_missing_and_unknown_fields_refused() -> None:
    data = _json(signature())
    for result in _both_modes(WireSignature, dict(data, extra="x")):
        assert isinstance(result, ValidationError)
        assert result.errors()[0]["type"] == "extra_forbidden"
    missing = dict(data)
    del missing["local_campaign"]  # None must be sent explicitly
    for result in _both_modes(WireSignature, missing):
        assert isinstance(result, ValidationError)


def test_largest_sealed_blob_accepted() -> None:
    data = dict(_json(signature()), sealed=base64.b64encode(b"\x01" * MAX_SEALED_BYTES).decode())
    for result in _both_modes(WireSignature, data):
        assert isinstance(result, WireSignature)


def test_lone_surrogate_refused() -> None:
    data = dict(_json(signature()), kiosk_id="\ud800")
    assert isinstance(_both_modes(WireSignature, data)[0], ValidationError)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reason", ""),
        ("reason", "r" * 201),
        ("reason", "line\nbreak"),
        ("voided_at", 0),
        ("signature_id", None),
        ("kiosk_id", ""),
    ],
)
def test_void_field_refused(field: str, value: Any) -> None:
    data = dict(_json(void(uuid7())), **{field: value})
    for result in _both_modes(WireVoid, data):
        assert isinstance(result, ValidationError)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "n" * 121),
        ("location", "l" * 121),
        ("id", ""),
        ("started_at", "2026-01-01T10:00:00"),
        ("id", 3),
    ],
)
def test_event_field_refused(field: str, value: Any) -> None:
    data = dict(_json(event()), **{field: value})
    for result in _both_modes(WireEvent, data):
        assert isinstance(result, ValidationError)


def test_batch_limits() -> None:
    sig = _json(signature())
    v = _json(void(uuid7()))
    e = _json(event())
    ok = {
        "signatures": [sig] * MAX_BATCH_SIGNATURES,
        "voids": [v] * MAX_BATCH_VOIDS,
        "events": [e] * MAX_BATCH_EVENTS,
    }
    assert isinstance(PushRequest.model_validate(ok), PushRequest)
    for key, item, limit in (
        ("signatures", sig, MAX_BATCH_SIGNATURES),
        ("voids", v, MAX_BATCH_VOIDS),
        ("events", e, MAX_BATCH_EVENTS),
    ):
        for result in _both_modes(PushRequest, {key: [item] * (limit + 1)}):
            assert isinstance(result, ValidationError)
            assert result.errors()[0]["type"] == "too_long"


def test_push_request_defaults_and_strictness() -> None:
    assert PushRequest.model_validate({}) == PushRequest()
    for bad in ({"signatures": None}, {"signatures": {}}, {"signatures": [], "other": []}):
        assert isinstance(_both_modes(PushRequest, bad)[0], ValidationError)


def test_enroll_request_strict() -> None:
    assert EnrollRequest.model_validate({"code": "ABCD"}).name is None
    for bad in (
        {"code": 1234},
        {"code": ""},
        {},
        {"code": "x", "token": "y"},
        {"code": "x", "name": ""},
    ):
        assert isinstance(_both_modes(EnrollRequest, bad)[0], ValidationError)


def test_push_response_parses_statuses() -> None:
    sid = str(uuid7())
    resp = PushResponse.model_validate_json(
        json.dumps(
            {
                "signatures": [{"id": sid, "status": "conflict"}],
                "voids": [{"id": sid, "status": "unknown"}],
                "events": [{"id": "e", "status": "updated"}],
            }
        )
    )
    assert resp.voids[0].status == "unknown"
    with pytest.raises(ValidationError):
        PushResponse.model_validate(
            {"signatures": [{"id": sid, "status": "unknown"}], "voids": [], "events": []}
        )


_aware = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    ),
)
_short = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=64)


@settings(max_examples=150, deadline=None)
@given(
    created_at=_aware,
    offset=st.integers(-840, 840),
    kiosk_id=_short,
    event_id=st.none() | _short,
    sealed=st.binary(min_size=1, max_size=512),
    synthetic=st.booleans(),
    lang=st.sampled_from(["en", "es"]),
)
def test_round_trip_keeps_content_hash(
    created_at: datetime,
    offset: int,
    kiosk_id: str,
    event_id: str | None,
    sealed: bytes,
    synthetic: bool,
    lang: str,
) -> None:
    sig = signature(
        created_at=created_at,
        utc_offset_minutes=offset,
        kiosk_id=kiosk_id,
        event_id=event_id,
        sealed=sealed,
        synthetic=synthetic,
        lang=lang,
    )
    text = sig.model_dump_json()
    for parsed in (
        WireSignature.model_validate_json(text),
        WireSignature.model_validate(json.loads(text)),
    ):
        assert parsed == sig
        assert parsed.content_hash() == sig.content_hash()
    assert sig.created_at.tzinfo is UTC
