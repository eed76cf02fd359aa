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
