"""Duels on the app: start, re-run, cancel, the runner's events in, each ended run's row out.

A run's row is written when it ends (`SessionSaves.run_ended`); the task's checks then
run on its answer off the UI loop and their counts go to the same row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from modelduel.core.records import csv_row, transcript_record
from modelduel.core.scoring import Score
from modelduel.core.session import DuelState, RunSlot
from modelduel.core.session_interface import Say
from modelduel.tui.duelview import DuelView, blind_order
from modelduel.tui.pane import PaneModel, ResponsePane
from modelduel.tui.scoring import tell

if TYPE_CHECKING:
    from modelduel.core.checks import CheckResult
    from modelduel.events import Stamped
    from modelduel.tasks import Task
    from modelduel.tui.app import ModelduelApp

__all__ = ["cancel", "rerun", "run_ended", "sink", "start_duel"]


async def start_duel(
    app: ModelduelApp,
    prompt: str,
    system: str,
    *,
    task_id: str | None = None,
    task_type: str = "adhoc",
    task: Task | None = None,
) -> None:
    """Send a prompt (a suite task's, or typed) to every model at once.

    A suite task's runs are planned as `modelduel run` plans them (`task`: its tools,
    scripted turns and attachments); a typed prompt takes the files attached to it.
    """
    models = list(app.settings.models)
    blind = app.blind
    if blind:
        models = [models[i] for i in blind_order(len(models), app.rng)]
    duel = DuelState.create(models, prompt, system or None, task_id=task_id, task_type=task_type)
    plans = app.turns.first_plans(duel, task)
    if plans is None:
        return
    view = DuelView.from_live(duel, blind)
    app.views.append(view)
    for slot in duel.slots:
        app.runs[slot.run_id] = (view, slot)
    await app.show_view(view)
    assert app.runner is not None
    await app.wait_runner()
    await app.runner.start(list(plans))
    app.update_status()


def _reset_panes(app: ModelduelApp, index: int) -> None:
    for pane in app.screen.query(ResponsePane):
        if pane.index == index:
            pane.reset()


def _forget_checks(pane_model: PaneModel) -> None:
    """The old answer's checks go with it: `a` must not put them on the new answer."""
    pane_model.checks_line = ""
    pane_model.suggestions = {}
    pane_model.sources = {}  # the score they were given for is cleared too


async def rerun(app: ModelduelApp, index: int) -> None:
    """Re-run one pane's model; its old run stays in the CSV as it was."""
    view = app.view
    if view is None:
        return
    if view.live is None:
        await _rerun_recorded(app, view, index)
        return
    if await app.turns.rerun_last_turn(view, index):
        return  # a conversation: its last turn only
    old = view.live.slots[index]
    app.ledger.drop_early(old.run_id)  # the score given to it goes with the pane's reset
    assert app.runner is not None
    if not old.ended:
        await app.runner.cancel(old.run_id)
    fresh = view.live.restart(old)
    app.runs[fresh.run_id] = (view, fresh)
    pane_model = view.panes[index]
    pane_model.score = Score()
    pane_model.rank = None  # the rank was the old answer's: its row keeps it, not the new
    pane_model.judge = None  # the old answer's verdict goes with it
    _forget_checks(pane_model)
    pane_model.saved = False
    pane_model.revealed = False
    _reset_panes(app, index)
    await app.wait_runner()
    await app.runner.start([app.turns.fresh_plan(view.live, fresh, app.task_of(view))])


async def _rerun_recorded(app: ModelduelApp, view: DuelView, index: int) -> None:
    """Run a recorded pane's model again in place: same duel, same task, a new row."""
    spec = view.panes[index].spec
    model = next((m for m in app.settings.models if m.spec == spec), None)
    if model is None:
        app.notify(f"{spec} is not in this session's models (-m {spec})", severity="warning")
        return
    running = view.reruns.get(index)
    assert app.runner is not None
    if running is not None and not running[1].ended:
        await app.runner.cancel(running[1].run_id)
    task = app.task_of(view)
    if task is not None:
        # a suite's task module is loaded by its suite; a reopened duel's only here
        from modelduel.tasks import render_prompt  # noqa: PLC0415  tasks stay off the launch path (~19 ms)

        prompt, system = render_prompt(task), task.system
    else:
        prompt, system = view.prompt, view.system
    duel = DuelState.create([model], prompt, system, task_id=view.task_id, task_type=view.task_type)
    duel.duel_id = view.duel_id  # the fresh run is one more run of the same duel
    slot = duel.slots[0]
    slot.pane = index
    view.reruns[index] = (duel, slot)
    app.runs[slot.run_id] = (view, slot)
    pane_model = view.panes[index]
    pane_model.score = Score()
    pane_model.rank = None  # the recorded row keeps its rank; the new run has none
    _forget_checks(pane_model)
    pane_model.revealed = False
    _reset_panes(app, index)
    app.sync_saved()
    await app.wait_runner()
    await app.runner.start([app.turns.fresh_plan(duel, slot, task)])


async def cancel(app: ModelduelApp, index: int) -> None:
    """Cancel one pane's run (its partial text is kept)."""
    view = app.view
    slot = view.slot(index) if view is not None else None
    if slot is not None and not slot.ended and app.runner is not None:
        await app.runner.cancel(slot.run_id)


def sink(app: ModelduelApp, run_id: str, stamped: Stamped) -> None:
    """Stamped events from the runner go to their run's meter (never re-stamped)."""
    if app.judging is not None and app.judging.runner.sink(run_id, stamped):
        return  # a judge run: its verdict comes through `run_ended`
    entry = app.runs.get(run_id)
    if entry is not None:
        entry[1].observe(stamped)
        if entry[0] is app.view:
            app.pacer.poke(entry[1].pane)


def run_ended(app: ModelduelApp, run_id: str) -> None:
    """A run ended: its row goes into the CSV now, with any score already given."""
    if app.judging is not None and app.judging.runner.on_ended(run_id):
        return
    entry = app.runs.get(run_id)
    if entry is None:
        return
    view, slot = entry
    slot.ended = True
    duel = view.duel_of(slot)
    if duel is None:
        return
    pane = view.panes[slot.pane]
    later_turn = bool(app.ledger.row(slot.run_id))  # a follow-up: its row is updated
    # a score given while it ran is already with the ledger, merged into the row
    row = csv_row(duel, slot, blind=pane.blind)
    say = app.saves.run_ended(
        slot.run_id, row, transcript_record(duel, slot), pane, slot.model.spec
    )
    app.sync_saved()
    if say is not None:
        tell(app, say)
    if view.reveal_if_scored():  # the last run ended with every other pane scored
        if any(p.score.is_scored for p in view.panes):
            tell(app, Say("every pane scored: names revealed"))
        else:  # every run cancelled or failed without output: nothing holds names back
            tell(app, Say("no pane can be scored (cancelled or no output): names revealed"))
    if view is app.view and view.all_ended:
        app.pace.ready()  # every answer is on screen: scoring starts now
    if not later_turn:  # the checks and the judge judged the task's answer, not a follow-up's
        _start_checks(app, view, slot)
        if app.judging is not None:
            app.judging.start(view, slot)
    app.turns.run_ended(run_id)
    app.update_status()


def _start_checks(app: ModelduelApp, view: DuelView, slot: RunSlot) -> None:
    """Run the task's checks on a finished answer, off the UI loop (worker threads)."""
    task = app.task_of(view)
    stats = slot.stats()
    if task is None or not task.checks or stats.status in ("failed", "cancelled"):
        return
    if app.check_runner is None:
        # only a task with checks loads them (jsonschema, the sandbox)
        from modelduel.core.checks import CheckRunner  # noqa: PLC0415  checks stay off the launch path (~26 ms)

        app.check_runner = CheckRunner()
    job = asyncio.get_running_loop().create_task(
        _apply_checks(app, view, slot, app.check_runner.arun(task, stats.text))
    )
    app.check_tasks.add(job)
    job.add_done_callback(app.check_tasks.discard)


async def _apply_checks(
    app: ModelduelApp, view: DuelView, slot: RunSlot, results: Awaitable[list[CheckResult]]
) -> None:
    """Show the checks' line and suggestions in the pane and record the counts."""
    # loaded by `_start_checks` already (it made the runner)
    from modelduel.core.checks import csv_columns, suggest_parts, summary  # noqa: PLC0415  checks: ~26 ms off launch

    done = await results
    if view.run_id(slot.pane) != slot.run_id:
        return  # the pane was re-run meanwhile: these results are not its answer's
    pane = view.panes[slot.pane]
    pane.checks_line = summary(done)
    pane.suggestions = suggest_parts(done)
    app.saves.record_checks(slot.run_id, csv_columns(done))
    app.sync_saved()
    app.update_status()
    await app.refresh_panes()
