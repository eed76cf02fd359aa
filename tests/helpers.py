"""Test helpers: a test campaign, a drawn signature, a valid entry."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.domain.campaign import Campaign
from kiosk.domain.campaign_format import load_campaign_file
from kiosk.domain.ink import Ink, Point
from kiosk.domain.validation import SignerEntry
from kiosk.simulate import human_strokes

if TYPE_CHECKING:
    import pytest

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent


def mini_campaign() -> Campaign:
    """The small test campaign in tests/data/mini.toml."""
    return load_campaign_file(DATA / "mini.toml")


def ink(seed: int = 1) -> Ink:
    """A human-like signature."""
    return human_strokes(random.Random(seed))


def dot() -> Ink:
    """A one-dot 'signature' that must never be accepted."""
    return Ink(800, 300, ((Point(10, 10, 0),),))


def entry(**over: object) -> SignerEntry:
    """A valid entry for the mini campaign, with fields overridden."""
    base = dict(
        first_name="José",
        last_name="Núñez",
        zip="47708",
        email="jose@example.org",
        phone="+1 612 555 0134",
    )
    base.update(over)
    return SignerEntry(**base)  # type: ignore[arg-type]


def checkpoint_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the name of the thread every WAL checkpoint
    (:class:`kiosk.adapters.sqlite_wal.Checkpointer`) runs on, in the list returned."""
    from kiosk.adapters.sqlite_wal import Checkpointer

    ran_on: list[str] = []
    real = Checkpointer.checkpoint

    def spy(self: Checkpointer) -> None:
        ran_on.append(threading.current_thread().name)
        real(self)

    monkeypatch.setattr(Checkpointer, "checkpoint", spy)
    return ran_on


def kiosk_command(
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``kiosk --data-dir DIR ARGS`` in a child process, as a person would at a shell: no
    standard input, the caller's ``KIOSK_PASSPHRASE`` left out unless ``env`` gives one.

    Args:
        data_dir: the kiosk's data folder.
        args: the command and its options.
        env: variables to add to (or replace in) the environment.
        timeout: seconds before giving up.
    """
    full = {k: v for k, v in os.environ.items() if k != "KIOSK_PASSPHRASE"}
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=full,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
