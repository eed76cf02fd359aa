"""The HTTP API's routes, one router per subject; :func:`kiosk.server.app.create_app` mounts
them under ``/api/v1``.

- :mod:`.devices`: ``POST /enroll``.
- :mod:`.campaigns`: ``GET /campaigns``.
- :mod:`.signatures`: ``POST /signatures`` (the push).
- :mod:`.stats`: ``GET /totals`` (devices) and ``GET /stats`` (coordinators).
- :mod:`.exports`: ``GET /exports/{campaign}.csv`` and ``.pdf`` (coordinators).
- :mod:`.health`: ``GET /health``.

What they share (state, authentication, checks) is in :mod:`kiosk.server.deps`; errors are
:class:`kiosk.server.errors.ApiError`. A new router is a module here exposing ``router`` (made with
``prefix=API_PREFIX``, so its routes carry their whole path), added
in ``create_app``.
"""
