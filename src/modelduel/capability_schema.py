"""The pydantic schema of the capability data: where a user's data is validated.

`modelduel.capabilities.Family` is a plain frozen dataclass (the runner child reads it for
every request and never imports pydantic); this module holds the validators a capability
file (`load_families`) and a config override (`Family.with_override`,
`[models."SPEC".capabilities]`) go through. It is imported only when one of those is
validated, or when the config's schema names `CapabilityOverride`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from modelduel.capabilities import DuelEffort, ProviderKind, ThinkingStyle

__all__ = ["CapabilityOverride", "FamilySchema"]


class _Caps(BaseModel):
    # the validator is built on first validation (a bad file, a config override), not at
    # import
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, allow_inf_nan=False)

    reasoning: bool = False
    thinking: ThinkingStyle = "none"
    efforts: tuple[str, ...] = ()
    effort_map: dict[DuelEffort, str] = Field(default_factory=dict)
    temperature: bool = True
    images: bool = True
    top_p: bool = True
    max_output_tokens: int | None = Field(default=None, gt=0, strict=True)
    context_window: int | None = Field(default=None, gt=0, strict=True)
    chat_max_tokens: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"

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


class FamilySchema(_Caps):
    """One `[[family]]` entry as validated (the fields of `capabilities.Family`)."""

    name: str = Field(min_length=1)
    kinds: tuple[ProviderKind, ...] = Field(min_length=1)
    patterns: tuple[str, ...] = Field(min_length=1)


class CapabilityOverride(BaseModel):
    """Config fields replacing a family's for one model (`[models."SPEC".capabilities]`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, allow_inf_nan=False)

    reasoning: bool | None = None
    thinking: ThinkingStyle | None = None
    efforts: tuple[str, ...] | None = None
    effort_map: dict[DuelEffort, str] | None = None
    temperature: bool | None = None
    images: bool | None = None
    top_p: bool | None = None
    max_output_tokens: int | None = Field(default=None, gt=0, strict=True)
    context_window: int | None = Field(default=None, gt=0, strict=True)
    chat_max_tokens: Literal["max_tokens", "max_completion_tokens"] | None = None
