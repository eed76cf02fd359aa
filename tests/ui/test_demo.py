"""Demo mode (`kiosk --demo`, what scripts/run.sh starts): the attract screen at once, with the
demo PIN and passphrase from the README; DEMO on the staff screens. A real kiosk still asks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.app import open_demo_kiosk
from kiosk.demo import DEMO_PASSPHRASE, DEMO_PIN
from kiosk.ui.automation import Driver
from tests.helpers import ROOT
from tests.ui.test_staff import enter_pin, open_pin

pytestmark = pytest.mark.gui

_START = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QCoreApplication, QTimer
    from kiosk.app import run_app

    def ready(handle):
        print("mode", handle.vm.mode, "step", handle.vm.flow.step, flush=True)
        QTimer.singleShot(0, QCoreApplication.quit)

    sys.exit(run_app(sys.argv[1], windowed=True, on_ready=ready, demo=sys.argv[2] == "demo"))
    """
)


def _start(data_dir: Path, demo: bool) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", _START, str(data_dir), "demo" if demo else "real"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    return out.stdout


def test_demo_opens_the_attract_screen_at_once_and_a_real_kiosk_asks_for_its_set_up(
    tmp_path: Path,
) -> None:
    assert "mode signer step attract" in _start(tmp_path / "demo", demo=True)
    assert "mode signer step attract" in _start(tmp_path / "demo", demo=True)  # and again
    assert "mode setup" in _start(tmp_path / "real", demo=False)


def test_the_readme_prints_the_demo_pin_and_passphrase() -> None:
    readme = (ROOT / "README.md").read_text()
    assert re.search(rf"PIN[^.\n]{{0,12}}`{DEMO_PIN}`", readme)
    assert DEMO_PASSPHRASE in readme
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    assert re.search(r"\.venv/bin/kiosk --demo\b", run_sh)


def test_the_demo_pin_opens_staff_mode_which_says_demo(
    make_ui: Callable[..., Driver],
    tmp_path: Path,
) -> None:
    kiosk = open_demo_kiosk(tmp_path / "demo")
    try:
        d = make_ui(kiosk)
        open_pin(d)
        enter_pin(d, DEMO_PIN)
        d.wait_shown("staff.close")
        assert d.shown("staff.demoBadge")
        assert kiosk.keys.unlock(DEMO_PASSPHRASE) is not None
    finally:
        kiosk.close()


def test_a_real_kiosks_staff_mode_says_no_demo(d: Driver) -> None:
    from tests.ui.test_staff import to_staff

    to_staff(d)
    assert not d.shown("staff.demoBadge")
