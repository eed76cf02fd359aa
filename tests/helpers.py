"""Test helpers: a test campaign, a drawn signature, a valid entry."""

from __future__ import annotations

import random
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
