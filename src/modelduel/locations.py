"""Where modelduel keeps its files: the one seam tests patch to isolate a run.

Config lives in the platform config dir (`~/.config/modelduel/config.toml` on
Linux); `MODELDUEL_CONFIG` or `--config` point elsewhere. The duel worker's log lives
in the platform state dir (`~/.local/state/modelduel/modelduel.log` on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = [
    "CONFIG_ENV",
    "config_dir",
    "config_path",
    "log_path",
    "state_dir",
    "user_themes_dir",
]

CONFIG_ENV = "MODELDUEL_CONFIG"
"""Environment variable naming a config file to use instead of the default one."""

APP_NAME = "modelduel"


def config_dir() -> Path:
    """The user's modelduel config directory (may not exist yet)."""
    return platformdirs.user_config_path(APP_NAME)


def config_path() -> Path:
    """The config file to read: `$MODELDUEL_CONFIG`, else `config.toml` in config_dir()."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    """The user's own theme files."""
    return config_dir() / "themes"


def state_dir() -> Path:
    """The user's modelduel state directory, for logs (may not exist yet)."""
    return platformdirs.user_state_path(APP_NAME)


def log_path() -> Path:
    """modelduel's log: the duel worker's stderr (warnings, any traceback) and the TUI's errors.

    Never the terminal: the TUI draws on it, and `ask`'s live view redraws over it.
    """
    return state_dir() / "modelduel.log"
