"""Pilot tests of checks in the duel screen: suggestions after a run, the accept key, rank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelduel.storage import read_rows
from modelduel.tasks import Task, load_task
from modelduel.tui.app import ModelduelApp
from tests.test_tui import settle
from tests.test_tui_suite import status, suite_app

# the scripted answers: gpt-5.5 has a "# Plan" heading, the others have none
TASK = """\
id = "plan-task"
type = "planning"
title = "Plan it"
prompt = "Plan it."
criteria = ["a", "b", "c"]
output_format = "Markdown"

[[checks]]
name = "has-step"
kind = "contains"
part = "correctness"
text = "step"

[[checks]]
name = "plan-heading"
kind = "sections"
part = "format"
headings = ["Plan"]
"""


def plan_task(tmp_path: Path) -> Task:
    path = tmp_path / "plan.toml"
    path.write_text(TASK, encoding="utf-8")
    return load_task(path)


def pane_of(app: ModelduelApp, spec: str) -> int:
    assert app.view is not None
    return next(i for i, p in enumerate(app.view.panes) if p.spec == spec)


async def wait_checks(pilot: Any, app: ModelduelApp) -> None:
    for _ in range(500):
        await pilot.pause(0.05)
        if app.view is not None and all(p.checks_line for p in app.view.panes):
            return
    raise AssertionError("the checks never reported")


async def test_checks_suggest_after_the_run_and_the_accept_key_writes_them(
    tmp_path: Path,
) -> None:
    csv_path = tmp_path / "r.csv"
    app = suite_app(csv_path, (plan_task(tmp_path),), hold=True)
    async with app.run_test(size=(160, 44)) as pilot:
        await pilot.pause(0.3)
        assert app.view is not None
        # mid-run: nothing checked, nothing suggested
        assert all(not p.suggestions and not p.checks_line for p in app.view.panes)
        runner = app.runner
        runner.release.set()  # type: ignore[attr-defined]
        await settle(pilot, app)
        await wait_checks(pilot, app)
        gpt = pane_of(app, "openai/gpt-5.5")
        model = app.view.panes[gpt]
        assert model.checks_line == "✓ has-step  ✓ plan-heading"
        assert [s.label for s in model.suggestions.values()] == [
            "correctness: auto ✓",
            "format: auto ✓",
        ]
        assert not model.score.is_scored  # a suggestion is never the person's score
        rendered = str(app.screen.query_one(f"#pane-{gpt}").query_one(".pane-stats").render())
        assert "format: auto ✓" in rendered
        await pilot.press("escape", *["right"] * gpt, "a")
        await pilot.pause(0.1)
        row = next(r for r in read_rows(csv_path) if r["model"] == "openai/gpt-5.5")
        assert (row["correctness"], row["format"], row["score"]) == ("1", "1", "")
        assert row["parts_source"] == "correctness=check format=check"
        assert (row["checks_passed"], row["checks_total"]) == ("2", "2")
        # the usual keys override: f flips format to 0 and it is the person's now
        assert "scored 0/3 · 3 left" in status(app)  # accepted parts alone are not a score
        await pilot.press("f", "q", "q", "w")
        await pilot.pause(0.1)
        assert "scored 1/3 · 2 left" in status(app)
        row = next(r for r in read_rows(csv_path) if r["model"] == "openai/gpt-5.5")
        assert (row["format"], row["quality"], row["rework"], row["score"]) == ("0", "1", "1", "3")
        assert row["parts_source"] == "quality=person correctness=check format=person rework=person"
        other = next(r for r in read_rows(csv_path) if r["model"] != "openai/gpt-5.5")
        assert (other["checks_passed"], other["checks_total"]) == ("0", "2")
