"""Follow-up turns as each provider checks them: what a correct client sends back.

Anthropic Messages: a `thinking` block goes back only with its `signature` (a stream cut
before its `signature_delta` leaves none, and the API answers 400 to an unsigned block),
a `redacted_thinking` block only with its `data`, and an assistant turn left empty is not
sent (the API refuses "all messages must have non-empty content except for the optional
final assistant message"). The signature case runs against the project's simulator, which
checks every thinking block it is sent as the API does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Reasoning,
    Text,
    user_message,
)
from modelduel.events import ConversationState
from modelduel.providers.base import ModelRequest
from modelduel.providers.registry import get_adapter
from modelduel.simulator import SimulatorHandle, run_in_thread
from tests.support.engine import SIM_FAST as FAST
from tests.support.engine import run_plan as run
from tests.support.engine import sim_plan as plan


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=12) as handle:
        yield handle


def _messages(conv: Conversation) -> list[dict[str, Any]]:
    request = ModelRequest(model_id="claude-opus-4-7", prompt="", conversation=conv)
    body = get_adapter("anthropic").build_payload(request)
    return list(body["messages"])


def _thinking_turn(sim: SimulatorHandle) -> Conversation:
    """A real first turn from the simulator: the user's prompt and a signed thinking reply."""
    p = plan(sim, "anthropic", None, keep_conversation=True)
    headers = {**FAST, "x-simulate-reasoning-ms": "30"}
    p = replace(p, request=replace(p.request, extra_headers=tuple(headers.items())))
    (state,) = run(p).of(ConversationState)
    return state.conversation


def test_an_unsigned_thinking_block_is_not_sent_back(sim: SimulatorHandle) -> None:
    conv = _thinking_turn(sim)
    reply = conv.messages[1]
    assert isinstance(reply, AssistantMessage)
    signed = [p for p in reply.parts if isinstance(p, Reasoning)]
    assert signed and all(p.provider_data and p.provider_data["signature"] for p in signed)
    # what the parser keeps when the stream ends before the signature_delta
    cut = replace(
        reply,
        parts=tuple(
            replace(p, provider_data={**p.provider_data, "signature": ""})
            if isinstance(p, Reasoning) and p.provider_data
            else p
            for p in reply.parts
        ),
    )
    follow = Conversation(conv.system, (conv.messages[0], cut, user_message("And then?")))
    sent = _messages(follow)
    assert [b["type"] for b in sent[1]["content"]] == ["text"]
    p = plan(sim, "anthropic", None)
    s = run(replace(p, request=replace(p.request, conversation=follow))).stats()
    assert s.error is None, s.error  # the simulator answers 400 to an unsigned block
    assert s.text


def test_a_signed_thinking_block_still_goes_back_unchanged(sim: SimulatorHandle) -> None:
    conv = _thinking_turn(sim)
    follow = Conversation(conv.system, (*conv.messages, user_message("And then?")))
    sent = _messages(follow)
    reply = conv.messages[1]
    assert isinstance(reply, AssistantMessage)
    thinking = next(p for p in reply.parts if isinstance(p, Reasoning))
    assert sent[1]["content"][0] == thinking.provider_data
    p = plan(sim, "anthropic", None)
    assert run(replace(p, request=replace(p.request, conversation=follow))).stats().error is None


def _assistant(*parts: Any) -> AssistantMessage:
    return AssistantMessage(tuple(parts), "anthropic", "claude-opus-4-7", None, "stop")


def test_redacted_thinking_goes_back_with_its_data_and_not_without() -> None:
    kept = Reasoning("", {"type": "redacted_thinking", "data": "ENCRYPTED"})
    lost = Reasoning("", {"type": "redacted_thinking", "data": None})
    conv = Conversation(
        None, (user_message("q"), _assistant(kept, lost, Text("a")), user_message("q2"))
    )
    assert _messages(conv)[1]["content"] == [
        {"type": "redacted_thinking", "data": "ENCRYPTED"},
        {"type": "text", "text": "a"},
    ]


@pytest.mark.parametrize(
    "parts",
    [
        (),
        (Text(""),),
        (Text("  \n"),),
        (Reasoning("half a thought", {"type": "thinking", "thinking": "half", "signature": ""}),),
    ],
    ids=["no-parts", "empty-text", "blank-text", "only-unsigned-thinking"],
)
def test_an_empty_assistant_turn_is_left_out_and_the_user_turns_join(
    parts: tuple[Any, ...],
) -> None:
    conv = Conversation(None, (user_message("first"), _assistant(*parts), user_message("second")))
    sent = _messages(conv)
    assert all(m["content"] for m in sent)  # the API's non-empty content rule
    assert sent == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "first"}, {"type": "text", "text": "second"}],
        }
    ]
