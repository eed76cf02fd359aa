"""The speech-dispatcher probe (kiosk.adapters.speechd): a hung speech-dispatcher is told
apart from a live one or none, within its deadline, and the self-check says so instead of
waiting for it for good (Qt's engine waits in its constructor)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.adapters import speechd
from tests.test_bundle import _env


@contextmanager
def unix_server(path: Path, answer: bytes | None) -> Iterator[None]:
    """A Unix socket that accepts and then answers ``answer`` to the first line (None: never
    answers, as a hung speech-dispatcher)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)
            if answer is not None:
                conn.recv(256)
                conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
        for c in held:
            c.close()
        server.close()


def test_a_hung_one_is_told_apart_within_the_deadline(tmp_path: Path) -> None:
    path = tmp_path / "speechd.sock"
    with unix_server(path, None):
        started = time.monotonic()
        assert speechd.hung(path, timeout=0.5)
        assert time.monotonic() - started < 3
    path.unlink()
    with unix_server(path, b"208 OK CLIENT NAME SET\r\n"):
        assert not speechd.hung(path, timeout=2)
    assert not speechd.hung(tmp_path / "none.sock")  # none: libspeechd starts one
    stale = tmp_path / "stale.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(stale))
    s.close()  # a socket file nobody listens on
    assert not speechd.hung(stale)


def test_the_socket_is_found_where_libspeechd_looks() -> None:
    assert speechd.socket_path({"SPEECHD_ADDRESS": "unix_socket:/x/s.sock"}) == Path("/x/s.sock")
    assert speechd.socket_path({"SPEECHD_ADDRESS": "inet_socket:127.0.0.1:6560"}) is None
    assert speechd.socket_path({"XDG_RUNTIME_DIR": "/run/user/1000"}) == Path(
        "/run/user/1000/speech-dispatcher/speechd.sock"
    )
    assert speechd.socket_path({}) == Path.home() / ".cache/speech-dispatcher/speechd.sock"


def test_the_self_check_names_a_hung_speech_dispatcher_instead_of_waiting(tmp_path: Path) -> None:
    """A speech-dispatcher left hung by a killed run froze ``kiosk --self-check`` for good."""
    path = tmp_path / "speechd.sock"
    with unix_server(path, None):
        out = subprocess.run(
            [sys.executable, "-m", "kiosk.cli", "--self-check"],
            check=False,
            capture_output=True,
            text=True,
            env=_env(TMPDIR=str(tmp_path), SPEECHD_ADDRESS=f"unix_socket:{path}"),
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
    assert out.returncode == 1, out.stdout + out.stderr
    failed = [line for line in out.stdout.splitlines() if line.startswith("FAILED: ")]
    assert len(failed) == 1 and "speech-dispatcher is running but does not answer" in failed[0]
