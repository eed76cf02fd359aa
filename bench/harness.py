"""A tiny harness: repeat a measurement, take the median, print a table with the target beside it.

Benchmarks report figures; they never fail a build. Each ``bench_*.py`` prints one table.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One figure: what was measured, its value and unit, and the target (lower is better
    unless ``higher_is_better``)."""

    name: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    note: str = ""

    @property
    def verdict(self) -> str:
        """'ok', 'MISSED' or '' when there is no target."""
        if self.target is None:
            return ""
        good = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "ok" if good else "MISSED"


def median_of(fn: Callable[[], float], repeats: int) -> float:
    """Run ``fn`` ``repeats`` times (it returns one measurement) and return the median."""
    return statistics.median(fn() for _ in range(repeats))


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) of ``values`` (nearest rank)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def print_table(title: str, rows: list[Row]) -> None:
    """Print a fixed-width table of figures and targets."""
    print(f"\n## {title}")
    print(f"{'measure':58} {'value':>12} {'target':>12}  verdict")
    for r in rows:
        tgt = "" if r.target is None else f"{'>=' if r.higher_is_better else '<='} {r.target:g}"
        print(
            f"{r.name:58} {r.value:>9.3f} {r.unit:<3}{tgt:>12}  {r.verdict}"
            + (f"  ({r.note})" if r.note else "")
        )


def letters(n: int) -> str:
    """``n`` written in letters (0 -> "a", 25 -> "z", 26 -> "ba"): a distinct part of a
    synthetic name, which may hold no digits (``PersonalData`` refuses them when it is read)."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = chr(97 + r) + out
        if n == 0:
            return out
