"""Sync control as the screens see it: the outbox's size before a sync controller runs.

The sync engine (:mod:`kiosk.sync.engine`) and its Qt controller (:mod:`kiosk.sync.qt`) are
adapters the composition root starts; staff mode drives them through ``snapshot()``,
``sync_now()`` and ``connect()``. Before one is attached (or on a kiosk that never syncs),
staff still see how many signatures wait to be sent: that is read here.
"""

from __future__ import annotations

from typing import Protocol


class PendingCount(Protocol):
    """A store that knows how many signatures the server has not acknowledged."""

    def pending_count(self) -> int:
        """Signatures waiting to be sent."""
        ...


class Outbox:
    """The signatures waiting for the server.

    Args:
        store: the kiosk's store.
    """

    def __init__(self, store: PendingCount) -> None:
        self._store = store

    def waiting(self) -> int:
        """How many signatures wait to be sent."""
        return int(self._store.pending_count())
