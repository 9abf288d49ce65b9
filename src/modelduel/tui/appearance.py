"""The app's look and keys as the user set them: themes registered and the chosen one
applied (bad theme files and an unknown name said in a notice), and the user's `[keymap]`
applied and checked.

Only what happens as the app mounts; loading theme files is `tui.themeload`, the keys'
own definitions `tui.keys`, saving a picked theme the app's `watch_theme`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modelduel.tui.keys import duel_keymap_problems
from modelduel.tui.themeload import load_themes, shipped_theme_dir

if TYPE_CHECKING:
    from modelduel.tui.app import ModelduelApp

__all__ = ["apply_keymap", "apply_themes"]


def apply_themes(app: ModelduelApp) -> None:
    """Register the session's themes (shipped ones at least) and switch to the chosen one."""
    settings = app.settings
    themes = settings.themes
    if not themes:
        # shipped themes at least (the command line passes the user's too)
        themes = tuple(load_themes([shipped_theme_dir()])[0])
    for theme in themes:
        app.register_theme(theme)
    if settings.theme in app.available_themes:
        app.theme = settings.theme
    elif settings.theme:
        app.notify(f"unknown theme {settings.theme!r}", severity="warning")
    if settings.theme_problems:
        app.notify(
            "\n".join(settings.theme_problems),
            title="Bad theme files",
            severity="warning",
            timeout=10,
        )


def apply_keymap(app: ModelduelApp) -> None:
    """The user's `[keymap]`, with a notice naming a clash or an unknown id (Textual
    ignores both)."""
    keymap = app.settings.config.keymap
    if not keymap:
        return
    app.set_keymap(dict(keymap))
    problems = duel_keymap_problems(keymap, app.BINDINGS)
    if problems:
        app.notify("\n".join(problems), title="Keymap", severity="warning", timeout=20)
