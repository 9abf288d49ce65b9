"""Anthropic Messages API (`POST /v1/messages`) with extended thinking.

Claude Opus 4.7 takes only adaptive thinking; `display: "summarized"` is what
makes its thinking text stream (without it the blocks arrive empty). Usage comes
in `message_start` and, cumulative, in `message_delta`, which overrides it field
by field; Anthropic counts cache reads and writes apart from `input_tokens`, so
they are added back to match modelduel's vocabulary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from modelduel.core.events import (
    ErrorInfo,
    Event,
    Finished,
    ReasoningDelta,
    StreamFailed,
    TextDelta,
)
from modelduel.core.events import Usage as UsageEvent
from modelduel.providers.base import ModelRequest, SSEEvent
from modelduel.providers.common import (
    as_int,
    http_error_info,
    load_json_body,
    malformed,
    one_line,
    stream_cut,
)

__all__ = ["ADAPTER", "AnthropicAdapter", "MessagesParser", "uses_adaptive_thinking"]

API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 16000
"""Anthropic requires max_tokens; it covers thinking too, so it must leave room for both."""

_ADAPTIVE_MODELS = ("claude-opus-4-7", "claude-opus-4-6", "claude-sonnet-4-6")
_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "tool_use": "tool_use",
    "refusal": "refusal",
    "pause_turn": "incomplete",
}
_USAGE_FIELDS = (
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
)


def uses_adaptive_thinking(model_id: str) -> bool:
    """True for models that take only `thinking: {type: adaptive}` and refuse temperature."""
    return model_id.startswith(_ADAPTIVE_MODELS)


class MessagesParser:
    """Turns one Messages stream into events."""

    __slots__ = ("_block", "_done", "_reasoned", "_stop", "_usage")

    def __init__(self) -> None:
        self._done = False
        self._usage: dict[str, int] = {}
        self._stop: str | None = None
        self._block = ""
        self._reasoned = False

    def feed(self, sse: SSEEvent) -> list[Event]:
        """Events for one SSE event."""
        if self._done:
            return []
        try:
            doc = json.loads(sse.data)
        except ValueError:
            self._done = True
            return [malformed("anthropic", sse.data)]
        if not isinstance(doc, dict):
            self._done = True
            return [malformed("anthropic", sse.data)]
        kind = str(doc.get("type") or sse.event)
        if kind == "content_block_delta":
            return self._delta(doc.get("delta"))
        if kind == "content_block_start":
            return self._block_start(doc.get("content_block"))
        if kind == "message_start":
            message = doc.get("message")
            return self._take_usage(message.get("usage") if isinstance(message, dict) else None)
        if kind == "message_delta":
            delta = doc.get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("stop_reason"), str):
                self._stop = delta["stop_reason"]
            return self._take_usage(doc.get("usage"))
        if kind == "message_stop":
            self._done = True
            raw = self._stop or "end_turn"
            return [Finished(_FINISH.get(raw, "other"), raw)]
        if kind == "error":
            self._done = True
            return [StreamFailed(_stream_error(doc.get("error")))]
        return []  # ping, content_block_stop, unknown future events

    def _block_start(self, block: Any) -> list[Event]:
        if not isinstance(block, dict):
            return []
        self._block = str(block.get("type") or "")
        if self._block == "redacted_thinking":
            # encrypted reasoning: it happened, the user just cannot read it
            self._reasoned = True
            return [ReasoningDelta("")]
        if self._block == "text" and isinstance(block.get("text"), str) and block["text"]:
            return [TextDelta(block["text"])]
        if self._block == "thinking" and self._reasoned:
            return [ReasoningDelta("\n\n")]
        return []

    def _delta(self, delta: Any) -> list[Event]:
        if not isinstance(delta, dict):
            return []
        kind = delta.get("type")
        if kind == "text_delta":
            text = delta.get("text")
            return [TextDelta(text)] if isinstance(text, str) and text else []
        if kind == "thinking_delta":
            text = delta.get("thinking")
            if isinstance(text, str) and text:
                self._reasoned = True
                return [ReasoningDelta(text)]
        return []  # signature_delta, input_json_delta, citations

    def _take_usage(self, usage: Any) -> list[Event]:
        if not isinstance(usage, dict):
            return []
        changed = False
        for name in _USAGE_FIELDS:
            value = as_int(usage.get(name))
            if value is not None:
                self._usage[name] = value
                changed = True
        if not changed:
            return []
        u = self._usage
        has_input = any(k in u for k in _USAGE_FIELDS[:3])
        cached = u.get("cache_read_input_tokens")
        return [
            UsageEvent(
                input_tokens=sum(u.get(k, 0) for k in _USAGE_FIELDS[:3]) if has_input else None,
                cached_input_tokens=cached if cached is not None else (0 if has_input else None),
                output_tokens=u.get("output_tokens"),
                reasoning_tokens=None,  # Anthropic does not report thinking tokens apart
            )
        ]

    def close(self) -> list[Event]:
        """End of the byte stream."""
        if self._done:
            return []
        self._done = True
        return [stream_cut("anthropic", "message_stop")]


def _stream_error(err: Any) -> ErrorInfo:
    err = err if isinstance(err, dict) else {}
    kind = str(err.get("type") or "error")
    message = one_line(str(err.get("message") or "stream failed"))
    if kind == "rate_limit_error":
        return ErrorInfo("rate_limited", f"rate-limited by anthropic: {message}", retryable=True)
    return ErrorInfo(
        "provider_error",
        f"anthropic error mid-stream ({kind}): {message}",
        retryable=kind in ("overloaded_error", "api_error"),
    )


class AnthropicAdapter:
    """The `anthropic` provider kind."""

    kind: str = "anthropic"
    default_base_url: str = "https://api.anthropic.com"
    key_envs: tuple[str, ...] = ("ANTHROPIC_API_KEY",)
    base_url_env: str = "ANTHROPIC_BASE_URL"

    def url(self, base_url: str, model_id: str) -> str:
        """`{base}/v1/messages`."""
        return base_url.rstrip("/") + "/v1/messages"

    def headers(self, api_key: str | None) -> dict[str, str]:
        """`x-api-key` and the API version, built at send time."""
        headers = {
            "content-type": "application/json",
            "accept": "text/event-stream",
            "anthropic-version": API_VERSION,
        }
        if api_key:
            headers["x-api-key"] = api_key
        return headers

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The Messages body: adaptive summarized thinking where the model takes it."""
        body: dict[str, Any] = {
            "model": request.model_id,
            "max_tokens": request.max_output_tokens or DEFAULT_MAX_TOKENS,
            "messages": [{"role": "user", "content": request.prompt}],
            "stream": True,
        }
        if request.system:
            body["system"] = request.system
        effort = request.reasoning_effort
        if uses_adaptive_thinking(request.model_id):
            if request.show_reasoning:
                body["thinking"] = {"type": "adaptive", "display": "summarized"}
            if effort:
                body["output_config"] = {"effort": effort}
            return body
        if effort and effort.isdigit():
            # older models: a thinking budget in tokens, which must stay below max_tokens
            budget = min(int(effort), body["max_tokens"] - 1)
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
        elif request.temperature is not None:
            body["temperature"] = request.temperature
        return body

    def new_parser(self) -> MessagesParser:
        """A parser for one response."""
        return MessagesParser()

    def parse_error(self, status: int, body: bytes, headers: Mapping[str, str]) -> ErrorInfo:
        """Anthropic's `{"type":"error","error":{type,message}}` in words."""
        doc = load_json_body(body) or {}
        err = doc.get("error")
        message = None
        if isinstance(err, dict):
            message = str(err.get("message") or err.get("type") or "") or None
        elif body:
            message = body.decode("utf-8", "replace")
        return http_error_info("anthropic", status, message, headers)


ADAPTER = AnthropicAdapter()
