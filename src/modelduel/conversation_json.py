"""The JSON form of a conversation: what a transcript stores and the worker's pipe carries.

Parts, messages and conversations to JSON-able dicts and back, `provider_data` as the
provider sent it. The model (types, alternation rules, turns) is `modelduel.conversation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelduel.conversation import (
    AssistantMessage,
    AssistantPart,
    Conversation,
    Image,
    Message,
    Reasoning,
    Text,
    ToolCall,
    ToolResultMessage,
    ToolReturn,
    UserMessage,
    UserPart,
)

__all__ = ["conversation_from_json", "conversation_to_json", "message_from_json", "message_to_json"]


def _part_json(part: UserPart | AssistantPart) -> dict[str, Any]:
    if isinstance(part, Text):
        return {"type": "text", "text": part.text, "provider_data": _plain(part.provider_data)}
    if isinstance(part, Image):
        return {
            "type": "image",
            "media_type": part.media_type,
            "data_base64": part.data_base64,
            "name": part.name,
        }
    if isinstance(part, Reasoning):
        return {
            "type": "reasoning",
            "text": part.text,
            "provider_data": _plain(part.provider_data),
        }
    return {
        "type": "tool_call",
        "id": part.id,
        "name": part.name,
        "arguments": part.arguments,
        "provider_data": _plain(part.provider_data),
    }


def _plain(data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return dict(data) if data is not None else None


def message_to_json(msg: Message) -> dict[str, Any]:
    """One message's JSON form (as in `conversation_to_json`); `message_from_json` reads it."""
    if isinstance(msg, UserMessage):
        return {"role": "user", "parts": [_part_json(p) for p in msg.parts]}
    if isinstance(msg, AssistantMessage):
        return {
            "role": "assistant",
            "parts": [_part_json(p) for p in msg.parts],
            "protocol": msg.protocol,
            "model": msg.model,
            "response_id": msg.response_id,
            "finish_reason": msg.finish_reason,
        }
    return {
        "role": "tool",
        "results": [
            {"call_id": r.call_id, "name": r.name, "content": r.content, "is_error": r.is_error}
            for r in msg.results
        ],
    }


def conversation_to_json(conv: Conversation) -> dict[str, Any]:
    """A JSON-able dict (for transcripts); `conversation_from_json` reads it back."""
    return {"system": conv.system, "messages": [message_to_json(m) for m in conv.messages]}


def message_from_json(data: Mapping[str, Any]) -> Message:
    """Read back `message_to_json`.

    Raises:
        ValueError, KeyError: the data is not a message's JSON form.
    """
    return conversation_from_json({"messages": [data]}).messages[0]


def _part_from(d: Mapping[str, Any]) -> UserPart | AssistantPart:
    kind = d["type"]
    if kind == "text":
        return Text(d["text"], d.get("provider_data"))
    if kind == "image":
        return Image(d["media_type"], d["data_base64"], d.get("name", ""))
    if kind == "reasoning":
        return Reasoning(d["text"], d.get("provider_data"))
    if kind == "tool_call":
        return ToolCall(d["id"], d["name"], d["arguments"], d.get("provider_data"))
    raise ValueError(f"unknown part type {kind!r}")


def conversation_from_json(data: Mapping[str, Any]) -> Conversation:
    """Read back `conversation_to_json`.

    Raises:
        ValueError, KeyError: the data is not a conversation's JSON form.
    """
    messages: list[Message] = []
    for m in data["messages"]:
        role = m["role"]
        if role == "user":
            parts = tuple(_part_from(p) for p in m["parts"])
            if not all(isinstance(p, Text | Image) for p in parts):
                raise ValueError("a user message holds only text and images")
            messages.append(UserMessage(parts))  # type: ignore[arg-type]
        elif role == "assistant":
            aparts = tuple(_part_from(p) for p in m["parts"])
            if any(isinstance(p, Image) for p in aparts):
                raise ValueError("an assistant message holds no images")
            messages.append(
                AssistantMessage(
                    aparts,  # type: ignore[arg-type]
                    m.get("protocol", ""),
                    m.get("model", ""),
                    m.get("response_id"),
                    m.get("finish_reason"),
                )
            )
        elif role == "tool":
            messages.append(
                ToolResultMessage(
                    tuple(
                        ToolReturn(r["call_id"], r["name"], r["content"], r.get("is_error", False))
                        for r in m["results"]
                    )
                )
            )
        else:
            raise ValueError(f"unknown role {role!r}")
    return Conversation(data.get("system"), tuple(messages))
