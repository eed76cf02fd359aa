"""Forwarding end to end in one process: real signatures pushed through the real API, a real
forwarder, real HTTP servers on 127.0.0.1 (an Action Network-like OSDI endpoint and a Standard
Webhooks receiver verifying with an independent implementation), on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from kiosk.server.db import write_transaction
from kiosk.server.forwarding import destinations as dst
from kiosk.server.forwarding.outbox import ATTEMPTS, OUTBOX
from kiosk.server.forwarding.secrets import ForwardingSecret, SecretError
from kiosk.server.forwarding.service import ForwardingService
from kiosk.server.forwarding.worker import Forwarder
from tests.server.forwarding import support as s
from tests.server.forwarding.fakes import (
    FaultScript,
    OsdiServer,
    ScriptedCrm,
    WebhookReceiver,
    running,
)
from tests.server.helpers import ApiClient, event, void

TOKEN = "an-test-token-0123456789abcdef"


def _service(engine: Engine, tmp_path: Path) -> ForwardingService:
    return ForwardingService(
        engine,
        lambda create: ForwardingSecret.load(tmp_path / "forwarding.secret", create),
        network=s.LOCAL,
    )


def _push_mix(api: ApiClient, engine: Engine, n: int = 12) -> dict[str, object]:
    """Push ``n`` real signatures (every other one opted in), one synthetic, one voided before
    forwarding, all at an event; return what was pushed."""
    version = s.text_version(engine)
    people = [s.personal(i, opt_in=i % 2 == 0) for i in range(n)]
    sigs = [s.wire_signature(p, version, event_id="rally-1") for p in people]
    synthetic = s.wire_signature(s.personal(900, True), version, synthetic=True)
    voided = s.wire_signature(s.personal(901, True), version)
    api.push([*sigs, synthetic, voided], events=[event("rally-1", name="Rally at City Hall")])
    api.push(voids=[void(voided.id)])
    return {"people": people, "sigs": sigs, "synthetic": synthetic, "voided": voided}


def test_webhooks_arrive_once_signed_with_their_consent(
    api: ApiClient, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.server")
    pushed = _push_mix(api, engine)
    service = _service(engine, tmp_path)
    secret = dst.new_webhook_secret()
    with running(WebhookReceiver(secret)) as rx:
        service.add(
            dst.DestinationSpec("crm-hook", "webhook", s.CAMPAIGN, rx.url, credential=secret),
            "test",
        )
        fwd = s.forwarder(engine, tmp_path)
        s.drain(fwd)
        fwd.close()
    sigs = pushed["sigs"]
    assert rx.rejected == 0
    assert set(rx.messages) == {f"msg_{sig.id.hex}" for sig in sigs}
    assert all(n == 1 for n in rx.deliveries.values())
    version = s.text_version(engine)
    for sig, person in zip(sigs, pushed["people"], strict=True):
        data = rx.messages[f"msg_{sig.id.hex}"]["data"]
        assert data["id"] == str(sig.id)
        assert data["signer"]["email"] == person.email
        assert data["opt_in"] is person.opt_in
        assert data["event"]["name"] == "Rally at City Hall"
        consent = data["consent"]
        assert consent["text_version"] == version and consent["lang"] == "en"
        assert consent["opt_in_text"] == (s.CONSENT if person.opt_in else None)
        assert consent["statement"]  # the petition's words in the signer's language
    status = service.status("crm-hook")[0]
    assert status.counts == {"sent": len(sigs)}  # synthetic and voided never queued
    # Nothing personal in the log, the attempts, the audit trail, or any other clear column.
    dump = s.dump_database(engine)
    logged = caplog.text
    for person in pushed["people"]:
        for value in (person.email, person.last_name, person.phone, person.street):
            assert value not in logged
            assert value not in dump
    assert secret not in logged and secret.removeprefix("whsec_") not in dump
    assert "forwarding to crm-hook: 12 sent" in logged


def test_osdi_helper_faults_rate_limit_and_opt_in(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    pushed = _push_mix(api, engine, n=10)
    service = _service(engine, tmp_path)
    faults = FaultScript(next=["empty200", "http500", "drop", "drop_before", "http429", "http503"])
    with running(OsdiServer(TOKEN, faults=faults, rate=4.0, retry_after=1)) as an:
        service.add(
            dst.DestinationSpec(
                "an", "osdi", s.CAMPAIGN, an.url(), credential=TOKEN, rate_per_second=10.0
            ),
            "test",
        )
        fwd = s.forwarder(engine, tmp_path)
        s.drain(fwd, timeout=90)
        fwd.close()
    sigs, people = pushed["sigs"], pushed["people"]
    opted = [sig for sig, p in zip(sigs, people, strict=True) if p.opt_in]
    # Every opted-in signature is one signature at Action Network, even the one whose answer
    # was dropped after it was stored (sent twice on the wire, kept once by its identifier).
    stored = an.signature_identifiers()
    assert {i for i in stored if i.startswith("petition-kiosk:")} == {
        f"petition-kiosk:{sig.id}" for sig in opted
    }
    assert all(n == 1 for n in stored.values())
    assert max(an.posts.values()) == 2  # the "drop" fault: stored, answer lost, sent again
    # No opt-in, no subscription: those signers never reached Action Network at all.
    assert len(an.people) == len(opted) and all(p["subscribed"] for p in an.people.values())
    emails = {p["email"] for p in an.people.values()}
    assert emails == {p.email for p in people if p.opt_in}
    assert an.counts["429"] >= 1
    body = an.bodies[0]
    assert body["person"]["custom_fields"]["petition_kiosk_text_version"] == s.text_version(engine)
    assert body["action_network:referrer_data"]["source"].startswith("petition-kiosk:kiosk-a")
    assert "event:Rally at City Hall" in body["add_tags"]
    assert body["person"]["email_addresses"][0]["status"] == "subscribed"
    with engine.connect() as conn:
        results = dict(
            conn.execute(select(ATTEMPTS.c.result, func.count()).group_by(ATTEMPTS.c.result)).all()
        )
        remote = conn.execute(select(OUTBOX.c.remote_id).where(OUTBOX.c.state == "sent")).scalars()
        assert all(r and r.startswith("action_network:") for r in remote)
    assert results["sent"] == len(opted)
    assert results["skipped"] == len(people) - len(opted)
    assert results["retry"] >= 4 and results["rate_limited"] >= 1
    assert [i["reason"] for i in service.items("an", "skipped")] == ["no_opt_in"] * 5


def test_dead_letter_after_max_attempts_then_retry(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    version = s.text_version(engine)
    sig = s.wire_signature(s.personal(1, True), version)
    api.push([sig])
    service = _service(engine, tmp_path)
    faults = FaultScript(next=["http500"] * 3)
    with running(OsdiServer(TOKEN, faults=faults, rate=0)) as an:
        service.add(
            dst.DestinationSpec(
                "an", "osdi", s.CAMPAIGN, an.url(), credential=TOKEN, max_attempts=3
            ),
            "test",
        )
        fwd = s.forwarder(engine, tmp_path)
        s.drain(fwd)
        st = service.status("an")[0]
        assert st.counts == {"dead": 1}
        assert "HTTP 500" in (st.last_failure or "")
        dead = service.items("an", "dead")
        assert dead[0]["signature_id"] == str(sig.id) and dead[0]["attempts"] == 3
        assert service.retry("an", "test") == 1
        s.drain(fwd)
        fwd.close()
    assert service.status("an")[0].counts == {"sent": 1}
    assert an.signature_identifiers()[f"petition-kiosk:{sig.id}"] == 1


def test_a_permanent_refusal_is_dead_at_once_and_pause_holds(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    version = s.text_version(engine)
    api.push([s.wire_signature(s.personal(i, True), version) for i in range(3)])
    service = _service(engine, tmp_path)
    secret = dst.new_webhook_secret()
    with running(WebhookReceiver(secret)) as rx:
        service.add(
            dst.DestinationSpec("hook", "webhook", s.CAMPAIGN, rx.url, credential=secret), "test"
        )
        service.pause("hook", "test")
        fwd = s.forwarder(engine, tmp_path)
        fwd.run_once()
        assert not rx.deliveries  # paused: queued, nothing sent
        assert service.status("hook")[0].counts == {"pending": 3}
        service.resume("hook", "test")
        s.drain(fwd)
        fwd.close()
    assert len(rx.messages) == 3
    # A receiver with another secret refuses with 401: the whole destination is held (one
    # refused request, not one per signature and attempt), nothing is dead-lettered, and the
    # signatures wait for the right credential.
    with running(WebhookReceiver(dst.new_webhook_secret())) as other:
        service.add(
            dst.DestinationSpec(
                "other", "webhook", s.CAMPAIGN, other.url, credential=secret, max_attempts=2
            ),
            "test",
        )
        fwd = s.forwarder(engine, tmp_path)
        fwd.run_once()
        first = other.rejected  # the requests already in flight when the first 401 came
        fwd.run_once()  # held: a second pass sends nothing
        fwd.close()
    assert 1 <= first <= 3 and other.rejected == first and not other.messages
    (held,) = service.status("other")
    assert held.counts == {"pending": 3}
    assert held.destination.not_before is not None


def test_voided_after_forwarding_is_reported(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    version = s.text_version(engine)
    sigs = [s.wire_signature(s.personal(i, True), version) for i in range(3)]
    api.push(sigs)
    service = _service(engine, tmp_path)
    secret = dst.new_webhook_secret()
    with running(WebhookReceiver(secret)) as rx:
        service.add(
            dst.DestinationSpec("hook", "webhook", s.CAMPAIGN, rx.url, credential=secret), "test"
        )
        fwd = s.forwarder(engine, tmp_path)
        s.drain(fwd)
        api.push(voids=[void(sigs[1].id)])
        late = s.wire_signature(s.personal(7, True), version)
        api.push([late])
        api.push(voids=[void(late.id)])  # voided before it was forwarded: never sent
        s.drain(fwd)
        fwd.close()
    assert f"msg_{late.id.hex}" not in rx.deliveries
    report = service.sent_then_voided()
    assert [(r["destination"], r["signature_id"]) for r in report] == [("hook", str(sigs[1].id))]
    assert service.status("hook")[0].sent_then_voided == 1


def test_credentials_sealed_and_a_wrong_secret_named(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    service = _service(engine, tmp_path)
    url = "https://crm.example.org/hooks/zap-9f8e7d6c5b4a"
    dest, secret = service.add(dst.DestinationSpec("zap", "webhook", s.CAMPAIGN, url), "test")
    assert secret.startswith("whsec_")
    dump = s.dump_database(engine)
    assert "zap-9f8e7d6c5b4a" not in dump and secret not in dump
    assert secret.removeprefix("whsec_") not in dump
    assert dest.endpoint == "https://crm.example.org"
    with engine.connect() as conn:
        assert dst.open_credentials(conn, s.secret(tmp_path), dest.id) == (url, secret)
        other = ForwardingSecret.load(tmp_path / "other.secret", create=True)
        with pytest.raises(SecretError, match="another forwarding secret"):
            dst.open_credentials(conn, other, dest.id)
    (tmp_path / "forwarding.secret").chmod(0o644)
    with pytest.raises(SecretError, match="readable by other users"):
        ForwardingSecret.load(tmp_path / "forwarding.secret")


@pytest.mark.parametrize(
    ("url", "allow_http", "error"),
    [
        ("http://crm.example.org/hook", False, "plain HTTP"),
        ("http://crm.example.org/hook", True, None),
        ("http://127.0.0.1:9000/hook", False, None),
        ("http://localhost/hook", False, None),
        ("http://[::1]:8080/hook", False, None),
        ("https://user:pw@crm.example.org/hook", False, "user name or password"),
        ("ftp://crm.example.org/", False, "https://"),
        ("https:///nohost", False, "no host"),
        ("https://crm.example.org:99999/", False, "not a URL"),
        ("https://crm.example.org:0/", False, "port 0"),
        ("https://crm.example.org/a hook", False, "white space"),
        ("https://crm.example.org/hook\r\n", False, "control character"),
        ("https://" + "a" * 254 + "/", False, "longer than 253"),
    ],
)
def test_url_rules(url: str, allow_http: bool, error: str | None) -> None:
    if error is None:
        assert dst.check_url(url, allow_http).startswith("http")
    else:
        with pytest.raises(dst.DestinationError, match=error):
            dst.check_url(url, allow_http)


def test_bad_destination_settings_are_refused(engine: Engine, tmp_path: Path) -> None:
    service = _service(engine, tmp_path)
    url = "https://actionnetwork.org/api/v2/petitions/x/signatures/"
    for spec, message in (
        (dst.DestinationSpec("an", "osdi", s.CAMPAIGN, url), "API token"),
        (dst.DestinationSpec("an", "osdi", "no-such", url, credential="t"), "no campaign"),
        (
            dst.DestinationSpec("an", "osdi", s.CAMPAIGN, url, credential="t", local_campaign="x"),
            "no local campaign",
        ),
        (dst.DestinationSpec("Bad Name", "osdi", s.CAMPAIGN, url, credential="t"), "name"),
        (dst.DestinationSpec("h", "webhook", s.CAMPAIGN, url, credential="nope"), "whsec_"),
        (
            dst.DestinationSpec(
                "an", "osdi", s.CAMPAIGN, url, credential="t", without_opt_in="unsubscribed"
            ),
            "subscribes every person",
        ),
    ):
        with pytest.raises(dst.DestinationError, match=message):
            service.add(spec, "test")
    service.add(dst.DestinationSpec("an", "osdi", s.CAMPAIGN, url, credential="t"), "test")
    with pytest.raises(dst.DestinationError, match="exists already"):
        service.add(dst.DestinationSpec("an", "osdi", s.CAMPAIGN, url, credential="t"), "test")


def test_two_forwarders_share_the_outbox_without_sending_twice(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    """PostgreSQL: both work (FOR UPDATE SKIP LOCKED); SQLite: one holds the lease, the other
    waits. Either way every signature arrives once."""
    version = s.text_version(engine)
    sigs = [s.wire_signature(s.personal(i, True), version) for i in range(60)]
    api.push(sigs)
    service = _service(engine, tmp_path)
    secret = dst.new_webhook_secret()
    with running(WebhookReceiver(secret)) as rx:
        service.add(
            dst.DestinationSpec(
                "hook", "webhook", s.CAMPAIGN, rx.url, credential=secret, concurrency=2
            ),
            "test",
        )
        fwds = [s.forwarder(engine, tmp_path, batch=7) for _ in range(2)]
        if engine.dialect.name == "sqlite":
            assert fwds[0].run_once() > 0
            assert fwds[1].run_once() == 0  # the lease is held
        done = threading.Event()
        threads = [threading.Thread(target=f.run, args=(done, 0.02)) for f in fwds]
        for t in threads:
            t.start()
        try:
            s.wait_until(lambda: len(rx.messages) == len(sigs))
        finally:
            done.set()
            for t in threads:
                t.join(30)
    assert set(rx.messages) == {f"msg_{sig.id.hex}" for sig in sigs}
    assert all(n == 1 for n in rx.deliveries.values())
    with engine.connect() as conn:
        workers = set(conn.execute(select(ATTEMPTS.c.worker)).scalars())
    if engine.dialect.name == "sqlite":
        assert len(workers) == 1


def test_a_lost_sqlite_lease_records_nothing(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the lease is SQLite's")
    from datetime import UTC, datetime, timedelta

    from kiosk.server.forwarding import outbox

    version = s.text_version(engine)
    api.push([s.wire_signature(s.personal(1, True), version)])
    service = _service(engine, tmp_path)
    secret = dst.new_webhook_secret()
    with running(WebhookReceiver(secret)) as rx:
        service.add(
            dst.DestinationSpec("hook", "webhook", s.CAMPAIGN, rx.url, credential=secret), "test"
        )
        fwd = s.forwarder(engine, tmp_path)
        stolen = threading.Event()
        original = fwd._send_all

        def send_then_lose(d, items):  # type: ignore[no-untyped-def]
            out = original(d, items)
            with write_transaction(engine) as conn:  # another process takes an expired lease
                later = datetime.now(UTC) + timedelta(minutes=5)
                assert outbox.take_lease(conn, "intruder", later, timedelta(minutes=1)) is not None
            stolen.set()
            return out

        fwd._send_all = send_then_lose  # type: ignore[method-assign]
        fwd.run_once()
        fwd.close()
    assert stolen.is_set() and len(rx.deliveries) == 1
    assert service.status("hook")[0].counts == {"pending": 1}  # its answer was not recorded


def test_forwarder_without_a_key_is_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="private key"):
        Forwarder(engine, None, s.secret(tmp_path))


def test_a_send_whose_answer_was_lost_then_voided_is_reported(
    api: ApiClient, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forwarder dies between the receiver's answer and recording it; the void arrives
    before the next attempt: the signature is not sent again, and it is reported as possibly
    at the destination."""
    from kiosk.server.forwarding import outbox

    version = s.text_version(engine)
    sig = s.wire_signature(s.personal(3, True), version)
    api.push([sig])
    service = _service(engine, tmp_path)
    secret = dst.new_webhook_secret()
    with running(WebhookReceiver(secret)) as rx:
        service.add(
            dst.DestinationSpec("hook", "webhook", s.CAMPAIGN, rx.url, credential=secret), "test"
        )
        fwd = s.forwarder(engine, tmp_path)

        def crash(*_args: object, **_kw: object) -> None:
            raise RuntimeError("killed before recording")

        with monkeypatch.context() as m:
            m.setattr(outbox, "record", crash)
            fwd.run_once()  # the round's failure is logged; nothing of it is recorded
        assert len(rx.deliveries) == 1  # it arrived; the forwarder never knew
        assert service.status("hook")[0].counts == {"pending": 1}
        api.push(voids=[void(sig.id)])
        s.drain(fwd)
        fwd.close()
    assert len(rx.deliveries) == 1  # not sent again once voided
    report = service.sent_then_voided("hook")
    assert [(r["signature_id"], r["certain"]) for r in report] == [(str(sig.id), False)]
    assert service.status("hook")[0].sent_then_voided == 1


def test_hostile_answers_are_failed_attempts_and_starve_no_other_destination(
    api: ApiClient, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CRM answering with JSON nested 100,000 deep (RecursionError), 3 MiB, or a sender
    that raises: each is one failed attempt of that signature, retried later; the round's
    answers are recorded and the destination after it (by id) is served in the same pass.
    Before, the exception left ``run_once``: the CRM's rows stayed pending without an attempt
    counted (sent again at every pass, never dead-lettered), and no later destination was ever
    served."""
    from kiosk.server.forwarding import senders

    pushed = _push_mix(api, engine, n=6)
    service = _service(engine, tmp_path)
    secret = dst.new_webhook_secret()
    faults = FaultScript(next=["deep_json", "huge", "raise"])
    real_send = senders.send_osdi

    def send_osdi(*args: object, **kw: object) -> senders.SendResult:
        if faults.next and faults.next[0] == "raise":
            faults.next.pop(0)
            raise RuntimeError("a sender bug")
        return real_send(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(senders, "send_osdi", send_osdi)
    with (
        running(OsdiServer(TOKEN, faults=faults, rate=0)) as an,
        running(WebhookReceiver(secret)) as rx,
    ):
        service.add(dst.DestinationSpec("a-crm", "osdi", s.CAMPAIGN, an.url(), TOKEN), "test")
        service.add(dst.DestinationSpec("b-hook", "webhook", s.CAMPAIGN, rx.url, secret), "test")
        fwd = s.forwarder(engine, tmp_path)
        fwd.run_once()  # never raises: the webhook is served in the same pass
        assert len(rx.messages) == len(pushed["sigs"])
        s.drain(fwd, timeout=60)
        fwd.close()
    opted = {
        f"petition-kiosk:{sig.id}"
        for sig, p in zip(pushed["sigs"], pushed["people"], strict=True)
        if p.opt_in
    }  # type: ignore[call-overload]
    assert {i for i in an.signature_identifiers() if i.startswith("petition-kiosk:")} == opted
    with engine.connect() as conn:
        reasons = (
            conn.execute(select(ATTEMPTS.c.reason).where(ATTEMPTS.c.result == "retry"))
            .scalars()
            .all()
        )
    assert sorted(reasons) == sorted(
        [
            "empty answer: the helper refused the record",  # deep_json: not an answer
            f"answer larger than {senders.MAX_ANSWER_BYTES} bytes",
            "sending failed: RuntimeError",
        ]
    )


def test_an_answer_that_drips_is_cut_at_the_deadline() -> None:
    """A destination sending one byte every half second never trips the 20 s per-read timeout;
    the client's deadline for the whole exchange cuts it (a retry), and the next send on the
    same client works."""
    import time

    from kiosk.server.forwarding import senders

    secret = dst.new_webhook_secret()
    with running(WebhookReceiver(secret, faults=FaultScript(next=["drip"]))) as rx:
        client = senders.HttpClient(timeout=20.0, deadline=1.5, network=s.LOCAL)
        key = senders.webhook_key(secret)
        t0 = time.monotonic()
        res = senders.send_webhook(client, rx.url, key, "msg_1", b'{"a":1}')
        took = time.monotonic() - t0
        assert res.kind == "retry" and res.reason == "connection failed: TimeoutError", res
        assert took < 10, took  # cut at the deadline (1.5 s), not after the 1,000,000 bytes
        assert senders.send_webhook(client, rx.url, key, "msg_2", b'{"a":2}').kind == "sent"
        client.close()


@pytest.mark.parametrize(
    "value",
    [
        "Mon, 01 Jan 2025 00:00:00 +99999999999999999999",
        "Mon, 01 Jan 99999 00:00:00 GMT",
        "1e999999",
        "nan",
    ],
)
def test_a_retry_after_that_overflows_is_the_default_or_the_cap(value: str) -> None:
    from kiosk.server.forwarding.senders import (
        DEFAULT_RETRY_AFTER,
        MAX_RETRY_AFTER,
        parse_retry_after,
    )

    assert parse_retry_after(value) in (DEFAULT_RETRY_AFTER, MAX_RETRY_AFTER)


def test_one_destinations_failing_round_does_not_stop_the_others(
    api: ApiClient, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pushed = _push_mix(api, engine, n=4)
    service = _service(engine, tmp_path)
    secret = dst.new_webhook_secret()
    with running(WebhookReceiver(secret)) as rx:
        service.add(dst.DestinationSpec("a-hook", "webhook", s.CAMPAIGN, rx.url, secret), "test")
        service.add(dst.DestinationSpec("b-hook", "webhook", s.CAMPAIGN, rx.url, secret), "test")
        fwd = s.forwarder(engine, tmp_path)
        real_round = Forwarder._round

        def round_(self: Forwarder, d: object) -> int:
            if getattr(d, "name", "") == "a-hook":
                raise RuntimeError("a bug in one round")
            return real_round(self, d)  # type: ignore[arg-type]

        monkeypatch.setattr(Forwarder, "_round", round_)
        fwd.run_once()
        fwd.close()
        assert len(rx.messages) == len(pushed["sigs"])  # b-hook's, all of them


def test_status_reads_counts_and_the_last_send_without_listing_the_outbox(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    """The status counted the signatures sent and then voided by listing them all, and took
    the last send as max(sent_at) over the outbox (0.2 s a view with 200,000 forwarded): now a
    grouped count and one index entry; the console lists at most its first ones."""
    pushed = _push_mix(api, engine, n=6)
    service = _service(engine, tmp_path)
    secret = dst.new_webhook_secret()
    with running(WebhookReceiver(secret, faults=FaultScript(next=["http500"]))) as rx:
        service.add(dst.DestinationSpec("hook", "webhook", s.CAMPAIGN, rx.url, secret), "test")
        fwd = s.forwarder(engine, tmp_path)
        s.drain(fwd, timeout=60)
        fwd.close()
    sigs = pushed["sigs"]
    api.push(voids=[void(sig.id) for sig in sigs[:3]])  # type: ignore[index]
    st = service.status("hook")[0]
    assert st.sent_then_voided == 3
    assert "HTTP 500" in (st.last_failure or "")
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(OUTBOX.c.sent_at))).scalar_one()
    assert st.last_sent is not None and newest is not None
    from kiosk.server.forwarding.service import _aware

    assert _aware(newest) == st.last_sent
    assert len(service.sent_then_voided(limit=2)) == 2
    assert len(service.sent_then_voided()) == 3


@pytest.mark.parametrize(
    ("result", "status", "reason", "code"),
    [
        ("retry", 500, "HTTP 500", "server_error"),
        ("retry", 404, "HTTP 404", "not_found"),
        ("retry", 308, "HTTP 308", "redirect"),
        ("retry", 401, "HTTP 401", "auth"),
        ("rate_limited", 401, "401 credentials refused", "auth"),
        ("rate_limited", 403, "403 credentials refused", "auth"),
        ("dead", 422, "422 refused: the document was not accepted", "refused_document"),
        ("rate_limited", 429, "429 too many requests", "rate_limited"),
        ("retry", 200, "empty answer: the helper refused the record", "empty_answer"),
        ("retry", None, "answer larger than 1048576 bytes", "too_large"),
        ("retry", None, "connection failed: TimeoutError", "timeout"),
        ("retry", None, "connection failed: ConnectionRefusedError", "refused"),
        ("retry", None, "connection failed: gaierror", "dns"),
        ("retry", None, "connection failed: SSLCertVerificationError", "certificate"),
        ("retry", None, "connection failed: RemoteDisconnected", "dropped"),
        ("retry", None, "connection failed: BadStatusLine", "bad_answer"),
        ("retry", None, "connection failed: AddressRefused", "address_internal"),
        ("retry", None, "connection failed: AddressNeverAllowed", "address_never"),
        ("retry", None, "connection failed: NetworkUnreachableError", "network"),
        ("retry", None, "sending failed: RecursionError", "bad_answer"),
        ("retry", None, "sending failed: KeyError", "unexpected"),
    ],
)
def test_every_stored_reason_has_a_code_the_console_words(
    result: str, status: int | None, reason: str, code: str
) -> None:
    """Reasons as the senders store them (rows written before the codes existed included)."""
    from kiosk.server.console.i18n import MESSAGES
    from kiosk.server.forwarding.explain import CODES, failure_code

    assert failure_code(result, status, reason) == code
    assert set(CODES) == {k.removeprefix("fwd_why_") for k in MESSAGES if k.startswith("fwd_why_")}


def test_a_round_longer_than_the_sqlite_lease_still_records_its_answers(
    api: ApiClient, engine: Engine, tmp_path: Path
) -> None:
    """A slow destination (each answer 0.4 s, one at a time) makes a round of 8 signatures
    outlast a 1.5 s lease: the forwarder keeps its lease while it sends, so the answers are
    recorded, instead of being thrown away and every signature sent again at every pass."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the lease is SQLite's")
    version = s.text_version(engine)
    api.push([s.wire_signature(s.personal(i, True), version) for i in range(8)])
    with running(ScriptedCrm("slow:0.4")) as crm:
        spec = dst.DestinationSpec(
            "slow", "webhook", s.CAMPAIGN, crm.url(), allow_http=True, concurrency=1
        )
        _service(engine, tmp_path).add(spec, "test")
        fwd = s.forwarder(engine, tmp_path, lease_ttl=1.5)
        fwd.run_once()
        fwd.close()
        assert len(crm.requests) == 8
    assert _service(engine, tmp_path).status("slow")[0].counts == {"sent": 8}
