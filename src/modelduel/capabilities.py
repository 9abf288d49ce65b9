"""What each model family accepts, as data (`capabilities.toml`, shipped in the package).

Which models take adaptive thinking, which effort words, whether temperature is
allowed, the largest output a request may ask for: facts that change with every
model release, so they live in one data file matched by id pattern (newest
families first, a catch-all per provider last) rather than in `if` statements. A
user overrides any field for one model in the config (`[models."SPEC".capabilities]`).

No pydantic at import: `Family` is a frozen dataclass; a user's file and a config
override are validated by `modelduel.capability_schema`, imported when one is.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pydantic import ValidationError

    from modelduel.capability_schema import CapabilityOverride

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Family:
    """One model family: its id patterns and what its models accept.

    A plain frozen dataclass, so reading it (the runner child does for every request)
    imports no pydantic; `capability_schema.FamilySchema` validates a user's data into it.
    """

    name: str
    """A label shown by `modelduel models`."""
    kinds: tuple[ProviderKind, ...]
    """The protocols this family is served on."""
    patterns: tuple[str, ...]
    """Model id globs (lower-case, without vendor prefix)."""
    reasoning: bool = False
    """The model reasons by default."""
    thinking: ThinkingStyle = "none"
    """How thinking is requested and displayed (see capabilities.toml)."""
    efforts: tuple[str, ...] = ()
    """Effort words the model takes; empty means any word or number passes through."""
    effort_map: dict[DuelEffort, str] = field(default_factory=dict)
    """modelduel's duel effort -> the model's own word."""
    temperature: bool = True
    """The model accepts `temperature`."""
    images: bool = True
    """The model takes image inputs (a run with an image attached fails before sending)."""
    top_p: bool = True
    """The model accepts `top_p`."""
    max_output_tokens: int | None = None
    """The most output tokens (thinking included) one request may ask for; None = unknown."""
    context_window: int | None = None
    """Input + output tokens the model holds; None = unknown."""
    chat_max_tokens: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    """The Chat Completions name of the output cap."""

    def matches(self, kind: str, model_id: str) -> bool:
        """True when this family covers `model_id` served over protocol `kind`."""
        name = model_name(model_id)
        return kind in self.kinds and any(fnmatch.fnmatchcase(name, p) for p in self.patterns)

    def with_override(self, override: CapabilityOverride | None) -> Family:
        """This family with a config override's fields replacing its own.

        Raises:
            pydantic.ValidationError: the merged fields are not a valid family (a
                ValueError; the config names the key).
        """
        if override is None:
            return self
        fields = override.model_dump(exclude_unset=True)
        if not fields:
            return self
        from modelduel.capability_schema import FamilySchema  # noqa: PLC0415  # pydantic only for a config override

        merged = self.to_json() | fields | {"name": f"{self.name} + config"}
        return Family.from_json(FamilySchema.model_validate(merged).model_dump())

    def map_effort(self, duel_effort: str) -> str | None:
        """The model's word for a duel effort, None when the family has no mapping."""
        for key, word in self.effort_map.items():
            if key == duel_effort:
                return word
        return None

    def to_json(self) -> dict[str, Any]:
        """The fields as a JSON-able dict (for the pipe to the runner child)."""
        out = {f: getattr(self, f) for f in FIELDS}
        out["effort_map"] = dict(self.effort_map)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Family:
        """The family `to_json` (or a validated schema's dump) gave; arrays become tuples.

        Not a validation: the data comes from this program (the app validated it).
        """
        fields: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list | tuple) else v for k, v in data.items()
        }
        if "effort_map" in fields:
            fields["effort_map"] = dict(fields["effort_map"])
        return cls(**fields)


FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Family))
"""Every field of a family, in order (the names a capability entry may set)."""


def __getattr__(name: str) -> Any:
    # the pydantic override type lives with the schema; importing it from here (as the
    # config's schema does) loads pydantic then, not for a reader of the shipped data
    if name == "CapabilityOverride":
        from modelduel.capability_schema import CapabilityOverride  # noqa: PLC0415

        return CapabilityOverride
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


UNKNOWN = Family(
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
    import pydantic  # noqa: PLC0415  # only a file to validate loads pydantic

    from modelduel.capability_schema import FamilySchema  # noqa: PLC0415

    families: list[Family] = []
    for i, entry in enumerate(entries):
        try:
            families.append(Family.from_json(FamilySchema.model_validate(entry).model_dump()))
        except pydantic.ValidationError as exc:
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
        msg = f"unknown field (known: {', '.join(FIELDS)})"
    return f"{source}: {where}: field '{field}': {msg}"


def shipped_text() -> str:
    """The text of the capability file shipped with modelduel."""
    return resources.files("modelduel").joinpath(SHIPPED).read_text(encoding="utf-8")


@functools.cache
def shipped_families() -> tuple[Family, ...]:
    """The capability data shipped with modelduel (read once per process).

    Constructed without validation, so reading them imports no pydantic; the shipped
    file is validated by the tests (`load_families`, which a user's data and config
    overrides always go through), and a test checks both give equal families.
    """
    return tuple(Family.from_json(entry) for entry in tomllib.loads(shipped_text())["family"])


def family_for(kind: str, model_id: str, families: tuple[Family, ...] | None = None) -> Family:
    """The first family covering this model on this protocol (`UNKNOWN` when none does)."""
    for family in shipped_families() if families is None else families:
        if family.matches(kind, model_id):
            return family
    return UNKNOWN
