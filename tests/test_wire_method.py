"""The wire's ``method`` (issue #17): typed signatures say so; drawn ones hash as before."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pydantic
import pytest

from kiosk.domain.signature import SealedSignature, SignatureMeta, SignatureMethod
from kiosk.wire import WireSignature


def _sealed(method: SignatureMethod) -> SealedSignature:
    meta = SignatureMeta(
        id=uuid.UUID("0190d0c0-0000-7000-8000-000000000001"),
        campaign="mini-test",
        local_campaign=None,
        text_version="a" * 64,
        lang="es",
        kiosk_id="kiosk-1",
        event_id=None,
        created_at=datetime(2026, 11, 23, 15, tzinfo=UTC),
        utc_offset_minutes=-360,
        method=method,
    )
    return SealedSignature(meta, b"x" * 80, ())


def test_method_travels_and_changes_the_content_hash_only_when_typed() -> None:
    drawn = WireSignature.from_sealed(_sealed(SignatureMethod.DRAWN))
    typed = WireSignature.from_sealed(_sealed(SignatureMethod.TYPED))
    witnessed = WireSignature.from_sealed(_sealed(SignatureMethod.TYPED_WITNESSED))
    assert (drawn.method, typed.method, witnessed.method) == ("drawn", "typed", "typed_witnessed")
    assert len({drawn.content_hash(), typed.content_hash(), witnessed.content_hash()}) == 3
    # a kiosk of before sends no method: read as drawn, the same hash (no false conflict)
    parsed = WireSignature.model_validate_json(drawn.model_dump_json(exclude={"method"}))
    assert parsed.method == "drawn" and parsed.content_hash() == drawn.content_hash()


@pytest.mark.parametrize("bad", ["Typed", "scribbled", 1, None, True])
def test_an_unknown_method_is_refused(bad: object) -> None:
    data = WireSignature.from_sealed(_sealed(SignatureMethod.DRAWN)).model_dump()
    with pytest.raises(pydantic.ValidationError):
        WireSignature.model_validate({**data, "method": bad})
