"""A Responses stream to events: text, reasoning summaries, function calls, the reply."""

from __future__ import annotations

import json
from typing import Any

from modelduel.conversation import AssistantMessage, AssistantPart, Reasoning, Text, ToolCall
from modelduel.events import (
    AssistantReply,
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
from modelduel.providers.common import malformed, openai_style_usage, stream_cut
from modelduel.providers.openai.errors import stream_error

__all__ = ["ResponsesParser"]

_INCOMPLETE_REASONS = {"max_output_tokens": "max_tokens", "content_filter": "content_filter"}


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
            return [StreamFailed(stream_error(doc))]
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
            events.append(StreamFailed(stream_error(err if isinstance(err, dict) else {})))
        return events

    def close(self) -> list[Event]:
        """End of the byte stream."""
        if self._done:
            return []
        self._done = True
        return [stream_cut("openai", "response.completed")]


def _order(index: object) -> int:
    return index if isinstance(index, int) else 1 << 30
