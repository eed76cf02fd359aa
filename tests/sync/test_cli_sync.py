"""``kiosk enroll``, ``kiosk sync`` and ``kiosk status`` against a real server, as subprocesses."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.app import Kiosk
from tests.server.live import free_port
from tests.sync.helpers import ServerHandle, fill, kiosk_cli, make_kiosk


def test_enroll_then_sync_then_status(kiosk: Kiosk, server: ServerHandle) -> None:
    ids = fill(kiosk, 620)
    kiosk.close()
    out = kiosk_cli(
        kiosk.data_dir,
        "enroll",
        "--server",
        server.base_url,
        "--code",
        server.code(),
        "--name",
        "Library kiosk",
    )
    assert out.returncode == 0, out.stderr
    assert f"connected to Live test server at {server.base_url}" in out.stdout

    out = kiosk_cli(kiosk.data_dir, "sync")
    assert out.returncode == 0, out.stderr
    assert "signatures: sent 620, created 620, duplicate 0, conflict 0" in out.stdout
    assert "pending: 0" in out.stdout
    assert server.ids() == {str(i) for i in ids}

    out = kiosk_cli(kiosk.data_dir, "sync", "--json")
    report = json.loads(out.stdout)
    assert out.returncode == 0 and report["ok"] and report["signatures_sent"] == 0

    out = kiosk_cli(kiosk.data_dir, "status", "--json")
    sync = json.loads(out.stdout)["sync"]
    assert sync["server_url"] == server.base_url and sync["server_name"] == "Live test server"
    assert sync["last_success"] and sync["last_error"] is None
    out = kiosk_cli(kiosk.data_dir, "status")
    assert f"server: {server.base_url} (Live test server)" in out.stdout


def test_sync_through_another_address(kiosk: Kiosk, server: ServerHandle) -> None:
    fill(kiosk, 3)
    kiosk.close()
    assert (
        kiosk_cli(
            kiosk.data_dir, "enroll", "--server", server.base_url, "--code", server.code()
        ).returncode
        == 0
    )
    out = kiosk_cli(kiosk.data_dir, "sync", "--server", f"http://localhost:{server.live.port}")
    assert out.returncode == 0, out.stderr
    assert "created 3" in out.stdout
    assert f"server: http://localhost:{server.live.port}" in out.stdout


def test_sync_failure_exits_non_zero_with_the_reason(kiosk: Kiosk, server: ServerHandle) -> None:
    fill(kiosk, 2)
    kiosk.close()
    assert (
        kiosk_cli(
            kiosk.data_dir, "enroll", "--server", server.base_url, "--code", server.code()
        ).returncode
        == 0
    )
    out = kiosk_cli(kiosk.data_dir, "sync", "--server", f"http://127.0.0.1:{free_port()}")
    assert out.returncode == 1
    assert "kiosk: error: sync failed: the server cannot be reached" in out.stderr
    assert "2 still pending" in out.stderr and "Traceback" not in out.stderr
    assert out.stdout == ""  # nothing went through: no summary of zeros before the error
    out = kiosk_cli(kiosk.data_dir, "status")
    assert "last sync error: the server cannot be reached" in out.stdout


def test_expected_errors_are_words_not_tracebacks(tmp_path: Path, server: ServerHandle) -> None:
    d = tmp_path / "k"
    cases = [
        (("sync",), 1, "not connected to a server"),
        (
            ("enroll", "--server", server.base_url, "--code", "WRONG-CODE"),
            1,
            "the connection code is wrong, already used or expired",
        ),
        (
            ("enroll", "--server", "http://sync.example.org", "--code", "X"),
            1,
            "plain http is only allowed to this machine",
        ),
        (
            ("enroll", "--server", "sync.example.org", "--code", "X"),
            1,
            "the server address is not valid",
        ),
        (
            (
                "enroll",
                "--server",
                server.base_url,
                "--code",
                "X",
                "--ca-bundle",
                str(tmp_path / "none.pem"),
            ),
            2,
            "no such CA bundle",
        ),
    ]
    for args, code, words in cases:
        out = kiosk_cli(d, *args)
        assert (out.returncode, words in out.stderr) == (code, True), (args, out.stderr)
        assert "Traceback" not in out.stderr


def test_help_documents_the_sync_commands(tmp_path: Path) -> None:
    out = kiosk_cli(tmp_path, "--help")
    assert "enroll" in out.stdout and "sync" in out.stdout
    out = kiosk_cli(tmp_path, "sync", "--help")
    assert "--server" in out.stdout and "--ca-bundle" in out.stdout


#: Take a signature's personal data out of the store file, or leave it empty (by signature id).
_DROP_SEALED = "DELETE FROM signature_sealed WHERE seq = (SELECT seq FROM signatures WHERE id = ?)"
_EMPTY_SEALED = (
    "UPDATE signature_sealed SET sealed = x'' WHERE seq = (SELECT seq FROM signatures WHERE id = ?)"
)


def test_unsynced_signature_without_personal_data_is_called_damaged_and_leaves_the_outbox(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    """Issue #11 item 8: an empty or NULL ``sealed`` on a never-synced signature is not
    "deleted after sync", and it is not kept pending (re-read and refused) forever."""
    import sqlite3

    ids = fill(kiosk, 6)
    kiosk.close()
    db = sqlite3.connect(kiosk.data_dir / "kiosk.db")
    with db:
        db.execute(_DROP_SEALED, (str(ids[1]),))
        db.execute(_EMPTY_SEALED, (str(ids[4]),))
    db.close()
    assert (
        kiosk_cli(
            kiosk.data_dir, "enroll", "--server", server.base_url, "--code", server.code()
        ).returncode
        == 0
    )
    out = kiosk_cli(kiosk.data_dir, "sync")
    assert out.returncode == 0, out.stderr
    assert "created 4" in out.stdout and "pending: 0" in out.stdout
    assert "2 signatures were never synced, yet their personal data is missing" in out.stderr
    assert server.ids() == {str(i) for n, i in enumerate(ids) if n not in (1, 4)}
    status = json.loads(kiosk_cli(kiosk.data_dir, "status", "--json").stdout)
    assert status["by_sync_state"] == {"synced": 4, "damaged": 2} and status["pending"] == 0
    again = kiosk_cli(kiosk.data_dir, "sync", "--json")
    assert json.loads(again.stdout)["signatures_sent"] == 0


def test_send_again_after_the_server_lost_what_it_acknowledged(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    """``kiosk sync --send-again``: after the server's database went back to before this
    kiosk's last sync (the signatures it lost were its last ones, and no staff action moved
    the kiosk's audit trail since, so the kiosk cannot tell), every acknowledged signature is
    sent again: the server stores what it lost and answers duplicate for the rest."""
    ids = fill(kiosk, 30)
    kiosk.close()
    out = kiosk_cli(kiosk.data_dir, "enroll", "--server", server.base_url, "--code", server.code())
    assert out.returncode == 0, out.stderr
    out = kiosk_cli(kiosk.data_dir, "sync")
    assert "created 30" in out.stdout
    lost = sorted(str(i).replace("-", "") for i in ids)[-10:]  # as stored on SQLite
    quoted = ", ".join(f"'{i}'" for i in lost)
    with server.db.begin() as conn:  # what a restore of an older dump would have lost
        conn.execute(text(f"DELETE FROM signature_facts WHERE signature_id IN ({quoted})"))
        conn.execute(text(f"DELETE FROM signatures WHERE id IN ({quoted})"))
    assert len(server.ids()) == 20

    out = kiosk_cli(kiosk.data_dir, "sync")  # nothing pending: nothing sent, nothing noticed
    assert "signatures: sent 0" in out.stdout and len(server.ids()) == 20
    out = kiosk_cli(kiosk.data_dir, "sync", "--send-again")
    assert out.returncode == 0, out.stderr
    assert "pending again: 30 signatures, 0 voids, 0 events" in out.stdout
    assert "signatures: sent 30, created 10, duplicate 20, conflict 0" in out.stdout
    assert server.ids() == {str(i) for i in ids}
    report = json.loads(kiosk_cli(kiosk.data_dir, "sync", "--send-again", "--json").stdout)
    assert report["sent_again"]["signatures"] == 30 and report["duplicate"] == 30


def test_sync_says_what_the_retention_policy_deleted_after_it(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    """Audit (newcomer) item 4: a pass the server acknowledged signatures in applies the
    retention policy, as the app's does; `kiosk sync` says so, `retention show` too."""
    fill(kiosk, 4)
    kiosk.close()
    out = kiosk_cli(kiosk.data_dir, "retention", "show")
    assert "deleted after each `kiosk sync` in which the server acknowledges" in out.stdout
    assert "while it stands idle" in out.stdout
    assert kiosk_cli(kiosk.data_dir, "retention", "set", "immediate").returncode == 0
    out = kiosk_cli(kiosk.data_dir, "enroll", "--server", server.base_url, "--code", server.code())
    assert out.returncode == 0, out.stderr

    out = kiosk_cli(kiosk.data_dir, "sync")
    assert out.returncode == 0, out.stderr
    assert "created 4" in out.stdout
    assert (
        "retention: deleted the personal data of 4 synced signatures "
        "(policy immediate; counts stay)" in out.stdout
    )
    audit = kiosk_cli(kiosk.data_dir, "audit", "list").stdout
    assert '"count": 4' in audit and '"policy": "immediate"' in audit

    again = make_kiosk(kiosk.data_dir)
    fill(again, 1, seed=99)
    again.close()
    report = json.loads(kiosk_cli(kiosk.data_dir, "sync", "--json").stdout)
    assert report["created"] == 1 and report["purged"] == 1
    out = kiosk_cli(kiosk.data_dir, "sync")  # nothing acknowledged, nothing deleted: no line
    assert out.returncode == 0 and "retention:" not in out.stdout, out.stdout


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[str]:
    """A plain web server (Python's own ``http.server``, a real process) on a free port: an
    address that answers HTTP, but not as a kiosk-server (HTML 404s, 501 to every POST)."""
    import socket
    import subprocess
    import sys
    import time

    port = free_port()
    root = tmp_path / "www"
    root.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


NOT_A_SERVER = "this address does not answer like a Petition Kiosk server: check the URL"


def test_an_address_that_is_not_a_kiosk_server_is_told_so(
    kiosk: Kiosk, server: ServerHandle, web_server: str
) -> None:
    """Audit (newcomer) item 7: a plain web server's 501 was "the server had an error; it will
    be retried (HTTP 501: HTTP 501)" at enrollment (never retried), its 404 "the server
    refused the request (HTTP 404: HTTP 404)" at sync; a kiosk-server under a path too many
    was "refused" too."""
    fill(kiosk, 2)
    kiosk.close()
    out = kiosk_cli(kiosk.data_dir, "enroll", "--server", web_server, "--code", "X")
    assert out.returncode == 1
    assert f"kiosk: error: not connected: {NOT_A_SERVER} (HTTP 501, text/html)" in out.stderr
    assert "retried" not in out.stderr and "Traceback" not in out.stderr
    wrong_path = f"{server.base_url}/petitions"
    out = kiosk_cli(kiosk.data_dir, "enroll", "--server", wrong_path, "--code", server.code())
    assert out.returncode == 1 and f"not connected: {NOT_A_SERVER} (HTTP 404" in out.stderr

    out = kiosk_cli(kiosk.data_dir, "enroll", "--server", server.base_url, "--code", server.code())
    assert out.returncode == 0, out.stderr
    for address in (web_server, wrong_path):
        out = kiosk_cli(kiosk.data_dir, "sync", "--server", address)
        assert out.returncode == 1
        assert f"kiosk: error: sync failed: {NOT_A_SERVER}; nothing was marked sent" in out.stderr
        assert "HTTP 404: HTTP 404" not in out.stderr and "2 still pending" in out.stderr
    # The kiosk-server itself, at its own address: all as before.
    out = kiosk_cli(kiosk.data_dir, "sync")
    assert out.returncode == 0 and "created 2" in out.stdout, out.stderr


def test_enrolling_with_another_organization_key_says_so_once(
    new_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> None:
    """The refusal was "not connected: ...; not connected (...; it was not connected (the code
    is used up: ...))": now one sentence."""
    import base64

    import nacl.public

    from tests.server.live import LiveServer
    from tests.sync.helpers import TEST_PUBLIC_KEY

    other = new_kiosk("other", with_key=False)
    other.keys.install_public_key(bytes(nacl.public.PrivateKey.generate().public_key))
    other.close()
    url = f"sqlite:///{tmp_path / 'keyed.sqlite3'}"
    key = base64.b64encode(TEST_PUBLIC_KEY).decode()
    with LiveServer(
        database_url=url, data_dir=tmp_path, extra_args=("--org-public-key", key)
    ) as live:
        handle = ServerHandle(live, url)
        try:
            out = kiosk_cli(
                other.data_dir, "enroll", "--server", live.base_url, "--code", handle.code()
            )
        finally:
            handle.close()
    assert out.returncode == 1
    assert out.stderr == (
        "kiosk: error: not connected: the server's organization key differs from the one this "
        "kiosk seals signatures to (the code is used up: ask for a new one once the keys "
        "agree)\n"
    )
