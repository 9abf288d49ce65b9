"""Every test runs as if on a clean machine, whatever the one it runs on has.

- the user's config and state directories are the test's own (`XDG_CONFIG_HOME`,
  `XDG_STATE_HOME`): a developer's `~/.config/modelduel/config.toml` is never read, and
  the worker's log and any recovery file are not written to the real `~/.local/state`
  (tests that did wrote "a consumer bug" tracebacks there, next to a person's logs);
- no provider key or `MODELDUEL_CONFIG` from the environment: a key exported on the
  machine would turn a run that should be demo mode into a real one;
- no exported terminal size (`COLUMNS`, `LINES`): Rich and Textual take it over the real
  terminal's, so a table or screen would be drawn at the machine's width.

A test that wants one of these sets it itself (`monkeypatch.setenv`), after this.
"""

from __future__ import annotations

import pytest

from tests.support.cli import KEY_VARS, TERMINAL_SIZE_VARS


@pytest.fixture(autouse=True)
def _a_machine_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("user-dirs")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    for name in (*KEY_VARS, "MODELDUEL_CONFIG", *TERMINAL_SIZE_VARS):
        monkeypatch.delenv(name, raising=False)
