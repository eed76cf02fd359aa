"""Shared test set-up: headless Qt, and no test ever touches the user's real data directory."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
os.environ.pop("KIOSK_DATA_DIR", None)
# A Python warning fails the suite in every Python process it starts too (CLI, server, scripts):
# as filterwarnings=error does in this one, the child stops with the warning as its error.
os.environ["PYTHONWARNINGS"] = "error"
# Two known, harmless messages of Qt's own modules (as kiosk.ui.main.configure_qt sets them):
# any other Qt warning fails a test (qt_log_level_fail in pyproject.toml).
os.environ["QT_LOGGING_RULES"] = ";".join(
    filter(
        None,
        [
            "qt.multimedia.symbolsresolver.warning=false",
            "qt.qml.propertyCache.append.warning=false",
            os.environ.get("QT_LOGGING_RULES", ""),
        ],
    )
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The known-slow tests (marked ``slow``) run first, in collection order.

    With two workers (pytest-xdist, ``--dist worksteal``), a two-minute test that starts last
    keeps the run going while the other worker sits idle; started first, it overlaps the many
    short tests, which work stealing then spreads over both workers. The sort is stable and
    depends only on the collection, so every worker orders the same way (xdist refuses to run
    when the workers' collections differ). ``trylast``: after any other reordering.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


_QT_FAIL_LEVELS = {"CRITICAL": 2, "WARNING": 1, "INFO": 0, "DEBUG": 0}


def _qt_fail_level(item: pytest.Item) -> str:
    marker = item.get_closest_marker("qt_log_level_fail")
    return str(marker.args[0]) if marker else str(item.config.getini("qt_log_level_fail"))


def _qt_ignored(item: pytest.Item) -> list[re.Pattern[str]]:
    patterns = list(item.config.getini("qt_log_ignore"))
    marker = item.get_closest_marker("qt_log_ignore")
    if marker:
        patterns = (patterns if marker.kwargs.get("extend", True) else []) + list(marker.args)
    return [re.compile(p) for p in patterns]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A Qt warning while a test's fixtures close fails the test too.

    pytest-qt checks the Qt messages of set-up and call only (``qt_log_level_fail``): a
    warning when a window, a QML engine or a sync thread is torn down would pass unseen.
    """
    qtcore = sys.modules.get("PySide6.QtCore")
    level = _qt_fail_level(item)
    if qtcore is None or level == "NO" or item.get_closest_marker("no_qt_log"):
        return (yield)
    msg = qtcore.QtMsgType
    rank = {
        msg.QtDebugMsg: 0,
        msg.QtInfoMsg: 0,
        msg.QtWarningMsg: 1,
        msg.QtCriticalMsg: 2,
        msg.QtFatalMsg: 2,
    }
    threshold = _QT_FAIL_LEVELS.get(level, 1)
    ignored = _qt_ignored(item)
    caught: list[str] = []

    def handler(kind: Any, context: Any, message: str) -> None:
        sys.stderr.write(f"{kind.name}: {message}\n")
        if rank.get(kind, 2) >= threshold and not any(p.search(message) for p in ignored):
            caught.append(f"{kind.name}: {message}")

    previous = qtcore.qInstallMessageHandler(handler)
    try:
        result = yield
    finally:
        qtcore.qInstallMessageHandler(previous)
    if caught:
        pytest.fail("Qt messages while the test's fixtures closed:\n" + "\n".join(caught))
    return result
