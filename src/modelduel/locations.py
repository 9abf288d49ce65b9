"""Where modelduel keeps its files: the one seam tests patch to isolate a run.

Config lives in the platform config dir (`~/.config/modelduel/config.toml` on
Linux); `MODELDUEL_CONFIG` or `--config` point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["CONFIG_ENV", "config_dir", "config_path", "user_themes_dir"]

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
