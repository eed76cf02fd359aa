"""``kiosk-server forward ...`` through the real command line (``main``), on SQLite and
PostgreSQL, and ``forward run --once`` in a subprocess against a real webhook receiver."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kiosk.server.cli import main
from kiosk.server.forwarding.destinations import new_webhook_secret
from kiosk.server.forwarding.secrets import ForwardingSecret
from kiosk.server.forwarding.worker import Forwarder
from tests.server.forwarding import support as s
from tests.server.forwarding.fakes import ScriptedCrm, WebhookReceiver, running
from tests.server.helpers import ApiClient
from tests.server.live import REPO_ROOT

URL = "https://actionnetwork.org/api/v2/petitions/abc/signatures/"


@pytest.fixture
def fwd_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "fwd.secret"
    monkeypatch.setenv("KIOSK_FORWARD_SECRET_FILE", str(path))
    monkeypatch.setenv("AN_TOKEN", "secret-token-value-123")
    return path


def _run(db_url: str, *args: str) -> int:
    return main(["--database-url", db_url, "forward", *args])


def test_forward_commands(db_url: str, fwd_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_url, "list") == 0
    assert "no destinations" in capsys.readouterr().out
    assert (
        _run(
            db_url,
            "add",
            "an",
            "--kind",
            "osdi",
            "--campaign",
            s.CAMPAIGN,
            "--url",
            URL,
            "--token-env",
            "AN_TOKEN",
        )
        == 0
    )
    out = capsys.readouterr()
    assert "added osdi destination an" in out.out and "secret-token" not in out.out + out.err
    assert oct(fwd_env.stat().st_mode & 0o777) == "0o600"
    assert (
        _run(
            db_url,
            "add",
            "hook",
            "--kind",
            "webhook",
            "--campaign",
            s.CAMPAIGN,
            "--url",
            "http://127.0.0.1:9/x",
        )
        == 0
    )
    out = capsys.readouterr()
    assert out.out.strip().splitlines()[-1].startswith("whsec_")  # shown once
    assert _run(db_url, "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in listed] == ["an", "hook"]
    assert listed[0]["endpoint"] == "https://actionnetwork.org"
    assert "abc" not in json.dumps(listed)  # no URL path
    assert _run(db_url, "pause", "an") == 0 and "an paused" in capsys.readouterr().out
    assert _run(db_url, "status", "an") == 0
    assert "PAUSED" in capsys.readouterr().out
    assert _run(db_url, "resume", "an") == 0
    assert _run(db_url, "retry", "an") == 0
    assert "0 signature(s) requeued" in capsys.readouterr().out
    assert _run(db_url, "status", "--json", "--voided") == 0
    st = json.loads(capsys.readouterr().out)
    assert st["destinations"][0]["counts"] == {"pending": 0, "sent": 0, "dead": 0, "skipped": 0}
    assert st["sent_then_voided"] == []
    assert _run(db_url, "remove", "hook") == 0
    capsys.readouterr()
    # Errors are one line and exit 1.
    assert (
        _run(
            db_url,
            "add",
            "x",
            "--kind",
            "osdi",
            "--campaign",
            s.CAMPAIGN,
            "--url",
            "http://crm.example.org/",
            "--token-env",
            "AN_TOKEN",
        )
        == 1
    )
    assert "plain HTTP" in capsys.readouterr().err
    assert (
        _run(
            db_url,
            "add",
            "x",
            "--kind",
            "osdi",
            "--campaign",
            s.CAMPAIGN,
            "--url",
            URL,
            "--token-env",
            "NOT_SET_ANYWHERE",
        )
        == 1
    )
    assert "$NOT_SET_ANYWHERE is not set" in capsys.readouterr().err
    assert _run(db_url, "pause", "nope") == 1
    assert "no destination 'nope'" in capsys.readouterr().err
    # "²" is a digit to str.isdigit, not to int: it was an "unexpected ValueError".
    assert _run(db_url, "pause", "\xb2") == 1
    assert "no destination '²'" in capsys.readouterr().err
    assert _run(db_url, "run", "--once") == 1
    assert "private key" in capsys.readouterr().err


def test_forward_run_once_in_a_subprocess(
    api: ApiClient,
    engine: Engine,
    db_url: str,
    fwd_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The real ``kiosk-server forward run --once`` with an encrypted key file whose
    passphrase comes from a 0600 file."""
    from kiosk.adapters.crypto import encrypt_private_key

    key = tmp_path / "org.key"
    key.write_bytes(encrypt_private_key(bytes(s.PRIVATE), "correct horse battery"))
    key.chmod(0o600)
    passfile = tmp_path / "passphrase"
    passfile.write_text("correct horse battery\n")
    passfile.chmod(0o600)
    version = s.text_version(engine)
    sigs = [s.wire_signature(s.personal(i, True), version) for i in range(5)]
    api.push(sigs)
    secret = new_webhook_secret()
    env = {
        **os.environ,
        "HOOK_SECRET": secret,
        "KIOSK_ORG_KEY_PASSPHRASE_FILE": str(passfile),
        "PYTHONPATH": str(REPO_ROOT),
    }
    env.pop("KIOSK_ORG_KEY_PASSPHRASE", None)
    with running(WebhookReceiver(secret)) as rx:
        os.environ["HOOK_SECRET"] = secret
        try:
            assert (
                _run(
                    db_url,
                    "add",
                    "hook",
                    "--kind",
                    "webhook",
                    "--campaign",
                    s.CAMPAIGN,
                    "--url",
                    rx.url,
                    "--secret-env",
                    "HOOK_SECRET",
                )
                == 0
            )
        finally:
            del os.environ["HOOK_SECRET"]
        cmd = [
            sys.executable,
            "-m",
            "kiosk.server.cli",
            "--database-url",
            db_url,
            "forward",
            "run",
            "--once",
            "--org-private-key-file",
            str(key),
        ]
        done = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        assert len(rx.messages) == 5
        assert "forward run --once: 5 deliveries handled" in done.stdout  # it said nothing
        for value in ("signer1@example.org", "Signer-B", secret):
            assert value not in done.stderr + done.stdout
        passfile.chmod(0o644)
        refused = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert refused.returncode == 1
        assert "readable by other users" in refused.stderr


def test_forward_status_says_what_the_last_failure_means(
    db_url: str,
    fwd_env: Path,
    engine: Engine,
    api: ApiClient,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A receiver that refuses the credentials: the status names the stored reason and says, in
    words, what it means and what to do."""
    version = s.text_version(engine)
    api.push([s.wire_signature(s.personal(1, True), version)])
    with running(ScriptedCrm("status:401")) as crm:
        args = ["add", "crm", "--kind", "webhook", "--campaign", s.CAMPAIGN, "--url", crm.url()]
        assert _run(db_url, *args) == 0
        fwd = Forwarder(engine, s.keyring(), ForwardingSecret.load(fwd_env), network=s.LOCAL)
        fwd.run_once()
        fwd.close()
    capsys.readouterr()
    assert _run(db_url, "status", "crm") == 0
    out = capsys.readouterr().out
    assert "rate_limited: 401 credentials refused" in out and "held until" in out
    assert "The destination refused the credentials (HTTP 401)" in out


def test_forward_change_takes_a_new_credential_from_the_environment(
    db_url: str, fwd_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db_url, "add", "an", "--kind", "osdi", "--campaign", s.CAMPAIGN, "--url", URL,
                "--token-env", "AN_TOKEN") == 0  # fmt: skip
    assert _run(db_url, "change", "an") == 1  # nothing to change
    assert _run(db_url, "change", "an", "--credential-env", "NEW_TOKEN") == 1  # not set
    monkeypatch.setenv("NEW_TOKEN", "the-new-token-456")
    capsys.readouterr()
    assert _run(db_url, "change", "an", "--credential-env", "NEW_TOKEN") == 0
    assert "changed an" in capsys.readouterr().out
    assert _run(db_url, "change", "an", "--url", "https://169.254.169.254/x") == 1
    assert "never sends there" in capsys.readouterr().err
    from kiosk.server.db import create_db_engine
    from kiosk.server.forwarding.destinations import open_credentials

    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            url, token = open_credentials(conn, ForwardingSecret.load(fwd_env), 1)
    finally:
        engine.dispose()
    assert (url, token) == (URL, "the-new-token-456")


@pytest.mark.parametrize("value", ["token-from-a-file\n", "tok\r\nen", "tok\x7fen"])
def test_a_credential_that_cannot_go_in_a_header_is_refused(
    db_url: str,
    fwd_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
) -> None:
    """A token read into the variable with its file's line feed was taken as it was, and every
    send then failed before it left (http.client: "Invalid header value"), until each signature
    was dead-lettered. Refused when added and when changed, naming what is wrong."""
    monkeypatch.setenv("BAD_TOKEN", value)
    capsys.readouterr()
    assert _run(db_url, "add", "an", "--kind", "osdi", "--campaign", s.CAMPAIGN, "--url", URL,
                "--token-env", "BAD_TOKEN") == 1  # fmt: skip
    assert "control character" in capsys.readouterr().err
    assert _run(db_url, "add", "an", "--kind", "osdi", "--campaign", s.CAMPAIGN, "--url", URL,
                "--token-env", "AN_TOKEN") == 0  # fmt: skip
    capsys.readouterr()
    assert _run(db_url, "change", "an", "--credential-env", "BAD_TOKEN") == 1
    assert "control character" in capsys.readouterr().err
    from kiosk.server.db import create_db_engine
    from kiosk.server.forwarding.destinations import open_credentials

    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            assert open_credentials(conn, ForwardingSecret.load(fwd_env), 1) == (
                URL,
                "secret-token-value-123",
            )
    finally:
        engine.dispose()
