"""The forwarding tests' receivers run on 127.0.0.1, which a server reaches only when its
operator allows it (``KIOSK_FORWARD_ALLOW_NETWORKS``, :mod:`kiosk.server.forwarding.netguard`):
every test here runs with loopback allowed, in its settings, its environment (the command line,
the forwarder processes) and :data:`tests.server.forwarding.support.LOCAL` (services and
forwarders built directly). The tests of the refusals build their own policies."""

from __future__ import annotations

import pytest

from kiosk.server.config import ServerSettings
from kiosk.server.forwarding.netguard import ENV_FORWARD_ALLOW_NETWORKS


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_FORWARD_ALLOW_NETWORKS, "127.0.0.0/8,::1")


@pytest.fixture
def settings(db_url: str) -> ServerSettings:
    """Server settings on the test database, loopback destinations allowed."""
    return ServerSettings(
        database_url=db_url,
        server_name="Test server",
        forward_allow_networks=("127.0.0.0/8", "::1/128"),
    )
