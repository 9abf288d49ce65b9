"""Multi-turn requests: what a conversation holds, and the providers' rules for it.

Each reader takes a request body in one wire format, checks it the way the real
API does, and returns a `tools.Conversation` (declared tools, tool rounds so far,
the latest tool results, the user turn count). The rules, each answered with the
provider's own 400 message:

- Responses: a `function_call_output` needs an earlier `function_call` with its
  `call_id`, and every `function_call` needs its output; a `function_call` item passed
  back with the `id` of a call made after reasoning needs that `reasoning` item before it
  (OpenAI: "Item 'fc_...' of type 'function_call' was provided without its required
  'reasoning' item: 'rs_...'"). The simulator's ids carry the link (`fc_<rs hex><k>`), so
  the check needs no state; an item without an `id` is not checked.
  (`previous_response_id` continues a stored response: the app prepends its items,
  or answers 404 `previous_response_not_found` for an id it never stored.)
- Chat Completions: a `role: tool` message answers the assistant `tool_calls`
  just before it, by `tool_call_id`; every call gets its answer.
- Anthropic: a `thinking` block passed back needs its `signature`, unchanged (the
  simulator signs the thinking text, so an edited block is caught too); with
  thinking on, the assistant turn of the current tool loop starts with its
  thinking block; a `tool_result` answers a `tool_use` of the turn before it and
  every `tool_use` is answered in the next turn.
- Gemini 3: in the current turn (since the last user text), the first
  `functionCall` part of each model turn carries its `thoughtSignature`; a
  function-call turn is answered with as many `functionResponse` parts.

The four readers share one module, past 400 lines, so the providers' rules can be
compared side by side; each is a single function.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from modelduel.simulator.plan import Rejection
from modelduel.simulator.tools import Conversation, ToolDecl

__all__ = [
    "anthropic_conversation",
    "chat_conversation",
    "gemini_conversation",
    "read_conversation",
    "responses_conversation",
    "sign_thinking",
    "signature_matches",
]

_SIGNING_KEY = b"modelduel-simulator-thinking"
REASONING_LINKED_CALL = re.compile(r"fc_([0-9a-f]{50})[0-9a-f]{2}")
"""The id of a simulated call made after reasoning: `fc_` + its reasoning item's hex + k."""


def sign_thinking(text: str, filler: bytes) -> str:
    """An opaque base64 signature that binds `text` (checked by `signature_matches`)."""
    mac = hashlib.sha256(_SIGNING_KEY + text.encode()).digest()
    return base64.b64encode(b"\x12\x08" + mac + filler).decode()


def signature_matches(text: str, signature: str) -> bool:
    """Whether `signature` was made by `sign_thinking` for exactly this text."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (ValueError, TypeError):
        return False
    return raw[2:34] == hashlib.sha256(_SIGNING_KEY + text.encode()).digest()


def _text(content: Any, types: tuple[str, ...] = ("text", "input_text", "output_text")) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(p.get("text", "")) if isinstance(p, dict) else str(p)
            for p in content
            if isinstance(p, str) or (isinstance(p, dict) and p.get("type", types[0]) in types)
        )
    if content is None:
        return ""
    return json.dumps(content, ensure_ascii=False)


def _bad(message: str, param: str | None = None) -> Rejection:
    return Rejection("bad_request", message, param=param)


def _schema(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def read_conversation(
    protocol: str, body: Mapping[str, Any], model: str, *, thinking_on: bool
) -> Conversation:
    """The conversation of a request in `protocol`'s format, checked by its rules.

    Args:
        thinking_on: the model thinks on this request (Anthropic's thinking-first rule).

    Raises:
        Rejection: the conversation breaks one of the provider's rules.
    """
    if protocol == "openai":
        return responses_conversation(body)
    if protocol == "openai-chat":
        return chat_conversation(body)
    if protocol == "anthropic":
        return anthropic_conversation(body, thinking_on)
    return gemini_conversation(body, model)


# ---------------------------------------------------------------- OpenAI Responses


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
            raise _bad(f"Missing required parameter: 'tools[{i}].name'.", f"tools[{i}].name")
        conv.tools.append(ToolDecl(tool["name"], _schema(tool.get("parameters"))))
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
                raise _bad(
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
                raise _bad(
                    f"No tool call found for function call output with call_id {call_id}.",
                    "input",
                )
            answered.add(call_id)
            output = _text(item.get("output"))
            conv.history_texts.append(output)
            conv.results.append((names[call_id], output))
        elif kind == "message" and item.get("role", "user") == "user":
            conv.user_turns += 1
            conv.last_user = _text(item.get("content"))
            conv.results = []
    missing = [c for c in names if c not in answered]
    if missing:
        raise _bad(f"No tool output found for function call {missing[0]}.", "input")
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
            raise _bad(
                f"Missing required parameter: 'tools[{i}].function'.", f"tools[{i}].function"
            )
        if not isinstance(function.get("name"), str) or not function["name"]:
            raise _bad(
                f"Missing required parameter: 'tools[{i}].function.name'.",
                f"tools[{i}].function.name",
            )
        conv.tools.append(ToolDecl(function["name"], _schema(function.get("parameters"))))
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
                raise _bad(
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    f"messages.[{i}].role",
                )
            if call_id not in pending:
                raise _bad(
                    f"Invalid parameter: 'tool_call_id' of '{call_id}' not found in "
                    "'tool_calls' of previous message.",
                    f"messages.[{i}].tool_call_id",
                )
            # Its text is already counted as input by the Chat parser.
            output = _text(message.get("content"))
            conv.results.append((pending.pop(call_id), output))
            continue
        if pending:
            raise _bad(
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
            conv.last_user = _text(message.get("content"))
            conv.results = []
    if pending:
        raise _bad(
            "An assistant message with 'tool_calls' must be followed by tool messages "
            "responding to each 'tool_call_id'. The following tool_call_ids did not have "
            f"response messages: {', '.join(pending)}",
            f"messages.[{pending_at}].role",
        )
    conv.user_turns = max(conv.user_turns, 1)
    return conv


# ---------------------------------------------------------------- Anthropic Messages

_THINKING_FIRST = (
    "messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
    "`{found}`. When `thinking` is enabled, a final `assistant` message must start with a "
    "thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). "
    "We recommend you include thinking blocks from previous turns. To avoid this "
    "requirement, disable `thinking`. Please consult our documentation at "
    "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
)


def anthropic_conversation(body: Mapping[str, Any], thinking_on: bool) -> Conversation:
    """The conversation of a Messages request (see the module docstring for its rules)."""
    found = body.get("tool_choice")
    choice: dict[str, Any] = found if isinstance(found, dict) else {}
    conv = Conversation(
        parallel_allowed=not choice.get("disable_parallel_tool_use", False),
        calls_allowed=choice.get("type") != "none",
    )
    for i, tool in enumerate(body.get("tools") or []):
        if not isinstance(tool, dict) or tool.get("type") not in (None, "custom"):
            continue  # server tools (web search...) are not the model's calls to make
        if not isinstance(tool.get("name"), str):
            raise _bad(f"tools.{i}.custom.name: Field required", f"tools.{i}.custom.name")
        if "input_schema" not in tool:
            raise _bad(
                f"tools.{i}.custom.input_schema: Field required", f"tools.{i}.custom.input_schema"
            )
        conv.tools.append(ToolDecl(tool["name"], _schema(tool.get("input_schema"))))
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    conv.user_turns = 0
    uses: dict[str, str] = {}  # tool_use id -> name, of the assistant turn just before
    last_loop_assistant = -1
    for i, message in enumerate(messages):
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        if message.get("role") == "assistant":
            if uses:
                raise _unanswered(i - 1, uses)
            uses = {}
            for j, block in enumerate(blocks):
                if not isinstance(block, dict):
                    continue
                kind = block.get("type")
                if kind == "thinking":
                    if "signature" not in block:
                        raise _bad(
                            f"messages.{i}.content.{j}.thinking.signature: Field required",
                            f"messages.{i}.content.{j}.thinking.signature",
                        )
                    if not signature_matches(
                        str(block.get("thinking", "")), str(block["signature"])
                    ):
                        raise _bad(
                            f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block",
                            f"messages.{i}.content.{j}",
                        )
                elif kind == "tool_use":
                    uses[str(block.get("id"))] = str(block.get("name"))
                    conv.history_texts.append(json.dumps(block.get("input", {})))
            if uses:
                conv.tool_rounds += 1
                conv.results = []
                last_loop_assistant = i
            continue
        results = [b for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result"]
        if uses and not results and i < len(messages):
            raise _unanswered(i - 1, uses)
        for j, block in enumerate(blocks):
            if not isinstance(block, dict) or block.get("type") != "tool_result":
                continue
            use_id = str(block.get("tool_use_id"))
            if use_id not in uses:
                raise _bad(
                    f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` "
                    f"blocks: {use_id}. Each `tool_result` block must have a corresponding "
                    "`tool_use` block in the previous message.",
                    f"messages.{i}.content.{j}",
                )
            output = _text(block.get("content"))
            conv.history_texts.append(output)
            conv.results.append((uses.pop(use_id), output))
        if uses:
            raise _unanswered(i - 1, uses)
        texts = [b for b in blocks if isinstance(b, dict) and b.get("type") == "text"]
        if isinstance(content, str) or texts:
            conv.user_turns += 1
            conv.last_user = _text(content)
            if not results:
                conv.results = []
                last_loop_assistant = -1
    if thinking_on and last_loop_assistant >= 0 and conv.results:
        first = _first_block(messages[last_loop_assistant])
        if first not in ("thinking", "redacted_thinking"):
            raise _bad(
                _THINKING_FIRST.format(i=last_loop_assistant, found=first),
                f"messages.{last_loop_assistant}.content.0.type",
            )
    conv.user_turns = max(conv.user_turns, 1)
    return conv


def _first_block(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("type"))
    return "text"


def _unanswered(i: int, uses: Mapping[str, str]) -> Rejection:
    return _bad(
        f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately "
        f"after: {', '.join(uses)}. Each `tool_use` block must have a corresponding "
        "`tool_result` block in the next message.",
        f"messages.{i}",
    )


# ---------------------------------------------------------------- Gemini

_MISSING_SIGNATURE = (
    "Function call is missing a thought_signature in functionCall parts. This is required "
    "for tools to work correctly, and missing thought_signature may lead to degraded model "
    "performance. Additional data, function call `default_api:{name}` , position {position}. "
    "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
)


def _get(obj: Mapping[str, Any], camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake))


def gemini_conversation(body: Mapping[str, Any], model: str) -> Conversation:
    """The conversation of a generateContent request (see the module docstring)."""
    config = _get(body, "toolConfig", "tool_config") or {}
    calling = _get(config, "functionCallingConfig", "function_calling_config") or {}
    conv = Conversation(calls_allowed=str(calling.get("mode", "AUTO")).upper() != "NONE")
    for tool in body.get("tools") or []:
        if not isinstance(tool, dict):
            continue
        for decl in _get(tool, "functionDeclarations", "function_declarations") or []:
            if isinstance(decl, dict) and isinstance(decl.get("name"), str):
                schema = _get(decl, "parametersJsonSchema", "parameters_json_schema")
                if schema is None:
                    schema = decl.get("parameters")
                conv.tools.append(ToolDecl(decl["name"], _lower_types(_schema(schema))))
    contents = [c for c in body.get("contents") or [] if isinstance(c, dict)]
    strict = model.startswith("gemini-3")
    last_text_turn = -1
    for i, content in enumerate(contents):
        parts = [p for p in content.get("parts") or [] if isinstance(p, dict)]
        if content.get("role", "user") != "model" and any("text" in p for p in parts):
            last_text_turn = i
    conv.user_turns = 0
    calls: list[str] = []
    for i, content in enumerate(contents):
        parts = [p for p in content.get("parts") or [] if isinstance(p, dict)]
        if content.get("role") == "model":
            called = [p for p in parts if _get(p, "functionCall", "function_call")]
            if not called:
                continue
            fcs = [_get(p, "functionCall", "function_call") or {} for p in called]
            signed = _get(called[0], "thoughtSignature", "thought_signature")
            if strict and i > last_text_turn and not signed:
                raise _bad(_MISSING_SIGNATURE.format(name=fcs[0].get("name"), position=i + 1))
            calls = [str(fc.get("name")) for fc in fcs]
            conv.history_texts += [json.dumps(fc.get("args", {})) for fc in fcs]
            conv.tool_rounds += 1
            conv.results = []
            continue
        answers = [
            _get(p, "functionResponse", "function_response")
            for p in parts
            if _get(p, "functionResponse", "function_response")
        ]
        if answers:
            if len(answers) != len(calls):
                raise _bad(
                    "Please ensure that the number of function response parts is equal to the "
                    "number of function call parts of the function call turn."
                )
            for answer in answers:
                output = json.dumps(answer.get("response", {}), ensure_ascii=False)
                response = answer.get("response")
                if isinstance(response, dict) and len(response) == 1:
                    only = next(iter(response.values()))
                    output = only if isinstance(only, str) else output
                conv.history_texts.append(output)
                conv.results.append((str(answer.get("name")), output))
            calls = []
        if any("text" in p for p in parts):
            conv.user_turns += 1
            conv.last_user = "\n".join(str(p.get("text", "")) for p in parts if "text" in p)
            if not answers:
                conv.results = []
    conv.user_turns = max(conv.user_turns, 1)
    return conv


def _lower_types(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """A Gemini `Schema` (types in capitals: OBJECT, STRING) read as JSON Schema."""
    if not schema:
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str):
            out[key] = value.lower()
        elif key == "properties" and isinstance(value, Mapping):
            out[key] = {k: _lower_types(_schema(v)) for k, v in value.items()}
        elif key == "items" and isinstance(value, Mapping):
            out[key] = _lower_types(value)
        else:
            out[key] = value
    return out
