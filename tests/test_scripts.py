"""The set-up scripts and the package metadata, as a newcomer's fresh clone meets them."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import threading
import time
from importlib import metadata
from pathlib import Path

import pytest

from tests.helpers import ROOT

LISTS_LOCK = Path("/var/lib/apt/lists/lock")


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("apt-get") is None,
    reason="needs root and apt-get (the lock belongs to root)",
)
def test_apt_waits_for_another_apt_get_holding_the_lock(tmp_path: Path) -> None:
    """`apt-get update` fails at once while another apt holds the package lists' lock
    (apt's DPkg::Lock::Timeout does not cover it); scripts/apt.sh waits and then runs."""
    # No sources: the update itself does nothing, only the lock matters.
    no_sources = [
        "-o",
        f"Dir::Etc::sourcelist={tmp_path / 'none.list'}",
        "-o",
        f"Dir::Etc::sourceparts={tmp_path}",
    ]
    fd = os.open(LISTS_LOCK, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)  # apt locks with fcntl, as this does
        released = threading.Timer(4.0, lambda: os.close(fd))
        started = time.monotonic()
        released.start()
        run = subprocess.run(
            [str(ROOT / "scripts" / "apt.sh"), "update", *no_sources],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "APT_LOCK_WAIT": "60"},
        )
        waited = time.monotonic() - started
        released.join()
    except BaseException:
        os.close(fd)
        raise
    assert run.returncode == 0, run.stderr
    assert "waiting for it" in run.stderr
    assert waited >= 3.5  # it ran only after the other holder let go


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("apt-get") is None, reason="needs root and apt-get"
)
def test_apt_still_fails_for_other_reasons_with_apt_output() -> None:
    run = subprocess.run(
        [str(ROOT / "scripts" / "apt.sh"), "install", "-y", "no-such-package-petition-kiosk"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "no-such-package-petition-kiosk" in run.stderr
    assert "waiting" not in run.stderr


def test_every_apt_get_in_the_scripts_goes_through_apt_sh() -> None:
    for script in sorted((ROOT / "scripts").glob("*.sh")):
        if script.name == "apt.sh":
            continue
        for n, line in enumerate(script.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if "apt-get " in code and "command -v apt-get" not in code:
                pytest.fail(f"{script.name}:{n} calls apt-get directly: use scripts/apt.sh")


def test_license_is_an_spdx_expression_in_the_installed_metadata() -> None:
    """A `license = { text = ... }` table made setuptools warn at every install; the SPDX
    string becomes the License-Expression field (core metadata 2.4)."""
    meta = metadata.metadata("petition-kiosk")
    assert meta["License-Expression"] == "AGPL-3.0-or-later"
    assert meta.get("License") is None
