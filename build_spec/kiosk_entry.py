"""The bundle's entry point: the ``kiosk`` command, exactly as ``pip install`` makes it.

PyInstaller needs a script file; this one only hands over to :func:`kiosk.cli.main`, so the
bundled ``kiosk`` takes the same arguments (``--self-check``, ``--version``, ``status``...).
"""

from __future__ import annotations

import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main())
