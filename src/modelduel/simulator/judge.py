"""The simulator as a blind judge: a judge prompt gets a deterministic JSON verdict.

A request whose prompt starts with modelduel's judge marker is a judge request: the
answer is one fenced JSON block of rubric scores, drawn from a digest of the judged
answer (the same answer always gets the same scores), and a reason that says it is
simulated. Model ids script the judge's misbehaviour, for tests and the demo:

    ...-judge-badjson     an answer that is not JSON at all
    ...-judge-badschema   JSON whose scores are out of range (fails the verdict schema)

The marker is repeated here rather than imported: the simulator shares no code with the
client it stands in for (a test keeps the two the same).
"""

from __future__ import annotations

import hashlib
import json

__all__ = ["JUDGE_MARKER", "judge_reply"]

JUDGE_MARKER = "[modelduel blind judge v1]"
_ANSWER_START = "=== ANSWER A ===\n"
_ANSWER_END = "\n=== END OF ANSWER A ==="


def _judged_answer(prompt: str) -> str:
    start = prompt.find(_ANSWER_START)
    end = prompt.rfind(_ANSWER_END)
    if start < 0 or end < start:
        return prompt
    return prompt[start + len(_ANSWER_START) : end]


def judge_reply(prompt: str, model: str) -> str | None:
    """The simulated judge's answer to `prompt`, or None when it is no judge prompt.

    Args:
        prompt: the request's user text.
        model: the model id (without a fault suffix); see the module docstring.
    """
    if not prompt.lstrip().startswith(JUDGE_MARKER):
        return None
    if "judge-badjson" in model:
        return "I think this answer deserves a 4 out of 5, mostly for its clarity."
    digest = hashlib.sha256(_judged_answer(prompt).encode("utf-8")).digest()
    verdict = {
        "quality": digest[0] % 3,
        "correctness": digest[1] % 2,
        "format": digest[2] % 2,
        "rework": digest[3] % 2,
        "reason": "simulated verdict from a digest of the answer, not a real judgement",
    }
    if "judge-badschema" in model:
        verdict["quality"] = 7
    body = json.dumps(verdict)
    return f"Simulated judge verdict (modelduel's local simulator):\n\n```json\n{body}\n```"
