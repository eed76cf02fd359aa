"""The domain stays pure: no Qt, no SQLAlchemy (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys


def test_domain_imports_neither_qt_nor_sqlalchemy() -> None:
    code = (
        "import sys, pkgutil, importlib, kiosk.domain as d\n"
        "for m in pkgutil.iter_modules(d.__path__): importlib.import_module('kiosk.domain.' + m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy', 'alembic')]\n"
        "print(','.join(bad)); sys.exit(1 if bad else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
