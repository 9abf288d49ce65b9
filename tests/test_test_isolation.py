"""The suite's own isolation from the machine it runs on (CI's or a developer's): what a
test or the child it starts sees must not depend on the environment it was started in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.cli import KEY_VARS, clean_env


def test_a_child_is_not_given_an_exported_terminal_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # exported, COLUMNS/LINES win over the pty's size (shutil.get_terminal_size): the duel
    # screen in a 140x40 tmux pane was drawn 50x12
    monkeypatch.setenv("COLUMNS", "50")
    monkeypatch.setenv("LINES", "12")
    env = clean_env(tmp_path)
    assert "COLUMNS" not in env and "LINES" not in env


def test_the_user_dirs_are_the_tests_own_and_no_key_is_inherited(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from modelduel import locations

    own = tmp_path_factory.getbasetemp().resolve()
    for where in (locations.config_path(), locations.log_path(), locations.user_themes_dir()):
        assert where.resolve().is_relative_to(own), where  # not ~/.config, ~/.local/state
    assert not {*KEY_VARS, "MODELDUEL_CONFIG", "COLUMNS", "LINES"} & set(os.environ)
