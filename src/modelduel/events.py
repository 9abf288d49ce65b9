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
    cache_write_tokens   the part of input_tokens written to a prompt cache (billed above
                         the input price: Anthropic 1.25x for 5 minutes, 2x for 1 hour)
    cache_write_1h_tokens  the 1-hour part of cache_write_tokens
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from modelduel.conversation import AssistantMessage, Conversation

__all__ = [
    "AssistantReply",
    "ConversationState",
    "ErrorInfo",
    "ErrorKind",
    "Event",
    "Finished",
    "Notice",
    "ReasoningDelta",
    "RequestSent",
    "Retrying",
    "RoundStarted",
    "Stamped",
    "StreamFailed",
    "TextDelta",
    "ToolCallArgumentsDelta",
    "ToolCallDone",
    "ToolCallStarted",
    "ToolResultReady",
    "TurnStarted",
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
        param: the request parameter the provider named as the problem (OpenAI's `param`),
            used in-process to resend without a parameter modelduel added itself.
    """

    kind: ErrorKind
    message: str
    status: int | None = None
    retry_after_s: float | None = None
    retryable: bool = False
    param: str | None = None

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
    cache_write_tokens: int | None = None
    cache_write_1h_tokens: int | None = None


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
class Notice:
    """Something the user should know about this run's request, said once in its pane
    (a budget clamped to the model's maximum, a parameter the provider refused and the
    request was resent without)."""

    text: str


@dataclass(frozen=True, slots=True)
class Retrying:
    """The runner is about to retry after a retryable failure (only with --retries)."""

    attempt: int
    delay_s: float
    error: ErrorInfo


@dataclass(frozen=True, slots=True)
class ToolCallStarted:
    """The model began a tool call (its name is known, its arguments stream next).

    Attributes:
        index: the call's position among this response's calls, from 0 (parallel calls
            are told apart by it while their arguments interleave).
        call_id: the provider's call id (Gemini has none: the adapter makes one up).
        name: the tool called.
    """

    index: int
    call_id: str
    name: str


@dataclass(frozen=True, slots=True)
class ToolCallArgumentsDelta:
    """A fragment of a call's arguments (JSON text, not parseable until the call is done)."""

    index: int
    delta: str


@dataclass(frozen=True, slots=True)
class ToolCallDone:
    """A call's arguments are complete: `arguments` is the whole JSON text as sent."""

    index: int
    call_id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class AssistantReply:
    """The response of one request assembled, as the next request must pass it back.

    Emitted by a parser just before its terminal `Finished` (or `StreamFailed`), once per
    response: text, reasoning and tool calls in arrival order, with their `provider_data`
    (signatures, item ids) kept verbatim. Not an answer of its own: the text in it
    already arrived as `TextDelta`s.
    """

    message: AssistantMessage


@dataclass(frozen=True, slots=True)
class ToolResultReady:
    """The engine answered one tool call from the task's world (after its latency).

    Attributes:
        call_id / name: the call answered.
        label: a short label of the call for a folded line (`read_file src/a.py:1-40`).
        content: the text sent back to the model.
        is_error: the call failed (unknown tool, invalid arguments, a scripted error).
        summary: a few words of the result (`40 lines`).
    """

    call_id: str
    name: str
    label: str
    content: str
    is_error: bool = False
    summary: str = ""


@dataclass(frozen=True, slots=True)
class RoundStarted:
    """The engine sends the next request of a tool loop (round 2, 3, ...).

    A boundary for the meter: the usage so far belongs to the earlier requests and is
    added to, not replaced by, the next request's; the run's clock keeps running.
    """

    round: int


@dataclass(frozen=True, slots=True)
class TurnStarted:
    """A follow-up user message is sent (turn 2, 3, ... of the run's conversation).

    A boundary for the meter like `RoundStarted`; in addition wall time is summed per
    turn (the time the user took to write the follow-up is not the model's), and ttft /
    time to first useful stay the first turn's.
    """

    turn: int
    prompt: str = ""


@dataclass(frozen=True, slots=True)
class ConversationState:
    """The run's conversation as it stands when the run ends (one per run, last but one
    event before its final `Finished` / `StreamFailed`): continue it with a follow-up."""

    conversation: Conversation


Event = (
    TextDelta
    | ReasoningDelta
    | Usage
    | Finished
    | StreamFailed
    | RequestSent
    | Retrying
    | Notice
    | ToolCallStarted
    | ToolCallArgumentsDelta
    | ToolCallDone
    | AssistantReply
    | ToolResultReady
    | RoundStarted
    | TurnStarted
    | ConversationState
)


@dataclass(frozen=True, slots=True)
class Stamped:
    """An event with the `time.monotonic_ns()` at which its bytes arrived."""

    t_ns: int
    event: Event
