"""Anthropic's conversation rules, as the simulator checks them (each answered with the
API's own 400 message), and the thinking signatures they check.

A `thinking` block passed back needs its `signature`, unchanged (the simulator signs the
thinking text with `sign_thinking`, so an edited block is caught too); with thinking on,
the assistant turn of the current tool loop starts with its thinking block; a
`tool_result` answers a `tool_use` of the turn before it and every `tool_use` is
answered in the next turn.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from modelduel.simulator.conversation_common import bad_request, schema_of, text_of
from modelduel.simulator.generation import Rejection
from modelduel.simulator.tools import Conversation, ToolDecl

__all__ = ["anthropic_conversation", "sign_thinking", "signature_matches"]

_SIGNING_KEY = b"modelduel-simulator-thinking"


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
            raise bad_request(f"tools.{i}.custom.name: Field required", f"tools.{i}.custom.name")
        if "input_schema" not in tool:
            raise bad_request(
                f"tools.{i}.custom.input_schema: Field required", f"tools.{i}.custom.input_schema"
            )
        conv.tools.append(ToolDecl(tool["name"], schema_of(tool.get("input_schema"))))
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
                        raise bad_request(
                            f"messages.{i}.content.{j}.thinking.signature: Field required",
                            f"messages.{i}.content.{j}.thinking.signature",
                        )
                    if not signature_matches(
                        str(block.get("thinking", "")), str(block["signature"])
                    ):
                        raise bad_request(
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
                raise bad_request(
                    f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` "
                    f"blocks: {use_id}. Each `tool_result` block must have a corresponding "
                    "`tool_use` block in the previous message.",
                    f"messages.{i}.content.{j}",
                )
            output = text_of(block.get("content"))
            conv.history_texts.append(output)
            conv.results.append((uses.pop(use_id), output))
        if uses:
            raise _unanswered(i - 1, uses)
        texts = [b for b in blocks if isinstance(b, dict) and b.get("type") == "text"]
        if isinstance(content, str) or texts:
            conv.user_turns += 1
            conv.last_user = text_of(content)
            if not results:
                conv.results = []
                last_loop_assistant = -1
    if thinking_on and last_loop_assistant >= 0 and conv.results:
        first = _first_block(messages[last_loop_assistant])
        if first not in ("thinking", "redacted_thinking"):
            raise bad_request(
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
    return bad_request(
        f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately "
        f"after: {', '.join(uses)}. Each `tool_use` block must have a corresponding "
        "`tool_result` block in the next message.",
        f"messages.{i}",
    )
