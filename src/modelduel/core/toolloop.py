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

from dataclasses import replace
from typing import TYPE_CHECKING

from modelduel.conversation import (
    AssistantMessage,
    Conversation,
    Image,
    Text,
    ToolCall,
    ToolResultMessage,
    ToolReturn,
    UserMessage,
)
from modelduel.core.plan import RunPlan
from modelduel.core.sendcheck import image_problem, unsendable
from modelduel.core.toolresult import ToolResult, call_label
from modelduel.events import (
    ConversationState,
    ErrorInfo,
    Event,
    Finished,
    RoundStarted,
    ToolResultReady,
    TurnStarted,
)
from modelduel.providers.base import ModelRequest

if TYPE_CHECKING:
    pass

__all__ = ["NOT_RUN_AT_LIMIT", "TOOL_LIMIT", "ToolLoop", "ToolRounds"]

TOOL_LIMIT = "tool_limit"
"""The finish reason of a run whose model still calls tools after `max_tool_rounds`."""
NOT_RUN_AT_LIMIT = "not run: the task's max_tool_rounds ({limit}) was reached"
NOT_RUN_ENDED = "not run: the run ended before this call was answered"


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
        self._world = plan.world
        self._specs = self._world.tool_specs() if self._world is not None else req.tools
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
        if (problem := unsendable(self._plan)) is not None:
            return problem
        images, self._unchecked = self._unchecked, []
        return image_problem(self._plan, images)

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
        world = self._world
        if world is None:
            # a model calling tools in a run without a world (a conversation that offered
            # tools): each call gets "unknown tool"; only then are the tools imported
            from modelduel.core.toolworld import ToolWorld  # noqa: PLC0415

            world = self._world = ToolWorld(())
        answered = [(i, world.call(c.name, c.arguments)) for i, c in enumerate(self._pending)]
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


class ToolRounds:
    """Counts a run's tool rounds against the task's `max_tool_rounds`.

    A round is one model response that asked for at least one tool call, answered with
    every call's result. The engine asks `admit(calls)` for each such response: True means
    answer it (it is counted); False means the cap is reached, the calls are not answered
    and the run ends with finish reason `TOOL_LIMIT` (keeping everything it produced).
    """

    def __init__(self, limit: int) -> None:
        """Start counting; `limit` is the task's `max_tool_rounds` (at least 1)."""
        if limit < 1:
            raise ValueError("max_tool_rounds is at least 1")
        self.limit = limit
        self.rounds = 0
        self.calls = 0

    def admit(self, calls: int) -> bool:
        """Whether a response asking for `calls` tool calls may be answered (and count it)."""
        if calls < 1:
            raise ValueError("a tool round has at least one call")
        if self.rounds >= self.limit:
            return False
        self.rounds += 1
        self.calls += calls
        return True

    @property
    def exhausted(self) -> bool:
        """Every allowed round has been answered: another tool call ends the run."""
        return self.rounds >= self.limit
