"""Helpers for the forwarding tests: real sealed signatures pushed through the real API, a key
ring, a forwarding secret, and a forwarder driven until its outbox is drained."""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nacl.public
from sqlalchemy import Engine, select, text

from kiosk.adapters.crypto import SealedBoxOpener, SealedBoxSealer
from kiosk.domain.ids import uuid7
from kiosk.domain.ink import Ink, Point
from kiosk.domain.signature import PersonalData
from kiosk.server.campaigns import TEXT_VERSIONS
from kiosk.server.forwarding.outbox import Backoff
from kiosk.server.forwarding.secrets import ForwardingSecret
from kiosk.server.forwarding.worker import Forwarder
from kiosk.server.keys import KeyRing
from kiosk.server.models import Base
from kiosk.wire import WireSignature

PRIVATE = nacl.public.PrivateKey(bytes(range(1, 33)))
PUBLIC = bytes(PRIVATE.public_key)
CAMPAIGN = "sanctuary-of-safety"
FIRST_NAMES = ("Ana", "José", "Mai", "Siobhán", "Tomás", "Nguyễn", "Zoë", "Omar")
CONSENT = "Send me updates about this campaign by email or text."


def keyring() -> KeyRing:
    """The organization key ring the test signatures are sealed to."""
    return KeyRing([SealedBoxOpener(bytes(PRIVATE))])


def secret(tmp_path: Path) -> ForwardingSecret:
    """A forwarding secret in a fresh 0600 file."""
    return ForwardingSecret.load(tmp_path / "forwarding.secret", create=True)


def _ink(rng: random.Random) -> Ink:
    pts = tuple(Point(float(i), float(rng.randint(0, 50)), i * 10) for i in range(20))
    return Ink(400, 150, (pts,))


def text_version(engine: Engine, campaign: str = CAMPAIGN) -> str:
    """The hash of a stored text version of the campaign (its current one)."""
    with engine.connect() as conn:
        return str(
            conn.execute(
                select(TEXT_VERSIONS.c.hash)
                .where(
                    TEXT_VERSIONS.c.campaign == campaign, TEXT_VERSIONS.c.local_campaign.is_(None)
                )
                .limit(1)
            ).scalar_one()
        )


def _letters(i: int) -> str:
    out = ""
    while True:
        out = "abcdefghijklmnopqrstuvwxyz"[i % 26] + out
        i //= 26
        if not i:
            return out.capitalize()


def personal(i: int, opt_in: bool, rng: random.Random | None = None, **over: Any) -> PersonalData:
    """A realistic signer (unique email per ``i``)."""
    rng = rng or random.Random(i)
    fields: dict[str, Any] = {
        "first_name": FIRST_NAMES[i % len(FIRST_NAMES)],
        "last_name": "Signer-" + _letters(i),
        "zip": "55802",
        "ink": _ink(rng),
        "email": f"signer{i}@example.org",
        "phone": f"+1612{i % 10_000_000:07d}",
        "street": f"{100 + i} Main St",
        "city": "Duluth",
        "state": "MN",
        "comment": "Keep our neighbors safe" if i % 3 == 0 else "",
        "opt_in": opt_in,
        "consent_text": CONSENT if opt_in else "",
    }
    fields.update(over)
    return PersonalData(**fields)


def wire_signature(
    p: PersonalData,
    version: str,
    *,
    kiosk_id: str = "kiosk-a",
    synthetic: bool = False,
    event_id: str | None = None,
    lang: str = "en",
    created_at: datetime | None = None,
) -> WireSignature:
    """A wire signature with ``p`` sealed to :data:`PUBLIC`."""
    return WireSignature(
        id=uuid7(),
        campaign=CAMPAIGN,
        local_campaign=None,
        text_version=version,
        lang=lang,
        kiosk_id=kiosk_id,
        event_id=event_id,
        created_at=created_at or datetime.now(UTC) - timedelta(minutes=5),
        utc_offset_minutes=-360,
        synthetic=synthetic,
        sealed=SealedBoxSealer(PUBLIC).seal(p.to_bytes()),
    )


def forwarder(engine: Engine, tmp_path: Path, **kw: Any) -> Forwarder:
    """A forwarder with quick retries (tests wait seconds, not minutes)."""
    kw.setdefault("backoff", Backoff(base=0.05, cap=0.2))
    return Forwarder(engine, keyring(), secret(tmp_path), **kw)


def drain(fwd: Forwarder, timeout: float = 60.0, until: Any = None) -> None:
    """Run passes until nothing is pending (or ``until()`` is true); fail after ``timeout``."""
    from kiosk.server.forwarding.outbox import OUTBOX, PENDING

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fwd.run_once()
        with fwd.engine.connect() as conn:
            pending = conn.execute(
                select(OUTBOX.c.id).where(OUTBOX.c.state == PENDING).limit(1)
            ).first()
        if until() if until is not None else pending is None:
            return
        time.sleep(0.05)
    raise AssertionError("the outbox did not drain in time")


def wait_until(predicate: Any, timeout: float = 60.0) -> None:
    """Poll ``predicate`` until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def dump_database(engine: Engine) -> str:
    """Every table's every row as text (to look for anything in clear)."""
    out = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                out.append(repr(tuple(row)))
    return "\n".join(out)


def uid(value: Any) -> uuid.UUID:
    """A UUID from a UUID or its text."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
