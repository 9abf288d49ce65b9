"""Resolving a model spec (`provider/model[@options]`) against the config into what a run needs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelduel import locations
from modelduel.capabilities import (
    DEFAULT_MAX_OUTPUT_TOKENS,
    DUEL_EFFORTS,
    Family,
    family_for,
)
from modelduel.config.schema import (
    DEMO_ENV,
    Config,
    DuelSettings,
    ModelOptions,
    _first_error,
    _known_providers,
    config_as_json,
)
from modelduel.errors import ConfigError, SpecError
from modelduel.providers import registry
from modelduel.providers.base import ModelRequest

SIMULATED_FAULT = "@fault="
"""The simulator's fault suffix (`openai/gpt-5.5@fault=auth`, simulator/faults.py): it
injects a failure, it is not part of the model's name."""


def model_name(spec: str) -> str:
    """`spec` (or a model id) without a simulator fault suffix: what a results row names.

    Only the fault suffix goes; an id with an `@` of its own (`model@2025`) stays whole.
    """
    return spec.partition(SIMULATED_FAULT)[0]


class SecretStr:
    """A key that never shows in a repr, a log or a traceback (`get_secret_value` gives it).

    What pydantic's `SecretStr` did here, without importing pydantic on the launch path.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The key itself, for the request's header only."""
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


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

    @property
    def name(self) -> str:
        """The spec without a simulator fault suffix: the results row's `model`."""
        return model_name(self.spec)

    @property
    def name_id(self) -> str:
        """The model id without a simulator fault suffix: the results row's `model_id`."""
        return model_name(self.model_id)

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
            declare = f'[models."{self.spec}".capabilities] max_output_tokens'
            if o.capabilities is not None and o.capabilities.max_output_tokens is not None:
                notices.append(
                    f"max_output_tokens {wanted:,} is above the maximum of {limit:,} the "
                    f"config declares for {self.model_id} ({declare}): sent {limit:,}"
                )
            elif "*" in self.caps.patterns:  # a catch-all family: its limit is a guess
                notices.append(
                    f"max_output_tokens {wanted:,} lowered to {limit:,}: {self.model_id} is "
                    f"not in modelduel's capability table, and {limit:,} is the limit assumed "
                    f"for an unknown {self.kind} model; if it takes more, declare it in the "
                    f"config: {declare} = N"
                )
            else:
                notices.append(
                    f"max_output_tokens {wanted:,} is above {self.model_id}'s maximum of "
                    f"{limit:,}: sent {limit:,}"
                )
        window = self.caps.context_window
        guess = _estimated_tokens(prompt) + _estimated_tokens(system or "")
        if window is not None and guess > window * CLEARLY_OVER:
            # a notice only: the provider decides (it may count fewer tokens than guessed)
            notices.append(
                f"the prompt is ~{guess:,} tokens by a rough estimate, more than "
                f"{self.model_id}'s context window of {window:,}: likely refused (sent "
                "anyway: the provider decides)"
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


CLEARLY_OVER = 1.25
"""A prompt estimated above its model's context window by this factor gets a notice."""


def _estimated_tokens(text: str) -> int:
    # 4 characters a token, as `core.metrics.estimate_tokens` (config cannot import core)
    return -(-len(text) // 4)


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
        options = dataclasses.replace(options, free=True)
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


def named_key_envs() -> list[str]:
    """The key variable each built-in protocol names, without repeats (for notices)."""
    names = (registry.spec_for(kind).key_env_named for kind in registry.builtin_providers())
    return list(dict.fromkeys(names))


def any_key_set(config: Config, env: dict[str, str]) -> bool:
    """True when at least one built-in provider key (or a configured key) is set."""
    names = set(registry.key_envs())
    names.update(p.api_key_env for p in config.providers.values() if p.api_key_env)
    return any(env.get(name) for name in names)


def effective_config_view(
    config: Config, env: dict[str, str], path: Path | None = None
) -> dict[str, Any]:
    """The config as in effect, with each provider's endpoint and key status (masked)."""
    view = config_as_json(config)
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
