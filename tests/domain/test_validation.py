"""Validation of signer entries: names in any script, email, ZIP, phone, field rules."""

from __future__ import annotations

import pytest

from kiosk.domain.errors import Code, ValidationFailed
from kiosk.domain.validation import (
    check_email,
    check_name,
    check_phone,
    check_zip,
    validate_entry,
)
from tests.helpers import dot, entry, ink, mini_campaign


@pytest.mark.parametrize(
    "name",
    ["José", "Nguyễn Thị Ánh", "O'Brien", "Zoë", "محمد", "李", "Mary-Jo", "St. John", "D’Angelo"],
)
def test_names_in_any_script_are_accepted(name: str) -> None:
    cleaned, code = check_name(name)
    assert code is None
    assert cleaned == name


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", Code.REQUIRED),
        ("   ", Code.REQUIRED),
        ("Ana\x00", Code.CONTROL_CHARACTERS),
        ("Ana\u202e", Code.CONTROL_CHARACTERS),
        ("a" * 81, Code.TOO_LONG),
        ("R2D2", Code.INVALID_NAME),
        ("<script>", Code.INVALID_NAME),
        ("'-.", Code.INVALID_NAME),
    ],
)
def test_bad_names_get_codes(raw: str, code: Code) -> None:
    assert check_name(raw)[1] is code


def test_names_are_normalised() -> None:
    # Decomposed "é" (e + combining acute) becomes one code point; spaces collapse.
    assert check_name("  Jose\u0301   Luis ") == ("José Luis", None)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("55802", "55802"),
        ("55802-1234", "55802-1234"),
        ("558021234", "55802-1234"),
        (" 55802 ", "55802"),
    ],
)
def test_zip_and_zip_plus_four(raw: str, clean: str) -> None:
    assert check_zip(raw) == (clean, None)


@pytest.mark.parametrize("raw", ["5580", "55802-12", "ABCDE", "55802-12345", "٥٥٨٠٢"])
def test_bad_zips(raw: str) -> None:
    assert check_zip(raw)[1] is Code.INVALID_ZIP


def test_email_by_syntax_only() -> None:
    assert check_email("ana@example.org") == ("ana@example.org", None)
    assert check_email("ana@nonexistent-domain-for-tests.example")[1] is None
    assert check_email("ana@")[1] is Code.INVALID_EMAIL
    assert check_email("ana example.org")[1] is Code.INVALID_EMAIL


def test_phone_normalised_to_e164() -> None:
    assert check_phone("(612) 555-0134") == ("+16125550134", None)
    assert check_phone("+52 55 1234 5678")[1] is None
    assert check_phone("12")[1] is Code.INVALID_PHONE
    assert check_phone("call me")[1] is Code.INVALID_PHONE


def test_entry_follows_campaign_field_rules() -> None:
    campaign = mini_campaign()  # phone required, email optional
    personal = validate_entry(entry(email=""), campaign, ink(), "consent")
    assert personal.email == ""
    assert personal.phone == "+16125550134"
    with pytest.raises(ValidationFailed) as exc:
        validate_entry(entry(phone=""), campaign, ink(), "consent")
    assert exc.value.codes_for("phone") == [Code.REQUIRED]


def test_all_errors_reported_at_once_with_codes_not_sentences() -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_entry(entry(first_name="", zip="1", email="x@"), mini_campaign(), None, "")
    fields = {(e.field, e.code) for e in exc.value.errors}
    assert fields == {
        ("first_name", Code.REQUIRED),
        ("zip", Code.INVALID_ZIP),
        ("email", Code.INVALID_EMAIL),
        ("signature", Code.SIGNATURE_MISSING),
    }


def test_one_dot_signature_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_entry(entry(), mini_campaign(), dot(), "")
    assert exc.value.codes_for("signature") == [Code.SIGNATURE_TOO_SHORT]


def test_opt_in_keeps_exact_consent_wording_only_when_opted_in() -> None:
    c = mini_campaign()
    yes = validate_entry(entry(opt_in=True), c, ink(), "Send me updates.")
    no = validate_entry(entry(opt_in=False), c, ink(), "Send me updates.")
    assert (yes.opt_in, yes.consent_text) == (True, "Send me updates.")
    assert (no.opt_in, no.consent_text) == (False, "")


def test_the_fields_are_checked_without_a_drawing_and_join_it_later() -> None:
    from kiosk.domain.validation import validate_fields

    campaign = mini_campaign()
    fields = validate_fields(entry(first_name="  José ", email="Jose@Example.org"), campaign, "c")
    with_ink = fields.with_ink(ink())
    assert with_ink == validate_entry(
        entry(first_name="  José ", email="Jose@Example.org"), campaign, ink(), "c"
    )
    with pytest.raises(ValidationFailed) as failed:
        validate_fields(entry(first_name="", zip="1"), campaign, "")
    assert {e.field for e in failed.value.errors} == {"first_name", "zip"}  # no "signature"
