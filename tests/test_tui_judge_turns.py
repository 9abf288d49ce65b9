"""The duel screen's judge reads a conversation turn by turn, as `modelduel run`'s does:
the screen passed only the joined answer text, so a task with follow-up turns was judged
one way on screen and another in a batch."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from modelduel.conversation import Conversation, user_message
from modelduel.tui import judging


class _Runner:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def verdict(self, *args: Any) -> object:
        self.calls.append(args)
        return object()


def test_the_screen_judge_is_given_the_runs_conversation(monkeypatch: pytest.MonkeyPatch) -> None:
    conversation = Conversation((user_message("first"), user_message("second")))
    stats = SimpleNamespace(status="done", text="the answer", conversation=conversation)
    slot = SimpleNamespace(stats=lambda: stats, model=object(), pane=0, run_id="r1")
    duel = SimpleNamespace(prompt="first", slots=[slot])
    view = SimpleNamespace(duel_of=lambda s: duel)
    app = SimpleNamespace(task_of=lambda v: None)
    monkeypatch.setattr(judging, "duel_names", lambda models: ())
    runner = _Runner()
    screen_judge = judging.ScreenJudge(
        cast(Any, app), cast(Any, runner), lambda spec: cast(Any, None)
    )
    monkeypatch.setattr(screen_judge, "_spawn", lambda work: work.close())
    screen_judge.start(cast(Any, view), cast(Any, slot))
    assert len(runner.calls) == 1
    assert runner.calls[0][2] == "the answer"
    assert runner.calls[0][3] is conversation
