"""The web console for coordinators (``/console/``) and the public rally screen
(``/rally/<campaign>``), served by ``kiosk-server`` itself on the same port (issue #15).

:func:`install` mounts both on the server's FastAPI application. Sign-in, sessions, CSRF and
the first-run set-up code are in :mod:`.auth`; what the pages show in :mod:`.data`; exports as
background jobs in :mod:`.jobs`; the pages and the rally screen's event stream in :mod:`.web`.
"""

from __future__ import annotations

from kiosk.server.console.web import Console, install

__all__ = ["Console", "install"]
