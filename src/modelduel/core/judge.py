"""The blind judge's runs: a second opinion on a finished answer, suggested, never imposed.

`[judge]` in the config names a model; each finished answer goes to it (the prompt:
`core.judge_prompt`, the blinding: `core.judge_blind`) and its reply becomes a verdict
(`core.judge_reply`, `core.judge_verdict`). Judge requests are ordinary runs (providers +
meter): `JudgeRunner` sends them through any runner that takes `RunPlan`s and reports
events and ends by run id. A judge that cannot be started, errs or times out is a
`failed` verdict, never an exception in the session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from modelduel.conversation import Conversation
from modelduel.core.judge_blind import blind_names, is_self_judging, model_vendor
from modelduel.core.judge_input import JudgedTask, conversation_turns
from modelduel.core.judge_prompt import JUDGE_SYSTEM, build_judge_prompt
from modelduel.core.judge_verdict import JudgeVerdict, verdict_of_run
from modelduel.core.session import DuelState
from modelduel.events import Stamped

if TYPE_CHECKING:
    from modelduel.config import JudgeConfig, ResolvedModel
    from modelduel.core.plan import RunPlan

__all__ = ["JudgeRunner", "StartRuns", "judge_runner"]

StartRuns = Callable[[list["RunPlan"]], Awaitable[None]]


class JudgeRunner:
    """Sends finished answers to the judge as ordinary runs, and hands back verdicts.

    The caller's runner carries the judge's runs beside the judged ones: it passes every
    event to `sink` and every end to `on_ended` first (each returns True for a judge run).

    Args:
        settings: the `[judge]` config.
        judge: the judge model, resolved.
        start: starts runs (`ChildDuelRunner.start`).
    """

    def __init__(self, settings: JudgeConfig, judge: ResolvedModel, start: StartRuns) -> None:
        self.settings = settings
        self.judge = judge
        self._start = start
        self._pending: dict[str, tuple[DuelState, asyncio.Future[JudgeVerdict]]] = {}

    def sink(self, run_id: str, stamped: Stamped) -> bool:
        """Feed a judge run's event to its meter; False for any other run."""
        pending = self._pending.get(run_id)
        if pending is None:
            return False
        pending[0].sink(run_id, stamped)
        return True

    def on_ended(self, run_id: str) -> bool:
        """A judge run ended: its verdict is ready; False for any other run."""
        pending = self._pending.pop(run_id, None)
        if pending is None:
            return False
        duel, future = pending
        slot = duel.slots[0]
        slot.ended = True
        if not future.done():
            future.set_result(verdict_of_run(self.judge.name, slot))
        return True

    async def verdict(
        self,
        task: JudgedTask,
        answered_by: ResolvedModel,
        answer: str,
        conversation: Conversation | None = None,
    ) -> JudgeVerdict:
        """The judge's verdict on one finished answer (never raises for a judge outage).

        `conversation`: the run's conversation (`StreamStats.conversation`), when it had
        follow-up turns: the judge then reads it turn by turn instead of `answer`.
        """
        # named as a row names a model: without a simulator fault suffix (`model_name`)
        name = self.judge.name
        if not self.settings.allow_self and is_self_judging(self.judge, answered_by):
            maker = model_vendor(self.judge) or self.judge.provider
            return JudgeVerdict(
                "skipped",
                name,
                reason=f"the judge's own provider ({maker}, whatever serves it); "
                "allow_self = true in [judge] allows it",
            )
        turns = conversation_turns(conversation) if conversation is not None else []
        prompt = build_judge_prompt(
            task,
            turns if len(turns) > 1 else answer,
            rubric=self.settings.rubric,
            hide=blind_names(answered_by),
        )
        duel = DuelState.create([self.judge], prompt, JUDGE_SYSTEM, task_type="judge")
        slot = duel.slots[0]
        future: asyncio.Future[JudgeVerdict] = asyncio.get_running_loop().create_future()
        self._pending[slot.run_id] = (duel, future)
        try:
            await self._start(duel.plans())
        except Exception as exc:  # a runner that cannot take the run: the judge is out
            self._pending.pop(slot.run_id, None)
            return JudgeVerdict("failed", name, reason=f"cannot start the judge run ({exc})")
        return await future


def judge_runner(
    settings: JudgeConfig | None,
    resolve: Callable[[str], ResolvedModel],
    start: StartRuns,
) -> JudgeRunner | None:
    """The judge of a session, or None when `[judge]` is absent or `enabled = false`.

    Args:
        settings: the config's `[judge]`.
        resolve: turns the judge's spec into a model (`config.resolve_model`).
        start: starts runs on the session's runner.
    """
    if settings is None or not settings.enabled:
        return None
    return JudgeRunner(settings, resolve(settings.model), start)
