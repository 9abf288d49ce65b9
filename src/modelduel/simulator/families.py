"""What each model family accepts, as the simulator enforces it.

The simulator's own table, written from the providers' documentation and SDK
enums (openai 3.57 `ReasoningEffort`, anthropic 2.15 `OutputConfigParam.effort`,
google-genai 3.6 `ThinkingLevel`), deliberately not shared with the client's
capability data: a client that reads its own table wrong must meet the real rule.

* Claude from 4.7 on (opus-4-7, opus-4-8, opus-5*, sonnet-5*, haiku-5-5 and any
  newer id) take adaptive thinking only, no temperature/top_p/top_k, and effort
  low|medium|high|xhigh|max; 4.6 takes low|medium|high|max; Opus 4.5
  low|medium|high; older models take no effort at all.
* GPT-5.2 and later (5.5, 5.6, 6...) take reasoning effort none|low|medium|high|xhigh;
  GPT-5.1 none|low|medium|high; GPT-5 minimal|low|medium|high; o-series low|medium|high.
* Gemini 3 Pro takes thinking level low|high, 3.1 Pro low|medium|high, Flash
  models minimal|low|medium|high; 2.x models take no thinking level (a budget only);
  an unknown newer Gemini takes every level the SDK lists.
"""

from __future__ import annotations

import re

__all__ = [
    "claude_efforts",
    "claude_is_strict",
    "claude_version",
    "gemini_levels",
    "openai_efforts",
]

_CLAUDE = re.compile(r"^claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?:[-@]|$)")
_GPT = re.compile(r"^gpt-(\d+)(?:\.(\d+))?")
_GEMINI = re.compile(r"^gemini-(\d+)(?:\.(\d+))?-")


def claude_version(model: str) -> tuple[int, int] | None:
    """(major, minor) of a current-style Claude id (`claude-opus-4-7`), None for others.

    A dated snapshot (`claude-sonnet-4-20250514`) has minor 0: eight digits are a date.
    """
    match = _CLAUDE.match(model)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


def claude_is_strict(model: str) -> bool:
    """Whether the model is Claude 4.7 or newer: adaptive thinking only, no sampling knobs."""
    version = claude_version(model)
    return version is not None and version >= (4, 7)


def claude_efforts(model: str) -> tuple[str, ...]:
    """The `output_config.effort` words the model takes (empty: none at all)."""
    version = claude_version(model)
    if version is None:
        return ()
    if version >= (4, 7):
        return ("low", "medium", "high", "xhigh", "max")
    if version >= (4, 6):
        return ("low", "medium", "high", "max")
    if version == (4, 5) and model.startswith("claude-opus"):
        return ("low", "medium", "high")
    return ()


def openai_efforts(model: str) -> tuple[str, ...]:
    """The `reasoning.effort` / `reasoning_effort` words an OpenAI reasoning model takes."""
    if model.startswith(("o1", "o3", "o4")):
        return ("low", "medium", "high")
    match = _GPT.match(model)
    if match is None:
        return ("none", "minimal", "low", "medium", "high", "xhigh")
    version = (int(match.group(1)), int(match.group(2) or 0))
    if version >= (5, 2):
        return ("none", "low", "medium", "high", "xhigh")
    if version == (5, 1):
        return ("none", "low", "medium", "high")
    return ("minimal", "low", "medium", "high")


def gemini_levels(model: str) -> tuple[str, ...]:
    """The `thinkingConfig.thinkingLevel` values the model takes (empty: none at all)."""
    match = _GEMINI.match(model)
    if match is None:
        return ("minimal", "low", "medium", "high", "xhigh")
    version = (int(match.group(1)), int(match.group(2) or 0))
    if version < (3, 0):
        return ()
    if "flash" in model:
        return ("minimal", "low", "medium", "high")
    if version == (3, 0):
        return ("low", "high")
    if version == (3, 1):
        return ("low", "medium", "high")
    return ("minimal", "low", "medium", "high", "xhigh")
