"""Validation of what a signer types, returning cleaned values or error codes.

Names may be in any script (José, Nguyễn, O'Brien, Zoë, محمد, 李); emails are checked by syntax
only (no DNS: the kiosk is usually offline); ZIPs are US five-digit or ZIP+4; phone numbers are
parsed with ``phonenumbers`` (US by default, international with a leading +).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from kiosk.domain.campaign import Campaign, FieldRule
from kiosk.domain.errors import Code, FieldError, ValidationFailed
from kiosk.domain.ink import Ink
from kiosk.domain.signature import PersonalData

MAX_NAME = 80
MAX_EMAIL = 254
MAX_STREET = 120
MAX_CITY = 80
MAX_COMMENT = 500

US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
    ]
)

_ZIP_RE = re.compile(r"^([0-9]{5})(?:-?([0-9]{4}))?$")
_NAME_PUNCT = frozenset(" '’-.‐")


@dataclass(frozen=True, slots=True)
class SignerEntry:
    """The raw form as typed, before validation."""

    first_name: str = ""
    last_name: str = ""
    zip: str = ""
    email: str = ""
    phone: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    comment: str = ""
    opt_in: bool = False


def _has_control(text: str, allow_newlines: bool = False) -> bool:
    for ch in text:
        if allow_newlines and ch in "\n":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf" and ch not in "\u200c\u200d"):
            return True
    return False


def clean_text(text: str) -> str:
    """NFC-normalise and collapse runs of white space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def check_name(raw: str) -> tuple[str, Code | None]:
    """Validate a first or last name; return the cleaned name and an error code or None."""
    if _has_control(raw):
        return raw, Code.CONTROL_CHARACTERS
    name = clean_text(raw)
    if not name:
        return name, Code.REQUIRED
    if len(name) > MAX_NAME:
        return name, Code.TOO_LONG
    letters = 0
    for ch in name:
        cat = unicodedata.category(ch)
        if cat[0] == "L":
            letters += 1
        elif cat[0] == "M" or ch in _NAME_PUNCT:
            continue
        else:
            return name, Code.INVALID_NAME
    if letters == 0:
        return name, Code.INVALID_NAME
    return name, None


def check_zip(raw: str) -> tuple[str, Code | None]:
    """Validate a US ZIP or ZIP+4; return it as ``12345`` or ``12345-6789``."""
    text = raw.strip().replace(" ", "")
    if not text:
        return text, Code.REQUIRED
    m = _ZIP_RE.match(text)
    if not m:
        return text, Code.INVALID_ZIP
    return (f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)), None


def check_email(raw: str) -> tuple[str, Code | None]:
    """Validate an email address by syntax only; return the normalised form."""
    text = raw.strip()
    if not text:
        return text, Code.REQUIRED
    if _has_control(text):
        return text, Code.CONTROL_CHARACTERS
    if len(text) > MAX_EMAIL:
        return text, Code.TOO_LONG
    try:
        info = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return text, Code.INVALID_EMAIL
    return info.normalized, None


def check_phone(raw: str, region: str = "US") -> tuple[str, Code | None]:
    """Validate a phone number; return it in E.164 form."""
    text = raw.strip()
    if not text:
        return text, Code.REQUIRED
    if _has_control(text) or len(text) > 40:
        return text, Code.INVALID_PHONE
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text, Code.INVALID_PHONE
    if not phonenumbers.is_valid_number(num):
        return text, Code.INVALID_PHONE
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164), None


def check_state(raw: str) -> tuple[str, Code | None]:
    """Validate a two-letter USPS state code."""
    text = raw.strip().upper()
    if not text:
        return text, Code.REQUIRED
    return text, (None if text in US_STATES else Code.INVALID_STATE)


def _check_free_text(raw: str, limit: int, multiline: bool = False) -> tuple[str, Code | None]:
    if _has_control(raw, allow_newlines=multiline):
        return raw, Code.CONTROL_CHARACTERS
    if multiline:
        text = "\n".join(clean_text(line) for line in raw.strip().splitlines()).strip()
    else:
        text = clean_text(raw)
    if not text:
        return text, Code.REQUIRED
    if len(text) > limit:
        return text, Code.TOO_LONG
    return text, None


@dataclass(frozen=True, slots=True)
class SignerFields:
    """The typed fields of an entry, cleaned and valid: everything but the drawing.

    The form step checks these (and the duplicate hint) before the signature pad; the drawing
    joins them at submit (:meth:`with_ink`).
    """

    first_name: str
    last_name: str
    zip: str
    email: str = ""
    phone: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    comment: str = ""
    opt_in: bool = False
    consent_text: str = ""

    def with_ink(self, ink: Ink) -> PersonalData:
        """The personal data to seal: these fields and the drawn signature."""
        return PersonalData(
            first_name=self.first_name,
            last_name=self.last_name,
            zip=self.zip,
            ink=ink,
            email=self.email,
            phone=self.phone,
            street=self.street,
            city=self.city,
            state=self.state,
            comment=self.comment,
            opt_in=self.opt_in,
            consent_text=self.consent_text,
        )


def validate_fields(entry: SignerEntry, campaign: Campaign, consent_text: str) -> SignerFields:
    """Validate the typed fields of an entry against the campaign's field rules.

    Args:
        entry: what the signer typed.
        campaign: decides which optional fields are shown and required.
        consent_text: the opt-in wording shown, kept when the signer opted in.

    Returns:
        The cleaned fields.

    Raises:
        ValidationFailed: with one code per failing field.
    """
    errors: list[FieldError] = []
    values: dict[str, str] = {}

    def run(name: str, checker, raw: str, rule: FieldRule) -> None:  # type: ignore[no-untyped-def]
        if rule is FieldRule.HIDDEN:
            values[name] = ""
            return
        value, code = checker(raw)
        if code is Code.REQUIRED and rule is FieldRule.OPTIONAL:
            values[name] = ""
            return
        if code is not None:
            errors.append(FieldError(name, code))
        values[name] = value

    run("first_name", check_name, entry.first_name, FieldRule.REQUIRED)
    run("last_name", check_name, entry.last_name, FieldRule.REQUIRED)
    run("zip", check_zip, entry.zip, FieldRule.REQUIRED)
    run("email", check_email, entry.email, campaign.rule("email"))
    run("phone", check_phone, entry.phone, campaign.rule("phone"))
    run("street", lambda s: _check_free_text(s, MAX_STREET), entry.street, campaign.rule("street"))
    run("city", lambda s: _check_free_text(s, MAX_CITY), entry.city, campaign.rule("city"))
    run("state", check_state, entry.state, campaign.rule("state"))
    run(
        "comment",
        lambda s: _check_free_text(s, MAX_COMMENT, multiline=True),
        entry.comment,
        campaign.rule("comment"),
    )
    if errors:
        raise ValidationFailed(errors)
    opt_in = bool(entry.opt_in) and bool(values["email"] or values["phone"])
    return SignerFields(
        first_name=values["first_name"],
        last_name=values["last_name"],
        zip=values["zip"],
        email=values["email"],
        phone=values["phone"],
        street=values["street"],
        city=values["city"],
        state=values["state"],
        comment=values["comment"],
        opt_in=opt_in,
        consent_text=consent_text if opt_in else "",
    )


def validate_entry(
    entry: SignerEntry,
    campaign: Campaign,
    ink: Ink | None,
    consent_text: str,
) -> PersonalData:
    """Validate a signer's whole entry: the typed fields and the drawing.

    Args:
        entry: what the signer typed.
        campaign: decides which optional fields are shown and required.
        ink: the drawn signature, or None if none was drawn yet.
        consent_text: the opt-in wording shown, stored with the signature when opted in.

    Returns:
        The cleaned personal data.

    Raises:
        ValidationFailed: with one code per failing field (the fields' and the drawing's).
    """
    errors: list[FieldError] = []
    fields = None
    try:
        fields = validate_fields(entry, campaign, consent_text)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    if ink is None or not ink.strokes:
        errors.append(FieldError("signature", Code.SIGNATURE_MISSING))
    elif not ink.is_enough():
        errors.append(FieldError("signature", Code.SIGNATURE_TOO_SHORT))
    if errors:
        raise ValidationFailed(errors)
    assert fields is not None and ink is not None
    return fields.with_ink(ink)
