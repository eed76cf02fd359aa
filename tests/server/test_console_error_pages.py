"""Every error a browser can meet on the console is a console page in the coordinator's
language, with the error's status and headers, over real HTTP on SQLite and PostgreSQL: a form
over the body limit (it was the API's JSON 413), a form that stalls or finds the upload budget
spent, an address the console does not have (404) or a form's address opened as a page (405), a
NUL in the address, a server error (500), a form sent after its session ended. The API under
/api/v1 keeps its JSON."""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Engine, select, text

from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.console import auth
from kiosk.wire import API_PREFIX, MAX_BODY_BYTES
from tests.server.coord_support import csrf_of, sign_in
from tests.server.helpers import InProcessServer
from tests.server.test_console import Clock, account, page_csrf

SPANISH_413 = "Este formulario es más grande de lo que el servidor acepta (8 MB como máximo)"


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _serve(settings: ServerSettings, engine: Engine, clock: Clock) -> InProcessServer:
    return InProcessServer(create_app(settings, engine=engine, clock=clock))


@pytest.fixture
def web(settings: ServerSettings, engine: Engine, clock: Clock) -> Iterator[httpx.Client]:
    with (
        _serve(settings, engine, clock) as srv,
        httpx.Client(base_url=srv.base_url, timeout=30) as c,
    ):
        yield c


def _page(r: httpx.Response, status: int, words: str) -> str:
    """The console's page (never JSON) with ``status`` saying ``words``; its text."""
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html"), r.text[:300]
    assert words in r.text, r.text[:600]
    assert (
        r.headers["cache-control"] == "no-store"
        and "default-src 'none'" in (r.headers["content-security-policy"])
    )
    return r.text


def _spanish_admin(web: httpx.Client, engine: Engine) -> None:
    """Ana signs in and switches the console to Spanish (her session keeps it)."""
    account(engine, "ana@example.org", "admin")
    assert sign_in(web, "ana@example.org").status_code == 303
    assert web.get("/console/?lang=es").status_code == 200
    web.cookies.delete("kiosk_console_lang")  # the session's language alone says Spanish


def test_a_form_over_the_body_limit_is_the_consoles_page(web: httpx.Client, engine: Engine) -> None:
    """A campaign file of 9 MB got the API's ``{"error": "body_too_large", ...}``, shown raw
    by the browser in English whatever the coordinator's language."""
    _spanish_admin(web, engine)
    origin = str(web.base_url).rstrip("/")
    token = csrf_of(web.get("/console/campaigns").text)
    big = b"# " + b"x" * (MAX_BODY_BYTES + 1024) + b"\n"
    r = web.post(
        "/console/campaigns/check",
        data={"csrf": token},
        files={"file": ("big.toml", big, "application/toml")},
        headers={"Referer": origin + "/console/campaigns", "Origin": origin},
    )
    page = _page(r, 413, SPANISH_413)
    assert r.headers["connection"] == "close"
    assert "Un archivo de campaña puede tener como máximo 1 MB" in page
    assert 'href="/console/campaigns">Volver a la página de la que venía<' in page
    assert 'href="/console/">Resumen<' in page and "ana@example.org" in page  # her menu
    # Chunked (no Content-Length): cut off while reading, the same page.

    def chunks() -> Iterator[bytes]:
        yield f"csrf={token}&content=".encode()
        for _ in range(9):
            yield b"a" * (1024 * 1024)

    r = web.post(
        "/console/campaigns/publish",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _page(r, 413, SPANISH_413)
    # A page whose address names another site or a non-console page gets no link back to it.
    r = web.post(
        "/console/campaigns/check",
        data={"csrf": token},
        files={"file": ("big.toml", big, "application/toml")},
        headers={"Referer": "https://evil.example/console/campaigns"},
    )
    assert "Volver a la página" not in _page(r, 413, SPANISH_413)
    # The API answers as it did.
    r = web.post(
        f"{API_PREFIX}/signatures", content=big, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"


def test_a_stalled_form_and_a_spent_upload_budget_are_the_consoles_pages(
    db_url: str, engine: Engine, clock: Clock
) -> None:
    """A form that stopped arriving (408) and one that found no room in the process's upload
    budget (503, ``Retry-After``) got the API's JSON too."""
    settings = ServerSettings(
        database_url=db_url,
        body_idle_timeout=2.0,
        upload_budget_bytes=MAX_BODY_BYTES,
        upload_wait_seconds=0.5,
    )
    with (
        _serve(settings, engine, clock) as srv,
        httpx.Client(base_url=srv.base_url, timeout=30) as web,
    ):
        account(engine, "ana@example.org", "admin")
        assert sign_in(web, "ana@example.org").status_code == 303
        token = page_csrf(web)
        cookie = "; ".join(f"{k}={v}" for k, v in web.cookies.items())
        # A body declared whole (the budget's worth) that stalls after its first bytes.
        stalled = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
        stalled.sendall(
            (
                f"POST /console/kiosks/code HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {MAX_BODY_BYTES}\r\n\r\ncsrf={token}"
            ).encode()
        )
        try:
            time.sleep(0.2)  # it holds the budget
            # Meanwhile the budget is spent: the next form waits half a second, then is refused.
            r = web.post("/console/kiosks/code", data={"csrf": token, "name": "K"})
            _page(r, 503, "The server is busy receiving other uploads")
            assert r.headers["retry-after"] == "5"
            answer = b""
            while chunk := stalled.recv(65536):
                answer += chunk
        finally:
            stalled.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408") and b"text/html" in head, answer[:300]
        assert "This form stopped arriving before it was complete" in body.decode()
        # The form goes through once the budget is free again.
        r = web.post("/console/kiosks/code", data={"csrf": token, "name": "K"})
        assert r.status_code == 200 and 'id="enroll-code"' in r.text


def test_an_unknown_address_and_a_forms_address_opened_are_the_consoles_pages(
    web: httpx.Client, engine: Engine
) -> None:
    """``/console/kiostks`` (a typo) was ``{"error": "not_found"}``, and a form's address
    opened as a page (a bookmark of the enrollment code's page, its language link) was
    ``{"error": "method_not_allowed"}``."""
    _page(web.get("/console/no-such-page"), 404, "Not found: there is no such page")
    _spanish_admin(web, engine)
    page = _page(web.get("/console/kiostks"), 404, "No encontrado: esa página no existe")
    assert "ana@example.org" in page
    for path in ("/console/kiosks/code", "/console/signout", "/console/campaigns/check"):
        r = web.get(path)
        _page(r, 405, "Esta dirección solo recibe un formulario enviado desde una página")
        assert r.headers["allow"] == "POST", path
    # The switch to English on the page a form answered with (its address is the form's).
    r = web.get(
        "/console/kiosks/code?lang=en", headers={"Referer": str(web.base_url) + "/console/"}
    )
    page = _page(r, 405, "This address only receives a form sent from a console page")
    assert 'href="/console/">Back to the page you came from<' in page
    # The API, its static files and the export job's status (read by the page's script) as
    # they were.
    r = web.get(f"{API_PREFIX}/nope")
    assert r.status_code == 404 and r.json() == {"error": "not_found", "detail": "Not Found"}
    r = web.get(f"{API_PREFIX}/signatures")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
    assert web.get("/console/static/nope.css").json()["error"] == "not_found"


def test_an_error_page_reads_the_session_and_writes_nothing(
    web: httpx.Client, engine: Engine, clock: Clock
) -> None:
    """An error page loaded the coordinator's session in a write transaction (marking it seen):
    on SQLite that took the write lock, so while a push held it each refusal (a form over the
    limit, from anyone with a cookie) waited up to 30 s for it on a thread. It only reads the
    session now; the language link still switches the session's language."""
    _spanish_admin(web, engine)

    def seen() -> object:
        with engine.connect() as conn:
            return conn.execute(select(auth.SESSIONS.c.last_seen_at)).scalar_one()

    before = seen()
    clock.now += timedelta(minutes=10)
    assert "ana@example.org" in _page(web.get("/console/kiostks"), 404, "No encontrado")
    assert seen() == before
    if engine.dialect.name == "sqlite":
        holder = sqlite3.connect(engine.url.database or "", timeout=0)
        holder.execute("BEGIN IMMEDIATE")  # a long write elsewhere
        try:
            started = time.monotonic()
            page = _page(web.get("/console/kiostks"), 404, "No encontrado")
            assert time.monotonic() - started < 5 and "ana@example.org" in page
        finally:
            holder.rollback()
            holder.close()
    # The other language's link on an error page: the session keeps the language it asks for.
    _page(web.get("/console/kiostks?lang=en"), 404, "Not found")
    web.cookies.delete("kiosk_console_lang")
    _page(web.get("/console/kiostks"), 404, "Not found")


def test_a_campaign_check_without_a_file_is_refused_in_the_pages_language(
    web: httpx.Client, engine: Engine
) -> None:
    """No file chosen, or the form sent URL-encoded instead of as an upload: the campaigns page
    said "campaign file: no file was chosen" in English, with 200."""
    _spanish_admin(web, engine)
    token = csrf_of(web.get("/console/campaigns").text)
    for r in (
        web.post("/console/campaigns/check", data={"csrf": token}),
        web.post("/console/campaigns/check", data={"csrf": token, "file": "duluth.toml"}),
        web.post(
            "/console/campaigns/check",
            data={"csrf": token},
            files={"other": ("a.toml", b"x", "application/toml")},
        ),
    ):
        page = _page(r, 400, "archivo de campaña: no se eligió ningún archivo")
        assert 'name="file"' in page  # the upload form, to choose one


def test_a_nul_in_a_console_address_is_the_consoles_page(web: httpx.Client, engine: Engine) -> None:
    _spanish_admin(web, engine)
    for path in (
        "/console/campaign/sanctuary-of-safety?device=a%00b",
        "/console/kiosks%00",
        "/rally/sanctuary-of-safety?event=%00",
    ):
        _page(web.get(path), 400, "La dirección contiene un carácter que no se puede usar")
    for path in ("/rally/sanctuary-of-safety.json?event=%00", f"{API_PREFIX}/health?x=%00"):
        r = web.get(path)
        assert r.status_code == 400 and r.json()["error"] == "bad_request", path


@pytest.fixture
def failing_code_insert(engine: Engine) -> Iterator[None]:
    """A trigger that makes storing an enrollment code named 'boom' fail inside the database
    (an error no code of the console expects)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER boom BEFORE INSERT ON enrollment_codes WHEN NEW.name = 'boom' "
                    "BEGIN SELECT RAISE(ABORT, 'boom'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "IF NEW.name = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER boom BEFORE INSERT ON enrollment_codes "
                    "FOR EACH ROW EXECUTE FUNCTION boom()"
                )
            )
    yield
    with engine.begin() as conn:
        on = " ON enrollment_codes" if engine.dialect.name != "sqlite" else ""
        conn.execute(text("DROP TRIGGER boom" + on))
        if engine.dialect.name != "sqlite":
            conn.execute(text("DROP FUNCTION boom()"))


def test_a_server_error_is_the_consoles_page(
    web: httpx.Client, engine: Engine, failing_code_insert: None
) -> None:
    """It was ``{"error": "internal_error", ...}``."""
    _spanish_admin(web, engine)
    r = web.post("/console/kiosks/code", data={"csrf": page_csrf(web), "name": "boom"})
    _page(r, 500, "Algo falló en el servidor; quedó anotado en su registro")
    r = web.post("/console/kiosks/code", data={"csrf": page_csrf(web), "name": "K"})
    assert r.status_code == 200 and 'id="enroll-code"' in r.text


def test_a_form_sent_after_its_session_ended_says_so(
    web: httpx.Client, engine: Engine, clock: Clock
) -> None:
    """It said the form "did not come from this console. Reload the page": reloading sent the
    form again, to the same refusal. Now: sign in again (a link to it), then send it again."""
    account(engine, "ana@example.org", "admin")
    assert sign_in(web, "ana@example.org").status_code == 303
    web.get("/console/?lang=es")
    token = page_csrf(web)
    clock.now += auth.SESSION_IDLE + timedelta(seconds=1)  # the form stayed open too long
    r = web.post("/console/kiosks/code", data={"csrf": token, "name": "K"})
    page = _page(r, 403, "Su sesión terminó")
    assert 'href="/console/signin">Iniciar sesión<' in page
    # Signed out elsewhere (the cookie is gone): the same.
    web.cookies.delete("kiosk_console")
    r = web.post("/console/kiosks/x/rename", data={"csrf": token, "name": "K"})
    _page(r, 403, "Su sesión terminó")
    # A form without its token, or from another site, is still refused as such.
    r = web.post("/console/kiosks/code", data={"name": "K"})
    _page(r, 403, "no viene de esta consola")
    assert sign_in(web, "ana@example.org").status_code == 303
    r = web.post(
        "/console/kiosks/code",
        data={"csrf": page_csrf(web), "name": "K"},
        headers={"Origin": "https://evil.example"},
    )
    _page(r, 403, "no viene de esta consola")
