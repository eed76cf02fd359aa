"""What a Spanish-speaking coordinator met walking the console in Spanish (``?lang=es``), over
real HTTP: English left on a Spanish page (the campaigns' text versions titled in English)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from tests.server.coord_support import sign_in
from tests.server.helpers import InProcessServer
from tests.server.test_console import account

SAFETY_EN = "Tell U.S. Mayors: Declare Your City a Sanctuary of Safety! #HereToStay"
SAFETY_ES = "Dígales a los alcaldes de EE. UU.: ¡Declaren su ciudad santuario de seguridad!"


@pytest.fixture
def web(settings: ServerSettings, engine: Engine) -> Iterator[httpx.Client]:
    with (
        InProcessServer(create_app(settings, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=30) as c,
    ):
        yield c


def _spanish_admin(web: httpx.Client, engine: Engine) -> None:
    account(engine, "ana@example.org", "admin")
    assert sign_in(web, "ana@example.org").status_code == 303
    assert web.get("/console/?lang=es").status_code == 200


def test_text_versions_are_titled_in_the_pages_language(web: httpx.Client, engine: Engine) -> None:
    """Each campaign's "Versiones del texto" table titled every version in English."""
    _spanish_admin(web, engine)
    page = html.unescape(web.get("/console/campaigns").text)
    versions = re.findall(r'<tbody><tr><th scope="row">([^<]+)<br>', page)
    assert versions and SAFETY_ES in page, versions
    assert SAFETY_EN not in page
    assert SAFETY_EN in html.unescape(web.get("/console/campaigns?lang=en").text)
