"""What a run is before it runs: a plain value, light to import.

The screen builds plans at start-up; keeping them apart from the runner keeps the
HTTP stack (httpx2, about 60 ms to import) out of the app's start, since only the
child-process runner sends requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from modelduel.conversation import DEFAULT_MAX_TOOL_ROUNDS, UserMessage
from modelduel.providers.base import ModelRequest, StreamTarget

if TYPE_CHECKING:
    from modelduel.core.toolworld import ToolWorld

__all__ = ["RunPlan"]


@dataclass(frozen=True, slots=True)
class RunPlan:
    """One model run of a duel.

    Attributes:
        run_id: unique id of this run (the CSV's run_id).
        client_key: which pooled client to use (the provider name).
        target: where to send it.
        request: what to send. Its `conversation`, when set, is the conversation so far
            with the new user message last (a continuation: see `DuelRunner`).
        world: the task's tools; the runner answers the model's calls from it, round
            after round (its tool specs are offered on every request).
        max_tool_rounds: answered tool rounds per turn before `tool_limit`.
        followups: scripted follow-up user messages (`[[turns]]`), each sent after the
            model's answer to the one before, in the same run.
        keep_conversation: assemble the conversation even without tools or follow-ups
            (the run ends with a `ConversationState` a follow-up can continue).
    """

    run_id: str
    client_key: str
    target: StreamTarget
    request: ModelRequest
    world: ToolWorld | None = None
    max_tool_rounds: int = DEFAULT_MAX_TOOL_ROUNDS
    followups: tuple[UserMessage, ...] = ()
    keep_conversation: bool = False

    @property
    def converses(self) -> bool:
        """Whether the run goes through the conversation loop (else: one plain request)."""
        return (
            self.world is not None
            or bool(self.followups)
            or self.keep_conversation
            or self.request.conversation is not None
        )
