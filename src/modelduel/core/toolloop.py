"""One run's conversation as a loop: what to send next, and what a reply leads to.

`DuelRunner` does the I/O (requests, retries, the tools' latency); this class holds the
state and decides, so each rule is one place and testable without a network:

- a reply with tool calls is answered from the task's `ToolWorld` (never raises: an
  unknown tool, arguments that are not JSON or fail the schema get an error result the
  model can act on) and the next request is sent, until a reply has no call;
- past `max_tool_rounds` answered rounds (per turn), the calls are not run and the run
  ends with finish reason `tool_limit`; the conversation then records them as answered
  with an error, so a follow-up can still continue it;
- after the final answer of a turn, the next scripted follow-up (if any) is sent;
- before a user message's images are sent, the model's capability data must say it takes
  images and each protocol's size limits must hold (`attachment_limits.check_for_provider`).

Events it produces for the meter and the UIs: `ToolResultReady` per answered call,
`RoundStarted` before each later request of a turn, `TurnStarted` before a follow-up,
and `ConversationState` (the conversation as it stands) when the run ends.

Continuing a conversation (a follow-up typed after the run ended): send a new plan whose
`request.conversation` is the `ConversationState.conversation` of the previous run with
the new `UserMessage` added (`conversation.add(user_message(text, attachments))`). The run
starts with `TurnStarted(n)`; feeding its events into the *same* `StreamMeter` as the
earlier turns sums tokens, cost and wall time and keeps ttft and time to first useful of
the first turn (see `core.metrics`; `core.meter` computes them).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import replace

from modelduel.attachment_limits import check_for_provider
from modelduel.attachments import Attachment, AttachmentError
from modelduel.capabilities import ANTHROPIC_MIN_THINKING_BUDGET, Family
from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Image,
    Text,
    ToolCall,
    ToolResultMessage,
    ToolReturn,
    UserMessage,
    user_message,
)
from modelduel.core.plan import RunPlan
from modelduel.core.toolresult import ToolResult, call_label
from modelduel.core.toolworld import TOOL_LIMIT, ToolRounds, ToolWorld
from modelduel.events import (
    ConversationState,
    ErrorInfo,
    Event,
    Finished,
    RoundStarted,
    ToolResultReady,
    TurnStarted,
)
from modelduel.image_header import sniff_image
from modelduel.providers.base import ModelRequest
from modelduel.tasks import Task, task_user_messages

__all__ = [
    "NOT_RUN_AT_LIMIT",
    "ToolLoop",
    "continue_conversation",
    "plan_for_task",
    "unsendable",
    "with_attachments",
]

NOT_RUN_AT_LIMIT = "not run: the task's max_tool_rounds ({limit}) was reached"
NOT_RUN_ENDED = "not run: the run ended before this call was answered"


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


def unsendable(plan: RunPlan) -> ErrorInfo | None:
    """Why no request of this run can be sent as the duel asks, checked before the first
    (today: a thinking budget that cannot fit the output limit); None when it can."""
    return _budget_problem(plan.request, plan.request.capabilities(plan.target.kind))


def _budget_problem(request: ModelRequest, caps: Family) -> ErrorInfo | None:
    """A budget-style thinking request that no API would accept: `budget_tokens` must be at
    least 1,024 and below `max_tokens`. Thinking less, or writing more, than the duel asked
    would not be this duel, so the run fails here and the other models go on."""
    effort = request.reasoning_effort
    limit = request.max_output_tokens
    if caps.thinking != "anthropic-budget" or not effort or not effort.isdigit() or limit is None:
        return None
    if limit > ANTHROPIC_MIN_THINKING_BUDGET + 1:
        return None
    return ErrorInfo(
        "config",
        f"max_output_tokens {limit:,}: {request.model_id} thinks with a budget of at least "
        f"{ANTHROPIC_MIN_THINKING_BUDGET:,} tokens below its output limit; give it more "
        f"than {ANTHROPIC_MIN_THINKING_BUDGET + 1:,} (--max-output-tokens) or no effort",
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


def _images(messages: tuple[object, ...]) -> list[Image]:
    return [
        p for m in messages if isinstance(m, UserMessage) for p in m.parts if isinstance(p, Image)
    ]


class ToolLoop:
    """The state of one run's conversation loop (one instance per run)."""

    def __init__(self, plan: RunPlan) -> None:
        """Start from the plan's conversation, or its single prompt."""
        req = plan.request
        self._plan = plan
        self._world = plan.world if plan.world is not None else ToolWorld(())
        self._specs = self._world.tool_specs() if plan.world is not None else req.tools
        self.conversation = req.conversation or Conversation(
            req.system, (UserMessage((Text(req.prompt),)),)
        )
        self._followups = list(plan.followups)
        self.turn = sum(1 for m in self.conversation.messages if isinstance(m, UserMessage))
        self._rounds = ToolRounds(plan.max_tool_rounds)
        self._pending: list[ToolCall] = []
        self._results: list[ToolReturn | None] = []
        self._next: list[Event] = []
        self._unchecked: list[Image] = _images(self.conversation.messages)

    def opening_events(self) -> list[Event]:
        """`TurnStarted` when the run continues an earlier conversation, else nothing."""
        if self.turn > 1:
            last = self.conversation.messages[-1]
            text = last.text if isinstance(last, UserMessage) else ""
            return [TurnStarted(self.turn, text)]
        return []

    def request_problem(self) -> ErrorInfo | None:
        """Why the next request must not be sent (images the model or provider refuses, a
        thinking budget that cannot fit the output limit)."""
        kind = self._plan.target.kind
        caps = self._plan.request.capabilities(kind)
        model = self._plan.request.model_id
        if (problem := unsendable(self._plan)) is not None:
            return problem
        images, self._unchecked = self._unchecked, []
        if not images:
            return None
        if not caps.images:
            return ErrorInfo(
                "config",
                f"{model} takes no images (its capability data says images = false): "
                f"{images[0].name or 'the image'} was not sent",
            )
        attachments = []
        for img in images:
            data = base64.b64decode(img.data_base64)
            sniffed = sniff_image(data)
            width, height = (sniffed[1], sniffed[2]) if sniffed else (None, None)
            attachments.append(
                Attachment(img.name or "image", "image", img.media_type, data, None, width, height)
            )
        try:
            check_for_provider(attachments, kind.replace("-", "_"))
        except AttachmentError as exc:
            return ErrorInfo("config", str(exc))
        return None

    def request(self) -> ModelRequest:
        """The next request: the whole conversation so far, and the tools."""
        return replace(self._plan.request, conversation=self.conversation, tools=self._specs)

    def take_reply(self, reply: AssistantMessage | None, finished: Finished) -> Finished | str:
        """Add the reply; returns "tools" (answer the calls), "turn" (send the next
        follow-up), or the run's final `Finished`."""
        if reply is None:
            reply = AssistantMessage(
                (), self._plan.target.kind, self._plan.request.model_id, None, finished.reason
            )
        self.conversation = self.conversation.add(reply)
        calls = reply.tool_calls
        if calls:
            if not self._rounds.admit(len(calls)):
                note = NOT_RUN_AT_LIMIT.format(limit=self._rounds.limit)
                self.conversation = self.conversation.add(
                    ToolResultMessage(tuple(ToolReturn(c.id, c.name, note, True) for c in calls))
                )
                return Finished(TOOL_LIMIT, finished.raw_reason)
            self._pending = list(calls)
            self._results = [None] * len(calls)
            return "tools"
        if self._followups:
            message = self._followups.pop(0)
            self.conversation = self.conversation.add(message)
            self.turn += 1
            self._rounds = ToolRounds(self._plan.max_tool_rounds)
            self._unchecked = _images((message,))
            self._next = [TurnStarted(self.turn, message.text)]
            return "turn"
        return finished

    def answer_pending(self) -> list[tuple[int, ToolResult]]:
        """Every pending call answered (pure, instant), in the order their latency ends."""
        answered = [(i, self._world.call(c.name, c.arguments)) for i, c in enumerate(self._pending)]
        return sorted(answered, key=lambda x: x[1].latency_ms)

    def result_event(self, index: int, result: ToolResult) -> ToolResultReady:
        """Record call `index`'s result (it is now delivered) and the event saying so."""
        call = self._pending[index]
        self._results[index] = ToolReturn(call.id, call.name, result.content, result.is_error)
        return ToolResultReady(
            call.id,
            call.name,
            call_label(call.name, call.arguments),
            result.content,
            result.is_error,
            result.summary,
        )

    def next_request_events(self) -> list[Event]:
        """The boundary events before the next request (the results go in first)."""
        if self._pending:
            results = tuple(r for r in self._results if r is not None)
            self.conversation = self.conversation.add(ToolResultMessage(results))
            self._pending, self._results = [], []
            return [RoundStarted(self._rounds.rounds + 1)]
        out, self._next = self._next, []
        return out

    def state(self) -> ConversationState:
        """The conversation as it stands, continuable: calls never answered (the run
        ended during their latency) are recorded as answered with an error."""
        conv = self.conversation
        last = conv.messages[-1] if conv.messages else None
        if isinstance(last, AssistantMessage) and last.tool_calls:
            done = {r.call_id: r for r in self._results if r is not None}
            conv = conv.add(
                ToolResultMessage(
                    tuple(
                        done.get(c.id) or ToolReturn(c.id, c.name, NOT_RUN_ENDED, True)
                        for c in last.tool_calls
                    )
                )
            )
        return ConversationState(conv)
