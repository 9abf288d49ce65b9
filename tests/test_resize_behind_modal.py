"""A resize while a dialog covers the duel screen re-flows the panes when it closes.

A new user pressed ctrl+r at 140x40, made the terminal 60x16 and closed the report (the
same with the keys dialog): the
panes stayed side by side, 17 columns each, their figures cut, until another resize.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.test_tui import make_app, send, settle


async def test_panes_reflow_to_tabs_after_a_resize_behind_a_dialog(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        tabs = app.screen.query_one("#pane-tabs", Static)
        assert not tabs.display  # side by side at 140x40
        await pilot.press("escape", "question_mark")  # the keys dialog
        await pilot.pause()
        assert not app.screen.query("#pane-tabs")  # the dialog is on top
        await pilot.resize_terminal(60, 16)
        await pilot.pause()
        await pilot.press("escape")
        for _ in range(5):
            await pilot.pause()
        assert tabs.display  # one pane at a time, as at 60x16 without the dialog
