"""``kiosk simulate``: unique synthetic signers at any count, saved in batches."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from kiosk.adapters.geo import ZipcodesDirectory
from kiosk.simulate import FIRST_NAMES, LAST_NAMES, capacity, synthetic_entries
from tests.helpers import mini_campaign
from tests.test_cli import kiosk


def _key(first: str, last: str, zip_code: str) -> tuple[str, str]:
    """What the duplicate hint compares: the normalised name and the 5-digit ZIP."""
    name = " ".join(unicodedata.normalize("NFKC", f"{first} {last}").casefold().split())
    return name, zip_code[:5]


def test_signers_stay_unique_past_the_plain_name_and_zip_combinations() -> None:
    campaign = mini_campaign()
    directory = ZipcodesDirectory()
    plain = len(FIRST_NAMES) * len(LAST_NAMES) * 7  # what a random draw of one name each made
    entries = synthetic_entries(campaign, directory, random.Random(3))
    seen = set()
    for _ in range(plain + 400):
        entry, _ink, _lang = next(entries)
        seen.add(_key(entry.first_name, entry.last_name, entry.zip))
    assert len(seen) == plain + 400
    assert capacity(campaign, directory) > 1_000_000


def test_too_many_is_said_at_once_and_nothing_is_saved(tmp_path: Path) -> None:
    assert (
        kiosk(tmp_path, "keys", "init", env={"KIOSK_PASSPHRASE": "a long passphrase"}).returncode
        == 0
    )
    out = kiosk(
        tmp_path,
        "simulate",
        "--signatures",
        str(10**12),
        "--campaign",
        "defy-trump-expand-sanctuary",
    )
    assert out.returncode == 2 and "at most" in out.stderr and "unique synthetic" in out.stderr
    assert "Traceback" not in out.stderr
    import json

    assert json.loads(kiosk(tmp_path, "status", "--json").stdout)["total"] == 0


@pytest.mark.parametrize("batch", [1, 7])
def test_two_runs_with_one_seed_make_new_signers(tmp_path: Path, batch: int) -> None:
    from kiosk.adapters.crypto import KeyFolder
    from kiosk.app import open_kiosk
    from kiosk.simulate import simulate

    KeyFolder(tmp_path / "keys").init("a long passphrase")
    app = open_kiosk(tmp_path)
    try:
        service = app.service()
        slug = "defy-trump-expand-sanctuary"
        reported = []
        first = simulate(service, slug, 30, seed=5, batch=batch, on_saved=reported.append)
        second = simulate(service, slug, 30, seed=5, batch=batch)
        assert len(first) == len(second) == 30
        assert reported == first
        ids = {m.id for m in first} | {m.id for m in second}
        assert len(ids) == 60
        assert app.store.counts().by_campaign == {slug: 60}
    finally:
        app.close()


def test_simulated_signers_in_spanish_agreed_to_the_spanish_consent(tmp_path: Path) -> None:
    """Audit (newcomer): every simulated signer carried the English consent wording, the
    Spanish ones too; the app records the wording the signer saw, in their language."""
    import csv
    import io

    from kiosk.app import open_kiosk

    env = {"KIOSK_PASSPHRASE": "a long passphrase"}
    assert kiosk(tmp_path, "keys", "init", env=env).returncode == 0
    slug = "defy-trump-expand-sanctuary"
    out = kiosk(tmp_path, "simulate", "--signatures", "40", "--campaign", slug, "--seed", "1")
    assert out.returncode == 0, out.stderr
    app = open_kiosk(tmp_path)
    try:
        wording = app.catalog.get(slug).consent
    finally:
        app.close()
    assert wording is not None and wording.es and wording.es != wording.en
    made = tmp_path / "c.csv"
    out = kiosk(
        tmp_path,
        "export",
        "csv",
        "--campaign",
        slug,
        "--include-synthetic",
        "--out",
        str(made),
        env=env,
    )
    assert out.returncode == 0, out.stderr
    lines = made.read_text("utf-8").splitlines()
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))  # after the TEST DATA line
    consents = {(r["language"], r["consent_text"]) for r in rows if r["consent_text"]}
    assert consents == {("en", wording.en), ("es", wording.es)}, consents
