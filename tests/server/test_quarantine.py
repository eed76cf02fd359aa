"""Poison records (issue 11 item 1): sealed personal data of the wrong shape, pushed by an
enrolled device to a real ``kiosk-server serve`` process (SQLite and PostgreSQL).

The organization's public key is public, so anyone can seal anything. A record that cannot be
opened or validated is quarantined: counted apart in ``/stats``, listed by
``kiosk-server quarantine list``, never exported, never counted in ``/totals``; every other
record goes on being counted and exported, and nothing answers 5xx or logs a traceback.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.adapters.crypto import SealedBoxSealer
from kiosk.server.keys import ENV_KEY_PASSPHRASE
from kiosk.wire import CoordinatorStatsResponse
from tests.server.coord_support import (
    MINI,
    PASSPHRASE,
    OrgKey,
    make_key,
    mini_signature,
    person,
)
from tests.server.helpers import (
    create_pg_database,
    drop_pg_database,
    pg_admin_url,
    push_body,
)
from tests.server.live import LiveServer


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
    """One keyed server process per backend, the mini campaign imported."""
    url = create_pg_database(pg_admin_url(), "kiosk_quar_") if request.param == "postgres" else None
    try:
        with LiveServer(
            database_url=url,
            data_dir=tmp_path_factory.mktemp("live"),
            extra_args=("--org-private-key-file", str(key.path)),
            env={ENV_KEY_PASSPHRASE: PASSPHRASE},
        ) as server:
            server.import_campaigns(MINI)
            yield server
    finally:
        if url:
            drop_pg_database(pg_admin_url(), url)


@pytest.fixture(scope="module")
def device(live: LiveServer) -> dict[str, str]:
    """An enrolled device's headers."""
    _id, token = live.enroll("Stolen tablet")
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def coordinator(live: LiveServer) -> dict[str, str]:
    """A coordinator's headers."""
    out = live.cli("coordinators", "add", "--name", "Ana").stdout
    return {"Authorization": f"Bearer {next(w for w in out.split() if len(w) > 30)}"}


def _valid_dict(first: str = "Good", last: str = "Signer") -> dict[str, Any]:
    return json.loads(person(first, last).to_bytes())


def _seal(key: OrgKey, data: bytes) -> bytes:
    return SealedBoxSealer(key.public).seal(data)


def _push_sealed(live: LiveServer, headers: dict[str, str], key: OrgKey, blobs: list[bytes]) -> Any:
    sigs = [mini_signature(key, person("X", "Y"), "evansville", sealed=b) for b in blobs]
    r = httpx.post(live.url("/signatures"), content=push_body(sigs), headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    return sigs


def _stats(live: LiveServer, coordinator: dict[str, str]) -> CoordinatorStatsResponse:
    r = httpx.get(live.url("/stats"), headers=coordinator, timeout=60)
    assert r.status_code == 200, r.text
    return CoordinatorStatsResponse.model_validate_json(r.content)


def _csv_names(live: LiveServer, coordinator: dict[str, str]) -> list[str]:
    r = httpx.get(live.url("/exports/mini-test.csv"), headers=coordinator, timeout=120)
    assert r.status_code == 200, r.text
    return [
        f"{row['first_name']} {row['last_name']}" for row in csv.DictReader(io.StringIO(r.text))
    ]


def _assert_clean_log(live: LiveServer) -> None:
    log = live.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "internal error" not in log, live.log_tail()


def _poison(**change: Any) -> bytes:
    d = _valid_dict("Poison", "Record")
    d.update(change)
    return json.dumps(d).encode()


def test_poison_records_are_quarantined_and_the_rest_goes_on(
    live: LiveServer, device: dict[str, str], coordinator: dict[str, str], key: OrgKey
) -> None:
    before = _stats(live, coordinator)
    good = [
        mini_signature(key, person("Alma", "Reyes"), "evansville"),
        mini_signature(key, person("Bruno", "Diaz", "63105"), "st-louis-county"),
    ]
    deep = b'{"v":1,"first_name":' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    poison = [
        _seal(key, _poison(zip=55802)),
        _seal(key, _poison(first_name=12345)),
        _seal(key, deep),
        _seal(key, b"\xff\xfe not json"),
        secrets.token_bytes(200),  # sealed to no key at all
    ]
    r = httpx.post(live.url("/signatures"), content=push_body(good), headers=device)
    assert r.status_code == 200
    _push_sealed(live, device, key, poison)

    stats = _stats(live, coordinator)
    assert stats.quarantined - before.quarantined == 5
    assert stats.undecryptable == stats.quarantined
    assert stats.campaigns["mini-test"] - before.campaigns.get("mini-test", 0) == 2
    assert stats.unique_signers is not None
    r = httpx.get(live.url("/totals"), headers=device)
    assert (
        r.status_code == 200 and r.json()["campaigns"]["mini-test"] == stats.campaigns["mini-test"]
    )

    names = _csv_names(live, coordinator)
    assert "Alma Reyes" in names and "Bruno Diaz" in names
    assert not any("Poison" in n for n in names)
    r = httpx.get(live.url("/exports/mini-test.pdf"), headers=coordinator, timeout=120)
    assert r.status_code == 200, r.text
    assert int(r.headers["X-Export-Undecryptable"]) >= 5
    text = "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(r.content)).pages)
    assert "Alma Reyes" in text and "Poison" not in text

    out = live.cli(
        "export",
        "csv",
        "--campaign",
        "mini-test",
        "--out",
        str(live.data_dir / "all.csv"),
        "--org-private-key-file",
        str(key.path),
    )
    assert "Traceback" not in out.stderr and "could not be read" in out.stderr
    listed = json.loads(live.cli("quarantine", "list", "--json").stdout)
    assert len(listed) >= 5
    reasons = {q["reason"] for q in listed}
    assert "zip: must be text" in reasons
    assert "first_name: must be text" in reasons
    assert "nested deeper than 1 level" in reasons
    assert "no configured key opens it" in reasons
    assert all("Poison" not in json.dumps(q) for q in listed)
    human = live.cli("quarantine", "list").stdout
    assert "could not be read" in human
    _assert_clean_log(live)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_FIELDS = [
    "v",
    "first_name",
    "last_name",
    "zip",
    "ink",
    "email",
    "phone",
    "street",
    "city",
    "state",
    "comment",
    "opt_in",
    "consent_text",
    "extra",
]


@st.composite
def _hostile_blob(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["json", "field", "bytes", "ink"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "json":
        return json.dumps(draw(_json)).encode()
    d = _valid_dict("Fuzz", "Case")
    if kind == "ink":
        raw = base64.b64decode(d["ink"])
        cut = draw(st.integers(0, len(raw)))
        d["ink"] = base64.b64encode(raw[:cut] + draw(st.binary(max_size=20))).decode()
    else:
        d[draw(st.sampled_from(_FIELDS))] = draw(_json)
    return json.dumps(d).encode()


def test_arbitrary_sealed_contents_never_break_stats_or_exports(
    live: LiveServer, device: dict[str, str], coordinator: dict[str, str], key: OrgKey
) -> None:
    good_names: list[str] = []

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(blobs=st.lists(_hostile_blob(), min_size=1, max_size=4))
    def push_and_read(blobs: list[bytes]) -> None:
        first = "Good" + "abcdefghijklmnopqrstuvwxyz"[len(good_names) % 26] * (
            1 + len(good_names) // 26
        )
        good = mini_signature(key, person(first, "Signer"), "evansville")
        sealed = [_seal(key, b) for b in blobs]
        sigs = [good] + [mini_signature(key, person("X", "Y"), sealed=b) for b in sealed]
        r = httpx.post(live.url("/signatures"), content=push_body(sigs), headers=device, timeout=60)
        assert r.status_code == 200, r.text
        good_names.append(f"{first} Signer")
        _stats(live, coordinator)
        names = _csv_names(live, coordinator)
        assert set(good_names) <= set(names)
        assert not any(n.startswith("Fuzz") for n in names if n != "Fuzz Case")

    push_and_read()
    r = httpx.get(live.url("/exports/mini-test.pdf"), headers=coordinator, timeout=300)
    assert r.status_code == 200, r.text
    text = "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(r.content)).pages)
    assert all(n in text for n in good_names[:3])
    _assert_clean_log(live)
