"""What a simulated model's profile is: its timing and its style, field by field.

Timeline of one simulated request, measured from the moment its body was received:

* `ttfb_ms`: the response headers and the protocol's opening events are written
  (an HTTP error is also answered after this delay);
* `ttft_ms`: the first token of any kind — the first reasoning text when the
  request asked to see reasoning, otherwise the model starts reasoning silently;
* `reasoning_ms`: the reasoning phase that follows (scaled by the requested
  effort, `EFFORT_SCALE`); the first visible answer token comes at
  `ttft_ms + reasoning_ms`;
* then answer tokens at `tps` tokens per second, each gap varied by ± `jitter`.

Besides timing, a profile (config `[simulator."MODEL"]`) can set the answer's
length (`answer_tokens`, any length) and `shape` (mixed, prose, list, table, code),
and make real-account behaviours stick to a model: `unverified_org`, `no_usage`,
`silent_think_ms`, `faults` (any fault list, see `faults`), `tools` (the tool-loop
script, see `toolscript`), and enforced
`rate_limit_requests` / `rate_limit_tokens` per minute (see `ratelimits`).

The built-in profiles are in `profiles`; config and header overrides in `profile_overrides`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EFFORT_SCALE", "SHAPES", "Profile"]

SHAPES = ("mixed", "prose", "list", "table", "code")


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
