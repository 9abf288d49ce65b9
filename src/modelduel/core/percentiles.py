"""Percentiles of the chunk gaps: `percentile` of sorted values, and `RunningPercentile`,
the same figure kept exact while values arrive (the meter reads it every frame)."""

from __future__ import annotations

import heapq
import math

__all__ = ["RunningPercentile", "percentile"]


def percentile(sorted_values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) of already sorted values, linear interpolation."""
    if not sorted_values:
        return None
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = (len(sorted_values) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


class RunningPercentile:
    """`percentile(sorted(values), q)` of a growing set of values, exact, O(log n) per add.

    Two heaps split the values at the rank `percentile` interpolates from: `_low` (a
    max-heap, stored negated) holds the smallest `floor((n - 1) * q / 100) + 1` values,
    `_high` the rest. Adding a value moves at most one value between them, and the two
    values the interpolation needs are the tops of the heaps. No approximation: the result
    equals `percentile` on the sorted values, float for float (tested on random inputs).
    """

    __slots__ = ("_high", "_low", "_q", "_scale")

    def __init__(self, q: float, scale: float = 1.0) -> None:
        self._q = q
        self._scale = scale  # values are divided by it when read (ns in, seconds out)
        self._low: list[int] = []
        self._high: list[int] = []

    def __len__(self) -> int:
        return len(self._low) + len(self._high)

    def add(self, value: int) -> None:
        """Take one more value."""
        if self._low and value <= -self._low[0]:
            heapq.heappush(self._low, -value)
        else:
            heapq.heappush(self._high, value)
        n = len(self)
        want = math.floor((n - 1) * self._q / 100.0) + 1
        while len(self._low) > want:
            heapq.heappush(self._high, -heapq.heappop(self._low))
        while len(self._low) < want:
            heapq.heappush(self._low, -heapq.heappop(self._high))

    def clear(self) -> None:
        """Forget every value."""
        self._low.clear()
        self._high.clear()

    def value(self) -> float | None:
        """The q-th percentile of the values so far (None when there is none)."""
        n = len(self)
        if n == 0:
            return None
        low_value = -self._low[0] / self._scale
        if n == 1:
            return low_value
        pos = (n - 1) * self._q / 100.0
        low = math.floor(pos)
        high_value = self._high[0] / self._scale if low + 1 <= n - 1 else low_value
        return low_value + (high_value - low_value) * (pos - low)
