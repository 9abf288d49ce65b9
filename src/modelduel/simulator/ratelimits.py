"""Rate-limit headroom headers on successful responses, from a per-model one-minute window.

What the real APIs send on every response, so a client can show headroom:

* OpenAI (Responses, and Chat Completions for OpenAI's own models):
  `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests`,
  `x-ratelimit-reset-requests` and the same three for `-tokens`; resets are
  durations in Go's format ("1s", "6m0s", "59.2s", "12ms").
* Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-
  {limit,remaining,reset}`, resets as RFC 3339 timestamps.
* Gemini sends none.

The window is fixed and starts at a model's first request; a request uses one
request and its input plus output tokens. By default the limits are generous and
only reported; a profile that sets `rate_limit_requests` or `rate_limit_tokens`
gets those limits enforced: past them, the request is answered with the
provider's 429 until the window resets.
"""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass

__all__ = ["RateLimits", "Usage"]

_WINDOW_S = 60.0
# protocol -> (requests, tokens, input tokens, output tokens) per minute, by default
_DEFAULTS = {
    "openai": (10_000, 30_000_000, 0, 0),
    "anthropic": (4_000, 2_400_000, 2_000_000, 400_000),
}


@dataclass(frozen=True, slots=True)
class Usage:
    """What a request charges against its model's window, and whether it is over the limit."""

    headers: list[tuple[str, str]]
    over_limit: bool
    reset_s: float


def _go_duration(seconds: float) -> str:
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))}ms"
    minutes, rest = divmod(seconds, 60)
    text = f"{rest:.3f}".rstrip("0").rstrip(".") + "s"
    return f"{int(minutes)}m{text}" if minutes else text


class RateLimits:
    """Per (protocol, model) request and token counts over a one-minute window (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # key -> [window start (monotonic s), requests, input tokens, output tokens]
        self._windows: dict[tuple[str, str], list[float]] = {}

    def charge(
        self,
        protocol: str,
        model: str,
        input_tokens: int,
        output_tokens: int,
        *,
        requests_limit: int = 0,
        tokens_limit: int = 0,
    ) -> Usage:
        """Count one request and return its headers (empty where the provider sends none).

        Args:
            protocol: "openai" (both OpenAI APIs), "anthropic", or another (no headers).
            model: the model id; each has its own window.
            input_tokens: the request's input tokens.
            output_tokens: the answer's output tokens, reasoning included.
            requests_limit: an enforced request limit per minute (0: the default, reported only).
            tokens_limit: an enforced token limit per minute (0: the default, reported only).
        """
        if protocol not in _DEFAULTS:
            return Usage([], False, 0.0)
        requests_default, tokens_default, input_limit, output_limit = _DEFAULTS[protocol]
        enforced = bool(requests_limit or tokens_limit)
        req_limit = requests_limit or requests_default
        tok_limit = tokens_limit or tokens_default
        now = time.monotonic()
        with self._lock:
            window = self._windows.get((protocol, model))
            if window is None or now - window[0] >= _WINDOW_S:
                window = [now, 0.0, 0.0, 0.0]
                self._windows[(protocol, model)] = window
            window[1] += 1
            window[2] += input_tokens
            window[3] += output_tokens
            start, requests, inputs, outputs = window
        reset_s = max(0.001, start + _WINDOW_S - now)
        over = enforced and (requests > req_limit or inputs + outputs > tok_limit)
        left_requests = max(0, req_limit - int(requests))
        left_tokens = max(0, tok_limit - int(inputs + outputs))
        if protocol == "openai":
            reset = _go_duration(reset_s)
            headers = [
                ("x-ratelimit-limit-requests", str(req_limit)),
                ("x-ratelimit-remaining-requests", str(left_requests)),
                ("x-ratelimit-reset-requests", reset),
                ("x-ratelimit-limit-tokens", str(tok_limit)),
                ("x-ratelimit-remaining-tokens", str(left_tokens)),
                ("x-ratelimit-reset-tokens", reset),
            ]
            return Usage(headers, over, reset_s)
        at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=reset_s)
        stamp = at.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        if tokens_limit:
            # an enforced total splits into input and output in the default proportion
            input_limit = tokens_limit * 5 // 6
            output_limit = tokens_limit - input_limit
        headers = []
        for name, limit, used in (
            ("requests", req_limit, requests),
            ("tokens", tok_limit, inputs + outputs),
            ("input-tokens", input_limit, inputs),
            ("output-tokens", output_limit, outputs),
        ):
            headers += [
                (f"anthropic-ratelimit-{name}-limit", str(limit)),
                (f"anthropic-ratelimit-{name}-remaining", str(max(0, limit - int(used)))),
                (f"anthropic-ratelimit-{name}-reset", stamp),
            ]
        return Usage(headers, over, reset_s)
