"""A task file's problems as one line each, naming the file and the field, with a fix."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from modelduel.checkspec import CHECK_KINDS
from modelduel.task_model import Task
from modelduel.toolspec import (
    ToolDecl,
    ToolRule,
    TurnSpec,
)

_FIELD_HINTS = {
    "id": "a short name such as 'fix-median' (letters, digits, '_', '-', '.')",
    "type": "a snake_case task type such as 'coding_bug_fix'",
    "title": "a short human label",
    "prompt": "the task description, usually a multi-line string",
    "criteria": 'a list of strings, e.g. criteria = ["...", "...", "..."]',
    "output_format": "the required format of the answer, a string",
    "system": "a system prompt string (omit it for the default)",
    "context_files": 'a list of paths relative to the task file, e.g. ["context/a.md"]',
    "checks": "[[checks]] tables with name, kind, part and the kind's parameters",
    "tools": "[[tools]] tables with name, description, parameters and result or rules",
    "fixtures": "a folder relative to the task file, inside the task's folder",
    "max_tool_rounds": "an integer from 1 to 100 (default 8)",
    "turns": "[[turns]] tables, each with a prompt",
    "attachments": 'a list of paths relative to the task file, e.g. ["context/chart.png"]',
}
_TOOL_HINTS = {
    "name": "letters, digits, '_' and '-', starting with a letter or '_', at most 64",
    "parameters": 'a JSON Schema object, e.g. { type = "object", properties = { ... } }',
    "latency_ms": "an integer number of milliseconds from 0 to 600000",
    "match": "a table of parameter name -> regular expression (matched with fullmatch)",
}
_CHECK_HINTS = {
    "name": "a short name such as 'schema' (letters, digits, '_', '-', '.')",
    "kind": f"one of {', '.join(CHECK_KINDS)}",
    "part": "the rubric part the check informs: quality, correctness, format or rework",
    "tests": 'pytest files or folders relative to the task file, e.g. ["fixtures/t/test_x.py"]',
}
_ALLOWED = ", ".join(k for k in Task.model_fields if k != "path")


def _describe(value: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _error_line(path: Path, exc: ValidationError, raw: dict[str, Any]) -> str:
    """One line for the first validation error: file, field, what is wrong, a hint."""
    err = exc.errors()[0]
    loc = err["loc"]
    if len(loc) >= 2 and loc[0] == "checks" and isinstance(loc[1], int):
        return _check_error_line(path, err)
    if len(loc) >= 2 and loc[0] in ("tools", "turns") and isinstance(loc[1], int):
        return _nested_error_line(path, err)
    if not loc:
        # A task-level rule names its field first ("tools[0].name: ..."): put it in the location.
        msg = str(err["msg"]).removeprefix("Value error, ")
        named = _NAMED_RE.match(msg)
        if named:
            return f"{path}: field '{named.group(1)}': {named.group(2)}"
    field = str(loc[0]) if loc else "?"
    where = field + "".join(f"[{p}]" for p in loc[1:])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{path}: field '{where}': unknown field (allowed: {_ALLOWED})"
    hint = _FIELD_HINTS.get(field, "")
    if kind == "missing":
        return f"{path}: field '{where}': missing (expected {hint})"
    if kind == "string_pattern_mismatch":
        return f"{path}: field '{where}': {raw.get(field)!r} is not valid (expected {hint})"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind.endswith("_type"):
        got = _describe(err.get("input"))
        return f"{path}: field '{where}': {msg[:1].lower() + msg[1:]}, got {got}" + (
            f" ({hint})" if hint else ""
        )
    value = err.get("input")
    if isinstance(value, int | float) and not isinstance(value, bool):
        msg += f": {value!r}"  # the number as written (2.5), so the line says what was wrong
    return f"{path}: field '{where}': {msg[:1].lower() + msg[1:]}" + (f" ({hint})" if hint else "")


def _check_error_line(path: Path, err: Any) -> str:
    """One line for an error inside `checks[i]`, e.g. `field 'checks[0].pattern': ...`."""
    loc = list(err["loc"])
    index = loc[1]
    rest = [str(p) for p in loc[2:]]
    if rest and rest[0] in CHECK_KINDS:
        rest = rest[1:]  # the discriminated union's tag, not a field of the file
    where = f"checks[{index}]" + "".join(f".{p}" if not p.isdigit() else f"[{p}]" for p in rest)
    kind = err["type"]
    msg = str(err["msg"]).removeprefix("Value error, ")
    msg = msg[:1].lower() + msg[1:]
    # A check-level rule names its field first ("file: missing; ..."): put it in the location.
    named = re.match(r"([a-z_]+): (.*)", msg)
    if not rest and named:
        rest, msg = [named.group(1)], named.group(2)
        where += f".{rest[0]}"
    if kind == "extra_forbidden":
        msg = "unknown field for this kind of check"
    elif kind == "union_tag_not_found":
        where += ".kind"
        msg = "missing"
    elif kind == "union_tag_invalid":
        where += ".kind"
        msg = f"{err['ctx'].get('tag')!r} is not a kind of check"
    elif kind == "missing":
        msg = "missing"
    hint = _CHECK_HINTS.get(rest[0] if rest else "kind" if where.endswith(".kind") else "", "")
    if kind == "literal_error" and rest and rest[0] == "part":
        msg = f"{err.get('input')!r} is not a rubric part"
    return f"{path}: field '{where}': {msg}" + (f" (expected {hint})" if hint else "")


_NAMED_RE = re.compile(r"([a-z_]+(?:\[\d+\])?(?:\.[A-Za-z0-9_-]+|\[\d+\])*): (.*)")


def _nested_error_line(path: Path, err: Any) -> str:
    """One line for an error inside `tools[i]` or `turns[i]`, e.g. `tools[0].rules[1].match`."""
    loc = list(err["loc"])
    where = f"{loc[0]}[{loc[1]}]" + "".join(
        f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[2:]
    )
    msg = str(err["msg"]).removeprefix("Value error, ")
    msg = msg[:1].lower() + msg[1:]
    named = _NAMED_RE.match(msg)
    if named:
        where, msg = f"{where}.{named.group(1)}", named.group(2)
    kind = err["type"]
    last = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "extra_forbidden":
        model = TurnSpec if loc[0] == "turns" else ToolRule if "rules" in loc else ToolDecl
        msg = f"unknown field (allowed: {', '.join(model.model_fields)})"
    elif kind == "missing":
        msg = "missing"
    elif kind == "string_pattern_mismatch":
        msg = f"{err.get('input')!r} is not valid"
    hint = _TOOL_HINTS.get(last, "") if loc[0] == "tools" else ""
    return f"{path}: field '{where}': {msg}" + (f" (expected {hint})" if hint else "")


def _toml_error_line(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    text = str(exc)
    # Python 3.11's decoder puts the position only in the message: "... (at line 3, column 7)".
    m = re.search(r"\(at line (\d+), column (\d+)\)", text)
    if m:
        reason = text[: m.start()].strip()
        return f"{path}:{m.group(1)}: TOML syntax error at column {m.group(2)}: {reason}"
    return f"{path}: TOML syntax error: {text}"
