"""One description of a signature's metadata, which everything that copies it derives from.

The metadata is :class:`~kiosk.domain.signature.SignatureMeta`: its fields, in their order, are
the description. The kiosk's store, the wire schema (:class:`kiosk.wire.WireSignature`), the
server's ingest and the server's exports copy metadata with the helpers here instead of naming
the fields one by one, so a new field is declared once on ``SignatureMeta`` (plus, where a
copy keeps it, a column or a typed wire field: ``tests/server/test_metadata.py`` fails until
every one has it).

Two forms:

- **values**: each field under its own name, as typed (``id`` a UUID, ``created_at`` an aware
  datetime): the wire schema and the server's table.
- **stored**: plain values a SQL row or an outbox tuple holds: ``id`` as text and
  ``created_at`` as Unix milliseconds in a column named ``created_ms`` (the kiosk's store).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from enum import Enum
from operator import attrgetter
from typing import Any, get_type_hints

from kiosk.domain.signature import SignatureMeta

#: The metadata's field names, in order.
META_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(SignatureMeta))

#: Where the stored form keeps a field under another name.
_STORED_NAMES = {"created_at": "created_ms"}

#: The stored form's column names, in the order of :data:`META_FIELDS`.
STORED_COLUMNS: tuple[str, ...] = tuple(_STORED_NAMES.get(n, n) for n in META_FIELDS)

#: The fields whose type is a value class (a UUID, an enumeration): copies that keep them as
#: plain text (a wire field, a column) are turned back by calling the class.
_VALUE_CLASSES: dict[str, type] = {
    name: hint
    for name, hint in get_type_hints(SignatureMeta).items()
    if isinstance(hint, type) and (hint is uuid.UUID or issubclass(hint, Enum))
}

#: ``source`` -> the tuple of its metadata fields, in the order of :data:`META_FIELDS`.
meta_tuple = attrgetter(*META_FIELDS)


def meta_values(source: object) -> dict[str, Any]:
    """Every metadata field of ``source`` (a ``SignatureMeta``, a wire signature, a row), by
    name, as it is there.

    Args:
        source: anything with an attribute per field of :data:`META_FIELDS`.
    """
    return dict(zip(META_FIELDS, meta_tuple(source), strict=True))


def plain_values(meta: SignatureMeta) -> dict[str, Any]:
    """:func:`meta_values` with enumerations as their values (what a wire field or a text
    column holds)."""
    return {k: v.value if isinstance(v, Enum) else v for k, v in meta_values(meta).items()}


def _typed(values: dict[str, Any]) -> SignatureMeta:
    for name, cls in _VALUE_CLASSES.items():
        if not isinstance(values[name], cls):
            values[name] = cls(str(values[name]))
    return SignatureMeta(**values)


def meta_from(source: object) -> SignatureMeta:
    """The :class:`SignatureMeta` of anything carrying the fields under their own names (a wire
    signature, a server row); a UUID or an enumeration may be given as its text.

    Args:
        source: anything with an attribute per field of :data:`META_FIELDS`.

    Raises:
        ValueError: a value is not one of its class (a malformed UUID, an unknown method).
    """
    return _typed(meta_values(source))


def to_ms(moment: datetime) -> int:
    """Aware datetime to Unix milliseconds.

    Raises:
        ValueError: a naive datetime.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """Unix milliseconds to an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, UTC)


def stored_values(meta: SignatureMeta) -> dict[str, Any]:
    """``meta`` in its stored form: :data:`STORED_COLUMNS` to plain values.

    Raises:
        ValueError: ``created_at`` is naive.
    """
    values = plain_values(meta)
    values["id"] = str(meta.id)
    values["created_at"] = to_ms(meta.created_at)
    return {_STORED_NAMES.get(k, k): v for k, v in values.items()}


def meta_from_stored(row: Mapping[str, Any] | object) -> SignatureMeta:
    """The :class:`SignatureMeta` of a stored row (a mapping or an object with an attribute per
    column of :data:`STORED_COLUMNS`)."""
    if isinstance(row, Mapping):
        stored = [row[c] for c in STORED_COLUMNS]
    else:
        stored = [getattr(row, c) for c in STORED_COLUMNS]
    values = dict(zip(META_FIELDS, stored, strict=True))
    values["created_at"] = from_ms(values["created_at"])
    values["synthetic"] = bool(values["synthetic"])
    return _typed(values)


__all__ = [
    "META_FIELDS",
    "STORED_COLUMNS",
    "from_ms",
    "meta_from",
    "meta_from_stored",
    "meta_tuple",
    "meta_values",
    "plain_values",
    "stored_values",
    "to_ms",
]
