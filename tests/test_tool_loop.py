"""The tool loop over real HTTP on 127.0.0.1, for each of the four protocols.

A scripted SSE server (tests/support/tool_streams.py) plays the model round by round; the
engine parses the streamed calls, answers them from the task's ToolWorld, sends the
results back in the protocol's format and goes on until an answer without calls, the
cap, or a failure. Every request body the engine sent is checked.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

import pytest

from modelduel.conversation import AssistantMessage, ToolResultMessage, user_message
from modelduel.core.duel import ClientPool, DuelRunner, RunPlan
from modelduel.core.meter import StreamMeter
from modelduel.core.metrics import Cost
from modelduel.core.taskplan import continue_conversation
from modelduel.core.toolworld import ToolWorld
from modelduel.core.worker import ChildDuelRunner
from modelduel.core.workerwire import plan_from_json, plan_to_json
from modelduel.events import (
    ConversationState,
    Finished,
    RequestSent,
    RoundStarted,
    Stamped,
    StreamFailed,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallDone,
    ToolCallStarted,
    ToolResultReady,
    Usage,
)
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import StreamTarget, Timeouts
from tests.support import engine as support
from tests.support.engine import lookup_tool, lookup_world
from tests.support.replay_server import running_server
from tests.support.tool_streams import BASE_PATHS, Round, ScriptedRounds, signature

KINDS = ["openai", "anthropic", "gemini", "openai-chat"]
MODELS = {
    "openai": "gpt-5.5",
    "anthropic": "claude-opus-4-7",
    "gemini": "gemini-3-pro-preview",
    "openai-chat": "m",
}

LOOKUP = lookup_tool(latency_ms=20)


def world() -> ToolWorld:
    return lookup_world(LOOKUP)


class Collect(support.Collect):
    """The shared sink, its meter pricing input tokens at $1 per million."""

    def __init__(self) -> None:
        super().__init__(lambda u: Cost((u.input_tokens or 0) * 1e-6, "test"))


def make_plan(kind: str, base: str, **kw: Any) -> RunPlan:
    target = StreamTarget(
        kind=kind, base_url=base + BASE_PATHS[kind], api_key=lambda: "k", key_env="K"
    )
    request = ModelRequest(model_id=MODELS[kind], prompt="find alpha", system="be brief")
    return RunPlan("r1", kind, target, request, **kw)


async def run_loop(kind: str, rounds: list[Round], **kw: Any) -> tuple[Collect, ScriptedRounds]:
    script = ScriptedRounds(kind, rounds)
    sink = Collect()
    pool = ClientPool(Timeouts(connect=5))
    async with running_server(script) as server:
        plan = make_plan(kind, server.base, **({"world": world()} | kw))
        await DuelRunner(sink, pool, timeout_s=30).run([plan])
    await pool.aclose()
    return sink, script


PARALLEL = [
    Round(
        thinking="I should look both up.",
        text="Checking.",
        calls=[("lookup", {"word": "alpha"}), ("read_file", {"path": "src/a.py", "end_line": 2})],
        input_tokens=100,
        output_tokens=7,
    ),
    Round(text="alpha is ALPHA-RESULT.", input_tokens=200, output_tokens=9),
]


def results_sent(kind: str, body: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(call id or name, content, is_error) of every tool result in a request body."""
    out: list[tuple[str, str, bool]] = []
    if kind == "openai":
        for item in body["input"]:
            if item.get("type") == "function_call_output":
                out.append((item["call_id"], item["output"], False))
    elif kind == "anthropic":
        for msg in body["messages"]:
            if msg["role"] == "user" and isinstance(msg["content"], list):
                for b in msg["content"]:
                    if b.get("type") == "tool_result":
                        out.append((b["tool_use_id"], b["content"], bool(b.get("is_error"))))
    elif kind == "gemini":
        for content in body["contents"]:
            for part in content["parts"]:
                if "functionResponse" in part:
                    fr = part["functionResponse"]
                    err = "error" in fr["response"]
                    out.append(
                        (fr["name"], fr["response"].get("error") or fr["response"]["output"], err)
                    )
    else:
        for msg in body["messages"]:
            if msg["role"] == "tool":
                out.append((msg["tool_call_id"], msg["content"], False))
    return out


@pytest.mark.parametrize("kind", KINDS)
async def test_parallel_calls_are_answered_and_passed_back(kind: str) -> None:
    sink, script = await run_loop(kind, PARALLEL)
    assert len(script.requests) == 2
    first, second = script.requests
    # the tools are offered in the protocol's shape, on every request
    tools = json.dumps(first["tools"])
    assert "lookup" in tools and "read_file" in tools
    assert first["tools"] == second["tools"]
    # both calls' results went back, in call order, each by its id
    sent = results_sent(kind, second)
    assert [s[1].splitlines()[0] for s in sent] == ["ALPHA-RESULT", "     1\tone"]
    if kind != "gemini":
        assert [s[0] for s in sent] == ["call_1_0", "call_1_1"] or [s[0] for s in sent] == [
            "toolu_1_0",
            "toolu_1_1",
        ]
    else:
        assert [s[0] for s in sent] == ["lookup", "read_file"]
    # what the protocol requires passed back is there, unchanged
    text = json.dumps(second)
    if kind == "anthropic":
        turn = second["messages"][1]
        assert turn["role"] == "assistant"
        assert turn["content"][0] == {
            "type": "thinking",
            "thinking": "I should look both up.",
            "signature": signature(1),
        }
        assert [b["type"] for b in turn["content"]] == ["thinking", "text", "tool_use", "tool_use"]
        assert turn["content"][2]["input"] == {"word": "alpha"}
    elif kind == "gemini":
        model_turn = second["contents"][1]
        assert model_turn["role"] == "model"
        calls = [p for p in model_turn["parts"] if "functionCall" in p]
        assert calls[0]["thoughtSignature"] == signature(1)
        assert "thoughtSignature" not in calls[1]  # never invented
    elif kind == "openai":
        kinds = [i.get("type") for i in second["input"]]
        assert kinds[:1] == [None]  # the user message
        assert "reasoning" in kinds and kinds.count("function_call") == 2
        reasoning = next(i for i in second["input"] if i.get("type") == "reasoning")
        assert reasoning["encrypted_content"] == signature(1)
        assert first["include"] == ["reasoning.encrypted_content"]
        message = next(i for i in second["input"] if i.get("type") == "message")
        assert message["phase"] == "commentary"
    else:
        assistant = second["messages"][2]
        assert assistant["role"] == "assistant" and assistant["content"] == "Checking."
        assert [c["function"]["arguments"] for c in assistant["tool_calls"]] == [
            '{"word": "alpha"}',
            '{"path": "src/a.py", "end_line": 2}',
        ]
        assert "I should look" not in text  # reasoning is never sent back on Chat
    # events: calls parsed as they streamed, results, one boundary, one final finish
    started = sink.of(ToolCallStarted)
    assert [(c.index, c.name) for c in started] == [(0, "lookup"), (1, "read_file")]
    assert sink.of(ToolCallArgumentsDelta)
    done = sink.of(ToolCallDone)
    assert [json.loads(d.arguments) for d in done] == [
        {"word": "alpha"},
        {"path": "src/a.py", "end_line": 2},
    ]
    results = sink.of(ToolResultReady)
    # results are ready as each tool's latency ends (read_file 0 ms, lookup 20 ms)
    assert [r.label for r in results] == ["read_file src/a.py:1-2", "lookup alpha"]
    assert sink.of(RoundStarted) == [RoundStarted(2)]
    assert sink.of(Finished) == [Finished("stop", sink.of(Finished)[0].raw_reason)]
    assert isinstance(sink.events[-1].event, Finished)
    assert isinstance(sink.events[-2].event, ConversationState)
    # the meter sums both requests and keeps the first round's ttft
    s = sink.meter.stats()
    assert s.input_tokens == 300
    assert s.output_tokens == 16
    assert s.tokens_exact
    assert s.cost is not None and s.cost.usd == pytest.approx(300e-6)
    assert (s.tool_calls, s.tool_rounds, s.turns) == (2, 1, 1)
    assert s.text == "Checking.alpha is ALPHA-RESULT."
    sent_ns = [x.t_ns for x in sink.events if isinstance(x.event, RequestSent)]
    first_content = next(
        x.t_ns
        for x in sink.events
        if isinstance(x.event, TextDelta | ToolCallStarted)
        or type(x.event).__name__ == "ReasoningDelta"
    )
    assert s.ttft_s == pytest.approx((first_content - sent_ns[0]) / 1e9)
    end = sink.events[-1].t_ns
    assert s.wall_time_s == pytest.approx((end - sent_ns[0]) / 1e9)
    # the transcript's view: every call with its result
    assert [e["result"].splitlines()[0] for e in s.tool_log] == ["ALPHA-RESULT", "     1\tone"]
    # the final conversation: user, assistant(calls), results, assistant(answer)
    conv = sink.of(ConversationState)[0].conversation
    roles = [m.role for m in conv.messages]
    assert roles == ["user", "assistant", "tool", "assistant"]


@pytest.mark.parametrize("kind", KINDS)
async def test_invalid_and_unknown_calls_get_error_results(kind: str) -> None:
    rounds = [
        Round(calls=[("lookup", {"word": 5}), ("no_such_tool", {})]),
        Round(text="sorry"),
    ]
    sink, script = await run_loop(kind, rounds)
    sent = results_sent(kind, script.requests[1])
    assert len(sent) == 2
    assert "invalid arguments for 'lookup'" in sent[0][1]
    assert "there is no tool named 'no_such_tool'" in sent[1][1]
    if kind == "anthropic":
        assert sent[0][2] and sent[1][2]  # is_error
    if kind == "gemini":
        assert sent[0][2] and sent[1][2]  # sent as {"error": ...}
    assert [r.is_error for r in sink.of(ToolResultReady)] == [True, True]
    assert sink.meter.stats().finish_reason == "stop"


@pytest.mark.parametrize("kind", ["openai", "anthropic", "openai-chat"])
async def test_arguments_that_are_not_json_get_an_error_result(kind: str) -> None:
    rounds = [Round(calls=[("lookup", '{"word": "al')]), Round(text="oops")]
    sink, script = await run_loop(kind, rounds)
    assert "are not valid JSON" in sink.of(ToolResultReady)[0].content
    assert len(script.requests) == 2


@pytest.mark.parametrize("kind", KINDS)
async def test_the_cap_ends_the_run_with_tool_limit(kind: str) -> None:
    always = Round(text="again", calls=[("lookup", {"word": "alpha"})], input_tokens=10)
    sink, script = await run_loop(kind, [always, always, always], max_tool_rounds=2)
    assert len(script.requests) == 3  # two answered rounds, the third call is not run
    s = sink.meter.stats()
    assert s.finish_reason == "tool_limit"
    assert s.error is None
    assert (s.tool_calls, s.tool_rounds) == (3, 2)
    assert s.input_tokens == 30
    assert len(sink.of(ToolResultReady)) == 2
    assert s.text == "again" * 3
    conv = sink.of(ConversationState)[0].conversation
    last = conv.messages[-1]
    assert isinstance(last, ToolResultMessage) and "max_tool_rounds (2)" in last.results[0].content


@pytest.mark.parametrize("kind", KINDS)
async def test_a_failure_mid_loop_keeps_what_was_produced(kind: str) -> None:
    rounds = [
        Round(text="Looking.", calls=[("lookup", {"word": "alpha"})], input_tokens=40),
        Round(text="partial answer that is cut", drop_after=3),
    ]
    sink, script = await run_loop(kind, rounds)
    assert len(script.requests) == 2
    s = sink.meter.stats()
    assert s.status == "failed"
    assert s.error is not None and s.error.kind == "connection"
    assert s.text.startswith("Looking.")
    assert s.input_tokens is not None and s.input_tokens >= 40  # round 1's usage is kept
    assert s.tool_rounds == 1 and s.tool_calls == 1
    assert len(sink.of(ToolResultReady)) == 1
    conv = sink.of(ConversationState)[0].conversation
    assert [m.role for m in conv.messages] == ["user", "assistant", "tool"]
    assert isinstance(sink.events[-1].event, StreamFailed)


async def test_a_retry_resends_only_the_failed_round() -> None:
    """Round 2 gets a 503 once; with retries=1 only round 2 is sent again."""
    kind = "openai-chat"
    rounds = [Round(calls=[("lookup", {"word": "alpha"})], input_tokens=10), Round(text="ok")]
    script = ScriptedRounds(kind, rounds)
    failed = {"done": False}

    def route(got: Any) -> Any:
        body = got.json()
        if len(script.requests) == 1 and not failed["done"]:
            failed["done"] = True
            from tests.support.replay_server import Script

            return Script([(0.0, b'{"error": {"message": "busy"}}')], status=503)
        del body
        return script(got)

    sink = Collect()
    pool = ClientPool(Timeouts(connect=5))

    async def no_sleep(_: float) -> None:
        await asyncio.sleep(0)

    async with running_server(route) as server:
        plan = make_plan(kind, server.base, world=world())
        await DuelRunner(sink, pool, retries=1, sleep=no_sleep, timeout_s=30).run([plan])
    await pool.aclose()
    assert len(script.requests) == 2  # round 1 once, round 2 once after its 503
    s = sink.meter.stats()
    assert s.retries == 1 and s.finish_reason == "stop" and s.text == "ok"
    assert s.input_tokens == 10 + 10


async def test_tool_latency_is_waited_and_cancellable() -> None:
    slow = LOOKUP.model_copy(update={"latency_ms": 60_000})
    script = ScriptedRounds("openai-chat", [Round(calls=[("lookup", {"word": "alpha"})])])
    sink = Collect()
    pool = ClientPool(Timeouts(connect=5))
    async with running_server(script) as server:
        plan = make_plan("openai-chat", server.base, world=ToolWorld([slow]))
        runner = DuelRunner(sink, pool, timeout_s=120)
        (task,) = runner.start([plan])
        while not sink.of(ToolCallDone):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert not sink.of(ToolResultReady)  # still waiting the tool's latency
        runner.cancel("r1")
        await task
    await pool.aclose()
    s = sink.meter.stats()
    assert s.status == "cancelled"
    conv = sink.of(ConversationState)[0].conversation
    assert "run ended before" in conv.messages[-1].results[0].content  # type: ignore[union-attr]


async def test_scripted_followups_continue_the_conversation() -> None:
    kind = "anthropic"
    rounds = [
        Round(thinking="hmm", text="First.", input_tokens=10, output_tokens=2),
        Round(text="Second.", input_tokens=30, output_tokens=3),
    ]
    followup = user_message("and now?")
    sink, script = await run_loop(kind, rounds, world=None, followups=(followup,))
    second = script.requests[1]
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    assert second["messages"][1]["content"][0]["signature"] == signature(1)
    assert second["messages"][2]["content"] == "and now?"
    s = sink.meter.stats()
    assert s.turns == 2 and s.input_tokens == 40 and s.output_tokens == 5
    assert s.text == "First.Second."
    assert len(sink.of(Finished)) == 1


async def test_a_followup_run_adds_to_the_same_meter() -> None:
    """The continuation API: the first run's conversation + a new message, same meter."""
    kind = "gemini"
    script = ScriptedRounds(
        kind,
        [
            Round(thinking="t", text="One.", input_tokens=10, output_tokens=2),
            Round(text="Two.", input_tokens=25, output_tokens=4),
        ],
    )
    sink = Collect()
    pool = ClientPool(Timeouts(connect=5))
    async with running_server(script) as server:
        plan = make_plan(kind, server.base, keep_conversation=True)
        runner = DuelRunner(sink, pool, timeout_s=30)
        await runner.run([plan])
        first = sink.meter.stats()
        conv = sink.of(ConversationState)[-1].conversation
        request = continue_conversation(conv, user_message("more"), plan.request)
        follow = RunPlan("r1", kind, plan.target, request)
        await runner.run([follow])
    await pool.aclose()
    contents = script.requests[1]["contents"]
    assert [c["role"] for c in contents] == ["user", "model", "user"]
    assert contents[1]["parts"][-1]["thoughtSignature"] == signature(1)
    s = sink.meter.stats()
    assert s.turns == 2
    assert s.input_tokens == 35 and s.output_tokens == 6
    assert s.ttft_s == first.ttft_s
    assert s.time_to_first_useful_s == first.time_to_first_useful_s
    assert first.wall_time_s is not None and s.wall_time_s is not None
    sent2 = [x.t_ns for x in sink.events if isinstance(x.event, RequestSent)][-1]
    end2 = sink.events[-1].t_ns
    # the turns' wall times add up; the time between the two runs is not counted
    assert s.wall_time_s == pytest.approx(first.wall_time_s + (end2 - sent2) / 1e9)
    assert s.text == "One.Two."
    final = sink.of(ConversationState)[-1].conversation
    assert [m.role for m in final.messages] == ["user", "assistant", "user", "assistant"]
    assert isinstance(final.messages[-1], AssistantMessage)


async def test_the_world_reaches_the_worker_process() -> None:
    plan = make_plan("openai-chat", "http://127.0.0.1:1", world=world(), max_tool_rounds=3)
    back = plan_from_json(json.loads(json.dumps(plan_to_json(plan))))
    assert back.max_tool_rounds == 3
    assert back.world is not None
    assert back.world.call("read_file", '{"path": "src/a.py"}').content.startswith("     1\tone")
    assert back.world.call("lookup", '{"word": "alpha"}').content == "ALPHA-RESULT"

    script = ScriptedRounds("openai-chat", PARALLEL)
    got: list[Stamped] = []
    async with running_server(script) as server:
        live = make_plan("openai-chat", server.base, world=world())
        child = ChildDuelRunner(lambda _r, s: got.append(s), env={"K": "k", "PATH": ""})
        try:
            await child.start([live])
            await asyncio.wait_for(child.wait(), 60)
        finally:
            await child.aclose()
    assert len(script.requests) == 2
    kinds = [type(s.event).__name__ for s in got]
    assert "ToolResultReady" in kinds and kinds[-1] == "Finished"
    meter = StreamMeter()
    for s in got:
        meter.observe(s)
    assert meter.stats().input_tokens == 300
    assert meter.stats().tool_rounds == 1


def test_images_the_model_cannot_take_fail_before_sending() -> None:
    from modelduel.attachments import Attachment
    from modelduel.capabilities import family_for
    from modelduel.core.toolloop import ToolLoop

    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10" + b"0" * 20
    image = Attachment("shot.png", "image", "image/png", png, None, 16, 16)
    conv_msg = user_message("what is this?", [image])
    from modelduel.conversation import Conversation

    caps = dataclasses.replace(family_for("openai-chat", "m"), images=False)
    target = StreamTarget(kind="openai-chat", base_url="http://x", api_key=lambda: "k", key_env="K")
    request = ModelRequest("m", "", caps=caps, conversation=Conversation(None, (conv_msg,)))
    problem = ToolLoop(RunPlan("r", "x", target, request)).request_problem()
    assert problem is not None and "m takes no images" in problem.message
    # a model that takes images passes, and a too large one is refused naming the file
    ok = ModelRequest("m", "", conversation=Conversation(None, (conv_msg,)))
    assert ToolLoop(RunPlan("r", "x", target, ok)).request_problem() is None
    big = Attachment("big.png", "image", "image/png", png + b"0" * (21 * 1024 * 1024), None, 16, 16)
    huge = ModelRequest("m", "", conversation=Conversation(None, (user_message("x", [big]),)))
    problem = ToolLoop(RunPlan("r", "x", target, huge)).request_problem()
    assert problem is not None and "big.png" in problem.message and "20 MB" in problem.message


def test_usage_of_one_round_never_replaces_the_last() -> None:
    """Without the round boundary, a later Usage would replace the earlier one."""
    meter = StreamMeter()
    meter.observe(Stamped(0, RequestSent(0)))
    meter.observe(Stamped(1, TextDelta("a")))
    meter.observe(Stamped(2, Usage(input_tokens=100, output_tokens=5)))
    meter.observe(Stamped(3, RoundStarted(2)))
    meter.observe(Stamped(4, RequestSent(0)))
    meter.observe(Stamped(5, Usage(input_tokens=150, output_tokens=7)))
    meter.observe(Stamped(6, Finished("stop")))
    s = meter.stats()
    assert (s.input_tokens, s.output_tokens) == (250, 12)
    assert s.ttft_s == pytest.approx(1e-9)
    assert s.wall_time_s == pytest.approx(6e-9)


def test_tokens_per_second_counts_streaming_time_only_not_the_tool_wait() -> None:
    """100 tokens streamed in 1 s, a 300 s tool wait, 100 more in 1 s: 100 tok/s, not 0.66."""
    s_ns = 1_000_000_000
    meter = StreamMeter()
    meter.observe(Stamped(0, RequestSent(0)))
    meter.observe(Stamped(1 * s_ns, TextDelta("a")))
    meter.observe(Stamped(2 * s_ns, TextDelta("b")))
    meter.observe(Stamped(2 * s_ns, Usage(input_tokens=10, output_tokens=100)))
    meter.observe(Stamped(3 * s_ns, RoundStarted(2)))
    meter.observe(Stamped(302 * s_ns, RequestSent(0)))
    meter.observe(Stamped(303 * s_ns, TextDelta("c")))
    meter.observe(Stamped(304 * s_ns, TextDelta("d")))
    meter.observe(Stamped(304 * s_ns, Usage(input_tokens=20, output_tokens=100)))
    meter.observe(Stamped(304 * s_ns, Finished("stop")))
    assert meter.stats().output_tokens_per_s == pytest.approx(100.0)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_call_is_a_first_token_but_not_useful_output(kind: str) -> None:
    rounds = [Round(calls=[("lookup", {"word": "alpha"})]), Round(text="answer")]
    sink, _ = await run_loop(kind, rounds)
    s = sink.meter.stats()
    sent = next(x.t_ns for x in sink.events if isinstance(x.event, RequestSent))
    call = next(x.t_ns for x in sink.events if isinstance(x.event, ToolCallStarted))
    text = next(x.t_ns for x in sink.events if isinstance(x.event, TextDelta))
    assert s.ttft_s == pytest.approx((call - sent) / 1e9)
    assert s.time_to_first_useful_s == pytest.approx((text - sent) / 1e9)
    assert text > call


async def test_the_row_and_transcript_hold_every_round() -> None:
    from modelduel.config import Config, DuelSettings, resolve_model
    from modelduel.core.records import csv_row, transcript_record
    from modelduel.core.session import DuelState

    sink, _ = await run_loop("openai-chat", PARALLEL)
    model = resolve_model("openai/gpt-5.5", Config(), {"OPENAI_API_KEY": "sk-x"}, DuelSettings())
    state = DuelState.create([model], "find alpha", None, task_id="t")
    slot = state.slots[0]
    slot.meter = sink.meter
    row = csv_row(state, slot)
    assert (row["tool_calls"], row["tool_rounds"], row["turns"]) == (2, 1, 1)
    assert row["input_tokens"] == 300 and row["finish_reason"] == "stop"
    record = transcript_record(state, slot)
    calls = record["tool_calls"]
    assert [(c["name"], c["round"], c["is_error"]) for c in calls] == [
        ("lookup", 1, False),
        ("read_file", 1, False),
    ]
    assert calls[0]["result"] == "ALPHA-RESULT" and calls[1]["label"] == "read_file src/a.py:1-2"
    roles = [m["role"] for m in record["conversation"]["messages"]]
    assert roles == ["user", "assistant", "tool", "assistant"]


async def test_each_turn_has_its_own_figures() -> None:
    rounds = [
        Round(text="First.", input_tokens=10, output_tokens=2),
        Round(calls=[("lookup", {"word": "alpha"})], input_tokens=30, output_tokens=3),
        Round(text="Second.", input_tokens=50, output_tokens=4),
    ]
    sink, _ = await run_loop("openai-chat", rounds, followups=(user_message("more"),))
    figures = sink.meter.turn_figures()
    assert [(f["turn"], f["input_tokens"], f["output_tokens"]) for f in figures] == [
        (1, 10, 2),
        (2, 80, 7),
    ]
    assert [(f["tool_calls"], f["tool_rounds"]) for f in figures] == [(0, 0), (1, 1)]
    total = sink.meter.stats().wall_time_s
    assert total is not None
    assert sum(f["wall_time_s"] for f in figures) == pytest.approx(total)
    assert figures[1]["finish_reason"] == "stop"


def test_a_loaded_tasks_world_crosses_the_pipe_with_its_result_files() -> None:
    from pathlib import Path

    from modelduel.core.taskplan import plan_for_task
    from modelduel.tasks import load_task

    path = Path(__file__).resolve().parents[1] / "tasks/starter/04-agent-ci-datetime.toml"
    task = load_task(path)
    assert any(t.result_file for t in task.tools) or any(
        r.result_file for t in task.tools for r in t.rules
    )
    base = make_plan("openai", "http://127.0.0.1:1")
    plan = plan_for_task(base, task)
    assert plan.world is not None and plan.max_tool_rounds == task.max_tool_rounds
    back = plan_from_json(json.loads(json.dumps(plan_to_json(plan))))
    assert back.world is not None
    assert [s.name for s in back.world.tool_specs()] == [s.name for s in plan.world.tool_specs()]
    for tool in task.tools:
        args = json.dumps({k: "x" for k in tool.parameters.get("required", [])})
        assert back.world.call(tool.name, args) == plan.world.call(tool.name, args)
    assert plan_for_task(base, task.model_copy(update={"tools": [], "fixtures": None})) is base


async def test_a_run_with_an_image_the_model_cannot_take_sends_nothing() -> None:
    from modelduel.attachments import Attachment
    from modelduel.capabilities import family_for
    from modelduel.conversation import Conversation

    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x04\x00\x00\x00\x04" + b"\x00" * 8
    image = Attachment("chart.png", "image", "image/png", png, None, 4, 4)
    script = ScriptedRounds("openai-chat", [Round(text="I see")])
    sink = Collect()
    pool = ClientPool(Timeouts(connect=5))
    caps = dataclasses.replace(family_for("openai-chat", "m"), images=False)
    async with running_server(script) as server:
        base = make_plan("openai-chat", server.base)
        conv = Conversation(None, (user_message("look", [image]),))
        request = ModelRequest("m", "look", caps=caps, conversation=conv)
        plan = RunPlan("r1", "openai-chat", base.target, request)
        await DuelRunner(sink, pool, timeout_s=30).run([plan])
        sees = ModelRequest("m", "look", conversation=conv)
        with_images = RunPlan("r2", "openai-chat", base.target, sees)
        await DuelRunner(sink, pool, timeout_s=30).run([with_images])
    await pool.aclose()
    failed = sink.of(StreamFailed)
    assert len(failed) == 1 and "takes no images" in failed[0].error.message
    assert failed[0].error.kind == "config"
    assert len(script.requests) == 1  # only the model that takes images was sent anything
    assert script.requests[0]["messages"][0]["content"][1]["type"] == "image_url"
