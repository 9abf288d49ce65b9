"""A multi-line paste into the note dialog keeps every line (Textual's Input keeps the
first only): they are joined on one line with a visible separator, which the CSV's
`notes` cell holds as it is and which reads back as the same note."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input

from modelduel.storage import read_rows
from modelduel.tui.note_input import LINE_BREAK, one_line
from tests.test_tui import SPECS, make_app, send, settle

PASTED = "wrong import\r\n\n  fixed the loop  \nadded a test\n"


def test_one_line_keeps_every_non_blank_line_in_order() -> None:
    assert one_line(PASTED) == f"wrong import{LINE_BREAK}fixed the loop{LINE_BREAK}added a test"
    assert one_line("one line") == "one line"
    assert one_line("\n\n") == ""


async def test_a_multi_line_paste_into_the_note_is_saved_whole(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "n")
        await pilot.pause()
        assert type(app.screen).__name__ == "NoteScreen"
        field = app.screen.query_one(Input)
        await pilot.press("o", "k", "space")
        field.post_message(events.Paste(PASTED))
        await pilot.pause()
        assert field.value == "ok " + one_line(PASTED)
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot, app)
    note = {r["model"]: r["notes"] for r in read_rows(csv_path)}[SPECS[0]]
    assert note == "ok " + one_line(PASTED)
    assert "added a test" in note and "wrong import" in note
