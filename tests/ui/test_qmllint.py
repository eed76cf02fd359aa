"""qmllint passes on every QML file with no warning (issue #14).

The ``Kiosk`` module (the ``Theme`` singleton and the ``SignaturePad`` item) is registered from
Python, so its type description is written afresh by ``scripts/qml_module.py`` for each run and
handed to qmllint with ``-I``: a property added in Python is known to the lint at once. qmllint
runs once over all files (``--json``); each file is its own test, so a failure names the file.
qmllint exits 0 even when it warns: the JSON report is what is checked. "info" lines (hints such
as an unused import) are not warnings.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QML = ROOT / "kiosk" / "ui" / "qml"
FILES = sorted(QML.rglob("*.qml"))


def _qmllint() -> str:
    found = shutil.which("pyside6-qmllint", path=str(Path(sys.executable).parent))
    found = found or shutil.which("pyside6-qmllint")
    if not found:
        pytest.fail("pyside6-qmllint not found (it comes with PySide6)")
    return found


def _lint(files: list[Path], imports: list[Path], out: Path) -> dict[str, dict]:
    report = out / "qmllint.json"
    cmd = [_qmllint(), "--json", str(report)]
    for path in imports:
        cmd += ["-I", str(path)]
    proc = subprocess.run(
        [*cmd, *map(str, files)], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    if not report.exists():
        pytest.fail(f"qmllint wrote no report (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return {
        Path(entry["filename"]).resolve().as_posix(): entry
        for entry in json.loads(report.read_text(encoding="utf-8"))["files"]
    }


def _problems(entry: dict) -> list[str]:
    found = [
        f"{w.get('line', '?')}:{w.get('column', '?')}: {w['message']} [{w.get('id', w['type'])}]"
        for w in entry.get("warnings", [])
        if w.get("type") != "info"
    ]
    if not entry.get("success", False) and not found:
        found.append("qmllint reports failure")
    return found


@pytest.fixture(scope="session")
def kiosk_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated ``Kiosk`` module description (qmldir and .qmltypes), for ``-I``."""
    out = tmp_path_factory.mktemp("qml-module")
    subprocess.run(
        [sys.executable, "-W", "error", str(ROOT / "scripts" / "qml_module.py"), str(out)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    return out


@pytest.fixture(scope="session")
def lint_report(kiosk_module: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return _lint(FILES, [kiosk_module, QML], tmp_path_factory.mktemp("qmllint"))


def test_every_qml_file_is_linted() -> None:
    assert len(FILES) >= 40  # the screens and the keyboard layouts
    assert QML / "KioskUi" / "Main.qml" in FILES


def test_generated_module_describes_every_registered_type(kiosk_module: Path) -> None:
    qmldir = (kiosk_module / "Kiosk" / "qmldir").read_text(encoding="utf-8")
    assert qmldir.splitlines()[0] == "module Kiosk"
    types = (kiosk_module / "Kiosk" / "kiosk.qmltypes").read_text(encoding="utf-8")
    assert '"Kiosk/Theme 1.0"' in types and "isSingleton: true" in types
    assert '"Kiosk/SignaturePad 1.0"' in types and 'prototype: "QQuickPaintedItem"' in types
    for member in ("inkEnough", "penColor", "stylusPress", "strokeFinished", "scaleChanged"):
        assert f'name: "{member}"' in types


def test_the_lint_sees_a_warning(kiosk_module: Path, tmp_path: Path) -> None:
    """The harness itself: a file with a mistake qmllint knows is reported, with its line."""
    bad = tmp_path / "Bad.qml"
    bad.write_text(
        "import QtQuick\nimport Kiosk\nItem {\n"
        "    Repeater { model: 2; Item { width: index * Theme.touch } }\n"
        "    SignaturePad { penWidth: Theme.noSuchThing }\n}\n",
        encoding="utf-8",
    )
    problems = _problems(_lint([bad], [kiosk_module, QML], tmp_path)[bad.resolve().as_posix()])
    assert any(p.startswith("4:") and "unqualified" in p for p in problems), problems
    assert any(p.startswith("5:") for p in problems), problems
    assert not any("import" in p.lower() and "Kiosk" in p for p in problems), problems


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(QML).as_posix())
def test_qmllint_has_no_warning(path: Path, lint_report: dict[str, dict]) -> None:
    entry = lint_report.get(path.resolve().as_posix())
    assert entry is not None, f"qmllint did not report on {path}"
    assert _problems(entry) == [], "\n".join([str(path.relative_to(ROOT)), *_problems(entry)])
