"""A Chat Completions stream to events: content, reasoning, tool call fragments, usage.

Reasoning comes as `delta.reasoning` (OpenRouter, Ollama, newer vLLM),
`delta.reasoning_content` (DeepSeek, older vLLM) or inline `<think>…</think>` at the start
of the content (`thinktags`). Usage arrives in a chunk with empty `choices`, not always the
last one.
"""

from __future__ import annotations

import json
from typing import Any

from modelduel.conversation import AssistantMessage, AssistantPart, Text, ToolCall
from modelduel.events import (
    AssistantReply,
    ErrorInfo,
    Event,
    Finished,
    ReasoningDelta,
    StreamFailed,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallDone,
    ToolCallStarted,
)
from modelduel.events import Usage as UsageEvent
from modelduel.providers.base import SSEEvent
from modelduel.providers.common import (
    TextPieces,
    as_int,
    malformed,
    openai_style_usage,
    stream_cut,
)
from modelduel.providers.errors import RETRYABLE_STATUSES, one_line
from modelduel.providers.openai_chat.thinktags import ThinkTagSplitter

__all__ = ["ChatParser"]

_FINISH = {
    "stop": "stop",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filter",
}


def _usage(usage: Any) -> UsageEvent | None:
    return openai_style_usage(
        usage, "prompt|completion", "prompt_tokens_details", "completion_tokens_details"
    )


class ChatParser:
    """Turns one Chat Completions stream into events.

    Tool calls come as `delta.tool_calls[{index, id?, function: {name?, arguments}}]`
    fragments; the id and name only in the first fragment of an index, and parallel calls
    (different indexes) may interleave. Each index becomes one call, numbered in the order
    first seen; all are done when the choice finishes.
    """

    __slots__ = (
        "_calls",
        "_done",
        "_finish",
        "_id",
        "_model",
        "_replies",
        "_text",
        "_think",
    )

    def __init__(self, replies: bool = False) -> None:
        """`replies`: also emit the assembled `AssistantReply` before the finish."""
        self._done = False
        self._finish: str | None = None
        self._think = ThinkTagSplitter()
        self._replies = replies
        # provider index -> [our index, id, name, argument fragments, provider_data]
        self._calls: dict[object, list[Any]] = {}
        self._text = TextPieces()
        self._id: str | None = None
        self._model = ""

    def feed(self, sse: SSEEvent) -> list[Event]:
        """Events for one SSE event."""
        if self._done:
            return []
        data = sse.data.strip()
        if data == "[DONE]":
            return self._end()
        try:
            doc = json.loads(data)
        except ValueError:
            if sse.raw and not data:
                return []
            self._done = True
            return [malformed("openai-chat", sse.data)]
        if not isinstance(doc, dict):
            self._done = True
            return [malformed("openai-chat", sse.data)]
        err = doc.get("error")
        if err:
            self._done = True
            events: list[Event] = self._think.flush()
            usage = _usage(doc.get("usage"))
            if usage is not None:
                events.append(usage)  # spend already incurred stays on the record
            events.append(StreamFailed(_stream_error(err)))
            return events
        out: list[Event] = []
        choices = doc.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            choice = choices[0]
            delta = choice.get("delta")
            if isinstance(delta, dict):
                for key in ("reasoning_content", "reasoning"):
                    value = delta.get(key)
                    if isinstance(value, str) and value:
                        out.append(ReasoningDelta(value))
                        break
                content = delta.get("content")
                if isinstance(content, str) and content:
                    out.extend(self._think.feed(content))
                calls = delta.get("tool_calls")
                if isinstance(calls, list):
                    out.extend(self._tool_deltas(calls))
                refusal = delta.get("refusal")
                if isinstance(refusal, str) and refusal:
                    out.append(TextDelta(refusal))
                    self._finish = self._finish or "refusal"
            reason = choice.get("finish_reason")
            if isinstance(reason, str) and reason:
                self._finish = reason
        usage = _usage(doc.get("usage"))
        if usage is not None:
            out.append(usage)
        if self._replies:
            self._id = self._id or (doc.get("id") if isinstance(doc.get("id"), str) else None)
            self._model = self._model or str(doc.get("model") or "")
            for e in out:
                if isinstance(e, TextDelta):
                    self._text.add(e.text)
        return out

    def _tool_deltas(self, calls: list[Any]) -> list[Event]:
        out: list[Event] = []
        for frag in calls:
            if not isinstance(frag, dict):
                continue
            key = frag.get("index", len(self._calls))
            found = frag.get("function")
            fn: dict[str, Any] = found if isinstance(found, dict) else {}
            call = self._calls.get(key)
            if call is None:
                call_id = str(frag.get("id") or f"call_{len(self._calls)}")
                name = str(fn.get("name") or "")
                call = self._calls[key] = [len(self._calls), call_id, name, [], None]
                out.append(ToolCallStarted(call[0], call[1], call[2]))
            elif fn.get("name") and not call[2]:
                call[2] = str(fn["name"])
            if isinstance(frag.get("extra_content"), dict):
                call[4] = {"extra_content": frag["extra_content"]}  # Gemini's thought signature
            piece = fn.get("arguments")
            if isinstance(piece, str) and piece:
                call[3].append(piece)
                out.append(ToolCallArgumentsDelta(call[0], piece))
        return out

    def _end(self) -> list[Event]:
        self._done = True
        events = self._think.flush()
        raw = self._finish
        reason = _FINISH.get(raw or "stop", raw or "stop")
        calls = sorted(self._calls.values(), key=lambda c: c[0])
        for index, call_id, name, pieces, _ in calls:
            events.append(ToolCallDone(index, call_id, name, "".join(pieces)))
        if calls and reason == "stop":
            reason = "tool_use"  # some servers say stop after tool calls
        if self._replies:
            for e in events:
                if isinstance(e, TextDelta):
                    self._text.add(e.text)
            parts: list[AssistantPart] = []
            if text := self._text.text():
                parts.append(Text(text))
            parts += [ToolCall(c[1], c[2], "".join(c[3]), c[4]) for c in calls]
            events.append(
                AssistantReply(
                    AssistantMessage(tuple(parts), "openai-chat", self._model, self._id, reason)
                )
            )
        events.append(Finished(reason, raw))
        return events

    def close(self) -> list[Event]:
        """End of the byte stream: servers that skip `[DONE]` still sent a finish reason."""
        if self._done:
            return []
        if self._finish is not None:
            return self._end()
        self._done = True
        events = self._think.flush()
        events.append(stream_cut("openai-chat", "a finish_reason"))
        return events


def _stream_error(err: Any) -> ErrorInfo:
    if isinstance(err, dict):
        code = err.get("code")
        message = one_line(str(err.get("message") or err))
    else:
        code, message = None, one_line(str(err))
    status = as_int(code)
    if status == 429:
        return ErrorInfo("rate_limited", f"rate-limited mid-stream: {message}", 429, None, True)
    return ErrorInfo(
        "provider_error",
        f"provider error mid-stream{f' ({code})' if code else ''}: {message}",
        status,
        retryable=status is None or status in RETRYABLE_STATUSES,
    )
