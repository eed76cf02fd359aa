"""Sync control as the screens see it: the controller's port, and the outbox's size before one runs.

The sync engine (:mod:`kiosk.sync.engine`) and its Qt controller (:mod:`kiosk.sync.qt`) are
adapters the composition root starts; the screens drive the controller only through
:class:`SyncControl` (staff mode: ``snapshot()``, ``sync_now()``, ``connect()`` and the
``changed``/``connectFinished`` notices; the signer flow: ``nudge()`` and ``campaignsChanged``).
Before one is attached (or on a kiosk that never syncs), staff still see how many signatures
wait to be sent: that is read here (:class:`Outbox`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from kiosk.sync.status import SyncSnapshot


class Notice(Protocol):
    """Something that calls back when it happens (a Qt signal's ``connect`` fits)."""

    def connect(self, slot: Callable[..., object], /) -> object:
        """Call ``slot`` (with the notice's arguments) each time."""
        ...


class SyncControl(Protocol):
    """The sync controller as the screens use it (:class:`kiosk.sync.qt.SyncController`).

    Every notice is delivered on the UI thread.
    """

    @property
    def changed(self) -> Notice:
        """A new snapshot is available (read it with :meth:`snapshot`)."""
        ...

    @property
    def connectFinished(self) -> Notice:  # noqa: N802 - the Qt signal's name
        """:meth:`connect` finished: ``(ok: bool, error_code: str, detail: str)``."""
        ...

    @property
    def campaignsChanged(self) -> Notice:  # noqa: N802 - the Qt signal's name
        """Server campaigns changed (``(slugs: list[str])``); the catalog is already reloaded."""
        ...

    def snapshot(self) -> SyncSnapshot:
        """The latest sync state (cached: cheap to call from the UI)."""
        ...

    def sync_now(self) -> None:
        """Staff's "Sync now": a pass at once, even while backing off after failures."""
        ...

    def nudge(self) -> None:
        """A signature was saved: sync soon (debounced)."""
        ...

    def connect(self, url: str, code: str, *, allow_insecure: bool = False) -> None:
        """Staff's "Connect to server": enroll with a one-time code, off the UI thread.

        Returns at once; the outcome, refusals included, comes as :attr:`connectFinished`.
        """
        ...


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
