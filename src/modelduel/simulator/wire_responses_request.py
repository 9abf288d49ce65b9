"""OpenAI Responses requests (`/v1/responses`): `parse_responses` checks a body the way
the real API does and gives the `SimRequest` the writer (`wire_responses`) answers.

What it refuses, with the API's own message: wrong types (`instructions`, `input` and its
items, `reasoning`), bad effort or summary values, sampling parameters sent to a
reasoning model.
"""

from __future__ import annotations

import json
from typing import Any

from modelduel.simulator.checks import json_type, text_of_content
from modelduel.simulator.generation import Rejection, SimRequest
from modelduel.simulator.openai_common import (
    SUMMARIES,
    check_effort,
    check_int,
    check_model_effort,
    check_stream,
    is_openai_reasoner,
)
from modelduel.simulator.profile_model import Profile

__all__ = ["parse_responses"]


def parse_responses(body: dict[str, Any], model: str, profile: Profile) -> SimRequest:
    """A validated Responses request.

    Raises:
        Rejection: what the real API rejects (wrong types, sampling parameters sent
            to a reasoning model, bad effort values).
    """
    stream = check_stream(body)
    instructions = body.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise Rejection(
            "bad_request",
            "Invalid type for 'instructions': expected a string, but got "
            f"{json_type(instructions)} instead.",
            param="instructions",
            code="invalid_type",
        )
    raw_input = body.get("input")
    if raw_input is None:
        raise Rejection("bad_request", "Missing required parameter: 'input'.", param="input")
    texts = [instructions] if instructions else []
    user: list[str] = []
    if isinstance(raw_input, str):
        user.append(raw_input)
    elif isinstance(raw_input, list):
        for i, item in enumerate(raw_input):
            if not isinstance(item, dict):
                raise Rejection(
                    "bad_request",
                    f"Invalid type for 'input[{i}]': expected an object, but got "
                    f"{json_type(item)} instead.",
                    param=f"input[{i}]",
                    code="invalid_type",
                )
            text = text_of_content(
                item.get("content", ""),
                ("input_text", "output_text", "text"),
                f"input[{i}].content",
            )
            (user if item.get("role", "user") == "user" else texts).append(text)
    else:
        raise Rejection(
            "bad_request",
            f"Invalid type for 'input': expected a string or an array, but got "
            f"{json_type(raw_input)} instead.",
            param="input",
            code="invalid_type",
        )
    max_tokens = check_int(body, "max_output_tokens", minimum=16)
    reasoning = body.get("reasoning") or {}
    if not isinstance(reasoning, dict):
        raise Rejection(
            "bad_request",
            f"Invalid type for 'reasoning': expected an object, but got {json_type(reasoning)} "
            "instead.",
            param="reasoning",
            code="invalid_type",
        )
    effort = check_effort(reasoning.get("effort"), "reasoning.effort")
    if is_openai_reasoner(model):
        check_model_effort(model, effort, "reasoning.effort")
    summary = reasoning.get("summary")
    if summary is not None and summary not in SUMMARIES:
        raise Rejection(
            "bad_request",
            f"Invalid value: {json.dumps(summary)}. Supported values are: 'auto', 'concise', "
            "and 'detailed'.",
            param="reasoning.summary",
            code="invalid_value",
        )
    reasons = profile.reasons and is_openai_reasoner(model) and effort != "none"
    if reasons:
        # Reasoning GPT-5.x rejects sampling parameters outright.
        for name in ("temperature", "top_p"):
            if name in body and body[name] is not None:
                raise Rejection(
                    "bad_request",
                    f"Unsupported parameter: '{name}' is not supported with this model.",
                    param=name,
                )
    return SimRequest(
        protocol="openai",
        stream=stream,
        model=model,
        prompt="\n\n".join(user),
        input_texts=texts + user,
        max_tokens=max_tokens,
        effort=effort or ("medium" if reasons else None),
        reasoning_on=reasons,
        reasoning_shown=reasons and summary is not None,
        options={
            "instructions": instructions,
            "summary": summary,
            "temperature": body.get("temperature", 1.0),
            "top_p": body.get("top_p", 0.98),
            "encrypted": "reasoning.encrypted_content" in (body.get("include") or []),
            "tools": [t for t in body.get("tools") or [] if isinstance(t, dict)],
            "tool_choice": body.get("tool_choice", "auto"),
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
            "store": body.get("store", True),
            "previous_response_id": body.get("previous_response_id"),
        },
    )
