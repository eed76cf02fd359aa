"""The sync client: URL policy, TLS, and every way a reply can go wrong (nothing is marked)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from certifi import where as certifi_where

from kiosk.app import Kiosk
from kiosk.domain.signature import SyncState
from kiosk.sync.client import SyncClient, SyncError, check_url, normalise_url, ssl_context
from kiosk.sync.state import Enrollment, save_enrollment
from kiosk.sync.status import SyncErrorCode
from tests.sync.fake_server import FakeServer, Reply
from tests.sync.helpers import fill


@pytest.mark.parametrize(
    ("url", "insecure", "expected"),
    [
        ("https://sync.example.org", False, "https://sync.example.org"),
        ("https://sync.example.org:8443/kiosk/", False, "https://sync.example.org:8443/kiosk"),
        ("HTTPS://sync.example.org/api/v1/", False, "https://sync.example.org"),
        ("  http://localhost:8765 ", False, "http://localhost:8765"),
        ("http://127.0.0.1:8765", False, "http://127.0.0.1:8765"),
        ("http://127.3.4.5", False, "http://127.3.4.5"),
        ("http://[::1]:8765", False, "http://[::1]:8765"),
        ("http://kiosk.localhost", False, "http://kiosk.localhost"),
        ("http://192.168.1.20:8765", True, "http://192.168.1.20:8765"),
    ],
)
def test_allowed_urls(url: str, insecure: bool, expected: str) -> None:
    assert check_url(url, insecure) == expected


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://192.168.1.20:8765", SyncErrorCode.INSECURE_URL),
        ("http://sync.example.org", SyncErrorCode.INSECURE_URL),
        ("http://localhost.example.org", SyncErrorCode.INSECURE_URL),
        ("http://128.0.0.1", SyncErrorCode.INSECURE_URL),
        ("ftp://sync.example.org", SyncErrorCode.BAD_URL),
        ("sync.example.org", SyncErrorCode.BAD_URL),
        ("https://", SyncErrorCode.BAD_URL),
        ("https://host:notaport", SyncErrorCode.BAD_URL),
        ("https://user:pw@host", SyncErrorCode.BAD_URL),
        ("https://host/?q=1", SyncErrorCode.BAD_URL),
    ],
)
def test_refused_urls(url: str, code: SyncErrorCode) -> None:
    with pytest.raises(SyncError) as caught:
        check_url(url)
    assert caught.value.code is code


def test_normalise_keeps_a_path_prefix() -> None:
    assert normalise_url("https://example.org/petitions/api/v1") == "https://example.org/petitions"


# -- replies that are not what the API promises ------------------------------------------------


@pytest.fixture
def outbox(kiosk: Kiosk) -> list[uuid.UUID]:
    """Three pending signatures."""
    return fill(kiosk, 3)


def _enroll_fake(kiosk: Kiosk, url: str) -> None:
    save_enrollment(kiosk.store, Enrollment(url, "device-1", "secret-token", "Fake"), kiosk.keys)


def _push_run(
    kiosk: Kiosk, reply: Callable[[list[str]], Reply], timeout: float | None = None
) -> tuple[FakeServer, object]:
    """Run one pass against a fake server whose push answer is made by ``reply``."""

    def script(method: str, path: str, body: bytes) -> Reply:
        if path.endswith("/signatures"):
            ids = [s["id"] for s in json.loads(body)["signatures"]]
            return reply(ids)
        return Reply(404, {"error": "not_found", "detail": "no"})

    with FakeServer(script) as fake:
        _enroll_fake(kiosk, fake.url)
        report = kiosk.sync_engine(timeout=timeout).run_once()
    return fake, report


def _all_pending(kiosk: Kiosk, ids: list[uuid.UUID]) -> bool:
    return all(
        (s := kiosk.store.get(i)) is not None and s.sync_state is SyncState.PENDING for i in ids
    )


BROKEN_REPLIES: list[tuple[str, Callable[[list[str]], Reply], SyncErrorCode]] = [
    ("not JSON", lambda ids: Reply(body=b"<<garbage>>"), SyncErrorCode.BAD_RESPONSE),
    (
        "HTML",
        lambda ids: Reply(body=b"<html>proxy login</html>", content_type="text/html"),
        SyncErrorCode.BAD_RESPONSE,
    ),
    ("wrong shape", lambda ids: Reply(body={"signatures": "all good"}), SyncErrorCode.BAD_RESPONSE),
    (
        "status not in the API",
        lambda ids: Reply(
            body={
                "signatures": [{"id": i, "status": "stored"} for i in ids],
                "voids": [],
                "events": [],
            }
        ),
        SyncErrorCode.BAD_RESPONSE,
    ),
    (
        "cut JSON",
        lambda ids: Reply(
            body=json.dumps(
                {
                    "signatures": [{"id": i, "status": "created"} for i in ids],
                    "voids": [],
                    "events": [],
                }
            ).encode()[:-20]
        ),
        SyncErrorCode.BAD_RESPONSE,
    ),
    (
        "shorter than Content-Length",
        lambda ids: Reply(
            body=json.dumps(
                {
                    "signatures": [{"id": i, "status": "created"} for i in ids],
                    "voids": [],
                    "events": [],
                }
            ).encode(),
            declared_length=100_000,
        ),
        SyncErrorCode.OFFLINE,
    ),
    (
        "names a signature not sent",
        lambda ids: Reply(
            body={
                "signatures": [{"id": str(uuid.uuid4()), "status": "created"}],
                "voids": [],
                "events": [],
            }
        ),
        SyncErrorCode.BAD_RESPONSE,
    ),
    (
        "two statuses for one signature",
        lambda ids: Reply(
            body={
                "signatures": [
                    {"id": ids[0], "status": "created"},
                    {"id": ids[0], "status": "conflict"},
                ],
                "voids": [],
                "events": [],
            }
        ),
        SyncErrorCode.BAD_RESPONSE,
    ),
    ("connection dropped", lambda ids: Reply(drop=True), SyncErrorCode.OFFLINE),
    (
        "garbled gzip",
        lambda ids: Reply(body=b"not gzip at all", headers={"Content-Encoding": "gzip"}),
        SyncErrorCode.BAD_RESPONSE,
    ),
    (
        "500",
        lambda ids: Reply(500, {"error": "internal_error", "detail": "boom"}),
        SyncErrorCode.SERVER_ERROR,
    ),
    (
        "502 from a proxy",
        lambda ids: Reply(502, b"Bad Gateway", content_type="text/plain"),
        SyncErrorCode.SERVER_ERROR,
    ),
    (
        "401",
        lambda ids: Reply(401, {"error": "unauthorized", "detail": "unknown bearer token"}),
        SyncErrorCode.UNAUTHORIZED,
    ),
    (
        "403 revoked",
        lambda ids: Reply(403, {"error": "device_revoked", "detail": "revoked"}),
        SyncErrorCode.UNAUTHORIZED,
    ),
    (
        "413",
        lambda ids: Reply(413, {"error": "body_too_large", "detail": "too big"}),
        SyncErrorCode.REFUSED,
    ),
    (
        "redirect",
        lambda ids: Reply(302, b"", headers={"Location": "https://elsewhere/"}),
        SyncErrorCode.BAD_RESPONSE,
    ),
    (
        "a web server's 404 page",
        lambda ids: Reply(404, b"<html>Not Found</html>", content_type="text/html"),
        SyncErrorCode.BAD_RESPONSE,
    ),
    (
        "a web server that takes no POST",
        lambda ids: Reply(501, b"<html>Unsupported method</html>", content_type="text/html"),
        SyncErrorCode.BAD_RESPONSE,
    ),
    (
        "a kiosk-server without this path",
        lambda ids: Reply(404, {"error": "not_found", "detail": "Not Found"}),
        SyncErrorCode.BAD_RESPONSE,
    ),
    (
        "413 from a proxy",
        lambda ids: Reply(413, b"<html>too large</html>", content_type="text/html"),
        SyncErrorCode.REFUSED,
    ),
]


@pytest.mark.parametrize(
    ("name", "reply", "code"), BROKEN_REPLIES, ids=[b[0] for b in BROKEN_REPLIES]
)
def test_a_broken_reply_marks_nothing(
    kiosk: Kiosk,
    outbox: list[uuid.UUID],
    name: str,
    reply: Callable[[list[str]], Reply],
    code: SyncErrorCode,
) -> None:
    fake, report = _push_run(kiosk, reply)
    assert report.error is code, (name, report.error_detail)  # type: ignore[attr-defined]
    # First what the server holds from this kiosk (this one is too old to say: 404), then the
    # push. Stopped at the first failure; a kiosk-server's error answer is then told what
    # failed (the console shows a kiosk stuck on it), anything else is not written to again.
    assert fake.requests[0][:2] == ("GET", "/api/v1/device")
    requests = fake.requests[1:]
    assert requests[0][:2] == ("POST", "/api/v1/signatures")
    if code in (SyncErrorCode.SERVER_ERROR, SyncErrorCode.REFUSED):
        assert [r[:2] for r in requests[1:]] == [("POST", "/api/v1/report")], name
        assert json.loads(requests[1][2])["last_error"] == code.value
    else:
        assert len(requests) == 1, name
    assert _all_pending(kiosk, outbox)
    assert kiosk.store.pending_count() == 3


@pytest.mark.parametrize(
    ("reply", "code", "detail"),
    [
        (
            Reply(404, b"<html>x</html>", content_type="text/html"),
            "bad_response",
            "HTTP 404, text/html",
        ),
        (Reply(405, b"", content_type=None), "bad_response", "HTTP 405, no body"),
        (
            Reply(404, {"error": "not_found", "detail": "Not Found"}),
            "bad_response",
            "HTTP 404: Not Found",
        ),
        (
            Reply(502, b"Bad Gateway", content_type="text/plain"),
            "server_error",
            "HTTP 502, text/plain",
        ),
        (
            Reply(413, {"error": "body_too_large", "detail": "too big"}),
            "refused",
            "HTTP 413: too big",
        ),
    ],
)
def test_an_error_answer_is_told_once_and_by_whom(reply: Reply, code: str, detail: str) -> None:
    """A kiosk-server's error says its code and words; any other answer its status and type,
    once ("HTTP 404: HTTP 404" before), and a 404 or 405 of no kiosk-server is ``BAD_RESPONSE``
    (this address is not one), its status kept for callers that take a 404 as "too old"."""
    with (
        FakeServer(lambda method, path, body: reply) as fake,
        SyncClient(fake.url) as client,
        pytest.raises(SyncError) as caught,
    ):
        client.totals()
    assert (caught.value.code.value, caught.value.detail) == (code, detail)
    assert caught.value.status == reply.status


def test_a_campaigns_bomb_is_refused_before_it_is_parsed() -> None:
    """64 MB of ``{},`` gzipped to 65 KB as the campaign documents: parsing them built 22
    million dicts, 2.5 GB of the touch screen's memory, at every sync. Now refused unparsed."""
    import resource

    bomb = gzip.compress(b'{"campaigns":[' + b"{}," * (21 << 20) + b"{}]}", 9)
    assert len(bomb) < 200_000

    def script(method: str, path: str, body: bytes) -> Reply:
        return Reply(body=bomb, headers={"Content-Encoding": "gzip"})

    with FakeServer(script) as fake:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with SyncClient(fake.url, token="t") as client, pytest.raises(SyncError) as exc:
            client.campaigns()
        grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert exc.value.code is SyncErrorCode.BAD_RESPONSE
    assert "JSON objects and arrays" in exc.value.detail
    assert grown_mb < 500, grown_mb  # the 64 MB read, not gigabytes of objects


def test_a_reply_other_than_the_campaigns_is_read_up_to_4_mib() -> None:
    """A valid health answer padded with 5 MiB of spaces, gzipped to 5 KB: refused once 4 MiB
    are decompressed (only the campaign documents may be larger)."""
    padded = gzip.compress(b'{"status":"ok","version":"test"' + b" " * (5 << 20) + b"}")

    def script(method: str, path: str, body: bytes) -> Reply:
        return Reply(body=padded, headers={"Content-Encoding": "gzip"})

    with (
        FakeServer(script) as fake,
        SyncClient(fake.url, token="t") as client,
        pytest.raises(SyncError) as exc,
    ):
        client.health()
    assert exc.value.code is SyncErrorCode.BAD_RESPONSE
    assert exc.value.detail == f"reply larger than {4 << 20} bytes"


def test_many_refused_campaign_documents_are_counted_not_each_logged(
    kiosk: Kiosk, caplog: pytest.LogCaptureFixture
) -> None:
    """500 documents that break the campaign format: the first 20 are worded in the report
    and the log, the rest counted (each had a warning line, at every sync)."""
    docs = json.dumps({"campaigns": [{"slug": f"bad-{i}"} for i in range(500)]}).encode()

    def script(method: str, path: str, body: bytes) -> Reply:
        if path.endswith("/campaigns"):
            return Reply(body=docs)
        if path.endswith("/totals"):
            return Reply(body={"campaigns": {}, "locals": {}})
        if path.endswith("/signatures"):
            return Reply(body={"signatures": [], "voids": [], "events": []})
        return Reply(body={})

    with FakeServer(script) as fake:
        _enroll_fake(kiosk, fake.url)
        report = kiosk.sync_engine().run_once()
    assert len(report.campaign_errors) == 20 and report.campaign_errors_more == 480
    assert "server campaign bad-0" in report.campaign_errors[0]
    refused = [r for r in caplog.records if "server campaign" in r.getMessage()]
    assert len(refused) == 21 and "480 more" in refused[-1].getMessage()


def test_a_reply_that_drips_is_cut_at_the_request_deadline() -> None:
    """A server sending its answer a byte at a time never trips the 60 s read timeout; the
    whole request's deadline ends it (held the sync for as long as the server liked)."""
    body = json.dumps({"status": "ok", "version": "test", "pad": "x" * 200}).encode()

    def script(method: str, path: str, body_: bytes) -> Reply:
        return Reply(body=body, drip=0.05)

    started = time.monotonic()
    with (
        FakeServer(script) as fake,
        SyncClient(fake.url, deadline=1.0) as client,
        pytest.raises(SyncError) as exc,
    ):
        client.health()
    assert exc.value.code is SyncErrorCode.TIMEOUT
    assert exc.value.detail == "the reply took longer than 1 s"
    assert time.monotonic() - started < 8  # not the 12 s of the whole answer


def test_retry_after_is_passed_on(kiosk: Kiosk, outbox: list[uuid.UUID]) -> None:
    _, report = _push_run(
        kiosk,
        lambda ids: Reply(
            503, {"error": "database_unavailable", "detail": "later"}, headers={"Retry-After": "7"}
        ),
    )
    assert report.error is SyncErrorCode.SERVER_ERROR  # type: ignore[attr-defined]
    assert report.retry_after == 7  # type: ignore[attr-defined]


def test_a_retry_after_of_other_digits_is_ignored(kiosk: Kiosk, outbox: list[uuid.UUID]) -> None:
    """ "²" (Latin-1's superscript two) is a digit to ``str.isdigit`` and not to ``int``: a
    server sending it as ``Retry-After`` ended the pass with an unexpected ValueError."""
    _, report = _push_run(
        kiosk,
        lambda ids: Reply(
            503,
            {"error": "database_unavailable", "detail": "later"},
            headers={"Retry-After": "\xb2"},
        ),
    )
    assert report.error is SyncErrorCode.SERVER_ERROR  # type: ignore[attr-defined]
    assert report.retry_after is None  # type: ignore[attr-defined]
    assert _all_pending(kiosk, outbox)


def test_a_servers_words_reach_the_terminal_without_control_characters(
    kiosk: Kiosk, outbox: list[uuid.UUID]
) -> None:
    """A hostile server's error detail (an escape sequence that retitles the terminal) and a
    Location header with a C1 control (Latin-1's CSI) were quoted as they came, into
    `kiosk sync`'s error on the terminal and onto the staff screen."""
    _, report = _push_run(
        kiosk,
        lambda ids: Reply(
            500, {"error": "internal_error", "detail": "\x1b]0;pwned\x07 \u202eoops"}
        ),
    )
    detail = report.error_detail  # type: ignore[attr-defined]
    assert "\x1b" not in detail and "\x07" not in detail and "\u202e" not in detail
    assert "]0;pwned" in detail  # the rest is kept, to be read
    _, moved = _push_run(
        kiosk, lambda ids: Reply(302, b"", headers={"Location": "https://x/\x9b2J"})
    )
    assert moved.error is SyncErrorCode.BAD_RESPONSE  # type: ignore[attr-defined]
    assert "\x9b" not in moved.error_detail  # type: ignore[attr-defined]
    assert _all_pending(kiosk, outbox)


def test_a_slow_server_times_out(kiosk: Kiosk, outbox: list[uuid.UUID]) -> None:
    _, report = _push_run(kiosk, lambda ids: Reply(delay=2.0, body={}), timeout=0.3)
    assert report.error is SyncErrorCode.TIMEOUT  # type: ignore[attr-defined]
    assert _all_pending(kiosk, outbox)


def test_a_failed_push_ends_the_pass_after_the_other_push_in_flight(kiosk: Kiosk) -> None:
    """Two pushes are in flight: when the first fails, the pass waits for the second's answer
    before it closes its connections (not waiting leaked a socket per failed pass), and records
    neither: every signature stays pending, to go again next pass."""
    ids = fill(kiosk, 4)
    answered: list[float] = []

    def script(method: str, path: str, body: bytes) -> Reply:
        if not path.endswith("/signatures"):
            return Reply(404, {"error": "not_found", "detail": "no"})
        batch = [s["id"] for s in json.loads(body)["signatures"]]
        if batch[0] == str(ids[0]):  # fails once the second push has surely been sent
            return Reply(500, {"error": "internal", "detail": "boom"}, delay=0.2)
        answered.append(time.monotonic() + 0.6)
        return Reply(
            delay=0.6,
            body={"signatures": [{"id": i, "status": "created"} for i in batch], "voids": []},
        )

    with FakeServer(script) as fake:
        _enroll_fake(kiosk, fake.url)
        report = kiosk.sync_engine(batch_size=2).run_once()
        ended = time.monotonic()
    assert report.error is SyncErrorCode.SERVER_ERROR
    assert len(answered) == 1 and ended >= answered[0]  # the second push had its answer
    assert _all_pending(kiosk, ids)


def test_only_what_the_answer_names_is_marked(kiosk: Kiosk, outbox: list[uuid.UUID]) -> None:
    def first_only(ids: list[str]) -> Reply:
        return Reply(
            body={"signatures": [{"id": ids[0], "status": "created"}], "voids": [], "events": []}
        )

    fake, report = _push_run(kiosk, first_only)
    assert report.unacknowledged == 2  # type: ignore[attr-defined]
    first = kiosk.store.get(outbox[0])
    assert first is not None and first.sync_state is SyncState.SYNCED
    assert _all_pending(kiosk, outbox[1:])
    # The pass went on (to the campaigns, which this fake lacks) without looping on the rest.
    assert sum(1 for _, p, _ in fake.requests if p.endswith("/signatures")) == 1


def test_enroll_maps_code_errors(kiosk: Kiosk) -> None:
    def script(method: str, path: str, body: bytes) -> Reply:
        return Reply(403, {"error": "enrollment_code_expired", "detail": "expired"})

    with FakeServer(script) as fake, pytest.raises(SyncError) as caught:
        kiosk.sync_engine().enroll(fake.url, "ABCD")
    assert caught.value.code is SyncErrorCode.BAD_CODE


def test_enroll_refuses_a_malformed_key(new_kiosk: Callable[..., Kiosk]) -> None:
    bare = new_kiosk("bare", with_key=False)

    def script(method: str, path: str, body: bytes) -> Reply:
        return Reply(
            body={
                "device_id": "d",
                "token": "t",
                "server_name": "S",
                "org_public_key": "not base64!",
            }
        )

    with FakeServer(script) as fake, pytest.raises(SyncError) as caught:
        bare.sync_engine().enroll(fake.url, "ABCD")
    assert caught.value.code is SyncErrorCode.BAD_RESPONSE
    assert not bare.keys.has_public_key() and bare.sync_engine().enrollment() is None


def test_an_enrollment_answer_with_a_token_unfit_for_a_header_is_refused(
    new_kiosk: Callable[..., Kiosk],
) -> None:
    """A token with a line break was stored, then every request failed to be built (an
    unexpected error at each sync); a server name with an escape sequence was printed by
    `kiosk enroll` and shown on the staff screen as it came."""
    bare = new_kiosk("bare", with_key=False)

    def answer(token: str, name: str) -> Callable[[str, str, bytes], Reply]:
        def script(method: str, path: str, body: bytes) -> Reply:
            return Reply(
                body={"device_id": "d", "token": token, "server_name": name, "org_public_key": None}
            )

        return script

    with FakeServer(answer("t\r\nX-Evil: 1", "S")) as fake, pytest.raises(SyncError) as caught:
        bare.sync_engine().enroll(fake.url, "ABCD")
    assert caught.value.code is SyncErrorCode.BAD_RESPONSE
    assert bare.sync_engine().enrollment() is None
    with FakeServer(answer("tok", "\x1b]0;pwned\x07Our server")) as fake:
        result = bare.sync_engine().enroll(fake.url, "ABCD")
    assert result.enrollment.server_name == "\ufffd]0;pwned\ufffdOur server"


def test_the_token_is_sent_and_never_in_reprs(kiosk: Kiosk) -> None:
    seen: list[bytes] = []

    def script(method: str, path: str, body: bytes) -> Reply:
        return Reply(body={"campaigns": {}, "locals": {}})

    with FakeServer(script) as fake:
        with SyncClient(fake.url, token="secret-token") as client:
            client.totals()
        seen = [r[2] for r in fake.requests]
    assert seen == [b""]
    enrollment = Enrollment("https://x", "d", "secret-token", "S")
    assert "secret-token" not in repr(enrollment)


# -- TLS ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    yield cert, key


def _health(method: str, path: str, body: bytes) -> Reply:
    return Reply(body={"status": "ok", "version": "test"})


def test_https_with_an_untrusted_certificate_is_a_tls_error(
    certificate: tuple[Path, Path],
) -> None:
    with (
        FakeServer(_health, *certificate) as fake,
        SyncClient(fake.url) as client,
        pytest.raises(SyncError) as caught,
    ):
        client.health()
    assert caught.value.code is SyncErrorCode.TLS


def test_https_with_the_given_ca_bundle(certificate: tuple[Path, Path]) -> None:
    with (
        FakeServer(_health, *certificate) as fake,
        SyncClient(fake.url, ca_bundle=certificate[0]) as client,
    ):
        assert client.health().status == "ok"


def test_a_ca_bundle_is_read_once_and_again_when_it_changes(
    certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    shutil.copy(certificate[0], bundle)
    assert ssl_context(bundle) is ssl_context(bundle)
    assert ssl_context() is ssl_context()
    with FakeServer(_health, *certificate) as fake:
        with SyncClient(fake.url, ca_bundle=bundle) as client:
            assert client.health().status == "ok"
        # Staff replace the bundle with one that does not hold the server's CA: refused at once.
        bundle.write_text(Path(certifi_where()).read_text())
        os.utime(bundle, ns=(1, 1))
        with SyncClient(fake.url, ca_bundle=bundle) as client, pytest.raises(SyncError) as caught:
            client.health()
        assert caught.value.code is SyncErrorCode.TLS


def test_https_to_a_plain_http_server_says_so_not_that_a_certificate_is_untrusted() -> None:
    with (
        FakeServer(_health) as fake,
        SyncClient(fake.url.replace("http:", "https:")) as client,
        pytest.raises(SyncError) as caught,
    ):
        client.health()
    assert caught.value.code is SyncErrorCode.BAD_URL
    assert caught.value.detail.startswith("this address does not answer in https: is it a plain")


def test_an_unreadable_ca_bundle(tmp_path: Path) -> None:
    with pytest.raises(SyncError) as caught:
        SyncClient("https://127.0.0.1:1", ca_bundle=tmp_path / "missing.pem")
    assert caught.value.code is SyncErrorCode.TLS


def _device_run(kiosk: Kiosk, device: Reply) -> tuple[FakeServer, object]:
    """One pass against a fake server that answers ``GET /device`` with ``device`` and stores
    every pushed signature (``created``)."""

    def script(method: str, path: str, body: bytes) -> Reply:
        if path.endswith("/device"):
            return device
        if path.endswith("/signatures"):
            ids = [s["id"] for s in json.loads(body)["signatures"]]
            return Reply(
                body={
                    "signatures": [{"id": i, "status": "created"} for i in ids],
                    "voids": [],
                    "events": [],
                }
            )
        if path.endswith("/campaigns"):
            return Reply(304, b"", content_type=None)
        if path.endswith("/totals"):
            return Reply(body={"campaigns": {}, "locals": {}})
        return Reply(204, b"", content_type=None)  # the report

    with FakeServer(script) as fake:
        _enroll_fake(kiosk, fake.url)
        report = kiosk.sync_engine().run_once()
    return fake, report


@pytest.mark.parametrize(
    "name,device",
    [
        ("negative", Reply(body={"signatures_received": -1, "audit_head": None})),
        ("a string", Reply(body={"signatures_received": "12"})),
        ("above 2**53", Reply(body={"signatures_received": 2**60})),
        ("a field more", Reply(body={"signatures_received": 1, "drop_table": True})),
        ("a bad head", Reply(body={"signatures_received": 1, "audit_head": {"seq": 0}})),
        ("not JSON", Reply(body=b"<<garbage>>")),
        ("too old a server", Reply(404, {"error": "not_found", "detail": "no"})),
        ("a server error", Reply(500, {"error": "internal", "detail": "oops"})),
        ("rate limited", Reply(429, {"error": "rate_limited", "detail": "wait"})),
        ("a proxy's page", Reply(502, b"<html>bad gateway</html>", content_type="text/html")),
        ("a web page", Reply(404, b"<html>Not Found</html>", content_type="text/html")),
    ],
)
def test_a_broken_or_missing_answer_to_what_the_server_holds_sends_as_before(
    kiosk: Kiosk, outbox: list[uuid.UUID], name: str, device: Reply
) -> None:
    """What the server says it holds is only a check: an answer that breaks the API (or none,
    from a server too old) is logged and the pass goes on; nothing is taken for lost and
    nothing is kept to compare with next time."""
    from kiosk.sync.state import load_received

    _, report = _device_run(kiosk, device)
    assert report.ok and report.created == 3, (name, report.error_detail)  # type: ignore[attr-defined]
    assert report.server_lost is None  # type: ignore[attr-defined]
    assert kiosk.store.pending_count() == 0
    assert load_received(kiosk.store, "device-1") is None


def test_a_kiosk_refused_by_the_server_stops_at_what_it_holds(
    kiosk: Kiosk, outbox: list[uuid.UUID]
) -> None:
    """A revoked kiosk hears it at the first request of the pass, as its push would."""
    fake, report = _device_run(
        kiosk, Reply(403, {"error": "device_revoked", "detail": "this device was revoked"})
    )
    assert report.error is SyncErrorCode.UNAUTHORIZED  # type: ignore[attr-defined]
    assert [r[:2] for r in fake.requests if r[1].endswith("/signatures")] == []
    assert kiosk.store.pending_count() == 3


def test_fewer_signatures_held_than_acknowledged_sends_everything_again(
    kiosk: Kiosk, outbox: list[uuid.UUID]
) -> None:
    """The server once acknowledged more than it now says it holds: everything acknowledged is
    sent again in the same pass, and the least count kept follows the server's answers."""
    from kiosk.sync.state import load_received

    _, report = _device_run(kiosk, Reply(body={"signatures_received": 40}))
    assert report.ok and report.server_lost is None  # type: ignore[attr-defined]
    assert load_received(kiosk.store, "device-1") == 43
    more = fill(kiosk, 2, seed=1)
    _, report = _device_run(kiosk, Reply(body={"signatures_received": 43}))
    assert report.ok and report.server_lost is None and report.created == 2  # type: ignore[attr-defined]
    assert load_received(kiosk.store, "device-1") == 45
    fake, report = _device_run(kiosk, Reply(body={"signatures_received": 44}))  # one short
    lost = report.server_lost  # type: ignore[attr-defined]
    assert report.ok and lost is not None and lost.signatures == 5 and lost.audit == 0  # type: ignore[attr-defined]
    pushed = [
        s["id"]
        for m, p, b in fake.requests
        if p.endswith("/signatures")
        for s in json.loads(b)["signatures"]
    ]
    assert sorted(pushed) == sorted(str(i) for i in outbox + more)
    assert load_received(kiosk.store, "device-1") == 44 + 5
    # Enrolled again (another device id): the count kept for the old one is not compared.
    save_enrollment(
        kiosk.store, Enrollment("http://127.0.0.1:9", "device-2", "t", "Fake"), kiosk.keys
    )
    assert load_received(kiosk.store, "device-2") is None
