"""Multi-turn requests against the simulator: the providers' rules and their real 400 bodies.

A client that strips a thinking block's signature, drops a Gemini 3 thoughtSignature,
or answers a tool call that was never made gets the error the real API sends; a
client that passes everything back unchanged continues the conversation, and a
follow-up without tools knows which turn it is.
"""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as gt

from modelduel.simulator import SimulatorHandle, run_in_thread

FAST = {"x-simulate-ttft-ms": "0", "x-simulate-tps": "20000", "x-simulate-reasoning-ms": "0"}
TOOL: Any = {
    "name": "read_file",
    "description": "Read a file",
    "input_schema": {
        "type": "object",
        "properties": {"path": {"type": "string"}},
        "required": ["path"],
    },
}
THINKING: Any = {"type": "adaptive", "display": "summarized"}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=9) as handle:
        yield handle


@pytest.fixture(scope="module")
def claude(sim: SimulatorHandle) -> Iterator[anthropic.Anthropic]:
    client = anthropic.Anthropic(
        base_url=sim.base_url, api_key="sk-ant-test", max_retries=0, default_headers=FAST
    )
    yield client
    client.close()


def _claude_tool_turn(claude: anthropic.Anthropic) -> list[Any]:
    """A user turn, the model's thinking + tool_use turn as received, and the tool result."""
    messages: list[Any] = [{"role": "user", "content": "Read src/app.py"}]
    message = claude.messages.create(
        model="claude-opus-4-7", max_tokens=4000, messages=messages, tools=[TOOL], thinking=THINKING
    )
    assert [b.type for b in message.content] == ["thinking", "tool_use"]
    messages.append(
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in message.content]}
    )
    use_id = message.content[1].id  # type: ignore[union-attr]
    messages.append(
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": use_id, "content": "1\tx = 1"}],
        }
    )
    return messages


def _claude_error(claude: anthropic.Anthropic, messages: list[Any]) -> dict[str, Any]:
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude.messages.create(
            model="claude-opus-4-7",
            max_tokens=4000,
            messages=messages,
            tools=[TOOL],
            thinking=THINKING,
        )
    assert caught.value.status_code == 400
    body = caught.value.body
    assert isinstance(body, dict) and body["type"] == "error"
    assert body["request_id"].startswith("req_")
    error: dict[str, Any] = body["error"]
    assert error["type"] == "invalid_request_error"
    return error


def test_anthropic_continues_when_blocks_come_back_unchanged(claude: anthropic.Anthropic) -> None:
    messages = _claude_tool_turn(claude)
    message = claude.messages.create(
        model="claude-opus-4-7", max_tokens=4000, messages=messages, tools=[TOOL], thinking=THINKING
    )
    assert message.stop_reason == "end_turn"
    assert "“1\tx = 1”" in message.content[-1].text  # type: ignore[union-attr]


def test_anthropic_rejects_a_thinking_block_without_its_signature(
    claude: anthropic.Anthropic,
) -> None:
    messages = _claude_tool_turn(claude)
    del messages[1]["content"][0]["signature"]
    error = _claude_error(claude, messages)
    assert error["message"] == "messages.1.content.0.thinking.signature: Field required"


def test_anthropic_rejects_an_edited_thinking_block(claude: anthropic.Anthropic) -> None:
    messages = _claude_tool_turn(claude)
    messages[1]["content"][0]["thinking"] += " (edited)"
    error = _claude_error(claude, messages)
    assert error["message"] == "messages.1.content.0: Invalid `signature` in `thinking` block"


def test_anthropic_rejects_a_tool_turn_whose_thinking_was_dropped(
    claude: anthropic.Anthropic,
) -> None:
    messages = _claude_tool_turn(claude)
    messages[1]["content"] = messages[1]["content"][1:]
    error = _claude_error(claude, messages)
    assert error["message"].startswith(
        "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
        "`tool_use`. When `thinking` is enabled, a final `assistant` message must start with a "
        "thinking block"
    )


def test_anthropic_rejects_a_tool_result_for_no_tool_use(claude: anthropic.Anthropic) -> None:
    messages = _claude_tool_turn(claude)
    messages[2]["content"][0]["tool_use_id"] = "toolu_01NotAToolUseOfThisTurnXX"
    error = _claude_error(claude, messages)
    assert error["message"] == (
        "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: "
        "toolu_01NotAToolUseOfThisTurnXX. Each `tool_result` block must have a corresponding "
        "`tool_use` block in the previous message."
    )


def test_anthropic_rejects_a_tool_use_left_unanswered(claude: anthropic.Anthropic) -> None:
    messages = _claude_tool_turn(claude)
    messages[2]["content"] = "never mind"
    error = _claude_error(claude, messages)
    assert error["message"].startswith(
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after"
    )


def test_anthropic_follow_up_without_tools_knows_its_turn(claude: anthropic.Anthropic) -> None:
    first = claude.messages.create(
        model="claude-opus-4-7",
        max_tokens=4000,
        messages=[{"role": "user", "content": "Explain CRDTs"}],
        thinking=THINKING,
    )
    messages: list[Any] = [
        {"role": "user", "content": "Explain CRDTs"},
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": "Now compare them with OT"},
    ]
    second = claude.messages.create(
        model="claude-opus-4-7", max_tokens=4000, messages=messages, thinking=THINKING
    )
    text = second.content[-1].text  # type: ignore[union-attr]
    assert text.startswith("Turn 2: following up") and "Now compare them with OT" in text


# ---------------------------------------------------------------- Gemini 3


def _gemini(sim: SimulatorHandle) -> genai.Client:
    headers = {**FAST, "x-simulate-tools": "parallel=2"}
    return genai.Client(
        api_key="AIza-test", http_options=gt.HttpOptions(base_url=sim.base_url, headers=headers)
    )


GEMINI_TOOLS: list[Any] = [
    gt.Tool(
        function_declarations=[
            gt.FunctionDeclaration(
                name="read_file",
                description="Read a file",
                parameters_json_schema=TOOL["input_schema"],
            ),
            gt.FunctionDeclaration(
                name="list_files",
                description="List files",
                parameters_json_schema={"type": "object", "properties": {}},
            ),
        ]
    )
]


def _gemini_turns(client: genai.Client) -> list[gt.Content]:
    contents = [gt.Content(role="user", parts=[gt.Part(text="Read src/app.py")])]
    reply = client.models.generate_content(
        model="gemini-3.1-pro-preview",
        contents=contents,
        config=gt.GenerateContentConfig(tools=GEMINI_TOOLS),
    )
    model_turn = reply.candidates[0].content  # type: ignore[index]
    assert model_turn is not None and model_turn.parts is not None
    calls = [p for p in model_turn.parts if p.function_call]
    assert len(calls) == 2 and calls[0].thought_signature and not calls[1].thought_signature
    answers = [
        gt.Part.from_function_response(
            name=p.function_call.name or "",  # type: ignore[union-attr]
            response={"output": "ok"},
        )
        for p in calls
    ]
    return [*contents, model_turn, gt.Content(role="user", parts=answers)]


def test_gemini3_continues_with_the_signature_passed_back(sim: SimulatorHandle) -> None:
    client = _gemini(sim)
    reply = client.models.generate_content(
        model="gemini-3.1-pro-preview",
        contents=_gemini_turns(client),
        config=gt.GenerateContentConfig(tools=GEMINI_TOOLS),
    )
    assert reply.text and "2 lines" not in reply.text and "“ok”" in reply.text


def test_gemini3_rejects_a_function_call_without_its_thought_signature(
    sim: SimulatorHandle,
) -> None:
    client = _gemini(sim)
    contents = _gemini_turns(client)
    stripped = copy.deepcopy(contents)
    stripped[1].parts[0].thought_signature = None  # type: ignore[index]
    with pytest.raises(genai_errors.ClientError) as caught:
        client.models.generate_content(
            model="gemini-3.1-pro-preview",
            contents=stripped,
            config=gt.GenerateContentConfig(tools=GEMINI_TOOLS),
        )
    assert caught.value.code == 400 and caught.value.status == "INVALID_ARGUMENT"
    assert caught.value.message == (
        "Function call is missing a thought_signature in functionCall parts. This is required "
        "for tools to work correctly, and missing thought_signature may lead to degraded model "
        "performance. Additional data, function call `default_api:read_file` , position 2. "
        "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more "
        "details."
    )


def test_gemini_answers_must_match_the_calls(sim: SimulatorHandle) -> None:
    client = _gemini(sim)
    contents = _gemini_turns(client)
    contents[2].parts = contents[2].parts[:1]  # type: ignore[index]
    with pytest.raises(genai_errors.ClientError) as caught:
        client.models.generate_content(
            model="gemini-3.1-pro-preview",
            contents=contents,
            config=gt.GenerateContentConfig(tools=GEMINI_TOOLS),
        )
    assert "number of function response parts" in str(caught.value.message)


# ---------------------------------------------------------------- OpenAI


def _post(sim: SimulatorHandle, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    """(status, decoded JSON body) of a raw POST to the simulator's OpenAI routes."""
    request = urllib.request.Request(
        f"{sim.base_url}/v1/{path}",
        data=json.dumps(body).encode(),
        headers={"authorization": "Bearer sk-test", "content-type": "application/json", **FAST},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_responses_rejects_an_output_for_no_call(sim: SimulatorHandle) -> None:
    status, body = _post(
        sim,
        "responses",
        {
            "model": "gpt-5.5",
            "input": [
                {"role": "user", "content": "hi"},
                {"type": "function_call_output", "call_id": "call_nope", "output": "x"},
            ],
        },
    )
    assert status == 400
    assert body == {
        "error": {
            "message": "No tool call found for function call output with call_id call_nope.",
            "type": "invalid_request_error",
            "param": "input",
            "code": None,
        }
    }


def test_responses_rejects_a_call_without_its_output(sim: SimulatorHandle) -> None:
    client = openai.OpenAI(
        base_url=f"{sim.base_url}/v1", api_key="sk-test", max_retries=0, default_headers=FAST
    )
    call = {
        "type": "function_call",
        "call_id": "call_abc",
        "name": "read_file",
        "arguments": json.dumps({"path": "a.py"}),
    }
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(
            model="gpt-5.5",
            input=[{"role": "user", "content": "hi"}, call],  # type: ignore[list-item]
        )
    assert "No tool output found for function call call_abc." in str(caught.value)


def test_chat_rejects_a_tool_message_without_tool_calls(sim: SimulatorHandle) -> None:
    status, body = _post(
        sim,
        "chat/completions",
        {
            "model": "gpt-5.5",
            "messages": [
                {"role": "user", "content": "hi"},
                {"role": "tool", "tool_call_id": "call_x", "content": "x"},
            ],
        },
    )
    assert status == 400
    assert body["error"] == {
        "message": "Invalid parameter: messages with role 'tool' must be a response to a "
        "preceeding message with 'tool_calls'.",
        "type": "invalid_request_error",
        "param": "messages.[1].role",
        "code": None,
    }


def test_chat_rejects_a_tool_call_left_unanswered(sim: SimulatorHandle) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    status, body = _post(
        sim,
        "chat/completions",
        {
            "model": "gpt-5.5",
            "messages": [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "user", "content": "and?"},
            ],
        },
    )
    assert status == 400
    assert "did not have response messages: call_1" in body["error"]["message"]


@pytest.mark.parametrize("protocol", ["responses", "chat"])
def test_openai_follow_ups_know_their_turn(sim: SimulatorHandle, protocol: str) -> None:
    turns: list[Any] = [
        {"role": "user", "content": "Explain CRDTs"},
        {"role": "assistant", "content": "CRDTs merge without coordination."},
        {"role": "user", "content": "Now give an example"},
    ]
    if protocol == "responses":
        _, body = _post(sim, "responses", {"model": "gpt-5.5", "input": turns})
        text = body["output"][-1]["content"][0]["text"]
    else:
        _, body = _post(sim, "chat/completions", {"model": "gpt-5.5", "messages": turns})
        text = body["choices"][0]["message"]["content"]
    assert text.startswith("Turn 2: following up") and "Now give an example" in text
