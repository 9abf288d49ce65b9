"""Finding and loading theme files (shipped, the user's, `--themes`) into Textual themes.

Never raises for a bad file: each problem is one line naming the file and the field, so
the app shows them all in one notice. What a file may hold is `tui.themes`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from textual.theme import Theme

from modelduel import locations
from modelduel.tui.themes import did_you_mean, theme_from_data

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

__all__ = ["load_theme_file", "load_themes", "shipped_theme_dir", "theme_dirs"]


def _describe(error: ErrorDetails) -> tuple[str, str]:
    """Turn one pydantic error into (dotted field, problem) in words a theme author can act on."""
    field = ".".join(str(part) for part in error["loc"])
    from modelduel.tui.themefile import ThemeFile  # noqa: PLC0415

    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        return field, "unknown key" + did_you_mean(key, list(ThemeFile.model_fields))
    if kind == "missing":
        return field, "required but missing"
    return field, error["msg"]


def load_theme_file(path: Path, *, shipped: bool = False) -> tuple[Theme | None, list[str]]:
    """Read and validate one theme file (`path`, TOML).

    Args:
        path: the file.
        shipped: one of modelduel's own themes: built without validation, so no pydantic
            loads before the first frame (the tests check each shipped file both ways).

    Returns:
        The theme (None if the file is unusable) and its problems, each
        "FILE: field 'x': problem" or "FILE: problem".
    """
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        return None, [f"{path}: cannot read: {exc.strerror or exc}"]
    except UnicodeDecodeError as exc:
        return None, [f"{path}: not UTF-8 text: {exc.reason} at byte {exc.start}"]
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{path}: TOML syntax error: {exc}"]
    if shipped:
        return theme_from_data(data), []
    from pydantic import ValidationError  # noqa: PLC0415  # a user's file loads pydantic

    from modelduel.tui.themefile import ThemeFile  # noqa: PLC0415

    try:
        model = ThemeFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            field, problem = _describe(error)
            problems.append(
                f"{path}: field {field!r}: {problem}" if field else f"{path}: {problem}"
            )
        return None, problems
    return model.to_theme(), []


def load_themes(dirs: Sequence[Path]) -> tuple[list[Theme], list[str]]:
    """Load every `*.toml` theme file of each directory, in order.

    A theme from a later directory replaces one of the same name from an
    earlier one, which is how a user overrides a shipped theme. Nothing here
    raises for bad input: each problem is returned as one line.

    Args:
        dirs: Directories to read, lowest precedence first; each must exist.

    Returns:
        The themes (in first-seen order of their names) and the problems, each
        "FILE: field 'x': problem" or "FILE: problem".
    """
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for directory in dirs:
        try:
            paths = sorted(directory.glob("*.toml")) if directory.is_dir() else None
        except OSError as exc:
            problems.append(f"{directory}: cannot list theme directory: {exc.strerror or exc}")
            continue
        if paths is None:
            # Only directories that should exist are passed (see theme_dirs), so a
            # missing one is a mistyped --themes or a broken install: say so.
            problems.append(f"{directory}: theme directory does not exist")
            continue
        defined_here: dict[str, Path] = {}
        shipped = directory == shipped_theme_dir()
        for path in paths:
            theme, file_problems = load_theme_file(path, shipped=shipped)
            problems.extend(file_problems)
            if theme is None:
                continue
            if theme.name in defined_here:
                # Two files of one directory with one name is a mistake, not an override.
                problems.append(
                    f"{path}: field 'name': theme {theme.name!r} is also defined in "
                    f"{defined_here[theme.name]}; using this file"
                )
            defined_here[theme.name] = path
            themes[theme.name] = theme
    return list(themes.values()), problems


def shipped_theme_dir() -> Path:
    """The directory of the themes that come with modelduel.

    Returns:
        `modelduel/_data/themes` inside the installed package (where the wheel puts
        them), or, in a source checkout or editable install, the repo's `themes/`.
    """
    packaged = files("modelduel") / "_data" / "themes"
    if packaged.is_dir():
        return Path(str(packaged))
    # src/modelduel/tui/themeload.py -> the repo root is three levels above the package dir.
    return Path(__file__).resolve().parents[3] / "themes"


def theme_dirs(extra: Path | None = None) -> list[Path]:
    """The directories to load themes from, lowest precedence first.

    Args:
        extra: A directory given with `--themes`, highest precedence.

    Returns:
        The shipped themes, then the user's theme dir (`locations.user_themes_dir`)
        if it exists (most users never create one, which is not a problem), then
        `extra` (always kept, so a mistyped path is reported by `load_themes`).
    """
    dirs = [shipped_theme_dir()]
    user = locations.user_themes_dir()  # computed there only, beside the config's own dir
    if user.is_dir():
        dirs.append(user)
    if extra is not None:
        dirs.append(extra)
    return dirs
