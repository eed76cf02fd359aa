"""Validation of what a signer types, returning cleaned values or error codes.

Names may be in any script (José, Nguyễn, O'Brien, Zoë, محمد, 李); emails are checked by syntax
only (no DNS: the kiosk is usually offline); ZIPs are US five-digit or ZIP+4; phone numbers are
parsed with ``phonenumbers`` (US by default, international with a leading +).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from kiosk.domain.campaign import Campaign, FieldRule
from kiosk.domain.errors import Code, FieldError, ValidationFailed
from kiosk.domain.ink import Ink
from kiosk.domain.signature import PersonalData, SignatureMethod

MAX_NAME = 80
#: The longest typed signature (a full name with middle names).
MAX_TYPED_NAME = 200
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


@dataclass(frozen=True, slots=True)
class TypedSignature:
    """A signature typed instead of drawn ("I can't sign with my finger").

    Attributes:
        name: the full name the signer typed as their signature.
        confirmed: the signer confirmed that this typed name is their signature.
        witnessed: a volunteer witnessed it with the staff PIN (the caller checked the PIN).
    """

    name: str
    confirmed: bool
    witnessed: bool = False

    @property
    def method(self) -> SignatureMethod:
        """How the record says it was made."""
        return SignatureMethod.TYPED_WITNESSED if self.witnessed else SignatureMethod.TYPED


def has_control(text: str, allow_newlines: bool = False) -> bool:
    """Whether ``text`` holds a control, format (bar the joiners), private-use, unassigned
    or surrogate character: none belongs in text a person types."""
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
    if has_control(raw):
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
    if has_control(text):
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
    if has_control(text) or len(text) > 40:
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
    if has_control(raw, allow_newlines=multiline):
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

    def with_ink(self, ink: Ink, typed_name: str = "") -> PersonalData:
        """The personal data to seal: these fields and the drawn signature (or, for a typed
        signature, ink without strokes and the typed name)."""
        typed = {f.name: getattr(self, f.name) for f in fields(self)}
        return PersonalData(ink=ink, typed_name=typed_name, **typed)


def _name_words(text: str) -> list[str]:
    """Words of a name compared without case or accents (a physical keyboard may have no
    "ñ"), with the apostrophe and hyphen variants made one."""
    folded = unicodedata.normalize("NFKD", text).casefold().replace("’", "'").replace("‐", "-")
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).split()


def check_typed_name(raw: str, first_name: str, last_name: str) -> tuple[str, Code | None]:
    """Validate a typed signature against the name given in the form.

    The typed name is a name (as :func:`check_name`, up to :data:`MAX_TYPED_NAME`) holding
    every word of the first and the last name, in that order, whatever the case and accents;
    middle names in between are welcome ("Maria Jose Lopez" for "Maria" "Lopez").
    """
    if has_control(raw):
        return raw, Code.CONTROL_CHARACTERS
    name = clean_text(raw)
    if not name:
        return name, Code.REQUIRED
    if len(name) > MAX_TYPED_NAME:
        return name, Code.TOO_LONG
    _, code = check_name(name[:MAX_NAME])
    if code is not None:
        return name, code
    want = _name_words(f"{first_name} {last_name}")
    have = iter(_name_words(name))
    if not all(any(w == h for h in have) for w in want):
        return name, Code.TYPED_NAME_MISMATCH
    return name, None


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
    typed: TypedSignature | None = None,
) -> PersonalData:
    """Validate a signer's whole entry: the typed fields and the drawing (or typed signature).

    Args:
        entry: what the signer typed.
        campaign: decides which optional fields are shown and required.
        ink: the drawn signature, or None if none was drawn yet (ignored for a typed one).
        consent_text: the opt-in wording shown, stored with the signature when opted in.
        typed: a typed signature instead of a drawing; its errors are reported on the fields
            ``typed_name`` and ``typed_confirm``.

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
    if typed is not None:
        typed_name, code = check_typed_name(typed.name, entry.first_name, entry.last_name)
        if code is not None:
            errors.append(FieldError("typed_name", code))
        if not typed.confirmed:
            errors.append(FieldError("typed_confirm", Code.SIGNATURE_NOT_CONFIRMED))
        if errors:
            raise ValidationFailed(errors)
        assert fields is not None
        width, height = (ink.width, ink.height) if ink is not None else (0.0, 0.0)
        return fields.with_ink(Ink(width, height, ()), typed_name=typed_name)
    if ink is None or not ink.strokes:
        errors.append(FieldError("signature", Code.SIGNATURE_MISSING))
    elif not ink.is_enough():
        errors.append(FieldError("signature", Code.SIGNATURE_TOO_SHORT))
    if errors:
        raise ValidationFailed(errors)
    assert fields is not None and ink is not None
    return fields.with_ink(ink)
