"""Gemini's conversation rules, as the simulator checks them (each answered with the API's
own 400 message): in the current turn (since the last user text), the first
`functionCall` part of each model turn carries its `thoughtSignature` (Gemini 3); a
function-call turn is answered with as many `functionResponse` parts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from modelduel.simulator.conversation_common import bad_request, schema_of
from modelduel.simulator.tools import Conversation, ToolDecl

__all__ = ["gemini_conversation"]


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
                conv.tools.append(ToolDecl(decl["name"], _lower_types(schema_of(schema))))
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
                raise bad_request(
                    _MISSING_SIGNATURE.format(name=fcs[0].get("name"), position=i + 1)
                )
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
                raise bad_request(
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
            out[key] = {k: _lower_types(schema_of(v)) for k, v in value.items()}
        elif key == "items" and isinstance(value, Mapping):
            out[key] = _lower_types(value)
        else:
            out[key] = value
    return out
