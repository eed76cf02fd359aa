"""The `kiosk` command line: clear errors, non-zero exits, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import DATA, ROOT, kiosk_command


def kiosk(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return kiosk_command(data_dir, *args, env=env, timeout=120)


def test_help_documents_every_command(tmp_path: Path) -> None:
    out = kiosk(tmp_path, "--help")
    assert out.returncode == 0
    for word in ("campaigns", "simulate", "status", "keys"):
        assert word in out.stdout
    assert kiosk(tmp_path, "--version").stdout.startswith("kiosk ")


def test_campaigns_list_shows_the_shipped_campaigns(tmp_path: Path) -> None:
    out = kiosk(tmp_path, "campaigns", "list", "--json")
    assert out.returncode == 0, out.stderr
    slugs = {c["slug"] for c in json.loads(out.stdout)}
    assert {"defy-trump-expand-sanctuary", "sanctuary-of-safety"} <= slugs


def test_validate_reports_file_field_and_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((DATA / "mini.toml").read_text().replace('state = "IN"', 'state = "ZZ"'))
    out = kiosk(tmp_path, "campaigns", "validate", str(bad), str(DATA / "mini.toml"))
    assert out.returncode == 1
    assert "bad.toml: local[0].state: 'ZZ' is not a two-letter USPS state code" in out.stderr
    assert "ok: " in out.stdout and "mini-test" in out.stdout
    assert "Traceback" not in out.stderr
    # Every problem of the file at once, a line each.
    worse = (
        bad.read_text().replace("goal = ", "goal = -", 1).replace('level = "county"', "level = 1")
    )
    bad.write_text(worse)
    out = kiosk(tmp_path, "campaigns", "validate", str(bad))
    lines = out.stderr.splitlines()
    assert out.returncode == 1 and len(lines) >= 3, out.stderr
    assert all(line.startswith(f"invalid: {bad}: ") for line in lines), out.stderr
    assert f"{bad}: goal: must be at least 1" in out.stderr
    assert f"{bad}: local[0].state: 'ZZ' is not a two-letter USPS state code" in out.stderr
    assert "(and " not in out.stderr  # each is on its own line
    # The file as given, folder and all (two files of one name in two folders stay apart).
    missing = tmp_path / "elsewhere" / "bad.toml"
    out = kiosk(tmp_path, "campaigns", "validate", str(missing), "bad.toml")
    assert out.returncode == 1
    assert out.stderr.splitlines()[0].startswith(f"invalid: {missing}: cannot be read"), out.stderr
    assert out.stderr.splitlines()[1].startswith("invalid: bad.toml: "), out.stderr


def test_import_then_list(tmp_path: Path) -> None:
    out = kiosk(tmp_path, "campaigns", "import", str(DATA / "mini.toml"))
    assert out.returncode == 0, out.stderr
    listed = json.loads(kiosk(tmp_path, "campaigns", "list", "--json").stdout)
    assert "mini-test" in {c["slug"] for c in listed}
    bad = kiosk(tmp_path, "campaigns", "import", str(tmp_path / "nope.toml"))
    assert bad.returncode == 1 and "cannot be read" in bad.stderr


def test_simulate_needs_a_key_and_a_known_campaign(tmp_path: Path) -> None:
    out = kiosk(tmp_path, "simulate", "--signatures", "3")
    assert out.returncode == 1 and "kiosk keys init" in out.stderr
    assert "Traceback" not in out.stderr
    out = kiosk(tmp_path, "simulate", "--signatures", "3", "--campaign", "nope")
    assert out.returncode == 2 and "unknown campaign 'nope'" in out.stderr


def test_keys_init_simulate_and_status(tmp_path: Path) -> None:
    env = {"KIOSK_PASSPHRASE": "a long passphrase"}
    assert kiosk(tmp_path, "keys", "init", env=env).returncode == 0
    again = kiosk(tmp_path, "keys", "init", env=env)
    assert again.returncode == 1 and "already exist" in again.stderr
    out = kiosk(
        tmp_path,
        "simulate",
        "--signatures",
        "25",
        "--seed",
        "4",
        "--campaign",
        "defy-trump-expand-sanctuary",
    )
    assert out.returncode == 0, out.stderr
    status = json.loads(kiosk(tmp_path, "status", "--json").stdout)
    assert status["total"] == 25
    assert status["by_campaign"] == {"defy-trump-expand-sanctuary": 25}
    assert sum(status["by_local_campaign"].values()) > 0  # real ZIPs of the local campaigns' cities
    assert status["by_sync_state"] == {"pending": 25}


def test_the_keys_folder_is_private_to_the_kiosks_user(tmp_path: Path) -> None:
    """docs/deploy-kiosk.md §3: the data folder 700, its files 600; `keys/` was made 755."""
    import stat

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    env = {"KIOSK_PASSPHRASE": "a long passphrase"}
    assert kiosk(tmp_path, "keys", "init", env=env).returncode == 0
    keys = tmp_path / "keys"
    assert mode(tmp_path) == 0o700 and mode(keys) == 0o700
    assert {mode(f) for f in keys.iterdir()} == {0o600}
    keys.chmod(0o755)  # as an older version made it: narrowed at the next command
    assert kiosk(tmp_path, "retention", "show").returncode == 0
    assert mode(keys) == 0o700


def test_short_passphrase_and_no_terminal(tmp_path: Path) -> None:
    out = kiosk(tmp_path, "keys", "init", env={"KIOSK_PASSPHRASE": "short"})
    assert out.returncode == 2 and "at least 8" in out.stderr
    out = kiosk(tmp_path, "keys", "init")
    assert out.returncode == 2 and "KIOSK_PASSPHRASE" in out.stderr


@pytest.mark.parametrize("args", [["simulate"], ["simulate", "--signatures", "x"], ["bogus"]])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    out = kiosk(tmp_path, *args)
    assert out.returncode == 2
    assert "usage:" in out.stderr


@pytest.mark.parametrize("command", [["status"], ["sync"], ["campaigns", "list"]])
def test_a_data_folder_that_cannot_be_used_is_one_line_not_a_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    for folder, why in (
        (a_file, "it is a file, not a folder"),
        (Path("/proc/no-such-folder"), "No such file or directory"),
    ):
        out = kiosk(folder, *command)
        assert out.returncode == 2, out.stderr
        assert out.stderr == f"kiosk: error: cannot use the data folder {folder}: {why}\n"


def test_the_app_with_no_display_says_so(tmp_path: Path) -> None:
    """Over ssh with no display, Qt aborted (exit 134) blaming a missing xcb library."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert out.returncode == 1, out.stderr
    assert out.stderr.startswith("kiosk: error: no display to show the kiosk on: ")
    assert "DISPLAY=:0" in out.stderr and "Traceback" not in out.stderr


def test_a_mistyped_option_shows_its_own_commands_usage(tmp_path: Path) -> None:
    out = kiosk(tmp_path, "export", "pdf", "--campain", "x")
    assert out.returncode == 2
    assert out.stderr.startswith("usage: kiosk export pdf ")
    assert "kiosk export pdf: error: unrecognized arguments: --campain x" in out.stderr
    server = subprocess.run(
        [sys.executable, "-m", "kiosk.server.cli", "stats", "--jsn"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert server.returncode == 2
    assert server.stderr.startswith("usage: kiosk-server stats ")


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = readme.split("```")
    first_block = blocks[1]
    commands = [ln for ln in first_block.splitlines()[1:] if ln.strip() and not ln.startswith("#")]
    assert commands == ["scripts/run.sh", "scripts/test.sh"]
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_public_key_import_for_kiosks_that_never_connect(tmp_path: Path) -> None:
    maker, other = tmp_path / "maker", tmp_path / "other"
    assert (
        kiosk(maker, "keys", "init", env={"KIOSK_PASSPHRASE": "a long passphrase"}).returncode == 0
    )
    pub = maker / "keys" / "org-public.key"
    out = kiosk(other, "keys", "import-public", str(pub))
    assert out.returncode == 0, out.stderr
    shown = kiosk(other, "keys", "show")
    assert "private key: not here" in shown.stdout
    assert shown.stdout.split()[2] == kiosk(maker, "keys", "show").stdout.split()[2]
    # The kiosk can now collect (sealed to the maker's key) but never read back.
    assert (
        kiosk(
            other, "simulate", "--signatures", "2", "--campaign", "sanctuary-of-safety"
        ).returncode
        == 0
    )
    garbage = tmp_path / "garbage.key"
    garbage.write_text("not a key!")
    bad = kiosk(tmp_path / "third", "keys", "import-public", str(garbage))
    assert bad.returncode == 1 and "not a base64 public key" in bad.stderr
    third_key = tmp_path / "third.key"
    assert (
        kiosk(
            tmp_path / "t3", "keys", "init", env={"KIOSK_PASSPHRASE": "another passphrase"}
        ).returncode
        == 0
    )
    third_key.write_bytes((tmp_path / "t3" / "keys" / "org-public.key").read_bytes())
    clash = kiosk(other, "keys", "import-public", str(third_key))
    assert clash.returncode == 1 and "different organization key" in clash.stderr


def test_campaigns_list_never_cuts_a_title(tmp_path: Path) -> None:
    from kiosk.domain.campaign_format import load_campaign_dir

    out = kiosk(tmp_path, "campaigns", "list")
    assert out.returncode == 0, out.stderr
    campaigns, _ = load_campaign_dir(ROOT / "resources" / "campaigns")
    longest = max((c.title.en for c in campaigns), key=len)
    assert len(longest) > 60  # the one that used to lose its end
    assert longest in out.stdout


def _synced_kiosk(data_dir: Path, n: int) -> None:
    from kiosk.app import open_kiosk
    from kiosk.domain.signature import SyncState
    from kiosk.simulate import simulate

    k = open_kiosk(data_dir)
    k.keys.init("a long passphrase")
    metas = simulate(k.service(), "sanctuary-of-safety", n, 1, None, None)
    k.store.mark_signatures([m.id for m in metas], SyncState.SYNCED)
    k.close()


def _sealed_left(data_dir: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(data_dir / "kiosk.db")
    try:
        return int(
            conn.execute(
                "SELECT count(*) FROM signature_sealed WHERE length(sealed) > 0"
            ).fetchone()[0]
        )
    finally:
        conn.close()


def test_retention_show_and_set_delete_nothing_apply_needs_yes_without_a_terminal(
    tmp_path: Path,
) -> None:
    _synced_kiosk(tmp_path, 4)
    bare = kiosk(tmp_path, "retention")
    assert bare.returncode == 2 and "show" in bare.stderr and "apply" in bare.stderr
    assert kiosk(tmp_path, "retention", "set", "immediate").returncode == 0
    shown = kiosk(tmp_path, "retention", "show")
    assert shown.returncode == 0, shown.stderr
    assert "retention policy: immediate" in shown.stdout and "4 synced signatures" in shown.stdout
    assert _sealed_left(tmp_path) == 4  # looking and choosing deleted nothing
    refused = kiosk(tmp_path, "retention", "apply")  # stdin is not a terminal
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert _sealed_left(tmp_path) == 4
    done = kiosk(tmp_path, "retention", "apply", "--yes")
    assert done.returncode == 0 and "personal data of 4 synced" in done.stdout
    assert _sealed_left(tmp_path) == 0
    bad = kiosk(tmp_path, "retention", "set", "forever")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def _in_a_terminal(data_dir: Path, answer: str, *args: str) -> tuple[int, str]:
    """Run `kiosk` with a pseudo-terminal as its stdin and stdout, typing ``answer``."""
    import os
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: become kiosk
        os.execv(
            sys.executable, [sys.executable, "-m", "kiosk.cli", "--data-dir", str(data_dir), *args]
        )
    seen = b""
    typed = False
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if not typed and b"[y/N]" in seen:
            os.write(fd, answer.encode() + b"\n")
            typed = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")


def test_retention_apply_asks_in_a_terminal(tmp_path: Path) -> None:
    _synced_kiosk(tmp_path, 3)
    assert kiosk(tmp_path, "retention", "set", "immediate").returncode == 0
    code, text = _in_a_terminal(tmp_path, "n", "retention", "apply")
    assert "3 synced signatures" in text and "nothing deleted" in text
    assert code == 1 and _sealed_left(tmp_path) == 3
    code, text = _in_a_terminal(tmp_path, "y", "retention", "apply")
    assert code == 0, text
    assert _sealed_left(tmp_path) == 0


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "kiosk.cli", "--data-dir", "{data}", "status"],
        ["-m", "kiosk.cli", "--data-dir", "{data}", "campaigns", "list"],
        ["-m", "kiosk.server.cli", "--data-dir", "{data}", "stats"],
    ],
)
def test_a_reader_that_goes_away_is_not_an_error_with_a_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    """``kiosk status | head`` (a reader that stops early) printed a BrokenPipeError traceback;
    now the command stops quietly with the shell's status for it (141)."""
    import os

    data = str(tmp_path / "data")
    args = [a.replace("{data}", data) for a in command]
    env = dict(os.environ, PYTHONWARNINGS="error")
    if "kiosk.server.cli" in args:
        made = subprocess.run(
            [sys.executable, "-m", "kiosk.server.cli", "--data-dir", data, "migrate"],
            capture_output=True,
            env=env,
            cwd=ROOT,
        )
        assert made.returncode == 0, made.stderr
    proc = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert err == ""


def test_pin_set_replaces_a_forgotten_pin_and_clears_the_lockout(tmp_path: Path) -> None:
    """``kiosk pin set``: volunteers forgot the PIN (and locked it out trying); whoever runs
    commands as the kiosk's user sets a new one, audited; a bad one changes nothing."""
    from kiosk.app import open_kiosk
    from kiosk.domain.audit import AuditAction
    from kiosk.services.pin import PinGate

    k = open_kiosk(tmp_path)
    gate = PinGate(k.store, k.pins, max_tries=2)
    gate.set_pin("1357")
    assert not gate.check("0000").ok and not gate.check("1111").ok
    assert gate.locked_for() > 0
    k.close()

    no_terminal = kiosk(tmp_path, "pin", "set")
    assert no_terminal.returncode == 2 and "KIOSK_NEW_PIN" in no_terminal.stderr
    for bad in ("12", "12a4", "1234567890123", "١٢٣٤"):
        out = kiosk(tmp_path, "pin", "set", env={"KIOSK_NEW_PIN": bad})
        assert out.returncode == 2 and "4 to 12 digits" in out.stderr, bad
    out = kiosk(tmp_path, "pin", "set", env={"KIOSK_NEW_PIN": "24680"})
    assert out.returncode == 0, out.stderr
    assert "staff PIN changed" in out.stdout

    k = open_kiosk(tmp_path)
    try:
        gate = PinGate(k.store, k.pins)
        assert gate.locked_for() == 0
        assert not gate.check("1357").ok
        assert gate.check("24680").ok
        entries = k.store.audit_entries(after_seq=0, limit=1000)
        assert [e.action for e in entries].count(AuditAction.PIN_SET.value) == 1
        assert "24680" not in json.dumps([e.detail for e in entries])
    finally:
        k.close()
