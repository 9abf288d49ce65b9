"""The configuration: typed, documented, immutable, and free of secrets.

A TOML file (see `locations.config_path()`) read into frozen pydantic models that
refuse unknown keys, naming the file, the key and a fix. Config names the
environment variable a key comes from, never the key. The four built-in providers
(`openai`, `openai-chat`, `anthropic`, `gemini`) need no config at all.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from modelduel import locations
from modelduel.core.pricing import PriceOverride
from modelduel.errors import ConfigError, ModelduelError, SpecError
from modelduel.providers.base import KINDS, ModelRequest, get_adapter

__all__ = [
    "BUILTIN_PROVIDERS",
    "DEFAULT_MODELS",
    "DEFAULT_SYSTEM_PROMPT",
    "DEMO_ENV",
    "Config",
    "ModelOptions",
    "ProviderConfig",
    "ResolvedModel",
    "any_key_set",
    "default_config_toml",
    "effective_config_view",
    "load_config",
    "resolve_model",
    "save_theme_choice",
    "write_config_file",
]

DEFAULT_MODELS = ("openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview")
DEFAULT_SYSTEM_PROMPT = (
    "You are an assistant completing one production task. Be concise and explicit. "
    "If uncertain, say what is missing."
)
BUILTIN_PROVIDERS = ("openai", "openai-chat", "anthropic", "gemini")
DEMO_ENV = "MODELDUEL_DEMO"
"""Set by demo mode: built-in providers then take their base URLs from the environment."""

ProviderKind = Literal["openai", "openai-chat", "anthropic", "gemini"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ModelOptions(_Frozen):
    """Per-model settings, under `[models."PROVIDER/MODEL_ID"]`."""

    max_output_tokens: int | None = Field(default=None, gt=0)
    """Cap on output tokens, reasoning included (None: the adapter's default)."""
    reasoning_effort: str | None = None
    """Effort / thinking level (`low`, `medium`, `high`, ...; a number = a thinking budget)."""
    temperature: float | None = Field(default=None, ge=0, le=2)
    """Sent only to models that accept it (never to GPT-5.5 or Claude Opus 4.7)."""
    show_reasoning: bool = True
    """Ask for reasoning summaries / thoughts to be streamed."""
    price: PriceOverride | None = None
    """A price override in USD per million tokens (wins over the price library)."""
    free: bool = False
    """A model you do not pay per token for (a local server): cost is exactly 0."""


class ProviderConfig(_Frozen):
    """An extra endpoint, under `[providers.NAME]` (or settings for a built-in one)."""

    kind: ProviderKind
    """The wire protocol: one of openai, openai-chat, anthropic, gemini."""
    base_url: str | None = None
    """The endpoint's base URL (`http://localhost:11434/v1` for Ollama)."""
    api_key_env: str | None = None
    """The environment variable holding the key; omit for local servers that need none."""
    free: bool = False
    """Every model of this provider costs 0 (a local server)."""


class Config(_Frozen):
    """The whole configuration file."""

    default_models: tuple[str, ...] = DEFAULT_MODELS
    """The lineup used when no `-m` is given."""
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    """System prompt for ad-hoc prompts (the brief's; "" for none)."""
    theme: str = "modelduel-dark"
    """Colour theme of the TUI."""
    csv_path: str = "modelduel-results.csv"
    """Results CSV of the TUI when `--csv` is not given."""
    timeout_s: float = Field(default=600.0, gt=0)
    """Overall time limit of one run."""
    connect_timeout_s: float = Field(default=10.0, gt=0)
    """Time limit to connect."""
    stall_timeout_s: float = Field(default=60.0, gt=0)
    """Time limit with no data at all between two reads."""
    retries: int = Field(default=0, ge=0, le=10)
    """Retries of retryable failures (0: measured runs are never silently retried)."""
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    """Extra endpoints by name."""
    models: dict[str, ModelOptions] = Field(default_factory=dict)
    """Per-model options by spec (`openai/gpt-5.5`)."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Key remaps: binding id -> keys (`"score.quality" = "k"`)."""
    simulator: dict[str, dict[str, float | bool | str]] = Field(default_factory=dict)
    """Demo-mode profile overrides by model id (`[simulator."gpt-5.5"] ttft_ms = 2000`):
    ttfb_ms, ttft_ms, reasoning_ms, tps, jitter, answer_tokens, silent_think_ms, shape,
    unverified_org, no_usage, faults (checked by the simulator's profiles module)."""


@dataclass(frozen=True)
class ResolvedModel:
    """A model spec made concrete: where to send, how to authenticate, which options.

    Attributes:
        spec: the spec as given (`openai/gpt-5.5`).
        provider: the provider name (`openai`, or a `[providers.NAME]`).
        kind: the wire protocol.
        model_id: the provider's model id.
        base_url: the endpoint's base URL.
        api_key: the key (masked in every repr), None when not set.
        key_env: the variable the key comes (or would come) from.
        key_required: False for local servers that need no key.
        options: the model's options.
        simulated: the run goes to the built-in simulator (demo mode), not a provider.
    """

    spec: str
    provider: str
    kind: str
    model_id: str
    base_url: str
    api_key: SecretStr | None
    key_env: str | None
    key_required: bool
    options: ModelOptions
    simulated: bool = False

    def to_request(
        self, prompt: str, system: str | None, max_output_tokens: int | None = None
    ) -> ModelRequest:
        """The protocol-independent request for this model."""
        o = self.options
        return ModelRequest(
            model_id=self.model_id,
            prompt=prompt,
            system=system,
            max_output_tokens=max_output_tokens or o.max_output_tokens,
            reasoning_effort=o.reasoning_effort,
            temperature=o.temperature,
            show_reasoning=o.show_reasoning,
        )


def load_config(path: Path | None = None) -> Config:
    """Read the config: `path`, else `$MODELDUEL_CONFIG`, else the default file.

    A missing default file means the defaults; a missing explicit file is an error.
    """
    explicit = path is not None or bool(__import__("os").environ.get(locations.CONFIG_ENV))
    target = path if path is not None else locations.config_path()
    if not target.exists():
        if explicit:
            raise ConfigError(
                f"{target}: no such config file (create one with `modelduel config init`)"
            )
        return Config()
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{target}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{target}: cannot read: {exc}") from None
    return parse_config(data, str(target))


def parse_config(data: dict[str, Any], source: str) -> Config:
    """Validate config data; errors name the source, the key and a fix."""
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    if config.simulator:
        from modelduel.simulator.profiles import check_profile_overrides

        try:
            check_profile_overrides(config.simulator)
        except ValueError as exc:
            raise ConfigError(f"{source}: key 'simulator': {exc}") from None
    for name, provider in config.providers.items():
        if name not in BUILTIN_PROVIDERS and not provider.base_url:
            raise ConfigError(
                f"{source}: key 'providers.{name}.base_url' is required for a provider "
                f'that is not built in (e.g. base_url = "http://localhost:11434/v1")'
            )
    return config


def _describe(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        parent = _model_at(err["loc"][:-1])
        known = ", ".join(parent.model_fields) if parent is not None else ""
        hint = f" (known keys: {known})" if known else ""
        return f"{source}: unknown key '{key}'{hint}"
    if err["type"] == "literal_error" and key.endswith(".kind"):
        return f"{source}: key '{key}': must be one of {', '.join(KINDS)}"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{source}: key '{key}': {err['msg']}{more}"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = Config
    parts = list(loc)
    while parts:
        head = parts.pop(0)
        if head == "providers":
            if not parts:
                return None
            parts.pop(0)
            model = ProviderConfig
        elif head == "models":
            if not parts:
                return None
            parts.pop(0)
            model = ModelOptions
        elif head == "price":
            model = PriceOverride
        else:
            return None
    return model


def resolve_model(spec: str, config: Config, env: dict[str, str]) -> ResolvedModel:
    """Turn `PROVIDER/MODEL_ID` into a ResolvedModel (the first `/` splits).

    Raises:
        SpecError: a spec without a provider, or an unknown provider (the known ones
            are listed).
    """
    provider, sep, model_id = spec.partition("/")
    if not sep or not provider or not model_id:
        raise SpecError(
            f"model '{spec}': write PROVIDER/MODEL_ID, e.g. openai/gpt-5.5 "
            f"(providers: {', '.join(_known_providers(config))})"
        )
    custom = config.providers.get(provider)
    if custom is None and provider not in BUILTIN_PROVIDERS:
        raise SpecError(
            f"model '{spec}': unknown provider '{provider}' "
            f"(known: {', '.join(_known_providers(config))}; add others as [providers.{provider}])"
        )
    kind = custom.kind if custom is not None else provider
    adapter = get_adapter(kind)
    options = config.models.get(spec, ModelOptions())
    if custom is not None and custom.free and not options.free:
        options = options.model_copy(update={"free": True})
    demo = bool(env.get(DEMO_ENV))
    if provider in BUILTIN_PROVIDERS:
        from_env = env.get(adapter.base_url_env)
        configured = custom.base_url if custom is not None else None
        # demo mode points the built-ins at the simulator, whatever the config says
        base_url = (
            (from_env if demo else configured or from_env) or configured or adapter.default_base_url
        )
        key_envs: tuple[str, ...] = (
            (custom.api_key_env,) if custom is not None and custom.api_key_env else adapter.key_envs
        )
        key_required = True
    else:
        assert custom is not None and custom.base_url is not None
        base_url = custom.base_url
        key_envs = (custom.api_key_env,) if custom.api_key_env else ()
        key_required = custom.api_key_env is not None
    key_env = next((name for name in key_envs if env.get(name)), None)
    if key_env is None and key_envs:
        key_env = key_envs[-1] if kind == "gemini" else key_envs[0]
    value = env.get(key_env) if key_env else None
    return ResolvedModel(
        spec=spec,
        provider=provider,
        kind=kind,
        model_id=model_id,
        base_url=base_url,
        api_key=SecretStr(value) if value else None,
        key_env=key_env,
        key_required=key_required,
        options=options,
        simulated=demo and provider in BUILTIN_PROVIDERS,
    )


def _known_providers(config: Config) -> list[str]:
    return list(dict.fromkeys([*BUILTIN_PROVIDERS, *config.providers]))


def any_key_set(config: Config, env: dict[str, str]) -> bool:
    """True when at least one built-in provider key (or a configured key) is set."""
    names = {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY"}
    names.update(p.api_key_env for p in config.providers.values() if p.api_key_env)
    return any(env.get(name) for name in names)


def default_config_toml() -> str:
    """A starting config file: every setting at its default, and one local provider example."""
    body: dict[str, Any] = {
        "default_models": list(DEFAULT_MODELS),
        "system_prompt": DEFAULT_SYSTEM_PROMPT,
        "theme": "modelduel-dark",
        "csv_path": "modelduel-results.csv",
        "timeout_s": 600.0,
        "connect_timeout_s": 10.0,
        "stall_timeout_s": 60.0,
        "retries": 0,
        "providers": {
            "ollama": {"kind": "openai-chat", "base_url": "http://localhost:11434/v1", "free": True}
        },
        "models": {
            "openai/gpt-5.5": {"reasoning_effort": "medium"},
            "anthropic/claude-opus-4-7": {"reasoning_effort": "high", "max_output_tokens": 16000},
            "gemini/gemini-3.1-pro-preview": {"reasoning_effort": "high"},
        },
        "keymap": {},
    }
    header = (
        "# modelduel configuration. Keys are never stored here: set OPENAI_API_KEY,\n"
        "# ANTHROPIC_API_KEY, GEMINI_API_KEY (or a provider's api_key_env) in your environment.\n"
        '# Use a model as `-m ollama/qwen3:8b`; prices: [models."SPEC".price]\n'
        "# input_per_mtok / output_per_mtok / cached_input_per_mtok (USD per million tokens).\n\n"
    )
    text = header + tomli_w.dumps(body)
    parse_config(tomllib.loads(text), "default config")  # the template must stay valid
    return text


def write_config_file(path: Path, text: str, *, force: bool = False) -> None:
    """Write a config file; an existing one is kept unless `force`."""
    if path.exists() and not force:
        raise ConfigError(f"{path}: already exists (use --force to overwrite it)")
    from modelduel.fileutil import write_text_atomic

    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from None


def effective_config_view(
    config: Config, env: dict[str, str], path: Path | None = None
) -> dict[str, Any]:
    """The config as in effect, with each provider's endpoint and key status (masked)."""
    view = config.model_dump(mode="json")
    endpoints: dict[str, Any] = {}
    for name in _known_providers(config):
        model = resolve_model(f"{name}/-", config, env)
        endpoints[name] = {
            "kind": model.kind,
            "base_url": model.base_url,
            "key_env": model.key_env,
            "key": "set (hidden)" if model.api_key is not None else "not set",
        }
    view["endpoints"] = endpoints
    view["config_file"] = str(path or locations.config_path())
    return view


def save_theme_choice(path: Path, theme: str) -> None:
    """Remember a theme picked in the app, keeping the rest of the file as written.

    Only the top-level `theme = ...` line is replaced (or added), so the user's
    comments and layout survive; a failure is silent because the choice is a
    convenience, not data.
    """
    line = f"theme = {tomli_w.dumps({'theme': theme}).split('=', 1)[1].strip()}\n"
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []
        out: list[str] = []
        done = False
        in_table = False
        for current in lines:
            stripped = current.strip()
            if stripped.startswith("["):
                if not done:
                    out.append(line)
                    done = True
                in_table = True
            if not in_table and not done and stripped.split("=", 1)[0].strip() == "theme":
                out.append(line)
                done = True
                continue
            out.append(current)
        if not done:
            out.append(line)
        text = "".join(out)
        parse_config(tomllib.loads(text), str(path))
        write_config_file(path, text, force=True)
    except (OSError, ModelduelError, tomllib.TOMLDecodeError):
        return
