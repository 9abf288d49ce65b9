"""The built-in latency and style profiles per model id, from vendors' published figures
(approximate), and which profile and which provider a model id belongs to.

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

What each field means is `profile_model`; changing them per model or per request is
`profile_overrides`.
"""

from __future__ import annotations

import dataclasses

from modelduel.simulator.profile_model import Profile

__all__ = ["PROFILES", "known_family", "profile_for"]

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
