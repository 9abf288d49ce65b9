"""The configuration: typed, documented, immutable, and free of secrets.

A TOML file (see `locations.config_path()`) read into frozen dataclasses, validated by
pydantic (only when there is a file) so that unknown keys are refused, naming the file,
the key and a fix. Config names the
environment variable a key comes from, never the key. The four built-in providers
(`openai`, `openai-chat`, `anthropic`, `gemini`) need no config at all.

The package is split along its seams: `schema` (the classes and loading them, with the
errors that name file and key), `resolve` (a model spec against the config: endpoint, key,
capabilities, options) and `editing` (writing and editing the user's TOML file).
"""

from __future__ import annotations

from modelduel.config.editing import (
    InitResult,
    default_config_toml,
    init_config_file,
    save_theme_choice,
    write_config_file,
)
from modelduel.config.resolve import (
    ResolvedModel,
    any_key_set,
    effective_config_view,
    named_key_envs,
    resolve_model,
)
from modelduel.config.schema import (
    DEFAULT_MODELS,
    DEFAULT_SYSTEM_PROMPT,
    DEMO_ENV,
    Config,
    DuelSettings,
    JudgeConfig,
    ModelOptions,
    ProviderConfig,
    load_config,
)

# imported from here by callers, kept out of the star-export list as before the split
from modelduel.config.schema import parse_config as parse_config
from modelduel.errors import ConfigError as ConfigError

__all__ = [
    "DEFAULT_MODELS",
    "DEFAULT_SYSTEM_PROMPT",
    "DEMO_ENV",
    "Config",
    "DuelSettings",
    "InitResult",
    "JudgeConfig",
    "ModelOptions",
    "ProviderConfig",
    "ResolvedModel",
    "any_key_set",
    "default_config_toml",
    "effective_config_view",
    "init_config_file",
    "load_config",
    "named_key_envs",
    "resolve_model",
    "save_theme_choice",
    "write_config_file",
]
