"""The console's Forwarding page over real HTTP, on SQLite and PostgreSQL (issue #16): viewers
read it and may change nothing; coordinators pause, resume and retry dead letters; admins add
and remove destinations; every form needs its CSRF token; a credential typed once is sealed (not
in the database's plain columns, never in a page again); a webhook secret the server made is
shown once; signatures forwarded and then voided are listed. (The browser walk with axe-core is
tests/console/test_browser_forwarding.py.)"""

from __future__ import annotations

import re
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select, update

from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.db import write_transaction
from kiosk.server.forwarding.destinations import new_webhook_secret
from kiosk.server.forwarding.models import ATTEMPTS, DESTINATIONS, LEASES, OUTBOX
from kiosk.server.forwarding.outbox import DEAD
from kiosk.server.forwarding.secrets import ENV_SECRET_FILE
from tests.server.coord_support import csrf_of, sign_in
from tests.server.forwarding import support as s
from tests.server.forwarding.fakes import OsdiServer, ScriptedCrm, WebhookReceiver, running
from tests.server.helpers import ApiClient, InProcessServer, void
from tests.server.test_console import account

TOKEN = "an-console-token-5c1d9e"


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


def _as(web: httpx.Client, engine: Engine, email: str, role: str | None = None) -> str:
    """Sign in (making the account first when a role is given); the page's CSRF token."""
    if role is not None:
        account(engine, email, role)
    web.cookies.clear()
    assert sign_in(web, email).status_code == 303
    return csrf_of(web.get("/console/forwarding").text)


def _row(html: str, name: str) -> str:
    found = re.search(rf'<tr data-destination="{re.escape(name)}">(.*?)</tr>', html, re.S)
    assert found, html[-3000:]
    return found.group(1)


def _dest_id(engine: Engine, name: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(DESTINATIONS.c.id).where(DESTINATIONS.c.name == name)).scalar_one()
        )


def _cells_html(row: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)


def _cells(row: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_forwarding_page_roles_csrf_and_sealed_credentials(
    web: httpx.Client, engine: Engine, api: ApiClient, tmp_path: Path
) -> None:
    hook_secret = new_webhook_secret()
    # Nothing yet; the nav links to the page.
    csrf = _as(web, engine, "ana@example.org", "admin")
    page = web.get("/console/forwarding")
    assert page.status_code == 200 and "No destinations yet." in page.text
    assert 'href="/console/forwarding" aria-current="page"' in page.text
    assert page.headers["cache-control"] == "no-store"

    with running(OsdiServer(TOKEN)) as an, running(WebhookReceiver(hook_secret)) as rx:
        # An admin adds an OSDI destination: the token is typed once and never comes back.
        added = web.post(
            "/console/forwarding",
            data={
                "csrf": csrf,
                "name": "an-main",
                "kind": "osdi",
                "target": s.CAMPAIGN,
                "url": an.url(),
                "credential": TOKEN,
                "rate": "",
                "without_opt_in": "skip",
            },
        )
        assert added.status_code == 200, added.text[-2000:]
        assert "Destination an-main added." in added.text and TOKEN not in added.text
        # A webhook without a secret: the server makes one and shows it this once.
        made_hook = web.post(
            "/console/forwarding",
            data={
                "csrf": csrf,
                "name": "made",
                "kind": "webhook",
                "target": s.CAMPAIGN,
                "url": rx.url,
                "credential": "",
            },
        )
        made = re.search(r'<code class="mono" id="fwd-secret">(whsec_[^<]+)</code>', made_hook.text)
        assert made, made_hook.text[-2000:]
        hook = web.post(
            "/console/forwarding",
            data={
                "csrf": csrf,
                "name": "hook",
                "kind": "webhook",
                "target": s.CAMPAIGN,
                "url": rx.url,
                "credential": hook_secret,
            },
        )
        assert "Destination hook added." in hook.text and 'id="fwd-secret"' not in hook.text
        assert hook_secret not in hook.text
        again = web.get("/console/forwarding").text
        assert made.group(1) not in again and TOKEN not in again and hook_secret not in again
        with engine.connect() as conn:
            rows = conn.execute(select(DESTINATIONS)).mappings().all()
        for r in rows:
            plain = " ".join(str(v) for k, v in r.items() if k != "sealed")
            assert TOKEN not in plain and made.group(1) not in plain and hook_secret not in plain
            assert TOKEN.encode() not in r["sealed"] and b"whsec_" not in r["sealed"]
        # A bad setting is named and nothing is stored; the typed fields come back, not the
        # credential.
        bad = web.post(
            "/console/forwarding",
            data={
                "csrf": csrf,
                "name": "plain",
                "kind": "osdi",
                "target": s.CAMPAIGN,
                "url": "http://crm.example.org/x",
                "credential": TOKEN,
            },
        )
        assert bad.status_code == 400 and "personal data unencrypted: use https://" in bad.text
        assert TOKEN not in bad.text and 'value="http://crm.example.org/x"' in bad.text
        an_unsub = web.post(
            "/console/forwarding",
            data={
                "csrf": csrf,
                "name": "an2",
                "kind": "osdi",
                "target": s.CAMPAIGN,
                "url": "https://actionnetwork.org/api/v2/petitions/x/signatures/",
                "credential": TOKEN,
                "without_opt_in": "unsubscribed",
            },
        )
        assert an_unsub.status_code == 400 and "subscribes every person" in an_unsub.text
        # Without the CSRF token: refused, nothing added.
        forged = web.post(
            "/console/forwarding",
            data={"name": "forged", "kind": "webhook", "target": s.CAMPAIGN, "url": rx.url},
        )
        assert forged.status_code == 403
        assert "forged" not in web.get("/console/forwarding").text

        # Signatures go out; one is voided afterwards; two dead letters.
        version = s.text_version(engine)
        sigs = [s.wire_signature(s.personal(i, opt_in=True), version) for i in range(4)]
        api.push(sigs)
        fwd = s.forwarder(engine, tmp_path)  # the secret file the page sealed with
        # ("made" has a secret rx does not know: refused credentials hold it, pending.)
        s.drain(fwd, until=lambda: len(rx.messages) == len(sigs))
        fwd.close()
        assert {m["data"]["id"] for m in rx.messages.values()} == {str(x.id) for x in sigs}
        api.push(voids=[void(sigs[0].id)])
        with write_transaction(engine) as conn:
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.signature_id.in_([sigs[2].id, sigs[3].id]))
                .where(OUTBOX.c.destination_id == _dest_id(engine, "hook"))
                .values(state=DEAD, attempts=12, reason="HTTP 500")
            )
        page = web.get("/console/forwarding").text
        cells = _cells(_row(page, "hook"))
        assert cells[2:7] == ["0", "0", "2", "2", "0"], cells
        assert str(sigs[0].id) in page and "remove them there by hand" in page

    # A viewer reads the page, without a single form, and may not post to one.
    vcsrf = _as(web, engine, "val@example.org", "viewer")
    page = web.get("/console/forwarding").text
    assert "an-main" in page and "/console/forwarding/hook/pause" not in page
    assert 'id="fwd-add"' not in page
    for action in ("pause", "resume", "retry", "remove"):
        assert (
            web.post(f"/console/forwarding/hook/{action}", data={"csrf": vcsrf}).status_code == 403
        )
    assert web.post("/console/forwarding", data={"csrf": vcsrf, "name": "x"}).status_code == 403
    change = {"name": "hook", "url": "https://crm.example.org/elsewhere"}
    assert web.post("/console/forwarding/change", data={"csrf": vcsrf, **change}).status_code == 403

    # A coordinator pauses, resumes and retries, but adds and removes nothing.
    ccsrf = _as(web, engine, "cy@example.org", "coordinator")
    page = web.get("/console/forwarding").text
    assert "/console/forwarding/hook/retry" in page and 'id="fwd-add"' not in page
    paused = web.post("/console/forwarding/hook/pause", data={"csrf": ccsrf})
    assert paused.status_code == 200 and "hook is paused." in paused.text
    assert _cells(_row(paused.text, "hook"))[1] == "paused"
    resumed = web.post("/console/forwarding/hook/resume", data={"csrf": ccsrf})
    assert _cells(_row(resumed.text, "hook"))[1] == "active"
    retried = web.post("/console/forwarding/hook/retry", data={"csrf": ccsrf})
    assert "2 dead letters of hook queued again." in retried.text
    assert _cells(_row(retried.text, "hook"))[2:6] == ["2", "0", "2", "0"]  # attempts reset
    assert (
        web.post(
            "/console/forwarding/hook/remove", data={"csrf": ccsrf, "confirm": "hook"}
        ).status_code
        == 403
    )
    assert web.post("/console/forwarding/hook/pause", data={}).status_code == 403
    assert 'id="fwd-change"' not in page  # where personal data goes is an admin's decision
    assert web.post("/console/forwarding/change", data={"csrf": ccsrf, **change}).status_code == 403

    # The admin removes a destination only with its name typed again.
    csrf = _as(web, engine, "ana@example.org")
    kept = web.post("/console/forwarding/hook/remove", data={"csrf": csrf, "confirm": "hoo"})
    assert kept.status_code == 400 and 'data-destination="hook"' in kept.text
    gone = web.post("/console/forwarding/hook/remove", data={"csrf": csrf, "confirm": "hook"})
    assert "Destination hook removed." in gone.text and 'data-destination="hook"' not in gone.text
    unknown = web.post("/console/forwarding/nope/pause", data={"csrf": csrf})
    assert unknown.status_code == 404
    # In Spanish, the same page.
    es = web.get("/console/forwarding?lang=es").text
    assert "Reenvío" in es and "Destinos" in es


def test_failures_are_explained_in_the_pages_language_with_what_to_do(
    web: httpx.Client, engine: Engine, api: ApiClient, tmp_path: Path
) -> None:
    """Real receivers that redirect, refuse the credentials, fail, answer garbage, or are not
    there at all: the page says what happened and what to do, in English and in Spanish, and
    never shows a Python exception's name; dead letters are listed with why, skips with why."""
    csrf = _as(web, engine, "ana@example.org", "admin")
    version = s.text_version(engine)
    api.push(
        [s.wire_signature(s.personal(i, opt_in=i != 0), version) for i in range(3)]
        + [s.wire_signature(s.personal(9, opt_in=True), version, synthetic=True)]
    )
    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        closed_port = free.getsockname()[1]
    with (
        running(ScriptedCrm("redirect:https://crm.example.org/new")) as moved,
        running(ScriptedCrm("status:401")) as locked,
        running(ScriptedCrm("garbage")) as broken,
        running(ScriptedCrm("status:503")) as down,
        running(OsdiServer(TOKEN)) as an,
    ):
        for name, url in (
            ("moved", moved.url()),
            ("locked", locked.url()),
            ("broken", broken.url()),
            ("down", down.url()),
            ("gone", f"http://127.0.0.1:{closed_port}/hook"),
        ):
            service_add = web.post(
                "/console/forwarding",
                data={"csrf": csrf, "name": name, "kind": "webhook", "target": s.CAMPAIGN,
                      "url": url},
            )  # fmt: skip
            assert service_add.status_code == 200, service_add.text[-1500:]
        web.post(
            "/console/forwarding",
            data={"csrf": csrf, "name": "an", "kind": "osdi", "target": s.CAMPAIGN,
                  "url": an.url(), "credential": TOKEN},
        )  # fmt: skip
        with write_transaction(engine) as conn:  # one attempt each: dead at the first failure
            conn.execute(
                update(DESTINATIONS).where(DESTINATIONS.c.name != "down").values(max_attempts=1)
            )
        fwd = s.forwarder(engine, tmp_path)
        fwd.run_once()
        fwd.close()
        assert moved.requests and locked.requests and broken.requests and down.requests

    en = web.get("/console/forwarding?lang=en").text
    es = web.get("/console/forwarding?lang=es").text
    for page in (en, es):
        assert not re.search(r"[A-Z][a-z]+(Error|Exception|Refused|Disconnected)\b", page)
        assert "connection failed" not in page and "HTTP 503</td>" not in page

    def failure(page: str, name: str) -> str:
        """The destination's last failure: its cell links to the paragraph that explains it."""
        assert f'href="#fwd-why-{name}"' in _cells_html(_row(page, name))[7]
        found = re.search(rf'<p class="fwd-why" id="fwd-why-{name}">(.*?)</p>', page, re.S)
        assert found, page[-3000:]
        return re.sub(r"<[^>]+>", "", found.group(1))

    assert "redirect (HTTP 307)" in failure(en, "moved")
    assert "never followed" in failure(en, "moved") and "given up" in failure(en, "moved")
    assert "redirección (HTTP 307)" in failure(es, "moved")
    assert "nunca se siguen" in failure(es, "moved")
    assert "abandonada" in failure(es, "moved")
    assert "refused the credentials (HTTP 401)" in failure(en, "locked")
    assert "rechazó las credenciales (HTTP 401)" in failure(es, "locked")
    assert "not a valid answer" in failure(en, "broken")
    assert "no es una respuesta válida" in failure(es, "broken")
    assert "error of its own (HTTP 503)" in failure(en, "down")
    assert "will be tried again" in failure(en, "down")
    assert "error propio (HTTP 503)" in failure(es, "down")
    assert "se volverá a intentar" in failure(es, "down")
    assert "refused the connection" in failure(en, "gone")
    assert "rechazó la conexión" in failure(es, "gone")
    # Skips say why: the signer without opt-in (OSDI), and the test data.
    assert "1 without opt-in" in _cells(_row(en, "an"))[6]
    assert "1 sin suscripción" in _cells(_row(es, "an"))[6]
    # Dead letters are listed with why, under a heading saying how to send them again.
    dead = re.search(r'<table class="fwd-dead" data-destination="broken">(.*?)</table>', es, re.S)
    assert dead and dead.group(1).count("<tr>") == 1 + 3  # the header and three signatures
    assert "no es una respuesta válida" in dead.group(1)
    # Refused credentials are no signature's fault: none is dead, the destination is held.
    assert '<table class="fwd-dead" data-destination="locked">' not in es
    assert "held until" in _row(en, "locked") and "refused the credentials" in _row(en, "locked")
    assert "Reintentar descartadas" in es and "Firmas descartadas" in es
    assert "Retry dead letters" in en and "Pending: waiting for the forwarder" in en


def test_a_destination_refused_is_said_in_the_pages_language(
    web: httpx.Client, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = _as(web, engine, "ana@example.org", "admin")
    web.get("/console/forwarding?lang=es")  # the language is remembered
    for url, spanish in (
        ("https://169.254.169.254/latest/meta-data/", "metadatos de la nube"),
        ("https://10.1.2.3/hook", "KIOSK_FORWARD_ALLOW_NETWORKS"),
        ("http://crm.example.org/hook", "sin cifrar"),
        ("https://ana:pw@crm.example.org/hook", "contiene un usuario o una contraseña"),
    ):
        r = web.post(
            "/console/forwarding",
            data={"csrf": csrf, "name": "x", "kind": "webhook", "target": s.CAMPAIGN,
                  "url": url},
        )  # fmt: skip
        assert r.status_code == 400 and spanish in r.text, url
        error = re.search(r'<p class="error" role="alert">(.*?)</p>', r.text, re.S)
        assert error and "No se guardó" not in error.group(1) and " is " not in error.group(1)


@pytest.mark.parametrize(
    "url",
    [
        "https://" + "a" * 300 + ".example.org/hook",  # a 500 on PostgreSQL (endpoint)
        "https://[fe80::1%25" + "e" * 300 + "]/hook",
        "https://crm.example.org/a hook",  # http.client refused it at every send
        "https://crm.example.org/hook\r\nX-Evil: 1",  # urlsplit dropped the CR LF
        "https://crm.example.org/hook\tx",
        "https://crm\u202eexample.org/hook",
        "https://crm.example.org:0/hook",
    ],
)
def test_a_url_that_cannot_be_sent_to_is_refused_and_nothing_stored(
    web: httpx.Client, engine: Engine, url: str
) -> None:
    """A host longer than a DNS name (253 characters), white space or a control character in
    the URL, port 0: each was accepted (the first a 500 on PostgreSQL), then failed every send,
    or was sent elsewhere than typed. Refused as not a URL now, when added and when changed."""
    csrf = _as(web, engine, "ana@example.org", "admin")
    form = {"csrf": csrf, "name": "hook", "kind": "webhook", "target": s.CAMPAIGN}
    r = web.post("/console/forwarding", data={**form, "url": url})
    assert r.status_code == 400 and "That is not a URL." in r.text
    r = web.post("/console/forwarding", data={**form, "url": "https://crm.example.org/hook"})
    assert r.status_code == 200
    r = web.post("/console/forwarding/change", data={"csrf": csrf, "name": "hook", "url": url})
    assert r.status_code == 400 and "That is not a URL." in r.text
    with engine.connect() as conn:
        endpoints = conn.execute(select(DESTINATIONS.c.endpoint)).scalars().all()
    assert endpoints == ["https://crm.example.org"]


def test_the_page_says_when_no_forwarder_is_running(
    web: httpx.Client, engine: Engine, api: ApiClient, tmp_path: Path
) -> None:
    """Signatures wait in no outbox until a forwarder runs (it queues them): without a word,
    the page showed 0 pending, 0 sent, and an admin could not tell that nothing would be
    sent."""
    csrf = _as(web, engine, "ana@example.org", "admin")
    version = s.text_version(engine)
    api.push([s.wire_signature(s.personal(1, opt_in=True), version)])
    assert 'id="fwd-not-running"' not in web.get("/console/forwarding").text  # no destination
    with running(ScriptedCrm()) as crm:
        web.post(
            "/console/forwarding",
            data={"csrf": csrf, "name": "crm", "kind": "webhook", "target": s.CAMPAIGN,
                  "url": crm.url()},
        )  # fmt: skip
        es = web.get("/console/forwarding?lang=es").text
        assert 'id="fwd-not-running"' in es and "Todavía no ha funcionado ningún reenviador" in es
        fwd = s.forwarder(engine, tmp_path)
        s.drain(fwd)
        fwd.close()
        assert len(crm.requests) == 1
    assert 'id="fwd-not-running"' not in web.get("/console/forwarding").text
    # The forwarder stopped 10 minutes ago.
    with write_transaction(engine) as conn:
        conn.execute(
            update(LEASES)
            .where(LEASES.c.name == "seen")
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=10))
        )
    en = web.get("/console/forwarding?lang=en").text
    assert 'id="fwd-not-running"' in en and "The forwarder last ran at" in en


def test_an_admin_gives_a_destination_a_new_credential_and_url_keeping_its_history(
    web: httpx.Client, engine: Engine, api: ApiClient, tmp_path: Path
) -> None:
    """A revoked webhook secret (the receiver answers 401), then a receiver that moved: the
    admin changes the credential, then the URL, on the page; the running forwarder picks each
    change up, nothing queued or recorded is lost, and a URL the address rules refuse is not
    taken."""
    csrf = _as(web, engine, "ana@example.org", "admin")
    version = s.text_version(engine)
    sigs = [s.wire_signature(s.personal(i, opt_in=True), version) for i in range(3)]
    api.push(sigs)
    right, revoked = new_webhook_secret(), new_webhook_secret()
    with running(WebhookReceiver(right)) as rx, running(WebhookReceiver(right)) as moved:
        web.post(
            "/console/forwarding",
            data={"csrf": csrf, "name": "crm", "kind": "webhook", "target": s.CAMPAIGN,
                  "url": rx.url, "credential": revoked},
        )  # fmt: skip
        fwd = s.forwarder(engine, tmp_path)
        fwd.run_once()
        refused = rx.rejected  # those in flight when the first 401 came; then held
        assert 1 <= refused <= 3 and not rx.messages
        fwd.run_once()
        assert rx.rejected == refused
        page = web.get("/console/forwarding?lang=es").text
        assert "rechazó las credenciales (HTTP 401)" in page and "Cambiar la URL" in page
        # A URL the rules refuse is not taken; nothing changes.
        bad = web.post(
            "/console/forwarding/change",
            data={"csrf": csrf, "name": "crm", "url": "https://169.254.169.254/hook"},
        )
        assert bad.status_code == 400 and "metadatos de la nube" in bad.text
        changed = web.post(
            "/console/forwarding/change", data={"csrf": csrf, "name": "crm", "credential": right}
        )
        assert changed.status_code == 200 and "crm cambiado" in changed.text
        assert right not in changed.text
        s.drain(fwd)  # the same forwarder: it reloads the sealed credential
        assert {m["data"]["id"] for m in rx.messages.values()} == {str(x.id) for x in sigs}
        # The receiver moves; a new signature goes to the new URL.
        web.post("/console/forwarding/change", data={"csrf": csrf, "name": "crm",
                                                      "url": moved.url})  # fmt: skip
        late = s.wire_signature(s.personal(7, opt_in=True), version)
        api.push([late])
        s.drain(fwd)
        fwd.close()
        assert [m["data"]["id"] for m in moved.messages.values()] == [str(late.id)]
    with engine.connect() as conn:
        results = Counter(conn.execute(select(ATTEMPTS.c.result)).scalars())
    assert results["rate_limited"] == refused and results["sent"] == 4  # the 401s on record
    assert web.post(
        "/console/forwarding/change", data={"csrf": csrf, "name": "crm"}
    ).status_code == 400  # fmt: skip
