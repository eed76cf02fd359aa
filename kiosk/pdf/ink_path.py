"""Drawn signatures as small, smooth PDF vector paths.

A signature arrives as pad-pixel samples every few milliseconds (:class:`kiosk.domain.ink.Ink`).
Writing every sample as a line segment through reportlab's path API is slow and large (about
2.5 ms and 2.5 KB per 300-point signature). This module instead:

1. scales the ink's bounding box into the row's signature cell, keeping its aspect ratio;
2. smooths the touch sensor's noise out of the samples (Savitzky-Golay, quadratic, over 7
   samples; shorter next to a stroke end or a sharp corner, which stay where they are), moving
   no sample more than half the tolerance;
3. picks key samples (stroke ends, sharp corners, the top and bottom of every loop, and one at
   least every 40 pt) and joins them with cubic Bézier curves whose end tangents come from the
   smoothed samples and whose handle lengths are a least-squares fit to the smoothed samples in
   between (Schneider's curve fitting), so strokes are smooth (G1) except at real corners;
4. rounds the curves' end and control points to the grid they are written in, then checks
   every **raw** sample's distance to its curve as written (at its parameter and after one
   Newton step, keeping the smaller: never an underestimate); a piece out of tolerance is
   refitted once with better sample parameters, then split at its worst sample (a key at the
   smoothed position, within half the tolerance plus the rounding of the raw one), until every
   sample is within the tolerance of the printed centre line: 0.25 pt by default (0.09 mm,
   under a third of the 0.9 pt pen), rounding included;
5. writes the path operators as text itself, in integer units of a grid under a ``cm``
   transform: the cell's larger side divided by 999 (0.166 pt for a 10-row Letter sheet), so
   every number has at most three digits, and nothing goes through reportlab's per-point code;
   the grid is finer in a cell so large that rounding (at most 0.71 units) would take more
   than half the tolerance. The grid and the origin are chosen so the numbers the ``cm``
   operator writes are exact: the page has exactly the curves that were checked.

All of it is vectorised with numpy (float32) over batches of 64 signatures, and a batch's
operators are assembled by one gather from a table of pre-formatted numbers. A 300-point
signature becomes about 68 curve segments (72 for the noisier ``kiosk.simulate`` inks) and
0.75 KB of compressed content (Huffman-coded: see
:mod:`kiosk.pdf.render`). Each signature is wrapped in a ``/KioskSig BMC ... EMC``
marked-content sequence, so a reader (and the tests) can count exactly one signature per row.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

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
        tolerance: the largest distance, in points on paper, of any touch sample (as drawn,
            not denoised) from the printed curve that replaces it, rounding to the grid
            included. 0 disables simplification (every sample becomes a key point).
        grid: the coordinate quantum, in points; coordinates are written as integers of it.
            None: the box's larger side / 999, so numbers have at most three digits, or finer
            if rounding (0.71 grid units at most) would take more than half the tolerance. A
            coarser custom grid adds its rounding to the tolerance at the key samples.
        padding: the blank margin inside the cell, in points.
        max_enlarge: the most a small signature is enlarged relative to fitting the whole pad
            into the cell, so a tiny scribble does not become a huge blot.
        color: the ink colour as RGB in 0..1 (a dark blue-black, like a pen).
    """

    line_width: float = 0.9
    tolerance: float = 0.25
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
    a = ink.arrays()
    if not a.point_count:
        return Placement(1.0, box.x + box.width / 2, box.y + box.height / 2, 0.0, 0.0)
    return _placement(
        float(a.x.min()),
        float(a.y.min()),
        float(a.x.max()),
        float(a.y.max()),
        ink.width,
        ink.height,
        box,
        style,
    )


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
    grid = max(0.05, max(box.width, box.height) / 999)
    if style.tolerance > 0:
        # Rounding to the grid may take at most half the tolerance (in a large cell, numbers
        # then have four digits).
        grid = min(grid, style.tolerance / 2 / _ROUND)
    # Five significant digits (rounded down), as the cm operator writes it, so the page has
    # exactly the grid the curves were checked on.
    unit = 10.0 ** (math.floor(math.log10(grid)) - 4)
    return float(f"{math.floor(grid / unit) * unit:.5g}")


def _prologue(style: InkStyle, grid: float | None, pl: Placement, standalone: bool) -> str:
    if grid is None:
        return f"/{SIGNATURE_TAG} BMC q {stroke_state_ops(style)} {style.line_width:.3g} w"
    return (
        f"{_prologue_head(style, grid, standalone)}{pl.origin_x:.2f} {pl.origin_y:.2f}"
        f"{_prologue_tail(style, grid)}"
    )


def _prologue_head(style: InkStyle, grid: float, standalone: bool) -> str:
    """A group's start up to the ``cm`` translation: tag, save, (state,) grid scale."""
    state = f"{stroke_state_ops(style)} " if standalone else ""
    return f"/{SIGNATURE_TAG} BMC q {state}{grid:.5g} 0 0 {grid:.5g} "


def _prologue_tail(style: InkStyle, grid: float) -> str:
    """A group's ``cm`` and pen width (in grid units), before the path."""
    return f" cm {style.line_width / grid:.4g} w\n"


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
        if ink.point_count:
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
_DENOISE = 0.5  # denoising moves a sample at most half the tolerance
_ROUND = math.sqrt(0.5)  # rounding to the grid moves a point at most this, in grid units
_CHUNK = 64  # signatures per vectorised batch: big enough to amortise, small enough for cache

# Writing numbers: every integer in [_LO, _HI] and the path operators, pre-formatted once, so a
# batch's content is assembled by one numpy gather instead of a format call per number.
_LO, _HI = -4000, 6000
_OPS = (" m", " c", " l", "\n")
_OP_M, _OP_C, _OP_L, _OP_NL = range(_HI - _LO + 1, _HI - _LO + 1 + len(_OPS))


def _make_table() -> tuple[npt.NDArray[np.uint64], _I]:
    """Each word as 8 bytes, padded with NULs (dropped after the gather), and its length."""
    words = [f" {i}".encode("ascii") for i in range(_LO, _HI + 1)]
    words += [op.encode("ascii") for op in _OPS]
    padded = b"".join(w.ljust(8, b"\0") for w in words)
    lengths = np.fromiter(map(len, words), dtype=np.intp, count=len(words))
    return np.frombuffer(padded, dtype=np.uint64), lengths


_TABLE, _TABLE_LEN = _make_table()


def _batch(
    inks: Sequence[Ink], boxes: Sequence[Box], style: InkStyle, standalone: bool
) -> list[str]:
    """Draw a batch of non-empty signatures (see the module docstring)."""
    grid = max(grid_for(b, style) for b in boxes)
    # Gather every sample of the batch into flat arrays (the inks' own arrays: no point objects);
    # strokes with no points are dropped.
    arrays = [ink.arrays() for ink in inks]
    lengths = [a.lengths[a.lengths > 0] for a in arrays]
    counts = np.concatenate(lengths).astype(np.intp, copy=False)
    strokes_per_ink = np.fromiter(map(len, lengths), dtype=np.intp, count=len(inks))
    px = np.concatenate([a.x for a in arrays]).astype(np.float64, copy=False)
    py = np.concatenate([a.y for a in arrays]).astype(np.float64, copy=False)
    strokes = counts  # one entry per non-empty stroke
    stroke_start = np.zeros(len(strokes), dtype=np.intp)
    np.cumsum(counts[:-1], out=stroke_start[1:])
    ink_first_stroke = np.zeros(len(inks), dtype=np.intp)
    np.cumsum(strokes_per_ink[:-1], out=ink_first_stroke[1:])
    ink_start = stroke_start[ink_first_stroke]

    # Placement of each signature (as place_ink, vectorised): bounding box fitted into its cell.
    x0 = np.minimum.reduceat(px, ink_start)
    x1 = np.maximum.reduceat(px, ink_start)
    y0 = np.minimum.reduceat(py, ink_start)
    y1 = np.maximum.reduceat(py, ink_start)
    cells = np.array([(b.x, b.y, b.width, b.height) for b in boxes], dtype=np.float64).T
    pads = np.array([(ink.width, ink.height) for ink in inks], dtype=np.float64).T
    inset = style.padding + style.line_width / 2
    avail_w = np.maximum(cells[2] - 2 * inset, 1.0)
    avail_h = np.maximum(cells[3] - 2 * inset, 1.0)
    scale = (
        np.minimum(avail_w / np.maximum(pads[0], 1.0), avail_h / np.maximum(pads[1], 1.0))
        * style.max_enlarge
    )
    bw = x1 - x0
    bh = y1 - y0
    np.minimum(scale, np.where(bw > 0, avail_w / np.where(bw > 0, bw, 1.0), np.inf), out=scale)
    np.minimum(scale, np.where(bh > 0, avail_h / np.where(bh > 0, bh, 1.0), np.inf), out=scale)
    # The origin is written to 0.01 pt; what rounding takes off it goes into the coordinates, so
    # the curves checked are the curves printed.
    exact_x = cells[0] + (cells[2] - bw * scale) / 2
    exact_y = cells[1] + (cells[3] - bh * scale) / 2
    origin_x = np.round(exact_x, 2)
    origin_y = np.round(exact_y, 2)

    points_per_ink = np.add.reduceat(counts, ink_first_stroke)
    f = np.repeat(scale / grid, points_per_ink)
    # Grid units, y up, relative to the signature's own corner (float32 is ample: < 1e-4 units).
    u = (
        (px - np.repeat(x0, points_per_ink)) * f
        + np.repeat((exact_x - origin_x) / grid, points_per_ink)
    ).astype(np.float32)
    v = (
        (np.repeat(y1, points_per_ink) - py) * f
        + np.repeat((exact_y - origin_y) / grid, points_per_ink)
    ).astype(np.float32)

    # Denoising may move a sample as far as the tolerance leaves after rounding it to the grid
    # (at most half a unit each way), and at most _DENOISE of the tolerance.
    shift = max(0.0, min(_DENOISE * style.tolerance / grid, style.tolerance / grid - _ROUND))
    seg_a, seg_b, c1x, c1y, c2x, c2y, ru, rv = _fit(
        u, v, stroke_start, counts, style.tolerance / grid, _LEN_STEP / grid, shift
    )
    bodies = _write_paths(
        ru, rv, stroke_start, counts, ink_first_stroke, seg_a, seg_b, (c1x, c1y, c2x, c2y)
    )
    head = _prologue_head(style, grid, standalone)
    tail = _prologue_tail(style, grid)
    return [
        f"{head}{ox:.2f} {oy:.2f}{tail}{body}S Q EMC"
        for ox, oy, body in zip(origin_x.tolist(), origin_y.tolist(), bodies, strict=True)
    ]


def _write_paths(
    u: _F,
    v: _F,
    stroke_start: _I,
    counts: _I,
    ink_first_stroke: _I,
    seg_a: _I,
    seg_b: _I,
    controls: tuple[_F, _F, _F, _F],
) -> list[str]:
    """The ``m``/``c`` operators of each signature, as integers of the grid."""
    n_strokes = stroke_start.size
    ui = np.rint(u).astype(np.intp)
    vi = np.rint(v).astype(np.intp)
    stroke_of_seg = np.searchsorted(stroke_start, seg_a, side="right") - 1
    segs_per_stroke = np.bincount(stroke_of_seg, minlength=n_strokes)
    single = counts == 1
    # Tokens per stroke: x y m, then x1 y1 x2 y2 x3 y3 c per segment (a dot: x y l), then \n.
    block = 4 + 7 * segs_per_stroke + 3 * single
    block_start = np.zeros(n_strokes, dtype=np.intp)
    np.cumsum(block[:-1], out=block_start[1:])
    tok = np.empty(int(block.sum()), dtype=np.intp)
    tok[block_start] = ui[stroke_start]
    tok[block_start + 1] = vi[stroke_start]
    tok[block_start + 2] = _OP_M
    dots = block_start[single]
    tok[dots + 3] = ui[stroke_start[single]]
    tok[dots + 4] = vi[stroke_start[single]]
    tok[dots + 5] = _OP_L
    first_seg = np.cumsum(segs_per_stroke) - segs_per_stroke
    rank = np.arange(seg_a.size) - np.repeat(first_seg, segs_per_stroke)
    pos = block_start[stroke_of_seg] + 3 + 7 * rank
    for k, c in enumerate(controls):
        tok[pos + k] = np.rint(c)
    tok[pos + 4] = ui[seg_b]
    tok[pos + 5] = vi[seg_b]
    tok[pos + 6] = _OP_C
    tok[block_start + block - 1] = _OP_NL
    is_num = np.ones(tok.size, dtype=bool)
    is_num[block_start + 2] = False
    is_num[dots + 5] = False
    is_num[pos + 6] = False
    is_num[block_start + block - 1] = False
    nums = tok[is_num]
    # Where each signature's text starts, in tokens.
    cut = [*block_start[ink_first_stroke].tolist(), tok.size]
    if nums.size and (nums.min() < _LO or nums.max() > _HI):
        # Out of the table's range (a custom, very fine grid): format number by number.
        words = [
            f" {x}" if num else _OPS[x - _OP_M]
            for x, num in zip(tok.tolist(), is_num.tolist(), strict=True)
        ]
        return ["".join(words[a:b]) for a, b in itertools.pairwise(cut)]
    tok[is_num] = nums - _LO
    chars = _TABLE[tok].view(np.uint8)
    text = chars[chars != 0].tobytes().decode("ascii")
    # Where each signature's text starts, in characters.
    offsets = np.cumsum(_TABLE_LEN[tok])
    at = [0, *offsets[np.array(cut[1:-1], dtype=np.intp) - 1].tolist(), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(at)]


def _fit(
    u: _F, v: _F, stroke_start: _I, counts: _I, eps: float, len_step: float, shift: float
) -> tuple[_I, _I, _F, _F, _F, _F, _F, _F]:
    """Choose key samples and fit a cubic between consecutive keys of each stroke.

    Args:
        u: the samples' x, in grid units (float32).
        v: the samples' y, in grid units (float32).
        stroke_start: the index of each stroke's first sample.
        counts: the number of samples of each stroke.
        eps: the tolerance, in grid units (0: every sample is a key): every sample's distance
            to the curve as written (end and control points rounded to the grid).
        len_step: the longest arc, in grid units, of a first-guess segment.
        shift: the most, in grid units, the denoising may move a sample (0: no denoising).

    Returns:
        The start and end sample index of each segment, its two control points (integers),
        and every sample's denoised position rounded to the grid (the segments' ends).
    """
    n = u.size
    stroke_end = stroke_start + counts - 1
    first = np.zeros(n, dtype=bool)
    first[stroke_start] = True
    last = np.zeros(n, dtype=bool)
    last[stroke_end] = True

    # Corners, on the samples as drawn: a sharp turn between two real moves.
    ix = _step_in(u, stroke_start)
    iy = _step_in(v, stroke_start)
    ox = _next(ix)
    oy = _next(iy)
    li = _norm(ix, iy)
    lo = _next(li)
    corner = (li > eps) & (lo > eps) & (ix * ox + iy * oy < _CORNER_COS * li * lo)
    if eps > 0 and shift > 0:
        su, sv = _denoise(u, v, first | last | corner, shift)
        ix = _step_in(su, stroke_start)
        iy = _step_in(sv, stroke_start)
        ox = _next(ix)
        oy = _next(iy)
        li = _norm(ix, iy)
        lo = _next(li)
    else:
        su, sv = u, v
    ru = np.rint(su)
    rv = np.rint(sv)

    # Tangents from lightly smoothed samples (a 1-2-1 filter), central differences.
    dx = _step_in(su + 0.25 * (ox - ix), stroke_start)
    dy = _step_in(sv + 0.25 * (oy - iy), stroke_start)
    tx = dx + _next(dx)
    ty = dy + _next(dy)
    tl = _norm(tx, ty)
    flat = tl == 0
    tl[flat] = 1.0
    tx /= tl
    ty /= tl
    tx[flat] = 1.0

    # A corner's tangents are one-sided.
    at = np.flatnonzero(corner & (li > 0) & (lo > 0))
    tan = _Tangents(tx.copy(), ty.copy(), tx, ty)
    tan.in_x[at] = ix[at] / li[at]
    tan.in_y[at] = iy[at] / li[at]
    tan.out_x[at] = ox[at] / lo[at]
    tan.out_y[at] = oy[at] / lo[at]

    # Arc length from each stroke's start (for parameters); first keys at y extrema and
    # every len_step.
    arc64 = np.cumsum(li, dtype=np.float64)
    arc = (arc64 - np.repeat(arc64[stroke_start], counts)).astype(np.float32)
    key = first | last | corner
    if eps <= 0:
        key[:] = True
    else:
        rising = ty >= 0
        stretch = np.floor(arc / len_step)
        # (Comparing across strokes only marks a stroke's first sample, a key anyway.)
        key[1:] |= (rising[1:] != rising[:-1]) | (stretch[1:] != stretch[:-1])

    # Control points are kept per segment start sample; fresh keys mark segments to (re)fit.
    ctl = np.zeros((4, n), dtype=np.float32)
    fresh = key.copy()
    # A segment out of tolerance is first refitted with its samples' improved parameters
    # (Schneider's reparameterisation), and split only if that does not bring it within.
    tpar = np.zeros(n, dtype=np.float32)
    retry = np.zeros(n, dtype=bool)
    tries = np.zeros(n, dtype=np.int8)
    eps2 = eps * eps
    refit_below2 = (_REFIT_BELOW * eps) ** 2
    for _ in range(_MAX_ROUNDS):
        starts, ends = _segments(key, last)
        refit = fresh[starts] | fresh[ends] | retry[starts]
        fs = starts[refit]
        fe = ends[refit]
        if fs.size == 0:
            break
        inner, seg = _inner(fs, fe)
        if eps > 0 and inner.size:
            is_new = (fresh[fs] | fresh[fe])[seg]
            span = arc[fe] - arc[fs]
            span[span <= 0] = 1.0
            t = np.where(is_new, (arc[inner] - arc[fs][seg]) / span[seg], tpar[inner])
        else:
            t = np.zeros(0, dtype=np.float32)
        err2, t = _fit_segments((ru, rv, su, sv, u, v), fs, fe, tan, inner, seg, t, ctl)
        fresh[:] = False
        retry[:] = False
        if inner.size == 0:
            break
        tpar[inner] = t
        bad = err2 > eps2
        if not bad.any():
            break
        # The worst error of each segment (samples are grouped by segment, in order).
        group = np.flatnonzero(np.concatenate(([True], seg[1:] != seg[:-1])))
        worst = np.zeros(fs.size, dtype=np.float32)
        worst[seg[group]] = np.maximum.reduceat(err2, group)
        again = (worst > eps2) & (worst < refit_below2) & (tries[fs] < _MAX_TRIES)
        retry[fs[again]] = True
        tries[fs[again]] += 1
        # Split every other segment with a sample out of tolerance at its worst sample.
        split = bad & (err2 >= worst[seg]) & ~again[seg]
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
        empty = np.zeros(0, dtype=np.float32)
        _fit_segments((ru, rv, su, sv, u, v), fs, fe, tan, none, none, empty, ctl)
    starts, ends = _segments(key, last)
    c = ctl[:, starts]
    return starts, ends, c[0], c[1], c[2], c[3], ru, rv


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


def _step_in(a: _F, stroke_start: _I) -> _F:
    """Each sample's value minus its predecessor's in its stroke (0 at a stroke's first)."""
    out = np.empty_like(a)
    out[0] = 0
    np.subtract(a[1:], a[:-1], out=out[1:])
    out[stroke_start] = 0
    return out


def _next(a: _F) -> _F:
    """The next sample's value of a per-sample quantity that is 0 at each stroke's first sample:
    so 0 at each stroke's last."""
    out = np.empty_like(a)
    out[:-1] = a[1:]
    out[-1] = 0
    return out


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


def _fit_segments(
    xy: tuple[_F, _F, _F, _F, _F, _F],
    fs: _I,
    fe: _I,
    tan: _Tangents,
    inner: _I,
    seg: _I,
    t: _F,
    ctl: _F,
) -> tuple[_F, _F]:
    """Fit segments ``fs``->``fe`` along their end tangents and measure their inner samples.

    ``xy`` holds three versions of the samples: rounded to the grid (the segments' ends),
    denoised (what the handles are fitted to) and as drawn (what the distance is measured
    from). The handle lengths are the least-squares fit to the inner denoised samples at
    parameters ``t`` (Schneider's method) where that is well-conditioned and plausible,
    otherwise those of a circular arc meeting the chord at the same angles. The control points
    are then rounded to the grid, and each inner sample's distance, as drawn, to the curve as
    written is measured at its parameter and after one Newton step towards its nearest curve
    point; the smaller is kept: a point of the curve is that close, so the distance is never
    underestimated.

    Returns:
        The squared distance of each inner sample to its curve, and its best parameter.
    """
    ru, rv, su, sv, u, v = xy
    p0x, p0y, p3x, p3y = ru[fs], rv[fs], ru[fe], rv[fe]
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
    err2 = t
    if inner.size:
        # Minimise sum |B(t_i) - q_i|^2 over the two handle lengths (unit tangents t1, t2):
        # B(t) - p0 = la b1 t1 - lb b2 t2 + b23 (p3 - p0), with Bernstein b1, b2, b3.
        sx = cx[seg]
        sy = cy[seg]
        gx = p0x[seg]
        gy = p0y[seg]
        s = 1 - t
        st = s * t
        b1 = 3 * s * st
        b2 = 3 * st * t
        b23 = b2 + t * t * t
        rx = su[inner] - gx - b23 * sx
        ry = sv[inner] - gy - b23 * sy
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
        ha = np.where(good, la, ha).astype(np.float32)
        hb = np.where(good, lb, hb).astype(np.float32)
    # The control points, rounded as they are written: c1 = p0 + a, c2 = p3 - b.
    c1x = np.rint(p0x + ha * t1x)
    c1y = np.rint(p0y + ha * t1y)
    c2x = np.rint(p3x - hb * t2x)
    c2y = np.rint(p3y - hb * t2y)
    ctl[0, fs] = c1x
    ctl[1, fs] = c1y
    ctl[2, fs] = c2x
    ctl[3, fs] = c2y
    if inner.size:
        # The sample as drawn, from p0: B(t) - p0 - q = b1 a - b2 b + b23 c - q.
        qx = u[inner] - gx
        qy = v[inner] - gy
        gax = (c1x - p0x)[seg]
        gay = (c1y - p0y)[seg]
        gbx = (p3x - c2x)[seg]
        gby = (p3y - c2y)[seg]
        ex = b1 * gax - b2 * gbx + b23 * sx - qx
        ey = b1 * gay - b2 * gby + b23 * sy - qy
        err2 = ex * ex + ey * ey
        # One Newton step on |B(t) - q|^2: B' = 3 (s^2 a + 2 s t (c - a - b) + t^2 b),
        # B'' = 6 (s (c - b - 2a) + t (a + 2b - c)).
        mx = sx - gax - gbx
        my = sy - gay - gby
        ss = s * s
        tt = t * t
        d1x = 3 * (ss * gax + 2 * st * mx + tt * gbx)
        d1y = 3 * (ss * gay + 2 * st * my + tt * gby)
        d2x = 6 * (s * (mx - gax) - t * (mx - gbx))
        d2y = 6 * (s * (my - gay) - t * (my - gby))
        den = d1x * d1x + d1y * d1y + ex * d2x + ey * d2y
        step = (ex * d1x + ey * d1y) / np.where(den > 1e-12, den, np.inf)
        t2 = np.clip(t - step, 0.0, 1.0)
        s = 1 - t2
        st = s * t2
        b1 = 3 * s * st
        b2 = 3 * st * t2
        b23 = b2 + t2 * t2 * t2
        ex = b1 * gax - b2 * gbx + b23 * sx - qx
        ey = b1 * gay - b2 * gby + b23 * sy - qy
        err2n = ex * ex + ey * ey
        better = err2n < err2
        err2 = np.where(better, err2n, err2)
        t = np.where(better, t2, t)
    return err2, t


# Savitzky-Golay smoothing (quadratic, over 7, 5 samples) and a 1-2-1 filter next to a fixed
# sample: a quadratic's samples are kept exactly by the first two, so curves are not flattened.
_SG7 = np.array([-2, 3, 6, 7, 6, 3, -2], dtype=np.float32) / 21
_SG5 = np.array([-3, 12, 17, 12, -3], dtype=np.float32) / 35
_B3 = np.array([1, 2, 1], dtype=np.float32) / 4


def _denoise(u: _F, v: _F, fixed: _B, shift: float) -> tuple[_F, _F]:
    """Smooth sensor noise out of the samples, moving none more than ``shift``.

    Fixed samples (stroke ends, corners) stay; a sample is smoothed over the widest window
    (7, 5 or 3 samples) that does not reach past a fixed one, so corners are not rounded off.
    """
    n = u.size
    if n < _SG7.size:
        return u, v
    idx = np.arange(n)
    before = np.maximum.accumulate(np.where(fixed, idx, 0))
    after = np.minimum.accumulate(np.where(fixed, idx, n - 1)[::-1])[::-1]
    room = np.minimum(idx - before, after - idx)
    near = np.flatnonzero(room < 3)
    r = room[near]
    out = []
    for a in (u, v):
        sm = np.convolve(a, _SG7, mode="same")  # for samples with 3 free neighbours each side
        sm[near] = a[near]
        for kernel, width in ((_B3, 1), (_SG5, 2)):
            at = near[r == width]
            sm[at] = sum(w * a[at + k - width] for k, w in enumerate(kernel.tolist()))
        out.append(sm)
    dx = out[0] - u
    dy = out[1] - v
    dl = _norm(dx, dy)
    over = np.flatnonzero(dl > shift)
    f = shift / dl[over]
    out[0][over] = u[over] + dx[over] * f
    out[1][over] = v[over] + dy[over] * f
    return out[0], out[1]
