"""The console's Forwarding page (``/console/forwarding``, issue #16).

What ``kiosk-server forward list|status|add|remove|pause|resume|retry`` does, in the browser,
through the same :class:`~kiosk.server.forwarding.service.ForwardingService`:

- every destination by campaign (and local campaign), its state (active, paused, held by a 429)
  and its outbox counts: pending, failing (pending after a failed attempt), sent, dead, skipped;
- signatures forwarded before they were voided (the CRM still holds them), listed;
- coordinators pause, resume and retry dead letters; admins add and remove destinations (where
  personal data goes is an admin's decision). A credential is typed once into a password field,
  sealed with the forwarding secret as the command line seals it, and never shown again; a
  webhook secret the server makes is shown once, on the answer to the form that made it.

Viewers read the page only. Every form carries the session's CSRF token (the console's checks,
:meth:`kiosk.server.console.web.Console.form`). The page's words are in the console's one table
(:data:`kiosk.server.console.i18n.MESSAGES`, the ``fwd_*`` keys).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from kiosk.server.console import data
from kiosk.server.console.auth import Role, Session
from kiosk.server.console.i18n import MESSAGES
from kiosk.server.console.web import Console, FormDep
from kiosk.server.forwarding.destinations import DestinationError, DestinationSpec
from kiosk.server.forwarding.outbox import DEAD
from kiosk.server.forwarding.secrets import SecretError
from kiosk.server.forwarding.service import ForwardingService

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_VOIDED_SHOWN = 200
#: Dead letters listed per destination (the command line lists them all).
_DEAD_SHOWN = 20
#: No forwarder pass for this long (a working one marks itself every 30 s): the page says that
#: nothing is being sent.
FORWARDER_QUIET = timedelta(minutes=5)


def _console(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def _service(request: Request) -> ForwardingService:
    service: ForwardingService = request.app.state.forwarding_service
    return service


def _by(session: Session) -> str:
    return f"coordinator:{session.account.id}"


def _page(
    request: Request,
    session: Session,
    status: int = 200,
    error: tuple[str, dict[str, Any]] | None = None,
    notice: tuple[str, dict[str, Any]] | None = None,
    made_secret: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    console = _console(request)
    service = _service(request)
    rows = service.status()
    voided = service.sent_then_voided(limit=_VOIDED_SHOWN)
    voided_total = sum(r.sent_then_voided for r in rows)
    dead = {  # name: (the first dead letters, how many more)
        r.destination.name: (
            service.items(r.destination.id, DEAD, limit=_DEAD_SHOWN),
            max(0, r.counts[DEAD] - _DEAD_SHOWN),
        )
        for r in rows
        if r.counts.get(DEAD, 0)
    }
    seen = service.forwarder_seen()
    now = console.clock()
    quiet = bool(rows) and (seen is None or now - seen > FORWARDER_QUIET)
    with console.engine.connect() as conn:
        camps = data.campaigns(conn)
    targets = [(c.slug, c.slug) for c in camps]
    for c in camps:
        targets.extend((f"{c.slug}/{loc.slug}", f"{c.slug} / {loc.place}") for loc in c.locals)
    rows.sort(
        key=lambda r: (
            r.destination.campaign,
            r.destination.local_campaign or "",
            r.destination.name,
        )
    )
    return console.render(
        request,
        "forwarding.html",
        session,
        status,
        rows=rows,
        voided=voided,
        voided_more=max(0, voided_total - len(voided)),
        dead=dead,
        skip_keys=_SKIP_KEYS,
        targets=targets,
        error=error,
        notice=notice,
        made_secret=made_secret,
        form=form or {},
        now=now,
        forwarder_seen=seen,
        forwarder_quiet=quiet,
    )


#: Skip reasons the page words (others are counted as "other").
_SKIP_KEYS = frozenset(
    {
        "no_opt_in",
        "no_contact",
        "voided",
        "voided_after_send_attempt",
        "synthetic",
        "unreadable",
        "signature_missing",
    }
)


def _refusal(exc: DestinationError | SecretError) -> tuple[str, dict[str, Any]]:
    """The page's words for a refused destination: its own sentence when the refusal has a
    code (``fwd_err_CODE``), else the English message inside "Not saved: ..."."""
    code = getattr(exc, "code", None)
    if code is not None and f"fwd_err_{code}" in MESSAGES:
        return f"fwd_err_{code}", dict(exc.values)  # type: ignore[union-attr]
    return "fwd_error", {"message": str(exc)}


def _field(form: Any, key: str, limit: int) -> str:
    value = form.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def install(app: FastAPI, service: ForwardingService) -> None:
    """Mount the Forwarding page on the application (after the console itself).

    Args:
        app: the server's application, with the console installed (``app.state.console``).
        service: the forwarding service (its secret loader makes the forwarding secret file
            at the first destination added).
    """
    app.state.forwarding_service = service
    r = APIRouter(include_in_schema=False)

    @r.get("/console/forwarding")
    def forwarding_page(request: Request) -> Response:
        s = _console(request).need(request)
        return _page(request, s)

    @r.post("/console/forwarding")
    def add_destination(request: Request, form: FormDep) -> Response:
        s = _console(request).need(request, Role.ADMIN)
        kept = {
            "name": _field(form, "name", 64),
            "kind": _field(form, "kind", 16),
            "target": _field(form, "target", 130),
            "url": _field(form, "url", 2000),
            "rate": _field(form, "rate", 12),
            "without_opt_in": _field(form, "without_opt_in", 16),
        }
        credential = _field(form, "credential", 2000) or None
        campaign, _, local = kept["target"].partition("/")

        def again(key: str, **values: Any) -> Response:
            return _page(request, s, 400, error=(key, values), form=kept)

        rate: float | None = None
        if kept["rate"]:
            try:
                rate = float(kept["rate"])
            except ValueError:
                return again("fwd_bad_rate")
        if kept["kind"] == "osdi" and credential is None:
            return again("fwd_need_token")  # the service's own words name a command-line flag
        spec = DestinationSpec(
            name=kept["name"],
            kind=kept["kind"],
            campaign=campaign,
            url=kept["url"],
            credential=credential,
            local_campaign=local or None,
            rate_per_second=rate,
            without_opt_in=kept["without_opt_in"] or "skip",
        )
        try:
            dest, secret = _service(request).add(spec, _by(s))
        except (DestinationError, SecretError) as exc:
            key, values = _refusal(exc)
            return again(key, **values)
        made = secret if dest.kind == "webhook" and credential is None else None
        return _page(request, s, notice=("fwd_added", {"name": dest.name}), made_secret=made)

    def _named(name: str) -> str:
        if not _NAME.match(name):
            return ""
        return name

    @r.post("/console/forwarding/{name}/pause")
    def pause(request: Request, name: str, form: FormDep) -> Response:
        s = _console(request).need(request, Role.COORDINATOR)
        try:
            d = _service(request).pause(_named(name), _by(s))
        except DestinationError as exc:
            return _page(request, s, 404, error=("fwd_error", {"message": str(exc)}))
        return _page(request, s, notice=("fwd_paused_done", {"name": d.name}))

    @r.post("/console/forwarding/{name}/resume")
    def resume(request: Request, name: str, form: FormDep) -> Response:
        s = _console(request).need(request, Role.COORDINATOR)
        try:
            d = _service(request).resume(_named(name), _by(s))
        except DestinationError as exc:
            return _page(request, s, 404, error=("fwd_error", {"message": str(exc)}))
        return _page(request, s, notice=("fwd_resumed_done", {"name": d.name}))

    @r.post("/console/forwarding/{name}/retry")
    def retry(request: Request, name: str, form: FormDep) -> Response:
        s = _console(request).need(request, Role.COORDINATOR)
        try:
            n = _service(request).retry(_named(name), _by(s))
        except DestinationError as exc:
            return _page(request, s, 404, error=("fwd_error", {"message": str(exc)}))
        return _page(request, s, notice=("fwd_retried", {"name": name, "n": n}))

    @r.post("/console/forwarding/change")
    def change(request: Request, form: FormDep) -> Response:
        s = _console(request).need(request, Role.ADMIN)
        name = _named(_field(form, "name", 64))
        url = _field(form, "url", 2000) or None
        credential = _field(form, "credential", 2000) or None
        try:
            d = _service(request).change(name, _by(s), url=url, credential=credential)
        except (DestinationError, SecretError) as exc:
            key, values = _refusal(exc)
            return _page(request, s, 400, error=(key, values))
        return _page(request, s, notice=("fwd_changed", {"name": d.name}))

    @r.post("/console/forwarding/{name}/remove")
    def remove(request: Request, name: str, form: FormDep) -> Response:
        s = _console(request).need(request, Role.ADMIN)
        if _field(form, "confirm", 64) != name:
            return _page(request, s, 400, error=("fwd_name_mismatch", {}))
        try:
            d = _service(request).remove(_named(name), _by(s))
        except DestinationError as exc:
            return _page(request, s, 404, error=("fwd_error", {"message": str(exc)}))
        return _page(request, s, notice=("fwd_removed", {"name": d.name}))

    app.include_router(r)
