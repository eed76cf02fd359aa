"""The server's private key file is made atomically: 0600 from its first byte, whole or absent."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from kiosk.adapters import files
from kiosk.adapters.crypto import SealedBoxOpener, SealedBoxSealer
from kiosk.server.keys import KeyConfigError, load_private_key, write_new_keypair
from tests.helpers import ROOT


def _opened_modes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the permission bits of each file the atomic write opens, before any byte."""
    modes: list[int] = []
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        info = os.fstat(fd)
        assert info.st_size == 0
        modes.append(stat.S_IMODE(info.st_mode))
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(files.os, "fdopen", fdopen)
    return modes


def test_the_key_file_is_private_from_its_first_byte_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes = _opened_modes(monkeypatch)
    out = tmp_path / "keys" / "org.key"
    old_umask = os.umask(0)  # the most permissive: a plain open would make it 0666
    try:
        public = write_new_keypair(out, None)
    finally:
        os.umask(old_umask)
    assert modes == [0o600]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.parent.iterdir()) == ["org.key"]
    private = load_private_key(out, None)
    sealed = SealedBoxSealer(public).seal(b"signer")
    assert SealedBoxOpener(private).open(sealed) == b"signer"


class _HalfThenFail:
    """A file whose write puts half the bytes on disk, then fails (a disk error mid-write)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def __enter__(self) -> _HalfThenFail:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self._fd)

    def fileno(self) -> int:
        return self._fd

    def write(self, data: bytes) -> int:
        os.write(self._fd, data[: len(data) // 2])
        raise OSError(5, "Input/output error")


def test_a_failure_mid_write_leaves_no_key_file_and_a_retry_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "org.key"
    monkeypatch.setattr(files.os, "fdopen", lambda fd, *a, **k: _HalfThenFail(fd))
    with pytest.raises(OSError) as exc:
        write_new_keypair(out, None)
    assert exc.value.errno == 5
    assert list(tmp_path.iterdir()) == []  # neither the key file nor a temporary one
    monkeypatch.undo()
    write_new_keypair(out, None)
    assert len(load_private_key(out, None)) == 32


def test_a_crash_mid_write_leaves_no_key_file(tmp_path: Path) -> None:
    """A real crash: the process is killed (SIGKILL) with half the key written."""
    out = tmp_path / "org.key"
    child = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from kiosk.adapters import files
        from kiosk.server.keys import write_new_keypair

        real_fdopen = os.fdopen

        class Dying:
            def __init__(self, fd):
                self.fd = fd
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                return None
            def fileno(self):
                return self.fd
            def write(self, data):
                os.write(self.fd, data[: len(data) // 2])
                os.fsync(self.fd)
                os.kill(os.getpid(), signal.SIGKILL)

        files.os.fdopen = lambda fd, *a, **k: Dying(fd)
        write_new_keypair(Path({str(out)!r}), None)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", child], cwd=ROOT, capture_output=True, timeout=60, check=False
    )
    assert run.returncode == -signal.SIGKILL, run.stderr.decode()
    assert not out.exists()  # no half key under the final name
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(".org.key.")  # a hidden temporary
    write_new_keypair(out, None)  # the next try makes the key
    assert len(load_private_key(out, None)) == 32


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "org.key"
    write_new_keypair(out, None)
    before = out.read_bytes()
    with pytest.raises(KeyConfigError, match="never overwritten"):
        write_new_keypair(out, None)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["org.key"]
