"""Quitting while models answer: asked once, and a score it drops is said after exit.

ctrl+q mid-race used to quit at once: every paid run still streaming ended cancelled,
and a score given to one of them was dropped with a toast that went with the screen.
Now the first press says what quitting would do and a second within `QUIT_AGAIN_S`
quits; a score dropped on the way out is printed once the terminal is back (as a
signal's exit does too: the same unmount).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

from modelduel.storage import read_rows
from modelduel.tui import quitting
from modelduel.tui.app import ModelduelApp
from tests.test_tui import SPECS, ScriptedRunner, make_app, send, settle


class QuitCancels(ScriptedRunner):
    """Runs still held when the app closes end cancelled, as the worker child's do."""

    async def cancel_all(self) -> None:
        self.cancelled.update(self.started)
        self.release.set()

    async def aclose(self) -> None:
        await self.cancel_all()
        for _ in range(50):  # the plays end on their next step
            await asyncio.sleep(0)


def _held(tmp_path: Path) -> tuple[ModelduelApp, Path]:
    app, csv_path = make_app(tmp_path, hold=True)
    app._runner_factory = lambda a: QuitCancels(a, True)  # type: ignore[attr-defined]
    return app, csv_path


def _notices(app: ModelduelApp) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


async def test_the_first_quit_mid_race_asks_and_the_second_quits(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        await pilot.pause(0.1)
        await pilot.press("escape", "4")  # pane 0 scored while it streams
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        (asked,) = [m for m in _notices(app) if "still answering" in m]
        assert asked.startswith("3 runs still answering: ctrl+q again within 4 s to cancel them")
        assert asked.endswith(f"and quit (the score given to {SPECS[0]} is dropped)")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code is not None  # the second press quit
    assert read_rows(csv_path) == [] or all(r["score"] == "" for r in read_rows(csv_path))


async def test_a_quit_after_the_race_needs_no_second_press(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        await settle(pilot, app)
        await pilot.press("escape", "ctrl+q")
        await pilot.pause()
        assert app.return_code is not None
        assert not [m for m in _notices(app) if "still answering" in m]


async def test_a_first_press_long_ago_does_not_count_as_the_second(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        await pilot.pause(0.1)
        await pilot.press("escape", "ctrl+q")
        await pilot.pause()
        app.quit_pressed_at -= quitting.QUIT_AGAIN_S + 1  # as if pressed 5 s ago
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert app.quit_pressed_at > asyncio.get_running_loop().time() - 5  # asked again
        runner = app.runner
        assert isinstance(runner, ScriptedRunner)
        runner.release.set()
        await settle(pilot, app)


async def test_a_score_the_quit_drops_is_said_once_the_screen_is_gone(tmp_path: Path) -> None:
    app, csv_path = _held(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        await pilot.pause(0.1)
        await pilot.press("escape", "4")
        await pilot.press("ctrl+q", "ctrl+q")
        await pilot.pause()
    rows = {r["model"]: r for r in read_rows(csv_path)}
    assert rows[SPECS[0]]["finish_reason"] == "cancelled" and rows[SPECS[0]]["score"] == ""
    lines = app.recovery_note.splitlines()
    assert len(lines) == 1, lines
    assert "score dropped (it had" in lines[0] and "cancelled as the app quit" in lines[0]


def test_a_recovery_file_and_a_dropped_score_are_both_said(tmp_path: Path) -> None:
    """The recovery file's line (written last, on unmount) does not replace the line of a
    score the quit dropped: each is printed."""

    class Saves:
        def save_recovery(self, *_: object) -> str:
            return "1 unsaved run written to /tmp/x-recovery.csv"

    app = SimpleNamespace(
        recovery_note="", saves=Saves(), settings=SimpleNamespace(csv_path=tmp_path)
    )
    quitting.say_dropped_scores(app, ["A: score dropped (it had 4/5)"])  # type: ignore[arg-type]
    quitting.save_recovery(app)  # type: ignore[arg-type]
    assert app.recovery_note.splitlines() == [
        "A: score dropped (it had 4/5) (cancelled as the app quit; not counted)",
        "1 unsaved run written to /tmp/x-recovery.csv",
    ]
