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
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from rich.text import Text

from modelduel.config import resolve_model
from modelduel.core.judge import JudgeRunner
from modelduel.core.judge_input import JudgedTask, judged_task
from modelduel.core.judge_session import (
    acceptable_judge_parts,
    duel_names,
    judge_cells,
    pane_judge_line,
    screen_judge,
    should_judge,
    verdict_from_row,
)
from modelduel.core.judge_verdict import JudgeVerdict
from modelduel.errors import ModelduelError

if TYPE_CHECKING:
    from modelduel.config import ResolvedModel
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

    def __init__(
        self, app: ModelduelApp, runner: JudgeRunner, resolve: Callable[[str], ResolvedModel]
    ) -> None:
        self.app = app
        self.runner = runner
        self.resolve = resolve
        """The model behind a recorded pane's spec."""
        self.jobs: set[asyncio.Task[None]] = set()
        self._asked: set[str] = set()  # recorded runs sent to the judge in this session

    @classmethod
    def create(cls, app: ModelduelApp) -> ScreenJudge | None:
        """The judge of `app`'s session, or None when `[judge]` is off."""
        config = app.settings.config
        env = app.settings.env if app.settings.env is not None else dict(os.environ)
        runner = app.runner
        assert runner is not None

        async def start(plans: list[RunPlan]) -> None:
            await app.wait_runner()  # a recorded duel is judged as the screen opens
            await runner.start(list(plans))

        def resolve(spec: str) -> ResolvedModel:
            return resolve_model(spec, config, env)

        judge = screen_judge(config, resolve, start)
        if judge is None:
            return None
        return cls(app, judge, resolve)

    def start(self, view: DuelView, slot: RunSlot) -> None:
        """Send a finished answer to the judge (nothing for a failed or cancelled run)."""
        stats = slot.stats()
        duel = view.duel_of(slot)
        if duel is None or not should_judge(stats.status, stats.text):
            return
        task = judged_task(self.app.task_of(view), duel)
        asked = self.runner.verdict(task, slot.model, stats.text, stats.conversation)
        hide = duel_names([s.model for s in duel.slots])
        self._spawn(self._apply(view, slot.pane, slot.run_id, hide, asked))

    def start_recorded(self, view: DuelView) -> None:
        """A recorded duel on screen (`score`, a resumed suite): a run judged before shows
        its recorded verdict; one not judged yet goes to the judge, once per session."""
        if view.live is not None:
            return
        models: list[ResolvedModel] = []
        for pane in view.panes:
            try:
                models.append(self.resolve(pane.spec))
            except ModelduelError:
                continue  # a model no longer configured: its pane is not judged
        hide = duel_names(models)
        by_spec = {m.spec: m for m in models}
        task = self.app.task_of(view)
        judged = JudgedTask(
            view.prompt,
            tuple(task.criteria) if task else (),
            task.output_format if task else None,
        )
        for index, row in enumerate(view.rows):
            pane = view.panes[index]
            run_id = row.get("run_id") or ""
            if index in view.reruns or pane.judge is not None or run_id in self._asked:
                continue
            recorded = verdict_from_row(row)
            if recorded is not None:
                pane.judge, pane.judge_hide = recorded, hide
                continue
            stats = view.stats(index)
            model = by_spec.get(pane.spec)
            if model is None or not should_judge(stats.status, stats.text):
                continue
            self._asked.add(run_id)
            asked = self.runner.verdict(judged, model, stats.text, stats.conversation)
            self._spawn(self._apply(view, index, run_id, hide, asked))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        job = asyncio.get_running_loop().create_task(work)
        self.jobs.add(job)
        job.add_done_callback(self.jobs.discard)

    async def _apply(
        self,
        view: DuelView,
        index: int,
        run_id: str,
        hide: tuple[str, ...],
        asked: Awaitable[JudgeVerdict],
    ) -> None:
        verdict = await asked
        if view.run_id(index) != run_id:
            return  # the pane was re-run meanwhile: this verdict is not its answer's
        pane = view.panes[index]
        pane.judge, pane.judge_hide = verdict, hide
        app = self.app
        app.ledger.record_changes(run_id, judge_cells(verdict))
        app.sync_saved()
        if app.ledger.is_pending(run_id):
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
