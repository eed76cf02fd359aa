"""The counts of a kiosk's signatures (:class:`Counts`), in a module of their own.

``kiosk status`` reads them from the store file without loading the rest of the domain (ink,
campaigns, the audit trail and what they import): see :mod:`kiosk.store.peek`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Counts:
    """Counts of non-void signatures, by the dimensions staff and sync care about."""

    total: int
    voided: int
    by_campaign: dict[str, int] = field(default_factory=dict)
    by_local: dict[str, int] = field(default_factory=dict)  # "campaign/local"
    by_event: dict[str, int] = field(default_factory=dict)
    by_sync_state: dict[str, int] = field(default_factory=dict)
