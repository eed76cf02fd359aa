"""The real app start (as `kiosk` runs it), offscreen and under a real X server: the attract
screen comes up, one sync controller starts, the ready callback runs once, start-up's objects
are frozen out of the garbage collector's way, and neither Qt nor Python warns."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QCoreApplication, QTimer
    from kiosk.app import run_app

    def ready(handle):
        import gc
        print("ready", flush=True)
        print("frozen", gc.get_freeze_count(), flush=True)
        QTimer.singleShot(4000, QCoreApplication.quit)  # sync starts after the first frame

    sys.exit(run_app(sys.argv[1], windowed=True, on_ready=ready))
    """
)


@pytest.fixture(scope="module")
def xvfb() -> Iterator[str]:
    """A real X server (Xvfb) for the module; yields its DISPLAY."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not report its display"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("platform", ["offscreen", "xcb"])
def test_run_app_starts_once_with_sync_wired_and_no_warnings(
    tmp_path: Path, platform: str, request: pytest.FixtureRequest
) -> None:
    env = dict(
        os.environ, QT_QPA_PLATFORM=platform, QT_FATAL_WARNINGS="1"
    )  # any Qt warning aborts the app
    env.pop("QT_LOGGING_RULES", None)  # the app's own rules, not the test suite's
    if platform == "xcb":
        env["DISPLAY"] = request.getfixturevalue("xvfb")
    # Every Python warning is an error; only the interpreter's own note on objects still
    # alive at exit is not about start-up.
    cmd = [
        sys.executable,
        "-W",
        "error",
        "-W",
        "ignore:gc:ResourceWarning",
        "-c",
        SCRIPT,
        str(tmp_path),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.count("ready") == 1, out.stdout
    # Start-up's objects are out of the collector's way once the first frame is up.
    frozen = int(out.stdout.split("frozen ")[1].split()[0])
    assert frozen > 50_000, out.stdout
    assert out.stderr.count("sync controller started") == 1, out.stderr[-3000:]
    assert "sync skipped: not connected to a server" in out.stderr  # the engine ran a pass
    assert "Traceback" not in out.stderr
    assert "Warning" not in out.stderr and "WARNING" not in out.stderr, out.stderr[-3000:]


def test_a_script_that_raises_before_closing_its_ui_exits_without_qml_errors(
    tmp_path: Path,
) -> None:
    """An outside script (docs/automation.md) that fails before ``ui.close()``: the UI is
    closed at exit, before Python frees its view-models, so the window's bindings do not each
    log a TypeError on the way out (about 80 of them did)."""
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtGui import QGuiApplication
        from kiosk.app import open_kiosk
        from kiosk.ui.automation import Driver
        from kiosk.ui.main import build_ui

        app = QGuiApplication(sys.argv)
        Driver(build_ui(open_kiosk(sys.argv[1]))).wait_shown("setup.page")
        print("shown", flush=True)
        raise SystemExit("the outside test failed here")
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, "-W", "ignore:gc:ResourceWarning", "-c", script, str(tmp_path)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 1 and out.stdout == "shown\n", out.stderr[-3000:]
    assert "the outside test failed here" in out.stderr
    assert "TypeError" not in out.stderr and "qml" not in out.stderr.lower(), out.stderr[-3000:]
