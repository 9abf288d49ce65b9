"""The configuration's schema: frozen dataclasses that refuse unknown keys, and loading them.

A TOML file (see `locations.config_path()`) is validated into these classes by pydantic
(their annotations carry the constraints, `annotated_types` markers pydantic reads); an
error names the file, the key and a fix. Without a config file nothing is validated and
pydantic is not imported: the defaults are the classes' own (the launch path,
tests/test_launch_path.py). Config names the environment variable a key comes from,
never the key.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from modelduel import locations
from modelduel.capabilities import DuelEffort, family_for
from modelduel.errors import ConfigError
from modelduel.providers import registry

if TYPE_CHECKING:
    # only in annotations, which pydantic resolves when a file is validated (`_adapter`)
    from annotated_types import Ge, Gt, Le, MinLen
    from pydantic import ConfigDict, Strict, TypeAdapter, ValidationError

    from modelduel.capability_schema import CapabilityOverride
    from modelduel.price_override import PriceOverride

DEFAULT_MODELS = ("openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview")
DEFAULT_SYSTEM_PROMPT = (
    "You are an assistant completing one production task. Be concise and explicit. "
    "If uncertain, say what is missing."
)
DEMO_ENV = "MODELDUEL_DEMO"
"""Set by demo mode: built-in providers then take their base URLs from the environment."""


_FORBID: ConfigDict = {"extra": "forbid", "allow_inf_nan": False}
"""pydantic's settings for every class here: an unknown key is an error, and so is a
number that is not finite (TOML's `inf`, `nan`; `Strict()` on a number refuses `true`)."""


@dataclass(frozen=True, kw_only=True)
class ModelOptions:
    """Per-model settings, under `[models."PROVIDER/MODEL_ID"]`."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID

    max_output_tokens: Annotated[int | None, Strict(), Gt(0)] = None
    """Cap on output tokens, reasoning included, for this model only (None: the duel's)."""
    reasoning_effort: str | None = None
    """This model's own effort word (`xhigh`, ...; a number = a thinking budget); wins over
    the duel's `--effort`."""
    temperature: Annotated[float | None, Strict(), Ge(0), Le(2)] = None
    """Sent only to models that accept it (never to GPT-5.5 or Claude Opus 4.7)."""
    show_reasoning: bool = True
    """Stream reasoning summaries / thoughts; false only hides them (the model thinks the same)."""
    capabilities: CapabilityOverride | None = None
    """Fields replacing the shipped capability data for this model (`modelduel models`)."""
    price: PriceOverride | None = None
    """A price override in USD per million tokens (wins over the price library)."""
    free: bool = False
    """A model you do not pay per token for (a local server): cost is exactly 0."""


@dataclass(frozen=True, kw_only=True)
class ProviderConfig:
    """An extra endpoint, under `[providers.NAME]` (or settings for a built-in one)."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID

    kind: str
    """The wire protocol: a kind in the provider registry (openai, anthropic, gemini...)."""
    base_url: str | None = None
    """The endpoint's base URL (`http://localhost:11434/v1` for Ollama)."""
    api_key_env: str | None = None
    """The environment variable holding the key; omit for local servers that need none."""
    free: bool = False
    """Every model of this provider costs 0 (a local server)."""


@dataclass(frozen=True, kw_only=True)
class JudgeConfig:
    """The blind judge, under `[judge]`: a second opinion on each finished answer."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID

    model: str
    """The judging model, any model modelduel can run (`anthropic/claude-opus-4-7`)."""
    rubric: str | None = None
    """The rubric prompt the judge scores by (None: the default, the 0–5 rubric part by part)."""
    allow_self: bool = False
    """Let the judge score answers of its own provider (off: self-preference bias)."""
    enabled: bool = True
    """False keeps the settings but sends nothing to the judge."""


@dataclass(frozen=True, kw_only=True)
class Config:
    """The whole configuration file."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID

    default_models: Annotated[tuple[str, ...], MinLen(1)] = DEFAULT_MODELS
    """The lineup used when no `-m` is given."""
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    """System prompt for ad-hoc prompts (`DEFAULT_SYSTEM_PROMPT`; "" for none)."""
    theme: str = "modelduel-dark"
    """Colour theme of the TUI."""
    csv_path: str = "modelduel-results.csv"
    """Results CSV of the TUI when `--csv` is not given."""
    timeout_s: Annotated[float, Strict(), Gt(0)] = 600.0
    """Overall time limit of one run."""
    connect_timeout_s: Annotated[float, Strict(), Gt(0)] = 10.0
    """Time limit to connect."""
    stall_timeout_s: Annotated[float, Strict(), Gt(0)] = 300.0
    """Time limit with no data at all between two reads once the first token arrived
    (before it, a reasoning model may think for minutes: only timeout_s applies)."""
    max_output_tokens: Annotated[int | None, Strict(), Gt(0)] = None
    """The output budget every model of a duel gets, reasoning included (default 64000,
    clamped to a model's own maximum)."""
    effort: DuelEffort | None = None
    """The duel's effort (low, medium, high, max), mapped onto each model's own words."""
    openai_verified_organization: bool = True
    """False: never ask OpenAI for reasoning summaries (they need a verified organization)."""
    retries: Annotated[int, Strict(), Ge(0), Le(10)] = 0
    """Retries of retryable failures (0: measured runs are never silently retried)."""
    providers: dict[str, ProviderConfig] = field(default_factory=dict)
    """Extra endpoints by name."""
    models: dict[str, ModelOptions] = field(default_factory=dict)
    """Per-model options by spec (`openai/gpt-5.5`)."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Key remaps: binding id -> keys (`"score.quality" = "k"`)."""
    # int first: a whole number stays one (`answer_tokens = 99999999999`, not ...999.0)
    simulator: dict[str, dict[str, int | float | bool | str]] = field(default_factory=dict)
    """Demo-mode profile overrides by model id (`[simulator."gpt-5.5"] ttft_ms = 2000`):
    ttfb_ms, ttft_ms, reasoning_ms, tps, jitter, answer_tokens, silent_think_ms, shape,
    unverified_org, no_usage, faults (checked by the simulator's profiles module)."""
    judge: JudgeConfig | None = None
    """The blind judge (`[judge]`); None: no judge."""

    @classmethod
    def model_validate(cls, data: dict[str, Any]) -> Config:
        """`data` checked by pydantic's validator of this schema (as when it was a model).

        Raises:
            pydantic.ValidationError: the data does not fit the schema.
        """
        return _adapter().validate_python(data)


@dataclass(frozen=True)
class DuelSettings:
    """What a whole duel shares, from the command line (wins) and the config.

    Attributes:
        effort: the duel's effort word (one of capabilities.DUEL_EFFORTS) or None.
        max_output_tokens: the duel's output budget from the command line, or None.
    """

    effort: str | None = None
    max_output_tokens: int | None = None


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
    from pydantic import ValidationError  # noqa: PLC0415  # a file to check loads pydantic

    try:
        config = _adapter().validate_python(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    if config.simulator:
        # only a config with a [simulator] table loads the simulator's profiles
        from modelduel.simulator.profile_overrides import check_profile_overrides  # noqa: PLC0415

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


@cache
def _adapter() -> TypeAdapter[Config]:
    """pydantic's validator of `Config`, built for the first file checked."""
    # The classes' annotations name these: pydantic resolves them in this frame's
    # namespace (they are imported under TYPE_CHECKING only, so the module needs none).
    from annotated_types import Ge, Gt, Le, MinLen  # noqa: F401, PLC0415
    from pydantic import ConfigDict, Strict, TypeAdapter  # noqa: F401, PLC0415

    from modelduel.capability_schema import CapabilityOverride  # noqa: F401, PLC0415
    from modelduel.price_override import PriceOverride  # noqa: F401, PLC0415

    return TypeAdapter(Config)


def config_as_json(config: Config) -> dict[str, Any]:
    """`config` as JSON-ready data (what `modelduel config show` prints), every key given."""
    data: dict[str, Any] = _adapter().dump_python(config, mode="json")
    return data


def _describe(exc: ValidationError, source: str) -> str:
    # Worded as they were when these classes were pydantic models (tests/test_config_errors.py)
    errors = _unions_merged(exc.errors())
    # pydantic reports a dataclass's unknown keys after its fields' errors... or before:
    # the models' order was the fields' errors first, so the first is chosen that way
    err = next((e for e in errors if e["type"] != "unexpected_keyword_argument"), errors[0])
    key = ".".join(str(p) for p in err["loc"])
    more = _others(err, errors)
    if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        parent = _model_at(err["loc"][:-1])
        known = ", ".join(_field_names(parent)) if parent is not None else ""
        hint = f" (known keys: {known})" if known else ""
        return f"{source}: unknown key '{key}'{hint}{more}"
    msg = err["msg"]
    if err["type"] in ("tuple_type", "list_type"):
        msg = f'Input should be an array, e.g. {key.rsplit(".", 1)[-1]} = ["a", "b"]'
    if err["type"] == "too_short":  # pydantic: "Tuple should have at least 1 item after..."
        name = key.rsplit(".", 1)[-1]
        if name == "default_models":
            msg = f'list at least one model (e.g. default_models = ["{DEFAULT_MODELS[0]}"])'
        else:
            msg = f'list at least one (e.g. {name} = ["a"])'
    if err["type"] == "dataclass_type":
        msg = f"Input should be a valid dictionary or instance of {err['ctx']['class_name']}"
    return f"{source}: key '{key}': {msg}{more}"


_UNION_MEMBERS = ("float", "int", "bool", "str")
"""pydantic's loc tags for the members of a scalar union (`[simulator]` values)."""


def _unions_merged(errors: list[Any]) -> list[Any]:
    """One error per key where a value failed every member of a scalar union: pydantic
    reports one per member, each key tagged with the member's type (`tps.int`,
    `tps.float`...), which named one bad value as four keys. The number's own error
    (`float`'s: "Input should be a finite number" for nan) is the one kept."""
    members: dict[tuple[Any, ...], list[Any]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        if loc and loc[-1] in _UNION_MEMBERS:
            members.setdefault(loc[:-1], []).append(err)
    merged: list[Any] = []
    done: set[tuple[Any, ...]] = set()
    for err in errors:
        loc = tuple(err["loc"])
        group = members.get(loc[:-1]) if loc and loc[-1] in _UNION_MEMBERS else None
        if group is None or len(group) < 2:
            merged.append(err)
        elif loc[:-1] not in done:
            done.add(loc[:-1])
            best = min(group, key=lambda e: _UNION_MEMBERS.index(e["loc"][-1]))
            merged.append({**best, "loc": loc[:-1]})
    return merged


_NAMED_OTHERS = 5
"""How many of the other bad keys a config error names (the rest are counted)."""


def _others(first: Any, errors: list[Any]) -> str:
    """` (and N more: key 'a', unknown key 'b', ...)`: the other bad keys, each by name.

    An error on the first one's own key or on a key it lies in (pydantic's "Tuple should
    have at least 1 item" after the item itself was refused) follows from it: not counted.
    """
    loc = tuple(first["loc"])
    names: list[str] = []
    for err in errors:
        other = tuple(err["loc"])
        if err is first or loc[: len(other)] == other:
            continue
        key = ".".join(str(p) for p in other)
        unknown = err["type"] in ("extra_forbidden", "unexpected_keyword_argument")
        name = f"unknown key '{key}'" if unknown else f"key '{key}'"
        if name not in names:
            names.append(name)
    if not names:
        return ""
    shown = ", ".join(names[:_NAMED_OTHERS])
    rest = len(names) - _NAMED_OTHERS
    tail = f", and {rest} other{'s' if rest > 1 else ''}" if rest > 0 else ""
    return f" (and {len(names)} more: {shown}{tail})"


def _field_names(cls: type) -> list[str]:
    if dataclasses.is_dataclass(cls):
        return [f.name for f in dataclasses.fields(cls)]
    return list(getattr(cls, "model_fields", {}))  # the capability override's pydantic model


def _model_at(loc: tuple[int | str, ...]) -> type | None:
    model: type = Config
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
            from modelduel.price_override import PriceOverride  # noqa: PLC0415

            model = PriceOverride
        elif head == "capabilities":
            from modelduel.capability_schema import CapabilityOverride  # noqa: PLC0415

            model = CapabilityOverride
        elif head == "judge":
            model = JudgeConfig
        else:
            return None
    return model


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        err = errors()[0]
        field_name = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        return f"field '{field_name}': {msg}" if field_name else msg
    return str(exc)


def _known_providers(config: Config) -> list[str]:
    return list(dict.fromkeys([*registry.builtin_providers(), *config.providers]))
