"""The console's pages (``/console/``) and the rally screen (``/rally/<campaign>``).

Server-rendered (Jinja2, autoescaped), with one small stylesheet and two small scripts of our
own under ``/console/static/`` (no CDN, no build step). Every page answers with a strict
Content-Security-Policy (scripts and styles from this server only, no inline script), no-store
caching and a same-origin referrer only. Every POST carries a CSRF token (see :mod:`.auth`) and is refused with
403 when it does not match or when its ``Origin`` is another site (a form whose session ended
meanwhile: a page saying so, with a link to sign in).
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

import kiosk
from kiosk.domain.campaign_format import MAX_FILE_BYTES, CampaignFormatError
from kiosk.domain.sheets import PAGE_SIZES, ROWS_PER_SHEET_CHOICES
from kiosk.server import audit as server_audit
from kiosk.server import campaigns as campaign_store
from kiosk.server import coordinators, devices, log, tallies
from kiosk.server.console import auth, data, jobs
from kiosk.server.console.auth import Role, Session
from kiosk.server.console.i18n import (
    LANGS,
    MESSAGES,
    audit_action,
    campaign_file_error,
    changes_said,
    day_label,
    kiosk_error,
    moment_text,
    pick_lang,
    translate,
)
from kiosk.server.console.rally import OVERFLOW_RETRY_MS, RallyBusy, RallyFeed
from kiosk.server.db import write_transaction
from kiosk.server.errors import is_console_page
from kiosk.server.keys import KeyRing
from kiosk.server.middleware import client_address
from kiosk.server.models import Device, table_of
from kiosk.server.tallies import quarantined
from kiosk.wire import CONTROL_RE

SESSION_COOKIE = "kiosk_console"
PRE_COOKIE = "kiosk_console_pre"
LANG_COOKIE = "kiosk_console_lang"
#: The forms of pages shown without a session (their token is the pre-session cookie's).
_PRE_SESSION_FORMS = ("/console/signin", "/console/setup")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
#: The longest field a console form may send: Publish sends the checked campaign file back in
#: a URL-encoded field, where each byte may take three (``%C3%B1``).
_MAX_FORM_FIELD = 3 * MAX_FILE_BYTES + 1024
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


class _Refused(Exception):
    """A page answered with a message and a status (403 CSRF or role, 404)."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        self.status = status
        self.key = key
        self.values = values


async def _checked_form(request: Request) -> AsyncIterator[FormData]:
    """The POSTed form, after the console's Origin and CSRF checks (its uploaded files are
    closed after the response)."""
    console: Console = request.app.state.console
    form = await console.form(request)
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(_checked_form)]


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("kiosk.server.console", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda n: f"{int(n):,}"
    env.filters["when"] = _when
    env.filters["at"] = _time_element
    return env


@pass_context
def _when(context: Context, moment: datetime | None) -> str:
    """A moment inside a sentence, in the page's language (``moment_text``): the code page's
    "valid until", a kiosk's error time. They read 2026-12-06 23:25 UTC on Spanish pages."""
    return moment_text(str(context.get("lang") or "en"), moment) if moment else ""


def _time_element(moment: datetime | str | None, seconds: bool = False) -> Markup:
    """A moment as ``<time>``: in UTC as the server writes it, which console.js shows in the
    reader's own time zone (the UTC text stays as its title, and is what shows without
    script). ``moment`` is a datetime or an ISO text; naive ones are UTC."""
    if not moment:
        return Markup("")
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return Markup("{}").format(moment)  # not a date: shown as it is
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    text = utc.strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")
    return Markup('<time datetime="{}"{}>{}</time>').format(
        utc.isoformat(timespec="seconds").replace("+00:00", "Z"),
        Markup(' data-seconds=""') if seconds else Markup(""),
        text,
    )


class Console:
    """The console of one application: its routes and what they share."""

    def __init__(
        self,
        engine: Engine,
        keyring: KeyRing | None,
        clock: Callable[[], datetime],
        demo: bool = False,
        stale_hours: float = 6.0,
    ) -> None:
        self.engine = engine
        self.keyring = keyring
        self.clock = clock
        self.demo = demo
        self.stale_after = timedelta(hours=stale_hours)
        #: The rally screen's shared snapshots and its bound on open streams.
        self.rally = RallyFeed()
        #: The audit page's checks of the devices' chains (incremental, in full every 10 min).
        self.chain_checks = server_audit.ChainChecks()
        self.env = _templates()
        self.router = APIRouter(include_in_schema=False)
        self._routes()

    # --- plumbing ------------------------------------------------------------------------------

    def lang(self, request: Request, session: Session | None = None) -> str:
        """The page language (``?lang=``, then the session's or the cookie's, then the
        browser's)."""
        q = request.query_params.get("lang")
        if session is not None and q not in LANGS:
            return session.lang
        return pick_lang(
            q, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
        )

    def render(
        self,
        request: Request,
        template: str,
        session: Session | None = None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """A page, with the security headers every console page has."""
        lang = self.lang(request, session)

        def t(key: str, **values: object) -> str:
            return translate(lang, key, **values)

        html = self.env.get_template(template).render(
            t=t,
            kiosk_error=lambda code: kiosk_error(lang, code),
            job_failure=lambda message: _job_failure(lang, message),
            lang=lang,
            lang_href=_lang_href(request, "es" if lang == "en" else "en"),
            session=session,
            path=request.url.path,
            demo=self.demo,
            version=kiosk.__version__,
            Role=Role,
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        _secure_headers(response)
        if request.query_params.get("lang") in LANGS:
            response.set_cookie(
                LANG_COOKIE,
                lang,
                max_age=31536000,
                samesite="strict",
                httponly=True,
                secure=request.url.scheme == "https",
                path="/",
            )
        return response

    def session(self, request: Request) -> Session | None:
        """The request's valid session, or None."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        with write_transaction(self.engine) as conn:
            s = auth.load_session(conn, token, self.clock())
            q = request.query_params.get("lang")
            if s is not None and q in LANGS and q != s.lang:
                auth.set_session_lang(conn, s.id, q)
                # The page that switches is in the new language already: the campaign titles
                # and the words built from ``s.lang`` too, not only the template's.
                s = replace(s, lang=q)
        return s

    def peek_session(self, request: Request) -> Session | None:
        """The request's valid session, read alone: not marked seen, its language unchanged,
        and on SQLite without the write lock that :meth:`session` takes (and waits for)."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        with self.engine.connect() as conn:
            return auth.load_session(conn, token, self.clock(), mark=False)

    def need(self, request: Request, role: Role = Role.VIEWER) -> Session:
        """The session, or a redirect to sign in (or to set-up while no admin exists); 403 for
        a role below ``role``."""
        s = self.session(request)
        if s is None:
            with self.engine.connect() as conn:
                first_run = not auth.admin_exists(conn)
            raise _Redirect("/console/setup" if first_run else "/console/signin")
        if not s.account.role.allows(role):
            raise _Refused(403, "forbidden", role=s.account.role.value)
        return s

    async def error_page(
        self,
        request: Request,
        status: int,
        key: str,
        values: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """The page saying why a request was refused (message ``key``), with ``status`` and
        ``headers``: for the console's own refusals and for those met before or around its
        routes (a form over the body limit, an address it does not have, a form's address
        opened as a page; see :func:`kiosk.server.errors.error_answer`). In the coordinator's
        language, with their menu, and a link back to the page the request came from."""
        # Refusals come many at once (an upload budget spent, forms over the limit from
        # anyone, a failing database): the session is only read, never written, except when
        # the language link asks for the other language (as on any page, the session keeps it).
        switch = request.method in ("GET", "HEAD") and request.query_params.get("lang") in LANGS
        try:
            session = await run_in_threadpool(
                self.session if switch else self.peek_session, request
            )
        except SQLAlchemyError:  # the page still says what happened, in the browser's language
            session = None
        response = await run_in_threadpool(
            self.render,
            request,
            "message.html",
            session,
            status,
            key=key,
            values=values or {},
            back=_back(request),
        )
        response.headers.update(headers or {})
        return response

    async def form(self, request: Request) -> FormData:
        """The POSTed form, after the Origin and CSRF checks (403 when they fail)."""
        origin = request.headers.get("origin")
        # (Pages send their referrer same-origin only: with "no-referrer" Chrome would send
        # "Origin: null" on our own forms.)
        if origin and origin.rstrip("/") != _own_origin(request):
            log.warning("console: refused a form posted from another origin (%s)", origin[:100])
            raise _Refused(403, "csrf")
        try:
            form = await request.form(max_files=1, max_fields=50, max_part_size=_MAX_FORM_FIELD)
        except StarletteHTTPException:
            # Starlette's words for a field over the limit, too many fields or a broken
            # multipart body: the API's handler would answer "body is not valid JSON".
            raise _Refused(400, "bad_form") from None
        if any(isinstance(v, str) and "\x00" in v for _, v in form.multi_items()):
            # No field may hold a NUL: PostgreSQL refuses it in every text it stores or
            # looks up (a 500, the sign-in limiter's included), and so does a file name.
            await form.close()
            raise _Refused(400, "bad_text")
        given = form.get("csrf")
        given = given if isinstance(given, str) else None
        token = request.cookies.get(SESSION_COOKIE)
        expected: str | None = None
        s = await run_in_threadpool(self.session, request) if token else None
        if s is not None:
            expected = s.csrf
        else:
            pre = request.cookies.get(PRE_COOKIE)
            expected = auth.pre_session_csrf(pre) if pre else None
        if not auth.tokens_match(expected, given):
            await form.close()
            if s is None and given and request.url.path not in _PRE_SESSION_FORMS:
                # A form of a signed-in page whose session ended while it was open (2 hours
                # idle, 12 after sign-in, ended by an admin): "reload the page" sent the form
                # again and met the same refusal. Sign in, then send it again.
                log.info("console: refused a form whose session ended (%s)", request.url.path)
                raise _Refused(403, "session_ended")
            log.warning("console: refused a form without a valid CSRF token (%s)", request.url.path)
            raise _Refused(403, "csrf")
        return form

    # --- routes --------------------------------------------------------------------------------

    def _routes(self) -> None:
        r = self.router

        @r.get("/console")
        def console_root() -> Response:
            return RedirectResponse("/console/", status_code=308)

        @r.get("/console/", response_class=HTMLResponse)
        def overview(request: Request) -> Response:
            s = self.need(request)
            now = self.clock()
            with self.engine.connect() as conn:
                camps = data.overview(conn, s.lang)
                kiosks = data.kiosks(conn, now, self.stale_after)
            return self.render(
                request,
                "overview.html",
                s,
                campaigns=camps,
                kiosks=kiosks,
                stale_hours=_hours(self.stale_after),
            )

        @r.get("/console/campaign/{slug}", response_class=HTMLResponse)
        def campaign_page(
            request: Request,
            slug: str,
            q: str = "",
            sort: str = "place",
            order: str = "asc",
            event: str = "",
            device: str = "",
        ) -> Response:
            s = self.need(request)
            lang = self.lang(request, s)
            now = self.clock()
            with self.engine.connect() as conn:
                c = data.campaign(conn, slug) if _SLUG.match(slug) else None
                if c is None:
                    raise _Refused(404, "not_found")
                counts = tallies.read_counts(conn)
                p = data.progress(c, counts, lang)
                ch = data.charts(
                    conn, slug, now - timedelta(days=31), event or None, device or None, counts
                )
                events, devs = data.filters(conn, counts)
            rows = p.locals
            needle = q.strip().casefold()[:100]
            if needle:
                rows = [
                    x
                    for x in rows
                    if needle in f"{x.place} {x.state} {x.decision_maker} {x.slug}".casefold()
                ]
            keys: dict[str, Callable[[data.LocalRow], Any]] = {
                "place": lambda x: (x.place.casefold(), x.state),
                "decision_maker": lambda x: x.decision_maker.casefold(),
                "count": lambda x: (x.count, x.place),
                "percent": lambda x: (x.percent, x.place),
                "goal": lambda x: (x.goal, x.place),
            }
            sort = sort if sort in keys else "place"
            rows = sorted(rows, key=keys[sort], reverse=order == "desc")
            hour_keys = [
                (_hour_floor(now) - timedelta(hours=i)).strftime("%Y-%m-%dT%H")
                for i in range(47, -1, -1)
            ]
            days = [(now - timedelta(days=i)).date() for i in range(29, -1, -1)]
            return self.render(
                request,
                "campaign.html",
                s,
                c=p,
                rows=rows,
                q=q[:100],
                sort=sort,
                order="desc" if order == "desc" else "asc",
                hour_chart=_chart([(k[11:13], ch.hours.get(k, 0)) for k in hour_keys], 6),
                day_chart=_chart(
                    [(day_label(lang, d), ch.days.get(d.isoformat(), 0)) for d in days], 5
                ),
                events=events,
                devices=devs,
                event=event,
                device=device,
            )

        # --- sign-in, set-up, sign-out --------------------------------------------------------

        @r.get("/console/signin", response_class=HTMLResponse)
        def signin_page(request: Request) -> Response:
            with self.engine.connect() as conn:
                if not auth.admin_exists(conn):
                    return RedirectResponse("/console/setup", status_code=303)
            return self._pre_form(request, "signin.html")

        @r.post("/console/signin")
        def signin(request: Request, form: FormDep) -> Response:
            email = _text(form, "email", 254)
            password = _text(form, "password", auth.MAX_PASSWORD + 1, strip=False)
            address = _address(request)
            now = self.clock()
            with write_transaction(self.engine) as conn:
                wait = auth.take_signin_attempt(conn, email, address, now.timestamp())
            if wait is not None:
                return self._pre_form(
                    request,
                    "signin.html",
                    429,
                    error=("rate_limited", {"seconds": wait}),
                    email=email,
                )
            with self.engine.connect() as conn:
                account = auth.verify_password(conn, email, password)
            if account is None:
                log.warning("console: refused sign-in from %s", address)
                return self._pre_form(
                    request, "signin.html", 401, error=("bad_signin", {}), email=email
                )
            lang = self.lang(request)
            with write_transaction(self.engine) as conn:
                auth.refund_signin_attempt(conn, email, address)
                auth.prune_sessions(conn, now)
                token = auth.start_session(conn, account, lang, address, now)
                coordinators.touch(
                    conn,
                    coordinators.CoordinatorInfo(
                        account.id, account.name, now, None, None, account.role
                    ),
                    now,
                )
            log.info("console: coordinator %s signed in", account.id)
            response = RedirectResponse("/console/", status_code=303)
            self._set_session_cookie(request, response, token)
            response.delete_cookie(PRE_COOKIE, path="/console")
            return response

        @r.post("/console/signout")
        def signout(request: Request, form: FormDep) -> Response:
            s = self.session(request)
            if s is not None:
                with write_transaction(self.engine) as conn:
                    auth.revoke_session(conn, s.id, self.clock())
            response = RedirectResponse("/console/signin", status_code=303)
            response.delete_cookie(SESSION_COOKIE, path="/")
            return response

        @r.get("/console/setup", response_class=HTMLResponse)
        def setup_page(request: Request) -> Response:
            with self.engine.connect() as conn:
                if auth.admin_exists(conn):
                    return RedirectResponse("/console/signin", status_code=303)
            return self._pre_form(request, "setup.html")

        @r.post("/console/setup")
        def setup(request: Request, form: FormDep) -> Response:
            code = _text(form, "code", 64)
            email = _text(form, "email", 254)
            name = _text(form, "name", 120) or email[: coordinators.NAME_MAX]
            password = _text(form, "password", auth.MAX_PASSWORD + 1, strip=False)
            again = _text(form, "password2", auth.MAX_PASSWORD + 1, strip=False)
            address = _address(request)
            now = self.clock()

            def again_with(key: str, status: int = 400, **values: object) -> Response:
                return self._pre_form(
                    request, "setup.html", status, error=(key, values), email=email, name=name
                )

            if password != again:
                return again_with("passwords_differ")
            try:
                auth.normalise_email(email)
                auth.check_password(password)
            except auth.AccountError as exc:
                return again_with(exc.code)
            if not _name_ok(name):
                return again_with("name_invalid")
            with write_transaction(self.engine) as conn:
                wait = auth.take_signin_attempt(conn, "setup", address, now.timestamp())
            if wait is not None:
                return again_with("rate_limited", 429, seconds=wait)
            with write_transaction(self.engine) as conn:
                if auth.admin_exists(conn):
                    return RedirectResponse("/console/signin", status_code=303)
                if not auth.use_setup_code(conn, code, now):
                    failed = True
                else:
                    failed = False
                    new = coordinators.add(conn, name, now)
                    auth.set_login(conn, new.id, email, Role.ADMIN.value, password)
                    server_audit.record_server(
                        conn,
                        "coordinator_added",
                        {"coordinator": new.id, "role": "admin", "channel": "console setup"},
                        now,
                    )
                    account = auth.Account(new.id, name, auth.normalise_email(email), Role.ADMIN)
                    token = auth.start_session(conn, account, self.lang(request), address, now)
            if failed:
                log.warning("console: wrong set-up code from %s", address)
                return again_with("setup_bad_code", 403)
            log.info("console: first admin %s made through the set-up page", new.id)
            response = RedirectResponse("/console/", status_code=303)
            self._set_session_cookie(request, response, token)
            response.delete_cookie(PRE_COOKIE, path="/console")
            return response

        # --- kiosks ---------------------------------------------------------------------------

        @r.get("/console/kiosks", response_class=HTMLResponse)
        def kiosks_page(request: Request) -> Response:
            s = self.need(request)
            return self._kiosks(request, s, notice=request.query_params.get("done"))

        @r.post("/console/kiosks/code", response_class=HTMLResponse)
        def make_code(request: Request, form: FormDep) -> Response:
            s = self.need(request, Role.COORDINATOR)
            name = _text(form, "name", 121)
            try:
                hours = float(_text(form, "hours", 8) or "24")
            except ValueError:
                hours = -1
            if not _name_ok(name):
                return self._kiosks(request, s, error="name_invalid")
            if not 0 < hours <= 720:
                return self._kiosks(request, s, error="hours_invalid")
            now = self.clock()
            with write_transaction(self.engine) as conn:
                code = devices.create_enrollment_code(conn, name, timedelta(hours=hours), now)
                server_audit.record_server(
                    conn,
                    "enrollment_code_made",
                    {"coordinator": s.account.id, "name": name, "channel": "console"},
                    now,
                )
            return self.render(
                request,
                "code.html",
                s,
                code=code.code,
                name=name,
                expires=code.expires_at,
                server_address=_own_origin(request),
            )

        @r.post("/console/kiosks/codes/{code_id}/cancel")
        def cancel_code(request: Request, code_id: str, form: FormDep) -> Response:
            s = self.need(request, Role.COORDINATOR)
            now = self.clock()
            number = _row_id(code_id)
            with write_transaction(self.engine) as conn:
                name = devices.cancel_code(conn, number, now)
                if name is not None:
                    server_audit.record_server(
                        conn,
                        "enrollment_code_cancelled",
                        {
                            "coordinator": s.account.id,
                            "name": name,
                            "code": number,
                            "channel": "console",
                        },
                        now,
                    )
            if name is None:  # used, expired or cancelled meanwhile, or never made
                raise _Refused(404, "not_found")
            return RedirectResponse("/console/kiosks?done=code_cancelled", status_code=303)

        @r.post("/console/kiosks/{device_id}/rename")
        def rename(request: Request, device_id: str, form: FormDep) -> Response:
            s = self.need(request, Role.COORDINATOR)
            name = _text(form, "name", 121)
            if not _name_ok(name):
                return self._kiosks(request, s, error="name_invalid")
            d = table_of(Device).c
            with write_transaction(self.engine) as conn:
                done = conn.execute(
                    update(Device).where(d.id == device_id[:36]).values(name=name)
                ).rowcount
                if done:
                    server_audit.record_server(
                        conn,
                        "device_renamed",
                        {"coordinator": s.account.id, "device": device_id, "channel": "console"},
                        self.clock(),
                    )
            if not done:
                raise _Refused(404, "not_found")
            return RedirectResponse("/console/kiosks?done=renamed", status_code=303)

        @r.post("/console/kiosks/{device_id}/revoke")
        def revoke(request: Request, device_id: str, form: FormDep) -> Response:
            s = self.need(request, Role.COORDINATOR)
            with write_transaction(self.engine) as conn:
                result = devices.revoke_device(conn, device_id[:36], self.clock())
                if result:
                    server_audit.record_server(
                        conn,
                        "device_revoked",
                        {"coordinator": s.account.id, "device": device_id, "channel": "console"},
                        self.clock(),
                    )
            if result is None:
                raise _Refused(404, "not_found")
            log.info("console: coordinator %s revoked device %s", s.account.id, device_id)
            return RedirectResponse("/console/kiosks?done=revoked_done", status_code=303)

        # --- campaigns ------------------------------------------------------------------------

        @r.get("/console/campaigns", response_class=HTMLResponse)
        def campaigns_page(request: Request) -> Response:
            s = self.need(request)
            return self._campaigns(request, s)

        @r.post("/console/campaigns/check", response_class=HTMLResponse)
        async def campaigns_check(request: Request, form: FormDep) -> Response:
            s = await run_in_threadpool(self.need, request, Role.COORDINATOR)
            upload = form.get("file")
            if not isinstance(upload, UploadFile):  # no file, or a form sent not as multipart
                errors = [translate(s.lang, "no_file_chosen")]
                return await run_in_threadpool(self._campaigns, request, s, errors, status=400)
            raw = await upload.read(2 * 1024 * 1024 + 1)
            name = Path(upload.filename or "campaign.toml").name[:120] or "campaign.toml"
            return await run_in_threadpool(self._check_upload, request, s, name, raw, False)

        @r.post("/console/campaigns/publish", response_class=HTMLResponse)
        def campaigns_publish(request: Request, form: FormDep) -> Response:
            s = self.need(request, Role.COORDINATOR)
            name = _text(form, "filename", 120) or "campaign.toml"
            content = form.get("content")
            raw = content.encode("utf-8") if isinstance(content, str) else b""
            return self._check_upload(request, s, Path(name).name, raw, True)

        # --- exports --------------------------------------------------------------------------

        @r.get("/console/exports", response_class=HTMLResponse)
        def exports_page(request: Request) -> Response:
            s = self.need(request)
            return self._exports(request, s)

        @r.post("/console/exports")
        def start_export(request: Request, form: FormDep) -> Response:
            s = self.need(request)
            if not s.account.role.allows(Role.COORDINATOR):
                with write_transaction(self.engine) as conn:
                    server_audit.record_export_refused(
                        conn, s.account.id, s.account.role.value, "console", self.clock()
                    )
                return self._exports(request, s, 403, error="viewer_no_export")
            kind = _text(form, "kind", 3)
            slug = _text(form, "campaign", 64)
            local = _text(form, "local", 64)
            zone_name, zone = _zone(_text(form, "tz", 64))
            since_text, until_text = _text(form, "since", 11), _text(form, "until", 11)
            try:
                since = _day(since_text)
                until = _day(until_text)
                dates_ok = True
            except ValueError:
                since = until = None
                dates_ok = False
            event = _text(form, "event", 65)
            lang = _text(form, "lang", 2)
            paper = _text(form, "paper", 6) or "letter"
            rows = _text(form, "rows", 3) or "10"
            comments = _text(form, "comments", 1)
            per_file = _text(form, "per_file", 7)
            # A refused form comes back with its choices, not the defaults (the dates typed,
            # the local campaign picked out of 179...).
            chosen = {
                "kind": kind,
                "campaign": slug,
                "local": local,
                "since": since_text,
                "until": until_text,
                "event": event,
                "lang": lang,
                "include_synthetic": _text(form, "include_synthetic", 1),
                "tz": zone_name,
                "paper": paper,
                "rows": rows,
                "comments": comments,
                "split_state": _text(form, "split_state", 1),
                "per_file": per_file,
                "excel": _text(form, "excel", 1),
            }
            # A check box sends "1" or nothing: another value is no choice the form offers.
            boxes_ok = all(
                form.get(box) in (None, "", "1")
                for box in ("include_synthetic", "comments", "split_state", "excel")
            )
            # Empty: no limit; else a whole number of signatures a file (as --per-file).
            per_file_ok = per_file == "" or (
                per_file.isascii() and per_file.isdigit() and 1 <= int(per_file) <= PER_FILE_MAX
            )
            with self.engine.connect() as conn:
                c = data.campaign(conn, slug) if _SLUG.match(slug) else None
                event_known = not event or data.event_exists(conn, event)
            if (
                not boxes_ok
                or not per_file_ok
                or kind not in ("pdf", "csv")
                or c is None
                or (local not in ("", "*") and c.local(local) is None)
                or lang not in LANGS
                or paper not in PAGE_SIZES
                or rows not in _ROWS_CHOICES
                or not dates_ok
                or not event_known
            ):
                return self._exports(request, s, 422, error="export_invalid", chosen=chosen)
            # Days of the coordinator's time zone; the end date counts whole: signatures before
            # the next day's midnight there.
            start = _midnight(since, zone) if since else None
            end = _midnight(until + timedelta(days=1), zone) if until else None
            if start and end and end <= start:
                return self._exports(request, s, 422, error="export_bad_dates", chosen=chosen)
            params = {
                "kind": kind,
                "campaign": slug,
                "local": local,
                "since": start.isoformat() if start else "",
                "until": end.isoformat() if end else "",
                "since_day": since.isoformat() if since else "",
                "until_day": until.isoformat() if until else "",
                "tz": zone_name,
                "event": event,
                "include_synthetic": form.get("include_synthetic") == "1",
                "lang": lang,
                "paper": paper,
                "rows": int(rows),
                "comments": comments == "1",
                "split_state": kind == "pdf" and form.get("split_state") == "1",
                "per_file": int(per_file) if kind == "pdf" and per_file else None,
                "excel": kind == "csv" and form.get("excel") == "1",
            }
            jobs.start(self.engine, self.keyring, s.account.id, params, self.clock(), self.clock)
            return RedirectResponse("/console/exports", status_code=303)

        @r.get("/console/exports/{job_id}.json")
        def job_status(request: Request, job_id: str) -> Response:
            s = self.need(request)
            with self.engine.connect() as conn:
                job = jobs.get_job(conn, job_id[:32], s.account.id, self.clock())
            if job is None:
                raise _Refused(404, "not_found")
            response = JSONResponse(job)
            response.headers["Cache-Control"] = "no-store"
            return response

        @r.get("/console/exports/{job_id}/download")
        def job_download(request: Request, job_id: str) -> Response:
            s = self.need(request, Role.COORDINATOR)
            with self.engine.connect() as conn:
                found = jobs.job_file(conn, job_id[:32], s.account.id, self.clock(), self.keyring)
            if found is None:
                raise _Refused(404, "not_found")
            name, payload = found
            media = (
                "application/pdf"
                if name.endswith(".pdf")
                else "application/zip"
                if name.endswith(".zip")
                else "text/csv; charset=utf-8"
            )
            return Response(
                payload,
                media_type=media,
                headers={
                    "Content-Disposition": f'attachment; filename="{name}"',
                    "Cache-Control": "no-store",
                    "X-Content-Type-Options": "nosniff",
                },
            )

        # --- audit and quarantine -------------------------------------------------------------

        @r.get("/console/audit", response_class=HTMLResponse)
        def audit_page(request: Request) -> Response:
            s = self.need(request)
            with self.engine.connect() as conn:
                chains = [
                    ("server", translate(s.lang, "server_chain"), self.chain_checks.server(conn))
                ]
                states = server_audit.audit_states(conn)
                for d in devices.list_devices(conn):
                    report = self.chain_checks.device(conn, d.id, states.get(d.id))
                    chains.append((d.id, d.name, report))
                recent = list(reversed(server_audit.server_entries(conn, limit=30)))
                held = quarantined(conn, limit=200)
            return self.render(
                request,
                "audit.html",
                s,
                chains=chains,
                recent=recent,
                held=held,
                _ts=_ts,
                action_words=lambda code: audit_action(s.lang, code),
            )

        # --- accounts (admins) ----------------------------------------------------------------

        @r.get("/console/accounts", response_class=HTMLResponse)
        def accounts_page(request: Request) -> Response:
            s = self.need(request, Role.ADMIN)
            return self._accounts(request, s)

        @r.post("/console/accounts", response_class=HTMLResponse)
        def add_account(request: Request, form: FormDep) -> Response:
            s = self.need(request, Role.ADMIN)
            email = _text(form, "email", 254)
            role = _text(form, "role", 16)
            password = _text(form, "password", auth.MAX_PASSWORD + 1, strip=False)
            now = self.clock()
            try:
                with write_transaction(self.engine) as conn:
                    new = coordinators.add(conn, auth.normalise_email(email), now)
                    auth.set_login(conn, new.id, email, role, password)
                    server_audit.record_server(
                        conn,
                        "coordinator_added",
                        {
                            "coordinator": new.id,
                            "role": role,
                            "by": s.account.id,
                            "channel": "console",
                        },
                        now,
                    )
            except auth.AccountError as exc:
                return self._accounts(request, s, 400, error=exc.code)
            return self._accounts(
                request,
                s,
                notice=(
                    "account_added",
                    {"email": email, "address": _own_origin(request) + "/console/"},
                ),
            )

        @r.get("/console/accounts/{account_id}", response_class=HTMLResponse)
        def account_page(request: Request, account_id: str) -> Response:
            s = self.need(request, Role.ADMIN)
            aid = _row_id(account_id)
            done = request.query_params.get("done")
            return self._account(request, s, aid, notice=done if done in _ACCOUNT_DONE else None)

        @r.post("/console/accounts/{account_id}/role", response_class=HTMLResponse)
        def change_role(request: Request, account_id: str, form: FormDep) -> Response:
            s = self.need(request, Role.ADMIN)
            aid = _row_id(account_id)
            role = _text(form, "role", 16)
            try:
                with write_transaction(self.engine) as conn:
                    changed = auth.set_role(conn, aid, role)
                    if changed:
                        server_audit.record_server(
                            conn,
                            "coordinator_role_changed",
                            {"coordinator": aid, "role": role, "by": s.account.id},
                            self.clock(),
                        )
            except auth.AccountError as exc:
                return self._account(request, s, aid, 400, error=exc.code)
            if changed and aid == s.account.id:  # an admin no more: the accounts are not theirs
                return RedirectResponse("/console/", status_code=303)
            done = "role_changed" if changed else "role_same"
            return RedirectResponse(f"/console/accounts/{aid}?done={done}", status_code=303)

        @r.post("/console/accounts/{account_id}/password", response_class=HTMLResponse)
        def set_password(request: Request, account_id: str, form: FormDep) -> Response:
            s = self.need(request, Role.ADMIN)
            aid = _row_id(account_id)
            password = _text(form, "password", auth.MAX_PASSWORD + 1, strip=False)
            now = self.clock()
            try:
                with write_transaction(self.engine) as conn:
                    ended = auth.set_password(conn, aid, password, now)
                    server_audit.record_server(
                        conn,
                        "coordinator_password_set",
                        {"coordinator": aid, "by": s.account.id, "sessions_ended": ended},
                        now,
                    )
            except auth.AccountError as exc:
                return self._account(request, s, aid, 400, error=exc.code)
            if aid == s.account.id:  # their own: signed out with the old password
                return RedirectResponse("/console/signin", status_code=303)
            return RedirectResponse(f"/console/accounts/{aid}?done=password_set", status_code=303)

        @r.post("/console/accounts/{account_id}/revoke", response_class=HTMLResponse)
        def revoke_account(request: Request, account_id: str, form: FormDep) -> Response:
            s = self.need(request, Role.ADMIN)
            aid = _row_id(account_id)
            now = self.clock()
            try:
                with write_transaction(self.engine) as conn:
                    auth.revoke_account(conn, aid, now)
                    server_audit.record_server(
                        conn,
                        "coordinator_revoked",
                        {"coordinator": aid, "by": s.account.id, "channel": "console"},
                        now,
                    )
            except auth.AccountError as exc:
                return self._account(request, s, aid, 400, error=exc.code)
            if aid == s.account.id:
                return RedirectResponse("/console/signin", status_code=303)
            return RedirectResponse(
                f"/console/accounts/{aid}?done=account_revoked_now", status_code=303
            )

        @r.post("/console/sessions/{session_id}/revoke")
        def end_session(request: Request, session_id: str, form: FormDep) -> Response:
            s = self.need(request, Role.ADMIN)
            with write_transaction(self.engine) as conn:
                # Audited when a session was ended: an id that names none changes nothing.
                if auth.revoke_session(conn, session_id[:64], self.clock()):
                    server_audit.record_server(
                        conn,
                        "console_session_revoked",
                        {"by": s.account.id, "session": session_id[:12]},
                        self.clock(),
                    )
            return RedirectResponse("/console/accounts", status_code=303)

        # --- the rally screen -----------------------------------------------------------------

        @r.get("/rally/{slug}.json")
        def rally_json(request: Request, slug: str) -> Response:
            try:
                snap = self._rally_data(slug, request)
            except RallyBusy:
                return JSONResponse(
                    {"error": "server_busy", "detail": "the rally figures are busy; retry later"},
                    status_code=503,
                    headers={"Cache-Control": "no-store", "Retry-After": "10"},
                )
            return JSONResponse(snap, headers={"Cache-Control": "no-store"})

        @r.get("/rally/{slug}/events")
        async def rally_events(request: Request, slug: str) -> Response:
            address = client_address(request.scope)
            headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
            busy = f"retry: {OVERFLOW_RETRY_MS}\n: busy, try again later\n\n"
            if not self.rally.has_room(address):  # over a bound: come back later, no query
                kept = (
                    self.rally.kept((slug, *self._rally_view(request)))
                    if _SLUG.match(slug)
                    else None
                )
                if kept is not None:  # what other screens of this view already have
                    busy += f"data: {json.dumps(kept, sort_keys=True)}\n\n"
                return StreamingResponse(
                    iter([busy]), media_type="text/event-stream", headers=headers
                )
            try:
                first = await run_in_threadpool(self._rally_data, slug, request)
            except RallyBusy:  # no room to count it now, nothing kept: come back later
                return StreamingResponse(
                    iter([busy]), media_type="text/event-stream", headers=headers
                )

            async def stream() -> AsyncIterator[str]:
                # Counted while it is iterated: released however it ends (a stream never
                # started holds nothing).
                with self.rally.stream(address) as admitted:
                    if not admitted:  # others took the room since the check
                        yield busy
                        return
                    last = json.dumps(first, sort_keys=True)
                    yield f"retry: 1000\ndata: {last}\n\n"
                    quiet = 0.0
                    while True:
                        await asyncio.sleep(0.5)
                        if await request.is_disconnected():
                            return
                        try:
                            snap = await run_in_threadpool(self._rally_data, slug, request)
                        except RallyBusy:  # nothing new to say: not even "alive"
                            continue
                        now = json.dumps(snap, sort_keys=True)
                        quiet += 0.5
                        if now != last:
                            last, quiet = now, 0.0
                            yield f"data: {now}\n\n"
                        elif quiet >= 5:  # the screen knows its figures are current
                            quiet = 0.0
                            yield "event: alive\ndata: {}\n\n"

            return StreamingResponse(
                stream(),
                media_type="text/event-stream",
                headers=headers,
            )

        @r.get("/rally/{slug}", response_class=HTMLResponse)
        def rally_page(request: Request, slug: str) -> Response:
            with self.engine.connect() as conn:
                c = data.campaign(conn, slug) if _SLUG.match(slug) else None
            if c is None:
                raise _Refused(404, "not_found")
            try:
                snap = self._rally_data(slug, request)  # the figures every screen of it shares
            except RallyBusy:
                raise _Refused(503, "rally_busy") from None
            lang = self.lang(request)
            return self.render(
                request,
                "rally.html",
                None,
                c=c,
                title=c.text.title.get(lang),
                snap=snap,
                query=request.url.query,
            )

    # --- page helpers --------------------------------------------------------------------------

    def _pre_form(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        pre = request.cookies.get(PRE_COOKIE)
        fresh = not pre or len(pre) > 100
        if fresh:
            import secrets

            pre = secrets.token_urlsafe(32)
        assert pre is not None
        response = self.render(
            request, template, None, status, csrf=auth.pre_session_csrf(pre), **context
        )
        if fresh:
            response.set_cookie(
                PRE_COOKIE,
                pre,
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
                path="/console",
            )
        return response

    def _set_session_cookie(self, request: Request, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(auth.SESSION_MAX.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )

    def _open_codes(self, conn: Connection, s: Session) -> tuple[list[devices.OpenCode], int]:
        """The enrollment codes still open, for a coordinator (a viewer sees none): the newest
        :data:`OPEN_CODES_SHOWN`, and how many are open in all."""
        if not s.account.role.allows(Role.COORDINATOR):
            return [], 0
        now = self.clock()
        codes = devices.open_codes(conn, now, limit=OPEN_CODES_SHOWN)
        if len(codes) < OPEN_CODES_SHOWN:
            return codes, len(codes)
        return codes, devices.count_open_codes(conn, now)

    def _kiosks(
        self, request: Request, s: Session, notice: str | None = None, error: str | None = None
    ) -> Response:
        """The Kiosks page: its notice after a change, or (status 400) a refused form's error."""
        with self.engine.connect() as conn:
            rows = data.kiosks(conn, self.clock(), self.stale_after)
            codes, codes_open = self._open_codes(conn, s)
        return self.render(
            request,
            "kiosks.html",
            s,
            400 if error else 200,
            kiosks=rows,
            codes=codes,
            codes_open=codes_open,
            server_address=_own_origin(request),
            stale_hours=_hours(self.stale_after),
            notice=notice,
            error=error,
        )

    def _campaigns(
        self,
        request: Request,
        s: Session,
        errors: list[str] | None = None,
        preview: dict[str, Any] | None = None,
        published: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Response:
        lang = self.lang(request, s)
        with self.engine.connect() as conn:
            rows = campaign_store.summaries(conn)
            versions = {r.slug: data.text_versions(conn, r.slug, lang) for r in rows}
        return self.render(
            request,
            "campaigns.html",
            s,
            status,
            rows=rows,
            versions=versions,
            errors=errors or [],
            preview=preview,
            published=published,
        )

    def _check_upload(
        self, request: Request, s: Session, name: str, raw: bytes, publish: bool
    ) -> Response:
        # The name is the uploader's: only printable characters of it name the temporary file
        # (a NUL or a control character cannot, and is never shown back).
        name = "".join(ch for ch in name if ch.isprintable()).strip() or "campaign.toml"
        stem = name[: -len(".toml")] if name.endswith(".toml") else name
        # A file name is at most 255 bytes: a longer one could not name the temporary file
        # (the error then showed the server's temporary path).
        stem = stem.encode("utf-8")[:200].decode("utf-8", "ignore").strip() or "campaign"
        name = stem + ".toml"
        with tempfile.TemporaryDirectory(prefix="kiosk-console-") as tmp:
            path = Path(tmp) / name
            try:
                path.write_bytes(raw)
                prepared = campaign_store.load_files([path])[0]
            except CampaignFormatError as exc:
                said = [campaign_file_error(s.lang, problem) for problem in exc.problems]
                return self._campaigns(request, s, said, status=400)
            except OSError:  # never the server's own path in the answer
                return self._campaigns(
                    request, s, [f"{name}: the file could not be read"], status=400
                )
            except ValueError as exc:
                return self._campaigns(request, s, [f"{name}: {exc}"], status=400)
        c = prepared.campaign
        with self.engine.connect() as conn:
            known = {
                h
                for (h,) in conn.execute(
                    select(campaign_store.TEXT_VERSIONS.c.hash).where(
                        campaign_store.TEXT_VERSIONS.c.campaign == c.slug
                    )
                )
            }
            stored = campaign_store.stored_document(conn, c.slug)
        changes = changes_said(s.lang, stored, c)
        versions = [v.hash for v in c.all_versions()]
        info = {
            "changes": changes,
            "slug": c.slug,
            "locals": len(c.locals),
            "versions": len(versions),
            "new": len([h for h in versions if h not in known]),
            "filename": name,
            "content": raw.decode("utf-8"),
        }
        if not publish:
            return self._campaigns(request, s, preview=info)
        now = self.clock()
        with write_transaction(self.engine) as conn:
            result = campaign_store.store(conn, prepared, now)
            server_audit.record_server(
                conn,
                "campaign_published",
                {
                    "coordinator": s.account.id,
                    "campaign": c.slug,
                    "status": result.status,
                    "channel": "console",
                },
                now,
            )
        log.info("console: coordinator %s published %s (%s)", s.account.id, c.slug, result.status)
        return self._campaigns(
            request,
            s,
            published={"slug": c.slug, "status": translate(s.lang, f"pub_{result.status}")},
        )

    def _exports(
        self,
        request: Request,
        s: Session,
        status: int = 200,
        error: str | None = None,
        chosen: dict[str, str] | None = None,
    ) -> Response:
        """The exports page; ``chosen``: a refused form's choices, shown again as they were."""
        with self.engine.connect() as conn:
            camps = data.campaigns(conn)
            events = data.filters(conn)[0]
        with write_transaction(self.engine) as conn:
            rows = jobs.list_jobs(conn, s.account.id, self.clock())
        return self.render(
            request,
            "exports.html",
            s,
            status,
            campaigns=camps,
            events=events,
            jobs=rows,
            error=error,
            has_key=self.keyring is not None,
            rows_choices=_ROWS_CHOICES,
            per_file_max=PER_FILE_MAX,
            chosen=chosen or {},
        )

    def _account(
        self,
        request: Request,
        s: Session,
        account_id: int,
        status: int = 200,
        error: str | None = None,
        notice: str | None = None,
    ) -> Response:
        c = coordinators.COORDINATORS.c
        with self.engine.connect() as conn:
            person = conn.execute(
                select(
                    c.id, c.name, c.email, c.role, c.created_at, c.last_seen_at, c.revoked_at
                ).where(c.id == account_id, c.email.is_not(None))
            ).first()
            if person is None:
                raise _Refused(404, "not_found")
            open_sessions = [
                x for x in auth.active_sessions(conn, self.clock()) if x["email"] == person.email
            ]
        return self.render(
            request,
            "account.html",
            s,
            status,
            person=person,
            open_sessions=len(open_sessions),
            error=error,
            notice=notice,
        )

    def _accounts(
        self,
        request: Request,
        s: Session,
        status: int = 200,
        error: str | None = None,
        notice: tuple[str, dict[str, Any]] | None = None,
    ) -> Response:
        c = coordinators.COORDINATORS.c
        with self.engine.connect() as conn:
            people = conn.execute(
                select(c.id, c.name, c.email, c.role, c.last_seen_at, c.revoked_at).order_by(c.id)
            ).all()
            sessions = auth.active_sessions(conn, self.clock())
        return self.render(
            request,
            "accounts.html",
            s,
            status,
            people=people,
            sessions=sessions,
            error=error,
            notice=notice,
        )

    @staticmethod
    def _rally_view(request: Request) -> tuple[int, str | None, bool]:
        """What a rally snapshot depends on besides the campaign: the viewer's UTC offset in
        minutes (``tzo``: where their day starts), the event, and whether test data counts."""
        try:
            offset = int(request.query_params.get("tzo", "0"))
        except ValueError:
            offset = 0
        # A real UTC offset (whole quarter hours, -12:00 to +14:00): each other value would be
        # one more view to compute for anyone who asks, without signing in.
        offset = max(-12 * 60, min(14 * 60, round(offset / 15) * 15))
        event = (request.query_params.get("event") or "")[:64] or None
        return offset, event, request.query_params.get("test") == "1"

    def _rally_snapshot(
        self, conn: Any, c: Any, view: tuple[int, str | None, bool]
    ) -> dict[str, Any]:
        """The rally figures of campaign ``c`` for ``view`` (:meth:`_rally_view`)."""
        offset, event, test = view
        now = self.clock()
        local_now = now + timedelta(minutes=offset)
        day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
            minutes=offset
        )
        return data.rally(conn, c, day_start, now, event, test)

    def _rally_data(self, slug: str, request: Request) -> dict[str, Any]:
        """The view's snapshot, shared with every request for the same view for half a second
        (:class:`kiosk.server.console.rally.RallyFeed`)."""
        if not _SLUG.match(slug):
            raise _Refused(404, "not_found")
        view = self._rally_view(request)

        def compute() -> dict[str, Any]:
            with self.engine.connect() as conn:
                c = data.campaign(conn, slug)
                if c is None or (view[1] is not None and not data.event_exists(conn, view[1])):
                    raise _Refused(404, "not_found")  # nothing counted for a view that is none
                return self._rally_snapshot(conn, c, view)

        return self.rally.snapshot((slug, *view), compute)


# --- small helpers -------------------------------------------------------------------------------


def _secure_headers(response: Response) -> None:
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"


def _job_failure(lang: str, message: str | None) -> str:
    """Why an export job failed, in the page's language: ``CODE: words`` (as :mod:`jobs` keeps
    it) in the console's words when the code is known, with what the words add after them."""
    code, sep, words = (message or "").partition(": ")
    key = f"export_failed_{code}"
    if not sep or key not in MESSAGES:
        return message or ""
    # What the words add in parentheses (which campaign, say); not after "nothing to export",
    # whose words are the command line's (its options' names)
    extra = words[words.index(" (") :] if " (" in words else ""
    if code.startswith("nothing_to_export"):
        extra = ""
    return translate(lang, key) + extra


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _back(request: Request) -> str | None:
    """The console page a refused request came from (its same-origin ``Referer``), to link
    back to; None when there is none, or it is the refused address itself."""
    referrer = request.headers.get("referer", "")
    if not referrer or not referrer.isprintable():
        return None
    try:
        parts = urlsplit(referrer)
    except ValueError:
        return None
    if (
        f"{parts.scheme}://{parts.netloc}" != _own_origin(request)
        or not is_console_page(parts.path)
        or parts.path == request.url.path
    ):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _lang_href(request: Request, other: str) -> str:
    """The address of this page in the ``other`` language: the same page with its filters (a
    campaign's event and sort were lost); for a page a form answered, the page the form was on
    (the form's address opened as a page is a 405), else the overview."""
    if request.method in ("GET", "HEAD"):
        path, query = request.url.path, request.query_params.multi_items()
    else:
        back = _back(request)
        parts = urlsplit(back or "/console/")
        path, query = parts.path, parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if k != "lang"]
    return f"{path}?{urlencode([*kept, ('lang', other)])}"


def _address(request: Request) -> str:
    client = request.scope.get("client")
    return str(client[0]) if client else "unknown"


def _text(form: FormData, key: str, limit: int, strip: bool = True) -> str:
    value = form.get(key)
    if not isinstance(value, str):
        return ""
    value = value[:limit]
    return value.strip() if strip else value


#: What an account's page may say was done (``?done=``, after the form's redirect).
_ACCOUNT_DONE = frozenset({"role_changed", "role_same", "password_set", "account_revoked_now"})


#: The open enrollment codes the Kiosks page lists (the newest; it says how many more are open,
#: and ``kiosk-server devices codes`` lists every one).
OPEN_CODES_SHOWN = 200

#: The signatures per PDF sheet the export form offers, as its values (the kiosk's choices).
_ROWS_CHOICES = [str(n) for n in ROWS_PER_SHEET_CHOICES]

#: The largest "signatures a file" the export form takes (a file of 100,000 is already huge).
PER_FILE_MAX = 100_000


def _row_id(value: str) -> int:
    """An account's or enrollment code's id from a page's address; 404 when it cannot be one
    (ASCII digits only: ``str.isdigit`` takes "²", which ``int`` refuses, and "١", which it
    reads as 1; at most 9 of them, in PostgreSQL's ``integer``)."""
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise _Refused(404, "not_found")
    return int(value)


def _name_ok(name: str) -> bool:
    return 0 < len(name) <= 120 and not CONTROL_RE.search(name)


def _day(value: str) -> date | None:
    """A form's ``YYYY-MM-DD``; None when empty.

    Raises:
        ValueError: not such a date.
    """
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(value)
    day = date.fromisoformat(value)
    if not 1900 <= day.year <= 9998:  # the end date's next midnight must exist
        raise ValueError(value)
    return day


def _zone(name: str) -> tuple[str, tzinfo]:
    """The time zone a form's dates are days of: the browser's (console.js fills the form's
    ``tz`` with its IANA name), else UTC (no script, or a name this server does not know)."""
    if name and name != "UTC" and re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+){0,2}", name):
        try:
            return name, ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return "UTC", UTC


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The moment ``day`` starts in ``zone``, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _hours(span: timedelta) -> str:
    """``6`` or ``1.5``: a span in hours as the pages say it."""
    return f"{span.total_seconds() / 3600:g}"


def _hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _ts(at_ms: int) -> Markup:
    return _time_element(datetime.fromtimestamp(at_ms / 1000, UTC), seconds=True)


def _chart(points: list[tuple[str, int]], label_every: int) -> dict[str, Any]:
    """Bars for an inline SVG chart: a 0 0 W H box, with a y scale and sparse x labels."""
    width, height, left, bottom = 720, 200, 50, 24  # left: room for "20,000"
    top = 10
    peak = max((n for _, n in points), default=0)
    scale_max = max(2, _nice(peak))  # 2 at least: an empty chart's middle line reads 1, not 0
    slot = (width - left) / max(1, len(points))
    bars = []
    for i, (label, n) in enumerate(points):
        h = (height - bottom - top) * n / scale_max
        bars.append(
            {
                "x": round(left + i * slot + slot * 0.1, 1),
                "y": round(height - bottom - h, 1),
                "w": round(slot * 0.8, 1),
                "h": round(h, 1),
                "n": n,
                "label": label,
                "show_label": i % label_every == 0,
                "lx": round(left + i * slot + slot / 2, 1),
            }
        )
    ticks = [
        {"y": round(height - bottom - (height - bottom - top) * f, 1), "v": int(scale_max * f)}
        for f in (0, 0.5, 1)
    ]
    return {
        "bars": bars,
        "ticks": ticks,
        "width": width,
        "height": height,
        "left": left,
        "base": height - bottom,
        "total": sum(n for _, n in points),
    }


def _nice(n: int) -> int:
    if n <= 10:
        return max(n, 1) if n % 2 == 0 else n + 1
    magnitude = int(10 ** (len(str(n)) - 1))
    for step in (1, 2, 5, 10):
        if n <= step * magnitude:
            return step * magnitude
    return n


def install(
    app: FastAPI,
    engine: Engine,
    keyring: KeyRing | None,
    clock: Callable[[], datetime],
    demo: bool = False,
    stale_hours: float = 6.0,
) -> Console:
    """Mount the console and the rally screen on the application (same process, same port).

    Args:
        app: the server's FastAPI application.
        engine: its database engine.
        keyring: the organization's private keys (exports), or None.
        clock: the current aware UTC time.
        demo: the server runs in demo mode (pages say DEMO).
        stale_hours: kiosks not seen for this many hours are marked on the overview and the
            kiosks page (``KIOSK_CONSOLE_STALE_HOURS``).
    """
    console = Console(engine, keyring, clock, demo, stale_hours)
    app.state.console = console
    app.include_router(console.router)
    static = resources.files("kiosk.server.console") / "static"
    app.mount("/console/static", StaticFiles(directory=str(static)), name="console-static")

    async def on_redirect(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, _Redirect)
        return RedirectResponse(exc.url, status_code=303)

    async def on_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, _Refused)
        return await console.error_page(request, exc.status, exc.key, exc.values)

    app.add_exception_handler(_Redirect, on_redirect)
    app.add_exception_handler(_Refused, on_refused)
    return console
