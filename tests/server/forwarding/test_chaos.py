"""Forwarding exactly once through faults and crashes (issue #16), at the issue's size: 5,000
signatures from three kiosks (``KIOSK_FORWARD_CHAOS_TOTAL`` changes the total).

The three kiosks run the real ``kiosk sync`` through the fault-injecting
proxy of the sync tests, with kiosk runs killed at random. One signature in ten is synthetic,
about one in three did not opt in, and one in fifteen is voided on the kiosk. The real
``kiosk-server forward run`` forwards to two destinations: a Standard Webhooks receiver behind a
second fault-injecting proxy, and an Action Network-like OSDI endpoint that itself injects
empty-200 refusals, 5xx, 429 and dropped connections and limits the rate. During the run the
server is SIGKILLed twice and the forwarder SIGKILLed twice, each restarted. Then the faults
stop, and the test checks:

- every non-synthetic signature that was not voided before it was forwarded arrived **exactly
  once** at each destination (webhook messages kept by ``webhook-id``, OSDI signatures kept per
  person and petition by the endpoint), nothing synthetic arrived, and every voided one that
  did arrive is reported by ``sent_then_voided``;
- the receivers' logs of every delivery hold no duplicate beyond what the faults explain: one
  ``webhook-id`` always carries the same signature and a signature never comes under two ids
  (nor, at the OSDI endpoint, one identifier for two people), and the redeliveries are at most
  the answers lost on the way (dropped after processing, cut by the proxy, refused with an empty
  200 after storing) plus one round's batch per forwarder kill;
- opt-in honoured: the OSDI endpoint holds exactly the opted-in signers;
- no signer's name, email, phone or street in the server's log nor the forwarder's output.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kiosk.adapters.crypto import SealedBoxSealer, encrypt_private_key
from kiosk.domain.ids import uuid7
from kiosk.domain.signature import PersonalData, SealedSignature, SignatureMeta, Void
from kiosk.server.forwarding.destinations import DestinationSpec, new_webhook_secret
from kiosk.server.forwarding.outbox import OUTBOX, PENDING
from kiosk.server.forwarding.secrets import ForwardingSecret
from kiosk.server.forwarding.service import ForwardingService
from tests.server.forwarding import support as s
from tests.server.forwarding.fakes import FaultScript, OsdiServer, WebhookReceiver, running
from tests.server.live import REPO_ROOT
from tests.sync.chaos_proxy import ChaosProxy, FaultRates
from tests.sync.helpers import TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, make_kiosk, running_server
from tests.sync.test_fault_injection import Runner, ServerKiller

KIOSKS = 3
TOTAL = int(os.environ.get("KIOSK_FORWARD_CHAOS_TOTAL", "5000"))
BATCH = 100
SEED = int(os.environ.get("KIOSK_CHAOS_SEED", "20261203"))
#: A cap: the faulty phase ends as soon as every kill happened and every kiosk synced.
CHAOS_SECONDS = 300.0
CALM_SECONDS = 240.0
TOKEN = "chaos-osdi-token-7f3e"
PASSPHRASE = "forwarding chaos passphrase"


def _signatures(kiosk: Any, k: int) -> tuple[list[Any], dict[str, dict[str, Any]]]:
    """Realistic sealed signatures (opt-in mix, synthetic ones) and what each one holds."""
    rng = random.Random(SEED + k)
    sealer = SealedBoxSealer(TEST_PUBLIC_KEY)
    version = kiosk.catalog.get(s.CAMPAIGN).current_version(None)
    start = datetime.now(UTC) - timedelta(hours=1)
    items, facts = [], {}
    for i in range(TOTAL // KIOSKS + (1 if k < TOTAL % KIOSKS else 0)):
        n = k * 100_000 + i
        opt_in = rng.random() < 0.65
        person: PersonalData = s.personal(n, opt_in, rng)
        created = start + timedelta(milliseconds=i * 11)
        meta = SignatureMeta(
            id=uuid7(int(created.timestamp() * 1000)),
            campaign=s.CAMPAIGN,
            local_campaign=None,
            text_version=version.hash,
            lang=rng.choice(("en", "es")),
            kiosk_id=kiosk.kiosk_id,
            event_id=None,
            created_at=created,
            utc_offset_minutes=-360,
            synthetic=i % 10 == 0,
        )
        items.append((SealedSignature(meta, sealer.seal(person.to_bytes()), ()), version))
        facts[str(meta.id)] = {
            "synthetic": meta.synthetic,
            "opt_in": opt_in,
            "person": person,
            "void": i % 15 == 7,
        }
    return items, facts


class Forwarder:
    """The ``kiosk-server forward run`` process, killed and restarted by the test."""

    def __init__(self, db_url: str, workdir: Path, env: dict[str, str]) -> None:
        self.cmd = [
            sys.executable, "-m", "kiosk.server.cli", "--database-url", db_url,
            "--data-dir", str(workdir), "forward", "run", "--batch", str(BATCH),
            "--backoff-base", "0.5", "--backoff-cap", "3", "--lease-seconds", "10",
            "--org-private-key-file", str(workdir / "org.key"),
        ]  # fmt: skip
        self.env = env
        self.log = workdir / "forwarder.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT
            )

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)
        self.kills += 1

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(60)


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
)
def test_forwarded_exactly_once_through_faults_and_crashes(backend: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    workdir = tmp_path / "server"
    key = workdir / "org.key"
    passfile = tmp_path / "passphrase"
    secret_file = tmp_path / "forwarding.secret"
    with running_server(backend, workdir, startup_timeout=120.0) as server:
        key.write_bytes(encrypt_private_key(bytes(TEST_PRIVATE_KEY), PASSPHRASE))
        key.chmod(0o600)
        passfile.write_text(PASSPHRASE + "\n")
        passfile.chmod(0o600)
        facts: dict[str, dict[str, Any]] = {}
        kiosks: list[Path] = []
        for k in range(KIOSKS):
            kiosk = make_kiosk(tmp_path / f"kiosk{k}")
            items, f = _signatures(kiosk, k)
            facts.update(f)
            kiosk.store.bulk_add(items)
            for sig, _version in items:
                if f[str(sig.meta.id)]["void"]:
                    kiosk.store.add_void(
                        Void(sig.meta.id, "signed twice", datetime.now(UTC), kiosk.kiosk_id)
                    )
            kiosk.sync_engine().enroll(server.base_url, server.code(f"Kiosk {k}"))
            kiosks.append(kiosk.data_dir)
            kiosk.close()

        hook_secret = new_webhook_secret()
        rx_faults = FaultScript(rate=0.08, kinds=("http500", "http503", "drop"), seed=SEED)
        an_faults = FaultScript(
            next=["empty200", "http500", "drop", "drop_before", "http429"],
            rate=0.08,
            kinds=("empty200", "http500", "http503", "http429", "drop", "drop_before"),
            seed=SEED + 1,
        )
        with (
            running(WebhookReceiver(hook_secret, faults=rx_faults)) as rx,
            running(OsdiServer(TOKEN, faults=an_faults, rate=300.0, retry_after=1)) as an,
            ChaosProxy(server.live.port, seed=SEED) as kiosk_proxy,
            ChaosProxy(
                rx.port, seed=SEED + 2, rates=FaultRates(delay=0.1, max_delay=0.2)
            ) as hook_proxy,
        ):
            service = ForwardingService(
                server.db,
                lambda create: ForwardingSecret.load(secret_file, create),
                network=s.LOCAL,
            )
            hook_url = f"http://127.0.0.1:{hook_proxy.port}/hooks/petitions"
            service.add(
                DestinationSpec(
                    "hook",
                    "webhook",
                    s.CAMPAIGN,
                    hook_url,
                    credential=hook_secret,
                ),
                "test",
            )
            service.add(
                DestinationSpec(
                    "an",
                    "osdi",
                    s.CAMPAIGN,
                    an.url(),
                    credential=TOKEN,
                    rate_per_second=250,
                    concurrency=4,
                ),
                "test",
            )
            env = {
                **os.environ,
                "PYTHONPATH": str(REPO_ROOT),
                "KIOSK_ORG_KEY_PASSPHRASE_FILE": str(passfile),
                "KIOSK_FORWARD_SECRET_FILE": str(secret_file),
            }
            env.pop("KIOSK_ORG_KEY_PASSPHRASE", None)
            forwarder = Forwarder(server.database_url, workdir, env)
            forwarder.start()
            runners = [Runner(d, kiosk_proxy.url) for d in kiosks]
            killer = ServerKiller(server, rng)
            backoff_floor = time.monotonic()
            try:
                t0 = time.monotonic()
                # Kills follow progress, so they surely land mid-run: the server when a tenth
                # and half of the signatures are stored, the forwarder when a quarter and three
                # fifths of the webhooks arrived.
                total = len(facts)
                to_forward = sum(1 for f in facts.values() if not f["synthetic"] and not f["void"])
                server_kills = [total // 10, total // 2]
                forwarder_kills = [to_forward // 4, (3 * to_forward) // 5]
                while time.monotonic() - t0 < CHAOS_SECONDS and (
                    server_kills or forwarder_kills or not all(r.done for r in runners)
                ):
                    for r in runners:
                        r.tick(allow_kill=True)
                        if r.proc is None and not r.done:
                            r.start(rng.uniform(1.0, 4.0) if rng.random() < 0.3 else None)
                    if server_kills and not killer.busy and server.count() >= server_kills[0]:
                        server_kills.pop(0)
                        killer.kill_and_restart()
                    if forwarder_kills and len(rx.messages) >= forwarder_kills[0]:
                        forwarder_kills.pop(0)
                        forwarder.kill()
                        time.sleep(rng.uniform(0.2, 1.0))
                        forwarder.start()
                    time.sleep(0.1)
                killer.wait()
                # Calm: no more faults; kiosks finish, the forwarder drains.
                kiosk_proxy.calm = hook_proxy.calm = True
                rx.faults.rate = an.faults.rate = 0.0
                service.retry("hook", "test")  # anything dead-lettered by the faults goes again
                service.retry("an", "test")
                t1 = time.monotonic()
                while time.monotonic() - t1 < CALM_SECONDS:
                    for r in runners:
                        r.tick(allow_kill=False)
                        if r.proc is None and not r.done:
                            r.start(None)
                    if all(r.done for r in runners) and _drained(server.db):
                        break
                    time.sleep(0.2)
            finally:
                for r in runners:
                    r.stop()
                killer.wait()
                stopped = forwarder.stop()
            summary = {
                "backend": backend,
                "seconds": round(time.monotonic() - backoff_floor, 1),
                "server_kills": killer.kills,
                "kiosk_runs": [r.runs for r in runners],
                "kiosk_kills": [r.kills for r in runners],
                "forwarder_kills": forwarder.kills,
                "kiosk_proxy": dict(kiosk_proxy.counts),
                "hook_proxy": dict(hook_proxy.counts),
                "hook_faults": dict(rx.faults.injected),
                "osdi_faults": dict(an.faults.injected),
                "osdi_429": an.counts["429"],
                "hook_redeliveries": sum(n - 1 for n in rx.deliveries.values()),
                "osdi_reposts": sum(n - 1 for n in an.posts.values()),
                "sent_then_voided": len(service.sent_then_voided()),
            }
            print("forwarding chaos:", summary)
            assert all(r.done for r in runners), summary
            assert _drained(server.db), summary
            assert stopped == 0

            voided_report = {r["signature_id"] for r in service.sent_then_voided()}
            real = {sid for sid, f in facts.items() if not f["synthetic"]}
            not_voided = {sid for sid in real if not facts[sid]["void"]}
            # Webhooks: every real, non-voided signature exactly once; voided ones only if
            # they went before their void arrived, and then reported; nothing synthetic.
            delivered = {m["data"]["id"] for m in rx.messages.values()}
            assert not_voided <= delivered, summary
            assert delivered <= real
            assert delivered - not_voided <= voided_report, summary
            assert len(rx.messages) == len(delivered)
            assert rx.rejected == 0, rx.rejections[:5]
            # OSDI: the opted-in ones, each one signature at the endpoint; nobody else.
            stored = an.signature_identifiers()
            an_ids = {i.removeprefix("petition-kiosk:") for i in stored if i.startswith("petition")}
            opted = {sid for sid in not_voided if facts[sid]["opt_in"]}
            assert opted <= an_ids, summary
            assert all(facts[sid]["opt_in"] for sid in an_ids)
            assert an_ids - opted <= voided_report
            assert all(n == 1 for n in stored.values())
            assert {p["email"] for p in an.people.values()} == {
                facts[sid]["person"].email for sid in an_ids
            }
            # Nothing in clear in the server's log or the forwarder's.
            logs = server.live.log_path.read_text(errors="replace") + forwarder.log.read_text(
                errors="replace"
            )
            for sid in real:
                p = facts[sid]["person"]
                for value in (p.email, p.last_name, p.phone, p.street):
                    assert value not in logs
            assert TOKEN not in logs and hook_secret not in logs
            # The receivers' logs: no duplicate beyond the lost answers the faults explain.
            carried: dict[str, set[str]] = {}
            ids_of: dict[str, set[str]] = {}
            for msg_id, sid in rx.log:
                carried.setdefault(msg_id, set()).add(sid)
                ids_of.setdefault(sid, set()).add(msg_id)
            assert all(len(v) == 1 for v in carried.values())
            assert all(len(v) == 1 for v in ids_of.values())
            lost = rx.faults.injected["drop"] + hook_proxy.counts["cut_response"]
            assert summary["hook_redeliveries"] <= lost + BATCH * forwarder.kills, summary
            people_of: dict[str, set[str]] = {}
            for body in an.bodies:
                email = body["person"]["email_addresses"][0]["address"]
                for ident in body["identifiers"]:
                    people_of.setdefault(ident, set()).add(email)
            assert all(len(v) == 1 for v in people_of.values())
            an_lost = an.faults.injected["drop"] + an.faults.injected["empty200"]
            assert summary["osdi_reposts"] <= an_lost + BATCH * forwarder.kills, summary
            # The faults and kills really happened.
            assert killer.kills == 2 and forwarder.kills == 2, summary
            assert sum(rx.faults.injected.values()) > 0 and sum(an.faults.injected.values()) > 0
            assert an.faults.injected["empty200"] > 0 and an.faults.injected["drop"] > 0


def _drained(db: Any) -> bool:
    with db.connect() as conn:
        pending = conn.execute(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.state == PENDING)
        ).scalar_one()
        queued = conn.execute(select(func.count()).select_from(OUTBOX)).scalar_one()
    return pending == 0 and queued > 0
