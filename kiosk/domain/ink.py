"""The drawn signature: vector strokes with timestamps, and their compact binary form.

Coordinates are in pad pixels (floats), times in milliseconds since the first point of the
signature, pressure in 0..1 where the device reports it. The binary form stores each value
as a zig-zag varint of its delta from the previous point, with coordinates in 1/10 px and
pressure in 1/255 steps, so a typical 300-point signature takes about 1 KB.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

_MAGIC = b"INK1"
MAX_STROKES = 200
MAX_POINTS = 20_000


class InkDecodeError(ValueError):
    """The bytes are not a valid encoded signature."""


@dataclass(frozen=True, slots=True)
class Point:
    """One sample under the finger."""

    x: float
    y: float
    t: int
    pressure: float | None = None


Stroke = tuple[Point, ...]


@dataclass(frozen=True, slots=True, eq=False)
class InkArrays:
    """A signature as flat numpy arrays: every point of every stroke, in order.

    What the PDF writer and anything counting thousands of signatures use: no Python object
    per point. ``lengths[i]`` is the number of points of stroke ``i``; ``p`` is None when the
    device reported no pressure.
    """

    width: float
    height: float
    x: Any  # float64[n], pad pixels
    y: Any  # float64[n]
    t: Any  # int64[n], ms since the first point
    p: Any  # float64[n] in 0..1, or None
    lengths: Any  # intp[strokes]

    @property
    def point_count(self) -> int:
        """The number of points in all strokes."""
        return int(self.x.size)


class Ink:
    """A drawn signature on a pad of ``width`` x ``height`` pixels.

    Made from strokes of :class:`Point` (the touch screen), or from :class:`InkArrays`
    (:func:`decode_ink`): then ``strokes`` is built only if something asks for it, and
    :meth:`arrays` costs nothing; exports and counting never build a point. Or kept encoded
    (:meth:`deferred`): a whole-campaign export holds every signature until its packets are
    drawn, about 1 KB each so instead of some 15 KB decoded; each use decodes it again and
    nothing decoded is kept.
    """

    __slots__ = ("_arrays", "_encoded", "_points", "_strokes", "height", "width")

    def __init__(
        self,
        width: float,
        height: float,
        strokes: tuple[Stroke, ...] | None = None,
        *,
        arrays: InkArrays | None = None,
    ) -> None:
        if (strokes is None) == (arrays is None):
            raise TypeError("Ink takes strokes or arrays")
        self.width = width
        self.height = height
        self._strokes = strokes
        self._arrays = arrays
        self._encoded: bytes | None = None
        self._points = -1

    @classmethod
    def deferred(cls, data: bytes) -> Ink:
        """An ink record checked now (:func:`check_ink`) and decoded only when used, every time
        it is used, never kept decoded (see the class docstring).

        Raises:
            InkDecodeError: the data is malformed or implausibly large.
        """
        width, height, _strokes, points = _check(data)
        ink = cls.__new__(cls)
        ink.width, ink.height = width / 10, height / 10
        ink._strokes = ink._arrays = None
        ink._encoded, ink._points = bytes(data), points
        return ink

    @property
    def strokes(self) -> tuple[Stroke, ...]:
        """The strokes as points (built from the arrays on first use)."""
        if self._strokes is not None:
            return self._strokes
        a = self.arrays()
        xs, ys, ts = a.x.tolist(), a.y.tolist(), a.t.tolist()
        ps = a.p.tolist() if a.p is not None else [None] * len(xs)
        out: list[Stroke] = []
        at = 0
        for n in a.lengths.tolist():
            end = at + n
            out.append(tuple(map(Point, xs[at:end], ys[at:end], ts[at:end], ps[at:end])))
            at = end
        strokes = tuple(out)
        if self._encoded is None:  # a deferred ink keeps nothing decoded
            self._strokes = strokes
        return strokes

    def arrays(self) -> InkArrays:
        """The points as flat arrays (see :class:`InkArrays`)."""
        if self._encoded is not None:
            return decode_ink(self._encoded).arrays()  # checked when made: it decodes
        if self._arrays is None:
            import numpy as np

            pts = [p for s in self.strokes for p in s]
            has_p = any(p.pressure is not None for p in pts)
            self._arrays = InkArrays(
                self.width,
                self.height,
                np.array([p.x for p in pts], dtype=np.float64),
                np.array([p.y for p in pts], dtype=np.float64),
                np.array([p.t for p in pts], dtype=np.int64),
                np.array([1.0 if p.pressure is None else p.pressure for p in pts], dtype=np.float64)
                if has_p
                else None,
                np.array([len(s) for s in self.strokes], dtype=np.intp),
            )
        return self._arrays

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ink):
            return NotImplemented
        return (self.width, self.height, self.strokes) == (other.width, other.height, other.strokes)

    def __hash__(self) -> int:
        return hash((self.width, self.height, self.strokes))

    def __repr__(self) -> str:
        if self._encoded is not None:
            return f"Ink(width={self.width!r}, height={self.height!r}, encoded)"
        n = self._arrays.lengths.size if self._arrays is not None else len(self.strokes)
        return f"Ink(width={self.width!r}, height={self.height!r}, {n} strokes)"

    @property
    def point_count(self) -> int:
        """The number of points in all strokes."""
        if self._points >= 0:
            return self._points
        if self._arrays is not None:
            return self._arrays.point_count
        return sum(len(s) for s in self.strokes)

    def length(self) -> float:
        """Total drawn length in pad pixels."""
        total = 0.0
        for stroke in self.strokes:
            for a, b in itertools.pairwise(stroke):
                total += math.hypot(b.x - a.x, b.y - a.y)
        return total

    def extent(self) -> float:
        """The diagonal of the bounding box of all points, in pad pixels."""
        xs = [p.x for s in self.strokes for p in s]
        ys = [p.y for s in self.strokes for p in s]
        if not xs:
            return 0.0
        return math.hypot(max(xs) - min(xs), max(ys) - min(ys))

    def is_enough(self, pad_diagonal_fraction: float = 0.08) -> bool:
        """Whether there is enough ink to count as a signature (not empty, not one dot).

        Args:
            pad_diagonal_fraction: the minimum drawn length and extent, as a fraction of the
                pad's diagonal.
        """
        diagonal = math.hypot(self.width, self.height) or 1.0
        need = diagonal * pad_diagonal_fraction
        return self.length() >= need and self.extent() >= need / 2


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


def _unzigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _put(out: bytearray, n: int) -> None:
    n = _zigzag(n)
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def get(self) -> int:
        shift = 0
        result = 0
        while True:
            if self.pos >= len(self.data):
                raise InkDecodeError("truncated")
            b = self.data[self.pos]
            self.pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return _unzigzag(result)
            shift += 7
            if shift > 63:
                raise InkDecodeError("varint too long")


def encode_ink(ink: Ink) -> bytes:
    """Encode a signature compactly (see the module docstring).

    Done with numpy (every save encodes one, so it is on the signer's path): the same bytes as
    :func:`_encode_bytewise`, which remains for values numpy's 64-bit integers cannot hold.

    Raises:
        ValueError: a coordinate, time or pressure is not a finite number.
    """
    import numpy as np

    pts = [p for s in ink.strokes for p in s]
    has_pressure = any(p.pressure is not None for p in pts)
    per = 4 if has_pressure else 3
    n = len(pts)
    try:
        cols = np.empty((n, per), dtype=np.float64)
        cols[:, 0] = [p.x for p in pts]
        cols[:, 1] = [p.y for p in pts]
        cols[:, 2] = [p.t for p in pts]
        if has_pressure:
            cols[:, 3] = [1.0 if p.pressure is None else p.pressure for p in pts]
    except OverflowError:
        return _encode_bytewise(ink)
    if not np.isfinite(cols).all() or not math.isfinite(ink.width * ink.height):
        raise ValueError("ink values must be finite numbers")
    cols[:, :2] *= 10
    if has_pressure:
        cols[:, 3] *= 255
    if n and (np.abs(cols).max() >= 2.0**52 or any(type(p.t) is not int for p in pts)):
        return _encode_bytewise(ink)  # beyond exact float integers, or times that are not ints
    q = np.rint(cols).astype(np.int64)  # rint rounds half to even, like round()
    deltas = np.diff(q, axis=0, prepend=np.zeros((1, per), dtype=np.int64))
    lengths = np.array([len(s) for s in ink.strokes], dtype=np.int64)
    n_strokes = lengths.size
    vals = np.empty(3 + n_strokes + n * per, dtype=np.int64)
    vals[:3] = (round(ink.width * 10), round(ink.height * 10), n_strokes)
    offsets = np.cumsum(lengths) - lengths
    count_at = 3 + np.arange(n_strokes) + offsets * per
    is_count = np.zeros(vals.size, dtype=bool)
    is_count[:3] = True
    is_count[count_at] = True
    vals[count_at] = lengths
    vals[~is_count] = deltas.reshape(-1)
    return _MAGIC + bytes((1 if has_pressure else 0,)) + _varints(vals)


def _varints(vals: Any) -> bytes:
    """Zig-zag varints of an int64 array, vectorised."""
    import numpy as np

    u = ((vals << 1) ^ (vals >> 63)).view(np.uint64)
    size = np.ones(u.size, dtype=np.int64)
    for k in range(1, 10):
        size += u >= np.uint64(1 << (7 * k))
    start = np.cumsum(size) - size
    out = np.empty(int(size.sum()), dtype=np.uint8)
    for k in range(int(size.max()) if size.size else 0):
        sel = size > k
        group = (u[sel] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (size[sel] - 1 > k).astype(np.uint64) << np.uint64(7)
        out[start[sel] + k] = (group | more).astype(np.uint8)
    return out.tobytes()


def _encode_bytewise(ink: Ink) -> bytes:
    """The reference encoder, one value at a time (see :func:`encode_ink`)."""
    out = bytearray(_MAGIC)
    has_pressure = any(p.pressure is not None for s in ink.strokes for p in s)
    out.append(1 if has_pressure else 0)
    _put(out, round(ink.width * 10))
    _put(out, round(ink.height * 10))
    _put(out, len(ink.strokes))
    px = py = pt = pp = 0
    for stroke in ink.strokes:
        _put(out, len(stroke))
        for p in stroke:
            x, y = round(p.x * 10), round(p.y * 10)
            _put(out, x - px)
            _put(out, y - py)
            _put(out, p.t - pt)
            px, py, pt = x, y, p.t
            if has_pressure:
                pr = round((p.pressure if p.pressure is not None else 1.0) * 255)
                _put(out, pr - pp)
                pp = pr
    return bytes(out)


def decode_ink(data: bytes) -> Ink:
    """Decode bytes made by :func:`encode_ink`.

    Well-formed records are decoded with numpy into :class:`InkArrays` (a PDF export decodes
    thousands of them; see :func:`_decode_vectorised`), and points are built only if something
    asks for ``strokes``; anything unusual goes through the byte-by-byte decoder, which says
    what is wrong.

    Raises:
        InkDecodeError: the data is malformed or implausibly large.
    """
    if data.startswith(_MAGIC) and len(data) > len(_MAGIC) + 1:
        fast = _decode_vectorised(data)
        if fast is not None:
            return fast
    return _decode_bytewise(data)


def _decode_vectorised(data: bytes) -> Ink | None:
    """Decode a well-formed record with numpy; None for anything the byte-wise decoder should
    judge (truncated, too many strokes or points, trailing bytes, a varint over 6 bytes).

    The result is identical to :func:`_decode_bytewise`'s: the same integer sums, divided the
    same way.
    """
    import numpy as np

    has_pressure = data[len(_MAGIC)] == 1
    b = np.frombuffer(data, dtype=np.uint8, offset=len(_MAGIC) + 1)
    if b[-1] & 0x80:
        return None  # truncated
    stop = np.flatnonzero(b < 0x80)  # the last byte of each varint
    start = np.empty_like(stop)
    start[0] = 0
    start[1:] = stop[:-1] + 1
    size = stop - start + 1
    if size.max() > 6:
        return None  # more than 42 bits: leave it to the byte-wise decoder
    if size.max() == 1:
        raw = b.astype(np.int64)
    else:
        shift = (np.arange(b.size) - np.repeat(start, size)) * 7
        raw = np.bitwise_or.reduceat((b & 0x7F).astype(np.int64) << shift, start)
    vals = (raw >> 1) ^ -(raw & 1)
    if vals.size < 3 or not 0 <= vals[2] <= MAX_STROKES:
        return None
    per = 4 if has_pressure else 3
    at = 3
    counts: list[int] = []
    count_at: list[int] = []
    for _ in range(int(vals[2])):
        n = int(vals[at]) if at < vals.size else -1
        if n < 0:
            return None
        counts.append(n)
        count_at.append(at)
        at += 1 + per * n
    if at != vals.size or sum(counts) > MAX_POINTS:
        return None
    keep = np.ones(vals.size, dtype=bool)
    keep[:3] = False
    keep[count_at] = False
    pv = vals[keep].reshape(-1, per)
    arrays = InkArrays(
        int(vals[0]) / 10,
        int(vals[1]) / 10,
        np.cumsum(pv[:, 0]) / 10,
        np.cumsum(pv[:, 1]) / 10,
        np.cumsum(pv[:, 2]),
        np.cumsum(pv[:, 3]) / 255 if has_pressure else None,
        np.array(counts, dtype=np.intp),
    )
    return Ink(arrays.width, arrays.height, arrays=arrays)


def _decode_bytewise(data: bytes) -> Ink:
    """The reference decoder, one byte at a time (see :func:`decode_ink`)."""
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 1:
        raise InkDecodeError("not an ink record")
    has_pressure = data[len(_MAGIC)] == 1
    r = _Reader(data)
    r.pos = len(_MAGIC) + 1
    width = r.get() / 10
    height = r.get() / 10
    n_strokes = r.get()
    if not 0 <= n_strokes <= MAX_STROKES:
        raise InkDecodeError("too many strokes")
    strokes: list[Stroke] = []
    px = py = pt = pp = 0
    total = 0
    for _ in range(n_strokes):
        n_points = r.get()
        total += n_points
        if n_points < 0 or total > MAX_POINTS:
            raise InkDecodeError("too many points")
        pts: list[Point] = []
        for _ in range(n_points):
            px += r.get()
            py += r.get()
            pt += r.get()
            pressure = None
            if has_pressure:
                pp += r.get()
                pressure = pp / 255
            pts.append(Point(px / 10, py / 10, pt, pressure))
        strokes.append(tuple(pts))
    if r.pos != len(data):
        raise InkDecodeError("trailing bytes")
    return Ink(width, height, tuple(strokes))


def check_ink(data: bytes) -> tuple[int, int]:
    """Check that bytes are a well-formed ink record within the limits, without building a
    single point (counting and validation use it; drawing uses :func:`decode_ink`).

    Returns:
        ``(strokes, points)``.

    Raises:
        InkDecodeError: the data is malformed or implausibly large.
    """
    return _check(data)[2:]


def _check(data: bytes) -> tuple[int, int, int, int]:
    """:func:`check_ink`, returning ``(width, height, strokes, points)`` (width and height in
    tenths of a pad pixel, as stored)."""
    # flags, width, height and the stroke count: a typed signature's ink has no stroke
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 4:
        raise InkDecodeError("not an ink record")
    if data[len(_MAGIC)] not in (0, 1):
        raise InkDecodeError("unknown ink flags")
    import numpy as np

    b = np.frombuffer(data, dtype=np.uint8, offset=len(_MAGIC) + 1)
    if b[-1] & 0x80:
        raise InkDecodeError("truncated")
    stop = np.flatnonzero(b < 0x80)
    start = np.empty_like(stop)
    start[0] = 0
    start[1:] = stop[:-1] + 1
    size = stop - start + 1
    if size.max() > 6:
        raise InkDecodeError("value too large")
    shift = (np.arange(b.size) - np.repeat(start, size)) * 7
    raw = np.bitwise_or.reduceat((b & 0x7F).astype(np.int64) << shift, start)
    vals = ((raw >> 1) ^ -(raw & 1)).tolist()
    if len(vals) < 3 or not (0 <= vals[0] <= 100_000 and 0 <= vals[1] <= 100_000):
        raise InkDecodeError("bad pad size")
    if not 0 <= vals[2] <= MAX_STROKES:
        raise InkDecodeError("too many strokes")
    per = 4 if data[len(_MAGIC)] == 1 else 3
    at, total = 3, 0
    for _ in range(vals[2]):
        n = vals[at] if at < len(vals) else -1
        if n < 0:
            raise InkDecodeError("truncated")
        total += n
        if total > MAX_POINTS:
            raise InkDecodeError("too many points")
        at += 1 + per * n
    if at != len(vals):
        raise InkDecodeError("truncated" if at > len(vals) else "trailing bytes")
    return vals[0], vals[1], vals[2], total
