"""The typed events every provider's stream is turned into.

A provider adapter translates one wire protocol into these; the meter, the duel
runner, the CLI, the TUI and the storage writers all consume the same events.
They are frozen, slotted dataclasses rather than pydantic models because one is
built per streamed chunk, on the measuring hot path.

Token vocabulary (identical for every provider, see README "Token counts"):
    input_tokens         every prompt token, cached ones included
    cached_input_tokens  the cached part of input_tokens
    output_tokens        every billed output token, reasoning included
    reasoning_tokens     the reasoning part of output_tokens, None when unreported
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ErrorInfo",
    "ErrorKind",
    "Event",
    "Finished",
    "ReasoningDelta",
    "RequestSent",
    "Retrying",
    "Stamped",
    "StreamFailed",
    "TextDelta",
    "Usage",
]

ErrorKind = Literal[
    "missing_key",  # no API key in the environment
    "auth",  # 401 / 403 / Gemini's API_KEY_INVALID
    "not_found",  # unknown model or path
    "bad_request",  # 400: a parameter the model refuses, malformed request
    "rate_limited",  # 429 (retryable)
    "quota",  # 429 insufficient_quota (not retryable)
    "provider_error",  # 5xx, 529 overloaded, or an in-stream error event
    "connection",  # connect failure or a connection dropped mid-stream
    "malformed",  # an event that is not valid for the protocol
    "timeout",  # overall deadline
    "stall",  # no data between events for too long
    "cancelled",  # the user (or the runner) cancelled
    "config",  # unknown provider, bad spec
]


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What went wrong with one run, in words a user can act on.

    Attributes:
        kind: the category, one of ErrorKind.
        message: one line, never containing an API key.
        status: the HTTP status when there was one.
        retry_after_s: the provider's requested delay, when it gave one.
        retryable: whether a retry could succeed (429 rate limit, 5xx, 529, dropped connection).
    """

    kind: ErrorKind
    message: str
    status: int | None = None
    retry_after_s: float | None = None
    retryable: bool = False

    def as_dict(self) -> dict[str, object]:
        """The JSON form used by `ask --json` and the CSV's error column."""
        return {"kind": self.kind, "status": self.status, "message": self.message}


@dataclass(frozen=True, slots=True)
class RequestSent:
    """The request's last byte was written to the socket.

    Attributes:
        connect_ns: DNS + TCP + TLS time for this request; 0 on a reused connection,
            None when the transport did not report it.
    """

    connect_ns: int | None = None


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the visible answer."""

    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of the model's reasoning (thinking / reasoning summary / thought part).

    An empty text marks reasoning that happened but was not shown (redacted thinking).
    """

    text: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Exact token counts reported by the provider, already normalised (module docstring).

    A later Usage replaces an earlier one field by field where the later one is not None.
    """

    input_tokens: int | None = None
    cached_input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None


FinishReason = str
"""Normalised: stop, max_tokens, tool_use, safety, recitation, blocked, content_filter,
refusal, incomplete, other; or cancelled/error set by the runner."""


@dataclass(frozen=True, slots=True)
class Finished:
    """The stream ended normally.

    Attributes:
        reason: normalised finish reason (see FinishReason).
        raw_reason: the provider's own word for it, for the curious.
    """

    reason: FinishReason
    raw_reason: str | None = None


@dataclass(frozen=True, slots=True)
class StreamFailed:
    """The stream ended with an error; text and usage seen before it are kept."""

    error: ErrorInfo


@dataclass(frozen=True, slots=True)
class Retrying:
    """The runner is about to retry after a retryable failure (only with --retries)."""

    attempt: int
    delay_s: float
    error: ErrorInfo


Event = TextDelta | ReasoningDelta | Usage | Finished | StreamFailed | RequestSent | Retrying


@dataclass(frozen=True, slots=True)
class Stamped:
    """An event with the `time.monotonic_ns()` at which its bytes arrived."""

    t_ns: int
    event: Event
