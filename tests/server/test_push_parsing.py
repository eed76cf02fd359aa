"""``POST /signatures`` reads its body itself (``parse_push``, issue #13): with pydantic's JSON
parser, and again FastAPI's way for a body it refuses. Every body, good or bad, is answered
exactly as a route that declares a ``PushRequest`` body (FastAPI's own parsing) answers it."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI

from kiosk.server.errors import install_error_handlers
from kiosk.server.routes.signatures import _raw_body, parse_push
from kiosk.wire import PushRequest
from tests.server.helpers import InProcessServer
from tests.server.test_validation import FIELD_CASES, MALFORMED, NOT_OBJECTS, _set, _valid_push


def _corpus() -> list[bytes]:
    """Bad fields, bad JSON, odd encodings, and random edits of a good body (seeded)."""
    out = [json.dumps(_valid_push()).encode()]
    out += [json.dumps(_set(path, value)).encode() for path, value, _, _ in FIELD_CASES]
    out += [*MALFORMED.values(), *(p.encode() for p in NOT_OBJECTS)]
    out += [
        b"",
        b'{"signatures": null}',
        b'{"signatures": [], "signatures": [1]}',
        b'{"voids": [NaN]}',
        b'\xef\xbb\xbf{"signatures": []}',
        b'{"signatures": []} x',
        b' {"signatures": []} ',
        b'{"signatures": [{}]}',
    ]
    signature = json.dumps(_valid_push()["signatures"][0])
    out += [  # a repeated key: the last one counts, in both parsers
        f'{{"signatures": [{signature}], "signatures": []}}'.encode(),
        f'{{"signatures": [], "signatures": [{signature}]}}'.encode(),
        f'{{"signatures": [{signature[:-1]}, "lang": "xx"}}]}}'.encode(),
    ]
    for raw in ("60.0", "1e2", "-0", '"60"', "true"):  # numbers that are, or are not, integers
        out.append(
            json.dumps(_set("signatures.0.utc_offset_minutes", "HERE"))
            .replace('"HERE"', raw)
            .encode()
        )
    for escape in ("\\ud800", "\\udfff", "\\ud800\\udc00", "caf\\u00e9", "\\u0000"):
        for field in ("kiosk_id", "event_id", "sealed", "campaign"):
            body = _valid_push()
            body["signatures"][0][field] = "HERE"
            out.append(json.dumps(body).replace('"HERE"', f'"{escape}"').encode())
    rng = random.Random(7)
    good = out[0]
    for _ in range(300):
        b = bytearray(good)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(b))
            if rng.random() < 0.5:
                b[i] = rng.choice(b'{}[]",:0123456789aeflnrstu\\ -.+eE\x00\xff')
            else:
                b.insert(i, rng.choice(b'{}[]",:0123456789\\ '))
        out.append(bytes(b))
    return out


@pytest.fixture(scope="module")
def both() -> Iterator[httpx.Client]:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/declared")
    def declared(body: PushRequest) -> dict[str, Any]:
        return {"n": len(body.signatures)}

    @app.post("/read")
    def read(raw: Annotated[bytes, Depends(_raw_body)]) -> dict[str, Any]:
        return {"n": len(parse_push(raw).signatures)}

    with InProcessServer(app) as srv, httpx.Client(base_url=srv.base_url, timeout=30) as http:
        yield http


def test_every_body_is_answered_as_fastapi_answers_a_declared_body(both: httpx.Client) -> None:
    headers = {"Content-Type": "application/json"}
    answers: dict[int, int] = {}
    for body in _corpus():
        want = both.post("/declared", content=body, headers=headers)
        got = both.post("/read", content=body, headers=headers)
        assert (got.status_code, got.json()) == (want.status_code, want.json()), body[:200]
        answers[got.status_code] = answers.get(got.status_code, 0) + 1
    assert set(answers) == {200, 400, 422}, answers  # the corpus reaches every kind of answer
