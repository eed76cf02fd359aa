"""Test support for coordinator features: keys, sealed personal data, coordinators, campaigns."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from kiosk.adapters.crypto import SealedBoxSealer, encrypt_private_key, generate_keypair
from kiosk.domain.signature import PersonalData
from kiosk.server import campaigns, coordinators
from kiosk.server.db import write_transaction
from kiosk.wire import WireSignature
from tests.helpers import DATA, ink, mini_campaign
from tests.server.helpers import signature

MINI = DATA / "mini.toml"
PASSPHRASE = "correct horse battery staple"


@dataclass(frozen=True)
class OrgKey:
    """An organization key pair with its private key file (encrypted or raw)."""

    public: bytes
    private: bytes
    path: Path

    @property
    def public_b64(self) -> str:
        """The public key in base64."""
        return base64.b64encode(self.public).decode()

    def seal(self, personal: PersonalData) -> bytes:
        """Seal personal data as a kiosk does."""
        return SealedBoxSealer(self.public).seal(personal.to_bytes())


def make_key(directory: Path, name: str = "org.key", encrypted: bool = True) -> OrgKey:
    """A new key pair, the private key written to ``directory/name``."""
    public, private = generate_keypair()
    path = directory / name
    data = encrypt_private_key(private, PASSPHRASE) if encrypted else base64.b64encode(private)
    path.write_bytes(data)
    return OrgKey(public, private, path)


def person(first: str, last: str, zip_code: str = "47708", **extra: Any) -> PersonalData:
    """Personal data with contacts (so tests can check the PDF leaves them out)."""
    fields: dict[str, Any] = {
        "first_name": first,
        "last_name": last,
        "zip": zip_code,
        "ink": ink(len(first) + len(last)),
        "email": f"{first.strip().lower()}@example.org",
        "phone": "+16125550134",
        "street": "12 Secret Street",
        "opt_in": True,
        "consent_text": "Yes, keep me updated",
    }
    fields.update(extra)
    return PersonalData(**fields)


def import_mini(engine: Engine) -> None:
    """Import tests/data/mini.toml on the server."""
    prepared = campaigns.load_files([MINI])
    with write_transaction(engine) as conn:
        for p in prepared:
            campaigns.store(conn, p, datetime.now(UTC))


def mini_signature(
    key: OrgKey, who: PersonalData, local: str | None = None, **over: Any
) -> WireSignature:
    """A wire signature of the mini campaign under its current text, sealed to ``key``."""
    camp = mini_campaign()
    fields: dict[str, Any] = {
        "campaign": camp.slug,
        "local_campaign": local,
        "text_version": camp.current_version(local).hash,
        "sealed": key.seal(who),
    }
    fields.update(over)
    return signature(**fields)


def add_coordinator(
    engine: Engine, name: str = "Ana", revoked: bool = False, role: str | None = None
) -> str:
    """A coordinator's token (revoked at once if asked; with a console account of ``role`` if
    one is given, its email NAME@example.org)."""
    from kiosk.server.console.auth import set_login

    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        new = coordinators.add(conn, name, now)
        if role is not None:
            set_login(conn, new.id, f"{name.lower()}@example.org", role, CONSOLE_PASSWORD)
        if revoked:
            coordinators.revoke(conn, new.id, now)
    return new.token


#: The console password the server tests give their coordinators' accounts.
CONSOLE_PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    """The CSRF token in a console page's form."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(c: httpx.Client, email: str, password: str = CONSOLE_PASSWORD) -> httpx.Response:
    """Sign in on the console's form, as a browser would (its CSRF token first)."""
    token = csrf_of(c.get("/console/signin").text)
    return c.post("/console/signin", data={"csrf": token, "email": email, "password": password})
