"""OpenAI Chat Completions wire format (`/v1/chat/completions`).

Chunks are `data:`-only, the usage chunk has empty `choices`, and the stream ends
with `data: [DONE]`. Tool calls stream as `delta.tool_calls[{index, id?, type?,
function: {name?, arguments}}]` fragments (id, type and name only in the first
fragment of an index) and end with `finish_reason: "tool_calls"`.
One builder class writes both the stream and the body; the request side (what a body
must be) is `wire_chat_request.parse_chat`.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from typing import Any

from modelduel.simulator.generation import Frame, FrameKind, Generation
from modelduel.simulator.openai_common import dumps, hex_id, obfuscation

__all__ = ["chat_body", "chat_error_frames", "chat_stream"]


class _Chat:
    def __init__(self, gen: Generation) -> None:
        self.gen = gen
        ids = gen.rng("ids")
        self.id = "chatcmpl-" + "".join(
            ids.choice(string.ascii_letters + string.digits) for _ in range(29)
        )
        self.created = 1_785_000_000 + ids.randrange(1_000_000)
        self.fingerprint = "fp_" + hex_id(ids, 10)
        self.framing = gen.rng("framing")
        alnum = string.ascii_letters + string.digits
        self.call_ids = [
            "call_" + "".join(ids.choice(alnum) for _ in range(24)) for _ in gen.tool_calls
        ]
        self.openai = bool(gen.request.options.get("openai"))
        # Some OpenAI-compatible servers ignore stream_options and never send usage.
        self.include_usage = bool(gen.request.options.get("include_usage")) and not bool(
            gen.request.options.get("no_usage")
        )

    def chunk(self, choices: list[dict[str, Any]], usage: Any = None) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.gen.served_model,
        }
        if self.openai:
            obj["service_tier"] = "default"
            obj["system_fingerprint"] = self.fingerprint
        obj["choices"] = choices
        if self.include_usage:
            obj["usage"] = usage
        if self.openai:
            obj["obfuscation"] = obfuscation(self.framing)
        return obj

    @staticmethod
    def choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}

    def usage(self) -> dict[str, Any]:
        g = self.gen
        return {
            "prompt_tokens": g.input_tokens,
            "completion_tokens": g.output_tokens,
            "total_tokens": g.input_tokens + g.output_tokens,
            "prompt_tokens_details": {
                "cached_tokens": g.cached_tokens,
                "audio_tokens": 0,
                **({"cache_write_tokens": g.cache_write_tokens} if g.cache_write_tokens else {}),
            },
            "completion_tokens_details": {
                "reasoning_tokens": g.reasoning_tokens,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def reasoning_delta(self, piece: str) -> dict[str, Any]:
        field = self.gen.profile.chat_reasoning_field or "reasoning_content"
        if field == "reasoning":
            return {"role": "assistant", "content": "", "reasoning": piece}
        return {"reasoning_content": piece}

    def build(self) -> Iterator[Frame]:
        g = self.gen
        frames: list[Frame] = []

        def take() -> Iterator[Frame]:
            out = frames[:]
            frames.clear()
            yield from out

        def add(at: float, obj: Any, event: str, kind: FrameKind = "meta", tokens: int = 0) -> None:
            text = obj if isinstance(obj, str) else dumps(obj)
            frames.append(Frame(at, f"data: {text}\n\n".encode(), event, kind, tokens))

        first_at = g.ttft if g.reasoning_parts else g.text_start
        role: dict[str, Any] = (
            {"role": "assistant", "content": "", "refusal": None}
            if self.openai
            else {"role": "assistant", "content": ""}
        )
        calls_open_role = bool(g.tool_calls) and not g.reasoning_parts
        if not calls_open_role:
            add(first_at, self.chunk([self.choice(role)]), "chunk.role")
        for part, times in zip(g.reasoning_parts, g.reasoning_times, strict=True):
            for piece, at in zip(part, times, strict=True):
                add(
                    at,
                    self.chunk([self.choice(self.reasoning_delta(piece))]),
                    "chunk.reasoning",
                    "reasoning",
                    1,
                )
                yield from take()
        for piece, at in zip(g.answer_pieces, g.answer_times, strict=True):
            add(at, self.chunk([self.choice({"content": piece})]), "chunk.content", "text", 1)
            yield from take()
        for k, (deltas, times) in enumerate(zip(g.tool_deltas, g.tool_times, strict=True)):
            start = times[0] if times else g.text_start
            opening = {
                "index": k,
                "id": self.call_ids[k],
                "type": "function",
                "function": {"name": g.tool_calls[k].name, "arguments": ""},
            }
            if k == 0 and calls_open_role:
                # A call with nothing before it opens the message: role, content null, call.
                delta: dict[str, Any] = {"role": "assistant", "content": None}
                delta["tool_calls"] = [opening]
                if self.openai:
                    delta["refusal"] = None
            else:
                delta = {"tool_calls": [opening]}
            add(start, self.chunk([self.choice(delta)]), "chunk.tool_call")
            for piece, at in zip(deltas, times, strict=True):
                fragment = {"index": k, "function": {"arguments": piece}}
                add(
                    at,
                    self.chunk([self.choice({"tool_calls": [fragment]})]),
                    "chunk.tool_call",
                    "tool",
                    1,
                )
                yield from take()
        add(g.end, self.chunk([self.choice({}, g.finish)]), "chunk.finish")
        if self.include_usage:
            add(g.end, self.chunk([], self.usage()), "chunk.usage", "usage")
        add(g.end, "[DONE]", "[DONE]", "done")
        yield from take()


def chat_stream(gen: Generation) -> Iterator[Frame]:
    """Every frame of a successful Chat Completions stream, in order."""
    return _Chat(gen).build()


def chat_error_frames(gen: Generation, at: float) -> list[Frame]:
    """The in-stream failure of Chat Completions: a chunk holding only `error`; no [DONE]."""
    error = {
        "message": "The server had an error while processing your request. Sorry about that!",
        "type": "server_error",
        "param": None,
        "code": None,
    }
    return [Frame(at, f"data: {dumps({'error': error})}\n\n".encode(), "error", "error")]


def chat_body(gen: Generation) -> bytes:
    """The JSON body of a non-streaming Chat Completions request."""
    builder = _Chat(gen)
    message: dict[str, Any] = {
        "role": "assistant",
        "content": None if gen.tool_calls else gen.answer_text,
    }
    if gen.reasoning_parts:
        field = gen.profile.chat_reasoning_field or "reasoning_content"
        message[field] = "".join("".join(p) for p in gen.reasoning_parts)
    if gen.tool_calls:
        message["tool_calls"] = [
            {
                "id": builder.call_ids[k],
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for k, call in enumerate(gen.tool_calls)
        ]
    message.update({"refusal": None, "annotations": []})
    obj: dict[str, Any] = {
        "id": builder.id,
        "object": "chat.completion",
        "created": builder.created,
        "model": gen.served_model,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": gen.finish}
        ],
    }
    if not gen.request.options.get("no_usage"):
        obj["usage"] = builder.usage()
    if builder.openai:
        obj["service_tier"] = "default"
        obj["system_fingerprint"] = builder.fingerprint
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode()
