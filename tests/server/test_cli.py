"""The ``kiosk-server`` command, run as a subprocess: every command, clear errors on bad input."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.db import write_transaction
from kiosk.server.models import Device, EnrollmentCode, table_of
from tests.server.helpers import ApiClient, InProcessServer, signature, void
from tests.server.live import REPO_ROOT, server_command

CAMPAIGN_FILES = sorted((REPO_ROOT / "resources" / "campaigns").glob("*.toml"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``kiosk-server ARGS``; a traceback on stderr always fails the test."""
    import os

    full_env = dict(os.environ)
    full_env.pop("KIOSK_DATABASE_URL", None)
    full_env.update(env or {})
    result = subprocess.run(
        server_command(*args),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=full_env,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def on(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a command against the test database."""
    return run("--database-url", db_url, *args)


def test_help_documents_every_command() -> None:
    r = run("--help")
    assert r.returncode == 0
    for word in (
        "serve",
        "migrate",
        "campaigns",
        "enroll-code",
        "devices",
        "stats",
        "--database-url",
        "--data-dir",
        "--version",
        "postgresql+psycopg",
    ):
        assert word in r.stdout
    expected = {
        ("serve",): ["--host", "--port", "--workers", "--server-name", "--log-level"],
        ("migrate",): ["schema"],
        ("campaigns", "import"): ["FILE"],
        ("campaigns", "list"): [],
        ("enroll-code",): ["--name", "--valid-hours"],
        ("devices", "list"): ["--json"],
        ("devices", "revoke"): ["ID"],
        ("devices", "codes"): ["--json"],
        ("devices", "cancel-code"): ["ID"],
        ("stats",): ["--json"],
    }
    for cmd, words in expected.items():
        r = run(*cmd, "--help")
        assert r.returncode == 0, cmd
        for word in words:
            assert word in r.stdout, (cmd, word)


def test_version() -> None:
    r = run("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("kiosk-server 0.")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["bogus"],
        ["enroll-code"],
        ["enroll-code", "--name", ""],
        ["enroll-code", "--name", "x", "--valid-hours", "0"],
        ["enroll-code", "--name", "x", "--valid-hours", "-3"],
        ["enroll-code", "--name", "x", "--valid-hours", "many"],
        ["enroll-code", "--name", "x", "--valid-hours", "10000"],
        ["serve", "--port", "70000"],
        ["serve", "--port", "http"],
        ["serve", "--workers", "0"],
        ["campaigns"],
        ["campaigns", "import"],
        ["devices", "revoke"],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    r = run("--data-dir", str(tmp_path), *args)
    assert r.returncode == 2
    assert "error:" in r.stderr


def test_admin_flow(db_url: str, engine: Engine) -> None:
    r = on(db_url, "migrate")
    assert r.returncode == 0 and "up to date" in r.stdout

    r = on(db_url, "campaigns", "import", *map(str, CAMPAIGN_FILES))
    assert r.returncode == 0, r.stderr
    heads = [line for line in r.stdout.splitlines() if not line.startswith("  - ")]
    assert len(heads) == len(CAMPAIGN_FILES)
    assert "created" in r.stdout
    # Under each campaign, what publishing it changed.
    assert r.stdout.count("  - This campaign is new") == r.stdout.count(": created (")
    r = on(db_url, "campaigns", "import", str(CAMPAIGN_FILES[0]))
    assert "unchanged" in r.stdout
    assert "  - Nothing changes: this is the file already published." in r.stdout
    r = on(db_url, "campaigns", "list")
    assert r.returncode == 0 and "defy-trump-expand-sanctuary" in r.stdout

    r = on(db_url, "devices", "list")
    assert r.returncode == 0 and "no devices" in r.stdout

    r = on(db_url, "enroll-code", "--name", "Library kiosk", "--valid-hours", "2")
    assert r.returncode == 0, r.stderr
    code = r.stdout.strip()
    assert len(code) == 19 and code.count("-") == 3
    assert "valid until" in r.stderr

    app = create_app(ServerSettings(database_url=db_url), engine=engine)
    with InProcessServer(app) as srv, httpx.Client(base_url=srv.base_url, timeout=30) as http:
        api = ApiClient.enroll(http, code)
        sigs = [signature(campaign="sanctuary-of-safety") for _ in range(4)]
        sigs.append(signature(campaign="defy-trump-expand-sanctuary", local_campaign="evansville"))
        sigs.append(signature(campaign="sanctuary-of-safety", synthetic=True))
        api.push(sigs, [void(sigs[0].id)])

        listing = on(db_url, "devices", "list")
        assert api.device_id in listing.stdout and "Library kiosk" in listing.stdout
        assert "active" in listing.stdout
        devices = json.loads(on(db_url, "devices", "list", "--json").stdout)
        assert [(d["id"], d["name"], d["status"]) for d in devices] == [
            (api.device_id, "Library kiosk", "active")
        ]
        assert devices[0]["last_seen_at"] is not None

        stats = json.loads(on(db_url, "stats", "--json").stdout)
        assert stats["signatures"] == 6 and stats["voided"] == 1 and stats["synthetic"] == 1
        assert stats["counted"] == 4
        assert stats["campaigns"] == {"defy-trump-expand-sanctuary": 1, "sanctuary-of-safety": 3}
        assert stats["locals"] == {"defy-trump-expand-sanctuary/evansville": 1}
        assert stats["devices"][api.device_id]["signatures"] == 4
        assert stats["devices"][api.device_id]["voided"] == 1
        text_stats = on(db_url, "stats")
        assert text_stats.returncode == 0 and "evansville: 1" in text_stats.stdout

        r = on(db_url, "devices", "revoke", api.device_id)
        assert r.returncode == 0 and "revoked" in r.stdout
        assert api.get("/totals").status_code == 403
        r = on(db_url, "devices", "revoke", api.device_id)
        assert r.returncode == 0 and "already revoked" in r.stdout
        r = on(db_url, "devices", "revoke", "no-such-device")
        assert r.returncode == 1 and "no device with id" in r.stderr
        assert "revoked" in on(db_url, "devices", "list").stdout


def test_open_codes_are_listed_and_one_is_cancelled(db_url: str, engine: Engine) -> None:
    """A code handed out by mistake stayed usable until it expired; `devices codes` lists the
    open ones (never their value) and `devices cancel-code` ends one, in the audit trail."""
    assert on(db_url, "devices", "codes").stdout.startswith("no enrollment codes open")
    made = [on(db_url, "enroll-code", "--name", n).stdout.strip() for n in ("Tablet A", "Tablet B")]
    listed = json.loads(on(db_url, "devices", "codes", "--json").stdout)
    assert [c["name"] for c in listed] == ["Tablet B", "Tablet A"]  # newest first
    text = on(db_url, "devices", "codes").stdout
    assert "Tablet A" in text and not any(code in text for code in made)
    r = on(db_url, "devices", "cancel-code", str(listed[0]["id"]))
    assert r.returncode == 0 and "'Tablet B' cancelled" in r.stdout, r.stderr
    again = on(db_url, "devices", "cancel-code", str(listed[0]["id"]))
    assert again.returncode == 1 and "no open enrollment code with id" in again.stderr
    assert "Traceback" not in again.stderr
    assert [c["name"] for c in json.loads(on(db_url, "devices", "codes", "--json").stdout)] == [
        "Tablet A"
    ]
    app = create_app(ServerSettings(database_url=db_url), engine=engine)
    with InProcessServer(app) as srv, httpx.Client(base_url=srv.base_url, timeout=30) as http:
        refused = http.post("/api/v1/enroll", json={"code": made[1], "name": "late"})
        assert refused.status_code == 403 and "expired" in refused.text, refused.text
        ApiClient.enroll(http, made[0])
    trail = on(db_url, "audit", "list")
    assert trail.returncode == 0, trail.stderr
    assert trail.stdout.count("enrollment_code_made") == 2
    assert "enrollment_code_cancelled" in trail.stdout and "Tablet B" in trail.stdout


def test_cancel_code_with_an_id_out_of_range_says_there_is_none(db_url: str) -> None:
    """`devices cancel-code 2147483648` said "database error: integer out of range" on
    PostgreSQL, and one past 64 bits "unexpected OverflowError" on SQLite: no such code, as
    for any other id no open code has."""
    on(db_url, "enroll-code", "--name", "Tablet A")
    for bad in ("2147483648", "9223372036854775808", "99999999999999999999"):
        r = on(db_url, "devices", "cancel-code", bad)
        assert r.returncode == 1 and f"no open enrollment code with id {bad}" in r.stderr, r.stderr
    # Not an id at all (int() read "١" as 1 and "1_0" as 10): a usage error.
    for bad in ("0", "-1", "\u0661", "1_0", "1.0"):
        r = on(db_url, "devices", "cancel-code", "--", bad)
        assert r.returncode == 2 and ("not a whole number" in r.stderr or "at least 1" in r.stderr)
    assert len(json.loads(on(db_url, "devices", "codes", "--json").stdout)) == 1


def test_devices_codes_lists_every_open_code(db_url: str, engine: Engine) -> None:
    """`devices codes` stopped at 10,000 codes without a word; it lists every open one (the
    console lists the newest 200 and sends the rest here)."""
    now = datetime.now(UTC)
    rows = [
        {
            "code_hash": f"{n:064x}",
            "name": f"Tablet {n}",
            "created_at": now,
            "expires_at": now + timedelta(hours=1),
        }
        for n in range(10_001)
    ]
    with write_transaction(engine) as conn:
        conn.execute(table_of(EnrollmentCode).insert(), rows)
    listed = json.loads(on(db_url, "devices", "codes", "--json").stdout)
    assert len(listed) == 10_001
    assert on(db_url, "devices", "codes").stdout.count("Tablet ") == 10_001


def test_names_made_before_control_characters_were_refused_print_safely(
    db_url: str, engine: Engine
) -> None:
    """Until today a name from the command line could hold C1 controls and bidirectional
    overrides (only C0 and DEL were refused), and a code lives up to 720 hours: `devices codes`
    (and `devices list`) printed such a name raw, so U+009B began a terminal escape sequence and
    U+202E turned the rest of the line around. Each is shown as U+FFFD; --json escapes them."""
    now = datetime.now(UTC)
    hostile = "Tablet \u202eA\x9b31m\u2066 end"
    with write_transaction(engine) as conn:
        conn.execute(
            table_of(EnrollmentCode).insert(),
            {
                "code_hash": "0" * 64,
                "name": hostile,
                "created_at": now,
                "expires_at": now + timedelta(hours=700),
            },
        )
        conn.execute(
            table_of(Device).insert(),
            {"id": "0" * 36, "name": hostile, "token_hash": "1" * 64, "enrolled_at": now},
        )
    for command in ("codes", "list"):
        text = on(db_url, "devices", command).stdout
        assert "Tablet \ufffdA\ufffd31m\ufffd end" in text, (command, text)
        assert not any(c in text for c in "\u202e\x9b\u2066"), (command, text)
        listed = json.loads(on(db_url, "devices", command, "--json").stdout)
        assert listed[0]["name"] == hostile  # the data as stored, escaped by JSON


def test_stats_of_test_data_only_say_so(db_url: str, engine: Engine) -> None:
    """After the README's `kiosk simulate` and a sync, every signature is synthetic: the text
    stats said "per campaign: (none)", which read like a sync that failed."""
    assert on(db_url, "campaigns", "import", *map(str, CAMPAIGN_FILES)).returncode == 0
    code = on(db_url, "enroll-code", "--name", "Demo kiosk").stdout.strip()
    app = create_app(ServerSettings(database_url=db_url), engine=engine)
    with InProcessServer(app) as srv, httpx.Client(base_url=srv.base_url, timeout=30) as http:
        api = ApiClient.enroll(http, code)
        api.push([signature(campaign="sanctuary-of-safety", synthetic=True) for _ in range(2)])
    text = on(db_url, "stats").stdout
    assert "(none counted: the 2 synthetic signatures are test data, counted apart)" in text


def test_invalid_campaign_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        CAMPAIGN_FILES[0].read_text(encoding="utf-8").replace('kind = "', 'kind = "x'),
        encoding="utf-8",
    )
    r = run("--data-dir", str(tmp_path), "campaigns", "import", str(CAMPAIGN_FILES[1]), str(bad))
    assert r.returncode == 1
    assert "bad.toml: kind: must be" in r.stderr
    r = run("--data-dir", str(tmp_path), "campaigns", "list")
    assert "no campaigns" in r.stdout  # nothing was imported

    r = run("--data-dir", str(tmp_path), "campaigns", "import", str(tmp_path / "missing.toml"))
    assert r.returncode == 1 and "missing.toml" in r.stderr and "cannot be read" in r.stderr
    not_toml = tmp_path / "x.toml"
    not_toml.write_text("this is = = not toml", encoding="utf-8")
    r = run("--data-dir", str(tmp_path), "campaigns", "import", str(not_toml))
    assert r.returncode == 1 and "not valid TOML" in r.stderr


def test_default_database_in_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "nested" / "data"
    r = run("enroll-code", "--name", "First", env={"KIOSK_SERVER_DATA_DIR": str(data)})
    assert r.returncode == 0, r.stderr
    assert "new database" in r.stderr
    db = data / "kiosk-server.sqlite3"
    assert db.exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM enrollment_codes").fetchone()[0] == 1
    # --data-dir wins over the environment.
    other = tmp_path / "other"
    r = run("--data-dir", str(other), "devices", "list", env={"KIOSK_SERVER_DATA_DIR": str(data)})
    assert r.returncode == 0 and (other / "kiosk-server.sqlite3").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user@localhost/db", "unsupported database"),
        ("sqlite://", "needs a database file"),
        ("postgresql+psycopg://postgres@127.0.0.1:1/nothing", "cannot use the database"),
    ],
)
def test_bad_database_url(url: str, message: str) -> None:
    for args in (["migrate"], ["stats"], ["serve", "--port", "8799"]):
        r = run("--database-url", url, *args)
        assert r.returncode == 1, (args, r.stdout)
        assert message in r.stderr


def test_database_at_unknown_revision(tmp_path: Path) -> None:
    assert run("--data-dir", str(tmp_path), "migrate").returncode == 0
    with sqlite3.connect(tmp_path / "kiosk-server.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00d'")
    r = run("--data-dir", str(tmp_path), "stats")
    assert r.returncode == 1 and "run `kiosk-server migrate`" in r.stderr
    r = run("--data-dir", str(tmp_path), "migrate")
    assert r.returncode == 1 and "cannot migrate" in r.stderr


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("KIOSK_FORWARD_ALLOW_NETWORKS", "garbage", "'garbage' is not an IP address or network"),
        ("KIOSK_FORWARD_ALLOW_NETWORKS", "169.254.0.0/16", "is link-local, metadata"),
        ("KIOSK_TRUSTED_PROXIES", "zz", "'zz' is not an IP address or network"),
    ],
)
def test_a_bad_setting_is_one_line_of_words_not_an_unexpected_error(
    variable: str, value: str, said: str, tmp_path: Path
) -> None:
    done = run("--data-dir", str(tmp_path), "forward", "list", env={variable: value})
    assert done.returncode == 1
    assert done.stderr.startswith(f"kiosk-server: error: ${variable}: "), done.stderr
    assert said in done.stderr and "unexpected" not in done.stderr
    assert "KIOSK_SERVER_DEBUG" not in done.stderr
