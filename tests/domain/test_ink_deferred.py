"""``Ink.deferred``: an export keeps each signature's ink encoded until its packet is drawn.

It must draw exactly what the decoded ink draws, refuse at once what ``check_ink`` refuses
(never fail later, in the middle of rendering a packet), and keep nothing decoded.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.ink import Ink, InkDecodeError, Point, check_ink, decode_ink, encode_ink
from kiosk.domain.personal import PersonalDataError
from kiosk.domain.signature import PersonalData
from tests.helpers import ink

coord = st.floats(min_value=0, max_value=4000, allow_nan=False).map(lambda v: round(v, 1))
points = st.lists(
    st.tuples(coord, coord, st.integers(0, 10_000), st.one_of(st.none(), st.floats(0, 1))),
    min_size=1,
    max_size=40,
)


def _same_arrays(a: Ink, b: Ink) -> None:
    x, y = a.arrays(), b.arrays()
    assert (x.width, x.height) == (y.width, y.height)
    for name in ("x", "y", "t", "lengths"):
        assert np.array_equal(getattr(x, name), getattr(y, name)), name
    assert (x.p is None) == (y.p is None)
    if x.p is not None:
        assert np.array_equal(x.p, y.p)


@given(st.lists(points, min_size=0, max_size=6))
def test_a_deferred_ink_is_the_decoded_ink(
    raw: list[list[tuple[float, float, int, float | None]]],
) -> None:
    data = encode_ink(Ink(800, 300, tuple(tuple(Point(*p) for p in s) for s in raw)))
    deferred, decoded = Ink.deferred(data), decode_ink(data)
    assert (deferred.width, deferred.height) == (decoded.width, decoded.height)
    assert deferred.point_count == decoded.point_count
    _same_arrays(deferred, decoded)
    assert deferred.strokes == decoded.strokes
    assert deferred == decoded
    assert encode_ink(deferred) == data


@given(st.lists(points, min_size=1, max_size=4), st.data())
def test_check_ink_accepts_only_what_decodes(
    raw: list[list[tuple[float, float, int, float | None]]], data: st.DataObject
) -> None:
    """A record that passes the check decodes, with the counts the check gave: a deferred ink
    cannot fail while a packet is being drawn. Damaged records either fail both or pass both."""
    good = encode_ink(Ink(800, 300, tuple(tuple(Point(*p) for p in s) for s in raw)))
    cut = data.draw(st.integers(0, len(good)))
    flip = data.draw(st.integers(0, 255))
    for damaged in (
        good,
        good[:cut],
        good + bytes([flip]),
        good[:cut] + bytes([flip]) + good[cut + 1 :],
    ):
        try:
            counts = check_ink(damaged)
        except InkDecodeError:
            with pytest.raises(InkDecodeError):
                Ink.deferred(damaged)
            continue
        decoded = decode_ink(damaged)  # must not raise
        assert counts == (len(decoded.strokes), decoded.point_count)
        assert Ink.deferred(damaged).arrays().x.size == decoded.point_count


def test_nothing_decoded_is_kept() -> None:
    deferred = Ink.deferred(encode_ink(ink(6)))
    first, again = deferred.arrays(), deferred.arrays()
    assert first is not again  # decoded afresh each time, and dropped after use
    assert deferred._arrays is None and deferred._strokes is None
    assert deferred.strokes and deferred._strokes is None


def test_a_typed_signatures_empty_ink_defers() -> None:
    data = encode_ink(Ink(0, 0, ()))
    deferred = Ink.deferred(data)
    assert deferred.point_count == 0 and deferred.strokes == ()
    assert deferred.arrays().lengths.size == 0


def test_personal_data_with_deferred_ink_equals_the_decoded_one() -> None:
    person = PersonalData(
        first_name="Ana", last_name="Nguyễn", zip="55802", ink=ink(4), email="ana@example.org"
    )
    data = person.to_bytes()
    deferred = PersonalData.from_bytes(data, defer_ink=True)
    assert deferred.ink._encoded is not None
    assert deferred == PersonalData.from_bytes(data)
    assert dataclasses.replace(deferred, ink=person.ink).first_name == "Ana"


def test_bad_ink_is_refused_when_read_not_when_drawn() -> None:
    import base64
    import json

    record = json.loads(
        PersonalData(first_name="Ana", last_name="Ruiz", zip="55802", ink=ink(2)).to_bytes()
    )
    raw = base64.b64decode(record["ink"])
    record["ink"] = base64.b64encode(raw[:-2]).decode("ascii")  # truncated strokes
    with pytest.raises(PersonalDataError, match=r"^ink: "):
        PersonalData.from_bytes(json.dumps(record).encode(), defer_ink=True)
    with pytest.raises(PersonalDataError):
        PersonalData.from_bytes(json.dumps(record).encode())
