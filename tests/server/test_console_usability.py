"""What a coordinator met walking the console (usability review, branch review-f), over real
HTTP: the page that switches language is wholly in the new language, the Accounts page shows a
console user as seen, a new account's notice says what to hand over, a kiosk code's hours have
their own error, the local campaigns' search keeps the event and kiosk filters, revoking names
the kiosk, a failed export says why in the page's language, and an OSDI destination without its
token is refused in the console's words (no command-line flag)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select

from kiosk.server import devices
from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.console import jobs
from kiosk.server.console.web import _job_failure
from kiosk.server.db import write_transaction
from kiosk.server.forwarding.secrets import ENV_SECRET_FILE
from tests.server.conftest import make_code
from tests.server.coord_support import csrf_of, sign_in
from tests.server.helpers import ApiClient, InProcessServer
from tests.server.test_console import account


@pytest.fixture
def web(
    settings: ServerSettings, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[httpx.Client]:
    monkeypatch.setenv(ENV_SECRET_FILE, str(tmp_path / "forwarding.secret"))
    with (
        InProcessServer(create_app(settings, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=30) as c,
    ):
        yield c


def _admin(web: httpx.Client, engine: Engine) -> None:
    account(engine, "ana@example.org", "admin")
    assert sign_in(web, "ana@example.org").status_code == 303


def test_the_page_that_switches_language_is_all_in_it(web: httpx.Client, engine: Engine) -> None:
    """The audit page said "Este servidor" on the English page that switched back from
    Spanish: words built from the session's former language."""
    _admin(web, engine)
    assert "Este servidor" in web.get("/console/audit?lang=es").text
    english = web.get("/console/audit?lang=en").text
    assert "This server" in english and "Este servidor" not in english
    spanish = web.get("/console/?lang=es").text
    assert "Resumen" in spanish and "Declare Your City" not in spanish


def test_accounts_show_who_was_seen_and_what_to_hand_over(
    web: httpx.Client, engine: Engine
) -> None:
    _admin(web, engine)
    page = web.get("/console/accounts").text
    row = re.search(r"<tr><th scope=\"row\">ana@example.org</th>(.*?)</tr>", page, re.S)
    assert row and "never" not in row.group(1)  # signed in right now
    r = web.post(
        "/console/accounts",
        data={
            "csrf": csrf_of(page),
            "email": "val@example.org",
            "role": "viewer",
            "password": "a viewer passphrase",
        },
    )
    assert r.status_code == 200
    assert f"{web.base_url}/console/" in r.text and "the password you chose" in r.text


def test_kiosk_codes_hours_and_revoking_names_the_kiosk(web: httpx.Client, engine: Engine) -> None:
    ApiClient.enroll(web, make_code(engine, "Library kiosk"))
    _admin(web, engine)
    page = web.get("/console/kiosks").text
    assert "Revoke the kiosk “Library kiosk” now?" in page
    r = web.post("/console/kiosks/code", data={"csrf": csrf_of(page), "name": "K", "hours": "1000"})
    assert r.status_code == 400 and "valid for 1 to 720 hours" in r.text
    r = web.post("/console/kiosks/code", data={"csrf": csrf_of(page), "name": "K"})
    assert "hold the top-left corner for 3 seconds" in r.text and "`" not in r.text


def test_open_enrollment_codes_are_listed_and_can_be_cancelled(
    web: httpx.Client, engine: Engine
) -> None:
    """A code's page reloaded made a second code, and neither could be seen or ended again:
    both stayed usable for their hours. The Kiosks page lists the codes still open (never
    their value: only a hash is kept), and a coordinator cancels one; a kiosk then hears it
    expired, and the audit trail says who."""
    _admin(web, engine)
    page = web.get("/console/kiosks").text
    assert 'id="open-codes"' not in page
    made = []
    for _ in range(2):  # the page, then the same form sent again (a reload)
        r = web.post("/console/kiosks/code", data={"csrf": csrf_of(page), "name": "Tablet 3"})
        assert r.status_code == 200
        code = re.search(r'id="enroll-code">([^<]+)<', r.text)
        assert code
        made.append(code.group(1))
    used = make_code(engine, "Library kiosk")
    ApiClient.enroll(web, used)
    page = web.get("/console/kiosks").text
    listed = re.search(r'id="open-codes".*?</table>', page, re.S)
    assert listed
    rows = re.findall(r'<th scope="row">([^<]+)</th>', listed.group(0))
    assert rows == ["Tablet 3", "Tablet 3"]  # the used one is gone; no value shown
    assert not any(c in page for c in made)
    ids = re.findall(r'action="/console/kiosks/codes/(\d+)/cancel"', page)
    assert len(ids) == 2
    r = web.post(
        f"/console/kiosks/codes/{ids[0]}/cancel",
        data={"csrf": csrf_of(page)},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "Enrollment code cancelled." in r.text
    assert len(re.findall(r'action="/console/kiosks/codes/\d+/cancel"', r.text)) == 1
    # Cancelled twice, or a code that does not exist: a clear 404 page, nothing changed.
    again = web.post(f"/console/kiosks/codes/{ids[0]}/cancel", data={"csrf": csrf_of(page)})
    assert again.status_code == 404
    bogus = web.post("/console/kiosks/codes/99x/cancel", data={"csrf": csrf_of(page)})
    assert bogus.status_code == 404
    # The newest is listed first: the first id is the second code made.
    refused = web.post("/api/v1/enroll", json={"code": made[1], "name": "late"})
    assert refused.status_code in (403, 410), refused.text
    assert web.post("/api/v1/enroll", json={"code": made[0], "name": "ok"}).status_code in (
        200,
        201,
    )
    audit = web.get("/console/audit").text
    assert "Enrollment code cancelled" in audit
    spanish = web.get("/console/kiosks?lang=es").text
    assert "Códigos de inscripción aún sin usar" not in spanish  # none left open


def test_a_code_id_that_cannot_be_one_is_not_found(web: httpx.Client, engine: Engine) -> None:
    """Cancel code's address took any id ``str.isdigit`` took: "²" answered a 500 (``int``
    refuses it), "١" (Arabic-Indic one) cancelled code 1, and on PostgreSQL an id past its
    ``integer`` (2147483648) a 500 "integer out of range". Each is a 404, and no code ends."""
    make_code(engine, "Tablet 1")
    _admin(web, engine)
    page = web.get("/console/kiosks").text
    for bad in ("%C2%B2", "%D9%A1", "%EF%BC%91", "2147483648", "999999999999999999", "-1", "0"):
        r = web.post(f"/console/kiosks/codes/{bad}/cancel", data={"csrf": csrf_of(page)})
        assert r.status_code == 404, (bad, r.status_code)
        assert "Not found" in r.text and "Something went wrong" not in r.text, bad
    listed = re.findall(
        r'action="/console/kiosks/codes/(\d+)/cancel"', web.get("/console/kiosks").text
    )
    assert len(listed) == 1  # still open
    assert web.get("/console/accounts/%C2%B2").status_code == 404  # (the same parse)


def test_more_open_codes_than_listed_says_so(web: httpx.Client, engine: Engine) -> None:
    """The Kiosks page lists the newest 200 open codes; with more, the older ones were left
    off without a word (they could not be seen nor cancelled there). It says how many are
    open in all, and where every one is listed."""
    with write_transaction(engine) as conn:
        for n in range(203):
            devices.create_enrollment_code(
                conn, f"Tablet {n}", timedelta(hours=2), datetime.now(UTC) + timedelta(seconds=n)
            )
    _admin(web, engine)
    page = web.get("/console/kiosks").text
    assert len(re.findall(r'action="/console/kiosks/codes/\d+/cancel"', page)) == 200
    assert "The newest 200 of the 203 codes not used yet" in page
    assert "kiosk-server devices codes" in page
    assert "Tablet 202" in page and ">Tablet 0<" not in page  # newest first
    spanish = web.get("/console/kiosks?lang=es").text
    assert "los 200 más recientes de los 203 códigos aún sin usar" in spanish
    ids = re.findall(r'action="/console/kiosks/codes/(\d+)/cancel"', page)
    for code_id in ids[:3]:
        r = web.post(f"/console/kiosks/codes/{code_id}/cancel", data={"csrf": csrf_of(page)})
        assert r.status_code == 303
    page = web.get("/console/kiosks").text
    assert "codes not used yet are listed here" not in page  # 200 open: every one is listed
    assert len(re.findall(r'action="/console/kiosks/codes/\d+/cancel"', page)) == 200


def test_searching_local_campaigns_keeps_the_filters(web: httpx.Client, engine: Engine) -> None:
    _admin(web, engine)
    page = web.get("/console/campaign/defy-trump-expand-sanctuary?event=ev-1&device=d-1&q=x").text
    search = re.search(r'<form method="get" class="search".*?</form>', page, re.S)
    assert search
    assert '<input type="hidden" name="event" value="ev-1">' in search.group(0)
    assert '<input type="hidden" name="device" value="d-1">' in search.group(0)
    assert "apply to the charts" in page


def test_a_failed_export_says_why_in_the_pages_language() -> None:
    message = "nothing_to_export: no signatures match: nothing exported (2 could not be read)"
    assert _job_failure("es", message) == (
        "ninguna firma coincide con estas opciones: no se exportó nada. Amplíe las fechas, "
        "el evento o la campaña local."
    )
    # Test data left out: the console's own box named, never the command line's option.
    message = (
        "nothing_to_export_test_data: no signatures match: nothing exported; 5 synthetic "
        "signatures (test data) left out: add --include-synthetic (include_synthetic=true over "
        "HTTP) to print them as TEST DATA"
    )
    for lang, box in (("en", "“Include test data"), ("es", "«Incluir datos de prueba")):
        said = _job_failure(lang, message)
        assert box in said and "--include-synthetic" not in said and "left out" not in said
    assert _job_failure("en", "stopped: stopped with its server process").startswith(
        "the server stopped"
    )
    assert _job_failure("en", "ValueError") == "ValueError"  # an unexpected failure, as it is


def test_an_osdi_destination_without_its_token_is_refused_in_words(
    web: httpx.Client, engine: Engine
) -> None:
    _admin(web, engine)
    page = web.get("/console/forwarding?lang=es").text
    r = web.post(
        "/console/forwarding",
        data={
            "csrf": csrf_of(page),
            "name": "an-petition",
            "kind": "osdi",
            "target": "sanctuary-of-safety",
            "url": "https://actionnetwork.org/api/v2/petitions/x/signatures/",
        },
    )
    assert r.status_code == 400
    assert "necesita su token de la API" in r.text and "--token-env" not in r.text


def test_a_refused_export_form_keeps_its_choices(web: httpx.Client, engine: Engine) -> None:
    """Dates the wrong way round: the form came back with every choice at its default (the
    local campaign picked out of 179, the dates, the sheets' language)."""
    _admin(web, engine)
    page = web.get("/console/exports").text
    r = web.post(
        "/console/exports",
        data={
            "csrf": csrf_of(page),
            "kind": "csv",
            "campaign": "defy-trump-expand-sanctuary",
            "local": "evansville",
            "since": "2026-11-20",
            "until": "2026-11-02",
            "event": "",
            "lang": "es",
            "include_synthetic": "1",
            "excel": "1",
        },
    )
    assert r.status_code == 422 and "The end date is before the start date." in r.text
    form = r.text
    assert '<option value="csv" selected>' in form
    assert '<option value="defy-trump-expand-sanctuary" selected>' in form
    assert re.search(
        r'<option value="evansville" data-campaign="defy-trump-expand-sanctuary" selected>', form
    )
    assert 'name="since" type="date" value="2026-11-20"' in form
    assert 'name="until" type="date" value="2026-11-02"' in form
    assert '<option value="es" selected>Español</option>' in form
    assert 'name="include_synthetic" type="checkbox" value="1" checked' in form
    assert 'name="excel" type="checkbox" value="1" checked' in form


@pytest.mark.parametrize("box", ["include_synthetic", "comments", "excel"])
@pytest.mark.parametrize("value", ["true", "1x"])
def test_an_export_box_with_a_value_the_form_never_sends_is_refused(
    web: httpx.Client, engine: Engine, box: str, value: str
) -> None:
    """A check box sends "1" or nothing. Another value (a script's ``true``) was taken as
    unchecked and the job started without the test data, the comments or the byte-order mark
    asked for ("1x" even showed the box checked): refused with 422 now, as the API refuses
    ``include_synthetic=maybe``, and no job is started."""
    _admin(web, engine)
    form = {
        "csrf": csrf_of(web.get("/console/exports").text),
        "kind": "pdf" if box == "comments" else "csv",
        "campaign": "sanctuary-of-safety",
        "local": "*",
        "lang": "en",
        box: value,
    }
    r = web.post("/console/exports", data=form)
    assert r.status_code == 422 and "That export cannot be made" in r.text
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(jobs.JOBS)).scalar_one() == 0
    r = web.post("/console/exports", data={**form, box: "1"})
    assert r.status_code == 303


def test_a_device_making_events_without_end_fills_no_page(
    web: httpx.Client, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A device may make at most MAX_EVENTS_PER_DEVICE events (the rest answered forbidden,
    once in the trail), and the console's filters offer only events someone signed at: one
    device pushing 50,000 events made every campaign page and the exports page 15 MB."""
    from kiosk.server import ingest
    from kiosk.server.audit import SERVER_AUDIT
    from tests.server.helpers import event, signature

    monkeypatch.setattr(ingest, "MAX_EVENTS_PER_DEVICE", 5)
    _admin(web, engine)
    kiosk = ApiClient.enroll(web, make_code(engine, "Kiosk A"))
    first = kiosk.push(events=[event(f"ev-{i}", name=f"Rally {i}") for i in range(4)])
    assert [r.status for r in first.events] == ["created"] * 4
    more = kiosk.push(events=[event(f"ev-{i}", name=f"Rally {i}") for i in range(3, 7)])
    assert [r.status for r in more.events] == ["duplicate", "created", "forbidden", "forbidden"]
    # Its own events can still be changed, and signed at.
    again = kiosk.push(events=[event("ev-0", name="Rally 0, moved"), event("ev-9")])
    assert [r.status for r in again.events] == ["updated", "forbidden"]
    kiosk.push([signature(event_id="ev-1"), signature(event_id="ev-4", synthetic=True)])
    with engine.connect() as conn:
        trail = [
            (a, d)
            for a, d in conn.execute(select(SERVER_AUDIT.c.action, SERVER_AUDIT.c.detail))
            if a in ("device_event_limit", "foreign_records_refused")
        ]
    assert [a for a, _d in trail] == ["device_event_limit"]  # once a minute, never "foreign"
    for page in ("/console/campaign/sanctuary-of-safety", "/console/exports"):
        html = web.get(page).text
        offered = re.findall(r'<option value="(ev-\d+)"', html)
        assert offered == ["ev-1"], (page, offered)  # the one a signer signed at
    # An event the server knows (not offered: no real signer) is still a valid export filter.
    form = {
        "csrf": csrf_of(web.get("/console/exports").text),
        "campaign": "sanctuary-of-safety",
        "local": "",
        "lang": "en",
        "kind": "csv",
        "include_synthetic": "1",
    }
    assert web.post("/console/exports", data={**form, "event": "ev-4"}).status_code == 303
    assert web.post("/console/exports", data={**form, "event": "ev-99"}).status_code == 422


@pytest.mark.parametrize("peak", [0, 1, 2, 3, 7, 10, 11, 99, 1234])
def test_a_charts_scale_reads_three_different_round_numbers(peak: int) -> None:
    """An empty chart's scale read 1, 0, 0 (top to bottom)."""
    from kiosk.server.console.web import _chart

    ticks = [t["v"] for t in _chart([("a", 0), ("b", peak)], 1)["ticks"]]
    assert ticks[0] == 0 and ticks[0] < ticks[1] < ticks[2] and ticks[2] >= peak
    assert ticks[1] * 2 == ticks[2]


def test_a_kiosk_error_before_its_last_sync_says_it_synced_since(
    web: httpx.Client, engine: Engine
) -> None:
    """A kiosk's last error stays on the kiosks page, but one older than its last report (a
    one-off pass to a wrong address, then good syncs) read like a current failure."""
    import json

    _admin(web, engine)
    kiosk = ApiClient.enroll(web, make_code(engine, "Kiosk A"))
    when = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    body = {"pending": 0, "app_version": "1", "last_error": "bad_response", "last_error_at": when}
    assert kiosk.post_raw(json.dumps(body), path="/report").status_code == 204
    cell = re.search(r'data-col="error">(.*?)</td>', web.get("/console/kiosks").text)
    assert cell is not None and "synced since" in cell.group(1)
    assert 'class="badge bad"' not in cell.group(1)
    body["last_error_at"] = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert kiosk.post_raw(json.dumps(body), path="/report").status_code == 204
    cell = re.search(r'data-col="error">(.*?)</td>', web.get("/console/kiosks?lang=es").text)
    assert cell is not None and 'class="badge bad"' in cell.group(1)
    assert "sincronizó después" not in cell.group(1)
