"""Offline-first sync: the kiosk's outbox engine and its client for ``kiosk-server``.

- :mod:`kiosk.sync.client`: the HTTP client (URL policy, TLS, error codes, reply validation).
- :mod:`kiosk.sync.engine`: :class:`~kiosk.sync.engine.SyncEngine`, one pass at a time, no Qt.
- :mod:`kiosk.sync.qt`: :class:`~kiosk.sync.qt.SyncController`, what staff mode talks to.
- :mod:`kiosk.sync.state`: what sync persists in the store's settings.
- :mod:`kiosk.sync.campaigns`: campaign documents pulled from the server.
- :mod:`kiosk.sync.backoff`: exponential backoff with full jitter.
- :mod:`kiosk.sync.status`: the snapshot and error codes staff mode shows.

See docs/sync.md.
"""

import logging

# A library logger: silent unless the application configures logging.
logging.getLogger("kiosk.sync").addHandler(logging.NullHandler())
