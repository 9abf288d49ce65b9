"""Editing the user's config file: the theme choice and `config init` never lose anything."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from modelduel.cli import main
from modelduel.config import init_config_file, load_config, save_theme_choice
from modelduel.errors import ConfigError

USER_FILE = '''\
# my settings
retries = 2  # flaky network
system_prompt = """
You review code.
[important] never invent APIs
[models] is not a table here
"""

[providers.local]  # my box
kind = "openai-chat"
base_url = "http://localhost:8000/v1"

[keymap]
"score.quality" = "k"
'''


def test_theme_choice_keeps_comments_tables_and_multiline_strings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    save_theme_choice(path, "modelduel-light")
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["theme"] == "modelduel-light"
    assert data["system_prompt"] == tomllib.loads(USER_FILE)["system_prompt"]
    assert "# my settings" in text and "# flaky network" in text and "# my box" in text
    assert data["providers"]["local"]["base_url"] == "http://localhost:8000/v1"
    assert load_config(path).theme == "modelduel-light"
    save_theme_choice(path, "modelduel-dark")  # a second pick replaces, never adds
    assert text.replace("modelduel-light", "modelduel-dark") == path.read_text(encoding="utf-8")


def test_theme_choice_without_a_file_writes_a_whole_config(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    save_theme_choice(path, "modelduel-light")
    config = load_config(path)
    assert config.theme == "modelduel-light"
    assert "default_models" in tomllib.loads(path.read_text())  # not a theme-only file


def test_theme_choice_that_cannot_be_saved_raises(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("retries = [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        save_theme_choice(path, "modelduel-light")
    assert path.read_text() == "retries = [unclosed\n"  # left as it was


def test_config_init_after_a_theme_choice_merges_and_keeps_the_theme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "modelduel-light"\n', encoding="utf-8")  # an old half file
    with pytest.raises(SystemExit) as exit_info:
        main(["config", "init", "--config", str(path)])
    assert exit_info.value.code == 0
    assert "kept your theme" in capsys.readouterr().out
    config = load_config(path)
    assert config.theme == "modelduel-light"
    assert "ollama" in config.providers  # the template's settings were added


def test_config_init_merge_keeps_the_users_settings_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    result = init_config_file(path)
    assert "retries" in result.kept and "theme" in result.added
    text = path.read_text(encoding="utf-8")
    lines = iter(text.splitlines())
    # every line of the user's, comments included, still there and in the same order
    assert all(line in lines for line in USER_FILE.splitlines())
    data = tomllib.loads(text)
    assert data["retries"] == 2 and data["keymap"] == {"score.quality": "k"}
    assert set(data["providers"]) == {"local"}  # an existing table is the user's
    assert init_config_file(path).added == ()  # a second init changes nothing


def test_config_init_force_replaces_the_file_but_not_the_theme(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('retries = 3\ntheme = "modelduel-light"\n', encoding="utf-8")
    result = init_config_file(path, force=True)
    assert result.kept == ("theme",)
    config = load_config(path)
    assert config.retries == 0 and config.theme == "modelduel-light"


def test_config_show_masks_a_password_in_a_base_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[providers.vllm]\nkind = "openai-chat"\nbase_url = "http://bob:hunter2@gpu:8000/v1"\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit):
        main(["config", "show", "--config", str(path)])
    out = capsys.readouterr().out
    assert "hunter2" not in out
    assert "http://bob:***@gpu:8000/v1" in out


def test_the_app_is_told_when_a_theme_choice_cannot_be_saved(tmp_path: Path) -> None:
    from modelduel.tui.launch import theme_saver

    path = tmp_path / "config.toml"
    told: list[str] = []
    theme_saver(path, told.append)("modelduel-light")
    assert told == [] and load_config(path).theme == "modelduel-light"
    path.write_text('system_prompt = """never closed\n', encoding="utf-8")
    theme_saver(path, told.append)("modelduel-dark")
    assert len(told) == 1
    assert "theme modelduel-dark not saved" in told[0] and str(path) in told[0]
