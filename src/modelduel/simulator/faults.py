"""Faults on demand: `x-simulate-fault: NAME[:ARG]` or a model id `MODEL@fault=NAME[:ARG]`.

The model-name form lets any front end trigger a fault through an ordinary model
spec (`anthropic/claude-opus-4-7@fault=overloaded`). HTTP faults answer with the
provider's own error status and body; stream faults change a 200 stream.

    auth                 401 (Gemini: 400 API_KEY_INVALID)
    not_found            unknown model (OpenAI Responses: 400 model_not_found; Chat: 404)
    bad_request          400 for a bad parameter
    rate_limit[:S]       429 asking to retry after S seconds (default 1)
    server               500
    unavailable          503
    overloaded           Anthropic 529, others 503
    midstream_error[:N]  the provider's in-stream error event after N tokens (default 5)
    drop[:N]             connection closed after N tokens, no terminating chunk (default 5)
    stall[:S]            nothing sent for S seconds half-way through the stream (default 2)
    malformed[:N]        an event with invalid JSON after N tokens (default 3)
    cut_utf8[:N]         the body ends inside a multi-byte UTF-8 character after N tokens
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "FAULTS",
    "HTTP_FAULTS",
    "STREAM_FAULTS",
    "Fault",
    "FaultError",
    "parse_fault",
    "split_model",
]

HTTP_FAULTS = (
    "auth",
    "not_found",
    "bad_request",
    "rate_limit",
    "server",
    "unavailable",
    "overloaded",
)
STREAM_FAULTS = ("midstream_error", "drop", "stall", "malformed", "cut_utf8")
FAULTS = HTTP_FAULTS + STREAM_FAULTS

_DEFAULT_ARG = {
    "rate_limit": 1.0,
    "midstream_error": 5.0,
    "drop": 5.0,
    "stall": 2.0,
    "malformed": 3.0,
}
_MAX_ARG = 3600.0
_SUFFIX = "@fault="


class FaultError(ValueError):
    """A fault spec names no known fault or has a bad argument."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One requested fault: its name and numeric argument (seconds or tokens)."""

    name: str
    arg: float

    @property
    def is_http(self) -> bool:
        """Whether the fault replaces the whole response with an HTTP error."""
        return self.name in HTTP_FAULTS

    @property
    def count(self) -> int:
        """The argument as a token count."""
        return int(self.arg)


def parse_fault(spec: str) -> Fault:
    """The fault of `NAME[:ARG]`.

    Raises:
        FaultError: unknown name, or an argument that is not a number in 0..3600.
    """
    name, _, raw = spec.strip().partition(":")
    name = name.strip().lower().replace("-", "_")
    if name not in FAULTS:
        raise FaultError(f"unknown simulated fault {name!r} (known: {', '.join(FAULTS)})")
    if not raw:
        return Fault(name, _DEFAULT_ARG.get(name, 0.0))
    try:
        arg = float(raw)
    except ValueError:
        raise FaultError(f"simulated fault {name}: argument {raw!r} is not a number") from None
    if not (0 <= arg <= _MAX_ARG) or math.isnan(arg):
        raise FaultError(f"simulated fault {name}: argument {raw!r} is outside 0..{_MAX_ARG:g}")
    return Fault(name, arg)


def split_model(model: str) -> tuple[str, str | None]:
    """(model id, fault spec or None) of a model id with an optional `@fault=` suffix."""
    base, sep, spec = model.partition(_SUFFIX)
    return (base, spec) if sep else (model, None)
