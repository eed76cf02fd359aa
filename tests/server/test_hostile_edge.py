"""Hostile requests refused at the edge, against a real ``kiosk-server serve`` process on SQLite
and PostgreSQL (issue 11 items 2, 5, 6, 15): a clear 4xx naming the record, never a 500, and
nothing else lost.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pytest

from kiosk.server.keys import ENV_KEY_PASSPHRASE
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
    event,
    pg_admin_url,
    push_body,
    signature,
    void,
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
def live_keyed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, key: OrgKey
) -> Iterator[LiveServer]:
    """One server process per backend for this module, holding the organization's private key,
    with the mini campaign imported."""
    url = None
    if request.param == "postgres":
        url = create_pg_database(pg_admin_url(), prefix="kiosk_edge_")
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


def _device(server: LiveServer) -> dict[str, str]:
    _id, token = server.enroll("Hostile")
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _coordinator(server: LiveServer) -> dict[str, str]:
    out = server.cli("coordinators", "add", "--name", "Ana").stdout
    token = next(w for w in out.split() if len(w) > 30)
    return {"Authorization": f"Bearer {token}"}


def _assert_no_traceback(server: LiveServer) -> None:
    log = server.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "internal error" not in log, server.log_tail()


# --- item 5: NaN / Infinity in an audit entry's detail -------------------------------------


def _audit_entry(seq: int, detail_json: str) -> str:
    return (
        '{"seq":%d,"at":"2026-11-01T15:00:00.000Z","kiosk_id":"kiosk-a","action":"export",'
        '"detail":%s,"prev_hash":"%s","hash":"%s"}' % (seq, detail_json, "0" * 64, "1" * 64)
    )


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", '{"x":[1,NaN]}'])
def test_nan_in_audit_detail_is_a_422_naming_the_entry(live_keyed: LiveServer, bad: str) -> None:
    headers = _device(live_keyed)
    good = _audit_entry(1, '{"ok":1}')
    body = '{"audit":[%s,%s]}' % (good, _audit_entry(2, '{"n":%s}' % bad))
    r = httpx.post(live_keyed.url("/signatures"), content=body, headers=headers)
    assert r.status_code == 422, r.text
    problems = r.json()["errors"]
    assert [p["loc"] for p in problems] == ["audit.1.detail"]
    assert "NaN and Infinity" in problems[0]["msg"]
    # the device sends the good entry again and it is stored
    r = httpx.post(live_keyed.url("/signatures"), content='{"audit":[%s]}' % good, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["audit"] == [{"seq": 1, "status": "created"}]
    _assert_no_traceback(live_keyed)


# --- item 6: since out of range -------------------------------------------------------------


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
@pytest.mark.parametrize("kind", ["csv", "pdf"])
@pytest.mark.parametrize("field", ["since", "until"])
def test_export_since_out_of_range_is_a_422(
    live_keyed: LiveServer, since: str, kind: str, field: str
) -> None:
    r = httpx.get(
        live_keyed.url(f"/exports/mini-test.{kind}"),
        params={field: since},
        headers=_coordinator(live_keyed),
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "validation_failed"
    # The field that is out of range is named (an ``until`` was called ``since``).
    assert r.json()["detail"].startswith(f"{field}: "), r.json()
    _assert_no_traceback(live_keyed)
    out = live_keyed.cli(
        "export",
        "csv",
        "--campaign",
        "mini-test",
        f"--{field}",
        since,
        "--out",
        str(live_keyed.data_dir / "x.csv"),
        check=False,
    )
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "out of range" in out.stderr


# --- item 15: C1 control characters ---------------------------------------------------------


@pytest.mark.parametrize(
    "char",
    # C1 and DEL; then a right-to-left override and a left-to-right isolate: a name with them
    # shows backwards, or can pass for another device's in the console (found 2026-12-05)
    ["\u0085", "\u009b", "\u0080", "\u007f", "\u202e", "\u2066"],
)
def test_c1_control_characters_in_text_fields_are_refused_per_record(
    live_keyed: LiveServer, char: str
) -> None:
    headers = _device(live_keyed)

    def with_field(body: str, where: str, value: str) -> str:
        data = json.loads(body)
        kind, index, name = where.split(".")
        data[kind][int(index)][name] = value
        return json.dumps(data)

    bodies = {
        "events.0.name": with_field(push_body(events=[event()]), "events.0.name", f"Rally{char}x"),
        "events.0.location": with_field(
            push_body(events=[event()]), "events.0.location", f"Hall{char}"
        ),
        "signatures.0.kiosk_id": with_field(
            push_body([signature()]), "signatures.0.kiosk_id", f"k{char}"
        ),
        "voids.0.reason": with_field(
            push_body(voids=[void(signature().id)]), "voids.0.reason", f"dup{char}"
        ),
    }
    for where, body in bodies.items():
        r = httpx.post(live_keyed.url("/signatures"), content=body, headers=headers)
        assert r.status_code == 422, (where, r.text)
        assert [p["loc"] for p in r.json()["errors"]] == [where]
        assert "control characters" in r.json()["errors"][0]["msg"]
    _assert_no_traceback(live_keyed)


def test_a_device_name_with_a_bidi_override_is_refused_and_a_mark_is_not() -> None:
    from pydantic import ValidationError

    from kiosk.wire import EnrollRequest

    with pytest.raises(ValidationError, match="bidirectional overrides"):
        EnrollRequest(code="ABC", name="Lobby \u202eLAVIRRA\u202c")
    assert EnrollRequest(code="ABC", name="Lobby \u200f\u05e9\u05dc\u05d5\u05dd").name


# --- item 2: CSV formula injection ------------------------------------------------------------


FORMULAS = {
    "first_name": "-Ana",
    "street": "-2+3 Main Street",
    "city": "@cmd",
    "comment": '=HYPERLINK("http://x","click")',
    "email": "=1+1@example.org",
    "consent_text": "@consent",
}


def test_server_csv_neutralises_every_formula_cell(live_keyed: LiveServer, key: OrgKey) -> None:
    headers = _device(live_keyed)
    who = person(
        FORMULAS["first_name"], "Lopez", **{k: v for k, v in FORMULAS.items() if k != "first_name"}
    )
    sigs = [mini_signature(key, who), mini_signature(key, person("Plain", "Signer"))]
    r = httpx.post(live_keyed.url("/signatures"), content=push_body(sigs), headers=headers)
    assert r.status_code == 200, r.text
    r = httpx.get(live_keyed.url("/exports/mini-test.csv"), headers=_coordinator(live_keyed))
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 2
    cells = [c for row in rows for c in row.values()]
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous and all(c.startswith("+") and c[1:].isdigit() for c in dangerous), dangerous
    evil = next(row for row in rows if row["last_name"] == "Lopez")
    for field, value in FORMULAS.items():
        assert evil[field] == "'" + value
    assert evil["phone"] == "+16125550134"  # a plain number stays usable
