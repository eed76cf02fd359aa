"""``kiosk-server forward``: destinations, the outbox's state, and the forwarder itself.

::

    forward add NAME --kind osdi|webhook --campaign SLUG [--local SLUG] --url URL
                [--token-env VAR | --secret-env VAR] [--allow-http] [--rate N]
                [--concurrency N] [--max-attempts N] [--without-opt-in skip|unsubscribed]
    forward list [--json]
    forward remove NAME
    forward pause NAME / forward resume NAME
    forward retry NAME [--signature UUID ...]
    forward status [NAME] [--json] [--dead] [--skipped] [--voided]
    forward run [--once] [--org-private-key-file FILE ...]

Credentials are read from environment variables named on the command line (a command line is
visible to every local user in ``ps``), and never printed, except a webhook secret the server
made, shown once by ``forward add``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import signal
import sys
import threading
import uuid
from typing import Any

from kiosk.domain.wording import counted

#: The ``forward`` subcommands.
ACTIONS = ("add", "list", "remove", "pause", "resume", "retry", "status", "run")


def _user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a signature id: {value!r}") from None


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 <= rate <= 10_000:
        raise argparse.ArgumentTypeError("must be between 0 (no limit) and 10000")
    return rate


def _count(low: int, high: int) -> Any:
    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return n

    return parse


def add_parser(sub: Any) -> None:
    """Add the ``forward`` command to ``kiosk-server``'s subparsers."""
    fwd = sub.add_parser(
        "forward",
        help="forward signatures to Action Network / OSDI or signed webhooks (docs/forwarding.md)",
        description="Forward each non-voided, non-synthetic signature once to every destination "
        "of its campaign: Action Network or another OSDI server (record-signature helper), or any "
        "system through Standard Webhooks signed JSON. See docs/forwarding.md.",
    )
    fsub = fwd.add_subparsers(dest="forward_command", metavar="ACTION", required=True)

    add = fsub.add_parser("add", help="add a destination")
    add.add_argument("name", help="a short unique name (lowercase letters, digits, . _ -)")
    add.add_argument("--kind", choices=("osdi", "webhook"), required=True)
    add.add_argument("--campaign", required=True, metavar="SLUG")
    add.add_argument("--local", metavar="SLUG", help="only this local campaign's signatures")
    add.add_argument(
        "--url",
        required=True,
        help="osdi: the petition's signatures URL, e.g. "
        "https://actionnetwork.org/api/v2/petitions/ID/signatures/; webhook: the receiver",
    )
    add.add_argument(
        "--token-env", metavar="VAR", help="osdi: the environment variable holding the API token"
    )
    add.add_argument(
        "--secret-env",
        metavar="VAR",
        help="webhook: the environment variable holding the whsec_ secret (default: make one "
        "and print it once)",
    )
    add.add_argument(
        "--allow-http",
        action="store_true",
        help="allow plain http:// to a host other than localhost (personal data in clear)",
    )
    add.add_argument(
        "--rate", type=_rate, help="requests per second at most (default: osdi 3, webhook none)"
    )
    add.add_argument(
        "--concurrency", type=_count(1, 64), help="requests in flight (default: osdi 1, webhook 8)"
    )
    add.add_argument(
        "--max-attempts",
        type=_count(1, 1000),
        default=12,
        help="failed attempts before a signature is dead-lettered (default 12)",
    )
    add.add_argument(
        "--without-opt-in",
        choices=("skip", "unsubscribed"),
        default="skip",
        help="osdi: a signer who did not opt in is skipped (default; Action Network subscribes "
        "every person its helper creates, whatever status is sent, so it refuses the other) or "
        "sent with email and phone marked unsubscribed (an OSDI server that honours it)",
    )

    lst = fsub.add_parser("list", help="list destinations (never their URL path or credential)")
    lst.add_argument("--json", action="store_true")
    for name, text in (
        ("remove", "remove a destination, its outbox and its attempts"),
        ("pause", "stop sending to a destination (signatures keep being queued)"),
        ("resume", "resume a paused destination"),
    ):
        p = fsub.add_parser(name, help=text)
        p.add_argument("name")
    ch = fsub.add_parser(
        "change",
        help="give a destination a new URL and/or credential, keeping its outbox and history",
    )
    ch.add_argument("name")
    ch.add_argument("--url", help="the new URL (the same rules as `forward add`)")
    ch.add_argument(
        "--credential-env",
        metavar="VAR",
        help="the environment variable holding the new API token or whsec_ secret",
    )
    rt = fsub.add_parser(
        "retry", help="requeue a destination's dead letters (all, or the given signatures)"
    )
    rt.add_argument("name")
    rt.add_argument("--signature", type=_uuid, action="append", metavar="UUID")
    st = fsub.add_parser("status", help="what each destination has sent, queued and given up on")
    st.add_argument("name", nargs="?")
    st.add_argument("--json", action="store_true")
    st.add_argument("--dead", action="store_true", help="list the dead letters")
    st.add_argument("--skipped", action="store_true", help="list the skipped signatures")
    st.add_argument("--voided", action="store_true", help="list signatures forwarded, then voided")
    run = fsub.add_parser(
        "run",
        help="run the forwarder (until SIGTERM / Ctrl-C, or with --once until nothing is due)",
        description="Run the forwarder. It needs the organization's private key file(s) and "
        "their passphrase (KIOSK_ORG_KEY_PASSPHRASE_FILE, a 0600 file, or "
        "KIOSK_ORG_KEY_PASSPHRASE) and the forwarding secret (KIOSK_FORWARD_SECRET_FILE or "
        "forwarding.secret in the data directory).",
    )
    run.add_argument(
        "--org-private-key-file",
        action="append",
        metavar="FILE",
        help="private key file (repeatable; default $KIOSK_ORG_PRIVATE_KEY_FILE)",
    )
    run.add_argument("--once", action="store_true", help="stop when nothing is due")
    run.add_argument("--batch", type=_count(1, 5000), default=200, help="rows per round")
    run.add_argument(
        "--backoff-base",
        type=_rate,
        default=30.0,
        metavar="SECONDS",
        help="first retry delay; doubles at each failure (default 30)",
    )
    run.add_argument(
        "--backoff-cap",
        type=_rate,
        default=6 * 3600.0,
        metavar="SECONDS",
        help="longest retry delay (default 21600: six hours)",
    )
    run.add_argument(
        "--lease-seconds",
        type=_rate,
        default=60.0,
        metavar="SECONDS",
        help="SQLite: how long the forwarder's lease outlives a forwarder that died (default 60)",
    )
    run.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info")


def command(args: argparse.Namespace) -> int:
    """Run ``kiosk-server forward ACTION``; return the exit status.

    Raises:
        CliError: (:mod:`kiosk.server.cli_support`) a setting is wrong or a name unknown.
    """
    from kiosk.server.cli_support import CliError
    from kiosk.server.forwarding.destinations import DestinationError
    from kiosk.server.forwarding.secrets import SecretError

    try:
        return _command(args)
    except (DestinationError, SecretError) as exc:
        raise CliError(str(exc)) from None


def _settings(args: argparse.Namespace, key_files: list[str] | None = None) -> Any:
    from kiosk.server.config import ServerSettings

    return ServerSettings.resolve(
        database_url=args.database_url, data_dir=args.data_dir, org_private_key_files=key_files
    )


def _command(args: argparse.Namespace) -> int:
    from kiosk.server.cli_support import ready_engine
    from kiosk.server.forwarding.service import ForwardingService, load_secret

    action = args.forward_command
    if action == "run":
        return _run(args)
    settings = _settings(args)
    engine = ready_engine(args)
    try:
        service = ForwardingService(
            engine, load_secret(settings.data_dir), network=settings.forward_network()
        )
        if action == "add":
            return _add(service, args)
        if action == "list":
            dests = service.list()
            if args.json:
                print(json.dumps([d.as_dict() for d in dests], indent=2))
            elif not dests:
                print("no destinations (add one with `kiosk-server forward add`)")
            for d in dests if not args.json else ():
                where = d.campaign + (f"/{d.local_campaign}" if d.local_campaign else "")
                flags = " PAUSED" if d.paused else ""
                print(f"{d.name}\t{d.kind}\t{where}\t{d.endpoint}{flags}")
            return 0
        if action == "remove":
            d = service.remove(args.name, _user())
            print(f"removed destination {d.name}")
            return 0
        if action in ("pause", "resume"):
            d = service.pause(args.name, _user(), paused=action == "pause")
            print(f"{d.name} {'paused' if d.paused else 'resumed'}")
            return 0
        if action == "change":
            credential = _credential_from(args.credential_env) if args.credential_env else None
            d = service.change(args.name, _user(), url=args.url, credential=credential)
            print(f"changed {d.name} ({d.endpoint}): pending signatures go at the next pass")
            return 0
        if action == "retry":
            n = service.retry(args.name, _user(), args.signature)
            print(f"{n} signature(s) requeued for {args.name}")
            return 0
        return _status(service, args)
    finally:
        engine.dispose()


def _credential_from(var: str) -> str:
    """The API token or webhook secret held by the environment variable ``var``.

    Raises:
        CliError: the variable is not set, or empty.
    """
    from kiosk.server.cli_support import CliError

    credential = os.environ.get(var)
    if not credential:
        raise CliError(f"${var} is not set (it should hold the credential)")
    return credential


def _add(service: Any, args: argparse.Namespace) -> int:
    from kiosk.server.cli_support import CliError
    from kiosk.server.forwarding.destinations import DestinationSpec

    credential = None
    var = args.token_env if args.kind == "osdi" else args.secret_env
    if args.kind == "osdi" and not args.token_env:
        raise CliError("an osdi destination needs --token-env VAR (the variable holding the token)")
    if args.kind == "webhook" and args.token_env:
        raise CliError("--token-env is for osdi destinations; a webhook takes --secret-env")
    if var:
        credential = _credential_from(var)
    spec = DestinationSpec(
        name=args.name,
        kind=args.kind,
        campaign=args.campaign,
        url=args.url,
        credential=credential,
        local_campaign=args.local,
        allow_http=args.allow_http,
        rate_per_second=args.rate,
        concurrency=args.concurrency,
        max_attempts=args.max_attempts,
        without_opt_in=args.without_opt_in,
    )
    dest, secret = service.add(spec, _user())
    print(f"added {dest.kind} destination {dest.name} for {dest.campaign} ({dest.endpoint})")
    if dest.kind == "webhook" and not credential:
        print("signing secret (shown once; give it to the receiver):", file=sys.stderr)
        print(secret)
    return 0


def _status(service: Any, args: argparse.Namespace) -> int:
    rows = service.status(args.name)
    extra: dict[str, Any] = {}
    if args.name is not None:
        if args.dead:
            extra["dead"] = service.items(args.name, "dead", 200)
        if args.skipped:
            extra["skipped"] = service.items(args.name, "skipped", 200)
    if args.voided:
        extra["sent_then_voided"] = service.sent_then_voided(args.name)
    seen = service.forwarder_seen()
    if args.json:
        print(
            json.dumps(
                {
                    "destinations": [r.as_dict() for r in rows],
                    "forwarder_seen": seen.isoformat() if seen else None,
                    **extra,
                },
                indent=2,
            )
        )
        return 0
    if not rows:
        print("no destinations (add one with `kiosk-server forward add`)")
    else:
        print(
            f"forwarder last ran {seen:%Y-%m-%d %H:%M:%S} UTC"
            if seen
            else "no forwarder has run yet (kiosk-server forward run)"
        )
    for r in rows:
        d, c = r.destination, r.counts
        state = "PAUSED" if d.paused else "active"
        if d.not_before is not None:
            state += (
                f", held until {d.not_before:%Y-%m-%d %H:%M:%S} UTC (429, or credentials refused)"
            )
        print(
            f"{d.name} ({d.kind} → {d.endpoint}, {d.campaign}"
            + (f"/{d.local_campaign}" if d.local_campaign else "")
            + f"): {state}"
        )
        print(
            f"  sent {c.get('sent', 0)}, pending {c.get('pending', 0)} "
            f"({r.failing} failing), dead {c.get('dead', 0)}, skipped {c.get('skipped', 0)}"
        )
        if r.oldest_pending:
            print(f"  oldest pending queued {r.oldest_pending:%Y-%m-%d %H:%M:%S} UTC")
        if r.last_sent:
            print(f"  last sent {r.last_sent:%Y-%m-%d %H:%M:%S} UTC")
        if r.last_failure:
            print(f"  last failure {r.last_failure}")
        if r.last_failure_code:
            from kiosk.server.console.i18n import translate

            status = r.last_failure_status or ""
            print(f"    {translate('en', f'fwd_why_{r.last_failure_code}', status=status)}")
        if r.sent_then_voided:
            print(
                f"  WARNING: {r.sent_then_voided} signature(s) were forwarded and voided "
                "afterwards: remove them in the CRM (`forward status --voided` lists them)"
            )
    for key, items in extra.items():
        print(f"{key}:")
        for item in items:
            print("  " + "  ".join(f"{k}={v}" for k, v in item.items()))
    return 0


def _run(args: argparse.Namespace) -> int:
    from kiosk.server.cli_support import CliError, key_files, ready_engine
    from kiosk.server.forwarding.service import load_forwarding_keyring, load_secret
    from kiosk.server.forwarding.worker import Forwarder

    settings = _settings(args, key_files(args))
    keys = load_forwarding_keyring(settings.org_private_key_files)
    if keys is None:
        raise CliError(
            "forwarding needs the organization's private key: --org-private-key-file FILE "
            "(or $KIOSK_ORG_PRIVATE_KEY_FILE)"
        )
    if settings.demo:
        raise CliError("a demo server does not forward (its signatures are not real)")
    logging.getLogger("kiosk.server").setLevel(args.log_level.upper())
    secret = load_secret(settings.data_dir)(False)
    engine = ready_engine(args)
    from kiosk.server.forwarding.outbox import Backoff

    backoff = Backoff(base=args.backoff_base, cap=max(args.backoff_cap, args.backoff_base))
    forwarder = Forwarder(
        engine,
        keys,
        secret,
        batch=args.batch,
        backoff=backoff,
        lease_ttl=max(args.lease_seconds, 5.0),
        network=settings.forward_network(),
    )
    stop = threading.Event()

    def on_signal(_sig: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        if args.once:
            forwarder.stop_event = stop
            handled = 0
            while not stop.is_set() and (done := forwarder.run_once()):
                handled += done
            forwarder.close()
            # It said nothing at all before: a pass that did nothing looked like one that failed.
            print(
                f"forward run --once: {counted(handled, 'delivery', 'deliveries')} handled "
                "(sent, failed to be retried, or given up); "
                "`kiosk-server forward status` shows each destination"
            )
        else:
            forwarder.run(stop)
    finally:
        engine.dispose()
    return 0
