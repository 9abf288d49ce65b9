"""The configuration: typed, documented, immutable, and free of secrets.

A TOML file (see `locations.config_path()`) read into frozen pydantic models that
refuse unknown keys, naming the file, the key and a fix. Config names the
environment variable a key comes from, never the key. The four built-in providers
(`openai`, `openai-chat`, `anthropic`, `gemini`) need no config at all.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
import tomlkit
import tomlkit.exceptions
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from modelduel import locations
from modelduel.capabilities import (
    DEFAULT_MAX_OUTPUT_TOKENS,
    DUEL_EFFORTS,
    CapabilityOverride,
    DuelEffort,
    Family,
    family_for,
)
from modelduel.errors import ConfigError, SpecError
from modelduel.price_override import PriceOverride
from modelduel.providers import registry
from modelduel.providers.base import ModelRequest

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

DEFAULT_MODELS = ("openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview")
DEFAULT_SYSTEM_PROMPT = (
    "You are an assistant completing one production task. Be concise and explicit. "
    "If uncertain, say what is missing."
)
DEMO_ENV = "MODELDUEL_DEMO"
"""Set by demo mode: built-in providers then take their base URLs from the environment."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ModelOptions(_Frozen):
    """Per-model settings, under `[models."PROVIDER/MODEL_ID"]`."""

    max_output_tokens: int | None = Field(default=None, gt=0)
    """Cap on output tokens, reasoning included, for this model only (None: the duel's)."""
    reasoning_effort: str | None = None
    """This model's own effort word (`xhigh`, ...; a number = a thinking budget); wins over
    the duel's `--effort`."""
    temperature: float | None = Field(default=None, ge=0, le=2)
    """Sent only to models that accept it (never to GPT-5.5 or Claude Opus 4.7)."""
    show_reasoning: bool = True
    """Stream reasoning summaries / thoughts; false only hides them (the model thinks the same)."""
    capabilities: CapabilityOverride | None = None
    """Fields replacing the shipped capability data for this model (`modelduel models`)."""
    price: PriceOverride | None = None
    """A price override in USD per million tokens (wins over the price library)."""
    free: bool = False
    """A model you do not pay per token for (a local server): cost is exactly 0."""


class ProviderConfig(_Frozen):
    """An extra endpoint, under `[providers.NAME]` (or settings for a built-in one)."""

    kind: str
    """The wire protocol: a kind in the provider registry (openai, anthropic, gemini...)."""
    base_url: str | None = None
    """The endpoint's base URL (`http://localhost:11434/v1` for Ollama)."""
    api_key_env: str | None = None
    """The environment variable holding the key; omit for local servers that need none."""
    free: bool = False
    """Every model of this provider costs 0 (a local server)."""


class JudgeConfig(_Frozen):
    """The blind judge, under `[judge]`: a second opinion on each finished answer."""

    model: str
    """The judging model, any model modelduel can run (`anthropic/claude-opus-4-7`)."""
    rubric: str | None = None
    """The rubric prompt the judge scores by (None: the default, from the brief's rubric)."""
    allow_self: bool = False
    """Let the judge score answers of its own provider (off: self-preference bias)."""
    enabled: bool = True
    """False keeps the settings but sends nothing to the judge."""


class Config(_Frozen):
    """The whole configuration file."""

    default_models: tuple[str, ...] = Field(default=DEFAULT_MODELS, min_length=1)
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
    stall_timeout_s: float = Field(default=300.0, gt=0)
    """Time limit with no data at all between two reads once the first token arrived
    (before it, a reasoning model may think for minutes: only timeout_s applies)."""
    max_output_tokens: int | None = Field(default=None, gt=0)
    """The output budget every model of a duel gets, reasoning included (default 64000,
    clamped to a model's own maximum)."""
    effort: DuelEffort | None = None
    """The duel's effort (low, medium, high, max), mapped onto each model's own words."""
    openai_verified_organization: bool = True
    """False: never ask OpenAI for reasoning summaries (they need a verified organization)."""
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
    judge: JudgeConfig | None = None
    """The blind judge (`[judge]`); None: no judge."""


@dataclass(frozen=True)
class DuelSettings:
    """What a whole duel shares, from the command line (wins) and the config.

    Attributes:
        effort: the duel's effort word (one of capabilities.DUEL_EFFORTS) or None.
        max_output_tokens: the duel's output budget from the command line, or None.
    """

    effort: str | None = None
    max_output_tokens: int | None = None


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
        caps: the model's capability family (config override applied).
        effort_word: the effort word sent to this model (per-model config or the duel's,
            mapped), None to leave the model's default.
        budget: the output budget from the command line (wins over a task file's).
        duel_config_budget: the duel's output budget from the config (`max_output_tokens`
            at the top level), to say when a model's own budget differs from it.
        config_budget: the output budget from the config (per-model, else the duel's),
            used when neither the command line nor a task file gives one.
        notices: what the user should know about this model's request (a budget clamped,
            an effort not sent), shown once in its pane.
        omit_params: parameters modelduel must not add for this model (config).
        org_headers: `OpenAI-Organization` / `OpenAI-Project` from OPENAI_ORG_ID /
            OPENAI_PROJECT_ID (built-in OpenAI providers only).
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
    caps: Family = field(default_factory=lambda: family_for("openai", "-"))
    effort_word: str | None = None
    budget: int | None = None
    config_budget: int | None = None
    duel_config_budget: int | None = None
    notices: tuple[str, ...] = ()
    omit_params: tuple[str, ...] = ()
    org_headers: tuple[tuple[str, str], ...] = ()

    def to_request(
        self, prompt: str, system: str | None, max_output_tokens: int | None = None
    ) -> ModelRequest:
        """The protocol-independent request for this model (`max_output_tokens`: a task's)."""
        return self.plan_request(prompt, system, max_output_tokens)[0]

    def plan_request(
        self, prompt: str, system: str | None, max_output_tokens: int | None = None
    ) -> tuple[ModelRequest, tuple[str, ...]]:
        """The request and the notices to show with it (a budget clamped, an effort skipped)."""
        o = self.options
        notices = list(self.notices)
        wanted = self.budget or max_output_tokens or self.config_budget or DEFAULT_MAX_OUTPUT_TOKENS
        own = self.options.max_output_tokens
        duel_budget = self.duel_config_budget or DEFAULT_MAX_OUTPUT_TOKENS
        if not self.budget and not max_output_tokens and own and own != duel_budget:
            notices.append(
                f'max_output_tokens {own:,} from the config\'s [models."{self.spec}"] is '
                f"sent instead of the duel's {duel_budget:,}"
            )
        budget = wanted
        limit = self.caps.max_output_tokens
        if limit is not None and wanted > limit:
            budget = limit
            notices.append(
                f"max_output_tokens {wanted:,} is above {self.model_id}'s maximum of "
                f"{limit:,}: sent {limit:,}"
            )
        request = ModelRequest(
            model_id=self.model_id,
            prompt=prompt,
            system=system,
            max_output_tokens=budget,
            reasoning_effort=self.effort_word,
            temperature=o.temperature,
            show_reasoning=o.show_reasoning,
            caps=self.caps,
            omit_params=self.omit_params,
            extra_headers=self.org_headers,
        )
        return request, tuple(notices)


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
    for spec, options in config.models.items():
        provider_name, _, model_id = spec.partition("/")
        custom = config.providers.get(provider_name)
        kind = custom.kind if custom is not None else provider_name
        if options.capabilities is not None and kind in registry.kinds() and model_id:
            try:
                family_for(kind, model_id).with_override(options.capabilities)
            except ValueError as exc:
                raise ConfigError(
                    f"{source}: key 'models.{spec}.capabilities': {_first_error(exc)}"
                ) from None
    if config.judge is not None:
        _check_judge(config, config.judge, source)
    for name, provider in config.providers.items():
        if provider.kind not in registry.kinds():
            raise ConfigError(
                f"{source}: key 'providers.{name}.kind': must be one of "
                f"{', '.join(registry.kinds())}"
            )
        if name not in registry.builtin_providers() and not provider.base_url:
            raise ConfigError(
                f"{source}: key 'providers.{name}.base_url' is required for a provider "
                f'that is not built in (e.g. base_url = "http://localhost:11434/v1")'
            )
    return config


def _check_judge(config: Config, judge: JudgeConfig, source: str) -> None:
    """`[judge]` names a model modelduel can run, and a rubric that says something."""
    provider, sep, model_id = judge.model.partition("/")
    known = ", ".join(_known_providers(config))
    if not sep or not provider or not model_id:
        raise ConfigError(
            f"{source}: key 'judge.model': {judge.model!r} is not a model; write "
            f'PROVIDER/MODEL_ID, e.g. model = "anthropic/claude-opus-4-7" (providers: {known})'
        )
    if provider not in config.providers and provider not in registry.builtin_providers():
        raise ConfigError(
            f"{source}: key 'judge.model': {judge.model!r} is not a configured model: "
            f"unknown provider {provider!r} (known: {known}; add it as [providers.{provider}])"
        )
    if judge.rubric is not None and not judge.rubric.strip():
        raise ConfigError(
            f"{source}: key 'judge.rubric': is blank; write the rubric prompt or remove the "
            "key for the default rubric"
        )


def _describe(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        parent = _model_at(err["loc"][:-1])
        known = ", ".join(parent.model_fields) if parent is not None else ""
        hint = f" (known keys: {known})" if known else ""
        return f"{source}: unknown key '{key}'{hint}"
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
        elif head == "capabilities":
            model = CapabilityOverride
        elif head == "judge":
            model = JudgeConfig
        else:
            return None
    return model


def resolve_model(
    spec: str, config: Config, env: dict[str, str], duel: DuelSettings | None = None
) -> ResolvedModel:
    """Turn `PROVIDER/MODEL_ID` into a ResolvedModel (the first `/` splits).

    Raises:
        SpecError: a spec without a provider, or an unknown provider (the known ones
            are listed).
        ConfigError: an effort the model cannot take (its words are listed), or a
            capability override that is not valid.
    """
    provider, sep, model_id = spec.partition("/")
    if not sep or not provider or not model_id:
        raise SpecError(
            f"model '{spec}': write PROVIDER/MODEL_ID, e.g. openai/gpt-5.5 "
            f"(providers: {', '.join(_known_providers(config))})"
        )
    custom = config.providers.get(provider)
    if custom is None and provider not in registry.builtin_providers():
        raise SpecError(
            f"model '{spec}': unknown provider '{provider}' "
            f"(known: {', '.join(_known_providers(config))}; add others as [providers.{provider}])"
        )
    kind = custom.kind if custom is not None else provider
    spec_of = registry.spec_for(kind)
    options = config.models.get(spec, ModelOptions())
    if custom is not None and custom.free and not options.free:
        options = options.model_copy(update={"free": True})
    demo = bool(env.get(DEMO_ENV))
    builtin = provider in registry.builtin_providers()
    if builtin:
        from_env = env.get(spec_of.base_url_env)
        configured = custom.base_url if custom is not None else None
        # demo mode points the built-ins at the simulator, whatever the config says
        base_url = (
            (from_env if demo else configured or from_env) or configured or spec_of.default_base_url
        )
        key_envs: tuple[str, ...] = (
            (custom.api_key_env,) if custom is not None and custom.api_key_env else spec_of.key_envs
        )
        key_required = True
    else:
        assert custom is not None and custom.base_url is not None
        base_url = custom.base_url
        key_envs = (custom.api_key_env,) if custom.api_key_env else ()
        key_required = custom.api_key_env is not None
    key_env = next((name for name in key_envs if env.get(name)), None)
    if key_env is None and key_envs:
        named = spec_of.key_env_named if builtin else key_envs[0]
        key_env = named if named in key_envs else key_envs[0]
    value = env.get(key_env) if key_env else None
    caps = _capabilities(spec, kind, model_id, options)
    duel = duel or DuelSettings()
    effort_word, notices = _effort_word(spec, caps, options, duel.effort or config.effort)
    org_headers: tuple[tuple[str, str], ...] = ()
    if spec_of.org_headers and builtin:
        # as the official SDK sends them; ids, not secrets
        org_headers = tuple(
            (header, env[name])
            for header, name in (
                ("OpenAI-Organization", "OPENAI_ORG_ID"),
                ("OpenAI-Project", "OPENAI_PROJECT_ID"),
            )
            if env.get(name)
        )
    omit = () if config.openai_verified_organization else ("reasoning.summary",)
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
        simulated=demo and builtin,
        caps=caps,
        effort_word=effort_word,
        budget=duel.max_output_tokens,
        config_budget=options.max_output_tokens or config.max_output_tokens,
        duel_config_budget=config.max_output_tokens,
        notices=notices,
        omit_params=omit,
        org_headers=org_headers,
    )


def _capabilities(spec: str, kind: str, model_id: str, options: ModelOptions) -> Family:
    family = family_for(kind, model_id)
    try:
        return family.with_override(options.capabilities)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigError(
            f"config: key 'models.{spec}.capabilities': {_first_error(exc)}"
        ) from None


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        err = errors()[0]
        field_name = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        return f"field '{field_name}': {msg}" if field_name else msg
    return str(exc)


def _effort_word(
    spec: str, caps: Family, options: ModelOptions, duel_effort: str | None
) -> tuple[str | None, tuple[str, ...]]:
    """The effort word this model is sent: its own config word wins, else the duel's, mapped."""
    accepted = ", ".join(caps.efforts)
    word = options.reasoning_effort
    if word is not None:
        if caps.efforts and word not in caps.efforts:
            raise ConfigError(
                f"config: key 'models.{spec}.reasoning_effort': {word!r} is not an effort "
                f"{spec} takes (it takes: {accepted})"
            )
        # a duel is fair only if every model gets the same effort: say when one does not
        given = f"the duel's effort {duel_effort}" if duel_effort else "the duel's default"
        return word, (
            f'effort: reasoning_effort = {word!r} from the config\'s [models."{spec}"] '
            f"is sent instead of {given}",
        )
    if duel_effort is None:
        return None, ()
    if duel_effort not in DUEL_EFFORTS:
        raise ConfigError(f"effort {duel_effort!r}: use one of {', '.join(DUEL_EFFORTS)}")
    if caps.thinking == "none":
        return None, (f"{spec} takes no effort setting: effort {duel_effort} not sent",)
    mapped = caps.map_effort(duel_effort)
    if mapped is None:
        takes = ", ".join(k for k in DUEL_EFFORTS if caps.map_effort(k)) or "none"
        raise ConfigError(
            f"--effort {duel_effort}: {spec} cannot take it (it takes --effort {takes}; "
            f"its own words: {accepted or 'any'})"
        )
    return mapped, ()


def _known_providers(config: Config) -> list[str]:
    return list(dict.fromkeys([*registry.builtin_providers(), *config.providers]))


def named_key_envs() -> list[str]:
    """The key variable each built-in protocol names, without repeats (for notices)."""
    names = (registry.spec_for(kind).key_env_named for kind in registry.builtin_providers())
    return list(dict.fromkeys(names))


def any_key_set(config: Config, env: dict[str, str]) -> bool:
    """True when at least one built-in provider key (or a configured key) is set."""
    names = set(registry.key_envs())
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


def _read_toml_document(path: Path) -> tomlkit.TOMLDocument | None:
    """The user's file as an editable document (comments and layout kept); None if absent."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}; fix it or move it away") from None


def _write_checked(path: Path, doc: tomlkit.TOMLDocument) -> None:
    """Write an edited document after checking that modelduel will still read it."""
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

    The file is edited as a TOML document (tomlkit), so comments, tables and multi-line
    strings are kept exactly. With no file yet, the whole starting config is written with
    this theme, never a file holding only the theme.

    Raises:
        ConfigError: the file is not valid TOML, or cannot be read or written; the caller
            tells the user the choice was not saved.
    """
    doc = _read_toml_document(path)
    if doc is None:
        doc = tomlkit.parse(default_config_toml())
    doc["theme"] = theme
    _write_checked(path, doc)
