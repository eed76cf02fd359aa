"""Show that signature simplification is visually lossless: before/after crops at 600 dpi.

Draws one synthetic signature twice at the size it has on a 10-row Letter sheet: "before" as
straight segments through every sample (what the plain path API would draw), "after" as the
packet draws it (key samples joined by Bézier curves, within the tolerance). Writes to
docs/screenshots/:

- ``pdf-crop-before.png`` and ``pdf-crop-after.png``: the same region (the left 1.3 inch of
  the cell, its full height) at 600 dpi (pdftoppm -r 600 -x -y -W -H);
- ``pdf-crop-overlay.png``: "after" in blue drawn over "before" in red, same width: red shows
  only where the two differ.

and prints the sample and segment counts, the largest distance of a sample from the drawn
curve, and the compressed size of each.

Run: ``.venv/bin/python scripts/pdf_crops.py [--seed N]``.
"""

from __future__ import annotations

import argparse
import io
import math
import re
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlab.pdfgen.canvas import Canvas

from kiosk.domain.ink import Ink
from kiosk.pdf.ink_path import (
    Box,
    InkStyle,
    grid_for,
    place_ink,
    polyline_ops,
    signature_ops,
)
from kiosk.pdf.samples import synthetic_signature

SHOTS = ROOT / "docs" / "screenshots"
DPI = 600
# The signature cell of a 10-row Letter sheet.
CELL_W, CELL_H = 165.6, 62.4
PAGE_W, PAGE_H = 200.0, 240.0
BEFORE = Box(17.2, 160.0, CELL_W, CELL_H)
AFTER = Box(17.2, 90.0, CELL_W, CELL_H)
OVERLAY = Box(17.2, 20.0, CELL_W, CELL_H)


def _max_deviation(ink: Ink, box: Box, ops: str) -> float:
    """The largest distance, in points, from a drawn sample to the curves in ``ops``."""
    m = re.search(r"([\d.]+) 0 0 ([\d.]+) ([\d.-]+) ([\d.-]+) cm", ops)
    assert m
    g, ox, oy = float(m.group(1)), float(m.group(3)), float(m.group(4))
    curves: list[list[tuple[float, float]]] = []
    nums: list[float] = []
    for tok in ops[m.end() :].split():
        if re.fullmatch(r"-?\d+", tok):
            nums.append(float(tok))
            continue
        pts = [(ox + nums[i] * g, oy + nums[i + 1] * g) for i in range(0, len(nums), 2)]
        nums = []
        if tok == "m":
            curves.append([pts[0]])
        elif tok == "l":
            curves[-1].append(pts[0])
        elif tok == "c":
            p0 = curves[-1][-1]
            (x1, y1), (x2, y2), (x3, y3) = pts
            for k in range(1, 33):
                t = k / 32
                s = 1 - t
                curves[-1].append(
                    (
                        s**3 * p0[0] + 3 * s * s * t * x1 + 3 * s * t * t * x2 + t**3 * x3,
                        s**3 * p0[1] + 3 * s * s * t * y1 + 3 * s * t * t * y2 + t**3 * y3,
                    )
                )
    place = place_ink(ink, box)
    worst = 0.0
    for stroke, poly in zip(ink.strokes, curves, strict=True):
        for p in stroke:
            q = place.to_page(p.x, p.y)
            best = math.inf
            for a, b in zip(poly, poly[1:] or poly, strict=False):
                dx, dy = b[0] - a[0], b[1] - a[1]
                length = dx * dx + dy * dy
                t = (
                    0.0
                    if length == 0
                    else max(0.0, min(1.0, ((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / length))
                )
                best = min(best, math.hypot(q[0] - a[0] - t * dx, q[1] - a[1] - t * dy))
            worst = max(worst, best)
    return worst


def _recolor(ops: str, rgb: str) -> str:
    return re.sub(r"[\d.]+ [\d.]+ [\d.]+ RG", f"{rgb} RG", ops, count=1)


def _crop(pdf: Path, box: Box, target: Path) -> None:
    """Render the left 1.3 inch of ``box``, its full height, at 600 dpi."""
    scale = DPI / 72
    x = round((box.x + 2) * scale)
    y = round((PAGE_H - (box.y + box.height)) * scale)
    w, h = round(1.3 * DPI), round(box.height * scale)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(DPI),
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


def main() -> int:
    """Draw the signature, write the crops, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    style = InkStyle()
    ink = synthetic_signature(args.seed)
    before = polyline_ops(ink, BEFORE, style)
    (after,) = signature_ops([ink], [AFTER], style)
    under = _recolor(polyline_ops(ink, OVERLAY, style), "0.9 0.1 0.1")
    (over,) = signature_ops([ink], [OVERLAY], style)
    over = _recolor(over, "0.1 0.2 0.8")

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
        _crop(pdf, BEFORE, SHOTS / "pdf-crop-before.png")
        _crop(pdf, AFTER, SHOTS / "pdf-crop-after.png")
        _crop(pdf, OVERLAY, SHOTS / "pdf-crop-overlay.png")

    segments = after.split().count("c")
    print(f"samples: {ink.point_count} in {len(ink.strokes)} strokes")
    print(
        f"before: {ink.point_count - len(ink.strokes)} straight segments, "
        f"{len(zlib.compress(before.encode()))} bytes compressed"
    )
    print(
        f"after:  {segments} Bézier segments, {len(zlib.compress(after.encode()))} bytes compressed"
    )
    print(
        f"largest distance of a sample from the drawn curve: "
        f"{_max_deviation(ink, AFTER, after):.3f} pt (tolerance {style.tolerance} pt, grid "
        f"{grid_for(AFTER, style):.3f} pt, pen {style.line_width} pt)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
