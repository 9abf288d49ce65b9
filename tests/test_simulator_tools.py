"""Tool loops against the simulator, driven by the official SDKs (openai, anthropic, google-genai).

If the vendors' own clients parse the simulator's tool calls (streamed argument deltas,
parallel calls, ids) and take back their own results for a second round and a final
text answer, the simulator speaks the real tool-calling formats. Loopback only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest
from google import genai
from google.genai import types as gt

from modelduel.simulator import SimulatorHandle, run_in_thread
from modelduel.simulator.tool_arguments import object_for, value_for
from modelduel.simulator.tools import ToolDecl
from modelduel.simulator.toolscript import ToolScriptError, parse_script

FAST = {"x-simulate-ttft-ms": "0", "x-simulate-tps": "20000", "x-simulate-reasoning-ms": "0"}
LOOP = {**FAST, "x-simulate-tools": "rounds=2,parallel=2"}
PROMPT = "Look at src/tokens.py and tell me the weather"
SCHEMAS = {
    "read_file": {
        "type": "object",
        "properties": {
            "path": {"type": "string"},
            "start_line": {"type": "integer", "minimum": 1},
            "end_line": {"type": "integer", "minimum": 1},
        },
        "required": ["path"],
    },
    "get_weather": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "examples": ["Paris"]},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city"],
    },
}
RESPONSES_TOOLS: list[Any] = [
    {"type": "function", "name": n, "description": n, "parameters": s} for n, s in SCHEMAS.items()
]
CHAT_TOOLS: list[Any] = [
    {"type": "function", "function": {"name": n, "description": n, "parameters": s}}
    for n, s in SCHEMAS.items()
]
ANTHROPIC_TOOLS: list[Any] = [
    {"name": n, "description": n, "input_schema": s} for n, s in SCHEMAS.items()
]
EXPECTED_ROUND_1 = [
    ("read_file", {"path": "src/tokens.py", "start_line": 1, "end_line": 40}),
    ("get_weather", {"city": "Paris", "unit": "celsius"}),
]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=5) as handle:
        yield handle


def _oai(sim: SimulatorHandle, headers: dict[str, str]) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{sim.base_url}/v1", api_key="sk-test", max_retries=0, default_headers=headers
    )


# ---------------------------------------------------------------- OpenAI Responses


def test_responses_two_round_parallel_loop_through_the_sdk(sim: SimulatorHandle) -> None:
    client = _oai(sim, LOOP)
    items: list[Any] = [{"role": "user", "content": PROMPT}]
    rounds: list[list[tuple[str, dict[str, Any]]]] = []
    for _ in range(3):
        deltas: dict[str, list[str]] = {}
        added_arguments: list[str] = []
        with client.responses.stream(
            model="gpt-5.5",
            input=items,
            tools=RESPONSES_TOOLS,
            reasoning={"summary": "auto"},
            include=["reasoning.encrypted_content"],
            store=False,
        ) as stream:
            for event in stream:
                if (
                    event.type == "response.output_item.added"
                    and event.item.type == "function_call"
                ):
                    added_arguments.append(event.item.arguments)
                    assert str(event.item.id).startswith("fc_")
                    assert event.item.call_id.startswith("call_")
                if event.type == "response.function_call_arguments.delta":
                    deltas.setdefault(event.item_id, []).append(event.delta)
            final = stream.get_final_response()
        calls = [o for o in final.output if o.type == "function_call"]
        if not calls:
            text = final.output_text
            break
        # Mid-stream: each call opened empty and its arguments came in several pieces.
        assert added_arguments == [""] * len(calls)
        for call in calls:
            assert len(deltas[str(call.id)]) > 1
            assert "".join(deltas[str(call.id)]) == call.arguments
        rounds.append([(c.name, json.loads(c.arguments)) for c in calls])
        reasoning = [o for o in final.output if o.type == "reasoning"]
        assert reasoning and reasoning[0].encrypted_content  # a stateless client can pass it back
        assert final.status == "completed" and final.usage is not None
        items += [o.model_dump(exclude_none=True) for o in final.output]
        items += [
            {"type": "function_call_output", "call_id": c.call_id, "output": f"{c.name} says hi"}
            for c in calls
        ]
    assert len(rounds) == 2
    assert rounds[0] == EXPECTED_ROUND_1
    assert "2 tool rounds" in text and "“get_weather says hi”" in text


# ---------------------------------------------------------------- Chat Completions


def _chat_round(
    client: openai.OpenAI, messages: list[Any], **extra: Any
) -> tuple[str | None, dict[int, dict[str, Any]], str, int]:
    stream = client.chat.completions.create(
        model="gpt-5.5",
        messages=messages,
        tools=CHAT_TOOLS,
        stream=True,
        stream_options={"include_usage": True},
        **extra,
    )
    calls: dict[int, dict[str, Any]] = {}
    text, finish, fragments = "", None, 0
    for chunk in stream:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        text += delta.content or ""
        for tc in delta.tool_calls or []:
            entry = calls.setdefault(tc.index, {"id": None, "name": "", "arguments": ""})
            if tc.id:
                assert entry["id"] is None  # the id comes once, in the first fragment
                entry["id"] = tc.id
            if tc.function and tc.function.name:
                entry["name"] = tc.function.name
            if tc.function and tc.function.arguments:
                entry["arguments"] += tc.function.arguments
                fragments += 1
        finish = chunk.choices[0].finish_reason or finish
    return finish, calls, text, fragments


def test_chat_two_round_parallel_loop_through_the_sdk(sim: SimulatorHandle) -> None:
    client = _oai(sim, LOOP)
    messages: list[Any] = [{"role": "user", "content": PROMPT}]
    rounds = []
    for _ in range(3):
        finish, calls, text, fragments = _chat_round(client, messages)
        if not calls:
            assert finish == "stop"
            break
        assert finish == "tool_calls"
        assert sorted(calls) == [0, 1] and fragments > 2
        rounds.append([(c["name"], json.loads(c["arguments"])) for c in calls.values()])
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": c["id"],
                        "type": "function",
                        "function": {k: c[k] for k in ("name", "arguments")},
                    }
                    for c in calls.values()
                ],
            }
        )
        messages += [
            {"role": "tool", "tool_call_id": c["id"], "content": f"{c['name']} ok"}
            for c in calls.values()
        ]
    assert len(rounds) == 2 and rounds[0] == EXPECTED_ROUND_1
    assert "“read_file ok”" in text


def test_chat_parallel_tool_calls_false_makes_one_call(sim: SimulatorHandle) -> None:
    _, calls, _, _ = _chat_round(
        _oai(sim, LOOP), [{"role": "user", "content": PROMPT}], parallel_tool_calls=False
    )
    assert len(calls) == 1


# ---------------------------------------------------------------- Anthropic Messages


def test_anthropic_two_round_parallel_loop_through_the_sdk(sim: SimulatorHandle) -> None:
    client = anthropic.Anthropic(
        base_url=sim.base_url, api_key="sk-ant-test", max_retries=0, default_headers=LOOP
    )
    messages: list[Any] = [{"role": "user", "content": PROMPT}]
    rounds = []
    for _ in range(3):
        partials: list[str] = []
        with client.messages.stream(
            model="claude-opus-4-7",
            max_tokens=8000,
            messages=messages,
            tools=ANTHROPIC_TOOLS,
            thinking={"type": "adaptive", "display": "summarized"},
        ) as stream:
            for event in stream:
                if event.type == "content_block_delta" and event.delta.type == "input_json_delta":
                    partials.append(event.delta.partial_json)
            message = stream.get_final_message()
        uses = [b for b in message.content if b.type == "tool_use"]
        if not uses:
            assert message.stop_reason == "end_turn"
            text = message.content[-1].text  # type: ignore[union-attr]
            break
        assert message.stop_reason == "tool_use"
        # Thinking first, signed, then the calls; arguments came as several partial_json pieces.
        assert message.content[0].type == "thinking" and message.content[0].signature
        assert len(partials) > len(uses)
        assert all(b.id.startswith("toolu_") for b in uses)
        rounds.append([(b.name, b.input) for b in uses])
        messages.append(
            {
                "role": "assistant",
                "content": [b.model_dump(exclude_none=True) for b in message.content],
            }
        )
        messages.append(
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": b.id, "content": f"{b.name} done"}
                    for b in uses
                ],
            }
        )
    assert len(rounds) == 2 and rounds[0] == EXPECTED_ROUND_1
    assert "“get_weather done”" in text


# ---------------------------------------------------------------- Gemini


def _gemini(sim: SimulatorHandle, headers: dict[str, str]) -> genai.Client:
    return genai.Client(
        api_key="AIza-test", http_options=gt.HttpOptions(base_url=sim.base_url, headers=headers)
    )


GEMINI_TOOLS: list[Any] = [
    gt.Tool(
        function_declarations=[
            gt.FunctionDeclaration(name=n, description=n, parameters_json_schema=s)
            for n, s in SCHEMAS.items()
        ]
    )
]


def test_gemini_two_round_parallel_loop_through_the_sdk(sim: SimulatorHandle) -> None:
    client = _gemini(sim, LOOP)
    contents = [gt.Content(role="user", parts=[gt.Part(text=PROMPT)])]
    config = gt.GenerateContentConfig(
        tools=GEMINI_TOOLS, thinking_config=gt.ThinkingConfig(include_thoughts=True)
    )
    rounds = []
    for _ in range(3):
        parts: list[gt.Part] = []
        finishes = []
        for chunk in client.models.generate_content_stream(
            model="gemini-3.1-pro-preview", contents=contents, config=config
        ):
            candidate = chunk.candidates[0]  # type: ignore[index]
            parts += candidate.content.parts or []  # type: ignore[union-attr]
            finishes.append(candidate.finish_reason)
        calls = [p for p in parts if p.function_call]
        if not calls:
            text = "".join(p.text or "" for p in parts if not p.thought)
            break
        assert finishes[-1] == gt.FinishReason.STOP
        # One candidate holds both calls; only the first carries the thought signature.
        assert [bool(p.thought_signature) for p in calls] == [True, False]
        rounds.append([(p.function_call.name, p.function_call.args) for p in calls])  # type: ignore[union-attr]
        contents.append(gt.Content(role="model", parts=parts))
        contents.append(
            gt.Content(
                role="user",
                parts=[
                    gt.Part.from_function_response(
                        name=p.function_call.name or "",  # type: ignore[union-attr]
                        response={"output": f"{p.function_call.name} fine"},  # type: ignore[union-attr]
                    )
                    for p in calls
                ],
            )
        )
    assert len(rounds) == 2 and rounds[0] == EXPECTED_ROUND_1
    assert "“read_file fine”" in text


# ---------------------------------------------------------------- the script


def test_default_policy_calls_one_tool_once_then_answers(sim: SimulatorHandle) -> None:
    client = _oai(sim, FAST)
    messages: list[Any] = [{"role": "user", "content": PROMPT}]
    finish, calls, _, _ = _chat_round(client, messages)
    assert finish == "tool_calls" and len(calls) == 1
    call = calls[0]
    messages += [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["name"], "arguments": call["arguments"]},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call["id"], "content": "1\tprint('hi')"},
    ]
    finish, calls, text, _ = _chat_round(client, messages)
    assert finish == "stop" and not calls and "1 tool round" in text


def test_no_tools_declared_means_no_calls(sim: SimulatorHandle) -> None:
    reply = _oai(sim, LOOP).chat.completions.create(
        model="gpt-5.5", messages=[{"role": "user", "content": PROMPT}]
    )
    assert reply.choices[0].finish_reason == "stop" and not reply.choices[0].message.tool_calls


@pytest.mark.parametrize(
    ("script", "check"),
    [
        ("invalid=1", lambda name, args: name == "read_file" and "path" not in json.loads(args)),
        ("unknown=1", lambda name, args: name == "run_shell"),
        ("nonjson=1", lambda name, args: not _is_json(args)),
    ],
)
def test_scripted_bad_calls(sim: SimulatorHandle, script: str, check: Any) -> None:
    _, calls, _, _ = _chat_round(
        _oai(sim, {**FAST, "x-simulate-tools": script}), [{"role": "user", "content": PROMPT}]
    )
    assert check(calls[0]["name"], calls[0]["arguments"])


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def test_scripted_failure_on_the_second_request_of_the_loop(sim: SimulatorHandle) -> None:
    client = _oai(sim, {**FAST, "x-simulate-tools": "rounds=3,fail=2"})
    messages: list[Any] = [{"role": "user", "content": PROMPT}]
    _, calls, _, _ = _chat_round(client, messages)  # request 1 of the loop answers
    call = calls[0]
    messages += [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["name"], "arguments": call["arguments"]},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call["id"], "content": "x"},
    ]
    with pytest.raises(openai.InternalServerError):
        _chat_round(client, messages)


def test_bad_tool_script_header_is_a_400_naming_the_header(sim: SimulatorHandle) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        _chat_round(
            _oai(sim, {**FAST, "x-simulate-tools": "rounds=two"}),
            [{"role": "user", "content": "hi"}],
        )
    assert "x-simulate-tools" in str(caught.value)


def test_profile_config_script_applies_per_model() -> None:
    with run_in_thread(seed=1, profiles={"gpt-5.5": {"tools": "parallel=2"}}) as handle:
        _, calls, _, _ = _chat_round(_oai(handle, FAST), [{"role": "user", "content": PROMPT}])
    assert len(calls) == 2


def test_script_parsing() -> None:
    script = parse_script("rounds=3, parallel=2, invalid=1+3, fail=2:overloaded")
    assert (script.rounds, script.parallel, script.invalid) == (3, 2, frozenset({1, 3}))
    assert (script.fail, script.fail_kind) == (2, "overloaded")
    for bad in ("rounds=-1", "parallel=0", "fail=2:nope", "bogus=1", "rounds"):
        with pytest.raises(ToolScriptError):
            parse_script(bad)


def test_arguments_from_json_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "limit": {"type": "integer", "minimum": 5},
            "mode": {"type": "string", "enum": ["fast", "slow"]},
            "tag": {"type": "string", "default": "v1"},
            "query": {"type": "string"},
            "optional_note": {"type": "string"},
        },
        "required": ["limit", "query"],
    }
    args = object_for(schema, "find the tokenizer bug")
    assert args == {"limit": 5, "mode": "fast", "tag": "v1", "query": "tokenizer"}
    assert value_for("x", {"type": "array", "items": {"type": "boolean"}}, "") == [False]
    assert ToolDecl("t", schema).name == "t"


def test_responses_loop_with_previous_response_id(sim: SimulatorHandle) -> None:
    client = _oai(sim, LOOP)
    response = client.responses.create(model="gpt-5.5", input=PROMPT, tools=RESPONSES_TOOLS)
    rounds = 0
    while True:
        calls = [o for o in response.output if o.type == "function_call"]
        if not calls:
            break
        rounds += 1
        # Only the new outputs are sent: the stored response holds the rest.
        response = client.responses.create(
            model="gpt-5.5",
            previous_response_id=response.id,
            tools=RESPONSES_TOOLS,
            input=[
                {"type": "function_call_output", "call_id": c.call_id, "output": f"{c.name} ok"}
                for c in calls
            ],
        )
    assert rounds == 2 and "2 tool rounds" in response.output_text
    assert response.previous_response_id is not None


def test_responses_unknown_previous_response_id_is_a_404(sim: SimulatorHandle) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        _oai(sim, FAST).responses.create(
            model="gpt-5.5", previous_response_id="resp_nope", input="hi"
        )
    assert caught.value.body == {
        "message": "Previous response with id 'resp_nope' not found.",
        "type": "invalid_request_error",
        "param": "previous_response_id",
        "code": "previous_response_not_found",
    }
