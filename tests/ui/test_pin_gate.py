"""The staff PIN's lockout rules, without Qt."""

from __future__ import annotations

import pytest

from kiosk.adapters.crypto import Argon2idPinHasher
from kiosk.services.pin import PinGate, valid_new_pin
from kiosk.store.memory import MemoryStore
from kiosk.ui_state import SETTING_PIN_FAILURES, SETTING_PIN_HASH
from tests.ui.conftest import FakeClock

pytestmark = pytest.mark.gui

#: The kiosk's own PIN hasher (Argon2id), as the composition root hands it in.
PINS = Argon2idPinHasher()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def test_pins_are_4_to_12_digits() -> None:
    assert valid_new_pin("1234") and valid_new_pin("123456789012")
    for bad in ("123", "1234567890123", "12a4", "١٢٣٤", "12 34", ""):
        assert not valid_new_pin(bad), bad


def test_the_pin_is_stored_as_an_argon2id_hash(store: MemoryStore) -> None:
    gate = PinGate(store, PINS)
    assert not gate.has_pin()
    gate.set_pin("2468")
    stored = store.get_setting(SETTING_PIN_HASH)
    assert stored is not None and stored.startswith("$argon2id$") and "2468" not in stored
    assert gate.check("2468").ok
    with pytest.raises(ValueError):
        gate.set_pin("12")


def test_five_wrong_tries_lock_for_a_doubling_delay(store: MemoryStore) -> None:
    clock = FakeClock(1000.0)
    gate = PinGate(store, PINS, now=clock, max_tries=5, base_delay=30, max_delay=100)
    gate.set_pin("2468")
    results = [gate.check("0000") for _ in range(5)]
    assert [r.tries_left for r in results] == [4, 3, 2, 1, 0]
    assert results[-1].locked_for == 30
    assert not gate.check("2468").ok  # locked: even the right PIN is refused
    clock.advance(30)
    for _ in range(5):
        last = gate.check("0000")
    assert last.locked_for == 60
    clock.advance(60)
    for _ in range(5):
        last = gate.check("0000")
    assert last.locked_for == 100  # capped
    clock.advance(100)
    assert gate.check("2468").ok
    for _ in range(5):
        last = gate.check("0000")
    assert last.locked_for == 30  # a right PIN starts over


def test_a_restart_does_not_reset_the_count(store: MemoryStore) -> None:
    clock = FakeClock(1000.0)
    PinGate(store, PINS, now=clock).set_pin("2468")
    for _ in range(3):
        PinGate(store, PINS, now=clock).check("0000")
    assert store.get_setting(SETTING_PIN_FAILURES) == "3"
    gate = PinGate(store, PINS, now=clock)
    assert gate.tries_left() == 2
    gate.check("1111")
    assert gate.check("1111").locked_for == 30
    assert PinGate(store, PINS, now=clock).locked_for() == 30
