"""A `Conversation` and its tools as Chat Completions `messages` and `tools` (request side).

The shapes follow the official SDK's types (openai/types/chat/chat_completion_*_message_param.py).
Only text and tool calls go back (reasoning never does); a user message that is text only
goes as a plain string, so a one-message conversation is byte-identical to the
single-prompt request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Text,
    ToolCall,
    ToolSpec,
    UserMessage,
)
from modelduel.providers.common import passes_back, text_only

__all__ = ["chat_messages", "chat_tools"]


def chat_tools(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    """`tools: [{type: function, function: {name, description, parameters}}]`."""
    return [
        {
            "type": "function",
            "function": {
                "name": t.name,
                "description": t.description,
                "parameters": dict(t.parameters),
            },
        }
        for t in tools
    ]


def chat_messages(conv: Conversation, system: str | None) -> list[dict[str, Any]]:
    """The Chat `messages` of a whole conversation (reasoning is never sent back).

    Tool call ids are unique within the conversation, as the servers behind this protocol
    require (OpenRouter's Claude refuses a repeated `tool_use` id, and a repeated id within
    one turn leaves a `tool` message answering nothing): a stream that gave a call no id
    gets a positional one from the parser (`call_0`, `call_1`, ... each round again), so
    an id already used earlier in the conversation is sent renamed, and the `tool`
    messages answering it follow the new name.

    A call's `extra_content` (Gemini's OpenAI-compatible endpoint puts the call's
    `{"google": {"thought_signature": ...}}` there, and Gemini 3 answers 400 when it does
    not come back) goes back unchanged on the call, to the protocol that produced it.
    """
    out: list[dict[str, Any]] = []
    if system:
        out.append({"role": "system", "content": system})
    ids = _UniqueCallIds(conv)
    for msg in conv.messages:
        if isinstance(msg, UserMessage):
            if text_only(msg):
                out.append({"role": "user", "content": msg.text})
            else:
                out.append(
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": p.text}
                            if isinstance(p, Text)
                            else {
                                "type": "image_url",
                                "image_url": {"url": f"data:{p.media_type};base64,{p.data_base64}"},
                            }
                            for p in msg.parts
                        ],
                    }
                )
        elif isinstance(msg, AssistantMessage):
            turn: dict[str, Any] = {"role": "assistant", "content": msg.text or None}
            calls = [p for p in msg.parts if isinstance(p, ToolCall)]
            if calls:
                mine = passes_back(msg, "openai-chat")
                turn["tool_calls"] = []
                for c, call_id in zip(calls, ids.turn([c.id for c in calls]), strict=True):
                    call: dict[str, Any] = {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": c.name, "arguments": c.arguments},
                    }
                    extra = c.provider_data.get("extra_content") if c.provider_data else None
                    if mine and isinstance(extra, dict):
                        call["extra_content"] = extra
                    turn["tool_calls"].append(call)
            out.append(turn)
        else:
            out.extend(
                {"role": "tool", "tool_call_id": ids.answered(r.call_id), "content": r.content}
                for r in msg.results
            )
    return out


class _UniqueCallIds:
    """Call ids as sent: the first use of an id as received, later uses renamed.

    `turn` names an assistant turn's calls in order; `answered` gives the results of the
    turn after it the names their calls went out under (results of an id repeated within
    one turn take its names in call order).
    """

    def __init__(self, conv: Conversation) -> None:
        self._received = {
            c.id for m in conv.messages if isinstance(m, AssistantMessage) for c in m.tool_calls
        }
        self._taken: set[str] = set()
        self._answers: dict[str, list[str]] = {}
        self._n = 0

    def turn(self, call_ids: Sequence[str]) -> list[str]:
        """The ids one assistant turn's calls go out under, in order."""
        self._answers = {}
        names: list[str] = []
        for call_id in call_ids:
            name = call_id
            while not name or name in self._taken:
                self._n += 1
                name = f"call_md{self._n}"
                if name in self._received:
                    name = ""  # never rename onto an id the conversation holds
            self._taken.add(name)
            names.append(name)
            self._answers.setdefault(call_id, []).append(name)
        return names

    def answered(self, call_id: str) -> str:
        """The id a result for `call_id` names: its call's, as sent."""
        names = self._answers.get(call_id)
        if not names:
            return call_id
        return names.pop(0) if len(names) > 1 else names[0]
