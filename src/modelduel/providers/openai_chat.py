"""OpenAI Chat Completions, as spoken by any OpenAI-compatible server.

vLLM, Ollama, llama.cpp, LM Studio and OpenRouter all serve this. Reasoning comes
as `delta.reasoning` (OpenRouter, Ollama, newer vLLM), `delta.reasoning_content`
(DeepSeek, older vLLM) or inline `<think>…</think>` at the start of the content.
Usage arrives in a chunk with empty `choices`, not always the last one.
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
from modelduel.providers.base import ModelRequest, SSEEvent, StreamParser
from modelduel.providers.common import (
    RETRYABLE_STATUSES,
    as_int,
    malformed,
    one_line,
    openai_style_usage,
    stream_cut,
)
from modelduel.providers.convo import chat_messages, chat_tools
from modelduel.providers.openai import OpenAIResponsesAdapter

__all__ = ["ADAPTER", "ChatParser", "OpenAIChatAdapter", "ThinkTagSplitter"]

_FINISH = {
    "stop": "stop",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filter",
}
_OPEN = "<think>"
_CLOSE = "</think>"


class ThinkTagSplitter:
    """Splits content that may open with `<think>…</think>` into reasoning and answer.

    Tags can be cut anywhere across chunks, so a possible partial tag is held back
    until the next chunk decides it.
    """

    __slots__ = ("_held", "_state")

    def __init__(self) -> None:
        self._state = "start"  # start -> think -> answer, or start -> answer
        self._held = ""

    def feed(self, text: str) -> list[Event]:
        """Events for one content delta."""
        out: list[Event] = []
        buf = self._held + text
        self._held = ""
        if self._state == "start":
            stripped = buf.lstrip()
            if not stripped or (_OPEN.startswith(stripped) and len(stripped) < len(_OPEN)):
                self._held = buf
                return out
            if stripped.startswith(_OPEN):
                self._state = "think"
                buf = stripped[len(_OPEN) :]
            else:
                self._state = "answer"
        if self._state == "think":
            end = buf.find(_CLOSE)
            if end < 0:
                keep = _partial_suffix(buf, _CLOSE)
                if len(buf) - keep:
                    out.append(ReasoningDelta(buf[: len(buf) - keep]))
                self._held = buf[len(buf) - keep :]
                return out
            if end:
                out.append(ReasoningDelta(buf[:end]))
            self._state = "answer"
            buf = buf[end + len(_CLOSE) :].lstrip("\n")
        if buf:
            out.append(TextDelta(buf))
        return out

    def flush(self) -> list[Event]:
        """Whatever was held back, at the end of the stream."""
        held, self._held = self._held, ""
        if not held:
            return []
        return [ReasoningDelta(held)] if self._state == "think" else [TextDelta(held)]


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of `tag`."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0


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
        "_pieces",
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
        # the reply's text: deltas joined every 256 into one string, so a long answer
        # holds ~1 byte a character, not a str object (~55 bytes) per delta
        self._text: list[str] = []
        self._pieces: list[str] = []
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
            self._pieces.extend(e.text for e in out if isinstance(e, TextDelta))
            if len(self._pieces) >= 256:
                self._text.append("".join(self._pieces))
                self._pieces.clear()
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
            self._pieces.extend(e.text for e in events if isinstance(e, TextDelta))
            parts: list[AssistantPart] = []
            if text := "".join(self._text) + "".join(self._pieces):
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


class OpenAIChatAdapter(OpenAIResponsesAdapter):
    """The `openai-chat` provider kind: OpenAI's key, base URL, headers and error shape."""

    kind: str = "openai-chat"

    def url(self, base_url: str, model_id: str) -> str:
        """`{base}/chat/completions`."""
        return base_url.rstrip("/") + "/chat/completions"

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The Chat Completions body, usage requested in the stream."""
        messages: list[dict[str, Any]] = []
        if request.conversation is not None:
            messages = chat_messages(request.conversation, request.system)
        else:
            if request.system:
                messages.append({"role": "system", "content": request.system})
            messages.append({"role": "user", "content": request.prompt})
        body: dict[str, Any] = {"model": request.model_id, "messages": messages, "stream": True}
        if request.tools:
            body["tools"] = chat_tools(request.tools)
        if "stream_options" in self.optional_params(request):
            body["stream_options"] = {"include_usage": True}
        caps = request.capabilities(self.kind)
        if request.max_output_tokens is not None:
            # OpenAI's reasoning models refuse max_tokens; other servers only know max_tokens
            body[caps.chat_max_tokens] = request.max_output_tokens
        if request.reasoning_effort and caps.thinking != "none":
            body["reasoning_effort"] = request.reasoning_effort
        if request.temperature is not None and caps.temperature:
            body["temperature"] = request.temperature
        return body

    def optional_params(self, request: ModelRequest) -> frozenset[str]:
        """`stream_options`: usage in the stream, which some servers refuse."""
        if "stream_options" in request.omit_params:
            return frozenset()
        return frozenset({"stream_options"})

    def new_parser(self, replies: bool = False) -> StreamParser:
        """A parser for one response (`replies`: emit the assembled `AssistantReply`)."""
        return ChatParser(replies)


ADAPTER = OpenAIChatAdapter()
