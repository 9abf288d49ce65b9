"""A `Conversation` and its tools in each protocol's wire format (request side).

One builder per protocol, pure functions of the conversation. What a provider must get
back (signatures, reasoning items, thought signatures) is passed back verbatim from the
assistant message's `provider_data`, and only to the protocol that produced it (an
assistant message of another protocol is sent as its text and tool calls). The rules,
per protocol, are in `modelduel.conversation`'s docstring; the shapes were checked
against the official SDKs' types (openai/types/responses/response_input_item_param.py,
anthropic/types/message_param.py & tool_result_block_param.py, google/genai/types.py
Part / FunctionResponse, openai/types/chat/chat_completion_*_message_param.py).

A user message that is text only is sent as a plain string where the protocol allows it
(Responses, Messages, Chat), so a one-message conversation is byte-identical to the
single-prompt request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Image,
    Reasoning,
    Text,
    ToolCall,
    ToolResultMessage,
    ToolSpec,
    UserMessage,
)

__all__ = [
    "chat_messages",
    "chat_tools",
    "gemini_contents",
    "gemini_tools",
    "messages_messages",
    "messages_tools",
    "responses_input",
    "responses_tools",
]


def _text_only(msg: UserMessage) -> bool:
    return all(isinstance(p, Text) for p in msg.parts)


def _mine(msg: AssistantMessage, kind: str) -> bool:
    """Whether this message's provider_data may be passed back to protocol `kind`."""
    return msg.protocol == kind


def _args_object(arguments: str) -> dict[str, Any]:
    """A call's arguments as an object, for protocols that take them parsed ({} if not)."""
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------- OpenAI Responses


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
            if _text_only(msg):
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
            mine = _mine(msg, kind)
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


# ---------------------------------------------------------------- Anthropic Messages


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
            if _text_only(msg):
                user_turn(msg.text)
            else:
                user_turn(
                    [
                        {"type": "text", "text": p.text} if isinstance(p, Text) else _image_block(p)
                        for p in msg.parts
                    ]
                )
        elif isinstance(msg, AssistantMessage):
            mine = _mine(msg, "anthropic")
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
                            "input": _args_object(p.arguments),
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


# ---------------------------------------------------------------- Gemini


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
            mine = _mine(msg, "gemini")
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
                    call: dict[str, Any] = {"name": p.name, "args": _args_object(p.arguments)}
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
    if not isinstance(prev, AssistantMessage) or not _mine(prev, "gemini"):
        return {}
    return {
        c.id: str(c.provider_data["id"])
        for c in prev.tool_calls
        if c.provider_data and c.provider_data.get("id")
    }


# ---------------------------------------------------------------- Chat Completions


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
            if _text_only(msg):
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
                mine = _mine(msg, "openai-chat")
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
