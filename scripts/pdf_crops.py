"""Show that signature simplification is visually lossless: before/after crops at 600 dpi.

Draws signatures twice at the size they have on a 10-row Letter sheet: "before" as straight
segments through every touch sample (what the plain path API would draw), "after" as the packet
draws them (denoised, key samples joined by Bézier curves, every sample within the tolerance of
the print). Two inks: a smooth synthetic one (kiosk.pdf.samples.synthetic_signature) and a noisy
one from the simulator (kiosk.simulate.human_strokes, white sensor noise of about a pad pixel).
Writes to docs/screenshots/:

- ``pdf-crop-before.png``, ``pdf-crop-after.png`` (synthetic) and ``pdf-crop-human-before.png``,
  ``pdf-crop-human-after.png``: the same region (the left 1.3 inch of the cell, its full height)
  at 600 dpi (pdftoppm -r 600 -x -y -W -H);
- ``pdf-crop-overlay.png`` and ``pdf-crop-human-overlay.png``: "after" in blue drawn over
  "before" in red, same width: red shows only where the two differ;
- ``pdf-crop-human-zoom.png``: the overlay of the human_strokes ink at 2400 dpi, around the
  sample farthest from the drawn curve (a quarter inch square, the pen 30 pixels wide).

and prints, for each ink, the sample and segment counts, the largest distance of a sample from
the drawn curve (kiosk.pdf.ink_measure), and the compressed size of each.

Run: ``.venv/bin/python scripts/pdf_crops.py [--seed N] [--human-seed N]``.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np
from reportlab.pdfgen.canvas import Canvas

from kiosk.domain.ink import Ink
from kiosk.pdf.ink_measure import sample_deviations
from kiosk.pdf.ink_path import (
    Box,
    InkStyle,
    grid_for,
    place_ink,
    polyline_ops,
    signature_ops,
)
from kiosk.pdf.samples import synthetic_signature
from kiosk.simulate import human_strokes

SHOTS = ROOT / "docs" / "screenshots"
DPI = 600
# The signature cell of a 10-row Letter sheet.
CELL_W, CELL_H = 165.6, 62.4
PAGE_W, PAGE_H = 200.0, 240.0
BEFORE = Box(17.2, 160.0, CELL_W, CELL_H)
AFTER = Box(17.2, 90.0, CELL_W, CELL_H)
OVERLAY = Box(17.2, 20.0, CELL_W, CELL_H)


def _recolor(ops: str, rgb: str) -> str:
    return re.sub(r"[\d.]+ [\d.]+ [\d.]+ RG", f"{rgb} RG", ops, count=1)


def _crop(pdf: Path, box: Box, target: Path, zoom: tuple[float, float] | None = None) -> None:
    """Render the left 1.3 inch of ``box``, its full height, at 600 dpi; or, with ``zoom``
    (page x, y in points), a quarter inch square around that point at 2400 dpi."""
    dpi = DPI if zoom is None else 4 * DPI
    scale = dpi / 72
    if zoom is None:
        x = round((box.x + 2) * scale)
        y = round((PAGE_H - (box.y + box.height)) * scale)
        w, h = round(1.3 * dpi), round(box.height * scale)
    else:
        w = h = round(0.25 * dpi)
        x = round(zoom[0] * scale) - w // 2
        y = round((PAGE_H - zoom[1]) * scale) - h // 2
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-x",
            str(x),
            "-y",
            str(y),
            "-W",
            str(w),
            "-H",
            str(h),
            "-singlefile",
            "-png",
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
    )
    print(f"wrote {target.relative_to(ROOT)}")


def _draw(ink: Ink, stem: str, style: InkStyle, zoom: bool) -> None:
    """Write the crops of one ink and print its figures."""
    before = polyline_ops(ink, BEFORE, style)
    (after,) = signature_ops([ink], [AFTER], style)
    under = _recolor(polyline_ops(ink, OVERLAY, style), "0.9 0.1 0.1")
    (over,) = signature_ops([ink], [OVERLAY], style)
    over = _recolor(over, "0.1 0.2 0.8")
    dev = sample_deviations(ink, AFTER, after, style)
    worst = None
    if zoom:
        place = place_ink(ink, OVERLAY, style)
        flat = [p for s in ink.strokes for p in s]
        worst = place.to_page(flat[int(dev.argmax())].x, flat[int(dev.argmax())].y)

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "crops.pdf"
        out = io.BytesIO()
        canvas = Canvas(out, pagesize=(PAGE_W, PAGE_H))
        for op in (before, after, under, over):
            canvas.addLiteral(op)
        canvas.showPage()
        canvas.save()
        pdf.write_bytes(out.getvalue())
        SHOTS.mkdir(parents=True, exist_ok=True)
        _crop(pdf, BEFORE, SHOTS / f"{stem}-before.png")
        _crop(pdf, AFTER, SHOTS / f"{stem}-after.png")
        _crop(pdf, OVERLAY, SHOTS / f"{stem}-overlay.png")
        if worst is not None:
            _crop(pdf, OVERLAY, SHOTS / f"{stem}-zoom.png", zoom=worst)

    segments = after.split().count("c")
    print(f"{stem}: samples: {ink.point_count} in {len(ink.strokes)} strokes")
    print(
        f"  before: {ink.point_count - len(ink.strokes)} straight segments, "
        f"{len(zlib.compress(before.encode()))} bytes compressed"
    )
    print(
        f"  after:  {segments} Bézier segments, "
        f"{len(zlib.compress(after.encode()))} bytes compressed"
    )
    print(
        f"  distance of a sample from the drawn curve: largest {dev.max():.3f} pt, median "
        f"{float(np.median(dev)):.3f} pt (tolerance {style.tolerance} pt, rounding included; "
        f"grid {grid_for(AFTER, style):.3f} pt, pen {style.line_width} pt)"
    )
    if worst is not None:
        print(f"  zoomed on the farthest sample, at page ({worst[0]:.1f}, {worst[1]:.1f}) pt")


def main() -> int:
    """Draw the signatures, write the crops, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--human-seed", type=int, default=3)
    args = parser.parse_args()
    style = InkStyle()
    _draw(synthetic_signature(args.seed), "pdf-crop", style, zoom=False)
    _draw(human_strokes(random.Random(args.human_seed)), "pdf-crop-human", style, zoom=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
