"""Pilot tests of the duel screen: keystrokes in, CSV rows and scores out.

A scripted runner stands in for the child process: it feeds stamped events with
fixed timestamps, so the figures on screen are exact and snapshots are stable.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from modelduel.config import Config, resolve_model
from modelduel.core.duel import RunPlan
from modelduel.events import (
    ErrorInfo,
    Finished,
    ReasoningDelta,
    RequestSent,
    Stamped,
    StreamFailed,
    TextDelta,
    Usage,
)
from modelduel.storage import read_rows
from modelduel.tui.app import AppSettings, ModelduelApp, Runner
from modelduel.tui.pane import ResponsePane

SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
ENV = {"OPENAI_API_KEY": "k1", "ANTHROPIC_API_KEY": "k2", "GEMINI_API_KEY": "k3"}
T0 = 10_000_000_000
# model id -> (ttft ms, answer)
SCRIPT = {
    "gpt-5.5": (3000, "# Plan\n\n- step one\n- step two\n"),
    "claude-opus-4-7": (500, "Use a **CRDT**:\n\n```python\nmerge(a, b)\n```\n"),
    "gemini-3.1-pro-preview": (1500, "| a | b |\n|---|---|\n| 1 | 2 |\n"),
}


class ScriptedRunner(Runner):
    def __init__(self, app: ModelduelApp, hold: bool = False) -> None:
        self.app = app
        self.hold = hold  # keep runs open until released (to test scoring mid-run)
        self.release = asyncio.Event()
        self.cancelled: set[str] = set()
        self.started: list[str] = []

    async def start(self, plans: list[Any]) -> None:
        for plan in plans:
            assert isinstance(plan, RunPlan)
            self.started.append(plan.run_id)
            asyncio.get_running_loop().create_task(self._play(plan))

    async def _play(self, plan: RunPlan) -> None:
        ttft_ms, answer = SCRIPT[plan.request.model_id]
        sink = self.app.sink
        rid = plan.run_id
        sink(rid, Stamped(T0, RequestSent(0)))
        t = T0 + ttft_ms * 1_000_000
        sink(rid, Stamped(t - 200_000_000, ReasoningDelta("thinking about it")))
        for i, word in enumerate(answer.split(" ")):
            sink(rid, Stamped(t + i * 10_000_000, TextDelta(word if i == 0 else " " + word)))
            await asyncio.sleep(0)
        if self.hold:
            await self.release.wait()
        end = t + 500_000_000
        if rid in self.cancelled:
            sink(rid, Stamped(end, StreamFailed(ErrorInfo("cancelled", "cancelled by the user"))))
        else:
            sink(rid, Stamped(end, Usage(100, 0, 40, 10)))
            sink(rid, Stamped(end, Finished("stop", "stop")))
        self.app.run_ended(rid)

    async def cancel(self, run_id: str) -> None:
        self.cancelled.add(run_id)
        self.release.set()

    async def cancel_all(self) -> None:
        self.release.set()


def make_app(
    tmp_path: Path, *, blind: bool = False, hold: bool = False, keymap: dict[str, str] | None = None
) -> tuple[ModelduelApp, Path]:
    config = Config(keymap=keymap or {})
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    csv_path = tmp_path / "results.csv"
    settings = AppSettings(config=config, models=models, csv_path=csv_path, blind=blind)
    app = ModelduelApp(settings, lambda a: ScriptedRunner(a, hold))
    return app, csv_path


async def send(pilot: Any, text: str) -> None:
    await pilot.click("#prompt")
    for ch in text:
        await pilot.press("space" if ch == " " else ch)
    await pilot.press("ctrl+j")


async def settle(pilot: Any, app: ModelduelApp) -> None:
    for _ in range(200):
        await pilot.pause(0.02)
        if app.view is not None and app.view.all_ended:
            break
    await app.refresh_panes()
    await pilot.pause()


async def test_duel_rows_land_in_csv_and_scores_update_them(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "explain crdts")
        await settle(pilot, app)
        rows = sorted(read_rows(csv_path), key=lambda r: r["pane"])  # rows land as runs end
        assert [r["model"] for r in rows] == SPECS
        assert all(r["score"] == "" for r in rows)
        assert rows[1]["ttft_s"] == "0.3"  # reasoning 200 ms before the 500 ms answer
        assert rows[1]["time_to_first_useful_s"] == "0.5"
        await pilot.press("escape")  # leave the prompt: first pane focused
        await pilot.press("4")  # scored: the focus moves on to the next pane
        await pilot.press("q", "q", "q", "q", "c", "f", "w")  # q: 2, 1, 0, 2
        await pilot.press("plus", "plus", "3")
        rows = {r["model"]: r for r in read_rows(csv_path)}
        assert rows[SPECS[0]]["score"] == "4"
        second = rows[SPECS[1]]
        assert (second["score"], second["quality"], second["correctness"]) == ("5", "2", "1")
        assert rows[SPECS[2]]["manual_corrections"] == "2"
        assert len(read_rows(csv_path)) == 3  # updated in place, never duplicated
        status = str(app.screen.query_one("#status").render())
        assert "results.csv" in status


async def test_score_given_mid_run_is_saved_with_the_row(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "hi")
        await pilot.pause(0.1)
        await pilot.press("escape", "5")
        assert not csv_path.exists() or read_rows(csv_path) == []
        runner = app.runner
        assert isinstance(runner, ScriptedRunner)
        runner.release.set()
        await settle(pilot, app)
        rows = sorted(read_rows(csv_path), key=lambda r: r["pane"])
        assert [r["score"] for r in rows] == ["5", "", ""]


async def test_blind_mode_hides_names_until_every_pane_is_scored(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path, blind=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "which is best")
        await settle(pilot, app)
        panes = list(app.screen.query(ResponsePane))
        headers = [str(p.query_one(".pane-header").render()) for p in panes]
        assert [h.split()[0] for h in headers] == ["A", "B", "C"]
        assert not any("gpt" in h or "claude" in h or "gemini" in h for h in headers)
        stats = str(panes[0].query_one(".pane-stats").render())
        assert "ttft" not in stats and "$" not in stats
        await pilot.press("escape", "3", "4")
        assert app.view is not None and any(p.hidden for p in app.view.panes)
        await pilot.press("5")
        assert app.view is not None and not any(p.hidden for p in app.view.panes)
        rows = read_rows(csv_path)
        assert {r["model"] for r in rows} == set(SPECS)
        assert all(r["blind"] == "true" for r in rows)
        assert sorted(r["pane"] for r in rows) == ["0", "1", "2"]


async def test_rerun_adds_a_new_row_and_cancel_keeps_partial_text(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        await pilot.pause(0.1)
        await pilot.press("escape", "x")
        rows: dict[str, dict[str, str]] = {}
        for _ in range(100):  # the cancelled run's row lands when its end is processed
            await pilot.pause(0.02)
            rows = {r["model"]: r for r in read_rows(csv_path)}
            if SPECS[0] in rows:
                break
        assert rows[SPECS[0]]["error"].startswith("cancelled")
        assert app.view is not None
        assert app.view.stats(0).text  # partial answer kept
        await settle(pilot, app)
        await pilot.press("r")
        await settle(pilot, app)
        assert len(read_rows(csv_path)) == 4


async def test_help_lists_keys_and_keymap_remaps(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path, keymap={"score.quality": "k"})
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "k", "k")
        rows = {r["model"]: r for r in read_rows(csv_path)}
        assert rows[SPECS[0]]["quality"] == "1"
        rows = app.key_rows()
        assert ("k", "Quality", "score.quality") in rows
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"


async def test_prompt_history_recalls_with_up(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "first")
        await settle(pilot, app)
        editor = app.screen.query_one("#prompt")
        editor.load_text("")  # type: ignore[attr-defined]
        await pilot.click("#prompt")
        await pilot.press("up")
        assert editor.text == "first"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("width", "height", "columns"), [(80, 24, 3), (60, 30, 2), (60, 24, 2), (60, 20, 1)]
)
async def test_panes_sit_side_by_side_while_they_fit(
    tmp_path: Path, width: int, height: int, columns: int
) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(width, height)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        grid = app.screen.query_one("#panes")
        assert grid.styles.grid_size_columns == columns


def test_duel_screen_mid_stream_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, snap_compare: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config=config, models=models, csv_path=Path("results.csv"))
    app = ModelduelApp(settings, lambda a: ScriptedRunner(a, hold=True))
    app.clock = lambda: T0 + 3_500_000_000  # a fixed "now": elapsed times are stable

    async def run_before(pilot: Any) -> None:
        app.screen.query_one("#prompt").cursor_blink = False  # type: ignore[attr-defined]
        await send(pilot, "explain crdts")
        for _ in range(250):  # until every scripted token is delivered (runs held open)
            await pilot.pause(0.02)
            view = app.view
            if view is not None and all(
                view.stats(i).text == SCRIPT[s.model.model_id][1]
                for i, s in enumerate(view.live.slots if view.live else [])
            ):
                break
        await app.refresh_panes()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(140, 40), run_before=run_before)


@pytest.mark.parametrize("size", [(140, 40), (80, 24)])
def test_duel_screen_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, snap_compare: Any, size: tuple[int, int]
) -> None:
    monkeypatch.chdir(tmp_path)
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config=config, models=models, csv_path=Path("results.csv"))
    app = ModelduelApp(settings, lambda a: ScriptedRunner(a))

    async def run_before(pilot: Any) -> None:
        await send(pilot, "explain crdts")
        await settle(pilot, app)
        await pilot.press("escape", "4")
        await app.refresh_panes()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_report_screen_after_scoring(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "5", "3", "4")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReportScreen"


async def test_recorded_duels_reopen_for_rescoring(tmp_path: Path) -> None:
    from modelduel.tui.recorded import recorded_views

    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "first prompt")
        await settle(pilot, app)
        await pilot.press("escape", "2")
    views = recorded_views(csv_path, blind=True)
    assert len(views) == 1 and views[0].prompt == "first prompt"
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config, models, csv_path, blind=True, recorded=tuple(views))
    again = ModelduelApp(settings, lambda a: ScriptedRunner(a))
    async with again.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        panes = list(again.screen.query(ResponsePane))
        assert [p.model.label for p in panes] == ["A", "B", "C"]
        assert again.view is not None and again.view.stats(0).text  # answer from transcript
        for pane in panes:  # one of them is scored already: each pane by hand
            again.screen.set_focus(pane)
            await pilot.press("4")
        rows = {r["model"]: r for r in read_rows(csv_path)}
        assert [rows[s]["score"] for s in SPECS] == ["4", "4", "4"]
        assert len(read_rows(csv_path)) == 3


async def test_suite_steps_through_tasks_and_resumes(tmp_path: Path) -> None:
    from modelduel.tasks import load_suite

    tasks = tuple(load_suite(Path(__file__).resolve().parents[1] / "tasks" / "starter"))[:3]
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    csv_path = tmp_path / "suite.csv"
    settings = AppSettings(config, models, csv_path, blind=True, tasks=tasks)
    app = ModelduelApp(settings, lambda a: ScriptedRunner(a))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        assert app.task_index == 0
        status = str(app.screen.query_one("#status").render())
        assert "task 1/3" in status and "scored 0/9" in status
        await pilot.press("escape", "5", "5", "5", "right_square_bracket")
        await settle(pilot, app)
        assert app.task_index == 1
        rows = read_rows(csv_path)
        assert {r["task_id"] for r in rows} == {tasks[0].id, tasks[1].id}
        assert all(r["task_type"] == tasks[int(r["task_id"] == tasks[1].id)].type for r in rows)


HOSTILE = "[/INST] [@click=app.quit] [b]x[/b] \x1b]52;c;aGk=\x07 \x1b[2J \x9b31m end"


async def test_model_text_is_shown_as_text_never_markup_or_escapes(tmp_path: Path) -> None:
    SCRIPT["hostile"] = (100, HOSTILE)
    config = Config()
    env = {**ENV, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    models = [resolve_model("openai-chat/hostile", config, env)]
    csv_path = tmp_path / "r.csv"
    app = ModelduelApp(AppSettings(config, models, csv_path), lambda a: ScriptedRunner(a))
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "[/INST] prompt [@click=app.quit]")
        await settle(pilot, app)
        pane = app.screen.query_one(ResponsePane)
        await pilot.press("escape", "t")  # raw text view
        await pilot.pause()
        from modelduel.tui.wrapped_text import strip_text

        raw = "\n".join(strip_text(line) for line in pane.body.drawn_lines)
        assert "[/INST] [@click=app.quit] [b]x[/b]" in raw
        assert "\x1b" not in raw and "\x9b" not in raw and "\x07" not in raw
        await pilot.press("n")
        for ch in "[/b]":
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.press("ctrl+o")  # history quotes the prompt
        await pilot.pause()
        assert type(app.screen).__name__ == "HistoryScreen"
        await pilot.press("escape")
        app.notify(HOSTILE)  # notices quote provider errors and paths
        await pilot.pause()
        assert app.is_running
        rows = read_rows(csv_path)
        assert rows[0]["notes"] == "[/b]"


async def test_ctrl_x_in_the_prompt_cancels_all_unless_text_is_selected(tmp_path: Path) -> None:
    from modelduel.tui.prompt import PromptEditor

    app, _ = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        await pilot.pause(0.1)
        runner = app.runner
        assert isinstance(runner, ScriptedRunner)
        editor = app.screen.query_one(PromptEditor)
        assert app.focused is editor  # where focus is right after sending
        for ch in "draft":
            await pilot.press(ch)
        await pilot.pause(0.05)
        editor.select_all()
        await pilot.press("ctrl+x")  # a selection: the editor's cut, the runs go on
        await pilot.pause()
        assert editor.text == "" and not runner.release.is_set()
        await pilot.press("ctrl+x")  # nothing selected: cancel all
        await pilot.pause()
        assert runner.release.is_set()
