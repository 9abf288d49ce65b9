"""Scripted tool-loop responses in each protocol's wire format, served on 127.0.0.1.

A test writes what the model does in each round, protocol-neutral (`Round`: thinking,
text, tool calls, usage); `stream(kind, round, n)` writes it as that protocol streams it,
with what must be passed back next round (Anthropic thinking signatures via
`signature_delta`, Responses reasoning items with `encrypted_content`, Gemini
`thoughtSignature` on the first `functionCall` part only), parallel calls (Chat's
interleaved by index, Gemini's several parts in one chunk). `ScriptedRounds` answers the
n-th request with the n-th round and keeps every request body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.support.replay_server import Received, Script, sse


@dataclass
class Round:
    """What the model does in one response."""

    text: str = ""
    thinking: str = ""
    calls: list[tuple[str, Any]] = field(default_factory=list)  # (name, args dict or raw text)
    input_tokens: int = 10
    output_tokens: int = 5
    drop_after: int | None = None  # cut the connection after this many chunks
    delay: float = 0.0  # seconds before each chunk
    # Chat only: each call's id as sent (None: the server sent none), and its
    # `extra_content` (Gemini's OpenAI-compatible thought signature)
    call_ids: list[str | None] | None = None
    call_extras: list[dict[str, Any] | None] | None = None


def _args(args: Any) -> str:
    return args if isinstance(args, str) else json.dumps(args)


def _halves(text: str) -> list[str]:
    mid = max(1, len(text) // 2)
    return [p for p in (text[:mid], text[mid:]) if p]


def signature(n: int) -> str:
    """The signature / encrypted content of round n's thinking."""
    return f"sig-round-{n}"


def responses(r: Round, n: int) -> list[bytes]:
    ev: list[tuple[str | None, object]] = [
        ("response.created", {"type": "response.created", "response": {"id": f"resp_{n}"}})
    ]
    output: list[dict[str, Any]] = []
    idx = 0
    if r.thinking:
        item = {
            "id": f"rs_{n}",
            "type": "reasoning",
            "summary": [{"type": "summary_text", "text": r.thinking}],
            "encrypted_content": signature(n),
        }
        ev.append(
            (
                "response.output_item.added",
                {
                    "type": "response.output_item.added",
                    "output_index": idx,
                    "item": {"id": f"rs_{n}", "type": "reasoning", "summary": []},
                },
            )
        )
        ev.append(
            (
                "response.reasoning_summary_text.delta",
                {
                    "type": "response.reasoning_summary_text.delta",
                    "item_id": f"rs_{n}",
                    "output_index": idx,
                    "summary_index": 0,
                    "delta": r.thinking,
                },
            )
        )
        ev.append(
            (
                "response.output_item.done",
                {"type": "response.output_item.done", "output_index": idx, "item": item},
            )
        )
        output.append(item)
        idx += 1
    if r.text:
        item = {
            "id": f"msg_{n}",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": r.text, "annotations": []}],
        }
        if r.calls:
            item["phase"] = "commentary"
        for piece in _halves(r.text):
            ev.append(
                (
                    "response.output_text.delta",
                    {"type": "response.output_text.delta", "output_index": idx, "delta": piece},
                )
            )
        ev.append(
            (
                "response.output_item.done",
                {"type": "response.output_item.done", "output_index": idx, "item": item},
            )
        )
        output.append(item)
        idx += 1
    for c, (name, args) in enumerate(r.calls):
        call_id = f"call_{n}_{c}"
        start = {"id": f"fc_{n}_{c}", "type": "function_call", "call_id": call_id, "name": name}
        ev.append(
            (
                "response.output_item.added",
                {
                    "type": "response.output_item.added",
                    "output_index": idx,
                    "item": start | {"arguments": "", "status": "in_progress"},
                },
            )
        )
        text = _args(args)
        for piece in _halves(text):
            ev.append(
                (
                    "response.function_call_arguments.delta",
                    {
                        "type": "response.function_call_arguments.delta",
                        "item_id": f"fc_{n}_{c}",
                        "output_index": idx,
                        "delta": piece,
                    },
                )
            )
        done = start | {"arguments": text, "status": "completed"}
        ev.append(
            (
                "response.output_item.done",
                {"type": "response.output_item.done", "output_index": idx, "item": done},
            )
        )
        output.append(done)
        idx += 1
    usage = {
        "input_tokens": r.input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": r.output_tokens,
        "output_tokens_details": {"reasoning_tokens": 1 if r.thinking else 0},
    }
    ev.append(
        (
            "response.completed",
            {
                "type": "response.completed",
                "response": {"id": f"resp_{n}", "output": output, "usage": usage, "model": "m"},
            },
        )
    )
    return sse(*ev)


def messages(r: Round, n: int) -> list[bytes]:
    def block(i: int, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return ("content_block_start", {"type": "content_block_start", "index": i} | body)

    def delta(i: int, d: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return ("content_block_delta", {"type": "content_block_delta", "index": i, "delta": d})

    def stop(i: int) -> tuple[str, dict[str, Any]]:
        return ("content_block_stop", {"type": "content_block_stop", "index": i})

    ev: list[tuple[str | None, object]] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": f"msg_{n}",
                    "model": "claude-x",
                    "usage": {"input_tokens": r.input_tokens, "output_tokens": 1},
                },
            },
        )
    ]
    i = 0
    if r.thinking:
        ev.append(block(i, {"content_block": {"type": "thinking", "thinking": ""}}))
        ev.append(delta(i, {"type": "thinking_delta", "thinking": r.thinking}))
        ev.append(delta(i, {"type": "signature_delta", "signature": signature(n)}))
        ev.append(stop(i))
        i += 1
    if r.text:
        ev.append(block(i, {"content_block": {"type": "text", "text": ""}}))
        for piece in _halves(r.text):
            ev.append(delta(i, {"type": "text_delta", "text": piece}))
        ev.append(stop(i))
        i += 1
    for c, (name, args) in enumerate(r.calls):
        tool = {"type": "tool_use", "id": f"toolu_{n}_{c}", "name": name, "input": {}}
        ev.append(block(i, {"content_block": tool}))
        for piece in _halves(_args(args)):
            ev.append(delta(i, {"type": "input_json_delta", "partial_json": piece}))
        ev.append(stop(i))
        i += 1
    reason = "tool_use" if r.calls else "end_turn"
    ev.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": reason},
                "usage": {"output_tokens": r.output_tokens},
            },
        )
    )
    ev.append(("message_stop", {"type": "message_stop"}))
    return sse(*ev)


def gemini(r: Round, n: int) -> list[bytes]:
    chunks: list[dict[str, Any]] = []
    if r.thinking:
        chunks.append({"candidates": [{"content": {"role": "model", "parts": [
            {"text": r.thinking, "thought": True}
        ]}}]})  # fmt: skip
    for piece in _halves(r.text):
        chunks.append({"candidates": [{"content": {"role": "model", "parts": [{"text": piece}]}}]})
    if r.calls:
        parts: list[dict[str, Any]] = []
        for c, (name, args) in enumerate(r.calls):
            part: dict[str, Any] = {
                "functionCall": {"name": name, "args": args if isinstance(args, dict) else {}}
            }
            if c == 0:  # in parallel calls only the first carries one
                part["thoughtSignature"] = signature(n)
            parts.append(part)
        chunks.append({"candidates": [{"content": {"role": "model", "parts": parts}}]})
    elif r.thinking and chunks:
        # a signature on an empty text part at the end of a text answer
        chunks.append({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "", "thoughtSignature": signature(n)}
        ]}}]})  # fmt: skip
    final = {
        "candidates": [{"content": {"role": "model", "parts": []}, "finishReason": "STOP"}],
        "usageMetadata": {
            "promptTokenCount": r.input_tokens,
            "candidatesTokenCount": r.output_tokens,
        },
        "modelVersion": "gemini-x",
    }
    chunks.append(final)
    return sse(*[(None, c) for c in chunks], crlf=True)


def chat(r: Round, n: int) -> list[bytes]:
    base = {"id": f"chat_{n}", "object": "chat.completion.chunk", "model": "m"}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> tuple[None, dict[str, Any]]:
        choice: dict[str, Any] = {"index": 0, "delta": delta}
        if finish:
            choice["finish_reason"] = finish
        return (None, {**base, "choices": [choice]})

    ev: list[tuple[str | None, object]] = [chunk({"role": "assistant"})]
    if r.thinking:
        ev.append(chunk({"reasoning_content": r.thinking}))
    for piece in _halves(r.text):
        ev.append(chunk({"content": piece}))
    # parallel calls: every call's first fragment (id, name), then argument fragments
    # interleaved across indexes
    for c, (name, _) in enumerate(r.calls):
        first: dict[str, Any] = {
            "index": c,
            "id": r.call_ids[c] if r.call_ids is not None else f"call_{n}_{c}",
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        if first["id"] is None:
            del first["id"]
        if r.call_extras is not None and r.call_extras[c] is not None:
            first["extra_content"] = r.call_extras[c]
        ev.append(chunk({"tool_calls": [first]}))
    pieces = [_halves(_args(a)) for _, a in r.calls]
    for step in range(2):
        for c, halves in enumerate(pieces):
            if step < len(halves):
                ev.append(
                    chunk({"tool_calls": [{"index": c, "function": {"arguments": halves[step]}}]})
                )
    ev.append(chunk({}, "tool_calls" if r.calls else "stop"))
    usage = {"prompt_tokens": r.input_tokens, "completion_tokens": r.output_tokens}
    ev.append((None, {**base, "choices": [], "usage": usage}))
    ev.append((None, "[DONE]"))
    return sse(*ev)


WRITERS = {"openai": responses, "anthropic": messages, "gemini": gemini, "openai-chat": chat}
BASE_PATHS = {"openai": "/v1", "anthropic": "", "gemini": "", "openai-chat": "/v1"}


def stream(kind: str, r: Round, n: int) -> Script:
    """Round `r` as the `n`-th response (from 1) of protocol `kind`."""
    frames = WRITERS[kind](r, n)
    return Script([(r.delay, f) for f in frames], drop_after=r.drop_after)


class ScriptedRounds:
    """A route answering the n-th request with the n-th round; keeps every request."""

    def __init__(self, kind: str, rounds: list[Round]) -> None:
        self.kind = kind
        self.rounds = rounds
        self.requests: list[dict[str, Any]] = []

    def __call__(self, got: Received) -> Script:
        body = got.json()
        assert isinstance(body, dict)
        self.requests.append(body)
        n = len(self.requests)
        if n > len(self.rounds):
            return Script([(0.0, b'{"error": {"message": "no more rounds"}}')], status=500)
        return stream(self.kind, self.rounds[n - 1], n)
