"""Property-based API test: schemathesis generates requests from the served OpenAPI document
(bounded: 20 examples per operation, derandomized) against a real server with data, a device
and a coordinator; no answer may be a 5xx, and every answer must conform to the document
(status code, content type, body schema)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.keys import ENV_KEY_PASSPHRASE
from kiosk.wire import API_PREFIX
from tests.server.conftest import make_code
from tests.server.coord_support import (
    PASSPHRASE,
    add_coordinator,
    import_mini,
    make_key,
    mini_signature,
    person,
)
from tests.server.helpers import ApiClient, InProcessServer

schemathesis = pytest.importorskip("schemathesis")

MAX_EXAMPLES = 20


@pytest.fixture
def live(
    db_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str, str]]:
    """A keyed server with a campaign and a signature: (base URL, device token, coordinator)."""
    monkeypatch.setenv(ENV_KEY_PASSPHRASE, PASSPHRASE)
    key = make_key(tmp_path)
    cfg = ServerSettings(
        database_url=db_url, org_public_key=key.public_b64, org_private_key_files=(str(key.path),)
    )
    import_mini(engine)
    with (
        InProcessServer(create_app(cfg, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=60) as http,
    ):
        device = ApiClient.enroll(http, make_code(engine))
        device.push([mini_signature(key, person("Alma", "Reyes"), "evansville")])
        yield srv.base_url, device.token, add_coordinator(engine)


# hypothesis and schemathesis raise deprecation and resource warnings of their own
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_api_conforms_to_its_openapi_document(live: tuple[str, str, str]) -> None:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    base_url, device_token, coordinator_token = live
    schema = schemathesis.openapi.from_url(f"{base_url}{API_PREFIX}/openapi.json")
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    failures: list[str] = []
    statuses: list[int] = []

    def make_check(operation: object, token: str) -> object:
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())  # type: ignore[attr-defined]
        def check(case: object) -> None:
            response = case.call(  # type: ignore[attr-defined]
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}
            )
            statuses.append(response.status_code)
            case.validate_response(response, checks=checks)  # type: ignore[attr-defined]

        return check

    for operation in operations:
        tags = operation.definition.raw.get("tags", [])
        token = coordinator_token if "coordinators" in tags else device_token
        try:
            make_check(operation, token)()  # type: ignore[operator]
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert len(statuses) >= 5 * len(operations)  # the examples really ran
    assert 200 in statuses and max(statuses) < 500
