"""Forwarding destinations: the URL rules, adding, listing, pausing and removing.

A destination forwards one campaign's signatures, or one local campaign's (where the CRM has one
petition per decision-maker). Its URL must be HTTPS; plain HTTP is accepted for ``localhost``,
``127.0.0.0/8`` and ``::1`` (a receiver on the same machine), or anywhere with the explicit
``allow_http`` flag. Its host must be a public address, or resolve to public addresses only:
link-local and metadata addresses never, loopback and private ones only where the operator
allows them (:mod:`.netguard`, ``KIOSK_FORWARD_ALLOW_NETWORKS``). A URL carrying a user name or
password is refused (credentials go in the sealed credential, never in a URL that might be
printed). The URL and credential are sealed together (:mod:`.secrets`); only
``scheme://host:port`` stays readable.
"""

from __future__ import annotations

import ipaddress
import re
import secrets as _random
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, delete, select, update

from kiosk.server.forwarding import netguard
from kiosk.server.forwarding.models import ATTEMPTS, OUTBOX
from kiosk.server.forwarding.models import DESTINATIONS as DESTINATIONS  # re-exported
from kiosk.server.forwarding.secrets import ForwardingSecret

KINDS = ("osdi", "webhook")
WITHOUT_OPT_IN = ("skip", "unsubscribed")
#: Action Network allows about 4 requests a second: stay under it.
OSDI_DEFAULT_RATE = 3.0
DEFAULT_MAX_ATTEMPTS = 12
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
#: What a URL to send to may not hold: white space (``http.client`` refuses it in a path, at
#: every send), control characters (``urlsplit`` drops a CR, LF or tab, so another URL than the
#: one typed was sent to) and bidirectional overrides (kiosk.wire's CONTROL_CHARACTERS).
_NOT_IN_URL = re.compile("[\\s\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: What a credential may not hold: control characters (a line feed read with the token's file
#: made every send fail before it left, "Invalid header value") and white space, which no token
#: or webhook secret has.
_NOT_IN_CREDENTIAL = re.compile("[\\s\x00-\x1f\x7f-\x9f]")
#: The longest host name DNS has (the endpoint ``scheme://host:port`` is kept in 300).
_MAX_HOST = 253


class DestinationError(Exception):
    """A destination setting is invalid or names something that does not exist.

    Attributes:
        code: what is wrong, for the console's translated words (``fwd_err_CODE`` in
            :data:`kiosk.server.console.i18n.MESSAGES`); None: only the English message.
        values: the message's values (``{host}``, ...).
    """

    def __init__(self, message: str, code: str | None = None, **values: object) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


@dataclass(frozen=True, slots=True)
class DestinationSpec:
    """What ``forward add`` asks for.

    Attributes:
        name: a short unique name (``an-duluth``): lowercase letters, digits, ``.``, ``_``, ``-``.
        kind: ``osdi`` or ``webhook``.
        campaign: the campaign slug.
        url: OSDI: the petition's signatures URL (the record-signature helper); webhook: the
            receiver.
        credential: OSDI: the API token; webhook: the ``whsec_...`` signing secret (None: make
            one).
        local_campaign: only this local campaign's signatures.
        allow_http: allow plain HTTP to a host other than localhost.
        rate_per_second: at most this many requests a second (None: 3 for OSDI, no limit for
            webhooks; 0: no limit).
        concurrency: requests in flight at once (None: 1 for OSDI, 8 for webhooks).
        max_attempts: attempts before a signature is dead-lettered.
        without_opt_in: ``skip`` or ``unsubscribed`` (see docs/forwarding.md).
    """

    name: str
    kind: str
    campaign: str
    url: str
    credential: str | None = None
    local_campaign: str | None = None
    allow_http: bool = False
    rate_per_second: float | None = None
    concurrency: int | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    without_opt_in: str = "skip"


@dataclass(frozen=True, slots=True)
class Destination:
    """A stored destination, as listings show it (no URL path, no credential)."""

    id: int
    name: str
    kind: str
    campaign: str
    local_campaign: str | None
    endpoint: str
    allow_http: bool
    rate_per_second: float
    concurrency: int
    max_attempts: int
    without_opt_in: str
    paused: bool
    not_before: datetime | None
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "campaign": self.campaign,
            "local_campaign": self.local_campaign,
            "endpoint": self.endpoint,
            "allow_http": self.allow_http,
            "rate_per_second": self.rate_per_second,
            "concurrency": self.concurrency,
            "max_attempts": self.max_attempts,
            "without_opt_in": self.without_opt_in,
            "paused": self.paused,
            "not_before": self.not_before.isoformat() if self.not_before else None,
            "created_at": self.created_at.isoformat(),
        }


def is_local_host(host: str) -> bool:
    """Whether ``host`` is this machine (``localhost``, loopback addresses)."""
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_action_network(url: str) -> bool:
    """Whether ``url`` is Action Network's API (``actionnetwork.org`` or a subdomain)."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    return host == "actionnetwork.org" or host.endswith(".actionnetwork.org")


def check_url(
    url: str,
    allow_http: bool,
    network: netguard.NetworkPolicy | None = None,
    resolve: netguard.Resolver | None = None,
) -> str:
    """Check a destination URL and return its ``scheme://host:port``.

    Args:
        url: the destination URL.
        allow_http: allow plain HTTP to a host other than this machine.
        network: which addresses may be reached (None: the URL's form only, no address check).
        resolve: how names are resolved (``socket.getaddrinfo``).

    Raises:
        DestinationError: not http(s), no host, user info in it, plain HTTP to another host
            without ``allow_http``, or (with ``network``) an address the policy refuses.
    """
    if _NOT_IN_URL.search(url):
        raise DestinationError("not a URL: it holds white space or a control character", "not_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DestinationError(f"not a URL: {exc}", "not_url") from None
    if port == 0:
        raise DestinationError("not a URL: port 0", "not_url")
    if parts.scheme not in ("https", "http"):
        raise DestinationError(
            "the URL must start with https:// (or http:// to localhost)", "scheme"
        )
    host = parts.hostname
    if not host:
        raise DestinationError("the URL has no host", "no_host")
    if len(host) > _MAX_HOST:
        raise DestinationError(
            f"not a URL: its host is longer than {_MAX_HOST} characters", "not_url"
        )
    if parts.username is not None or parts.password is not None:
        raise DestinationError(
            "the URL carries a user name or password: give the credential as the API token or "
            "webhook secret instead (--token-env / --secret-env VAR, or the console's field; it "
            "is sealed, a URL is not)",
            "userinfo",
        )
    if parts.scheme == "http" and not allow_http and not is_local_host(host):
        raise DestinationError(
            f"plain HTTP to {host} would send personal data in clear: use https://, or "
            "--allow-http if this network is trusted",
            "plain_http",
            host=host,
        )
    if network is not None:
        effective = port or (443 if parts.scheme == "https" else 80)
        try:
            netguard.check_host(network, host, effective, *([resolve] if resolve else []))
            if is_local_host(host):  # localhost. or x.localhost that does not resolve here
                network.check_ip(host, ipaddress.ip_address("127.0.0.1"))
        except netguard.AddressRefused as exc:
            raise address_error(exc, network) from None
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}" + (f":{port}" if port else "")


def address_error(
    exc: netguard.AddressRefused, network: netguard.NetworkPolicy
) -> DestinationError:
    """The :class:`DestinationError` of an address the policy refuses. ``where`` is the host
    as typed: the address a name resolved to is not shown (the console would otherwise tell an
    admin account what the server's resolver knows of internal names)."""
    where = exc.host
    if exc.kind == "never":
        return DestinationError(
            f"{where}: a link-local, metadata, multicast or unspecified address; forwarding "
            "never sends there",
            "address_never",
            where=where,
        )
    return DestinationError(
        f"{where}: an address of this machine or of a private network; refused unless the "
        f"server's {netguard.ENV_FORWARD_ALLOW_NETWORKS} lists its network "
        f"(now: {netguard.names(network.allowed)})",
        "address_internal",
        where=where,
    )


def _check_credential(credential: str | None) -> None:
    if credential and _NOT_IN_CREDENTIAL.search(credential):
        raise DestinationError(
            "the credential holds white space or a control character (a line feed read with "
            "it from a file?): it could not be sent",
            "credential_chars",
        )


def new_webhook_secret() -> str:
    """A fresh Standard Webhooks signing secret (``whsec_`` + base64 of 32 random bytes)."""
    import base64

    return "whsec_" + base64.b64encode(_random.token_bytes(32)).decode("ascii")


def _check_spec(conn: Connection, spec: DestinationSpec) -> None:
    if not _NAME_RE.match(spec.name):
        raise DestinationError(
            "a destination name is 1-64 lowercase letters, digits, '.', '_' or '-'", "bad_name"
        )
    if spec.kind not in KINDS:
        raise DestinationError(f"kind must be one of {', '.join(KINDS)}")
    if spec.without_opt_in not in WITHOUT_OPT_IN:
        raise DestinationError(f"--without-opt-in must be one of {', '.join(WITHOUT_OPT_IN)}")
    if spec.max_attempts < 1 or spec.max_attempts > 1000:
        raise DestinationError("--max-attempts must be between 1 and 1000")
    if spec.rate_per_second is not None and not 0 <= spec.rate_per_second <= 10_000:
        raise DestinationError("--rate must be between 0 (no limit) and 10000 per second")
    if spec.concurrency is not None and not 1 <= spec.concurrency <= 64:
        raise DestinationError("--concurrency must be between 1 and 64")
    if (
        spec.kind == "osdi"
        and spec.without_opt_in == "unsubscribed"
        and is_action_network(spec.url)
    ):
        raise DestinationError(
            "Action Network subscribes every person its record-signature helper creates, "
            "whatever status is sent (the only status it takes is 'subscribed'): "
            "--without-opt-in unsubscribed would subscribe signers who did not opt in; keep skip",
            "an_unsubscribed",
        )
    _check_credential(spec.credential)
    if spec.kind == "osdi" and not spec.credential:
        raise DestinationError("an OSDI destination needs its API token (--token-env VAR)")
    if spec.kind == "webhook" and spec.credential and not spec.credential.startswith("whsec_"):
        raise DestinationError(
            "a webhook secret starts with whsec_ (leave it out to make one)", "whsec"
        )
    from kiosk.server.exports import ExportError, load_campaign

    try:
        campaign = load_campaign(conn, spec.campaign)
    except ExportError as exc:
        raise DestinationError(str(exc)) from None
    if spec.local_campaign is not None and campaign.local(spec.local_campaign) is None:
        known = ", ".join(loc.slug for loc in campaign.locals) or "none"
        raise DestinationError(
            f"{spec.campaign} has no local campaign {spec.local_campaign!r} (known: {known})",
            "no_local",
            campaign=spec.campaign,
            local=spec.local_campaign,
        )
    if conn.execute(select(DESTINATIONS.c.id).where(DESTINATIONS.c.name == spec.name)).first():
        raise DestinationError(
            f"a destination named {spec.name!r} exists already", "name_taken", name=spec.name
        )


def add_destination(
    conn: Connection,
    secret: ForwardingSecret,
    spec: DestinationSpec,
    now: datetime,
    network: netguard.NetworkPolicy | None = None,
) -> tuple[Destination, str]:
    """Store a destination; return it and its credential (a made webhook secret is shown once).

    Args:
        conn: the transaction.
        secret: seals the URL and credential.
        spec: what to add.
        now: when.
        network: which addresses may be reached (None: the strictest, no internal one).

    Raises:
        DestinationError: invalid settings, an address refused, unknown campaign, name taken.
    """
    endpoint = check_url(spec.url, spec.allow_http, network or netguard.NetworkPolicy())
    _check_spec(conn, spec)
    credential = spec.credential or new_webhook_secret()
    rate = spec.rate_per_second
    if rate is None:
        rate = OSDI_DEFAULT_RATE if spec.kind == "osdi" else 0.0
    concurrency = spec.concurrency or (1 if spec.kind == "osdi" else 8)
    new_id = conn.execute(
        DESTINATIONS.insert()
        .values(
            name=spec.name,
            kind=spec.kind,
            campaign=spec.campaign,
            local_campaign=spec.local_campaign,
            endpoint=endpoint,
            sealed=secret.seal({"url": spec.url, "credential": credential}),
            secret_id=secret.fingerprint,
            allow_http=spec.allow_http,
            rate_per_second=rate,
            concurrency=concurrency,
            max_attempts=spec.max_attempts,
            without_opt_in=spec.without_opt_in,
            paused=False,
            created_at=now,
        )
        .returning(DESTINATIONS.c.id)
    ).scalar_one()
    return get_destination(conn, new_id), credential


def _from_row(r: Any) -> Destination:
    return Destination(
        id=r.id,
        name=r.name,
        kind=r.kind,
        campaign=r.campaign,
        local_campaign=r.local_campaign,
        endpoint=r.endpoint,
        allow_http=r.allow_http,
        rate_per_second=r.rate_per_second,
        concurrency=r.concurrency,
        max_attempts=r.max_attempts,
        without_opt_in=r.without_opt_in,
        paused=r.paused,
        not_before=r.not_before,
        created_at=r.created_at,
    )


_COLUMNS = [c for c in DESTINATIONS.c if c.name not in ("sealed", "secret_id", "queued_through")]


def list_destinations(conn: Connection) -> list[Destination]:
    """Every destination, by name."""
    rows = conn.execute(select(*_COLUMNS).order_by(DESTINATIONS.c.name))
    return [_from_row(r) for r in rows]


def get_destination(conn: Connection, ref: int | str) -> Destination:
    """A destination by id or name.

    Raises:
        DestinationError: no such destination.
    """
    d = DESTINATIONS.c
    cond = d.id == ref if isinstance(ref, int) else d.name == ref
    row = conn.execute(select(*_COLUMNS).where(cond)).first()
    if row is None and isinstance(ref, str) and ref.isascii() and ref.isdigit():
        row = conn.execute(select(*_COLUMNS).where(d.id == int(ref))).first()
    if row is None:
        raise DestinationError(f"no destination {ref!r} (see `kiosk-server forward list`)")
    return _from_row(row)


def set_paused(conn: Connection, ref: int | str, paused: bool) -> Destination:
    """Pause or resume a destination (a paused one keeps queueing, sends nothing).

    Raises:
        DestinationError: no such destination.
    """
    dest = get_destination(conn, ref)
    conn.execute(update(DESTINATIONS).where(DESTINATIONS.c.id == dest.id).values(paused=paused))
    return get_destination(conn, dest.id)


def change_destination(
    conn: Connection,
    secret: ForwardingSecret,
    ref: int | str,
    now: datetime,
    *,
    url: str | None = None,
    credential: str | None = None,
    network: netguard.NetworkPolicy | None = None,
) -> Destination:
    """Give a destination a new URL and/or credential (a revoked token, a receiver that moved),
    keeping its outbox and history; its pending rows become due at once and a 429 hold is
    lifted (dead letters stay dead until retried).

    Raises:
        DestinationError: no such destination, nothing to change, a URL the rules refuse, a
            webhook secret that is not ``whsec_...``.
        SecretError: the forwarding secret is not the one that sealed the destination.
    """
    dest = get_destination(conn, ref)
    if not url and not credential:
        raise DestinationError("give a new URL or a new credential", "nothing_to_change")
    if dest.kind == "webhook" and credential and not credential.startswith("whsec_"):
        raise DestinationError("a webhook secret starts with whsec_", "whsec")
    _check_credential(credential)
    old_url, old_credential = open_credentials(conn, secret, dest.id)
    new_url = url or old_url
    endpoint = check_url(new_url, dest.allow_http, network or netguard.NetworkPolicy())
    conn.execute(
        update(DESTINATIONS)
        .where(DESTINATIONS.c.id == dest.id)
        .values(
            endpoint=endpoint,
            sealed=secret.seal({"url": new_url, "credential": credential or old_credential}),
            secret_id=secret.fingerprint,
            not_before=None,
        )
    )
    conn.execute(
        update(OUTBOX)
        .where(OUTBOX.c.destination_id == dest.id, OUTBOX.c.state == "pending")
        .values(next_attempt_at=now)
    )
    return get_destination(conn, dest.id)


def remove_destination(conn: Connection, ref: int | str) -> Destination:
    """Delete a destination, its outbox and its attempts (the server's trail keeps the removal).

    Raises:
        DestinationError: no such destination.
    """
    dest = get_destination(conn, ref)
    conn.execute(delete(OUTBOX).where(OUTBOX.c.destination_id == dest.id))
    conn.execute(delete(ATTEMPTS).where(ATTEMPTS.c.destination_id == dest.id))
    conn.execute(delete(DESTINATIONS).where(DESTINATIONS.c.id == dest.id))
    return dest


def open_credentials(conn: Connection, secret: ForwardingSecret, dest_id: int) -> tuple[str, str]:
    """The destination's full URL and credential.

    Raises:
        SecretError: the forwarding secret is not the one that sealed them.
    """
    row = conn.execute(
        select(DESTINATIONS.c.sealed, DESTINATIONS.c.secret_id).where(DESTINATIONS.c.id == dest_id)
    ).one()
    value = secret.open(row.sealed, row.secret_id)
    return str(value["url"]), str(value["credential"])
