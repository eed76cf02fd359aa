"""Quick, read-only commands import only what they use (issue #13).

``kiosk status`` reads the store file read-only with :mod:`sqlite3`: no SQLAlchemy, no
migrations, no HTTP client, no sync engine built only to report its state. ``kiosk --help``
loads no more than argparse and the package. The figures are in ``bench`` (``python -m bench
scale``); here, which modules a fresh interpreter loaded.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app import open_kiosk
from kiosk.cli import _status_doc
from tests.helpers import entry, ink

HEAVY = (
    "sqlalchemy",
    "alembic",
    "httpx",
    "kiosk.sync.engine",
    "kiosk.sync.client",
    "numpy",
    "PySide6",
    "reportlab",
    "kiosk.store.sql",
    "kiosk.domain.ports",
    "kiosk.domain.ink",
)

_PROBE = """
import io, json, sys, contextlib
from kiosk.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
heavy = sorted({m.split(".")[0] if not m.startswith("kiosk.") else m for m in sys.modules
                if m.startswith(%r)})
print(json.dumps({"code": code, "out": out.getvalue(), "heavy": heavy}))
""" % (HEAVY,)


def _probe(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    kiosk = open_kiosk(tmp_path)
    kiosk.keys.init("a long passphrase")
    s = kiosk.service()
    rally = kiosk.services().events.save("Rally at the park", "Evansville")
    for i, name in enumerate(("Ana", "Luis", "Sofía")):
        local = s.route("defy-trump-expand-sanctuary", "47708")
        s.submit(
            "defy-trump-expand-sanctuary",
            local.slug if local else None,
            entry(first_name=name),
            ink(i),
            "en",
            event_id=rally.id if i else None,
        )
    kiosk.close()
    return tmp_path


def test_status_reads_the_store_without_sqlalchemy_or_the_sync_engine(store_dir: Path) -> None:
    got = _probe("--data-dir", str(store_dir), "status", "--json")
    assert got["code"] == 0 and got["heavy"] == []
    doc = json.loads(str(got["out"]))
    assert doc["total"] == 3 and doc["pending"] == 3 and doc["has_organization_key"]
    assert doc["sync"]["server_url"] is None
    kiosk = open_kiosk(store_dir)  # the same document as from the opened store
    try:
        assert doc == json.loads(
            json.dumps(_status_doc(kiosk.data_dir, kiosk.kiosk_id, kiosk.store))
        )
    finally:
        kiosk.close()


def test_status_names_each_event_with_its_count(store_dir: Path) -> None:
    """``kiosk status`` printed counts by campaign and local campaign only, and its JSON had
    events as ids, with ``""`` for signatures of no event: it now names each event (a name
    typed on the kiosk, printed without control characters, which an older version let in)
    and counts the rest apart."""
    db = sqlite3.connect(store_dir / "kiosk.db")
    with db:
        db.execute("UPDATE events SET name = 'Rally\x1b[2J at the park'")
    db.close()
    got = _probe("--data-dir", str(store_dir), "status")
    assert got["code"] == 0
    lines = str(got["out"]).splitlines()
    at = lines.index("events:")
    assert lines[at + 1].startswith("  Rally\ufffd[2J at the park, Evansville (20")
    assert lines[at + 1].endswith("): 2")
    assert lines[at + 2] == "  no event: 1"
    assert "sync states: pending 3" in lines
    doc = json.loads(str(_probe("--data-dir", str(store_dir), "status", "--json")["out"]))
    assert doc["no_event"] == 1
    assert [(e["name"], e["location"], e["signatures"]) for e in doc["events"]] == [
        ("Rally\x1b[2J at the park", "Evansville", 2)
    ]


def test_status_of_a_new_folder_still_opens_the_kiosk(tmp_path: Path) -> None:
    got = _probe("--data-dir", str(tmp_path / "new"), "status", "--json")
    assert got["code"] == 0
    assert json.loads(str(got["out"]))["total"] == 0
    assert (tmp_path / "new" / "kiosk.db").is_file()


def test_help_loads_nothing_heavy(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from kiosk.cli import build_parser; build_parser();"
            " print(sorted(m for m in sys.modules if m.startswith(%r)))" % (HEAVY,),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr
