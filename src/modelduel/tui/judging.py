"""The blind judge in the duel screen: its verdicts beside the person's scores.

Each finished answer goes to the session's `JudgeRunner` (the same one `modelduel run`
uses) through the screen's runner; the wait happens in an asyncio task, so the screen
keeps taking keys while the judge answers. The verdict lands in the pane's model as a
suggestion (`quality: judge 1/2`) and its cells in the run's row through the ledger;
the person's score is never touched, and the accept key takes a judge part only where
the person has not given it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from rich.text import Text

from modelduel.core.judge import JudgeRunner, JudgeVerdict, judged_task
from modelduel.core.judge_session import (
    acceptable_judge_parts,
    duel_names,
    judge_cells,
    pane_judge_line,
    screen_judge,
    should_judge,
)

if TYPE_CHECKING:
    from modelduel.core.checks import PartSuggestion
    from modelduel.core.plan import RunPlan
    from modelduel.core.session import RunSlot
    from modelduel.tui.app import ModelduelApp
    from modelduel.tui.duelview import DuelView
    from modelduel.tui.pane import PaneModel

__all__ = ["ScreenJudge", "judge_offers", "judge_text"]


def judge_offers(model: PaneModel) -> dict[str, PartSuggestion]:
    """The judge's parts the accept key takes for this pane (none the person gave)."""
    if model.judge is None:
        return {}
    return acceptable_judge_parts(model.judge.suggestions(), model.suggestions, model.sources)


def judge_text(model: PaneModel) -> Text:
    """The pane's judge line, and the judge's suggestions not taken yet (`a accepts`)."""
    text = Text()
    if model.judge is None:
        return text
    line = pane_judge_line(model.judge, model.judge_hide, hidden=model.hidden)
    style = "" if model.judge.status == "scored" else "yellow"
    text.append(f"\n{line}", style)
    offered = [s.label for s in judge_offers(model).values()]
    if offered:
        text.append(f"\n  {'  '.join(offered)} (a accepts)", "italic cyan")
    return text


class ScreenJudge:
    """The session's judge, wired to the app's runner, ledger and panes."""

    def __init__(self, app: ModelduelApp, runner: JudgeRunner) -> None:
        self.app = app
        self.runner = runner
        self.jobs: set[asyncio.Task[None]] = set()

    @classmethod
    def create(cls, app: ModelduelApp) -> ScreenJudge | None:
        """The judge of `app`'s session, or None when `[judge]` is off."""
        from modelduel.config import resolve_model

        config = app.settings.config
        env = app.settings.env if app.settings.env is not None else dict(os.environ)
        runner = app.runner
        assert runner is not None

        async def start(plans: list[RunPlan]) -> None:
            await runner.start(list(plans))

        judge = screen_judge(config, lambda spec: resolve_model(spec, config, env), start)
        return None if judge is None else cls(app, judge)

    def start(self, view: DuelView, slot: RunSlot) -> None:
        """Send a finished answer to the judge (nothing for a failed or cancelled run)."""
        stats = slot.stats()
        duel = view.duel_of(slot)
        if duel is None or not should_judge(stats.status, stats.text):
            return
        task = judged_task(self.app.task_of(view), duel)
        asked = self.runner.verdict(task, slot.model, stats.text)
        job = asyncio.get_running_loop().create_task(self._apply(view, slot, asked))
        self.jobs.add(job)
        job.add_done_callback(self.jobs.discard)

    async def _apply(self, view: DuelView, slot: RunSlot, asked: Awaitable[JudgeVerdict]) -> None:
        verdict = await asked
        if view.run_id(slot.pane) != slot.run_id:
            return  # the pane was re-run meanwhile: this verdict is not its answer's
        pane = view.panes[slot.pane]
        duel = view.duel_of(slot)
        pane.judge = verdict
        pane.judge_hide = duel_names([s.model for s in duel.slots]) if duel is not None else ()
        app = self.app
        app.ledger.record_changes(slot.run_id, judge_cells(verdict))
        app.sync_saved()
        if app.ledger.is_pending(slot.run_id):
            app.notify(
                f"judge verdict NOT saved (kept, retried on the next write; s retries): "
                f"{app.ledger.last_error}",
                severity="error",
                timeout=10,
            )
        app.update_status()
        await app.refresh_panes()

    def close(self) -> None:
        """Stop waiting for verdicts (the screen is closing; the runner cancels the runs)."""
        for job in list(self.jobs):
            job.cancel()
