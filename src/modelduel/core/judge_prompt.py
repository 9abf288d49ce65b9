"""The judge's prompt: the task, its criteria and format, the rubric, the blind answer.

Each finished answer goes to the judge with the task, its success criteria and its output
format, labelled "Answer A", its author's names blanked (`core.judge_blind`). A
conversation (follow-up turns) is shown as its turns, each user message and each answer
labelled, never as one joined text. The judge is asked for one JSON object: how that
reply is read is `core.judge_reply`. What the task and the turns are: `core.judge_input`.
"""

from __future__ import annotations

from collections.abc import Sequence

from modelduel.core.judge_blind import REDACTED, redact_names
from modelduel.core.judge_input import JudgedTask, JudgedTurn
from modelduel.core.scoring import RUBRIC_MAX

__all__ = [
    "ANSWER_LABEL",
    "DEFAULT_RUBRIC",
    "JUDGE_MARKER",
    "JUDGE_SYSTEM",
    "build_judge_prompt",
]

JUDGE_MARKER = "[modelduel blind judge v1]"
"""The first line of every judge prompt (the simulator recognises a judge request by it)."""

ANSWER_LABEL = "Answer A"
"""The blind label the judged answer goes by."""

JUDGE_SYSTEM = (
    "You are a strict, fair grader of one answer to a production task. You are not told "
    "who wrote it. Grade only what is written; reply with the JSON object asked for."
)

DEFAULT_RUBRIC = (
    "Score the answer on this rubric (total 0 to 5):\n"
    "- quality 0-2: 2 = complete, accurate and well reasoned; 1 = usable but with gaps or "
    "weak spots; 0 = poor or off-task.\n"
    "- correctness 0-1: 1 = no factual, logical or code error that matters; 0 = at least one.\n"
    "- format 0-1: 1 = follows the required output format exactly; 0 = it does not.\n"
    "- rework 0-1: 1 = usable as is, no rework needed; 0 = needs rework before use.\n"
    "Judge against the task's success criteria. If the answer says what is missing instead "
    "of inventing it, that is not a fault."
)
"""The rubric prompt when `[judge]` gives none: the 0-5 rubric of `core.scoring`, part by part."""


def build_judge_prompt(
    task: JudgedTask,
    answer: str | Sequence[JudgedTurn],
    *,
    rubric: str | None = None,
    hide: Sequence[str] = (),
) -> str:
    """The judge's user prompt: marker, rubric, reply format, task, criteria, the blind answer.

    Args:
        task: the task as the answering model saw it.
        answer: the answer's full text; or, for a conversation of two turns or more, its
            turns (`conversation_turns`), shown in order, each user message and each
            answer labelled (`=== TURN 2: USER ===`, `=== TURN 2: ANSWER A ===`).
        rubric: the rubric prompt (None: `DEFAULT_RUBRIC`).
        hide: names of the answering model (`blind_names`), replaced by `[model]` in the
            answers. The task and the user's messages are the same for every model, so
            they are sent as written.
    """
    keys = ", ".join(f'"{p}": 0-{top}' for p, top in RUBRIC_MAX.items())
    parts = [
        JUDGE_MARKER,
        "Grade one answer to the task below. You are not told which model wrote it; "
        f"it is called {ANSWER_LABEL}, and any name of its author is shown as {REDACTED}.",
        (rubric or DEFAULT_RUBRIC).strip(),
        "Reply with one JSON object and nothing else, with exactly these keys (integers, "
        f'and a one-line reason): {{{keys}, "reason": "..."}}',
        f"=== TASK ===\n{task.prompt.strip()}",
    ]
    if task.criteria:
        listed = "\n".join(f"{i}) {c.strip()}" for i, c in enumerate(task.criteria, 1))
        parts.append(f"=== SUCCESS CRITERIA ===\n{listed}")
    if task.output_format:
        parts.append(f"=== REQUIRED OUTPUT FORMAT ===\n{task.output_format.strip()}")
    label = ANSWER_LABEL.upper()
    if isinstance(answer, str) or len(answer) < 2:
        text = answer if isinstance(answer, str) else "".join(t.answer for t in answer)
        parts.append(f"=== {label} ===\n{redact_names(text, hide).strip()}\n=== END OF {label} ===")
        return "\n\n".join(parts)
    parts.append(
        f"=== CONVERSATION: {len(answer)} TURNS ===\n"
        f"The task went on for {len(answer)} turns: each user message, then {ANSWER_LABEL}'s "
        "reply to it, in order. Grade the replies as a whole, each against the message it "
        "answers and what was said before it."
    )
    for n, turn in enumerate(answer, 1):
        user = "(the task above)" if n == 1 else turn.user.strip()
        reply = redact_names(turn.answer, hide).strip() or "(no answer in this turn)"
        parts.append(f"=== TURN {n}: USER ===\n{user}")
        parts.append(f"=== TURN {n}: {label} ===\n{reply}")
    parts.append("=== END OF CONVERSATION ===")
    return "\n\n".join(parts)
