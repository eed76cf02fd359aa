"""The ``kiosk`` command line: start the app, manage campaigns and keys, simulate, report.

Every command prints a clear message and exits non-zero on bad input; none prints a traceback
for an expected error. ``kiosk --help`` and ``kiosk COMMAND --help`` document everything.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.cli_args import parse_args_strictly
from kiosk.domain.sheets import PAGE_SIZES
from kiosk.domain.wording import counted

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CliError(Exception):
    """An expected failure: printed as ``kiosk: error: ...`` with an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


#: errno values that mean "no room to write": disk full, quota exceeded, file size limit.
_NO_ROOM = (28, 122, 27)  # ENOSPC, EDQUOT, EFBIG


def _disk_full(exc: BaseException) -> bool:
    """Whether an error (SQLite's through SQLAlchemy, or the OS's) says the disk is full."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, OSError) and cur.errno in _NO_ROOM:
            return True
        if getattr(cur, "sqlite_errorcode", None) == 13:  # SQLITE_FULL
            return True
        if type(cur).__name__ == "OperationalError" and "disk is full" in str(cur):
            return True
        cur = getattr(cur, "orig", None) or cur.__cause__ or cur.__context__
    return False


DISK_FULL = (
    "the disk is full: nothing was saved in part, and everything reported saved "
    "before this is safe; free some space and try again"
)


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from kiosk.app import open_kiosk

    if getattr(args, "demo", False):
        from kiosk.app import open_demo_kiosk
        from kiosk.demo import NotADemoFolder

        try:
            return open_demo_kiosk(args.data_dir)
        except NotADemoFolder as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
    return open_kiosk(args.data_dir)


def _secret(variable: str, what: str, prompt: str, again: str | None, differ: str) -> str:
    """A secret from the environment's ``variable``, else typed on the terminal (twice, when
    ``again`` prompts for the second); ``differ`` says two typings differed."""
    env = os.environ.get(variable)
    if env:
        return env
    if not sys.stdin.isatty():
        raise CliError(f"no {what}: set {variable} or run in a terminal", EXIT_USAGE)
    first = getpass.getpass(prompt)
    if again is not None and getpass.getpass(again) != first:
        raise CliError(differ, EXIT_USAGE)
    return first


def _passphrase(confirm: bool) -> str:
    again = "Again: " if confirm else None
    return _secret(
        "KIOSK_PASSPHRASE",
        "passphrase",
        "Coordinator passphrase: ",
        again,
        "the passphrases differ",
    )


def _no_display(env: Mapping[str, str], platform: str) -> bool:
    """Whether Qt would find no screen: on Linux with neither an X nor a Wayland display and
    no Qt platform chosen, Qt aborts with a message about a missing xcb library, which is
    seldom the cause."""
    return (
        platform.startswith("linux")
        and not env.get("QT_QPA_PLATFORM")
        and not env.get("DISPLAY")
        and not env.get("WAYLAND_DISPLAY")
    )


def cmd_run(args: argparse.Namespace) -> int:
    """Start the touch-screen app."""
    import importlib.util

    try:
        qt_missing = importlib.util.find_spec("PySide6") is None
    except ImportError:
        qt_missing = True
    if qt_missing:
        raise CliError(
            "Qt for Python is not installed here: install the kiosk with "
            "pip install 'petition-kiosk[kiosk]'"
        )
    if _no_display(os.environ, sys.platform):
        raise CliError(
            "no display to show the kiosk on: start it from the tablet's desktop session, or "
            "over ssh name the screen (DISPLAY=:0 kiosk); QT_QPA_PLATFORM=eglfs runs it with no "
            "desktop, QT_QPA_PLATFORM=offscreen with no screen at all"
        )
    try:
        from kiosk.app import run_app
    except ImportError as exc:  # pragma: no cover - a broken Qt install
        raise CliError(f"the touch-screen UI cannot start: {exc}") from None
    from kiosk.demo import NotADemoFolder

    try:
        return run_app(data_dir=args.data_dir, windowed=args.windowed, demo=args.demo)
    except NotADemoFolder as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def cmd_campaigns_list(args: argparse.Namespace) -> int:
    """List the campaigns this kiosk knows."""
    kiosk = _open(args)
    try:
        rows = []
        for c in kiosk.catalog.all():
            rows.append(
                {
                    "slug": c.slug,
                    "kind": c.kind.value,
                    "title": c.title.en,
                    "target": c.target.en,
                    "goal": c.goal,
                    "known_count": c.known_count,
                    "local_campaigns": [loc.slug for loc in c.locals],
                    "version": c.current_version().short,
                    "languages": ["en", "es"] if c.text.statement.es else ["en"],
                }
            )
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for r in rows:
                locs = f", {len(r['local_campaigns'])} local" if r["local_campaigns"] else ""
                # The whole title, never cut: a terminal wraps a long line.
                print(f"{r['slug']:34} {r['kind']:8} {r['title']} ({r['version']}{locs})")
        for err in kiosk.campaign_errors:
            print(f"kiosk: warning: skipped {err}", file=sys.stderr)
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_campaigns_validate(args: argparse.Namespace) -> int:
    """Validate campaign files; print every problem of each (a line each)."""
    from kiosk.domain.campaign_format import CampaignFormatError, load_campaign_file

    bad = 0
    for f in args.files:
        try:
            c = load_campaign_file(f)
        except CampaignFormatError as exc:
            for problem in exc.problems:  # the file as given (the error names it by its name)
                where = f"{f}: {problem.field}" if problem.field else f
                print(f"invalid: {where}: {problem.message}", file=sys.stderr)
            bad += 1
        else:
            print(
                f"ok: {f} ({c.slug}, {counted(len(c.locals), 'local campaign')}, "
                f"version {c.current_version().short})"
            )
    return EXIT_FAILURE if bad else EXIT_OK


def cmd_campaigns_import(args: argparse.Namespace) -> int:
    """Validate and import a campaign file into this kiosk."""
    from kiosk.domain.campaign_format import CampaignFormatError

    kiosk = _open(args)
    try:
        slug = kiosk.import_campaign(Path(args.file))
    except CampaignFormatError as exc:
        raise CliError(f"not imported: {exc}") from None
    finally:
        kiosk.close()
    print(f"imported {slug}")
    return EXIT_OK


def _pick_campaign(kiosk: Any, slug: str | None) -> str:
    if slug:
        if slug not in kiosk.catalog:
            known = ", ".join(c.slug for c in kiosk.catalog.all())
            raise CliError(f"unknown campaign {slug!r} (known: {known})", EXIT_USAGE)
        return slug
    chosen = kiosk.services().settings.active_campaign()
    if chosen is None:
        raise CliError("no campaigns are installed", EXIT_USAGE)
    return chosen


def cmd_simulate(args: argparse.Namespace) -> int:
    """Save N synthetic signatures through the signing service."""
    from kiosk.app import NoOrganizationKey
    from kiosk.simulate import TooManySigners, simulate

    if args.signatures < 0:
        raise CliError("--signatures must be zero or more", EXIT_USAGE)
    kiosk = _open(args)
    try:
        slug = _pick_campaign(kiosk, args.campaign)
        try:
            service = kiosk.service()
        except NoOrganizationKey as exc:
            raise CliError(str(exc)) from None

        def report(meta: Any) -> None:
            if args.print_ids:
                sys.stdout.write(f"saved {meta.id}\n")
                sys.stdout.flush()

        done = 0

        def counted(meta: Any) -> None:
            nonlocal done
            done += 1
            report(meta)

        try:
            saved = simulate(service, slug, args.signatures, args.seed, args.event, counted)
        except TooManySigners as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        except Exception as exc:
            if not _disk_full(exc):
                raise
            raise CliError(
                f"the disk is full after {done} synthetic signatures were saved "
                "(they are safe; nothing was saved in part); free some space and "
                "run again"
            ) from None
        print(f"saved {len(saved)} synthetic signatures to {slug}", file=sys.stderr)
        return EXIT_OK if len(saved) == args.signatures else EXIT_FAILURE
    finally:
        kiosk.close()


def _sync_status(settings: Any, keys: Any, by_sync_state: dict[str, int]) -> dict[str, Any]:
    """The sync part of ``kiosk status``, read from the store's settings and the key folder
    (no engine built)."""
    from kiosk.sync import state
    from kiosk.sync.status import SyncErrorCode

    enrollment = state.load_enrollment(settings, keys)
    outcome = state.load_outcome(settings)
    totals = state.load_totals(settings)
    error, detail = outcome.error, outcome.detail
    if enrollment is None and error is None:
        error, detail = SyncErrorCode.NOT_CONNECTED, "no server is configured"
    not_connected = enrollment is None
    return {
        "server_url": enrollment.server_url if enrollment else None,
        "server_name": enrollment.server_name if enrollment else None,
        "device_id": enrollment.device_id if enrollment else None,
        "last_success": outcome.last_success.isoformat() if outcome.last_success else None,
        "last_error": None if not_connected or not error else error.value,
        "last_error_detail": "" if not_connected else detail,
        "conflicts": int(by_sync_state.get("conflict", 0)),
        "totals_fetched_at": (
            totals.fetched_at.isoformat() if totals and totals.fetched_at else None
        ),
    }


def _status_doc(data_dir: Path, kiosk_id: str, store: Any) -> dict[str, Any]:
    """Everything ``kiosk status`` prints, from a store or a read-only view of one."""
    from kiosk.adapters.crypto import KeyFolder
    from kiosk.config import DataLayout

    counts = store.counts()
    keys = KeyFolder(DataLayout(data_dir).keys)
    events = [
        {
            "id": e.id,
            "name": e.name,
            "location": e.location,
            "started_at": e.started_at.isoformat(),
            "signatures": counts.by_event.get(e.id, 0),
        }
        for e in store.events()
    ]
    known = {e["id"] for e in events} | {""}
    events += [  # signatures of an event this store has no row for (not made here)
        {"id": i, "name": i, "location": "", "started_at": "", "signatures": n}
        for i, n in sorted(counts.by_event.items())
        if i not in known
    ]
    return {
        "events": events,
        "no_event": counts.by_event.get("", 0),
        "kiosk_id": kiosk_id,
        "data_dir": str(data_dir),
        "total": counts.total,
        "voided": counts.voided,
        "by_campaign": counts.by_campaign,
        "by_local_campaign": counts.by_local,
        "by_event": counts.by_event,
        "by_sync_state": counts.by_sync_state,
        "pending": store.pending_count(),
        "has_organization_key": keys.has_public_key(),
        "sync": _sync_status(store, keys, counts.by_sync_state),
    }


def _quick_status(args: argparse.Namespace) -> dict[str, Any] | None:
    """``kiosk status`` from the store file opened read-only, without SQLAlchemy, migrations
    or the sync engine; None when the store cannot be read that way (not made yet, another
    schema): the caller then opens the kiosk."""
    import sqlite3

    from kiosk.config import DataLayout, resolve_data_dir
    from kiosk.store.peek import StoreReader

    if getattr(args, "demo", False):
        return None  # the demo's own folder, and its check that the folder is a demo one
    root = resolve_data_dir(args.data_dir)
    try:
        reader = StoreReader(DataLayout(root).store)
    except sqlite3.Error:
        return None
    try:
        kiosk_id = reader.get_setting("kiosk_id")
        enrollment = reader.get_setting("sync.enrollment") or ""
        if kiosk_id is None or '"token"' in enrollment:
            return None  # a new store, or a token an older version kept: opening moves it
        return _status_doc(root, kiosk_id, reader)
    except sqlite3.Error:
        return None
    finally:
        reader.close()


def _printable(text: str) -> str:
    """Text typed on a kiosk, made safe to print on a terminal (no control characters)."""
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


def _sync_error_words(code: str) -> str:
    from kiosk.sync.status import SyncErrorCode, describe_error

    return describe_error(SyncErrorCode(code))


def _store_problems(data_dir: Path) -> list[str]:
    """``kiosk status --check``: what SQLite's ``quick_check`` finds in the store file, read
    only (every page read; empty when sound)."""
    import sqlite3

    from kiosk.config import DataLayout
    from kiosk.store.peek import StoreReader

    try:
        reader = StoreReader(DataLayout(data_dir).store)
    except sqlite3.Error as exc:
        return [f"the store cannot be opened: {exc}"]
    try:
        return reader.quick_check()
    except sqlite3.Error as exc:
        return [f"the store cannot be read to the end: {exc}"]
    finally:
        reader.close()


def cmd_status(args: argparse.Namespace) -> int:
    """Print counts by campaign, local campaign, event and sync state (and, with ``--check``,
    whether every page of the store reads back sound)."""
    doc = _quick_status(args)
    if doc is None:
        kiosk = _open(args)
        try:
            doc = _status_doc(kiosk.data_dir, kiosk.kiosk_id, kiosk.store)
        finally:
            kiosk.close()
    problems = _store_problems(Path(doc["data_dir"])) if args.check else []
    if args.check:
        doc["check"] = {"ok": not problems, "problems": problems}
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True))
        return EXIT_FAILURE if problems else EXIT_OK
    print(f"kiosk {doc['kiosk_id']} in {doc['data_dir']}")
    print(f"signatures: {doc['total']} (voided {doc['voided']}), pending sync: {doc['pending']}")
    for k, v in sorted(doc["by_campaign"].items()):
        print(f"  {k}: {v}")
    for k, v in sorted(doc["by_local_campaign"].items()):
        print(f"    {k}: {v}")
    if doc["events"] or doc["no_event"]:
        print("events:")
        for e in doc["events"]:
            where = f", {e['location']}" if e["location"] else ""
            day = f" ({e['started_at'][:10]})" if e["started_at"] else ""
            print(f"  {_printable(e['name'] + where)}{day}: {e['signatures']}")
        if doc["no_event"]:
            print(f"  no event: {doc['no_event']}")
    states = ", ".join(f"{k} {v}" for k, v in sorted(doc["by_sync_state"].items()))
    if states:
        print(f"sync states: {states}")
    damaged = doc["by_sync_state"].get("damaged", 0)
    if damaged:
        print(f"damaged: {damaged} never-synced signatures have no personal data")
    sync = doc["sync"]
    if sync["server_url"]:
        print(
            f"server: {sync['server_url']} ({sync['server_name']}), "
            f"last success: {sync['last_success'] or 'never'}, "
            f"conflicts: {sync['conflicts']}"
        )
        if sync["last_error"]:
            print(
                f"last sync error: {_sync_error_words(sync['last_error'])} "
                f"({sync['last_error_detail']})"
            )
    else:
        print("server: not connected")
    if args.check and not problems:
        print("store check: ok (every page of kiosk.db read back sound)")
    for problem in problems:
        print(f"kiosk: error: store check: {_printable(problem)}", file=sys.stderr)
    if problems:
        print(
            "kiosk: error: the store is damaged: stop the kiosk and restore kiosk.db from a "
            "backup (docs/deploy-kiosk.md, section 8)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return EXIT_OK


def _sync_error(code: Any, detail: str, enrolling: bool = False) -> str:
    from kiosk.sync.status import describe_error

    words = describe_error(code, enrolling)
    return f"{words} ({detail})" if detail else words


def cmd_enroll(args: argparse.Namespace) -> int:
    """Connect this kiosk to a sync server with a one-time code."""
    from kiosk.sync.client import SyncError

    if args.ca_bundle and not Path(args.ca_bundle).is_file():
        raise CliError(f"no such CA bundle: {args.ca_bundle}", EXIT_USAGE)
    kiosk = _open(args)
    try:
        engine = kiosk.sync_engine()
        try:
            result = engine.enroll(
                args.server,
                args.code,
                name=args.name,
                ca_bundle=str(Path(args.ca_bundle).resolve()) if args.ca_bundle else None,
                allow_insecure=args.allow_insecure,
            )
        except SyncError as exc:
            raise CliError(f"not connected: {_sync_error(exc.code, exc.detail, True)}") from None
        e = result.enrollment
        print(
            f"connected to {e.server_name or 'the server'} at {e.server_url} "
            f"as device {e.device_id}"
        )
        if result.key_installed:
            print("installed the organization's public key from the server")
        if not result.has_key:
            print(
                "kiosk: warning: neither the server nor this kiosk has an organization key; "
                "signatures cannot be collected until one is installed: give the server the "
                "organization's public key (KIOSK_ORG_PUBLIC_KEY, docs/deploy-server.md) and "
                "enroll again, or install it here (`kiosk keys import-public FILE`); "
                "`kiosk keys init` makes a new pair only for a kiosk that is its own organization",
                file=sys.stderr,
            )
        print("run `kiosk sync` to send pending signatures now")
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_sync(args: argparse.Namespace) -> int:
    """Run one sync pass and print what was sent, and what the retention policy deleted
    after it (as the app does after each pass the server acknowledged signatures in)."""
    from kiosk.privacy import apply_retention, stored_policy
    from kiosk.sync.status import SyncErrorCode

    if args.ca_bundle and not Path(args.ca_bundle).is_file():
        raise CliError(f"no such CA bundle: {args.ca_bundle}", EXIT_USAGE)
    kiosk = _open(args)
    try:
        again = None
        if args.send_again:
            # Everything acknowledged that still holds its personal data, pending again (the
            # audit trail is not: a server that lost entries of it is found by its head).
            again = kiosk.store.requeue_acknowledged(audit_after_seq=None)
            if not args.json:
                print(
                    f"pending again: {again.signatures} signatures, {again.voids} voids, "
                    f"{again.events} events"
                )
            if again.unrecoverable:
                print(
                    f"kiosk: warning: {again.unrecoverable} acknowledged signatures no longer "
                    "hold their personal data here (retention deleted it) and cannot be sent "
                    "again",
                    file=sys.stderr,
                )
        purged: list[int] = []

        def purge() -> None:  # the hook the app gives the engine too, its count kept to say
            purged.append(apply_retention(kiosk.store, kiosk.auditor, kiosk.clock))

        engine = kiosk.sync_engine(on_acknowledged=purge)
        report = engine.run_once(
            server_url=args.server,
            ca_bundle=args.ca_bundle,
            allow_insecure=True if args.allow_insecure else None,
        )
        if args.json:
            doc = {k: v for k, v in vars(report).items()}
            doc["error"] = report.error.value if report.error else None
            doc["ok"] = report.ok
            doc["complete"] = report.complete
            lost = report.server_lost
            doc["server_lost"] = None if lost is None else dataclasses.asdict(lost)
            doc["sent_again"] = None if again is None else dataclasses.asdict(again)
            doc["purged"] = sum(purged)
            print(json.dumps(doc, indent=2, sort_keys=True))
        else:
            # A pass that failed before anything went through is told by its error alone.
            if report.error is None or (
                report.signatures_sent or report.voids_sent or report.events_sent
            ):
                print(f"server: {report.server_url or '-'}")
                print(
                    f"signatures: sent {report.signatures_sent}, created {report.created}, "
                    f"duplicate {report.duplicate}, conflict {report.conflict}"
                )
                print(
                    f"voids: sent {report.voids_sent}, created {report.voids_created}, "
                    f"duplicate {report.voids_duplicate}, conflict {report.voids_conflict}, "
                    f"unknown {report.voids_unknown}"
                )
                print(f"events: sent {report.events_sent}")
                if report.campaigns_changed:
                    print(f"campaigns updated: {', '.join(report.campaigns_changed)}")
                print(f"pending: {report.pending_left}")
            if sum(purged):
                deleted = counted(sum(purged), "synced signature")
                print(
                    f"retention: deleted the personal data of {deleted} "
                    f"(policy {stored_policy(kiosk.store)}; counts stay)"
                )
            for problem in report.campaign_errors:
                print(f"kiosk: warning: server campaign refused: {problem}", file=sys.stderr)
            if report.campaign_errors_more:
                print(
                    f"kiosk: warning: and {report.campaign_errors_more} more server campaigns "
                    "refused",
                    file=sys.stderr,
                )
            if report.server_lost is not None:
                lost = report.server_lost
                print(
                    "kiosk: warning: the server had lost signatures it had acknowledged (its "
                    "database was restored from an older backup?); this kiosk made the "
                    f"{lost.signatures} it still holds pending again and sends them (the "
                    "server keeps or stores each once)",
                    file=sys.stderr,
                )
                if lost.unrecoverable:
                    print(
                        f"kiosk: warning: {lost.unrecoverable} acknowledged signatures could "
                        "not be sent again: their personal data was already deleted here "
                        "(retention); if the server lost them, they are lost",
                        file=sys.stderr,
                    )
            if report.rejected:
                print(
                    f"kiosk: warning: the server refused {report.rejected} signatures; they "
                    "stay pending and are sent again at the next sync",
                    file=sys.stderr,
                )
                for reason, n in report.rejected_reasons.items():
                    print(f"kiosk: warning:   {n} of them: {reason}", file=sys.stderr)
            if report.unacknowledged:
                print(
                    f"kiosk: warning: {report.unacknowledged} signatures were sent but the "
                    "server's answer did not name them; they stay pending",
                    file=sys.stderr,
                )
            if report.unsendable:
                print(
                    f"kiosk: warning: {report.unsendable} signatures break a wire rule and "
                    "stay pending",
                    file=sys.stderr,
                )
            if report.damaged:
                print(
                    f"kiosk: warning: {report.damaged} signatures were never synced, yet their "
                    "personal data is missing (the store was damaged or altered): marked "
                    "damaged, not sent",
                    file=sys.stderr,
                )
        if report.error is SyncErrorCode.NOT_CONNECTED:
            raise CliError(
                "this kiosk is not connected to a server: run "
                "`kiosk enroll --server URL --code CODE` first"
            )
        if report.error is not None:
            raise CliError(
                f"sync failed: {_sync_error(report.error, report.error_detail)}; "
                f"{report.pending_left} still pending"
            )
        if report.held_back:
            # A script (cron, a deploy check) must see that signatures did not go: the
            # warnings above say which and why.
            raise CliError(
                f"sync incomplete: {report.held_back} signatures stay pending "
                f"({report.rejected} refused by the server, {report.unacknowledged} not "
                f"acknowledged, {report.unsendable} not sendable); "
                f"{report.pending_left} still pending"
            )
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_keys_init(args: argparse.Namespace) -> int:
    """Make the organization key pair for a kiosk that never connects."""
    from kiosk.adapters.crypto import CryptoError

    kiosk = _open(args)
    try:
        passphrase = _passphrase(confirm=True)
        if len(passphrase) < 8:
            raise CliError("the passphrase must have at least 8 characters", EXIT_USAGE)
        try:
            kiosk.keys.init(passphrase)
        except CryptoError as exc:
            raise CliError(str(exc)) from None
        print(
            f"made a key pair in {kiosk.keys.path}; keep the passphrase safe: without it "
            "nobody can read the signers' personal data"
        )
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Check the audit trail's hash chain; exit 0 only when it is intact."""
    kiosk = _open(args)
    try:
        report = kiosk.auditor.verify()
    finally:
        kiosk.close()
    if report.ok:
        print(f"audit trail intact: {report.entries} entries")
        return EXIT_OK
    where = f"entry {report.broken_at}" if report.broken_at is not None else "the end"
    print(f"kiosk: audit trail BROKEN at {where}: {report.reason}", file=sys.stderr)
    return EXIT_FAILURE


def cmd_audit_list(args: argparse.Namespace) -> int:
    """Print the audit trail."""
    from datetime import UTC, datetime

    kiosk = _open(args)
    try:
        for e in kiosk.store.audit_entries():
            when = datetime.fromtimestamp(e.at_ms / 1000, UTC).isoformat(timespec="seconds")
            detail = json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
            print(f"{e.seq:6} {when} {e.action:18} {detail} {e.hash[:12]}")
        return EXIT_OK
    finally:
        kiosk.close()


def _retention_due(kiosk: Any) -> tuple[Any, int]:
    from kiosk.privacy import purgeable_count_under, stored_policy

    policy = stored_policy(kiosk.store)
    return policy, purgeable_count_under(kiosk.store, policy, kiosk.clock())


def cmd_retention_show(args: argparse.Namespace) -> int:
    """Print the retention policy and what applying it now would delete; change nothing."""
    kiosk = _open(args)
    try:
        policy, due = _retention_due(kiosk)
        print(f"retention policy: {policy}")
        print(
            f"personal data due for deletion now: {due} synced signatures (deleted after "
            "each `kiosk sync` in which the server acknowledges signatures, by the app after "
            "its syncs and while it stands idle, or at once by `kiosk retention apply`)"
        )
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_pin_set(args: argparse.Namespace) -> int:
    """Set a new staff PIN (the old one need not be known: whoever can run commands as the
    kiosk's user holds its data folder anyway); audited as the first start's is."""
    from kiosk.domain.audit import AuditAction
    from kiosk.services.pin import PIN_MAX, PIN_MIN, PinGate, valid_new_pin

    pin = _secret(
        "KIOSK_NEW_PIN",
        "PIN",
        f"New staff PIN ({PIN_MIN} to {PIN_MAX} digits): ",
        "The same PIN again: ",
        "the two PINs differ; the PIN was not changed",
    )
    if not valid_new_pin(pin):
        raise CliError(
            f"a staff PIN has {PIN_MIN} to {PIN_MAX} digits (0-9); the PIN was not changed",
            EXIT_USAGE,
        )
    kiosk = _open(args)
    try:
        PinGate(kiosk.store, kiosk.pins).set_pin(pin)  # clears a lockout too
        kiosk.auditor.record(AuditAction.PIN_SET, via="cli")
        print("staff PIN changed: staff mode asks for the new one from its next entry")
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_retention_set(args: argparse.Namespace) -> int:
    """Set the retention policy (deletes nothing by itself)."""
    from kiosk.domain.audit import AuditAction
    from kiosk.privacy import SETTING_RETENTION, RetentionPolicy

    try:
        policy = RetentionPolicy.parse(args.policy)
    except ValueError as exc:
        raise CliError(f"{exc} (use immediate, days:N or until_exported)", EXIT_USAGE) from None
    kiosk = _open(args)
    try:
        kiosk.store.set_setting(SETTING_RETENTION, str(policy))
        kiosk.auditor.record(
            AuditAction.SETTINGS_CHANGED, setting="retention_policy", value=str(policy)
        )
        _policy, due = _retention_due(kiosk)
        print(
            f"retention policy: {policy}; {due} synced signatures are due for deletion "
            "(`kiosk retention apply` deletes them; the kiosk also does when idle or synced)"
        )
        return EXIT_OK
    finally:
        kiosk.close()


def _expire_saved_exports(kiosk: Any) -> None:
    """Delete the exports saved into the exports folder more than a day ago (as the app does
    while idle), and say so."""
    from kiosk.exports.files import KEEP_SAVED_EXPORTS, expire_saved_exports, export_folder

    gone = expire_saved_exports(kiosk.store, kiosk.clock(), KEEP_SAVED_EXPORTS)
    if gone:
        print(
            f"deleted {counted(gone, 'export file')} saved in {export_folder(kiosk.store)} "
            "more than a day ago"
        )


def cmd_retention_apply(args: argparse.Namespace) -> int:
    """Delete the personal data the policy no longer keeps, after confirmation."""
    from kiosk.privacy import apply_retention

    kiosk = _open(args)
    try:
        policy, due = _retention_due(kiosk)
        if due == 0:
            print(f"retention policy: {policy}; no personal data is due for deletion")
            _expire_saved_exports(kiosk)
            return EXIT_OK
        if not args.yes:
            if not sys.stdin.isatty():
                raise CliError(
                    f"{due} synced signatures would lose their personal data: "
                    "confirm with --yes (no terminal to ask)",
                    EXIT_USAGE,
                )
            answer = input(
                f"Delete the personal data (names, contacts, drawn signatures) of "
                f"{due} synced signatures under policy {policy}? "
                "This cannot be undone. [y/N] "
            )
            if answer.strip().lower() not in ("y", "yes"):
                print("nothing deleted")
                return EXIT_FAILURE
        purged = apply_retention(kiosk.store, kiosk.auditor, kiosk.clock)
        print(
            f"retention policy: {policy}; deleted the personal data of {purged} synced "
            "signatures (counts stay)"
        )
        _expire_saved_exports(kiosk)
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_keys_import_public(args: argparse.Namespace) -> int:
    """Install the organization's public key from a file (kiosks that never connect)."""
    import base64
    import binascii

    from kiosk.adapters.crypto import CryptoError

    try:
        raw = Path(args.file).read_text("ascii").strip()
        key = base64.b64decode(raw, validate=True)
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, binascii.Error, ValueError):
        raise CliError(f"{args.file} is not a base64 public key file") from None
    kiosk = _open(args)
    try:
        if kiosk.keys.has_public_key() and kiosk.keys.public_key() != key:
            raise CliError(
                "this kiosk already has a different organization key; signatures "
                "sealed to it would be orphaned, so it is not replaced"
            )
        try:
            kiosk.keys.install_public_key(key)
        except CryptoError as exc:
            raise CliError(str(exc)) from None
        print(f"installed organization public key {_fingerprint(key)}")
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_keys_show(args: argparse.Namespace) -> int:
    """Show the installed organization key's fingerprint and whether the private key is here."""
    from kiosk.adapters.crypto import CryptoError

    kiosk = _open(args)
    try:
        try:
            key = kiosk.keys.public_key()
        except CryptoError as exc:
            raise CliError(str(exc)) from None
        where = (
            "on this kiosk (passphrase-protected)" if kiosk.keys.has_private_key() else "not here"
        )
        print(f"public key: {_fingerprint(key)} ({kiosk.keys.public_path})")
        print(f"private key: {where}")
        return EXIT_OK
    finally:
        kiosk.close()


def _fingerprint(key: bytes) -> str:
    import hashlib

    digest = hashlib.sha256(key).hexdigest()[:16]
    return ":".join(digest[i : i + 4] for i in range(0, 16, 4))


def _parse_date(text: str | None, name: str, end: bool = False) -> Any:
    """A date or date-time of the command line, in local time unless it names its offset.

    A plain date is its midnight; as an ``end`` (``--until``), the day is included: the next
    midnight, as ``kiosk-server export --until`` counts it (there in UTC).
    """
    from datetime import date, datetime, time, timedelta

    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    try:
        if day is not None:
            moment = datetime.combine(day + timedelta(days=1) if end else day, time())
        else:
            moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise CliError(
            f"{name} must be a date like 2026-11-23 (or a date-time)", EXIT_USAGE
        ) from None
    return moment.astimezone() if moment.tzinfo is None else moment


def _known_event(store: Any, event_id: str) -> bool:
    """Whether this kiosk has the event: its row, or signatures recorded with its id (made
    elsewhere, or by `kiosk simulate --event`)."""
    return any(e.id == event_id for e in store.events()) or event_id in store.counts().by_event


def _export_filter(args: argparse.Namespace, kiosk: Any) -> Any:
    from kiosk.domain.ports import SignatureFilter

    slug = _pick_campaign(kiosk, args.campaign)
    campaign = kiosk.catalog.get(slug)
    if args.local and campaign.local(args.local) is None:
        known = ", ".join(loc.slug for loc in campaign.locals) or "none"
        raise CliError(f"{slug} has no local campaign {args.local!r} (known: {known})", EXIT_USAGE)
    if args.event and not _known_event(kiosk.store, args.event):
        raise CliError(
            f"no event {args.event!r} on this kiosk (`kiosk status` lists its events)", EXIT_USAGE
        )
    since = _parse_date(args.since, "--since")
    until = _parse_date(args.until, "--until", end=True)
    if since is not None and until is not None and until <= since:
        raise CliError("--until must be after --since", EXIT_USAGE)
    return SignatureFilter(
        campaign=slug,
        local_campaign=args.local,
        event_id=args.event,
        since=since,
        until=until,
        include_synthetic=args.include_synthetic,
    )


def _unlock(kiosk: Any) -> Any:
    from kiosk.adapters.crypto import CryptoError, WrongPassphrase
    from kiosk.domain.audit import AuditAction

    passphrase = _passphrase(confirm=False)
    try:
        opener = kiosk.keys.unlock(passphrase)
    except WrongPassphrase:
        kiosk.auditor.record(AuditAction.UNLOCK_FAILED, via="cli")
        raise CliError("wrong passphrase: nothing exported") from None
    except CryptoError as exc:
        raise CliError(f"cannot unlock: {exc}") from None
    kiosk.auditor.record(AuditAction.UNLOCK, via="cli")
    return opener


def cmd_export_csv(args: argparse.Namespace) -> int:
    """Export the contact list (CSV) for follow-up."""
    from kiosk.exports import NothingToExport, make_csv_export, record_export, write_export
    from kiosk.exports.files import expires_on_tablet

    target = _out_target(args)
    kiosk = _open(args)
    try:
        flt = _export_filter(args, kiosk)
        opener = _unlock(kiosk)
        try:
            made = make_csv_export(
                kiosk.store, opener, flt, opted_in_only=args.opted_in_only, excel=args.excel
            )
        except NothingToExport as exc:
            raise CliError(_nothing_words(exc)) from None
        out, _exact = _out_path(target, kiosk, made)
        try:
            write_export(made, out)
        except OSError as exc:
            raise CliError(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from None
        record_export(kiosk.store, kiosk.auditor, made, kiosk.clock(), via="cli")
        _report_export(out, made.rows, made.result, expires_on_tablet(out, kiosk.store))
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_export_pdf(args: argparse.Namespace) -> int:
    """Export delivery packets (PDF) for the decision-maker(s)."""
    from kiosk.exports import (
        NothingToExport,
        export_paths,
        make_pdf_export,
        record_export,
        write_export,
    )
    from kiosk.exports.files import expires_on_tablet
    from kiosk.pdf import MAX_ROWS_PER_SHEET, PacketOptions

    if args.per_file is not None and args.per_file < 1:
        raise CliError("--per-file must be at least 1", EXIT_USAGE)
    if not 1 <= args.rows_per_sheet <= MAX_ROWS_PER_SHEET:
        raise CliError(f"--rows-per-sheet must be 1 to {MAX_ROWS_PER_SHEET}", EXIT_USAGE)
    try:
        options = PacketOptions(
            page_size=args.page_size,
            rows_per_sheet=args.rows_per_sheet,
            include_comments=args.comments,
        )
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    target = _out_target(args)
    kiosk = _open(args)
    try:
        flt = _export_filter(args, kiosk)
        opener = _unlock(kiosk)
        try:
            made = make_pdf_export(
                kiosk.store,
                kiosk.catalog.get(flt.campaign),
                kiosk.directory,
                opener,
                flt,
                language=args.lang,
                options=options,
                per_local=not args.whole_campaign,
                split_state=args.split_by_state,
                per_file=args.per_file,
            )
        except NothingToExport as exc:
            raise CliError(_nothing_words(exc)) from None
        except ValueError as exc:
            raise CliError(str(exc)) from None
        out, exact = _out_path(target, kiosk, made)
        paths = export_paths(made, out, exact)
        try:
            write_export(made, out, exact)
        except OSError as exc:
            raise CliError(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from None
        if len(paths) > 1:  # one file: the summary below names it
            for path, f in zip(paths, made.files, strict=True):
                print(f"wrote {path} ({counted(f.rows, 'signature')})")
        record_export(kiosk.store, kiosk.auditor, made, kiosk.clock(), via="cli")
        _report_export(
            paths[0] if len(paths) == 1 else f"{len(paths)} files",
            made.rows,
            made.result,
            expires_on_tablet(paths[0], kiosk.store),
        )
        return EXIT_OK
    finally:
        kiosk.close()


def _nothing_words(exc: Any) -> str:
    """What `kiosk export` says when no signature matches (PDF and CSV alike)."""
    words = "no signatures match: nothing exported"
    result = exc.result
    if result.synthetic_skipped:
        words += (
            f"; {result.synthetic_skipped} synthetic signatures were left out, "
            "add --include-synthetic"
        )
    if result.purged_skipped:
        words += (
            f"; {result.purged_skipped} had their personal data deleted after sync "
            "(export them from the server)"
        )
    if result.unreadable or result.undecryptable:
        words += f"; {result.unreadable + result.undecryptable} could not be read"
    if result.missing_data:
        words += (
            f"; {result.missing_data} were never synced, yet their personal data is "
            "missing (the store was damaged or altered)"
        )
    return words


def _out_target(args: argparse.Namespace) -> tuple[Path | None, bool]:
    """``--out`` checked before anything is asked or made: ``(folder, True)`` for a folder,
    ``(file, False)`` for a file name, ``(None, True)`` without it (the exports folder)."""
    from kiosk.exports import OutPathError, out_target

    if not args.out:
        return None, True
    try:
        return out_target(args.out)
    except OutPathError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def _out_path(target: tuple[Path | None, bool], kiosk: Any, made: Any) -> tuple[Path, bool]:
    """Where to write and whether that is exact (a file named with ``--out``: one packet is
    written as that file). A folder (``--out FOLDER``, else the exports folder,
    ``~/PetitionKiosk-exports`` or ``$KIOSK_EXPORT_DIR``) gets a dated name, never overwriting
    an earlier export."""
    from kiosk.exports import export_folder, export_paths, export_stem

    given, is_folder = target
    if given is not None and not is_folder:
        return given, True
    folder = given if given is not None else export_folder(kiosk.store)
    stem = export_stem(made, kiosk.clock())
    for n in range(1, 1000):
        out = folder / (f"{stem}{made.suffix}" if n == 1 else f"{stem}-{n}{made.suffix}")
        if not any(p.exists() for p in export_paths(made, out)):
            return out, False
    raise CliError(f"too many exports named {stem} in {folder}: give --out")


def _report_export(out: Path | str, rows: int, result: Any, on_tablet: bool = False) -> None:
    print(f"wrote {counted(rows, 'signature')} to {out}")
    if on_tablet:
        from kiosk.exports.files import KEEP_SAVED_EXPORTS

        hours = int(KEEP_SAVED_EXPORTS.total_seconds() // 3600)
        print(
            f"kiosk: note: saved in the exports folder on this tablet, where it is deleted after "
            f"{hours} hours (and by staff mode's \"Delete now\"): copy it elsewhere (signers' "
            "names are in clear in it)",
            file=sys.stderr,
        )
    if result.synthetic_included:
        print(
            "kiosk: note: synthetic signatures are included: every page says TEST DATA (a CSV: "
            "its first line), "
            "not signatures; never deliver it",
            file=sys.stderr,
        )
    if result.synthetic_skipped:
        print(
            f"kiosk: note: {counted(result.synthetic_skipped, 'synthetic signature')} left out, "
            "add --include-synthetic",
            file=sys.stderr,
        )
    if result.unreadable:
        print(
            f"kiosk: warning: {counted(result.unreadable, 'signature')} left out: unreadable (a "
            "damaged record in the store)",
            file=sys.stderr,
        )
    if result.purged_skipped:
        print(
            f"kiosk: note: {counted(result.purged_skipped, 'signature')} left out: the personal "
            "data was deleted after sync (export them from the server)",
            file=sys.stderr,
        )
    if result.undecryptable:
        print(
            f"kiosk: warning: {counted(result.undecryptable, 'signature')} left out: not opened "
            "with this key (sealed to another organization key, or the store is damaged)",
            file=sys.stderr,
        )
    if result.missing_data:
        print(
            f"kiosk: warning: {counted(result.missing_data, 'signature')} left out: never "
            "synced, yet the personal data is missing (the store was damaged or altered)",
            file=sys.stderr,
        )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``kiosk``."""
    p = argparse.ArgumentParser(
        prog="kiosk",
        description="Petition Kiosk: collect petition signatures on a touch screen, offline first.",
        epilog="With no command, starts the touch-screen app. Data lives in --data-dir, "
        "$KIOSK_DATA_DIR, or the platform's user data folder.",
    )
    p.add_argument("--version", action="version", version=f"kiosk {__version__}")
    p.add_argument("--data-dir", metavar="DIR", help="the kiosk's data folder")
    p.add_argument("--windowed", action="store_true", help="run in a window (development)")
    p.add_argument(
        "--demo",
        action="store_true",
        help="the demo kiosk: its own data folder, set up with the demo PIN 2468 and "
        "passphrase 'demo passphrase'; DEMO on staff screens and exported pages; "
        "only a server in demo mode takes its signatures. Works with every command",
    )
    p.add_argument(
        "--self-check",
        action="store_true",
        help="check this install in a temporary data folder (campaigns, store, keys, "
        "virtual keyboard, translations, speech, attract screen, a signature, a PDF, "
        "printing), print one line per step, exit 0 only when all pass",
    )
    p.set_defaults(func=cmd_run)
    sub = p.add_subparsers(title="commands", metavar="COMMAND")

    camp = sub.add_parser("campaigns", help="list, validate and import campaign files")
    camp.set_defaults(func=lambda a: _usage(camp))
    csub = camp.add_subparsers(title="campaign commands", metavar="ACTION")
    c_list = csub.add_parser("list", help="list the installed campaigns")
    c_list.add_argument("--json", action="store_true", help="print JSON")
    c_list.set_defaults(func=cmd_campaigns_list)
    c_val = csub.add_parser(
        "validate", help="check campaign files and report every problem of each"
    )
    c_val.add_argument("files", nargs="+", metavar="FILE")
    c_val.set_defaults(func=cmd_campaigns_validate)
    c_imp = csub.add_parser("import", help="validate a campaign file and install it here")
    c_imp.add_argument("file", metavar="FILE")
    c_imp.set_defaults(func=cmd_campaigns_import)

    sim = sub.add_parser("simulate", help="save N realistic synthetic signers (marked synthetic)")
    sim.add_argument("--signatures", type=int, required=True, metavar="N")
    sim.add_argument("--campaign", metavar="SLUG", help="default: the active campaign")
    sim.add_argument("--seed", type=int, metavar="S", help="for reproducible signers")
    sim.add_argument("--event", metavar="ID", help="record this event id")
    sim.add_argument(
        "--print-ids", action="store_true", help="print 'saved UUID' after each durable save"
    )
    sim.set_defaults(func=cmd_simulate)

    st = sub.add_parser("status", help="counts by campaign, local campaign, event, sync state")
    st.add_argument("--json", action="store_true", help="print JSON")
    st.add_argument(
        "--check",
        action="store_true",
        help="also read every page of the store and check it (SQLite's quick_check; exits 1 "
        "when it is damaged)",
    )
    st.set_defaults(func=cmd_status)

    enr = sub.add_parser(
        "enroll",
        help="connect this kiosk to a sync server with a one-time code",
        description="Trade a one-time code (from `kiosk-server enroll-code`) for this kiosk's "
        "identity on the server, and install the organization's public key if the kiosk has "
        "none. Plain http is accepted only to this machine unless --allow-insecure.",
    )
    enr.add_argument(
        "--server",
        required=True,
        metavar="URL",
        help="the server's address, e.g. https://sync.example.org",
    )
    enr.add_argument("--code", required=True, metavar="CODE", help="the one-time code")
    enr.add_argument("--name", metavar="NAME", help="this kiosk's name on the server")
    enr.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="PEM file of CAs to trust instead of the system's (kept for syncs)",
    )
    enr.add_argument(
        "--allow-insecure",
        action="store_true",
        help="allow plain http to another machine (signatures travel unencrypted)",
    )
    enr.set_defaults(func=cmd_enroll)

    syn = sub.add_parser(
        "sync",
        help="send pending signatures to the server now (one pass)",
        description="Push pending events, signatures and voids, then pull campaigns and totals. "
        "Exits non-zero, with the reason, when the pass fails.",
    )
    syn.add_argument(
        "--server",
        metavar="URL",
        help="reach the enrolled server by another address for this pass (e.g. through a proxy)",
    )
    syn.add_argument("--ca-bundle", metavar="FILE", help="PEM file of CAs to trust for this pass")
    syn.add_argument(
        "--allow-insecure",
        action="store_true",
        help="allow plain http to another machine for this pass",
    )
    syn.add_argument(
        "--send-again",
        action="store_true",
        help="first make every acknowledged signature, void and event that still holds its "
        "data pending again: after the server's database was restored from a backup older "
        "than this kiosk's last sync, when the kiosk cannot tell by itself (a server of "
        "before GET /device; the server answers duplicate for what it kept)",
    )
    syn.add_argument("--json", action="store_true", help="print the report as JSON")
    syn.set_defaults(func=cmd_sync)

    keys = sub.add_parser("keys", help="the organization's encryption keys")
    keys.set_defaults(func=lambda a: _usage(keys))
    ksub = keys.add_subparsers(title="key commands", metavar="ACTION")
    k_init = ksub.add_parser(
        "init",
        help="make a key pair for a kiosk that never connects (passphrase from "
        "KIOSK_PASSPHRASE or a prompt)",
    )
    k_init.set_defaults(func=cmd_keys_init)
    k_imp = ksub.add_parser(
        "import-public",
        help="install the organization's public key from a file (the "
        "keys/org-public.key of the kiosk or server that made the pair)",
    )
    k_imp.add_argument("file", metavar="FILE")
    k_imp.set_defaults(func=cmd_keys_import_public)
    k_show = ksub.add_parser("show", help="the installed key's fingerprint")
    k_show.set_defaults(func=cmd_keys_show)

    audit = sub.add_parser("audit", help="the hash-chained audit trail of staff actions")
    audit.set_defaults(func=lambda a: _usage(audit))
    asub = audit.add_subparsers(title="audit commands", metavar="ACTION")
    a_ver = asub.add_parser("verify", help="check the chain; exit 0 only when intact")
    a_ver.set_defaults(func=cmd_audit_verify)
    a_list = asub.add_parser("list", help="print every entry")
    a_list.set_defaults(func=cmd_audit_list)

    pin = sub.add_parser("pin", help="the staff PIN: set a new one")
    pin.set_defaults(func=lambda a: _usage(pin))
    psub = pin.add_subparsers(title="pin commands", metavar="ACTION")
    p_set = psub.add_parser(
        "set",
        help="set a new staff PIN (asks twice; KIOSK_NEW_PIN without a terminal): when "
        "volunteers forgot it; clears a lockout",
    )
    p_set.set_defaults(func=cmd_pin_set)

    ret = sub.add_parser(
        "retention", help="how long personal data stays after sync: show, set, apply"
    )
    ret.set_defaults(func=lambda a: _usage(ret))
    rsub = ret.add_subparsers(title="retention commands", metavar="ACTION")
    r_show = rsub.add_parser(
        "show",
        help="the policy, and how many signatures it would "
        "delete personal data of now (changes nothing)",
    )
    r_show.set_defaults(func=cmd_retention_show)
    r_set = rsub.add_parser("set", help="choose the policy (deletes nothing by itself)")
    r_set.add_argument(
        "policy", metavar="POLICY", help="immediate, days:N or until_exported (the default)"
    )
    r_set.set_defaults(func=cmd_retention_set)
    r_apply = rsub.add_parser(
        "apply", help="delete the personal data the policy no longer keeps (asks first)"
    )
    r_apply.add_argument(
        "--yes", action="store_true", help="do not ask (needed without a terminal)"
    )
    r_apply.set_defaults(func=cmd_retention_apply)

    exp = sub.add_parser("export", help="coordinator exports: CSV contact lists, PDF packets")
    exp.set_defaults(func=lambda a: _usage(exp))
    esub = exp.add_subparsers(title="export commands", metavar="KIND")
    e_csv = esub.add_parser(
        "csv", help="contact list for follow-up (passphrase from KIOSK_PASSPHRASE or a prompt)"
    )
    _export_options(e_csv)
    e_csv.add_argument(
        "--opted-in-only", action="store_true", help="only signers who opted in to updates"
    )
    e_csv.add_argument(
        "--excel",
        action="store_true",
        help="for Excel on Windows: start the file with a UTF-8 byte-order mark, so accents "
        "(María) show right when it is double-clicked",
    )
    e_csv.set_defaults(func=cmd_export_csv)
    e_pdf = esub.add_parser(
        "pdf",
        help="delivery packets: one per local campaign's decision-maker by default "
        "(passphrase from KIOSK_PASSPHRASE or a prompt)",
    )
    _export_options(e_pdf)
    e_pdf.add_argument(
        "--whole-campaign",
        action="store_true",
        help="one packet for the whole campaign instead of one per local campaign",
    )
    e_pdf.add_argument("--split-by-state", action="store_true", help="one file per signers' state")
    e_pdf.add_argument("--per-file", type=int, metavar="N", help="at most N signatures a file")
    e_pdf.add_argument(
        "--rows-per-sheet",
        type=int,
        default=10,
        metavar="N",
        help="signatures per sheet (default 10)",
    )
    e_pdf.add_argument("--page-size", choices=PAGE_SIZES, default=PAGE_SIZES[0])
    e_pdf.add_argument(
        "--lang",
        choices=("en", "es"),
        default="en",
        help="language of the labels and campaign text",
    )
    e_pdf.add_argument("--comments", action="store_true", help="print signers' comments")
    e_pdf.set_defaults(func=cmd_export_pdf)
    return p


def _export_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--campaign", metavar="SLUG", help="default: the active campaign")
    p.add_argument("--local", metavar="SLUG", help="one local campaign")
    p.add_argument("--since", metavar="DATE", help="signed on or after (local time)")
    p.add_argument(
        "--until",
        metavar="DATE",
        help="signed on or before that day, or before a date-time (local time)",
    )
    p.add_argument("--event", metavar="ID", help="one event")
    p.add_argument(
        "--include-synthetic",
        action="store_true",
        help="include signatures made by `kiosk simulate`",
    )
    p.add_argument(
        "--out",
        metavar="FILE|FOLDER",
        help="where to write: a file, or a folder (one that exists, or a path ending in /) "
        "for the files under their usual dated names; a missing folder is not made "
        "(default: the exports folder, ~/PetitionKiosk-exports or $KIOSK_EXPORT_DIR)",
    )


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    from kiosk.adapters.process import forbid_core_dumps

    forbid_core_dumps()  # exports and unlocks hold signers' details in memory in clear
    parser = build_parser()
    args = parse_args_strictly(parser, argv)
    if args.self_check:
        if args.func is not cmd_run:
            parser.error("--self-check takes no command")
        from kiosk.selfcheck import run_self_check

        return run_self_check()
    from kiosk.config import DataFolderError

    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"kiosk: error: {exc}", file=sys.stderr)
        return exc.code
    except DataFolderError as exc:
        print(f"kiosk: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        from kiosk.cli_args import reader_gone

        return reader_gone()
    except Exception as exc:
        from kiosk.store.damage import store_damaged_message

        damaged = store_damaged_message(exc)
        if damaged is not None:
            print(f"kiosk: error: {damaged}", file=sys.stderr)
            return EXIT_FAILURE
        if not _disk_full(exc):
            raise
        print(f"kiosk: error: {DISK_FULL}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("kiosk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
