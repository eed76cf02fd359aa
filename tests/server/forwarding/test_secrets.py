"""The forwarding secret file is made atomically (issue #16): several processes making it at
once all end up with the one secret, the file is 0600 from its first byte, and nothing else is
left in the folder."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.server.forwarding.secrets import ForwardingSecret, SecretError
from tests.server.live import REPO_ROOT

_MAKE = (
    "import sys, time; from pathlib import Path;"
    "from kiosk.server.forwarding.secrets import ForwardingSecret;"
    "start = float(sys.argv[2]);"
    "time.sleep(max(0.0, start - time.time()));"
    "print(ForwardingSecret.load(Path(sys.argv[1]), create=True).fingerprint)"
)


def test_processes_racing_to_make_the_secret_share_one(tmp_path: Path) -> None:
    import time

    path = tmp_path / "data" / "forwarding.secret"
    start = str(time.time() + 1.5)  # every process past its imports, then all at once
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _MAKE, str(path), start],
            stdout=subprocess.PIPE,
            cwd=REPO_ROOT,
            text=True,
        )
        for _ in range(4)
    ]
    prints = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert prints == {ForwardingSecret.load(path).fingerprint}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["forwarding.secret"]
    assert len(bytes.fromhex(path.read_text("ascii").strip())) == 32


def test_a_secret_that_cannot_be_made_or_is_too_open_is_named(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")  # (root writes into read-only folders)
    with pytest.raises(SecretError, match="cannot make the forwarding secret"):
        ForwardingSecret.load(tmp_path / "a-file" / "forwarding.secret", create=True)
    made = ForwardingSecret.load(tmp_path / "forwarding.secret", create=True)
    (tmp_path / "forwarding.secret").chmod(0o644)
    with pytest.raises(SecretError, match="readable by other users"):
        ForwardingSecret.load(tmp_path / "forwarding.secret")
    (tmp_path / "forwarding.secret").chmod(0o600)
    assert ForwardingSecret.load(tmp_path / "forwarding.secret").fingerprint == made.fingerprint
