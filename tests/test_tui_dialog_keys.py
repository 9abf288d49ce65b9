"""Keys typed fast into a dialog's field land in the order they were typed.

A terminal write of `abc`, backspace, `def` is read as seven keys at once; the dialogs'
fields used to apply the backspace after the letters behind it (`abcde`), and a note
was saved garbled. `burst` queues keys the way one terminal write delivers them.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from modelduel.storage import read_rows
from tests.test_tui import SPECS, make_app, send, settle
from tests.test_tui_keys import burst, drain

TYPED = ("a", "b", "c", "backspace", "d", "e", "f")


async def test_a_note_typed_fast_with_a_backspace_is_saved_as_typed(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "n")
        await pilot.pause()
        assert type(app.screen).__name__ == "NoteScreen"
        burst(app, *TYPED)
        await drain(pilot)
        assert app.screen.query_one(Input).value == "abdef"
        burst(app, *["backspace"] * 6, "x", "y", "z")
        await drain(pilot)
        assert app.screen.query_one(Input).value == "xyz"
        burst(app, "enter")
        await drain(pilot)
    assert {r["model"]: r["notes"] for r in read_rows(csv_path)}[SPECS[0]] == "xyz"


async def test_a_path_typed_fast_with_a_backspace_reaches_the_attach_field_as_typed(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.click("#prompt")
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert type(app.screen).__name__ == "AttachScreen"
        burst(app, *TYPED)
        await drain(pilot)
        assert app.screen.query_one("#attach-path", Input).value == "abdef"
        burst(app, "left", "left", "backspace", "x")  # the cursor keys are bindings too
        await drain(pilot)
        assert app.screen.query_one("#attach-path", Input).value == "abxef"
