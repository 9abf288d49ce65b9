"""Who wrote an answer, hidden from the judge: the names to blank, and the maker's check.

The judged answer goes without its model's name: its spec, provider and id, their
`/`-separated parts and family words, and its maker's product and company names are
replaced by `[model]` wherever the answer says them. The vendor is read from the model id
(`claude-…` is Anthropic's whether it comes from the Messages API or through
`openai-chat`/OpenRouter), so a router does not hide a judge's own family: the judge
never scores an answer of its own maker unless `allow_self = true` (self-preference bias).

Holds no prompt text (`core.judge_prompt`) and sends nothing (`core.judge`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from modelduel.providers import registry

if TYPE_CHECKING:
    from modelduel.config import ResolvedModel

__all__ = ["REDACTED", "blind_names", "is_self_judging", "model_vendor", "redact_names"]

REDACTED = "[model]"
"""What a name of the answering model becomes in the answer the judge reads."""

_VENDOR_WORDS: dict[str, tuple[str, ...]] = {
    # what an answer calls its maker or itself: the model's own product and company names
    "anthropic": ("Anthropic", "Claude", "Opus", "Sonnet", "Haiku"),
    "openai": ("OpenAI", "ChatGPT", "GPT", "Codex"),
    "google": ("Google DeepMind", "DeepMind", "Google", "Gemini", "Gemma", "Bard"),
}
_VENDOR_OF = {word.lower(): vendor for vendor, words in _VENDOR_WORDS.items() for word in words}


def blind_names(model: ResolvedModel) -> list[str]:
    """The strings that would name the answering model: spec, provider, id and each of its
    `/`-separated parts, their family words, and its maker's product and company names
    (`Opus`, `Google DeepMind`), whatever provider routed it.

    Longest first, so `claude-opus-4-7` is replaced before `claude`.
    """
    model_id = model.model_id.split("@", 1)[0]
    names = {model.spec, model.spec.split("@", 1)[0], model.provider, model.model_id, model_id}
    vendors: set[str] = set()
    for part in (*model_id.split("/"), *model.spec.split("@", 1)[0].split("/")):
        names.add(part)
        for word in re.findall(r"[A-Za-z]{3,}", part):
            if (vendor := _VENDOR_OF.get(word.lower())) is not None:
                vendors.add(vendor)
        family = re.match(r"[A-Za-z]{3,}", part)
        if family is not None:
            names.add(family.group())  # "claude", "gpt", "gemini": named by its family
    for vendor in vendors:
        names.update(_VENDOR_WORDS[vendor])
    return sorted((n for n in names if n), key=len, reverse=True)


def redact_names(text: str, names: Sequence[str]) -> str:
    """`text` with each of `names` (`blind_names`, longest first) replaced by `[model]`."""
    for name in names:
        text = re.sub(re.escape(name), REDACTED, text, flags=re.IGNORECASE)
    return text


_KIND_VENDOR = {"openai": "openai", "anthropic": "anthropic", "gemini": "google"}
"""The maker of a model served by a first-party protocol whose id names no maker."""


def model_vendor(model: ResolvedModel) -> str | None:
    """The model's maker (`anthropic`, `openai`, `google`), whichever protocol serves it.

    Read from the model id's words first (`anthropic/claude-sonnet-4.5` over OpenRouter,
    `gpt-oss-120b` on vLLM), then from a first-party protocol reached through its own
    built-in provider (`gemini` is Google's); None for a model of no maker known here (a
    local `qwen3`, also when a `[providers.NAME]` serves it over the Responses protocol).
    """
    model_id = model.model_id.split("@", 1)[0]
    for word in re.findall(r"[A-Za-z]{3,}", model_id):
        if (vendor := _VENDOR_OF.get(word.lower())) is not None:
            return vendor
    if model.provider not in registry.builtin_providers():
        return None  # the user's own endpoint speaks the protocol; it is not its maker
    return _KIND_VENDOR.get(model.kind)


def is_self_judging(judge: ResolvedModel, answered_by: ResolvedModel) -> bool:
    """Whether the judge would score an answer of its own maker (self-preference bias).

    By vendor, not by protocol: a Claude judge served over `openai-chat` judging a Claude
    answer from the Messages API is judging its own. Two models of no known maker count
    as the same when they come from the same provider (the rule can only be cautious).
    """
    ours, theirs = model_vendor(judge), model_vendor(answered_by)
    if ours is None or theirs is None:
        return ours is None and theirs is None and judge.provider == answered_by.provider
    return ours == theirs
