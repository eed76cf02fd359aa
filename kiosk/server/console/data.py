"""What the console's pages and the rally screen show, read from the database.

Campaign and local totals come from the running counts (:mod:`kiosk.server.tallies`): no page
scans the signatures for them. The time-bound figures (signatures per hour and per day, today at
an event, the local campaigns moving most) are range queries on
``ix_signatures_campaign_created``, bounded by time, leaving out voided, synthetic (unless test
data is asked for) and quarantined signatures, as the counts do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, select

from kiosk.domain.campaign import Campaign
from kiosk.domain.campaign_format import parse_campaign
from kiosk.server.campaigns import CAMPAIGNS, TEXT_VERSIONS
from kiosk.server.ingest import CONFLICTS, EVENTS, SIGNATURES, VOIDS
from kiosk.server.models import Device
from kiosk.server.tallies import FACTS, QUARANTINED, by_prefix, read_counts

DEVICES = Device.__table__
#: A kiosk not seen for this long is marked stale on the overview.
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

    @property
    def percent(self) -> float:
        """Progress to goal, 0-100 (capped)."""
        return min(100.0, 100.0 * self.count / self.goal) if self.goal > 0 else 0.0


def campaigns(conn: Connection) -> list[Campaign]:
    """Every stored campaign, parsed, by slug."""
    rows = conn.execute(select(CAMPAIGNS.c.slug, CAMPAIGNS.c.document).order_by(CAMPAIGNS.c.slug))
    return [parse_campaign(r.document, f"campaign {r.slug} (stored)") for r in rows]


def campaign(conn: Connection, slug: str) -> Campaign | None:
    """One stored campaign, or None."""
    doc = conn.execute(
        select(CAMPAIGNS.c.document).where(CAMPAIGNS.c.slug == slug)
    ).scalar_one_or_none()
    return None if doc is None else parse_campaign(doc, f"campaign {slug} (stored)")


def progress(
    c: Campaign, counts: dict[str, int], lang: str, with_locals: bool = True
) -> CampaignProgress:
    """A campaign's progress from the running counts (``known_count`` from the file included,
    as the kiosks show it)."""
    total = counts.get(f"campaign:{c.slug}", 0) + c.known_count
    p = CampaignProgress(c.slug, c.text.title.get(lang), c.goal, total)
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


def _counted(test_data: bool) -> Any:
    """The WHERE clause of a signature the counts count (test data: synthetic ones too)."""
    s = SIGNATURES.c
    not_voided = ~exists().where(VOIDS.c.signature_id == s.id)
    not_quarantined = ~exists().where(
        and_(FACTS.c.signature_id == s.id, FACTS.c.state == QUARANTINED)
    )
    clauses = [not_voided, not_quarantined]
    if not test_data:
        clauses.append(s.synthetic.is_(False))
    return and_(*clauses)


def series(
    conn: Connection,
    slug: str,
    since: datetime,
    bucket: str,
    event: str | None = None,
    device: str | None = None,
) -> dict[str, int]:
    """Counted signatures of a campaign since a time, per UTC hour (``bucket='hour'``: keys
    ``YYYY-MM-DDTHH``) or per day (``'day'``, the kiosk's local date ``YYYY-MM-DD``)."""
    s = SIGNATURES.c
    stmt = select(s.created_at, s.utc_offset_minutes).where(
        s.campaign == slug, s.created_at >= since, _counted(False)
    )
    if event:
        stmt = stmt.where(s.event_id == event)
    if device:
        stmt = stmt.where(s.device_id == device)
    out: dict[str, int] = {}
    for created, offset in conn.execute(stmt):
        if bucket == "hour":
            key = created.strftime("%Y-%m-%dT%H")
        else:
            key = (created + timedelta(minutes=offset)).date().isoformat()
        out[key] = out.get(key, 0) + 1
    return out


def filters(conn: Connection) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The events and devices to filter the chart by: ``(id, label)`` each."""
    ev = [
        (r.id, f"{r.name} ({r.location})" if r.location else r.name)
        for r in conn.execute(
            select(EVENTS.c.id, EVENTS.c.name, EVENTS.c.location).order_by(
                EVENTS.c.started_at.desc()
            )
        )
    ]
    dev = [
        (r.id, r.name)
        for r in conn.execute(select(DEVICES.c.id, DEVICES.c.name).order_by(DEVICES.c.name))
    ]
    return ev, dev


def kiosks(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Every enrolled kiosk: id, name, enrolled, last seen, revoked, stale, counted signatures
    and conflicts (what the server knows of it)."""
    counts = read_counts(conn)
    by_device = by_prefix(counts, "device")
    conflicts = dict(
        conn.execute(
            select(CONFLICTS.c.device_id, func.count()).group_by(CONFLICTS.c.device_id)
        ).all()
    )
    d = DEVICES.c
    out = []
    for r in conn.execute(
        select(d.id, d.name, d.enrolled_at, d.last_seen_at, d.revoked_at, d.demo).order_by(
            d.enrolled_at, d.id
        )
    ):
        seen = r.last_seen_at
        out.append(
            {
                "id": r.id,
                "name": r.name,
                "enrolled_at": r.enrolled_at,
                "last_seen_at": seen,
                "revoked": r.revoked_at is not None,
                "stale": r.revoked_at is None and (seen is None or now - seen > STALE_AFTER),
                "signatures": by_device.get(r.id, 0),
                "conflicts": int(conflicts.get(r.id, 0)),
                "demo": bool(r.demo),
            }
        )
    return out


def text_versions(conn: Connection, slug: str) -> list[dict[str, Any]]:
    """A campaign's text versions (newest first) and how many signatures carry each."""
    t, s = TEXT_VERSIONS.c, SIGNATURES.c
    signed = dict(
        conn.execute(
            select(s.text_version, func.count()).where(s.campaign == slug).group_by(s.text_version)
        ).all()
    )
    return [
        {
            "hash": r.hash,
            "local": r.local_campaign,
            "title": (r.text.get("title") or {}).get("en", ""),
            "first_seen_at": r.first_seen_at,
            "signed": int(signed.get(r.hash, 0)),
        }
        for r in conn.execute(
            select(t.hash, t.local_campaign, t.text, t.first_seen_at)
            .where(t.campaign == slug)
            .order_by(t.first_seen_at.desc(), t.hash)
        )
    ]


# --- the rally screen --------------------------------------------------------------------------


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
    total = counts.get(f"campaign:{c.slug}", 0) + c.known_count
    if test_data:
        total += conn.execute(
            select(func.count()).where(s.campaign == c.slug, s.synthetic.is_(True), _counted(True))
        ).scalar_one()
    today = select(func.count()).where(
        s.campaign == c.slug, s.created_at >= day_start, _counted(test_data)
    )
    if event:
        today = today.where(s.event_id == event)
    moving = conn.execute(
        select(s.local_campaign, func.count().label("n"))
        .where(
            s.campaign == c.slug,
            s.created_at >= now - timedelta(hours=1),
            s.local_campaign.is_not(None),
            _counted(test_data),
        )
        .group_by(s.local_campaign)
        .order_by(func.count().desc(), s.local_campaign)
        .limit(5)
    ).all()
    names = {loc.slug: loc for loc in c.locals}
    return {
        "campaign": c.slug,
        "count": int(total),
        "goal": c.goal,
        "today": int(conn.execute(today).scalar_one()),
        "moving": [
            {
                "slug": m.local_campaign,
                "place": names[m.local_campaign].place if m.local_campaign in names else "",
                "state": names[m.local_campaign].state if m.local_campaign in names else "",
                "n": int(m.n),
            }
            for m in moving
        ],
        "test": test_data,
    }
