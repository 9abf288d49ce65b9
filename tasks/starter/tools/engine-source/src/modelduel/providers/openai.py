"""OpenAI Responses API (`POST /v1/responses`), what GPT-5.5 is served on.

Reasoning summaries are requested (`reasoning.summary: "auto"`) so the user sees
the model think; without them only a reasoning token count arrives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from modelduel.core.events import (
    ErrorInfo,
    ErrorKind,
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

__all__ = ["ADAPTER", "OpenAIResponsesAdapter", "ResponsesParser", "is_reasoning_model"]

_REASONING_PREFIXES = ("gpt-5", "o1", "o3", "o4")
_INCOMPLETE_REASONS = {"max_output_tokens": "max_tokens", "content_filter": "content_filter"}


def is_reasoning_model(model_id: str) -> bool:
    """True for OpenAI reasoning models, which reject `temperature` and take `reasoning`."""
    name = model_id.rsplit("/", 1)[-1].lower()
    return name.startswith(_REASONING_PREFIXES) and "chat" not in name


def openai_error(status: int, body: bytes, headers: Mapping[str, str]) -> ErrorInfo:
    """The ErrorInfo of an OpenAI-style error body (`{"error": {message, type, code}}`)."""
    doc = load_json_body(body) or {}
    err = doc.get("error")
    message: str | None = None
    code = ""
    if isinstance(err, dict):
        message = str(err.get("message") or "") or None
        code = str(err.get("code") or err.get("type") or "")
    elif isinstance(err, str):
        message = err
    elif body:
        message = body.decode("utf-8", "replace")
    kind: ErrorKind | None = None
    if code == "insufficient_quota":
        kind = "quota"
    elif code == "model_not_found":
        kind = "not_found"
    elif code == "invalid_api_key":
        kind = "auth"
    return http_error_info("openai", status, message, headers, kind=kind)


def _usage(usage: Any) -> UsageEvent | None:
    if not isinstance(usage, dict):
        return None
    in_details = usage.get("input_tokens_details") or {}
    out_details = usage.get("output_tokens_details") or {}
    return UsageEvent(
        input_tokens=as_int(usage.get("input_tokens")),
        cached_input_tokens=as_int(in_details.get("cached_tokens"))
        if isinstance(in_details, dict)
        else None,
        output_tokens=as_int(usage.get("output_tokens")),
        reasoning_tokens=as_int(out_details.get("reasoning_tokens"))
        if isinstance(out_details, dict)
        else None,
    )


class ResponsesParser:
    """Turns one Responses stream into events."""

    __slots__ = ("_done", "_parts", "_refused")

    def __init__(self) -> None:
        self._done = False
        self._parts: set[tuple[object, object]] = set()
        self._refused = False

    def feed(self, sse: SSEEvent) -> list[Event]:
        """Events for one SSE event."""
        if self._done:
            return []
        try:
            doc = json.loads(sse.data)
        except ValueError:
            if sse.raw and not sse.data.strip():
                return []
            self._done = True
            return [malformed("openai", sse.data)]
        if not isinstance(doc, dict):
            self._done = True
            return [malformed("openai", sse.data)]
        kind = str(doc.get("type") or sse.event)
        if kind == "response.output_text.delta":
            delta = doc.get("delta")
            return [TextDelta(delta)] if isinstance(delta, str) and delta else []
        if kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            delta = doc.get("delta")
            if not isinstance(delta, str) or not delta:
                return []
            part = (doc.get("item_id") or doc.get("output_index"), doc.get("summary_index"))
            events: list[Event] = []
            if part not in self._parts:
                # summary parts are separate paragraphs (each opens with a bold title)
                if self._parts:
                    events.append(ReasoningDelta("\n\n"))
                self._parts.add(part)
            events.append(ReasoningDelta(delta))
            return events
        if kind == "response.refusal.delta":
            delta = doc.get("delta")
            self._refused = True
            return [TextDelta(delta)] if isinstance(delta, str) and delta else []
        if kind in ("response.completed", "response.incomplete", "response.failed"):
            return self._terminal(kind, doc.get("response"))
        if kind == "error":
            self._done = True
            return [StreamFailed(_stream_error(doc))]
        return []

    def _terminal(self, kind: str, response: Any) -> list[Event]:
        self._done = True
        response = response if isinstance(response, dict) else {}
        events: list[Event] = []
        usage = _usage(response.get("usage"))
        if usage is not None:
            events.append(usage)
        if kind == "response.completed":
            events.append(Finished("refusal" if self._refused else "stop", "completed"))
        elif kind == "response.incomplete":
            details = response.get("incomplete_details") or {}
            raw = str(details.get("reason") or "incomplete") if isinstance(details, dict) else ""
            events.append(Finished(_INCOMPLETE_REASONS.get(raw, "incomplete"), raw or None))
        else:
            err = response.get("error")
            events.append(StreamFailed(_stream_error(err if isinstance(err, dict) else {})))
        return events

    def close(self) -> list[Event]:
        """End of the byte stream."""
        if self._done:
            return []
        self._done = True
        return [stream_cut("openai", "response.completed")]


def _stream_error(err: Mapping[str, Any]) -> ErrorInfo:
    nested = err.get("error")
    inner: Mapping[str, Any] = nested if isinstance(nested, dict) else err
    code = str(inner.get("code") or inner.get("type") or "error")
    message = one_line(str(inner.get("message") or "stream failed"))
    if code == "insufficient_quota":
        return ErrorInfo("quota", f"quota exhausted on openai: {message}")
    if code in ("rate_limit_exceeded",):
        return ErrorInfo("rate_limited", f"rate-limited by openai: {message}", retryable=True)
    return ErrorInfo(
        "provider_error", f"openai error mid-stream ({code}): {message}", retryable=True
    )


class OpenAIResponsesAdapter:
    """The `openai` provider kind."""

    kind: str = "openai"
    default_base_url: str = "https://api.openai.com/v1"
    key_envs: tuple[str, ...] = ("OPENAI_API_KEY",)
    base_url_env: str = "OPENAI_BASE_URL"

    def url(self, base_url: str, model_id: str) -> str:
        """`{base}/responses` (the base URL includes `/v1`)."""
        return base_url.rstrip("/") + "/responses"

    def headers(self, api_key: str | None) -> dict[str, str]:
        """Bearer auth, built at send time."""
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        if api_key:
            headers["authorization"] = f"Bearer {api_key}"
        return headers

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The Responses body; `temperature` only to models that accept it."""
        body: dict[str, Any] = {
            "model": request.model_id,
            "input": [{"role": "user", "content": request.prompt}],
            "stream": True,
            "store": False,
        }
        if request.system:
            body["instructions"] = request.system
        if request.max_output_tokens is not None:
            body["max_output_tokens"] = request.max_output_tokens
        if is_reasoning_model(request.model_id):
            reasoning: dict[str, str] = {}
            if request.reasoning_effort:
                reasoning["effort"] = request.reasoning_effort
            if request.show_reasoning and request.reasoning_effort != "none":
                reasoning["summary"] = "auto"
            if reasoning:
                body["reasoning"] = reasoning
        elif request.temperature is not None:
            body["temperature"] = request.temperature
        return body

    def new_parser(self) -> ResponsesParser:
        """A parser for one response."""
        return ResponsesParser()

    def parse_error(self, status: int, body: bytes, headers: Mapping[str, str]) -> ErrorInfo:
        """OpenAI's error body in words."""
        return openai_error(status, body, headers)


ADAPTER = OpenAIResponsesAdapter()
