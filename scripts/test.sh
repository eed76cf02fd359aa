#!/usr/bin/env bash
# Installs Petition Kiosk with its test tools, makes sure PostgreSQL runs on 127.0.0.1:5432
# with a test role, makes sure CUPS runs with the test PDF printers (scripts/cups.sh), and runs
# ruff (lint and format) and mypy, then the whole test suite headless. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
scripts/postgres.sh
scripts/cups.sh
export KIOSK_TEST_POSTGRES_URL=${KIOSK_TEST_POSTGRES_URL:-postgresql+psycopg://kiosk_test:kiosk_test@127.0.0.1:5432/postgres}
export QT_QPA_PLATFORM=offscreen
# Lint and format checks first: a finding fails the run before the (long) suite starts.
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Types: strict on the domain, the wire schema, the server and kiosk/services ([tool.mypy]).
.venv/bin/mypy
# On every core (pytest-xdist; docs/testing.md): each worker is its own pytest session with its
# own PostgreSQL database, temp folders and free ports. KIOSK_TEST_WORKERS=0 runs in one process;
# arguments after it (e.g. `-n 3`) win. Idle work is stolen, so one slow file does not stall.
# pytest exits 5 when it collects no test: that is a failure here, not a pass.
exec .venv/bin/python -m pytest -n "${KIOSK_TEST_WORKERS:-auto}" --dist worksteal "$@"
