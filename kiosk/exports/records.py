"""Opening the chosen signatures for an export: records, what was left out and why.

Exports need the organization's private key (the coordinator's unlock): the kiosk cannot read
what it wrote otherwise. Voided signatures are always left out; synthetic ones only on request;
signatures whose personal data was purged, cannot be opened or is damaged are counted, never
fatal.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Protocol

from kiosk.domain.demo import export_marks
from kiosk.domain.errors import CryptoError
from kiosk.domain.ports import Opener, SignatureFilter, StoredSignature
from kiosk.domain.signature import Event, PersonalData, SignatureMeta, SyncState

log = logging.getLogger("kiosk.exports")


class SignatureSource(Protocol):
    """The part of a signature repository an export reads."""

    def iter_signatures(
        self, flt: SignatureFilter, *, on_unreadable: Callable[[int], None] | None = None
    ) -> Iterator[StoredSignature]:
        """All matching signatures, oldest first; the ``seq`` of each row that cannot be read
        back (a damaged store) goes to ``on_unreadable`` instead."""
        ...

    def events(self) -> list[Event]:
        """All events."""
        ...

    def count(self, flt: SignatureFilter) -> int:
        """How many signatures match."""
        ...


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One signature with its personal data opened."""

    meta: SignatureMeta
    personal: PersonalData
    event: Event | None

    @property
    def local_time(self) -> datetime:
        """When it was signed, in the kiosk's local time then."""
        tz = timezone(timedelta(minutes=self.meta.utc_offset_minutes))
        return self.meta.created_at.astimezone(tz)


@dataclass
class ExportResult:
    """What an export wrote and what it could not."""

    records: int = 0
    purged_skipped: int = 0
    undecryptable: int = 0
    #: Damaged rows (sealed data that is not even bytes, metadata that cannot be read back):
    #: left out, counted.
    unreadable: int = 0
    #: Synthetic signatures (``kiosk simulate``) that matched but were left out.
    synthetic_skipped: int = 0
    #: Whether a synthetic signature is in the export (its pages are marked TEST DATA).
    synthetic_included: bool = False
    #: Never synced, yet with no personal data: the store was damaged or altered.
    missing_data: int = 0

    def marks(self, demo: bool) -> tuple[str, ...]:
        """The lines to stamp on every page of the export (DEMO, TEST DATA).

        Args:
            demo: whether the export comes from a demo kiosk.
        """
        return export_marks(demo, self.synthetic_included)


def collect(
    store: SignatureSource,
    opener: Opener,
    flt: SignatureFilter,
    result: ExportResult,
    strokes: bool = True,
) -> Iterator[ExportRecord]:
    """Yield the matching non-void signatures, opened, oldest first.

    Signatures whose personal data was already purged after sync (retention) are counted in
    ``result.purged_skipped``; ones that cannot be opened with this key in ``undecryptable``;
    damaged rows (sealed data that is not bytes, or metadata the store cannot read back) in
    ``unreadable``. None of them stops the rest.

    Args:
        strokes: decode each signature's ink (a packet draws it); False for a contact list,
            which prints none (:meth:`PersonalData.without_strokes`).
    """
    # A packet draws the ink: kept encoded until then (PersonalData.from_bytes, defer_ink).
    opened = (
        partial(PersonalData.from_bytes, defer_ink=True)
        if strokes
        else PersonalData.without_strokes
    )
    events = {e.id: e for e in store.events()}
    flt = dataclasses.replace(flt, include_void=False)

    def unreadable(seq: int) -> None:
        result.unreadable += 1

    for stored in store.iter_signatures(flt, on_unreadable=unreadable):
        sig = stored.signature
        if not isinstance(sig.sealed, (bytes, bytearray, memoryview)):
            log.info("signature %s: its sealed data is not bytes; left out", sig.meta.id)
            result.unreadable += 1
            continue
        if not sig.sealed:
            if stored.sync_state is SyncState.SYNCED:
                result.purged_skipped += 1  # retention deleted it once the server had it
            else:
                result.missing_data += 1
            continue
        try:
            personal = opened(opener.open(bytes(sig.sealed)))
        except (CryptoError, ValueError, TypeError):
            result.undecryptable += 1
            continue
        result.records += 1
        result.synthetic_included |= sig.meta.synthetic
        yield ExportRecord(sig.meta, personal, events.get(sig.meta.event_id or ""))
