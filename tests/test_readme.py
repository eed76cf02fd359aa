"""The README's command blocks run as written, in order, as a newcomer would run them.

Every ```sh block after the first (the set-up commands `scripts/run.sh` and `scripts/test.sh`,
which this suite is run by) is joined into one bash script and run from the repository with
`set -euo pipefail`, in a temporary HOME (so every data folder and the exports folder are new)
and without any KIOSK_* variable. What the test adds, and only that:

- the coordinator passphrase typed at the README's prompt (on standard input);
- after the line that starts the server in the background, a wait until it answers (a person
  typing the next command is slower than a script), and stopping it at the end;
- a free port instead of 8765 (tests run in parallel on this machine);
- lines that need hardware (a printer: `lp`, `lpadmin`) are left out; there are none today.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.server.live import free_port

PASSPHRASE = "a newcomer's passphrase"
_HARDWARE = re.compile(r"^\s*(\S*/)?(lp|lpadmin|lpstat)\s")


def readme_blocks(text: str) -> list[list[str]]:
    """The README's ```sh blocks, each as its command lines (continuations joined, comment
    lines dropped)."""
    blocks = []
    for body in re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M):
        lines: list[str] = []
        pending = ""
        for raw in body.splitlines():
            if not pending and (not raw.strip() or raw.lstrip().startswith("#")):
                continue
            if raw.endswith("\\"):
                pending += raw[:-1] + " "
                continue
            lines.append(pending + raw)
            pending = ""
        blocks.append(lines)
    return blocks


def _starts_server(line: str) -> bool:
    code = line.split(" #", 1)[0].rstrip()
    return "kiosk-server serve" in code and code.endswith("&")


def readme_script(text: str, port: int) -> str:
    """The README's commands after the set-up block, as one script."""
    blocks = readme_blocks(text)
    out = ["set -euo pipefail", "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT"]
    for line in (ln for block in blocks[1:] for ln in block):
        if _HARDWARE.match(line):
            continue
        line = line.replace("8765", str(port))
        out.append(f"echo '+ {line.replace(chr(39), chr(39) + chr(92) + chr(39) + chr(39))}' >&2")
        out.append(line)  # as written: the README waits for its server itself
    return "\n".join(out) + "\n"


def test_each_server_started_in_the_background_is_waited_for() -> None:
    """A newcomer pastes a block at once: the command after ``serve ... &`` ran before the
    server listened (the script below once added the wait the README lacked)."""
    lines = [ln for block in readme_blocks((ROOT / "README.md").read_text()) for ln in block]
    starts = [i for i, ln in enumerate(lines) if _starts_server(ln)]
    assert starts
    for i in starts:
        assert "/api/v1/health" in lines[i + 1] and "break" in lines[i + 1], lines[i + 1]


def test_the_first_block_is_the_two_set_up_commands() -> None:
    blocks = readme_blocks((ROOT / "README.md").read_text())
    assert blocks[0] == ["scripts/run.sh", "scripts/test.sh"]
    assert len(blocks) >= 3


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="the README uses curl")
def test_every_readme_command_runs_as_written_in_a_fresh_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    script = readme_script((ROOT / "README.md").read_text(), port)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KIOSK_", "XDG_")) and k != "PYTHONPATH"
    }
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    before = set(os.listdir(ROOT))
    run = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env=env,
        input=PASSPHRASE + "\n",
        capture_output=True,
        text=True,
        timeout=900,
    )
    tail = run.stdout[-3000:] + "\n---\n" + run.stderr[-5000:]
    assert run.returncode == 0, tail
    assert "Traceback" not in run.stderr, tail
    # What the README promised: the kiosk synced its 100 signatures, and the exports were made
    # in the exports folder (not in the repository), each marked as test data.
    assert "created 100" in run.stdout, tail
    exports = home / "PetitionKiosk-exports"
    made = sorted(p.name for p in exports.iterdir())
    assert any(n.endswith(".pdf") and "-server-" not in n for n in made), made
    assert any(n.endswith(".csv") and "-server-" not in n for n in made), made
    assert any(n.endswith(".pdf") and "-server-" in n for n in made), made
    assert "from-the-api.csv" in made
    from pypdf import PdfReader

    for name in made:
        if name.endswith(".pdf"):
            for page in PdfReader(exports / name).pages:
                assert "TEST DATA, not signatures" in page.extract_text(), name
    assert set(os.listdir(ROOT)) == before  # nothing written into the repository
