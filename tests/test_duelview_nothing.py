"""A run that ended with no answer (failed or cancelled) has nothing to score: a score
for it would count an empty run as judged (a cancelled run scored 4 became a route)."""

from __future__ import annotations

import random

from modelduel.tui.duelview import DuelView


def _row(model: str, error: str, run_id: str) -> dict[str, str]:
    return {
        "task_id": "t", "task_type": "adhoc", "model": model, "score": "",
        "duel_id": "d1", "run_id": run_id, "error": error, "prompt": "p",
    }  # fmt: skip


def test_a_cancelled_or_failed_run_with_no_text_has_nothing_to_score() -> None:
    rows = [
        _row("openai/gpt-5.5", "cancelled: cancelled by the user", "r1"),
        _row("anthropic/claude-opus-4-7", "server: HTTP 500", "r2"),
        _row("gemini/gemini-3.1-pro-preview", "", "r3"),
    ]
    transcripts = {"r3": {"text": "an answer"}}
    view = DuelView.from_rows(rows, transcripts, False, random.Random(1))
    status = {view.rows[i]["run_id"]: view.stats(i).status for i in range(3)}
    nothing = {view.rows[i]["run_id"]: view.nothing_to_score(i) for i in range(3)}
    assert status["r1"] == "cancelled", status
    assert status["r2"] == "failed", status
    assert nothing == {"r1": True, "r2": True, "r3": False}
