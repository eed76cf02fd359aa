"""Argument parsing shared by the two command lines (``kiosk`` and ``kiosk-server``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any


def parse_args_strictly(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> Any:
    """``parser.parse_args``, but an unknown option is reported with the usage of the command
    it was given to (``kiosk export pdf --campain X`` shows ``export pdf``'s usage, not the
    top-level list of commands that argparse shows)."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        chosen = parser
        for token in sys.argv[1:] if argv is None else argv:
            subs = [a for a in chosen._actions if isinstance(a, argparse._SubParsersAction)]
            if subs and token in subs[0].choices:
                chosen = subs[0].choices[token]
        chosen.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


#: The exit status of a command whose reader went away (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141


def reader_gone() -> int:
    """What a command does when whoever read its output stopped (``kiosk status | head``):
    nothing left to say, and nothing to undo (the work was done before it printed). Standard
    output is pointed at ``/dev/null`` so the interpreter's last flush at exit does not fail
    again with a second traceback (Python's documented recipe)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return EXIT_BROKEN_PIPE
