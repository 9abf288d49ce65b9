"""A Messages stream to events: text, thinking, tool calls, usage, the reply.

Usage comes in `message_start` and, cumulative, in `message_delta`, which overrides it
field by field; Anthropic counts cache reads and writes apart from `input_tokens`, so they
are added back to match modelduel's vocabulary.
"""

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
from modelduel.providers.anthropic.errors import stream_error
from modelduel.providers.base import SSEEvent
from modelduel.providers.common import TextPieces, as_int, malformed, stream_cut

__all__ = ["MessagesParser"]

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
_NESTED_USAGE = (
    ("output_tokens_details", "thinking_tokens"),
    ("cache_creation", "ephemeral_1h_input_tokens"),
    ("cache_creation", "ephemeral_5m_input_tokens"),
)


class MessagesParser:
    """Turns one Messages stream into events.

    Tool calls: `content_block_start` with a `tool_use` block starts one, its
    `input_json_delta` fragments stream the arguments, `content_block_stop` ends it. Every
    block is also kept as received (thinking with its `signature`, from `signature_delta`;
    `redacted_thinking` with its `data`) for the `AssistantReply`.
    """

    __slots__ = (
        "_block",
        "_blocks",
        "_calls",
        "_done",
        "_message",
        "_reasoned",
        "_replies",
        "_stop",
        "_usage",
    )

    def __init__(self, replies: bool = False) -> None:
        """`replies`: also emit the assembled `AssistantReply` before the finish."""
        self._replies = replies
        # content blocks by index: the block as started, plus what its deltas added
        self._blocks: dict[int, dict[str, Any]] = {}
        self._calls = 0
        self._message: dict[str, Any] = {}
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
            return self._delta(doc.get("delta"), doc.get("index"))
        if kind == "content_block_start":
            return self._block_start(doc.get("content_block"), doc.get("index"))
        if kind == "content_block_stop":
            return self._block_stop(doc.get("index"))
        if kind == "message_start":
            message = doc.get("message")
            if isinstance(message, dict):
                self._message = message
            return self._take_usage(message.get("usage") if isinstance(message, dict) else None)
        if kind == "message_delta":
            delta = doc.get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("stop_reason"), str):
                self._stop = delta["stop_reason"]
            return self._take_usage(doc.get("usage"))
        if kind == "message_stop":
            self._done = True
            raw = self._stop or "end_turn"
            reason = _FINISH.get(raw, "other")
            if self._replies:
                return [self._reply(reason), Finished(reason, raw)]
            return [Finished(reason, raw)]
        if kind == "error":
            self._done = True
            return [StreamFailed(stream_error(doc.get("error")))]
        return []  # ping, content_block_stop, unknown future events

    def _block_start(self, block: Any, index: Any) -> list[Event]:
        if not isinstance(block, dict):
            return []
        self._block = str(block.get("type") or "")
        key = index if isinstance(index, int) else len(self._blocks)
        kept = dict(block)
        if self._block == "tool_use":
            kept["_index"] = self._calls
            kept["_json"] = []
            self._calls += 1
        self._blocks[key] = kept
        if self._block == "tool_use":
            call_id, name = str(block.get("id") or ""), str(block.get("name") or "")
            return [ToolCallStarted(kept["_index"], call_id, name)]
        if self._block == "redacted_thinking":
            # encrypted reasoning: it happened, the user just cannot read it
            self._reasoned = True
            return [ReasoningDelta("")]
        if self._block == "text" and isinstance(block.get("text"), str) and block["text"]:
            return [TextDelta(block["text"])]
        if self._block == "thinking" and self._reasoned:
            return [ReasoningDelta("\n\n")]
        return []

    def _delta(self, delta: Any, index: Any) -> list[Event]:
        if not isinstance(delta, dict):
            return []
        kind = delta.get("type")
        block = self._blocks.get(index) if isinstance(index, int) else None
        if kind == "text_delta":
            text = delta.get("text")
            if isinstance(text, str) and text:
                if block is not None:
                    _pieces(block, "text").add(text)
                return [TextDelta(text)]
            return []
        if kind == "thinking_delta":
            text = delta.get("thinking")
            if isinstance(text, str) and text:
                self._reasoned = True
                if block is not None:
                    _pieces(block, "thinking").add(text)
                return [ReasoningDelta(text)]
            return []
        if kind == "signature_delta" and block is not None:
            block["signature"] = str(block.get("signature") or "") + str(
                delta.get("signature") or ""
            )
            return []
        if kind == "input_json_delta" and block is not None and "_json" in block:
            piece = delta.get("partial_json")
            if isinstance(piece, str) and piece:
                block["_json"].append(piece)
                return [ToolCallArgumentsDelta(block["_index"], piece)]
        return []  # citations, unknown future deltas

    def _block_stop(self, index: Any) -> list[Event]:
        block = self._blocks.get(index) if isinstance(index, int) else None
        if block is None or "_json" not in block or block.get("_stopped"):
            return []
        block["_stopped"] = True
        args = "".join(block["_json"])
        if not args and block.get("input"):
            args = json.dumps(block["input"])  # a call announced whole, without deltas
        block["_arguments"] = args
        return [
            ToolCallDone(
                block["_index"], str(block.get("id") or ""), str(block.get("name") or ""), args
            )
        ]

    def _reply(self, reason: str) -> AssistantReply:
        parts: list[AssistantPart] = []
        for _, block in sorted(self._blocks.items()):
            kind = block.get("type")
            if kind == "text":
                parts.append(Text(_block_text(block, "text")))
            elif kind == "thinking":
                kept = {
                    "type": "thinking",
                    "thinking": _block_text(block, "thinking"),
                    "signature": str(block.get("signature") or ""),
                }
                parts.append(Reasoning(kept["thinking"], kept))
            elif kind == "redacted_thinking":
                parts.append(
                    Reasoning("", {"type": "redacted_thinking", "data": block.get("data")})
                )
            elif kind == "tool_use":
                args = block.get("_arguments")
                if args is None:
                    args = "".join(block["_json"])
                parts.append(
                    ToolCall(str(block.get("id") or ""), str(block.get("name") or ""), args)
                )
        msg = self._message
        return AssistantReply(
            AssistantMessage(
                tuple(parts),
                "anthropic",
                str(msg.get("model") or ""),
                msg.get("id") if isinstance(msg.get("id"), str) else None,
                reason,
            )
        )

    def _take_usage(self, usage: Any) -> list[Event]:
        if not isinstance(usage, dict):
            return []
        changed = False
        for name in _USAGE_FIELDS:
            value = as_int(usage.get(name))
            if value is not None:
                self._usage[name] = value
                changed = True
        for outer, name in _NESTED_USAGE:
            nested = usage.get(outer)
            value = as_int(nested.get(name)) if isinstance(nested, dict) else None
            if value is not None:
                self._usage[name] = value
                changed = True
        if not changed:
            return []
        u = self._usage
        has_input = any(k in u for k in _USAGE_FIELDS[:3])
        cached = u.get("cache_read_input_tokens")
        written = u.get("cache_creation_input_tokens")
        five, hour = u.get("ephemeral_5m_input_tokens"), u.get("ephemeral_1h_input_tokens")
        if written is None and (five is not None or hour is not None):
            written = (five or 0) + (hour or 0)
        return [
            UsageEvent(
                input_tokens=sum(u.get(k, 0) for k in _USAGE_FIELDS[:3]) if has_input else None,
                cached_input_tokens=cached if cached is not None else (0 if has_input else None),
                output_tokens=u.get("output_tokens"),
                # real 2026 streams report thinking apart; older ones do not (None = unknown)
                reasoning_tokens=u.get("thinking_tokens"),
                cache_write_tokens=written if written is not None else (0 if has_input else None),
                cache_write_1h_tokens=u.get("ephemeral_1h_input_tokens"),
            )
        ]

    def close(self) -> list[Event]:
        """End of the byte stream."""
        if self._done:
            return []
        self._done = True
        return [stream_cut("anthropic", "message_stop")]


def _pieces(block: dict[str, Any], field: str) -> TextPieces:
    """The deltas of a text or thinking block, after the text its start carried (if any)."""
    key = f"_{field}_pieces"
    pieces = block.get(key)
    if not isinstance(pieces, TextPieces):
        pieces = block[key] = TextPieces()
        if isinstance(block.get(field), str) and block[field]:
            pieces.add(block[field])
    return pieces


def _block_text(block: dict[str, Any], field: str) -> str:
    """A block's whole text: what its start carried, then its deltas."""
    pieces = block.get(f"_{field}_pieces")
    if isinstance(pieces, TextPieces):
        return pieces.text()
    return str(block.get(field) or "")
