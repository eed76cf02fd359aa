"""Forwarding cannot be turned into a probe of internal addresses (server-side request forgery).

An admin (or whoever holds an admin account) types a destination's URL; the forwarder POSTs to
it and reports how it failed. These tests point destinations at the metadata address, the
server's own port, private ranges, names that resolve to loopback, and a receiver that redirects
elsewhere, with real receivers on 127.0.0.1 and the real resolver."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from kiosk.server.cli import main
from kiosk.server.config import ServerSettings
from kiosk.server.forwarding import destinations as dst
from kiosk.server.forwarding import netguard
from kiosk.server.forwarding.models import ATTEMPTS, DESTINATIONS
from kiosk.server.forwarding.netguard import ENV_FORWARD_ALLOW_NETWORKS, NetworkPolicy
from kiosk.server.forwarding.secrets import ForwardingSecret
from kiosk.server.forwarding.service import ForwardingService
from tests.server.forwarding import support as s
from tests.server.forwarding.fakes import ScriptedCrm, running
from tests.server.helpers import ApiClient

NEVER = (
    "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://169.254.169.254/computeMetadata/v1/",
    "https://[::ffff:169.254.169.254]/",
    "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://[fe80::1]/",
    "https://0.0.0.0:8765/api/v1/",
    "https://224.0.0.1/",
)
INTERNAL = (
    "http://127.0.0.1:8765/api/v1/enroll",  # the server's own port
    "http://localhost:5432/",
    "https://localhost./",
    "https://0177.0.0.1/",  # octal, as inet_aton reads it
    "http://[::1]:8765/",
    "https://10.1.2.3/hooks",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",
    "https://[fd12:3456::1]/",
    "https://[::ffff:10.0.0.1]/",
)


def _service(engine: Engine, tmp_path: Path, network: NetworkPolicy) -> ForwardingService:
    return ForwardingService(
        engine,
        lambda create: ForwardingSecret.load(tmp_path / "forwarding.secret", create),
        network=network,
    )


def _spec(name: str, url: str) -> dst.DestinationSpec:
    return dst.DestinationSpec(name, "webhook", s.CAMPAIGN, url, allow_http=True)


def test_link_local_and_metadata_addresses_are_refused_whatever_the_operator_allows(
    engine: Engine, tmp_path: Path
) -> None:
    generous = NetworkPolicy.allowing("127.0.0.0/8", "10.0.0.0/8", "0.0.0.0/1", "fc00::/7")
    service = _service(engine, tmp_path, generous)
    for i, url in enumerate(NEVER):
        with pytest.raises(dst.DestinationError) as err:
            service.add(_spec(f"n{i}", url), "test")
        assert err.value.code == "address_never", url
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(DESTINATIONS)).scalar_one() == 0
    assert not (tmp_path / "forwarding.secret").exists()  # refused before anything was made
    for entry in ("169.254.0.0/16", "169.254.169.254", "fe80::/64", "224.0.0.0/8", "nonsense"):
        with pytest.raises(ValueError, match=ENV_FORWARD_ALLOW_NETWORKS):
            netguard.parse_allowed(entry)
        with pytest.raises(ValueError, match=ENV_FORWARD_ALLOW_NETWORKS):
            ServerSettings.resolve(database_url="sqlite://", environ={
                ENV_FORWARD_ALLOW_NETWORKS: f"127.0.0.1, {entry}"
            })  # fmt: skip


def test_internal_addresses_need_the_operators_allowance(engine: Engine, tmp_path: Path) -> None:
    strict = _service(engine, tmp_path, NetworkPolicy())
    for i, url in enumerate(INTERNAL):
        with pytest.raises(dst.DestinationError) as err:
            strict.add(_spec(f"i{i}", url), "test")
        assert err.value.code == "address_internal", url
        assert ENV_FORWARD_ALLOW_NETWORKS in str(err.value)
    # A name's refusal does not say what it resolved to (no DNS oracle for internal names).
    with pytest.raises(dst.DestinationError) as err:
        strict.add(_spec("named", "http://localhost:9000/hook"), "test")
    assert err.value.values == {"where": "localhost"} and "127.0.0.1" not in str(err.value)
    loopback = _service(engine, tmp_path, NetworkPolicy.allowing("127.0.0.1", "::1"))
    loopback.add(_spec("local-crm", "http://127.0.0.1:9000/hook"), "test")
    loopback.add(_spec("local-name", "http://localhost:9000/hook"), "test")
    with pytest.raises(dst.DestinationError) as err:
        loopback.add(_spec("lan", "https://10.1.2.3/hooks"), "test")
    assert err.value.code == "address_internal"
    # A public address needs nothing.
    assert NetworkPolicy().verdict(ipaddress.ip_address("93.184.215.14")) is None
    assert [d.name for d in strict.list()] == ["local-crm", "local-name"]


def test_the_command_line_names_the_setting_and_takes_it_from_the_environment(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KIOSK_FORWARD_SECRET_FILE", str(tmp_path / "fwd.secret"))
    args = ["--database-url", db_url, "forward", "add", "crm", "--kind", "webhook"]
    args += ["--campaign", s.CAMPAIGN, "--url"]
    monkeypatch.setenv(ENV_FORWARD_ALLOW_NETWORKS, "none")  # no internal address at all
    assert main([*args, "http://127.0.0.1:8765/api/v1/enroll"]) != 0
    assert ENV_FORWARD_ALLOW_NETWORKS in capsys.readouterr().err
    monkeypatch.setenv(ENV_FORWARD_ALLOW_NETWORKS, "10.20.0.0/16")  # listed: only those
    assert main([*args, "http://127.0.0.1:8765/api/v1/enroll"]) != 0
    capsys.readouterr()
    assert main([*args, "https://169.254.169.254/"]) != 0
    assert "never" in capsys.readouterr().err
    monkeypatch.setenv(ENV_FORWARD_ALLOW_NETWORKS, "127.0.0.1")
    assert main([*args, "http://127.0.0.1:9000/hook"]) == 0
    # Unset: this machine is allowed (a receiver on the same machine, as before the rules), a
    # private network is not.
    monkeypatch.delenv(ENV_FORWARD_ALLOW_NETWORKS)
    args[4] = "crm-local"
    assert main([*args, "http://localhost:9001/hook"]) == 0
    args[4] = "crm-lan"
    assert main([*args, "http://192.168.1.20/hook", "--allow-http"]) != 0
    assert ENV_FORWARD_ALLOW_NETWORKS in capsys.readouterr().err


def test_each_connection_checks_what_the_name_resolves_to_then(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    """Added while loopback was allowed (as a name that resolved to a public address when it
    was added would be), then forwarded by a forwarder that does not allow it: nothing reaches
    the receiver, and the attempt says why."""
    version = s.text_version(engine)
    api.push([s.wire_signature(s.personal(i, True), version) for i in range(2)])
    with running(ScriptedCrm()) as crm:
        _service(engine, tmp_path, s.LOCAL).add(_spec("crm", crm.url("localhost")), "test")
        fwd = s.forwarder(engine, tmp_path, network=NetworkPolicy())
        fwd.run_once()
        fwd.close()
        assert crm.requests == []
        with engine.connect() as conn:
            reasons = set(conn.execute(select(ATTEMPTS.c.reason)).scalars())
        assert reasons <= {None, "connection failed: AddressRefused"}
        assert "connection failed: AddressRefused" in reasons
        # The operator allows it: the next passes deliver both (after the quick backoff).
        fwd = s.forwarder(engine, tmp_path)
        s.drain(fwd)
        fwd.close()
    assert len(crm.requests) == 2


def test_a_redirect_to_another_host_is_not_followed(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    version = s.text_version(engine)
    api.push([s.wire_signature(s.personal(1, True), version)])
    with running(ScriptedCrm()) as elsewhere, running(ScriptedCrm()) as crm:
        crm.answer = f"redirect:{elsewhere.url('localhost')}"
        _service(engine, tmp_path, s.LOCAL).add(_spec("crm", crm.url()), "test")
        fwd = s.forwarder(engine, tmp_path)
        fwd.run_once()
        fwd.close()
        assert len(crm.requests) == 1 and elsewhere.requests == []
    with engine.connect() as conn:
        row = conn.execute(
            select(ATTEMPTS.c.result, ATTEMPTS.c.status).where(ATTEMPTS.c.result != "sending")
        ).one()
    assert (row.result, row.status) == ("retry", 307)
