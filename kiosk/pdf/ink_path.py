"""Drawn signatures as small, smooth PDF vector paths.

A signature arrives as pad-pixel samples every few milliseconds (:class:`kiosk.domain.ink.Ink`).
Writing every sample as a line segment through reportlab's path API is slow and large (about
2.5 ms and 2.5 KB per 300-point signature). This module instead:

1. scales the ink's bounding box into the row's signature cell, keeping its aspect ratio;
2. picks key samples (stroke ends, sharp corners, the top and bottom of every loop, and one at
   least every 40 pt) and joins them with cubic Bézier curves whose end tangents come from the
   lightly smoothed samples and whose handle lengths are a least-squares fit to the samples in
   between (Schneider's curve fitting), so strokes are smooth (G1) except at real corners;
3. checks every sample's distance to its curve; a piece out of tolerance is refitted once with
   better sample parameters, then split at its worst sample, until every sample is within the
   tolerance: 0.2 pt by default (0.07 mm), under a quarter of the 0.9 pt pen;
4. writes the path operators as text itself, in integer units of a grid under a ``cm``
   transform: the cell's larger side divided by 999 (0.17 pt for a 10-row Letter sheet), so
   every number has at most three digits, and nothing goes through reportlab's per-point code.
   Rounding moves a point by at most 0.7 grid units (0.12 pt).

All of it is vectorised with numpy over batches of signatures: a 300-point signature becomes
about 75 curve segments and 1 KB of compressed content. Each signature is wrapped in a
``/KioskSig BMC ... EMC`` marked-content sequence, so a reader (and the tests) can count exactly
one signature per row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from kiosk.domain.ink import Ink

#: The marked-content tag around each signature's path.
SIGNATURE_TAG = "KioskSig"

_F = npt.NDArray[np.float64]
_B = npt.NDArray[np.bool_]
_I = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on the page, in points, origin at the bottom left."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class InkStyle:
    """How signatures are drawn.

    Attributes:
        line_width: the pen width on paper, in points.
        tolerance: the largest distance, in points on paper, of any drawn sample from the curve
            that replaces it. 0 disables simplification (every sample becomes a key point).
        grid: the coordinate quantum, in points; coordinates are written as integers of it.
            None: the box's larger side / 999, so numbers have at most three digits.
        padding: the blank margin inside the cell, in points.
        max_enlarge: the most a small signature is enlarged relative to fitting the whole pad
            into the cell, so a tiny scribble does not become a huge blot.
        color: the ink colour as RGB in 0..1 (a dark blue-black, like a pen).
    """

    line_width: float = 0.9
    tolerance: float = 0.2
    grid: float | None = None
    padding: float = 4.0
    max_enlarge: float = 3.0
    color: tuple[float, float, float] = (0.06, 0.11, 0.36)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a signature lands: page = (origin_x + (x - min_x) * scale, origin_y + (max_y - y) * scale)."""

    scale: float
    origin_x: float
    origin_y: float
    min_x: float
    max_y: float

    def to_page(self, x: float, y: float) -> tuple[float, float]:
        """Map a pad point to page coordinates.

        Args:
            x: the pad x, in pixels.
            y: the pad y, in pixels (downwards).
        """
        return (
            self.origin_x + (x - self.min_x) * self.scale,
            self.origin_y + (self.max_y - y) * self.scale,
        )


def place_ink(ink: Ink, box: Box, style: InkStyle = InkStyle()) -> Placement:
    """Return how ``ink`` is scaled and placed, centred, into ``box``.

    The bounding box of the strokes is fitted into the box less padding, keeping the aspect
    ratio, but enlarged at most ``style.max_enlarge`` times relative to fitting the whole pad.

    Args:
        ink: the signature.
        box: the cell on the page.
        style: the drawing style.
    """
    xs = [p.x for s in ink.strokes for p in s]
    ys = [p.y for s in ink.strokes for p in s]
    if not xs:
        return Placement(1.0, box.x + box.width / 2, box.y + box.height / 2, 0.0, 0.0)
    return _placement(min(xs), min(ys), max(xs), max(ys), ink.width, ink.height, box, style)


def _placement(
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    pad_w: float,
    pad_h: float,
    box: Box,
    style: InkStyle,
) -> Placement:
    inset = style.padding + style.line_width / 2
    avail_w = max(box.width - 2 * inset, 1.0)
    avail_h = max(box.height - 2 * inset, 1.0)
    pad_fit = min(avail_w / max(pad_w, 1.0), avail_h / max(pad_h, 1.0))
    bw, bh = x1 - x0, y1 - y0
    fits = [pad_fit * style.max_enlarge]
    if bw > 0:
        fits.append(avail_w / bw)
    if bh > 0:
        fits.append(avail_h / bh)
    scale = min(fits)
    ox = box.x + (box.width - bw * scale) / 2
    oy = box.y + (box.height - bh * scale) / 2
    return Placement(scale, ox, oy, x0, y1)


def polyline_ops(ink: Ink, box: Box, style: InkStyle = InkStyle()) -> str:
    """Return the signature as straight segments through every sample, unsimplified.

    This is the reference the simplified curves are compared with (crops, tests); it is not
    used for packets.

    Args:
        ink: the signature.
        box: the cell on the page.
        style: the drawing style (only placement, colour and width are used).
    """
    pl = place_ink(ink, box, style)
    out = [_prologue(style, None, pl, True)]
    for stroke in ink.strokes:
        if not stroke:
            continue
        pts = [pl.to_page(p.x, p.y) for p in stroke]
        x0, y0 = pts[0]
        out.append(f"{x0:.4f} {y0:.4f} m")
        if len(pts) == 1:
            out.append(f"{x0:.4f} {y0:.4f} l")
        out.extend(f"{x:.4f} {y:.4f} l" for x, y in pts[1:])
    out.append("S Q EMC")
    return "\n".join(out)


def stroke_state_ops(style: InkStyle = InkStyle()) -> str:
    """Return the graphics-state operators signatures are stroked with (caps, joins, colour).

    Emit them once, inside a ``q ... Q`` around the non-standalone groups of
    :func:`signature_ops`.

    Args:
        style: the drawing style.
    """
    r, g, b = style.color
    return f"1 J 1 j {r:.3g} {g:.3g} {b:.3g} RG"


def grid_for(box: Box, style: InkStyle = InkStyle()) -> float:
    """The coordinate quantum used for signatures in ``box``, in points.

    Args:
        box: the signature cell.
        style: the drawing style.
    """
    if style.grid is not None:
        return style.grid
    return max(0.05, max(box.width, box.height) / 999)


def _prologue(style: InkStyle, grid: float | None, pl: Placement, standalone: bool) -> str:
    head = f"/{SIGNATURE_TAG} BMC q"
    if grid is None:
        return f"{head} {stroke_state_ops(style)} {style.line_width:.3g} w"
    if standalone:
        head = f"{head} {stroke_state_ops(style)}"
    return (
        f"{head} {grid:.5g} 0 0 {grid:.5g} {pl.origin_x:.2f} {pl.origin_y:.2f} cm "
        f"{style.line_width / grid:.4g} w"
    )


def signature_ops(
    inks: Sequence[Ink],
    boxes: Sequence[Box],
    style: InkStyle = InkStyle(),
    *,
    standalone: bool = True,
) -> list[str]:
    """Return PDF content-stream operators drawing each signature in its box.

    Each string is one ``/KioskSig BMC q ... Q EMC`` group (graphics state saved and restored),
    to be appended to a page's content stream.

    Args:
        inks: the signatures.
        boxes: the cell of each signature, same length as ``inks``.
        style: the drawing style.
        standalone: whether each group sets the stroke state itself; if False the caller emits
            :func:`stroke_state_ops` once before the groups (smaller files).

    Raises:
        ValueError: ``inks`` and ``boxes`` differ in length.
    """
    if len(inks) != len(boxes):
        raise ValueError("one box per signature")
    out = [""] * len(inks)
    todo: list[int] = []
    for i, ink in enumerate(inks):
        if any(ink.strokes):
            todo.append(i)
        else:
            pl = place_ink(ink, boxes[i], style)
            out[i] = _prologue(style, grid_for(boxes[i], style), pl, standalone) + " Q EMC"
    for at in range(0, len(todo), _CHUNK):
        chunk = todo[at : at + _CHUNK]
        groups = _batch([inks[i] for i in chunk], [boxes[i] for i in chunk], style, standalone)
        for i, ops in zip(chunk, groups, strict=True):
            out[i] = ops
    return out


# --- the vectorised core ---------------------------------------------------------------------

_CORNER_COS = math.cos(math.radians(75))  # a turn sharper than this at one sample is a corner
_LEN_STEP = 40.0  # first-guess segments end at y extrema and every 40 pt of arc
_MAX_ROUNDS = 8  # rounds of checking and splitting before the rest is drawn through every sample
_REFIT_BELOW = 2.0  # a segment less than 2 tolerances out is refitted before it is split...
_MAX_TRIES = 1  # ...once
_NEWTON = 1  # Newton steps towards each sample's nearest curve point
_XY = attrgetter("x", "y")
_CHUNK = 64  # signatures per vectorised batch: big enough to amortise, small enough for cache


def _batch(
    inks: Sequence[Ink], boxes: Sequence[Box], style: InkStyle, standalone: bool
) -> list[str]:
    """Draw a batch of non-empty signatures (see the module docstring)."""
    grid = max(grid_for(b, style) for b in boxes)
    # Gather every sample of the batch into flat arrays; strokes with no points are dropped.
    strokes = [s for ink in inks for s in ink.strokes if s]
    counts = np.fromiter((len(s) for s in strokes), dtype=np.intp, count=len(strokes))
    strokes_per_ink = np.fromiter(
        (sum(1 for s in ink.strokes if s) for ink in inks), dtype=np.intp, count=len(inks)
    )
    # One pass over the points, all in C: (x, y) pairs flattened straight into an array.
    xy = np.fromiter(
        chain.from_iterable(map(_XY, chain.from_iterable(strokes))),
        dtype=np.float64,
        count=2 * int(counts.sum()),
    )
    px = xy[0::2]
    py = xy[1::2]
    stroke_start = np.zeros(len(strokes), dtype=np.intp)
    np.cumsum(counts[:-1], out=stroke_start[1:])
    ink_first_stroke = np.zeros(len(inks), dtype=np.intp)
    np.cumsum(strokes_per_ink[:-1], out=ink_first_stroke[1:])
    ink_start = stroke_start[ink_first_stroke]

    # Placement of each signature: bounding box fitted into its cell.
    x0 = np.minimum.reduceat(px, ink_start)
    x1 = np.maximum.reduceat(px, ink_start)
    y0 = np.minimum.reduceat(py, ink_start)
    y1 = np.maximum.reduceat(py, ink_start)
    places = [
        _placement(
            float(x0[k]),
            float(y0[k]),
            float(x1[k]),
            float(y1[k]),
            inks[k].width,
            inks[k].height,
            boxes[k],
            style,
        )
        for k in range(len(inks))
    ]
    points_per_ink = np.add.reduceat(counts, ink_first_stroke)
    factor = np.array([pl.scale for pl in places]) / grid
    f = np.repeat(factor, points_per_ink)
    # Grid units, y up, relative to the signature's own corner.
    u = (px - np.repeat(x0, points_per_ink)) * f
    v = (np.repeat(y1, points_per_ink) - py) * f

    seg_a, seg_b, c1x, c1y, c2x, c2y = _fit(
        u, v, stroke_start, counts, style.tolerance / grid, _LEN_STEP / grid
    )

    # Integers, in drawing order: per stroke its start point, then its curve segments.
    ui = np.rint(u).astype(np.int64)
    vi = np.rint(v).astype(np.int64)
    stroke_of_seg = np.searchsorted(stroke_start, seg_a, side="right") - 1
    segs_per_stroke = np.bincount(stroke_of_seg, minlength=len(strokes))
    single = counts == 1
    block = 2 + 6 * segs_per_stroke + 2 * single
    block_start = np.zeros(len(strokes), dtype=np.intp)
    np.cumsum(block[:-1], out=block_start[1:])
    nums = np.empty(int(block.sum()), dtype=np.int64)
    nums[block_start] = ui[stroke_start]
    nums[block_start + 1] = vi[stroke_start]
    dots = block_start[single] + 2
    nums[dots] = ui[stroke_start[single]]
    nums[dots + 1] = vi[stroke_start[single]]
    seg_rank = np.arange(seg_a.size) - np.repeat(
        np.concatenate(([0], np.cumsum(segs_per_stroke)[:-1])), segs_per_stroke
    )
    pos = block_start[stroke_of_seg] + 2 + 6 * seg_rank
    nums[pos] = np.rint(c1x)
    nums[pos + 1] = np.rint(c1y)
    nums[pos + 2] = np.rint(c2x)
    nums[pos + 3] = np.rint(c2y)
    nums[pos + 4] = ui[seg_b]
    nums[pos + 5] = vi[seg_b]
    # One format operation for the whole batch; signatures are cut apart at NUL separators.
    seg_counts = segs_per_stroke.tolist()
    singles = single.tolist()
    last_of_ink = np.zeros(len(strokes), dtype=bool)
    last_of_ink[ink_first_stroke + strokes_per_ink - 1] = True
    pieces = [
        ("%d %d m %d %d l\n" if one else "%d %d m" + " %d %d %d %d %d %d c" * k + "\n")
        + ("\0" if end else "")
        for k, one, end in zip(seg_counts, singles, last_of_ink.tolist(), strict=True)
    ]
    paths = ("".join(pieces) % tuple(nums.tolist())).split("\0")
    return [
        f"{_prologue(style, grid, pl, standalone)}\n{path}S Q EMC"
        for pl, path in zip(places, paths, strict=False)
    ]


def _fit(
    u: _F, v: _F, stroke_start: _I, counts: _I, eps: float, len_step: float
) -> tuple[_I, _I, _F, _F, _F, _F]:
    """Choose key samples and fit a cubic between consecutive keys of each stroke.

    Args:
        u: the samples' x, in grid units.
        v: the samples' y, in grid units.
        stroke_start: the index of each stroke's first sample.
        counts: the number of samples of each stroke.
        eps: the tolerance, in grid units (0: every sample is a key).
        len_step: the longest arc, in grid units, of a first-guess segment.

    Returns:
        The start and end sample index of each segment and its two control points.
    """
    n = u.size
    stroke_end = stroke_start + counts - 1
    first = np.zeros(n, dtype=bool)
    first[stroke_start] = True
    last = np.zeros(n, dtype=bool)
    last[stroke_end] = True

    def before(a: _F) -> _F:
        """Each sample's predecessor in its stroke (itself for the first)."""
        out = np.empty_like(a)
        out[1:] = a[:-1]
        out[stroke_start] = a[stroke_start]
        return out

    def after(a: _F) -> _F:
        """Each sample's successor in its stroke (itself for the last)."""
        out = np.empty_like(a)
        out[:-1] = a[1:]
        out[stroke_end] = a[stroke_end]
        return out

    # Incoming and outgoing raw chords at each sample.
    ix = u - before(u)
    iy = v - before(v)
    ox = after(u) - u
    oy = after(v) - v
    li = _norm(ix, iy)
    lo = _norm(ox, oy)

    # Tangents from lightly smoothed samples (a 1-2-1 filter), central differences.
    us = 0.5 * u + 0.25 * (u - ix) + 0.25 * (u + ox)
    vs = 0.5 * v + 0.25 * (v - iy) + 0.25 * (v + oy)
    tx = after(us) - before(us)
    ty = after(vs) - before(vs)
    tl = _norm(tx, ty)
    flat = tl == 0
    tl[flat] = 1.0
    tx /= tl
    ty /= tl
    tx[flat] = 1.0

    # Corners: a sharp turn between two real moves. Their tangents are one-sided.
    corner = (li > eps) & (lo > eps) & (ix * ox + iy * oy < _CORNER_COS * li * lo)
    at = np.flatnonzero(corner)
    tan = _Tangents(tx.copy(), ty.copy(), tx.copy(), ty.copy())
    tan.in_x[at] = ix[at] / li[at]
    tan.in_y[at] = iy[at] / li[at]
    tan.out_x[at] = ox[at] / lo[at]
    tan.out_y[at] = oy[at] / lo[at]

    # Cumulative arc length (for parameters); first keys at y extrema and every len_step.
    arc = np.cumsum(li)  # li is 0 at each stroke's first sample
    key = first | last | corner
    if eps <= 0:
        key[:] = True
    else:
        rising = ty >= 0
        stretch = np.floor(arc / len_step)
        key |= (rising != before(rising)) | (stretch != before(stretch))

    # Control points are kept per segment start sample; fresh keys mark segments to (re)fit.
    ctl = np.zeros((4, n))
    fresh = key.copy()
    # A segment out of tolerance is first refitted with its samples' improved parameters
    # (Schneider's reparameterisation), and split only if that does not bring it within.
    tpar = np.zeros(n)
    retry = np.zeros(n, dtype=bool)
    tries = np.zeros(n, dtype=np.int8)
    for _ in range(_MAX_ROUNDS):
        starts, ends = _segments(key, last)
        refit = fresh[starts] | fresh[ends] | retry[starts]
        fs = starts[refit]
        fe = ends[refit]
        if fs.size == 0:
            break
        inner, seg = _inner(fs, fe)
        if eps > 0:
            is_new = (fresh[fs] | fresh[fe])[seg]
            span = arc[fe] - arc[fs]
            span_s = np.where(span > 0, span, 1.0)
            chord_t = (arc[inner] - arc[fs][seg]) / span_s[seg]
            t = np.where(is_new, chord_t, tpar[inner])
        else:
            t = np.zeros(0)
        _fit_handles(u, v, fs, fe, tan, inner, seg, t, ctl)
        fresh[:] = False
        retry[:] = False
        if inner.size == 0:
            break

        # Distance of each sample to its curve (Newton steps from its parameter).
        err, t = _distances(u, v, fs, fe, ctl, inner, seg, t)
        tpar[inner] = t
        bad = err > eps
        if not bad.any():
            break
        # The worst error of each segment (samples are grouped by segment, in order).
        group = np.flatnonzero(np.concatenate(([True], seg[1:] != seg[:-1])))
        worst = np.zeros(fs.size)
        worst[seg[group]] = np.maximum.reduceat(err, group)
        again = (worst > eps) & (worst < _REFIT_BELOW * eps) & (tries[fs] < _MAX_TRIES)
        retry[fs[again]] = True
        tries[fs[again]] += 1
        # Split every other segment with a sample out of tolerance at its worst sample.
        split = bad & (err >= worst[seg]) & ~again[seg]
        tries[fs[seg[split]]] = 0
        key[inner[split]] = True
        fresh[inner[split]] = True
    else:
        # Out of rounds: what was refitted or split but not checked again is drawn through
        # every one of its samples (segments without samples inside need no check).
        starts, ends = _segments(key, last)
        pending = fresh[starts] | fresh[ends] | retry[starts]
        ps, pe = starts[pending], ends[pending]
        inside, _seg = _inner(ps, pe)
        key[inside] = True
        redo = np.zeros(n, dtype=bool)
        redo[inside] = True
        redo[ps] = True
        starts, ends = _segments(key, last)
        fs, fe = starts[redo[starts]], ends[redo[starts]]
        none = np.zeros(0, dtype=np.intp)
        _fit_handles(u, v, fs, fe, tan, none, none, np.zeros(0), ctl)
    starts, ends = _segments(key, last)
    return starts, ends, ctl[0, starts], ctl[1, starts], ctl[2, starts], ctl[3, starts]


@dataclass(frozen=True, slots=True)
class _Tangents:
    """Unit tangents at each sample: arriving (in) and leaving (out); they differ at corners."""

    in_x: _F
    in_y: _F
    out_x: _F
    out_y: _F


def _norm(x: _F, y: _F) -> _F:
    """The length of vectors (x, y); much faster than np.hypot, which is exact but slow."""
    return np.sqrt(x * x + y * y)


def _segments(key: _B, last: _B) -> tuple[_I, _I]:
    """The start and end sample of each segment between consecutive keys of a stroke."""
    keys = np.flatnonzero(key)
    not_last = ~last[keys]
    # The next key after a segment's start is its end: a stroke's last sample is a key.
    return keys[not_last], keys[1:][not_last[:-1]]


def _inner(starts: _I, ends: _I) -> tuple[_I, _I]:
    """The samples strictly inside the given segments, and the segment of each."""
    sizes = ends - starts - 1
    total = int(sizes.sum())
    seg = np.repeat(np.arange(starts.size), sizes)
    offset = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return starts[seg] + 1 + offset, seg


def _fit_handles(
    u: _F, v: _F, fs: _I, fe: _I, tan: _Tangents, inner: _I, seg: _I, t: _F, ctl: _F
) -> None:
    """Set the control points of segments ``fs``->``fe`` along the end tangents.

    The handle lengths are the least-squares fit to the inner samples at parameters ``t``
    (Schneider's method) where that is well-conditioned and plausible, otherwise those of a
    circular arc meeting the chord at the same angles.
    """
    p0x, p0y, p3x, p3y = u[fs], v[fs], u[fe], v[fe]
    t1x, t1y = tan.out_x[fs], tan.out_y[fs]
    t2x, t2y = tan.in_x[fe], tan.in_y[fe]
    cx = p3x - p0x
    cy = p3y - p0y
    chord = _norm(cx, cy)
    safe = np.where(chord > 0, chord, 1.0)
    # A circular arc meeting the chord at angle alpha has handles 2c / (3 (1 + cos alpha)).
    cos_a = (t1x * cx + t1y * cy) / safe
    cos_b = (t2x * cx + t2y * cy) / safe
    ha = np.minimum(2 * chord / (3 * np.maximum(1 + cos_a, 0.5)), chord)
    hb = np.minimum(2 * chord / (3 * np.maximum(1 + cos_b, 0.5)), chord)
    if inner.size:
        # Minimise sum |B(t_i) - q_i|^2 over the two handle lengths (unit tangents t1, t2):
        # B(t) - p0 = la b1 t1 - lb b2 t2 + (b2 + b3) (p3 - p0), with Bernstein b1, b2, b3.
        s = 1 - t
        st = s * t
        b1 = 3 * s * st
        b2 = 3 * st * t
        b23 = b2 + t * t * t
        rx = u[inner] - p0x[seg] - b23 * cx[seg]
        ry = v[inner] - p0y[seg] - b23 * cy[seg]
        m = fs.size
        c11 = np.bincount(seg, b1 * b1, m)
        c22 = np.bincount(seg, b2 * b2, m)
        c12 = -(t1x * t2x + t1y * t2y) * np.bincount(seg, b1 * b2, m)
        x1 = t1x * np.bincount(seg, b1 * rx, m) + t1y * np.bincount(seg, b1 * ry, m)
        x2 = -(t2x * np.bincount(seg, b2 * rx, m) + t2y * np.bincount(seg, b2 * ry, m))
        det = c11 * c22 - c12 * c12
        ok = np.abs(det) > 1e-9 * np.maximum(c11 * c22, 1e-12)
        det_s = np.where(ok, det, 1.0)
        la = (x1 * c22 - x2 * c12) / det_s
        lb = (c11 * x2 - c12 * x1) / det_s
        good = ok & (la > 0.05 * chord) & (lb > 0.05 * chord)
        good &= (la < 2 * chord) & (lb < 2 * chord)
        ha = np.where(good, la, ha)
        hb = np.where(good, lb, hb)
    ctl[0, fs] = p0x + ha * t1x
    ctl[1, fs] = p0y + ha * t1y
    ctl[2, fs] = p3x - hb * t2x
    ctl[3, fs] = p3y - hb * t2y


def _distances(u: _F, v: _F, fs: _I, fe: _I, ctl: _F, inner: _I, seg: _I, t: _F) -> tuple[_F, _F]:
    """Distance of each inner sample to its segment's curve, and its refined parameter."""
    # Power-basis coefficients per segment: B(t) = p0 + t (k1 + t (k2 + t k3)).
    p0x, p0y = u[fs], v[fs]
    c1x, c1y = ctl[0, fs], ctl[1, fs]
    c2x, c2y = ctl[2, fs], ctl[3, fs]
    p3x, p3y = u[fe], v[fe]
    k1x, k1y = 3 * (c1x - p0x), 3 * (c1y - p0y)
    k2x, k2y = 3 * (p0x - 2 * c1x + c2x), 3 * (p0y - 2 * c1y + c2y)
    k3x, k3y = p3x - p0x + 3 * (c1x - c2x), p3y - p0y + 3 * (c1y - c2y)
    # Per sample: its offset from the segment start, and the coefficients.
    qx = u[inner] - p0x[seg]
    qy = v[inner] - p0y[seg]
    ax, ay = k1x[seg], k1y[seg]
    bx, by = k2x[seg], k2y[seg]
    cx, cy = k3x[seg], k3y[seg]
    for _newton in range(_NEWTON):
        ex = ((cx * t + bx) * t + ax) * t - qx
        ey = ((cy * t + by) * t + ay) * t - qy
        d1x = (3 * cx * t + 2 * bx) * t + ax
        d1y = (3 * cy * t + 2 * by) * t + ay
        d2x = 6 * cx * t + 2 * bx
        d2y = 6 * cy * t + 2 * by
        den = d1x * d1x + d1y * d1y + ex * d2x + ey * d2y
        big = den > 1e-12
        step = (ex * d1x + ey * d1y) / np.where(big, den, np.inf)
        t = np.clip(t - step, 0.0, 1.0)
    ex = ((cx * t + bx) * t + ax) * t - qx
    ey = ((cy * t + by) * t + ay) * t - qy
    return _norm(ex, ey), t
