"""The judge avoids its own maker whatever serves it, and reads a conversation as turns."""

from __future__ import annotations

import asyncio
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelduel.config import Config, ProviderConfig, ResolvedModel, resolve_model
from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Text,
    ToolCall,
    user_message,
)
from modelduel.conversation_json import conversation_from_json
from modelduel.core.judge_blind import blind_names, is_self_judging, model_vendor
from modelduel.core.judge_input import JudgedTask, conversation_turns
from modelduel.core.judge_prompt import JUDGE_MARKER, build_judge_prompt
from modelduel.core.judge_reply import parse_verdict
from modelduel.simulator import SimulatorHandle, run_in_thread
from modelduel.simulator import judge as sim_judge
from tests.support.cli import run_demo_suite
from tests.support.judging import judge_verdict

TASK = JudgedTask("Summarise caching.", ("names the trade-off",), "Markdown.")
FAST = """
[simulator."gpt-5.5"]
ttft_ms = 10
reasoning_ms = 0
tps = 3000
"""


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=5, ground_truth=True, profiles=tomllib.loads(FAST)["simulator"]) as h:
        yield h


def _model(spec: str) -> ResolvedModel:
    return resolve_model(spec, Config(), {})


@pytest.mark.parametrize(
    ("judge", "answered_by", "own"),
    [
        # a Claude judge through OpenRouter (openai-chat) and a Claude answer from Messages
        ("openai-chat/anthropic/claude-sonnet-4.5", "anthropic/claude-opus-4-7", True),
        ("anthropic/claude-opus-4-7", "openai-chat/anthropic/claude-sonnet-4.5", True),
        ("gemini/gemini-3.1-pro-preview", "openai-chat/google/gemini-3-flash", True),
        ("openai/gpt-5.5", "openai-chat/gpt-oss-120b", True),
        # same protocol, different makers: not its own
        ("openai-chat/anthropic/claude-sonnet-4.5", "openai-chat/openai/gpt-5.5", False),
        ("openai/gpt-5.5", "openai-chat/qwen3", False),
        ("openai/gpt-5.5", "gemini/gemini-3.1-pro-preview", False),
    ],
)
def test_self_judging_is_by_maker_not_by_protocol(judge: str, answered_by: str, own: bool) -> None:
    assert is_self_judging(_model(judge), _model(answered_by)) is own


def test_the_maker_is_read_from_the_model_id_then_the_protocol() -> None:
    assert model_vendor(_model("openai-chat/anthropic/claude-sonnet-4.5")) == "anthropic"
    assert model_vendor(_model("gemini/gemini-3.1-pro-preview")) == "google"
    assert model_vendor(_model("openai-chat/qwen3")) is None


def test_a_users_own_endpoint_on_a_first_party_protocol_is_not_that_protocols_maker() -> None:
    # a vLLM qwen3 behind `kind = "openai"` (Responses) is not OpenAI's: a GPT judge must
    # still judge it, and a local judge must still judge GPT's answers
    config = Config(
        providers={"local": ProviderConfig(kind="openai", base_url="http://127.0.0.1:8000/v1")}
    )
    local = resolve_model("local/qwen3", config, {})
    assert model_vendor(local) is None
    assert not is_self_judging(_model("openai/gpt-5.5"), local)
    assert not is_self_judging(local, _model("openai/gpt-5.5"))
    assert model_vendor(_model("openai/o9-mini")) == "openai"  # the built-in provider still is


def _judge_prompts(handle: SimulatorHandle) -> list[str]:
    prompts = []
    for r in handle.ground_truth():
        body = json.dumps(r.get("request_body"), ensure_ascii=False)
        if JUDGE_MARKER in body:
            prompts.append(body)
    return prompts


def test_a_routed_judge_skips_its_own_makers_answer_and_sends_nothing(
    simulator: SimulatorHandle,
) -> None:
    simulator.clear_ground_truth()
    verdict = asyncio.run(
        judge_verdict(
            simulator,
            TASK,
            "openai-chat/anthropic/claude-opus-4-7",
            "anthropic/claude-opus-4-7",
            "x",
        )
    )
    assert verdict.status == "skipped" and "anthropic" in verdict.reason
    assert _judge_prompts(simulator) == []  # nothing sent, nothing paid


def _conversation() -> Conversation:
    def said(*parts: Text | ToolCall) -> AssistantMessage:
        return AssistantMessage(tuple(parts), "anthropic", "claude-opus-4-7", None, "stop")

    return Conversation(
        None,
        (
            user_message(TASK.prompt),
            said(Text("Caching trades memory for speed, says Claude.")),
            user_message("Now give one example."),
            said(Text("Let me look."), ToolCall("c1", "lookup", "{}")),
            said(Text("A CDN caches pages.")),
        ),
    )


def test_a_conversation_is_turns_each_user_message_and_each_answer_labelled() -> None:
    turns = conversation_turns(_conversation())
    assert [(t.user, t.answer) for t in turns] == [
        (TASK.prompt, "Caching trades memory for speed, says Claude."),
        ("Now give one example.", "Let me look.\n\nA CDN caches pages."),
    ]
    prompt = build_judge_prompt(TASK, turns, hide=["Claude"])
    order = [
        "=== TASK ===",
        "=== CONVERSATION: 2 TURNS ===",
        "=== TURN 1: USER ===",
        "=== TURN 1: ANSWER A ===\nCaching trades memory for speed, says [model].",
        "=== TURN 2: USER ===\nNow give one example.",
        "=== TURN 2: ANSWER A ===\nLet me look.\n\nA CDN caches pages.",
        "=== END OF CONVERSATION ===",
    ]
    at = [prompt.index(piece) for piece in order]
    assert at == sorted(at)
    assert "Claude" not in prompt


def test_the_judge_is_sent_the_turns_not_the_joined_text(simulator: SimulatorHandle) -> None:
    simulator.clear_ground_truth()
    conv = _conversation()
    joined = "Caching trades memory for speed, says Claude.Let me look.A CDN caches pages."
    verdict = asyncio.run(
        judge_verdict(
            simulator,
            TASK,
            "openai/gpt-5.5",
            "anthropic/claude-opus-4-7",
            joined,
            conversation=conv,
        )
    )
    assert verdict.status == "scored", verdict
    (sent,) = _judge_prompts(simulator)
    assert "=== TURN 2: USER ===\\nNow give one example." in sent
    assert "=== TURN 2: ANSWER A ===\\nLet me look.\\n\\nA CDN caches pages." in sent
    assert "speed, says [model].Let me look" not in sent  # never the joined text


def test_a_one_turn_conversation_is_judged_as_before() -> None:
    one = Conversation(None, _conversation().messages[:2])
    (turn,) = conversation_turns(one)
    assert build_judge_prompt(TASK, [turn]) == build_judge_prompt(TASK, turn.answer)


TURNS_TASK = """\
id = "judge-turns"
type = "research_summary"
title = "T"
prompt = "Summarise caching."
criteria = ["names the trade-off"]
output_format = "Markdown."

[[turns]]
prompt = "Now give one example."
"""


def test_modelduel_run_sends_the_judge_a_conversation_as_its_turns(tmp_path: Path) -> None:
    # The simulated judge's scores are a digest of what it was sent: equal to the digest of
    # the turn-by-turn prompt rebuilt from the transcript's conversation, not of the joined
    # text (the run's `text`)
    config = tmp_path / "config.toml"
    config.write_text('[judge]\nmodel = "anthropic/claude-opus-4-7"\n' + FAST, encoding="utf-8")
    done, rows, out = run_demo_suite(tmp_path, TURNS_TASK, "openai/gpt-5.5", config=config)
    assert done.returncode == 0, done.stderr
    row = rows["openai/gpt-5.5"]
    assert row["turns"] == "2" and row["judge_quality"] != "", row
    records = [json.loads(line) for line in out.with_suffix(".jsonl").read_text().splitlines()]
    conv = conversation_from_json(records[-1]["conversation"])
    turns = conversation_turns(conv)
    # the judge is told the prompt as the model got it (the criteria and format appended)
    task = JudgedTask(turns[0].user, ("names the trade-off",), "Markdown.")
    hide = blind_names(_model("openai/gpt-5.5"))
    as_turns = build_judge_prompt(task, turns, hide=hide)
    joined = build_judge_prompt(task, records[-1]["text"], hide=hide)
    verdicts = {
        name: parse_verdict(sim_judge.judge_reply(prompt, "claude-opus-4-7") or "")
        for name, prompt in (("turns", as_turns), ("joined", joined))
    }
    got = {p: int(row[f"judge_{p}"]) for p in ("quality", "correctness", "format", "rework")}
    turns_verdict = verdicts["turns"]
    assert not isinstance(turns_verdict, str) and turns_verdict[0] == got
    assert verdicts["turns"] != verdicts["joined"]  # the check can tell the two apart
