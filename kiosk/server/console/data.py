"""What the console's pages and the rally screen show, read from the database.

Campaign and local totals come from the running counts (:mod:`kiosk.server.tallies`), and the
charts (signatures per hour and per day) from the hourly counts kept beside them: no page scans
the signatures for them. The rally screen's short-range figures (today at an event, the local
campaigns moving most in the last hour) are range queries on ``ix_signatures_campaign_created``,
bounded by time, leaving out voided, synthetic (unless test data is asked for) and quarantined
signatures, as the counts do.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select
from sqlalchemy.sql.util import ClauseAdapter

from kiosk.domain.campaign import Campaign, LocalizedText
from kiosk.domain.campaign_format import parse_campaign
from kiosk.server.campaigns import CAMPAIGNS, TEXT_VERSIONS
from kiosk.server.db import chunked
from kiosk.server.ingest import CONFLICTS, EVENTS, SIGNATURES, VOIDS
from kiosk.server.models import Device, table_of
from kiosk.server.tallies import COUNTS, FACTS, HOURS, QUARANTINED, by_prefix, read_counts

DEVICES = table_of(Device)
#: A kiosk not seen for this long is marked stale (the default of ``KIOSK_CONSOLE_STALE_HOURS``).
STALE_AFTER = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class LocalRow:
    """One local campaign's line in the overview table."""

    slug: str
    place: str
    state: str
    decision_maker: str
    title: str
    goal: int
    count: int

    @property
    def percent(self) -> float:
        """Progress to goal, 0-100 (capped)."""
        return min(100.0, 100.0 * self.count / self.goal) if self.goal > 0 else 0.0


@dataclass(slots=True)
class CampaignProgress:
    """A campaign's total, goal and local campaigns."""

    slug: str
    title: str
    goal: int
    count: int
    locals: list[LocalRow] = field(default_factory=list)
    #: Of ``count`` (and of the local campaigns' counts), signatures the campaign file says were
    #: collected before or elsewhere (``known_count``): on no sheet the server makes.
    known: int = 0
    known_locals: bool = False

    @property
    def percent(self) -> float:
        """Progress to goal, 0-100 (capped)."""
        return min(100.0, 100.0 * self.count / self.goal) if self.goal > 0 else 0.0


# Parsed campaign documents by (slug, content hash): a document is replaced whole by an import
# (new hash), so an entry never goes stale; parsing one with 179 local campaigns takes tens of
# milliseconds, which every page would otherwise pay.
_PARSED: dict[tuple[str, str], Campaign] = {}
_PARSED_LOCK = threading.Lock()


def _parsed(conn: Connection, rows: Sequence[Any]) -> list[Campaign]:
    out = []
    for r in rows:
        key = (r.slug, r.content_hash)
        with _PARSED_LOCK:
            found = _PARSED.get(key)
        if found is None:
            doc = conn.execute(
                select(CAMPAIGNS.c.document).where(CAMPAIGNS.c.slug == r.slug)
            ).scalar_one()
            found = parse_campaign(doc, f"campaign {r.slug} (stored)")
            with _PARSED_LOCK:
                if len(_PARSED) > 256:
                    _PARSED.clear()
                _PARSED[key] = found
        out.append(found)
    return out


def campaigns(conn: Connection) -> list[Campaign]:
    """Every stored campaign, parsed, by slug."""
    c = CAMPAIGNS.c
    return _parsed(conn, conn.execute(select(c.slug, c.content_hash).order_by(c.slug)).all())


def campaign(conn: Connection, slug: str) -> Campaign | None:
    """One stored campaign, or None."""
    c = CAMPAIGNS.c
    rows = conn.execute(select(c.slug, c.content_hash).where(c.slug == slug)).all()
    return _parsed(conn, rows)[0] if rows else None


def progress(
    c: Campaign, counts: dict[str, int], lang: str, with_locals: bool = True
) -> CampaignProgress:
    """A campaign's progress from the running counts (``known_count`` from the file included,
    as the kiosks show it)."""
    total = counts.get(f"campaign:{c.slug}", 0) + c.known_count
    p = CampaignProgress(c.slug, c.text.title.get(lang), c.goal, total, known=c.known_count)
    p.known_locals = any(loc.known_count for loc in c.locals)
    if with_locals:
        for loc in c.locals:
            n = counts.get(f"local:{c.slug}/{loc.slug}", 0) + loc.known_count
            p.locals.append(
                LocalRow(
                    loc.slug,
                    loc.place,
                    loc.state,
                    loc.decision_maker,
                    loc.title.get(lang),
                    loc.goal,
                    n,
                )
            )
    return p


def overview(conn: Connection, lang: str) -> list[CampaignProgress]:
    """Every campaign's progress (without the local lines)."""
    counts = read_counts(conn)
    return [progress(c, counts, lang, with_locals=False) for c in campaigns(conn)]


#: What :func:`_grouped` reads of the voided and quarantined signatures (all but the blob).
_OFF_COLUMNS = [c for c in SIGNATURES.c if c.name != "sealed"]


def _off_count(conn: Connection) -> int:
    """About how many signatures are voided or quarantined (from the running counts; one that
    is both counts twice), to choose how :func:`_grouped` takes them off."""
    n = COUNTS.c.n
    total = conn.execute(
        select(func.coalesce(func.sum(n), 0)).where(COUNTS.c.name.in_(("voided", "quarantined")))
    ).scalar_one()
    return int(total)


def _grouped(
    conn: Connection,
    keys: list[Any],
    where: list[Any],
    test_data: bool = False,
) -> Counter[tuple[Any, ...]]:
    """``count(*)`` per ``keys`` of the signatures matching ``where`` that the counts count:
    not voided, not quarantined, not synthetic (unless ``test_data``).

    The scan reads ``ix_signatures_campaign_created`` only (it covers every column used here);
    the voided and quarantined signatures among them are counted apart and taken off, instead
    of testing every signature against them, by whichever way reads fewer rows: when there are
    fewer of them than signatures matched, by id from their own tables; when there are more
    (a flood of unreadable signatures, all quarantined), by testing the matched signatures
    against those tables after all: SQLite looks each one up by primary key, so the cost
    follows the signatures matched, not the flood; PostgreSQL hashes the quarantined ids once
    (23 ms for 195,000, against 3.3 s by id). No ``keys``: one total, under ``()``."""
    s = SIGNATURES.c

    def grouped(stmt: Any) -> Any:
        return stmt.add_columns(*keys).group_by(*keys) if keys else stmt

    clauses = list(where)
    if not test_data:
        clauses.append(s.synthetic.is_(False))
    out: Counter[tuple[Any, ...]] = Counter()
    for n, *k in conn.execute(grouped(select(func.count()).where(*clauses))):
        out[tuple(k)] += int(n)
    matched = sum(out.values())
    if not matched:
        return out
    if _off_count(conn) > matched:
        voided = select(VOIDS.c.signature_id).where(VOIDS.c.signature_id == s.id).exists()
        quarantined = (
            select(FACTS.c.signature_id)
            .where(FACTS.c.signature_id == s.id, FACTS.c.state == QUARANTINED)
            .exists()
        )
        stmt = grouped(select(func.count()).where(*clauses, or_(voided, quarantined)))
        for n, *k in conn.execute(stmt):
            out[tuple(k)] -= int(n)
        return +out  # drops zeros
    # The voided and quarantined ones, fetched by id from their own (small) tables and looked up
    # by primary key: a join would let the planner drive from the signatures instead. Their rows
    # are read first, by primary key alone, into a materialized CTE, and the filters and keys
    # applied to it: with the filters beside ``id IN (...)`` SQLite drove each chunk from the
    # campaign's time range (41 ms a chunk of 500 at 200,000 stored; 3 ms this way).
    off = {v for (v,) in conn.execute(select(VOIDS.c.signature_id))}
    off |= {
        f for (f,) in conn.execute(select(FACTS.c.signature_id).where(FACTS.c.state == QUARANTINED))
    }
    for chunk in chunked(sorted(off)):
        rows = select(*_OFF_COLUMNS).where(s.id.in_(chunk)).cte("off").prefix_with("MATERIALIZED")
        adapter = ClauseAdapter(rows)
        off_keys = [adapter.traverse(k) for k in keys]
        off_where: list[Any] = [adapter.traverse(c) for c in clauses]
        stmt = select(func.count(), *off_keys).select_from(rows).where(*off_where)
        for n, *k in conn.execute(stmt.group_by(*off_keys) if keys else stmt):
            out[tuple(k)] -= int(n)
    return +out  # drops zeros


def _total(conn: Connection, where: list[Any], test_data: bool = False) -> int:
    return _grouped(conn, [], where, test_data)[()]


@dataclass(frozen=True, slots=True)
class Charts:
    """Counted signatures per UTC hour (``YYYY-MM-DDTHH``) and per the kiosks' local date."""

    hours: dict[str, int]
    days: dict[str, int]


# Charts by (campaign, event, device, since, the running counts that change with any new, voided
# or read signature): a page shown again before the next sync reads nothing but those counts.
_CHARTS: dict[tuple[Any, ...], Charts] = {}
_RALLY: dict[tuple[Any, ...], dict[str, Any]] = {}


def charts(
    conn: Connection,
    slug: str,
    since: datetime,
    event: str | None = None,
    device: str | None = None,
    counts: dict[str, int] | None = None,
) -> Charts:
    """Both charts of a campaign from the hour of ``since`` on, summed from ``hour_counts``
    (kept at ingest, :func:`kiosk.server.tallies.hour_contribution`): a few rows per hour, never
    the signatures themselves. Each signature's local date was worked out exactly when it was
    counted, whatever its UTC offset.

    Args:
        counts: the running counts (:func:`kiosk.server.tallies.read_counts`), to cache by.
    """
    counts = read_counts(conn) if counts is None else counts
    version = tuple(counts.get(k, 0) for k in ("signatures", "voided", "quarantined", "pending"))
    since_hour = since.astimezone(UTC).strftime("%Y-%m-%dT%H")
    cache_key = (str(conn.engine.url), slug, event, device, since_hour, version)
    with _PARSED_LOCK:
        found = _CHARTS.get(cache_key)
    if found is not None:
        return found
    h = HOURS.c
    where = [h.campaign == slug, h.hour >= since_hour]
    if event:
        where.append(h.event_id == event)
    if device:
        where.append(h.device_id == device)
    hours: Counter[str] = Counter()
    days: Counter[str] = Counter()
    stmt = select(h.hour, h.day, func.sum(h.n)).where(*where).group_by(h.hour, h.day)
    for hour, day, n in conn.execute(stmt):
        hours[hour] += int(n)
        days[day] += int(n)
    result = Charts(dict(+hours), dict(+days))
    with _PARSED_LOCK:
        if len(_CHARTS) > 64:
            _CHARTS.clear()
        _CHARTS[cache_key] = result
    return result


def counted_since(conn: Connection, slug: str, since: datetime, event: str | None = None) -> int:
    """The campaign's counted signatures from ``since`` on (at one event, if given): the whole
    hours from ``hour_counts``, and, when ``since`` is not on the hour (a local midnight at a
    UTC offset of :30 or :45), the signatures of the part hour before the first whole one."""
    since = since.astimezone(UTC)
    first = since.replace(minute=0, second=0, microsecond=0)
    if first < since:
        first += timedelta(hours=1)
    h = HOURS.c
    where = [h.campaign == slug, h.hour >= first.strftime("%Y-%m-%dT%H")]
    if event:
        where.append(h.event_id == event)
    total = int(conn.execute(select(func.coalesce(func.sum(h.n), 0)).where(*where)).scalar_one())
    if first > since:
        s = SIGNATURES.c
        part = [s.campaign == slug, s.created_at >= since, s.created_at < first]
        if event:
            part.append(s.event_id == event)
        total += _total(conn, part)
    return total


#: The most events the console's filters offer.
MAX_EVENT_CHOICES = 500


def filters(
    conn: Connection, counts: dict[str, int] | None = None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The events and devices to filter the charts and exports by: ``(id, label)`` each.

    Only events with counted signatures are offered (the running counts ``event:ID``; an event
    no signer signed at filters nothing), the latest started first, at most
    :data:`MAX_EVENT_CHOICES`: events are made by devices, and one device pushing thousands
    made every campaign page and the exports page megabytes long.

    Args:
        counts: :func:`kiosk.server.tallies.read_counts`, when the caller has them already.
    """
    signed = list(by_prefix(read_counts(conn) if counts is None else counts, "event"))
    rows = [
        r
        for part in chunked(signed)
        for r in conn.execute(
            select(EVENTS.c.id, EVENTS.c.name, EVENTS.c.location, EVENTS.c.started_at).where(
                EVENTS.c.id.in_(part)
            )
        )
    ]
    rows.sort(key=lambda r: (r.started_at, r.id), reverse=True)
    ev = [
        (r.id, f"{r.name} ({r.location})" if r.location else r.name)
        for r in rows[:MAX_EVENT_CHOICES]
    ]
    dev = [
        (r.id, r.name)
        for r in conn.execute(select(DEVICES.c.id, DEVICES.c.name).order_by(DEVICES.c.name))
    ]
    return ev, dev


def kiosks(
    conn: Connection, now: datetime, stale_after: timedelta = STALE_AFTER
) -> list[dict[str, Any]]:
    """Every enrolled kiosk: id, name, enrolled, last seen, revoked, stale (not revoked and not
    seen for ``stale_after``), counted signatures and conflicts (what the server knows of it),
    and what it last reported (``POST /report``): when (its last sync), signatures still
    pending on it, app version, and its last error code and when."""
    counts = read_counts(conn)
    by_device = by_prefix(counts, "device")
    conflicts: dict[str, int] = dict(
        conn.execute(
            select(CONFLICTS.c.device_id, func.count()).group_by(CONFLICTS.c.device_id)
        ).all()
    )
    d = DEVICES.c
    out = []
    for r in conn.execute(
        select(
            d.id,
            d.name,
            d.enrolled_at,
            d.last_seen_at,
            d.revoked_at,
            d.demo,
            d.reported_at,
            d.report_pending,
            d.report_version,
            d.report_error,
            d.report_error_at,
        ).order_by(d.enrolled_at, d.id)
    ):
        seen = r.last_seen_at
        out.append(
            {
                "id": r.id,
                "name": r.name,
                "enrolled_at": r.enrolled_at,
                "last_seen_at": seen,
                "revoked": r.revoked_at is not None,
                "stale": r.revoked_at is None and (seen is None or now - seen > stale_after),
                "signatures": by_device.get(r.id, 0),
                "conflicts": int(conflicts.get(r.id, 0)),
                "demo": bool(r.demo),
                "reported_at": r.reported_at,
                "pending": r.report_pending,
                "version": r.report_version,
                "error": r.report_error,
                "error_at": r.report_error_at,
            }
        )
    return out


def text_versions(conn: Connection, slug: str, lang: str = "en") -> list[dict[str, Any]]:
    """A campaign's text versions (newest first) and how many signatures carry each; each one's
    title in ``lang`` (English when the version has none in it)."""
    t, c = TEXT_VERSIONS.c, COUNTS.c
    versions = conn.execute(
        select(t.hash, t.local_campaign, t.text, t.first_seen_at)
        .where(t.campaign == slug)
        .order_by(t.first_seen_at.desc(), t.hash)
    ).all()
    # The running count of each version (kiosk.server.tallies), never the signatures: reading
    # them was 0.55 s a view with 200,000 stored (SQLite).
    names = [f"version:{r.hash}" for r in versions]
    signed: dict[str, int] = (
        {
            name.removeprefix("version:"): int(n)
            for name, n in conn.execute(
                select(c.name, func.sum(c.n)).where(c.name.in_(names)).group_by(c.name)
            )
        }
        if names
        else {}
    )
    return [
        {
            "hash": r.hash,
            "local": r.local_campaign,
            "title": _title(r.text, lang),
            "first_seen_at": r.first_seen_at,
            "signed": int(signed.get(r.hash, 0)),
        }
        for r in versions
    ]


def _title(text: dict[str, Any], lang: str) -> str:
    """A stored text version's title in ``lang``, by :meth:`LocalizedText.get`'s rule."""
    title = text.get("title") or {}
    return LocalizedText(title.get("en", ""), title.get("es")).get(lang)


# --- the rally screen --------------------------------------------------------------------------


def event_exists(conn: Connection, event_id: str) -> bool:
    """Whether a kiosk has pushed an event with this id."""
    return conn.execute(select(EVENTS.c.id).where(EVENTS.c.id == event_id)).first() is not None


def rally(
    conn: Connection,
    c: Campaign,
    day_start: datetime,
    now: datetime,
    event: str | None,
    test_data: bool,
) -> dict[str, Any]:
    """What the rally screen shows (no personal data): the campaign's count and goal, today's
    count (at the event, if one is given), and the five local campaigns with the most
    signatures in the last hour."""
    s = SIGNATURES.c
    counts = read_counts(conn)
    # The same figures until the counts change (a sync) or the minute turns (the last hour
    # slides): every rally screen polls, and most polls find nothing new.
    version = tuple(counts.get(k, 0) for k in ("signatures", "voided", "quarantined", "pending"))
    minute = now.replace(second=0, microsecond=0)
    cache_key = (str(conn.engine.url), c.slug, day_start, event, test_data, minute, version)
    with _PARSED_LOCK:
        found = _RALLY.get(cache_key)
    if found is not None:
        return found
    total = counts.get(f"campaign:{c.slug}", 0) + c.known_count
    if test_data:
        total += _total(conn, [s.campaign == c.slug, s.synthetic.is_(True)], test_data=True)
    if test_data:  # synthetic signatures are in no running count: scan today's
        today_where = [s.campaign == c.slug, s.created_at >= day_start]
        if event:
            today_where.append(s.event_id == event)
        today = _total(conn, today_where, test_data)
    else:
        today = counted_since(conn, c.slug, day_start, event)
    recent = _grouped(
        conn,
        [s.local_campaign],
        [
            s.campaign == c.slug,
            s.created_at >= now - timedelta(hours=1),
            s.local_campaign.is_not(None),
        ],
        test_data,
    )
    moving = sorted(((k[0], n) for k, n in recent.items()), key=lambda kv: (-kv[1], kv[0]))[:5]
    names = {loc.slug: loc for loc in c.locals}
    result = {
        "campaign": c.slug,
        "count": int(total),
        "goal": c.goal,
        "today": int(today),
        "moving": [
            {
                "slug": slug,
                "place": names[slug].place if slug in names else "",
                "state": names[slug].state if slug in names else "",
                "n": n,
            }
            for slug, n in moving
        ],
        "test": test_data,
    }
    with _PARSED_LOCK:
        if len(_RALLY) > 256:
            _RALLY.clear()
        _RALLY[cache_key] = result
    return result
