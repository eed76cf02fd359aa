"""Every bad request gets a clear 4xx JSON error, never a 500: strict fields, limits, bad JSON."""

from __future__ import annotations

import base64
import json
import select as io_select
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.models import Signature
from kiosk.wire import (
    API_PREFIX,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SIGNATURES,
    MAX_BATCH_VOIDS,
    MAX_BODY_BYTES,
    MAX_SEALED_BYTES,
    ErrorBody,
)
from tests.server.conftest import make_code
from tests.server.helpers import ApiClient, InProcessServer, event, push_body, signature, void


def _valid_push() -> dict[str, Any]:
    sig = signature()
    return {
        "signatures": [json.loads(sig.model_dump_json())],
        "voids": [json.loads(void(sig.id).model_dump_json())],
        "events": [json.loads(event().model_dump_json())],
    }


def _error(r: httpx.Response, status: int, code: str) -> ErrorBody:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = ErrorBody.model_validate_json(r.content)
    assert body.error == code
    assert body.detail
    return body


def test_valid_push_accepted(api: ApiClient) -> None:
    r = api.post_raw(json.dumps(_valid_push()))
    assert r.status_code == 200, r.text


def _set(path: str, value: Any) -> dict[str, Any]:
    body = _valid_push()
    target: Any = body
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    target[keys[-1]] = value
    return body


FIELD_CASES = [
    ("extra", 1, "extra", "extra_forbidden"),
    ("signatures.0.extra", 1, "signatures.0.extra", "extra_forbidden"),
    ("voids.0.extra", 1, "voids.0.extra", "extra_forbidden"),
    ("signatures.0.utc_offset_minutes", False, "signatures.0.utc_offset_minutes", "int_type"),
    ("signatures.0.utc_offset_minutes", 1.5, "signatures.0.utc_offset_minutes", "int_type"),
    (
        "signatures.0.utc_offset_minutes",
        100000,
        "signatures.0.utc_offset_minutes",
        "less_than_equal",
    ),
    ("signatures.0.synthetic", "true", "signatures.0.synthetic", "bool_type"),
    ("signatures.0.synthetic", 1, "signatures.0.synthetic", "bool_type"),
    ("signatures.0.id", 5, "signatures.0.id", "value_error"),
    ("signatures.0.created_at", 0, "signatures.0.created_at", "value_error"),
    ("signatures.0.created_at", "2026-01-01T00:00:00", "signatures.0.created_at", "timezone_aware"),
    ("signatures.0.campaign", "UPPER", "signatures.0.campaign", "string_pattern_mismatch"),
    ("signatures.0.lang", "de", "signatures.0.lang", "literal_error"),
    ("signatures.0.kiosk_id", "nul\u0000byte", "signatures.0.kiosk_id", "value_error"),
    ("signatures.0.kiosk_id", "\ud800", "signatures.0.kiosk_id", "string_unicode"),
    ("signatures.0.sealed", "@@@", "signatures.0.sealed", "value_error"),
    (
        "signatures.0.sealed",
        base64.b64encode(b"\x00" * (MAX_SEALED_BYTES + 1)).decode(),
        "signatures.0.sealed",
        "value_error",
    ),
    ("voids.0.reason", "x" * 201, "voids.0.reason", "string_too_long"),
    ("voids.0.voided_at", True, "voids.0.voided_at", "value_error"),
    ("events.0.name", None, "events.0.name", "string_type"),
    ("signatures", {}, "signatures", "list_type"),
    ("signatures", [1], "signatures.0", "model_attributes_type"),
]


@pytest.mark.parametrize(
    ("path", "value", "loc", "kind"),
    FIELD_CASES,
    ids=[f"{c[0]}={c[1]!r}"[:40] for c in FIELD_CASES],
)
def test_bad_field_is_422(
    api: ApiClient, engine: Engine, path: str, value: Any, loc: str, kind: str
) -> None:
    body = _error(api.post_raw(json.dumps(_set(path, value))), 422, "validation_failed")
    assert body.errors is not None
    assert (loc, kind) in [(e.loc, e.type) for e in body.errors], body.errors
    assert loc in body.detail
    with engine.connect() as conn:  # nothing of a refused batch is stored
        assert conn.execute(select(func.count()).select_from(Signature)).scalar_one() == 0


@pytest.mark.parametrize(
    ("key", "count"),
    [
        ("signatures", MAX_BATCH_SIGNATURES + 1),
        ("voids", MAX_BATCH_VOIDS + 1),
        ("events", MAX_BATCH_EVENTS + 1),
    ],
)
def test_oversized_batch_is_422(api: ApiClient, key: str, count: int) -> None:
    item = _valid_push()[key][0]
    body = _error(api.post_raw(json.dumps({key: [item] * count})), 422, "validation_failed")
    assert body.errors and body.errors[0].loc == key and body.errors[0].type == "too_long"


#: Bodies that are not JSON at all, by name.
MALFORMED = {
    "open-brace": b"{",
    "truncated": b'{"signatures": [',
    "single-quotes": b"{'single': 'quotes'}",
    "trailing-comma": b'{"a": 1,}',
    "not-utf8": b"\xff\xfe\x00",
    "deep-nesting": b"[" * 100_000,
    "huge-integer": b'{"signatures": [' + b"1" * 10_000 + b"]}",
}
#: Bodies that are JSON but no object.
NOT_OBJECTS = ["[]", '"text"', "null", "42", "true"]


@pytest.mark.parametrize("payload", NOT_OBJECTS)
def test_non_object_body_is_422(api: ApiClient, payload: str) -> None:
    _error(api.post_raw(payload), 422, "validation_failed")


@pytest.mark.parametrize("payload", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_json_is_400(api: ApiClient, payload: bytes) -> None:
    body = _error(api.post_raw(payload), 400, "malformed_json")
    assert "not valid JSON" in body.detail


def test_truncated_json_names_the_problem(api: ApiClient) -> None:
    body = _error(api.post_raw(b'{"signatures": ['), 400, "malformed_json")
    assert "not valid JSON" in body.detail


def test_empty_body_is_4xx(api: ApiClient) -> None:
    r = api.post_raw(b"")
    assert 400 <= r.status_code < 500
    ErrorBody.model_validate_json(r.content)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_non_json_content_type_is_415(api: ApiClient, content_type: str | None) -> None:
    headers = {"Authorization": f"Bearer {api.token}"}
    if content_type:
        headers["Content-Type"] = content_type
    r = api.http.post(
        f"{API_PREFIX}/signatures", content=json.dumps(_valid_push()), headers=headers
    )
    _error(r, 415, "unsupported_media_type")


def test_json_with_charset_accepted(api: ApiClient) -> None:
    headers = dict(api.headers, **{"Content-Type": "application/json; charset=utf-8"})
    r = api.http.post(
        f"{API_PREFIX}/signatures", content=json.dumps(_valid_push()), headers=headers
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "payload",
    [
        {"code": 1234},
        {"code": ""},
        {},
        {"code": "ABCD", "extra": True},
        {"code": "ABCD", "name": 5},
        {"code": "x" * 65},
    ],
)
def test_bad_enroll_body_is_422(client: httpx.Client, payload: dict[str, Any]) -> None:
    _error(client.post(f"{API_PREFIX}/enroll", json=payload), 422, "validation_failed")


def test_unknown_path_and_method_are_json(client: httpx.Client) -> None:
    _error(client.get(f"{API_PREFIX}/nope"), 404, "not_found")
    _error(client.delete(f"{API_PREFIX}/health"), 405, "method_not_allowed")


# --- body size ---------------------------------------------------------------------------------


def _raw_request(port: int, head: bytes, body_parts: Iterator[bytes]) -> tuple[int, bytes]:
    """Send a request over a raw socket; stop sending as soon as the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        for part in body_parts:
            readable, _, _ = io_select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(part)
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                break
        else:
            io_select.select([sock], [], [], 10)  # everything sent: wait for the answer
        received = b""
        try:
            while b"\r\n\r\n" not in received or _missing_body(received):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except ConnectionResetError:
            pass
    assert received, "no answer from the server"
    status = int(received.split(b" ", 2)[1])
    return status, received.split(b"\r\n\r\n", 1)[1]


def _missing_body(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) < int(line.split(b":")[1])
    return False


def _head(api: ApiClient, extra: str) -> bytes:
    return (
        f"POST {API_PREFIX}/signatures HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {api.token}\r\nContent-Type: application/json\r\n{extra}\r\n"
    ).encode()


def test_declared_oversized_body_is_413_before_reading(
    server: InProcessServer, api: ApiClient
) -> None:
    head = _head(api, f"Content-Length: {MAX_BODY_BYTES + 1}\r\n")
    status, body = _raw_request(server.port, head, iter([b"{"]))  # the body never comes
    assert status == 413
    assert json.loads(body)["error"] == "body_too_large"


def test_chunked_oversized_body_is_413(server: InProcessServer, api: ApiClient) -> None:
    chunk = b"x" * 65536
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    parts = iter([framed] * (MAX_BODY_BYTES // len(chunk) + 50))
    status, body = _raw_request(server.port, _head(api, "Transfer-Encoding: chunked\r\n"), parts)
    assert status == 413
    assert json.loads(body)["error"] == "body_too_large"


def test_chunked_body_within_limit_accepted(api: ApiClient) -> None:
    data = json.dumps(_valid_push()).encode()

    def stream() -> Iterator[bytes]:
        for i in range(0, len(data), 100):
            yield data[i : i + 100]

    r = api.http.post(f"{API_PREFIX}/signatures", content=stream(), headers=api.headers)
    assert r.status_code == 200, r.text


def test_small_limit_with_httpx(db_url: str, engine: Engine) -> None:
    settings_ = ServerSettings(database_url=db_url, max_body_bytes=2000)
    with (
        InProcessServer(create_app(settings_, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=20) as c,
    ):
        api = ApiClient.enroll(c, make_code(engine))
        _error(
            api.post_raw(json.dumps({"signatures": [], "pad": "x" * 3000})), 413, "body_too_large"
        )

        def stream() -> Iterator[bytes]:
            yield b'{"signatures": [], "pad": "'
            yield b"x" * 3000
            yield b'"}'

        r = c.post(f"{API_PREFIX}/signatures", content=stream(), headers=api.headers)
        _error(r, 413, "body_too_large")


def test_largest_blobs_just_under_body_limit(api: ApiClient) -> None:
    blob = b"\x07" * MAX_SEALED_BYTES
    sigs = [signature(sealed=blob) for _ in range(90)]
    text = push_body(sigs)
    assert MAX_BODY_BYTES * 0.9 < len(text) < MAX_BODY_BYTES
    r = api.post_raw(text)
    assert r.status_code == 200, r.text
    assert {s["status"] for s in r.json()["signatures"]} == {"created"}


# --- fuzzing -----------------------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
_FIELDS = list(json.loads(signature().model_dump_json()))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(field=st.sampled_from([*_FIELDS, "unexpected"]), value=_json_values)
def test_fuzzed_signature_never_500(api: ApiClient, field: str, value: Any) -> None:
    body = _valid_push()
    body["signatures"][0][field] = value
    r = api.post_raw(json.dumps(body))
    assert r.status_code in (200, 422), r.text
