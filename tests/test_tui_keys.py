"""Keys on the duel screen: bursts of keys, focus between fields, help, notices, pastes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual import events
from textual.widgets import Input

from modelduel.storage import read_rows
from modelduel.tui.app import ModelduelApp
from modelduel.tui.prompt import PromptEditor
from tests.test_tui import SPECS, make_app, send, settle


def burst(app: ModelduelApp, *keys: str) -> None:
    """Queue keys as one terminal write delivers them: all at once, no pause between."""
    for key in keys:
        char = key if len(key) == 1 else {"space": " ", "enter": "\r"}.get(key)
        app.post_message(events.Key(key, char))


async def drain(pilot: Any) -> None:
    for _ in range(5):
        await pilot.pause(0.02)


async def test_keys_in_one_write_all_take_effect_in_order(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        burst(app, "escape", "5", "3", "1")  # each score moves the focus on at once
        await drain(pilot)
        rows = {r["model"]: r["score"] for r in read_rows(csv_path)}
        assert [rows[s] for s in SPECS] == ["5", "3", "1"]
        burst(app, "left", "left", "2")  # two panes back: the first one
        await drain(pilot)
        rows = {r["model"]: r["score"] for r in read_rows(csv_path)}
        assert [rows[s] for s in SPECS] == ["2", "3", "1"]


async def test_ctrl_c_toast_is_plain_text(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "ctrl+c")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "Press ctrl+q to quit the app" in messages
        assert not any("[b]" in m for m in messages)


async def test_system_prompt_field_escape_leaves_and_ctrl_j_sends(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.click("#prompt")
        for ch in "hi":
            await pilot.press(ch)
        await pilot.press("tab")  # prompt -> system prompt field
        assert type(app.focused).__name__ == "SystemPromptInput"
        for ch in "be":
            await pilot.press(ch)
        await pilot.press("ctrl+j")
        await settle(pilot, app)
        assert app.view is not None and app.view.live is not None
        assert (app.view.live.system or "").endswith("be") and app.view.prompt == "hi"
        await pilot.press("i", "tab")
        assert type(app.focused).__name__ == "SystemPromptInput"
        await pilot.press("escape")
        assert type(app.focused).__name__ == "ResponsePane"
        await pilot.press("5")
        assert app.screen.query_one("#system", Input).value.endswith("missing.be")
        assert read_rows(csv_path)[0]["score"] in {"5", ""}
        keys = {row[2] for row in app.key_rows()}
        assert {"system.send", "system.leave", "duel.next_focus"} <= keys


async def test_tab_in_the_panes_never_reaches_the_prompt(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "tab", "tab", "tab", "4")
        editor = app.screen.query_one(PromptEditor)
        assert editor.text == ""
        rows = {r["model"]: r["score"] for r in read_rows(csv_path)}
        assert rows[SPECS[0]] == "4"  # three tabs round three panes: back to the first


async def test_question_mark_types_in_the_prompt_and_f1_opens_help(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.click("#prompt")
        await pilot.press("question_mark")
        await pilot.pause(0.05)
        assert app.screen.query_one(PromptEditor).text == "?"
        hint = str(app.screen.query_one(".hint").render())
        assert "f1: keys" in hint and "?" not in hint
        await pilot.press("f1")
        assert type(app.screen).__name__ == "HelpScreen"


async def test_a_paste_without_bracketed_paste_is_inserted_in_batches(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    text = ("lorem ipsum dolor sit amet " * 800)[:20_000]
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.click("#prompt")
        editor = app.screen.query_one(PromptEditor)
        edits = 0
        original = editor.edit

        def counting_insert(*args: Any, **kwargs: Any) -> Any:
            nonlocal edits
            edits += 1
            return original(*args, **kwargs)

        editor.edit = counting_insert  # type: ignore[method-assign]
        started = time.monotonic()
        burst(app, *["space" if ch == " " else ch for ch in text])
        for _ in range(600):
            await pilot.pause(0.05)
            if len(editor.document.text) == len(text):
                break
        elapsed = time.monotonic() - started
        assert editor.text == text
        assert edits < 200, edits  # one edit per burst, not one per character
        assert elapsed < 60  # generous: the machine is shared; it froze for 45 s before


def test_keymap_problems_name_clashes_and_unknown_ids() -> None:
    from modelduel.tui.keys import keymap_problems

    scope = [("score.1", "1"), ("score.quality", "q"), ("pane.next", "right")]
    assert keymap_problems([scope], {}) == []
    assert keymap_problems([scope], {"score.quality": "k"}) == []
    clash = keymap_problems([scope], {"score.quality": "1"})
    assert len(clash) == 1 and "'score.quality' = '1'" in clash[0] and "'score.1'" in clash[0]
    unknown = keymap_problems([scope], {"score.qualty": "k"})
    assert unknown == ["keymap: unknown action id 'score.qualty' (did you mean 'score.quality'?)"]
    # two scopes: the same key in each is no clash
    assert keymap_problems([scope, [("prompt.send", "ctrl+j")]], {"prompt.send": "q"}) == []


async def test_a_keymap_clash_or_unknown_id_is_named_at_start_up(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, keymap={"score.quality": "1", "score.nope": "z"})
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        notices = "\n".join(n.message for n in app._notifications)
        assert "'score.quality' = '1' clashes with 'score.1'" in notices
        assert "unknown action id 'score.nope'" in notices


async def test_a_prompt_typed_and_sent_in_one_write_is_sent_whole(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, PromptEditor)
        burst(app, "h", "i", "ctrl+j")  # typed, then sent, before a frame is drawn
        await drain(pilot)
        await settle(pilot, app)
        assert app.view is not None and app.view.prompt == "hi"
