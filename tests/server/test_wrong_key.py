"""A server given the wrong private key file (the public key file beside it, a key of another
organization) refuses to start instead of quarantining every signature it reads; one that an
older version let do so brings them back when started with the right key; a second ``serve``
on a busy port stops before it touches the database (the running server's console set-up code
kept)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from kiosk.adapters.crypto import SealedBoxOpener, generate_keypair
from kiosk.server import tallies
from kiosk.server.app import create_app
from kiosk.server.cli import main as server_main
from kiosk.server.config import ServerSettings
from kiosk.server.console.auth import SETUP
from kiosk.server.keys import ENV_KEY_PASSPHRASE, KeyRing
from tests.server.conftest import make_code
from tests.server.coord_support import (
    PASSPHRASE,
    OrgKey,
    import_mini,
    make_key,
    mini_signature,
    person,
)
from tests.server.helpers import ApiClient, InProcessServer

SIGNERS = [("Ana", "Uno"), ("Bea", "Dos"), ("Cris", "Tres"), ("Dani", "Cuatro"), ("Eli", "Cinco")]


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrgKey:
    monkeypatch.setenv(ENV_KEY_PASSPHRASE, PASSPHRASE)
    return make_key(tmp_path)


@pytest.fixture
def public_file(tmp_path: Path, key: OrgKey) -> Path:
    """The public key file as `kiosk keys init` writes it beside the private one (base64)."""
    path = tmp_path / "org-public.key"
    path.write_text(key.public_b64 + "\n")
    return path


def _push(engine: Engine, db_url: str, key: OrgKey, with_key: bool) -> None:
    import_mini(engine)
    settings = ServerSettings(
        database_url=db_url, org_private_key_files=(str(key.path),) if with_key else ()
    )
    with (
        InProcessServer(create_app(settings, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=60) as c,
    ):
        kiosk = ApiClient.enroll(c, make_code(engine, "Kiosk A"))
        kiosk.push([mini_signature(key, person(f, last), "evansville") for f, last in SIGNERS])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return tallies.read_counts(conn)


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def test_serve_refuses_key_files_that_open_none_of_the_signatures_it_read(
    engine: Engine,
    db_url: str,
    key: OrgKey,
    public_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _push(engine, db_url, key, with_key=True)  # read at once: ok
    before = _counts(engine)
    assert before["campaign:mini-test"] == 5 and "quarantined" not in before
    serve = ["--database-url", db_url, "serve", "--port", str(_free_port())]
    assert server_main([*serve, "--org-private-key-file", str(public_file)]) == 1
    err = capsys.readouterr().err
    assert "open none of the 5 signatures this server opened before" in err
    assert "org-public.key" in err and "Traceback" not in err
    assert "set-up code" not in err  # stopped before the console's code was made
    assert _counts(engine) == before

    # A public key given with a private key file that is not its pair: refused too.
    other_public = KeyRing([SealedBoxOpener(generate_keypair()[1])]).public_keys[0]
    import base64

    mismatched = ["--org-public-key", base64.b64encode(other_public).decode()]
    assert server_main([*serve, *mismatched, "--org-private-key-file", str(key.path)]) == 1
    assert "are not the pair of the organization's public key" in capsys.readouterr().err
    assert _counts(engine) == before


def test_the_right_key_brings_back_what_a_wrong_one_quarantined(
    engine: Engine, db_url: str, key: OrgKey
) -> None:
    """What an older version did with the public key file as its private key (every signature
    it read quarantined, kept so after a restart with the right key) is undone by the right
    key: the keys changed, so what no key opened is read again."""
    _push(engine, db_url, key, with_key=True)
    before = _counts(engine)
    wrong = KeyRing([SealedBoxOpener(key.public)])
    tallies.catch_up(engine, wrong)
    damaged = _counts(engine)
    assert damaged["quarantined"] == 5 and "campaign:mini-test" not in damaged
    tallies.catch_up(engine, KeyRing([SealedBoxOpener(key.private)]))
    assert _counts(engine) == before
    with engine.connect() as conn:
        states = set(conn.execute(select(tallies.FACTS.c.state)).scalars())
    assert states == {tallies.OK}
    # Started again with the same keys: nothing is read again.
    with engine.begin() as conn:
        assert tallies.prepare_keys(conn, KeyRing([SealedBoxOpener(key.private)])) == 0


def test_export_with_a_key_that_opens_nothing_writes_nothing(
    engine: Engine,
    db_url: str,
    key: OrgKey,
    public_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _push(engine, db_url, key, with_key=False)  # no key yet: nothing read, nothing to compare
    out = tmp_path / "out.csv"
    args = ["--database-url", db_url, "export", "csv", "--campaign", "mini-test", "--out"]
    assert server_main([*args, str(out), "--org-private-key-file", str(public_file)]) == 1
    assert "none of the 5 matching signatures opens" in capsys.readouterr().err
    assert not out.exists()
    assert server_main([*args, str(out), "--org-private-key-file", str(key.path)]) == 0
    assert out.read_text(encoding="utf-8").count("Uno") == 1


def test_a_second_serve_on_a_busy_port_stops_before_touching_the_database(
    engine: Engine, db_url: str, listening: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert server_main(["--database-url", db_url, "migrate"]) == 0
    code = server_main(["--database-url", db_url, "serve", "--port", str(listening)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"port {listening} on 127.0.0.1 is in use" in err
    assert "set-up code" not in err and "console:" not in err
    with engine.connect() as conn:
        assert conn.execute(select(SETUP.c.code_hash)).first() is None  # no code made
