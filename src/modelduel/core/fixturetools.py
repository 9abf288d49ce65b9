"""The three built-in tools over a task's fixture folder, read-only and in memory:

    list_files(path=".")                     every file under a folder, with its line count
    read_file(path, start_line=1, end_line)  numbered lines (`cat -n` style), a range of them;
                                             a line over MAX_LINE_CHARS is cut, with a note
    search(pattern, path=".", ignore_case)   regex over the files' lines, `path:line: text`,
                                             at most MAX_SEARCH_MATCHES matches

`FixtureTools` answers them from a snapshot (relative POSIX path -> bytes) taken when the
world is built; absolute paths, `..` and NUL bytes are refused before the lookup, and no
call opens a file, a socket or a process. A search has one deadline (SEARCH_DEADLINE_S):
a pattern that backtracks without end gets an error, never a hang of the runner's loop.
`core.toolworld` validates a call's arguments against `FIXTURE_SPECS` before it gets here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from modelduel.conversation import ToolSpec
from modelduel.core.toolresult import (
    MAX_RESULT_BYTES,
    ToolResult,
    cap_result,
    error_result,
    lines_word,
    ok_result,
)

__all__ = [
    "FIXTURE_SPECS",
    "MAX_LINE_CHARS",
    "MAX_READ_LINES",
    "MAX_SEARCH_MATCHES",
    "SEARCH_DEADLINE_S",
    "FixtureTools",
]

MAX_READ_LINES = 2000
MAX_SEARCH_MATCHES = 50
MAX_LINE_CHARS = 4000  # read_file shows at most this much of one line
MAX_PATTERN_CHARS = 300
SEARCH_DEADLINE_S = 2.0
"""A `search` call's whole time budget: past it the model gets an error, never a hang."""
_SEARCH_LINE_CHARS = 300  # a matching line is shown up to this many characters

FIXTURE_SPECS = (
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


class FixtureTools:
    """`list_files`, `read_file` and `search` over one fixture snapshot; deterministic."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        """Answer from `files` (relative POSIX path -> bytes), copied."""
        self.files = dict(files)
        self._text: dict[str, list[str] | None] = {}

    def call(self, name: str, args: dict[str, Any]) -> ToolResult:
        """Answer a fixture tool call whose arguments already passed its schema."""
        if name == "list_files":
            return self._list_files(args.get("path", "."))
        if name == "read_file":
            return self._read_file(args["path"], args.get("start_line", 1), args.get("end_line"))
        return self._search(args["pattern"], args.get("path", "."), args.get("ignore_case", False))

    def _lines(self, rel: str) -> list[str] | None:
        """The file's text lines (decoded once, kept); None for a binary file."""
        if rel not in self._text:
            data = self.files[rel]
            self._text[rel] = (
                None if b"\x00" in data[:8192] else data.decode("utf-8", "replace").splitlines()
            )
        return self._text[rel]

    def _under(self, raw: str) -> tuple[str, list[str]] | ToolResult:
        """The files under a folder (or the one file) named by `raw`, or an error result."""
        rel = _clean_path(raw)
        if rel is None:
            return error_result(
                f"error: {raw!r} is outside the workspace; paths are relative to its root "
                "(no '..', no absolute paths)."
            )
        files = self.files
        if rel in files:
            return rel, [rel]
        prefix = rel + "/" if rel else ""
        found = [f for f in files if f.startswith(prefix)]
        if not found:
            return error_result(
                f"error: no such file or folder: {raw!r}. Use list_files to see them."
            )
        return rel, found

    def _list_files(self, raw: str) -> ToolResult:
        under = self._under(raw)
        if isinstance(under, ToolResult):
            return under
        rows = []
        for f in under[1]:
            lines = self._lines(f)
            size = len(self.files[f])
            what = f"binary, {size} bytes" if lines is None else lines_word(len(lines))
            rows.append(f"{f} ({what})")
        n = len(rows)
        return ok_result("\n".join(rows), f"{n} file" if n == 1 else f"{n} files")

    def _read_file(self, raw: str, start: int, end: int | None) -> ToolResult:
        rel = _clean_path(raw)
        if rel is None:
            return error_result(
                f"error: {raw!r} is outside the workspace; paths are relative to its root "
                "(no '..', no absolute paths)."
            )
        if rel not in self.files:
            return error_result(f"error: no such file: {raw!r}. Use list_files to see the files.")
        lines = self._lines(rel)
        if lines is None:
            return error_result(f"error: {raw!r} is a binary file, not readable as text.")
        total = len(lines)
        if end is not None and end < start:
            return error_result(f"error: end_line {end} is before start_line {start}.")
        if start > max(total, 1):
            return error_result(
                f"error: {raw!r} has {total} lines; start_line {start} is past the end."
            )
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
        return ToolResult(content, False, 0, cut, f"{rel}:{start}-{shown} → {lines_word(count)}")

    def _search(self, pattern: str, raw: str, ignore_case: bool) -> ToolResult:
        if len(pattern) > MAX_PATTERN_CHARS:
            return error_result(f"error: the pattern is over {MAX_PATTERN_CHARS} characters.")
        if _NESTED_QUANTIFIER.search(pattern):
            return error_result(
                "error: the pattern nests quantifiers (like '(a+)+'), which can take "
                "exponential time; simplify it."
            )
        import regex as engine  # noqa: PLC0415  # only a tool loop's search needs it

        try:
            compiled = engine.compile(pattern, engine.IGNORECASE if ignore_case else 0)
        except engine.error as exc:
            return error_result(f"error: {pattern!r} is not a valid regular expression: {exc}.")
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
                    return error_result(
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
            return ok_result("no matches", "0 matches")
        if total > len(hits):
            hits.append(
                f"[… {total} matches in all; the first {len(hits)} are shown. "
                "Narrow the pattern or the path.]"
            )
        return ok_result("\n".join(hits), f"{total} match" if total == 1 else f"{total} matches")
