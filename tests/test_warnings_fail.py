"""The suite fails on warnings everywhere (issue #14), checked with the project's own settings.

An inner pytest runs with this repository's ``pyproject.toml`` and ``tests/conftest.py`` over a
few small tests that each emit one warning: a Qt warning in the test, from another thread and
while a fixture closes (pytest-qt checks only set-up and call; ``tests/conftest.py`` adds the
teardown), a Python warning in the test, and one in a Python child process, which inherits
``PYTHONWARNINGS=error`` from ``tests/conftest.py``. Each must fail; a quiet test must pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.helpers import ROOT

INNER = """
import subprocess
import sys
import threading
import warnings

import pytest
from PySide6.QtCore import qWarning


def test_quiet():
    pass


def test_qt_warning_in_the_test():
    qWarning("inner: in the test")


def test_qt_warning_from_another_thread():
    thread = threading.Thread(target=lambda: qWarning("inner: from a thread"))
    thread.start()
    thread.join()


@pytest.fixture
def closes_noisily():
    yield
    qWarning("inner: while closing")


def test_qt_warning_while_a_fixture_closes(closes_noisily):
    pass


def test_python_warning():
    warnings.warn("inner: deprecated", DeprecationWarning)


def test_python_warning_in_a_child_process():
    code = "import warnings; warnings.warn('inner: child', DeprecationWarning); print('ran on')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and "ran on" in out.stdout, out.stderr
"""


def test_warnings_fail_the_tests_that_cause_them(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(INNER, encoding="utf-8")
    report = tmp_path / "report.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--junitxml={report}",
            str(tmp_path / "test_inner.py"),
        ],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    outcome: dict[str, str] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        failed = any(child.tag in ("failure", "error") for child in case)
        name = case.get("name", "?")
        # A test that passed and then failed while its fixtures closed has two entries.
        if failed or name not in outcome:
            outcome[name] = "failed" if failed else "passed"
    assert outcome == {
        "test_quiet": "passed",
        "test_qt_warning_in_the_test": "failed",
        "test_qt_warning_from_another_thread": "failed",
        "test_qt_warning_while_a_fixture_closes": "failed",
        "test_python_warning": "failed",
        "test_python_warning_in_a_child_process": "failed",
    }, run.stdout[-3000:]
    assert "inner: while closing" in run.stdout
