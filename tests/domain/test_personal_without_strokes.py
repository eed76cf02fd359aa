"""``PersonalData.without_strokes``: a record read for a CSV (no signature drawn) is the same
record with its ink left unread, and refuses what :meth:`from_bytes` refuses but the strokes."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.domain.personal import PersonalDataError
from kiosk.domain.signature import INK_NOT_OPENED, PersonalData
from tests.helpers import ink


def _person() -> PersonalData:
    return PersonalData(
        first_name="Ana",
        last_name="Nguyễn",
        zip="55802",
        ink=ink(5),
        email="ana@example.org",
        opt_in=True,
        consent_text="Sí, manténganme informada",
        comment="¡Adelante!",
    )


def test_every_field_but_the_strokes_is_read() -> None:
    data = _person().to_bytes()
    read = PersonalData.without_strokes(data)
    assert read.ink is INK_NOT_OPENED and read.ink.point_count == 0
    full = PersonalData.from_bytes(data)
    assert full.ink.point_count > 0
    assert dataclasses.replace(read, ink=full.ink) == full


@pytest.mark.parametrize(
    "data",
    [b"not json", b'{"v": 2}', b'{"v": 1, "first_name": "A"}', b"[[" + b'\\"' * 1000],
)
def test_what_is_no_record_is_refused_as_from_bytes_refuses_it(data: bytes) -> None:
    with pytest.raises(PersonalDataError):
        PersonalData.without_strokes(data)
    with pytest.raises(PersonalDataError):
        PersonalData.from_bytes(data)
