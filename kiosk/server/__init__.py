"""The central server (``kiosk-server``): receives the signatures of every kiosk.

Layout:

- :mod:`kiosk.server.config`: settings (database URL, data directory, server name).
- :mod:`kiosk.server.db`: engines (SQLite pragmas, PostgreSQL) and the UTC date-time type.
- :mod:`kiosk.server.models`: the typed ORM tables.
- :mod:`kiosk.server.migrate`: Alembic migrations, run programmatically.
- :mod:`kiosk.server.devices`: enrollment codes, devices and bearer tokens.
- :mod:`kiosk.server.ingest`: storing a pushed batch (created / duplicate / conflict / unknown).
- :mod:`kiosk.server.campaigns`: importing and serving campaign documents.
- :mod:`kiosk.server.stats`: totals and statistics.
- :mod:`kiosk.server.keys`: the organization's key pair: generating, checking, opening data.
- :mod:`kiosk.server.coordinators`: coordinator accounts and their API tokens.
- :mod:`kiosk.server.exports`: CSV and PDF exports of every kiosk's signatures; unique signers.
- :mod:`kiosk.server.audit`: devices' pushed audit trails, stored and verified.
- :mod:`kiosk.server.forwarding`: forwarding signatures to the organization's CRM (OSDI /
  Action Network, signed webhooks): destinations, the outbox, the forwarder (docs/forwarding.md).
- :mod:`kiosk.server.ratelimit`: per-process token buckets (approximate by design).
- :mod:`kiosk.server.app`: the FastAPI application (``/api/v1``): ``create_app`` assembles it.
- :mod:`kiosk.server.routes`: the API's routers, one module per subject.
- :mod:`kiosk.server.deps`: what the routers share: state, authentication, checks.
- :mod:`kiosk.server.errors`: :class:`~kiosk.server.errors.ApiError` and the error answers.
- :mod:`kiosk.server.middleware`: request body limits, rate limits, the last-resort 500.
- :mod:`kiosk.server.cli`: the ``kiosk-server`` command.

The wire schema lives in :mod:`kiosk.wire`, shared with the kiosk's sync client. All state that
matters is in the database (rate-limit buckets are per process and approximate), so several
server processes can run behind a load balancer on one PostgreSQL.
"""

from __future__ import annotations

import logging

#: The server's logger. Never logs request bodies or personal data.
log = logging.getLogger("kiosk.server")
