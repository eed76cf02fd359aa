"""Migration 0014 gives a database the console's covering index whatever 0011 left: 0011 was
edited after it landed (``ix_signatures_campaign_created`` on ``(campaign, created_at)`` became
a covering index), so a database migrated with the first 0011 has the narrow one."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, text

from kiosk.server import migrate

NAME = "ix_signatures_campaign_created"
COVERING = [
    "campaign",
    "created_at",
    "utc_offset_minutes",
    "synthetic",
    "local_campaign",
    "event_id",
    "device_id",
]


def _columns(engine: Engine) -> list[str] | None:
    for ix in inspect(engine).get_indexes("signatures"):
        if ix["name"] == NAME:
            return [str(c) for c in ix["column_names"]]
    return None


@pytest.mark.parametrize("before", ["first-0011", "missing", "covering"])
def test_0014_makes_the_covering_index(engine: Engine, before: str) -> None:
    assert _columns(engine) == COVERING  # what the models and the edited 0011 make
    migrate.downgrade(engine, "0012")
    with engine.begin() as conn:
        if before != "covering":
            conn.execute(text(f"DROP INDEX {NAME}"))
        if before == "first-0011":  # the index exactly as the first 0011 made it
            conn.execute(text(f"CREATE INDEX {NAME} ON signatures (campaign, created_at)"))
    assert (
        _columns(engine)
        == {
            "first-0011": ["campaign", "created_at"],
            "missing": None,
            "covering": COVERING,
        }[before]
    )
    assert migrate.upgrade(engine) == ("0012", migrate.head_revision())
    assert _columns(engine) == COVERING
    # Running it again changes nothing (idempotent on both databases).
    migrate.downgrade(engine, "0012")
    assert _columns(engine) == COVERING
    migrate.upgrade(engine)
    assert _columns(engine) == COVERING
