"""What the judge is told: the task (prompt, criteria, format) and a conversation's turns.

The material of a judge prompt, before it is written out (`core.judge_prompt`): the task
as the answering model saw it, and a conversation read turn by turn (each user message,
each answer), never as one joined text. Tool results are not turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from modelduel.conversation import AssistantMessage, Conversation, Text, UserMessage

if TYPE_CHECKING:
    from modelduel.core.session import DuelState
    from modelduel.tasks import Task

__all__ = ["JudgedTask", "JudgedTurn", "conversation_turns", "judged_task"]


@dataclass(frozen=True, slots=True)
class JudgedTask:
    """What the judge is told about the task: the prompt, its criteria and its format.

    Attributes:
        prompt: the user prompt as the answering model got it.
        criteria: the success criteria (a task file's), may be empty for an ad-hoc prompt.
        output_format: the required output format, or None.
    """

    prompt: str
    criteria: tuple[str, ...] = ()
    output_format: str | None = None


@dataclass(frozen=True, slots=True)
class JudgedTurn:
    """One turn of a judged conversation: what the user said, and what the model answered.

    Attributes:
        user: the user's message (its text; an attached image as `[image: type]`).
        answer: the model's text in that turn (every response of its tool rounds, in order).
    """

    user: str
    answer: str


def conversation_turns(conv: Conversation) -> list[JudgedTurn]:
    """A conversation as the judge reads it: one `JudgedTurn` per user message.

    Tool results are not turns (they answer the model's calls, within its turn); the
    model's texts between calls stay in the turn they were written in.
    """
    users: list[str] = []
    answers: list[list[str]] = []
    for msg in conv.messages:
        if isinstance(msg, UserMessage):
            users.append(
                "\n".join(
                    p.text if isinstance(p, Text) else f"[image: {p.media_type}]" for p in msg.parts
                )
            )
            answers.append([])
        elif isinstance(msg, AssistantMessage) and answers and msg.text.strip():
            answers[-1].append(msg.text.strip())
    return [JudgedTurn(u, "\n\n".join(a)) for u, a in zip(users, answers, strict=True)]


def judged_task(task: Task | None, duel: DuelState) -> JudgedTask:
    """What the judge is told of a duel's task: its prompt, a task file's criteria and format."""
    if task is None:
        return JudgedTask(duel.prompt)
    return JudgedTask(duel.prompt, tuple(task.criteria), task.output_format)
