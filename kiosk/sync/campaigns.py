"""Campaign documents pulled from the server, kept as JSON files in the kiosk's data directory.

The server sends every campaign as a document in the campaign file structure (JSON). The kiosk
never trusts it blindly: each document is validated with
:func:`kiosk.domain.campaign_format.parse_campaign` before it is written, and validated again
when the catalog is loaded. Files live in ``<data dir>/campaigns/server/<slug>.json``
(:attr:`kiosk.config.DataLayout.server_campaigns`) and are written atomically; a campaign the server no longer lists is removed from there (its signatures
and text versions stay in the store). Server campaigns replace built-in and locally imported
campaigns of the same slug: the server is the organization's source of truth.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kiosk.adapters.files import atomic_write, fsync_dir
from kiosk.domain.campaign import Campaign
from kiosk.domain.campaign_format import (
    MAX_FILE_BYTES,
    CampaignFormatError,
    campaign_error,
    parse_campaign,
)

log = logging.getLogger("kiosk.sync")


def _encode(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8")


def load_server_campaigns(directory: Path) -> tuple[list[Campaign], list[CampaignFormatError]]:
    """Read and validate every ``*.json`` campaign document in ``directory``.

    Args:
        directory: the server campaigns folder (may not exist).

    Returns:
        The valid campaigns, and the errors of the files that are not.
    """
    campaigns: list[Campaign] = []
    errors: list[CampaignFormatError] = []
    if not directory.is_dir():
        return campaigns, errors
    for path in sorted(directory.glob("*.json")):
        try:
            raw = path.read_bytes()
            if len(raw) > MAX_FILE_BYTES * 4:
                raise campaign_error(path.name, "", "is too large")
            campaigns.append(parse_campaign(json.loads(raw.decode("utf-8")), path.name))
        except CampaignFormatError as exc:
            errors.append(exc)
        except (OSError, ValueError, RecursionError) as exc:
            errors.append(campaign_error(path.name, "", "cannot be read ({reason})", reason=exc))
    return campaigns, errors


def install_documents(
    directory: Path, documents: dict[str, dict[str, Any]], keep: Iterable[str] = ()
) -> list[str]:
    """Make ``directory`` hold exactly these validated documents; return the slugs that changed.

    Args:
        directory: the server campaigns folder (created if missing).
        documents: validated documents by slug.
        keep: slugs whose current file stays even if not in ``documents`` (their new document
            was invalid, so the last good one is kept).

    Returns:
        Slugs added, replaced or removed, sorted.
    """
    directory.mkdir(parents=True, exist_ok=True)
    changed: list[str] = []
    for slug, doc in documents.items():
        path = directory / f"{slug}.json"
        data = _encode(doc)
        try:
            if path.read_bytes() == data:
                continue
        except FileNotFoundError:
            pass
        atomic_write(path, data)
        changed.append(slug)
    keep_set = set(keep) | set(documents)
    for path in directory.glob("*.json"):
        if path.stem not in keep_set:
            path.unlink()
            changed.append(path.stem)
    if changed:
        fsync_dir(directory)
        log.info("campaigns from the server changed: %s", ", ".join(sorted(changed)))
    return sorted(changed)
