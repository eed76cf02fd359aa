"""The sync engine and client know nothing of Qt: only kiosk.sync.qt imports PySide6."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT


def test_engine_and_command_line_sync_do_not_import_qt() -> None:
    code = (
        "import sys, kiosk.sync.engine, kiosk.sync.client, kiosk.cli; "
        "bad = sorted(m for m in sys.modules if m.startswith('PySide6')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
