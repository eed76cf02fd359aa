"""The sync engine: the kiosk's outbox, sent to ``kiosk-server`` one pass at a time (no Qt).

A pass (:meth:`SyncEngine.run_once`) does, in order:

1. **Events**: every event not yet sent.
2. **Signatures**: pending signatures, oldest first, in batches of at most
   :data:`kiosk.wire.BASE_BATCH_SIGNATURES` (or the server's own limit, once a push's answer
   names it, up to :data:`kiosk.wire.MAX_BATCH_SIGNATURES`) and about :data:`BATCH_BYTES` of
   JSON. Each signature is marked only after the server's answer names it: ``created`` and
   ``duplicate`` mark it synced, ``conflict`` marks it conflict (kept, counted, shown to staff,
   never re-sent); anything the answer does not name stays pending. An answer that does not
   validate marks nothing.
3. **Voids**: pending voids, the same way; ``unknown`` (the server lacks the signature) stays
   pending for a later pass.
4. **Campaigns**: pulled with ``If-None-Match``; each document is validated with
   :func:`~kiosk.domain.campaign_format.parse_campaign` and installed (see
   :mod:`kiosk.sync.campaigns`); their text versions are stored. New signers get the new text
   once the catalog is reloaded (``on_campaigns_changed``).
5. **Totals**: pulled and persisted, so an offline kiosk still shows the last known progress.

Exactly once: a signature never changes after it is saved, so every retry carries identical
content; the server stores by id and answers a retry with ``duplicate``. A crash or a dropped
connection anywhere in a pass only means the batch is sent again (at-least-once delivery), and
idempotent storage makes that exactly-once. Nothing is ever deleted here.

The engine is synchronous and thread-agnostic: the Qt wrapper (:mod:`kiosk.sync.qt`) runs it on
a worker thread; the command line calls it directly.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import httpx
import pybase64
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_json
from sqlalchemy.exc import SQLAlchemyError

import kiosk
from kiosk.adapters.crypto import CryptoError, KeyFolder
from kiosk.domain.campaign import Campaign
from kiosk.domain.campaign_format import CampaignFormatError, parse_campaign
from kiosk.domain.metadata import STORED_COLUMNS, from_ms
from kiosk.domain.ports import Clock, KioskStore, OutboxRow, Requeued, utc_now
from kiosk.domain.signature import SyncState
from kiosk.sync import state
from kiosk.sync.campaigns import install_documents
from kiosk.sync.client import SyncClient, SyncError, check_url
from kiosk.sync.state import Enrollment, ServerTotals
from kiosk.sync.status import SyncErrorCode, SyncSnapshot
from kiosk.wire import (
    MAX_BATCH_AUDIT,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SIGNATURES,
    MAX_BATCH_VOIDS,
    MAX_BODY_BYTES,
    MAX_REPORTED_PENDING,
    AuditHead,
    KioskReport,
    PushRequest,
    PushResponse,
    WireAuditEntry,
    WireEvent,
    WireSignature,
    WireVoid,
    defuse,
)

log = logging.getLogger("kiosk.sync")


#: Target size of one push body, in bytes (well under the server's limit).
BATCH_BYTES = MAX_BODY_BYTES // 2
#: Bytes one signature adds to a body besides its sealed data (ids, times, slugs, JSON).
_SIGNATURE_OVERHEAD = 600
#: Pushes of signatures in flight at once. Two: while the server (or its database) works on
#: one batch, it already reads the next, and the kiosk reads and encodes the one after; each
#: answer's marks are written on a thread of their own. A 10k sync to PostgreSQL took 0.74 s
#: with one in flight and 0.64 s with two (one server process; 0.56 s with two processes);
#: three gained nothing more (docs/benchmarks-history.md, "sync, round 7").
PIPELINE_DEPTH = 2

#: Failures of a pass after which the server, having answered as a kiosk-server does, is told
#: at once (a kiosk stuck on one is seen in the console without waiting for a pass that gets
#: through). Not when it cannot be reached, refuses this kiosk or asks it to wait, nor after an
#: answer that is not a kiosk-server's (``BAD_RESPONSE``: a captive portal, a wrong address).
_REPORTED_AT_ONCE = frozenset(
    {SyncErrorCode.SERVER_ERROR, SyncErrorCode.REFUSED, SyncErrorCode.LOCAL_ERROR}
)


#: Refused server campaign documents worded one by one in a pass's report and log.
_MAX_CAMPAIGN_ERRORS: Final = 20
#: Distinct reasons for refused signatures a report keeps (a server words each; a hostile one
#: could word each differently).
_MAX_REJECTED_REASONS: Final = 10

#: Where an outbox row (``kiosk.domain.ports.OutboxRow``) holds the sealed personal data: last.
_SEALED: Final = -1


def _wire_values(row: OutboxRow) -> dict[str, Any]:
    """The fields of an outbox row as :class:`kiosk.wire.WireSignature` takes them (not yet
    validated; raises ``ValueError``, ``TypeError`` or ``OverflowError`` on a stored time that
    is no time)."""
    values: dict[str, Any] = dict(zip(STORED_COLUMNS, row[1:-1], strict=True))  # seq..sealed
    values["created_at"] = from_ms(values.pop("created_ms"))
    values["synthetic"] = bool(values["synthetic"])
    values["sealed"] = row[-1]
    return values


#: Validates a batch's signatures in one call (a model instance each).
_WIRE_SIGNATURES = TypeAdapter(list[WireSignature])


def _rule_broken(exc: Exception) -> object:
    """What a row that cannot be sent breaks, for the log: the field, never its value."""
    if isinstance(exc, ValidationError):
        return exc.errors()[0].get("loc") if exc.errors() else "?"
    return f"a stored value of the wrong kind ({type(exc).__name__})"


def _encoded(values: list[dict[str, Any]]) -> bytes:
    """The JSON body of a push of signatures (empty for none), from their fields as validated
    by :data:`_WIRE_SIGNATURES` (the sealed data base64-encoded here, in place). Encoded by the
    thread that reads the outbox while the last push is in flight, not by the push itself.

    The fields are written as they were validated, in one call to pydantic's JSON writer:
    about half the cost of dumping the validated models, whose sealed data goes through a
    Python serializer each. A test checks that the server reads back the same models.
    """
    if not values:
        return b""
    for v in values:
        v["sealed"] = pybase64.b64encode_as_string(v["sealed"])
    return to_json({"signatures": values})


@dataclass
class SyncReport:
    """What one pass did (counts only: no personal data).

    Attributes:
        server_url: the address used.
        signatures_sent: signatures in pushes the server answered (a re-sent batch counts
            again; a push that failed, e.g. to a server that cannot be reached, does not).
        created: signatures the server stored now.
        duplicate: signatures the server already had (retries).
        conflict: signatures the server holds with different content (marked conflict).
        unacknowledged: signatures sent but not named in an answer (still pending).
        rejected: signatures the server refused (``reason`` in its answer; still pending).
        rejected_reasons: the server's reasons for them, each with how many it was given
            for (the first :data:`_MAX_REJECTED_REASONS` distinct ones).
        server_lost: set when the server holds less than it had acknowledged (its database was
            restored from an older backup): it answered fewer signatures stored from this
            kiosk than it had told it before, or a head of this kiosk's audit trail older than
            one it had acknowledged. What was made pending again to send it back
            (:class:`kiosk.domain.ports.Requeued`), else None.
        unsendable: signatures that break a wire rule and were not sent (still pending).
        damaged: signatures found with no personal data though never synced: marked
            ``damaged`` and never sent (see :attr:`SyncState.DAMAGED`).
        voids_sent: voids put on the wire.
        voids_created: voids stored now.
        voids_duplicate: voids the server already had.
        voids_conflict: voids that differ from the one the server has.
        voids_unknown: voids of signatures the server does not have yet (still pending).
        events_sent: events put on the wire.
        audit_sent: audit trail entries put on the wire.
        campaigns_changed: slugs of server campaigns added, changed or removed.
        campaign_errors: server campaign documents refused by validation (the first
            :data:`_MAX_CAMPAIGN_ERRORS`; ``campaign_errors_more`` counts the rest).
        totals_updated: the totals were pulled.
        pending_left: signatures and voids still pending after the pass.
        error: why the pass stopped early, or None.
        error_detail: a technical detail of the error (English).
        retry_after: seconds the server asked to wait before retrying, if it did.
        cancelled: the pass was stopped by :meth:`SyncEngine.cancel`.
    """

    server_url: str | None = None
    signatures_sent: int = 0
    created: int = 0
    duplicate: int = 0
    conflict: int = 0
    unacknowledged: int = 0
    rejected: int = 0
    rejected_reasons: dict[str, int] = field(default_factory=dict)
    server_lost: Requeued | None = None
    unsendable: int = 0
    damaged: int = 0
    voids_sent: int = 0
    voids_created: int = 0
    voids_duplicate: int = 0
    voids_conflict: int = 0
    voids_unknown: int = 0
    events_sent: int = 0
    audit_sent: int = 0
    campaigns_changed: list[str] = field(default_factory=list)
    campaign_errors: list[str] = field(default_factory=list)
    campaign_errors_more: int = 0
    totals_updated: bool = False
    pending_left: int = 0
    error: SyncErrorCode | None = None
    error_detail: str = ""
    retry_after: float | None = None
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        """The pass completed (every phase ran without error)."""
        return self.error is None and not self.cancelled

    @property
    def held_back(self) -> int:
        """Signatures this pass should have delivered that stay pending: refused by the
        server, sent but not named in its answer, or breaking a wire rule."""
        return self.rejected + self.unacknowledged + self.unsendable

    @property
    def complete(self) -> bool:
        """The pass completed and delivered every signature it read (damaged ones aside:
        they leave the outbox)."""
        return self.ok and not self.held_back

    def summary(self) -> str:
        """One line for logs and the command line."""
        signatures = (
            f"sent {self.signatures_sent} signatures (created {self.created}, duplicate "
            f"{self.duplicate}, conflict {self.conflict})"
        )
        voids = (
            f"{self.voids_sent} voids (created {self.voids_created}, duplicate "
            f"{self.voids_duplicate}, conflict {self.voids_conflict}, "
            f"unknown {self.voids_unknown})"
        )
        parts = [signatures, voids, f"{self.events_sent} events"]
        if self.campaigns_changed:
            parts.append(f"campaigns updated: {', '.join(self.campaigns_changed)}")
        if self.rejected:
            parts.append(f"{self.rejected} refused by the server")
        if self.unsendable:
            parts.append(f"{self.unsendable} not sendable")
        if self.damaged:
            parts.append(f"{self.damaged} damaged (no personal data)")
        if self.unacknowledged:
            parts.append(f"{self.unacknowledged} not acknowledged")
        if self.server_lost is not None:
            parts.append(
                f"the server had lost what it acknowledged: {self.server_lost.signatures} "
                f"signatures sent again, {self.server_lost.unrecoverable} could not be "
                "(personal data already deleted)"
            )
        parts.append(f"pending left {self.pending_left}")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class EnrollResult:
    """The outcome of a successful enrollment.

    Attributes:
        enrollment: the stored identity.
        key_installed: the server's organization key was installed now.
        has_key: the kiosk has an organization key (it can collect signatures).
    """

    enrollment: Enrollment
    key_installed: bool
    has_key: bool


class _Cancelled(Exception):
    pass


def _count_reasons(results: list[Any], into: dict[str, int]) -> None:
    """Count the reasons of the ``rejected`` results into ``into`` (bounded, see above)."""
    for r in results:
        if r.status != "rejected":
            continue
        # The server's words go to a terminal and a log: no escape sequence nor bidi override.
        reason = defuse(r.reason or "") or "no reason given"
        if reason in into or len(into) < _MAX_REJECTED_REASONS:
            into[reason] = into.get(reason, 0) + 1


def _decode_public_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip().encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise SyncError(
            SyncErrorCode.BAD_RESPONSE, "the server's organization key is not base64"
        ) from None
    if len(key) != 32:
        raise SyncError(SyncErrorCode.BAD_RESPONSE, "the server's organization key is not 32 bytes")
    return key


class SyncEngine:
    """Sends the outbox and pulls campaigns and totals; one pass per :meth:`run_once`.

    Passes must not overlap (the Qt wrapper and the command line run one at a time);
    :meth:`snapshot` and :meth:`cancel` may be called from any thread.
    """

    #: Pushes of signatures in flight at once (1: wait for each answer before the next push).
    pipeline_depth: int = PIPELINE_DEPTH

    def __init__(
        self,
        store: KioskStore,
        keys: KeyFolder,
        campaigns_dir: Path,
        clock: Clock = utc_now,
        transport: httpx.BaseTransport | None = None,
        batch_size: int = MAX_BATCH_SIGNATURES,
        on_campaigns_changed: Callable[[list[str]], None] | None = None,
        timeout: float | None = None,
        on_acknowledged: Callable[[], object] | None = None,
        on_enrolled: Callable[[Enrollment], object] | None = None,
    ) -> None:
        """Wire the engine.

        Args:
            store: the kiosk's store (outbox and settings).
            keys: the kiosk's key folder (enrollment installs the organization key there).
            campaigns_dir: where server campaign documents are installed.
            clock: returns the current aware UTC time.
            transport: an httpx transport instead of the network (tests, fault injection).
            batch_size: most signatures per push (at most the wire limit; a server that names
                no limit of its own gets at most :data:`kiosk.wire.BASE_BATCH_SIGNATURES`).
            on_campaigns_changed: called (on the engine's thread) with the slugs of changed
                server campaigns, so the owner can reload its catalog.
            timeout: seconds for each read and write (None: the client's default).
            on_acknowledged: called (on the engine's thread) after a pass in which the server
                acknowledged signatures, e.g. to apply the retention policy.
            on_enrolled: called after a successful enrollment, e.g. to write the audit trail.
        """
        self.store = store
        self.keys = keys
        self.campaigns_dir = campaigns_dir
        self._clock = clock
        self._transport = transport
        self.batch_size = max(1, min(batch_size, MAX_BATCH_SIGNATURES))
        self.on_campaigns_changed = on_campaigns_changed
        self._timeout = timeout
        self.on_acknowledged = on_acknowledged
        self.on_enrolled = on_enrolled
        self._cancel = threading.Event()

    # -- state ---------------------------------------------------------------------------------

    def enrollment(self) -> Enrollment | None:
        """This kiosk's server identity, or None when not connected."""
        return state.load_enrollment(self.store, self.keys)

    def totals(self) -> ServerTotals | None:
        """The last totals pulled from the server, or None."""
        return state.load_totals(self.store)

    def snapshot(self, running: bool = False, next_attempt: datetime | None = None) -> SyncSnapshot:
        """The sync state for staff mode (reads the store: call it off the UI thread).

        Args:
            running: a pass is under way.
            next_attempt: when the next attempt is scheduled, if backing off.
        """
        enrollment = self.enrollment()
        outcome = state.load_outcome(self.store)
        by_state = self.store.counts().by_sync_state
        error, detail = outcome.error, outcome.detail
        refused, reasons = state.load_refused(self.store)
        if enrollment is None and error is None:
            error, detail = SyncErrorCode.NOT_CONNECTED, "no server is configured"
        return SyncSnapshot(
            server_url=enrollment.server_url if enrollment else None,
            pending=self.store.pending_count(),
            running=running,
            last_success=outcome.last_success,
            last_error=error,
            last_error_detail=detail,
            conflicts=int(by_state.get(SyncState.CONFLICT.value, 0)),
            next_attempt=next_attempt,
            refused=refused,
            refused_reasons=reasons,
        )

    def cancel(self) -> None:
        """Stop the running pass after its current request (or, if none runs, the next one).

        May be called from any thread.
        """
        self._cancel.set()

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise _Cancelled()

    def _client(
        self, url: str, token: str | None, ca_bundle: str | None, allow_insecure: bool
    ) -> SyncClient:
        from kiosk.domain.demo import is_demo

        kwargs: dict[str, Any] = {}
        if self._timeout is not None:
            kwargs["timeout"] = self._timeout
        return SyncClient(
            url,
            token=token,
            ca_bundle=ca_bundle,
            allow_insecure=allow_insecure,
            transport=self._transport,
            demo=is_demo(self.store),  # a demo kiosk says so in every request
            **kwargs,
        )

    # -- enrollment ----------------------------------------------------------------------------

    def enroll(
        self,
        server_url: str,
        code: str,
        name: str | None = None,
        ca_bundle: str | None = None,
        allow_insecure: bool = False,
    ) -> EnrollResult:
        """Connect this kiosk to a server with a one-time code.

        If the server hands out the organization's public key and the kiosk has none, it is
        installed. If the kiosk already has a *different* key, enrollment is refused
        (``KEY_MISMATCH``): signatures already sealed to the kiosk's key could not be read by
        the server's organization, and switching silently would split the data.

        Args:
            server_url: the server address.
            code: the one-time code from ``kiosk-server enroll-code``.
            name: the kiosk's name on the server (None: the name given with the code).
            ca_bundle: a PEM file of CAs to trust instead of the system store (persisted).
            allow_insecure: staff allow plain http to a non-local host (persisted).

        Raises:
            SyncError: the URL policy, the network, the code or the key refused it.
        """
        try:
            base = check_url(server_url, allow_insecure)
            with self._client(base, None, ca_bundle, allow_insecure) as client:
                reply = client.enroll(code, name)
            key_installed = False
            if reply.org_public_key:
                key = _decode_public_key(reply.org_public_key)
                if self.keys.has_public_key():
                    try:
                        mine = self.keys.public_key()
                    except CryptoError as exc:
                        raise SyncError(SyncErrorCode.KEY_MISMATCH, str(exc)) from None
                    if mine != key:
                        raise SyncError(
                            SyncErrorCode.KEY_MISMATCH,
                            "the code is used up: ask for a new one once the keys agree",
                        )
                else:
                    try:
                        self.keys.install_public_key(key)
                    except (CryptoError, OSError) as exc:
                        raise SyncError(
                            SyncErrorCode.LOCAL_ERROR, f"cannot install the key: {exc}"
                        ) from None
                    key_installed = True
        except SyncError as exc:
            state.record_error(self.store, exc.code, exc.detail, self._clock())
            log.warning("enrollment with %s failed: %s", server_url, exc.code.value)
            raise
        enrollment = Enrollment(
            server_url=base,
            device_id=reply.device_id,
            token=reply.token,
            server_name=reply.server_name,
            allow_insecure=allow_insecure,
            ca_bundle=str(ca_bundle) if ca_bundle else None,
            enrolled_at=self._clock(),
        )
        state.save_enrollment(self.store, enrollment, self.keys)
        self.store.set_setting(state.KEY_CAMPAIGNS_ETAG, None)
        self.store.set_setting(state.KEY_LAST_ERROR, None)
        log.info("enrolled with %s as device %s", base, reply.device_id)
        self._hook(self.on_enrolled, enrollment)
        return EnrollResult(enrollment, key_installed, self.keys.has_public_key())

    # -- a pass --------------------------------------------------------------------------------

    def run_once(
        self,
        server_url: str | None = None,
        ca_bundle: str | None = None,
        allow_insecure: bool | None = None,
    ) -> SyncReport:
        """Run one sync pass; never raises for network or server failures.

        Args:
            server_url: reach the enrolled server by another address for this pass (a proxy).
            ca_bundle: a CA bundle for this pass instead of the enrolled one.
            allow_insecure: allow plain http for this pass (None: the enrolled setting).

        Returns:
            What was sent and what the server answered; ``error`` says why it stopped early.
        """
        report = SyncReport()
        failed_at: datetime | None = None  # when a pass that the server answered failed
        try:
            enrollment = self.enrollment()
            if enrollment is None:
                raise SyncError(SyncErrorCode.NOT_CONNECTED, "no server is configured")
            url = server_url or enrollment.server_url
            report.server_url = url
            insecure = enrollment.allow_insecure if allow_insecure is None else allow_insecure
            earlier = state.load_outcome(self.store)  # a failure since the last success
            with self._client(
                url, enrollment.token, ca_bundle or enrollment.ca_bundle, insecure
            ) as client:
                try:
                    device_id = enrollment.device_id
                    held = self._check_server_holds(client, device_id, report)
                    try:
                        # With the server's answer, the head of the audit trail was checked
                        # already; a server too old to answer is asked it after the pushes.
                        self._push_everything(client, report, ask_head=held is None)
                        if report.server_lost is not None and held is None:
                            self._push_everything(client, report)  # send it back in this pass
                    finally:
                        if held is not None:
                            self._keep_received(device_id, held + report.created)
                    self._pull_campaigns(client, report)
                    self._pull_totals(client, report)
                except SyncError as exc:
                    # The server answered but the pass failed: say so now, in one short
                    # request, so the console shows a kiosk stuck on the same failure.
                    if exc.code in _REPORTED_AT_ONCE:
                        failed_at = self._clock()
                        self._send_report(client, exc.code.value, failed_at)
                    raise
                except (SQLAlchemyError, OSError):
                    failed_at = self._clock()
                    self._send_report(client, SyncErrorCode.LOCAL_ERROR.value, failed_at)
                    raise
                # After a complete pass, with the failure since the last one (if any).
                self._send_report(client, earlier.error and earlier.error.value, earlier.error_at)
        except SyncError as exc:
            report.error = exc.code
            report.error_detail = exc.detail
            report.retry_after = exc.retry_after
        except _Cancelled:
            report.cancelled = True
        except (SQLAlchemyError, OSError) as exc:
            # The outbox is untouched by a failed local write (each mark is one transaction).
            report.error = SyncErrorCode.LOCAL_ERROR
            report.error_detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            log.exception("sync pass failed on local data")
        finally:
            self._cancel.clear()
        try:
            report.pending_left = self.store.pending_count()
        except SQLAlchemyError:
            report.pending_left = -1
        if report.created or report.duplicate:
            self._hook(self.on_acknowledged)
        now = self._clock()
        if report.ok:
            state.record_success(self.store, now)
            state.record_refused(self.store, report.rejected, report.rejected_reasons)
            log.info("sync pass done: %s", report.summary())
        elif report.error is SyncErrorCode.NOT_CONNECTED:
            log.info("sync skipped: not connected to a server")
        elif report.error is not None:  # at the time the server was told, if it was
            state.record_error(self.store, report.error, report.error_detail, failed_at or now)
            log.warning(
                "sync pass failed (%s: %s): %s",
                report.error.value,
                report.error_detail,
                report.summary(),
            )
        else:
            log.info("sync pass cancelled: %s", report.summary())
        return report

    def _send_report(
        self, client: SyncClient, error: str | None, error_at: datetime | None
    ) -> None:
        """Tell the server how this kiosk is (:class:`kiosk.wire.KioskReport`: signatures still
        pending here, the app version, the last failed pass's error code and time); never fails
        the pass (a server too old for it answers 404)."""
        try:
            pending = min(self.store.pending_count(), MAX_REPORTED_PENDING)
            body = KioskReport(
                pending=pending,
                app_version=kiosk.__version__,
                last_error=error,
                last_error_at=error_at if error else None,
            )
            client.report(body)
        except SyncError as exc:
            log.info("the server did not take this kiosk's report (%s)", exc.code.value)
        except (SQLAlchemyError, OSError, ValidationError) as exc:
            log.warning("no report sent: %s", type(exc).__name__)

    @staticmethod
    def _hook(hook: Callable[..., object] | None, *args: Any) -> None:
        """Run an owner's hook; its failure is logged and never fails sync."""
        if hook is None:
            return
        try:
            hook(*args)
        except Exception:
            log.exception("sync hook %s failed", getattr(hook, "__name__", hook))

    # -- phases --------------------------------------------------------------------------------

    @staticmethod
    def _results(sent: list[uuid.UUID], results: list[Any], what: str) -> dict[uuid.UUID, str]:
        """Per-id statuses of an answer; an answer naming what was not sent marks nothing."""
        sent_set = set(sent)
        out: dict[uuid.UUID, str] = {}
        for r in results:
            if r.id not in sent_set:
                raise SyncError(
                    SyncErrorCode.BAD_RESPONSE, f"the answer names a {what} that was not sent"
                )
            if out.setdefault(r.id, r.status) != r.status:
                raise SyncError(
                    SyncErrorCode.BAD_RESPONSE, f"the answer gives one {what} two statuses"
                )
        return out

    def _push(self, client: SyncClient, request: PushRequest) -> PushResponse:
        self._check_cancel()
        return client.push(request)

    def _push_events(self, client: SyncClient, report: SyncReport) -> None:
        events = self.store.pending_events()
        for start in range(0, len(events), MAX_BATCH_EVENTS):
            batch = events[start : start + MAX_BATCH_EVENTS]
            wire: list[WireEvent] = []
            for e in batch:
                try:
                    wire.append(WireEvent.from_event(e))
                except ValidationError:
                    log.warning("event %s breaks a wire rule; not sent", e.id)
            if not wire:
                continue
            answer = self._push(client, PushRequest(events=wire))
            report.events_sent += len(wire)
            sent_ids = {w.id for w in wire}
            if any(r.id not in sent_ids for r in answer.events):
                raise SyncError(SyncErrorCode.BAD_RESPONSE, "the answer names an event not sent")
            named = {r.id for r in answer.events if r.status != "forbidden"}
            refused = {r.id for r in answer.events if r.status == "forbidden"}
            # An event edited while this request was in flight is pending again with new
            # content: only mark the ones still exactly as sent.
            current = {e.id: e for e in self.store.pending_events()}
            sent_by_id = {e.id: e for e in batch}
            done = [i for i in named if current.get(i) == sent_by_id.get(i)]
            self.store.mark_events(done, SyncState.SYNCED)
            if refused:
                # Another device's event id: final, never sent again (staff see a conflict).
                self.store.mark_events(sorted(refused), SyncState.CONFLICT)
                log.warning("the server refused %d event(s) of another device", len(refused))

    def _signature_batch(
        self, cursor: int, report: SyncReport, limit: int
    ) -> tuple[list[uuid.UUID], bytes, list[OutboxRow], int]:
        """The next batch of pending signatures after the outbox cursor, oldest first: at most
        ``limit`` of them.

        Returns:
            The ids to send and the body that sends them (:func:`_encoded`), every row the
            batch consumed (sent, unsendable or damaged, in order: :meth:`_ranges` needs them),
            and the new cursor. No ids means nothing more to send in this pass. Rows that break
            a wire rule are left pending and not sent (a later pass tries again); rows with no
            personal data are marked damaged.
        """
        while True:
            rows = self.store.pending_rows(cursor, limit)
            if not rows:
                return [], b"", [], cursor
            damaged = [r for r in rows if not r[_SEALED]]
            if damaged:
                self._mark_damaged(damaged, report)
            chosen: list[dict[str, Any]] = []
            taken: list[OutboxRow] = []
            size = 0
            for row in rows:
                sealed = row[_SEALED]
                if sealed:
                    item = len(sealed) * 4 // 3 + _SIGNATURE_OVERHEAD
                    if chosen and size + item > BATCH_BYTES:
                        break
                    try:
                        chosen.append(_wire_values(row))
                        size += item
                    except (ValueError, TypeError, OverflowError) as exc:
                        self._unsendable(row[1], exc, report)
                taken.append(row)
            cursor = taken[-1][0]
            try:
                wire = _WIRE_SIGNATURES.validate_python(chosen)
            except ValidationError:  # rare: find the rows that break a rule, one by one
                wire, kept = [], []
                for values in chosen:
                    try:
                        wire.append(WireSignature.model_validate(values))
                        kept.append(values)
                    except ValidationError as exc:
                        self._unsendable(values["id"], exc, report)
                chosen = kept
            if wire:
                return [w.id for w in wire], _encoded(chosen), taken, cursor

    @staticmethod
    def _unsendable(signature_id: object, exc: Exception, report: SyncReport) -> None:
        """A row that breaks a wire rule: not sent, left pending (a later pass tries again)."""
        report.unsendable += 1
        log.error(
            "signature %r breaks a wire rule and stays pending: %s",
            signature_id,
            _rule_broken(exc),
        )

    def _mark_damaged(self, rows: list[OutboxRow], report: SyncReport) -> None:
        """Take signatures with no personal data out of the outbox (they can never be sent), by
        ``seq``: their ids may be damaged too."""
        self.store.mark_ranges([(r[0], r[0]) for r in rows], SyncState.DAMAGED)
        report.damaged += len(rows)
        log.error(
            "%d unsynced signature(s) have no personal data (the store was damaged or altered);"
            " marked damaged, not sent: %s",
            len(rows),
            ", ".join(str(r[1]) for r in rows[:20]),
        )

    def _push_signatures(self, client: SyncClient, report: SyncReport) -> None:
        """Push every pending signature in batches, oldest first, reading the outbox once.

        A cursor on the outbox's ``seq`` moves past each batch as it is read, so a batch in
        flight is never read again. Up to :attr:`pipeline_depth` pushes are in flight at once;
        the next batch is read and encoded while the server still works on the last one.
        Answers are taken in the order the batches were sent, and each is recorded (the durable
        marks) on a thread of its own, in order, while the next batches are read and sent: the
        batches hold different rows, so the order of these steps does not matter for
        correctness. What an answer does not acknowledge stays pending for the next pass; a
        failed push stops the pass once the other push in flight is answered, and that answer
        is recorded too when it came (the server may take the later batch and refuse the
        earlier one: a rate limit's last token; its rows are stored there, so they are marked,
        not sent again next pass).
        """
        in_flight: deque[tuple[list[OutboxRow], list[uuid.UUID], Future[PushResponse]]]
        in_flight = deque()
        marks: deque[Future[None]] = deque()

        def limit() -> int:  # the server's limit, once an answer names it
            return min(self.batch_size, client.max_signatures)

        ids, body, taken, cursor = self._signature_batch(0, report, limit())
        pushes = ThreadPoolExecutor(self.pipeline_depth, thread_name_prefix="kiosk-sync-push")
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="kiosk-sync-mark") as marker:
                while True:
                    self._check_cancel()
                    while ids and len(in_flight) < self.pipeline_depth:
                        future = pushes.submit(client.push, body)
                        in_flight.append((taken, ids, future))
                        # Read and encode the next batch while the server works on this one.
                        ids, body, taken, cursor = self._signature_batch(cursor, report, limit())
                    while marks and marks[0].done():
                        marks.popleft().result()  # a failed mark stops the pass
                    if not in_flight:
                        break
                    rows, sent, future = in_flight.popleft()
                    try:
                        answer = future.result()  # a failure stops the pass
                    except BaseException:
                        self._take_answered(in_flight, marks, marker, report)
                        raise
                    self._take_answer(rows, sent, answer, marks, marker, report)
                while marks:
                    marks.popleft().result()
        finally:
            # After a failure (or a cancel) the other push still in flight is waited for (its
            # answer, if it came, was recorded above). Not waiting left its connection open
            # when the pass closed the client (a socket leaked per failed pass). It ends as
            # soon as the server answers it or the client's timeout does, as a single push in
            # flight always did.
            pushes.shutdown(wait=True, cancel_futures=True)

    def _take_answer(
        self,
        rows: list[OutboxRow],
        sent: list[uuid.UUID],
        answer: PushResponse,
        marks: deque[Future[None]],
        marker: ThreadPoolExecutor,
        report: SyncReport,
    ) -> None:
        """Count one push's answer and queue its durable marks (on the marker thread, in
        order)."""
        report.signatures_sent += len(sent)  # answered, as voids and events count
        statuses = self._results(sent, answer.signatures, "signature")
        _count_reasons(answer.signatures, report.rejected_reasons)
        marks.append(marker.submit(self._record_signatures, rows, sent, statuses, report))

    def _take_answered(
        self,
        in_flight: deque[tuple[list[OutboxRow], list[uuid.UUID], Future[PushResponse]]],
        marks: deque[Future[None]],
        marker: ThreadPoolExecutor,
        report: SyncReport,
    ) -> None:
        """After a push failed: record the answers of the pushes sent after it that came (the
        server stored those rows), in order, up to the first that did not; then wait for
        every mark. A mark that fails here is logged: the push's own failure is what the pass
        reports."""
        while in_flight:
            rows, sent, future = in_flight.popleft()
            try:
                answer = future.result()
            except BaseException:  # noqa: BLE001 - unanswered: its rows stay pending
                break
            self._take_answer(rows, sent, answer, marks, marker, report)
        in_flight.clear()
        while marks:
            try:
                marks.popleft().result()
            except Exception:  # the pass already fails with the push's own error
                log.exception("sync: recording an answer after a failed push failed")

    @staticmethod
    def _ranges(
        rows: list[OutboxRow], statuses: dict[uuid.UUID, str], wanted: tuple[str, ...]
    ) -> list[tuple[int, int]]:
        """The ``seq`` ranges of the runs of a batch's rows whose status is one of ``wanted``.

        The rows of a batch are every pending row between its first and last ``seq`` (the
        cursor read them in order and new rows get higher ``seq``); a row without personal data
        is no longer pending and does not break a run; any other row (unsendable, another
        status, not answered) does. A row is matched to its answer by the canonical text of its id
        (a sendable id is a UUID's 36 characters in either case; one that is not is never
        answered and breaks the run).
        """
        by_text = {str(i): st for i, st in statuses.items()}
        out: list[tuple[int, int]] = []
        lo = hi = None
        for row in rows:
            st = by_text.get(str(row[1]).lower()) if row[_SEALED] else "damaged"
            if st in wanted or (st == "damaged" and lo is not None):
                if lo is None:
                    lo = row[0]
                hi = row[0]
            elif lo is not None:
                out.append((lo, hi))  # type: ignore[arg-type]
                lo = hi = None
        if lo is not None:
            out.append((lo, hi))  # type: ignore[arg-type]
        return out

    def _record_signatures(
        self,
        rows: list[OutboxRow],
        sent: list[uuid.UUID],
        statuses: dict[uuid.UUID, str],
        report: SyncReport,
    ) -> None:
        """Mark what the server's answer names (by ``seq`` ranges); keep the rest pending."""
        self.store.mark_ranges(
            self._ranges(rows, statuses, ("created", "duplicate")), SyncState.SYNCED
        )
        conflicts = [i for i, st in statuses.items() if st == "conflict"]
        if conflicts:
            self.store.mark_ranges(self._ranges(rows, statuses, ("conflict",)), SyncState.CONFLICT)
        report.created += sum(1 for st in statuses.values() if st == "created")
        report.duplicate += sum(1 for st in statuses.values() if st == "duplicate")
        report.conflict += len(conflicts)
        if conflicts:
            log.warning(
                "the server holds different content for %d signature(s): %s",
                len(conflicts),
                ", ".join(str(i) for i in conflicts[:20]),
            )
        rejected = [i for i, st in statuses.items() if st == "rejected"]
        if rejected:  # not final: kept pending (the cursor moved past them), sent next sync
            report.rejected += len(rejected)
            log.warning(
                "the server refused %d signature(s) (an unknown campaign, say); kept pending, "
                "sent again at the next sync: %s",
                len(rejected),
                ", ".join(str(i) for i in rejected[:20]),
            )
        missing = [i for i in sent if i not in statuses]
        if missing:
            report.unacknowledged += len(missing)
            log.warning("%d signature(s) not named in the answer; kept pending", len(missing))

    def _push_voids(self, client: SyncClient, report: SyncReport) -> None:
        skip: set[uuid.UUID] = set()
        while True:
            self._check_cancel()
            fetched = self.store.pending_voids(MAX_BATCH_VOIDS + len(skip))
            candidates = [v for v in fetched if v.signature_id not in skip][:MAX_BATCH_VOIDS]
            if not candidates:
                return
            wire: list[WireVoid] = []
            for v in candidates:
                try:
                    wire.append(WireVoid.from_void(v))
                except ValidationError:
                    skip.add(v.signature_id)
                    log.error("void of %s breaks a wire rule and stays pending", v.signature_id)
            if not wire:
                continue
            sent = [w.signature_id for w in wire]
            answer = self._push(client, PushRequest(voids=wire))
            report.voids_sent += len(wire)
            statuses = self._results(sent, answer.voids, "void")
            synced = [i for i, st in statuses.items() if st in ("created", "duplicate")]
            # forbidden: another device's signature; final, kept as a conflict for staff.
            conflicts = [i for i, st in statuses.items() if st in ("conflict", "forbidden")]
            self.store.mark_voids(synced, SyncState.SYNCED)
            self.store.mark_voids(conflicts, SyncState.CONFLICT)
            report.voids_created += sum(1 for st in statuses.values() if st == "created")
            report.voids_duplicate += sum(1 for st in statuses.values() if st == "duplicate")
            report.voids_conflict += len(conflicts)
            unknown = [i for i, st in statuses.items() if st == "unknown"]
            report.voids_unknown += len(unknown)
            skip.update(unknown)
            missing = [i for i in sent if i not in statuses]
            skip.update(missing)

    def _push_everything(
        self, client: SyncClient, report: SyncReport, ask_head: bool = True
    ) -> None:
        self._push_events(client, report)
        self._push_signatures(client, report)
        self._push_voids(client, report)
        self._push_audit(client, report, ask_head)

    def _check_server_holds(
        self, client: SyncClient, device_id: str, report: SyncReport
    ) -> int | None:
        """Before anything is pushed, ask what the server holds from this kiosk
        (``GET /device``) and compare it with what it acknowledged before.

        Both figures only ever move forward on a server: fewer signatures stored from this
        kiosk than the least it must hold (:func:`kiosk.sync.state.load_received`), or a head of
        this kiosk's audit trail older than the one it acknowledged (both this kiosk's own
        entries), means its database was restored from an older backup and lost what it had
        acknowledged since. Everything acknowledged that can still be sent is then made pending
        again, in one local transaction, and goes in this pass (the server answers
        ``duplicate`` for what it kept and stores what it lost, each once). The count finds
        it even when no staff action moved the audit trail on since the backup.

        Returns:
            The count of signatures the server holds from this kiosk, or None when the server
            did not say: one too old to answer (404), or an answer that is an error of its own
            or cannot be read (the check is skipped and the pass goes on, the audit head then
            asked after the pushes as before: this check never keeps signatures from being
            sent). A server that cannot be reached, or refuses this kiosk (401, 403), fails
            the pass here as its first push would.
        """
        self._check_cancel()
        try:
            answer = client.device_state()
        except SyncError as exc:
            if exc.status is None or exc.status in (401, 403):
                raise
            if exc.status == 404:
                log.info("the server does not say what it holds from this kiosk (too old)")
            else:
                log.warning("the server did not say what it holds from this kiosk: %s", exc)
            return None
        held = answer.signatures_received
        behind = self._head_behind(answer.audit_head)
        kept = state.load_received(self.store, device_id)
        fewer = kept is not None and held < kept
        if fewer:
            why = [f"{held} signatures from this kiosk although it had acknowledged {kept}"]
            self._send_all_again(report, why, behind)
        elif behind is not None:
            self._send_all_again(report, [], behind)
        return held

    def _head_behind(self, head: AuditHead | None) -> AuditHead | None:
        """``head`` (the server's head of this kiosk's audit trail) when it is older than the
        kept anchor, both this kiosk's own entries: the server lost what it had acknowledged
        since. None otherwise."""
        if head is None:
            return None
        kept = self.keys.audit_anchor()
        if (
            kept is not None
            and head.seq < kept.seq
            and self._is_own_entry(head.seq, head.hash)
            and self._is_own_entry(kept.seq, kept.hash)
        ):
            return head
        return None

    def _send_all_again(self, report: SyncReport, why: list[str], behind: AuditHead | None) -> None:
        """The server lost what it had acknowledged (a database restored from an older
        backup): everything acknowledged that can still be sent is made pending again, in one
        local transaction (with the audit entries after ``behind``, the server's head of the
        trail when that went back, and the kept anchor moved back to it), and logged with
        ``why``. The server answers ``duplicate`` for what it kept."""
        again = self.store.requeue_acknowledged(
            audit_after_seq=None if behind is None else behind.seq
        )
        report.server_lost = again
        if behind is not None:
            anchor = self.keys.audit_anchor()
            why = [
                *why,
                f"this kiosk's audit trail only up to entry {behind.seq} although it had "
                f"acknowledged entry {anchor.seq if anchor else '?'}",
            ]
        log.error(
            "the server holds %s: it lost what it had acknowledged since (a database restored "
            "from an older backup?). Sending again %d signatures, %d voids, %d events and %d "
            "audit entries; %d acknowledged signatures cannot be sent again (their personal "
            "data was already deleted here)",
            " and ".join(why),
            again.signatures,
            again.voids,
            again.events,
            again.audit,
            again.unrecoverable,
        )
        if behind is not None:
            self.keys.save_audit_anchor(behind.seq, behind.hash, backwards=True)

    def _keep_received(self, device_id: str, count: int) -> None:
        """Keep the least count of signatures the server must now hold from this kiosk (no
        write when it did not change: a pass that sent nothing commits nothing for it); a
        failure to write it is logged (the next pass compares with the older, smaller one)."""
        try:
            if state.load_received(self.store, device_id) != count:
                state.save_received(self.store, device_id, count)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("the server's count of this kiosk's signatures was not kept: %s", exc)

    def _push_audit(self, client: SyncClient, report: SyncReport, ask_head: bool = True) -> None:
        """Push the audit trail (oldest first); mark the entries the server names as synced.

        A server older than the audit field refuses it (422): the entries stay pending and the
        pass goes on. With nothing to push and ``ask_head``, the head of the trail is asked
        for anyway (:meth:`_check_server_head`).
        """
        skip: set[int] = set()
        pushed = False
        while True:
            self._check_cancel()
            fetched = self.store.pending_audit(MAX_BATCH_AUDIT + len(skip))
            candidates = [e for e in fetched if e.seq not in skip][:MAX_BATCH_AUDIT]
            if not candidates:
                if not pushed and ask_head:
                    self._check_server_head(client, report)
                return
            wire: list[WireAuditEntry] = []
            for e in candidates:
                try:
                    wire.append(WireAuditEntry.from_entry(e))
                except ValidationError:
                    skip.add(e.seq)
                    log.error("audit entry %d breaks a wire rule and stays pending", e.seq)
            if not wire:
                continue
            try:
                answer = self._push(client, PushRequest(audit=wire, audit_key=self._audit_key()))
            except SyncError as exc:
                if exc.status == 422:
                    log.warning("the server does not take audit entries; they stay pending")
                    return
                raise
            pushed = True
            report.audit_sent += len(wire)
            sent = {w.seq for w in wire}
            named = {r.seq: r.status for r in answer.audit}
            if not set(named) <= sent:
                raise SyncError(
                    SyncErrorCode.BAD_RESPONSE, "the answer names an audit entry not sent"
                )
            self.store.mark_audit(
                sorted(q for q, st in named.items() if st != "conflict"), SyncState.SYNCED
            )
            self.store.mark_audit(
                sorted(q for q, st in named.items() if st == "conflict"), SyncState.CONFLICT
            )
            skip.update(sent - set(named))
            self._keep_anchor(answer, report)

    def _audit_key(self) -> str | None:
        """The public half of this kiosk's audit key, or None if it cannot be read."""
        try:
            return self.keys.audit_public_key()
        except (CryptoError, OSError) as exc:
            log.error("the audit key cannot be read; entries are pushed without it: %s", exc)
            return None

    def _check_server_head(self, client: SyncClient, report: SyncReport) -> None:
        """With no audit entry to push, ask for the head of this kiosk's trail anyway (a push
        of nothing but the audit key) once one was acknowledged, so a server that lost what
        it acknowledged is found at the next pass, not at the next staff action."""
        if self.keys.audit_anchor() is None:
            return
        key = self._audit_key()
        if key is None:
            return
        try:
            answer = self._push(client, PushRequest(audit_key=key))
        except SyncError as exc:
            if exc.status == 422:  # a server older than the audit field
                return
            raise
        self._keep_anchor(answer, report)

    def _keep_anchor(self, answer: PushResponse, report: SyncReport) -> None:
        """Keep the head the server acknowledged, if it is this kiosk's own entry.

        A head older than the kept one (both this kiosk's own entries) means the server lost
        what it had acknowledged since (a database restored from an older backup): everything
        acknowledged that can still be sent is made pending again (the server answers
        ``duplicate`` for what it kept), and the kept head moves back to the server's.
        """
        head = answer.audit_head
        if head is None:
            return
        if not self._is_own_entry(head.seq, head.hash):
            log.warning("the server's audit head %d is not this kiosk's entry; not kept", head.seq)
            return
        if self._head_behind(head) is not None:
            self._send_all_again(report, [], head)
            return
        self.keys.save_audit_anchor(head.seq, head.hash)

    def _is_own_entry(self, seq: int, entry_hash_hex: str) -> bool:
        """Whether this kiosk's trail holds entry ``seq`` with this hash."""
        entries = self.store.audit_entries(after_seq=seq - 1, limit=1)
        return bool(entries) and entries[0].seq == seq and entries[0].hash == entry_hash_hex

    def _pull_campaigns(self, client: SyncClient, report: SyncReport) -> None:
        self._check_cancel()
        etag = self.store.get_setting(state.KEY_CAMPAIGNS_ETAG)
        if etag and not self.campaigns_dir.is_dir():
            etag = None  # the files are gone: fetch everything again
        reply = client.campaigns(etag)
        if reply.campaigns is None:
            return
        valid: dict[str, dict[str, Any]] = {}
        parsed: dict[str, Campaign] = {}
        refused: set[str] = set()
        for i, doc in enumerate(reply.campaigns.campaigns):
            slug = doc.get("slug")
            try:
                campaign = parse_campaign(doc, f"server campaign {slug or i}")
            except CampaignFormatError as exc:
                if len(report.campaign_errors) < _MAX_CAMPAIGN_ERRORS:
                    report.campaign_errors.append(str(exc))
                    log.warning("server campaign refused: %s", exc)
                else:
                    report.campaign_errors_more += 1
                if isinstance(slug, str):
                    refused.add(slug)
                continue
            valid[campaign.slug] = doc
            parsed[campaign.slug] = campaign
        if report.campaign_errors_more:
            log.warning("and %d more server campaigns refused", report.campaign_errors_more)
        changed = install_documents(self.campaigns_dir, valid, keep=refused)
        now = self._clock()
        for slug in changed:
            if slug in parsed:
                for version in parsed[slug].all_versions():
                    self.store.save_text_version(version, now)
        # With a refused document, keep no ETag: the next pass fetches again (a fixed
        # document, or a newer kiosk that reads it, then gets installed).
        self.store.set_setting(
            state.KEY_CAMPAIGNS_ETAG, reply.etag if not report.campaign_errors else None
        )
        report.campaigns_changed = changed
        if changed and self.on_campaigns_changed is not None:
            self.on_campaigns_changed(changed)

    def _pull_totals(self, client: SyncClient, report: SyncReport) -> None:
        self._check_cancel()
        totals = client.totals()
        state.save_totals(
            self.store, ServerTotals(dict(totals.campaigns), dict(totals.locals), self._clock())
        )
        report.totals_updated = True
