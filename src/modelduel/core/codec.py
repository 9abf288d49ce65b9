"""Stamped events to and from one JSON line, for the pipe between the worker and a UI.

Compact arrays rather than dicts: the worker writes one line per network chunk
while a UI may be rendering, so both sides should spend as little as possible.
"""

from __future__ import annotations

import json
from typing import Any

from modelduel.conversation import AssistantMessage
from modelduel.conversation_json import (
    conversation_from_json,
    conversation_to_json,
    message_from_json,
    message_to_json,
)
from modelduel.events import (
    AssistantReply,
    ConversationState,
    ErrorInfo,
    Event,
    Finished,
    Notice,
    ReasoningDelta,
    RequestSent,
    Retrying,
    RoundStarted,
    Stamped,
    StreamFailed,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallDone,
    ToolCallStarted,
    ToolResultReady,
    TurnStarted,
    Usage,
)

__all__ = ["decode_event_line", "encode_event_line"]


def _error_fields(e: ErrorInfo) -> list[Any]:
    return [e.kind, e.message, e.status, e.retry_after_s, e.retryable]


def _error_from(fields: list[Any]) -> ErrorInfo:
    kind, message, status, retry_after, retryable = fields
    return ErrorInfo(kind, message, status, retry_after, retryable)


def _encode(event: Event) -> list[Any]:
    if isinstance(event, TextDelta):
        return ["T", event.text]
    if isinstance(event, ReasoningDelta):
        return ["R", event.text]
    if isinstance(event, Usage):
        return [
            "U",
            event.input_tokens,
            event.cached_input_tokens,
            event.output_tokens,
            event.reasoning_tokens,
            event.cache_write_tokens,
            event.cache_write_1h_tokens,
        ]
    if isinstance(event, Finished):
        return ["F", event.reason, event.raw_reason]
    if isinstance(event, StreamFailed):
        return ["X", *_error_fields(event.error)]
    if isinstance(event, RequestSent):
        return ["S", event.connect_ns]
    if isinstance(event, Notice):
        return ["N", event.text]
    if isinstance(event, ToolCallArgumentsDelta):
        return ["a", event.index, event.delta]
    if isinstance(event, ToolCallStarted):
        return ["c", event.index, event.call_id, event.name]
    if isinstance(event, ToolCallDone):
        return ["d", event.index, event.call_id, event.name, event.arguments]
    if isinstance(event, AssistantReply):
        return ["A", message_to_json(event.message)]
    if isinstance(event, ToolResultReady):
        return [
            "r",
            event.call_id,
            event.name,
            event.label,
            event.content,
            event.is_error,
            event.summary,
        ]
    if isinstance(event, RoundStarted):
        return ["O", event.round]
    if isinstance(event, TurnStarted):
        return ["P", event.turn, event.prompt]
    if isinstance(event, ConversationState):
        return ["C", conversation_to_json(event.conversation)]
    return ["Y", event.attempt, event.delay_s, *_error_fields(event.error)]


def encode_event_line(run_id: str, stamped: Stamped) -> bytes:
    """One line (with its newline) carrying a run id and a stamped event."""
    return (
        json.dumps([run_id, stamped.t_ns, *_encode(stamped.event)], ensure_ascii=False) + "\n"
    ).encode()


def decode_event_line(line: bytes | str) -> tuple[str, Stamped]:
    """The run id and stamped event of one encoded line."""
    run_id, t_ns, code, *rest = json.loads(line)
    event: Event
    if code == "T":
        event = TextDelta(rest[0])
    elif code == "R":
        event = ReasoningDelta(rest[0])
    elif code == "U":
        event = Usage(*rest)
    elif code == "F":
        event = Finished(rest[0], rest[1])
    elif code == "X":
        event = StreamFailed(_error_from(rest))
    elif code == "S":
        event = RequestSent(rest[0])
    elif code == "N":
        event = Notice(rest[0])
    elif code == "a":
        event = ToolCallArgumentsDelta(rest[0], rest[1])
    elif code == "c":
        event = ToolCallStarted(rest[0], rest[1], rest[2])
    elif code == "d":
        event = ToolCallDone(rest[0], rest[1], rest[2], rest[3])
    elif code == "A":
        message = message_from_json(rest[0])
        if not isinstance(message, AssistantMessage):
            raise ValueError("an AssistantReply line holds an assistant message")
        event = AssistantReply(message)
    elif code == "r":
        event = ToolResultReady(*rest)
    elif code == "O":
        event = RoundStarted(rest[0])
    elif code == "P":
        event = TurnStarted(rest[0], rest[1])
    elif code == "C":
        event = ConversationState(conversation_from_json(rest[0]))
    elif code == "Y":
        event = Retrying(rest[0], rest[1], _error_from(rest[2:]))
    else:
        raise ValueError(f"unknown event code {code!r}")
    return run_id, Stamped(t_ns, event)
