"""How a run's plan is built for more than one prompt: a task, attached files, a follow-up.

`plan_for_task` gives a task's plan its tools, scripted turns and attachments (the tool
world is read here, in the parent: the worker never reads the task folder);
`with_attachments` adds `--attach` files to the first message; `continue_conversation`
is the request of a follow-up turn. The parent calls these when it plans runs; running
them is `core.toolloop` (in the worker).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from modelduel.conversation import Conversation, Image, Text, UserMessage, user_message
from modelduel.core.plan import RunPlan
from modelduel.core.toolworld import ToolWorld
from modelduel.providers.base import ModelRequest
from modelduel.tasks import task_user_messages

if TYPE_CHECKING:
    from modelduel.attachments import Attachment
    from modelduel.tasks import Task

__all__ = ["continue_conversation", "plan_for_task", "with_attachments"]


def continue_conversation(
    conversation: Conversation, message: UserMessage, request: ModelRequest
) -> ModelRequest:
    """The request of a follow-up turn: `request` sending `conversation` + `message`.

    Put it in a `RunPlan` (with the same `world` for a tool task) and start it: the run
    begins with `TurnStarted`, so feeding it into the earlier turns' meter adds up.

    Raises:
        ValueError: the conversation cannot take a user message now (it ends with tool
            calls that were never answered).
    """
    return replace(request, conversation=conversation.add(message))


def plan_for_task(plan: RunPlan, task: Task) -> RunPlan:
    """The plan of a task with tools, `[[turns]]` or attachments; a plain task's is unchanged.

    The first user message is the rendered prompt with the task's attachments (images as
    images), the follow-ups are the scripted turns, and the world is the task's tools and
    fixture snapshot (read now, in this process: the worker never reads the task folder).

    Raises:
        modelduel.errors.TaskFileError: an attachment no longer loads.
        modelduel.fixturefs.FixtureError: the fixture folder changed and now escapes.
    """
    if not task.has_tools and not task.turns and not task.attachments:
        return plan
    first, *followups = task_user_messages(task)
    request = replace(plan.request, conversation=Conversation(plan.request.system, (first,)))
    return replace(
        plan,
        request=request,
        world=ToolWorld.from_task(task) if task.has_tools else None,
        max_tool_rounds=task.max_tool_rounds,
        followups=tuple(followups),
    )


def with_attachments(plan: RunPlan, attachments: Sequence[Attachment]) -> RunPlan:
    """The plan with `attachments` (`--attach`) added to its first user message.

    Text files go into the message's text under their names, images after the images it
    has; a plan without a conversation gets one (its prompt, then the attachments).
    """
    if not attachments:
        return plan
    req = plan.request
    conv = req.conversation or Conversation(req.system, (UserMessage((Text(req.prompt),)),))
    first = conv.messages[0]
    assert isinstance(first, UserMessage)
    added = user_message(first.text, attachments)
    images = tuple(p for p in first.parts if isinstance(p, Image))
    message = UserMessage((added.parts[0], *images, *added.parts[1:]))
    conv = Conversation(conv.system, (message, *conv.messages[1:]))
    return replace(plan, request=replace(req, conversation=conv))
