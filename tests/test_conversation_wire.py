"""Conversations, tools and images in each protocol's request format, and tool calls parsed
from each protocol's stream (no network: the adapters are pure translators)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from modelduel.attachments import Attachment
from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Reasoning,
    Text,
    ToolCall,
    ToolResultMessage,
    ToolReturn,
    ToolSpec,
    user_message,
)
from modelduel.core.codec import decode_event_line, encode_event_line
from modelduel.events import (
    AssistantReply,
    ConversationState,
    Finished,
    Stamped,
    ToolCallArgumentsDelta,
    ToolCallDone,
    ToolCallStarted,
    ToolResultReady,
)
from modelduel.providers.base import ModelRequest, SSEEvent
from modelduel.providers.registry import get_adapter
from tests.support.tool_streams import WRITERS, Round

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x03" + b"\x00" * 8
IMAGE = Attachment("pic.png", "image", "image/png", PNG, None, 2, 3)
TOOL = ToolSpec("lookup", "Look up.", {"type": "object", "properties": {"w": {"type": "string"}}})
MODELS = {
    "openai": "gpt-5.5",
    "anthropic": "claude-opus-4-7",
    "gemini": "gemini-3-pro-preview",
    "openai-chat": "m",
}


def body(kind: str, **kw: Any) -> dict[str, Any]:
    return get_adapter(kind).build_payload(ModelRequest(model_id=MODELS[kind], prompt="hi", **kw))


@pytest.mark.parametrize("kind", list(MODELS))
def test_a_one_message_conversation_is_the_single_prompt_body(kind: str) -> None:
    plain = body(kind, system="sys")
    conv = body(kind, system="sys", conversation=Conversation("sys", (user_message("hi"),)))
    assert json.dumps(conv) == json.dumps(plain)


@pytest.mark.parametrize("kind", list(MODELS))
def test_images_go_in_each_protocols_format(kind: str) -> None:
    b64 = IMAGE.base64
    sent = body(kind, conversation=Conversation(None, (user_message("what?", [IMAGE]),)))
    if kind == "openai":
        content = sent["input"][0]["content"]
        assert content == [
            {"type": "input_text", "text": "what?"},
            {"type": "input_image", "image_url": f"data:image/png;base64,{b64}"},
        ]
    elif kind == "anthropic":
        assert sent["messages"][0]["content"][1] == {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": b64},
        }
    elif kind == "gemini":
        assert sent["contents"][0]["parts"][1] == {
            "inlineData": {"mimeType": "image/png", "data": b64}
        }
    else:
        assert sent["messages"][0]["content"][1] == {
            "type": "image_url",
            "image_url": {"url": f"data:image/png;base64,{b64}"},
        }


@pytest.mark.parametrize("kind", list(MODELS))
def test_tools_are_declared_in_each_protocols_format(kind: str) -> None:
    tools = body(kind, tools=(TOOL,))["tools"]
    schema = dict(TOOL.parameters)
    expected = {
        "openai": [
            {"type": "function", "name": "lookup", "description": "Look up.", "parameters": schema}
        ],
        "anthropic": [{"name": "lookup", "description": "Look up.", "input_schema": schema}],
        "gemini": [
            {
                "functionDeclarations": [
                    {"name": "lookup", "description": "Look up.", "parametersJsonSchema": schema}
                ]
            }
        ],
        "openai-chat": [
            {
                "type": "function",
                "function": {"name": "lookup", "description": "Look up.", "parameters": schema},
            }
        ],
    }[kind]
    assert tools == expected


def test_anthropic_passes_thinking_back_unchanged_before_tool_use() -> None:
    thinking = {"type": "thinking", "thinking": "t", "signature": "SIG"}
    redacted = {"type": "redacted_thinking", "data": "ENC"}
    reply = AssistantMessage(
        (Reasoning("t", thinking), Reasoning("", redacted), ToolCall("tu1", "lookup", '{"w":"x"}')),
        "anthropic",
    )
    conv = Conversation(None, (user_message("q"),)).add(
        reply, ToolResultMessage((ToolReturn("tu1", "lookup", "bad", True),))
    )
    msgs = body("anthropic", conversation=conv)["messages"]
    assert msgs[1]["content"] == [
        thinking,
        redacted,
        {"type": "tool_use", "id": "tu1", "name": "lookup", "input": {"w": "x"}},
    ]
    assert msgs[2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "tu1", "content": "bad", "is_error": True}
        ],
    }
    # an assistant message of another protocol never leaks its provider data
    foreign = AssistantMessage((Reasoning("t", thinking), Text("a")), "openai")
    conv2 = Conversation(None, (user_message("q"), foreign, user_message("more")))
    assert body("anthropic", conversation=conv2)["messages"][1]["content"] == [
        {"type": "text", "text": "a"}
    ]


def test_user_turns_after_tool_results_join_them_for_anthropic_and_gemini() -> None:
    call = ToolCall("c1", "lookup", "{}")
    conv = Conversation(None, (user_message("q"),)).add(
        AssistantMessage((call,), "anthropic"),
        ToolResultMessage((ToolReturn("c1", "lookup", "r"),)),
        user_message("next"),
    )
    msgs = body("anthropic", conversation=conv)["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
    assert [b["type"] for b in msgs[2]["content"]] == ["tool_result", "text"]
    contents = body("gemini", conversation=conv)["contents"]
    assert [c["role"] for c in contents] == ["user", "model", "user"]


# ---------------------------------------------------------------- stream parsing


def parse(kind: str, frames: list[bytes], replies: bool = True) -> list[Any]:
    from modelduel.providers.sse import SSEDecoder

    decoder = SSEDecoder()
    parser = get_adapter(kind).new_parser(replies)
    events: list[Any] = []
    for frame in frames:
        for sse in decoder.feed(frame):
            events.extend(parser.feed(sse))
    for sse in decoder.flush():
        events.extend(parser.feed(sse))
    events.extend(parser.close())
    return events


CALLS = [("lookup", {"w": "a"}), ("lookup", {"w": "b"})]


@pytest.mark.parametrize("kind", list(MODELS))
def test_parallel_calls_parse_into_typed_events(kind: str) -> None:
    events = parse(kind, WRITERS[kind](Round(thinking="th", text="x", calls=CALLS), 1))
    starts = [e for e in events if isinstance(e, ToolCallStarted)]
    assert [(s.index, s.name) for s in starts] == [(0, "lookup"), (1, "lookup")]
    done = [e for e in events if isinstance(e, ToolCallDone)]
    assert [json.loads(d.arguments) for d in done] == [{"w": "a"}, {"w": "b"}]
    assert [d.call_id for d in done] == [s.call_id for s in starts]
    assert len({d.call_id for d in done}) == 2
    for d in done:  # the deltas of each call add up to its arguments
        pieces = [e.delta for e in events if isinstance(e, ToolCallArgumentsDelta)]
        assert pieces
        joined = "".join(
            e.delta for e in events if isinstance(e, ToolCallArgumentsDelta) and e.index == d.index
        )
        assert joined == d.arguments
    assert isinstance(events[-1], Finished) and events[-1].reason == "tool_use"
    reply = events[-2]
    assert isinstance(reply, AssistantReply)
    assert [c.arguments for c in reply.message.tool_calls] == [d.arguments for d in done]
    assert reply.message.protocol == kind


def test_chat_interleaved_fragments_are_kept_apart() -> None:
    frames = WRITERS["openai-chat"](Round(calls=CALLS), 1)
    events = parse("openai-chat", frames)
    deltas = [(e.index, e.delta) for e in events if isinstance(e, ToolCallArgumentsDelta)]
    assert [i for i, _ in deltas] == [0, 1, 0, 1]  # interleaved on the wire


def test_anthropic_signature_delta_is_kept_on_its_thinking_block() -> None:
    events = parse("anthropic", WRITERS["anthropic"](Round(thinking="deep", calls=CALLS[:1]), 7))
    reply = next(e for e in events if isinstance(e, AssistantReply)).message
    assert reply.parts[0] == Reasoning(
        "deep", {"type": "thinking", "thinking": "deep", "signature": "sig-round-7"}
    )


def test_gemini_signature_only_on_the_first_parallel_call() -> None:
    events = parse("gemini", WRITERS["gemini"](Round(calls=CALLS), 3))
    reply = next(e for e in events if isinstance(e, AssistantReply)).message
    calls = reply.tool_calls
    assert calls[0].provider_data == {"thoughtSignature": "sig-round-3"}
    assert calls[1].provider_data is None
    out = body("gemini", conversation=Conversation(None, (user_message("q"), reply)))
    parts = out["contents"][1]["parts"]
    assert parts[0]["thoughtSignature"] == "sig-round-3" and "thoughtSignature" not in parts[1]


def test_without_replies_a_parser_emits_no_assistant_reply() -> None:
    for kind in MODELS:
        events = parse(kind, WRITERS[kind](Round(text="x"), 1), replies=False)
        assert not any(isinstance(e, AssistantReply) for e in events)


def test_responses_tool_stream_from_a_single_sse_event() -> None:
    parser = get_adapter("openai").new_parser(True)
    item = {"type": "function_call", "call_id": "c", "name": "n", "arguments": "{}", "id": "fc"}
    ev = parser.feed(
        SSEEvent(
            "response.output_item.done",
            json.dumps({"type": "response.output_item.done", "output_index": 0, "item": item}),
        )
    )
    assert ev == [ToolCallStarted(0, "c", "n"), ToolCallDone(0, "c", "n", "{}")]


def test_new_events_cross_the_pipe() -> None:
    reply = AssistantMessage((Text("a", {"id": "m"}), ToolCall("c", "n", "{}")), "openai")
    conv = Conversation("s", (user_message("q"), reply))
    for event in (
        ToolCallStarted(0, "c", "n"),
        ToolCallArgumentsDelta(0, '{"a'),
        ToolCallDone(0, "c", "n", "{}"),
        AssistantReply(reply),
        ToolResultReady("c", "n", "n x", "out", True, "error: x"),
        ConversationState(conv),
    ):
        run_id, back = decode_event_line(encode_event_line("r", Stamped(5, event)))
        assert (run_id, back) == ("r", Stamped(5, event))


def test_a_stored_responses_conversation_continues_by_previous_response_id() -> None:
    call = ToolCall("call_1", "lookup", "{}", {"type": "function_call", "id": "fc_1",
                    "call_id": "call_1", "name": "lookup", "arguments": "{}"})  # fmt: skip
    conv = Conversation(None, (user_message("q"),)).add(
        AssistantMessage((call,), "openai", "gpt-5.5", "resp_1"),
        ToolResultMessage((ToolReturn("call_1", "lookup", "r"),)),
    )
    stored = body("openai", conversation=conv, store=True)
    assert stored["store"] is True and stored["previous_response_id"] == "resp_1"
    assert stored["input"] == [{"type": "function_call_output", "call_id": "call_1", "output": "r"}]
    full = body("openai", conversation=conv)
    assert full["store"] is False and "previous_response_id" not in full
    assert [i.get("type") for i in full["input"]] == [None, "function_call", "function_call_output"]
    # a request round-trips its store flag through the worker's JSON
    request = ModelRequest("gpt-5.5", "q", conversation=conv, store=True)
    assert ModelRequest.from_json(request.to_json()) == request


def test_items_after_a_reasoning_item_left_out_go_back_without_their_ids() -> None:
    """A follow-up of a plain run (no encrypted reasoning asked for): OpenAI answers 400
    "Item 'msg_…' of type 'message' was provided without its required 'reasoning' item"
    when the message goes back by its id without that reasoning item."""
    from modelduel.conversation import AssistantMessage, Conversation, Reasoning, Text, UserMessage
    from modelduel.providers.openai.convo import responses_input

    reply = AssistantMessage(
        (
            Reasoning("", {"type": "reasoning", "id": "rs_1", "summary": []}),
            Text("hi", {"type": "message", "id": "msg_1", "role": "assistant", "content": []}),
        ),
        protocol="openai",
    )
    conv = Conversation(None, (UserMessage((Text("a"),)), reply, UserMessage((Text("b"),))))
    items = responses_input(conv)
    assert [i.get("type", i.get("role")) for i in items] == ["user", "message", "user"]
    assert "id" not in items[1]
