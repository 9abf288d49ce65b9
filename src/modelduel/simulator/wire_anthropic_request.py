"""Anthropic Messages requests (`/v1/messages`): `parse_anthropic` checks a body the way
the real API does and gives the `SimRequest` the writer (`wire_anthropic`) answers,
with the prompt-cache prefix up to the last `cache_control` breakpoint measured.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from modelduel.simulator.checks import json_type, text_of_content
from modelduel.simulator.conversation_common import schema_of
from modelduel.simulator.families import claude_efforts, claude_is_strict
from modelduel.simulator.generation import Rejection, SimRequest
from modelduel.simulator.profile_model import Profile
from modelduel.simulator.tokens import count_tokens, declared_tool_tokens

__all__ = ["parse_anthropic"]


def _field_required(name: str) -> Rejection:
    return Rejection("bad_request", f"{name}: Field required", param=name)


def parse_anthropic(body: dict[str, Any], model: str, profile: Profile) -> SimRequest:
    """A validated Messages request.

    Raises:
        Rejection: what the real API rejects: missing `max_tokens` or `messages`,
            wrong types, budget thinking or sampling parameters on Claude Opus 4.7,
            an unknown effort level.
    """
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise Rejection("bad_request", "stream: Input should be a valid boolean", param="stream")
    if "max_tokens" not in body:
        raise _field_required("max_tokens")
    max_tokens = body["max_tokens"]
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int):
        raise Rejection(
            "bad_request", "max_tokens: Input should be a valid integer", param="max_tokens"
        )
    if max_tokens < 1:
        raise Rejection(
            "bad_request",
            "max_tokens: Input should be greater than or equal to 1",
            param="max_tokens",
        )
    messages = body.get("messages")
    if messages is None:
        raise _field_required("messages")
    if not isinstance(messages, list):
        raise Rejection("bad_request", "messages: Input should be a valid list", param="messages")
    if not messages:
        raise Rejection(
            "bad_request", "messages: at least one message is required", param="messages"
        )
    texts: list[str] = []
    system = body.get("system")
    if system is not None:
        if not isinstance(system, str | list):
            raise Rejection(
                "bad_request",
                f"system: Input should be a valid string (got {json_type(system)})",
                param="system",
            )
        texts.append(text_of_content(system, ("text",), "system"))
    user: list[str] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise Rejection(
                "bad_request",
                f"messages.{i}: Input should be a valid dictionary",
                param=f"messages.{i}",
            )
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise Rejection(
                "bad_request",
                f"messages.{i}.role: Input should be 'user' or 'assistant'",
                param=f"messages.{i}.role",
            )
        if "content" not in message:
            raise _field_required(f"messages.{i}.content")
        text = text_of_content(message["content"], ("text",), f"messages.{i}.content")
        (user if role == "user" else texts).append(text)

    strict = claude_is_strict(model)  # 4.7 on: adaptive thinking only, no sampling knobs
    if strict:
        for name in ("temperature", "top_p", "top_k"):
            if body.get(name) is not None:
                raise Rejection(
                    "bad_request", f"{name}: is not supported for this model.", param=name
                )
    thinking = body.get("thinking")
    reasoning_on = shown = False
    if thinking is not None:
        if not isinstance(thinking, dict) or thinking.get("type") not in (
            "adaptive",
            "enabled",
            "disabled",
        ):
            raise Rejection(
                "bad_request",
                "thinking: Input tag does not match any of the expected tags: 'adaptive', "
                "'disabled', 'enabled'",
                param="thinking",
            )
        kind = thinking["type"]
        if strict and kind == "enabled":
            raise Rejection(
                "bad_request",
                '"thinking.type.enabled" is not supported for this model. Use '
                '"thinking.type.adaptive" and "output_config.effort" to control thinking behavior.',
                param="thinking",
            )
        reasoning_on = kind != "disabled" and profile.reasons
        display = thinking.get("display")
        # Opus 4.7 streams empty thinking blocks unless a summary is asked for.
        shown = reasoning_on and (display == "summarized" if strict else display != "omitted")
    output_config = body.get("output_config") or {}
    effort = output_config.get("effort") if isinstance(output_config, dict) else None
    efforts = claude_efforts(model)
    if effort is not None and not efforts:
        raise Rejection(
            "bad_request",
            "output_config.effort: This model does not support the effort parameter.",
            param="output_config.effort",
        )
    if effort is not None and effort not in efforts:
        raise Rejection(
            "bad_request",
            f"This model does not support effort level '{effort}'. Supported levels: "
            f"{', '.join(sorted(efforts))}.",
            param="output_config.effort",
        )
    prefix_tokens, ttl, prefix_key = _cache_prefix(body)
    return SimRequest(
        protocol="anthropic",
        stream=stream,
        model=model,
        prompt="\n\n".join(user),
        input_texts=texts + user,
        max_tokens=max_tokens,
        effort=effort,
        reasoning_on=reasoning_on,
        reasoning_shown=shown,
        cache_prefix_tokens=prefix_tokens,
        cache_ttl=ttl,
        options={"cache_prefix_key": prefix_key},
    )


def _cache_prefix(body: dict[str, Any]) -> tuple[int, str, str]:
    """(tokens, ttl, key) of the prompt prefix up to the last `cache_control` breakpoint.

    The cache order is tools, system, then messages; (0, "5m", "") when nothing is
    marked. The key identifies the prefix so a later identical prefix reads it back.
    """
    blocks: list[Any] = list(body.get("tools") or [])
    n_tools = len(blocks)
    system = body.get("system")
    if isinstance(system, list):
        blocks += system
    elif isinstance(system, str):
        blocks.append({"type": "text", "text": system})
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            blocks += content
        elif isinstance(content, str):
            blocks.append({"type": "text", "text": content})
    running = 0
    prefix, ttl, end = 0, "5m", 0
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        if i < n_tools:
            # A tool counts as the input counts it (`plan`: a custom tool its schema, a
            # server tool nothing); counted whole, cached tools outgrew the prompt.
            custom = block.get("type") in (None, "custom")
            running += declared_tool_tokens(schema_of(block.get("input_schema"))) if custom else 0
        else:
            text = block.get("text")
            running += count_tokens(text if isinstance(text, str) else json.dumps(block))
        marker = block.get("cache_control")
        if isinstance(marker, dict):
            prefix, end = running, i + 1
            ttl = "1h" if marker.get("ttl") == "1h" else "5m"
    if not prefix:
        return 0, "5m", ""
    digest = hashlib.sha256(json.dumps(blocks[:end], sort_keys=True).encode()).hexdigest()
    return prefix, ttl, f"{body.get('model')}:{digest}"
