"""The real app start (as `kiosk` runs it): attract screen up, sync controller wired and running."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui


def test_run_app_starts_with_sync_wired(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QCoreApplication, QTimer
        from kiosk.ui.main import run_app

        def ready(handle):
            print("ready", flush=True)
            QTimer.singleShot(4000, QCoreApplication.quit)  # sync starts after the first frame

        sys.exit(run_app(sys.argv[1], windowed=True, on_ready=ready))
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ready" in out.stdout
    assert "sync skipped: not connected to a server" in out.stderr  # the engine ran a pass
    assert "Traceback" not in out.stderr
