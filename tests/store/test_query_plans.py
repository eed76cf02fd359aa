"""The queries on the hot paths use an index, whatever statistics SQLite has (or lacks).

Read with ``EXPLAIN QUERY PLAN`` on a store with signatures in several campaigns, before and
after ``ANALYZE``: a plan that scans a table, or that walks the signatures of a campaign to
answer a duplicate check, fails here (see FIELD-NOTES: without statistics SQLite drove the
duplicate check's join from the wrong table, 119 ms on 200,000 signatures instead of 0.05 ms).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from kiosk.domain.campaign import TextVersion
from kiosk.domain.signature import SealedSignature, SignatureMeta
from kiosk.store.sql import SqlStore, open_store
from tests.helpers import mini_campaign


def _fill(store: SqlStore, n: int) -> None:
    version: TextVersion = mini_campaign().current_version()
    rng = random.Random(1)
    from datetime import UTC, datetime

    items = []
    for i in range(n):
        meta = SignatureMeta(
            uuid.uuid4(),
            rng.choice(["mini-test", "other", "third"]),
            None,
            version.hash,
            "en",
            "k1",
            None,
            datetime(2026, 11, 1, tzinfo=UTC),
            0,
            False,
        )
        items.append((SealedSignature(meta, b"x", (f"{i:064x}", f"{i + n:064x}")), version))
    store.add_many(items)


@pytest.fixture(params=["no statistics", "analyzed"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    s = open_store(tmp_path / "kiosk.db")
    _fill(s, 3000)
    if request.param == "analyzed":
        with s.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    yield s
    s.close()


def _plans(store: SqlStore, call: Any) -> list[tuple[str, list[str]]]:
    """Run ``call`` and return each SELECT it sent with that statement's query plan."""
    sent: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", grab)
    try:
        call()
    finally:
        event.remove(store.engine, "before_cursor_execute", grab)
    out = []
    with store.engine.connect() as conn:
        for statement, params in sent:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
            out.append((statement, [r[-1] for r in rows]))
    return out


def _searches_only(statement: str, plan: list[str]) -> None:
    assert plan, statement
    for step in plan:
        if step.startswith("CORRELATED SCALAR SUBQUERY"):
            continue  # a heading: its own steps follow (the sealed blob, by its rowid)
        assert step.startswith("SEARCH") and "USING" in step, (statement, plan)


def test_duplicate_check_starts_from_the_dedupe_key(store: SqlStore) -> None:
    plans = _plans(store, lambda: store.has_dedupe_key("mini-test", (f"{5:064x}", f"{7:064x}")))
    assert len(plans) == 2
    (first, plan1), (second, plan2) = plans
    _searches_only(first, plan1)
    assert all("dedupe_keys" in p and "(key=?)" in p for p in plan1), plan1
    _searches_only(second, plan2)
    assert all("INTEGER PRIMARY KEY" in p for p in plan2), plan2


def test_outbox_reads_use_the_sync_index(store: SqlStore) -> None:
    plans = _plans(store, lambda: store.pending_signatures(500))
    assert plans
    for statement, plan in plans:
        _searches_only(statement, plan)
        assert any("ix_signatures_sync" in p for p in plan), plan


def test_duplicate_check_answers(store: SqlStore) -> None:
    keys = (f"{5:064x}",)
    with store.engine.connect() as conn:
        campaign = conn.exec_driver_sql("SELECT campaign FROM signatures WHERE seq = 6").scalar()
    assert store.has_dedupe_key(str(campaign), keys)
    others = {"mini-test", "other", "third"} - {campaign}
    assert not any(store.has_dedupe_key(c, keys) for c in others)
    assert not store.has_dedupe_key(str(campaign), (f"{99999:064x}",))
