"""Minimal, valid streams of each protocol, routed by path, for tests that record requests."""

from __future__ import annotations

from tests.support.replay_server import Received, Script, sse


def responses_stream(text: str = "ok") -> list[tuple[float, bytes]]:
    """A Responses API stream: one text delta, then response.completed with usage."""
    usage = {
        "input_tokens": 5,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 3,
        "output_tokens_details": {"reasoning_tokens": 2},
    }
    frames = sse(
        ("response.created", {"type": "response.created", "response": {"id": "r"}}),
        ("response.output_text.delta", {"type": "response.output_text.delta", "delta": text}),
        (
            "response.completed",
            {"type": "response.completed", "response": {"id": "r", "usage": usage}},
        ),
    )
    return [(0.0, f) for f in frames]


def messages_stream(text: str = "ok", usage: dict | None = None) -> list[tuple[float, bytes]]:
    """An Anthropic Messages stream with one text block."""
    final = usage or {"output_tokens": 3}
    frames = sse(
        (
            "message_start",
            {
                "type": "message_start",
                "message": {"id": "m", "usage": {"input_tokens": 5, "output_tokens": 1}},
            },
        ),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text"}},
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": text},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": final},
        ),
        ("message_stop", {"type": "message_stop"}),
    )
    return [(0.0, f) for f in frames]


def gemini_stream(text: str = "ok") -> list[tuple[float, bytes]]:
    """A Gemini SSE stream: one chunk with text, finish reason and usage."""
    chunk = {
        "candidates": [{"content": {"parts": [{"text": text}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 3},
    }
    return [(0.0, f) for f in sse((None, chunk), crlf=True)]


def chat_stream(text: str = "ok", usage: bool = True) -> list[tuple[float, bytes]]:
    """A Chat Completions stream, with or without a usage chunk."""
    base = {"id": "c", "object": "chat.completion.chunk", "model": "m"}
    events: list[tuple[str | None, object]] = [
        (None, {**base, "choices": [{"index": 0, "delta": {"content": text}}]}),
        (None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
    ]
    if usage:
        events.append(
            (None, {**base, "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 3}})
        )
    events.append((None, "[DONE]"))
    return [(0.0, f) for f in sse(*events)]


def by_path(got: Received) -> Script:
    """The canned stream of the protocol a request's path belongs to."""
    if got.path.endswith("/responses"):
        return Script(responses_stream())
    if got.path.endswith("/v1/messages"):
        return Script(messages_stream())
    if "streamGenerateContent" in got.path:
        return Script(gemini_stream())
    return Script(chat_stream())
