"""How the official SDKs' streams are read in the tests: one loop per protocol.

`test_sdk_conformance` (the simulator speaks the real protocols) and `test_client_vs_sdk`
(modelduel's client reads what the SDK reads) read the vendors' streams the same way;
these are those loops, so the two files cannot drift apart in what they call the text,
the reasoning and the usage of a stream.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SdkRead:
    """What an SDK stream said: its pieces in order, and the last usage and final object.

    Attributes:
        text: the answer's text deltas.
        reasoning: the reasoning (thinking, thought summary) deltas.
        usage: the last usage the stream reported (None if none).
        final: the protocol's closing object (the Responses `response`, the last Gemini
            chunk), or None.
        finish: the last finish reason a chat chunk gave, or None.
    """

    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    usage: Any = None
    final: Any = None
    finish: Any = None


def read_responses(events: Iterable[Any]) -> SdkRead:
    """An OpenAI Responses stream: text and reasoning-summary deltas, the completed response."""
    read = SdkRead()
    for event in events:
        if event.type == "response.output_text.delta":
            read.text.append(event.delta)
        elif event.type == "response.reasoning_summary_text.delta":
            read.reasoning.append(event.delta)
        elif event.type == "response.completed":
            read.final = event.response
            read.usage = event.response.usage
    return read


def read_chat(chunks: Iterable[Any]) -> SdkRead:
    """An OpenAI chat-completions stream: content and `reasoning_content` deltas, usage."""
    read = SdkRead()
    for chunk in chunks:
        if chunk.usage is not None:
            read.usage = chunk.usage
        for choice in chunk.choices:
            extra = choice.delta.model_extra or {}
            if extra.get("reasoning_content"):
                read.reasoning.append(extra["reasoning_content"])
            if choice.delta.content:
                read.text.append(choice.delta.content)
            read.finish = choice.finish_reason or read.finish
    return read


def read_anthropic(stream: Any) -> SdkRead:
    """An Anthropic `messages.stream(...)` helper: text and thinking deltas, the final message."""
    read = SdkRead()
    for event in stream:
        if event.type == "thinking":
            read.reasoning.append(event.thinking)
        elif event.type == "text":
            read.text.append(event.text)
    read.final = stream.get_final_message()
    read.usage = read.final.usage
    return read


def read_gemini(chunks: Iterable[Any]) -> SdkRead:
    """A google-genai `generate_content_stream`: thought and text parts, the last usage."""
    read = SdkRead()
    for chunk in chunks:
        read.final = chunk
        candidate = chunk.candidates[0] if chunk.candidates else None
        parts = candidate.content.parts if candidate and candidate.content else None
        for part in parts or []:
            if part.text:
                (read.reasoning if part.thought else read.text).append(part.text)
        read.usage = chunk.usage_metadata or read.usage
    return read
