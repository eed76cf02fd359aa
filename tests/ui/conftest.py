"""GUI test set-up: offscreen Qt with the on-screen keyboard, one kiosk per test in a temp dir.

Qt's own warnings fail a test (``qt_log_level_fail``), except two known, harmless start-up
messages switched off by category below: the multimedia plugin looking for PipeWire, and a
property-cache note about a type inside Qt Virtual Keyboard.
"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_HARMLESS_CATEGORIES = (
    "qt.multimedia.symbolsresolver.warning=false",  # no PipeWire on a headless box
    "qt.qml.propertyCache.append.warning=false",  # PopupList inside Qt Virtual Keyboard
)
_rules = os.environ.get("QT_LOGGING_RULES", "")
os.environ["QT_LOGGING_RULES"] = ";".join(filter(None, [_rules, *_HARMLESS_CATEGORIES]))
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402

from kiosk.adapters.crypto import KeyFolder, hash_secret  # noqa: E402
from kiosk.app import Kiosk, open_kiosk  # noqa: E402
from kiosk.ui.automation import Driver  # noqa: E402
from kiosk.ui.i18n import ensure_qm  # noqa: E402
from kiosk.ui.main import UiHandle, build_ui, configure_qt  # noqa: E402
from kiosk.ui.shell_config import UiConfig  # noqa: E402
from kiosk.ui_state import SETTING_PIN_HASH  # noqa: E402

configure_qt()  # before pytest-qt makes the application object

PASSPHRASE = "test-passphrase"
PIN = "2468"
#: Fast timings; idle timeouts are driven by the fake clock, not by waiting.
FAST = UiConfig(
    idle_timeout_s=60,
    idle_countdown_s=10,
    staff_idle_timeout_s=120,
    thanks_s=3600,
    pin_base_delay_s=30,
    staff_hold_ms=150,
    sync_poll_ms=60_000,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is a GUI test, and an unexpected Qt warning fails it."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))


class FakeClock:
    """A clock the test moves by hand (seconds)."""

    def __init__(self, start: float) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.t += seconds


@pytest.fixture(scope="session")
def org_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An organization key pair made once (Argon2id is slow on purpose)."""
    folder = tmp_path_factory.mktemp("org") / "keys"
    KeyFolder(folder).init(PASSPHRASE)
    return folder


@pytest.fixture(scope="session")
def pin_hash() -> str:
    """The staff PIN's hash, made once."""
    return hash_secret(PIN)


@pytest.fixture(scope="session")
def qm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compiled translations, built once per test session."""
    out = tmp_path_factory.mktemp("qm")
    assert set(ensure_qm(out)) == {"en", "es"}
    return out


@pytest.fixture
def idle_clock() -> FakeClock:
    """Monotonic time for the idle timeout."""
    return FakeClock(10_000.0)


@pytest.fixture
def wall_clock() -> FakeClock:
    """Wall time for the PIN lockout."""
    return FakeClock(1_800_000_000.0)


@pytest.fixture
def make_kiosk(tmp_path: Path, org_keys: Path, pin_hash: str) -> Iterator[Callable[..., Kiosk]]:
    """Open the test's kiosk (the same data dir each call: a "restart")."""
    opened: list[Kiosk] = []

    def make(*, keys: bool = True, pin: bool = True) -> Kiosk:
        kiosk = open_kiosk(tmp_path / "data")
        if keys and not kiosk.keys.has_public_key():
            shutil.copytree(org_keys, kiosk.keys.path, dirs_exist_ok=True)
        if pin and not kiosk.store.get_setting(SETTING_PIN_HASH):
            kiosk.store.set_setting(SETTING_PIN_HASH, pin_hash)
        opened.append(kiosk)
        return kiosk

    yield make
    for kiosk in opened:
        kiosk.close()


@pytest.fixture
def make_ui(
    qapp: Any,
    make_kiosk: Callable[..., Kiosk],
    qm_dir: Path,
    idle_clock: FakeClock,
    wall_clock: FakeClock,
) -> Iterator[Callable[..., Driver]]:
    """Build the real UI over a kiosk; returns a driver. Closed after the test."""
    built: list[UiHandle] = []

    def make(kiosk: Kiosk | None = None, config: UiConfig = FAST, **kw: Any) -> Driver:
        ui = build_ui(
            kiosk or make_kiosk(),
            config=config,
            qm_dir=qm_dir,
            idle_clock=idle_clock,
            now=wall_clock,
            **kw,
        )
        built.append(ui)
        return Driver(ui)

    yield make
    for ui in reversed(built):
        ui.close()
    built.clear()
    gc.collect()  # view-models go now, not in the middle of the next test


@pytest.fixture
def d(make_ui: Callable[..., Driver]) -> Driver:
    """The UI of a set-up kiosk (key and PIN), on its attract screen."""
    driver = make_ui()
    driver.wait_shown("attract.signButton")
    return driver
