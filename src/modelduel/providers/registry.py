"""The provider registry: one `ProviderSpec` per wire protocol, the only list of them.

Config (kinds, built-in providers, key lookup), pricing (the price-data provider id),
the LiteLLM export, the demo notice and environment all read this table. Adding a
protocol is one adapter module (exposing `ADAPTER`) plus one `register()` call here.
Adapters are imported by module name on first use, so start-up stays fast and
`providers.base` (the contract) imports nothing of this.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from modelduel.providers.base import Adapter

__all__ = [
    "ProviderSpec",
    "builtin_providers",
    "get_adapter",
    "key_envs",
    "kinds",
    "register",
    "spec_for",
]


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """Everything modelduel knows about one wire protocol outside its adapter.

    Attributes:
        kind: the protocol id a provider's `kind` names (`openai-chat`).
        display_name: how people call it (`OpenAI Chat Completions`).
        adapter_module: the module whose `ADAPTER` speaks it.
        key_envs: variables the key is read from, first set wins.
        key_env_named: the variable named in "X is not set" when none is set.
        base_url_env: the variable that overrides the base URL (the SDK's own).
        default_base_url: the real endpoint.
        price_provider_id: the price library's provider id (None: not priced there).
        litellm_prefix: LiteLLM's provider prefix for `litellm_params.model`.
        litellm_key_env: the key variable a LiteLLM config names.
        litellm_base_url_env: a base-URL variable a LiteLLM config names (None: none).
        simulator_route: the path the simulator serves it on (`{model}` for the model id).
        simulator_key_prefix: how a key of this provider starts (the simulator checks it).
        builtin: its kind is also a provider name usable without config (`-m openai/...`).
        org_headers: sends OpenAI-Organization / OpenAI-Project from the environment.
    """

    kind: str
    display_name: str
    adapter_module: str
    key_envs: tuple[str, ...]
    key_env_named: str
    base_url_env: str
    default_base_url: str
    price_provider_id: str | None
    litellm_prefix: str
    litellm_key_env: str
    litellm_base_url_env: str | None
    simulator_route: str
    simulator_key_prefix: str
    builtin: bool = True
    org_headers: bool = False


_SPECS: dict[str, ProviderSpec] = {}


def register(spec: ProviderSpec) -> None:
    """Add (or replace) the spec for `spec.kind`."""
    _SPECS[spec.kind] = spec


def unregister(kind: str) -> None:
    """Remove a spec (tests that register a protocol of their own clean up with it)."""
    _SPECS.pop(kind, None)


def spec_for(kind: str) -> ProviderSpec:
    """The spec of a protocol kind.

    Raises:
        KeyError: no such kind is registered.
    """
    return _SPECS[kind]


def kinds() -> tuple[str, ...]:
    """Every registered protocol kind, in registration order."""
    return tuple(_SPECS)


def builtin_providers() -> tuple[str, ...]:
    """Provider names usable without a `[providers.NAME]` table."""
    return tuple(kind for kind, spec in _SPECS.items() if spec.builtin)


def key_envs() -> tuple[str, ...]:
    """Every key variable of the built-in providers, without repeats."""
    names = (name for spec in _SPECS.values() if spec.builtin for name in spec.key_envs)
    return tuple(dict.fromkeys(names))


def get_adapter(kind: str) -> Adapter:
    """The adapter for a protocol kind, its module imported on first use.

    Raises:
        KeyError: no such kind is registered.
    """
    adapter: Adapter = importlib.import_module(spec_for(kind).adapter_module).ADAPTER
    return adapter


register(
    ProviderSpec(
        kind="openai",
        display_name="OpenAI Responses",
        adapter_module="modelduel.providers.openai",
        key_envs=("OPENAI_API_KEY",),
        key_env_named="OPENAI_API_KEY",
        base_url_env="OPENAI_BASE_URL",
        default_base_url="https://api.openai.com/v1",
        price_provider_id="openai",
        litellm_prefix="openai",
        litellm_key_env="OPENAI_API_KEY",
        litellm_base_url_env=None,
        simulator_route="/v1/responses",
        simulator_key_prefix="sk-",
        org_headers=True,
    )
)
register(
    ProviderSpec(
        kind="openai-chat",
        display_name="OpenAI Chat Completions",
        adapter_module="modelduel.providers.openai_chat",
        key_envs=("OPENAI_API_KEY",),
        key_env_named="OPENAI_API_KEY",
        base_url_env="OPENAI_BASE_URL",
        default_base_url="https://api.openai.com/v1",
        # chat-completions servers are mostly not OpenAI: their models are priced by
        # config (or `free`), never guessed from OpenAI's list
        price_provider_id=None,
        litellm_prefix="openai",
        litellm_key_env="OPENAI_API_KEY",
        litellm_base_url_env="OPENAI_BASE_URL",
        simulator_route="/v1/chat/completions",
        simulator_key_prefix="sk-",
        org_headers=True,
    )
)
register(
    ProviderSpec(
        kind="anthropic",
        display_name="Anthropic Messages",
        adapter_module="modelduel.providers.anthropic",
        key_envs=("ANTHROPIC_API_KEY",),
        key_env_named="ANTHROPIC_API_KEY",
        base_url_env="ANTHROPIC_BASE_URL",
        default_base_url="https://api.anthropic.com",
        price_provider_id="anthropic",
        litellm_prefix="anthropic",
        litellm_key_env="ANTHROPIC_API_KEY",
        litellm_base_url_env=None,
        simulator_route="/v1/messages",
        simulator_key_prefix="sk-ant-",
    )
)
register(
    ProviderSpec(
        kind="gemini",
        display_name="Google Gemini",
        adapter_module="modelduel.providers.gemini",
        # as google-genai reads them: GOOGLE_API_KEY wins when both are set
        key_envs=("GOOGLE_API_KEY", "GEMINI_API_KEY"),
        key_env_named="GEMINI_API_KEY",
        base_url_env="GOOGLE_GEMINI_BASE_URL",
        default_base_url="https://generativelanguage.googleapis.com",
        price_provider_id="google",
        litellm_prefix="gemini",
        litellm_key_env="GEMINI_API_KEY",
        litellm_base_url_env=None,
        simulator_route="/v1beta/models/{model}:streamGenerateContent",
        simulator_key_prefix="AIza",
    )
)
