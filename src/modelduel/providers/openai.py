"""OpenAI Responses API (`POST /v1/responses`), what GPT-5.5 is served on.

Reasoning summaries are requested (`reasoning.summary: "auto"`) so the user sees
the model think; without them only a reasoning token count arrives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from modelduel.conversation import (
    AssistantMessage,
    AssistantPart,
    Conversation,
    Reasoning,
    Text,
    ToolCall,
)
from modelduel.events import (
    AssistantReply,
    ErrorInfo,
    ErrorKind,
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
    http_error_info,
    load_json_body,
    malformed,
    one_line,
    openai_style_usage,
    stream_cut,
)
from modelduel.providers.convo import responses_input, responses_tools

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
    """Turns one Responses stream into events.

    Function calls: `response.output_item.added` with a `function_call` item starts one
    (`ToolCallStarted`), `response.function_call_arguments.delta` streams its arguments
    by `output_index` (several calls can interleave), `response.output_item.done` ends it
    with the whole item (`ToolCallDone`). Every output item done is kept as received for
    the `AssistantReply` (reasoning items with `encrypted_content`, `message` items with
    their `phase`), which is what the next request passes back.
    """

    __slots__ = (
        "_calls",
        "_done",
        "_items",
        "_parts",
        "_refused",
        "_replies",
        "_response_id",
        "_texts",
    )

    def __init__(self, replies: bool = False) -> None:
        """`replies`: also emit the assembled `AssistantReply` before the finish."""
        self._replies = replies
        self._done = False
        self._parts: set[tuple[object, object]] = set()
        self._refused = False
        self._calls: dict[object, tuple[int, str, str, list[str]]] = {}
        self._items: list[tuple[object, dict[str, Any]]] = []  # (output_index, item) done
        self._texts: dict[object, list[str]] = {}  # reasoning summary text by item
        self._response_id: str | None = None

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
            self._texts.setdefault(doc.get("item_id") or doc.get("output_index"), []).append(delta)
            return events
        if kind.startswith("response.output_item.") or kind.startswith(
            "response.function_call_arguments."
        ):
            return self._item_event(kind, doc)
        if kind == "response.created":
            response = doc.get("response")
            if isinstance(response, dict) and isinstance(response.get("id"), str):
                self._response_id = response["id"]
            return []
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

    def _item_event(self, kind: str, doc: dict[str, Any]) -> list[Event]:
        index = doc.get("output_index")
        if kind == "response.function_call_arguments.delta":
            call = self._calls.get(index)
            delta = doc.get("delta")
            if call is None or not isinstance(delta, str) or not delta:
                return []
            call[3].append(delta)
            return [ToolCallArgumentsDelta(call[0], delta)]
        item = doc.get("item")
        if not isinstance(item, dict):
            return []
        if kind == "response.output_item.added" and item.get("type") == "function_call":
            call_id, name = str(item.get("call_id") or ""), str(item.get("name") or "")
            self._calls[index] = (len(self._calls), call_id, name, [])
            return [ToolCallStarted(len(self._calls) - 1, call_id, name)]
        if kind != "response.output_item.done":
            return []
        self._items.append((index, item))
        if item.get("type") != "function_call":
            return []
        call = self._calls.get(index)
        if call is None:  # no `added` seen: the call is announced whole
            self._calls[index] = call = (len(self._calls), "", "", [])
            started: list[Event] = [
                ToolCallStarted(call[0], str(item.get("call_id") or ""), str(item.get("name")))
            ]
        else:
            started = []
        arguments = item.get("arguments")
        args = arguments if isinstance(arguments, str) else "".join(call[3])
        return [
            *started,
            ToolCallDone(
                call[0], str(item.get("call_id") or call[1]), str(item.get("name") or call[2]), args
            ),
        ]

    def _reply(self, response: dict[str, Any], reason: str) -> AssistantReply:
        items = [item for _, item in sorted(self._items, key=lambda x: _order(x[0]))]
        if not items and isinstance(response.get("output"), list):
            items = [i for i in response["output"] if isinstance(i, dict)]
        parts: list[AssistantPart] = []
        for item in items:
            kind = item.get("type")
            if kind == "reasoning":
                summary = item.get("summary")
                text = "\n\n".join(
                    str(s.get("text") or "")
                    for s in (summary if isinstance(summary, list) else ())
                    if isinstance(s, dict)
                ) or "".join(self._texts.get(item.get("id"), ()))
                parts.append(Reasoning(text, item))
            elif kind == "message":
                content = item.get("content")
                text = "".join(
                    str(c.get("text") or c.get("refusal") or "")
                    for c in (content if isinstance(content, list) else ())
                    if isinstance(c, dict)
                )
                parts.append(Text(text, item))
            elif kind == "function_call":
                parts.append(
                    ToolCall(
                        str(item.get("call_id") or ""),
                        str(item.get("name") or ""),
                        str(item.get("arguments") or ""),
                        item,
                    )
                )
        rid = response.get("id") if isinstance(response.get("id"), str) else self._response_id
        return AssistantReply(
            AssistantMessage(tuple(parts), "openai", str(response.get("model") or ""), rid, reason)
        )

    def _terminal(self, kind: str, response: Any) -> list[Event]:
        self._done = True
        response = response if isinstance(response, dict) else {}
        events: list[Event] = []
        usage = _usage(response.get("usage"))
        if usage is not None:
            events.append(usage)
        if kind == "response.completed":
            reason = "refusal" if self._refused else "stop"
            if self._calls or any(
                isinstance(i, dict) and i.get("type") == "function_call"
                for i in response.get("output") or ()
            ):
                reason = "tool_use"
            if self._replies:
                events.append(self._reply(response, reason))
            events.append(Finished(reason, "completed"))
        elif kind == "response.incomplete":
            details = response.get("incomplete_details") or {}
            raw = str(details.get("reason") or "incomplete") if isinstance(details, dict) else ""
            reason = _INCOMPLETE_REASONS.get(raw, "incomplete")
            if self._replies:
                events.append(self._reply(response, reason))
            events.append(Finished(reason, raw or None))
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


def _stored_prefix(conv: Conversation) -> tuple[str, Conversation] | None:
    """The last stored response's id and the messages after it (what is still to send)."""
    for i in range(len(conv.messages) - 1, -1, -1):
        msg = conv.messages[i]
        if isinstance(msg, AssistantMessage) and msg.protocol == "openai" and msg.response_id:
            return msg.response_id, Conversation(conv.system, conv.messages[i + 1 :])
    return None


def _order(index: object) -> int:
    return index if isinstance(index, int) else 1 << 30


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
            "input": [{"role": "user", "content": request.prompt}]
            if request.conversation is None
            else responses_input(request.conversation, self.kind),
            "stream": True,
            "store": request.store,
        }
        if request.store and request.conversation is not None:
            stored = _stored_prefix(request.conversation)
            if stored is not None:
                response_id, rest = stored
                body["previous_response_id"] = response_id
                body["input"] = responses_input(rest, self.kind)
        if request.tools:
            body["tools"] = responses_tools(request.tools)
            if caps.thinking != "none":
                # with store: false, a reasoning item comes back next round only encrypted
                body["include"] = ["reasoning.encrypted_content"]
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

    def new_parser(self, replies: bool = False) -> StreamParser:
        """A parser for one response (`replies`: emit the assembled `AssistantReply`)."""
        return ResponsesParser(replies)

    def parse_error(
        self, status: int, body: bytes, headers: Mapping[str, str], provider: str | None = None
    ) -> ErrorInfo:
        """OpenAI's error body in words, naming the provider as configured."""
        return openai_error(status, body, headers, provider or self.kind.split("-")[0])


ADAPTER = OpenAIResponsesAdapter()
