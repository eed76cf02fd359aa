"""PDF packet benchmark: 10,000 signatures with realistic strokes, rendered to one file.

Targets (PDF issue): at most 2 s and at most 10 MB for 10,000 signatures of about 8 strokes and
300 points each, strokes simplified only within a visually lossless tolerance.

Both of the project's stroke generators are measured against the targets: the smooth synthetic
signatures (kiosk.pdf.samples.synthetic_signature: 8 strokes of loops written left to right,
hand tremor, light sensor noise, a sample every ~8 ms) and the simulator's noisier ones
(kiosk.simulate.human_strokes: 2-4 strokes, white sensor noise of about a pad pixel, 0.12 pt
at print size). For each the table gives the median of 3 renders (wall clock, and CPU time of
the process), the file size and the curve pieces a signature takes; for the synthetic inks
also the peak memory the render allocates (tracemalloc, a separate run). Then the same rows
with no ink (text only), a
whole export as the kiosk makes it from a store of sealed signatures (kiosk.exports.
make_pdf_export: read, decrypt, decode, build, render; ``--no-end-to-end`` skips it), and, with
``--baseline``, reportlab's plain path API drawing every sample, measured on 1,000 rows and
scaled up. The load average before and after is printed: the machine is shared.

Run: ``.venv/bin/python -m bench pdf`` or ``.venv/bin/python -m bench.bench_pdf [--baseline]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import random
import statistics
import time
import tracemalloc

from reportlab.pdfgen.canvas import Canvas

from bench.harness import Row, letters, print_table
from kiosk.domain.ink import Ink
from kiosk.pdf.ink_path import Box, InkStyle, signature_ops
from kiosk.pdf.model import Packet, PacketSection
from kiosk.pdf.render import render_packet
from kiosk.pdf.samples import sample_packet
from kiosk.simulate import human_strokes

N = 10_000
_CELL = Box(409.6, 626.6, 165.4, 62.4)  # the signature cell of a 10-row Letter sheet


def _timed_render(packet: Packet, repeats: int) -> tuple[float, float, int]:
    """Median wall seconds, median CPU seconds, and the output size of ``repeats`` renders."""
    walls, cpus = [], []
    size = 0
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        data = render_packet(packet)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        size = len(data)
    return statistics.median(walls), statistics.median(cpus), size


def _peak_memory(packet: Packet) -> float:
    """Peak bytes allocated while rendering (tracemalloc)."""
    tracemalloc.start()
    try:
        render_packet(packet)
        return float(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def _with_inks(packet: Packet, inks: list[Ink]) -> Packet:
    rows = packet.rows()
    section = packet.sections[0]
    new_rows = tuple(dataclasses.replace(r, ink=ink) for r, ink in zip(rows, inks, strict=True))
    return dataclasses.replace(packet, sections=(PacketSection(section.version, new_rows),))


def _pieces(packet: Packet, rows: int = 1000) -> float:
    """The mean number of curve pieces (``c`` operators) of the first ``rows`` signatures."""
    inks = [r.ink for r in packet.rows()[:rows]]
    groups = signature_ops(inks, [_CELL] * len(inks), InkStyle(), standalone=False)
    return statistics.mean(g.count(" c") for g in groups)


def _baseline_seconds(packet: Packet, rows: int) -> tuple[float, int]:
    """reportlab's path API, every sample a lineTo, for the first ``rows`` signatures."""
    box = Box(380, 100, 165, 60)
    start = time.perf_counter()
    out = io.BytesIO()
    c = Canvas(out)
    for i, row in enumerate(packet.rows()[:rows]):
        if i and i % 10 == 0:
            c.showPage()
        ink = row.ink
        scale = min(box.width / ink.width, box.height / ink.height)
        top = 700 - (i % 10) * 62
        c.setLineWidth(0.9)
        for stroke in ink.strokes:
            path = c.beginPath()
            path.moveTo(box.x + stroke[0].x * scale, top - stroke[0].y * scale)
            for p in stroke[1:]:
                path.lineTo(box.x + p.x * scale, top - p.y * scale)
            c.drawPath(path, stroke=1, fill=0)
    c.save()
    return time.perf_counter() - start, len(out.getvalue())


def _end_to_end(inks: list[Ink]) -> list[Row]:
    """A PDF export as the kiosk makes it (kiosk.exports.make_pdf_export) from a store of
    sealed signatures: read and open each (decrypt, parse, decode the ink), build the packet,
    render. Making the store (sealing) is not timed."""
    import gc
    import tempfile
    from datetime import UTC, datetime, timedelta
    from pathlib import Path

    from kiosk.adapters.crypto import SealedBoxOpener, SealedBoxSealer, generate_keypair
    from kiosk.adapters.geo import ZipcodesDirectory
    from kiosk.app import load_catalog
    from kiosk.domain.ids import uuid7
    from kiosk.domain.ports import SignatureFilter
    from kiosk.domain.signature import PersonalData, SealedSignature, SignatureMeta
    from kiosk.exports import make_pdf_export
    from kiosk.store.sql import open_store

    slug = "defy-trump-expand-sanctuary"
    catalog, _ = load_catalog(None)
    campaign = catalog.get(slug)
    version = campaign.current_version(None)
    public, private = generate_keypair()
    sealer = SealedBoxSealer(public)
    start = datetime(2026, 3, 3, 16, tzinfo=UTC)
    items = []
    for i, ink in enumerate(inks):
        created = start + timedelta(seconds=37 * i)
        personal = PersonalData(
            first_name=f"Ana-{letters(i)}",
            last_name="García",
            zip="55802",
            city="Duluth",
            state="MN",
            email=f"a{i}@example.org",
            ink=ink,
        )
        meta = SignatureMeta(
            uuid7(int(created.timestamp() * 1000)),
            slug,
            None,
            version.hash,
            "en",
            "bench",
            None,
            created,
            -300,
        )
        items.append((SealedSignature(meta, sealer.seal(personal.to_bytes()), ()), version))
    marks: dict[str, float] = {}

    def progress(stage: str, _done: int, _total: int) -> None:
        marks.setdefault(stage, time.perf_counter())  # first report of each stage
        marks[stage + " last"] = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "e2e.db")
        try:
            for at in range(0, len(items), 2000):
                store.bulk_add(items[at : at + 2000])
            del items
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            made = make_pdf_export(
                store,
                campaign,
                ZipcodesDirectory(),
                SealedBoxOpener(private),
                SignatureFilter(campaign=slug),
                progress=progress,
            )
            total = time.perf_counter() - wall
            total_cpu = time.process_time() - cpu
        finally:
            store.close()
    size = sum(len(f.data) for f in made.files)
    read = marks["reading last"] - wall
    return [
        Row(
            f"export from a store (make_pdf_export), {made.rows:,} signatures",
            total,
            "s",
            note=f"CPU {total_cpu:.2f} s, {size / 1e6:.1f} MB",
        ),
        Row("  read, decrypt, decode the ink", read, "s"),
        Row("  build the packet and render", total - read, "s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--baseline", action="store_true", help="also time the path API")
    parser.add_argument("--rows", type=int, default=N)
    parser.add_argument(
        "--no-end-to-end", action="store_true", help="skip the export from a real store"
    )
    args = parser.parse_args()
    n = args.rows

    load_before = os.getloadavg()
    packet = sample_packet(n, hard_names=True, points=300)
    points = statistics.mean(r.ink.point_count for r in packet.rows())
    strokes = statistics.mean(len(r.ink.strokes) for r in packet.rows())
    render_packet(sample_packet(20))  # load fonts, warm caches

    wall, cpu, size = _timed_render(packet, 3)
    peak = _peak_memory(packet)
    rows = [
        Row(f"render {n:,} signatures (wall, median of 3)", wall, "s", 2.0),
        Row(
            "  CPU time of the process (median)",
            cpu,
            "s",
            note="includes the page-compression thread",
        ),
        Row("  output size", size / 1e6, "MB", 10.0),
        Row(
            "  peak memory allocated while rendering",
            peak / 1e6,
            "MB",
            note="tracemalloc; the input rows are extra",
        ),
        Row("  per signature", wall / n * 1e6, "us"),
    ]

    text_only = _with_inks(packet, [Ink(900, 300, ())] * n)
    t_wall, t_cpu, t_size = _timed_render(text_only, 3)
    rows.append(
        Row(
            f"same {n:,} rows, no ink (text only)",
            t_wall,
            "s",
            note=f"CPU {t_cpu:.2f} s, {t_size / 1e6:.1f} MB",
        )
    )

    rng = random.Random(7)
    other = _with_inks(packet, [human_strokes(rng) for _ in range(n)])
    o_points = statistics.mean(r.ink.point_count for r in other.rows())
    o_wall, o_cpu, o_size = _timed_render(other, 3)
    rows += [
        Row(
            f"{n:,} rows, human_strokes inks (wall, median of 3)",
            o_wall,
            "s",
            2.0,
            note=f"CPU {o_cpu:.2f} s, {o_points:.0f} points a signature",
        ),
        Row("  output size", o_size / 1e6, "MB", 10.0, note="white sensor noise of ~0.12 pt"),
        Row("  curve pieces a signature", _pieces(other), "", note="first 1,000"),
    ]
    rows.insert(3, Row("  curve pieces a signature", _pieces(packet), "", note="first 1,000"))

    if not args.no_end_to_end:
        rows += _end_to_end([r.ink for r in packet.rows()])

    if args.baseline:
        sample = min(n, 1000)
        b_secs, b_size = _baseline_seconds(packet, sample)
        rows.append(
            Row(
                f"baseline: path API, every sample, scaled to {n:,}",
                b_secs * n / sample,
                "s",
                note=f"{b_size * n / sample / 1e6:.0f} MB",
            )
        )

    load_after = os.getloadavg()
    print_table(
        f"PDF packet: {n:,} signatures, {strokes:.1f} strokes and {points:.0f} points each",
        rows,
    )
    print(
        "load average (1, 5, 15 min) before: "
        + ", ".join(f"{x:.2f}" for x in load_before)
        + "; after: "
        + ", ".join(f"{x:.2f}" for x in load_after)
    )


if __name__ == "__main__":
    main()
