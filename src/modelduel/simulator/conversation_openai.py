"""OpenAI's conversation rules, as the simulator checks them (each answered with the API's
own 400 message):

- Responses: a `function_call_output` needs an earlier `function_call` with its
  `call_id`, and every `function_call` needs its output; a `function_call` item passed
  back with the `id` of a call made after reasoning needs that `reasoning` item before it.
  The simulator's ids carry the link (`fc_<rs hex><k>`, REASONING_LINKED_CALL), so the
  check needs no state; an item without an `id` is not checked.
- Chat Completions: a `role: tool` message answers the assistant `tool_calls` just before
  it, by `tool_call_id`; every call gets its answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from modelduel.simulator.conversation_common import bad_request, schema_of, text_of
from modelduel.simulator.tools import Conversation, ToolDecl

__all__ = ["REASONING_LINKED_CALL", "chat_conversation", "responses_conversation"]

REASONING_LINKED_CALL = re.compile(r"fc_([0-9a-f]{50})[0-9a-f]{2}")
"""The id of a simulated call made after reasoning: `fc_` + its reasoning item's hex + k."""


def responses_conversation(body: Mapping[str, Any]) -> Conversation:
    """The conversation of a Responses request (see the module docstring for its rules)."""
    conv = Conversation(
        parallel_allowed=body.get("parallel_tool_calls") is not False,
        calls_allowed=body.get("tool_choice") != "none",
    )
    for i, tool in enumerate(body.get("tools") or []):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            continue
        if not isinstance(tool.get("name"), str) or not tool["name"]:
            raise bad_request(f"Missing required parameter: 'tools[{i}].name'.", f"tools[{i}].name")
        conv.tools.append(ToolDecl(tool["name"], schema_of(tool.get("parameters"))))
    items = body.get("input")
    if not isinstance(items, list):
        conv.last_user = items if isinstance(items, str) else ""
        return conv
    names: dict[str, str] = {}
    answered: set[str] = set()
    reasoning_ids: set[str] = set()
    in_calls = False
    conv.user_turns = 0
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type", "message")
        if kind == "function_call":
            linked = REASONING_LINKED_CALL.fullmatch(str(item.get("id") or ""))
            if linked and f"rs_{linked.group(1)}" not in reasoning_ids:
                raise bad_request(
                    f"Item '{item['id']}' of type 'function_call' was provided without its "
                    f"required 'reasoning' item: 'rs_{linked.group(1)}'.",
                    "input",
                )
            call_id = str(item.get("call_id"))
            names[call_id] = str(item.get("name"))
            conv.history_texts.append(str(item.get("arguments", "")))
            if not in_calls:
                conv.tool_rounds += 1
                conv.results = []
            in_calls = True
            continue
        if kind == "reasoning":
            reasoning_ids.add(str(item.get("id")))
            continue
        in_calls = False
        if kind == "function_call_output":
            call_id = str(item.get("call_id"))
            if call_id not in names:
                raise bad_request(
                    f"No tool call found for function call output with call_id {call_id}.",
                    "input",
                )
            answered.add(call_id)
            output = text_of(item.get("output"))
            conv.history_texts.append(output)
            conv.results.append((names[call_id], output))
        elif kind == "message" and item.get("role", "user") == "user":
            conv.user_turns += 1
            conv.last_user = text_of(item.get("content"))
            conv.results = []
    missing = [c for c in names if c not in answered]
    if missing:
        raise bad_request(f"No tool output found for function call {missing[0]}.", "input")
    conv.user_turns = max(conv.user_turns, 1)
    return conv


# ---------------------------------------------------------------- Chat Completions


def chat_conversation(body: Mapping[str, Any]) -> Conversation:
    """The conversation of a Chat Completions request (see the module docstring)."""
    conv = Conversation(
        parallel_allowed=body.get("parallel_tool_calls") is not False,
        calls_allowed=body.get("tool_choice") != "none",
    )
    for i, tool in enumerate(body.get("tools") or []):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(function, dict):
            raise bad_request(
                f"Missing required parameter: 'tools[{i}].function'.", f"tools[{i}].function"
            )
        if not isinstance(function.get("name"), str) or not function["name"]:
            raise bad_request(
                f"Missing required parameter: 'tools[{i}].function.name'.",
                f"tools[{i}].function.name",
            )
        conv.tools.append(ToolDecl(function["name"], schema_of(function.get("parameters"))))
    messages = body.get("messages") or []
    conv.user_turns = 0
    pending: dict[str, str] = {}  # call id -> tool name, of the assistant turn being answered
    pending_at = -1
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role == "tool":
            call_id = str(message.get("tool_call_id"))
            if pending_at < 0:
                raise bad_request(
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    f"messages.[{i}].role",
                )
            if call_id not in pending:
                raise bad_request(
                    f"Invalid parameter: 'tool_call_id' of '{call_id}' not found in "
                    "'tool_calls' of previous message.",
                    f"messages.[{i}].tool_call_id",
                )
            # Its text is already counted as input by the Chat parser.
            output = text_of(message.get("content"))
            conv.results.append((pending.pop(call_id), output))
            continue
        if pending:
            raise bad_request(
                "An assistant message with 'tool_calls' must be followed by tool messages "
                "responding to each 'tool_call_id'. The following tool_call_ids did not have "
                f"response messages: {', '.join(pending)}",
                f"messages.[{pending_at}].role",
            )
        pending_at = -1
        if role == "assistant" and message.get("tool_calls"):
            pending = {}
            for call in message["tool_calls"]:
                if isinstance(call, dict):
                    function = call.get("function") or {}
                    pending[str(call.get("id"))] = str(function.get("name"))
                    conv.history_texts.append(str(function.get("arguments", "")))
            pending_at = i
            conv.tool_rounds += 1
            conv.results = []
        elif role == "user":
            conv.user_turns += 1
            conv.last_user = text_of(message.get("content"))
            conv.results = []
    if pending:
        raise bad_request(
            "An assistant message with 'tool_calls' must be followed by tool messages "
            "responding to each 'tool_call_id'. The following tool_call_ids did not have "
            f"response messages: {', '.join(pending)}",
            f"messages.[{pending_at}].role",
        )
    conv.user_turns = max(conv.user_turns, 1)
    return conv
