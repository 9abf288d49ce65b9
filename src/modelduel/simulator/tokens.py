"""Deterministic token pieces: how the simulator counts and streams text.

Real tokenizers are model specific and not needed here: what matters is that a
count is stable for a given text and that the pieces streamed add up to exactly
the count reported in usage. A piece is optional leading whitespace plus either
up to six word characters or one other character, so long words split like BPE.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["count_tokens", "declared_tool_tokens", "split_tokens"]

_PIECE = re.compile(r"\s*\w{1,6}|\s*[^\w\s]|\s+")


def split_tokens(text: str) -> list[str]:
    """The token pieces of `text`; joined they give `text` back exactly."""
    return _PIECE.findall(text)


def count_tokens(text: str) -> int:
    """The number of token pieces in `text`."""
    return len(split_tokens(text))


def declared_tool_tokens(schema: Mapping[str, Any]) -> int:
    """The input tokens of one declared tool: its parameters schema as JSON, plus 4."""
    return count_tokens(json.dumps(dict(schema))) + 4
