"""A `Conversation` and its tools as Responses `input` items and `tools` (request side).

The shapes follow the official SDK's types (openai/types/responses/
response_input_item_param.py). A user message that is text only goes as a plain string, so a
one-message conversation is byte-identical to the single-prompt request; what must come
back (reasoning items, `message` and `function_call` items) is passed back verbatim from
`provider_data`, and only to the protocol that produced it (the rules are in
`modelduel.conversation`'s docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Reasoning,
    Text,
    ToolSpec,
    UserMessage,
)
from modelduel.providers.common import passes_back, text_only

__all__ = ["responses_input", "responses_tools"]


def responses_tools(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    """`tools: [{type: function, name, description, parameters}]`."""
    return [
        {
            "type": "function",
            "name": t.name,
            "description": t.description,
            "parameters": dict(t.parameters),
        }
        for t in tools
    ]


def responses_input(conv: Conversation, kind: str = "openai") -> list[dict[str, Any]]:
    """The Responses `input` items of a whole conversation.

    The model's output items (reasoning with `encrypted_content`, commentary and answer
    `message` items, `function_call` items) go back as returned; a reasoning item without
    `encrypted_content` is left out (with `store: false` the API cannot look it up by id),
    and the items after it then go back without their `id` (it would name the missing item);
    results are `function_call_output` items by `call_id`.
    """
    items: list[dict[str, Any]] = []
    for msg in conv.messages:
        if isinstance(msg, UserMessage):
            if text_only(msg):
                items.append({"role": "user", "content": msg.text})
                continue
            content: list[dict[str, Any]] = []
            for part in msg.parts:
                if isinstance(part, Text):
                    content.append({"type": "input_text", "text": part.text})
                else:
                    content.append(
                        {
                            "type": "input_image",
                            "image_url": f"data:{part.media_type};base64,{part.data_base64}",
                        }
                    )
            items.append({"role": "user", "content": content})
        elif isinstance(msg, AssistantMessage):
            mine = passes_back(msg, kind)
            # OpenAI refuses an output item passed back by its id without the reasoning
            # item it followed: once one is left out, the items after it go without ids
            unlinked = False
            for p in msg.parts:
                data = dict(p.provider_data) if mine and p.provider_data else None
                if isinstance(p, Reasoning):
                    if data is not None and data.get("encrypted_content"):
                        items.append(data)
                    else:
                        unlinked = True
                    continue
                if unlinked and data is not None:
                    data.pop("id", None)
                if isinstance(p, Text):
                    if data is not None and data.get("type") == "message":
                        items.append(data)
                    elif p.text:
                        items.append({"role": "assistant", "content": p.text})
                else:
                    if data is not None and data.get("type") == "function_call":
                        items.append(data)
                    else:
                        items.append(
                            {
                                "type": "function_call",
                                "call_id": p.id,
                                "name": p.name,
                                "arguments": p.arguments,
                            }
                        )
        else:
            items.extend(
                {"type": "function_call_output", "call_id": r.call_id, "output": r.content}
                for r in msg.results
            )
    return items
