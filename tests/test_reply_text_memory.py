"""Issue 13: the runner child holds a long answer's reply text at about a byte a character
while it streams, not one str object (~55 bytes) per delta (three ~200,000-character
answers held ~7.5 MB that way), and the assembled reply is still the text, exactly."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

from modelduel.conversation import Reasoning
from modelduel.events import AssistantReply, Event, TextDelta
from modelduel.providers.base import SSEEvent
from modelduel.providers.registry import get_adapter

BASE = {"id": "c1", "object": "chat.completion.chunk", "model": "m"}


def chunk(delta: dict[str, object], finish: str | None = None) -> SSEEvent:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return SSEEvent("", json.dumps({**BASE, "choices": [choice]}))


def test_a_long_chat_answer_is_held_at_about_a_byte_a_character_mid_stream() -> None:
    parser = get_adapter("openai-chat").new_parser(True)
    delta = chunk({"content": " word"})
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(40_000):  # 200,000 characters
            parser.feed(delta)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 3 * 200_000, f"{held / 200_000:.1f} bytes a character"


def test_the_reply_is_every_delta_in_order_across_the_joins() -> None:
    parser = get_adapter("openai-chat").new_parser(True)
    pieces = [f"<{i}>" for i in range(1_000)]  # several joins and a tail
    streamed = []
    for piece in pieces:
        streamed += [
            e.text for e in parser.feed(chunk({"content": piece})) if isinstance(e, TextDelta)
        ]
    events = parser.feed(chunk({}, "stop")) + parser.feed(SSEEvent("", "[DONE]"))
    (reply,) = [e for e in events if isinstance(e, AssistantReply)]
    assert "".join(streamed) == "".join(pieces)
    assert reply.message.text == "".join(pieces)


def anthropic_event(kind: str, **fields: object) -> SSEEvent:
    return SSEEvent(kind, json.dumps({"type": kind, **fields}))


def anthropic_block(
    parser: Any, index: int, kind: str, pieces: list[str], start: str = ""
) -> list[Event]:
    """One whole text or thinking block: its start (carrying `start`), deltas and stop."""
    field = "text" if kind == "text" else "thinking"
    block = {"type": kind, field: start}
    events: list[Event] = parser.feed(
        anthropic_event("content_block_start", index=index, content_block=block)
    )
    for piece in pieces:
        delta = {"type": f"{field}_delta", field: piece}
        events += parser.feed(anthropic_event("content_block_delta", index=index, delta=delta))
    events += parser.feed(anthropic_event("content_block_stop", index=index))
    return events


def test_an_anthropic_reply_is_its_blocks_text_across_the_joins_start_text_included() -> None:
    parser = get_adapter("anthropic").new_parser(True)
    thinking = [f"t{i} " for i in range(700)]
    text = [f"<{i}>" for i in range(1_000)]
    events = parser.feed(
        anthropic_event("message_start", message={"id": "m1", "model": "claude", "usage": {}})
    )
    events += anthropic_block(parser, 0, "thinking", thinking)
    # a text block whose start already carries text: it comes first in the reply's text
    events += anthropic_block(parser, 1, "text", text, start="Start. ")
    events += parser.feed(
        anthropic_event("message_delta", delta={"stop_reason": "end_turn"}, usage={})
    )
    events += parser.feed(anthropic_event("message_stop"))
    (reply,) = [e for e in events if isinstance(e, AssistantReply)]
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert streamed == "Start. " + "".join(text)
    assert reply.message.text == "Start. " + "".join(text)
    (reasoning,) = [p for p in reply.message.parts if isinstance(p, Reasoning)]
    assert reasoning.text == "".join(thinking)


def test_a_long_anthropic_answer_is_held_at_about_a_byte_a_character_mid_stream() -> None:
    parser = get_adapter("anthropic").new_parser(True)
    parser.feed(anthropic_event("message_start", message={"id": "m1", "model": "c", "usage": {}}))
    parser.feed(
        anthropic_event("content_block_start", index=0, content_block={"type": "text", "text": ""})
    )
    delta = anthropic_event(
        "content_block_delta", index=0, delta={"type": "text_delta", "text": " word"}
    )
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(40_000):  # 200,000 characters
            parser.feed(delta)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 3 * 200_000, f"{held / 200_000:.1f} bytes a character"
