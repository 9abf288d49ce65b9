"""A fixed-window rate limiter; the window comes from settings."""

from __future__ import annotations

import time


class RateLimiter:
    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._start = time.monotonic()
        self._count = 0

    def allow(self) -> bool:
        now = time.monotonic()
        if now - self._start >= self.window_s:
            self._start, self._count = now, 0
        self._count += 1
        return self._count <= self.limit
