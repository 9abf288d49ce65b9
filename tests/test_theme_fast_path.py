"""The shipped themes are built without validation before the first frame (no pydantic):
each must be exactly the theme its validated file gives, and a user's file is still
validated (its problems reported, not a broken theme built)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from modelduel.tui.themefile import ThemeFile
from modelduel.tui.themeload import load_theme_file, load_themes, shipped_theme_dir
from modelduel.tui.themes import theme_from_data

SHIPPED = sorted(shipped_theme_dir().glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_theme_built_unchecked_equals_the_validated_one(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert theme_from_data(data) == ThemeFile.model_validate(data).to_theme()
    assert load_theme_file(path, shipped=True) == load_theme_file(path)


def test_a_file_outside_the_shipped_directory_is_validated(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('name = "x"\ndark = true\nprimary = "nocolour"\n')
    themes, problems = load_themes([shipped_theme_dir(), tmp_path])
    assert len(themes) == len(SHIPPED)
    assert len(problems) == 1 and "field 'primary': not a colour" in problems[0]


@pytest.mark.parametrize(
    "data",
    [
        {"name": "plain", "dark": True, "primary": "#112233"},
        {"name": "some", "dark": False, "primary": "red", "variables": {"winner": "#ffcc00"}},
        {
            "name": "all",
            "dark": True,
            "primary": "#000000",
            "surface": "#101010",
            "luminosity_spread": 0.2,
            "text_alpha": 0.9,
            "variables": {"footer-key-foreground": "#ffffff", "reasoning": "#777777"},
        },
    ],
    ids=["minimal", "some-variables", "optional-fields"],
)
def test_the_unchecked_build_fills_what_the_validated_one_fills(data: dict[str, object]) -> None:
    # a shipped file may leave out what a user's may (app colours, Textual's options)
    assert theme_from_data(data) == ThemeFile.model_validate(data).to_theme()
