"""Theme files: TOML validated by a pydantic model (`tui.themefile`), turned into Textual themes.

A theme file holds the Textual `Theme` fields plus a `[variables]` table. The
table sets the app's own colours (each provider's accent, fast/slow latency,
the winner highlight, estimated numbers, dimmed reasoning) and may override
any Textual theme variable (`footer-key-foreground`, ...). Styles in `.tcss`
use these as `$provider-openai` etc., never hex values.

Finding and reading the files (and wording their problems) is `tui.themeload`. This
module imports no pydantic: the shipped themes become Textual themes before the first
frame without it (`theme_from_data`); `ThemeFile` / `ThemeVariables` are imported from
`tui.themefile` when first asked for (a user's file to validate).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from textual.theme import Theme

if TYPE_CHECKING:
    from modelduel.tui.themefile import ThemeFile, ThemeVariables

__all__ = [
    "APP_VARIABLES",
    "APP_VARIABLE_DEFAULTS",
    "DEFAULT_THEME",
    "ThemeFile",
    "ThemeVariables",
    "did_you_mean",
    "theme_from_data",
]

DEFAULT_THEME = "modelduel-dark"
"""The theme used when neither config nor `--theme` names one."""

APP_VARIABLE_DEFAULTS: dict[str, str] = {
    # Mid-tones that stay readable on both dark and light backgrounds, because
    # they also serve Textual's built-in themes (nord, dracula, ...) which know
    # nothing of these variables.
    "provider-openai": "#10A37F",
    "provider-anthropic": "#D97757",
    "provider-gemini": "#4285F4",
    "provider-other": "#8C8C8C",
    "latency-fast": "#4CAF50",
    "latency-slow": "#E08A1E",
    "winner": "#E6B400",
    "estimate": "#9575CD",
    "reasoning": "#808080",
}
"""Every app-specific theme variable with the colour used when a theme omits it.

The app returns these from `App.get_theme_variable_defaults()`, and
`ThemeFile.to_theme()` fills them into each loaded theme.
"""

APP_VARIABLES: tuple[str, ...] = tuple(APP_VARIABLE_DEFAULTS)
"""The names of the app-specific theme variables."""

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


_OPTIONAL_FLOATS = ("luminosity_spread", "text_alpha")
_COLOURS = (
    "primary", "secondary", "accent", "foreground", "background", "surface", "panel",
    "boost", "warning", "error", "success",
)  # fmt: skip


def theme_from_data(data: Mapping[str, Any]) -> Theme:
    """The Textual theme of a theme file's data, as `ThemeFile.to_theme()` builds it, unchecked.

    For the shipped themes only (their files are checked by the tests, and this builds
    the same theme: tests/test_theme_fast_path.py); a user's file goes through `ThemeFile`.
    """
    optional: dict[str, Any] = {
        key: data[key] for key in _OPTIONAL_FLOATS if data.get(key) is not None
    }
    colours: dict[str, Any] = {key: data.get(key) for key in _COLOURS}
    return Theme(
        name=data["name"],
        dark=data["dark"],
        variables={**APP_VARIABLE_DEFAULTS, **data.get("variables", {})},
        **colours,
        **optional,
    )


def __getattr__(name: str) -> Any:
    # the pydantic models load when first used, not with the app (the launch path)
    if name in ("ThemeFile", "ThemeVariables"):
        from modelduel.tui import themefile  # noqa: PLC0415

        return getattr(themefile, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def did_you_mean(word: str, candidates: Sequence[str]) -> str:
    """` (did you mean 'x'?)` for the candidate closest to `word`, or nothing."""
    close = difflib.get_close_matches(word, candidates, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
