"""What the simulator's conversation readers share: the text of a content value, the
provider's 400 rejection, a schema object read leniently."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from modelduel.simulator.generation import Rejection

__all__ = ["bad_request", "schema_of", "text_of"]


def text_of(content: Any, types: tuple[str, ...] = ("text", "input_text", "output_text")) -> str:
    """The text of a message's content: a string, the text parts of a list, else JSON."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(p.get("text", "")) if isinstance(p, dict) else str(p)
            for p in content
            if isinstance(p, str) or (isinstance(p, dict) and p.get("type", types[0]) in types)
        )
    if content is None:
        return ""
    return json.dumps(content, ensure_ascii=False)


def bad_request(message: str, param: str | None = None) -> Rejection:
    """The provider's 400 `bad_request` with `message` (naming `param` when given)."""
    return Rejection("bad_request", message, param=param)


def schema_of(value: Any) -> Mapping[str, Any]:
    """A tool's parameters schema, or `{}` when it is not an object."""
    return value if isinstance(value, Mapping) else {}
