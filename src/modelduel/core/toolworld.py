"""The world a task's tools live in: every model's tool calls are answered from it, alike.

`ToolWorld.from_task(task)` gives the task's declared tools (`[[tools]]`, see
`modelduel.toolspec`) plus, when the task has `fixtures`, three built-in tools over a
read-only snapshot of that folder:

    list_files(path=".")                     every file under a folder, with its line count
    read_file(path, start_line=1, end_line)  numbered lines (`cat -n` style), a range of them;
                                             a line over MAX_LINE_CHARS is cut, with a note
    search(pattern, path=".", ignore_case)   regex over the files' lines, `path:line: text`,
                                             at most MAX_SEARCH_MATCHES matches

`call(name, arguments_json)` never raises for anything a model can send: an unknown tool,
arguments that are not JSON or not an object, or that fail the tool's schema all come
back as a `ToolResult` with `is_error=True` and a message the model can act on (the
validation error, the list of tools), as a real harness answers. It is deterministic:
the same call gets the same bytes, in every run and for every model.

The sandbox: the fixture folder is read into memory when the world is built (after the
escape checks of `modelduel.fixturefs`), so a call only looks a name up in that snapshot;
absolute paths, `..` and NUL bytes are refused before the lookup. No call opens a file,
a socket or a process. Every result is capped at MAX_RESULT_BYTES of UTF-8 (64 KiB),
cut at a character boundary with a marker saying how much was dropped.

Latency is data: `ToolResult.latency_ms` is the tool's declared latency and the engine
waits it (so the wait is measured on the engine's clock and cancellable); `call` never
sleeps. `ToolRounds` counts answered rounds against the task's `max_tool_rounds`.

Past 400 lines because the three fixture tools, the scripted tools and the result caps share
the snapshot and its limits; `ToolWorld` is most of the module.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import relevance
from jsonschema.validators import validator_for

from modelduel.conversation import ToolSpec
from modelduel.fixturefs import read_fixture_tree, resolve_fixture_dir
from modelduel.toolspec import FIXTURE_TOOL_NAMES, ToolDecl

if TYPE_CHECKING:
    from modelduel.tasks import Task

__all__ = [
    "MAX_READ_LINES",
    "MAX_RESULT_BYTES",
    "MAX_SEARCH_MATCHES",
    "TOOL_LIMIT",
    "ToolResult",
    "ToolRounds",
    "ToolSpec",
    "ToolWorld",
    "call_label",
    "cap_result",
]

MAX_RESULT_BYTES = 64 * 1024
MAX_READ_LINES = 2000
MAX_SEARCH_MATCHES = 50
MAX_LINE_CHARS = 4000  # read_file shows at most this much of one line
MAX_PATTERN_CHARS = 300
SEARCH_DEADLINE_S = 2.0
"""A `search` call's whole time budget: past it the model gets an error, never a hang."""
_SEARCH_LINE_CHARS = 300  # a matching line is shown up to this many characters
TOOL_LIMIT = "tool_limit"
"""The finish reason of a run whose model still calls tools after `max_tool_rounds`."""


@dataclass(frozen=True, slots=True)
class ToolResult:
    """The answer to one tool call.

    Attributes:
        content: the text sent back to the model (at most MAX_RESULT_BYTES of UTF-8).
        is_error: the call failed (unknown tool, bad arguments, nothing scripted, a
            rule marked `error`); Anthropic's `is_error`, and said in the text for others.
        latency_ms: how long the engine should wait before answering (0 for built-ins).
        truncated: the content was cut at the cap.
        summary: a few words for a folded pane line, e.g. "40 lines", "3 matches".
    """

    content: str
    is_error: bool = False
    latency_ms: int = 0
    truncated: bool = False
    summary: str = ""


def cap_result(text: str, limit: int = MAX_RESULT_BYTES) -> tuple[str, bool]:
    """Cut `text` to at most `limit` UTF-8 bytes, marker included; (text, was_cut)."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text, False
    marker = f"\n[… truncated: the result was {len(raw)} bytes; only the first part is shown]"
    keep = limit - len(marker.encode("utf-8"))
    # errors="ignore" drops a character cut in half at the end, so the text stays valid.
    return raw[:keep].decode("utf-8", errors="ignore") + marker, True


def call_label(name: str, arguments_json: str, limit: int = 60) -> str:
    """A short label of a call for a folded pane line, e.g. `read_file src/a.py:1-40`.

    Works on partial arguments as they stream (then it shows what has arrived), so a pane
    can show the call live; never raises.
    """
    try:
        args = json.loads(arguments_json) if arguments_json.strip() else {}
    except ValueError:
        args = None
    if not isinstance(args, dict):
        tail = " ".join(arguments_json.split())
        return f"{name} {tail[: limit - 1] + '…' if len(tail) > limit else tail}".rstrip()
    if name == "read_file" and isinstance(args.get("path"), str):
        start, end = args.get("start_line"), args.get("end_line")
        span = f":{start or 1}-{end}" if end is not None else (f":{start}-" if start else "")
        detail = f"{args['path']}{span}"
    elif name == "search" and isinstance(args.get("pattern"), str):
        detail = f"/{args['pattern']}/" + (f" {args['path']}" if args.get("path") else "")
    else:
        detail = " ".join(
            v if isinstance(v, str) else json.dumps(v, separators=(",", ":")) for v in args.values()
        )
    detail = " ".join(detail.split())
    if len(detail) > limit:
        detail = detail[: limit - 1] + "…"
    return f"{name} {detail}".rstrip()


def _error(message: str, latency_ms: int = 0) -> ToolResult:
    content, cut = cap_result(message)
    return ToolResult(content, True, latency_ms, cut, "error: " + message.split("\n", 1)[0])


def _ok(content: str, summary: str, latency_ms: int = 0) -> ToolResult:
    capped, cut = cap_result(content)
    return ToolResult(capped, False, latency_ms, cut, summary + (" (truncated)" if cut else ""))


def _lines_word(n: int) -> str:
    return f"{n} line" if n == 1 else f"{n} lines"


_FIXTURE_SPECS = (
    ToolSpec(
        "list_files",
        "List the files of the read-only workspace under a folder, with their line counts.",
        {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "A folder, relative; default '.'."}
            },
            "additionalProperties": False,
        },
    ),
    ToolSpec(
        "read_file",
        "Read a text file of the workspace; lines are numbered. Give start_line and end_line "
        f"(1-based, inclusive) to read part of a long file (at most {MAX_READ_LINES} lines).",
        {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "The file, relative to the root."},
                "start_line": {"type": "integer", "minimum": 1},
                "end_line": {"type": "integer", "minimum": 1},
            },
            "required": ["path"],
            "additionalProperties": False,
        },
    ),
    ToolSpec(
        "search",
        "Search the workspace's text files for a regular expression (Python syntax), line "
        f"by line; returns 'path:line: text' for at most {MAX_SEARCH_MATCHES} matches.",
        {
            "type": "object",
            "properties": {
                "pattern": {"type": "string", "minLength": 1},
                "path": {"type": "string", "description": "A folder or file; default '.'."},
                "ignore_case": {"type": "boolean"},
            },
            "required": ["pattern"],
            "additionalProperties": False,
        },
    ),
)

# A group holding a quantifier, itself quantified: `(a+)+`, `(x*)*`, `(a|aa)+`-like
# nesting is what makes Python's backtracking engine take exponential time. A heuristic,
# not a proof; it keeps one model's pattern from freezing every pane of the duel.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")


def _clean_path(raw: str) -> str | None:
    """A fixture-relative POSIX path, or None when it points outside (or is not a path)."""
    if "\x00" in raw or raw.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", raw):
        return None
    parts = [p for p in raw.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        return None
    return "/".join(parts)


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
        self._files = dict(files) if files is not None else None
        self._text: dict[str, list[str] | None] = {}
        specs = [ToolSpec(t.name, t.description, t.parameters) for t in tools]
        if self._files is not None:
            clash = [n for n in FIXTURE_TOOL_NAMES if n in self._tools]
            if clash:
                raise ValueError(f"tool names {clash} clash with the fixture tools")
            specs.extend(_FIXTURE_SPECS)
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
            if self._files is None
            else {k: base64.b64encode(v).decode("ascii") for k, v in self._files.items()},
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
            return _error(f"error: there is no tool named {name!r}. The tools are: {known}.")
        text = arguments_json.strip() or "{}"
        try:
            args = json.loads(text, parse_constant=_reject_constant)
        except (json.JSONDecodeError, ValueError) as exc:
            return _error(
                f"error: the arguments of {name!r} are not valid JSON ({exc}); "
                "send one JSON object that matches the tool's parameters schema."
            )
        if not isinstance(args, dict):
            return _error(
                f"error: the arguments of {name!r} must be a JSON object, "
                f"not {type(args).__name__ if args is not None else 'null'}."
            )
        problems = sorted(self._validators[name].iter_errors(args), key=relevance)
        if problems:
            listed = "; ".join(f"{e.message} (at {e.json_path})" for e in problems[:3])
            more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
            return _error(f"error: invalid arguments for {name!r}: {listed}{more}.")
        tool = self._tools.get(name)
        if tool is not None:
            return _scripted(tool, args)
        if name == "list_files":
            return self._list_files(args.get("path", "."))
        if name == "read_file":
            return self._read_file(args["path"], args.get("start_line", 1), args.get("end_line"))
        return self._search(args["pattern"], args.get("path", "."), args.get("ignore_case", False))

    # ------------------------------------------------------------ the fixture tools

    def _lines(self, rel: str) -> list[str] | None:
        """The file's text lines (decoded once, kept); None for a binary file."""
        if rel not in self._text:
            data = (self._files or {})[rel]
            self._text[rel] = (
                None if b"\x00" in data[:8192] else data.decode("utf-8", "replace").splitlines()
            )
        return self._text[rel]

    def _under(self, raw: str) -> tuple[str, list[str]] | ToolResult:
        """The files under a folder (or the one file) named by `raw`, or an error result."""
        rel = _clean_path(raw)
        if rel is None:
            return _error(
                f"error: {raw!r} is outside the workspace; paths are relative to its root "
                "(no '..', no absolute paths)."
            )
        files = self._files or {}
        if rel in files:
            return rel, [rel]
        prefix = rel + "/" if rel else ""
        found = [f for f in files if f.startswith(prefix)]
        if not found:
            return _error(f"error: no such file or folder: {raw!r}. Use list_files to see them.")
        return rel, found

    def _list_files(self, raw: str) -> ToolResult:
        under = self._under(raw)
        if isinstance(under, ToolResult):
            return under
        rows = []
        for f in under[1]:
            lines = self._lines(f)
            size = len((self._files or {})[f])
            what = f"binary, {size} bytes" if lines is None else _lines_word(len(lines))
            rows.append(f"{f} ({what})")
        n = len(rows)
        return _ok("\n".join(rows), f"{n} file" if n == 1 else f"{n} files")

    def _read_file(self, raw: str, start: int, end: int | None) -> ToolResult:
        rel = _clean_path(raw)
        if rel is None:
            return _error(
                f"error: {raw!r} is outside the workspace; paths are relative to its root "
                "(no '..', no absolute paths)."
            )
        if rel not in (self._files or {}):
            return _error(f"error: no such file: {raw!r}. Use list_files to see the files.")
        lines = self._lines(rel)
        if lines is None:
            return _error(f"error: {raw!r} is a binary file, not readable as text.")
        total = len(lines)
        if end is not None and end < start:
            return _error(f"error: end_line {end} is before start_line {start}.")
        if start > max(total, 1):
            return _error(f"error: {raw!r} has {total} lines; start_line {start} is past the end.")
        last = min(total, end if end is not None else total, start + MAX_READ_LINES - 1)
        out: list[str] = []
        budget = MAX_RESULT_BYTES - 200  # room for the continuation note
        used = 0
        shown = start - 1
        for n in range(start, last + 1):
            line = lines[n - 1]
            if len(line) > MAX_LINE_CHARS:  # a minified file: one line must not eat the cap
                line = line[:MAX_LINE_CHARS] + f"… [line cut: {len(line)} characters]"
            row = f"{n:>6}\t{line}"
            used += len(row.encode("utf-8")) + 1
            if used > budget:
                break
            out.append(row)
            shown = n
        if shown < (end if end is not None else total) and shown < total:
            out.append(
                f"[… {raw} has {total} lines; lines {start}-{shown} are shown. "
                f"Call read_file with start_line={shown + 1} for more.]"
            )
        content, cut = cap_result("\n".join(out))
        count = shown - start + 1
        return ToolResult(content, False, 0, cut, f"{rel}:{start}-{shown} → {_lines_word(count)}")

    def _search(self, pattern: str, raw: str, ignore_case: bool) -> ToolResult:
        if len(pattern) > MAX_PATTERN_CHARS:
            return _error(f"error: the pattern is over {MAX_PATTERN_CHARS} characters.")
        if _NESTED_QUANTIFIER.search(pattern):
            return _error(
                "error: the pattern nests quantifiers (like '(a+)+'), which can take "
                "exponential time; simplify it."
            )
        import regex as engine  # noqa: PLC0415  # only a tool loop's search needs it

        try:
            compiled = engine.compile(pattern, engine.IGNORECASE if ignore_case else 0)
        except engine.error as exc:
            return _error(f"error: {pattern!r} is not a valid regular expression: {exc}.")
        under = self._under(raw)
        if isinstance(under, ToolResult):
            return under
        hits: list[str] = []
        total = 0
        # the runner's event loop runs this call: a pattern that backtracks without end
        # would stop every model's stream, so the whole search has one deadline
        deadline = time.monotonic() + SEARCH_DEADLINE_S
        for f in under[1]:
            lines = self._lines(f)
            for n, line in enumerate(lines or (), 1):
                try:
                    found = compiled.search(line, timeout=max(0.001, deadline - time.monotonic()))
                except TimeoutError:
                    return _error(
                        f"error: the search took over {SEARCH_DEADLINE_S:g} s (the pattern "
                        "backtracks too much); simplify it or narrow the path."
                    )
                if found:
                    total += 1
                    if len(hits) < MAX_SEARCH_MATCHES:
                        shown = (
                            line
                            if len(line) <= _SEARCH_LINE_CHARS
                            else line[:_SEARCH_LINE_CHARS] + "…"
                        )
                        hits.append(f"{f}:{n}: {shown}")
        if not hits:
            return _ok("no matches", "0 matches")
        if total > len(hits):
            hits.append(
                f"[… {total} matches in all; the first {len(hits)} are shown. "
                "Narrow the pattern or the path.]"
            )
        return _ok("\n".join(hits), f"{total} match" if total == 1 else f"{total} matches")


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def _scripted(tool: ToolDecl, args: dict[str, Any]) -> ToolResult:
    """A declared tool's answer: its fixed result, the first matching rule, or its default."""
    if not tool.rules:
        text = tool.result or ""
        return _ok(text, _lines_word(len(text.splitlines())), tool.latency_ms)
    for rule in tool.rules:
        if rule.matches(args):
            text = rule.result or ""
            if rule.error:
                content, cut = cap_result(text)
                summary = "error, " + _lines_word(len(text.splitlines()))
                return ToolResult(content, True, tool.latency_ms, cut, summary)
            return _ok(text, _lines_word(len(text.splitlines())), tool.latency_ms)
    return _error(tool.default_result(), tool.latency_ms)


class ToolRounds:
    """Counts a run's tool rounds against the task's `max_tool_rounds`.

    A round is one model response that asked for at least one tool call, answered with
    every call's result. The engine asks `admit(calls)` for each such response: True means
    answer it (it is counted); False means the cap is reached, the calls are not answered
    and the run ends with finish reason `TOOL_LIMIT` (keeping everything it produced).
    """

    def __init__(self, limit: int) -> None:
        """Start counting; `limit` is the task's `max_tool_rounds` (at least 1)."""
        if limit < 1:
            raise ValueError("max_tool_rounds is at least 1")
        self.limit = limit
        self.rounds = 0
        self.calls = 0

    def admit(self, calls: int) -> bool:
        """Whether a response asking for `calls` tool calls may be answered (and count it)."""
        if calls < 1:
            raise ValueError("a tool round has at least one call")
        if self.rounds >= self.limit:
            return False
        self.rounds += 1
        self.calls += calls
        return True

    @property
    def exhausted(self) -> bool:
        """Every allowed round has been answered: another tool call ends the run."""
        return self.rounds >= self.limit
