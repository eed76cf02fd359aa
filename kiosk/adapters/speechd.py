"""Whether a running speech-dispatcher answers, asked without Qt and with a deadline.

Qt's speechd engine connects to speech-dispatcher in ``QTextToSpeech``'s constructor, on the
caller's thread, and waits for it for as long as it takes: a speech-dispatcher that is running
but hung (seen here after a killed test run) froze ``kiosk --self-check`` at its speech step
for good, and would freeze the touch screen when a signer turns speech mode on. So before the
engine is made, its socket is asked one SSIP question with a deadline.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

#: Seconds a running speech-dispatcher has to answer.
PROBE_SECONDS = 3.0


def socket_path(env: dict[str, str] | None = None) -> Path | None:
    """Where libspeechd connects: ``SPEECHD_ADDRESS=unix_socket:PATH``, else
    ``$XDG_RUNTIME_DIR/speech-dispatcher/speechd.sock``, else under ``~/.cache``. None for an
    address that is not a Unix socket (not probed)."""
    env = dict(os.environ) if env is None else env
    address = env.get("SPEECHD_ADDRESS", "").strip()
    if address:
        kind, _, rest = address.partition(":")
        return Path(rest) if kind == "unix_socket" and rest else None
    runtime = env.get("XDG_RUNTIME_DIR", "").strip()
    base = Path(runtime) if runtime else Path.home() / ".cache"
    return base / "speech-dispatcher" / "speechd.sock"


def hung(path: Path | None = None, timeout: float = PROBE_SECONDS) -> bool:
    """Whether a speech-dispatcher listens on its socket but does not answer within
    ``timeout``. No socket, or nobody listening, is not hung: libspeechd then starts one."""
    path = socket_path() if path is None else path
    if path is None or not path.exists():
        return False
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(str(path))
        except TimeoutError:
            return True  # its backlog is full: nobody accepts
        except OSError:
            return False  # a socket file left behind
        try:
            sock.sendall(b"SET SELF CLIENT_NAME kiosk:probe:main\r\n")
            answer = sock.recv(256)
        except TimeoutError:
            return True
        except OSError:
            return False
        with contextlib.suppress(OSError):
            sock.sendall(b"QUIT\r\n")
        return not answer[:1].isdigit()
    finally:
        sock.close()
