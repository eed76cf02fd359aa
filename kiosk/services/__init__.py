"""The application layer: the use cases the screens, the command line and the server call.

Anki's split: the GUI asks for an operation, this layer does it and reports what changed. Every
service is typed against ports (:mod:`kiosk.domain.ports`, :mod:`kiosk.services.ports`), never
against the SQLite store or Qt, and the composition root (:mod:`kiosk.app`) wires them:

- :mod:`kiosk.services.settings`: what staff choose (active campaign, fixed local campaign,
  the event), each change audited;
- :mod:`kiosk.services.signing`: the signer flow's operations around the domain's signing
  service;
- :mod:`kiosk.services.staff` and :mod:`kiosk.services.pin`: staff mode (set-up, the PIN gate,
  counts, the last entries with their names opened by the coordinator's unlock, voiding);
- :mod:`kiosk.services.privacy`: the retention policy, purging and vacuuming, the audit trail;
- :mod:`kiosk.services.exports`: exports (decrypt, build, save to USB or a folder, print),
  over the export pieces of :mod:`kiosk.exports` and the printing adapter;
- :mod:`kiosk.services.sync`: what waits for the server (sync itself is an adapter the
  composition root starts);
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.services.exports import Exports
from kiosk.services.privacy import Privacy
from kiosk.services.settings import Events, KioskSettings
from kiosk.services.signing import Signing
from kiosk.services.staff import StaffDesk
from kiosk.services.sync import Outbox

__all__ = [
    "Events",
    "Exports",
    "KioskSettings",
    "Outbox",
    "Privacy",
    "Services",
    "Signing",
    "StaffDesk",
]


@dataclass(frozen=True)
class Services:
    """Every use case of one kiosk, wired (what a screen receives is one of these)."""

    settings: KioskSettings
    events: Events
    signing: Signing
    staff: StaffDesk
    privacy: Privacy
    outbox: Outbox
    exports: Exports
