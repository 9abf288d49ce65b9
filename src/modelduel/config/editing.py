"""Writing and editing the user's config file: the starting template, `config init`, the theme.

The file is edited as a TOML document (tomlkit), so comments and layout are kept, and every
edit is checked by reading it back with `parse_config` before it replaces the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelduel.config.resolve import named_key_envs
from modelduel.config.schema import (
    DEFAULT_MODELS,
    DEFAULT_SYSTEM_PROMPT,
    parse_config,
)
from modelduel.errors import ConfigError
from modelduel.fileutil import write_text_atomic

if TYPE_CHECKING:
    import tomlkit

# tomlkit and tomli_w (~45 ms) are imported by the functions that write the file: the app
# imports this package before its first frame and writes to the file only when the user
# picks a theme (tests/test_launch_path.py).


def default_config_toml() -> str:
    """A starting config file: every setting at its default, and one local provider example."""
    body: dict[str, Any] = {
        "default_models": list(DEFAULT_MODELS),
        "system_prompt": DEFAULT_SYSTEM_PROMPT,
        "theme": "modelduel-dark",
        "csv_path": "modelduel-results.csv",
        "timeout_s": 600.0,
        "connect_timeout_s": 10.0,
        "stall_timeout_s": 300.0,
        "retries": 0,
        "providers": {
            "ollama": {"kind": "openai-chat", "base_url": "http://localhost:11434/v1", "free": True}
        },
        # one effort and one budget for every model of a duel (per-model options win)
        "effort": "high",
        "max_output_tokens": 64000,
        "keymap": {},
    }
    named_keys = named_key_envs()
    header = (
        "# modelduel configuration. Keys are never stored here: set "
        f"{named_keys[0]},\n# {', '.join(named_keys[1:])}"
        " (or a provider's api_key_env) in your environment.\n"
        '# Use a model as `-m ollama/qwen3:8b`; prices: [models."SPEC".price]\n'
        "# input_per_mtok / output_per_mtok / cached_input_per_mtok (USD per million tokens).\n\n"
    )
    import tomli_w  # noqa: PLC0415 (writing only: see the imports)

    text = header + tomli_w.dumps(body)
    parse_config(tomllib.loads(text), "default config")  # the template must stay valid
    return text


def write_config_file(path: Path, text: str, *, force: bool = False) -> None:
    """Write a config file; an existing one is kept unless `force`."""
    if path.exists() and not force:
        raise ConfigError(f"{path}: already exists (use --force to overwrite it)")
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _read_toml_document(path: Path) -> tomlkit.TOMLDocument | None:
    """The user's file as an editable document (comments and layout kept); None if absent."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    import tomlkit.exceptions  # noqa: PLC0415 (writing only: see the imports)

    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}; fix it or move it away") from None


def _write_checked(path: Path, doc: tomlkit.TOMLDocument) -> None:
    """Write an edited document after checking that modelduel will still read it."""
    import tomlkit  # noqa: PLC0415 (writing only: see the imports)

    text = tomlkit.dumps(doc)
    parse_config(tomllib.loads(text), str(path))
    write_config_file(path, text, force=True)


@dataclass(frozen=True)
class InitResult:
    """What `config init` did: the settings it added and the ones it left as the user set them."""

    created: bool
    added: tuple[str, ...]
    kept: tuple[str, ...]


def init_config_file(path: Path, *, force: bool = False) -> InitResult:
    """`config init`: write the starting config, merging with a file that already exists.

    An existing file keeps every setting, comment and table it has; only top-level settings
    it lacks are added from the template. With `force` the file is replaced by the template,
    but a theme picked in the app (the one setting the app itself writes) is carried over.

    Raises:
        ConfigError: the existing file is not valid TOML, or cannot be read or written.
    """
    import tomlkit  # noqa: PLC0415 (writing only: see the imports)

    existing = _read_toml_document(path)
    template = tomlkit.parse(default_config_toml())
    if existing is None or force:
        kept: tuple[str, ...] = ()
        if existing is not None and "theme" in existing:
            template["theme"] = existing["theme"]
            kept = ("theme",)
        _write_checked(path, template)
        return InitResult(created=existing is None, added=tuple(template), kept=kept)
    added = tuple(key for key in template if key not in existing)
    for key in added:
        existing[key] = template[key]
    _write_checked(path, existing)
    return InitResult(created=False, added=added, kept=tuple(k for k in existing if k not in added))


def save_theme_choice(path: Path, theme: str) -> None:
    """Remember a theme picked in the app, keeping the rest of the file as written.

    The file is edited as a TOML document (tomlkit), so comments, tables and multi-line
    strings are kept exactly. With no file yet, the whole starting config is written with
    this theme, never a file holding only the theme.

    Raises:
        ConfigError: the file is not valid TOML, or cannot be read or written; the caller
            tells the user the choice was not saved.
    """
    import tomlkit  # noqa: PLC0415 (writing only: see the imports)

    doc = _read_toml_document(path)
    if doc is None:
        doc = tomlkit.parse(default_config_toml())
    doc["theme"] = theme
    _write_checked(path, doc)
