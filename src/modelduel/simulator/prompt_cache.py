"""The simulated prompt cache: which marked prompt prefixes (Anthropic `cache_control`
breakpoints, see `wire_anthropic_request`) a later request reads back, and for how long.

A prefix lives 5 minutes, or an hour when marked `ttl: "1h"`; a hit or a miss both
(re)start its lifetime, as a real cache write or read does. What a hit is worth (the
cached and written token counts) is decided in `plan`.
"""

from __future__ import annotations

import threading
import time

from modelduel.simulator.generation import SimRequest

__all__ = ["PromptCache"]


class PromptCache:
    """Thread-safe map of a marked prompt prefix to its expiry (monotonic seconds)."""

    def __init__(self) -> None:
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def read(self, request: SimRequest) -> int:
        """Tokens of the request's marked prefix already in the cache (0 on a miss).

        A hit or a miss both (re)start the prefix's lifetime, as a real cache write or read does.
        """
        key = request.options.get("cache_prefix_key")
        if not key or not request.cache_prefix_tokens:
            return 0
        now = time.monotonic()
        lifetime = 3600.0 if request.cache_ttl == "1h" else 300.0
        with self._lock:
            hit = self._expiry.get(key, 0.0) > now
            self._expiry[key] = now + lifetime
        return request.cache_prefix_tokens if hit else 0
