"""The forwarding service: what the command line and the web console call.

Every method opens its own transaction on the server's engine; changes are written to the
server's hash-chained audit trail with who made them (``by``: ``cli:USER`` or
``coordinator:ID``). Nothing here returns a URL path or a credential except :meth:`add`, which
returns the webhook secret it made (shown once).

Also here: how a forwarder gets the organization's key passphrase
(:func:`load_forwarding_keyring`: ``KIOSK_ORG_KEY_PASSPHRASE_FILE`` or
``KIOSK_ORG_KEY_PASSPHRASE``) and the forwarding secret (:func:`load_secret`).
"""

from __future__ import annotations

import builtins
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from kiosk.server.audit import record_server
from kiosk.server.db import write_transaction
from kiosk.server.forwarding import destinations as dst
from kiosk.server.forwarding import outbox
from kiosk.server.forwarding.explain import failure_code
from kiosk.server.forwarding.netguard import NetworkPolicy
from kiosk.server.forwarding.secrets import ForwardingSecret, SecretError, secret_path


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DestinationStatus:
    """A destination and where its outbox stands."""

    destination: dst.Destination
    counts: dict[str, int]
    oldest_pending: datetime | None
    last_sent: datetime | None
    last_failure: str | None
    sent_then_voided: int
    #: Pending rows that failed at least once and wait for their next attempt.
    failing: int = 0
    #: The last failed attempt, as parts (``last_failure`` is their English line): when, its
    #: result (``retry``, ``dead``, ``rate_limited``), its HTTP status, and what it means
    #: (:func:`kiosk.server.forwarding.explain.failure_code`).
    last_failure_at: datetime | None = None
    last_failure_result: str | None = None
    last_failure_status: int | None = None
    last_failure_code: str | None = None
    #: Why the skipped rows were skipped: ``{reason: rows}``.
    skipped_reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            **self.destination.as_dict(),
            "counts": {s: self.counts.get(s, 0) for s in outbox.STATES},
            "oldest_pending": self.oldest_pending.isoformat() if self.oldest_pending else None,
            "last_sent": self.last_sent.isoformat() if self.last_sent else None,
            "last_failure": self.last_failure,
            "sent_then_voided": self.sent_then_voided,
            "failing": self.failing,
            "last_failure_code": self.last_failure_code,
            "skipped_reasons": dict(self.skipped_reasons),
        }


class ForwardingService:
    """List, add, remove, pause, resume, retry and report on forwarding destinations."""

    def __init__(
        self,
        engine: Engine,
        secret: Callable[[bool], ForwardingSecret] | None = None,
        clock: Callable[[], datetime] = _now,
        network: NetworkPolicy | None = None,
    ) -> None:
        """Args:
        engine: the server's database.
        secret: loads the forwarding secret (its argument: make the file when missing); only
            :meth:`add` needs it.
        clock: the current aware UTC time.
        network: which addresses a destination may have (default: public ones only; the
            server's ``KIOSK_FORWARD_ALLOW_NETWORKS``, see :mod:`.netguard`).
        """
        self.engine = engine
        self._secret = secret
        self.clock = clock
        self.network = network or NetworkPolicy()

    def add(self, spec: dst.DestinationSpec, by: str) -> tuple[dst.Destination, str]:
        """Add a destination; return it and its credential.

        Raises:
            DestinationError: invalid settings, or an address the network policy refuses.
            SecretError: no forwarding secret can be made or read.
        """
        if self._secret is None:
            raise SecretError("no forwarding secret configured")
        dst.check_url(spec.url, spec.allow_http, self.network)  # before making a secret file
        secret = self._secret(True)
        now = self.clock()
        with write_transaction(self.engine) as conn:
            dest, credential = dst.add_destination(conn, secret, spec, now, self.network)
            record_server(
                conn,
                "forward_destination_added",
                {
                    "by": by,
                    "destination": dest.name,
                    "kind": dest.kind,
                    "campaign": dest.campaign,
                    "local_campaign": dest.local_campaign,
                    "endpoint": dest.endpoint,
                    "allow_http": dest.allow_http,
                },
                now,
            )
        return dest, credential

    def list(self) -> list[dst.Destination]:
        """Every destination."""
        with self.engine.connect() as conn:
            return dst.list_destinations(conn)

    def change(
        self,
        ref: int | str,
        by: str,
        *,
        url: str | None = None,
        credential: str | None = None,
    ) -> dst.Destination:
        """Give a destination a new URL and/or credential, keeping its outbox and history
        (:func:`~kiosk.server.forwarding.destinations.change_destination`).

        Raises:
            DestinationError: see there.
            SecretError: no forwarding secret can be read.
        """
        if self._secret is None:
            raise SecretError("no forwarding secret configured")
        secret = self._secret(False)
        now = self.clock()
        with write_transaction(self.engine) as conn:
            dest = dst.change_destination(
                conn, secret, ref, now, url=url, credential=credential, network=self.network
            )
            record_server(
                conn,
                "forward_destination_changed",
                {
                    "by": by,
                    "destination": dest.name,
                    "endpoint": dest.endpoint,
                    "url_changed": bool(url),
                    "credential_changed": bool(credential),
                },
                now,
            )
        return dest

    def remove(self, ref: int | str, by: str) -> dst.Destination:
        """Remove a destination and its outbox.

        Raises:
            DestinationError: no such destination.
        """
        now = self.clock()
        with write_transaction(self.engine) as conn:
            dest = dst.remove_destination(conn, ref)
            record_server(
                conn, "forward_destination_removed", {"by": by, "destination": dest.name}, now
            )
        return dest

    def pause(self, ref: int | str, by: str, paused: bool = True) -> dst.Destination:
        """Pause (or resume) a destination.

        Raises:
            DestinationError: no such destination.
        """
        now = self.clock()
        with write_transaction(self.engine) as conn:
            dest = dst.set_paused(conn, ref, paused)
            record_server(
                conn,
                "forward_paused" if paused else "forward_resumed",
                {"by": by, "destination": dest.name},
                now,
            )
        return dest

    def resume(self, ref: int | str, by: str) -> dst.Destination:
        """Resume a paused destination."""
        return self.pause(ref, by, paused=False)

    def retry(
        self, ref: int | str, by: str, signature_ids: Sequence[uuid.UUID] | None = None
    ) -> int:
        """Put a destination's dead letters (or only the given ones) back in the queue and lift
        a 429 hold; return how many rows were requeued.

        Raises:
            DestinationError: no such destination.
        """
        now = self.clock()
        with write_transaction(self.engine) as conn:
            dest = dst.get_destination(conn, ref)
            n = outbox.requeue(conn, dest.id, now, signature_ids)
            conn.execute(
                dst.DESTINATIONS.update()
                .where(dst.DESTINATIONS.c.id == dest.id)
                .values(not_before=None)
            )
            record_server(
                conn,
                "forward_retry",
                {
                    "by": by,
                    "destination": dest.name,
                    "requeued": n,
                    "signatures": [str(s) for s in signature_ids][:100]
                    if signature_ids is not None
                    else None,
                },
                now,
            )
        return n

    def status(self, ref: int | str | None = None) -> builtins.list[DestinationStatus]:
        """Each destination's outbox counts, oldest pending row, last send and last failure."""
        o = outbox.OUTBOX.c
        a = outbox.ATTEMPTS.c
        with self.engine.connect() as conn:
            dests = (
                [dst.get_destination(conn, ref)] if ref is not None else dst.list_destinations(conn)
            )
            counts = outbox.state_counts(conn)
            failing = outbox.failing_counts(conn)
            skips = outbox.skip_reason_counts(conn)
            voided_counts = outbox.sent_then_voided_counts(conn)
            out: list[DestinationStatus] = []
            for d in dests:
                oldest = conn.execute(
                    select(func.min(o.queued_at)).where(
                        o.destination_id == d.id, o.state == outbox.PENDING
                    )
                ).scalar_one()
                # Each of these reads one entry of ix_forward_attempts_destination_result_at:
                # at 200,000 forwarded, max(sent_at) over the outbox and the last failure by
                # id took 44 and 20 ms a destination on SQLite.
                last_sent = conn.execute(
                    select(a.at)
                    .where(a.destination_id == d.id, a.result == "sent")
                    .order_by(a.at.desc())
                    .limit(1)
                ).scalar()
                fails = [
                    conn.execute(
                        select(a.at, a.id, a.result, a.status, a.reason)
                        .where(a.destination_id == d.id, a.result == result)
                        .order_by(a.at.desc(), a.id.desc())
                        .limit(1)
                    ).first()
                    for result in ("retry", "dead", "rate_limited")
                ]
                fail = max(
                    (f for f in fails if f is not None),
                    key=lambda f: (_aware(f.at), f.id),
                    default=None,
                )
                failure = at = None
                if fail is not None:
                    at = _aware(fail.at)
                    when = at.strftime("%Y-%m-%d %H:%M:%S UTC") if at else ""
                    failure = f"{when} {fail.result}: {fail.reason or fail.status}"
                voided = voided_counts.get(d.id, 0)
                out.append(
                    DestinationStatus(
                        d,
                        dict(counts.get(d.id, Counter())),
                        _aware(oldest),
                        _aware(last_sent),
                        failure,
                        voided,
                        failing.get(d.id, 0),
                        last_failure_at=at,
                        last_failure_result=fail.result if fail is not None else None,
                        last_failure_status=fail.status if fail is not None else None,
                        last_failure_code=failure_code(fail.result, fail.status, fail.reason)
                        if fail is not None
                        else None,
                        skipped_reasons=dict(skips.get(d.id, Counter())),
                    )
                )
        return out

    def forwarder_seen(self) -> datetime | None:
        """When a forwarder (``kiosk-server forward run``) last ran a pass; None: never."""
        with self.engine.connect() as conn:
            return outbox.last_seen(conn)

    def items(self, ref: int | str, state: str, limit: int = 50) -> builtins.list[dict[str, Any]]:
        """A destination's dead letters (``dead``) or skips (``skipped``), oldest first; a dead
        letter's ``code`` says why, as :func:`~kiosk.server.forwarding.explain.failure_code`."""
        with self.engine.connect() as conn:
            dest = dst.get_destination(conn, ref)
            rows = outbox.items_in_state(conn, dest.id, state, limit)
        if state == outbox.DEAD:
            for r in rows:
                r["code"] = failure_code("dead", r["last_status"], r["reason"])
        return rows

    def sent_then_voided(
        self, ref: int | str | None = None, limit: int | None = None
    ) -> builtins.list[dict[str, Any]]:
        """Signatures forwarded before they were voided (the CRM still holds them), oldest
        first (the first ``limit`` of them, if given)."""
        with self.engine.connect() as conn:
            dest_id = dst.get_destination(conn, ref).id if ref is not None else None
            names = {d.id: d.name for d in dst.list_destinations(conn)}
            rows = outbox.sent_then_voided(conn, dest_id, limit)
        for r in rows:
            r["destination"] = names.get(r.pop("destination_id"))
        return rows


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite aggregates come back as text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def load_secret(
    data_dir: Path | None, environ: dict[str, str] | None = None
) -> Callable[[bool], ForwardingSecret]:
    """A loader of the forwarding secret (``$KIOSK_FORWARD_SECRET_FILE`` or the data dir's)."""

    def loader(create: bool) -> ForwardingSecret:
        return ForwardingSecret.load(secret_path(data_dir, environ), create=create)

    return loader


def read_passphrase(environ: dict[str, str] | None = None) -> str | None:
    """The organization key's passphrase for a forwarder, as every server command reads it
    (:func:`kiosk.server.keys.key_passphrase`: the first line of the file named by
    ``KIOSK_ORG_KEY_PASSPHRASE_FILE``, which must not be readable by group or others, else
    ``KIOSK_ORG_KEY_PASSPHRASE``, else None).

    Raises:
        SecretError: the file is missing, unreadable, empty or too open.
    """
    from kiosk.server.keys import KeyConfigError, key_passphrase

    try:
        return key_passphrase(environ)
    except KeyConfigError as exc:
        raise SecretError(str(exc)) from None


def load_forwarding_keyring(key_files: Sequence[str], environ: dict[str, str] | None = None) -> Any:
    """The organization's key ring for a forwarder (None when no key file is configured).

    Raises:
        SecretError: the passphrase file cannot be used.
        KeyConfigError: a key file cannot be read or unlocked.
    """
    from kiosk.server.keys import load_keyring

    return load_keyring(key_files, read_passphrase(environ))
