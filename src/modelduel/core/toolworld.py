"""The world a task's tools live in: every model's tool calls are answered from it, alike.

`ToolWorld.from_task(task)` gives the task's declared tools (`[[tools]]`, see
`modelduel.toolspec`) plus, when the task has `fixtures`, the three built-in tools of
`core.fixturetools` (`list_files`, `read_file`, `search`) over a read-only snapshot of
that folder.

`call(name, arguments_json)` never raises for anything a model can send: an unknown tool,
arguments that are not JSON or not an object, or that fail the tool's schema all come
back as a `ToolResult` with `is_error=True` and a message the model can act on (the
validation error, the list of tools), as a real harness answers. It is deterministic:
the same call gets the same bytes, in every run and for every model.

The sandbox: the fixture folder is read into memory when the world is built (after the
escape checks of `modelduel.fixturefs`); `core.fixturetools` answers from that snapshot.
Every result is capped (`core.toolresult.cap_result`, 64 KiB of UTF-8).

Latency is data: `ToolResult.latency_ms` is the tool's declared latency and the engine
waits it (so the wait is measured on the engine's clock and cancellable); `call` never
sleeps.
The round limit (`max_tool_rounds`) is the loop's (`core.toolloop.ToolRounds`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import relevance
from jsonschema.validators import validator_for

from modelduel.conversation import ToolSpec
from modelduel.core.fixturetools import FIXTURE_SPECS, FixtureTools
from modelduel.core.toolresult import (
    ToolResult,
    cap_result,
    error_result,
    lines_word,
    ok_result,
)
from modelduel.fixturefs import read_fixture_tree, resolve_fixture_dir
from modelduel.toolspec import FIXTURE_TOOL_NAMES, ToolDecl

if TYPE_CHECKING:
    from modelduel.tasks import Task

__all__ = ["ToolWorld"]


def _inlined(tool: ToolDecl) -> dict[str, Any]:
    """A declaration as JSON with its result files' texts only (`load_task` inlined them
    into `result`; a declaration may not give both)."""
    data = tool.model_dump(mode="json")
    for entry in (data, *data["rules"]):
        if entry.get("result") is not None:
            entry["result_file"] = None
    return data


class ToolWorld:
    """The tools of one task and the answers they give; pure and deterministic."""

    def __init__(self, tools: Sequence[ToolDecl], files: Mapping[str, bytes] | None = None):
        """Build a world from declared tools and an optional fixture snapshot.

        Args:
            tools: the task's `[[tools]]` (result files already inlined by `load_task`).
            files: relative POSIX path → bytes; None when the task has no fixtures.
        """
        self._tools = {t.name: t for t in tools}
        self._fixtures = FixtureTools(files) if files is not None else None
        specs = [ToolSpec(t.name, t.description, t.parameters) for t in tools]
        if self._fixtures is not None:
            clash = [n for n in FIXTURE_TOOL_NAMES if n in self._tools]
            if clash:
                raise ValueError(f"tool names {clash} clash with the fixture tools")
            specs.extend(FIXTURE_SPECS)
        self._specs = tuple(specs)
        self._validators = {
            s.name: validator_for(s.parameters, default=Draft202012Validator)(s.parameters)
            for s in self._specs
        }

    @classmethod
    def from_task(cls, task: Task) -> ToolWorld:
        """The world of a loaded task: its tools, and a snapshot of its fixture folder.

        Raises:
            modelduel.fixturefs.FixtureError: the fixture folder changed since the task
                loaded and now escapes (checked again, as the snapshot is taken).
        """
        files = None
        if task.fixtures is not None:
            files = read_fixture_tree(resolve_fixture_dir(task.path.parent, task.fixtures))
        return cls(task.tools, files)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form (for the pipe to the worker process): the declarations, result
        texts inlined, and the fixture snapshot's bytes in base64; `from_json` reads it."""
        return {
            "tools": [_inlined(t) for t in self._tools.values()],
            "files": None
            if self._fixtures is None
            else {k: base64.b64encode(v).decode("ascii") for k, v in self._fixtures.files.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ToolWorld:
        """The world `to_json` wrote (no file is read: the snapshot travels with it)."""
        files = data.get("files")
        return cls(
            [ToolDecl.model_validate(t) for t in data["tools"]],
            None if files is None else {k: base64.b64decode(v) for k, v in files.items()},
        )

    def tool_specs(self) -> tuple[ToolSpec, ...]:
        """Every tool the models are offered, declared tools first, in task order."""
        return self._specs

    def call(self, name: str, arguments_json: str) -> ToolResult:
        """Answer one tool call.

        Args:
            name: the tool the model called.
            arguments_json: its arguments as the model sent them (JSON text; Gemini's
                `args` object is passed as `json.dumps(args)`). Empty text means `{}`,
                as Anthropic streams no `input_json_delta` for a call without input.

        Returns:
            The result; problems are error results, never exceptions.
        """
        if name not in self._validators:
            known = ", ".join(s.name for s in self._specs) or "none"
            return error_result(f"error: there is no tool named {name!r}. The tools are: {known}.")
        text = arguments_json.strip() or "{}"
        try:
            args = json.loads(text, parse_constant=_reject_constant)
        except (json.JSONDecodeError, ValueError) as exc:
            return error_result(
                f"error: the arguments of {name!r} are not valid JSON ({exc}); "
                "send one JSON object that matches the tool's parameters schema."
            )
        if not isinstance(args, dict):
            return error_result(
                f"error: the arguments of {name!r} must be a JSON object, "
                f"not {type(args).__name__ if args is not None else 'null'}."
            )
        problems = sorted(self._validators[name].iter_errors(args), key=relevance)
        if problems:
            listed = "; ".join(f"{e.message} (at {e.json_path})" for e in problems[:3])
            more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
            return error_result(f"error: invalid arguments for {name!r}: {listed}{more}.")
        tool = self._tools.get(name)
        if tool is not None:
            return _scripted(tool, args)
        assert self._fixtures is not None  # a validator exists only for a known tool
        return self._fixtures.call(name, args)


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def _scripted(tool: ToolDecl, args: dict[str, Any]) -> ToolResult:
    """A declared tool's answer: its fixed result, the first matching rule, or its default."""
    if not tool.rules:
        text = tool.result or ""
        return ok_result(text, lines_word(len(text.splitlines())), tool.latency_ms)
    for rule in tool.rules:
        if rule.matches(args):
            text = rule.result or ""
            if rule.error:
                content, cut = cap_result(text)
                summary = "error, " + lines_word(len(text.splitlines()))
                return ToolResult(content, True, tool.latency_ms, cut, summary)
            return ok_result(text, lines_word(len(text.splitlines())), tool.latency_ms)
    return error_result(tool.default_result(), tool.latency_ms)
