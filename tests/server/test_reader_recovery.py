"""The background reader (signatures that arrived without a private key) on PostgreSQL.

When PostgreSQL drops its connection, the reader tries again once the database answers, instead
of ending for good and leaving the signatures unread (out of the unique-signer counts, a bad
one never quarantined) until the server process is restarted. Real processes on a real
database: a keyless server stores the signatures (``pending``), a keyed server starts and its
reader is caught waiting on a table lock the test holds; the test then terminates every
connection to the database, as a PostgreSQL restart does, and releases the lock.

Server processes starting together record the key that made the signer digests once.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from kiosk.server import migrate, tallies
from kiosk.server.db import create_db_engine, write_transaction
from kiosk.server.keys import ENV_KEY_PASSPHRASE, load_keyring
from tests.server.coord_support import MINI, PASSPHRASE, make_key, mini_signature, person
from tests.server.helpers import create_pg_database, drop_pg_database, pg_admin_url, push_body
from tests.server.live import LiveServer

SIGNERS = 40


def _pending(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            q = text("SELECT count(*) FROM signature_facts WHERE state = 'pending'")
            return int(conn.execute(q).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_reader_goes_on_after_the_database_dropped_its_connection(tmp_path: Path) -> None:
    key = make_key(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    url = create_pg_database(pg_admin_url(), "kiosk_reader_")
    holder = create_engine(url)
    try:
        with LiveServer(database_url=url, data_dir=tmp_path / "a") as keyless:
            keyless.import_campaigns(MINI)
            _id, token = keyless.enroll("Tablet")
            sigs = [
                mini_signature(key, person(f"Signer{chr(97 + i % 26)}", "Doe"), "evansville")
                for i in range(SIGNERS)
            ]
            r = httpx.post(
                keyless.url("/signatures"),
                content=push_body(sigs),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                timeout=60,
            )
            assert r.status_code == 200, r.text
        assert _pending(url) == SIGNERS

        keyed = LiveServer(
            database_url=url,
            data_dir=tmp_path / "b",
            extra_args=("--org-private-key-file", str(key.path)),
            env={ENV_KEY_PASSPHRASE: PASSPHRASE},
        )
        with holder.connect() as lock_conn:
            lock_conn.execute(text("LOCK TABLE signature_facts IN ACCESS EXCLUSIVE MODE"))
            with keyed:
                # The reader is now waiting for the lock: find it.
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    waiting = lock_conn.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND wait_event_type = 'Lock'"
                        )
                    ).scalar_one()
                    if waiting:
                        break
                    time.sleep(0.1)
                else:
                    pytest.fail("the reader never started:\n" + keyed.log_tail())
                # What a PostgreSQL restart does to the server's connections.
                lock_conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND pid <> pg_backend_pid()"
                    )
                )
                lock_conn.rollback()  # the lock goes: the database answers again

                deadline = time.monotonic() + 60
                while _pending(url) and time.monotonic() < deadline:
                    time.sleep(0.2)
                log = keyed.log_path.read_text(errors="replace")
                assert _pending(url) == 0, log
                assert "the database is unavailable" in log and "trying again" in log, log
                assert "reading pending signatures stopped" not in log, log
                assert "Traceback" not in log, log
    finally:
        holder.dispose()
        drop_pg_database(pg_admin_url(), url)


@pytest.mark.postgres
def test_processes_starting_together_record_the_key_once(tmp_path: Path) -> None:
    """Server processes that start at the same moment (``--workers N``, several hosts) each
    check which key made the stored signer digests, on a database that has none recorded: the
    key must be recorded once. It was recorded once per process, so the next start took the
    digests for another key's and read every signature again."""
    key = make_key(tmp_path)
    keyring = load_keyring([key.path], PASSPHRASE)
    assert keyring is not None
    url = create_pg_database(pg_admin_url(), "kiosk_keyid_")
    engines = [create_db_engine(url) for _ in range(4)]
    try:
        migrate.upgrade(engines[0])
        for _round in range(5):  # a race: a few rounds, each on a database with no key recorded
            with write_transaction(engines[0]) as conn:
                conn.execute(text("DELETE FROM stat_counts"))
            barrier = threading.Barrier(len(engines))
            failures: list[BaseException] = []

            def start(
                engine: Engine,
                barrier: threading.Barrier = barrier,
                failures: list[BaseException] = failures,
            ) -> None:
                try:
                    with write_transaction(engine) as conn:
                        conn.execute(text("SELECT 1"))  # connected before the barrier
                        barrier.wait(timeout=30)
                        tallies.prepare_keys(conn, keyring)
                except BaseException as exc:  # noqa: BLE001 - reported below
                    failures.append(exc)

            threads = [threading.Thread(target=start, args=(e,)) for e in engines]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert not failures, failures
            with engines[0].connect() as conn:
                stored = conn.execute(
                    text("SELECT sum(n) FROM stat_counts WHERE name = 'meta:signer-key-id'")
                ).scalar_one()
                assert int(stored) == tallies._key_id(keyring)
                assert tallies.prepare_keys(conn, keyring) == 0
    finally:
        for e in engines:
            e.dispose()
        drop_pg_database(pg_admin_url(), url)
