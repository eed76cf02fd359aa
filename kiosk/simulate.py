"""Synthetic signers for demos, load and crash tests (``kiosk simulate``).

Names are varied (English, Spanish, Vietnamese, Arabic, Chinese, Korean, Hebrew, Irish...),
ZIPs are real ones of the local campaigns' cities (or of the campaign's own city), and the
signature strokes are human-like: a few connected, looping strokes sampled every ~8 ms with
jitter. Every signer goes through the same ``SigningService.submit`` the touch screen uses and is
marked synthetic, so packets leave them out unless asked.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kiosk.domain.campaign import Campaign
from kiosk.domain.errors import Refused
from kiosk.domain.ink import Ink, Point, Stroke
from kiosk.domain.service import SigningService
from kiosk.domain.signature import SignatureMeta
from kiosk.domain.validation import SignerEntry
from kiosk.geo import ZipcodesDirectory

FIRST_NAMES = (
    "José", "María", "Guadalupe", "Juan Carlos", "Sofía", "Zoë", "Ana", "Luis", "Camila",
    "Nguyễn", "Thảo", "Minh", "Anh", "Mohammed", "محمد", "Fatima", "فاطمة", "Aisha", "Omar",
    "李", "Wei", "美玲", "Min-jun", "김", "Seán", "Siobhán", "Patrick", "Emily", "James",
    "Olivia", "DeShawn", "Keisha", "Ngozi", "Chidi", "Yitzhak", "דוד", "Priya", "Arjun",
    "Łukasz", "Zoltán", "François", "Björn", "Mary Jo", "Denise", "Pete",
)
LAST_NAMES = (
    "García", "Hernández", "López", "Martínez", "Rodríguez", "Pérez", "Núñez", "Peña",
    "Nguyễn", "Trần", "Lê", "Phạm", "O'Brien", "McDonald", "Al-Sayed", "عبد الله", "Haddad",
    "李", "王", "Chen", "Kim", "박", "Cohen", "כהן", "Okafor", "Adeyemi", "Johnson", "Smith",
    "Williams", "Brown", "Patel", "Singh", "Kowalski", "Nagy", "Müller", "Dubois", "Larsen",
    "Van Dusen", "St. John", "D'Angelo",
)
DOMAINS = ("example.org", "example.com", "example.net", "correo.example")


def human_strokes(rng: random.Random, width: float = 800, height: float = 300) -> Ink:
    """A human-like signature: 2-4 strokes of smooth loops drifting right, ~8 ms apart."""
    strokes: list[Stroke] = []
    t = 0
    x0 = width * rng.uniform(0.06, 0.12)
    n_strokes = rng.randint(2, 4)
    span = width * rng.uniform(0.65, 0.85) / n_strokes
    for _ in range(n_strokes):
        n = rng.randint(60, 140)
        amp = height * rng.uniform(0.12, 0.3)
        freq = rng.uniform(2.5, 6.0)
        phase = rng.uniform(0, math.tau)
        loop = rng.uniform(0.2, 0.6)
        cy = height * rng.uniform(0.45, 0.6)
        pts: list[Point] = []
        for i in range(n):
            u = i / (n - 1)
            ang = phase + u * freq * math.tau
            x = x0 + u * span + loop * amp * math.cos(ang) + rng.gauss(0, 0.4)
            y = cy + amp * math.sin(ang) * (1 - 0.3 * u) + rng.gauss(0, 0.4)
            x = min(max(x, 1.0), width - 1)
            y = min(max(y, 1.0), height - 1)
            pressure = round(0.35 + 0.4 * math.sin(math.pi * u) + rng.uniform(-0.05, 0.05), 3)
            pts.append(Point(round(x, 1), round(y, 1), t, pressure))
            t += rng.randint(6, 11)
        strokes.append(tuple(pts))
        x0 += span * rng.uniform(0.9, 1.1)
        t += rng.randint(120, 400)
    return Ink(width, height, tuple(strokes))


@dataclass(frozen=True)
class _PlacePool:
    """(local slug or None, ZIPs) pairs to draw addresses from."""

    pools: tuple[tuple[str | None, tuple[str, ...]], ...]


def _places(campaign: Campaign, directory: ZipcodesDirectory) -> _PlacePool:
    pools: list[tuple[str | None, tuple[str, ...]]] = []
    for loc in campaign.locals:
        if loc.level == "county" and loc.county:
            zips = directory.zips_for_county(loc.county, loc.state)
        else:
            zips = directory.zips_for_city(loc.place, loc.state)
        zips = list(loc.zips) + zips
        if zips:
            pools.append((loc.slug, tuple(zips)))
    # Signers from elsewhere sign the parent campaign.
    pools.append((None, ("55802", "55803", "10027", "60614", "78207", "94110", "98118")))
    return _PlacePool(tuple(pools))


def synthetic_entries(
    campaign: Campaign, directory: ZipcodesDirectory, rng: random.Random
) -> Iterator[tuple[SignerEntry, Ink, str]]:
    """Endless synthetic (entry, ink, language) triples for a campaign."""
    places = _places(campaign, directory)
    while True:
        _local, zips = rng.choice(places.pools)
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        wants_email = rng.random() < 0.7
        ascii_first = "".join(c for c in first.lower() if c.isascii() and c.isalnum()) or "signer"
        entry = SignerEntry(
            first_name=first,
            last_name=last,
            zip=rng.choice(zips),
            email=(
                f"{ascii_first}{rng.randint(1, 99999)}@{rng.choice(DOMAINS)}" if wants_email else ""
            ),
            phone=f"+1 612 555 {rng.randint(100, 199):04d}" if rng.random() < 0.3 else "",
            opt_in=wants_email and rng.random() < 0.6,
        )
        yield entry, human_strokes(rng), rng.choice(("en", "en", "es"))


def simulate(
    service: SigningService,
    campaign_slug: str,
    count: int,
    seed: int | None = None,
    event_id: str | None = None,
    on_saved: Callable[[SignatureMeta], None] | None = None,
) -> list[SignatureMeta]:
    """Save ``count`` synthetic signatures through the signing service.

    Args:
        service: the same service the touch screen uses.
        campaign_slug: which campaign they sign.
        count: how many to save.
        seed: for reproducible signers.
        event_id: the event to record.
        on_saved: called after each durable save (the crash test prints ids from here).

    Returns:
        The metadata of every saved signature.
    """
    rng = random.Random(seed)
    campaign = service.catalog.get(campaign_slug)
    directory = ZipcodesDirectory()
    consent = campaign.consent.get("en") if campaign.consent else "Send me updates."
    saved: list[SignatureMeta] = []
    entries = synthetic_entries(campaign, directory, rng)
    attempts = 0
    while len(saved) < count:
        attempts += 1
        if attempts > count * 20 + 100:
            break
        entry, ink, lang = next(entries)
        local = service.route(campaign_slug, entry.zip)
        try:
            meta = service.submit(
                campaign_slug,
                local.slug if local else None,
                entry,
                ink,
                lang,
                consent_text=consent,
                event_id=event_id,
                synthetic=True,
            )
        except Refused:
            continue  # the same synthetic name and ZIP came up twice: the duplicate hint
        saved.append(meta)
        if on_saved is not None:
            on_saved(meta)
    return saved
