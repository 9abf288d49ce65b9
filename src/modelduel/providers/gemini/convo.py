"""A `Conversation` and its tools as Gemini `contents` and `tools` (request side).

The shapes follow google-genai's types (google/genai/types.py Part, FunctionResponse).
Each `thoughtSignature` goes back verbatim on its part from `provider_data`, and only to
the protocol that produced it (the rules are in `modelduel.conversation`'s docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Reasoning,
    Text,
    ToolResultMessage,
    ToolSpec,
    UserMessage,
)
from modelduel.providers.common import arguments_object, passes_back

__all__ = ["gemini_contents", "gemini_tools"]


def gemini_tools(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    """`tools: [{functionDeclarations: [{name, description, parametersJsonSchema}]}]`.

    `parametersJsonSchema` takes JSON Schema as written; `parameters` would take only
    Gemini's OpenAPI subset (it refuses `additionalProperties`, for one).
    """
    return [
        {
            "functionDeclarations": [
                {
                    "name": t.name,
                    "description": t.description,
                    "parametersJsonSchema": dict(t.parameters),
                }
                for t in tools
            ]
        }
    ]


def gemini_contents(conv: Conversation) -> list[dict[str, Any]]:
    """The `contents` of a whole conversation, `user` / `model` turns.

    A model turn's parts go back as received, each `thoughtSignature` on its own part
    (never invented for a part that had none); results are `functionResponse` parts by
    name (and id when the call had one), in call order, in a user turn.
    """
    out: list[dict[str, Any]] = []

    def user_parts(parts: list[dict[str, Any]]) -> None:
        if out and out[-1]["role"] == "user":
            out[-1] = {"role": "user", "parts": [*out[-1]["parts"], *parts]}
        else:
            out.append({"role": "user", "parts": parts})

    for msg in conv.messages:
        if isinstance(msg, UserMessage):
            user_parts(
                [
                    {"text": p.text}
                    if isinstance(p, Text)
                    else {"inlineData": {"mimeType": p.media_type, "data": p.data_base64}}
                    for p in msg.parts
                ]
            )
        elif isinstance(msg, AssistantMessage):
            mine = passes_back(msg, "gemini")
            parts: list[dict[str, Any]] = []
            for p in msg.parts:
                data = dict(p.provider_data) if mine and p.provider_data else {}
                part: dict[str, Any]
                if isinstance(p, Reasoning):
                    if not mine:
                        continue
                    part = {"text": p.text, "thought": True}
                elif isinstance(p, Text):
                    part = {"text": p.text}
                else:
                    call: dict[str, Any] = {"name": p.name, "args": arguments_object(p.arguments)}
                    if data.get("id"):
                        call["id"] = data["id"]
                    part = {"functionCall": call}
                if data.get("thoughtSignature"):
                    part["thoughtSignature"] = data["thoughtSignature"]
                parts.append(part)
            out.append({"role": "model", "parts": parts})
        else:
            responses: list[dict[str, Any]] = []
            calls = _calls_before(conv, msg)
            for r in msg.results:
                response: dict[str, Any] = {
                    "name": r.name,
                    "response": {"error": r.content} if r.is_error else {"output": r.content},
                }
                gemini_id = calls.get(r.call_id)
                if gemini_id:
                    response["id"] = gemini_id
                responses.append({"functionResponse": response})
            user_parts(responses)
    return out


def _calls_before(conv: Conversation, results: ToolResultMessage) -> dict[str, str]:
    """call id -> Gemini's own function call id, for the calls `results` answers."""
    index = conv.messages.index(results)
    prev = conv.messages[index - 1] if index else None
    if not isinstance(prev, AssistantMessage) or not passes_back(prev, "gemini"):
        return {}
    return {
        c.id: str(c.provider_data["id"])
        for c in prev.tool_calls
        if c.provider_data and c.provider_data.get("id")
    }
