"""OpenAI Chat Completions requests (`/v1/chat/completions`): `parse_chat` checks a body the
way the real API does and gives the `SimRequest` the writer (`wire_chat`) answers.

What it refuses, with the API's own message: missing or empty `messages`, a message
without a role, content of the wrong type, `max_tokens` or a non-default temperature or
top_p sent to a reasoning GPT, `stream_options` without `stream`.
"""

from __future__ import annotations

from typing import Any

from modelduel.simulator.checks import text_of_content
from modelduel.simulator.generation import Rejection, SimRequest
from modelduel.simulator.openai_common import (
    check_effort,
    check_int,
    check_model_effort,
    check_stream,
    is_openai_reasoner,
)
from modelduel.simulator.profile_model import Profile

__all__ = ["parse_chat"]


def parse_chat(body: dict[str, Any], model: str, profile: Profile) -> SimRequest:
    """A validated Chat Completions request.

    Raises:
        Rejection: what the real API rejects (missing messages, wrong types,
            `max_tokens` or a non-default temperature sent to a reasoning GPT).
    """
    stream = check_stream(body)
    messages = body.get("messages")
    if messages is None:
        raise Rejection(
            "bad_request",
            "Missing required parameter: 'messages'.",
            param="messages",
            code="missing_required_parameter",
        )
    if not isinstance(messages, list) or not messages:
        raise Rejection(
            "bad_request",
            "Invalid 'messages': expected a non-empty array.",
            param="messages",
            code="invalid_type",
        )
    texts: list[str] = []
    user: list[str] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or "role" not in message:
            raise Rejection(
                "bad_request",
                f"Missing required parameter: 'messages[{i}].role'.",
                param=f"messages[{i}].role",
                code="missing_required_parameter",
            )
        text = text_of_content(message.get("content") or "", ("text",), f"messages[{i}].content")
        (user if message["role"] == "user" else texts).append(text)
    openai_reasoner = is_openai_reasoner(model)
    effort = check_effort(body.get("reasoning_effort"), "reasoning_effort")
    if openai_reasoner:
        check_model_effort(model, effort, "reasoning_effort")
    if openai_reasoner and body.get("max_tokens") is not None:
        raise Rejection(
            "bad_request",
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            param="max_tokens",
            code="unsupported_parameter",
        )
    max_tokens = check_int(body, "max_completion_tokens")
    if max_tokens is None:
        max_tokens = check_int(body, "max_tokens")
    reasons = profile.reasons and effort != "none"
    if openai_reasoner and reasons:
        for name in ("temperature", "top_p"):
            value = body.get(name)
            if value is not None and value != 1:
                raise Rejection(
                    "bad_request",
                    f"Unsupported value: '{name}' does not support {value} with this model. "
                    "Only the default (1) value is supported.",
                    param=name,
                    code="unsupported_value",
                )
    options = body.get("stream_options") or {}
    if options and not stream:
        raise Rejection(
            "bad_request",
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options",
            code="invalid_value",
        )
    include_usage = bool(options.get("include_usage")) if isinstance(options, dict) else False
    return SimRequest(
        protocol="openai-chat",
        stream=stream,
        model=model,
        prompt="\n\n".join(user),
        input_texts=texts + user,
        max_tokens=max_tokens,
        effort=effort,
        reasoning_on=reasons,
        reasoning_shown=reasons and profile.chat_reasoning_field is not None,
        options={"include_usage": include_usage, "openai": openai_reasoner},
    )
