"""Small type checks shared by the request parsers; each failure is a `Rejection`."""

from __future__ import annotations

from typing import Any

from modelduel.simulator.generation import Rejection

__all__ = ["json_type", "text_of_content"]


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value, as error messages spell it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def text_of_content(content: Any, part_types: tuple[str, ...], where: str) -> str:
    """The text of a message `content`: a string, or a list of typed text parts.

    Raises:
        Rejection: the content is neither (kind bad_request, param `where`).
    """
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and part.get("type", part_types[0]) in part_types:
                if "type" not in part and "text" not in part:
                    continue  # an untyped Gemini part that is not text (inlineData, ...)
                text = part.get("text", "")
                if not isinstance(text, str):
                    raise Rejection("bad_request", f"Invalid type for '{where}.text'", param=where)
                texts.append(text)
        return "\n".join(texts)
    raise Rejection(
        "bad_request",
        f"Invalid type for '{where}': expected a string or an array, but got "
        f"{json_type(content)} instead.",
        param=where,
        code="invalid_type",
    )
