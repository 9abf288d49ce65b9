"""Arguments a simulated model sends to a tool, from the tool's JSON Schema.

A property's `default`, else its first `examples` entry, else its `const` or first
`enum` value, else a plausible value for its name and type (a path for `path`, a word
of the prompt for `pattern`, the schema's `minimum` for a number...). The fixture tools
`list_files`, `read_file` and `search` get the arguments a model would send to explore a
repository (`builtin_args`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["builtin_args", "object_for", "value_for"]


_PATH_IN_PROMPT = re.compile(r"(?<![\w/.-])((?:[\w-]+/)*[\w-]+\.[A-Za-z][\w]{0,5})(?![\w/])")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,}")
_STOP = frozenset(
    {
        "what",
        "which",
        "that",
        "this",
        "with",
        "from",
        "have",
        "into",
        "your",
        "about",
        "there",
        "their",
        "them",
        "then",
        "than",
        "when",
        "where",
        "does",
        "please",
        "explain",
        "describe",
        "should",
        "would",
        "could",
        "tell",
        "show",
        "find",
        "look",
        "file",
        "files",
        "read",
        "list",
        "search",
        "tool",
        "tools",
        "using",
    }
)


def _prompt_path(prompt: str) -> str:
    found = _PATH_IN_PROMPT.findall(prompt)
    return found[0] if found else "README.md"


def _prompt_word(prompt: str) -> str:
    for word in _WORD.findall(prompt):
        if word.lower() not in _STOP:
            return str(word)
    return "TODO"


def builtin_args(name: str, prompt: str, round_no: int) -> dict[str, Any] | None:
    """The arguments of a fixture tool call in round `round_no`; None for any other tool."""
    if name == "list_files":
        return {"path": "."}
    if name == "read_file":
        return {"path": _prompt_path(prompt), "start_line": 1, "end_line": 40 * round_no}
    if name == "search":
        return {"pattern": _prompt_word(prompt), "path": "."}
    return None


def _string_for(prop: str, schema: Mapping[str, Any], prompt: str) -> str:
    lowered = prop.lower()
    fmt = schema.get("format")
    if fmt == "date":
        value = "2026-01-15"
    elif fmt == "date-time":
        value = "2026-01-15T09:30:00Z"
    elif fmt in ("uri", "url") or "url" in lowered:
        value = "https://example.com/"
    elif fmt == "email" or "email" in lowered:
        value = "dev@example.com"
    elif any(w in lowered for w in ("path", "file", "dir", "folder")):
        value = _prompt_path(prompt)
    elif any(w in lowered for w in ("command", "cmd", "shell")):
        value = "git log --oneline -5"
    elif any(w in lowered for w in ("pattern", "query", "regex", "term", "keyword")):
        value = _prompt_word(prompt)
    elif lowered in ("id", "ref", "sha", "commit") or lowered.endswith("_id"):
        value = "HEAD"
    else:
        value = _prompt_word(prompt)
    low = schema.get("minLength")
    if isinstance(low, int) and len(value) < low:
        value = value + "x" * (low - len(value))
    high = schema.get("maxLength")
    if isinstance(high, int) and len(value) > high:
        value = value[: max(high, 0)]
    return value


def value_for(prop: str, schema: Any, prompt: str) -> Any:
    """A plausible value of `schema` for a property named `prop` (see the module docstring)."""
    if not isinstance(schema, Mapping):
        return _prompt_word(prompt)
    if "default" in schema:
        return schema["default"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            return value_for(prop, options[0], prompt)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        return object_for(schema, prompt)
    if kind == "array":
        least = schema.get("minItems")
        count = least if isinstance(least, int) else 1
        return [value_for(prop, schema.get("items", {}), prompt) for _ in range(max(count, 1))]
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        number: int | float = low if isinstance(low, int | float) else 1
        if "exclusiveMinimum" in schema and "minimum" not in schema:
            number += 1
        return int(number) if kind == "integer" else float(number)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return _string_for(prop, schema, prompt)


def object_for(schema: Mapping[str, Any], prompt: str) -> dict[str, Any]:
    """Arguments for an object schema: every required property, and the optional ones
    whose schema names a value (`default`, `examples`, `enum`)."""
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return {}
    listed = schema.get("required")
    required: list[Any] = listed if isinstance(listed, list) else []
    out: dict[str, Any] = {}
    for prop, sub in props.items():
        named = isinstance(sub, Mapping) and any(k in sub for k in ("default", "examples", "enum"))
        if prop in required or named:
            out[prop] = value_for(prop, sub, prompt)
    return out
