"""`o b c a` typed mid-race: the refused `o`'s letters are the order the user meant, not
their own keys (fresh-eyes run: `b` then turned blind mode on, `c` set a rubric part and
`a` accepted the checks, on a running pane)."""

from __future__ import annotations

from pathlib import Path

from tests.test_tui import make_app, send, settle
from tests.test_tui_flow import status


async def test_the_letters_after_a_refused_rank_are_not_keys(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await pilot.pause(0.2)
        blind = app.blind
        assert app.view is not None
        await pilot.press("escape", "o", "b", "c", "a")
        assert app.blind == blind  # `b` did not toggle blind mode
        assert all(not p.score.is_scored and p.score.correctness is None for p in app.view.panes)
        assert "rank once every run has ended" in status(app)
        await pilot.press("escape", "c")  # any other key: the letters are keys again
        assert any(p.score.correctness is not None for p in app.view.panes)
        runner = app.runner
        assert runner is not None
        runner.release.set()  # type: ignore[attr-defined]
        await settle(pilot, app)
