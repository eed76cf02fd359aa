"""Signatures the server refuses one by one (issue 11 items 11 and 15), against a real
``kiosk-server serve`` process on SQLite and PostgreSQL: an unknown campaign or local campaign, a
campaign the device is not enrolled for, an implausible ``created_at``. The rest of the batch is
stored; totals count only records the server can stand behind.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from kiosk.server.keys import ENV_KEY_PASSPHRASE
from kiosk.wire import PushResponse
from tests.server.coord_support import MINI, PASSPHRASE, OrgKey, make_key, mini_signature, person
from tests.server.helpers import create_pg_database, drop_pg_database, pg_admin_url, push_body
from tests.server.live import REPO_ROOT, LiveServer

SANCTUARY = REPO_ROOT / "resources" / "campaigns" / "sanctuary-of-safety.toml"


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> OrgKey:
    """The organization's (encrypted) key pair."""
    return make_key(tmp_path_factory.mktemp("key"))


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, key: OrgKey
) -> Iterator[LiveServer]:
    """One keyed server process per backend, with two campaigns imported."""
    url = (
        create_pg_database(pg_admin_url(), "kiosk_refuse_") if request.param == "postgres" else None
    )
    try:
        with LiveServer(
            database_url=url,
            data_dir=tmp_path_factory.mktemp("live"),
            extra_args=("--org-private-key-file", str(key.path)),
            env={ENV_KEY_PASSPHRASE: PASSPHRASE},
        ) as server:
            server.import_campaigns(MINI, SANCTUARY)
            yield server
    finally:
        if url:
            drop_pg_database(pg_admin_url(), url)


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _enroll(live: LiveServer, *campaigns: str) -> dict[str, str]:
    args = ["enroll-code", "--name", "Tablet"]
    for c in campaigns:
        args += ["--campaign", c]
    code = live.cli(*args).stdout.strip()
    r = httpx.post(live.url("/enroll"), json={"code": code})
    assert r.status_code == 200, r.text
    return _headers(r.json()["token"])


def _push(live: LiveServer, headers: dict[str, str], sigs: list) -> PushResponse:
    r = httpx.post(live.url("/signatures"), content=push_body(sigs), headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    return PushResponse.model_validate_json(r.content)


def _totals(live: LiveServer, headers: dict[str, str]) -> dict[str, int]:
    r = httpx.get(live.url("/totals"), headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["campaigns"]


def test_unknown_campaigns_and_impossible_times_are_refused_per_record(
    live: LiveServer, key: OrgKey
) -> None:
    device = _enroll(live)
    before = _totals(live, device)
    good = mini_signature(key, person("Ana", "Lopez"), "evansville")
    now = datetime.now(UTC)
    sigs = [
        good,
        mini_signature(key, person("B", "C"), campaign="no-such-campaign"),
        mini_signature(key, person("B", "C"), None, local_campaign="no-such-local"),
        mini_signature(key, person("B", "C"), created_at=datetime(1, 1, 1, tzinfo=UTC)),
        mini_signature(key, person("B", "C"), created_at=datetime(2019, 12, 31, tzinfo=UTC)),
        mini_signature(key, person("B", "C"), created_at=now + timedelta(days=3)),
    ]
    answer = _push(live, device, sigs)
    statuses = [(r.status, r.reason) for r in answer.signatures]
    assert statuses[0] == ("created", None)
    assert [s for s, _ in statuses[1:]] == ["rejected"] * 5
    assert "unknown campaign no-such-campaign" in (statuses[1][1] or "")
    assert "no local campaign no-such-local" in (statuses[2][1] or "")
    assert all("created_at" in (reason or "") for _, reason in statuses[3:])
    after = _totals(live, device)
    assert "no-such-campaign" not in after
    assert after["mini-test"] == before.get("mini-test", 0) + 1
    # pushed again: the same answers (nothing was stored), the good one a duplicate
    again = _push(live, device, sigs)
    assert [r.status for r in again.signatures] == ["duplicate"] + ["rejected"] * 5
    log = live.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "refused" in log


def test_undecryptable_blobs_never_raise_a_public_total(live: LiveServer, key: OrgKey) -> None:
    device = _enroll(live)
    before = _totals(live, device)
    junk = [
        mini_signature(key, person("X", "Y"), sealed=secrets.token_bytes(120)) for _ in range(1000)
    ]
    for start in range(0, len(junk), 500):
        answer = _push(live, device, junk[start : start + 500])
        assert {r.status for r in answer.signatures} == {"created"}
    real = mini_signature(key, person("Real", "Signer"), "evansville")
    _push(live, device, [real])
    assert _totals(live, device).get("mini-test", 0) == before.get("mini-test", 0) + 1


def test_a_device_pushes_only_to_the_campaigns_it_was_enrolled_for(
    live: LiveServer, key: OrgKey
) -> None:
    device = _enroll(live, "sanctuary-of-safety")
    answer = _push(live, device, [mini_signature(key, person("Ana", "Lopez"))])
    assert answer.signatures[0].status == "rejected"
    assert "not enrolled for campaign mini-test" in (answer.signatures[0].reason or "")
    everywhere = _enroll(live)  # no --campaign: every campaign the server knows
    assert (
        _push(live, everywhere, [mini_signature(key, person("Ana", "Lopez"))]).signatures[0].status
        == "created"
    )


def test_an_enrollment_code_for_a_campaign_the_server_lacks_is_refused(live: LiveServer) -> None:
    """A typo in --campaign would give a kiosk whose every signature is refused: no code."""
    out = live.cli(
        "enroll-code",
        "--name",
        "Tablet",
        "--campaign",
        "mini-test",
        "--campaign",
        "nope",
        check=False,
    )
    assert out.returncode == 1 and not out.stdout
    assert "no campaign nope on this server: import it first" in out.stderr
    assert "Traceback" not in out.stderr
    assert _enroll(live, "mini-test", "sanctuary-of-safety")  # known ones still make a code
