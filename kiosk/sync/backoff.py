"""Exponential backoff with full jitter, for retrying sync after a failure.

After the n-th failure in a row the next attempt waits a random time in ``[0, min(cap,
base * 2**n)]`` ("full jitter", AWS Architecture Blog, 2015): many kiosks that lost the server
at the same moment do not all come back at the same moment. A success resets the count.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

#: First retry window, in seconds.
DEFAULT_BASE = 2.0
#: Longest wait between attempts, in seconds.
DEFAULT_CAP = 300.0


@dataclass
class Backoff:
    """Counts consecutive failures and says how long to wait before the next attempt.

    Attributes:
        base: the first window, in seconds.
        cap: the largest window, in seconds.
        failures: consecutive failures so far.
    """

    base: float = DEFAULT_BASE
    cap: float = DEFAULT_CAP
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def window(self) -> float:
        """The upper bound of the next wait, in seconds (0 before any failure)."""
        if self.failures == 0:
            return 0.0
        # 2**n overflows a float only past n=1023; the cap is reached long before.
        return min(self.cap, self.base * 2.0 ** min(self.failures - 1, 64))

    def failed(self, at_least: float | None = None) -> float:
        """Record a failure; return the seconds to wait before the next attempt.

        Args:
            at_least: a minimum wait the server asked for (``Retry-After``), still capped.
        """
        self.failures += 1
        delay = self.rng.uniform(0.0, self.window())
        if at_least is not None:
            delay = max(delay, min(at_least, self.cap))
        return delay

    def succeeded(self) -> None:
        """Record a success: the next failure starts from the first window again."""
        self.failures = 0
