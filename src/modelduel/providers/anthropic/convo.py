"""A `Conversation` and its tools as Messages `messages` and `tools` (request side).

The shapes follow the official SDK's types (anthropic/types/message_param.py,
tool_result_block_param.py). A user message that is text only goes as a plain string, so a
one-message conversation is byte-identical to the single-prompt request; thinking blocks
go back verbatim from `provider_data`, and only to the protocol that produced them (the
rules are in `modelduel.conversation`'s docstring).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Image,
    Reasoning,
    Text,
    ToolSpec,
    UserMessage,
)
from modelduel.providers.common import arguments_object, passes_back, text_only

__all__ = ["messages_messages", "messages_tools"]


def messages_tools(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    """`tools: [{name, description, input_schema}]`."""
    return [
        {"name": t.name, "description": t.description, "input_schema": dict(t.parameters)}
        for t in tools
    ]


def _image_block(part: Image) -> dict[str, Any]:
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": part.media_type, "data": part.data_base64},
    }


def _signed(block: Mapping[str, Any]) -> bool:
    """Whether a kept reasoning block may go back: the API checks each one it is sent.

    A `thinking` block needs the `signature` its stream ended with (a stream cut before
    its `signature_delta` leaves none, and an unsigned block is a 400); a
    `redacted_thinking` block needs its encrypted `data`.
    """
    kind = block.get("type")
    if kind == "thinking":
        return bool(block.get("signature"))
    if kind == "redacted_thinking":
        return isinstance(block.get("data"), str) and bool(block["data"])
    return False


def messages_messages(conv: Conversation) -> list[dict[str, Any]]:
    """The Messages `messages` of a whole conversation, alternating user / assistant.

    An assistant turn's blocks go back in the order received: thinking blocks with their
    `signature` and `redacted_thinking` blocks with their `data` unchanged (from
    `Reasoning.provider_data`), then text and `tool_use` blocks. A thinking block without
    its signature (the stream was cut before it came) is left out, as is a whitespace-only
    text block, and an assistant turn left with no block at all is left out whole (the API
    refuses "all messages must have non-empty content except for the optional final
    assistant message"); the user turns around it then join, as roles must alternate.
    Tool results are a user turn of `tool_result` blocks; a user message right after them
    joins that same user turn (roles must alternate).
    """
    out: list[dict[str, Any]] = []

    def user_turn(blocks: list[dict[str, Any]] | str) -> None:
        if out and out[-1]["role"] == "user":
            prev = out[-1]["content"]
            if isinstance(prev, str):
                prev = [{"type": "text", "text": prev}]
            add = [{"type": "text", "text": blocks}] if isinstance(blocks, str) else blocks
            out[-1] = {"role": "user", "content": [*prev, *add]}
        else:
            out.append({"role": "user", "content": blocks})

    for msg in conv.messages:
        if isinstance(msg, UserMessage):
            if text_only(msg):
                user_turn(msg.text)
            else:
                user_turn(
                    [
                        {"type": "text", "text": p.text} if isinstance(p, Text) else _image_block(p)
                        for p in msg.parts
                    ]
                )
        elif isinstance(msg, AssistantMessage):
            mine = passes_back(msg, "anthropic")
            blocks: list[dict[str, Any]] = []
            for p in msg.parts:
                if isinstance(p, Reasoning):
                    if mine and p.provider_data and _signed(p.provider_data):
                        blocks.append(dict(p.provider_data))
                elif isinstance(p, Text):
                    if p.text.strip():  # the API refuses a whitespace-only text block
                        blocks.append({"type": "text", "text": p.text})
                else:
                    blocks.append(
                        {
                            "type": "tool_use",
                            "id": p.id,
                            "name": p.name,
                            "input": arguments_object(p.arguments),
                        }
                    )
            if blocks:
                out.append({"role": "assistant", "content": blocks})
            # else: a turn that produced nothing sendable (cut before its first word, or
            # only unsigned thinking) is left out, as the API refuses an empty assistant
            # turn before the last; the user turns either side then join into one
        else:
            results: list[dict[str, Any]] = []
            for r in msg.results:
                block: dict[str, Any] = {
                    "type": "tool_result",
                    "tool_use_id": r.call_id,
                    "content": r.content,
                }
                if r.is_error:
                    block["is_error"] = True
                results.append(block)
            user_turn(results)
    return out
