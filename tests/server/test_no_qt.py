"""The server installs and runs without Qt.

Two halves: the package metadata keeps PySide6 out of the base dependencies and out of the
``server`` extra (so ``pip install 'petition-kiosk[server]'`` pulls no Qt), and a real
``kiosk-server`` process, with every import of PySide6 or shiboken6 made to fail and recorded,
serves, enrolls, ingests, counts and exports without ever asking for Qt.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib.metadata import requires
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement

from kiosk.wire import PushRequest
from tests.server.helpers import signature
from tests.server.live import REPO_ROOT, LiveServer, server_command

QT_DISTRIBUTIONS = ("pyside6", "shiboken6")

# Installed through PYTHONPATH as ``sitecustomize``: any import of the packages named in
# $KIOSK_BLOCKED_IMPORTS (Qt for Python by default) fails as if they were not installed and
# leaves a line in the file named by $KIOSK_QT_IMPORT_LOG, so an ImportError swallowed by a
# try/except is seen too.
_BLOCKER = """
import os, sys

_BLOCKED = tuple(os.environ.get("KIOSK_BLOCKED_IMPORTS", "PySide6,shiboken6").split(","))

class _NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in _BLOCKED:
            with open(os.environ["KIOSK_QT_IMPORT_LOG"], "a") as f:
                f.write(name + "\\n")
            raise ModuleNotFoundError(f"not installed here ({name})", name=name)
        return None

sys.meta_path.insert(0, _NoQt())
"""


def _is_qt(requirement: str) -> bool:
    return Requirement(requirement).name.lower().startswith(QT_DISTRIBUTIONS)


def test_pyproject_keeps_qt_out_of_the_server_install() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert not [r for r in project["dependencies"] if _is_qt(r)]
    server = project["optional-dependencies"]["server"]
    assert not [r for r in server if _is_qt(r)]
    assert any(Requirement(r).name == "fastapi" for r in server)
    assert [r for r in project["optional-dependencies"]["kiosk"] if _is_qt(r)]


def test_installed_metadata_asks_for_qt_only_with_the_kiosk_extra() -> None:
    qt = [Requirement(r) for r in requires("petition-kiosk") or [] if _is_qt(r)]
    assert qt, "the kiosk extra names Qt for Python"
    for req in qt:
        assert req.marker is not None and req.marker.evaluate({"extra": "kiosk"})
        assert not req.marker.evaluate({"extra": "server"}), str(req)
        assert not req.marker.evaluate({"extra": ""}), str(req)


@pytest.fixture
def no_qt_env(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_BLOCKER)
    log = tmp_path / "qt-imports.log"
    log.write_text("")
    return {
        "PYTHONPATH": f"{site}:{REPO_ROOT}",
        "KIOSK_QT_IMPORT_LOG": str(log),
    }


def test_a_running_server_never_imports_qt(
    db_url: str, tmp_path: Path, no_qt_env: dict[str, str]
) -> None:
    campaigns = sorted((REPO_ROOT / "resources" / "campaigns").glob("*.toml"))
    with LiveServer(database_url=db_url, data_dir=tmp_path, env=no_qt_env) as server:
        server.import_campaigns(*campaigns)
        _, token = server.enroll("Kiosk without Qt")
        sig = signature()
        with httpx.Client(base_url=server.url(), timeout=30) as http:
            r = http.post(
                "/signatures",
                content=PushRequest(signatures=[sig]).model_dump_json(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            assert r.status_code == 200, r.text
            assert http.get("/totals", headers={"Authorization": f"Bearer {token}"}).is_success
        for args in (("stats", "--json"), ("devices", "list"), ("audit", "verify")):
            server.cli(*args)
    imported = Path(no_qt_env["KIOSK_QT_IMPORT_LOG"]).read_text().split()
    assert imported == [], f"kiosk-server asked for Qt: {imported}"
    assert "not installed here" not in server.log_path.read_text()


def test_a_kiosk_only_install_says_how_to_install_the_server(
    tmp_path: Path, no_qt_env: dict[str, str]
) -> None:
    env = {**os.environ, **no_qt_env, "KIOSK_BLOCKED_IMPORTS": "uvicorn,fastapi,starlette"}
    out = subprocess.run(
        [*server_command("--data-dir", str(tmp_path), "serve", "--port", "1")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert "pip install 'petition-kiosk[server]'" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_server_only_install_says_how_to_install_the_kiosk(
    tmp_path: Path, no_qt_env: dict[str, str]
) -> None:
    env = {**os.environ, **no_qt_env}
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(tmp_path), "--windowed"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0
    assert "pip install 'petition-kiosk[kiosk]'" in out.stderr
    assert "Traceback" not in out.stderr
