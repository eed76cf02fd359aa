"""Coordinator exports on the server: every kiosk's signatures as CSV lists or PDF packets.

The kiosk's own export code is reused (:mod:`kiosk.exports`: records, CSV rows, packet
grouping; :func:`kiosk.pdf.render_packet`): only the source differs. Rows come from the
server's tables, the sealed personal data is opened with the organization's private key(s) from
key files (:mod:`kiosk.server.keys`), never from the database. Voided signatures are always left
out, synthetic ones unless asked for. Each packet section carries the exact text version signed,
resolved from the text versions the server has stored (every import's ``[[history]]`` too) or,
failing that, the campaign document; a signature whose version is unknown is skipped and counted.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, func, select

from kiosk.adapters.crypto import CryptoError
from kiosk.domain.campaign import Campaign, TextVersion, text_from_dict
from kiosk.domain.campaign_format import parse_campaign
from kiosk.domain.metadata import meta_from
from kiosk.domain.signature import Event, PersonalData
from kiosk.exports import ExportRecord, build_packets, write_csv
from kiosk.server.campaigns import CAMPAIGNS, TEXT_VERSIONS
from kiosk.server.ingest import EVENTS, SIGNATURES, VOIDS
from kiosk.server.keys import KeyRing
from kiosk.server.tallies import normalise_signer  # noqa: F401 - part of this module's API


class ExportError(Exception):
    """An export cannot be made; ``code`` says why: ``no_private_key``, ``campaign_not_found``
    (also an unknown local campaign), ``event_not_found``, ``bad_dates`` (the end not after the
    start) or ``nothing_to_export``."""

    def __init__(self, code: str, message: str, synthetic_left_out: int = 0) -> None:
        self.code = code
        #: For ``nothing_to_export``: the matching synthetic signatures left out (test data an
        #: export with ``include_synthetic`` would print).
        self.synthetic_left_out = synthetic_left_out
        super().__init__(message)


def until_end(text: str, moment: datetime) -> datetime:
    """The end of an export's ``until``, given as typed (``text``) and as parsed (``moment``,
    aware): a date alone counts that whole day (before the next midnight, UTC); a date-time is
    the moment itself. The command line's ``--until`` and the API's ``until`` both end here.

    A date alone is a text :meth:`date.fromisoformat` takes that was parsed as that day's
    midnight: the API's parser reads "20261130" as a Unix time (in 1970), not as a day.

    Raises:
        OverflowError: a date alone of the year 9999's last day.
    """
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return moment
    if moment != datetime.combine(day, time(), UTC):
        return moment
    return moment + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ExportQuery:
    """Which signatures to export: a campaign's (one local campaign's), signed at or after
    ``since`` and before ``until`` (aware instants), at one event (its id)."""

    campaign: str
    local_campaign: str | None = None
    since: datetime | None = None
    include_synthetic: bool = False
    until: datetime | None = None
    event: str | None = None


def audit_detail(query: ExportQuery) -> dict[str, Any]:
    """What an export asked for, as the server's audit trail records it (no personal data)."""
    return {
        "campaign": query.campaign,
        "local_campaign": query.local_campaign,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "event": query.event,
        "include_synthetic": query.include_synthetic,
    }


@dataclass
class ServerExportResult:
    """What an export wrote and what it left out."""

    records: int = 0
    undecryptable: int = 0
    unknown_version: int = 0
    #: How many local campaigns (the parent's own signatures counting as one) the packets are
    #: drawn from, one after another (:func:`iter_packets`; set before the first is yielded).
    groups: int = 0


class ServerTextVersions:
    """The text versions stored on the server, with the lookup :func:`build_packets` uses."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def text_version(self, version_hash: str) -> TextVersion | None:
        """A stored text version by hash, or None."""
        t = TEXT_VERSIONS.c
        row = self._conn.execute(
            select(t.hash, t.campaign, t.local_campaign, t.text).where(t.hash == version_hash)
        ).first()
        if row is None:
            return None
        return TextVersion(row.hash, row.campaign, row.local_campaign, text_from_dict(row.text))


def load_campaign(conn: Connection, slug: str) -> Campaign:
    """The stored campaign document, parsed.

    Raises:
        ExportError: no such campaign on the server.
    """
    doc = conn.execute(
        select(CAMPAIGNS.c.document).where(CAMPAIGNS.c.slug == slug)
    ).scalar_one_or_none()
    if doc is None:
        raise ExportError(
            "campaign_not_found", f"no campaign {slug!r} on this server (see `campaigns list`)"
        )
    return parse_campaign(doc, f"campaign {slug} (stored)")


def check_query(campaign: Campaign, query: ExportQuery) -> None:
    """Refuse a local campaign the campaign does not have, and dates that select nothing.

    Raises:
        ExportError: unknown local campaign (``campaign_not_found``); ``until`` not after
            ``since`` (``bad_dates``).
    """
    if query.since is not None and query.until is not None and query.until <= query.since:
        raise ExportError(
            "bad_dates",
            f"the end ({query.until.isoformat()}) is not after the start "
            f"({query.since.isoformat()})",
        )
    if query.local_campaign and campaign.local(query.local_campaign) is None:
        known = ", ".join(loc.slug for loc in campaign.locals) or "none"
        raise ExportError(
            "campaign_not_found",
            f"{campaign.slug} has no local campaign {query.local_campaign!r} (known: {known})",
        )


def check_event(conn: Connection, query: ExportQuery) -> None:
    """Refuse an event the server has never heard of (a kiosk pushes its events before the
    signatures made at them).

    Raises:
        ExportError: ``event_not_found``.
    """
    if query.event is None:
        return
    found = conn.execute(select(EVENTS.c.id).where(EVENTS.c.id == query.event)).first()
    if found is None:
        raise ExportError("event_not_found", f"no event {query.event!r} on this server")


def _events(conn: Connection) -> dict[str, Event]:
    e = EVENTS.c
    return {
        r.id: Event(r.id, r.name, r.location, r.started_at)
        for r in conn.execute(select(e.id, e.name, e.location, e.started_at))
    }


def _matching(stmt: Any, query: ExportQuery) -> Any:
    """``stmt`` (over the signatures, voided ones left out) narrowed to what ``query`` asks for,
    but for the synthetic ones."""
    s = SIGNATURES.c
    stmt = stmt.select_from(SIGNATURES.outerjoin(VOIDS, VOIDS.c.signature_id == s.id)).where(
        VOIDS.c.signature_id.is_(None), s.campaign == query.campaign
    )
    if query.local_campaign is not None:
        stmt = stmt.where(s.local_campaign == query.local_campaign)
    if query.since is not None:
        stmt = stmt.where(s.created_at >= query.since)
    if query.until is not None:
        stmt = stmt.where(s.created_at < query.until)
    if query.event is not None:
        stmt = stmt.where(s.event_id == query.event)
    return stmt


#: The parent campaign's own signatures (no local campaign) in :func:`_rows`'s ``local``.
_NO_LOCAL = ""


def _rows(conn: Connection, query: ExportQuery, local: str | None = None) -> Any:
    """The matching rows, oldest first; ``local``: only that local campaign's
    (:data:`_NO_LOCAL`: only the parent campaign's own), None: as ``query`` says."""
    s = SIGNATURES.c
    stmt = _matching(select(SIGNATURES), query).order_by(s.created_at, s.id)
    if local == _NO_LOCAL:
        stmt = stmt.where(s.local_campaign.is_(None))
    elif local is not None:
        stmt = stmt.where(s.local_campaign == local)
    if not query.include_synthetic:
        stmt = stmt.where(s.synthetic.is_(False))
    return conn.execute(stmt.execution_options(yield_per=500))


def _synthetic_left_out(conn: Connection, query: ExportQuery) -> int:
    """How many synthetic signatures match but were left out (a trial with ``kiosk
    simulate``): what "nothing exported" then adds."""
    if query.include_synthetic:
        return 0
    count = select(func.count()).where(SIGNATURES.c.synthetic.is_(True))
    return int(conn.execute(_matching(count, query)).scalar_one())


def _synthetic_words(n: int) -> str:
    """:func:`_synthetic_left_out` as ``kiosk export`` says it (empty for none)."""
    if not n:
        return ""
    return (
        f"; {n} synthetic signature{'s' if n != 1 else ''} (test data) left out: add "
        "--include-synthetic (include_synthetic=true over HTTP) to print them as TEST DATA"
    )


def collect(
    conn: Connection,
    keys: KeyRing,
    query: ExportQuery,
    result: ServerExportResult,
    strokes: bool = True,
    local: str | None = None,
) -> Iterator[ExportRecord]:
    """Yield the matching non-void signatures of every kiosk, opened, oldest first.

    Ones that cannot be read (no configured key opens them, or their contents break the strict
    schema of :mod:`kiosk.domain.personal`: quarantined) are counted in
    ``result.undecryptable`` and left out; nothing they hold reaches a CSV row or a packet.

    Args:
        strokes: decode each signature's ink (a packet draws it); False for a CSV, which
            prints none (:meth:`PersonalData.without_strokes`).
        local: only this local campaign's (see :func:`_rows`).
    """
    events = _events(conn)
    # A packet draws the ink: kept encoded until then (PersonalData.from_bytes, defer_ink).
    opened = (
        partial(PersonalData.from_bytes, defer_ink=True)
        if strokes
        else PersonalData.without_strokes
    )
    for r in _rows(conn, query, local):
        try:
            personal = opened(keys.open(r.sealed))
        except (CryptoError, ValueError, KeyError, TypeError):
            result.undecryptable += 1
            continue
        meta = meta_from(r)
        result.records += 1
        yield ExportRecord(meta, personal, events.get(r.event_id or ""))


def require_keys(keys: KeyRing | None) -> KeyRing:
    """``keys``, or :class:`ExportError` ``no_private_key`` when the server has none."""
    if keys is None:
        raise ExportError(
            "no_private_key",
            "no organization private key is configured: give --org-private-key-file FILE "
            "(or KIOSK_ORG_PRIVATE_KEY_FILE); exports need it to open the signatures",
        )
    return keys


def export_csv(
    conn: Connection, keys: KeyRing | None, query: ExportQuery
) -> tuple[bytes, ServerExportResult]:
    """The contact list (CSV, UTF-8, the kiosk's columns) of the matching signatures.

    Raises:
        ExportError: no key, unknown campaign or local campaign.
    """
    ring = require_keys(keys)
    check_query(load_campaign(conn, query.campaign), query)
    check_event(conn, query)
    result = ServerExportResult()
    buf = io.StringIO()
    write_csv(collect(conn, ring, query, result, strokes=False), buf)
    return buf.getvalue().encode("utf-8"), result


def export_packets(
    conn: Connection,
    keys: KeyRing | None,
    query: ExportQuery,
    language: str = "en",
    options: Any = None,
    per_local: bool = True,
    split_state: bool = False,
    per_file: int | None = None,
) -> tuple[list[tuple[str, Any]], ServerExportResult]:
    """Delivery packets (:class:`kiosk.pdf.Packet`) of the matching signatures, all at once
    (see :func:`iter_packets`, which holds one local campaign's at a time).

    Raises:
        ExportError: no key, unknown campaign or local campaign, or nothing to print.
    """
    result = ServerExportResult()
    packets = list(
        iter_packets(conn, keys, query, result, language, options, per_local, split_state, per_file)
    )
    return packets, result


def _groups(conn: Connection, query: ExportQuery) -> list[str]:
    """The local campaigns (:data:`_NO_LOCAL` for the parent's own) of the matching
    signatures, in the order their first signature was given: the order of
    :func:`build_packets`'s packets. Read from the ``(campaign, local_campaign)`` index and
    the rows' times, no sealed data."""
    s = SIGNATURES.c
    stmt = _matching(
        select(func.coalesce(s.local_campaign, _NO_LOCAL), func.min(s.created_at)), query
    )
    if not query.include_synthetic:
        stmt = stmt.where(s.synthetic.is_(False))
    stmt = stmt.group_by(s.local_campaign)
    return [g for g, _first in sorted(conn.execute(stmt).all(), key=lambda r: (r[1], r[0]))]


def iter_packets(
    conn: Connection,
    keys: KeyRing | None,
    query: ExportQuery,
    result: ServerExportResult,
    language: str = "en",
    options: Any = None,
    per_local: bool = True,
    split_state: bool = False,
    per_file: int | None = None,
) -> Iterator[tuple[str, Any]]:
    """Yield the delivery packets (``(name, packet)``, :class:`kiosk.pdf.Packet`) of the
    matching signatures, one local campaign's after another when ``per_local``: only one local
    campaign's signatures are held opened at a time, so a whole campaign of 200,000 can be
    drawn packet by packet (the console's export jobs, ``kiosk-server export``) without
    holding all of them. ``result`` counts what was printed and left out as it goes (complete
    once the last packet is yielded).

    Signatures whose text version the server does not know are left out and counted in
    ``unknown_version`` (the packet would otherwise misstate what they signed).

    Raises:
        ExportError: no key, unknown campaign or local campaign (before the first packet), or
            nothing to print (after the last group, when none made a packet).
    """
    ring = require_keys(keys)
    campaign = load_campaign(conn, query.campaign)
    check_query(campaign, query)
    check_event(conn, query)
    versions = ServerTextVersions(conn)
    known_in_file = {v.hash for v in campaign.all_versions()}
    resolvable: dict[str, bool] = {}
    if per_local and query.local_campaign is None:
        groups: Sequence[str | None] = _groups(conn, query)
    else:
        groups = [None]  # one pass over everything the query matches
    parent_name = campaign.slug if len(groups) > 1 else ""
    result.groups = len(groups)
    made = False
    from kiosk.adapters.geo import ZipcodesDirectory

    directory = ZipcodesDirectory()
    for group in groups:
        records = []
        for rec in collect(conn, ring, query, result, local=group):
            h = rec.meta.text_version
            if h not in resolvable:
                resolvable[h] = h in known_in_file or versions.text_version(h) is not None
            if not resolvable[h]:
                result.unknown_version += 1
                result.records -= 1
                continue
            records.append(rec)
        if not records:
            continue
        packets = build_packets(
            records,
            campaign,
            versions.text_version,
            directory,
            language,
            options,
            per_local=per_local,
            split_state=split_state,
            per_file=per_file,
            parent_name=parent_name if per_local else None,
        )
        del records
        made = True
        yield from packets
    if not made:
        synthetic = _synthetic_left_out(conn, query)
        raise ExportError(
            "nothing_to_export",
            "no signatures match: nothing exported"
            + _left_out(result)
            + _synthetic_words(synthetic),
            synthetic_left_out=synthetic,
        )


def _left_out(result: ServerExportResult) -> str:
    parts = []
    if result.undecryptable:
        parts.append(f"{result.undecryptable} could not be read (see `quarantine list`)")
    if result.unknown_version:
        parts.append(f"{result.unknown_version} have a text version this server does not know")
    return f" ({'; '.join(parts)})" if parts else ""


def describe_left_out(result: ServerExportResult) -> str:
    """A sentence on what was left out, or an empty string."""
    return _left_out(result).strip(" ()")
