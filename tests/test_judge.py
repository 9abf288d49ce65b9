"""The blind judge: config, prompt, verdict parsing, and the simulated judge over loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelduel.config import Config, JudgeConfig, parse_config, resolve_model
from modelduel.core.judge import judge_runner
from modelduel.core.judge_blind import blind_names
from modelduel.core.judge_input import JudgedTask
from modelduel.core.judge_prompt import DEFAULT_RUBRIC, JUDGE_MARKER, build_judge_prompt
from modelduel.core.judge_reply import parse_verdict
from modelduel.core.judge_verdict import JudgeVerdict
from modelduel.core.plan import RunPlan
from modelduel.errors import ConfigError
from modelduel.simulator import SimulatorHandle, run_in_thread
from modelduel.simulator import judge as sim_judge
from tests.support.cli import run_demo_suite
from tests.support.judging import judge_verdict

FAST = """
[simulator."claude-opus-4-7"]
ttft_ms = 10
reasoning_ms = 0
tps = 3000
[simulator."gpt-5.5"]
ttft_ms = 10
reasoning_ms = 0
tps = 3000
"""

TASK = JudgedTask(
    "Summarise the incident in three bullets.",
    ("names the root cause", "gives the timeline"),
    "Markdown: three bullets.",
)

# ---------------------------------------------------------------------------- config


@pytest.mark.parametrize(
    ("judge", "message"),
    [
        (
            {"model": "nope/x"},
            "c.toml: key 'judge.model': 'nope/x' is not a configured model: unknown provider "
            "'nope'",
        ),
        ({"model": "gpt-5.5"}, "c.toml: key 'judge.model': 'gpt-5.5' is not a model; write"),
        ({"model": "openai/gpt-5.5", "rubric": "  "}, "c.toml: key 'judge.rubric': is blank"),
        ({"model": "openai/gpt-5.5", "self": True}, "c.toml: unknown key 'judge.self' (known"),
        ({}, "c.toml: key 'judge.model': Field required"),
    ],
)
def test_a_bad_judge_section_is_one_line_naming_the_file_and_field(
    judge: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"judge": judge}, "c.toml")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_a_judge_on_a_configured_provider_is_accepted_and_defaults_are_safe() -> None:
    config = parse_config(
        {
            "providers": {"local": {"kind": "openai-chat", "base_url": "http://127.0.0.1:1/v1"}},
            "judge": {"model": "local/qwen3"},
        },
        "c.toml",
    )
    assert config.judge == JudgeConfig(model="local/qwen3")
    assert config.judge.allow_self is False and config.judge.enabled is True
    assert config.judge.rubric is None


def test_a_disabled_or_absent_judge_sends_nothing() -> None:
    def never(spec: str) -> object:
        raise AssertionError("no judge model is resolved when there is no judge")

    async def start(plans: list[RunPlan]) -> None:
        raise AssertionError("nothing is started")

    assert judge_runner(None, never, start) is None  # type: ignore[arg-type]
    off = JudgeConfig(model="openai/gpt-5.5", enabled=False)
    assert judge_runner(off, never, start) is None  # type: ignore[arg-type]


def test_config_show_lists_the_judge() -> None:
    from modelduel.config import effective_config_view

    config = parse_config({"judge": {"model": "openai/gpt-5.5"}}, "c.toml")
    view = effective_config_view(config, {})
    assert view["judge"] == {
        "model": "openai/gpt-5.5",
        "rubric": None,
        "allow_self": False,
        "enabled": True,
    }


# ---------------------------------------------------------------------------- prompt


def _model(spec: str, env: dict[str, str] | None = None) -> object:
    return resolve_model(spec, Config(), env or {})


def test_the_judge_prompt_is_blind_and_carries_criteria_format_and_rubric() -> None:
    model = resolve_model("anthropic/claude-opus-4-7", Config(), {})
    answer = (
        "As Claude (claude-opus-4-7, made by Anthropic), served as anthropic/claude-opus-4-7, "
        "I think:\n- a\n- b\n- c"
    )
    prompt = build_judge_prompt(TASK, answer, hide=blind_names(model))
    lowered = prompt.lower()
    for name in ("claude", "anthropic", "opus-4-7"):
        assert name not in lowered
    assert prompt.startswith(JUDGE_MARKER)
    assert "=== ANSWER A ===" in prompt and "[model]" in prompt
    assert "1) names the root cause\n2) gives the timeline" in prompt
    assert "Markdown: three bullets." in prompt
    assert DEFAULT_RUBRIC in prompt
    assert "- a\n- b\n- c" in prompt  # the answer itself is kept
    custom = build_judge_prompt(TASK, answer, rubric="Only correctness matters.")
    assert "Only correctness matters." in custom and DEFAULT_RUBRIC not in custom


@pytest.mark.parametrize(
    ("spec", "answer", "names"),
    [
        ("anthropic/claude-opus-4-7", "I am Opus 4.7, from Anthropic.", ("opus",)),
        ("openai-chat/anthropic/claude-sonnet-4.5", "As Claude Sonnet, I", ("claude", "sonnet")),
        ("openai/gpt-5.5", "ChatGPT here; OpenAI trained me.", ("chatgpt", "openai", "chat")),
        ("gemini/gemini-3.1-pro-preview", "Gemini 3.1 Pro from Google DeepMind", ("google",)),
    ],
)
def test_an_answer_naming_its_maker_or_product_is_blind_too(
    spec: str, answer: str, names: tuple[str, ...]
) -> None:
    model = resolve_model(spec, Config(), {})
    prompt = build_judge_prompt(TASK, answer, hide=blind_names(model)).lower()
    body = prompt.split("=== answer a ===", 1)[1]
    for name in names:
        assert name not in body, (name, body)


def test_the_simulator_knows_the_judge_marker() -> None:
    # the simulator repeats the marker instead of importing the client's: they must agree
    assert sim_judge.JUDGE_MARKER == JUDGE_MARKER
    assert sim_judge.judge_reply("Explain caching", "gpt-5.5") is None


# ---------------------------------------------------------------------------- parsing

GOOD = {"quality": 2, "correctness": 1, "format": 0, "rework": 1, "reason": "fine, wrong format"}


def test_a_verdict_is_read_from_the_first_fenced_json_block_or_the_whole_text() -> None:
    fenced = f"Here you go:\n\n```json\n{json.dumps(GOOD)}\n```\n\n```json\n{{}}\n```"
    assert parse_verdict(fenced) == (
        {"quality": 2, "correctness": 1, "format": 0, "rework": 1},
        "fine, wrong format",
    )
    assert parse_verdict(json.dumps(GOOD)) == parse_verdict(fenced)
    untagged = f"```\n{json.dumps(GOOD)}\n```"
    assert parse_verdict(untagged) == parse_verdict(fenced)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("I'd say 4/5.", "not JSON"),
        ("", "the judge's answer is empty"),
        (json.dumps(GOOD | {"quality": 3}), "$.quality: 3 is greater than the maximum of 2"),
        (json.dumps(GOOD | {"rework": 0.5}), "$.rework: 0.5 is not of type 'integer'"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "format"}), "'format' is a required"),
        (json.dumps(GOOD | {"total": 4}), "Additional properties are not allowed"),
        (json.dumps(GOOD | {"reason": "two\nlines"}), "$.reason"),
        (json.dumps([GOOD]), "is not of type 'object'"),
    ],
)
def test_an_answer_that_is_not_a_valid_verdict_is_said_so_never_guessed(
    text: str, why: str
) -> None:
    result = parse_verdict(text)
    assert isinstance(result, str) and why in result


def test_verdict_cells_only_touch_judge_columns_and_say_why_when_there_is_no_score() -> None:
    scores = {"quality": 2, "correctness": 1, "format": 0, "rework": 1}
    scored = JudgeVerdict("scored", "openai/gpt-5.5", scores, "ok", 0.0123456789)
    assert scored.csv_columns() == {
        "judge_model": "openai/gpt-5.5",
        "judge_quality": 2,
        "judge_correctness": 1,
        "judge_format": 0,
        "judge_rework": 1,
        "judge_reason": "ok",
        "judge_cost_usd": 0.01234568,
    }
    assert {s.label for s in scored.suggestions().values()} == {
        "quality: judge 2/2",
        "correctness: judge 1/1",
        "format: judge 0/1",
        "rework: judge 1/1",
    }
    failed = JudgeVerdict("failed", "openai/gpt-5.5", reason="timeout: no answer", cost_usd=None)
    cells = failed.csv_columns()
    assert all(name.startswith("judge_") for name in cells)
    assert cells["judge_reason"] == "judge failed: timeout: no answer"
    assert cells["judge_quality"] is None and failed.suggestions() == {}
    invalid = JudgeVerdict("invalid", "openai/gpt-5.5", reason="not JSON")
    assert invalid.csv_columns()["judge_reason"] == "judge answer not valid: not JSON"
    assert invalid.suggestions() == {}


# ---------------------------------------------------------------------------- loopback


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorHandle]:
    import tomllib

    with run_in_thread(seed=3, ground_truth=True, profiles=tomllib.loads(FAST)["simulator"]) as h:
        yield h


def _judge_requests(handle: SimulatorHandle) -> list[dict[str, object]]:
    return [
        r
        for r in handle.ground_truth()
        if JUDGE_MARKER in json.dumps(r.get("request_body"), ensure_ascii=False)
    ]


def test_the_simulated_judge_scores_an_answer_with_its_cost_apart(
    simulator: SimulatorHandle,
) -> None:
    answer = "- root cause: a full disk\n- timeline: 09:00 to 09:40\n- fix: rotate logs"
    verdict = asyncio.run(
        judge_verdict(simulator, TASK, "openai/gpt-5.5", "gemini/gemini-3.1-pro-preview", answer)
    )
    assert verdict.status == "scored", verdict
    # the simulator's verdict is deterministic: a digest of the judged answer
    expected = sim_judge.judge_reply(build_judge_prompt(TASK, answer), "gpt-5.5")
    assert expected is not None
    assert parse_verdict(expected) == (dict(verdict.scores), verdict.reason)
    assert verdict.cost_usd is not None and verdict.cost_usd > 0
    assert "```json" in verdict.raw


def test_the_judge_prompt_sent_never_names_the_judged_model(simulator: SimulatorHandle) -> None:
    simulator.clear_ground_truth()
    answer = "I am Gemini (gemini-3.1-pro-preview, by the gemini API). - a - b - c"
    verdict = asyncio.run(
        judge_verdict(simulator, TASK, "openai/gpt-5.5", "gemini/gemini-3.1-pro-preview", answer)
    )
    assert verdict.status == "scored"
    sent = _judge_requests(simulator)
    assert len(sent) == 1
    body = json.dumps(sent[0]["request_body"], ensure_ascii=False).lower()
    assert "gemini" not in body and "3.1-pro" not in body
    assert "answer a" in body and "- a - b - c" in body


@pytest.mark.parametrize(
    ("judge_spec", "why"),
    [
        ("openai/gpt-5.5-judge-badjson", "not JSON"),
        ("openai/gpt-5.5-judge-badschema", "$.quality: 7 is greater than the maximum of 2"),
    ],
)
def test_a_judge_answer_that_is_not_valid_is_shown_as_such(
    simulator: SimulatorHandle, judge_spec: str, why: str
) -> None:
    verdict = asyncio.run(
        judge_verdict(simulator, TASK, judge_spec, "gemini/gemini-3.1-pro-preview", "x")
    )
    assert verdict.status == "invalid"
    assert why in verdict.reason and verdict.label.startswith("judge answer not valid: ")
    assert verdict.scores == {} and verdict.suggestions() == {}
    assert verdict.cost_usd is not None and verdict.cost_usd > 0  # it was paid for all the same


def test_a_judge_outage_is_a_failed_verdict_not_an_exception(simulator: SimulatorHandle) -> None:
    verdict = asyncio.run(
        judge_verdict(
            simulator, TASK, "openai/gpt-5.5@fault=server", "gemini/gemini-3.1-pro-preview", "x"
        )
    )
    assert verdict.status == "failed"
    assert verdict.label.startswith("judge failed: ") and verdict.scores == {}


def test_a_judge_that_times_out_is_a_failed_verdict(simulator: SimulatorHandle) -> None:
    verdict = asyncio.run(
        judge_verdict(
            simulator,
            TASK,
            "openai/gpt-5.5@fault=silent_think:30",
            "gemini/gemini-3.1-pro-preview",
            "x",
            timeout_s=0.5,
        )
    )
    assert verdict.status == "failed" and verdict.reason.startswith("timeout")


def test_the_judge_skips_its_own_providers_answers_unless_allowed(
    simulator: SimulatorHandle,
) -> None:
    simulator.clear_ground_truth()
    skipped = asyncio.run(judge_verdict(simulator, TASK, "openai/gpt-5.5", "openai/gpt-5.4", "x"))
    assert skipped.status == "skipped" and "allow_self" in skipped.reason
    assert _judge_requests(simulator) == []  # nothing was sent, nothing was paid
    assert skipped.csv_columns()["judge_quality"] is None
    allowed = asyncio.run(
        judge_verdict(simulator, TASK, "openai/gpt-5.5", "openai/gpt-5.4", "x", allow_self=True)
    )
    assert allowed.status == "scored"
    assert len(_judge_requests(simulator)) == 1


# ---------------------------------------------------------------------------- `modelduel run`

SUITE_TASK = """\
id = "judge-me"
type = "research_summary"
title = "T"
prompt = "Summarise caching."
criteria = ["a", "b"]
output_format = "Markdown."
"""


def _run_suite(tmp_path: Path, judge: str) -> tuple[int, dict[str, dict[str, str]], str]:
    config = tmp_path / "config.toml"
    config.write_text(f'[judge]\nmodel = "{judge}"\n{FAST}', encoding="utf-8")
    done, rows, out = run_demo_suite(
        tmp_path, SUITE_TASK, "openai/gpt-5.5", "anthropic/claude-opus-4-7", config=config
    )
    return done.returncode, rows, out.with_suffix(".jsonl").read_text(encoding="utf-8")


def test_run_records_the_judges_verdict_and_cost_apart(tmp_path: Path) -> None:
    code, rows, transcript = _run_suite(tmp_path, "anthropic/claude-opus-4-7")
    assert code == 0
    judged, own = rows["openai/gpt-5.5"], rows["anthropic/claude-opus-4-7"]
    assert judged["judge_model"] == "anthropic/claude-opus-4-7"
    assert judged["judge_quality"] in ("0", "1", "2") and judged["judge_rework"] in ("0", "1")
    assert float(judged["judge_cost_usd"]) > 0
    assert float(judged["cost_usd"]) > 0 and judged["cost_usd"] != judged["judge_cost_usd"]
    # the person's cells are the person's: the judge suggests, it never scores
    assert judged["score"] == judged["quality"] == judged["parts_source"] == ""
    # the judge's own provider is not judged by default
    assert own["judge_quality"] == "" and own["judge_cost_usd"] == ""
    assert own["judge_reason"].startswith("not judged: the judge's own provider")
    last = {}
    for line in transcript.splitlines():
        record = json.loads(line)
        last[record["run_id"]] = record
    assert last[judged["run_id"]]["judge"]["status"] == "scored"
    assert last[judged["run_id"]]["text"]  # the record is still the run's, with the verdict


def test_a_judge_outage_in_run_leaves_the_rows_and_the_exit_status_alone(tmp_path: Path) -> None:
    code, rows, _ = _run_suite(tmp_path, "gemini/gemini-3.1-pro-preview@fault=unavailable")
    assert code == 0  # every run succeeded; the judge's failure is not theirs
    for row in rows.values():
        assert not row["error"]
        assert row["judge_reason"].startswith("judge failed: ")
        assert row["judge_quality"] == row["score"] == row["quality"] == ""
