"""Helpers for the sync tests and benchmarks: kiosks with a test key, signatures in bulk, a
live server on SQLite or PostgreSQL whose database the test can read and reset."""

from __future__ import annotations

import functools
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nacl.public
from sqlalchemy import Engine, func, select, text

from kiosk.adapters.crypto import SealedBoxSealer
from kiosk.app import Kiosk, open_kiosk
from kiosk.domain.ids import uuid7
from kiosk.domain.ink import Ink
from kiosk.domain.signature import PersonalData, SealedSignature, SignatureMeta
from kiosk.server import devices
from kiosk.server.db import create_db_engine, write_transaction
from kiosk.server.ingest import CONFLICTS, SIGNATURES, VOIDS
from kiosk.server.models import Base
from kiosk.simulate import human_strokes
from tests.server.helpers import create_pg_database, drop_pg_database, pg_admin_url
from tests.server.live import REPO_ROOT, LiveServer

#: A fixed test key pair: kiosks seal to its public half.
TEST_PRIVATE_KEY = nacl.public.PrivateKey(bytes(range(32)))
TEST_PUBLIC_KEY = bytes(TEST_PRIVATE_KEY.public_key)

CAMPAIGN = "sanctuary-of-safety"


def make_kiosk(data_dir: Path, with_key: bool = True) -> Kiosk:
    """Open a kiosk in ``data_dir``; install the test public key unless told not to.

    Args:
        data_dir: the kiosk's data folder.
        with_key: install :data:`TEST_PUBLIC_KEY`.
    """
    kiosk = open_kiosk(data_dir)
    if with_key and not kiosk.keys.has_public_key():
        kiosk.keys.install_public_key(TEST_PUBLIC_KEY)
    return kiosk


@functools.cache
def _inks() -> tuple[Ink, ...]:
    """A few human-like signatures, drawn once (drawing is the slow part of making signers)."""
    rng = random.Random(0)
    return tuple(human_strokes(rng) for _ in range(8))


#: Per seed: its random generator and the personal data of its signers so far, as bytes.
_PERSONAL: dict[int, tuple[random.Random, list[bytes]]] = {}


def _personal_bytes(seed: int, count: int) -> list[bytes]:
    """The personal data (plaintext, as sealed) of signers ``0 .. count - 1`` of ``seed``,
    each made once per process: encoding the strokes is most of the cost of a signature, and
    the fault-injection test makes the same 15,000 signers for each database. Signer ``i`` is
    the same whatever ``count`` asks for it (the generator goes on where it stopped)."""
    rng, made = _PERSONAL.setdefault(seed, (random.Random(seed), []))
    inks = _inks()
    for i in range(len(made), count):
        personal = PersonalData(
            first_name=f"Signer{seed}x{i}",
            last_name=rng.choice(("García", "Nguyễn", "Smith", "O'Brien", "李")),
            zip=rng.choice(("55802", "10027", "60614")),
            ink=inks[i % len(inks)],
            email=f"s{seed}x{i}@example.org",
        )
        made.append(personal.to_bytes())
    return made[:count]


def sealed_signatures(
    kiosk: Kiosk, count: int, seed: int = 0, campaign: str = CAMPAIGN, synthetic: bool = True
) -> list[Any]:
    """``count`` realistic sealed signatures of ``campaign`` (with their text version), made
    as the signing service would (UUIDv7 ids in time order, personal data sealed to the test
    key), ready for ``SqlStore.bulk_add``. Every call seals afresh (new ids, new ciphertexts);
    the signers of a seed are the same each time.

    Args:
        kiosk: the kiosk they belong to.
        count: how many.
        seed: for reproducible signers.
        campaign: the campaign slug (must be in the kiosk's catalog).
        synthetic: mark them synthetic (server totals leave those out).
    """
    sealer = SealedBoxSealer(kiosk.keys.public_key())
    version = kiosk.catalog.get(campaign).current_version(None)
    start = datetime.now(UTC) - timedelta(hours=1)
    out = []
    for i, personal in enumerate(_personal_bytes(seed, count)):
        created = start + timedelta(milliseconds=i * 7)
        meta = SignatureMeta(
            id=uuid7(int(created.timestamp() * 1000)),
            campaign=campaign,
            local_campaign=None,
            text_version=version.hash,
            lang="en",
            kiosk_id=kiosk.kiosk_id,
            event_id=None,
            created_at=created,
            utc_offset_minutes=-300,
            synthetic=synthetic,
        )
        out.append((SealedSignature(meta, sealer.seal(personal), ()), version))
    return out


def fill(
    kiosk: Kiosk, count: int, seed: int = 0, chunk: int = 2000, synthetic: bool = True
) -> list[Any]:
    """Add ``count`` pending signatures to the kiosk's store; return their ids.

    Args:
        kiosk: the kiosk.
        count: how many.
        seed: for reproducible signers.
        chunk: signatures per transaction.
        synthetic: mark them synthetic.
    """
    items = sealed_signatures(kiosk, count, seed, synthetic=synthetic)
    for start in range(0, len(items), chunk):
        kiosk.store.bulk_add(items[start : start + chunk])
    return [sig.meta.id for sig, _ in items]


def kiosk_cli(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``kiosk --data-dir DIR ARGS`` in a subprocess.

    Args:
        data_dir: the kiosk's data folder.
        args: the command and its options.
        timeout: seconds before giving up.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(data_dir), *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        cwd=REPO_ROOT,
    )


class ServerHandle:
    """A live server process plus direct access to its database (codes, counts, reset)."""

    def __init__(self, live: LiveServer, database_url: str) -> None:
        self.live = live
        self.database_url = database_url
        self.db: Engine = create_db_engine(database_url)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self.live.base_url

    def code(self, name: str = "Test kiosk", valid_hours: float = 24) -> str:
        """A fresh one-time enrollment code, made straight in the database."""
        with write_transaction(self.db) as conn:
            return devices.create_enrollment_code(
                conn, name, timedelta(hours=valid_hours), datetime.now(UTC)
            ).code

    def count(self) -> int:
        """Signatures stored on the server."""
        with self.db.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(SIGNATURES)).scalar_one())

    def distinct_ids(self) -> int:
        """Distinct signature ids stored on the server."""
        with self.db.connect() as conn:
            q = select(func.count(func.distinct(SIGNATURES.c.id)))
            return int(conn.execute(q).scalar_one())

    def ids(self) -> set[str]:
        """Every stored signature id, as strings."""
        with self.db.connect() as conn:
            return {str(i) for i in conn.execute(select(SIGNATURES.c.id)).scalars()}

    def sealed(self, signature_id: Any) -> bytes | None:
        """The sealed blob stored for one signature."""
        with self.db.connect() as conn:
            return conn.execute(
                select(SIGNATURES.c.sealed).where(SIGNATURES.c.id == signature_id)
            ).scalar_one_or_none()

    def conflicts(self) -> int:
        """Conflicting pushes recorded."""
        with self.db.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(CONFLICTS)).scalar_one())

    def voids(self) -> int:
        """Voids stored."""
        with self.db.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(VOIDS)).scalar_one())

    def reset(self) -> None:
        """Empty every table (the server keeps no state outside the database), then import the
        shipped campaigns again (the server refuses signatures of campaigns it does not know)."""
        with self.db.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        import_shipped(self.db)

    def sql(self, statement: str) -> Any:
        """Run one SQL statement and return its scalar (test set-up only)."""
        with self.db.begin() as conn:
            return conn.execute(text(statement)).scalar()

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()


_SHIPPED: list[Any] = []


def import_shipped(db: Any) -> None:
    """Import the shipped campaign files into a server database."""
    from datetime import UTC, datetime

    from kiosk.server import campaigns
    from kiosk.server.db import write_transaction

    if not _SHIPPED:
        _SHIPPED.extend(
            campaigns.load_files(sorted((REPO_ROOT / "resources" / "campaigns").glob("*.toml")))
        )
    with write_transaction(db) as conn:
        for prepared in _SHIPPED:
            campaigns.store(conn, prepared, datetime.now(UTC))


@contextmanager
def running_server(backend: str, workdir: Path, **options: Any) -> Iterator[ServerHandle]:
    """A live ``kiosk-server`` on a fresh database of ``backend`` ("sqlite" or "postgres").

    Args:
        backend: which database.
        workdir: a folder for the server's data (SQLite file, log).
        options: more :class:`LiveServer` options.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    pg_url: str | None = None
    if backend == "postgres":
        pg_url = create_pg_database(pg_admin_url(), prefix="kiosk_sync_test_")
        url = pg_url
    else:
        url = f"sqlite:///{workdir / 'server.sqlite3'}"
    try:
        with LiveServer(database_url=url, data_dir=workdir, **options) as live:
            handle = ServerHandle(live, url)
            import_shipped(handle.db)
            try:
                yield handle
            finally:
                handle.close()
    finally:
        if pg_url is not None:
            drop_pg_database(pg_admin_url(), pg_url)
