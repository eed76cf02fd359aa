"""What every ``kiosk-server`` command group shares: the error a user can fix, the database
engine at the current schema, and the organization's key files from the command line.

Kept apart from :mod:`kiosk.server.cli` so that a command group living in its own package
(``kiosk-server forward``, :mod:`kiosk.server.forwarding.cli`) uses them without importing the
command line that imports it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


class CliError(Exception):
    """A command failed for a reason the user can fix; the message says what."""


def key_files(args: argparse.Namespace) -> list[str]:
    """The organization's private key files given with ``--org-private-key-file`` (each value may
    hold several, separated as :func:`kiosk.server.keys.split_paths` reads them)."""
    from kiosk.server.keys import split_paths

    return [p for value in (args.org_private_key_file or []) for p in split_paths(value)]


def engine(args: argparse.Namespace) -> Any:
    """The settings and an engine on ``--database-url`` / ``--data-dir`` (no schema check)."""
    from kiosk.server.config import ServerSettings
    from kiosk.server.db import create_db_engine

    settings = ServerSettings.resolve(database_url=args.database_url, data_dir=args.data_dir)
    return settings, create_db_engine(settings.database_url)


def ready_engine(args: argparse.Namespace) -> Any:
    """An engine on a database at the current schema (an empty database is created).

    Raises:
        CliError: the database is at another revision (``kiosk-server migrate`` first).
    """
    from kiosk.server import migrate

    _settings, eng = engine(args)
    current, head = migrate.current_revision(eng), migrate.head_revision()
    if current is None:
        print("kiosk-server: new database, creating the tables", file=sys.stderr)
        migrate.upgrade(eng)
    elif current != head:
        eng.dispose()
        raise CliError(
            f"the database is at schema revision {current}, this kiosk-server needs {head}: "
            "run `kiosk-server migrate` first"
        )
    return eng
