"""The release: ``kiosk --self-check`` un-bundled and bundled, versions and the changelog.

The slow test runs the one documented build command, ``scripts/build_bundle.sh`` (bootstrap,
PyInstaller with build_spec/kiosk.spec, then the bundle's own self-check offscreen), and looks
inside dist/kiosk/ for the data files a rally would otherwise miss.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

import kiosk
from kiosk.selfcheck import STEPS
from tests.helpers import ROOT

STEP_NAMES = [name for name, _step in STEPS]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("KIOSK_DATA_DIR", None)
    env.pop("KIOSK_RESOURCES", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update(extra)
    return env


def _assert_all_ok(out: subprocess.CompletedProcess[str]) -> None:
    lines = out.stdout.splitlines()
    assert out.returncode == 0, out.stdout + out.stderr
    assert not [line for line in lines if line.startswith("FAILED")], out.stdout
    oks = [line.split(":", 2)[1].strip() for line in lines if line.startswith("ok: ")]
    assert oks == STEP_NAMES, out.stdout
    assert lines[-1] == f"self-check passed: {len(STEPS)} of {len(STEPS)} steps"


def test_self_check_passes_unbundled(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--self-check"],
        check=False,
        capture_output=True,
        text=True,
        env=_env(TMPDIR=str(tmp_path)),
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    _assert_all_ok(out)
    # Its temporary data folder is gone. (The sound server that speech-dispatcher may start
    # for the speech check keeps its own pulse-* socket folder in TMPDIR: not ours to remove.)
    assert not list(tmp_path.glob("kiosk-self-check-*"))


def test_self_check_fails_on_a_broken_campaign_file(tmp_path: Path) -> None:
    resources = tmp_path / "resources"
    (resources / "campaigns").mkdir(parents=True)
    (resources / "campaigns" / "broken.toml").write_text('format = "not a campaign"\n')
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--self-check"],
        check=False,
        capture_output=True,
        text=True,
        env=_env(KIOSK_RESOURCES=str(resources)),
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout.splitlines()[0].startswith("FAILED: campaigns: "), out.stdout
    assert "broken.toml" in out.stdout.splitlines()[0]
    assert out.stdout.splitlines()[-1].startswith("self-check FAILED: ")


def test_self_check_takes_no_command(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(tmp_path), "--self-check", "status"],
        check=False,
        capture_output=True,
        text=True,
        env=_env(),
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert out.returncode == 2
    assert "--self-check takes no command" in out.stderr


def test_versions_and_changelog_agree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert kiosk.__version__ == project["version"]
    for command, module in (("kiosk", "kiosk.cli"), ("kiosk-server", "kiosk.server.cli")):
        out = subprocess.run(
            [sys.executable, "-m", module, "--version"],
            check=False,
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == f"{command} {kiosk.__version__}"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)
    assert releases and releases[0] == kiosk.__version__
    assert "## [Unreleased]" in changelog


@pytest.mark.slow
def test_bundle_builds_and_passes_its_self_check(tmp_path: Path) -> None:
    # Its own output and work folders: a developer's dist/ and other runs are left alone.
    env = _env(KIOSK_BUNDLE_DIST=str(tmp_path / "dist"), KIOSK_BUNDLE_WORK=str(tmp_path / "work"))
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_bundle.sh")],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        timeout=3600,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-8000:]
    _assert_all_ok(out)
    bundle = tmp_path / "dist" / "kiosk"
    exe = bundle / ("kiosk.exe" if sys.platform == "win32" else "kiosk")
    internal = bundle / "_internal"
    # The data files a rally would miss, each looked for where the code reads it.
    shipped = {p.name for p in (ROOT / "resources" / "campaigns").glob("*.toml")}
    assert {p.name for p in (internal / "resources" / "campaigns").glob("*.toml")} == shipped
    for ts in (ROOT / "resources" / "translations").glob("*.ts"):
        assert (internal / "resources" / "translations" / (ts.stem + ".qm")).is_file()
    for qml in (ROOT / "kiosk" / "ui" / "qml").rglob("*"):
        if qml.is_file() and "__pycache__" not in qml.parts:
            assert (internal / qml.relative_to(ROOT)).is_file(), qml
    for script in (ROOT / "kiosk" / "store" / "migrations").rglob("*.py"):
        assert (internal / script.relative_to(ROOT)).is_file(), script
    qt = internal / "PySide6" / ("" if sys.platform == "win32" else "Qt")
    assert list((qt / "plugins" / "platforminputcontexts").glob("*qtvirtualkeyboardplugin*"))
    assert (qt / "qml" / "QtQuick" / "VirtualKeyboard" / "qmldir").is_file()
    # The server is not in the tablet's bundle; the UI, PDF and sync modules are.
    viewer = Path(sys.executable).parent / "pyi-archive_viewer"
    listing = subprocess.run(
        [str(viewer), "--brief", "--recursive", str(exe)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout.split()
    assert {"kiosk.ui.main", "kiosk.pdf.render", "kiosk.sync.qt", "kiosk.selfcheck"} <= set(listing)
    assert not [name for name in listing if name.startswith(("kiosk.server", "fastapi"))]
    version = subprocess.run(
        [str(exe), "--version"], check=False, capture_output=True, text=True, timeout=120
    )
    assert version.stdout.strip() == f"kiosk {kiosk.__version__}"

    # And a missing data file fails it: a copy without a migration script and a translation.
    # (Hard links, not copies of its hundreds of MB: the copy only loses two of its files.)
    broken = tmp_path / "broken"
    shutil.copytree(bundle, broken, symlinks=True, copy_function=os.link)
    (broken / "_internal" / "resources" / "translations" / "kiosk_es.qm").unlink()
    versions = broken / "_internal" / "kiosk" / "store" / "migrations" / "versions"
    max(versions.glob("0*.py")).unlink()
    out = subprocess.run(
        [str(broken / exe.name), "--self-check"],
        check=False,
        capture_output=True,
        text=True,
        env=_env(),
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    failed = [
        line.split(":", 2)[1].strip()
        for line in out.stdout.splitlines()
        if line.startswith("FAILED: ")
    ]
    assert out.returncode == 1, out.stdout
    assert {"store", "translations"} <= set(failed), out.stdout


def test_a_wheel_carries_the_resources_and_finds_them_installed(tmp_path: Path) -> None:
    """``pip wheel`` (deploy-server.md section 2's other way) ships every file of
    ``resources/`` under ``PREFIX/share/petition-kiosk/resources``, and a package installed
    from it, not sitting in a checkout, finds them there: a server installed from a wheel
    makes PDFs (fonts, ZIP data) and imports the sample campaigns for ``serve --demo``."""
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "dist", "build", "*.egg-info"
        ),
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(src)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("petition_kiosk-*.whl")
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {  # (not a dot file: `i18n fill`'s lock, ignored by git, is none of them)
        p.relative_to(ROOT / "resources").as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    prefix = f"petition_kiosk-{kiosk.__version__}.data/data/share/petition-kiosk/resources/"
    assert shipped and {prefix + name for name in shipped} <= names
    # Installed into a virtual environment of its own (never this one: pip would take this
    # one's editable install out first), no checkout beside the package: resources_dir() is
    # the wheel's folder. platformdirs, which kiosk.config imports, comes from this one.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = ["install", "-q", "--no-deps", "--no-index", str(wheel)]
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), *install],
        check=True,
        capture_output=True,
        timeout=600,
    )
    code = (
        "import sys; sys.path.append(sys.argv[1]); import kiosk.config as c; "
        "assert c.__file__.startswith(sys.prefix), c.__file__; print(c.resources_dir())"
    )
    out = subprocess.run(
        [str(python), "-I", "-c", code, sysconfig.get_paths()["purelib"]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    found = Path(out.stdout.strip())
    assert found == venv / "share" / "petition-kiosk" / "resources"
    assert (found / "geo").is_dir() and (found / "fonts").is_dir()
