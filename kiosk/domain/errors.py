"""Error codes returned by the domain.

The domain never produces sentences: it returns codes that each front end (the QML UI in the
signer's language, the command line in English) turns into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    """Why a field (or a whole submission) was refused."""

    REQUIRED = "required"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    INVALID_NAME = "invalid_name"
    INVALID_EMAIL = "invalid_email"
    INVALID_PHONE = "invalid_phone"
    INVALID_ZIP = "invalid_zip"
    INVALID_STATE = "invalid_state"
    ZIP_STATE_MISMATCH = "zip_state_mismatch"
    SIGNATURE_MISSING = "signature_missing"
    SIGNATURE_TOO_SHORT = "signature_too_short"
    SIGNATURE_INVALID = "signature_invalid"
    #: A typed signature that does not hold the first and last name given in the form.
    TYPED_NAME_MISMATCH = "typed_name_mismatch"
    #: A typed signature the signer did not confirm as their signature.
    SIGNATURE_NOT_CONFIRMED = "signature_not_confirmed"
    UNKNOWN_CAMPAIGN = "unknown_campaign"
    UNKNOWN_LOCAL_CAMPAIGN = "unknown_local_campaign"
    ALREADY_SIGNED = "already_signed"
    UNKNOWN_SIGNATURE = "unknown_signature"
    ALREADY_VOID = "already_void"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field: ``field`` is the form field's name (or ``""`` for the form)."""

    field: str
    code: Code


class DomainError(Exception):
    """Base class for refusals the domain reports with codes."""


class ValidationFailed(DomainError):
    """A signer's entry was refused; ``errors`` says which fields and why."""

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__(", ".join(f"{e.field}:{e.code}" for e in self.errors))

    def codes_for(self, field: str) -> list[Code]:
        """Return the codes reported for one field."""
        return [e.code for e in self.errors if e.field == field]


class NotFound(DomainError):
    """A campaign, local campaign or signature that does not exist."""

    def __init__(self, code: Code, key: str) -> None:
        self.code = code
        self.key = key
        super().__init__(f"{code}: {key}")


class Refused(DomainError):
    """An operation that is not allowed in the current state (e.g. voiding twice)."""

    def __init__(self, code: Code, key: str = "") -> None:
        self.code = code
        self.key = key
        super().__init__(f"{code}: {key}" if key else str(code))


class CryptoError(Exception):
    """A key is missing or malformed, a passphrase is wrong, or sealed data cannot be opened:
    what a :class:`kiosk.domain.ports.Sealer`, an :class:`kiosk.domain.ports.Opener` or the key
    folder raises when it refuses. Here, in a module that imports nothing of the domain, so the
    crypto adapter (which ``kiosk status`` loads) does not pull in the ports."""
