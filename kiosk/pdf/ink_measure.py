"""Measure a drawn signature against its touch samples, from the PDF operators alone.

Used by the tests and by ``scripts/pdf_crops.py`` to check the guarantee of
:mod:`kiosk.pdf.ink_path` independently of the code that fits the curves: the operators are
parsed back (the ``cm`` grid and origin, then ``m``/``l``/``c`` in grid units) into page
coordinates, and each sample's distance to its stroke is bounded from above by the nearest of
many points along the curves, improved by Newton steps on the exact cubic. Every distance
reported is the distance to an actual point of the printed centre line, so the true distance
is never larger (it may be smaller by a negligible amount).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kiosk.domain.ink import Ink
from kiosk.pdf.ink_path import Box, InkStyle, place_ink

_A = npt.NDArray[np.float64]
_CM = re.compile(r"([\d.]+) 0 0 ([\d.]+) ([\d.-]+) ([\d.-]+) cm")
_STEPS = 32  # points per curve piece for the first search
_NEWTON = 4  # Newton steps from the nearest of them


@dataclass(frozen=True, slots=True)
class DrawnStroke:
    """One stroke as printed, in page points: its start and its pieces as cubic Béziers
    (a straight ``l`` is a cubic with its control points on the line)."""

    start: tuple[float, float]
    pieces: _A  # shape (k, 4, 2): p0, p1, p2, p3 of each piece


def drawn_strokes(ops: str) -> list[DrawnStroke]:
    """Parse one signature group's operators (as :func:`signature_ops` writes them)."""
    m = _CM.search(ops)
    if m is None:
        raise ValueError("no cm operator in the group")
    g, ox, oy = float(m.group(1)), float(m.group(3)), float(m.group(4))
    body = re.sub(r"^\s*[\d.]+ w", "", ops[m.end() :])  # the pen width
    out: list[tuple[tuple[float, float], list[list[tuple[float, float]]]]] = []
    nums: list[float] = []
    for tok in body.split():
        if re.fullmatch(r"-?\d+(\.\d*)?", tok):
            nums.append(float(tok))
            continue
        pts = [(ox + nums[i] * g, oy + nums[i + 1] * g) for i in range(0, len(nums) - 1, 2)]
        nums = []
        if tok == "m":
            out.append((pts[0], []))
        elif tok in ("l", "c") and out:
            start, pieces = out[-1]
            p0 = pieces[-1][3] if pieces else start
            if tok == "l":
                (p3,) = pts
                p1 = (p0[0] + (p3[0] - p0[0]) / 3, p0[1] + (p3[1] - p0[1]) / 3)
                p2 = (p0[0] + 2 * (p3[0] - p0[0]) / 3, p0[1] + 2 * (p3[1] - p0[1]) / 3)
                pieces.append([p0, p1, p2, p3])
            else:
                pieces.append([p0, *pts])
    return [
        DrawnStroke(start, np.array(pieces, dtype=np.float64).reshape(-1, 4, 2))
        for start, pieces in out
    ]


def _bezier(pieces: _A, t: _A) -> tuple[_A, _A, _A]:
    """Points, first and second derivatives of pieces[i] at t[i] (t shape (n,))."""
    p0, p1, p2, p3 = (pieces[:, k, :] for k in range(4))
    s = (1 - t)[:, None]
    tt = t[:, None]
    b = s**3 * p0 + 3 * s * s * tt * p1 + 3 * s * tt * tt * p2 + tt**3 * p3
    d1 = 3 * (s * s * (p1 - p0) + 2 * s * tt * (p2 - p1) + tt * tt * (p3 - p2))
    d2 = 6 * (s * (p2 - 2 * p1 + p0) + tt * (p3 - 2 * p2 + p1))
    return b, d1, d2


def stroke_distances(stroke: DrawnStroke, q: _A) -> _A:
    """An upper bound (the distance to a point of the stroke) for each point of q (n, 2).

    For every point and every piece: the nearest of 33 points along the piece, then Newton
    steps on the exact cubic from there; the smallest distance found counts.
    """
    if stroke.pieces.shape[0] == 0:
        return np.hypot(q[:, 0] - stroke.start[0], q[:, 1] - stroke.start[1])
    k = stroke.pieces.shape[0]
    ts = np.linspace(0.0, 1.0, _STEPS + 1)
    dense = _bezier(np.repeat(stroke.pieces, ts.size, axis=0), np.tile(ts, k))[0]
    dense = dense.reshape(k, ts.size, 2)
    out = np.empty(len(q))
    for at in range(0, len(q), 64):
        qq = q[at : at + 64]
        d = np.hypot(
            qq[:, None, None, 0] - dense[None, :, :, 0], qq[:, None, None, 1] - dense[None, :, :, 1]
        )  # (n, k, steps)
        j = d.argmin(axis=2)
        best = np.take_along_axis(d, j[..., None], axis=2)[..., 0].ravel()
        t = ts[j].ravel()
        pcs = np.tile(stroke.pieces, (len(qq), 1, 1))
        target = np.repeat(qq, k, axis=0)
        for _ in range(_NEWTON):
            b, d1, d2 = _bezier(pcs, t)
            e = b - target
            den = (d1 * d1).sum(axis=1) + (e * d2).sum(axis=1)
            step = (e * d1).sum(axis=1) / np.where(den > 1e-12, den, np.inf)
            t = np.clip(t - step, 0.0, 1.0)
            b = _bezier(pcs, t)[0]
            best = np.minimum(best, np.hypot(*(b - target).T))
        out[at : at + 64] = best.reshape(len(qq), k).min(axis=1)
    return out


def sample_deviations(ink: Ink, box: Box, ops: str, style: InkStyle = InkStyle()) -> _A:
    """The distance, in points, of every touch sample of ``ink`` to the stroke printed for it
    by ``ops`` (one group of :func:`kiosk.pdf.ink_path.signature_ops` for ``box``)."""
    place = place_ink(ink, box, style)
    raw = [s for s in ink.strokes if s]
    drawn = drawn_strokes(ops)
    if len(drawn) != len(raw):
        raise ValueError(f"{len(drawn)} strokes drawn for {len(raw)} strokes of ink")
    out = [
        stroke_distances(stroke, np.array([place.to_page(p.x, p.y) for p in samples]))
        for samples, stroke in zip(raw, drawn, strict=True)
    ]
    return np.concatenate(out) if out else np.zeros(0)
