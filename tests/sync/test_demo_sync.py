"""Demo kiosks (`kiosk --demo`) and servers: a real server never takes a demo kiosk's
signatures, a demo server never takes a real kiosk's, whatever the kiosk claims."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kiosk.app import open_demo_kiosk, open_kiosk
from kiosk.demo import NotADemoFolder
from tests.server.live import REPO_ROOT, LiveServer, server_command
from tests.sync.helpers import kiosk_cli

CAMPAIGN = "sanctuary-of-safety"
CAMPAIGN_FILE = REPO_ROOT / "resources" / "campaigns" / f"{CAMPAIGN}.toml"


def _dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_a_real_server_refuses_a_demo_kiosk_at_enrollment(tmp_path: Path) -> None:
    with LiveServer(data_dir=_dir(tmp_path / "server")) as server:
        server.import_campaigns(CAMPAIGN_FILE)
        code = server.enrollment_code("Demo kiosk")
        demo = tmp_path / "demo"
        out = kiosk_cli(demo, "--demo", "enroll", "--server", server.base_url, "--code", code)
        assert out.returncode == 1, out.stdout
        assert "demo kiosk and this server is not in demo mode" in out.stderr
        # What helps is said; not "a new code", which cannot.
        assert "kiosk-server serve --demo" in out.stderr and "new code" not in out.stderr
        assert "Traceback" not in out.stderr
        # The code was not used up: a real kiosk may still take it.
        real = tmp_path / "real"
        assert (
            kiosk_cli(real, "enroll", "--server", server.base_url, "--code", code).returncode == 0
        )


def test_a_demo_server_takes_demo_kiosks_only(tmp_path: Path) -> None:
    with LiveServer(data_dir=_dir(tmp_path / "server"), extra_args=("--demo",)) as server:
        server.import_campaigns(CAMPAIGN_FILE)
        demo = tmp_path / "demo"
        code = server.enrollment_code("Demo kiosk")
        enrolled = kiosk_cli(demo, "--demo", "enroll", "--server", server.base_url, "--code", code)
        assert enrolled.returncode == 0, enrolled.stderr
        assert (
            kiosk_cli(
                demo, "--demo", "simulate", "--signatures", "3", "--campaign", CAMPAIGN
            ).returncode
            == 0
        )
        synced = kiosk_cli(demo, "--demo", "sync")
        assert synced.returncode == 0, synced.stderr
        assert "created 3" in synced.stdout
        # A real kiosk is refused: its signers' data must not land where the passphrase is public.
        real = tmp_path / "real"
        refused = kiosk_cli(
            real,
            "enroll",
            "--server",
            server.base_url,
            "--code",
            server.enrollment_code("Real kiosk"),
        )
        assert refused.returncode == 1 and "runs in demo mode" in refused.stderr
        assert "start this kiosk with --demo" in refused.stderr
        assert "new code" not in refused.stderr


def test_a_demo_server_knows_the_sample_campaigns_without_an_import(tmp_path: Path) -> None:
    """The README's demo server (`serve --demo` on a folder of its own) refused every
    signature of the demo kiosk ("unknown campaign") until the campaigns were imported by
    hand. It now imports the shipped samples it lacks at start, and leaves alone one that is
    already there (a coordinator may have published their own text)."""
    data = _dir(tmp_path / "server")
    with LiveServer(data_dir=data, extra_args=("--demo",)) as server:
        samples = sorted((REPO_ROOT / "resources" / "campaigns").glob("*.toml"))
        listed = server.cli("campaigns", "list").stdout
        assert all(f.stem in listed for f in samples), listed
        assert "demo mode: imported" in server.log_path.read_text()
        demo = tmp_path / "demo"
        code = server.enrollment_code("Demo kiosk")
        assert (
            kiosk_cli(demo, "--demo", "enroll", "--server", server.base_url, "--code", code)
        ).returncode == 0
        made = kiosk_cli(demo, "--demo", "simulate", "--signatures", "3", "--campaign", CAMPAIGN)
        assert made.returncode == 0, made.stderr
        synced = kiosk_cli(demo, "--demo", "sync")
        assert synced.returncode == 0 and "created 3" in synced.stdout, synced.stdout
        server.stop()
        log_before = server.log_path.read_text()
        server.start()  # nothing left to import: nothing said, nothing replaced
        assert server.log_path.read_text()[len(log_before) :].count("demo mode: imported") == 0


def test_a_demo_device_is_refused_by_its_server_restarted_in_real_mode_even_without_the_header(
    tmp_path: Path,
) -> None:
    data = _dir(tmp_path / "server")
    with LiveServer(data_dir=data, extra_args=("--demo",)) as server:
        server.import_campaigns(CAMPAIGN_FILE)
        r = httpx.post(
            server.url("/enroll"),
            json={"code": server.enrollment_code("Demo")},
            headers={"X-Kiosk-Demo": "1"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        token = r.json()["token"]
    with LiveServer(data_dir=data) as server:  # the same database, real mode
        for headers in ({}, {"X-Kiosk-Demo": "0"}, {"X-Kiosk-Demo": "1"}):
            r = httpx.post(
                server.url("/signatures"),
                json={"signatures": []},
                headers={"Authorization": f"Bearer {token}", **headers},
                timeout=10,
            )
            assert r.status_code == 403, r.text
            assert r.json()["error"] == "demo_kiosk"


def test_a_real_device_cannot_push_to_a_demo_server_by_claiming_demo(tmp_path: Path) -> None:
    data = _dir(tmp_path / "server")
    with LiveServer(data_dir=data) as server:
        _device, token = server.enroll("Real kiosk")
    env = dict(os.environ)
    refused = subprocess.run(
        server_command("--data-dir", str(data), "serve", "--demo", "--port", "1"),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "1 real kiosks enrolled" in refused.stderr and "Traceback" not in refused.stderr
    # With a database of its own, a demo server still refuses that real device's token.
    with LiveServer(data_dir=_dir(tmp_path / "other"), extra_args=("--demo",)) as demo_server:
        r = httpx.post(
            demo_server.url("/signatures"),
            json={"signatures": []},
            headers={"Authorization": f"Bearer {token}", "X-Kiosk-Demo": "1"},
            timeout=10,
        )
        assert r.status_code == 401  # unknown there


def test_demo_never_takes_over_a_real_kiosks_folder(tmp_path: Path) -> None:
    real = open_kiosk(tmp_path)
    real.keys.init("a real passphrase")
    real.close()
    with pytest.raises(NotADemoFolder):
        open_demo_kiosk(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--demo", "--data-dir", str(tmp_path), "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "real kiosk's data folder" in out.stderr


def test_demo_status_reads_the_demo_folder_not_the_real_kiosks(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["XDG_DATA_HOME"] = str(tmp_path)

    def status(*flags: str) -> dict[str, object]:
        out = subprocess.run(
            [sys.executable, "-m", "kiosk.cli", *flags, "status", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    real = status()
    demo = status("--demo")
    assert Path(str(real["data_dir"])).name == "petition-kiosk"
    assert Path(str(demo["data_dir"])).name == "petition-kiosk-demo"
    assert demo["kiosk_id"] != real["kiosk_id"]
