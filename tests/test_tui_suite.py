"""Suite mode: re-running an interrupted task in place, task-owned prompts, the task panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelduel.config import Config, resolve_model
from modelduel.storage import read_rows
from modelduel.tasks import Task, load_suite
from modelduel.tui.app import AppSettings, ModelduelApp
from tests.test_tui import ENV, SPECS, ScriptedRunner, send, settle

SUITE = Path(__file__).resolve().parents[1] / "tasks" / "starter"


def suite_app(
    csv_path: Path, tasks: tuple[Task, ...], *, hold: bool = False, resume: bool = False
) -> ModelduelApp:
    from modelduel.tui.recorded import recorded_views

    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    recorded = tuple(recorded_views(csv_path, False, {t.id for t in tasks})) if resume else ()
    settings = AppSettings(config, models, csv_path, tasks=tasks, recorded=recorded)
    return ModelduelApp(settings, lambda a: ScriptedRunner(a, hold))


def status(app: ModelduelApp) -> str:
    return str(app.screen.query_one("#status").render())


async def wait_rows(pilot: Any, csv_path: Path, n: int) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for _ in range(200):
        await pilot.pause(0.02)
        rows = read_rows(csv_path) if csv_path.exists() else []
        if len(rows) >= n:
            break
    return rows


async def test_an_interrupted_task_is_re_run_in_place_and_counts(tmp_path: Path) -> None:
    tasks = tuple(load_suite(SUITE))[:2]
    csv_path = tmp_path / "suite.csv"
    first = suite_app(csv_path, tasks, hold=True)
    async with first.run_test(size=(140, 40)) as pilot:
        await pilot.pause(0.2)
        await pilot.press("escape", "x")  # the first pane's run is cancelled
        await wait_rows(pilot, csv_path, 1)
        runner = first.runner
        assert isinstance(runner, ScriptedRunner)
        runner.release.set()
        await settle(pilot, first)
        await pilot.press("right", "4", "4")  # focus moves on, past the cancelled pane
    rows = read_rows(csv_path)
    assert len(rows) == 3 and sum(r["error"].startswith("cancelled") for r in rows) == 1
    cancelled_model = next(r["model"] for r in rows if r["error"])

    again = suite_app(csv_path, tasks, resume=True)
    async with again.run_test(size=(140, 40)) as pilot:
        await pilot.pause(0.2)
        assert again.task_index == 0  # resumes on the interrupted task
        assert "scored 2/6" in status(again)
        pane = next(i for i, p in enumerate(again.view.panes) if p.spec == cancelled_model)  # type: ignore[union-attr]
        await pilot.press("escape", *["right"] * pane, "r")
        rows = await wait_rows(pilot, csv_path, 4)
        await settle(pilot, again)
        await pilot.press("5")
        rows = read_rows(csv_path)
        fresh = rows[-1]
        assert fresh["model"] == cancelled_model and not fresh["error"]
        assert (fresh["task_id"], fresh["task_type"]) == (tasks[0].id, tasks[0].type)
        assert fresh["duel_id"] == rows[0]["duel_id"]  # one more run of the same duel
        assert fresh["score"] == "5"
        await again.refresh_panes()
        again.update_status()
        assert "scored 3/6" in status(again)


async def test_a_prompt_sent_while_a_task_is_shown_belongs_to_the_task(tmp_path: Path) -> None:
    tasks = tuple(load_suite(SUITE))[:1]
    csv_path = tmp_path / "suite.csv"
    app = suite_app(csv_path, tasks)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+n")  # a new duel, not a follow-up to the task's answers
        await send(pilot, "again please")
        await wait_rows(pilot, csv_path, 6)
        await settle(pilot, app)
    rows = read_rows(csv_path)
    assert len(rows) == 6
    assert {(r["task_id"], r["task_type"]) for r in rows} == {(tasks[0].id, tasks[0].type)}


async def test_score_mode_progress_leaves_cancelled_runs_out(tmp_path: Path) -> None:
    from modelduel.storage import append_run
    from modelduel.tui.recorded import recorded_views

    path = tmp_path / "r.csv"
    for pane, spec in enumerate(SPECS):
        error = "cancelled: cancelled by the user" if pane == 0 else ""
        append_run(
            path,
            {
                "task_id": "t",
                "task_type": "coding",
                "model": spec,
                "run_id": f"r{pane}",
                "duel_id": "d",
                "pane": pane,
                "error": error,
            },
        )
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    views = tuple(recorded_views(path, blind=False))
    app = ModelduelApp(AppSettings(config, models, path, recorded=views), ScriptedRunner)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert "scored 0/2" in status(app)
        await pilot.press("right", "3")
        assert "scored 1/2" in status(app)


async def test_the_task_panel_shows_the_task_and_folds(tmp_path: Path) -> None:
    from modelduel.tui.taskpanel import TaskPanel

    tasks = tuple(load_suite(SUITE))[:1]
    task = tasks[0]
    app = suite_app(tmp_path / "suite.csv", tasks)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        panel = app.screen.query_one(TaskPanel)
        assert panel.display and panel.region.height > 0
        text = panel.shown_text
        assert task.title in text and task.id in text
        for criterion in task.criteria:
            assert criterion.strip() in text  # in full
        assert task.output_format.strip() in text
        assert task.prompt.strip().splitlines()[0] in text
        await pilot.press("escape", "p")
        assert task.prompt.strip() in panel.shown_text  # unfolded: the whole prompt
        await pilot.press("p")
        assert task.title in panel.shown_text and task.output_format not in panel.shown_text
        await pilot.press("p")
        assert task.output_format.strip() in panel.shown_text
        assert ("p", "Task", "duel.task_panel") in app.key_rows()


async def test_a_duel_reopened_from_history_shows_its_prompt(tmp_path: Path) -> None:
    from modelduel.tui.taskpanel import TaskPanel
    from tests.test_tui import make_app

    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "first prompt")
        await settle(pilot, app)
        panel = app.screen.query_one(TaskPanel)
        assert not panel.display  # the duel just typed: the prompt is fresh in mind
        await pilot.press("ctrl+n")  # a new duel, not a follow-up
        await send(pilot, "second")
        await settle(pilot, app)
        await pilot.press("escape", "ctrl+o")
        await pilot.pause()
        await pilot.press("down", "enter")  # newest first: the second entry is the first duel
        await pilot.pause()
        assert app.view is app.views[0]
        assert panel.display and "first prompt" in panel.shown_text


async def test_a_task_budget_is_sent_to_every_pane_as_run_sends_it(tmp_path: Path) -> None:
    # The same task must be measured under the same budget in the duel screen and in
    # `modelduel run`, or rows of one CSV compare unlike runs.
    (task,) = tuple(load_suite(SUITE))[:1]
    tasks = (task.model_copy(update={"max_output_tokens": 1234}),)
    csv_path = tmp_path / "suite.csv"
    app = suite_app(csv_path, tasks)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_rows(pilot, csv_path, len(SPECS))
        await settle(pilot, app)
    assert [r["max_output_tokens"] for r in read_rows(csv_path)] == ["1234"] * len(SPECS)


async def test_a_resumed_suite_opens_the_first_unscored_task_and_exports_its_recorded_runs(
    tmp_path: Path,
) -> None:
    tasks = tuple(load_suite(SUITE))[:2]
    csv_path = tmp_path / "suite.csv"
    first = suite_app(csv_path, tasks)
    async with first.run_test(size=(140, 40)) as pilot:
        await settle(pilot, first)
        await pilot.press("escape", *["4"] * len(SPECS))  # the first task, fully scored
        await wait_rows(pilot, csv_path, len(SPECS))
    assert [r["score"] for r in read_rows(csv_path)] == ["4"] * len(SPECS)

    again = suite_app(csv_path, tasks, resume=True)
    async with again.run_test(size=(140, 40)) as pilot:
        await pilot.pause(0.2)
        assert again.task_index == 1  # not the scored first task
        await settle(pilot, again)
        again.export_session()
        await pilot.pause()
        messages = [n.message for n in again._notifications]
    # the recorded duel's runs are the session's too, beside the second task's fresh ones
    exported = next(m for m in messages if m.startswith("exported "))
    target = Path(exported.split(" to ", 1)[1])
    assert {r["task_id"] for r in read_rows(target)} == {tasks[0].id, tasks[1].id}


async def test_with_the_task_panel_shown_every_score_line_is_in_view_at_80x24(
    tmp_path: Path,
) -> None:
    """A new user's 80x24 suite gave each pane 3 rows: the task panel (11 rows) and the
    prompt left no room for the score line the README says is always in view."""
    from modelduel.tui.pane import ResponsePane
    from modelduel.tui.taskpanel import TaskPanel

    tasks = tuple(load_suite(SUITE))[:1]
    app = suite_app(tmp_path / "suite.csv", tasks)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await send(pilot, "x")
        await settle(pilot, app)
        assert app.screen.query_one(TaskPanel).display
        area = app.screen.query_one("#panes").region
        shown = []
        for pane in app.screen.query(ResponsePane):
            stats = pane.query_one(".pane-stats")
            # the stats lines, the score among them, wholly on screen inside the pane grid
            shown.append(area.contains_region(stats.region) and "score" in str(stats.render()))
        assert shown and all(shown), shown
