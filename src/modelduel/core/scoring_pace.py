"""How fast this person scores: seconds per pane, and the progress line that says it.

Measured from the session's own scoring (a break is not a pace), never guessed: no
estimate until one interval has been measured. Holds no saving (`core.session_controller`)
and no choice of the next pane (`core.suite_progress`).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["ScoringPace", "progress_line"]


class ScoringPace:
    """Seconds per scored pane, measured from this session's own scoring.

    The clock starts when a duel's answers are all on screen (`ready`) and each pane
    that becomes scored (`scored`) records the time since the previous mark. A gap over
    `MAX_GAP_S` is a break, not a pace, and one under `MIN_GAP_S` a burst of keys: both
    are left out. The estimate is absent until
    one interval has been measured: nothing is guessed.
    """

    MAX_GAP_S = 600.0
    MIN_GAP_S = 1.0
    """Shorter is a burst (score keys typed together, `3 4 2` in 60 ms), not reading
    time: left out, or "~1 s at your pace" would stand for a pace never measured."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self._clock = clock or time.monotonic
        self._mark: float | None = None
        self.intervals: list[float] = []
        """Seconds each scored pane took, in order."""

    def ready(self) -> None:
        """A duel's answers are on screen to be scored: the next interval starts now."""
        self._mark = self._clock()

    def scored(self) -> None:
        """A pane just became scored: its interval ends, and the next one starts."""
        now = self._clock()
        if self._mark is not None and self.MIN_GAP_S <= now - self._mark <= self.MAX_GAP_S:
            self.intervals.append(now - self._mark)
        self._mark = now

    @property
    def seconds_per_pane(self) -> float | None:
        """The median measured interval, or None before any was measured."""
        if not self.intervals:
            return None
        return statistics.median(self.intervals)

    def estimate(self, left: int) -> str:
        """`~4 min` for `left` panes at the measured pace; "" without a pace or nothing left."""
        pace = self.seconds_per_pane
        if pace is None or left <= 0:
            return ""
        seconds = pace * left
        if seconds < 90:
            return f"~{max(1, round(seconds))} s"
        return f"~{round(seconds / 60)} min"


def progress_line(scored: int, total: int, pace: ScoringPace) -> str:
    """`scored 27/30 · 3 left, ~4 min at your pace` (the estimate only once measured)."""
    left = total - scored
    if left <= 0:
        return f"scored {scored}/{total}"
    estimate = pace.estimate(left)
    tail = f", {estimate} at your pace" if estimate else ""
    return f"scored {scored}/{total} · {left} left{tail}"
