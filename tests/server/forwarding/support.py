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
from kiosk.server.forwarding.netguard import NetworkPolicy
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
#: The receivers here are on 127.0.0.1: a policy that lets forwarding reach them.
LOCAL = NetworkPolicy.allowing("127.0.0.0/8", "::1")


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
    return Forwarder(engine, keyring(), secret(tmp_path), **{"network": LOCAL, **kw})


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


def console_scene(
    database_url: str,
    data_dir: Path,
    key_path: Path,
    passphrase: str,
    hooks: tuple[tuple[str, str], tuple[str, str]],
    osdi_url: str,
    campaign: str,
) -> dict[str, Any]:
    """Forwarding as a coordinator finds it some days in (for the console's browser walk and
    screenshots): a webhook that took every signature of ``campaign``, one of them voided since;
    a second webhook (one attempt only) whose receiver refused the first three, now dead
    letters; an OSDI destination for one local campaign that skipped signers without opt-in.
    ``hooks`` are the two receivers' (URL, whsec_ secret). The stored signatures must exist
    already (``seed_signatures``). Returns the destination
    names and the voided signature's id."""
    from kiosk.server.db import create_db_engine, write_transaction
    from kiosk.server.forwarding.destinations import DestinationSpec
    from kiosk.server.forwarding.service import ForwardingService
    from kiosk.server.ingest import SIGNATURES, store_push
    from kiosk.server.keys import load_keyring
    from kiosk.wire import PushRequest, WireVoid

    engine = create_db_engine(database_url)
    secret_file = data_dir / "forwarding.secret"
    service = ForwardingService(
        engine, lambda create: ForwardingSecret.load(secret_file, create), network=LOCAL
    )
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(SIGNATURES.c.id, SIGNATURES.c.device_id, SIGNATURES.c.local_campaign)
                .where(SIGNATURES.c.campaign == campaign)
                .order_by(SIGNATURES.c.id)
                .limit(1)
            ).one()
        service.add(
            DestinationSpec("crm-hook", "webhook", campaign, hooks[0][0], hooks[0][1]),
            "cli:scene",
        )
        service.add(
            DestinationSpec(
                "archive", "webhook", campaign, hooks[1][0], hooks[1][1], max_attempts=1
            ),
            "cli:scene",
        )
        service.add(
            DestinationSpec(
                "an-local", "osdi", campaign, osdi_url, "an-scene-token",
                local_campaign=row.local_campaign,
            ),
            "cli:scene",
        )  # fmt: skip
        ring = load_keyring([key_path], passphrase)
        fwd = Forwarder(engine, ring, ForwardingSecret.load(secret_file), batch=500, network=LOCAL)
        try:
            drain(fwd, timeout=300)
        finally:
            fwd.close()
        void = WireVoid(
            signature_id=row.id,
            reason="signed twice",
            voided_at=datetime.now(UTC),
            kiosk_id="kiosk-scene",
        )
        with write_transaction(engine) as conn:
            store_push(conn, row.device_id, PushRequest(voids=[void]), datetime.now(UTC), ring)
    finally:
        engine.dispose()
    return {"voided": str(row.id), "names": ("crm-hook", "archive", "an-local")}


def console_screens(page: Any, server: Any, shot: Any, campaign: str) -> None:
    """The Forwarding page for ``scripts/console_screenshots.py``: :func:`console_scene` with
    real receivers on 127.0.0.1, then the page in English (after a webhook was added from it,
    its made secret shown once) and in Spanish. ``shot(name)`` takes the pictures."""
    from kiosk.server.forwarding.destinations import new_webhook_secret
    from tests.server.coord_support import PASSPHRASE
    from tests.server.forwarding.fakes import FaultScript, OsdiServer, WebhookReceiver, running

    hook, failing = new_webhook_secret(), new_webhook_secret()
    url = f"sqlite:///{server.live.data_dir / 'kiosk-server.sqlite3'}"
    with (
        running(WebhookReceiver(hook)) as rx,
        running(WebhookReceiver(failing, FaultScript(next=["http500"] * 3))) as bad,
        running(OsdiServer("an-scene-token")) as an,
    ):
        console_scene(
            url, server.live.data_dir, server.key.path, PASSPHRASE,
            ((rx.url, hook), (bad.url, failing)), an.url(), campaign,
        )  # fmt: skip
        page.goto(server.base + "/console/forwarding?lang=en")
        page.fill("#f-name", "county-crm")
        page.select_option("#f-kind", "webhook")
        page.fill("#f-url", rx.url)
        page.click("#fwd-add button[type=submit]")
        page.locator("#fwd-secret").wait_for()
        shot("forwarding")
        page.goto(server.base + "/console/forwarding?lang=es")
        shot("forwarding-es")
        page.goto(server.base + "/console/forwarding?lang=en")
