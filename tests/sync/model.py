"""A model of the server for the property-based tests: what :mod:`kiosk.wire` promises, in
memory (created / duplicate / conflict / unknown; all-or-nothing batches; events upserted)."""

from __future__ import annotations

import uuid
from collections import Counter

from kiosk.wire import PushRequest, PushResponse


class ServerModel:
    """What the API promises, in memory.

    Attributes:
        signatures: content hash by signature id.
        created: how many times each id was stored (must never exceed one).
        voids: content hash by voided signature id.
        events: the last pushed content by event id.
        conflicts: how many conflicting records were pushed.
    """

    def __init__(self) -> None:
        self.signatures: dict[uuid.UUID, str] = {}
        self.created: Counter[uuid.UUID] = Counter()
        self.voids: dict[uuid.UUID, str] = {}
        self.events: dict[str, tuple[str, str, object]] = {}
        self.conflicts = 0

    def push(self, request: PushRequest) -> PushResponse:
        """Store a batch and answer per item, as the server does.

        Args:
            request: the validated batch.
        """
        sigs = []
        for s in request.signatures:
            h = s.content_hash()
            if s.id not in self.signatures:
                self.signatures[s.id] = h
                self.created[s.id] += 1
                sigs.append({"id": str(s.id), "status": "created"})
            elif self.signatures[s.id] == h:
                sigs.append({"id": str(s.id), "status": "duplicate"})
            else:
                self.conflicts += 1
                sigs.append({"id": str(s.id), "status": "conflict"})
        voids = []
        for v in request.voids:
            h = v.content_hash()
            if v.signature_id not in self.signatures:
                status = "unknown"
            elif v.signature_id not in self.voids:
                self.voids[v.signature_id] = h
                status = "created"
            elif self.voids[v.signature_id] == h:
                status = "duplicate"
            else:
                self.conflicts += 1
                status = "conflict"
            voids.append({"id": str(v.signature_id), "status": status})
        events = []
        for e in request.events:
            content = (e.name, e.location, e.started_at)
            status = (
                "created"
                if e.id not in self.events
                else ("duplicate" if self.events[e.id] == content else "updated")
            )
            self.events[e.id] = content
            events.append({"id": e.id, "status": status})
        return PushResponse.model_validate({"signatures": sigs, "voids": voids, "events": events})
