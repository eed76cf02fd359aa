"""Signatures the server refuses (``rejected``: a campaign it does not know) stay pending on the
kiosk and go through at a later sync, once the campaign is imported (issue #11 item 11); against
a real ``kiosk-server`` process, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import text

from kiosk.app import Kiosk
from kiosk.simulate import simulate
from kiosk.wire import CONTROL_RE
from tests.sync.helpers import ServerHandle, fill, import_shipped, kiosk_cli


def test_signatures_of_a_campaign_the_server_lacks_stay_pending_until_it_is_imported(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    ids = fill(kiosk, 30)
    stored = kiosk.store.get(ids[0])
    assert stored is not None
    slug = stored.signature.meta.campaign
    with server.db.begin() as conn:
        conn.execute(text("DELETE FROM campaigns WHERE slug = :slug"), {"slug": slug})
    engine = kiosk.sync_engine()
    engine.enroll(server.base_url, server.code(), name="Test kiosk")
    report = engine.run_once()
    assert report.rejected == 30 and report.created == 0
    assert kiosk.store.pending_count() == 30
    assert server.ids() == set()
    snap = engine.snapshot()  # staff mode says why the count does not go down (kept on disk)
    assert snap.refused == 30 and len(snap.refused_reasons) == 1
    assert slug in snap.refused_reasons[0]
    import_shipped(server.db)
    report = engine.run_once()
    assert report.ok, report.error_detail
    assert report.created == 30 and report.rejected == 0
    assert kiosk.store.pending_count() == 0
    assert engine.snapshot().refused == 0 and engine.snapshot().refused_reasons == ()


def test_kiosk_sync_says_which_signatures_were_refused_and_why(
    kiosk: Kiosk, server: ServerHandle
) -> None:
    """A kiosk whose clock was years behind when signers signed: the server refuses those
    signatures at every sync. ``kiosk sync`` used to print "sent 3, created 0 ... pending: 3"
    and exit 0, saying neither that they were refused nor why; it now says both (found
    2026-12-05 by an outside test), and exits 1 so that a script sees the pass left them."""
    kiosk.clock = lambda: datetime(2018, 9, 18, 13, 0, tzinfo=UTC)
    saved = simulate(kiosk.service(), "defy-trump-expand-sanctuary", 3, 1, None, lambda m: None)
    assert len(saved) == 3
    kiosk.close()
    enrolled = kiosk_cli(
        kiosk.data_dir, "enroll", "--server", server.base_url, "--code", server.code()
    )
    assert enrolled.returncode == 0, enrolled.stderr
    out = kiosk_cli(kiosk.data_dir, "sync")
    assert out.returncode == 1, out.stderr
    assert "sent 3, created 0" in out.stdout and "pending: 3" in out.stdout
    assert "the server refused 3 signatures; they stay pending" in out.stderr, out.stderr
    assert "3 of them: created_at is before 2020" in out.stderr, out.stderr
    assert (
        "kiosk: error: sync incomplete: 3 signatures stay pending (3 refused by the server, "
        "0 not acknowledged, 0 not sendable); 3 still pending"
    ) in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    again = kiosk_cli(kiosk.data_dir, "sync", "--json")
    assert again.returncode == 1
    report = json.loads(again.stdout)
    assert report["ok"] is True and report["complete"] is False
    assert report["rejected"] == 3
    assert list(report["rejected_reasons"].values()) == [3]
    assert server.ids() == set()


def test_a_servers_reasons_are_counted_bounded_and_without_control_characters() -> None:
    """The reasons come from the server (hostile input) and end up on a terminal and in the
    log: an escape sequence or a bidi override is replaced, and a server wording each refusal
    differently keeps at most ten."""
    from kiosk.sync.engine import _MAX_REJECTED_REASONS, _count_reasons
    from kiosk.wire import SignatureResult

    def refused(reason: str | None) -> SignatureResult:
        return SignatureResult(id=uuid.uuid4(), status="rejected", reason=reason)

    counted: dict[str, int] = {}
    _count_reasons(
        [
            refused("\x1b[2J\x1b]0;pwned\x07unknown campaign"),
            refused("\u202eerutangis"),
            refused(None),
            SignatureResult(id=uuid.uuid4(), status="created"),
            *[refused(f"reason {i}") for i in range(20)],
        ],
        counted,
    )
    assert counted["\ufffd[2J\ufffd]0;pwned\ufffdunknown campaign"] == 1
    assert counted["\ufffderutangis"] == 1 and counted["no reason given"] == 1
    assert len(counted) == _MAX_REJECTED_REASONS
    assert not any(CONTROL_RE.search(reason) for reason in counted)
