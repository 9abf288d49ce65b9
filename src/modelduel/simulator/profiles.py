"""Latency and style profiles per model id, from vendors' published figures (approximate).

Timeline of one simulated request, measured from the moment its body was received:

* `ttfb_ms`: the response headers and the protocol's opening events are written
  (an HTTP error is also answered after this delay);
* `ttft_ms`: the first token of any kind — the first reasoning text when the
  request asked to see reasoning, otherwise the model starts reasoning silently;
* `reasoning_ms`: the reasoning phase that follows (scaled by the requested
  effort); the first visible answer token comes at `ttft_ms + reasoning_ms`;
* then answer tokens at `tps` tokens per second, each gap varied by ± `jitter`.

Chosen defaults (tokens per second and answer lengths are plausible, not published):

* gpt-5.5: reasons before it speaks — first visible token ~3.0 s (0.8 s + 2.2 s
  of reasoning), terse answers (~140 tokens) at ~80 tokens/s.
* claude-opus-4-7: starts in ~0.5 s; adaptive thinking is brief (0.7 s) when
  requested; longest, most structured answers at ~55 tokens/s.
* gemini-3.1-pro-preview: no published figure, so this is our choice: it thinks
  by default, first thought after ~1.5 s and 1.5 s of thinking, then fast
  streaming in large chunks (~140 tokens/s).
* any other id on Chat Completions (a local model): 0.2 s to first token, a short
  visible `reasoning_content` trace, ~45 tokens/s.

Besides timing, a profile (config `[simulator."MODEL"]`) can set the answer's
length (`answer_tokens`, any length) and `shape` (mixed, prose, list, table, code),
and make real-account behaviours stick to a model: `unverified_org`, `no_usage`,
`silent_think_ms`, `faults` (any fault list, see `faults`), `tools` (the tool-loop
script, see `toolscript`), and enforced
`rate_limit_requests` / `rate_limit_tokens` per minute (see `ratelimits`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from modelduel.simulator.faults import FaultError, parse_faults
from modelduel.simulator.toolscript import ToolScriptError, parse_script

__all__ = [
    "EFFORT_SCALE",
    "OVERRIDE_HEADERS",
    "PROFILES",
    "SHAPES",
    "SHAPE_HEADER",
    "OverrideError",
    "Profile",
    "apply_config",
    "apply_overrides",
    "check_profile_overrides",
    "known_family",
    "profile_for",
]


@dataclass(frozen=True, slots=True)
class Profile:
    """How one simulated model behaves.

    Attributes:
        name: profile name (the model id it was written for).
        persona: answer style key used by `answers`.
        ttfb_ms: time to the response headers and opening events.
        ttft_ms: time to the first token of any kind.
        reasoning_ms: reasoning duration before the first visible token (0 = none).
        tps: answer tokens per second.
        jitter: each inter-token gap varies by ± this fraction of the mean gap.
        answer_tokens: target answer length in tokens.
        reasons: the model reasons by default.
        chat_reasoning_field: the Chat Completions delta field that carries reasoning
            text (`reasoning_content`, `reasoning`), or None when it is hidden.
        served_model: the model name echoed in responses (a dated snapshot), or None
            to echo the requested id.
        silent_think_ms: extra reasoning with no byte at all after the opening events.
        shape: the answer's shape: mixed (markdown of the persona), prose, list,
            table or code (one long fenced code block).
        unverified_org: the OpenAI organization is not verified, so a request with
            `reasoning.summary` gets HTTP 400 (a request without it succeeds).
        no_usage: Chat Completions streams carry no usage even when asked to.
        faults: faults applied to every request of this model (see `faults`).
        rate_limit_requests: requests per minute enforced with a 429 (0: a generous
            default, only reported in the rate-limit headers).
        rate_limit_tokens: tokens per minute enforced likewise (0: reported only).
    """

    name: str
    persona: str
    ttfb_ms: float
    ttft_ms: float
    reasoning_ms: float
    tps: float
    jitter: float
    answer_tokens: int
    reasons: bool
    chat_reasoning_field: str | None = None
    served_model: str | None = None
    silent_think_ms: float = 0.0
    shape: str = "mixed"
    unverified_org: bool = False
    no_usage: bool = False
    faults: str = ""
    tools: str = ""
    rate_limit_requests: int = 0
    rate_limit_tokens: int = 0


PROFILES: dict[str, Profile] = {
    "gpt-5.5": Profile(
        name="gpt-5.5",
        persona="terse",
        ttfb_ms=250,
        ttft_ms=800,
        reasoning_ms=2200,
        tps=80,
        jitter=0.35,
        answer_tokens=140,
        reasons=True,
        chat_reasoning_field=None,
        served_model="gpt-5.5-2026-04-23",
    ),
    "claude-opus-4-7": Profile(
        name="claude-opus-4-7",
        persona="structured",
        ttfb_ms=250,
        ttft_ms=500,
        reasoning_ms=700,
        tps=55,
        jitter=0.3,
        answer_tokens=380,
        reasons=True,
        chat_reasoning_field="reasoning",
    ),
    "gemini-3.1-pro-preview": Profile(
        name="gemini-3.1-pro-preview",
        persona="sectioned",
        ttfb_ms=300,
        ttft_ms=1500,
        reasoning_ms=1500,
        tps=140,
        jitter=0.4,
        answer_tokens=340,
        reasons=True,
        chat_reasoning_field="reasoning",
    ),
    "default": Profile(
        name="default",
        persona="plain",
        ttfb_ms=50,
        ttft_ms=200,
        reasoning_ms=400,
        tps=45,
        jitter=0.25,
        answer_tokens=170,
        reasons=True,
        chat_reasoning_field="reasoning_content",
    ),
}

# Effort words of every provider mapped onto one reasoning-time multiplier.
EFFORT_SCALE: dict[str, float] = {
    "none": 0.0,
    "minimal": 0.25,
    "low": 0.5,
    "medium": 1.0,
    "high": 1.5,
    "xhigh": 2.0,
    "max": 2.5,
}

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
SHAPES = ("mixed", "prose", "list", "table", "code")
SHAPE_HEADER = "x-simulate-shape"
# profile option -> its type, for the options that are not numbers
_FLAG_FIELDS = ("unverified_org", "no_usage")
_TEXT_FIELDS = ("shape", "faults", "tools")


class OverrideError(ValueError):
    """A timing override header has a value that is not a number in range."""


def profile_for(model: str) -> Profile:
    """The profile of a model id: an exact match, else its family's, else the default."""
    if model in PROFILES:
        return PROFILES[model]
    # Families: dated snapshots and sibling models behave like their flagship here.
    if model.startswith(("gpt-", "o1", "o3", "o4")):
        return dataclasses.replace(PROFILES["gpt-5.5"], name=model, served_model=None)
    if model.startswith("claude-"):
        return dataclasses.replace(PROFILES["claude-opus-4-7"], name=model)
    if model.startswith("gemini-"):
        return dataclasses.replace(PROFILES["gemini-3.1-pro-preview"], name=model)
    return dataclasses.replace(PROFILES["default"], name=model)


def known_family(model: str, protocol: str) -> bool:
    """Whether the provider behind `protocol` would know this model id at all.

    Chat Completions servers (vLLM, Ollama, OpenRouter) serve any id; the three
    first-party APIs answer an id outside their own family with their not-found error.
    """
    if protocol == "openai-chat":
        return True
    if protocol == "openai":
        return model.startswith(("gpt-", "o1", "o3", "o4"))
    if protocol == "anthropic":
        return model.startswith("claude-")
    return model.startswith(("gemini-", "gemma-"))


_FIELD_RANGES = {field: (low, high) for field, low, high in OVERRIDE_HEADERS.values()}
# profile fields set only from a config, not per request
_FIELD_RANGES.update({"rate_limit_requests": (0, 1e9), "rate_limit_tokens": (0, 1e12)})
_INT_FIELDS = ("answer_tokens", "rate_limit_requests", "rate_limit_tokens")


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
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or not low <= value <= high
                ):
                    raise OverrideError(f"{where} is not a number in {low:g}..{high:g}")
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
            raise OverrideError(f"{header}: {raw!r} is outside {low:g}..{high:g}")
        changes[field] = int(value) if field == "answer_tokens" else value
    shape = headers.get(SHAPE_HEADER)
    if shape is not None:
        if shape.strip().lower() not in SHAPES:
            raise OverrideError(f"{SHAPE_HEADER}: {shape!r} is not one of {', '.join(SHAPES)}")
        changes["shape"] = shape.strip().lower()
    return dataclasses.replace(profile, **changes) if changes else profile  # type: ignore[arg-type]
