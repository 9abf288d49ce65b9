"""Gemini requests (`:generateContent`, `:streamGenerateContent`): `parse_gemini` checks a
body the way the real API does and gives the `SimRequest` the writer (`wire_gemini`)
answers.

What it refuses, with the API's own message: unknown top-level fields, wrong types in
`contents` and `generationConfig`, a thinking level or budget the model does not take.
"""

from __future__ import annotations

import json
from typing import Any

from modelduel.simulator.checks import text_of_content
from modelduel.simulator.families import gemini_levels
from modelduel.simulator.generation import Rejection, SimRequest
from modelduel.simulator.profile_model import Profile

__all__ = ["parse_gemini"]

_KNOWN_FIELDS = frozenset(
    [
        "contents",
        "systemInstruction",
        "system_instruction",
        "generationConfig",
        "generation_config",
        "safetySettings",
        "safety_settings",
        "tools",
        "toolConfig",
        "tool_config",
        "cachedContent",
        "cached_content",
        "labels",
        "model",
    ]
)
_LEVELS = ("minimal", "low", "medium", "high", "xhigh")  # google-genai's ThinkingLevel


def _invalid_value(path: str, proto_type: str, value: Any) -> Rejection:
    return Rejection(
        "bad_request",
        f"Invalid value at '{path}' ({proto_type}), {json.dumps(value)}",
        param=path,
    )


def parse_gemini(body: dict[str, Any], model: str, profile: Profile) -> SimRequest:
    """A validated generateContent request (camelCase or snake_case fields).

    Raises:
        Rejection: what the real API rejects: unknown top-level fields, missing
            contents, wrong types in the generation config.
    """
    for name in body:
        if name not in _KNOWN_FIELDS:
            raise Rejection(
                "bad_request",
                f'Invalid JSON payload received. Unknown name "{name}": Cannot find field.',
            )
    contents = body.get("contents")
    if not contents:
        raise Rejection(
            "bad_request",
            "* GenerateContentRequest.contents: contents is not specified\n",
            param="contents",
        )
    if not isinstance(contents, list):
        raise _invalid_value(
            "contents", "type.googleapis.com/google.ai.generativelanguage.v1beta.Content", contents
        )
    texts: list[str] = []
    system = body.get("systemInstruction", body.get("system_instruction"))
    if isinstance(system, dict):
        texts.append(
            text_of_content(system.get("parts", []), ("text",), "system_instruction.parts")
        )
    elif isinstance(system, str):
        texts.append(system)
    user: list[str] = []
    for i, content in enumerate(contents):
        if not isinstance(content, dict):
            raise _invalid_value(f"contents[{i}]", "TYPE_MESSAGE", content)
        parts = content.get("parts", [])
        if not isinstance(parts, list):
            raise _invalid_value(f"contents[{i}].parts", "TYPE_MESSAGE", parts)
        text = text_of_content(parts, ("text",), f"contents[{i}].parts")
        (texts if content.get("role") == "model" else user).append(text)

    config = body.get("generationConfig", body.get("generation_config")) or {}
    if not isinstance(config, dict):
        raise _invalid_value("generation_config", "TYPE_MESSAGE", config)
    max_tokens = config.get("maxOutputTokens", config.get("max_output_tokens"))
    if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int)):
        raise _invalid_value("generation_config.max_output_tokens", "TYPE_INT32", max_tokens)
    thinking = config.get("thinkingConfig", config.get("thinking_config")) or {}
    if not isinstance(thinking, dict):
        raise _invalid_value("generation_config.thinking_config", "TYPE_MESSAGE", thinking)
    level = thinking.get("thinkingLevel", thinking.get("thinking_level"))
    if level is not None and str(level).lower() not in _LEVELS:
        raise _invalid_value("generation_config.thinking_config.thinking_level", "TYPE_ENUM", level)
    include = thinking.get("includeThoughts", thinking.get("include_thoughts", False))
    if not isinstance(include, bool):
        raise _invalid_value(
            "generation_config.thinking_config.include_thoughts", "TYPE_BOOL", include
        )
    budget = thinking.get("thinkingBudget", thinking.get("thinking_budget"))
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int)):
        raise _invalid_value(
            "generation_config.thinking_config.thinking_budget", "TYPE_INT32", budget
        )
    effort = str(level).lower() if level is not None else None
    if effort is not None:
        _check_level(model, effort, budget)
    if budget == 0:
        if "pro" in model:
            raise Rejection(
                "bad_request", "Budget 0 is invalid. This model only works in thinking mode."
            )
        effort = "none"
    reasoning_on = profile.reasons and effort != "none"
    return SimRequest(
        protocol="gemini",
        stream=False,
        model=model,
        prompt="\n\n".join(user),
        input_texts=texts + user,
        max_tokens=max_tokens,
        effort=effort,
        reasoning_on=reasoning_on,
        reasoning_shown=reasoning_on and include,
    )


def _check_level(model: str, level: str, budget: Any) -> None:
    """Reject a thinking level this model does not take, or one sent with a budget.

    Raises:
        Rejection: INVALID_ARGUMENT naming the field and the levels the model takes.
    """
    field = "generation_config.thinking_config.thinking_level"
    if budget is not None:
        raise Rejection(
            "bad_request",
            "You can only set one of thinking budget and thinking level.",
            param=field,
        )
    levels = gemini_levels(model)
    if level not in levels:
        supported = ", ".join(v.upper() for v in levels) or "none (use thinking_budget)"
        raise Rejection(
            "bad_request",
            f"Thinking level {level.upper()} is not supported for this model. "
            f"Supported levels: {supported}.",
            param=field,
        )
