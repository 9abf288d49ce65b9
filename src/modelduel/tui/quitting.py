"""Leaving the app without losing a score: the unsaved question, the recovery file.

The rules (what may leave, what each answer does, where a recovery file goes) are the
Textual-free `core.session_saves.SessionSaves`; this module asks and tells.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from modelduel import locations
from modelduel.core.routing import plural
from modelduel.tui.scoring import tell
from modelduel.tui.screens import UnsavedQuitScreen

if TYPE_CHECKING:
    from modelduel.tui.app import ModelduelApp

__all__ = [
    "QUIT_AGAIN_S",
    "ask_about_unsaved",
    "quit_app",
    "save_recovery",
    "say_dropped_scores",
    "say_how_to_quit",
]


QUIT_AGAIN_S = 4.0
"""How long a first quit key press mid-race waits for the second that quits."""


async def quit_app(app: ModelduelApp) -> None:
    """Quit, unless something acknowledged is not on disk: then ask what to do with it.

    While models are still answering, the first press only says what quitting would do
    (cancel paid runs, drop a score given to one of them); a second within
    `QUIT_AGAIN_S` quits.
    """
    if isinstance(app.screen, UnsavedQuitScreen):
        return  # already asking
    answering = [view.panes[slot.pane] for view, slot in app.runs.values() if not slot.ended]
    now = time.monotonic()
    if answering and now - app.quit_pressed_at > QUIT_AGAIN_S:
        app.quit_pressed_at = now
        key = _quit_key(app) or "the quit key"
        scored = [pane.label for pane in answering if pane.score.is_scored]
        dropped = f" (the score given to {', '.join(scored)} is dropped)" if scored else ""
        app.notify(
            f"{plural(len(answering), 'run')} still answering: {key} again within"
            f" {QUIT_AGAIN_S:g} s to cancel {'it' if len(answering) == 1 else 'them'}"
            f" and quit{dropped}",
            title="Quit now?",
            severity="warning",
            timeout=QUIT_AGAIN_S,
        )
        return
    if not app.saves.may_leave():
        app.sync_saved()
        app.update_status()
        ask_about_unsaved(app)
        return
    app.exit()


def ask_about_unsaved(app: ModelduelApp) -> None:
    """ "N runs are not saved": retry, save elsewhere (a file in the working folder), discard."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    elsewhere = str(Path.cwd() / f"modelduel-unsaved-{stamp}.csv")
    count = plural(len(app.ledger.pending), "run")

    def chosen(choice: str | None) -> None:
        unsaved = plural(len(app.ledger.pending), "unsaved run")
        outcome = app.saves.quit_choice(choice)
        if outcome.say is not None:
            tell(app, outcome.say)
        if outcome.leave:
            if choice is not None and choice.startswith("save:"):
                # the notice goes with the screen: say it again once the terminal is back
                target = Path(choice[5:]).expanduser()
                app.recovery_note = f"{unsaved} written to {target}"
            elif choice == "discard":
                app.recovery_note = f"{unsaved} discarded, as asked: not saved anywhere"
            app.exit()
        elif outcome.ask_again:
            ask_about_unsaved(app)

    # the dialog says what is not saved and why: the same toasts stacked over its text
    app.clear_notifications()
    app.push_screen(UnsavedQuitScreen(count, app.ledger.last_error, elsewhere), chosen)


def _quit_key(app: ModelduelApp) -> str | None:
    """The key that quits now (it may be remapped)."""
    for key, active in app.active_bindings.items():
        if active.binding.action in ("quit", "app.quit"):
            return key
    return None


def say_how_to_quit(app: ModelduelApp) -> None:
    """ctrl+c: say how to quit, as plain text (notices here are never markup)."""
    key = _quit_key(app)
    if key is not None:
        app.notify(f"Press {key} to quit the app", title="Do you want to quit?")


def save_recovery(app: ModelduelApp) -> None:
    """However the app ends (a signal exits without asking): one last try at what could
    not be written, then a recovery file rather than losing it; `recovery_note` says where."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    note = app.saves.save_recovery(app.settings.csv_path, stamp, locations.state_dir)
    if note:
        _add_exit_note(app, note)


def say_dropped_scores(app: ModelduelApp, dropped: list[str]) -> None:
    """Scores dropped because leaving cancelled their runs (a quit mid-race, a signal):
    said once the screen is gone, where the toast that says it mid-session cannot be."""
    for text in dropped:
        _add_exit_note(app, f"{text} (cancelled as the app quit; not counted)")


def _add_exit_note(app: ModelduelApp, line: str) -> None:
    """One more line for stderr once the screen is gone (after those already there)."""
    app.recovery_note = f"{app.recovery_note}\n{line}" if app.recovery_note else line
