"""Tool calls: what a simulated model reads of a conversation, and the calls it makes.

When a request declares tools, the simulated model calls some of them until the
conversation holds as many tool rounds as its script (`toolscript`) asks for, then
answers in text that names what the tools returned (`preamble`). The simulator keeps no
state: the round count is read from the conversation each request carries (its earlier
tool calls and their results, read by the `conversation_*` modules into a
`Conversation`), so a loop replays identically and every SDK client can drive it. The
arguments of each call come from its schema (`tool_arguments`); the script's `invalid`,
`unknown` and `nonjson` rounds break the first call on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from modelduel.simulator.tool_arguments import builtin_args, object_for
from modelduel.simulator.toolscript import ToolScript

__all__ = [
    "Conversation",
    "ToolCall",
    "ToolDecl",
    "plan_calls",
    "preamble",
]

UNKNOWN_TOOL = "run_shell"


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
        args = builtin_args(decl.name, prompt, round_no + k)
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
