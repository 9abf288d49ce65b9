"""A duel reopened from the history (ctrl+o) opens at the top of its answers, its end is
the end of its text, and at the smallest screen (60x16) a pane shows some answer.

The first failed while `ResponsePane.show_text` gave a recorded run's reasoning to
the body with `follow` still on: the reasoning's rebuild followed and scrolled the view
down (and so past the text's end). The second failed while the `score` screen at 60x16
left the body one line (the pane's borders and three stats lines, the prompt box, the
task panel took the rest): that line was the blank below the reasoning header. Under
SHORT_HEIGHT rows the screen's short layout now folds them (test_short_terminal_layout).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modelduel.tui.pane import ResponsePane
from tests import test_tui
from tests.test_recorded_text_shown import reopened
from tests.test_tui import make_app, send, settle

LONG = "\n\n".join(
    f"Paragraph {i} says something about caching and its trade-offs." for i in range(40)
)


def lines(pane: ResponsePane) -> list[str]:
    body = pane.body
    return [body.render_line(y).text.strip() for y in range(body.size.height)]


async def _reopen_first_from_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], check: object
) -> None:
    for model_id, (ttft_ms, _) in list(test_tui.SCRIPT.items()):
        monkeypatch.setitem(test_tui.SCRIPT, model_id, (ttft_ms, LONG))
    first, csv_path = make_app(tmp_path)
    async with first.run_test(size=size) as pilot:
        await send(pilot, "first prompt")
        await settle(pilot, first)
        await send(pilot, "second prompt")
        await settle(pilot, first)
    app = reopened(csv_path, blind=False)  # `modelduel score`: the CSV's duels
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("end", "enter")  # the oldest duel (the list is newest first)
        await pilot.pause()
        await pilot.pause(0.3)
        assert app.view is app.views[0]
        await check(pilot, app)  # type: ignore[operator]


async def test_a_duel_from_the_history_opens_at_its_top_and_ends_at_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def check(pilot: object, app: object) -> None:
        for pane in app.screen.query(ResponsePane):  # type: ignore[attr-defined]
            assert pane.body.scroll_y == 0, lines(pane)[:3]
            pane.body.scroll_end(animate=False, immediate=True)
        await pilot.pause()  # type: ignore[attr-defined]
        for pane in app.screen.query(ResponsePane):  # type: ignore[attr-defined]
            shown = [line for line in lines(pane) if line]
            assert shown and shown[-1].endswith("trade-offs."), lines(pane)

    await _reopen_first_from_history(tmp_path, monkeypatch, (160, 45), check)


async def test_at_60x16_a_reopened_pane_shows_some_of_its_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def check(pilot: object, app: object) -> None:
        pane = app.screen.query(ResponsePane).first()  # type: ignore[attr-defined]
        assert any("Paragraph 0" in line for line in lines(pane)), lines(pane)

    await _reopen_first_from_history(tmp_path, monkeypatch, (60, 16), check)
