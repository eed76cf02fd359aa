"""The strict schema of sealed personal data, shared by the kiosk and the server.

The organization's public key is public: anyone can seal anything. So whatever opens a sealed
blob (a kiosk export, the server's exports and statistics) parses it here and gets either typed,
validated values or a :class:`PersonalDataError`; nothing downstream (``normalise_signer``, CSV
rows, PDF packets, unique-signer counts) ever sees a number where a ZIP belongs, a nested array
or a control character.

The record is one flat JSON object (:meth:`kiosk.domain.signature.PersonalData.to_bytes`):

- at most :data:`MAX_PERSONAL_BYTES` bytes of UTF-8, nesting depth 1 (checked before parsing, so
  an array nested 30,000 deep costs one scan, never a recursion);
- ``v`` is 1; no other keys than the known fields; ``first_name``, ``last_name``, ``zip`` and
  ``ink`` required;
- every text is a JSON string within its length, without control characters (C0, DEL, C1 such
  as U+0085, format or private-use characters; the comment may hold line breaks), and passes the
  same rule the kiosk's form applies (names are letters and name punctuation, ZIP is ``12345``
  or ``12345-6789``, state a USPS code, phone E.164, email an address);
- ``typed_name`` (only in a typed signature's record) is a name, like the first and last name;
- ``opt_in`` is ``true`` or ``false``;
- ``ink`` is standard base64 of at most :data:`MAX_INK_BYTES` bytes, a well-formed ink record
  within the ink limits (:data:`kiosk.domain.ink.MAX_STROKES`, :data:`kiosk.domain.ink.MAX_POINTS`).

Error messages name the field and the rule, never the value (they end up in logs and in
``kiosk-server quarantine list``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass

MAX_PERSONAL_BYTES = 64 * 1024
MAX_INK_BYTES = 48 * 1024
MAX_DEPTH = 1

_TEXT_LIMITS = {
    "first_name": 80,
    "last_name": 80,
    "zip": 10,
    "email": 254,
    "phone": 16,
    "street": 120,
    "city": 80,
    "state": 2,
    "comment": 500,
    "consent_text": 2000,
    "typed_name": 200,
}
_REQUIRED = ("first_name", "last_name", "zip", "ink")
_KNOWN = frozenset(_TEXT_LIMITS) | {"ink", "opt_in", "v"}
#: What can open or close a JSON container or a string: a backslash with the character it
#: escapes (one token, so an escaped quote or bracket is never taken for one), a quote or a
#: bracket. Every alternative has a fixed length: one left-to-right pass, no backtracking.
_STRUCTURE_RE = re.compile(r'\\.|["\[\]{}]', re.DOTALL)
_ZIP_RE = re.compile(r"^[0-9]{5}(?:-[0-9]{4})?$")
_PHONE_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_STATE_RE = re.compile(r"^[A-Z]{2}$")
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}$")
_NAME_PUNCT = frozenset(" '’-.‐")


class PersonalDataError(ValueError):
    """Sealed personal data that is not a valid record. The message names the field and the
    rule, never the value."""


@dataclass(frozen=True, slots=True)
class PersonalFields:
    """Validated personal data with the ink still encoded (``ink_bytes``): what counting needs,
    without decoding a single stroke."""

    first_name: str
    last_name: str
    zip: str
    ink_bytes: bytes
    email: str = ""
    phone: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    comment: str = ""
    opt_in: bool = False
    consent_text: str = ""
    typed_name: str = ""


def _check_depth(text: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_DEPTH`, before ``json.loads`` sees it.

    One pass over the quotes, brackets and escapes only, in time linear in the text: the
    regular expression of JSON strings used before backtracked on a quote followed by many
    escaped quotes, quadratic in the text (17 s for 64 KB of ``\\"`` sealed by anyone who
    holds the organization's public key, every server request waiting meanwhile).
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # the usual record: one object, no bracket inside any text
    depth = 0
    in_string = False
    for m in _STRUCTURE_RE.finditer(text):
        token = m.group()
        if token == '"':
            in_string = not in_string
        elif in_string or len(token) == 2:
            continue  # a bracket inside a string; an escape (in a string, or invalid JSON)
        elif token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise PersonalDataError(f"nested deeper than {MAX_DEPTH} level")
        else:
            depth -= 1
            if depth < 0:  # closes what was never opened: json.loads stops here anyway
                raise PersonalDataError("not JSON")


def _refuse_constant(name: str) -> None:
    raise PersonalDataError(f"{name} is not allowed")


def _bad_char(text: str, allow_newline: bool) -> bool:
    for ch in text:
        if allow_newline and ch == "\n":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf" and ch not in "\u200c\u200d"):
            return True
    return False


def _is_name(text: str) -> bool:
    letters = 0
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] == "L":
            letters += 1
        elif cat[0] != "M" and ch not in _NAME_PUNCT:
            return False
    return letters > 0


def _check_text(name: str, value: object) -> str:
    if type(value) is not str:
        raise PersonalDataError(f"{name}: must be text")
    if len(value) > _TEXT_LIMITS[name]:
        raise PersonalDataError(f"{name}: longer than {_TEXT_LIMITS[name]} characters")
    if _bad_char(value, allow_newline=name == "comment"):
        raise PersonalDataError(f"{name}: must not contain control characters")
    if name in ("first_name", "last_name", "typed_name"):
        if not _is_name(value):
            raise PersonalDataError(f"{name}: must be a name (letters and ' - .)")
    elif name == "zip":
        if not _ZIP_RE.match(value):
            raise PersonalDataError("zip: must be 12345 or 12345-6789")
    elif value:
        rule = {"phone": _PHONE_RE, "state": _STATE_RE, "email": _EMAIL_RE}.get(name)
        if rule is not None and not rule.match(value):
            raise PersonalDataError(f"{name}: not a valid {name}")
    return value


def _check_ink(value: object, strokes: bool) -> bytes:
    if type(value) is not str:
        raise PersonalDataError("ink: must be base64 text")
    if len(value) > 4 * ((MAX_INK_BYTES + 2) // 3):
        raise PersonalDataError(f"ink: larger than {MAX_INK_BYTES} bytes")
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise PersonalDataError("ink: must be standard base64") from None
    if not strokes:
        if not raw.startswith(b"INK1"):
            raise PersonalDataError("ink: not an ink record")
        return raw
    from kiosk.domain.ink import InkDecodeError, check_ink

    try:
        check_ink(raw)
    except InkDecodeError as exc:
        raise PersonalDataError(f"ink: {exc}") from None
    return raw


def parse_personal(data: bytes, check_strokes: bool = True) -> PersonalFields:
    """Parse and validate sealed personal data, leaving the ink encoded.

    Args:
        data: the opened (decrypted) bytes.
        check_strokes: also check the ink record's structure and limits (without decoding it);
            counting passes False and checks only that ``ink`` is bounded base64 of an ink
            record, so no stroke is looked at when counting.

    Raises:
        PersonalDataError: anything that is not a valid version-1 record.
    """
    if type(data) is not bytes:
        raise PersonalDataError("must be bytes")
    if len(data) > MAX_PERSONAL_BYTES:
        raise PersonalDataError(f"larger than {MAX_PERSONAL_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PersonalDataError("not UTF-8") from None
    _check_depth(text)
    try:
        d = json.loads(text, parse_constant=_refuse_constant)
    except PersonalDataError:
        raise
    except (ValueError, RecursionError):
        raise PersonalDataError("not JSON") from None
    if type(d) is not dict:
        raise PersonalDataError("not a JSON object")
    if d.get("v") != 1 or type(d.get("v")) is not int:
        raise PersonalDataError("unknown personal data version")
    unknown = set(d) - _KNOWN
    if unknown:
        raise PersonalDataError(f"unknown field(s): {len(unknown)}")
    missing = [k for k in _REQUIRED if k not in d]
    if missing:
        raise PersonalDataError(f"missing field(s): {', '.join(missing)}")
    texts = {k: _check_text(k, d[k]) for k in _TEXT_LIMITS if k in d}
    opt_in = d.get("opt_in", False)
    if type(opt_in) is not bool:
        raise PersonalDataError("opt_in: must be true or false")
    return PersonalFields(ink_bytes=_check_ink(d["ink"], check_strokes), opt_in=opt_in, **texts)
