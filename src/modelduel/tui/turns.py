"""The duel screen's follow-ups, last-turn re-runs and attachments.

After a duel's answers end, the prompt editor sends a follow-up to every model of the
duel (ctrl+n makes the next prompt a new duel instead); each run continues its own
conversation under its own run id, so its meter sums the turns and its CSV row is
updated, not duplicated. `r` on a pane of several turns runs its last turn again,
that pane only. ctrl+a attaches files to the next prompt. The rules themselves
(what each run is sent) are `core.followups`, tested without a screen.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from modelduel.attachments import AttachmentError, load_attachment
from modelduel.core.followups import (
    check_attachments,
    first_plan,
    followup_plan,
    followup_problem,
    last_turn_plan,
)
from modelduel.core.routing import plural
from modelduel.core.scoring import Score
from modelduel.errors import ModelduelError
from modelduel.fixturefs import FixtureError

if TYPE_CHECKING:
    from modelduel.attachments import Attachment
    from modelduel.core.plan import RunPlan
    from modelduel.core.session import DuelState, RunSlot
    from modelduel.tasks import Task
    from modelduel.tui.app import ModelduelApp
    from modelduel.tui.duelview import DuelView

__all__ = ["DuelTurns"]

CANCEL_WAIT_S = 30.0


class DuelTurns:
    """Follow-ups, last-turn re-runs and attachments of the app's duels."""

    def __init__(self, app: ModelduelApp) -> None:
        self.app = app
        self.attachments: list[Attachment] = []
        """Files attached to the next prompt (a new duel or a follow-up)."""
        self.new_duel_next = False
        """ctrl+n: the next prompt starts a new duel even when a follow-up could be sent."""
        self._end_waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._sent_with: dict[str, list[Attachment]] = {}  # duel id -> its first attachments

    # -- what the next prompt does -----------------------------------------------------

    def follows_up(self) -> bool:
        """The next prompt is a follow-up: a live duel is on screen, its runs ended, and
        blind mode is what it was when the duel started (a follow-up keeps its duel's
        mode: after `b`, the next prompt starts a duel in the new one)."""
        view = self.app.view
        if self.new_duel_next or view is None or view.live is None or not view.all_ended:
            return False
        if view.blind != self.app.blind:
            return False
        duel = view.live
        return any(followup_problem(duel, s) is None for s in duel.slots)

    def mode_line(self) -> str:
        """What the send key does now, and what is attached (the prompt's side hint)."""
        line = "→ follow-up" if self.follows_up() else "→ new duel"
        if self.attachments:
            line += f" +{plural(len(self.attachments), 'file')}"
        return line

    def toggle_new_duel(self) -> None:
        """ctrl+n: the next prompt starts a new duel (again: back to a follow-up)."""
        self.new_duel_next = not self.new_duel_next
        self.app.say_info(self.mode_line())

    # -- plans ---------------------------------------------------------------------------

    def first_plans(self, duel: DuelState, task: Task | None) -> list[RunPlan] | None:
        """Plans of a new duel; the attachments go with a typed prompt (and are used up).

        None (with a one-line error in the status) when the task no longer loads.
        """
        budget = self.app.task_budget(duel.task_id)
        attachments = [] if task is not None else self.take_attachments()
        if attachments:
            self._sent_with[duel.duel_id] = attachments  # a re-run sends them again
        try:
            return [
                first_plan(duel, s, task=task, attachments=attachments, budget=budget)
                for s in duel.slots
            ]
        except (ModelduelError, FixtureError, OSError) as exc:
            self.app.say(f"not sent: {exc}")
            return None

    def fresh_plan(self, duel: DuelState, slot: RunSlot, task: Task | None) -> RunPlan:
        """A re-run's plan: the duel's first turn again, as it was first sent."""
        attachments = [] if task is not None else self._sent_with.get(duel.duel_id, [])
        budget = self.app.task_budget(duel.task_id)
        return first_plan(duel, slot, task=task, attachments=attachments, budget=budget)

    def take_attachments(self) -> list[Attachment]:
        """The attachments for the prompt being sent (the next one starts with none)."""
        taken, self.attachments = self.attachments, []
        return taken

    # -- follow-ups ----------------------------------------------------------------------

    async def send_followup(self, text: str) -> None:
        """Send `text` to every run of the duel on screen, each in its own conversation."""
        app = self.app
        view = app.view
        assert view is not None and view.live is not None
        duel = view.live
        task = app.task_of(view)
        attachments = self.take_attachments()
        plans: list[RunPlan] = []
        left_out: list[str] = []
        for slot in duel.slots:
            problem = followup_problem(duel, slot)
            label = view.panes[slot.pane].label
            if problem is not None:
                left_out.append(f"{label} ({problem}; r re-runs it)")
                continue
            plan = followup_plan(
                duel,
                slot,
                text,
                task=task,
                attachments=attachments,
                budget=app.task_budget(duel.task_id),
            )
            slot.ended = False
            app.ledger.turn_started(slot.run_id)
            plans.append(plan)
        app.sync_saved()
        await app.wait_runner()
        assert app.runner is not None
        await app.runner.start(list(plans))
        if left_out:
            app.say(f"follow-up not sent to {', '.join(left_out)}")
        app.update_status()

    # -- re-running the last turn ----------------------------------------------------------

    async def rerun_last_turn(self, view: DuelView, index: int) -> bool:
        """`r` on a pane of several turns: run its last turn again, that pane only.

        Returns:
            False when the pane's run has a single turn (the caller re-runs it whole).
        """
        app = self.app
        slot = view.slot(index)
        duel = view.live
        if slot is None or duel is None or view.duel_of(slot) is not duel:
            return False
        task = app.task_of(view)
        plan = last_turn_plan(duel, slot, task=task, budget=app.task_budget(duel.task_id))
        if plan is None:
            if slot.ended or slot.stats().turns < 2:
                return False
            await self._cancel_and_wait(slot.run_id)  # its conversation comes at its end
            plan = last_turn_plan(duel, slot, task=task, budget=app.task_budget(duel.task_id))
            if plan is None:
                return False
        elif not slot.ended:
            await self._cancel_and_wait(slot.run_id)
        duel.rewind_last_turn(slot)
        pane = view.panes[index]
        if pane.score != Score():
            pane.score = Score()  # the answer it scored is being replaced
            app.ledger.record_changes(slot.run_id, Score().csv_changes())
        pane.revealed = False
        app.ledger.turn_started(slot.run_id)
        app.sync_saved()
        await app.wait_runner()
        assert app.runner is not None
        await app.runner.start([plan])
        app.update_status()
        return True

    async def _cancel_and_wait(self, run_id: str) -> None:
        """Cancel a run and wait for its end (its last events are its own, not the re-run's)."""
        app = self.app
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._end_waiters.setdefault(run_id, []).append(waiter)
        assert app.runner is not None
        await app.runner.cancel(run_id)
        with contextlib.suppress(TimeoutError):  # a runner that never says: go on anyway
            await asyncio.wait_for(waiter, CANCEL_WAIT_S)

    def run_ended(self, run_id: str) -> None:
        """A run ended (after its row was recorded): wake what waited for it."""
        for waiter in self._end_waiters.pop(run_id, []):
            if not waiter.done():
                waiter.set_result(None)

    # -- attachments -----------------------------------------------------------------------

    def attach(self, path_text: str) -> None:
        """Attach a file to the next prompt; an empty path clears the attachments.

        A missing, unreadable or too large file is one line in the status naming the file
        (and the limit); nothing is attached then.
        """
        app = self.app
        path_text = path_text.strip()
        if not path_text:
            count = len(self.attachments)
            self.attachments = []
            app.say_info(f"attachments cleared ({plural(count, 'file')})")
            return
        try:
            attachment = load_attachment(Path(path_text).expanduser(), name=path_text)
        except AttachmentError as exc:
            app.say(f"not attached: {exc}")
            return
        problem = check_attachments(
            [*self.attachments, attachment], [m.kind for m in app.settings.models]
        )
        if problem is not None:
            app.say(f"not attached: {problem}")
            return
        self.attachments.append(attachment)
        what = "text" if attachment.kind == "text" else attachment.media_type
        names = ", ".join(a.name for a in self.attachments)
        app.say_info(f"attached {attachment.name} ({what}) to the next prompt: {names}")
