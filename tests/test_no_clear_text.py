"""A lost kiosk gives up no signer: no name, email, phone or ZIP is on disk in clear.

Signatures with known, distinctive personal data are saved through the real signing service;
then every file under the data directory (database, WAL, shared memory, keys, logs, temporary
files) is searched for each value. The same after a child process is killed mid-write.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from kiosk.app import open_kiosk
from kiosk.domain.signature import PersonalData
from tests.helpers import entry, ink

SECRETS = [
    dict(
        first_name="Xochiquetzal",
        last_name="Quispehuamán",
        email="xochi.q@example.org",
        phone="+1 612 555 0177",
        zip="47708",
    ),
    dict(
        first_name="Nguyễn",
        last_name="Thịthảo",
        email="thao.nguyen7@example.net",
        phone="+1 812 555 0143",
        zip="63105",
    ),
    dict(
        first_name="محمد",
        last_name="Zubayrovich",
        email="m.zubayr@example.com",
        phone="+1 806 555 0122",
        zip="79401",
    ),
]


def _needles(values: dict[str, str]) -> list[bytes]:
    out = []
    for key in ("first_name", "last_name", "email", "zip"):
        out.append(values[key].encode("utf-8"))
        out.append(values[key].encode("utf-16-le"))
    digits = values["phone"].replace(" ", "")
    out.append(digits.encode())  # as typed, and as E.164 without the +
    out.append(digits.removeprefix("+").encode())
    return out


def _found(needle: bytes, data: bytes) -> bool:
    """Whether ``needle`` is in ``data``. A needle of digits (a ZIP, a phone number) that
    stands only inside longer runs of hex digits is not one: the store keeps random hex in
    clear (ids, hashes, the dedupe secret), and one CI run failed on a dedupe secret that read
    ``...6c0794010b...``. Anywhere else (beside a quote, a letter that is not hex, a separator,
    at either end) it is found."""
    if not needle.isdigit():
        return needle in data
    hexdigits = b"0123456789abcdefABCDEF"
    at = data.find(needle)
    while at != -1:
        end = at + len(needle)
        inside_hex = (at > 0 and data[at - 1] in hexdigits) or (
            end < len(data) and data[end] in hexdigits
        )
        if not inside_hex:
            return True
        at = data.find(needle, at + 1)
    return False


def _hits(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for f in root.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            found += [f"{f.name}: {n!r}" for n in needles if _found(n, data)]
    return found


def test_a_digit_needle_is_found_unless_only_inside_hex() -> None:
    assert _found(b"79401", b'{"zip":"79401"}')
    assert _found(b"79401", b"79401")
    assert _found(b"79401", b"zip=79401;")
    assert _found(b"79401", b"6c0794010b 79401")  # one inside hex, one not
    assert not _found(b"79401", b"dedupe_secret6c0794010b7979d1")
    assert _found(b"Ana", b"xAnax")  # other needles: anywhere, as before


def test_nothing_personal_in_clear_after_saving(tmp_path: Path) -> None:
    kiosk = open_kiosk(tmp_path)
    kiosk.keys.init("coordinator passphrase")
    service = kiosk.service()
    metas = [
        service.submit(
            "defy-trump-expand-sanctuary",
            None,
            entry(**s),
            ink(i),
            "en",
            consent_text="Send me updates",
        )
        for i, s in enumerate(SECRETS)
    ]
    # Still there for whoever holds the passphrase:
    opener = kiosk.keys.unlock("coordinator passphrase")
    stored = kiosk.store.get(metas[0].id)
    assert (
        PersonalData.from_bytes(opener.open(stored.signature.sealed)).first_name == "Xochiquetzal"
    )
    needles = [n for s in SECRETS for n in _needles(s)]
    assert _hits(tmp_path, needles) == []  # WAL not yet checkpointed: searched as is
    kiosk.close()
    assert _hits(tmp_path, needles) == []  # after the checkpoint on close


def test_nothing_personal_in_clear_after_a_crash_mid_write(tmp_path: Path) -> None:
    open_kiosk(tmp_path).keys.init("coordinator passphrase")
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})
        from kiosk.app import open_kiosk
        from tests.helpers import entry, ink
        from tests.test_no_clear_text import SECRETS
        kiosk = open_kiosk({str(tmp_path)!r})
        service = kiosk.service()
        for i, s in enumerate(SECRETS):
            service.submit("defy-trump-expand-sanctuary", None, entry(**s), ink(i), "en")
        print("saved", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "saved" in proc.stdout
    assert (tmp_path / "kiosk.db-wal").exists()  # killed before any checkpoint
    needles = [n for s in SECRETS for n in _needles(s)]
    assert _hits(tmp_path, needles) == []
    kiosk = open_kiosk(tmp_path)
    try:
        assert kiosk.store.counts().total == 3
    finally:
        kiosk.close()


def test_data_folder_is_private_to_the_kiosk_user(tmp_path: Path) -> None:
    root = tmp_path / "data"
    kiosk = open_kiosk(root)
    kiosk.close()
    assert root.stat().st_mode & 0o777 == 0o700
    assert (root / "kiosk.db").stat().st_mode & 0o777 == 0o600
