"""Tool calls: the script that drives a simulated tool loop, and the calls it makes.

When a request declares tools, the simulated model calls some of them until the
conversation holds as many tool rounds as its script asks for, then answers in text
that names what the tools returned. The simulator keeps no state: the round count
is read from the conversation each request carries (its earlier tool calls and their
results), so a loop replays identically and every SDK client can drive it.

The script is a comma list of `NAME=VALUE` items, given per request in the
`x-simulate-tools` header or per model as `tools = "..."` under
`[simulator."MODEL"]` in the config (the header wins, item by item):

    rounds=N        tool rounds before the text answer (default 1; 0: never call a tool)
    parallel=K      calls per round, when the request allows parallel calls (default 1)
    invalid=R       in round R (1-based) the first call's arguments break its schema
                    (a required property left out, or a value of the wrong type)
    unknown=R       in round R the first call names a tool the request did not declare
    nonjson=R       in round R the first call's arguments are not JSON (cut short); on
                    Gemini, whose `args` is a JSON object on the wire, it is a call
                    with no arguments at all instead
    fail=N[:KIND]   the Nth request of the loop (1 = the first) fails with the HTTP
                    fault KIND (default `server`; any HTTP fault of `faults`)

Several rounds take several items: `invalid=1+2`. Arguments come from the tool's JSON
Schema: a property's `default`, else its first `examples` entry, else its first
`enum` value, else a plausible value for its name and type (a path for `path`, a
word of the prompt for `pattern`, the schema's `minimum` for a number...). The
fixture tools `list_files`, `read_file` and `search` get arguments a model would
send to explore a repository.

Script, schema-driven arguments and call planning stay together (past 400 lines): the
plan is one pass over the script and the declared schemas.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from modelduel.simulator.faults import HTTP_FAULTS

__all__ = [
    "TOOLS_HEADER",
    "Conversation",
    "ToolCall",
    "ToolDecl",
    "ToolScript",
    "ToolScriptError",
    "merge_scripts",
    "parse_script",
    "plan_calls",
    "preamble",
    "script_for",
]

TOOLS_HEADER = "x-simulate-tools"
UNKNOWN_TOOL = "run_shell"


class ToolScriptError(ValueError):
    """A tool script that does not parse; the message names the item."""


@dataclass(frozen=True, slots=True)
class ToolScript:
    """What the simulated model does with declared tools (see the module docstring)."""

    rounds: int = 1
    parallel: int = 1
    invalid: frozenset[int] = frozenset()
    unknown: frozenset[int] = frozenset()
    nonjson: frozenset[int] = frozenset()
    fail: int | None = None
    fail_kind: str = "server"
    given: frozenset[str] = frozenset()  # the item names the spec set, for merging


def _rounds(name: str, value: str) -> frozenset[int]:
    try:
        numbers = frozenset(int(v) for v in value.split("+"))
    except ValueError:
        raise ToolScriptError(f"{name}={value}: expected round numbers such as 1 or 1+2") from None
    if any(n < 1 for n in numbers):
        raise ToolScriptError(f"{name}={value}: rounds count from 1")
    return numbers


def parse_script(spec: str) -> ToolScript:
    """The tool script of a spec such as `rounds=2,parallel=3,invalid=1`.

    Raises:
        ToolScriptError: an unknown item or a value that is not a count.
    """
    script = ToolScript()
    given: set[str] = set()
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not sep or not value:
            raise ToolScriptError(f"{item!r}: expected NAME=VALUE (rounds=2, parallel=2 ...)")
        if name in ("rounds", "parallel"):
            if not value.isdigit() or int(value) > 64 or (name == "parallel" and value == "0"):
                raise ToolScriptError(f"{name}={value}: expected a whole number 0..64")
            if name == "rounds":
                script = replace(script, rounds=int(value))
            else:
                script = replace(script, parallel=int(value))
        elif name in ("invalid", "unknown", "nonjson"):
            numbers = _rounds(name, value)
            if name == "invalid":
                script = replace(script, invalid=numbers)
            elif name == "unknown":
                script = replace(script, unknown=numbers)
            else:
                script = replace(script, nonjson=numbers)
        elif name == "fail":
            count, _, kind = value.partition(":")
            if not count.isdigit() or int(count) < 1:
                raise ToolScriptError(f"fail={value}: expected the request number, e.g. fail=2")
            kind = kind.strip() or "server"
            if kind not in HTTP_FAULTS:
                known = ", ".join(sorted(HTTP_FAULTS))
                raise ToolScriptError(f"fail={value}: {kind!r} is not an HTTP fault ({known})")
            script = replace(script, fail=int(count), fail_kind=kind)
        else:
            raise ToolScriptError(
                f"{name!r} is not a tool script item (rounds, parallel, invalid, unknown, "
                "nonjson, fail)"
            )
        given.add(name)
    return replace(script, given=frozenset(given))


def merge_scripts(base: ToolScript, over: ToolScript) -> ToolScript:
    """`base` with every item `over` sets taken from `over` (a header over a config)."""
    changes: dict[str, Any] = {}
    for name in over.given:
        changes[name] = getattr(over, name)
        if name == "fail":
            changes["fail_kind"] = over.fail_kind
    return replace(base, **changes, given=base.given | over.given)


def script_for(config_spec: str, header_spec: str | None) -> ToolScript:
    """A model's configured script with the request header's items over it.

    Raises:
        ToolScriptError: either spec does not parse.
    """
    script = parse_script(config_spec) if config_spec else ToolScript()
    return merge_scripts(script, parse_script(header_spec)) if header_spec else script


@dataclass(frozen=True, slots=True)
class ToolDecl:
    """A tool the request declares: its name and the JSON Schema of its arguments."""

    name: str
    schema: Mapping[str, Any]


@dataclass(slots=True)
class Conversation:
    """What the simulated model reads from a request's conversation.

    Attributes:
        tools: the declared tools, in order.
        tool_rounds: assistant turns so far that called tools (in the whole conversation).
        results: (tool name, result text) of the tool results the request carries last.
        user_turns: user turns that hold text (a follow-up makes it 2 or more).
        last_user: the text of the last such turn.
        history_texts: tool calls and results of the conversation, counted as input.
        parallel_allowed: the request lets the model make several calls at once.
        calls_allowed: the request lets the model call a tool at all (tool_choice).
    """

    tools: list[ToolDecl] = field(default_factory=list)
    tool_rounds: int = 0
    results: list[tuple[str, str]] = field(default_factory=list)
    user_turns: int = 1
    last_user: str = ""
    history_texts: list[str] = field(default_factory=list)
    parallel_allowed: bool = True
    calls_allowed: bool = True


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One call the simulated model makes.

    Attributes:
        name: the tool's name.
        arguments: the exact argument text streamed (JSON, except a `nonjson` call).
        args: the arguments as an object (what Gemini and Anthropic carry whole).
    """

    name: str
    arguments: str
    args: dict[str, Any]


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


def _builtin_args(name: str, prompt: str, round_no: int) -> dict[str, Any] | None:
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


def _broken(decl: ToolDecl, args: dict[str, Any]) -> dict[str, Any]:
    """`args` made to fail the schema: a required property dropped, else a wrong type."""
    required = decl.schema.get("required")
    if isinstance(required, list) and required and required[0] in args:
        return {k: v for k, v in args.items() if k != required[0]}
    props = decl.schema.get("properties")
    if isinstance(props, Mapping) and props:
        first = next(iter(props))
        sub = props[first] if isinstance(props[first], Mapping) else {}
        wrong: Any = "not-a-number" if sub.get("type") in ("integer", "number") else 42
        return {**args, first: wrong}
    return {**args, "unexpected_argument": True}


def plan_calls(
    conv: Conversation, script: ToolScript, prompt: str, *, protocol: str
) -> list[ToolCall]:
    """The calls the simulated model makes on this request (none: it answers in text)."""
    if not conv.tools or not conv.calls_allowed or conv.tool_rounds >= script.rounds:
        return []
    round_no = conv.tool_rounds + 1
    count = script.parallel if conv.parallel_allowed else 1
    calls: list[ToolCall] = []
    for k in range(max(count, 1)):
        decl = conv.tools[(conv.tool_rounds + k) % len(conv.tools)]
        args = _builtin_args(decl.name, prompt, round_no + k)
        if args is None:
            args = object_for(decl.schema, prompt)
        name = decl.name
        text = json.dumps(args, ensure_ascii=False)
        if k == 0 and round_no in script.invalid:
            args = _broken(decl, args)
            text = json.dumps(args, ensure_ascii=False)
        if k == 0 and round_no in script.unknown:
            declared = {d.name for d in conv.tools}
            name = UNKNOWN_TOOL if UNKNOWN_TOOL not in declared else UNKNOWN_TOOL + "_2"
            args = {"command": "ls -la"}
            text = json.dumps(args)
        if k == 0 and round_no in script.nonjson:
            if protocol == "gemini":
                args, text = {}, "{}"
            else:
                text = text[: max(1, len(text) - 2)]  # cut short: no closing quote or brace
        calls.append(ToolCall(name, text, args))
    return calls


def preamble(conv: Conversation) -> str:
    """The opening of a text answer: what the tools returned, and which turn this is."""
    lines: list[str] = []
    if conv.user_turns > 1:
        lines.append(
            f"Turn {conv.user_turns}: following up on my earlier answer "
            f"about “{conv.last_user.strip()[:80]}”."
        )
    if conv.results:
        parts = []
        for name, text in conv.results:
            body = text.strip()
            first = body.splitlines()[0][:60] if body else "(empty)"
            n = len(body.splitlines())
            parts.append(f"`{name}` returned {n} line{'s' if n != 1 else ''} (“{first}”)")
        lines.append(
            f"From {conv.tool_rounds} tool round{'s' if conv.tool_rounds != 1 else ''}: "
            + "; ".join(parts)
            + "."
        )
    return "\n\n".join(lines) + ("\n\n" if lines else "")
