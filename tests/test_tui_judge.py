"""Pilot tests of the blind judge in the duel screen, with the simulator's judge answers.

A scripted runner plays the duel's models and, for the judge's model, answers the judge
prompt with what the simulator's judge says (`simulator/judge.py`), so a verdict, an
invalid answer, an outage and the blind prompt are all exercised through the screen.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from modelduel.config import Config, JudgeConfig, resolve_model
from modelduel.core.duel import RunPlan
from modelduel.core.judge_reply import parse_verdict
from modelduel.events import (
    ErrorInfo,
    Finished,
    RequestSent,
    Stamped,
    StreamFailed,
    TextDelta,
    Usage,
)
from modelduel.simulator.judge import judge_reply
from modelduel.storage import read_rows
from modelduel.tasks import Task
from modelduel.tui.app import AppSettings, ModelduelApp
from tests.test_tui import ENV, SCRIPT, SPECS, T0, ScriptedRunner, settle
from tests.test_tui_checks import pane_of, plan_task, wait_checks


class JudgingRunner(ScriptedRunner):
    """The scripted duel, plus a judge that answers like the simulator's (or fails)."""

    def __init__(self, app: ModelduelApp, hold_judge: bool = False) -> None:
        super().__init__(app)
        self.judge_prompts: list[str] = []
        self.judge_release = asyncio.Event()  # a slow judge: verdicts wait for it
        if not hold_judge:
            self.judge_release.set()

    async def _play(self, plan: RunPlan) -> None:
        model_id = plan.request.model_id
        if not model_id.startswith("judge-"):
            await super()._play(plan)
            return
        self.judge_prompts.append(plan.request.prompt)
        await self.judge_release.wait()
        sink, rid = self.app.sink, plan.run_id
        sink(rid, Stamped(T0, RequestSent(0)))
        end = T0 + 1_000_000_000
        if model_id == "judge-down":
            sink(rid, Stamped(end, StreamFailed(ErrorInfo("provider_error", "the judge is down"))))
        else:
            if model_id == "judge-namedrop":  # a judge whose reason names a duel model
                reply = json.dumps(
                    {"quality": 1, "correctness": 1, "format": 0, "rework": 1,
                     "reason": "reads like gpt-5.5 or Claude wrote it"}
                )  # fmt: skip
            else:
                simulated = judge_reply(plan.request.prompt, model_id)
                assert simulated is not None
                reply = simulated
            sink(rid, Stamped(end, TextDelta(reply)))
            sink(rid, Stamped(end, Usage(100, 0, 40, 10)))
            sink(rid, Stamped(end, Finished("stop", "stop")))
        self.app.run_ended(rid)


def judge_app(
    csv_path: Path,
    tasks: tuple[Task, ...],
    judge: str = "openai/judge-sim",
    *,
    blind: bool = False,
    allow_self: bool = True,
    hold_judge: bool = False,
    resume: bool = False,
) -> ModelduelApp:
    from modelduel.tui.recorded import recorded_views

    config = Config(judge=JudgeConfig(model=judge, allow_self=allow_self))
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    recorded = tuple(recorded_views(csv_path, False, {t.id for t in tasks})) if resume else ()
    settings = AppSettings(
        config, models, csv_path, tasks=tasks, blind=blind, env=ENV, recorded=recorded
    )
    return ModelduelApp(settings, lambda a: JudgingRunner(a, hold_judge))


def runner_of(app: ModelduelApp) -> JudgingRunner:
    assert isinstance(app.runner, JudgingRunner)
    return app.runner


async def wait_verdicts(pilot: Any, app: ModelduelApp) -> None:
    for _ in range(500):
        await pilot.pause(0.05)
        if app.view is not None and all(p.judge is not None for p in app.view.panes):
            await app.refresh_panes()
            await pilot.pause()
            return
    raise AssertionError("the judge never answered")


def stats_text(app: ModelduelApp, index: int) -> str:
    return str(app.screen.query_one(f"#pane-{index}").query_one(".pane-stats").render())


def row_of(csv_path: Path, spec: str) -> dict[str, str]:
    return next(r for r in read_rows(csv_path) if r["model"] == spec)


async def test_a_valid_verdict_is_a_suggestion_beside_the_persons_score(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    app = judge_app(csv_path, (plan_task(tmp_path),), hold_judge=True)
    async with app.run_test(size=(160, 50)) as pilot:
        runner = runner_of(app)  # the judge is slow: the answers are in, no verdict yet
        await settle(pilot, app)
        for _ in range(200):
            await pilot.pause(0.02)
            if len(runner.judge_prompts) == 3:
                break
        assert app.view is not None
        assert all(p.judge is None for p in app.view.panes)
        assert all(r["judge_model"] == "" for r in read_rows(csv_path))
        gpt = pane_of(app, "openai/gpt-5.5")
        await pilot.press("escape", *["right"] * gpt, "q", "q")  # quality 1, the person's
        runner.judge_release.set()
        await wait_verdicts(pilot, app)
        await wait_checks(pilot, app)
        await app.refresh_panes()
        await pilot.pause()
        model = app.view.panes[gpt]
        prompt = next(p for p in runner.judge_prompts if "# Plan" in p)
        parsed = parse_verdict(judge_reply(prompt, "judge-sim") or "")
        assert not isinstance(parsed, str)
        scores, _ = parsed
        assert model.judge is not None and dict(model.judge.scores) == scores
        assert model.score.quality == 1 and not model.score.is_scored  # the person's, untouched
        shown = stats_text(app, gpt)
        assert "judge: Q" in shown and "simulated verdict" in shown
        # offered: only rework; quality is the person's, correctness and format the checks'
        assert "quality: judge" not in shown and "correctness: judge" not in shown
        assert "format: judge" not in shown
        assert f"rework: judge {scores['rework']}/1" in shown and "(a accepts)" in shown
        row = row_of(csv_path, "openai/gpt-5.5")
        assert row["judge_model"] == "openai/judge-sim"
        assert [row[f"judge_{p}"] for p in scores] == [str(v) for v in scores.values()]
        assert row["quality"] == "1" and row["correctness"] == ""  # nothing accepted yet
        assert model.saved and not model.unsaved
        await pilot.press("a")  # the person chooses to take the judge's other parts
        await pilot.pause(0.1)
        row = row_of(csv_path, "openai/gpt-5.5")
        assert row["quality"] == "1"  # never overwritten by the judge
        assert [row[p] for p in ("correctness", "format")] == ["1", "1"]  # the checks'
        assert row["rework"] == str(scores["rework"])
        assert row["parts_source"] == "quality=person correctness=check format=check rework=judge"
        assert row["score"] == str(1 + 1 + 1 + scores["rework"])


async def test_an_invalid_judge_answer_is_shown_as_such_and_suggests_nothing(
    tmp_path: Path,
) -> None:
    csv_path = tmp_path / "r.csv"
    app = judge_app(csv_path, (plan_task(tmp_path),), "openai/judge-badjson")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        await wait_verdicts(pilot, app)
        assert app.view is not None
        gpt = pane_of(app, "openai/gpt-5.5")
        model = app.view.panes[gpt]
        assert model.judge is not None and model.judge.status == "invalid"
        assert "judge answer not valid: not JSON" in stats_text(app, gpt)
        assert "judge 1/2" not in stats_text(app, gpt)
        row = row_of(csv_path, "openai/gpt-5.5")
        assert row["judge_quality"] == "" and row["judge_reason"].startswith(
            "judge answer not valid: not JSON"
        )
        await pilot.press("escape", *["right"] * gpt, "a")
        await pilot.pause(0.1)
        assert "judge" not in (row_of(csv_path, "openai/gpt-5.5")["parts_source"] or "")


async def test_a_judge_outage_leaves_the_persons_scoring_untouched(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    app = judge_app(csv_path, (plan_task(tmp_path),), "openai/judge-down", hold_judge=True)
    async with app.run_test(size=(160, 50)) as pilot:
        runner = runner_of(app)
        await settle(pilot, app)
        assert app.view is not None
        gpt = pane_of(app, "openai/gpt-5.5")
        await pilot.press("escape", *["right"] * gpt, "4")  # scored before the judge fails
        await pilot.pause(0.1)
        runner.judge_release.set()
        await wait_verdicts(pilot, app)
        model = app.view.panes[gpt]
        assert model.score.total == 4
        assert "judge failed: provider_error: the judge is down" in stats_text(app, gpt)
        row = row_of(csv_path, "openai/gpt-5.5")
        assert row["score"] == "4" and row["parts_source"] is not None
        assert row["judge_reason"] == "judge failed: provider_error: the judge is down"
        assert row["judge_quality"] == ""


async def test_blind_the_judge_prompt_and_the_pane_name_no_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an answer that names its own model: the judge must not be told
    monkeypatch.setitem(SCRIPT, "gpt-5.5", (3000, "I am gpt-5.5 by OpenAI.\n\n# Plan\n- step\n"))
    csv_path = tmp_path / "r.csv"
    app = judge_app(csv_path, (plan_task(tmp_path),), "openai/judge-namedrop", blind=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        await wait_verdicts(pilot, app)
        runner = runner_of(app)
        names = ("gpt", "claude", "gemini", "openai", "anthropic")
        assert len(runner.judge_prompts) == 3
        for prompt in runner.judge_prompts:
            assert not any(n in prompt.lower() for n in names), prompt
        assert any("I am [model] by [model]." in p for p in runner.judge_prompts)
        assert app.view is not None
        for i, pane in enumerate(app.view.panes):
            assert pane.hidden
            shown = stats_text(app, i).lower()
            assert "judge: q1 c1 f0 r1" in shown and "[model]" in shown
            assert not any(n in shown for n in names), shown


async def test_blind_a_self_judging_skip_does_not_name_the_provider(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    app = judge_app(csv_path, (plan_task(tmp_path),), blind=True, allow_self=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        await wait_verdicts(pilot, app)
        assert app.view is not None
        skipped = [
            i for i, p in enumerate(app.view.panes) if p.judge and p.judge.status == "skipped"
        ]
        assert len(skipped) == 1 and app.view.panes[skipped[0]].spec == "openai/gpt-5.5"
        shown = stats_text(app, skipped[0])
        assert "not judged (why: shown once scored)" in shown and "openai" not in shown
        assert len(runner_of(app).judge_prompts) == 2  # its own provider's answer never sent


async def test_a_verdict_the_csv_refused_is_not_shown_as_saved(tmp_path: Path) -> None:
    from modelduel.errors import CsvError

    csv_path = tmp_path / "r.csv"
    app = judge_app(csv_path, (plan_task(tmp_path),), hold_judge=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        assert app.view is not None
        assert all(p.saved for p in app.view.panes)  # the rows are on disk

        def refuse(path: Path, run_id: str, changes: object) -> None:
            raise CsvError(f"{path}: disk full")

        app.ledger._update = refuse  # type: ignore[assignment]
        runner_of(app).judge_release.set()
        await wait_verdicts(pilot, app)
        for i, pane in enumerate(app.view.panes):
            assert pane.unsaved and not pane.saved
            shown = stats_text(app, i)
            assert "NOT saved" in shown and "  saved" not in shown
        assert all(r["judge_model"] == "" for r in read_rows(csv_path))
        assert "NOT saved" in str(app.screen.query_one("#status").render())


async def test_recorded_answers_are_judged_once_and_the_verdict_is_read_back(
    tmp_path: Path,
) -> None:
    from tests.test_tui_suite import suite_app

    csv_path = tmp_path / "r.csv"
    task = plan_task(tmp_path)
    first = suite_app(csv_path, (task,))  # no judge: rows without a verdict
    async with first.run_test(size=(160, 50)) as pilot:
        await settle(pilot, first)
    assert all(r["judge_model"] == "" for r in read_rows(csv_path))
    second = judge_app(csv_path, (task,), resume=True)  # the recorded duel, judged now
    async with second.run_test(size=(160, 50)) as pilot:
        await wait_verdicts(pilot, second)
        assert len(runner_of(second).judge_prompts) == 3
        assert second.view is not None and second.view.live is None
        assert all(p.judge is not None and p.judge.status == "scored" for p in second.view.panes)
    rows = read_rows(csv_path)
    assert len(rows) == 3 and all(r["judge_model"] == "openai/judge-sim" for r in rows)
    third = judge_app(csv_path, (task,), resume=True)  # judged before: read back, not re-asked
    async with third.run_test(size=(160, 50)) as pilot:
        await wait_verdicts(pilot, third)
        assert runner_of(third).judge_prompts == []
        assert third.view is not None
        gpt = pane_of(third, "openai/gpt-5.5")
        row = row_of(csv_path, "openai/gpt-5.5")
        verdict = third.view.panes[gpt].judge
        assert verdict is not None
        assert dict(verdict.scores) == {p: int(row[f"judge_{p}"]) for p in verdict.scores}
        assert "judge: Q" in stats_text(third, gpt)
