"""Synthetic, human-like signatures and sample packets for benchmarks, demos and tests.

Nothing here is used when a real packet is made: it only gives the benchmark, the screenshot
scripts and the tests realistic input. A signature is a few strokes of smooth loops written left
to right, with hand jitter, sampled every ~8 ms as a touch pad would, coordinates rounded to
0.1 px as :func:`kiosk.domain.ink.decode_ink` returns them.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from kiosk.domain.campaign import CampaignText, Lang, LocalizedText, TextVersion, text_hash
from kiosk.domain.ink import Ink, Point, Stroke
from kiosk.pdf.model import Packet, PacketOptions, PacketSection, SheetRow

#: The default pad size in pixels (a wide signature box on a 1080p kiosk screen).
PAD_WIDTH = 900.0
PAD_HEIGHT = 300.0


def synthetic_signature(
    seed: int,
    *,
    strokes: int = 8,
    points: int = 300,
    pad_width: float = PAD_WIDTH,
    pad_height: float = PAD_HEIGHT,
    jitter: float = 1.0,
) -> Ink:
    """Return a human-like signature.

    Args:
        seed: the random seed; the same seed gives the same signature.
        strokes: the number of strokes (pen-down to pen-up).
        points: the approximate total number of points over all strokes.
        pad_width: the pad's width in pixels.
        pad_height: the pad's height in pixels.
        jitter: the scale of the hand tremor and sensor noise (1.0: a tremor of about 0.7 px
            standard deviation plus 0.15 px of sensor noise).
    """
    rng = random.Random(seed)
    n_strokes = max(1, strokes)
    # Split the points unevenly between strokes: a long flowing first name, shorter others.
    weights = [rng.uniform(0.6, 1.6) for _ in range(n_strokes)]
    total_w = sum(weights)
    counts = [max(6, round(points * w / total_w)) for w in weights]

    margin_x = pad_width * 0.06
    baseline = pad_height * rng.uniform(0.55, 0.68)
    x_height = pad_height * rng.uniform(0.14, 0.22)
    span = pad_width - 2 * margin_x
    slant = rng.uniform(0.15, 0.4)
    out: list[Stroke] = []
    t = 0
    x_cursor = margin_x
    # Widths proportional to the points of each writing stroke, gaps included, filling the span.
    gaps = [rng.uniform(0.0, 0.04) * span for _ in counts]
    fill = rng.uniform(0.7, 0.95)
    unit = (span * fill - sum(gaps)) / sum(counts)
    # Most strokes run left to right along the baseline; the last may be an underline or a dot.
    for i, n in enumerate(counts):
        if i:
            t += rng.randint(120, 400)  # pen up between strokes
        pts: list[Point] = []
        last_stroke = i == n_strokes - 1 and n_strokes > 2
        if last_stroke and rng.random() < 0.5:
            # An underline flourish from near the start to the end of the name.
            x0 = margin_x + rng.uniform(0, 0.1) * span
            x1 = min(pad_width - margin_x, x_cursor + rng.uniform(0, 0.05) * span)
            y0 = baseline + x_height * rng.uniform(0.5, 0.9)
            for k in range(n):
                u = k / max(1, n - 1)
                x = x0 + (x1 - x0) * u
                y = y0 + x_height * 0.25 * math.sin(math.pi * u) + rng.gauss(0, 0.25 * jitter)
                pts.append(Point(round(x, 1), round(y, 1), t))
                t += rng.randint(7, 9)
            out.append(tuple(pts))
            continue
        width = unit * n
        x0 = x_cursor
        loops = max(1.0, n / rng.uniform(18, 30))
        amp_y = x_height * rng.uniform(0.8, 1.3)
        amp_x = width / loops * rng.uniform(0.35, 0.6)
        phase = rng.uniform(0, 2 * math.pi)
        tall = rng.random() < 0.5  # a capital or an ascender somewhere in the stroke
        tall_at = rng.uniform(0.1, 0.9)
        jx = jy = 0.0
        for k in range(n):
            u = k / max(1, n - 1)
            w = 2 * math.pi * loops * u + phase
            env = 1.0
            if tall:
                env += 1.4 * math.exp(-(((u - tall_at) / 0.08) ** 2))
            y = baseline - amp_y * env * (0.5 + 0.5 * math.sin(w))
            x = x0 + width * u - amp_x * math.cos(w) + slant * (baseline - y)
            # Hand jitter: a slowly wandering offset plus sensor noise.
            jx = 0.85 * jx + rng.gauss(0, 0.35 * jitter)
            jy = 0.85 * jy + rng.gauss(0, 0.35 * jitter)
            x = min(max(x + jx + rng.gauss(0, 0.15 * jitter), 0.0), pad_width)
            y = min(max(y + jy + rng.gauss(0, 0.15 * jitter), 0.0), pad_height)
            pts.append(Point(round(x, 1), round(y, 1), t))
            t += rng.randint(7, 9)
        x_cursor = x0 + width + gaps[i]
        out.append(tuple(pts))
    return Ink(pad_width, pad_height, tuple(out))


#: Names that test fonts and scripts: accents, Vietnamese, apostrophes, diaereses, Greek,
#: Cyrillic, Arabic, Hebrew, Chinese, Korean, Ethiopic, and Devanagari (printed as a placeholder).
HARD_NAMES: tuple[str, ...] = (
    "José Álvarez Peña",
    "Nguyễn Thị Ánh",
    "Seán O'Brien",
    "Zoë Müller-Lüdenscheidt",
    "محمد عبد الله",
    "דוד כהן",
    "李小龙",
    "김민준",
    "Φώτης Παπαδόπουλος",
    "Алексей Смирнов",
    "አበበ ቢቂላ",
    "María de los Ángeles Hernández-Rodríguez de la Cruz Villanueva",
    "राम कुमार",
    "Đặng Văn Lâm",
    "Chloé Ngô",
)

_FIRST = (
    "Ana",
    "Luis",
    "Emily",
    "Carlos",
    "Fatima",
    "Wei",
    "Grace",
    "Juan",
    "Amina",
    "Tom",
    "Rosa",
    "Minh",
    "Sofía",
    "Omar",
    "Hannah",
    "Diego",
    "Lucía",
    "Samuel",
    "Aisha",
    "Ivan",
)
_LAST = (
    "García",
    "Johnson",
    "Nguyen",
    "Martínez",
    "Smith",
    "Hernández",
    "Lee",
    "Ali",
    "Brown",
    "López",
    "Kim",
    "Davis",
    "Rodríguez",
    "Wilson",
    "Pérez",
    "Chen",
    "Khan",
)
_PLACES = (
    ("Duluth", "MN", "55802"),
    ("Minneapolis", "MN", "55404"),
    ("St. Paul", "MN", "55104"),
    ("Superior", "WI", "54880"),
    ("Chicago", "IL", "60608"),
    ("El Paso", "TX", "79901"),
)
_EVENTS = ("Farmers Market, Duluth", "Mercado Central, Minneapolis", "UMD Student Center")
_COMMENTS = (
    "My family came here in 1998. This city is our home.",
    "Mi familia vive aquí. Queremos seguridad para todos.",
    "",
    "Please protect our neighbors & keep ICE out of our schools <now>.",
    "",
)


def sample_rows(
    n: int,
    *,
    seed: int = 0,
    hard_names: bool = True,
    start: datetime | None = None,
    points: int = 300,
) -> list[SheetRow]:
    """Return ``n`` sheet rows with synthetic signatures, for demos, tests and benchmarks.

    Args:
        n: the number of rows.
        seed: the random seed.
        hard_names: start with :data:`HARD_NAMES` (then generated names).
        start: the first signing time (aware); March 3, 2025, 10:00 UTC by default.
        points: the approximate number of points per signature.
    """
    rng = random.Random(seed)
    t = start or datetime(2025, 3, 3, 16, 0, tzinfo=UTC)
    rows = []
    for i in range(n):
        if hard_names and i < len(HARD_NAMES):
            name = HARD_NAMES[i]
        else:
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        city, state, zip_code = rng.choice(_PLACES)
        t += timedelta(minutes=rng.randint(1, 90))
        rows.append(
            SheetRow(
                printed_name=name,
                city=city,
                state=state,
                zip=zip_code,
                signed_at=t,
                utc_offset_minutes=-300 if 3 <= t.month <= 10 else -360,
                ink=synthetic_signature(seed * 1_000_003 + i, points=points),
                comment=_COMMENTS[i % len(_COMMENTS)],
                event_name=_EVENTS[i % len(_EVENTS)],
            )
        )
    return rows


def sample_version(
    statement: str | None = None, *, local: str | None = "duluth", es: bool = True
) -> TextVersion:
    """Return a text version of the Duluth sanctuary-city petition (or with ``statement``).

    Args:
        statement: the English statement; the Duluth petition's by default.
        local: the local campaign slug.
        es: whether the version has Spanish texts too.
    """
    text = CampaignText(
        target=LocalizedText(
            "To: Mayor Emily Larson", "Para: Alcaldesa Emily Larson" if es else None
        ),
        title=LocalizedText(
            "We want Duluth to be a sanctuary city!",
            "¡Queremos que Duluth sea una ciudad santuario!" if es else None,
        ),
        statement=LocalizedText(
            statement or DULUTH_STATEMENT, DULUTH_STATEMENT_ES if es and not statement else None
        ),
        background=LocalizedText("Why is this important?"),
    )
    return TextVersion(text_hash("sanctuary", local, text), "sanctuary", local, text)


DULUTH_STATEMENT = (
    "We are inviting Mayor Larson and city council to designate Duluth as a sanctuary city.\n\n"
    "We need to stand up to Trump, and take action that doesn't just symbolically defend "
    "immigrants, but also transforms our city's policies to protect immigrants and refugees "
    "who live in Duluth."
)
DULUTH_STATEMENT_ES = (
    "Invitamos a la alcaldesa Larson y al concejo municipal a declarar Duluth ciudad "
    "santuario.\n\n"
    "Necesitamos hacer frente a Trump y actuar de un modo que no solo defienda a los "
    "inmigrantes de forma simbólica, sino que transforme las políticas de nuestra ciudad para "
    "proteger a los inmigrantes y refugiados que viven en Duluth."
)


def sample_packet(
    n: int = 25,
    *,
    versions: int = 1,
    options: PacketOptions | None = None,
    language: Lang = "en",
    seed: int = 0,
    hard_names: bool = True,
    points: int = 300,
) -> Packet:
    """Return a packet of ``n`` synthetic signatures for the Duluth petition.

    Args:
        n: the number of signatures.
        versions: how many text versions they are spread over (an earlier wording first).
        options: layout options.
        language: the packet's language.
        seed: the random seed.
        hard_names: start with :data:`HARD_NAMES`.
        points: the approximate number of points per signature.
    """
    rows = sample_rows(n, seed=seed, hard_names=hard_names, points=points)
    vs = [
        sample_version(
            None if k == versions - 1 else f"Earlier wording {k + 1}: " + DULUTH_STATEMENT,
            es=k == versions - 1,
        )
        for k in range(versions)
    ]
    per = -(-n // versions) if n else 0
    sections = tuple(
        PacketSection(vs[k], tuple(rows[k * per : (k + 1) * per])) for k in range(versions)
    )
    return Packet(
        organization="Duluth Sanctuary Coalition",
        title=vs[-1].text.title,
        target=vs[-1].text.target,
        sections=tuple(s for s in sections if s.rows),
        events=_EVENTS,
        language=language,
        options=options or PacketOptions(),
    )
