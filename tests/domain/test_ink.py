"""The compact stroke encoding round-trips and refuses malformed data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.ink import Ink, InkDecodeError, Point, decode_ink, encode_ink
from tests.helpers import ink

coord = st.floats(min_value=0, max_value=4000, allow_nan=False).map(lambda v: round(v, 1))
points = st.lists(
    st.tuples(coord, coord, st.integers(0, 10_000), st.one_of(st.none(), st.floats(0, 1))),
    min_size=1,
    max_size=50,
)


@given(st.lists(points, min_size=0, max_size=6))
def test_round_trip(raw: list[list[tuple[float, float, int, float | None]]]) -> None:
    has_p = any(p[3] is not None for s in raw for p in s)
    original = Ink(800, 300, tuple(tuple(Point(x, y, t, p) for x, y, t, p in s) for s in raw))
    back = decode_ink(encode_ink(original))
    assert back.width == 800 and back.height == 300
    assert len(back.strokes) == len(original.strokes)
    for s1, s2 in zip(original.strokes, back.strokes, strict=True):
        for a, b in zip(s1, s2, strict=True):
            assert (a.x, a.y, a.t) == pytest.approx((b.x, b.y, b.t), abs=0.051)
            if has_p:
                expect = a.pressure if a.pressure is not None else 1.0
                assert b.pressure == pytest.approx(expect, abs=1 / 255)


def test_compact() -> None:
    sig = ink(3)
    data = encode_ink(sig)
    assert sig.point_count > 150
    assert len(data) < sig.point_count * 8  # x, y, t and pressure in well under 8 bytes a point


@pytest.mark.parametrize(
    "data", [b"", b"INK1", b"XXXX\x00", encode_ink(ink())[:-3], encode_ink(ink()) + b"\x00"]
)
def test_malformed_is_refused(data: bytes) -> None:
    with pytest.raises(InkDecodeError):
        decode_ink(data)


@given(st.lists(points, min_size=0, max_size=6), st.data())
def test_vectorised_decoder_agrees_with_the_bytewise_one(
    raw: list[list[tuple[float, float, int, float | None]]], data: st.DataObject
) -> None:
    """decode_ink's numpy path gives exactly the byte-wise decoder's result, and on damaged
    records the same error."""
    from kiosk.domain.ink import _decode_bytewise

    original = Ink(800, 300, tuple(tuple(Point(x, y, t, p) for x, y, t, p in s) for s in raw))
    good = encode_ink(original)
    assert decode_ink(good) == _decode_bytewise(good)
    cut = data.draw(st.integers(0, len(good)))
    flip = data.draw(st.integers(0, 255))
    for damaged in (good[:cut], good + bytes([flip]), good[:cut] + bytes([flip]) + good[cut + 1 :]):
        try:
            expected: object = _decode_bytewise(damaged)
        except InkDecodeError as exc:
            expected = str(exc)
        try:
            got: object = decode_ink(damaged)
        except InkDecodeError as exc:
            got = str(exc)
        assert got == expected


big = st.one_of(coord, st.floats(-1e18, 1e18, allow_nan=False))


@given(
    st.lists(
        st.lists(
            st.tuples(
                big, big, st.integers(-(2**62), 2**62), st.one_of(st.none(), st.floats(-1e6, 1e6))
            ),
            min_size=0,
            max_size=30,
        ),
        min_size=0,
        max_size=6,
    ),
    st.floats(0, 1e6),
)
def test_numpy_encoder_writes_the_bytewise_encoders_bytes(
    raw: list[list[tuple[float, float, int, float | None]]], width: float
) -> None:
    from kiosk.domain.ink import _encode_bytewise

    original = Ink(width, 300, tuple(tuple(Point(x, y, t, p) for x, y, t, p in s) for s in raw))
    assert encode_ink(original) == _encode_bytewise(original)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_encoder_refuses_values_that_are_not_numbers(bad: float) -> None:
    with pytest.raises(ValueError):
        encode_ink(Ink(800, 300, ((Point(1, 2, 0), Point(bad, 2, 8)),)))
