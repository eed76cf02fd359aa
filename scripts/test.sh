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
# On every core, plus one worker (pytest-xdist; docs/testing.md): each worker is its own pytest
# session with its own PostgreSQL database, temp folders and free ports. Many tests wait (for a
# server to start, a lease to run out, a frame, a process to die): the extra worker uses the core
# a waiting test leaves idle. KIOSK_TEST_WORKERS=0 runs in one process; arguments after it (e.g.
# `-n 2`) win. Idle work is stolen, so one slow file does not stall.
# pytest exits 5 when it collects no test: that is a failure here, not a pass.
workers=${KIOSK_TEST_WORKERS:-$(($(nproc) + 1))}
exec .venv/bin/python -m pytest -n "$workers" --dist worksteal "$@"
