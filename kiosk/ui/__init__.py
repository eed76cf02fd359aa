"""The touch-screen front end: Python view-models under Qt Quick (QML) views.

``kiosk.app.run_app`` starts it (through ``kiosk.ui.main.run_ui``); ``build_ui`` wires it over an
opened ``Kiosk`` without running the event loop (tests, screenshots, benchmarks). View-models
hold state and receive the application layer's services (:mod:`kiosk.services`), never the store;
the QML files under ``qml/KioskUi`` only lay out and animate.

Importing this package applies :func:`kiosk.ui._compat.guard_none_refcount` first: the
PySide6 6.12 wheels drop a reference to ``None`` on every call of a method that returns
nothing when they run on CPython 3.11, which aborts the process after a few thousand calls.
"""

from kiosk.ui._compat import guard_none_refcount

guard_none_refcount()
