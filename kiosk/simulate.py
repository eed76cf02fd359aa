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

from kiosk.adapters.geo import ZipcodesDirectory
from kiosk.domain.campaign import Campaign
from kiosk.domain.errors import Refused
from kiosk.domain.ink import Ink, Point, Stroke
from kiosk.domain.service import SigningService, Submission
from kiosk.domain.signature import SignatureMeta
from kiosk.domain.validation import SignerEntry

FIRST_NAMES = (
    "José",
    "María",
    "Guadalupe",
    "Juan Carlos",
    "Sofía",
    "Zoë",
    "Ana",
    "Luis",
    "Camila",
    "Nguyễn",
    "Thảo",
    "Minh",
    "Anh",
    "Mohammed",
    "محمد",
    "Fatima",
    "فاطمة",
    "Aisha",
    "Omar",
    "李",
    "Wei",
    "美玲",
    "Min-jun",
    "김",
    "Seán",
    "Siobhán",
    "Patrick",
    "Emily",
    "James",
    "Olivia",
    "DeShawn",
    "Keisha",
    "Ngozi",
    "Chidi",
    "Yitzhak",
    "דוד",
    "Priya",
    "Arjun",
    "Łukasz",
    "Zoltán",
    "François",
    "Björn",
    "Mary Jo",
    "Denise",
    "Pete",
)
LAST_NAMES = (
    "García",
    "Hernández",
    "López",
    "Martínez",
    "Rodríguez",
    "Pérez",
    "Núñez",
    "Peña",
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "O'Brien",
    "McDonald",
    "Al-Sayed",
    "عبد الله",
    "Haddad",
    "李",
    "王",
    "Chen",
    "Kim",
    "박",
    "Cohen",
    "כהן",
    "Okafor",
    "Adeyemi",
    "Johnson",
    "Smith",
    "Williams",
    "Brown",
    "Patel",
    "Singh",
    "Kowalski",
    "Nagy",
    "Müller",
    "Dubois",
    "Larsen",
    "Van Dusen",
    "St. John",
    "D'Angelo",
)
DOMAINS = ("example.org", "example.com", "example.net", "correo.example")


def human_strokes(rng: random.Random, width: float = 800, height: float = 300) -> Ink:
    """A human-like signature: 2-4 strokes of smooth loops drifting right, ~8 ms apart.

    The shape of each stroke is drawn from ``rng``; the per-point jitter from a numpy generator
    seeded from it, so a large simulation spends its time saving, not drawing.
    """
    import numpy as np

    noise = np.random.default_rng(rng.getrandbits(64))
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
        u = np.arange(n) / (n - 1)
        ang = phase + u * freq * math.tau
        x = x0 + u * span + loop * amp * np.cos(ang) + noise.normal(0, 0.4, n)
        y = cy + amp * np.sin(ang) * (1 - 0.3 * u) + noise.normal(0, 0.4, n)
        x = np.round(np.clip(x, 1.0, width - 1), 1)
        y = np.round(np.clip(y, 1.0, height - 1), 1)
        pressure = np.round(0.35 + 0.4 * np.sin(np.pi * u) + noise.uniform(-0.05, 0.05, n), 3)
        steps = noise.integers(6, 12, n)
        times = t + np.cumsum(steps) - steps
        t = int(times[-1] + steps[-1])
        strokes.append(tuple(map(Point, x.tolist(), y.tolist(), times.tolist(), pressure.tolist())))
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


class TooManySigners(ValueError):
    """More unique synthetic signers were asked for than a campaign's names and ZIPs allow."""


class _Signers:
    """Unique synthetic (name, ZIP) pairs for one campaign, in a seeded pseudo-random order.

    A signer is a given name with an optional second one ("María José"), a surname with an
    optional second one ("García-López") and a ZIP of the campaign's places: about 3.4 million
    names per ZIP. Pair number ``k`` of a run is decoded from ``(a * (k + offset)) mod
    capacity`` with ``a`` coprime to the capacity: a permutation, so the first ``capacity``
    pairs are all different, without remembering any of them and without the draws that a
    random choice would refuse more and more often as the pairs run out.
    """

    def __init__(
        self, campaign: Campaign, directory: ZipcodesDirectory, rng: random.Random
    ) -> None:
        self.zips = tuple(
            dict.fromkeys(z[:5] for _, zs in _places(campaign, directory).pools for z in zs)
        )
        self._radix = (
            len(FIRST_NAMES),
            len(FIRST_NAMES) + 1,
            len(LAST_NAMES),
            len(LAST_NAMES) + 1,
            len(self.zips),
        )
        self.capacity = math.prod(self._radix)
        self._offset = rng.randrange(self.capacity)
        a = int(self.capacity * 0.6180339887) | 1
        while math.gcd(a, self.capacity) != 1:
            a += 2
        self._a = a
        self._k = 0

    def next(self) -> tuple[str, str, str] | None:
        """The next (first name, last name, ZIP), or None once every pair was given."""
        if self._k >= self.capacity:
            return None
        n = (self._a * (self._k + self._offset)) % self.capacity
        self._k += 1
        digits = []
        for r in self._radix:
            n, d = divmod(n, r)
            digits.append(d)
        f1, f2, l1, l2, z = digits
        first = FIRST_NAMES[f1] if f2 == 0 else f"{FIRST_NAMES[f1]} {FIRST_NAMES[f2 - 1]}"
        last = LAST_NAMES[l1] if l2 == 0 else f"{LAST_NAMES[l1]}-{LAST_NAMES[l2 - 1]}"
        return first, last, self.zips[z]


def synthetic_entries(
    campaign: Campaign, directory: ZipcodesDirectory, rng: random.Random
) -> Iterator[tuple[SignerEntry, Ink, str]]:
    """Synthetic (entry, ink, language) triples for a campaign, each signer unique (see
    :class:`_Signers`); ends after :attr:`_Signers.capacity` of them."""
    signers = _Signers(campaign, directory, rng)
    while (signer := signers.next()) is not None:
        first, last, zip_code = signer
        wants_email = rng.random() < 0.7
        ascii_first = "".join(c for c in first.lower() if c.isascii() and c.isalnum()) or "signer"
        entry = SignerEntry(
            first_name=first,
            last_name=last,
            zip=zip_code,
            email=(
                f"{ascii_first}{rng.randint(1, 99999)}@{rng.choice(DOMAINS)}" if wants_email else ""
            ),
            phone=f"+1 612 555 {rng.randint(100, 199):04d}" if rng.random() < 0.3 else "",
            opt_in=wants_email and rng.random() < 0.6,
        )
        yield entry, human_strokes(rng), rng.choice(("en", "en", "es"))


def capacity(campaign: Campaign, directory: ZipcodesDirectory | None = None) -> int:
    """How many unique synthetic signers :func:`simulate` can make for a campaign."""
    return _Signers(campaign, directory or ZipcodesDirectory(), random.Random(0)).capacity


#: Synthetic signers saved per transaction: each commit (WAL synced) costs about as much as
#: sealing and writing a few dozen signers, so a batch makes a simulation run at the speed of
#: its writes. Nothing is reported saved before its batch is committed.
BATCH = 200


def simulate(
    service: SigningService,
    campaign_slug: str,
    count: int,
    seed: int | None = None,
    event_id: str | None = None,
    on_saved: Callable[[SignatureMeta], None] | None = None,
    batch: int = BATCH,
) -> list[SignatureMeta]:
    """Save ``count`` unique synthetic signatures through the signing service.

    Signers already in the store (an earlier run with the same seed) are refused by the
    duplicate hint and replaced by the next ones.

    Args:
        service: the same service the touch screen uses.
        campaign_slug: which campaign they sign.
        count: how many to save.
        seed: for reproducible signers.
        event_id: the event to record.
        on_saved: called after each signature is durable (the crash test prints ids from here).
        batch: signatures saved per transaction.

    Returns:
        The metadata of every saved signature: fewer than ``count`` only when the campaign's
        unique signers ran out (after :class:`TooManySigners` said so up front, or because
        earlier runs used them).

    Raises:
        TooManySigners: ``count`` exceeds :func:`capacity` (raised before anything is saved).
    """
    rng = random.Random(seed)
    campaign = service.catalog.get(campaign_slug)
    directory = ZipcodesDirectory()
    most = capacity(campaign, directory)
    if count > most:
        raise TooManySigners(
            f"{campaign_slug} can have at most {most:,} unique synthetic signers; "
            f"{count:,} were asked for"
        )

    def consent(lang: str) -> str:  # the wording the signer saw, in their language, as the app
        return campaign.consent.get(lang) if campaign.consent else "Send me updates."

    saved: list[SignatureMeta] = []
    entries = synthetic_entries(campaign, directory, rng)
    exhausted = False
    while len(saved) < count and not exhausted:
        items: list[Submission] = []
        for _ in range(min(batch, count - len(saved))):
            nxt = next(entries, None)
            if nxt is None:
                exhausted = True
                break
            entry, ink, lang = nxt
            local = service.route(campaign_slug, entry.zip)
            items.append(Submission(local.slug if local else None, entry, ink, lang, consent(lang)))
        results = service.submit_many(campaign_slug, items, event_id=event_id, synthetic=True)
        for res in results:
            if isinstance(res, Refused):
                continue  # this signer is in the store already (an earlier run's)
            if isinstance(res, Exception):
                raise res
            saved.append(res)
            if on_saved is not None:
                on_saved(res)
    return saved
