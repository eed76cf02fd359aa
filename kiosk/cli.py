"""The ``kiosk`` command line: start the app, manage campaigns and keys, simulate, report.

Every command prints a clear message and exits non-zero on bad input; none prints a traceback
for an expected error. ``kiosk --help`` and ``kiosk COMMAND --help`` document everything.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk import __version__

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CliError(Exception):
    """An expected failure: printed as ``kiosk: error: ...`` with an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from kiosk.app import open_kiosk

    return open_kiosk(args.data_dir)


def _passphrase(confirm: bool) -> str:
    env = os.environ.get("KIOSK_PASSPHRASE")
    if env:
        return env
    if not sys.stdin.isatty():
        raise CliError("no passphrase: set KIOSK_PASSPHRASE or run in a terminal", EXIT_USAGE)
    first = getpass.getpass("Coordinator passphrase: ")
    if confirm and getpass.getpass("Again: ") != first:
        raise CliError("the passphrases differ", EXIT_USAGE)
    return first


def cmd_run(args: argparse.Namespace) -> int:
    """Start the touch-screen app."""
    try:
        from kiosk.ui.main import run_app
    except ImportError as exc:  # pragma: no cover - the UI ships with the package
        raise CliError(f"the touch-screen UI cannot start: {exc}") from None
    return run_app(data_dir=args.data_dir, windowed=args.windowed)


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
                print(f"{r['slug']:34} {r['kind']:8} {r['title'][:60]} ({r['version']}{locs})")
        for err in kiosk.campaign_errors:
            print(f"kiosk: warning: skipped {err}", file=sys.stderr)
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_campaigns_validate(args: argparse.Namespace) -> int:
    """Validate campaign files; print every problem."""
    from kiosk.domain.campaign_format import CampaignFormatError, load_campaign_file

    bad = 0
    for f in args.files:
        try:
            c = load_campaign_file(f)
        except CampaignFormatError as exc:
            print(f"invalid: {exc}", file=sys.stderr)
            bad += 1
        else:
            print(f"ok: {f} ({c.slug}, {len(c.locals)} local campaigns, "
                  f"version {c.current_version().short})")
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
    from kiosk.ui_state import active_campaign

    if slug:
        if slug not in kiosk.catalog:
            known = ", ".join(c.slug for c in kiosk.catalog.all())
            raise CliError(f"unknown campaign {slug!r} (known: {known})", EXIT_USAGE)
        return slug
    chosen = active_campaign(kiosk)
    if chosen is None:
        raise CliError("no campaigns are installed", EXIT_USAGE)
    return chosen


def cmd_simulate(args: argparse.Namespace) -> int:
    """Save N synthetic signatures through the signing service."""
    from kiosk.app import NoOrganizationKey
    from kiosk.simulate import simulate

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

        saved = simulate(service, slug, args.signatures, args.seed, args.event, report)
        print(f"saved {len(saved)} synthetic signatures to {slug}", file=sys.stderr)
        return EXIT_OK if len(saved) == args.signatures else EXIT_FAILURE
    finally:
        kiosk.close()


def cmd_status(args: argparse.Namespace) -> int:
    """Print counts by campaign, local campaign, event and sync state."""
    kiosk = _open(args)
    try:
        counts = kiosk.store.counts()
        doc = {
            "kiosk_id": kiosk.kiosk_id,
            "data_dir": str(kiosk.data_dir),
            "total": counts.total,
            "voided": counts.voided,
            "by_campaign": counts.by_campaign,
            "by_local_campaign": counts.by_local,
            "by_event": counts.by_event,
            "by_sync_state": counts.by_sync_state,
            "pending": kiosk.store.pending_count(),
            "has_organization_key": kiosk.keys.has_public_key(),
        }
        if args.json:
            print(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True))
        else:
            print(f"kiosk {doc['kiosk_id']} in {doc['data_dir']}")
            print(f"signatures: {counts.total} (voided {counts.voided}), pending sync: {doc['pending']}")
            for k, v in sorted(counts.by_campaign.items()):
                print(f"  {k}: {v}")
            for k, v in sorted(counts.by_local.items()):
                print(f"    {k}: {v}")
        return EXIT_OK
    finally:
        kiosk.close()


def cmd_keys_init(args: argparse.Namespace) -> int:
    """Make the organization key pair for a kiosk that never connects."""
    from kiosk.crypto import CryptoError

    kiosk = _open(args)
    try:
        passphrase = _passphrase(confirm=True)
        if len(passphrase) < 8:
            raise CliError("the passphrase must have at least 8 characters", EXIT_USAGE)
        try:
            kiosk.keys.init(passphrase)
        except CryptoError as exc:
            raise CliError(str(exc)) from None
        print(f"made a key pair in {kiosk.keys.path}; keep the passphrase safe: without it "
              "nobody can read the signers' personal data")
        return EXIT_OK
    finally:
        kiosk.close()


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
    p.set_defaults(func=cmd_run)
    sub = p.add_subparsers(title="commands", metavar="COMMAND")

    camp = sub.add_parser("campaigns", help="list, validate and import campaign files")
    camp.set_defaults(func=lambda a: _usage(camp))
    csub = camp.add_subparsers(title="campaign commands", metavar="ACTION")
    c_list = csub.add_parser("list", help="list the installed campaigns")
    c_list.add_argument("--json", action="store_true", help="print JSON")
    c_list.set_defaults(func=cmd_campaigns_list)
    c_val = csub.add_parser("validate", help="check campaign files and report every problem")
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
    sim.add_argument("--print-ids", action="store_true",
                     help="print 'saved UUID' after each durable save")
    sim.set_defaults(func=cmd_simulate)

    st = sub.add_parser("status", help="counts by campaign, local campaign, event, sync state")
    st.add_argument("--json", action="store_true", help="print JSON")
    st.set_defaults(func=cmd_status)

    keys = sub.add_parser("keys", help="the organization's encryption keys")
    keys.set_defaults(func=lambda a: _usage(keys))
    ksub = keys.add_subparsers(title="key commands", metavar="ACTION")
    k_init = ksub.add_parser(
        "init", help="make a key pair for a kiosk that never connects (passphrase from "
        "KIOSK_PASSPHRASE or a prompt)")
    k_init.set_defaults(func=cmd_keys_init)
    return p


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"kiosk: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("kiosk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
