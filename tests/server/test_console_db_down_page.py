"""Console and rally pages while the database does not answer: the console's own page, in the
reader's language, with ``Retry-After`` (it was the API's JSON body, shown raw in the browser);
the API, the rally figures and the event stream keep the JSON ``database_unavailable``.

A real server process on a real PostgreSQL database closed to connections, every connection
terminated (a PostgreSQL restart, as the server sees it).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tests.server.helpers import (
    create_pg_database,
    cut_off_pg_database,
    drop_pg_database,
    pg_admin_url,
    reopen_pg_database,
)
from tests.server.live import LiveServer


@pytest.mark.postgres
def test_console_pages_say_the_database_is_down_in_words(tmp_path: Path) -> None:
    url = create_pg_database(pg_admin_url(), "kiosk_pagedown_")
    name = make_url(url).database
    admin = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with LiveServer(database_url=url, data_dir=tmp_path) as server:
            server.import_campaigns(
                Path(__file__).resolve().parents[2]
                / "resources"
                / "campaigns"
                / "sanctuary-of-safety.toml"
            )
            cut_off_pg_database(admin, name)
            base = server.base_url
            for path, lang, words in (
                ("/console/", "en", "The database is not answering right now"),
                ("/console/kiosks", "es", "La base de datos no responde"),
                ("/rally/sanctuary-of-safety", "en", "The database is not answering right now"),
            ):
                r = httpx.get(base + path, headers={"Accept-Language": lang}, timeout=30)
                assert r.status_code == 503, (path, r.text)
                assert r.headers["content-type"].startswith("text/html"), (path, r.text)
                assert words in r.text and r.headers["retry-after"] == "5", (path, r.text)
            for path in ("/api/v1/health", "/rally/sanctuary-of-safety.json"):
                r = httpx.get(base + path, timeout=30)
                assert r.status_code == 503, (path, r.text)
                assert r.json()["error"] == "database_unavailable", (path, r.text)
    finally:
        reopen_pg_database(admin, name)
        admin.dispose()
        drop_pg_database(pg_admin_url(), url)
