"""Anthropic Messages wire format (`/v1/messages`).

Written from the recorded streams: `event:` + `data:` frames whose JSON is padded
with spaces before its final brace (as the real API does to hide lengths),
`message_start` with the opening usage (`input_tokens` excludes cache reads),
a ping after the first block starts, `thinking_delta`s then a `signature_delta`,
text deltas of a few tokens each, and a `message_delta` whose cumulative usage
overrides the opening one. An in-stream failure is `event: error`, after which
the stream ends without `message_stop`. Tool calls are `tool_use` blocks (after the
signed thinking block) whose input streams as `input_json_delta` pieces, with
`stop_reason: "tool_use"`. The request side (what a body must be, the cache prefix) is
`wire_anthropic_request.parse_anthropic`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

from modelduel.simulator.conversation_anthropic import sign_thinking
from modelduel.simulator.generation import Frame, FrameKind, Generation
from modelduel.simulator.plan import group_pieces

__all__ = [
    "anthropic_body",
    "anthropic_error_frames",
    "anthropic_stream",
    "request_id",
]

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def request_id(rng: random.Random) -> str:
    """An Anthropic-style request id."""
    return "req_011C" + "".join(rng.choice(_B58) for _ in range(20))


class _Messages:
    def __init__(self, gen: Generation) -> None:
        self.gen = gen
        ids = gen.rng("ids")
        self.msg_id = "msg_01" + "".join(ids.choice(_B58) for _ in range(22))
        self.request_id = request_id(ids)
        # Signatures are opaque base64 to clients; this one binds the thinking text, so a
        # block edited or emptied on its way back is caught (see `conversation`).
        thinking = "".join("".join(p) for p in gen.reasoning_parts)
        self.signature = sign_thinking(thinking, ids.randbytes(158))
        self.tool_ids = [
            "toolu_01" + "".join(ids.choice(_B58) for _ in range(22)) for _ in gen.tool_calls
        ]
        self.framing = gen.rng("framing")
        self.frames: list[Frame] = []

    def event(
        self, name: str, obj: dict[str, Any], at: float, kind: FrameKind = "meta", tokens: int = 0
    ) -> None:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        # The real API pads each event with spaces before the final brace.
        padded = text[:-1] + " " * self.framing.randint(2, 16) + "}"
        self.frames.append(
            Frame(at, f"event: {name}\ndata: {padded}\n\n".encode(), name, kind, tokens)
        )

    def ping(self, at: float) -> None:
        self.frames.append(Frame(at, b'event: ping\ndata: {"type": "ping"}\n\n', "ping"))

    def start_usage(self) -> dict[str, Any]:
        g = self.gen
        written = g.cache_write_tokens
        one_hour = g.request.cache_ttl == "1h"
        return {
            "input_tokens": g.input_tokens - g.cached_tokens - written,
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": g.cached_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": 0 if one_hour else written,
                "ephemeral_1h_input_tokens": written if one_hour else 0,
            },
            "output_tokens": 1,
            "service_tier": "standard",
            "inference_geo": "global",
        }

    def final_usage(self) -> dict[str, Any]:
        g = self.gen
        written = g.cache_write_tokens
        return {
            "input_tokens": g.input_tokens - g.cached_tokens - written,
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": g.cached_tokens,
            "output_tokens": g.output_tokens,
            # Real 2026 streams report the raw thinking count here, summarised or not.
            "output_tokens_details": {"thinking_tokens": g.reasoning_tokens},
        }

    @property
    def stop_reason(self) -> str:
        return {"stop": "end_turn", "tool_calls": "tool_use"}.get(self.gen.finish, "max_tokens")

    def build(self) -> Iterator[Frame]:
        g = self.gen
        message: dict[str, Any] = {
            "model": g.served_model,
            "id": self.msg_id,
            "type": "message",
            "role": "assistant",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "stop_details": None,
            "usage": self.start_usage(),
        }
        self.event("message_start", {"type": "message_start", "message": message}, g.ttfb)
        index = 0
        pinged = False
        if g.request.reasoning_on:
            block = {"type": "thinking", "thinking": "", "signature": ""}
            self.event(
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": block},
                g.ttft,
            )
            self.ping(g.ttft)
            pinged = True
            for part, times in zip(g.reasoning_parts, g.reasoning_times, strict=True):
                for text, at, n in group_pieces(part, times, self.framing, 1, 4):
                    delta = {"type": "thinking_delta", "thinking": text}
                    self.event(
                        "content_block_delta",
                        {"type": "content_block_delta", "index": 0, "delta": delta},
                        at,
                        "reasoning",
                        n,
                    )
                    yield from self.take()
            sig = {"type": "signature_delta", "signature": self.signature}
            self.event(
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": sig},
                g.text_start,
            )
            self.event(
                "content_block_stop", {"type": "content_block_stop", "index": 0}, g.text_start
            )
            index = 1
        for k, (deltas, times) in enumerate(zip(g.tool_deltas, g.tool_times, strict=True)):
            start = times[0] if times else g.text_start
            use: dict[str, Any] = {
                "type": "tool_use",
                "id": self.tool_ids[k],
                "name": g.tool_calls[k].name,
                "input": {},
            }
            self.event(
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": use},
                start,
            )
            if not pinged:
                self.ping(start)
                pinged = True
            for piece, at in zip(deltas, times, strict=True):
                delta = {"type": "input_json_delta", "partial_json": piece}
                self.event(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                    at,
                    "tool",
                    1,
                )
                yield from self.take()
            end = times[-1] if times else start
            self.event("content_block_stop", {"type": "content_block_stop", "index": index}, end)
            index += 1
        if g.answer_pieces or g.finish == "stop":
            block = {"type": "text", "text": ""}
            self.event(
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": block},
                g.text_start,
            )
            if not pinged:
                self.ping(g.text_start)
            for text, at, n in group_pieces(g.answer_pieces, g.answer_times, self.framing, 1, 5):
                delta = {"type": "text_delta", "text": text}
                self.event(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                    at,
                    "text",
                    n,
                )
                yield from self.take()
            self.event("content_block_stop", {"type": "content_block_stop", "index": index}, g.end)
        final: dict[str, Any] = {
            "stop_reason": self.stop_reason,
            "stop_sequence": None,
            "stop_details": None,
        }
        self.event(
            "message_delta",
            {"type": "message_delta", "delta": final, "usage": self.final_usage()},
            g.end,
            "usage",
        )
        self.event("message_stop", {"type": "message_stop"}, g.end, "done")
        yield from self.take()

    def take(self) -> Iterator[Frame]:
        """The frames built since the last call: a stream is written while it is built."""
        frames, self.frames = self.frames, []
        yield from frames


def anthropic_stream(gen: Generation) -> Iterator[Frame]:
    """Every frame of a successful Messages stream, in order."""
    return _Messages(gen).build()


def anthropic_error_frames(gen: Generation, at: float) -> list[Frame]:
    """The in-stream failure: `event: error` with overloaded_error; no `message_stop` follows."""
    builder = _Messages(gen)
    error = {"details": None, "type": "overloaded_error", "message": "Overloaded"}
    builder.event(
        "error", {"type": "error", "error": error, "request_id": builder.request_id}, at, "error"
    )
    return builder.frames


def anthropic_body(gen: Generation) -> bytes:
    """The JSON body of a non-streaming Messages request."""
    builder = _Messages(gen)
    content: list[dict[str, Any]] = []
    if gen.request.reasoning_on:
        thinking = "".join("".join(p) for p in gen.reasoning_parts)
        content.append({"type": "thinking", "thinking": thinking, "signature": builder.signature})
    for k, call in enumerate(gen.tool_calls):
        content.append(
            {"type": "tool_use", "id": builder.tool_ids[k], "name": call.name, "input": call.args}
        )
    if gen.answer_pieces or gen.finish == "stop":
        content.append({"type": "text", "text": gen.answer_text})
    usage = builder.start_usage()
    usage["output_tokens"] = gen.output_tokens
    usage["output_tokens_details"] = {"thinking_tokens": gen.reasoning_tokens}
    obj = {
        "model": gen.served_model,
        "id": builder.msg_id,
        "type": "message",
        "role": "assistant",
        "content": content,
        "stop_reason": builder.stop_reason,
        "stop_sequence": None,
        "stop_details": None,
        "usage": usage,
    }
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
