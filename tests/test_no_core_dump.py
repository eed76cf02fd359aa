"""A crash while a signer types leaves no core file holding what they typed.

Found by a forensic search of a kiosk after a day of use: with core dumps allowed (a core limit
above 0, as a system or its administrator may set it), the app aborting while a signer was on
the form wrote a 200 MB ``core`` beside it holding the signer's name and email in clear, UTF-8
and UTF-16. The real app is started here (``run_app``, offscreen), a signer's details typed into
the form through the screens, then the process aborts (SIGABRT, as a Qt fatal error does) with
the core limit raised as far as it goes. A control process, not the kiosk, aborts the same way
with the same bytes in its memory: its core shows this machine writes cores where the test
looks (otherwise only the kiosk's own settings are checked).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAME, EMAIL = "Zyxandra", "zyxandra.q@example.org"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux core dumps")

APP = textwrap.dedent(
    f"""
    import os, resource, sys
    sys.path.insert(0, {str(ROOT)!r})
    from kiosk.adapters.crypto import hash_secret
    from kiosk.adapters.process import dumpable
    from kiosk.app import open_kiosk, run_app
    from kiosk.ui_state import SETTING_PIN_HASH

    data = sys.argv[1]
    kiosk = open_kiosk(data)  # set up: the attract screen, not the first start
    kiosk.keys.init("coordinator passphrase")
    kiosk.store.set_setting(SETTING_PIN_HASH, hash_secret("2468"))
    kiosk.close()

    def ready(handle):
        try:
            sign(handle)
        except BaseException:
            import traceback
            traceback.print_exc()
            os._exit(3)

    def sign(handle):
        from kiosk.ui.automation import Driver
        d = Driver(handle)
        d.click("attract.signButton")
        d.click("petition.continueButton")
        d.fill("form.firstName", {NAME!r})
        d.fill("form.email", {EMAIL!r})
        assert handle.vm.flow.property("entryEmpty") is False
        print("typed", resource.getrlimit(resource.RLIMIT_CORE), dumpable(), flush=True)
        os.abort()

    sys.exit(run_app(data, windowed=True, on_ready=ready))
    """
)

CONTROL = textwrap.dedent(
    f"""
    import os
    held = [{NAME!r} + " " + {EMAIL!r}] * 3
    print("typed", flush=True)
    os.abort()
    """
)


def _cores_allowed() -> None:
    """In the child: core files as large as the hard limit allows (unlimited as root)."""
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def _abort(script: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=_cores_allowed,
    )
    assert proc.returncode == -signal.SIGABRT, proc.stderr[-3000:]
    assert "typed" in proc.stdout, proc.stderr[-3000:]
    return proc


def _personal_bytes_in(folder: Path) -> list[str]:
    needles = [v.encode(enc) for v in (NAME, EMAIL) for enc in ("utf-8", "utf-16-le")]
    found = []
    for f in folder.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            found += [f"{f.relative_to(folder)}: {n!r}" for n in needles if n in data]
    return found


def test_a_crash_mid_signing_writes_no_core_with_the_signers_details(tmp_path: Path) -> None:
    control, app = tmp_path / "control", tmp_path / "app"
    control.mkdir()
    app.mkdir()
    _abort(CONTROL, control)
    cores_land_here = bool(_personal_bytes_in(control))

    proc = _abort(APP, app, str(app / "data"))
    # The app's own settings, whatever this machine does with cores:
    assert "typed (0, 0) False" in proc.stdout, proc.stdout
    if not cores_land_here:
        pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
        pytest.skip(f"this machine writes no core in the working folder ({pattern!r})")
    assert _personal_bytes_in(app) == []
    assert not [f for f in app.iterdir() if f.name.startswith("core")]
