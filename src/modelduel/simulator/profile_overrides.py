"""Changing a profile: per model from the config (`[simulator."MODEL"]`, checked once when
the config is read) and per request from the `x-simulate-*` headers (timing and shape).

What a profile's fields mean is `profile_model`; the built-in profiles are `profiles`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from modelduel.simulator.faults import FaultError, parse_faults
from modelduel.simulator.profile_model import SHAPES, Profile
from modelduel.simulator.toolscript import ToolScriptError, parse_script

__all__ = [
    "OVERRIDE_HEADERS",
    "SHAPE_HEADER",
    "OverrideError",
    "apply_config",
    "apply_overrides",
    "check_profile_overrides",
]

# header -> (profile field, minimum, maximum)
OVERRIDE_HEADERS: dict[str, tuple[str, float, float]] = {
    "x-simulate-ttfb-ms": ("ttfb_ms", 0, 600_000),
    "x-simulate-ttft-ms": ("ttft_ms", 0, 600_000),
    "x-simulate-reasoning-ms": ("reasoning_ms", 0, 600_000),
    "x-simulate-tps": ("tps", 0.1, 1_000_000),
    "x-simulate-jitter": ("jitter", 0, 0.95),
    "x-simulate-answer-tokens": ("answer_tokens", 1, 1_000_000),
    "x-simulate-silent-think-ms": ("silent_think_ms", 0, 3_600_000),
}
SHAPE_HEADER = "x-simulate-shape"
# profile option -> its type, for the options that are not numbers
_FLAG_FIELDS = ("unverified_org", "no_usage")
_TEXT_FIELDS = ("shape", "faults", "tools")


class OverrideError(ValueError):
    """A profile override (a config field or an `x-simulate-*` header) that is unknown, of the
    wrong type or out of range."""


_FIELD_RANGES = {field: (low, high) for field, low, high in OVERRIDE_HEADERS.values()}
# profile fields set only from a config, not per request
_FIELD_RANGES.update({"rate_limit_requests": (0, 1e9), "rate_limit_tokens": (0, 1e12)})
_INT_FIELDS = ("answer_tokens", "rate_limit_requests", "rate_limit_tokens")


def _plain(bound: float) -> str:
    """A range's bound as a person writes it: 1000000, not 1e+06; 0.5 stays 0.5."""
    return str(int(bound)) if bound == int(bound) else f"{bound:g}"


def check_profile_overrides(
    overrides: Mapping[str, Mapping[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Validated per-model profile overrides, as a config gives them.

    `overrides` maps a model id to fields of its profile: the numbers ttfb_ms,
    ttft_ms, reasoning_ms, tps, jitter, answer_tokens, silent_think_ms,
    rate_limit_requests, rate_limit_tokens; the flags
    unverified_org, no_usage (true/false); shape (mixed, prose, list, table, code)
    faults (a fault list such as "no_usage,silent_think:90") and tools (a tool-loop
    script such as "rounds=2,parallel=2").

    Raises:
        OverrideError: an unknown field, or a value of the wrong type or out of range.
    """
    checked: dict[str, dict[str, Any]] = {}
    known = ", ".join([*_FIELD_RANGES, *_FLAG_FIELDS, *_TEXT_FIELDS])
    for model, fields in overrides.items():
        checked[model] = {}
        for name, value in fields.items():
            where = f"simulator profile {model!r}: {name} = {value!r}"
            if name in _FLAG_FIELDS:
                if not isinstance(value, bool):
                    raise OverrideError(f"{where} is not true or false")
            elif name == "shape":
                if value not in SHAPES:
                    raise OverrideError(f"{where} is not one of {', '.join(SHAPES)}")
            elif name == "faults":
                if not isinstance(value, str):
                    raise OverrideError(f'{where} is not a fault list such as "no_usage"')
                try:
                    parse_faults(value)
                except FaultError as exc:
                    raise OverrideError(f"simulator profile {model!r}: faults: {exc}") from None
            elif name == "tools":
                if not isinstance(value, str):
                    raise OverrideError(f'{where} is not a tool script such as "rounds=2"')
                try:
                    parse_script(value)
                except ToolScriptError as exc:
                    raise OverrideError(f"simulator profile {model!r}: tools: {exc}") from None
            elif name in _FIELD_RANGES:
                low, high = _FIELD_RANGES[name]
                span = f"{_plain(low)}..{_plain(high)}"
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or not low <= value <= high
                ):
                    whole = "whole " if name in _INT_FIELDS else ""
                    raise OverrideError(f"{where} is not a {whole}number in {span}")
                if name in _INT_FIELDS and value != int(value):
                    raise OverrideError(f"{where} is not a whole number in {span}")
            else:
                raise OverrideError(
                    f"simulator profile {model!r}: unknown field {name!r} ({known})"
                )
            checked[model][name] = value
    return checked


def apply_config(profile: Profile, fields: Mapping[str, Any]) -> Profile:
    """`profile` with validated config fields (see `check_profile_overrides`) applied."""
    changes = {k: int(v) if k in _INT_FIELDS else v for k, v in fields.items()}
    return dataclasses.replace(profile, **changes) if changes else profile  # type: ignore[arg-type]


def apply_overrides(profile: Profile, headers: Mapping[str, str]) -> Profile:
    """`profile` with the `x-simulate-*` timing headers applied.

    Raises:
        OverrideError: a header value is not a finite number within its range.
    """
    changes: dict[str, float | int | str] = {}
    for header, (field, low, high) in OVERRIDE_HEADERS.items():
        raw = headers.get(header)
        if raw is None:
            continue
        try:
            value = float(raw)
        except ValueError:
            raise OverrideError(f"{header}: {raw!r} is not a number") from None
        if not low <= value <= high:  # also rejects NaN
            raise OverrideError(f"{header}: {raw!r} is outside {_plain(low)}..{_plain(high)}")
        changes[field] = int(value) if field == "answer_tokens" else value
    shape = headers.get(SHAPE_HEADER)
    if shape is not None:
        if shape.strip().lower() not in SHAPES:
            raise OverrideError(f"{SHAPE_HEADER}: {shape!r} is not one of {', '.join(SHAPES)}")
        changes["shape"] = shape.strip().lower()
    return dataclasses.replace(profile, **changes) if changes else profile  # type: ignore[arg-type]
