"""What each model family accepts, as validated data (`capabilities.toml`, shipped in the package).

Which models take adaptive thinking, which effort words, whether temperature is
allowed, the largest output a request may ask for: facts that change with every
model release, so they live in one data file matched by id pattern (newest
families first, a catch-all per provider last) rather than in `if` statements. A
user overrides any field for one model in the config (`[models."SPEC".capabilities]`).
"""

from __future__ import annotations

import fnmatch
import functools
import tomllib
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = [
    "DEFAULT_MAX_OUTPUT_TOKENS",
    "DUEL_EFFORTS",
    "CapabilityError",
    "CapabilityOverride",
    "DuelEffort",
    "Family",
    "ThinkingStyle",
    "family_for",
    "load_families",
    "model_name",
    "shipped_families",
]

DEFAULT_MAX_OUTPUT_TOKENS = 64000
ANTHROPIC_MIN_THINKING_BUDGET = 1024
"""Anthropic's smallest `budget_tokens` (it must also stay below `max_tokens`)."""
"""The output budget of a duel when none is given: generous (Anthropic asks for 64k at high
effort), within every default model's maximum; a model whose maximum is lower gets its own."""

DUEL_EFFORTS = ("low", "medium", "high", "max")
"""modelduel's own effort words: one `--effort` for a duel, mapped onto each model's words."""

ThinkingStyle = Literal[
    "none",
    "openai-reasoning",
    "chat-effort",
    "anthropic-adaptive",
    "anthropic-budget",
    "gemini-level",
    "gemini-budget",
]
DuelEffort = Literal["low", "medium", "high", "max"]
ProviderKind = Literal["openai", "openai-chat", "anthropic", "gemini"]
SHIPPED = "capabilities.toml"


class CapabilityError(ValueError):
    """An invalid capability entry; the message names the file, the pattern and the field."""


class _Caps(BaseModel):
    # the validator is built on first validation (a bad file, a config override), not at
    # import: the shipped data on the launch path is constructed without it (see below)
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    reasoning: bool = False
    """The model reasons by default."""
    thinking: ThinkingStyle = "none"
    """How thinking is requested and displayed (see capabilities.toml)."""
    efforts: tuple[str, ...] = ()
    """Effort words the model takes; empty means any word or number passes through."""
    effort_map: dict[DuelEffort, str] = Field(default_factory=dict)
    """modelduel's duel effort -> the model's own word."""
    temperature: bool = True
    """The model accepts `temperature`."""
    images: bool = True
    """The model takes image inputs (a run with an image attached fails before sending)."""
    top_p: bool = True
    """The model accepts `top_p`."""
    max_output_tokens: int | None = Field(default=None, gt=0)
    """The most output tokens (thinking included) one request may ask for; None = unknown."""
    context_window: int | None = Field(default=None, gt=0)
    """Input + output tokens the model holds; None = unknown."""
    chat_max_tokens: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    """The Chat Completions name of the output cap."""

    @model_validator(mode="after")
    def _map_within_efforts(self) -> _Caps:
        if self.efforts:
            for duel, word in self.effort_map.items():
                if word not in self.efforts:
                    raise ValueError(
                        f"effort_map.{duel} = {word!r} is not one of efforts "
                        f"({', '.join(self.efforts)})"
                    )
        return self


class Family(_Caps):
    """One model family: its id patterns and what its models accept."""

    name: str = Field(min_length=1)
    """A label shown by `modelduel models`."""
    kinds: tuple[ProviderKind, ...] = Field(min_length=1)
    """The protocols this family is served on."""
    patterns: tuple[str, ...] = Field(min_length=1)
    """Model id globs (lower-case, without vendor prefix)."""

    def matches(self, kind: str, model_id: str) -> bool:
        """True when this family covers `model_id` served over protocol `kind`."""
        name = model_name(model_id)
        return kind in self.kinds and any(fnmatch.fnmatchcase(name, p) for p in self.patterns)

    def with_override(self, override: CapabilityOverride | None) -> Family:
        """This family with a config override's fields replacing its own."""
        if override is None:
            return self
        fields = override.model_dump(exclude_unset=True)
        if not fields:
            return self
        merged = self.model_dump() | fields | {"name": f"{self.name} + config"}
        return Family.model_validate(merged)

    def map_effort(self, duel_effort: str) -> str | None:
        """The model's word for a duel effort, None when the family has no mapping."""
        for key, word in self.effort_map.items():
            if key == duel_effort:
                return word
        return None


class CapabilityOverride(BaseModel):
    """Config fields replacing a family's for one model (`[models."SPEC".capabilities]`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    reasoning: bool | None = None
    thinking: ThinkingStyle | None = None
    efforts: tuple[str, ...] | None = None
    effort_map: dict[DuelEffort, str] | None = None
    temperature: bool | None = None
    top_p: bool | None = None
    max_output_tokens: int | None = Field(default=None, gt=0)
    context_window: int | None = Field(default=None, gt=0)
    chat_max_tokens: Literal["max_tokens", "max_completion_tokens"] | None = None


UNKNOWN = Family.model_construct(
    name="unknown", kinds=("openai", "openai-chat", "anthropic", "gemini"), patterns=("*",)
)


def model_name(model_id: str) -> str:
    """The id families are matched on: lower-case, no vendor prefix, no simulator suffix."""
    return model_id.split("@", 1)[0].rsplit("/", 1)[-1].lower()


def load_families(text: str, source: str) -> tuple[Family, ...]:
    """Validate a capability file's text; errors name the file, the pattern and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CapabilityError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(data) - {"family"}
    if unknown:
        raise CapabilityError(f"{source}: unknown top-level key {sorted(unknown)[0]!r}")
    entries = data.get("family", [])
    if not isinstance(entries, list):
        raise CapabilityError(f"{source}: 'family' must be an array of tables ([[family]])")
    families: list[Family] = []
    for i, entry in enumerate(entries):
        try:
            families.append(Family.model_validate(entry))
        except ValidationError as exc:
            raise CapabilityError(_describe(exc, source, entry, i)) from None
    return tuple(families)


def _describe(exc: ValidationError, source: str, entry: Any, index: int) -> str:
    err = exc.errors()[0]
    patterns = entry.get("patterns") if isinstance(entry, dict) else None
    where = (
        f"pattern {patterns[0]!r}"
        if isinstance(patterns, list) and patterns
        else f"family #{index + 1}"
    )
    field = ".".join(str(p) for p in err["loc"]) or "(entry)"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = f"unknown field (known: {', '.join(Family.model_fields)})"
    return f"{source}: {where}: field '{field}': {msg}"


def shipped_text() -> str:
    """The text of the capability file shipped with modelduel."""
    return resources.files("modelduel").joinpath(SHIPPED).read_text(encoding="utf-8")


@functools.cache
def shipped_families() -> tuple[Family, ...]:
    """The capability data shipped with modelduel (read once per process).

    Constructed without validation, so the launch builds no pydantic validator for these
    models; the shipped file is validated by the tests (`load_families`, which a user's
    data and config overrides always go through), and a test checks both give equal
    families.
    """
    return tuple(_construct(entry) for entry in tomllib.loads(shipped_text())["family"])


def _construct(entry: dict[str, Any]) -> Family:
    # TOML arrays are lists; the fields are tuples (frozen, hashable families)
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}
    return Family.model_construct(**fields)


def family_for(kind: str, model_id: str, families: tuple[Family, ...] | None = None) -> Family:
    """The first family covering this model on this protocol (`UNKNOWN` when none does)."""
    for family in shipped_families() if families is None else families:
        if family.matches(kind, model_id):
            return family
    return UNKNOWN
