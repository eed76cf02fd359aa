"""Signatures the server refuses (``rejected``: a campaign it does not know) stay pending on the
kiosk and go through at a later sync, once the campaign is imported (issue #11 item 11); against
a real ``kiosk-server`` process, SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from kiosk.app import Kiosk
from tests.sync.helpers import ServerHandle, fill, import_shipped


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
    import_shipped(server.db)
    report = engine.run_once()
    assert report.ok, report.error_detail
    assert report.created == 30 and report.rejected == 0
    assert kiosk.store.pending_count() == 0
