"""What a Spanish-speaking coordinator met walking the console in Spanish (``?lang=es``), over
real HTTP: English left on a Spanish page, days and numbers written the English way ("11-06",
the 11th of June to a Spanish reader), and Spanish that did not agree with itself."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import Engine, insert

from kiosk.server import coordinators
from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.console.i18n import audit_action, day_label, translate
from kiosk.server.console.jobs import JOBS
from kiosk.server.db import write_transaction
from tests.server.coord_support import csrf_of, sign_in
from tests.server.helpers import InProcessServer
from tests.server.live import REPO_ROOT
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


def test_chart_days_spell_their_month() -> None:
    assert day_label("es", date(2026, 11, 6)) == "6 nov"
    assert day_label("en", date(2026, 11, 6)) == "Nov 6"
    assert day_label("es", date(2026, 1, 31)) == "31 ene"


def test_the_day_chart_is_labelled_in_spanish(web: httpx.Client, engine: Engine) -> None:
    """The day chart's labels read "11-06" (month-day) on the Spanish page."""
    _spanish_admin(web, engine)
    page = web.get("/console/campaign/sanctuary-of-safety").text
    labels = re.findall(r'class="tick">([^<]+)</text>', page)
    assert not [x for x in labels if re.fullmatch(r"\d\d-\d\d", x)], labels
    months = "ene|feb|mar|abr|may|jun|jul|ago|sep|oct|nov|dic"
    days = [x for x in labels if re.fullmatch(rf"\d{{1,2}} ({months})", x)]
    assert len(days) == 6, labels  # one label every 5 of the 30 days
    titles = re.findall(r"<rect [^>]*><title>([^<]+)</title>", page)
    assert any(re.fullmatch(rf"\d{{1,2}} ({months}): \d+", x) for x in titles), titles[-3:]


def test_a_finished_exports_count_is_written_as_the_page_writes_numbers(
    web: httpx.Client, engine: Engine
) -> None:
    """A finished export said "lista · 1500 firmas" on a page that writes 31,181."""
    token = account(engine, "ana@example.org", "admin")
    assert sign_in(web, "ana@example.org").status_code == 303
    with write_transaction(engine) as conn:
        conn.execute(
            insert(JOBS).values(
                id="a" * 32,
                coordinator_id=coordinators.authenticate(conn, token).id,
                kind="csv",
                params={"campaign": "sanctuary-of-safety"},
                state="done",
                done=1,
                total=1,
                message="1500",
                filename="sanctuary-of-safety.csv",
                result=b"x",
                created_at=datetime.now(UTC),
            )
        )
    assert "lista · 1,500 firmas" in web.get("/console/exports?lang=es").text
    assert "ready · 1,500 signatures" in web.get("/console/exports?lang=en").text


def test_publishing_in_spanish_agrees_with_itself(web: httpx.Client, engine: Engine) -> None:
    """ "duluth-sanctuary: publicada por primera vez. Los quioscos lo reciben": the campaign
    (la campaña) became "lo"; a file over the limit said "ocupa más de 1000000 bytes" on pages
    that write 31,181; the audit trail said "añadido" where the page says "agregado"."""
    _spanish_admin(web, engine)
    good = (REPO_ROOT / "resources" / "campaigns" / "duluth-sanctuary.toml").read_text()
    token = csrf_of(web.get("/console/campaigns").text)
    r = web.post(
        "/console/campaigns/publish",
        data={"csrf": token, "filename": "duluth-sanctuary.toml", "content": good},
    )
    assert r.status_code == 200
    assert (
        "duluth-sanctuary: publicada por primera vez. Los quioscos la reciben en su próxima "
        "sincronización." in r.text
    )
    big = "# " + "x" * 1_000_100 + "\n"
    r = web.post(
        "/console/campaigns/check",
        data={"csrf": token},
        files={"file": ("big.toml", big.encode(), "application/toml")},
    )
    assert "big.toml: ocupa más de 1,000,000 bytes" in r.text, r.text[-600:]
    assert audit_action("es", "forward_destination_added") == "Destino de reenvío agregado"
    assert translate("es", "fwd_added", name="crm") == "Destino crm agregado."


def _lang_link(page: str) -> str:
    found = re.search(r'<a href="([^"]*)" lang="(?:en|es)">', page)
    assert found, page[:500]
    return html.unescape(found.group(1))


def test_the_language_link_keeps_the_page_and_its_filters(
    web: httpx.Client, engine: Engine
) -> None:
    """The other language's link was "?lang=en": a campaign page lost its event and its sort,
    and on a page a form answered it opened the form's address as a page (a 405)."""
    _spanish_admin(web, engine)
    page = web.get("/console/campaign/sanctuary-of-safety?event=ev-1&sort=count&lang=es").text
    link = _lang_link(page)
    assert link == "/console/campaign/sanctuary-of-safety?event=ev-1&sort=count&lang=en"
    assert web.get(link).status_code == 200
    kiosks = web.get("/console/kiosks?lang=es").text  # Spanish again
    answered = web.post(
        "/console/kiosks/code",
        data={"csrf": csrf_of(kiosks), "name": "K", "hours": "1000"},
        headers={"Referer": str(web.base_url) + "/console/kiosks"},
    )
    assert answered.status_code == 400
    assert _lang_link(answered.text) == "/console/kiosks?lang=en"
    made = web.post("/console/kiosks/code", data={"csrf": csrf_of(kiosks), "name": "K"})
    assert _lang_link(made.text) == "/console/?lang=en"  # no page to go back to: the overview


def test_a_moment_inside_a_sentence_is_written_in_the_pages_language(
    web: httpx.Client, engine: Engine
) -> None:
    """The code page said "Sirve una sola vez, hasta el 2026-12-06 23:25 UTC": the moment is
    written as the page's language writes it."""
    from kiosk.server.console.i18n import moment_text

    moment = datetime(2026, 12, 6, 23, 25, tzinfo=UTC)
    assert moment_text("es", moment) == "6 dic 2026, 23:25 UTC"
    assert moment_text("en", moment) == "Dec 6, 2026, 11:25 PM UTC"
    assert moment_text("en", moment.replace(hour=0)) == "Dec 6, 2026, 12:25 AM UTC"
    _spanish_admin(web, engine)
    kiosks = web.get("/console/kiosks").text
    page = web.post("/console/kiosks/code", data={"csrf": csrf_of(kiosks), "name": "K"}).text
    until = re.search(r"Sirve una sola vez, hasta el ([^.]+)\.", html.unescape(page))
    assert until and re.fullmatch(r"\d{1,2} [a-z]{3} \d{4}, \d\d:\d\d UTC", until.group(1)), page
