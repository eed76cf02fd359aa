"""Campaign documents on the server: importing files and serving them to kiosks.

A campaign is stored as the document :func:`kiosk.domain.campaign_format.campaign_to_dict` makes
(the campaign file structure as JSON), replaced whole by each import. Every text version an
import brings is also kept in ``text_versions`` for good, even if a later file drops it.

The campaigns ETag is a hash of every (slug, document hash) pair, so it changes exactly when
what ``GET /api/v1/campaigns`` returns changes, and every server process computes the same one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from kiosk.domain.campaign import Campaign, CampaignText
from kiosk.domain.campaign_format import (
    campaign_error,
    campaign_to_dict,
    load_campaign_file,
    parse_campaign,
)
from kiosk.server.db import dialect_insert
from kiosk.server.models import CampaignRecord, TextVersionRecord, table_of

CAMPAIGNS = table_of(CampaignRecord)
TEXT_VERSIONS = table_of(TextVersionRecord)


def _canonical(doc: Any) -> str:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _text_dict(text: CampaignText) -> dict[str, Any]:
    return {
        "target": text.target.as_dict(),
        "title": text.title.as_dict(),
        "statement": text.statement.as_dict(),
        "background": text.background.as_dict(),
    }


@dataclass(frozen=True, slots=True)
class PreparedCampaign:
    """A validated campaign, ready to store: its JSON document and text versions."""

    campaign: Campaign
    document: dict[str, Any]
    content_hash: str


def prepare(campaign: Campaign) -> PreparedCampaign:
    """Turn a campaign into the document kiosks receive, checking that it reads back the same.

    Args:
        campaign: a parsed campaign.

    Raises:
        CampaignFormatError: the JSON document would not give kiosks the same text versions.
    """
    source = campaign.source or campaign.slug
    document = json.loads(_canonical(campaign_to_dict(campaign)))
    again = parse_campaign(document, source)
    if [v.hash for v in again.all_versions()] != [v.hash for v in campaign.all_versions()]:
        raise campaign_error(source, "", "does not survive conversion to JSON unchanged")
    digest = hashlib.sha256(_canonical(document).encode("utf-8")).hexdigest()
    return PreparedCampaign(campaign, document, digest)


def load_files(paths: Sequence[str | Path]) -> list[PreparedCampaign]:
    """Read, validate and prepare campaign files; all must be valid.

    Args:
        paths: TOML campaign files.

    Raises:
        CampaignFormatError: the first invalid file (nothing is stored).
    """
    prepared = [prepare(load_campaign_file(p)) for p in paths]
    slugs = [p.campaign.slug for p in prepared]
    for i, slug in enumerate(slugs):
        if slug in slugs[:i]:
            raise campaign_error(
                str(paths[i]), "slug", "{slug} is in two of these files", slug=repr(slug)
            )
    return prepared


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did to one campaign."""

    slug: str
    status: str  # "created", "updated" or "unchanged"
    versions: int
    new_versions: int
    locals: int


def store(conn: Connection, prepared: PreparedCampaign, now: datetime) -> ImportResult:
    """Create or replace a campaign document and record its text versions.

    Args:
        conn: a connection inside a write transaction.
        prepared: from :func:`prepare`.
        now: the current time (aware).
    """
    c = prepared.campaign
    old = conn.execute(
        select(CAMPAIGNS.c.content_hash).where(CAMPAIGNS.c.slug == c.slug)
    ).scalar_one_or_none()
    status = (
        "created" if old is None else "unchanged" if old == prepared.content_hash else "updated"
    )
    if status != "unchanged":
        stmt = dialect_insert(conn, CAMPAIGNS)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["slug"],
                set_={
                    "document": stmt.excluded.document,
                    "content_hash": stmt.excluded.content_hash,
                    "imported_at": stmt.excluded.imported_at,
                },
            ),
            {
                "slug": c.slug,
                "document": prepared.document,
                "content_hash": prepared.content_hash,
                "imported_at": now,
            },
        )
    versions = c.all_versions()
    rows = [
        {
            "hash": v.hash,
            "campaign": v.campaign,
            "local_campaign": v.local_campaign,
            "text": _text_dict(v.text),
            "first_seen_at": now,
        }
        for v in {v.hash: v for v in versions}.values()
    ]
    stmt = dialect_insert(conn, TEXT_VERSIONS).on_conflict_do_nothing(index_elements=["hash"])
    new = conn.execute(stmt.returning(TEXT_VERSIONS.c.hash), rows).scalars().all()
    return ImportResult(c.slug, status, len(rows), len(new), len(c.locals))


def stored_document(conn: Connection, slug: str) -> Any:
    """The campaign document published under ``slug`` (None if there is none)."""
    return conn.execute(
        select(CAMPAIGNS.c.document).where(CAMPAIGNS.c.slug == slug)
    ).scalar_one_or_none()


def etag(conn: Connection) -> str:
    """The strong ETag (quoted) of the current campaigns response.

    Args:
        conn: a connection.
    """
    h = hashlib.sha256(b"campaigns/v1")
    for slug, digest in conn.execute(
        select(CAMPAIGNS.c.slug, CAMPAIGNS.c.content_hash).order_by(CAMPAIGNS.c.slug)
    ):
        h.update(f"\n{slug}:{digest}".encode())
    return f'"{h.hexdigest()[:32]}"'


def documents(conn: Connection) -> list[dict[str, Any]]:
    """Every campaign document, by slug.

    Args:
        conn: a connection.
    """
    return list(conn.execute(select(CAMPAIGNS.c.document).order_by(CAMPAIGNS.c.slug)).scalars())


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    """A campaign as listed by ``kiosk-server campaigns list``."""

    slug: str
    kind: str
    goal: int
    locals: int
    imported_at: datetime


def summaries(conn: Connection) -> list[CampaignSummary]:
    """Every stored campaign, by slug.

    Args:
        conn: a connection.
    """
    out = []
    for r in conn.execute(
        select(CAMPAIGNS.c.slug, CAMPAIGNS.c.document, CAMPAIGNS.c.imported_at).order_by(
            CAMPAIGNS.c.slug
        )
    ):
        doc = r.document
        out.append(
            CampaignSummary(
                r.slug,
                doc.get("kind", "?"),
                doc.get("goal", 0),
                len(doc.get("local", [])),
                r.imported_at,
            )
        )
    return out


def if_none_match(header: str | None, current: str) -> bool:
    """Whether an ``If-None-Match`` header matches the current ETag (weak comparison).

    Args:
        header: the request header, or None.
        current: the current (strong, quoted) ETag.
    """
    if not header:
        return False
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag == "*":
            return True
        tag = tag.removeprefix("W/")
        if tag == current:
            return True
    return False
