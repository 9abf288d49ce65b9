"""The duel screen's conversations, without Textual: what each run is sent, turn by turn.

- a duel's first plans: a suite task goes through `plan_for_task` exactly as `modelduel
  run` sends it (tools and fixtures, scripted `[[turns]]`, attachments); a typed prompt
  takes the attachments the user added; every run keeps its conversation, so a
  follow-up can continue it;
- a follow-up: each run continues its *own* conversation (its earlier answers, thinking
  signatures and tool calls in context, in its own wire format) with the new message;
  the plan keeps the run id, so the same meter sums the turns and the same CSV row is
  updated;
- a re-run of the last turn: the conversation before that turn, and the same message.

A run whose last turn failed has no answer to follow up on: it is left out
(`followup_problem` says why), the others go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from modelduel.conversation import AssistantMessage, Conversation, Text, UserMessage, user_message
from modelduel.core.plan import RunPlan

if TYPE_CHECKING:
    from modelduel.attachments import Attachment
    from modelduel.core.session import DuelState, RunSlot
    from modelduel.tasks import Task

__all__ = [
    "check_attachments",
    "conversation_of",
    "first_plan",
    "followup_plan",
    "followup_problem",
    "last_turn_plan",
]


def _base_plan(duel: DuelState, slot: RunSlot, task: Task | None, budget: int | None) -> RunPlan:
    plan = duel.plan(slot, max_output_tokens=budget)
    if task is not None:
        # here, not at the top: the duel screen's first frame loads no task machinery
        from modelduel.core.taskplan import plan_for_task  # noqa: PLC0415  # off the first frame's path

        plan = plan_for_task(plan, task)
    return replace(plan, keep_conversation=True)


def first_plan(
    duel: DuelState,
    slot: RunSlot,
    *,
    task: Task | None = None,
    attachments: Sequence[Attachment] = (),
    budget: int | None = None,
) -> RunPlan:
    """The plan of a run's first turn.

    With `task`, the task's own prompt, tools, turns and attachments (as `modelduel run`);
    otherwise the duel's prompt with `attachments` (text added under its name, images as
    images).

    Raises:
        modelduel.errors.TaskFileError: a task attachment no longer loads.
        modelduel.fixturefs.FixtureError: the task's fixture folder now escapes it.
    """
    plan = _base_plan(duel, slot, task, budget)
    if task is None and attachments:
        first = user_message(duel.prompt, attachments)
        conversation = Conversation(duel.system, (first,))
        plan = replace(plan, request=replace(plan.request, conversation=conversation))
    return plan


def conversation_of(duel: DuelState, slot: RunSlot) -> Conversation | None:
    """The run's conversation as it ended; None when it cannot take a follow-up.

    A run that ended without the engine's conversation (a plain single request) is
    rebuilt from the prompt and its answer text, which is all such a request carried.
    """
    stats = slot.stats()
    conversation = stats.conversation
    if conversation is None:
        if stats.status != "done":
            return None
        first = UserMessage((Text(duel.prompt),))
        reply = AssistantMessage((Text(stats.text),), slot.model.kind, slot.model.model_id)
        return Conversation(duel.system, (first, reply))
    last = conversation.messages[-1] if conversation.messages else None
    if not isinstance(last, AssistantMessage) or last.tool_calls:
        return None
    return conversation


def followup_problem(duel: DuelState, slot: RunSlot) -> str | None:
    """Why this run cannot take a follow-up now, or None."""
    if not slot.ended:
        return "still running"
    stats = slot.stats()
    if stats.status in ("failed", "cancelled"):
        return f"its last turn {'was cancelled' if stats.status == 'cancelled' else 'failed'}"
    if conversation_of(duel, slot) is None:
        return "its last turn has no answer"
    return None


def followup_plan(
    duel: DuelState,
    slot: RunSlot,
    text: str,
    *,
    task: Task | None = None,
    attachments: Sequence[Attachment] = (),
    budget: int | None = None,
) -> RunPlan:
    """The plan of a follow-up turn of one run: its conversation plus `text`.

    Same run id (one CSV row per conversation), same tools and world as its first turn,
    no scripted turns (they ran already).

    Raises:
        ValueError: the run cannot take a follow-up (see `followup_problem`).
    """
    conversation = conversation_of(duel, slot)
    if conversation is None:
        raise ValueError(f"{slot.model.spec}: its last turn has no answer to follow up on")
    from modelduel.core.taskplan import continue_conversation  # noqa: PLC0415  # off the first frame's path

    plan = _base_plan(duel, slot, task, budget)
    request = continue_conversation(conversation, user_message(text, attachments), plan.request)
    return replace(plan, request=request, followups=())


def last_turn_plan(
    duel: DuelState, slot: RunSlot, *, task: Task | None = None, budget: int | None = None
) -> RunPlan | None:
    """The plan that runs a run's last turn again (its conversation before that turn and
    the same message); None when the run has a single turn (a re-run is a new run then).
    """
    conversation = slot.stats().conversation
    if conversation is None or slot.stats().turns < 2:
        return None
    users = [m for m in conversation.messages if isinstance(m, UserMessage)]
    if len(users) < 2:
        return None
    from modelduel.core.taskplan import continue_conversation  # noqa: PLC0415  # off the first frame's path

    before = conversation.without_last_turn()
    plan = _base_plan(duel, slot, task, budget)
    return replace(
        plan, request=continue_conversation(before, users[-1], plan.request), followups=()
    )


def check_attachments(attachments: Sequence[Attachment], kinds: Sequence[str]) -> str | None:
    """Why these attachments cannot go to every model of the lineup (one line), or None.

    Every model gets the same prompt, so a file one provider refuses (over its size
    limit) is refused for the duel, naming the file and the limit.
    """
    from modelduel.attachment_limits import check_for_provider  # noqa: PLC0415  # off the first frame's path
    from modelduel.attachments import AttachmentError  # noqa: PLC0415  # off the first frame's path

    for kind in dict.fromkeys(kinds):
        try:
            check_for_provider(list(attachments), kind.replace("-", "_"))
        except AttachmentError as exc:
            return str(exc)
    return None
