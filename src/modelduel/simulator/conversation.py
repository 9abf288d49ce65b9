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

Each protocol's reader lives beside its rules: `conversation_openai` (Responses and Chat
Completions), `conversation_anthropic` (with the thinking signatures),
`conversation_gemini`; `conversation_common` holds what they share. This module picks
the reader for a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelduel.simulator.conversation_anthropic import anthropic_conversation
from modelduel.simulator.conversation_gemini import gemini_conversation
from modelduel.simulator.conversation_openai import chat_conversation, responses_conversation
from modelduel.simulator.tools import Conversation

__all__ = ["read_conversation"]


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
