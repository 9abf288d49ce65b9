"""OpenAI Responses API (`POST /v1/responses`), what GPT-5.5 is served on.

Reasoning summaries are requested (`reasoning.summary: "auto"`) so the user sees
the model think; without them only a reasoning token count arrives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from modelduel.events import (
    ErrorInfo,
    ErrorKind,
    Event,
    Finished,
    ReasoningDelta,
    StreamFailed,
    TextDelta,
)
from modelduel.events import Usage as UsageEvent
from modelduel.providers.base import ModelRequest, SSEEvent, StreamParser
from modelduel.providers.common import (
    http_error_info,
    load_json_body,
    malformed,
    one_line,
    openai_style_usage,
    stream_cut,
)

__all__ = ["ADAPTER", "OpenAIResponsesAdapter", "ResponsesParser", "openai_error"]

_INCOMPLETE_REASONS = {"max_output_tokens": "max_tokens", "content_filter": "content_filter"}
SUMMARY_PARAM = "reasoning.summary"


def openai_error(
    status: int, body: bytes, headers: Mapping[str, str], provider: str = "openai"
) -> ErrorInfo:
    """The ErrorInfo of an OpenAI-style error body (`{"error": {message, type, param, code}}`).

    Args:
        provider: the provider's name as configured (`ollama`, `openrouter`) for the wording.
    """
    doc = load_json_body(body) or {}
    err = doc.get("error")
    message: str | None = None
    code = ""
    param: str | None = None
    if isinstance(err, dict):
        message = str(err.get("message") or "") or None
        code = str(err.get("code") or err.get("type") or "")
        param = err.get("param") if isinstance(err.get("param"), str) else None
    elif isinstance(err, str):
        message = err
    elif body:
        message = body.decode("utf-8", "replace")
    kind: ErrorKind | None = None
    words: str | None = None
    if code == "insufficient_quota":
        kind = "quota"
    elif code == "model_not_found":
        kind = "not_found"
    elif code == "invalid_api_key":
        kind = "auth"
    elif code == "rate_limit_exceeded" and "per day" in (message or ""):
        kind, words = "quota", f"{provider} daily request limit reached: it resets within a day"
    elif code == "unsupported_country_region_territory":
        kind, words = "auth", f"{provider} does not serve this country, region or territory"
    elif status == 402:
        kind, words = "quota", f"{provider} billing: add credit or a payment method"
    elif status == 403:
        kind, words = "auth", f"{provider} refused access (HTTP 403; not necessarily a bad key)"
    retryable = False if kind == "quota" else None
    info = http_error_info(
        provider, status, message, headers, kind=kind, headline=words, retryable=retryable
    )
    return replace(info, param=param) if param else info


def _usage(usage: Any) -> UsageEvent | None:
    return openai_style_usage(
        usage, "input|output", "input_tokens_details", "output_tokens_details"
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

    def url(self, base_url: str, model_id: str) -> str:
        """`{base}/responses` (the base URL includes `/v1`)."""
        return base_url.rstrip("/") + "/responses"

    def headers(self, api_key: str | None) -> dict[str, str]:
        """Bearer auth, built at send time (none without a key: local servers need none)."""
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        if api_key:
            headers["authorization"] = f"Bearer {api_key}"
        return headers

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The Responses body, shaped by the model's capability data.

        Reasoning models get `reasoning.effort` (when one is set) and, when reasoning is
        shown, `reasoning.summary: "auto"`; hiding reasoning only drops the summary, the
        model thinks the same. `temperature` goes only to models that accept it.
        """
        caps = request.capabilities(self.kind)
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
        if caps.thinking != "none":
            reasoning: dict[str, str] = {}
            if request.reasoning_effort:
                reasoning["effort"] = request.reasoning_effort
            if SUMMARY_PARAM in self.optional_params(request):
                reasoning["summary"] = "auto"
            if reasoning:
                body["reasoning"] = reasoning
        if request.temperature is not None and caps.temperature:
            body["temperature"] = request.temperature
        return body

    def optional_params(self, request: ModelRequest) -> frozenset[str]:
        """`reasoning.summary`: asked for on modelduel's initiative, to show the model think."""
        caps = request.capabilities(self.kind)
        if (
            caps.thinking != "none"
            and request.show_reasoning
            and request.reasoning_effort != "none"
            and SUMMARY_PARAM not in request.omit_params
        ):
            return frozenset({SUMMARY_PARAM})
        return frozenset()

    def new_parser(self) -> StreamParser:
        """A parser for one response."""
        return ResponsesParser()

    def parse_error(
        self, status: int, body: bytes, headers: Mapping[str, str], provider: str | None = None
    ) -> ErrorInfo:
        """OpenAI's error body in words, naming the provider as configured."""
        return openai_error(status, body, headers, provider or self.kind.split("-")[0])


ADAPTER = OpenAIResponsesAdapter()
