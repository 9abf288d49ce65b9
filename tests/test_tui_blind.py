"""Blind mode while the race runs, and failed panes: what the screen shows mid-race."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

from rich.text import Text

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
)
from modelduel.storage import read_rows
from modelduel.tui.app import AppSettings, ModelduelApp
from modelduel.tui.pane import ResponsePane
from modelduel.tui.wrapped_text import strip_text
from tests.test_tui import ENV, SCRIPT, SPECS, T0, ScriptedRunner, send, settle

FAILURE = "rate-limited by gemini: quota exceeded for project 1234, retry in 60 s"


class FailingRunner(ScriptedRunner):
    """Scripted runs, but gemini fails after some text and claude is still thinking."""

    async def _play(self, plan: RunPlan) -> None:
        rid = plan.run_id
        if plan.request.model_id == "claude-opus-4-7":
            self.app.sink(rid, Stamped(T0, RequestSent(0)))
            self.app.sink(rid, Stamped(T0 + 10**8, ReasoningDelta("hmm")))
            await self.release.wait()
            self.app.sink(rid, Stamped(T0 + 10**9, TextDelta("late answer")))
            self.app.sink(rid, Stamped(T0 + 2 * 10**9, Finished("stop", "stop")))
            self.app.run_ended(rid)
            return
        if plan.request.model_id != "gemini-3.1-pro-preview":
            await super()._play(plan)
            return
        self.app.sink(rid, Stamped(T0, RequestSent(0)))
        self.app.sink(rid, Stamped(T0 + 10**9, TextDelta("| a | b | partial")))
        await asyncio.sleep(0)
        failure = ErrorInfo("rate_limit", FAILURE)
        self.app.sink(rid, Stamped(T0 + 2 * 10**9, StreamFailed(failure)))
        self.app.run_ended(rid)


class Reverse(random.Random):
    """A shuffle whose result a test can predict."""

    def shuffle(self, x: Any) -> None:  # type: ignore[override]
        x.reverse()


def make(tmp_path: Path, *, blind: bool, rng: random.Random | None = None) -> ModelduelApp:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config, models, tmp_path / "r.csv", blind=blind)
    return ModelduelApp(settings, lambda a: FailingRunner(a, hold=True), rng=rng)


async def wait_mid_race(pilot: Any, app: ModelduelApp) -> None:
    """Until gpt's tokens are in, claude is thinking and gemini has failed (runs held open)."""
    for _ in range(250):
        await pilot.pause(0.02)
        view = app.view
        if view is not None and view.live is not None:
            by_model = {s.model.model_id: i for i, s in enumerate(view.live.slots)}
            texts_in = view.stats(by_model["gpt-5.5"]).text == SCRIPT["gpt-5.5"][1]
            texts_in = texts_in and view.stats(by_model["claude-opus-4-7"]).status == "thinking"
            if texts_in and view.ended(by_model["gemini-3.1-pro-preview"]):
                break
    await app.refresh_panes()
    await pilot.pause()


def header(pane: ResponsePane) -> Text:
    return pane.query_one(".pane-header").render()  # type: ignore[return-value]


def on_screen(pane: ResponsePane) -> str:
    parts = [header(pane).plain, str(pane.query_one(".pane-stats").render())]
    parts.append(str(pane.query_one(".pane-error").render()))
    parts.extend(strip_text(line) for line in pane.body.drawn_lines)
    return "\n".join(parts)


async def test_blind_panes_mid_race_all_look_the_same(tmp_path: Path) -> None:
    app = make(tmp_path, blind=True, rng=random.Random(7))
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "which is best")
        await wait_mid_race(pilot, app)
        panes = list(app.screen.query(ResponsePane))
        assert app.view is not None and not app.view.all_ended  # mid-race
        statuses = {s.status for s in (app.view.stats(i) for i in range(3))}
        assert statuses == {"thinking", "streaming", "failed"}  # really different underneath
        failed = [i for i, p in enumerate(panes) if "failed" in header(p).plain]
        assert len(failed) == 1  # a pane may say it failed ...
        for pane in panes:
            shown = on_screen(pane)
            # ... but not who, why, how fast, or what it answered
            for secret in ("gpt", "claude", "gemini", "openai", "anthropic", "rate", "quota"):
                assert secret not in shown.lower(), (secret, shown)
            for model_id, (_, answer) in SCRIPT.items():
                assert answer.split()[0] not in shown or model_id == "hostile", shown
            assert "partial" not in shown and "hmm" not in shown
            assert not any(ch.isdigit() for ch in header(pane).plain), header(pane).plain
        running = [header(p) for i, p in enumerate(panes) if i not in failed]
        words = {
            (h.plain[1:], tuple((s.start, s.end, str(s.style)) for s in h.spans)) for h in running
        }
        assert len(words) == 1, words  # the same word in the same style
        # a suite's checks run on each answer as it ends: veiled, their line would tell
        # the finish order
        panes[failed[0]].model.checks_line = "✗ behaviour 0/56"
        await app.refresh_panes()
        stats = {str(p.query_one(".pane-stats").render()) for p in panes}
        assert len(stats) == 1, stats
        assert [p.model.label for p in panes] == ["A", "B", "C"]
        await pilot.press("escape", "5", "5", "5")  # scored mid-race
        await app.refresh_panes()
        assert all(p.model.hidden for p in panes)  # names wait for every run to end
        assert not any("gpt" in on_screen(p) or "claude" in on_screen(p) for p in panes)


async def test_blind_order_is_shuffled_by_the_injected_generator(tmp_path: Path) -> None:
    app = make(tmp_path, blind=True, rng=Reverse())
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await pilot.pause(0.1)
        assert app.view is not None
        assert [p.spec for p in app.view.panes] == SPECS[::-1]
    seen = set()
    for seed in range(6):
        app = make(tmp_path, blind=True, rng=random.Random(seed))
        async with app.run_test(size=(140, 40)) as pilot:
            await send(pilot, "x")
            await pilot.pause(0.05)
            assert app.view is not None
            seen.add(tuple(p.spec for p in app.view.panes))
    assert len(seen) > 1  # seeds give different orders: it really shuffles


def test_recorded_blind_duels_are_shuffled_by_the_injected_generator(tmp_path: Path) -> None:
    from modelduel.storage import append_run
    from modelduel.tui.recorded import recorded_views

    path = tmp_path / "r.csv"
    for pane, spec in enumerate(SPECS):
        append_run(
            path,
            {"task_id": "t", "model": spec, "run_id": f"r{pane}", "duel_id": "d", "pane": pane},
        )
    assert [p.spec for p in recorded_views(path, blind=True, rng=Reverse())[0].panes] == SPECS[::-1]
    assert [p.spec for p in recorded_views(path, blind=False, rng=Reverse())[0].panes] == SPECS


async def test_a_failed_pane_says_so_in_its_body_in_full(tmp_path: Path) -> None:
    app = make(tmp_path, blind=False)
    async with app.run_test(size=(80, 30)) as pilot:  # three narrow panes
        await send(pilot, "x")
        await wait_mid_race(pilot, app)
        pane = next(p for p in app.screen.query(ResponsePane) if p.model.spec == SPECS[2])
        error = pane.query_one(".pane-error")
        assert error.display
        text = str(error.render())
        assert "failed" in text and FAILURE in text.replace("\n", " ")
        assert "red" in str(error.styles.color) or error.styles.color.r > 150
        shown_header = str(header(pane))
        assert "failed" in shown_header  # the name is elided, never the status
        assert len(shown_header) <= pane.query_one(".pane-header").size.width
        body = "\n".join(strip_text(line) for line in pane.body.drawn_lines)
        assert "partial" in body  # the partial text stays, the error comes after it
        runner = app.runner
        assert isinstance(runner, ScriptedRunner)
        runner.release.set()
        await settle(pilot, app)
        rows = {r["model"]: r for r in read_rows(tmp_path / "r.csv")}
        assert rows[SPECS[2]]["error"]


SECRETS = ("gpt", "claude", "gemini", "openai", "anthropic", "google")


def screen_text(app: ModelduelApp) -> str:
    """Everything on screen, lower-case and without spaces (the SVG splits text by style)."""
    import html
    import re

    svg = re.sub(r"<style.*?</style>", "", app.export_screenshot(), flags=re.S)
    return "".join(html.unescape(re.sub(r"<[^>]+>", "", svg)).split()).lower()


async def test_what_the_duel_screen_opens_mid_race_names_no_blind_model(tmp_path: Path) -> None:
    from modelduel.storage import append_run
    from modelduel.tui import openers
    from modelduel.tui.screens import HistoryScreen, ReportScreen

    # an earlier scored run of another model: the routing report has something to show
    earlier = {"task_id": "old", "task_type": "adhoc", "model": "local/llama-3", "score": 4}
    earlier |= {"run_id": "old-1", "duel_id": "old", "pane": 0, "cost_usd": 0.01}
    earlier |= {"time_to_first_useful_s": 1.0, "wall_time_s": 2.0, "input_tokens": 10}
    earlier |= {"output_tokens": 20, "manual_corrections": 0, "notes": ""}
    append_run(tmp_path / "r.csv", earlier)
    app = make(tmp_path, blind=True, rng=random.Random(7))
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "which is best")
        await wait_mid_race(pilot, app)
        await pilot.press("escape", "5", "5", "5")  # scored mid-race: rows with scores
        await app.refresh_panes()
        assert app.view is not None and not app.view.all_ended
        scored = [r for r in read_rows(tmp_path / "r.csv") if r["score"] and r["run_id"] != "old-1"]
        assert scored, "the blind duel's scores are on disk: the report could show them"

        openers.open_report(app)
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        shown = screen_text(app)
        assert "llama" in shown  # the report is there, with the earlier run
        for secret in SECRETS:
            assert secret not in shown, secret
        await pilot.press("escape")
        await pilot.pause()

        openers.open_history(app)
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        shown = screen_text(app)
        assert "whichisbest" in shown
        for secret in SECRETS:
            assert secret not in shown, secret
        await pilot.press("escape")
        await pilot.pause()
        openers.export_session(app)  # a file of the session's runs: not the veiled ones
        await pilot.pause()
        # the session's only runs are the veiled ones: nothing is written, and it says why
        assert list(tmp_path.glob("modelduel-session-*.csv")) == []
        assert any(
            "nothing exported" in n.message and "until names are revealed" in n.message
            for n in app._notifications
        )
        for message in [n.message for n in app._notifications]:
            assert not any(s in message.lower() for s in SECRETS), message
