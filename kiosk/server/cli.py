"""The ``kiosk-server`` command: run the server and administer its database.

Every command takes the global ``--database-url`` / ``--data-dir`` (or the environment variables
``KIOSK_DATABASE_URL`` / ``KIOSK_SERVER_DATA_DIR``). Errors are one line on stderr and a non-zero
exit status: 1 for a failed command, 2 for bad usage. Set ``KIOSK_SERVER_DEBUG=1`` to get a
traceback for unexpected errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import kiosk
from kiosk.cli_args import parse_args_strictly, reader_gone
from kiosk.domain.sheets import PAGE_SIZES
from kiosk.domain.wording import counted
from kiosk.server.cli_support import CliError as CliError  # re-exported
from kiosk.server.cli_support import engine as _engine
from kiosk.server.cli_support import key_files as _key_files
from kiosk.server.cli_support import ready_engine as _ready_engine

SUMMARY = "Petition Kiosk central server: receives the signatures of every kiosk."
EPILOG = """\
database:
  By default the server keeps a SQLite file (kiosk-server.sqlite3) in the data directory
  (--data-dir, $KIOSK_SERVER_DATA_DIR, else the platform's user data directory). For production
  give a PostgreSQL URL: --database-url postgresql+psycopg://USER@HOST:5432/DBNAME (or
  $KIOSK_DATABASE_URL). Several server processes may share one PostgreSQL database.

examples:
  kiosk-server migrate
  kiosk-server campaigns import resources/campaigns/*.toml
  kiosk-server enroll-code --name "Library kiosk"
  kiosk-server serve --host 0.0.0.0 --port 8765
  kiosk-server devices list
  kiosk-server stats --json
  kiosk-server keys generate --out-private org-private.key --passphrase-env KIOSK_ORG_KEY_PASSPHRASE
  kiosk-server coordinators add --name "Ana (field lead)"
  kiosk-server export pdf --campaign sanctuary-of-safety --out packet.pdf \\
      --org-private-key-file org-private.key

keys:
  Kiosks seal signers' personal data to the organization's public key (--org-public-key or
  $KIOSK_ORG_PUBLIC_KEY, handed out at enrollment). The server opens it only for exports and
  unique-signer counts, with private key files (--org-private-key-file, repeatable, or
  $KIOSK_ORG_PRIVATE_KEY_FILE, comma-separated; passphrase: the first line of the 0600 file named
  by $KIOSK_ORG_KEY_PASSPHRASE_FILE, else $KIOSK_ORG_KEY_PASSPHRASE).
"""


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, not {port}")
    return port


def _positive_int(value: str) -> int:
    # ASCII digits only: int() also reads "١" (Arabic-Indic one) as 1 and "1_0" as 10.
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}")
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _hours(value: str) -> float:
    from kiosk.server.devices import MAX_VALID_HOURS

    try:
        hours = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of hours: {value!r}") from None
    if not 0 < hours <= MAX_VALID_HOURS:
        raise argparse.ArgumentTypeError(
            f"must be more than 0 and at most {MAX_VALID_HOURS} hours, not {value}"
        )
    return hours


def _device_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise argparse.ArgumentTypeError("must not be empty")
    if len(name) > 120:
        raise argparse.ArgumentTypeError("must be at most 120 characters")
    from kiosk.wire import CONTROL_RE  # (pydantic: loaded only when a name is given)

    if CONTROL_RE.search(name):
        raise argparse.ArgumentTypeError(
            "must not contain control characters (nor bidirectional overrides)"
        )
    return name


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (every option is documented in ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="kiosk-server",
        description=SUMMARY,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {kiosk.__version__}")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy database URL: sqlite:////path/file.sqlite3 or "
        "postgresql+psycopg://USER@HOST:PORT/DB (default: $KIOSK_DATABASE_URL, else a SQLite "
        "file in the data directory)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="directory for the default SQLite database (default: $KIOSK_SERVER_DATA_DIR, else "
        "the platform's user data directory)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser(
        "serve",
        help="migrate the database, then serve the API",
        description="Bring the database schema up to date, then serve the HTTP API under "
        "/api/v1 (OpenAPI document at /api/v1/openapi.json). Stops cleanly on SIGTERM or Ctrl-C.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument("--port", type=_port, default=8765, help="TCP port (default: %(default)s)")
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="worker processes (default: %(default)s); they share the database and nothing else",
    )
    serve.add_argument(
        "--server-name",
        help="the name kiosks show for this server (default: $KIOSK_SERVER_NAME, else "
        "'Petition Kiosk server')",
    )
    serve.add_argument(
        "--org-public-key",
        help="the organization's public key handed to kiosks at enrollment "
        "(default: $KIOSK_ORG_PUBLIC_KEY, else none)",
    )
    _private_key_option(serve)
    serve.add_argument(
        "--demo",
        action="store_true",
        help="demo mode: take only demo kiosks (`kiosk --demo`), refuse real ones; refused on "
        "a database where real kiosks are enrolled (default: $KIOSK_SERVER_DEMO=1)",
    )
    serve.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        default="info",
        help="log level (default: %(default)s); request bodies are never logged",
    )
    serve.add_argument(
        "--no-access-log", action="store_true", help="do not log one line per request"
    )
    serve.add_argument(
        "--trusted-proxies",
        metavar="ADDRESSES",
        help="comma-separated addresses (or networks) of reverse proxies whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed (default: $KIOSK_TRUSTED_PROXIES, else none: the "
        "client address is the TCP peer's)",
    )

    sub.add_parser(
        "migrate",
        help="create or upgrade the database schema",
        description="Create the database schema or bring it up to date (Alembic migrations). "
        "Safe to run again; `serve` does it on start-up, and other commands create an empty "
        "database's tables themselves.",
    )

    camp = sub.add_parser("campaigns", help="import and list campaigns")
    camp_sub = camp.add_subparsers(dest="campaigns_command", metavar="ACTION", required=True)
    imp = camp_sub.add_parser(
        "import",
        help="import campaign files (replacing campaigns with the same slug)",
        description="Validate campaign TOML files (docs/campaign-format.md) and store them; "
        "kiosks get them at their next sync. All files are checked first: if one is invalid, "
        "nothing is imported. Text versions are kept for good, even if a later file drops one.",
    )
    imp.add_argument("files", nargs="+", metavar="FILE", help="campaign TOML file")
    camp_sub.add_parser("list", help="list stored campaigns")

    code = sub.add_parser(
        "enroll-code",
        help="make a one-time enrollment code for a new kiosk",
        description="Print a one-time code (on stdout) that a kiosk trades for its device "
        "token. It works once, until it expires. Only its hash is stored.",
    )
    code.add_argument(
        "--name", required=True, type=_device_name, help="name of the device to enroll"
    )
    code.add_argument(
        "--campaign",
        action="append",
        metavar="SLUG",
        dest="campaigns",
        help="a campaign the device may push signatures to, imported on this server already; "
        "repeat for several (default: every campaign the server knows when it pushes)",
    )
    code.add_argument(
        "--valid-hours",
        type=_hours,
        default=24.0,
        help="hours the code stays valid (default: %(default)g, at most 720)",
    )

    dev = sub.add_parser(
        "devices", help="list or revoke enrolled devices; list or cancel open enrollment codes"
    )
    dev_sub = dev.add_subparsers(dest="devices_command", metavar="ACTION", required=True)
    dev_list = dev_sub.add_parser("list", help="list devices")
    dev_list.add_argument("--json", action="store_true", help="print JSON")
    rev = dev_sub.add_parser(
        "revoke",
        help="revoke a device (its token stops working at once)",
        description="Revoke a device: its token is refused from the next request on. Its "
        "signatures stay. Enroll it again with a new code to bring it back.",
    )
    rev.add_argument("device_id", metavar="ID", help="device id (see `devices list`)")
    codes = dev_sub.add_parser(
        "codes",
        help="list the enrollment codes not used yet",
        description="The enrollment codes that could still enroll a kiosk, newest first: id, "
        "made, expires, name. Never the code itself: only its hash is stored.",
    )
    codes.add_argument("--json", action="store_true", help="print JSON")
    cancel = dev_sub.add_parser(
        "cancel-code",
        help="end an enrollment code not used yet",
        description="End an unused enrollment code now (a kiosk trying it hears it expired): "
        "one handed out by mistake, or no longer needed.",
    )
    cancel.add_argument(
        "code_id", metavar="ID", type=_positive_int, help="code id (see `devices codes`)"
    )

    qu = sub.add_parser(
        "quarantine",
        help="list the signatures the server could not read",
        description="Signatures whose sealed data no configured key opens, or whose contents "
        "break the schema (a wrong type, a nested value, a control character...). They are "
        "kept, counted apart in stats, and never exported. Only the reason is shown, never "
        "anything they hold.",
    )
    qu_sub = qu.add_subparsers(dest="quarantine_command", metavar="ACTION", required=True)
    qu_list = qu_sub.add_parser("list", help="list quarantined signatures, oldest first")
    qu_list.add_argument("--json", action="store_true", help="print JSON")
    qu_list.add_argument("--limit", type=_positive_int, metavar="N", help="at most N")

    st = sub.add_parser(
        "stats",
        help="counts per campaign, local campaign and device",
        description="Counted signatures (not voided, not synthetic) per campaign, local "
        "campaign and device, with voided, synthetic and conflict counts.",
    )
    st.add_argument("--json", action="store_true", help="print JSON")

    aud = sub.add_parser("audit", help="check the audit trails: the server's and each device's")
    aud_sub = aud.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    ver = aud_sub.add_parser(
        "verify",
        help="check the hash chain of the server's own trail and of each device's trail",
        description="Check every link of the server's own audit trail (exports, coordinators "
        "and devices changed) and of the trail each device pushed (sequence, previous hash, own "
        "hash). Exit status 1 if any chain is broken.",
    )
    ver.add_argument("--device", metavar="ID", help="one device only (skips the server's trail)")
    a_list = aud_sub.add_parser(
        "list", help="print the server's own trail: exports, coordinators and devices changed"
    )
    a_list.add_argument(
        "--limit",
        type=_positive_int,
        default=50,
        metavar="N",
        help="the newest N entries (default 50)",
    )

    keys = sub.add_parser("keys", help="make the organization's key pair")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    gen = keys_sub.add_parser(
        "generate",
        help="make a key pair: write the private key file, print the public key",
        description="Make a new X25519 key pair. The private key goes to --out-private (mode "
        "0600, never overwritten), encrypted under the passphrase in the environment variable "
        "named by --passphrase-env (Argon2id), or raw if none is given (not recommended). The "
        "public key is printed (base64) for --org-public-key / $KIOSK_ORG_PUBLIC_KEY.",
    )
    gen.add_argument("--out-private", required=True, metavar="FILE", help="private key file")
    gen.add_argument(
        "--passphrase-env",
        metavar="VAR",
        help="environment variable holding the passphrase to encrypt the private key with",
    )

    coord = sub.add_parser("coordinators", help="add, list or revoke coordinators")
    coord_sub = coord.add_subparsers(dest="coordinators_command", metavar="ACTION", required=True)
    c_add = coord_sub.add_parser(
        "add",
        help="add a coordinator and print their API token once",
        description="Create a coordinator (may export and read statistics through the API) and "
        "print a random API token on stdout, once. Only its hash is stored.",
    )
    c_add.add_argument(
        "--name", type=_device_name, help="who it is (default: the email); required without --email"
    )
    c_add.add_argument(
        "--email",
        help="sign-in email for the web console (/console/); asks for a password (or reads "
        "it from --password-env)",
    )
    c_add.add_argument(
        "--role",
        choices=["admin", "coordinator", "viewer"],
        default="coordinator",
        help="console role (default: %(default)s): viewer reads; coordinator also exports and "
        "manages kiosks and campaigns; admin also manages accounts",
    )
    c_add.add_argument(
        "--password-env",
        metavar="VAR",
        help="read the console password from this environment variable instead of a prompt",
    )
    c_list = coord_sub.add_parser("list", help="list coordinators")
    c_list.add_argument("--json", action="store_true", help="print JSON")
    c_rev = coord_sub.add_parser("revoke", help="revoke a coordinator (token stops at once)")
    c_rev.add_argument("coordinator_id", metavar="ID", type=_positive_int, help="coordinator id")

    exp = sub.add_parser(
        "export",
        help="export every kiosk's signatures: CSV contact list or PDF packets",
        description="Decrypt the signatures of a campaign with the organization's private key "
        "(files from --org-private-key-file or $KIOSK_ORG_PRIVATE_KEY_FILE) and write a CSV "
        "contact list or PDF delivery packets. Voided signatures are left out, synthetic ones "
        "unless --include-synthetic.",
    )
    exp_sub = exp.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    for kind in ("csv", "pdf"):
        e = exp_sub.add_parser(kind, help=f"write {kind.upper()}")
        e.add_argument("--campaign", required=True, metavar="SLUG", help="campaign slug")
        e.add_argument("--local", metavar="SLUG", help="one local campaign")
        e.add_argument(
            "--since", metavar="DATE", help="signed on or after (2026-11-23 = midnight UTC)"
        )
        e.add_argument(
            "--until",
            metavar="DATE",
            help="signed on or before this day (2026-11-30: until its end, UTC); a date-time: "
            "before that moment",
        )
        e.add_argument("--event", metavar="ID", help="signed at this event (its id)")
        e.add_argument(
            "--include-synthetic",
            action="store_true",
            help="include synthetic signatures (`kiosk simulate`); every page then says TEST DATA",
        )
        e.add_argument(
            "--out",
            metavar="FILE",
            help="where to write: a file, or an existing folder (a dated name in it; default: "
            "the exports folder, ~/PetitionKiosk-exports or $KIOSK_EXPORT_DIR); a missing "
            "folder is refused, never made",
        )
        _private_key_option(e)
        if kind == "csv":
            e.add_argument(
                "--excel",
                action="store_true",
                help="for Excel on Windows: start the file with a UTF-8 byte-order mark, so "
                "accents (María) show right when it is double-clicked",
            )
        if kind == "pdf":
            e.add_argument(
                "--whole-campaign",
                action="store_true",
                help="one packet for the whole campaign instead of one per local campaign",
            )
            e.add_argument("--lang", choices=("en", "es"), default="en")
            e.add_argument("--page-size", choices=PAGE_SIZES, default=PAGE_SIZES[0])
            e.add_argument("--rows-per-sheet", type=_positive_int, default=10, metavar="N")
            # As `kiosk export pdf` has them: after sync the kiosk may keep no personal data,
            # and the server is where packets are made.
            e.add_argument(
                "--split-by-state", action="store_true", help="one file per signers' state"
            )
            e.add_argument(
                "--per-file", type=_positive_int, metavar="N", help="at most N signatures a file"
            )
            e.add_argument("--comments", action="store_true", help="print signers' comments")
    from kiosk.server.forwarding import cli as forwarding_cli

    forwarding_cli.add_parser(sub)
    return parser


def _private_key_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--org-private-key-file",
        action="append",
        metavar="FILE",
        help="organization private key file for exports and unique-signer counts; repeat (or "
        "comma-separate) to keep old keys after a rotation, current key first (default: "
        "$KIOSK_ORG_PRIVATE_KEY_FILE; passphrase from the file named by "
        "$KIOSK_ORG_KEY_PASSPHRASE_FILE, else $KIOSK_ORG_KEY_PASSPHRASE)",
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _fmt_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _printable(text: str) -> str:
    """A name from the database, made safe to print on a terminal: control characters and
    bidirectional overrides (which a name made before they were refused may hold: U+009B
    starts a terminal's escape sequence, U+202E turns the rest of the line around) shown as
    U+FFFD."""
    from kiosk.wire import defuse

    return defuse(text)


def _cmd_migrate(args: argparse.Namespace) -> int:
    from kiosk.server import migrate

    _settings, engine = _engine(args)
    try:
        before, after = migrate.upgrade(engine)
    finally:
        engine.dispose()
    if before == after:
        print(f"database is up to date (revision {after})")
    else:
        print(f"database migrated from {before or 'empty'} to revision {after}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from kiosk.server import migrate
    from kiosk.server.config import ServerSettings

    try:
        settings = ServerSettings.resolve(
            database_url=args.database_url,
            data_dir=args.data_dir,
            server_name=args.server_name,
            org_public_key=args.org_public_key,
            org_private_key_files=_key_files(args),
            trusted_proxies=args.trusted_proxies,
            demo=args.demo,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    keyring = settings.keyring()  # refuse to start with a key file that cannot be unlocked
    _check_port(args.host, args.port)  # before anything is printed or changed
    from kiosk.server.db import create_db_engine

    engine = create_db_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
        _check_keys(engine, settings, keyring)
        if settings.demo:
            _refuse_demo_on_a_real_database(engine)
            _import_demo_campaigns(engine)
        setup_code = _console_setup_code(engine)
    finally:
        engine.dispose()
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    shown_host = f"[{shown_host}]" if ":" in shown_host else shown_host
    print(f"console: http://{shown_host}:{args.port}/console/", file=sys.stderr)
    if setup_code is not None:
        print(
            f"console set-up code (first admin, valid 24 hours, this start only): {setup_code}",
            file=sys.stderr,
        )
    sys.stderr.flush()
    os.environ.update(settings.to_environ())
    log_config: dict[str, Any] = json.loads(json.dumps(LOGGING_CONFIG))
    log_config["loggers"]["kiosk.server"] = {
        "handlers": ["default"],
        "level": args.log_level.upper(),
        "propagate": False,
    }
    log_config["loggers"]["alembic"] = {"handlers": ["default"], "level": "WARNING"}
    uvicorn.run(
        "kiosk.server.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        log_config=log_config,
        access_log=not args.no_access_log,
        timeout_graceful_shutdown=10,
        server_header=False,
        # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: believe it only from the
        # proxies the administrator named.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or "",
    )
    return 0


def _check_port(host: str, port: int) -> None:
    """Refuse a port another process listens on, before the database is touched: a second
    ``serve`` on a busy port made a new console set-up code (the running server's stopped
    working) and printed it, then failed in uvicorn's words."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        raise CliError(f"cannot listen on {host}: {exc}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CliError(
                    f"port {port} on {host} is in use (another kiosk-server?): stop it, or give "
                    "--port another one"
                ) from None
            raise CliError(f"cannot listen on {host} port {port}: {exc.strerror}") from None


def _check_keys(engine: Any, settings: Any, keyring: Any) -> None:
    """Refuse private key files that cannot be the organization's: when a public key is
    configured, one of them must be its pair; and they must open some of the signatures this
    server opened before (see :func:`kiosk.server.tallies.keys_open_read`). A server started
    with the public key file as its private key quarantined every signature it read."""
    if keyring is None:
        return
    from kiosk.server import tallies
    from kiosk.server.keys import parse_public_key

    files = ", ".join(str(f) for f in settings.org_private_key_files)
    public = settings.org_public_key
    if public and parse_public_key(public) not in keyring.public_keys:
        raise CliError(
            f"the private key file(s) given ({files}) are not the pair of the organization's "
            "public key (--org-public-key / KIOSK_ORG_PUBLIC_KEY): kiosks would seal "
            "signatures this server cannot open. Give the private key file made with that "
            "public key (not the public key file)"
        )
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # a table locked a while: not worth waiting
                conn.execute(text("SET LOCAL lock_timeout = '5s'"))
            opened, tried = tallies.keys_open_read(conn, keyring)
    except OperationalError as exc:
        print(
            "kiosk-server: warning: the keys were not tried on stored signatures (the database "
            f"did not answer in time: {type(getattr(exc, 'orig', exc)).__name__})",
            file=sys.stderr,
        )
        return
    if tried and not opened:
        raise CliError(
            f"the private key file(s) given ({files}) open none of the {tried} signatures this "
            "server opened before: a wrong file (the public key file, org-public.key, given as "
            "the private one?), or a new key without the older ones after it (docs/server.md, "
            "Rotation). Nothing was changed"
        )


def _console_setup_code(engine: Any) -> str | None:
    """A fresh one-time code for the console's first-run page while no admin exists."""
    from kiosk.server.console.auth import make_setup_code
    from kiosk.server.db import write_transaction

    with write_transaction(engine) as conn:
        return make_setup_code(conn, _now())


def _import_demo_campaigns(engine: Any) -> None:
    """A demo server knows the campaigns a demo kiosk signs (the sample files shipped with the
    app): those its database lacks are imported at start (one already there is left as it is,
    whatever its text). Without them it refused every signature a demo kiosk sent."""
    from sqlalchemy import select

    from kiosk.config import resources_dir
    from kiosk.server import campaigns
    from kiosk.server.db import write_transaction

    files = sorted((resources_dir() / "campaigns").glob("*.toml"))
    prepared = campaigns.load_files(files) if files else []
    with write_transaction(engine) as conn:
        have = set(conn.execute(select(campaigns.CAMPAIGNS.c.slug)).scalars())
        added = [p for p in prepared if p.campaign.slug not in have]
        now = _now()
        for p in added:
            campaigns.store(conn, p, now)
    if added:
        print(
            f"demo mode: imported {counted(len(added), 'sample campaign')} "
            f"({', '.join(p.campaign.slug for p in added)})",
            file=sys.stderr,
        )


def _refuse_demo_on_a_real_database(engine: Any) -> None:
    """Demo mode needs a database of its own: one where real kiosks enrolled holds real
    signatures, and demo kiosks must never add to them."""
    from sqlalchemy import func, select

    from kiosk.server.models import Device, table_of

    t = table_of(Device)
    with engine.connect() as conn:
        real = conn.scalar(select(func.count()).select_from(t).where(t.c.demo.is_(False)))
    if real:
        raise CliError(
            f"this database has {real} real kiosks enrolled: demo mode needs a database of "
            "its own (--data-dir or --database-url)"
        )


def _cmd_campaigns(args: argparse.Namespace) -> int:
    from kiosk.server import campaigns
    from kiosk.server.db import write_transaction

    if args.campaigns_command == "list":
        engine = _ready_engine(args)
        try:
            with engine.connect() as conn:
                rows = campaigns.summaries(conn)
        finally:
            engine.dispose()
        if not rows:
            print("no campaigns (import some with `kiosk-server campaigns import FILE`)")
        for r in rows:
            print(
                f"{r.slug}  {r.kind}  goal {r.goal}  {r.locals} local  "
                f"imported {_fmt_time(r.imported_at)}"
            )
        return 0
    from kiosk.server.console.i18n import changes_said

    prepared = campaigns.load_files(args.files)  # all valid, or nothing is stored
    engine = _ready_engine(args)
    try:
        now = _now()
        with write_transaction(engine) as conn:
            said = [
                changes_said("en", campaigns.stored_document(conn, p.campaign.slug), p.campaign)
                for p in prepared
            ]
            results = [campaigns.store(conn, p, now) for p in prepared]
    finally:
        engine.dispose()
    for done, changes in zip(results, said, strict=True):
        print(
            f"{done.slug}: {done.status} ({counted(done.locals, 'local campaign')}, "
            f"{counted(done.versions, 'text version')}, {done.new_versions} new)"
        )
        for line in changes or ["(the published file is of an older format: not compared)"]:
            print(f"  - {line}")
    return 0


def _cmd_enroll_code(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from kiosk.server import devices
    from kiosk.server.db import write_transaction

    engine = _ready_engine(args)
    try:
        with write_transaction(engine) as conn:
            if args.campaigns:
                from kiosk.server.campaigns import CAMPAIGNS

                known = set(
                    conn.execute(
                        select(CAMPAIGNS.c.slug).where(CAMPAIGNS.c.slug.in_(args.campaigns))
                    ).scalars()
                )
                unknown = sorted(set(args.campaigns) - known)
                if unknown:  # its kiosk's every signature would be refused
                    raise CliError(
                        f"no campaign {', '.join(unknown)} on this server: import it first "
                        "(kiosk-server campaigns import FILE; campaigns list shows what is here)"
                    )
            new = devices.create_enrollment_code(
                conn, args.name, timedelta(hours=args.valid_hours), _now(), args.campaigns
            )
            _audit(conn, "enrollment_code_made", {"name": args.name, "channel": "cli"})
    finally:
        engine.dispose()
    print(new.code)
    print(
        f"one-time code for {new.name!r}, valid until {_fmt_time(new.expires_at)}",
        file=sys.stderr,
    )
    return 0


@dataclass(frozen=True)
class _Roster:
    """The devices or the coordinators: the revoke and list commands they share.

    Both groups answer alike (revoke writes the server's audit trail in the same transaction;
    list prints a table or JSON); this says what differs.
    """

    noun: str
    revoke: Callable[[Any, Any, datetime], bool | None]
    list_all: Callable[[Any], Sequence[Any]]
    as_json: Callable[[Any], dict[str, Any]]
    as_line: Callable[[Any], str]
    #: Printed for an id the database does not know.
    unknown: Callable[[Any], str]
    #: Printed when there is nobody to list.
    empty: str
    header: str | None = None


def _roster_revoke(engine: Any, roster: _Roster, key: Any) -> int:
    from kiosk.server.db import write_transaction

    with write_transaction(engine) as conn:
        result = roster.revoke(conn, key, _now())
        if result:
            _audit(conn, f"{roster.noun}_revoked", {roster.noun: key})
    if result is None:
        raise CliError(roster.unknown(key))
    print(f"{roster.noun} {key} {'revoked' if result else 'was already revoked'}")
    return 0


def _roster_list(engine: Any, roster: _Roster, as_json: bool) -> int:
    with engine.connect() as conn:
        rows = roster.list_all(conn)
    if as_json:
        print(json.dumps([roster.as_json(r) for r in rows], indent=2))
        return 0
    if not rows:
        print(roster.empty)
        return 0
    if roster.header:
        print(roster.header)
    for r in rows:
        print(roster.as_line(r))
    return 0


def _status(row: Any) -> str:
    return "revoked" if row.revoked_at else "active"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _device_roster() -> _Roster:
    from kiosk.server import devices

    return _Roster(
        noun="device",
        revoke=devices.revoke_device,
        list_all=devices.list_devices,
        as_json=lambda d: {
            "id": d.id,
            "name": d.name,
            "status": _status(d),
            "enrolled_at": d.enrolled_at.isoformat(),
            "last_seen_at": _iso(d.last_seen_at),
            "revoked_at": _iso(d.revoked_at),
        },
        as_line=lambda d: (
            f"{d.id:36}  {_status(d):7}  {_fmt_time(d.enrolled_at):20}  "
            f"{_fmt_time(d.last_seen_at):20}  {_printable(d.name)}"
        ),
        unknown=lambda key: f"no device with id {key!r} (see `devices list`)",
        empty="no devices (make an enrollment code with `kiosk-server enroll-code --name NAME`)",
        header=f"{'ID':36}  {'STATUS':7}  {'ENROLLED':20}  {'LAST SEEN':20}  NAME",
    )


def _coordinator_roster() -> _Roster:
    from kiosk.server import coordinators

    return _Roster(
        noun="coordinator",
        revoke=coordinators.revoke,
        list_all=coordinators.list_all,
        as_json=lambda c: {
            "id": c.id,
            "name": c.name,
            "status": _status(c),
            "created_at": c.created_at.isoformat(),
            "last_seen_at": _iso(c.last_seen_at),
        },
        as_line=lambda c: f"{c.id:>4}  {_status(c):7}  {_fmt_time(c.created_at):20}  {c.name}",
        unknown=lambda key: f"no coordinator with id {key}",
        empty="no coordinators (add one with `kiosk-server coordinators add --name NAME`)",
    )


def _cmd_devices(args: argparse.Namespace) -> int:
    engine = _ready_engine(args)
    try:
        if args.devices_command == "revoke":
            return _roster_revoke(engine, _device_roster(), args.device_id)
        if args.devices_command == "codes":
            return _list_codes(engine, args.json)
        if args.devices_command == "cancel-code":
            return _cancel_code(engine, args.code_id)
        return _roster_list(engine, _device_roster(), args.json)
    finally:
        engine.dispose()


def _list_codes(engine: Any, as_json: bool) -> int:
    from kiosk.server import devices

    with engine.connect() as conn:
        rows = devices.open_codes(conn, _now(), limit=None)
    if as_json:
        doc = [
            {
                "id": c.id,
                "name": c.name,
                "created_at": c.created_at.isoformat(),
                "expires_at": c.expires_at.isoformat(),
                "campaigns": c.campaigns,
            }
            for c in rows
        ]
        print(json.dumps(doc, indent=2))
        return 0
    if not rows:
        print("no enrollment codes open (make one with `kiosk-server enroll-code --name NAME`)")
        return 0
    print(f"{'ID':>6}  {'MADE':20}  {'EXPIRES':20}  NAME")
    for c in rows:
        made, expires = _fmt_time(c.created_at), _fmt_time(c.expires_at)
        print(f"{c.id:>6}  {made:20}  {expires:20}  {_printable(c.name)}")
    return 0


def _cancel_code(engine: Any, code_id: int) -> int:
    from kiosk.server import devices
    from kiosk.server.db import write_transaction

    with write_transaction(engine) as conn:
        name = devices.cancel_code(conn, code_id, _now())
        if name is not None:
            _audit(conn, "enrollment_code_cancelled", {"name": name, "code": code_id})
    if name is None:
        raise CliError(
            f"no open enrollment code with id {code_id} (used, expired or cancelled already? "
            "see `devices codes`)"
        )
    print(f"enrollment code {code_id} for {name!r} cancelled")
    return 0


def _cmd_quarantine(args: argparse.Namespace) -> int:
    from kiosk.server import tallies

    engine = _ready_engine(args)
    try:
        with engine.connect() as conn:
            rows = tallies.quarantined(conn, args.limit)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for r in rows:
        where = r["campaign"] + (f"/{r['local_campaign']}" if r["local_campaign"] else "")
        print(
            f"{r['id']}  {where}  device {r['device_id']} (kiosk {r['kiosk_id']})  "
            f"received {r['received_at']}: {r['reason']}"
        )
    print(f"{len(rows)} signature(s) could not be read")
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from kiosk.server import stats

    engine = _ready_engine(args)
    try:
        with engine.connect() as conn:
            data = stats.stats(conn)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(
        f"signatures stored: {data['signatures']}  counted: {data['counted']}  "
        f"voided: {data['voided']}  synthetic: {data['synthetic']}  "
        f"conflicts: {data['conflicts']}  events: {data['events']}"
    )
    print(
        f"could not be read: {data['quarantined']} (kiosk-server quarantine list)  "
        f"not read yet: {data['pending']}"
    )
    print("\nper campaign:")
    for slug, n in data["campaigns"].items():
        print(f"  {slug}: {n}")
        for key, m in data["locals"].items():
            if key.startswith(f"{slug}/"):
                print(f"    {key.split('/', 1)[1]}: {m}")
    if not data["campaigns"]:
        # Test data only (kiosk simulate) read like a sync that failed.
        print(
            f"  (none counted: the {data['synthetic']} synthetic signatures are test data, "
            "counted apart)"
            if data["synthetic"]
            else "  (none)"
        )
    print("\nper device:")
    for device_id, d in data["devices"].items():
        print(
            f"  {device_id}  {d['name']} ({d['status']}): {d['signatures']} counted, "
            f"{d['voided']} voided, last seen {d['last_seen_at'] or '-'}"
        )
    if not data["devices"]:
        print("  (none)")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from kiosk.server import audit, devices

    engine = _ready_engine(args)
    broken = 0
    try:
        with engine.connect() as conn:
            if args.audit_command == "list":
                for e in audit.server_entries(conn, limit=args.limit):
                    when = datetime.fromtimestamp(e.at_ms / 1000, UTC)
                    facts = json.dumps(e.detail, sort_keys=True, ensure_ascii=False)
                    print(f"{e.seq:>6}  {_fmt_time(when):20}  {e.action:20}  {facts}")
                return 0
            ids = [d.id for d in devices.list_devices(conn)]
            if args.device is not None:
                if args.device not in ids:
                    raise CliError(f"no device with id {args.device!r} (see `devices list`)")
                ids = [args.device]
            if args.device is None:
                broken += not _print_chain("server", audit.verify_server(conn))
            for device_id in ids:
                report, conflicts = audit.verify_device(conn, device_id)
                extra = f", {conflicts} conflicting entries kept for review" if conflicts else ""
                broken += not _print_chain(device_id, report, extra)
    finally:
        engine.dispose()
    return 1 if broken else 0


def _print_chain(name: str, report: Any, extra: str = "") -> bool:
    """Print one audit chain's check; return whether it is intact."""
    if report.ok:
        print(f"{name}: ok ({report.entries} entries{extra})")
        return True
    where = f"entry {report.broken_at}" if report.broken_at else "the end"
    print(f"{name}: BROKEN at {where}: {report.reason}{extra}")
    return False


def _cmd_keys(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kiosk.server.keys import write_new_keypair

    passphrase = None
    if args.passphrase_env:
        passphrase = os.environ.get(args.passphrase_env)
        if not passphrase:
            raise CliError(f"${args.passphrase_env} is empty or not set: no passphrase")
    public = write_new_keypair(Path(args.out_private), passphrase)
    import base64

    print(base64.b64encode(public).decode("ascii"))
    print(f"private key written to {args.out_private} (mode 0600)", file=sys.stderr)
    if passphrase is None:
        print(
            "kiosk-server: WARNING: the private key is NOT encrypted; anyone who reads this file "
            "can read every signer's personal data. Use --passphrase-env VAR to encrypt it.",
            file=sys.stderr,
        )
    print(
        "give the public key (stdout) to `serve --org-public-key` or $KIOSK_ORG_PUBLIC_KEY; "
        "keep the private key file offline and backed up",
        file=sys.stderr,
    )
    return 0


def _cmd_coordinators(args: argparse.Namespace) -> int:
    from kiosk.server import coordinators
    from kiosk.server.db import write_transaction

    engine = _ready_engine(args)
    try:
        if args.coordinators_command == "add":
            password = _console_password(args) if args.email else None
            if args.email is None and args.name is None:
                raise CliError("give --name (API token only) or --email (console sign-in too)")
            try:
                with write_transaction(engine) as conn:
                    new = coordinators.add(conn, args.name or args.email.strip().lower(), _now())
                    if args.email is not None and password is not None:
                        from kiosk.server.console.auth import set_login

                        set_login(conn, new.id, args.email, args.role, password)
                    _audit(
                        conn,
                        "coordinator_added",
                        {"coordinator": new.id, "role": args.role if args.email else "token"},
                    )
            except ValueError as exc:  # AccountError: email, role or password refused
                raise CliError(str(exc)) from None
            print(new.token)
            print(
                f"coordinator {new.id} ({new.name!r}) added; the API token above is shown only "
                "once",
                file=sys.stderr,
            )
            return 0
        if args.coordinators_command == "revoke":
            return _roster_revoke(engine, _coordinator_roster(), args.coordinator_id)
        return _roster_list(engine, _coordinator_roster(), args.json)
    finally:
        engine.dispose()


def _console_password(args: argparse.Namespace) -> str:
    """The console password: from ``--password-env VAR``, else typed twice at a prompt (or one
    line on standard input when it is not a terminal)."""
    import getpass

    from kiosk.server.console.auth import check_password

    if args.password_env:
        password = os.environ.get(args.password_env)
        if password is None:
            raise CliError(f"${args.password_env} is not set")
    elif sys.stdin.isatty():
        password = getpass.getpass("Console password (12 characters or more): ")
        if getpass.getpass("Again: ") != password:
            raise CliError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CliError(
                "no password: give --password-env VAR, run this in a terminal, or send the "
                "password as one line on standard input"
            )
    try:
        check_password(password)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return password


def _os_user() -> str:
    """Who ran the command, for the server's audit trail."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _audit(conn: Any, action: str, detail: dict[str, Any]) -> None:
    """Append to the server's audit trail, in the caller's transaction, with who ran this."""
    from kiosk.server import audit

    audit.record_server(conn, action, {**detail, "user": _os_user()}, _now())


def _record(engine: Any, action: str, detail: dict[str, Any]) -> None:
    """:func:`_audit` in a transaction of its own."""
    from kiosk.server.db import write_transaction

    with write_transaction(engine) as conn:
        _audit(conn, action, detail)


def _parse_since(value: str | None, flag: str = "--since") -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(
            f"{flag} must be a date like 2026-11-23 (or a date-time), not {value!r}"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise CliError(f"{flag} {value!r} is out of range once converted to UTC") from None


def _parse_until(value: str | None) -> datetime | None:
    """``--until``: a date counts whole (before the next midnight, UTC); a date-time is the
    moment before which signatures count."""
    from kiosk.server.exports import until_end

    end = _parse_since(value, "--until")
    if value is None or end is None:
        return None
    try:
        return until_end(value, end)
    except OverflowError:
        raise CliError(f"--until {value!r} is out of range") from None


def _cmd_export(args: argparse.Namespace) -> int:
    import dataclasses

    from kiosk.adapters.files import atomic_write
    from kiosk.exports import for_excel, packet_path
    from kiosk.server import exports
    from kiosk.server.config import ServerSettings

    settings = ServerSettings.resolve(
        database_url=args.database_url,
        data_dir=args.data_dir,
        org_private_key_files=_key_files(args),
    )
    keyring = settings.keyring()
    query = exports.ExportQuery(
        args.campaign,
        args.local,
        _parse_since(args.since),
        args.include_synthetic,
        until=_parse_until(args.until),
        event=args.event,
    )
    from kiosk.exports import OutPathError, out_target

    # --out checked before anything is made: a folder takes the usual name, a missing folder
    # is refused, never made (personal data goes only where the coordinator chose)
    try:
        given, is_folder = out_target(args.out) if args.out else (None, True)
    except OutPathError as exc:
        raise CliError(str(exc)) from None
    if given is not None and not is_folder:
        out = given
    else:
        from datetime import datetime

        from kiosk.exports import export_folder

        what = "packet" if args.export_kind == "pdf" else "contacts"
        out = (given or export_folder()) / (
            f"{args.campaign}-server-{what}-{datetime.now():%Y-%m-%d-%H%M%S}.{args.export_kind}"
        )
    # Made with --include-synthetic: every page (and the CSV's first line) says TEST DATA.
    from kiosk.domain.demo import export_marks, mark_csv

    marks = export_marks(False, args.include_synthetic)
    engine = _ready_engine(args)
    try:
        _check_keys(engine, settings, keyring)
        with engine.connect() as conn:
            if args.export_kind == "csv":
                data, result = exports.export_csv(conn, keyring, query)
                if not result.records and result.undecryptable:
                    raise CliError(
                        f"none of the {result.undecryptable} matching signatures opens with the "
                        "private key file(s) given: nothing written (a wrong key file?)"
                    )
                data = mark_csv(data, marks)
                if args.excel:  # the byte-order mark before everything, the marks too
                    data = for_excel(data)
                atomic_write(out, data)
                print(f"wrote {result.records} signatures to {out}")
            else:
                from kiosk.pdf import PacketOptions, render_packet

                try:
                    options = PacketOptions(
                        page_size=args.page_size,
                        rows_per_sheet=args.rows_per_sheet,
                        include_comments=args.comments,
                    )
                except ValueError as exc:
                    raise CliError(str(exc)) from None
                result = exports.ServerExportResult()
                # One local campaign's signatures opened at a time, each packet written as it
                # comes (a whole campaign of 200,000 is never held at once); one packet ahead
                # is read to know whether there is only one (then written to --out itself).
                packets = exports.iter_packets(
                    conn,
                    keyring,
                    query,
                    result,
                    args.lang,
                    options,
                    per_local=not args.whole_campaign,
                    split_state=args.split_by_state,
                    per_file=args.per_file,
                )
                written = 0
                current = next(packets, None)
                while current is not None:
                    name, packet = current
                    current = next(packets, None)
                    only = written == 0 and current is None
                    path = packet_path(out, name, only=only, exact=not is_folder)
                    written += 1
                    if marks:
                        packet = dataclasses.replace(packet, marks=marks)
                    atomic_write(path, render_packet(packet))
                    print(f"wrote {path} ({counted(packet.signature_count, 'signature')})")
                    del packet
        detail = {"channel": "cli", **exports.audit_detail(query), "records": result.records}
        if args.export_kind == "pdf":
            detail["lang"] = args.lang
        _record(engine, f"export_{args.export_kind}", detail)
    except exports.ExportError as exc:
        raise CliError(str(exc)) from None
    finally:
        engine.dispose()
    left_out = exports.describe_left_out(result)
    if left_out:
        print(f"kiosk-server: warning: signatures left out: {left_out}", file=sys.stderr)
    if args.include_synthetic:  # as `kiosk export` says it
        print(
            "kiosk-server: note: synthetic signatures are included: every page says TEST DATA "
            "(a CSV: its first line), "
            "not signatures; never deliver it",
            file=sys.stderr,
        )
    return 0


def _cmd_forward(args: argparse.Namespace) -> int:
    from kiosk.server.forwarding import cli as forwarding_cli

    return forwarding_cli.command(args)


_COMMANDS = {
    "serve": _cmd_serve,
    "migrate": _cmd_migrate,
    "campaigns": _cmd_campaigns,
    "enroll-code": _cmd_enroll_code,
    "devices": _cmd_devices,
    "stats": _cmd_stats,
    "quarantine": _cmd_quarantine,
    "keys": _cmd_keys,
    "audit": _cmd_audit,
    "coordinators": _cmd_coordinators,
    "export": _cmd_export,
    "forward": _cmd_forward,
}


def _describe_db_error(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    first_line = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return first_line


# What the ``server`` extra installs (pyproject.toml): missing means a kiosk-only install.
_SERVER_EXTRA_MODULES = frozenset({"fastapi", "starlette", "uvicorn", "psycopg"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kiosk-server``.

    Args:
        argv: the arguments (``sys.argv[1:]`` by default).

    Returns:
        The exit status.
    """
    args = parse_args_strictly(build_parser(), argv)
    logging.basicConfig(level=logging.WARNING, format="kiosk-server: %(levelname)s: %(message)s")
    from alembic.util import CommandError
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    from kiosk.domain.campaign_format import CampaignFormatError
    from kiosk.server.config import SettingsError
    from kiosk.server.db import UnsupportedDatabase
    from kiosk.server.keys import KeyConfigError

    def fail(message: str) -> int:
        print(f"kiosk-server: error: {message}", file=sys.stderr)
        return 1

    try:
        return _COMMANDS[args.command](args)
    except CliError as exc:
        return fail(str(exc))
    except KeyConfigError as exc:
        return fail(str(exc))
    except CampaignFormatError as exc:
        return fail(str(exc))
    except SettingsError as exc:
        return fail(str(exc))
    except UnsupportedDatabase as exc:
        return fail(str(exc))
    except OperationalError as exc:
        return fail(f"cannot use the database: {_describe_db_error(exc)}")
    except CommandError as exc:
        return fail(f"cannot migrate the database: {exc}")
    except SQLAlchemyError as exc:
        return fail(f"database error: {_describe_db_error(exc)}")
    except BrokenPipeError:  # `kiosk-server stats | head`: the reader went away
        return reader_gone()
    except OSError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in _SERVER_EXTRA_MODULES:
            return fail(
                f"{exc.name} is not installed: install the server with "
                "pip install 'petition-kiosk[server]'"
            )
        raise
    except Exception as exc:
        if os.environ.get("KIOSK_SERVER_DEBUG"):
            raise
        return fail(
            f"unexpected {type(exc).__name__}: {exc} (set KIOSK_SERVER_DEBUG=1 for a traceback)"
        )


if __name__ == "__main__":
    sys.exit(main())
