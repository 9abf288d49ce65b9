"""The protocol-neutral conversation: order and opaque provider data kept, roles checked."""

from __future__ import annotations

import json

import pytest

from modelduel.attachments import Attachment
from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Image,
    Reasoning,
    Text,
    ToolCall,
    ToolResultMessage,
    ToolReturn,
    UserMessage,
    user_message,
)
from modelduel.conversation_json import conversation_from_json, conversation_to_json

THINKING = {"type": "thinking", "thinking": "Check the log.", "signature": "EqQBCkYIBxgCKkC+/=="}
REDACTED = {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"}


def loop() -> Conversation:
    ask = UserMessage((Text("Why is CI red?"),))
    calls = AssistantMessage(
        (
            Reasoning("Check the log.", THINKING),
            Reasoning("", REDACTED),
            Text("Let me look.", {"id": "msg_1", "phase": "commentary"}),
            ToolCall("toolu_1", "get_ci_log", "{}"),
            ToolCall(
                "toolu_2", "run_command", '{"command": "git show"}', {"thoughtSignature": "c2ln"}
            ),
        ),
        protocol="anthropic",
        model="claude-opus-4-7",
        response_id="msg_01",
        finish_reason="tool_use",
    )
    results = ToolResultMessage(
        (
            ToolReturn("toolu_1", "get_ci_log", "2 failed"),
            ToolReturn("toolu_2", "run_command", "bash: nope", is_error=True),
        )
    )
    answer = AssistantMessage((Text("## Findings\n..."),), protocol="anthropic")
    return Conversation("system words").add(ask, calls, results, answer)


def test_parts_and_opaque_data_survive_verbatim_and_in_order() -> None:
    convo = loop()
    calls = convo.messages[1]
    assert isinstance(calls, AssistantMessage)
    kinds = [type(p).__name__ for p in calls.parts]
    assert kinds == ["Reasoning", "Reasoning", "Text", "ToolCall", "ToolCall"]
    first = calls.parts[0]
    assert isinstance(first, Reasoning) and first.provider_data == THINKING
    assert [c.id for c in calls.tool_calls] == ["toolu_1", "toolu_2"]
    assert calls.tool_calls[1].provider_data == {"thoughtSignature": "c2ln"}
    assert calls.text == "Let me look."


def test_json_round_trip_is_lossless() -> None:
    convo = loop()
    text = json.dumps(conversation_to_json(convo))
    assert conversation_from_json(json.loads(text)) == convo


def test_turns_and_a_rerun_of_the_last_one() -> None:
    convo = loop().add(UserMessage((Text("Now add a test."),)))
    convo = convo.add(AssistantMessage((Text("Here."),)))
    turns = convo.turns()
    assert len(turns) == 2 and turns[0].tool_rounds == 1 and turns[1].tool_rounds == 0
    answer = turns[0].answer
    assert answer is not None and answer.text == "## Findings\n..."
    before = convo.without_last_turn()
    assert before == loop()  # the earlier turn untouched
    assert Conversation().without_last_turn() == Conversation()


def test_roles_must_alternate_and_results_answer_the_calls_in_order() -> None:
    base = loop()
    with pytest.raises(ValueError, match="two assistant messages"):
        base.add(AssistantMessage((Text("again"),)))
    pending = Conversation().add(
        UserMessage((Text("q"),)), AssistantMessage((ToolCall("c1", "t", "{}"),))
    )
    with pytest.raises(ValueError, match="must be answered before a user message"):
        pending.add(UserMessage((Text("q2"),)))
    with pytest.raises(ValueError, match=r"answer \['c2'\], the calls were \['c1'\]"):
        pending.add(ToolResultMessage((ToolReturn("c2", "t", "x"),)))
    with pytest.raises(ValueError, match="must follow an assistant message"):
        Conversation().add(ToolResultMessage((ToolReturn("c1", "t", "x"),)))
    with pytest.raises(ValueError, match="two user messages"):
        Conversation().add(UserMessage((Text("a"),)), UserMessage((Text("b"),)))


def test_a_user_message_with_attachments() -> None:
    text = Attachment("notes.md", "text", "text/plain", b"hello\n", text="hello\n")
    img = Attachment("shot.png", "image", "image/png", b"\x89PNG", width=1, height=1)
    msg = user_message("Look at these.", [img, text])
    assert msg.parts == (
        Text("Look at these.\n\nAttached file: notes.md\n```\nhello\n```"),
        Image("image/png", "iVBORw==", "shot.png"),
    )
    assert msg.text.startswith("Look at these.")
