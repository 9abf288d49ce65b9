"""One duel's state, shared by every front end: plans out, meters in, records out.

`ask`, the TUI and batch runs all build a `DuelState`, hand its `sink` to a runner
(in-process `DuelRunner` or `ChildDuelRunner`), and read figures from its meters, so
every front end shows the same numbers from the same code.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from modelduel.core.meter import StreamMeter
from modelduel.core.metrics import Cost, StreamStats
from modelduel.core.plan import RunPlan
from modelduel.core.turns import RunTimeline
from modelduel.events import Finished, Notice, Stamped, TurnStarted, Usage
from modelduel.providers.base import StreamTarget

if TYPE_CHECKING:
    from modelduel.config import ResolvedModel

__all__ = ["DuelState", "RunSlot", "adhoc_task_id", "new_id"]


def new_id(prefix: str) -> str:
    """A short random id such as `run-3f9a1c2b7d`."""
    return f"{prefix}-{secrets.token_hex(5)}"


def adhoc_task_id(prompt: str, system: str | None) -> str:
    """`adhoc-<hash>`: the same ad-hoc prompt always gets the same task id."""
    digest = hashlib.sha256(f"{system or ''}\x00{prompt}".encode()).hexdigest()
    return f"adhoc-{digest[:10]}"


def _price_fn(model: ResolvedModel) -> Callable[[Usage], Cost]:
    # pricing (and the provider registry) load at the first priced run, not at app start
    from modelduel.core.pricing import price_run  # noqa: PLC0415

    options = model.options

    def price(usage: Usage) -> Cost:
        return price_run(model.kind, model.model_id, usage, options.price, options.free)

    return price


@dataclass(frozen=True, slots=True)
class TurnStart:
    """A run as it stood when its last turn began: what a re-run of that turn goes back to.

    Attributes:
        meter: a copy of the run's meter just before the `TurnStarted`.
        timeline: a copy of its timeline then.
        t_ns: the `TurnStarted`'s time (where a scripted turn before it ended).
    """

    meter: StreamMeter
    timeline: RunTimeline
    t_ns: int


@dataclass
class RunSlot:
    """One model's run inside a duel (a pane, a JSON line, a CSV row).

    Attributes:
        run_id: unique id of the run.
        model: the resolved model (spec, provider, kind, model id, options).
        pane: 0-based position in the duel.
        meter: accumulates the run's stamped events.
        ended: True once the run has ended for good (no more events).
        max_output_tokens: the output budget the run was sent (set when it is planned).
        timeline: the run's turns and tool calls in order (what a pane shows).
        turn_start: the run as its last turn began (None before a second turn).
    """

    run_id: str
    model: ResolvedModel
    pane: int
    meter: StreamMeter
    ended: bool = False
    max_output_tokens: int | None = None
    timeline: RunTimeline = field(default_factory=RunTimeline)
    turn_start: TurnStart | None = field(default=None, repr=False)

    def observe(self, stamped: Stamped) -> None:
        """One stamped event of this run: to the meter and the timeline.

        At a `TurnStarted`, both are copied first (`turn_start`): a re-run of that turn
        goes back to the copies, so no event needs keeping (memory does not grow with
        the answer); the copies share the texts, which are str.
        """
        if isinstance(stamped.event, TurnStarted):
            self.turn_start = TurnStart(self.meter.copy(), self.timeline.copy(), stamped.t_ns)
        self.meter.observe(stamped)
        self.timeline.observe(stamped)

    def stats(self, now_ns: int | None = None) -> StreamStats:
        """The run's figures now."""
        return self.meter.stats(now_ns)


@dataclass
class DuelState:
    """A prompt sent to several models, and what came back.

    Attributes:
        prompt: the user prompt.
        system: the system prompt, if any.
        slots: one per model, in the order given.
        duel_id: unique id of the duel.
        task_id: the task (ad-hoc prompts get `adhoc-<hash>`).
        task_type: the task type (`adhoc` for ad-hoc prompts).
        started_at: wall-clock start, UTC.
    """

    prompt: str
    system: str | None
    slots: list[RunSlot]
    duel_id: str = field(default_factory=lambda: new_id("duel"))
    task_id: str = ""
    task_type: str = "adhoc"
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def create(
        cls,
        models: list[ResolvedModel],
        prompt: str,
        system: str | None,
        *,
        task_id: str | None = None,
        task_type: str = "adhoc",
    ) -> DuelState:
        """A duel with one slot (and a fresh run id) per model."""
        slots = [
            RunSlot(new_id("run"), model, i, StreamMeter(price=_price_fn(model)))
            for i, model in enumerate(models)
        ]
        return cls(
            prompt,
            system,
            slots,
            task_id=task_id or adhoc_task_id(prompt, system),
            task_type=task_type,
        )

    def slot(self, run_id: str) -> RunSlot | None:
        """The slot of a run id."""
        for slot in self.slots:
            if slot.run_id == run_id:
                return slot
        return None

    def sink(self, run_id: str, stamped: Stamped) -> None:
        """Feed one stamped event to its run's meter (the runner's sink)."""
        slot = self.slot(run_id)
        if slot is not None:
            slot.observe(stamped)

    def restart(self, slot: RunSlot) -> RunSlot:
        """Replace a slot by a fresh run of the same model (a re-run keeps the pane)."""
        fresh = RunSlot(new_id("run"), slot.model, slot.pane, StreamMeter(_price_fn(slot.model)))
        self.slots[slot.pane] = fresh
        return fresh

    def rewind_last_turn(self, slot: RunSlot) -> None:
        """Put a slot back as it was before its last turn began (that turn is run again).

        The meter and the timeline go back to the copies taken when the last turn began
        (`RunSlot.turn_start`), so every figure of the earlier turns is the one measured
        then. What the replaced turn spent (tokens, cost) stays in the run's totals, and
        so in its CSV row: it was paid for (`StreamMeter.carry_spend`).
        """
        start = slot.turn_start
        if start is None:
            meter, timeline = StreamMeter(_price_fn(slot.model)), RunTimeline()
        else:
            meter, timeline = start.meter.copy(), start.timeline.copy()
            if meter.stats().status not in ("done", "failed", "cancelled"):
                # a scripted turn ran on in the same request loop: it ended where the next began
                meter.observe(Stamped(start.t_ns, Finished("stop", None)))
        meter.carry_spend(slot.meter)
        slot.meter = meter
        slot.timeline.restore(timeline)
        slot.ended = False

    def plan(
        self,
        slot: RunSlot,
        *,
        max_output_tokens: int | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
    ) -> RunPlan:
        """The plan that sends this duel's prompt to one slot's model."""
        model = slot.model
        request, notices = model.plan_request(self.prompt, self.system, max_output_tokens)
        for text in notices:
            slot.meter.observe(Stamped(0, Notice(text)))
        slot.max_output_tokens = request.max_output_tokens
        if extra_headers:
            request = replace(request, extra_headers=(*request.extra_headers, *extra_headers))
        secret = model.api_key
        target = StreamTarget(
            kind=model.kind,
            base_url=model.base_url,
            api_key=lambda: None if secret is None else secret.get_secret_value(),
            key_env=model.key_env,
            key_required=model.key_required,
            name=model.provider,
        )
        return RunPlan(slot.run_id, model.provider, target, request)

    def plans(
        self,
        *,
        max_output_tokens: int | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
    ) -> list[RunPlan]:
        """Plans for every slot."""
        return [
            self.plan(slot, max_output_tokens=max_output_tokens, extra_headers=extra_headers)
            for slot in self.slots
        ]
