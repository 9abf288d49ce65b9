"""The judge's verdict names the judge as a results row names a model: no fault suffix.

The simulator's fault suffix (`openai/gpt-5.5@fault=server`) injects a failure; it is not
part of the model's name, so `judge_model` (as the `model` column) holds the name without it.
"""

from __future__ import annotations

import asyncio

from modelduel.config import JudgeConfig, parse_config, resolve_model
from modelduel.core.judge import judge_runner
from modelduel.core.judge_input import JudgedTask
from modelduel.core.judge_verdict import JudgeVerdict
from modelduel.core.plan import RunPlan
from modelduel.simulator import run_in_thread
from tests.support.judging import judge_verdict

TASK = JudgedTask("Summarise.", ("a",), "Text.")
JUDGE = "openai/gpt-5.5@fault=server"
CLEAN = "openai/gpt-5.5"


def _named(verdict: JudgeVerdict) -> set[str]:
    """Every name the verdict gives its judge: the CSV cell and the transcript's."""
    return {
        verdict.judge_model,
        str(verdict.csv_columns()["judge_model"]),
        verdict.as_dict()["model"],
    }


def test_a_skipped_or_unstarted_judge_is_named_without_the_fault_suffix() -> None:
    config = parse_config({}, "test")

    async def start(plans: list[RunPlan]) -> None:
        raise RuntimeError("no runner")

    async def main() -> tuple[JudgeVerdict, JudgeVerdict]:
        runner = judge_runner(
            JudgeConfig(model=JUDGE), lambda s: resolve_model(s, config, {}), start
        )
        assert runner is not None
        own = resolve_model("openai/gpt-5.4", config, {})
        other = resolve_model("gemini/gemini-3.1-pro-preview", config, {})
        return await runner.verdict(TASK, own, "x"), await runner.verdict(TASK, other, "x")

    skipped, unstarted = asyncio.run(main())
    assert skipped.status == "skipped" and unstarted.status == "failed", (skipped, unstarted)
    assert _named(skipped) == _named(unstarted) == {CLEAN}


def test_a_judge_run_that_fails_is_named_without_the_fault_suffix() -> None:
    with run_in_thread(seed=3) as handle:
        verdict = asyncio.run(
            judge_verdict(handle, TASK, JUDGE, "gemini/gemini-3.1-pro-preview", "x")
        )
    assert verdict.status == "failed", verdict
    assert _named(verdict) == {CLEAN}
