"""Signing without drawing: the typed signature's rules, its record, and its sealed form."""

from __future__ import annotations

import base64
import json

import pytest

from kiosk.domain.errors import Code, ValidationFailed
from kiosk.domain.ink import Ink, check_ink, encode_ink
from kiosk.domain.personal import PersonalDataError, parse_personal
from kiosk.domain.signature import PersonalData, SignatureMethod
from kiosk.domain.validation import (
    MAX_TYPED_NAME,
    TypedSignature,
    check_typed_name,
    validate_entry,
)
from tests.helpers import entry, ink, mini_campaign


@pytest.mark.parametrize(
    "typed",
    [
        "José Núñez",
        "  josé   núñez ",  # case and spaces as typed
        "José Antonio Núñez",  # a middle name
        "José Núñez Ortega",  # a second surname
        "JOSÉ NÚÑEZ",
        "Jose Nunez",  # a keyboard without accents
    ],
)
def test_the_full_name_in_any_case_with_middle_names_is_accepted(typed: str) -> None:
    cleaned, code = check_typed_name(typed, "José", "Núñez")
    assert code is None
    assert cleaned == " ".join(typed.split())  # kept as typed


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", Code.REQUIRED),
        ("   ", Code.REQUIRED),
        ("José", Code.TYPED_NAME_MISMATCH),  # not the full name
        ("Núñez José", Code.TYPED_NAME_MISMATCH),  # not in order
        ("Ana Núñez", Code.TYPED_NAME_MISMATCH),  # someone else
        ("José Núñez 2", Code.INVALID_NAME),
        ("José\x00 Núñez", Code.CONTROL_CHARACTERS),
        ("José \u202eNúñez", Code.CONTROL_CHARACTERS),
        ("José " + "a" * MAX_TYPED_NAME, Code.TOO_LONG),
        ("<b>José Núñez</b>", Code.INVALID_NAME),
    ],
)
def test_a_typed_name_that_is_not_the_signers_full_name_is_refused(typed: str, code: Code) -> None:
    assert check_typed_name(typed, "José", "Núñez")[1] is code


def test_typed_signature_needs_the_signers_confirmation() -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_entry(entry(), mini_campaign(), None, "", TypedSignature("José Núñez", False))
    assert exc.value.codes_for("typed_confirm") == [Code.SIGNATURE_NOT_CONFIRMED]
    assert exc.value.codes_for("signature") == []  # no drawing asked for


def test_typed_signature_errors_come_with_the_forms() -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_entry(
            entry(zip="nope"), mini_campaign(), None, "", TypedSignature("Ana Pérez", True)
        )
    assert exc.value.codes_for("zip") == [Code.INVALID_ZIP]
    assert exc.value.codes_for("typed_name") == [Code.TYPED_NAME_MISMATCH]


def test_a_typed_signature_keeps_no_ink_and_says_it_was_typed() -> None:
    personal = validate_entry(
        entry(), mini_campaign(), ink(), "", TypedSignature(" José  Núñez ", True)
    )
    assert personal.typed_name == "José Núñez"
    assert personal.ink.strokes == ()  # the drawing, if any, is not kept
    assert TypedSignature("x", True).method is SignatureMethod.TYPED
    assert TypedSignature("x", True, witnessed=True).method is SignatureMethod.TYPED_WITNESSED
    assert SignatureMethod.TYPED_WITNESSED.typed and SignatureMethod.TYPED_WITNESSED.witnessed
    assert SignatureMethod.TYPED.typed and not SignatureMethod.TYPED.witnessed
    assert not SignatureMethod.DRAWN.typed


def test_sealed_typed_record_round_trips_and_passes_the_strict_schema() -> None:
    personal = validate_entry(
        entry(), mini_campaign(), None, "", TypedSignature("José Núñez", True)
    )
    data = personal.to_bytes()
    assert PersonalData.from_bytes(data) == personal
    fields = parse_personal(data)
    assert fields.typed_name == "José Núñez"
    assert check_ink(fields.ink_bytes) == (0, 0)


def test_a_drawn_record_is_byte_for_byte_what_it_was() -> None:
    personal = validate_entry(entry(), mini_campaign(), ink(), "")
    d = json.loads(personal.to_bytes())
    assert "typed_name" not in d  # servers and kiosks of before read it unchanged
    assert PersonalData.from_bytes(personal.to_bytes()).typed_name == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (12, "typed_name: must be text"),
        ("R2D2", "typed_name: must be a name"),
        ("", "typed_name: must be a name"),
        ("a" * 201, "typed_name: longer than 200"),
    ],
)
def test_hostile_typed_name_in_sealed_data_is_refused(value: object, message: str) -> None:
    d = {
        "v": 1,
        "first_name": "Ana",
        "last_name": "Pérez",
        "zip": "55802",
        "ink": base64.b64encode(encode_ink(Ink(0, 0, ()))).decode(),
        "typed_name": value,
    }
    with pytest.raises(PersonalDataError, match=message):
        parse_personal(json.dumps(d).encode())
